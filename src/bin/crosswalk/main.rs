//! The `crosswalk` command line: parse the arguments (args.rs), open the store as the command
//! needs it, call one library function, print through `crosswalk::render`. `anyhow` only here.
mod args;
mod push;

use anyhow::{Context, Result, bail};
use args::{Cli, Cmd, Out};
use clap::{CommandFactory, Parser};
use crosswalk::load;
use crosswalk::render::{self, answers};
use crosswalk::source::fetch::{Bar, Fetcher};
use crosswalk::source::manifest::Manifest;
use crosswalk::store::Db;
use crosswalk::{answer, query, serve};
use std::io::Write;

// Loading builds ~0.7M quads of short strings: mimalloc measured faster than the system
// allocator for it (BENCHMARKS.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn parse_kv(s: &str) -> Result<(String, String), String> {
    s.split_once('=')
        .map(|(k, v)| (k.trim().to_owned(), v.to_owned()))
        .ok_or_else(|| format!("expected name=value, got `{s}`"))
}

fn main() {
    let cli = Cli::parse();
    // The server logs each request by default; other commands only warnings.
    let default = if matches!(cli.cmd, Cmd::Serve(_)) {
        "info"
    } else {
        "warn"
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("CROSSWALK_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default)),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    match run(&cli) {
        Ok(code) => std::process::exit(code),
        // `crosswalk … | head` closes the pipe early: that is not an error.
        Err(e)
            if e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) =>
        {
            std::process::exit(0)
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            // The user's mistake (an unknown name, a bad file, a busy store) is 1; a fault of
            // ours or of the machine is 2.
            let ours = e.chain().any(|c| {
                c.downcast_ref::<crosswalk::Error>()
                    .is_some_and(|e| !e.is_users())
            });
            std::process::exit(if ours { 2 } else { 1 });
        }
    }
}

/// Runs the command; the exit status when it is not an error (`check` fails with 1).
fn run(cli: &Cli) -> Result<i32> {
    let mut out = std::io::stdout().lock();
    crosswalk::render::set_wide(cli.wide);
    let read = || cli.reader();
    match &cli.cmd {
        Cmd::Fetch {
            ids,
            base_url,
            timeout,
        } => {
            let mut f = Fetcher::new(std::time::Duration::from_secs(*timeout));
            f.base_override = base_url.clone();
            let mut failed = 0;
            for s in Manifest::builtin()?.select(ids)? {
                match f.fetch(s, &cli.sources_dir(), &mut Bar::default()) {
                    Ok(files) => render::report::fetched(&mut out, &s.id, &files)?,
                    Err(e) => (failed += 1, eprintln!("{}: {e}", s.id)).0,
                }
            }
            if failed > 0 {
                bail!("{failed} source(s) could not be fetched");
            }
        }
        Cmd::Load { user, .. } if !user.mappings.is_empty() => {
            let db = cli.open(true)?;
            for (set, file) in user.load(&db)? {
                writeln!(out, "loaded  {file} as mapping set {set}")?;
            }
            writeln!(out, "{} quads in the store", db.len()?)?;
        }
        Cmd::Load { ids, .. } => {
            let db = cli.open(true)?;
            let (mut bar, started) = (
                render::report::LoadBar::default(),
                std::time::Instant::now(),
            );
            let (sources, manifest) = (cli.sources_dir(), Manifest::builtin()?);
            let report = load::load(&db, &manifest, &sources, ids, &mut |e| bar.event(e))?;
            render::report::load(&mut out, &report, db.len()?, started.elapsed())?;
        }
        Cmd::Query {
            query,
            params,
            base,
            format,
        } => {
            let on = read()?;
            let (text, bindings) = query::prepare(&*on, query, params)?;
            let text = query::with_base(text, base.as_deref())?;
            let refs: Vec<_> = bindings
                .iter()
                .map(|(k, t)| (k.as_str(), t.clone()))
                .collect();
            render::results::write(&mut out, on.run(&text, &refs)?, *format)?;
        }
        Cmd::Show {
            id,
            brief,
            out: Out { format },
        } => answers::shown_as(
            &mut out,
            id,
            &answer::card::show(&*read()?, id)?,
            *format,
            *brief,
        )?,
        Cmd::Stats {
            out: Out { format },
            digest,
        } => {
            let on = read()?;
            render::report::stats(&mut out, &*on, on.local(), *format, *digest)?
        }
        Cmd::Search {
            req,
            out: Out { format },
        } => answers::hits(&mut out, &req.answer(&*read()?)?, *format)?,
        Cmd::Suggest {
            req,
            out: Out { format },
        } => {
            let found = if req.dry_run {
                crosswalk::search::suggest::candidates(&*read()?, req)?
            } else if cli.endpoint.is_some() {
                bail!(
                    "suggest writes its set into the embedded store, not --endpoint: add --dry-run to only rank, or suggest here and `crosswalk push --endpoint URL`"
                )
            } else {
                crosswalk::search::suggest::suggest(&cli.open(true)?, req)?
            };
            answers::suggested(&mut out, &found, *format)?
        }
        Cmd::Map {
            req,
            out: Out { format },
        } => answers::map(
            &mut out,
            &req.id,
            &req.answer(&*read()?)?,
            *format,
            req.explain,
        )?,
        Cmd::Coverage {
            req,
            out: Out { format },
        } => answers::coverage(&mut out, &req.answer(&*read()?)?, *format, false)?,
        Cmd::Gaps {
            req,
            out: Out { format },
        } => answers::coverage(&mut out, &req.answer(&*read()?)?, *format, true)?,
        Cmd::Path {
            req,
            out: Out { format },
        } => answers::path(
            &mut out,
            &req.from,
            &req.to,
            &req.answer(&*read()?)?,
            *format,
        )?,
        Cmd::Diff {
            req,
            out: Out { format },
        } => {
            // On the command line a `--doc` may be an OSCAL catalog file.
            let req = crosswalk::answer::DiffRequest {
                files: true,
                ..req.clone()
            };
            answers::any_diff(&mut out, &req.run(&*read()?)?, *format)?
        }
        Cmd::Serve(a) if cli.endpoint.is_some() => {
            serve::serve_remote(a, cli.remote()?.context("--endpoint")?)?
        }
        Cmd::Serve(a) => {
            let db = if cli.memory {
                cli.local("serve")?
            } else {
                serve::open_store(&cli.store_path()?, &cli.sources_dir(), a.writable())?
            };
            serve::serve(db, a)?;
        }
        Cmd::Check { req, format } => {
            let (findings, failed) = match cli.remote()? {
                Some(r) => req.answer_on(&r)?,
                None => req.answer(&cli.open(false)?, cli.memory)?,
            };
            out.write_all(render::check::render(&findings, *format)?.as_bytes())?;
            out.flush()?;
            return Ok(if failed { 1 } else { 0 });
        }
        Cmd::Validate { data } => {
            let db = match data {
                Some(f) => Db::from_file(f)?,
                None => cli.local("validate")?,
            };
            render::report::shacl(&mut out, &answer::shacl::validate(&db)?)?;
        }
        Cmd::Export {
            format,
            set,
            document,
        } => out.write_all(&{
            let on = read()?;
            answer::export::export(
                &*on,
                on.local(),
                *format,
                set.as_deref(),
                document.as_deref(),
            )?
        })?,
        Cmd::Push { .. } => push::run(&mut out, cli)?,
        Cmd::Sources => {
            render::report::sources(&mut out, &Manifest::builtin()?, &cli.sources_dir())?
        }
        Cmd::Queries => render::report::queries(&mut out, query::library())?,
        Cmd::Completions { shell } => {
            clap_complete::generate(*shell, &mut Cli::command(), "crosswalk", &mut out)
        }
        Cmd::Man => clap_mangen::Man::new(Cli::command())
            .render(&mut out)
            .context("rendering the manual page")?,
    }
    Ok(0)
}
