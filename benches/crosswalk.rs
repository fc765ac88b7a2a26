//! Criterion benchmarks on the real NIST sources (`CROSSWALK_SOURCES`, default
//! `../shared/sources`): the full load, and each named query the CLI answers with.
//! Figures and method: BENCHMARKS.md.
use criterion::{Criterion, criterion_group, criterion_main};
use crosswalk::answer;
use crosswalk::load;
use crosswalk::query::named;
use crosswalk::source::manifest::Manifest;
use crosswalk::store::Db;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

// The binary's allocator, so the figures are the CLI's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn sources() -> Option<PathBuf> {
    let d = std::env::var_os("CROSSWALK_SOURCES")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/sources"));
    if d.join("nist/MANIFEST.md").is_file() {
        Some(d)
    } else {
        eprintln!(
            "benchmarks need the NIST sources at {} (set CROSSWALK_SOURCES)",
            d.display()
        );
        None
    }
}

fn loaded(dir: &Path) -> Db {
    let db = Db::memory().expect("memory store");
    let m = Manifest::builtin().expect("manifest");
    load::load(&db, &m, dir, &[], &mut |_| {}).expect("load");
    db
}

/// What `crosswalk coverage --from csf --to sp800-53 --set olir-186 --baseline MODERATE` runs.
fn moderate_coverage(db: &Db) -> usize {
    answer::coverage(
        db,
        "csf",
        "sp800-53",
        Some("olir-186"),
        Some("MODERATE"),
        None,
    )
    .expect("coverage")
    .covered
}

fn bench_load(c: &mut Criterion) {
    let Some(dir) = sources() else { return };
    let m = Manifest::builtin().expect("manifest");
    let mut g = c.benchmark_group("load");
    g.sample_size(10).measurement_time(Duration::from_secs(40));
    // The store is returned so that dropping it (freeing ~0.7M quads) is not timed: the
    // figure is the load, as `crosswalk load` pays it.
    g.bench_function("all sources, in memory, with inference", |b| {
        b.iter_with_large_drop(|| {
            let db = Db::memory().expect("db");
            load::load(&db, &m, &dir, &[], &mut |_| {}).expect("load");
            db
        })
    });
    g.finish();
}

fn bench_queries(c: &mut Criterion) {
    let Some(dir) = sources() else { return };
    let db = loaded(&dir);
    let a = |pairs: &[(&str, &str)]| {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect::<Vec<_>>()
    };
    let mut g = c.benchmark_group("query");
    g.sample_size(20).measurement_time(Duration::from_secs(5));
    type Case<'a> = (&'a str, &'a str, Vec<(String, String)>);
    let cases: Vec<Case> = vec![
        ("element GV.SC-07", "element", a(&[("key", "GV.SC-07")])),
        (
            "crosswalk GV.SC-07 to sp800-53 (olir-186)",
            "crosswalk",
            a(&[
                ("key", "GV.SC-07"),
                ("toScheme", "sp800-53"),
                ("setScheme", "olir-186"),
            ]),
        ),
        (
            "crosswalk-via ID.AM-06 to sp800-53 (olir-186)",
            "crosswalk-via",
            a(&[
                ("key", "ID.AM-06"),
                ("toScheme", "sp800-53"),
                ("setScheme", "olir-186"),
            ]),
        ),
        (
            "crosswalk RA-3 to csf (any set)",
            "crosswalk",
            a(&[("key", "RA-3"), ("toScheme", "csf"), ("setScheme", "*")]),
        ),
        (
            "coverage csf by sp800-53 MODERATE (olir-186)",
            "coverage",
            a(&[
                ("fromScheme", "csf"),
                ("toScheme", "sp800-53"),
                ("setScheme", "olir-186"),
                ("baseline", "MODERATE"),
            ]),
        ),
        (
            "coverage csf by sp800-53 LOW (any set)",
            "coverage",
            a(&[
                ("fromScheme", "csf"),
                ("toScheme", "sp800-53"),
                ("setScheme", "*"),
                ("baseline", "LOW"),
            ]),
        ),
        (
            "focal-units csf",
            "focal-units",
            a(&[("fromScheme", "csf")]),
        ),
        (
            "gaps csf to sp800-53 (olir-186)",
            "gaps",
            a(&[
                ("fromScheme", "csf"),
                ("toScheme", "sp800-53"),
                ("setScheme", "olir-186"),
            ]),
        ),
        (
            "gaps csf to sp800-53 (any set)",
            "gaps",
            a(&[
                ("fromScheme", "csf"),
                ("toScheme", "sp800-53"),
                ("setScheme", "*"),
            ]),
        ),
        (
            "cyber-ai-priority Secure 1",
            "cyber-ai-priority",
            a(&[("focus", "Secure"), ("priority", "1")]),
        ),
        (
            "withdrawn-migrations sp800-53",
            "withdrawn-migrations",
            a(&[("scheme", "sp800-53")]),
        ),
        ("mapping-sets", "mapping-sets", vec![]),
        ("documents", "documents", vec![]),
        ("stats-elements", "stats-elements", vec![]),
    ];
    for (label, name, args) in &cases {
        let q = named(name).expect("named query");
        // Every case has answers on the real sources: timing an empty answer measures nothing.
        assert!(
            !q.run(&db, args).expect("run").rows.is_empty(),
            "{label}: no rows"
        );
        g.bench_function(*label, |b| {
            b.iter(|| black_box(q.run(&db, args).expect("run").rows.len()))
        });
    }
    g.bench_function("answer::map GV.SC-07 --to sp800-53 (grouped)", |b| {
        b.iter(|| {
            black_box(
                answer::map(&db, "GV.SC-07", Some("sp800-53"), None, false)
                    .expect("map")
                    .len(),
            )
        })
    });
    // `crosswalk map GV.SC-07` over every set, without and with `--explain` (one
    // `mapping-explain` query for all answers; a query per answer took 1 min 45 s).
    let explained = answer::map(&db, "GV.SC-07", None, None, true).expect("map");
    assert!(
        explained.len() > 20 && explained.iter().all(|a| !a.explanation.is_empty()),
        "map GV.SC-07 --explain: {} answers",
        explained.len()
    );
    for (label, explain) in [
        ("map GV.SC-07, all sets", false),
        ("map GV.SC-07 explain, all sets", true),
    ] {
        g.bench_function(label, |b| {
            b.iter(|| {
                black_box(
                    answer::map(&db, "GV.SC-07", None, None, explain)
                        .expect("map")
                        .len(),
                )
            })
        });
    }
    g.bench_function(
        "answer::coverage csf by sp800-53 MODERATE (olir-186)",
        |b| b.iter(|| black_box(moderate_coverage(&db))),
    );
    g.finish();
}

/// The CLI's and server's case: the same lookups on a RocksDB store on disk, warm.
fn bench_disk(c: &mut Criterion) {
    let Some(dir) = sources() else { return };
    let tmp = tempfile::tempdir().expect("tempdir");
    let db = Db::open(tmp.path()).expect("disk store");
    let m = Manifest::builtin().expect("manifest");
    // Loaded here, not only by the reload benchmark: with a filter that skips it, the lookups
    // below would otherwise time an empty store.
    load::load(&db, &m, &dir, &[], &mut |_| {}).expect("load");
    let mut g = c.benchmark_group("disk");
    g.sample_size(10).measurement_time(Duration::from_secs(30));
    g.bench_function("load all sources on disk (RocksDB), with inference", |b| {
        b.iter(|| {
            load::load(&db, &m, &dir, &[], &mut |_| {}).expect("load");
        })
    });
    g.sample_size(20).measurement_time(Duration::from_secs(5));
    let crosswalk = named("crosswalk").expect("crosswalk");
    let args: Vec<(String, String)> = [
        ("key", "GV.SC-07"),
        ("toScheme", "sp800-53"),
        ("setScheme", "olir-186"),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect();
    // The acceptance answer (RA-9, SA-4, SA-9, SR-3, SR-6): a benchmark of the wrong answer
    // would be worthless.
    assert_eq!(crosswalk.run(&db, &args).expect("run").rows.len(), 5);
    g.bench_function("crosswalk GV.SC-07 to sp800-53 (olir-186)", |b| {
        b.iter(|| black_box(crosswalk.run(&db, &args).expect("run").rows.len()))
    });
    g.bench_function(
        "answer::coverage csf by sp800-53 MODERATE (olir-186)",
        |b| b.iter(|| black_box(moderate_coverage(&db))),
    );
    g.finish();
}

criterion_group!(benches, bench_queries, bench_load, bench_disk);
criterion_main!(benches);
