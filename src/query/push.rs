//! `crosswalk push`: every named graph of the embedded store written to a remote engine, so
//! the same named queries answer there (`--endpoint`).
//!
//! Each graph goes to a temporary graph first — a Graph Store Protocol PUT when the engine has
//! a graph store, else SPARQL Update `INSERT DATA` in bounded batches — and then one
//! `MOVE <tmp> TO <graph>` replaces the remote graph. A push cut short leaves at most a
//! temporary graph behind (dropped on the next push), never a half-written graph under its own
//! name: on every engine tested a single update request is one transaction (ARCHITECTURE.md,
//! "Remote engines"). Each pushed graph carries `<graph> cw:loadDigest "…"`, the
//! order-independent digest of its content ([`crate::store::content_digest`]), so a graph the
//! remote already holds unchanged is skipped without sending it.
use super::{Remote, Sparql, term_text};
use crate::model::error::{Error, Result};
use crate::model::vocab::cw;
use crate::store::{Db, content_digest};
use oxigraph::model::{GraphNameRef, Literal, NamedNode, Quad, Term, Triple};
use std::collections::HashMap;
use std::fmt::Write as _;
use std::time::{Duration, Instant};

/// Where a push writes.
pub struct Target<'a> {
    /// The engine's query endpoint (digests are read there).
    pub query: &'a Remote,
    /// Its update endpoint (the same URL on Virtuoso and crosswalk; `/update` on the Oxigraph
    /// server).
    pub update: &'a Remote,
    /// Its Graph Store Protocol endpoint, when it has one.
    pub graph_store: Option<&'a Remote>,
    /// Triples per `INSERT DATA` request.
    pub batch: usize,
}

/// What happened to one graph.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// The remote holds the same content (same digest): nothing sent.
    Unchanged,
    /// Replaced, in this many requests, in this long.
    Written { requests: usize, took: Duration },
}

/// One graph of a push.
#[derive(Debug, Clone)]
pub struct Pushed {
    pub graph: NamedNode,
    pub triples: usize,
    pub outcome: Outcome,
}

/// The temporary graph a graph is uploaded into before its `MOVE`.
pub fn temporary(graph: &NamedNode) -> String {
    format!("{}-crosswalk-push", graph.as_str())
}

/// The digest each remote graph records (`?g cw:loadDigest ?d` inside `?g`).
pub fn remote_digests(on: &dyn Sparql) -> Result<HashMap<String, String>> {
    let sol = on.select(
        &format!(
            "SELECT ?g ?d WHERE {{ GRAPH ?g {{ ?g <{}> ?d }} }}",
            cw::LOAD_DIGEST.as_str()
        ),
        &[],
    )?;
    let mut out = HashMap::new();
    for r in &sol.rows {
        if let (Some(g), Some(d)) = (&r[0], &r[1]) {
            out.insert(term_text(g), term_text(d));
        }
    }
    Ok(out)
}

/// Pushes every named graph of `db`; `each` hears of each graph as it is done.
pub fn push(db: &Db, to: &Target<'_>, each: &mut dyn FnMut(&Pushed)) -> Result<Vec<Pushed>> {
    if db
        .inner()
        .quads_for_pattern(None, None, None, Some(GraphNameRef::DefaultGraph))
        .next()
        .is_some()
    {
        tracing::warn!("the store's default graph is not pushed (crosswalk keeps nothing there)");
    }
    let remote = remote_digests(to.query)?;
    let mut done = Vec::new();
    for (graph, _) in db.graph_sizes()? {
        if graph.as_str().ends_with("-crosswalk-push") {
            continue;
        }
        let quads: Vec<Quad> = db
            .inner()
            .quads_for_pattern(
                None,
                None,
                None,
                Some(GraphNameRef::NamedNode(graph.as_ref())),
            )
            .collect::<std::result::Result<_, _>>()?;
        let digest = content_digest(&graph, &quads);
        let triples: Vec<Triple> = quads
            .into_iter()
            .filter(|q| {
                !(q.predicate.as_ref() == cw::LOAD_DIGEST
                    && matches!(&q.subject, oxigraph::model::NamedOrBlankNode::NamedNode(s) if *s == graph))
            })
            .map(Triple::from)
            .chain(std::iter::once(Triple::new(
                graph.clone(),
                cw::LOAD_DIGEST,
                Literal::new_simple_literal(&digest),
            )))
            .collect();
        let pushed = if remote.get(graph.as_str()) == Some(&digest) {
            Pushed {
                graph,
                triples: triples.len(),
                outcome: Outcome::Unchanged,
            }
        } else {
            let started = Instant::now();
            let requests = write_graph(to, &graph, &triples)?;
            Pushed {
                graph,
                triples: triples.len(),
                outcome: Outcome::Written {
                    requests,
                    took: started.elapsed(),
                },
            }
        };
        each(&pushed);
        done.push(pushed);
    }
    Ok(done)
}

/// Uploads into the temporary graph, then moves it over the graph; checks the count after.
fn write_graph(to: &Target<'_>, graph: &NamedNode, triples: &[Triple]) -> Result<usize> {
    let tmp = temporary(graph);
    let upload = || -> Result<usize> {
        to.update.update(&format!("DROP SILENT GRAPH <{tmp}>"))?;
        if let Some(gsp) = to.graph_store {
            let mut body = String::new();
            for t in triples {
                let _ = writeln!(body, "{t} .");
            }
            gsp.put_graph(&tmp, body.as_bytes())?;
            return Ok(2);
        }
        // A blank node is scoped to its request: every triple with one goes in the same
        // (last) request, so a node shared by several triples stays one node.
        let (blank, plain): (Vec<&Triple>, Vec<&Triple>) = triples
            .iter()
            .partition(|t| t.subject.is_blank_node() || matches!(t.object, Term::BlankNode(_)));
        let mut requests = 1;
        let mut batches: Vec<Vec<&Triple>> =
            plain.chunks(to.batch.max(1)).map(<[_]>::to_vec).collect();
        if !blank.is_empty() {
            batches.push(blank);
        }
        for batch in batches {
            let mut text = format!("INSERT DATA {{ GRAPH <{tmp}> {{\n");
            for t in batch {
                let _ = writeln!(text, "{t} .");
            }
            text.push_str("} }");
            to.update.update(&text)?;
            requests += 1;
        }
        Ok(requests)
    };
    let requests = match upload() {
        Ok(n) => n,
        Err(e) => {
            // The graph itself was not touched; the partial temporary one goes.
            let _ = to.update.update(&format!("DROP SILENT GRAPH <{tmp}>"));
            return Err(e);
        }
    };
    to.update
        .update(&format!("MOVE GRAPH <{tmp}> TO GRAPH <{}>", graph.as_str()))?;
    let sol = to.query.select(
        &format!(
            "SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{}> {{ ?s ?p ?o }} }}",
            graph.as_str()
        ),
        &[],
    )?;
    let n: usize = sol
        .strings("n")
        .first()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    if n != triples.len() {
        return Err(Error::Remote {
            endpoint: to.query.endpoint.clone(),
            message: format!(
                "graph {} holds {n} triples after the push, {} were sent",
                graph.as_str(),
                triples.len()
            ),
        });
    }
    Ok(requests + 1)
}
