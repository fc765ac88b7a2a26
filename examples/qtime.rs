//! Times query files against an in-memory store loaded from the sources (a tool for shaping
//! queries before they get a criterion benchmark):
//! `cargo run --example qtime -- ../shared/sources a.rq b.rq` (median of 20 runs each, after
//! one warm-up; a `# bind: name=value` line binds parameters as the named-query layer does;
//! `QTIME_EXPLAIN=1` prints Oxigraph's plan with statistics).
use crosswalk::query::{Sparql, bind_value};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
use crosswalk::source::manifest::Manifest;
use crosswalk::store::Db;
use std::time::{Duration, Instant};

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let dir = args
        .next()
        .ok_or_else(|| anyhow::anyhow!("usage: qtime SOURCES_DIR QUERY.rq…"))?;
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    // QTIME_STORE=DIR times against an on-disk store already loaded there instead.
    let db = match std::env::var_os("QTIME_STORE") {
        Some(p) => Db::open(p.as_ref())?,
        None => Db::memory()?,
    };
    let started = Instant::now();
    if db.location().is_none() {
        let r = crosswalk::load::load(&db, &Manifest::builtin()?, dir.as_ref(), &[], &mut |_| {})?;
        let sent: usize = r.loaded().map(|(_, n, _)| n).sum::<usize>() + r.inferred.triples;
        eprintln!(
            "{sent} quads handed to the store ({} inferred)",
            r.inferred.triples
        );
    }
    eprintln!("loaded {} quads in {:.2?}", db.len()?, started.elapsed());
    // QTIME_LOADS=N loads N more times into fresh stores in this process (as a benchmark does).
    let loads: usize = std::env::var("QTIME_LOADS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(0);
    for _ in 0..loads {
        let fresh = Db::memory()?;
        let t = Instant::now();
        crosswalk::load::load(
            &fresh,
            &Manifest::builtin()?,
            dir.as_ref(),
            &[],
            &mut |_| {},
        )?;
        eprintln!("reloaded in {:.2?}", t.elapsed());
    }
    if std::env::var_os("QTIME_WRITE").is_some() {
        // The store's write floor: the loaded quads written again into a fresh memory store.
        let quads: Vec<oxigraph::model::Quad> = db.inner().iter().collect::<Result<_, _>>()?;
        for _ in 0..3 {
            let fresh = oxigraph::store::Store::new()?;
            let t = Instant::now();
            let mut tx = fresh.start_transaction()?;
            tx.extend(quads.iter());
            tx.commit()?;
            let e = t.elapsed();
            eprintln!(
                "write {} quads: {:.3?} ({:.2} µs/quad)",
                quads.len(),
                e,
                e.as_secs_f64() * 1e6 / quads.len() as f64
            );
            std::mem::forget(fresh);
        }
    }
    if std::env::var_os("QTIME_REINFER").is_some() {
        // What an accepted SPARQL Update costs on top of the update itself.
        let t = Instant::now();
        crosswalk::load::infer::materialise(&db)?;
        eprintln!("re-inferred in {:.2?}", t.elapsed());
    }
    for file in args {
        let text = std::fs::read_to_string(&file)?;
        let mut binds = Vec::new();
        for l in text.lines() {
            if let Some(b) = l.strip_prefix("# bind:") {
                for kv in b.split_whitespace() {
                    if let Some((k, v)) = kv.split_once('=') {
                        let (k, kind) = k.split_once(':').unwrap_or((k, "string"));
                        let kind = match kind {
                            "notation" => crosswalk::query::Kind::ElementKey,
                            "iri" => crosswalk::query::Kind::Iri,
                            "integer" => crosswalk::query::Kind::Integer,
                            _ => crosswalk::query::Kind::String,
                        };
                        binds.push((k.to_owned(), bind_value(kind, v)?));
                    }
                }
            }
        }
        let refs: Vec<(&str, _)> = binds.iter().map(|(k, t)| (k.as_str(), t.clone())).collect();
        let rows = db.select(&text, &refs)?.rows.len();
        let runs: usize = std::env::var("QTIME_RUNS")
            .ok()
            .and_then(|r| r.parse().ok())
            .unwrap_or(20);
        let mut times: Vec<Duration> = (0..runs.max(1))
            .map(|_| {
                let t = Instant::now();
                let _ = db.select(&text, &refs);
                t.elapsed()
            })
            .collect();
        times.sort();
        if std::env::var_os("QTIME_PARSE").is_some() {
            // Parsing alone (the text with its VALUES block), to see what a cached parse would save.
            let text = crosswalk::model::sparql_text::with_values(&text, &refs)?;
            let t = Instant::now();
            for _ in 0..runs {
                let _ = oxigraph::sparql::SparqlEvaluator::new().parse_query(&text)?;
            }
            eprintln!("parse: {:.3?} per query", t.elapsed() / runs as u32);
        }
        if std::env::var_os("QTIME_EXPLAIN").is_some() {
            // Oxigraph's plan with per-node statistics, to see which join order it chose.
            let text = crosswalk::model::sparql_text::with_values(&text, &refs)?;
            let mut q = oxigraph::sparql::SparqlEvaluator::new().parse_query(&text)?;
            q.dataset_mut().set_default_graph_as_union();
            let (res, explanation) = q.on_store(db.inner()).compute_statistics().explain();
            if let Ok(oxigraph::sparql::QueryResults::Solutions(s)) = res {
                for _ in s {}
            }
            let mut out = Vec::new();
            explanation.write_in_json(&mut out)?;
            eprintln!("{}", String::from_utf8_lossy(&out));
        }
        println!(
            "{file}: {rows} rows, median {:.3?}, min {:.3?}",
            times[times.len() / 2],
            times[0]
        );
    }
    Ok(())
}
