//! `crosswalk serve`: the store over HTTP. SPARQL 1.1 Protocol at `/sparql` (and `/sparql/`,
//! `/query`), the SPARQL 1.1 Graph Store HTTP Protocol at `/store`, a JSON API under `/api/v1`
//! that mirrors the CLI (same library calls, same named queries), its OpenAPI document, and a
//! small offline page at `/`.
//!
//! Safe by default: read-only unless update tokens are configured; every query runs on the
//! blocking pool under a cancellation token and a concurrency bound; bodies and result rows
//! are capped. The token stops the evaluation itself, not just the response: at the timeout,
//! when the client disconnects, when the process goes over its memory bound, and at shutdown.
mod api;
mod cache;
mod failure;
mod gsp;
mod jobs;
mod ld;
mod negotiate;
mod page;
mod sparql;
mod start;

pub use start::{ServeArgs, open_store, serve, serve_remote};

pub use jobs::default_memory_bound;

use crate::store::Db;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderMap, header};
use axum::routing::{any, get};
use failure::Failure;
use oxigraph::sparql::CancellationToken;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;
use tower_http::cors::CorsLayer;
use tower_http::trace::{DefaultMakeSpan, DefaultOnResponse, TraceLayer};
use tracing::Level;

/// Limits and switches of a server.
#[derive(Debug, Clone)]
pub struct Config {
    /// Wall-clock budget of one query, including waiting for a free evaluation slot.
    pub timeout: Duration,
    /// Largest request body accepted (413 above).
    pub max_body: usize,
    /// Result rows (or triples) returned at most; more are cut and the response says so in
    /// the `Crosswalk-Truncated` header.
    pub max_rows: usize,
    /// Queries evaluated at once; further requests wait (within their timeout).
    pub max_concurrent: usize,
    /// Of those, queries sent as SPARQL text to `/sparql` (whose cost nobody bounds) evaluated
    /// at once: fewer than the cores, so a few expensive ones cannot take every core from the
    /// JSON API's lookups until their timeout (RELIABILITY.md, lookups under abuse).
    pub max_open_queries: usize,
    /// Adds permissive CORS headers (any origin, no credentials).
    pub cors: bool,
    /// Bearer tokens allowed to run SPARQL Update. Empty: every update is refused (403).
    pub update_tokens: Vec<String>,
    /// Resident memory of the process, in bytes, above which the running queries are
    /// cancelled (503 `too_large`); checked every 100 ms. `None`: no bound.
    pub max_memory: Option<u64>,
    /// Bytes of read answers kept in the answer cache (0: no cache; `ETag`s and 304s then
    /// come from no cache either).
    pub cache_bytes: u64,
    /// The base IRI relative IRIs in SPARQL queries and updates (and Graph Store `graph=`
    /// values and default-graph bodies) resolve against. `None`: the URL the request was sent
    /// to (`http://HOST/sparql`, as its `Host` header names it).
    pub base: Option<String>,
    /// `serve --endpoint`: answers, `/sparql` and the page come from this remote engine; the
    /// server keeps no graph of its own (a stateless tier: run as many as the load needs).
    pub remote: Option<crate::query::Remote>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            timeout: Duration::from_secs(10),
            max_body: 1 << 20,
            max_rows: 100_000,
            max_concurrent: 8,
            max_open_queries: default_open_queries(),
            cors: false,
            update_tokens: Vec::new(),
            max_memory: None,
            cache_bytes: cache::DEFAULT_CAPACITY,
            base: None,
            remote: None,
        }
    }
}

/// One less than the cores (at least one): the default of [`Config::max_open_queries`].
pub fn default_open_queries() -> usize {
    std::thread::available_parallelism()
        .map_or(1, usize::from)
        .saturating_sub(1)
        .max(1)
}

#[derive(Clone)]
struct AppState {
    db: Db,
    cfg: Arc<Config>,
    permits: Arc<Semaphore>,
    /// Slots for SPARQL text from clients, taken besides one of `permits`.
    open_permits: Arc<Semaphore>,
    cache: cache::Shared,
}

impl AppState {
    /// The base IRI of a request to `path`: `serve --base`, else the request's URL.
    fn base(&self, headers: &HeaderMap, path: &str) -> String {
        self.cfg
            .base
            .clone()
            .unwrap_or_else(|| request_url(headers, path))
    }
}

/// The URL a request to `path` was sent to: `http`, the host its `Host` header names
/// (`localhost` without one), and the path (without the query string).
fn request_url(headers: &HeaderMap, path: &str) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .filter(|h| !h.is_empty())
        .unwrap_or("localhost");
    format!("http://{host}{path}")
}

/// The whole HTTP surface over `db`.
pub fn router(db: Db, cfg: Config) -> Router {
    let cors = cfg.cors;
    let max_body = cfg.max_body;
    if let Some(limit) = cfg.max_memory {
        jobs::watch_memory(limit);
    }
    // The quad count `/healthz` and `/version` report, counted once here (and after a write)
    // rather than per probe.
    let _ = db.len_cached();
    let state = AppState {
        cache: Arc::new(cache::AnswerCache::new(cfg.cache_bytes)),
        db,
        permits: Arc::new(Semaphore::new(cfg.max_concurrent.max(1))),
        open_permits: Arc::new(Semaphore::new(cfg.max_open_queries.max(1))),
        cfg: Arc::new(cfg),
    };
    // Read answers go through the answer cache (ETag, 304, Cache-Control); probes and the page
    // do not.
    let mut answers = Router::new()
        .route("/sparql", get(sparql::get).post(sparql::post))
        // The path the W3C protocol tests (and some clients) use.
        .route("/sparql/", get(sparql::get).post(sparql::post))
        .route("/query", get(sparql::get).post(sparql::post))
        .nest("/api/v1", api::routes());
    if state.cfg.cache_bytes > 0 {
        answers = answers.route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            cache::layer,
        ));
    }
    let app = Router::new()
        .route("/", get(page::index))
        .route("/app.js", get(page::script))
        .route("/app.css", get(page::style))
        .route("/id/{*rest}", get(ld::resource))
        .route("/doc/{*rest}", get(ld::resource))
        .route("/mapping/{*rest}", get(ld::resource))
        .route("/ontology", get(ld::ontology))
        .route("/context.jsonld", get(ld::context))
        .route("/healthz", get(api::healthz))
        .route("/version", get(api::version))
        .route("/metrics", get(cache::metrics))
        // The Graph Store Protocol: outside the answer cache (gsp.rs says why).
        .route("/store", any(gsp::handle))
        .route("/store/", any(gsp::handle))
        .route("/store/{*graph}", any(gsp::handle))
        .merge(answers)
        .fallback(api::not_found)
        .layer(DefaultBodyLimit::max(max_body))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(DefaultMakeSpan::new().level(Level::INFO))
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .with_state(state);
    if cors {
        app.layer(CorsLayer::permissive())
    } else {
        app
    }
}

/// How long in-flight requests get to answer once shutdown began (their queries are cancelled
/// at once, so they answer in milliseconds unless something blocks).
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(3);

/// Serves `app` on `listener` until `shutdown` completes; then cancels every running query of
/// the process (and any started later) and lets in-flight requests answer, for at most
/// [`SHUTDOWN_GRACE`]. Blocking tasks may still be running when this returns: the caller's
/// runtime should not wait for them unbounded (`Runtime::shutdown_timeout`).
pub async fn run(
    listener: tokio::net::TcpListener,
    app: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let began = Arc::new(tokio::sync::Notify::new());
    let notify = began.clone();
    let server = axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            shutdown.await;
            jobs::close();
            notify.notify_one();
        })
        .into_future();
    let grace = async {
        began.notified().await;
        tokio::time::sleep(SHUTDOWN_GRACE).await;
    };
    tokio::select! {
        r = server => r,
        () = grace => {
            tracing::warn!("requests still in flight after the shutdown grace period: stopping anyway");
            Ok(())
        }
    }
}

/// Completes on SIGINT (Ctrl-C) or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { () = ctrl_c => {}, () = term => {} }
    tracing::info!("shutting down: finishing in-flight requests");
}

/// Runs `f` on the blocking pool within the configured timeout and concurrency bound. The
/// token is cancelled on timeout, when this future is dropped (the client went away), over
/// the memory bound and at shutdown, so evaluation stops at its next check and frees its slot.
async fn blocking<T: Send + 'static>(
    st: &AppState,
    f: impl FnOnce(CancellationToken) -> Result<T, Failure> + Send + 'static,
) -> Result<T, Failure> {
    run_blocking(st, true, None, f).await
}

/// [`blocking`] for SPARQL text a client sent: it also takes one of the fewer open-query
/// slots, within the same budget.
async fn blocking_open<T: Send + 'static>(
    st: &AppState,
    f: impl FnOnce(CancellationToken) -> Result<T, Failure> + Send + 'static,
) -> Result<T, Failure> {
    run_blocking(st, true, Some(st.open_permits.clone()), f).await
}

/// [`blocking`] for a write: the timeout bounds only the wait for a slot. Once an update
/// runs it is applied (and inference re-derived) whatever the clock says, so the client
/// waits for its outcome instead of getting a 503 for a change that went through.
async fn blocking_write<T: Send + 'static>(
    st: &AppState,
    f: impl FnOnce(CancellationToken) -> Result<T, Failure> + Send + 'static,
) -> Result<T, Failure> {
    run_blocking(st, false, None, f).await
}

async fn run_blocking<T: Send + 'static>(
    st: &AppState,
    bounded: bool,
    open: Option<Arc<Semaphore>>,
    f: impl FnOnce(CancellationToken) -> Result<T, Failure> + Send + 'static,
) -> Result<T, Failure> {
    let budget = st.cfg.timeout;
    let started = tokio::time::Instant::now();
    let open_permit = match open {
        Some(sem) => Some(
            tokio::time::timeout(budget, sem.acquire_owned())
                .await
                .map_err(|_| Failure::busy(budget))?
                .map_err(|e| Failure::ours(format!("the open-query slots are closed: {e}")))?,
        ),
        None => None,
    };
    let permit = tokio::time::timeout(
        budget.saturating_sub(started.elapsed()),
        st.permits.clone().acquire_owned(),
    )
    .await
    .map_err(|_| Failure::busy(budget))?
    .map_err(|e| Failure::ours(format!("the evaluation slots are closed: {e}")))?;
    if !bounded {
        // A write is not cancelled (by the clock, a disconnect or the watchdog): once it runs
        // it commits or rolls back as a whole.
        let job = tokio::task::spawn_blocking(move || {
            let _permit = permit;
            f(CancellationToken::new())
        });
        return job
            .await
            .map_err(|e| Failure::ours(format!("update task failed: {e}")))?;
    }
    let registration = jobs::Registration::new();
    let job = registration.job.clone();
    // Dropped with this future: a client that goes away cancels its query.
    let _abandon = jobs::CancelOnDrop(job.clone());
    let token = job.token.clone();
    let task = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        let _open = open_permit;
        // Listed as running until the evaluation has really stopped.
        let _registration = registration;
        f(token)
    });
    let left = budget.saturating_sub(started.elapsed());
    let result = match tokio::time::timeout(left, task).await {
        Ok(Ok(r)) => r,
        Ok(Err(e)) => Err(Failure::ours(format!("query task failed: {e}"))),
        Err(_) => {
            job.cancel(jobs::Reason::Timeout);
            return Err(Failure::timeout(budget));
        }
    };
    // A cancelled evaluation ends in an error; say why it was cancelled.
    match (result, job.reason()) {
        (Err(_), Some(jobs::Reason::Memory)) => Err(Failure::too_large(st.cfg.max_memory)),
        (Err(_), Some(jobs::Reason::Shutdown)) => Err(Failure::shutting_down()),
        (r, _) => r,
    }
}
