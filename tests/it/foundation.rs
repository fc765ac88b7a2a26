//! Issue 2 acceptance: the real NIST releases load with exact counts; ids resolve in NIST's
//! variant spellings; reloading is idempotent; a bad file changes nothing.
use crate::util;
use crate::util::{PREFIXES, count};
use crosswalk::load;
use crosswalk::query::Sparql;
use crosswalk::source::manifest::Manifest;
use crosswalk::store::Db;
use std::process::Command;

fn q(body: &str) -> String {
    format!("{PREFIXES}{body}")
}

const R501: &str = "<https://w3id.org/crosswalk/doc/sp800-53r5/5.0.1>";
const CSF: &str = "<https://w3id.org/crosswalk/doc/csf/2.0>";

fn kind_count(db: &Db, doc: &str, class: &str, withdrawn: Option<bool>) -> usize {
    let filter = match withdrawn {
        None => "",
        Some(true) => "?e cw:status cw:Withdrawn .",
        Some(false) => "MINUS { ?e cw:status cw:Withdrawn }",
    };
    count(
        db,
        &q(&format!(
            "SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE {{ ?e cw:definedBy {doc} ; a cw:{class} . {filter} }}"
        )),
    )
}

#[test]
fn sp800_53_5_0_1_counts() {
    let _d = require_sources!();
    let db = util::loaded().expect("loaded");
    let controls = kind_count(db, R501, "Control", None);
    let enh = kind_count(db, R501, "ControlEnhancement", None);
    assert_eq!(controls + enh, 1189);
    assert_eq!(controls, 322);
    assert_eq!(enh, 867);
    assert_eq!(kind_count(db, R501, "ControlFamily", None), 20);
    assert_eq!(
        kind_count(db, R501, "Control", Some(true))
            + kind_count(db, R501, "ControlEnhancement", Some(true)),
        182
    );
    assert_eq!(kind_count(db, R501, "Parameter", None), 1258);
}

#[test]
fn sp800_53_hierarchy_and_withdrawals() {
    let _d = require_sources!();
    let db = util::loaded().expect("loaded");
    let parent = util::column(
        db,
        &q(&format!(
            "SELECT ?p WHERE {{ ?e cw:definedBy {R501} ; skos:notation \"AC-2(1)\" ; cw:parent/skos:notation ?p }}"
        )),
        "p",
    );
    assert_eq!(parent, vec!["AC-2"]);
    let ra4 = util::column(
        db,
        &q(&format!(
            "SELECT ?t WHERE {{ ?e cw:definedBy {R501} ; skos:notation \"RA-4\" ; cw:status cw:Withdrawn ; cw:incorporatedInto/skos:notation ?t }}"
        )),
        "t",
    );
    assert_eq!(ra4, vec!["RA-3"]);
    // AC-2(10) went into statement item k of AC-2, which is an element of its own.
    let ac210 = util::column(db, &q(&format!(
        "SELECT ?local WHERE {{ ?e cw:definedBy {R501} ; skos:notation \"AC-2(10)\" ; cw:status cw:Withdrawn ;
           cw:incorporatedInto ?t . ?t a cw:StatementItem ; cw:localId ?local ; cw:parent/skos:notation \"AC-2\" }}"
    )), "local");
    assert_eq!(ac210, vec!["ac-2_smt.k"]);
}

#[test]
fn baselines_5_1_1_members() {
    let _d = require_sources!();
    let db = util::loaded().expect("loaded");
    let s = db
        .select(&q("SELECT ?label (COUNT(DISTINCT ?e) AS ?n) WHERE { ?e cw:inBaseline ?b . ?b a cw:Baseline ; rdfs:label ?label ; cw:version \"5.1.1\" } GROUP BY ?label ORDER BY ?label"), &[])
        .expect("query");
    let got: Vec<(String, String)> = s.strings("label").into_iter().zip(s.strings("n")).collect();
    let want = [
        ("HIGH", "370"),
        ("LOW", "149"),
        ("MODERATE", "287"),
        ("PRIVACY", "96"),
    ];
    assert_eq!(
        got,
        want.map(|(a, b)| (a.to_owned(), b.to_owned())).to_vec()
    );
}

#[test]
fn csf_2_0_counts_and_transition_links() {
    let _d = require_sources!();
    let db = util::loaded().expect("loaded");
    assert_eq!(kind_count(db, CSF, "Function", None), 6);
    assert_eq!(kind_count(db, CSF, "Category", Some(false)), 22);
    assert_eq!(kind_count(db, CSF, "Subcategory", Some(false)), 106);
    assert_eq!(kind_count(db, CSF, "Category", Some(true)), 12);
    assert_eq!(kind_count(db, CSF, "Subcategory", Some(true)), 79);
    assert_eq!(kind_count(db, CSF, "ImplementationExample", None), 363);
    let links = |class: &str, p: &str| {
        count(
            db,
            &q(&format!(
                "SELECT (COUNT(*) AS ?n) WHERE {{ ?e cw:definedBy {CSF} ; a cw:{class} ; cw:status cw:Withdrawn ; cw:{p} ?t . ?t cw:definedBy {CSF} }}"
            )),
        )
    };
    assert_eq!(links("Subcategory", "incorporatedInto"), 103);
    assert_eq!(links("Subcategory", "movedTo"), 24);
    assert_eq!(links("Category", "incorporatedInto"), 7);
    assert_eq!(links("Category", "movedTo"), 1);
}

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_crosswalk"))
}

fn run_ok(cmd: &mut Command) -> String {
    let out = cmd.output().expect("run crosswalk");
    assert!(
        out.status.success(),
        "{:?} failed: {}",
        cmd,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn show_accepts_nist_spellings_and_reload_is_idempotent_and_bad_files_change_nothing() {
    let dir = require_sources!();
    let tmp = tempfile::tempdir().expect("tempdir");
    let store = tmp.path().join("store");
    let ids = ["sp800-53r5-5.0.1", "csf-2.0", "sp800-53b-5.1.1-moderate"];
    let load = |sources: &std::path::Path| {
        let mut c = bin();
        c.arg("--store")
            .arg(&store)
            .arg("load")
            .arg("--sources")
            .arg(sources)
            .args(ids);
        c.output().expect("run")
    };
    let first = load(&dir);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let stats = || {
        run_ok(
            bin()
                .arg("--store")
                .arg(&store)
                .arg("stats")
                .arg("--format")
                .arg("csv"),
        )
    };
    let before = stats();
    let count_quads = || {
        run_ok(bin().arg("--store").arg(&store).args([
            "query",
            "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }",
            "--format",
            "csv",
        ]))
    };
    let quads = count_quads();

    // Same card for every spelling.
    let cards: Vec<String> = ["ac-02.01", "AC-2 (1)", "AC-2(1)"]
        .iter()
        .map(|id| run_ok(bin().arg("--store").arg(&store).arg("show").arg(id)))
        .collect();
    assert!(
        cards[0].starts_with("AC-2(1)  Automated System Account Management"),
        "{}",
        cards[0]
    );
    assert!(cards[0].contains("parent:    AC-2"));
    assert!(cards[0].contains("baselines: MODERATE"));
    assert_eq!(cards[0], cards[1]);
    assert_eq!(cards[1], cards[2]);

    // Loading again yields the same triples (provenance timestamps are replaced, not added).
    let again = load(&dir);
    assert!(again.status.success());
    assert_eq!(count_quads(), quads);
    assert_eq!(stats(), before);

    // A truncated catalog and a JSON file that is not OSCAL: non-zero exit, the message names
    // the file and the place, and nothing changes.
    let bad = tmp.path().join("bad");
    let csf_rel = "nist/csf2/NIST_CSF_v2.0_catalog.json";
    std::fs::create_dir_all(bad.join("nist/csf2")).expect("mkdir");
    std::fs::write(bad.join("nist/MANIFEST.md"), "fixture").expect("write");
    let good = std::fs::read(dir.join(csf_rel)).expect("read csf");
    std::fs::write(bad.join(csf_rel), &good[..good.len() / 2]).expect("write");
    let load_bad = || {
        bin()
            .arg("--store")
            .arg(&store)
            .args(["load", "--sources"])
            .arg(&bad)
            .arg("csf-2.0")
            .output()
            .expect("run")
    };
    let out = load_bad();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("NIST_CSF_v2.0_catalog.json") && err.contains("line"),
        "{err}"
    );
    assert!(err.contains("at $.catalog"), "{err}");
    std::fs::write(
        bad.join(csf_rel),
        br#"{"catalog": {"uuid": "x", "metadata": {"title": "t"}}}"#,
    )
    .expect("write");
    let out = load_bad();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("NIST_CSF_v2.0_catalog.json: at $.catalog.metadata: missing field `version`"),
        "{err}"
    );
    assert_eq!(count_quads(), quads);
    assert_eq!(stats(), before);

    // Every source is imported before anything is written: a good CSF catalog followed (in
    // manifest order) by a broken MODERATE profile leaves even the CSF graph untouched (its
    // load timestamp is the first load's).
    let stamp = || {
        run_ok(bin().arg("--store").arg(&store).args([
            "query",
            "--format",
            "csv",
            "SELECT ?t WHERE { GRAPH <https://w3id.org/crosswalk/graph/csf-2.0> { <https://w3id.org/crosswalk/graph/csf-2.0> <http://www.w3.org/ns/prov#generatedAtTime> ?t } }",
        ]))
    };
    let first_stamp = stamp();
    assert!(first_stamp.contains("20"), "{first_stamp}");
    std::fs::write(bad.join(csf_rel), &good).expect("write");
    let moderate = "nist/sp800-53r5/v5.1.1/NIST_SP-800-53_rev5_MODERATE-baseline_profile.json";
    std::fs::create_dir_all(bad.join("nist/sp800-53r5/v5.1.1")).expect("mkdir");
    std::fs::write(bad.join(moderate), b"{\"profile\": ").expect("write");
    let out = bin()
        .arg("--store")
        .arg(&store)
        .args(["load", "--sources"])
        .arg(&bad)
        .args(["csf-2.0", "sp800-53b-5.1.1-moderate"])
        .output()
        .expect("run");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("MODERATE-baseline_profile.json"), "{err}");
    assert_eq!(stamp(), first_stamp);
    assert_eq!(count_quads(), quads);
    assert_eq!(stats(), before);
}

#[test]
fn in_memory_load_reports_missing_sources() {
    let dir = require_sources!();
    let db = Db::memory().expect("db");
    let m = Manifest::builtin().expect("manifest");
    let report = load::load(
        &db,
        &m,
        &dir,
        &["sp800-53r5-5.2.0".into(), "csf-2.0".into()],
        &mut |_| {},
    )
    .expect("load");
    let missing: Vec<&str> = report.missing().map(|(id, _)| id).collect();
    assert_eq!(
        missing,
        vec!["sp800-53r5-5.2.0"],
        "5.2.0 is not in the offline sources"
    );
    assert_eq!(report.loaded().count(), 1);
}

/// On disk, a reload leaves graphs with an unchanged content digest alone; once something
/// else changed the store (as a SPARQL Update through `serve` does), the digests are dropped
/// and the next load rewrites and restores the graph.
#[test]
fn reload_skips_unchanged_graphs_until_the_store_is_edited() {
    let dir = require_sources!();
    let tmp = tempfile::tempdir().expect("tempdir");
    let db = Db::open(tmp.path()).expect("disk store");
    let m = Manifest::builtin().expect("manifest");
    let ids = ["sp800-53r5-5.0.1".to_owned(), "csf-2.0".to_owned()];
    let load = || load::load(&db, &m, &dir, &ids, &mut |_| {}).expect("load");
    let first = load();
    assert!(first.unchanged.is_empty());
    let quads = db.len().expect("len");
    let second = load();
    let csf = crosswalk::model::ids::graph_iri("csf-2.0");
    assert!(second.is_unchanged("csf-2.0") && second.is_unchanged("sp800-53r5-5.0.1"));
    assert!(
        second
            .unchanged
            .contains(&crosswalk::model::ids::inferred_graph())
    );
    assert_eq!(db.len().expect("len"), quads);

    let edit = format!(
        "DELETE WHERE {{ GRAPH <{}> {{ ?e <http://www.w3.org/2004/02/skos/core#notation> \"GV.SC-07\" }} }}",
        csf.as_str()
    );
    oxigraph::sparql::SparqlEvaluator::new()
        .parse_update(&edit)
        .expect("update")
        .on_store(db.inner())
        .execute()
        .expect("execute");
    db.forget_load_digests().expect("forget");
    let notation = format!(
        "{PREFIXES}SELECT (COUNT(*) AS ?n) WHERE {{ ?e skos:notation \"GV.SC-07\" ; cw:definedBy <https://w3id.org/crosswalk/doc/csf/2.0> }}"
    );
    let digests = format!("{PREFIXES}SELECT (COUNT(*) AS ?n) WHERE {{ ?g cw:loadDigest ?d }}");
    assert_eq!(count(&db, &notation), 0);
    assert_eq!(count(&db, &digests), 0);
    let third = load();
    assert!(!third.is_unchanged("csf-2.0"));
    assert_eq!(count(&db, &notation), 1);
    assert_eq!(count(&db, &digests), 4, "ontology, two sources, inferred");
    assert_eq!(db.len().expect("len"), quads);
}

/// In memory the write runs on a second thread while later sources import: a good CSF catalog
/// followed by a broken MODERATE profile must still leave every quad as it was (the writer's
/// transaction, which had already replaced the CSF graph, is rolled back), and the store must
/// take the next good load.
#[test]
fn a_broken_later_source_leaves_a_memory_store_exactly_as_it_was() {
    let dir = require_sources!();
    let db = Db::memory().expect("db");
    let m = Manifest::builtin().expect("manifest");
    load::load(&db, &m, &dir, &["csf-2.0".into()], &mut |_| {}).expect("load");
    let all = |db: &Db| -> std::collections::BTreeSet<String> {
        db.inner()
            .iter()
            .map(|q| q.expect("quad").to_string())
            .collect()
    };
    let before = all(&db);
    assert!(before.len() > 6_000, "{}", before.len());

    let tmp = tempfile::tempdir().expect("tempdir");
    let csf = "nist/csf2/NIST_CSF_v2.0_catalog.json";
    let moderate = "nist/sp800-53r5/v5.1.1/NIST_SP-800-53_rev5_MODERATE-baseline_profile.json";
    for (rel, bytes) in [
        (csf, std::fs::read(dir.join(csf)).expect("read csf")),
        (moderate, b"{\"profile\": ".to_vec()),
    ] {
        let p = tmp.path().join(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, bytes).expect("write");
    }
    let err = load::load(
        &db,
        &m,
        tmp.path(),
        &["csf-2.0".into(), "sp800-53b-5.1.1-moderate".into()],
        &mut |_| {},
    )
    .expect_err("a truncated profile must fail the load");
    assert!(
        err.to_string().contains("MODERATE-baseline_profile.json"),
        "{err}"
    );
    assert_eq!(all(&db), before, "the failed load changed the memory store");

    let report = load::load(&db, &m, &dir, &["csf-2.0".into()], &mut |_| {}).expect("reload");
    assert_eq!(report.loaded().count(), 1);
    assert_eq!(all(&db).len(), before.len());
}

/// On disk, a changed `graph/inferred` is updated by its difference from what the facts before
/// the load derive (verified against the recorded digest) instead of being read back. The
/// result must be exactly a fresh derivation from the store, with one digest quad.
#[test]
fn a_changed_inferred_graph_on_disk_ends_up_exactly_as_derived() {
    let dir = require_sources!();
    let tmp = tempfile::tempdir().expect("tempdir");
    let db = Db::open(tmp.path()).expect("disk store");
    let m = Manifest::builtin().expect("manifest");
    let ids = [
        "sp800-53r5-5.0.1".to_owned(),
        "csf-2.0".to_owned(),
        "olir-csf2-sp800-53-5.2.0".to_owned(),
    ];
    load::load(&db, &m, &dir, &ids, &mut |_| {}).expect("load");
    let inferred = crosswalk::model::ids::inferred_graph();
    // Every inferred partition's triples (graph/inferred and a user set's), and the number of
    // digest quads in `graph`.
    let content = |db: &Db, graph: &oxigraph::model::NamedNode| {
        let mut digests = 0;
        let mut set = std::collections::BTreeSet::new();
        for q in db.inner().quads_for_pattern(
            None,
            None,
            None,
            Some(oxigraph::model::GraphNameRef::NamedNode(graph.as_ref())),
        ) {
            let q = q.expect("quad");
            if q.predicate.as_ref() == crosswalk::model::vocab::cw::LOAD_DIGEST {
                digests += 1;
            } else {
                set.insert(oxigraph::model::Triple::from(q).to_string());
            }
        }
        (set, digests)
    };
    let derived = |db: &Db| -> std::collections::BTreeSet<String> {
        let facts = crosswalk::model::facts::Facts::from_store(db, &[]).expect("facts");
        crosswalk::load::infer::derive(&facts)
            .expect("derive")
            .0
            .into_iter()
            .flat_map(|(_, q)| q)
            .map(|q| oxigraph::model::Triple::from(q).to_string())
            .collect()
    };
    let (before, digests) = content(&db, &inferred);
    assert_eq!(digests, 1, "the first load records a digest");
    assert_eq!(before, derived(&db));

    // A user's set: its inferences go to its own partition; graph/inferred is left as it was.
    let file = format!(
        "{}/tests/fixtures/check/faults.sssom.tsv",
        env!("CARGO_MANIFEST_DIR")
    );
    crosswalk::load::user_set::load_all(
        &db,
        &[crosswalk::load::user_set::Spec {
            file: file.into(),
            name: None,
            focal: "csf".into(),
            reference: "sp800-53".into(),
            reference_version: None,
            status: crosswalk::source::manifest::DocStatus::Draft,
        }],
    )
    .expect("user set");
    let part = oxigraph::model::NamedNode::new_unchecked(
        "https://w3id.org/crosswalk/graph/inferred/mapping/user/faults",
    );
    let (unchanged, digests) = content(&db, &inferred);
    let diff: Vec<_> = unchanged.symmetric_difference(&before).take(8).collect();
    assert_eq!((unchanged == before, digests), (true, 1), "{diff:#?}");
    let (user, digests) = content(&db, &part);
    assert_eq!(digests, 1, "the partition records its digest");
    assert!(!user.is_empty() && user.is_disjoint(&before));
    assert_eq!(
        before
            .union(&user)
            .cloned()
            .collect::<std::collections::BTreeSet<_>>(),
        derived(&db)
    );

    // A NIST source next to them changes graph/inferred itself: it is changed by its
    // difference (compared with the derivation before the load, verified by its digest).
    load::load(&db, &m, &dir, &["csf-1.1-to-2.0".to_owned()], &mut |_| {}).expect("load");
    let (after, digests) = content(&db, &inferred);
    assert_eq!(digests, 1, "one digest quad, the new one");
    assert!(
        after.len() > before.len(),
        "{} → {}",
        before.len(),
        after.len()
    );
    let (user_after, _) = content(&db, &part);
    assert_eq!(
        after
            .union(&user_after)
            .cloned()
            .collect::<std::collections::BTreeSet<_>>(),
        derived(&db)
    );
    assert!(after.is_disjoint(&user_after), "each inferred triple once");
}

/// Issue 16: readers never write and never crash. With `serve` holding an on-disk store, `show`
/// and `query` work beside it (read-only, shared lock), a `load` exits 1 naming the store and
/// the server's pid; once the server is gone the load goes through. Names are checked: a
/// lower-case baseline answers as the upper-case one, a mistyped set exits 1 with the closest
/// name, and `--store URL` is refused without creating a directory.
#[test]
fn readers_share_a_store_with_serve_a_writer_is_refused_and_names_are_checked() {
    let dir = require_sources!();
    let tmp = tempfile::tempdir().expect("tempdir");
    let store = tmp.path().join("store");
    let ids = [
        "sp800-53r5-5.0.1",
        "csf-2.0",
        "sp800-53b-5.1.1-moderate",
        "olir-csf2-sp800-53-5.2.0",
    ];
    let out = bin()
        .arg("--store")
        .arg(&store)
        .arg("load")
        .arg("--sources")
        .arg(&dir)
        .args(ids)
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let log = tmp.path().join("serve.log");
    let mut server = bin()
        .arg("--store")
        .arg(&store)
        .args(["serve", "--bind", "127.0.0.1:0"])
        .stdout(std::process::Stdio::null())
        .stderr(std::fs::File::create(&log).expect("log"))
        .spawn()
        .expect("serve");
    let mut up = false;
    for _ in 0..300 {
        if std::fs::read_to_string(&log).is_ok_and(|l| l.contains("serving")) {
            up = true;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let run = |args: &[&str]| {
        let o = bin()
            .arg("--store")
            .arg(&store)
            .args(args)
            .output()
            .expect("run");
        (
            o.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&o.stdout).into_owned(),
            String::from_utf8_lossy(&o.stderr).into_owned(),
        )
    };
    let pid = server.id().to_string();
    let results = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        assert!(
            up,
            "server did not start: {:?}",
            std::fs::read_to_string(&log)
        );
        let (code, out, err) = run(&["show", "AC-2"]);
        assert_eq!(code, 0, "{err}");
        assert!(out.starts_with("AC-2  Account Management"), "{out}");
        let (code, out, err) = run(&["map", "GV.SC-07", "--to", "sp800-53", "--set", "olir-186"]);
        assert_eq!(code, 0, "{err}");
        assert!(out.contains("5 answer(s) for GV.SC-07"), "{out}");
        let (code, _, err) = run(&["load", "--sources", dir.to_str().unwrap_or(""), "csf-2.0"]);
        assert_eq!(code, 1, "{err}");
        assert!(
            err.contains(&store.display().to_string())
                && err.contains("in use")
                && err.contains(&format!("pid {pid} (crosswalk serve")),
            "{err}"
        );
        // Names: `moderate` is MODERATE; a mistyped set is an error with the closest name.
        let cov = |baseline: &str| {
            run(&[
                "coverage",
                "--from",
                "csf",
                "--to",
                "sp800-53",
                "--baseline",
                baseline,
                "--set",
                "olir-186",
            ])
        };
        let (code, lower, err) = cov("moderate");
        assert_eq!(code, 0, "{err}");
        assert_eq!(lower, cov("MODERATE").1);
        assert!(lower.contains("97 of 106 csf elements covered by sp800-53 in the MODERATE baseline (set olir-186): 91.5%"), "{lower}");
        let (code, _, err) = run(&[
            "coverage",
            "--from",
            "csf",
            "--to",
            "sp800-53",
            "--baseline",
            "MODERATE",
            "--set",
            "olir186",
        ]);
        assert_eq!(code, 1, "{err}");
        assert!(
            err.contains("unknown mapping set `olir186`; did you mean `olir-186`?"),
            "{err}"
        );
        let (code, _, err) = cov("moderat");
        assert_eq!(code, 1, "{err}");
        assert!(err.contains("did you mean `MODERATE`?"), "{err}");
    }));
    let _ = server.kill();
    let _ = server.wait();
    if let Err(p) = results {
        std::panic::resume_unwind(p);
    }
    // The server is gone: the writer goes through.
    let (code, _, err) = run(&["load", "--sources", dir.to_str().unwrap_or(""), "csf-2.0"]);
    assert_eq!(code, 0, "{err}");
    // A URL is not a store: refused, and no directory named `http:` appears.
    let o = bin()
        .current_dir(tmp.path())
        .args(["--store", "http://127.0.0.1:9/sparql", "show", "AC-2"])
        .output()
        .expect("run");
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--store takes a directory, not a URL"));
    assert!(!tmp.path().join("http:").exists());
}

/// Issue 17: shell completions, a man page, `--format` as a closed set that takes media types,
/// `-` for standard input, and `-p` binding the `# param:` header of a query file.
#[test]
fn completions_man_page_formats_stdin_and_file_parameters() {
    use std::io::Write;
    let out = bin().args(["completions", "bash"]).output().expect("run");
    assert!(out.status.success());
    let script = tempfile::NamedTempFile::new().expect("tmp");
    std::fs::write(script.path(), &out.stdout).expect("write");
    let syntax = std::process::Command::new("bash")
        .arg("-n")
        .arg(script.path())
        .status()
        .expect("bash -n");
    assert!(syntax.success());
    for shell in ["zsh", "fish", "powershell"] {
        let o = bin().args(["completions", shell]).output().expect("run");
        assert!(o.status.success() && !o.stdout.is_empty(), "{shell}");
    }
    let man = run_ok(bin().arg("man"));
    assert!(
        man.starts_with(".ie") || man.contains(".TH crosswalk 1"),
        "{}",
        &man[..200.min(man.len())]
    );
    assert!(man.contains("coverage") && man.contains("completions"));
    // A closed set of formats: an unknown one is refused with the valid values.
    let o = bin()
        .args(["query", "ASK {}", "--format", "yaml"])
        .output()
        .expect("run");
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("sparql-json"));

    let dir = require_sources!();
    let tmp = tempfile::tempdir().expect("tempdir");
    let store = tmp.path().join("store");
    let o = bin()
        .arg("--store")
        .arg(&store)
        .args(["load", "--sources"])
        .arg(&dir)
        .args(["sp800-53r5-5.0.1", "csf-2.0"])
        .output()
        .expect("load");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let file = tmp.path().join("q.rq");
    std::fs::write(
        &file,
        "PREFIX cw: <https://w3id.org/crosswalk/ontology#>\n# param: element=?key (element key) an id\nSELECT ?e WHERE { ?e cw:lookupKey ?key }\n",
    )
    .expect("write");
    let at = format!("@{}", file.display());
    let csv = run_ok(bin().arg("--store").arg(&store).args([
        "query",
        &at,
        "-p",
        "element=ac-02",
        "-f",
        "text/csv",
    ]));
    assert_eq!(
        csv,
        "e\nhttps://w3id.org/crosswalk/id/sp800-53r5/5.0.1/ac-2\n"
    );
    let o = bin()
        .arg("--store")
        .arg(&store)
        .args(["query", &at, "-p", "x=1"])
        .output()
        .expect("run");
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("unknown parameter `x`"));
    let mut child = bin()
        .arg("--store")
        .arg(&store)
        .args(["query", "-", "-p", "element=GV.SC-07", "-f", "srj"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(&std::fs::read(&file).expect("read"))
        .expect("write stdin");
    let o = child.wait_with_output().expect("wait");
    assert!(o.status.success());
    assert!(
        String::from_utf8_lossy(&o.stdout)
            .contains("https://w3id.org/crosswalk/id/csf/2.0/GV.SC-07")
    );
}
