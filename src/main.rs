//! The `crosswalk` command line: a thin layer over the library (parse arguments, open the
//! store, call one library function, print).
use anyhow::{Context, Result, bail};
use clap::{CommandFactory, Parser, Subcommand};
use crosswalk::load::{self, Event};
use crosswalk::render::{self, CheckFormat, ExportFormat, Format, QueryFormat};
use crosswalk::source::fetch::{Fetched, Fetcher, Progress};
use crosswalk::source::manifest::Manifest;
use crosswalk::store::{self, Db};
use crosswalk::{answer, query};
use indicatif::{ProgressBar, ProgressStyle};
use oxigraph::io::RdfFormat;
use oxigraph::sparql::QueryResults;
use oxigraph::sparql::results::{QueryResultsFormat, QueryResultsSerializer};
use std::io::Write;
use std::path::PathBuf;

// Loading builds ~0.7M quads of short strings: mimalloc measured faster than the system
// allocator for it (BENCHMARKS.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
    #[command(
        after_help = "Example:\n  crosswalk fetch csf-2.0 sp800-53r5-5.2.0 --sources ~/.cache/crosswalk"
    )]
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
    /// Load sources into the store: import all, infer, then replace their named graphs in one
    /// write (a graph whose content is unchanged is left as it was). Bad input writes nothing.
    #[command(
        after_help = "Examples:\n  crosswalk load --sources ../shared/sources\n  crosswalk load csf-2.0\n  crosswalk load --mapping my-crosswalk.sssom.tsv --set-name mine"
    )]
    Load {
        /// Source ids (default: all found).
        ids: Vec<String>,
        /// With --mapping: load only these mapping files (into the store as it is).
        #[command(flatten)]
        user: UserSetArgs,
    },
    /// Run SPARQL: query text, @file.rq, `-` (standard input), or the name of a query in
    /// queries/.
    #[command(
        after_help = "Examples:\n  crosswalk query documents\n  crosswalk query element --param key=GV.OC-01\n  crosswalk query 'ASK { ?s ?p ?o }' --format sparql-json"
    )]
    Query {
        query: String,
        /// name=value for a named query's parameters.
        #[arg(long = "param", short = 'p', value_parser = parse_kv)]
        params: Vec<(String, String)>,
        /// SELECT/ASK: table, csv, tsv, json, sparql-json, sparql-xml; CONSTRUCT/DESCRIBE:
        /// table (Turtle), turtle, ntriples, nquads. Media types work too (text/csv).
        #[arg(
            long,
            short = 'f',
            value_enum,
            ignore_case = true,
            default_value = "table"
        )]
        format: QueryFormat,
    },
    /// Show an element card.
    #[command(
        after_help = "Examples:\n  crosswalk show 'AC-2(1)'\n  crosswalk show ra-4\n  crosswalk show GV.OC-01 --format json"
    )]
    Show {
        id: String,
        #[command(flatten)]
        out: Out,
    },
    /// Per-document counts: elements by kind, withdrawn, triples per graph.
    Stats {
        #[command(flatten)]
        out: Out,
        /// Also each graph's RDFC-1.0 canonical digest (same digest = same content; ~10 s on
        /// the full store).
        #[arg(long)]
        digest: bool,
    },
    /// Everything an element maps to, grouped by mapping set.
    #[command(
        after_help = "Examples:\n  crosswalk map GV.SC-07 --to sp800-53 --set olir-186\n  crosswalk map RA-3 --to csf --explain\n  crosswalk map ID.AM-06 --format json"
    )]
    Map {
        id: String,
        /// Only elements of this scheme on the other side (csf, sp800-53, ai-rmf, mitre-atlas, …).
        #[arg(long)]
        to: Option<String>,
        /// Only mappings from this mapping set (its scheme; see `crosswalk query mapping-sets`).
        #[arg(long)]
        set: Option<String>,
        /// Show how each answer was reached (direct, inverse, path), with every hop's mapping set.
        #[arg(long)]
        explain: bool,
        /// Also what the element reaches by parent/child roll-up of its mappings (a mapping to
        /// AC-2(1) reaches AC-2; a family-level mapping to CP reaches every active CP control).
        #[arg(long)]
        rollup: bool,
        #[command(flatten)]
        out: Out,
    },
    /// Which focal elements are covered by a target scheme (optionally within a baseline).
    #[command(
        after_help = "Examples:\n  crosswalk coverage --from csf --to sp800-53 --baseline MODERATE\n  crosswalk coverage --from csf --to sp800-53 --baseline LOW --profile cyber-ai --focus secure --priority 1"
    )]
    Coverage(CoverageArgs),
    /// The uncovered part of `coverage`, as a work list.
    #[command(
        after_help = "Example:\n  crosswalk gaps --from csf --to sp800-53 --baseline LOW --format csv"
    )]
    Gaps(CoverageArgs),
    /// How two elements connect (shortest path through mappings and the hierarchy).
    #[command(after_help = "Example:\n  crosswalk path ID.AM-06 SR-6")]
    Path {
        from: String,
        to: String,
        #[arg(long, default_value_t = 4)]
        max_hops: usize,
        #[command(flatten)]
        out: Out,
    },
    /// Serve the store over HTTP: SPARQL 1.1 Protocol at /sparql, a JSON API under /api/v1
    /// (OpenAPI at /api/v1/openapi.json) and a browser page at /. Read-only unless update
    /// tokens are given.
    #[command(
        after_help = "Examples:\n  crosswalk serve\n  crosswalk serve --bind 0.0.0.0:7878 --cors --timeout 30\n  curl -H 'Accept: text/csv' --data-urlencode 'query=ASK {?s ?p ?o}' http://127.0.0.1:7878/sparql"
    )]
    Serve(ServeArgs),
    /// Check mapping sets for consistency (dangling and withdrawn references, coarse targets,
    /// duplicates, contradictions, missing rationales, inverse disagreements, subset cycles,
    /// drafts, unmapped focal elements). Exit status 1 on any error (or warning with
    /// `--deny warnings`): usable in CI.
    #[command(
        after_help = "Examples:\n  crosswalk check --set olir-186\n  crosswalk --memory check --mapping my-set.sssom.tsv --format sarif > check.sarif\n  crosswalk check --mapping map.csv --focal csf --reference sp800-53 --deny warnings"
    )]
    Check(CheckArgs),
    /// Export the graph (nq, trig, ttl, nt, jsonld, rdfxml) or one mapping set (sssom, csv,
    /// oscal-mapping).
    #[command(
        after_help = "Examples:\n  crosswalk export --format sssom --set olir-186 > olir.sssom.tsv\n  crosswalk export --format trig > all.trig\n  crosswalk export --format ttl --document csf > csf.ttl"
    )]
    Export {
        /// RDF (nq, trig, ttl, nt, jsonld, rdfxml) or one mapping set (sssom, csv,
        /// oscal-mapping). Media types work too (application/n-quads).
        #[arg(long, short = 'f', value_enum, ignore_case = true)]
        format: ExportFormat,
        /// A mapping set, by scheme (required for sssom and csv; for RDF: that set's graph).
        #[arg(long)]
        set: Option<String>,
        /// A document by scheme (e.g. csf, sp800-53): only the graph it was loaded into.
        #[arg(long)]
        document: Option<String>,
    },
    /// SHACL results for the store, or for an N-Triples/Turtle file, in the JSON shape of
    /// tests/shacl_crosscheck.py (pyshacl), for cross-checking.
    #[command(after_help = "Example:\n  crosswalk validate --data tests/fixtures/shacl/bad.nt")]
    Validate {
        /// Validate this RDF file (.nt, .ttl, .nq) instead of the store.
        #[arg(long)]
        data: Option<PathBuf>,
    },
    /// List the sources the manifest knows and whether they are in the sources directory.
    Sources,
    /// List the named queries.
    Queries,
    /// Print a shell completion script: `crosswalk completions bash > /etc/bash_completion.d/crosswalk`.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff): `crosswalk man | man -l -`.
    Man,
}

#[derive(clap::Args)]
struct CheckArgs {
    /// Mapping sets already in the store, by scheme (see `crosswalk stats`).
    #[arg(long = "set")]
    sets: Vec<String>,
    #[command(flatten)]
    user: UserSetArgs,
    /// text, json (schema: ontology/check-report.schema.json) or sarif (SARIF 2.1.0).
    #[arg(
        long,
        short = 'f',
        value_enum,
        ignore_case = true,
        default_value = "text"
    )]
    format: CheckFormat,
    /// `warnings`: warnings fail the check too.
    #[arg(long)]
    deny: Option<String>,
    /// Also validate the whole graph against the SHACL shapes (ontology/shapes.ttl), as CW012.
    #[arg(long)]
    shacl: bool,
}

/// A user's own mapping files (SSSOM TSV, OLIR-column CSV, OLIR XLSX).
#[derive(clap::Args, Clone)]
struct UserSetArgs {
    /// A mapping file to load next to the catalogs (repeatable): .sssom.tsv/.tsv (SSSOM),
    /// .csv (OLIR template columns), .xlsx (OLIR template workbook), .json (OSCAL 1.2
    /// mapping-collection); `-` reads one from standard input (format from its content).
    #[arg(long = "mapping")]
    mappings: Vec<PathBuf>,
    /// Name (scheme) of the set; default: the file name without extension.
    #[arg(long)]
    set_name: Option<String>,
    /// Focal scheme of the file's mappings (CSV/XLSX; SSSOM reads subject_source first).
    #[arg(long, default_value = "csf")]
    focal: String,
    /// Reference scheme of the file's mappings.
    #[arg(long, default_value = "sp800-53")]
    reference: String,
    /// Reference release to resolve against (default: the newest loaded).
    #[arg(long)]
    reference_version: Option<String>,
    /// Document status of the set: `draft` until someone vouches for it (`check` reports
    /// CW010 for drafts), `final` for a reviewed set.
    #[arg(long, value_enum, default_value_t = SetStatus::Draft)]
    set_status: SetStatus,
}

#[derive(clap::ValueEnum, Clone, Copy)]
enum SetStatus {
    Draft,
    Final,
}

#[derive(clap::Args)]
struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:7878")]
    bind: std::net::SocketAddr,
    /// Seconds one query may run before it is cancelled (503).
    #[arg(long, default_value_t = 10.0)]
    timeout: f64,
    /// Largest request body in bytes (413 above).
    #[arg(long, default_value_t = 1 << 20)]
    max_body: usize,
    /// Result rows (or triples) returned at most per query (cut rows: `Crosswalk-Truncated`).
    #[arg(long, default_value_t = 100_000)]
    max_rows: usize,
    /// Queries evaluated at once (more wait, within their timeout).
    #[arg(long, default_value_t = 8)]
    max_concurrent: usize,
    /// Of those, SPARQL queries sent to /sparql evaluated at once (default: the cores less
    /// one), so expensive ones never take every core from the JSON API's lookups.
    #[arg(long)]
    max_open_queries: Option<usize>,
    /// Send permissive CORS headers (any origin, no credentials).
    #[arg(long)]
    cors: bool,
    /// Accept SPARQL Update from clients presenting this bearer token (repeatable). Without
    /// one, every update is refused with 403. An update and the re-inference after it commit as one
    /// transaction.
    #[arg(
        long = "update-token",
        env = "CROSSWALK_UPDATE_TOKENS",
        value_delimiter = ','
    )]
    update_tokens: Vec<String>,
    /// Memory bound in MiB: when the process's resident memory goes above it, the running
    /// queries are cancelled (503 `too_large`). Default: half the machine's memory; 0: none.
    #[arg(long, value_name = "MiB")]
    max_memory: Option<u64>,
}

#[derive(clap::Args)]
struct CoverageArgs {
    /// Focal scheme (e.g. csf).
    #[arg(long)]
    from: String,
    /// Target scheme (e.g. sp800-53).
    #[arg(long)]
    to: String,
    /// Only mappings from this mapping set (its scheme, e.g. olir-186).
    #[arg(long)]
    set: Option<String>,
    /// Count only target elements selected by this baseline (LOW, MODERATE, HIGH, PRIVACY).
    #[arg(long)]
    baseline: Option<String>,
    /// Restrict the focal elements to a profile's selection (cyber-ai).
    #[arg(long, requires = "focus")]
    profile: Option<String>,
    /// Cyber AI Profile focus area: secure, defend or thwart.
    #[arg(long, requires = "profile")]
    focus: Option<String>,
    /// Also count elements reached by parent/child roll-up (family/category-level mappings
    /// cover the family's/category's members; enhancement mappings cover their control).
    #[arg(long)]
    rollup: bool,
    /// Cyber AI Profile priority: 1 High, 2 Moderate, 3 Foundational.
    #[arg(long, requires = "focus", value_parser = clap::value_parser!(u8).range(1..=3))]
    priority: Option<u8>,
    #[command(flatten)]
    out: Out,
}

/// `--format` of the commands that print an answer (table, csv, tsv, json).
#[derive(clap::Args)]
struct Out {
    #[arg(
        long,
        short = 'f',
        value_enum,
        ignore_case = true,
        default_value = "table"
    )]
    format: Format,
}

/// A CSV writer for `--format csv`, TSV for `--format tsv`.
fn delimited(format: Format) -> csv::Writer<Vec<u8>> {
    let sep = if format == Format::Tsv { b'\t' } else { b',' };
    csv::WriterBuilder::new()
        .delimiter(sep)
        .from_writer(Vec::new())
}

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
    if let Err(e) = run(cli) {
        // `crosswalk … | head` closes the pipe early: that is not an error.
        if e.chain().any(|c| {
            c.downcast_ref::<std::io::Error>()
                .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
        }) {
            std::process::exit(0);
        }
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

fn sources_dir(cli: &Cli) -> PathBuf {
    cli.sources.clone().unwrap_or_else(|| {
        std::env::var_os("XDG_CACHE_HOME")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
            .unwrap_or_else(|| PathBuf::from("."))
            .join("crosswalk/sources")
    })
}

/// What a command does to the store: readers open it read-only under a shared lock (any
/// number at once, never a write); writers take it alone (`crosswalk::store::lock`).
#[derive(Clone, Copy, PartialEq)]
enum Access {
    Read,
    Write,
}

/// The on-disk store's path: `--store`, else the default; a URL there is refused (a remote
/// SPARQL endpoint is not a directory: it would silently become one named `http:`).
fn store_path(cli: &Cli) -> Result<PathBuf> {
    let path = cli.store.clone().unwrap_or_else(store::default_location);
    let text = path.to_string_lossy();
    if text.contains("://") || text.starts_with("http:") || text.starts_with("https:") {
        return Err(crosswalk::Error::Invalid(format!(
            "--store takes a directory, not a URL (`{text}`): the embedded store lives on this \
             machine; a remote SPARQL endpoint is reached with the library's query::Remote (no \
             command-line option yet)"
        ))
        .into());
    }
    Ok(path)
}

fn open(cli: &Cli, access: Access) -> Result<Db> {
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
    let path = store_path(cli)?;
    Ok(match access {
        Access::Read => Db::open_read_only(&path)?,
        Access::Write => Db::open(&path)?,
    })
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
        Cmd::Fetch {
            ids,
            base_url,
            timeout,
        } => {
            let dir = sources_dir(&cli);
            let mut f = Fetcher::new(std::time::Duration::from_secs(*timeout));
            f.base_override = base_url.clone();
            let mut failed = 0;
            for s in manifest.select(ids)? {
                match f.fetch(s, &dir, &mut Bar(None)) {
                    Ok(files) => {
                        for r in files {
                            match r {
                                Fetched::Downloaded {
                                    path,
                                    bytes,
                                    sha256,
                                } => writeln!(
                                    out,
                                    "{}: downloaded {} ({bytes} bytes, sha256 {sha256})",
                                    s.id,
                                    path.display()
                                )?,
                                Fetched::Cached { path } => {
                                    writeln!(out, "{}: up to date {}", s.id, path.display())?
                                }
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
        Cmd::Load { user, .. } if !user.mappings.is_empty() => {
            let db = open(&cli, Access::Write)?;
            for (set, file) in load_user_sets(&db, user)? {
                writeln!(out, "loaded  {file} as mapping set {set}")?;
            }
            writeln!(out, "{} quads in the store", db.len()?)?;
        }
        Cmd::Load { ids, .. } => {
            let db = open(&cli, Access::Write)?;
            let dir = sources_dir(&cli);
            let pb = ProgressBar::new(0);
            pb.set_style(
                ProgressStyle::with_template("{bar:30} {pos}/{len} {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            let started = std::time::Instant::now();
            let report = load::load(&db, &manifest, &dir, ids, &mut |e| match e {
                Event::Start { total } => pb.set_length(total as u64),
                Event::Source { id } => {
                    pb.set_message(id.to_owned());
                    pb.inc(1);
                }
                Event::Write { quads } => pb.set_message(format!("writing {quads} quads")),
                Event::Done => pb.finish_and_clear(),
            })?;
            for (id, n, warnings) in report.loaded() {
                let what = if report.is_unchanged(id) {
                    "same   "
                } else {
                    "loaded "
                };
                writeln!(out, "{what} {id:<28} {n:>7} triples")?;
                for w in warnings {
                    writeln!(out, "  warning: {w}")?;
                }
            }
            for (id, file) in report.missing() {
                writeln!(
                    out,
                    "missing {id:<28} {} (run `crosswalk fetch {id}`)",
                    file.display()
                )?;
            }
            writeln!(
                out,
                "{} quads in the store, {:.2?}",
                db.len()?,
                started.elapsed()
            )?;
        }
        Cmd::Query {
            query,
            params,
            format,
        } => {
            let db = open(&cli, Access::Read)?;
            let named_query = query != "-"
                && query
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
            let (text, bindings) = if named_query {
                let b = query::named(query)?.bind_checked(&db, params)?;
                (b.text, b.bindings)
            } else {
                let text = if query == "-" {
                    let mut t = String::new();
                    std::io::Read::read_to_string(&mut std::io::stdin(), &mut t)
                        .context("reading the query from standard input")?;
                    t
                } else if let Some(file) = query.strip_prefix('@') {
                    std::fs::read_to_string(file).with_context(|| format!("reading {file}"))?
                } else {
                    query.clone()
                };
                if params.is_empty() {
                    (text, Vec::new())
                } else {
                    // A file's own `# param:` header lines declare what -p binds, as in
                    // queries/ (one query per process: leaking its text is fine).
                    let text: &'static str = Box::leak(text.into_boxed_str());
                    let b = query::from_text("the given query", text).bind_checked(&db, params)?;
                    (b.text, b.bindings)
                }
            };
            let refs: Vec<(&str, oxigraph::model::Term)> = bindings
                .iter()
                .map(|(k, t)| (k.as_str(), t.clone()))
                .collect();
            print_results(&mut out, db.run(&text, &refs)?, *format)?;
        }
        Cmd::Show {
            id,
            out: Out { format },
        } => {
            let db = open(&cli, Access::Read)?;
            use crosswalk::answer::card::Shown;
            let shown = crosswalk::answer::card::show(&db, id)?;
            match (format, shown) {
                (Format::Json, Shown::Cards(c)) => {
                    writeln!(out, "{}", serde_json::to_string_pretty(&c)?)?
                }
                (Format::Json, Shown::Dangling(d)) => {
                    writeln!(out, "{}", serde_json::to_string_pretty(&d)?)?
                }
                (_, Shown::Cards(cards)) => {
                    for c in cards {
                        writeln!(out, "{c}")?;
                    }
                }
                (_, Shown::Dangling(refs)) => {
                    writeln!(
                        out,
                        "{id}: not defined by any loaded document, but named by {} mapping(s):",
                        refs.len()
                    )?;
                    for r in refs {
                        let (a, b) = if r.side == "object" {
                            (r.other.as_str(), id.as_str())
                        } else {
                            (id.as_str(), r.other.as_str())
                        };
                        writeln!(
                            out,
                            "  [{}] {}, {}: {a} → {b} (kept)",
                            r.flag, r.set, r.location
                        )?;
                    }
                }
            }
        }
        Cmd::Stats {
            out: Out { format },
            digest,
        } => {
            let db = open(&cli, Access::Read)?;
            let s = query::named("stats-elements")?.run(&db, &[])?;
            write!(out, "{}", render::render(&s, *format))?;
            let sets = query::named("mapping-sets")?.run(&db, &[])?;
            write!(out, "\nmapping sets:\n{}", render::render(&sets, *format))?;
            if *format == Format::Table {
                if *digest {
                    writeln!(
                        out,
                        "\nnamed graphs (triples; RDFC-1.0 SHA-256 digest of the content, load provenance excluded):"
                    )?;
                } else {
                    writeln!(out, "\nnamed graphs:")?;
                }
                for (g, n) in db.graph_sizes()? {
                    let d = if *digest {
                        db.graph_digest(&g)?
                    } else {
                        String::new()
                    };
                    writeln!(out, "  {:<62} {n:>8}  {d}", g.as_str())?;
                }
                writeln!(out, "  total {:>75}", db.len()?)?;
            }
        }
        Cmd::Map {
            id,
            to,
            set,
            explain,
            rollup,
            out: Out { format },
        } => {
            let db = open(&cli, Access::Read)?;
            let answers =
                answer::map_with(&db, id, to.as_deref(), set.as_deref(), *explain, *rollup)?;
            if answers.is_empty() {
                // Distinguish "unknown id" from "no mappings".
                crosswalk::answer::card::cards(&db, id)?;
            }
            print_map(&mut out, id, &answers, *format, *explain)?;
        }
        Cmd::Coverage(a) | Cmd::Gaps(a) => {
            let gaps_only = matches!(cli.cmd, Cmd::Gaps(_));
            let db = open(&cli, Access::Read)?;
            let only = match (&a.profile, &a.focus) {
                (Some(p), Some(f)) => Some(answer::profile_selection(&db, p, f, a.priority)?),
                _ => None,
            };
            let cov = answer::coverage_with(
                &db,
                &a.from,
                &a.to,
                a.set.as_deref(),
                a.baseline.as_deref(),
                only.as_ref(),
                a.rollup,
            )?;
            print_coverage(&mut out, &cov, a.out.format, gaps_only)?;
        }
        Cmd::Path {
            from,
            to,
            max_hops,
            out: Out { format },
        } => {
            let db = open(&cli, Access::Read)?;
            match answer::path(&db, from, to, *max_hops)? {
                None => bail!("no path from {from} to {to} within {max_hops} hops"),
                Some(hops) => match format {
                    Format::Json => writeln!(out, "{}", serde_json::to_string_pretty(&hops)?)?,
                    Format::Csv | Format::Tsv => {
                        let mut w = delimited(*format);
                        w.write_record(["from", "edge", "to", "set"])?;
                        for h in &hops {
                            w.write_record([
                                h.from.as_str(),
                                h.edge.as_str(),
                                h.to.as_str(),
                                h.set.as_deref().unwrap_or(""),
                            ])?;
                        }
                        out.write_all(&w.into_inner()?)?;
                    }
                    Format::Table => {
                        writeln!(out, "{from} → {to}: {} hop(s)", hops.len())?;
                        for (i, h) in hops.iter().enumerate() {
                            writeln!(
                                out,
                                "  {}. {} —{}→ {}{}",
                                i + 1,
                                h.from,
                                h.edge,
                                h.to,
                                h.set
                                    .as_ref()
                                    .map(|s| format!("   [set: {s}]"))
                                    .unwrap_or_default()
                            )?;
                        }
                    }
                },
            }
        }
        Cmd::Serve(a) => serve(&cli, a)?,
        Cmd::Check(a) => check(&cli, a, &mut out)?,
        Cmd::Validate { data } => {
            let db = match data {
                Some(f) => {
                    let db = Db::memory()?;
                    let format = RdfFormat::from_extension(
                        f.extension().and_then(|e| e.to_str()).unwrap_or("nt"),
                    )
                    .unwrap_or(RdfFormat::NTriples);
                    let bytes =
                        std::fs::read(f).with_context(|| format!("reading {}", f.display()))?;
                    db.inner()
                        .load_from_slice(format, &bytes)
                        .with_context(|| format!("parsing {}", f.display()))?;
                    db
                }
                None => open(&cli, Access::Read)?,
            };
            let results = crosswalk::answer::shacl::validate(&db)?;
            writeln!(
                out,
                "{}",
                serde_json::to_string_pretty(&serde_json::json!({
                    "conforms": results.is_empty(),
                    "results": results,
                }))?
            )?;
        }
        Cmd::Export {
            format,
            set,
            document,
        } => {
            let db = open(&cli, Access::Read)?;
            let set_iri = set
                .as_deref()
                .map(|s| crosswalk::load::user_set::set_by_scheme(&db, s))
                .transpose()?;
            let rdf = |f: RdfFormat| -> Result<Vec<u8>> {
                let mut graphs = Vec::new();
                if let Some(s) = &set_iri {
                    graphs.push(crosswalk::answer::export::graph_of(&db, s)?);
                }
                if let Some(d) = document {
                    let doc = crosswalk::load::user_set::doc_by_scheme(&db, d)?;
                    graphs.push(crosswalk::answer::export::graph_of(&db, &doc)?);
                }
                Ok(crosswalk::answer::export::rdf(&db, &graphs, f)?)
            };
            let bytes = match format {
                ExportFormat::Nq => rdf(RdfFormat::NQuads)?,
                ExportFormat::Trig => rdf(RdfFormat::TriG)?,
                ExportFormat::Ttl => rdf(RdfFormat::Turtle)?,
                ExportFormat::Nt => rdf(RdfFormat::NTriples)?,
                ExportFormat::Rdfxml => rdf(RdfFormat::RdfXml)?,
                ExportFormat::Jsonld => rdf(RdfFormat::JsonLd {
                    profile: oxigraph::io::JsonLdProfileSet::empty(),
                })?,
                ExportFormat::OscalMapping => {
                    let Some(s) = &set_iri else {
                        bail!(crosswalk::Error::Invalid(
                            "--format oscal-mapping exports one mapping set: give --set SCHEME"
                                .into()
                        ));
                    };
                    let mut v = serde_json::to_vec_pretty(
                        &crosswalk::answer::export::oscal_mapping(&db, s)?,
                    )?;
                    v.push(b'\n');
                    v
                }
                ExportFormat::Sssom | ExportFormat::Csv => {
                    let Some(s) = &set_iri else {
                        bail!(crosswalk::Error::Invalid(format!(
                            "--format {} exports one mapping set: give --set SCHEME",
                            format_name(*format)
                        )));
                    };
                    if *format == ExportFormat::Sssom {
                        crosswalk::answer::export::sssom(&db, s)?.into_bytes()
                    } else {
                        crosswalk::answer::export::csv(&db, s)?.into_bytes()
                    }
                }
            };
            out.write_all(&bytes)?;
        }
        Cmd::Sources => {
            let dir = sources_dir(&cli);
            for s in &manifest.source {
                let here = if s.locate(&dir).is_ok() {
                    "present"
                } else {
                    "missing"
                };
                writeln!(
                    out,
                    "{:<28} {here:<8} {:<16} {}",
                    s.id, s.importer, s.description
                )?;
            }
        }
        Cmd::Completions { shell } => {
            clap_complete::generate(*shell, &mut Cli::command(), "crosswalk", &mut out);
        }
        Cmd::Man => {
            clap_mangen::Man::new(Cli::command()).render(&mut out)?;
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

fn print_map(
    out: &mut dyn Write,
    id: &str,
    answers: &[answer::MapAnswer],
    format: Format,
    explain: bool,
) -> Result<()> {
    match format {
        Format::Json => writeln!(out, "{}", serde_json::to_string_pretty(answers)?)?,
        Format::Csv | Format::Tsv => {
            let mut w = delimited(format);
            w.write_record([
                "element",
                "target",
                "scheme",
                "relationship",
                "status",
                "set",
                "how",
                "via",
                "flags",
                "mapping",
            ])?;
            for a in answers {
                w.write_record([
                    a.element.as_str(),
                    a.target.as_str(),
                    a.target_scheme.as_deref().unwrap_or(""),
                    a.relationship.as_str(),
                    a.status.as_str(),
                    a.set.as_str(),
                    a.how.as_str(),
                    a.via.as_deref().unwrap_or(""),
                    &a.flags.join("; "),
                    a.mapping.as_str(),
                ])?;
            }
            out.write_all(&w.into_inner()?)?;
        }
        Format::Table => {
            let mut current = None;
            for a in answers {
                if current != Some(&a.set) {
                    writeln!(out, "\n{}", a.set)?;
                    current = Some(&a.set);
                }
                let via = a
                    .via
                    .as_ref()
                    .map(|v| format!(" via {v}"))
                    .unwrap_or_default();
                let flags = if a.flags.is_empty() {
                    String::new()
                } else {
                    format!("  [{}]", a.flags.join(", "))
                };
                writeln!(
                    out,
                    "  {:<14} {:<16} {:<8} {}{via}{flags}  {}",
                    a.target,
                    a.relationship,
                    a.status,
                    a.how,
                    a.target_title.as_deref().unwrap_or("")
                )?;
                if explain {
                    for l in &a.explanation {
                        writeln!(out, "      {l}")?;
                    }
                }
            }
            writeln!(out, "\n{} answer(s) for {id}", answers.len())?;
        }
    }
    Ok(())
}

fn print_coverage(
    out: &mut dyn Write,
    cov: &answer::Coverage,
    format: Format,
    gaps_only: bool,
) -> Result<()> {
    let rows: Vec<&answer::CoverageRow> = cov
        .rows
        .iter()
        .filter(|r| !gaps_only || !r.covered)
        .collect();
    match format {
        Format::Json => {
            let mut v = serde_json::to_value(cov)?;
            if gaps_only {
                v["rows"] = serde_json::to_value(&rows)?;
            }
            writeln!(out, "{}", serde_json::to_string_pretty(&v)?)?;
        }
        Format::Csv | Format::Tsv => {
            let mut w = delimited(format);
            w.write_record(["focal", "covered", "covered_by", "mapped_outside_baseline"])?;
            for r in &rows {
                // `|` between ids: ISO/IEC ids contain spaces, and no loaded id contains `|`
                // (tested).
                w.write_record([
                    r.focal.as_str(),
                    if r.covered { "yes" } else { "no" },
                    &r.covered_by.join(crosswalk::render::LIST_SEPARATOR),
                    &r.mapped_outside_baseline
                        .join(crosswalk::render::LIST_SEPARATOR),
                ])?;
            }
            out.write_all(&w.into_inner()?)?;
        }
        Format::Table => {
            for r in &rows {
                let mark = if r.covered { "covered" } else { "GAP" };
                let outside = if r.mapped_outside_baseline.is_empty() {
                    String::new()
                } else {
                    format!(
                        "   (outside baseline: {})",
                        r.mapped_outside_baseline.join(" ")
                    )
                };
                writeln!(
                    out,
                    "  {:<10} {:<8} {}{outside}",
                    r.focal,
                    mark,
                    r.covered_by.join(" ")
                )?;
            }
            let scope = cov
                .baseline
                .as_ref()
                .map(|b| format!(" in the {b} baseline"))
                .unwrap_or_default();
            let set = cov
                .set
                .as_ref()
                .map(|s| format!(" (set {s})"))
                .unwrap_or_default();
            writeln!(
                out,
                "\n{} of {} {} elements covered by {}{scope}{set}: {:.1}%; {} not covered",
                cov.covered,
                cov.total,
                cov.from,
                cov.to,
                cov.percent,
                cov.total - cov.covered
            )?;
            for n in &cov.notes {
                writeln!(out, "note: {n}")?;
            }
        }
    }
    Ok(())
}

fn print_results(
    out: &mut dyn Write,
    results: QueryResults<'static>,
    format: QueryFormat,
) -> Result<()> {
    match results {
        QueryResults::Solutions(sols) => {
            let rf = match format {
                QueryFormat::SparqlJson => Some(QueryResultsFormat::Json),
                QueryFormat::SparqlXml => Some(QueryResultsFormat::Xml),
                _ => None,
            };
            if let Some(rf) = rf {
                let mut w = QueryResultsSerializer::from_format(rf)
                    .serialize_solutions_to_writer(out, sols.variables().to_vec())?;
                for s in sols {
                    w.serialize(&s?)?;
                }
                w.finish()?;
                return Ok(());
            }
            let f = match format {
                QueryFormat::Table => Format::Table,
                QueryFormat::Csv => Format::Csv,
                QueryFormat::Tsv => Format::Tsv,
                QueryFormat::Json => Format::Json,
                other => bail!(crosswalk::Error::Invalid(format!(
                    "--format {} is for CONSTRUCT/DESCRIBE results; SELECT gives table, csv, tsv, json, sparql-json or sparql-xml",
                    format_name(other)
                ))),
            };
            let vars: Vec<String> = sols
                .variables()
                .iter()
                .map(|v| v.as_str().to_owned())
                .collect();
            let mut rows = Vec::new();
            for s in sols {
                let s = s?;
                rows.push(vars.iter().map(|v| s.get(v.as_str()).cloned()).collect());
            }
            write!(
                out,
                "{}",
                render::render(&query::Solutions { vars, rows }, f)
            )?;
        }
        QueryResults::Boolean(b) => match format {
            QueryFormat::SparqlJson => {
                QueryResultsSerializer::from_format(QueryResultsFormat::Json)
                    .serialize_boolean_to_writer(out, b)
                    .map(|_| ())?
            }
            QueryFormat::SparqlXml => QueryResultsSerializer::from_format(QueryResultsFormat::Xml)
                .serialize_boolean_to_writer(out, b)
                .map(|_| ())?,
            _ => writeln!(out, "{b}")?,
        },
        QueryResults::Graph(triples) => {
            let rf = match format {
                QueryFormat::Turtle | QueryFormat::Table => RdfFormat::Turtle,
                QueryFormat::Ntriples => RdfFormat::NTriples,
                QueryFormat::Nquads => RdfFormat::NQuads,
                other => bail!(crosswalk::Error::Invalid(format!(
                    "--format {} is for SELECT/ASK results; CONSTRUCT/DESCRIBE give table, turtle, ntriples or nquads",
                    format_name(other)
                ))),
            };
            let mut w = crosswalk::model::vocab::rdf_serializer(rf).for_writer(out);
            for t in triples {
                w.serialize_triple(&t?)?;
            }
            w.finish()?;
        }
    }
    Ok(())
}

/// A value's name as `--format` spells it.
fn format_name(v: impl clap::ValueEnum) -> String {
    v.to_possible_value()
        .map(|p| p.get_name().to_owned())
        .unwrap_or_default()
}

/// `crosswalk serve`: opens (and, when empty, loads) the store, then serves until SIGINT/SIGTERM.
fn serve(cli: &Cli, a: &ServeArgs) -> Result<()> {
    let writable = a.update_tokens.iter().any(|t| !t.is_empty());
    let db = if cli.memory {
        open(cli, Access::Read)?
    } else {
        let path = store_path(cli)?;
        // A missing or empty store is filled from the sources directory first, as a writer
        // that lets go before serving; the server itself is a reader (a writer only with
        // update tokens, and then under a shared lock too: `load` stays out while it runs).
        let reader = if store::exists(&path) {
            Some(Db::open_read_only(&path)?)
        } else {
            None
        };
        let empty = match &reader {
            Some(db) => db.is_empty()?,
            None => true,
        };
        // The common case: a loaded store, served read-only by the handle just opened.
        if let (Some(db), false, false) = (&reader, empty, writable) {
            db.clone()
        } else {
            // Our own shared lock would keep the writer below out.
            drop(reader);
            serve_prepared(cli, &path, empty, writable)?
        }
    };
    if !(a.timeout > 0.0 && a.timeout.is_finite()) {
        bail!("--timeout must be a positive number of seconds");
    }
    let cfg = crosswalk::serve::Config {
        timeout: std::time::Duration::from_secs_f64(a.timeout),
        max_body: a.max_body,
        max_rows: a.max_rows,
        max_concurrent: a.max_concurrent,
        max_open_queries: a
            .max_open_queries
            .unwrap_or_else(crosswalk::serve::default_open_queries),
        cors: a.cors,
        update_tokens: a
            .update_tokens
            .iter()
            .filter(|t| !t.is_empty())
            .cloned()
            .collect(),
        max_memory: match a.max_memory {
            Some(0) => None,
            Some(mib) => Some(mib.saturating_mul(1 << 20)),
            None => crosswalk::serve::default_memory_bound(),
        },
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let served = rt.block_on(async {
        let listener = tokio::net::TcpListener::bind(a.bind)
            .await
            .with_context(|| format!("binding {}", a.bind))?;
        let addr = listener.local_addr()?;
        eprintln!(
            "crosswalk serving {} quads on http://{addr}/ (SPARQL: http://{addr}/sparql, API: http://{addr}/api/v1/openapi.json){}",
            db.len()?,
            if cfg.update_tokens.is_empty() { ", read-only" } else { ", updates with a token" }
        );
        let app = crosswalk::serve::router(db, cfg);
        crosswalk::serve::run(listener, app, crosswalk::serve::shutdown_signal())
            .await
            .context("serving")
    });
    // Dropping the runtime would wait for every blocking task; a query that has not reached
    // its next cancellation check (or an update, which rolls back unless committed) must not
    // keep the process alive past the grace period.
    rt.shutdown_timeout(std::time::Duration::from_secs(1));
    served
}

/// `serve`'s store when it must first be filled (empty or missing: loaded from the sources
/// directory, as a writer that lets go) or is served with update tokens.
fn serve_prepared(cli: &Cli, path: &std::path::Path, empty: bool, writable: bool) -> Result<Db> {
    if empty {
        let dir = sources_dir(cli);
        if dir.is_dir() {
            let db = Db::open(path)?;
            eprintln!(
                "the store is empty: loading the sources found in {}",
                dir.display()
            );
            let manifest = Manifest::builtin()?;
            let report = load::load(&db, &manifest, &dir, &[], &mut |_| {})?;
            eprintln!(
                "loaded {} source(s), {} quads",
                report.loaded().count(),
                db.len()?
            );
        } else {
            eprintln!(
                "warning: the store is empty and no sources were found in {}.\n  \
                 Load first: `crosswalk fetch && crosswalk load`, or point --sources (CROSSWALK_SOURCES) at a directory of the sources.",
                dir.display()
            );
            if !store::exists(path) {
                Db::open(path)?;
            }
        }
    }
    Ok(if writable {
        Db::open_shared_writer(path)?
    } else {
        Db::open_read_only(path)?
    })
}

/// Loads each user mapping file as its own set; returns (set IRI, file) pairs.
fn load_user_sets(db: &Db, u: &UserSetArgs) -> Result<Vec<(String, String)>> {
    // `-`: the mapping file comes on standard input; it is kept in a scratch file named by its
    // format (importers read files and choose by extension), removed when done.
    let mut scratch = None;
    let mut files = u.mappings.clone();
    for f in &mut files {
        if f.as_os_str() == "-" {
            if scratch.is_some() {
                bail!(crosswalk::Error::Invalid(
                    "--mapping - can be given once (standard input is one file)".into()
                ));
            }
            let (path, dir) = stdin_mapping(u.set_name.as_deref())?;
            *f = path;
            scratch = Some(dir);
        }
    }
    let result = load_user_files(db, u, &files);
    if let Some(dir) = scratch {
        let _ = std::fs::remove_dir_all(dir);
    }
    result
}

/// Standard input saved as `<set-name or stdin>.<ext>` in a fresh scratch directory; the
/// extension from the content: an XLSX workbook (a zip), OSCAL JSON, SSSOM TSV, else CSV.
fn stdin_mapping(name: Option<&str>) -> Result<(PathBuf, PathBuf)> {
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut std::io::stdin(), &mut bytes)
        .context("reading the mapping file from standard input")?;
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]).into_owned();
    let first = head
        .lines()
        .find(|l| !l.starts_with('#'))
        .unwrap_or_default();
    let ext = if bytes.starts_with(b"PK") {
        "xlsx"
    } else if head.trim_start().starts_with('{') {
        "json"
    } else if head.starts_with('#') || first.contains('\t') {
        "sssom.tsv"
    } else {
        "csv"
    };
    let dir = std::env::temp_dir().join(format!("crosswalk-stdin-{}", std::process::id()));
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let path = dir.join(format!("{}.{ext}", name.unwrap_or("stdin")));
    std::fs::write(&path, &bytes).with_context(|| format!("writing {}", path.display()))?;
    Ok((path, dir))
}

fn load_user_files(db: &Db, u: &UserSetArgs, files: &[PathBuf]) -> Result<Vec<(String, String)>> {
    let specs: Vec<crosswalk::load::user_set::Spec> = files
        .iter()
        .map(|f| crosswalk::load::user_set::Spec {
            file: f.clone(),
            name: if files.len() == 1 {
                u.set_name.clone()
            } else {
                None
            },
            focal: u.focal.clone(),
            reference: u.reference.clone(),
            reference_version: u.reference_version.clone(),
            status: match u.set_status {
                SetStatus::Draft => crosswalk::source::manifest::DocStatus::Draft,
                SetStatus::Final => crosswalk::source::manifest::DocStatus::Final,
            },
        })
        .collect();
    if specs.is_empty() {
        return Ok(Vec::new());
    }
    let loaded = crosswalk::load::user_set::load_all(db, &specs)?;
    let mut out = Vec::new();
    for ((set, warnings), f) in loaded.into_iter().zip(&u.mappings) {
        for w in warnings {
            tracing::info!("{w}");
        }
        out.push((set, f.display().to_string()));
    }
    Ok(out)
}

fn check(cli: &Cli, a: &CheckArgs, out: &mut dyn Write) -> Result<()> {
    // Checking never writes: a file given with --mapping is loaded into an in-memory copy of
    // the store (with --memory the store is already a throw-away one).
    let stored = open(cli, Access::Read)?;
    let db = if a.user.mappings.is_empty() || cli.memory {
        stored
    } else {
        stored.to_memory()?
    };
    let mut sets = load_user_sets(&db, &a.user)?;
    let everything = sets.is_empty() && a.sets.is_empty() && !a.shacl;
    let schemes: Vec<String> = if everything {
        // No argument: every asserted mapping set (not crosswalk's own inferred roll-ups).
        let inferred = crosswalk::model::ids::doc_iri("mapping/crosswalk-inference");
        crosswalk::query::names::Names::of(&db)?
            .sets()
            .iter()
            .filter(|s| s.iri.as_deref() != Some(inferred.as_str()))
            .map(|s| s.name.clone())
            .collect()
    } else {
        a.sets.clone()
    };
    for scheme in &schemes {
        let set = crosswalk::load::user_set::set_by_scheme(&db, scheme)?;
        // The file the store was loaded from, wherever the sources dir is now.
        let file = crosswalk::answer::check::source_file(&db, &set)?;
        sets.push((set, file.unwrap_or_default()));
    }
    if sets.is_empty() && !a.shacl {
        bail!("the store holds no mapping set to check (load one with `crosswalk load`)");
    }
    let deny = match a.deny.as_deref() {
        None => false,
        Some("warnings") => true,
        Some(other) => bail!("--deny takes `warnings`, not `{other}`"),
    };
    let mut findings = Vec::new();
    for (set, file) in &sets {
        let f = (!file.is_empty()).then_some(file.as_str());
        findings.extend(crosswalk::answer::check::check_set(&db, set, f)?);
    }
    if a.shacl {
        findings.extend(crosswalk::answer::check::shacl_findings(&db)?);
    }
    write!(
        out,
        "{}",
        crosswalk::render::check::render(&findings, a.format)?
    )?;
    out.flush()?;
    if crosswalk::answer::check::failed(&findings, deny) {
        std::process::exit(1);
    }
    Ok(())
}
