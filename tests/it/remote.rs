//! Remote mode (issue 20) without a third-party engine: the answers through the SPARQL 1.1
//! Protocol client (`--endpoint`) equal the embedded store's, with our own server as the
//! endpoint; `serve --endpoint` answers as the server it fronts; `--store URL` is refused.
//! tests/engines.sh does the same against Virtuoso and the Oxigraph server, after `push`.
use crate::util;
use crosswalk::answer::{self, card};
use crosswalk::query::{self, Remote, Solutions, Sparql};
use crosswalk::serve::Config;
use crosswalk::store::Db;
use std::time::Duration;

use util::start_server as start;

use util::get;

/// The targets of a JSON map answer, in its order, each run of one target once.
fn targets(body: &str) -> Vec<String> {
    let v: serde_json::Value = serde_json::from_str(body).expect("json");
    let mut t: Vec<String> = v["answers"]
        .as_array()
        .expect("answers")
        .iter()
        .filter_map(|a| a["target"].as_str().map(str::to_owned))
        .collect();
    t.dedup();
    t
}

/// Rows as sorted lines: the comparison is order-insensitive.
fn rows(s: &Solutions) -> Vec<String> {
    let mut v: Vec<String> = s
        .rows
        .iter()
        .map(|r| {
            r.iter()
                .map(|t| t.as_ref().map(ToString::to_string).unwrap_or_default())
                .collect::<Vec<_>>()
                .join("\t")
        })
        .collect();
    v.sort();
    v
}

/// The `-p name=value` pairs of a query's `# example:` line.
fn example_params(example: &str) -> Vec<(String, String)> {
    let words: Vec<&str> = example.split_whitespace().collect();
    words
        .windows(2)
        .filter(|w| w[0] == "-p")
        .filter_map(|w| w[1].split_once('='))
        .map(|(k, v)| (k.to_owned(), v.trim_matches('\'').to_owned()))
        .collect()
}

const IDS: &[&str] = &[
    "GV.SC-07",
    "GV.OC-03",
    "ID.AM-06",
    "PR.AA-01",
    "DE.CM-01",
    "AC-2",
    "AC-2(1)",
    "RA-3",
    "SR-6",
    "SC-7",
    "RA-4",
    "GOVERN 1.1",
    "MAP 1.1",
    "MEASURE 2.7",
    "MANAGE 4.1",
    "GV.SC-06 General",
    "DE.AE-02 Defend",
    "PR.DS-01 Secure",
    "ID.RA-05 Secure",
    "GV.OV-01 Thwart",
];

#[test]
fn every_named_query_and_answer_through_the_protocol_equals_the_embedded_store() {
    let _d = require_sources!();
    let db = util::loaded().expect("loaded");
    let b = start(
        db.clone(),
        Config {
            cache_bytes: 0,
            ..Config::default()
        },
    );
    let remote = Remote::new(&format!("{b}/sparql"));
    let mut compared = 0;
    for q in query::library() {
        let params = example_params(&q.example);
        let here = q.run_checked(db, &params).expect(q.name);
        let there = q.run_checked(&remote, &params).expect(q.name);
        assert_eq!(there.vars, here.vars, "{}", q.name);
        assert_eq!(rows(&there), rows(&here), "{}", q.name);
        compared += 1;
    }
    assert_eq!(compared, query::library().len());
    assert!(compared >= 28, "{compared} named queries");
    for id in IDS {
        let here = card::cards(db, id).expect(id);
        let there = card::cards(&remote, id).expect(id);
        assert_eq!(
            serde_json::to_value(&there).expect("json"),
            serde_json::to_value(&here).expect("json"),
            "show {id}"
        );
        let m = |on: &dyn Sparql| answer::map_with(on, id, None, None, true, false).expect(id);
        assert_eq!(m(&remote), m(db), "map {id}");
    }
    // An RDF export read through the protocol is the graph's own triples.
    let nt = |on: &dyn Sparql, local: Option<&Db>| {
        let b = answer::export::export(
            on,
            local,
            crosswalk::render::ExportFormat::Nt,
            None,
            Some("csf"),
        )
        .expect("export");
        let mut l: Vec<String> = String::from_utf8(b)
            .expect("utf-8")
            .lines()
            .map(str::to_owned)
            .collect();
        l.sort();
        l
    };
    let (there, here) = (nt(&remote, None), nt(db, Some(db)));
    assert!(here.len() > 6000, "{}", here.len());
    assert_eq!(there, here);
    let p = |on: &dyn Sparql| answer::path(on, "ID.AM-06", "SR-6", 4).expect("path");
    let (there, here) = (p(&remote), p(db));
    assert_eq!(here.as_ref().map(Vec::len), Some(4));
    assert_eq!(there, here);
}

#[test]
fn serve_endpoint_answers_as_the_server_it_fronts() {
    let _d = require_sources!();
    let db = util::loaded().expect("loaded");
    let origin = start(db.clone(), Config::default());
    let tier = start(
        Db::memory().expect("memory"),
        Config {
            remote: Some(Remote::new(&format!("{origin}/sparql"))),
            cache_bytes: 0,
            ..Config::default()
        },
    );
    for path in [
        "/api/v1/map/GV.SC-07?to=sp800-53&set=olir-186",
        "/api/v1/elements/AC-2(1)",
        "/api/v1/path?from=ID.AM-06&to=SR-6",
        "/api/v1/coverage?from=csf&to=sp800-53&baseline=LOW",
    ] {
        let (a, x) = get(&format!("{origin}{path}"));
        let (b, y) = get(&format!("{tier}{path}"));
        assert_eq!((a, b), (200, 200), "{path}: {y}");
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&y).expect("json"),
            serde_json::from_str::<serde_json::Value>(&x).expect("json"),
            "{path}"
        );
    }
    // The five controls of the acceptance line, through the tier.
    let (_, body) = get(&format!(
        "{tier}/api/v1/map/GV.SC-07?to=sp800-53&set=olir-186"
    ));
    assert_eq!(targets(&body), ["RA-9", "SA-4", "SA-9", "SR-3", "SR-6"]);
    // An unknown id is the same error through the tier.
    assert_eq!(get(&format!("{tier}/api/v1/map/XX-999")).0, 404);
    // The tier holds no graph: its Graph Store is not there.
    assert_eq!(get(&format!("{tier}/store?default")).0, 501);
}

#[test]
fn a_url_given_as_store_is_an_error_naming_endpoint_and_creates_nothing() {
    let dir = tempfile::tempdir().expect("tmp");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_crosswalk"))
        .current_dir(dir.path())
        .args(["--store", "http://127.0.0.1:9/sparql", "show", "ra-4"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--endpoint"), "{err}");
    assert_eq!(std::fs::read_dir(dir.path()).expect("dir").count(), 0);
    // And --endpoint takes only http(s) URLs.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_crosswalk"))
        .args(["--endpoint", "ftp://x/sparql", "show", "ra-4"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("http://"));
    // A writer with --endpoint is pointed at push, and writes nothing.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_crosswalk"))
        .current_dir(dir.path())
        .args(["--endpoint", "http://127.0.0.1:9/sparql", "load", "csf-2.0"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("crosswalk push"));
    assert_eq!(std::fs::read_dir(dir.path()).expect("dir").count(), 0);
}

/// Kills the servers a test started, however it ends.
struct Servers(Vec<std::process::Child>);

impl Drop for Servers {
    fn drop(&mut self) {
        for c in &mut self.0 {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// How long after a writer's `load --wait` ends a `serve --follow` answers from what it wrote:
/// ~1.2 s measured (100 ms poll, re-exec, open); the bound leaves room for a loaded CI machine.
const FOLLOW_FRESH: Duration = Duration::from_secs(20);

#[test]
fn two_follow_servers_share_a_store_and_serve_a_writers_load() {
    let sources = require_sources!();
    let tmp = tempfile::tempdir().expect("tmp");
    let store = tmp.path().join("store");
    let store_arg = store.to_str().expect("path").to_owned();
    let src_arg = sources.to_str().expect("path").to_owned();
    let crosswalk = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_crosswalk"))
            .args(["--store", &store_arg, "--sources", &src_arg])
            .args(args)
            .output()
            .expect("run")
    };
    let o = crosswalk(&["load", "csf-2.0", "sp800-53r5-5.0.1"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let mut servers = Servers(Vec::new());
    let mut bases = Vec::new();
    for _ in 0..2 {
        // A fixed port: the follower re-executes itself and binds it again.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("port")
            .port();
        let child = std::process::Command::new(env!("CARGO_BIN_EXE_crosswalk"))
            .args([
                "--store",
                &store_arg,
                "--sources",
                &src_arg,
                "serve",
                "--follow",
            ])
            .args(["--cache", "0", "--bind", &format!("127.0.0.1:{port}")])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("serve");
        servers.0.push(child);
        bases.push(format!("http://127.0.0.1:{port}"));
    }
    let lookup = "/api/v1/map/GV.SC-07?to=sp800-53&set=olir-186";
    let answer = |base: &str| -> Option<(u16, String)> {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(10)))
            .build()
            .new_agent();
        let mut r = agent.get(format!("{base}{lookup}")).call().ok()?;
        Some((r.status().as_u16(), r.body_mut().read_to_string().ok()?))
    };
    let until = |what: &str, bound: Duration, ok: &dyn Fn(&(u16, String)) -> bool| {
        let started = std::time::Instant::now();
        loop {
            let got: Vec<Option<(u16, String)>> = bases.iter().map(|b| answer(b)).collect();
            if got.iter().all(|g| g.as_ref().is_some_and(ok)) {
                return (started.elapsed(), got);
            }
            assert!(started.elapsed() < bound, "{what}: {got:?}");
            std::thread::sleep(Duration::from_millis(100));
        }
    };
    // Both serve the store as it is: the set is not loaded yet (an unknown name: 404), alike.
    let (_, before) = until("servers up", Duration::from_secs(60), &|r| r.0 == 404);
    assert_eq!(before[0], before[1]);
    // The writer asks the followers for the store, loads, and they come back with it.
    let o = crosswalk(&["load", "--wait", "120", "olir-csf2-sp800-53-5.2.0"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let (took, after) = until("the load reaches both servers", FOLLOW_FRESH, &|r| {
        r.0 == 200
    });
    assert_eq!(after[0], after[1], "both servers answer the same");
    assert_eq!(
        targets(&after[0].as_ref().expect("answer").1),
        ["RA-9", "SA-4", "SA-9", "SR-3", "SR-6"]
    );
    eprintln!("both followers answered from the load {took:?} after it ended");
    // A writer that does not wait still fails at once while followers hold the store.
    let o = crosswalk(&["load", "olir-csf2-sp800-53-5.2.0"]);
    assert_eq!(o.status.code(), Some(1));
}
