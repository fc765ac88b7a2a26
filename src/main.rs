//! The `crosswalk` command line: a thin layer over the library (parse arguments, open the
//! store, call one library function, print).
use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use crosswalk::fetch::{Fetched, Fetcher, Progress};
use crosswalk::load::{self, Event};
use crosswalk::output::{self, Format};
use crosswalk::query;
use crosswalk::sources::Manifest;
use crosswalk::store::{self, Db};
use indicatif::{ProgressBar, ProgressStyle};
use oxigraph::io::RdfFormat;
use oxigraph::sparql::QueryResults;
use oxigraph::sparql::results::{QueryResultsFormat, QueryResultsSerializer};
use std::io::Write;
use std::path::PathBuf;

const EXAMPLES: &str = "\
Examples:
  crosswalk load --sources ../shared/sources        load every source found there
  crosswalk show 'AC-2(1)'                           an element card (ac-02.01, \"AC-2 (1)\" work too)
  crosswalk show gv.sc-07
  crosswalk stats                                    per-document counts
  crosswalk query documents                          a named query from queries/
  crosswalk query element --param key=RA-4 --format json
  crosswalk query 'SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }'
  crosswalk query @my-query.rq --format sparql-json
  crosswalk fetch                                    download every source into the cache";

#[derive(Parser)]
#[command(name = "crosswalk", version, about = "A knowledge graph of NIST security and AI framework crosswalks", after_help = EXAMPLES)]
struct Cli {
    /// On-disk store (RocksDB directory). Default: $XDG_DATA_HOME/crosswalk/store.
    #[arg(long, global = true, env = "CROSSWALK_STORE")]
    store: Option<PathBuf>,
    /// Use a fresh in-memory store; every source found in --sources is loaded first.
    #[arg(long, global = true)]
    memory: bool,
    /// Sources directory (the download cache layout).
    #[arg(long, global = true, env = "CROSSWALK_SOURCES")]
    sources: Option<PathBuf>,
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Download sources into the sources directory and verify their sha256.
    #[command(after_help = "Example:\n  crosswalk fetch csf-2.0 sp800-53r5-5.2.0 --sources ~/.cache/crosswalk")]
    Fetch {
        /// Source ids (default: all); see `crosswalk sources`.
        ids: Vec<String>,
        /// Download from this origin instead of each URL's own (mirrors, tests).
        #[arg(long, hide = true)]
        base_url: Option<String>,
        /// Connect timeout in seconds.
        #[arg(long, default_value_t = 10)]
        timeout: u64,
    },
    /// Load sources into the store (each replaces its own named graph atomically).
    #[command(after_help = "Example:\n  crosswalk load --sources ../shared/sources\n  crosswalk load csf-2.0")]
    Load {
        /// Source ids (default: all found).
        ids: Vec<String>,
    },
    /// Run SPARQL: query text, @file.rq, or the name of a query in queries/.
    #[command(after_help = "Examples:\n  crosswalk query documents\n  crosswalk query element --param key=GV.OC-01\n  crosswalk query 'ASK { ?s ?p ?o }' --format sparql-json")]
    Query {
        query: String,
        /// name=value for a named query's parameters.
        #[arg(long = "param", short = 'p', value_parser = parse_kv)]
        params: Vec<(String, String)>,
        /// table|csv|tsv|json|sparql-json|sparql-xml for SELECT/ASK; turtle|ntriples|nquads for CONSTRUCT/DESCRIBE.
        #[arg(long, short = 'f', default_value = "table")]
        format: String,
    },
    /// Show an element card.
    #[command(after_help = "Examples:\n  crosswalk show 'AC-2(1)'\n  crosswalk show ra-4\n  crosswalk show GV.OC-01 --format json")]
    Show {
        id: String,
        #[arg(long, short = 'f', value_enum, default_value = "table")]
        format: Format,
    },
    /// Per-document counts: elements by kind, withdrawn, triples per graph.
    Stats {
        #[arg(long, short = 'f', value_enum, default_value = "table")]
        format: Format,
    },
    /// List the sources the manifest knows and whether they are in the sources directory.
    Sources,
    /// List the named queries.
    Queries,
}

fn parse_kv(s: &str) -> Result<(String, String), String> {
    s.split_once('=')
        .map(|(k, v)| (k.trim().to_owned(), v.to_owned()))
        .ok_or_else(|| format!("expected name=value, got `{s}`"))
}

fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_env("CROSSWALK_LOG"))
        .with_writer(std::io::stderr)
        .init();
    if let Err(e) = run(Cli::parse()) {
        eprintln!("error: {e:#}");
        std::process::exit(2);
    }
}

fn sources_dir(cli: &Cli) -> PathBuf {
    cli.sources.clone().unwrap_or_else(|| {
        std::env::var_os("XDG_CACHE_HOME")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
            .unwrap_or_else(|| PathBuf::from("."))
            .join("crosswalk/sources")
    })
}

fn open(cli: &Cli) -> Result<Db> {
    if cli.memory {
        let db = Db::memory()?;
        let manifest = Manifest::builtin()?;
        let report = load::load(&db, &manifest, &sources_dir(cli), &[], &mut |_| {})?;
        for (id, _, w) in report.loaded() {
            for w in w {
                tracing::info!("{id}: {w}");
            }
        }
        return Ok(db);
    }
    let path = cli.store.clone().unwrap_or_else(store::default_location);
    Db::open(&path).with_context(|| format!("opening store {}", path.display()))
}

struct Bar(Option<ProgressBar>);
impl Progress for Bar {
    fn start(&mut self, file: &str, total: Option<u64>) {
        let pb = ProgressBar::new(total.unwrap_or(0));
        pb.set_style(
            ProgressStyle::with_template("{msg} {bar:40} {bytes}/{total_bytes}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        pb.set_message(file.to_owned());
        self.0 = Some(pb);
    }
    fn advance(&mut self, n: u64) {
        if let Some(pb) = &self.0 {
            pb.inc(n);
        }
    }
    fn finish(&mut self) {
        if let Some(pb) = self.0.take() {
            pb.finish_and_clear();
        }
    }
}

fn run(cli: Cli) -> Result<()> {
    let manifest = Manifest::builtin()?;
    let mut out = std::io::stdout().lock();
    match &cli.cmd {
        Cmd::Fetch { ids, base_url, timeout } => {
            let dir = sources_dir(&cli);
            let mut f = Fetcher::new(std::time::Duration::from_secs(*timeout));
            f.base_override = base_url.clone();
            let mut failed = 0;
            for s in manifest.select(ids)? {
                match f.fetch(s, &dir, &mut Bar(None)) {
                    Ok(files) => {
                        for r in files {
                            match r {
                                Fetched::Downloaded { path, bytes, sha256 } => writeln!(out, "{}: downloaded {} ({bytes} bytes, sha256 {sha256})", s.id, path.display())?,
                                Fetched::Cached { path } => writeln!(out, "{}: up to date {}", s.id, path.display())?,
                            }
                        }
                    }
                    Err(e) => {
                        failed += 1;
                        eprintln!("{}: {e}", s.id);
                    }
                }
            }
            if failed > 0 {
                bail!("{failed} source(s) could not be fetched");
            }
        }
        Cmd::Load { ids } => {
            let db = open(&cli)?;
            let dir = sources_dir(&cli);
            let pb = ProgressBar::new(0);
            pb.set_style(ProgressStyle::with_template("{bar:30} {pos}/{len} {msg}").unwrap_or_else(|_| ProgressStyle::default_bar()));
            let started = std::time::Instant::now();
            let report = load::load(&db, &manifest, &dir, ids, &mut |e| match e {
                Event::Start { total } => pb.set_length(total as u64),
                Event::Source { id } => {
                    pb.set_message(id.to_owned());
                    pb.inc(1);
                }
                Event::Done => pb.finish_and_clear(),
            })?;
            for (id, n, warnings) in report.loaded() {
                writeln!(out, "loaded  {id:<28} {n:>7} triples")?;
                for w in warnings {
                    writeln!(out, "  warning: {w}")?;
                }
            }
            for (id, file) in report.missing() {
                writeln!(out, "missing {id:<28} {} (run `crosswalk fetch {id}`)", file.display())?;
            }
            writeln!(out, "{} quads in the store, {:.2?}", db.len()?, started.elapsed())?;
        }
        Cmd::Query { query, params, format } => {
            let db = open(&cli)?;
            let (text, bindings) = if let Some(file) = query.strip_prefix('@') {
                (std::fs::read_to_string(file).with_context(|| format!("reading {file}"))?, Vec::new())
            } else if query.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
                let q = query::named(query)?;
                let b = q.bind(params)?;
                (q.text.to_owned(), b)
            } else {
                (query.clone(), Vec::new())
            };
            let refs: Vec<(&str, oxigraph::model::Term)> = bindings.iter().map(|(k, t)| (k.as_str(), t.clone())).collect();
            print_results(&mut out, db.run(&text, &refs)?, format)?;
        }
        Cmd::Show { id, format } => {
            let db = open(&cli)?;
            let cards = crosswalk::card::cards(&db, id)?;
            match format {
                Format::Json => writeln!(out, "{}", serde_json::to_string_pretty(&cards)?)?,
                _ => {
                    for c in cards {
                        writeln!(out, "{c}")?;
                    }
                }
            }
        }
        Cmd::Stats { format } => {
            let db = open(&cli)?;
            let s = query::named("stats-elements")?.run(&db, &[])?;
            write!(out, "{}", output::render(&s, *format))?;
            if *format == Format::Table {
                writeln!(out, "\nnamed graphs:")?;
                for (g, n) in db.graph_sizes()? {
                    writeln!(out, "  {:<70} {n:>8} triples", g.as_str())?;
                }
                writeln!(out, "  total {:>75}", db.len()?)?;
            }
        }
        Cmd::Sources => {
            let dir = sources_dir(&cli);
            for s in &manifest.source {
                let here = if s.locate(&dir).is_ok() { "present" } else { "missing" };
                writeln!(out, "{:<28} {here:<8} {:<16} {}", s.id, s.importer, s.description)?;
            }
        }
        Cmd::Queries => {
            for q in query::library() {
                writeln!(out, "{:<28} {}", q.name, q.question)?;
                for p in &q.params {
                    writeln!(out, "    --param {}=<{}>  {}", p.name, p.kind, p.doc)?;
                }
            }
        }
    }
    Ok(())
}

fn print_results(out: &mut dyn Write, results: QueryResults<'static>, format: &str) -> Result<()> {
    match results {
        QueryResults::Solutions(sols) => {
            let rf = match format {
                "sparql-json" => Some(QueryResultsFormat::Json),
                "sparql-xml" => Some(QueryResultsFormat::Xml),
                _ => None,
            };
            if let Some(rf) = rf {
                let mut w = QueryResultsSerializer::from_format(rf).serialize_solutions_to_writer(out, sols.variables().to_vec())?;
                for s in sols {
                    w.serialize(&s?)?;
                }
                w.finish()?;
                return Ok(());
            }
            let f = match format {
                "table" => Format::Table,
                "csv" => Format::Csv,
                "tsv" => Format::Tsv,
                "json" => Format::Json,
                other => bail!("unknown format `{other}` for SELECT results (table, csv, tsv, json, sparql-json, sparql-xml)"),
            };
            let vars: Vec<String> = sols.variables().iter().map(|v| v.as_str().to_owned()).collect();
            let mut rows = Vec::new();
            for s in sols {
                let s = s?;
                rows.push(vars.iter().map(|v| s.get(v.as_str()).cloned()).collect());
            }
            write!(out, "{}", output::render(&query::Solutions { vars, rows }, f))?;
        }
        QueryResults::Boolean(b) => match format {
            "sparql-json" => QueryResultsSerializer::from_format(QueryResultsFormat::Json).serialize_boolean_to_writer(out, b).map(|_| ())?,
            "sparql-xml" => QueryResultsSerializer::from_format(QueryResultsFormat::Xml).serialize_boolean_to_writer(out, b).map(|_| ())?,
            _ => writeln!(out, "{b}")?,
        },
        QueryResults::Graph(triples) => {
            let rf = match format {
                "turtle" | "ttl" | "table" => RdfFormat::Turtle,
                "ntriples" | "nt" => RdfFormat::NTriples,
                "nquads" | "nq" => RdfFormat::NQuads,
                other => bail!("unknown format `{other}` for graph results (turtle, ntriples, nquads)"),
            };
            let mut ser = oxigraph::io::RdfSerializer::from_format(rf);
            for (p, iri) in crosswalk::vocab::PREFIXES {
                ser = ser.with_prefix(*p, *iri)?;
            }
            let mut w = ser.for_writer(out);
            for t in triples {
                w.serialize_triple(&t?)?;
            }
            w.finish()?;
        }
    }
    Ok(())
}
