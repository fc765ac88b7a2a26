//! SHACL (ontology/shapes.ttl): the real graph has no violation, and the planted-fault fixture
//! gives exactly the results pyshacl gives (listed in the fixture's header; tests/interop.sh
//! re-runs pyshacl itself on both).
use crate::util;
use crosswalk::store::Db;

#[test]
fn the_loaded_graph_conforms_up_to_flagged_dangling_references() {
    let _ = require_sources!();
    let Some(db) = util::loaded() else { return };
    let results = crosswalk::answer::shacl::validate(db).expect("validate");
    let violations: Vec<_> = results
        .iter()
        .filter(|r| r.severity == "Violation")
        .collect();
    assert!(violations.is_empty(), "{violations:#?}");
    // The rest are the importers' flagged findings: mapping sides no loaded document defines
    // (Warning) and mapping sets naming a release that is not loaded (Info).
    assert!(
        results
            .iter()
            .all(|r| r.component == "ClassConstraintComponent")
    );
    let info: Vec<&str> = results
        .iter()
        .filter(|r| r.severity == "Info")
        .map(|r| r.focus.as_str())
        .collect();
    assert_eq!(
        info,
        [
            "https://w3id.org/crosswalk/doc/mapping/csf-2.0-reference-tool/sp-800-53-rev-5-1-1",
            "https://w3id.org/crosswalk/doc/mapping/csf-2.0-reference-tool/sp-800-53-rev-5-2-0",
            "https://w3id.org/crosswalk/doc/mapping/olir-186-csf-2.0-to-sp800-53-5.2.0",
        ]
    );
}

#[test]
fn planted_faults_give_pyshacl_s_thirteen_results() {
    let db = Db::memory().expect("db");
    let nt = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/shacl/bad.nt"
    ))
    .expect("fixture");
    db.inner()
        .load_from_slice(oxigraph::io::RdfFormat::NTriples, &nt)
        .expect("parse");
    let got: Vec<(String, String, String, String)> = crosswalk::answer::shacl::validate(&db)
        .expect("validate")
        .into_iter()
        .map(|r| {
            let short = |s: &str| s.rsplit(['#', '/']).next().unwrap_or(s).to_owned();
            (short(&r.focus), short(&r.path), r.component, r.severity)
        })
        .collect();
    let expected: Vec<(String, String, String, String)> = [
        ("bad", "scheme", "PatternConstraintComponent", "Violation"),
        (
            "bad",
            "thirdPartyExtraction",
            "DatatypeConstraintComponent",
            "Violation",
        ),
        (
            "ac-1",
            "notation",
            "MinCountConstraintComponent",
            "Violation",
        ),
        ("ac-1", "parent", "ClassConstraintComponent", "Violation"),
        ("inv", "basis", "MinCountConstraintComponent", "Violation"),
        ("inv", "style", "MaxCountConstraintComponent", "Violation"),
        ("r1", "object", "ClassConstraintComponent", "Warning"),
        ("r1", "object", "NodeKindConstraintComponent", "Violation"),
        ("r1", "relationship", "InConstraintComponent", "Violation"),
        (
            "r1",
            "sourceRow",
            "DatatypeConstraintComponent",
            "Violation",
        ),
        ("r1", "subject", "ClassConstraintComponent", "Warning"),
        ("r1", "subject", "MaxCountConstraintComponent", "Violation"),
        ("r2", "style", "MinCountConstraintComponent", "Violation"),
    ]
    .iter()
    .map(|(a, b, c, d)| (a.to_string(), b.to_string(), c.to_string(), d.to_string()))
    .collect();
    assert_eq!(got, expected);
}
