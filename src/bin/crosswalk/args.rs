//! The command line's arguments: every command and option (clap derive). Requests that the
//! HTTP API shares (`map`, `coverage`, `path`, `check`) are the library's own types.
use crate::parse_kv;
use anyhow::{Result, bail};
use clap::{Parser, Subcommand};
use crosswalk::answer::{CheckRequest, CoverageRequest, DiffRequest, MapRequest, PathRequest};
use crosswalk::load;
use crosswalk::load::user_set::UserFiles;
use crosswalk::query::{self, Remote, Sparql};
use crosswalk::render::{CheckFormat, ExportFormat, Format, QueryFormat};
use crosswalk::serve::ServeArgs;
use crosswalk::source::manifest::Manifest;
use crosswalk::store::{self, Db};
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
pub struct Cli {
    /// On-disk store (RocksDB directory). Default: $XDG_DATA_HOME/crosswalk/store.
    #[arg(long, global = true, env = "CROSSWALK_STORE")]
    pub store: Option<PathBuf>,
    /// Use a fresh in-memory store; every source found in --sources is loaded first.
    #[arg(long, global = true)]
    pub memory: bool,
    /// Answer from this SPARQL 1.1 Protocol endpoint (Virtuoso, Oxigraph server, another
    /// `crosswalk serve`'s /sparql…) instead of the embedded store: every read command runs the
    /// same named queries there. The graph gets there with `crosswalk push`.
    #[arg(long, global = true, env = "CROSSWALK_ENDPOINT")]
    pub endpoint: Option<String>,
    /// How to authenticate to --endpoint: basic (CROSSWALK_ENDPOINT_USER and
    /// CROSSWALK_ENDPOINT_PASSWORD) or bearer (CROSSWALK_ENDPOINT_TOKEN), read from the
    /// environment.
    #[arg(long, global = true, value_enum, env = "CROSSWALK_ENDPOINT_AUTH")]
    pub endpoint_auth: Option<query::Auth>,
    /// Sources directory (the download cache layout).
    #[arg(long, global = true, env = "CROSSWALK_SOURCES")]
    pub sources: Option<PathBuf>,
    /// Tables as wide as their content, with full IRIs (default: fit 100 columns, IRIs as
    /// `prefix:local`). Machine formats (csv, json) are always in full.
    #[arg(long, global = true)]
    pub wide: bool,
    #[command(subcommand)]
    pub cmd: Cmd,
}

#[derive(Subcommand)]
pub enum Cmd {
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
        after_help = "Examples:\n  crosswalk load --sources ../shared/sources\n  crosswalk load csf-2.0\n  crosswalk load --mapping my-crosswalk.sssom.tsv --set-name mine\n  crosswalk load --mapping olir.oscal.json --set-name olir-copy  # OSCAL mapping-collection"
    )]
    Load {
        /// Source ids (default: all found).
        ids: Vec<String>,
        /// With --mapping: load only these mapping files (into the store as it is).
        #[command(flatten)]
        user: UserFiles,
        /// Wait up to this many seconds for readers to let go of the store: `serve --follow`
        /// processes do, and re-open it with the new content when the load is done.
        #[arg(long, value_name = "SECONDS", default_value_t = 0)]
        wait: u64,
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
        /// Base IRI for relative IRIs in the query (`<s>`), as `BASE <…>` would declare; the
        /// HTTP endpoint's base is its own URL (or `serve --base`).
        #[arg(long, value_name = "IRI")]
        base: Option<String>,
        /// SELECT/ASK: table, csv, tsv, json, markdown, sparql-json, sparql-xml; CONSTRUCT/DESCRIBE:
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
        /// The short card: no profile, Playbook, GenAI, parameter or overlay text.
        #[arg(long)]
        brief: bool,
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
    /// Find elements by words: ranked (BM25) over titles, statements, guidance, the Playbook,
    /// profile considerations, GenAI actions and risks, overlay text.
    #[command(
        after_help = "Examples:\n  crosswalk search \"model poisoning\"\n  crosswalk search 'supply chain' --scheme sp800-53\n  crosswalk search 'poison*' --kind suggested-action --format json"
    )]
    Search {
        #[command(flatten)]
        req: crosswalk::answer::SearchRequest,
        #[command(flatten)]
        out: Out,
    },
    /// Candidate mappings from one scheme to another by lexical matching (BM25 over the
    /// elements' titles, statements, guidance, Playbook text and CSF implementation examples;
    /// an enhancement's match counts for its control), written as a mapping set of status
    /// `suggested`: each with a score, semapv:LexicalMatching, the features and words
    /// matched and the tool's version. They answer `map`/`coverage`/`gaps`/`path` only with
    /// `--include-suggested`; `export --format sssom --set NAME` is the sheet to review.
    #[command(
        after_help = "Examples:\n  crosswalk suggest --from ai-rmf --to csf\n  crosswalk suggest --from csf --to sp800-53 --top 10 --exclude-set olir-186\n  crosswalk map \"MEASURE 2.7\" --include-suggested"
    )]
    Suggest {
        #[command(flatten)]
        req: crosswalk::search::suggest::SuggestRequest,
        #[command(flatten)]
        out: Out,
    },
    /// Everything an element maps to, grouped by mapping set.
    #[command(
        after_help = "Examples:\n  crosswalk map GV.SC-07 --to sp800-53 --set olir-186\n  crosswalk map RA-3 --to csf --explain\n  crosswalk map ID.AM-06 --format json"
    )]
    Map {
        #[command(flatten)]
        req: MapRequest,
        #[command(flatten)]
        out: Out,
    },
    /// Which focal elements are covered by a target scheme (optionally within a baseline).
    #[command(
        after_help = "Examples:\n  crosswalk coverage --from csf --to sp800-53 --baseline MODERATE\n  crosswalk coverage --from csf --to sp800-53 --baseline LOW --profile cyber-ai --focus secure --priority 1"
    )]
    Coverage {
        #[command(flatten)]
        req: CoverageRequest,
        #[command(flatten)]
        out: Out,
    },
    /// The uncovered part of `coverage`, as a work list.
    #[command(
        after_help = "Example:\n  crosswalk gaps --from csf --to sp800-53 --baseline LOW --format csv"
    )]
    Gaps {
        #[command(flatten)]
        req: CoverageRequest,
        #[command(flatten)]
        out: Out,
    },
    /// How two elements connect (shortest path through mappings and the hierarchy).
    #[command(after_help = "Example:\n  crosswalk path ID.AM-06 SR-6")]
    Path {
        #[command(flatten)]
        req: PathRequest,
        #[command(flatten)]
        out: Out,
    },
    /// What changed between two mapping sets (pairs added, removed, relationship changed;
    /// compared by element, printed by notation), or between two releases of a document
    /// (elements added, removed, withdrawn, retitled, statement or parameter text changed).
    #[command(
        after_help = "Examples:\n  crosswalk diff --set csf2-reference-tool/sp-800-53-rev-5-1-1 --set csf2-reference-tool/sp-800-53-rev-5-2-0\n  crosswalk diff --doc csf                  # what CSF 2.0 withdrew from CSF 1.1, and where it went\n  crosswalk diff --doc sp800-53r5/5.0.1 --doc NIST_SP-800-53_rev5_HIGH-baseline-resolved-profile_catalog-min.json --carried"
    )]
    Diff {
        #[command(flatten)]
        req: DiffRequest,
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
    /// Copy every named graph of the store to a remote engine (--endpoint), so the same
    /// answers come from there: each graph is uploaded into a temporary graph (Graph Store
    /// Protocol PUT with --graph-store, else SPARQL Update in batches) and moved over the old
    /// one in one update; graphs the remote holds unchanged (same digest) are skipped.
    #[command(
        after_help = "Examples:\n  crosswalk push --endpoint http://127.0.0.1:8890/sparql                       # Virtuoso\n  crosswalk push --endpoint http://127.0.0.1:7878/query --update http://127.0.0.1:7878/update \\\n      --graph-store http://127.0.0.1:7878/store                               # Oxigraph server"
    )]
    Push {
        /// The engine's SPARQL Update endpoint (default: --endpoint).
        #[arg(long)]
        update: Option<String>,
        /// The engine's Graph Store Protocol endpoint; without it graphs go as SPARQL Update.
        #[arg(long)]
        graph_store: Option<String>,
        /// Triples per INSERT DATA request (without --graph-store).
        #[arg(long, default_value_t = 2000)]
        batch: usize,
        /// Seconds each request may take.
        #[arg(long, default_value_t = 900)]
        timeout: u64,
    },
    /// Check mapping sets for consistency (dangling and withdrawn references, coarse targets,
    /// duplicates, contradictions, missing rationales, inverse disagreements, subset cycles,
    /// drafts, unmapped focal elements). Exit status 1 on any error (or warning with
    /// `--deny warnings`): usable in CI.
    #[command(
        after_help = "Examples:\n  crosswalk check --set olir-186\n  crosswalk --memory check --mapping my-set.sssom.tsv --format sarif > check.sarif\n  crosswalk check --mapping map.csv --focal csf --reference sp800-53 --deny warnings"
    )]
    Check {
        #[command(flatten)]
        req: CheckRequest,
        /// text, json (schema: ontology/check-report.schema.json) or sarif (SARIF 2.1.0).
        #[arg(
            long,
            short = 'f',
            value_enum,
            ignore_case = true,
            default_value = "text"
        )]
        format: CheckFormat,
    },
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

/// `--format` of the commands that print an answer (table, csv, tsv, json, markdown).
#[derive(clap::Args)]
pub struct Out {
    #[arg(
        long,
        short = 'f',
        value_enum,
        ignore_case = true,
        default_value = "table"
    )]
    pub format: Format,
}

impl Cli {
    /// `--sources`, else the download cache (`$XDG_CACHE_HOME/crosswalk/sources`).
    pub fn sources_dir(&self) -> PathBuf {
        self.sources.clone().unwrap_or_else(|| {
            std::env::var_os("XDG_CACHE_HOME")
                .map(PathBuf::from)
                .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
                .unwrap_or_else(|| PathBuf::from("."))
                .join("crosswalk/sources")
        })
    }

    /// The on-disk store's path: `--store`, else the default; a URL there is refused (it would
    /// silently become a directory named `http:`).
    pub fn store_path(&self) -> Result<PathBuf> {
        let path = self.store.clone().unwrap_or_else(store::default_location);
        let text = path.to_string_lossy();
        if text.contains("://") || text.starts_with("http:") || text.starts_with("https:") {
            bail!(crosswalk::Error::Invalid(format!(
                "--store takes a directory, not a URL (`{text}`): the embedded store lives on this \
                 machine; for a remote SPARQL endpoint give --endpoint URL (and `crosswalk push` to fill it)"
            )));
        }
        Ok(path)
    }

    /// `--endpoint` as a client, when given.
    pub fn remote(&self) -> Result<Option<Remote>> {
        let Some(url) = &self.endpoint else {
            return Ok(None);
        };
        Ok(Some(Remote::checked(
            url,
            self.endpoint_auth,
            std::time::Duration::from_secs(120),
        )?))
    }

    /// Where read commands run: `--endpoint`, else the store opened read-only.
    pub fn reader(&self) -> Result<Reader> {
        Ok(match self.remote()? {
            Some(r) => Reader::Remote(r),
            None => Reader::Local(self.open(false)?),
        })
    }

    /// The embedded store for a command that has no remote form; with --endpoint, an error
    /// naming the command.
    pub fn local(&self, what: &str) -> Result<Db> {
        if self.endpoint.is_some() {
            bail!(crosswalk::Error::Invalid(format!(
                "{what} needs the embedded store (--store), not --endpoint"
            )));
        }
        self.open(false)
    }

    /// Readers open the store read-only under a shared lock (any number at once); writers take it
    /// alone (`crosswalk::store::lock`). `--memory`: a fresh store loaded from `--sources`.
    pub fn open(&self, write: bool) -> Result<Db> {
        if write && self.endpoint.is_some() {
            bail!(crosswalk::Error::Invalid(
                "load writes the embedded store, not --endpoint: load it here, then `crosswalk push --endpoint URL`".into()
            ));
        }
        if self.memory {
            let db = Db::memory()?;
            let report = load::load(
                &db,
                &Manifest::builtin()?,
                &self.sources_dir(),
                &[],
                &mut |_| {},
            )?;
            for (id, _, w) in report.loaded() {
                w.iter().for_each(|w| tracing::info!("{id}: {w}"));
            }
            return Ok(db);
        }
        let path = self.store_path()?;
        Ok(if write {
            let wait = match &self.cmd {
                Cmd::Load { wait, .. } => *wait,
                _ => 0,
            };
            Db::open_waiting(&path, std::time::Duration::from_secs(wait))?
        } else {
            Db::open_read_only(&path)?
        })
    }
}

/// Where a read command's queries run.
pub enum Reader {
    Local(Db),
    Remote(Remote),
}

impl Reader {
    /// The embedded store, when that is where the queries run.
    pub fn local(&self) -> Option<&Db> {
        match self {
            Reader::Local(db) => Some(db),
            Reader::Remote(_) => None,
        }
    }

    /// Any query (`crosswalk query`), its results for the renderer.
    pub fn run(
        &self,
        text: &str,
        bindings: &[(&str, oxigraph::model::Term)],
    ) -> Result<oxigraph::sparql::QueryResults<'static>> {
        Ok(match self {
            Reader::Local(db) => db.run(text, bindings)?,
            Reader::Remote(r) => r.query(text, bindings)?,
        })
    }
}

impl std::ops::Deref for Reader {
    type Target = dyn Sparql;
    fn deref(&self) -> &Self::Target {
        match self {
            Reader::Local(db) => db,
            Reader::Remote(r) => r,
        }
    }
}
