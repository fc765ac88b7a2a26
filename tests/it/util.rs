//! Shared by the integration tests: where the real NIST sources are, and a store loaded from
//! them once per test run (every test is in this one binary). Tests read that store and never
//! write it: one that loads or updates works on its own (`Db::memory`, `Db::to_memory`).
use crosswalk::load;
use crosswalk::source::manifest::Manifest;
use crosswalk::store::Db;
use std::path::PathBuf;
use std::sync::OnceLock;

/// The sources directory: `CROSSWALK_SOURCES`, else `../shared/sources` from the crate root.
/// Absent: `None` (the caller skips with a message), except under `CI=true`, where absence
/// fails the test so that a wrong path can never turn real-data tests into silent skips.
pub fn sources() -> Option<PathBuf> {
    let dir = std::env::var_os("CROSSWALK_SOURCES")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/sources"));
    if dir.join("nist/MANIFEST.md").is_file() {
        return Some(dir);
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("CI=true but the NIST sources are not at {}", dir.display());
    }
    eprintln!(
        "SKIP: NIST sources not found at {} (set CROSSWALK_SOURCES)",
        dir.display()
    );
    None
}

/// Skips the calling test (returns) when the sources are absent outside CI. In scope in every
/// module of the binary: `main.rs` declares `#[macro_use] mod util;` before the others.
macro_rules! require_sources {
    () => {
        match $crate::util::sources() {
            Some(d) => d,
            None => return,
        }
    };
}

/// An in-memory store with every source found loaded (once per run), shared by every test: only
/// ever read.
pub fn loaded() -> Option<&'static Db> {
    static DB: OnceLock<Option<Db>> = OnceLock::new();
    DB.get_or_init(|| {
        let dir = sources()?;
        let db = Db::memory().expect("memory store");
        let m = Manifest::builtin().expect("manifest");
        load::load(&db, &m, &dir, &[], &mut |_| {}).expect("load all sources");
        Some(db)
    })
    .as_ref()
}

/// A private in-memory copy of [`loaded`], for a test that writes (loads a user set, reloads a
/// source): the store every other test reads stays as the sources made it.
pub fn loaded_copy() -> Option<Db> {
    Some(loaded()?.to_memory().expect("copy of the loaded store"))
}

/// Runs a SELECT and returns one column as strings.
pub fn column(db: &Db, query: &str, var: &str) -> Vec<String> {
    use crosswalk::query::Sparql;
    db.select(query, &[]).expect("query").strings(var)
}

/// Runs a SELECT returning a single integer `?n`.
pub fn count(db: &Db, query: &str) -> usize {
    let v = column(db, query, "n");
    v.first()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no count from {query}"))
}

pub const PREFIXES: &str = "PREFIX cw: <https://w3id.org/crosswalk/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
";

/// Starts `crosswalk serve`'s router over `db` on an ephemeral loopback port; returns its base
/// URL. The server lives until the test binary exits.
pub fn start_server(db: Db, cfg: crosswalk::serve::Config) -> String {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("bind");
            tx.send(listener.local_addr().expect("addr")).expect("send");
            let router = crosswalk::serve::router(db, cfg);
            crosswalk::serve::run(listener, router, std::future::pending())
                .await
                .expect("serve");
        });
    });
    let addr = rx.recv().expect("server address");
    format!("http://{addr}")
}

/// GET `url` asking for JSON, with no status treated as an error: (status, body).
pub fn get(url: &str) -> (u16, String) {
    let agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(std::time::Duration::from_secs(60)))
        .build()
        .new_agent();
    let mut r = agent
        .get(url)
        .header("Accept", "application/json")
        .call()
        .expect("GET");
    let status = r.status().as_u16();
    (status, r.body_mut().read_to_string().expect("body"))
}
