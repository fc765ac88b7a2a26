//! `crosswalk push`: the store's named graphs to the engine at --endpoint.
use crate::args::{Cli, Cmd};
use anyhow::{Context, Result, bail};
use crosswalk::query::push::{self, Outcome, Target};
use crosswalk::query::{Auth, Remote};
use std::io::Write;
use std::time::Duration;

pub fn run(out: &mut impl Write, cli: &Cli) -> Result<()> {
    let Cmd::Push {
        update,
        graph_store,
        batch,
        timeout,
    } = &cli.cmd
    else {
        bail!("not a push");
    };
    let (batch, timeout) = (*batch, *timeout);
    let Some(endpoint) = &cli.endpoint else {
        bail!(crosswalk::Error::Invalid(
            "push needs --endpoint URL (the engine's SPARQL query endpoint)".into()
        ));
    };
    let client = |url: &str| -> Result<Remote> {
        let auth: Option<Auth> = cli.endpoint_auth;
        Ok(Remote::checked(url, auth, Duration::from_secs(timeout))?)
    };
    let query = client(endpoint)?;
    let update = client(update.as_deref().unwrap_or(endpoint))?;
    let gsp = graph_store.as_deref().map(client).transpose()?;
    let db = cli.open(false)?;
    let started = std::time::Instant::now();
    let (mut written, mut triples) = (0, 0);
    let target = Target {
        query: &query,
        update: &update,
        graph_store: gsp.as_ref(),
        batch,
    };
    let pushed = push::push(&db, &target, &mut |p| {
        let line = match &p.outcome {
            Outcome::Unchanged => {
                format!("unchanged {}  ({} triples)", p.graph.as_str(), p.triples)
            }
            Outcome::Written { requests, took } => {
                written += 1;
                triples += p.triples;
                format!(
                    "pushed    {}  ({} triples, {requests} requests, {:.1?})",
                    p.graph.as_str(),
                    p.triples,
                    took
                )
            }
        };
        let _ = writeln!(out, "{line}");
    })
    .with_context(|| format!("pushing to {endpoint}"))?;
    writeln!(
        out,
        "{written} of {} graphs written ({triples} triples) in {:.1?}",
        pushed.len(),
        started.elapsed()
    )?;
    Ok(())
}
