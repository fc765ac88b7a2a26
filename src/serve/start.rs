//! Starting `crosswalk serve`: its options (clap), the store it serves (filled from the sources
//! directory first when empty), the runtime, and the run until SIGINT/SIGTERM.
use crate::model::error::{Error, Result};
use crate::source::manifest::Manifest;
use crate::store::{self, Db};
use std::path::Path;

/// `crosswalk serve`'s options.
#[derive(Debug, Clone, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:7878")]
    pub bind: std::net::SocketAddr,
    /// Seconds one query may run before it is cancelled (503).
    #[arg(long, default_value_t = 10.0)]
    pub timeout: f64,
    /// Largest request body in bytes (413 above).
    #[arg(long, default_value_t = 1 << 20)]
    pub max_body: usize,
    /// Result rows (or triples) returned at most per query (cut rows: `Crosswalk-Truncated`).
    #[arg(long, default_value_t = 100_000)]
    pub max_rows: usize,
    /// Queries evaluated at once (more wait, within their timeout).
    #[arg(long, default_value_t = 8)]
    pub max_concurrent: usize,
    /// Of those, SPARQL queries sent to /sparql evaluated at once (default: the cores less
    /// one), so expensive ones never take every core from the JSON API's lookups.
    #[arg(long)]
    pub max_open_queries: Option<usize>,
    /// Send permissive CORS headers (any origin, no credentials).
    #[arg(long)]
    pub cors: bool,
    /// Accept SPARQL Update from clients presenting this bearer token (repeatable). Without
    /// one, every update is refused with 403. An update and the re-inference after it commit
    /// as one transaction.
    #[arg(
        long = "update-token",
        env = "CROSSWALK_UPDATE_TOKENS",
        value_delimiter = ','
    )]
    pub update_tokens: Vec<String>,
    /// Memory bound in MiB: when the process's resident memory goes above it, the running
    /// queries are cancelled (503 `too_large`). Default: half the machine's memory; 0: none.
    #[arg(long, value_name = "MiB")]
    pub max_memory: Option<u64>,
    /// Read answers kept in memory, in MiB (an LRU; 0: none). Each answer also carries an
    /// `ETag` for conditional requests (304) and `Cache-Control: public, no-cache`.
    #[arg(long, value_name = "MiB", default_value_t = 64)]
    pub cache: u64,
    /// Base IRI for relative IRIs in SPARQL queries and updates (and Graph Store requests).
    /// Default: the URL each request was sent to (e.g. `http://HOST/sparql`).
    #[arg(long, value_name = "IRI")]
    pub base: Option<String>,
    /// Follow the store's writers (read-only serving of a local store): when a writer asks for
    /// the store (`crosswalk load --wait SECONDS`), let go of it — the port closes while the
    /// writer works — and come back with the new content (the process re-executes itself and
    /// re-opens the store once the writer is done). Several `serve --follow` processes can
    /// share one store behind a load balancer.
    #[arg(long)]
    pub follow: bool,
}

impl ServeArgs {
    pub fn writable(&self) -> bool {
        self.update_tokens.iter().any(|t| !t.is_empty())
    }

    pub fn config(&self) -> Result<super::Config> {
        if !(self.timeout > 0.0 && self.timeout.is_finite()) {
            return Err(Error::Invalid(
                "--timeout must be a positive number of seconds".into(),
            ));
        }
        if let Some(b) = &self.base {
            oxiri::Iri::parse(b.as_str())
                .map_err(|e| Error::Invalid(format!("--base `{b}` is not an absolute IRI: {e}")))?;
        }
        Ok(super::Config {
            timeout: std::time::Duration::from_secs_f64(self.timeout),
            max_body: self.max_body,
            max_rows: self.max_rows,
            max_concurrent: self.max_concurrent,
            max_open_queries: self
                .max_open_queries
                .unwrap_or_else(super::default_open_queries),
            cors: self.cors,
            update_tokens: self
                .update_tokens
                .iter()
                .filter(|t| !t.is_empty())
                .cloned()
                .collect(),
            max_memory: match self.max_memory {
                Some(0) => None,
                Some(mib) => Some(mib.saturating_mul(1 << 20)),
                None => super::default_memory_bound(),
            },
            cache_bytes: self.cache.saturating_mul(1 << 20),
            base: self.base.clone(),
            remote: None,
        })
    }
}

/// The on-disk store `serve` serves: read-only, or a shared writer with update tokens. A
/// missing or empty store is filled from `sources` first, as a writer that lets go before
/// serving (`load` stays out while the server runs: it holds a shared lock).
pub fn open_store(path: &Path, sources: &Path, writable: bool) -> Result<Db> {
    // A follower started (or re-started) while a writer asks for the store lets it go first.
    crate::store::lock::wait_for_writer(path, crate::store::lock::READER_WAIT);
    let reader = if store::exists(path) {
        Some(Db::open_read_only(path)?)
    } else {
        None
    };
    let empty = match &reader {
        Some(db) => db.is_empty()?,
        None => true,
    };
    // The common case: a loaded store, served read-only by the handle just opened.
    if let (Some(db), false, false) = (&reader, empty, writable) {
        return Ok(db.clone());
    }
    // Our own shared lock would keep the writer below out.
    drop(reader);
    if empty {
        if sources.is_dir() {
            let db = Db::open(path)?;
            eprintln!(
                "the store is empty: loading the sources found in {}",
                sources.display()
            );
            let report = crate::load::load(&db, &Manifest::builtin()?, sources, &[], &mut |_| {})?;
            eprintln!(
                "loaded {} source(s), {} quads",
                report.loaded().count(),
                db.len()?
            );
        } else {
            eprintln!(
                "warning: the store is empty and no sources were found in {}.\n  \
                 Load first: `crosswalk fetch && crosswalk load`, or point --sources (CROSSWALK_SOURCES) at a directory of the sources.",
                sources.display()
            );
            if !store::exists(path) {
                Db::open(path)?;
            }
        }
    }
    if writable {
        Db::open_shared_writer(path)
    } else {
        Db::open_read_only(path)
    }
}

/// Serves `db` until SIGINT/SIGTERM.
pub fn serve(db: Db, args: &ServeArgs) -> Result<()> {
    serve_with(db, args, None)
}

/// `serve --endpoint`: the same server in front of a remote engine. It holds no graph (an
/// empty in-memory store stands in for `/store`, which is not proxied) and no answer cache:
/// the engine may be written by a `push` at any time, and a tier that cached by its own
/// write generation would never see that. Updates go to the engine, not through the tier.
pub fn serve_remote(args: &ServeArgs, remote: crate::query::Remote) -> Result<()> {
    if args.writable() {
        return Err(Error::Invalid(
            "serve --endpoint is read-only: update the engine itself (crosswalk push)".into(),
        ));
    }
    serve_with(Db::memory()?, args, Some(remote))
}

fn serve_with(db: Db, args: &ServeArgs, remote: Option<crate::query::Remote>) -> Result<()> {
    let mut cfg = args.config()?;
    if remote.is_some() {
        cfg.cache_bytes = 0;
    }
    let remote_url = remote.as_ref().map(|r| r.endpoint.clone());
    cfg.remote = remote;
    let internal = |what: &str, e: std::io::Error| Error::io(what, e);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| internal("starting the async runtime", e))?;
    let served: Result<bool> = rt.block_on(async {
        let listener = tokio::net::TcpListener::bind(args.bind)
            .await
            .map_err(|e| Error::io(format!("binding {}", args.bind), e))?;
        let addr = listener
            .local_addr()
            .map_err(|e| internal("the listening address", e))?;
        let what = match &remote_url {
            Some(u) => format!("the graph at {u}"),
            None => format!("{} quads", db.len()?),
        };
        eprintln!(
            "crosswalk serving {what} on http://{addr}/ (SPARQL: http://{addr}/sparql, API: http://{addr}/api/v1/openapi.json){}",
            if cfg.update_tokens.is_empty() {
                ", read-only"
            } else {
                ", updates with a token"
            }
        );
        let follow = args.follow.then(|| db.location().map(Path::to_path_buf)).flatten();
        let app = super::router(db, cfg);
        let yielded = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let told = yielded.clone();
        let stop = async move {
            let Some(store) = follow else {
                return super::shutdown_signal().await;
            };
            let want = store.join(crate::store::lock::WANT_WRITE);
            let asked = async {
                while !want.exists() {
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                }
            };
            tokio::select! {
                _ = super::shutdown_signal() => {}
                _ = asked => told.store(true, std::sync::atomic::Ordering::SeqCst),
            }
        };
        super::run(listener, app, stop)
            .await
            .map_err(|e| internal("serving", e))?;
        Ok(yielded.load(std::sync::atomic::Ordering::SeqCst))
    });
    // Dropping the runtime would wait for every blocking task; a query that has not reached
    // its next cancellation check (or an update, which rolls back unless committed) must not
    // keep the process alive past the grace period.
    rt.shutdown_timeout(std::time::Duration::from_secs(1));
    if served? {
        // A writer asked for the store: this process lets go of it (exec closes every file,
        // the store's lock with them) and starts again, the same command, which waits for the
        // writer and opens the store as it wrote it.
        eprintln!("a writer asked for the store: re-opening once it is done");
        use std::os::unix::process::CommandExt;
        let e = std::process::Command::new("/proc/self/exe")
            .args(std::env::args_os().skip(1))
            .exec();
        return Err(Error::io("re-executing `crosswalk serve --follow`", e));
    }
    Ok(())
}
