//! The AI sources: AI RMF 1.0 Core, the AI RMF Playbook (attached to the AI RMF subcategories)
//! and AI 600-1 (risks and suggested actions linked to AI RMF subcategories and risks).
//! Expected numbers are recomputed from the source files where that is simple.
use crate::util;
use crate::util::{PREFIXES, column, count};
use crosswalk::import::InputFile;
use crosswalk::load;
use crosswalk::model::error::Error;
use crosswalk::model::resolve::Resolver;
use crosswalk::source::manifest::Manifest;
use crosswalk::store::Db;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const AI_RMF: &str = "<https://w3id.org/crosswalk/doc/ai-rmf/1.0>";
const PLAYBOOK: &str = "<https://w3id.org/crosswalk/doc/ai-rmf-playbook/2023>";
const GENAI: &str = "<https://w3id.org/crosswalk/doc/ai-600-1/2024>";

fn q(body: &str) -> String {
    format!("{PREFIXES}{body}")
}

fn json(dir: &Path, rel: &str) -> serde_json::Value {
    let bytes = std::fs::read(dir.join(rel)).expect("read source file");
    serde_json::from_slice(&bytes).expect("source JSON")
}

fn csv_action_ids(dir: &Path) -> Vec<String> {
    let path = dir.join("ai/genai-profile/ibm-risk-atlas-nexus_actions_extracted_from_nist.csv");
    let mut rdr = csv::Reader::from_path(path).expect("csv");
    let headers = rdr.headers().expect("headers").clone();
    let col = headers
        .iter()
        .position(|h| h == "NIST Action ID")
        .expect("id column");
    rdr.records()
        .map(|r| r.expect("record")[col].trim().to_owned())
        .filter(|id| !id.is_empty())
        .collect()
}

fn class_count(db: &Db, doc: &str, class: &str) -> usize {
    count(
        db,
        &q(&format!(
            "SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE {{ ?e cw:definedBy {doc} ; a cw:{class} }}"
        )),
    )
}

#[test]
fn ai_rmf_core_counts_and_hierarchy() {
    let dir = require_sources!();
    let db = util::loaded().expect("loaded");
    let core = json(&dir, "ai/ai-rmf/ai-rmf-core.json");
    let len = |k: &str| core[k].as_array().map(Vec::len).unwrap_or(0);
    assert_eq!(class_count(db, AI_RMF, "Function"), 4);
    assert_eq!(class_count(db, AI_RMF, "Function"), len("functions"));
    assert_eq!(class_count(db, AI_RMF, "Category"), 19);
    assert_eq!(class_count(db, AI_RMF, "Category"), len("categories"));
    assert_eq!(class_count(db, AI_RMF, "Subcategory"), 72);
    assert_eq!(class_count(db, AI_RMF, "Subcategory"), len("subcategories"));

    // Subcategories per function, via the parent chain subcategory → category → function.
    let s = column(
        db,
        &q(&format!(
            "SELECT ?f (COUNT(DISTINCT ?s) AS ?n) WHERE {{
           ?s a cw:Subcategory ; cw:definedBy {AI_RMF} ; cw:parent ?c .
           ?c a cw:Category ; cw:parent ?fn . ?fn a cw:Function ; skos:notation ?f }}
         GROUP BY ?f ORDER BY ?f"
        )),
        "f",
    );
    let n = column(
        db,
        &q(&format!(
            "SELECT ?f (COUNT(DISTINCT ?s) AS ?n) WHERE {{
           ?s a cw:Subcategory ; cw:definedBy {AI_RMF} ; cw:parent ?c .
           ?c a cw:Category ; cw:parent ?fn . ?fn a cw:Function ; skos:notation ?f }}
         GROUP BY ?f ORDER BY ?f"
        )),
        "n",
    );
    let got: BTreeMap<String, usize> = s
        .into_iter()
        .zip(n.iter().map(|v| v.parse().expect("count")))
        .collect();
    let mut want: BTreeMap<String, usize> = BTreeMap::new();
    for sc in core["subcategories"].as_array().expect("subcategories") {
        *want
            .entry(sc["function"].as_str().expect("function").to_owned())
            .or_default() += 1;
    }
    assert_eq!(got, want);
    let fixed: BTreeMap<String, usize> =
        [("GOVERN", 19), ("MANAGE", 13), ("MAP", 18), ("MEASURE", 22)]
            .map(|(k, v)| (k.to_owned(), v))
            .into();
    assert_eq!(got, fixed);

    // Every element has a statement, a sort key and a page.
    for prop in ["cw:statement", "cw:sortKey", "cw:page"] {
        assert_eq!(
            count(
                db,
                &q(&format!(
                    "SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE {{ ?e cw:definedBy {AI_RMF} ; {prop} ?v }}"
                ))
            ),
            95,
            "{prop}"
        );
    }
    let gv = column(
        db,
        &q(&format!(
            "SELECT ?t WHERE {{ ?e cw:definedBy {AI_RMF} ; skos:notation \"GOVERN\" ; dcterms:title ?t }}"
        )),
        "t",
    );
    assert_eq!(gv, ["Govern"]);
    let gv11 = column(db, &q(&format!(
        "SELECT ?s WHERE {{ ?e cw:definedBy {AI_RMF} ; skos:notation \"GOVERN 1.1\" ; cw:statement ?s ;
           cw:parent/skos:notation \"GOVERN 1\" }}"
    )), "s");
    assert_eq!(
        gv11,
        ["Legal and regulatory requirements involving AI are understood, managed, and documented."]
    );
    // IRIs use the printed id.
    let iri = column(
        db,
        &q(&format!(
            "SELECT ?e WHERE {{ ?e cw:definedBy {AI_RMF} ; skos:notation \"MEASURE 2.10\" }}"
        )),
        "e",
    );
    assert_eq!(
        iri,
        ["https://w3id.org/crosswalk/id/ai-rmf/1.0/MEASURE%202.10"]
    );
    // Publisher order: MEASURE 2.9 sorts before MEASURE 2.10.
    let order = column(db, &q(&format!(
        "SELECT ?nt WHERE {{ ?e cw:definedBy {AI_RMF} ; a cw:Subcategory ; skos:notation ?nt ; cw:sortKey ?k
           FILTER(STRSTARTS(?nt, \"MEASURE 2.\")) }} ORDER BY ?k"
    )), "nt");
    let pos = |s: &str| order.iter().position(|x| x == s).expect("present");
    assert!(pos("MEASURE 2.9") < pos("MEASURE 2.10"));
}

#[test]
fn playbook_attaches_to_every_subcategory() {
    let dir = require_sources!();
    let db = util::loaded().expect("loaded");
    let pb = json(&dir, "ai/ai-rmf-playbook/playbook.json");
    let entries = pb.as_array().expect("array");
    assert_eq!(entries.len(), 72);
    for prop in [
        "cw:about",
        "cw:suggestedActions",
        "cw:documentationQuestions",
        "cw:references",
    ] {
        let n = count(
            db,
            &q(&format!(
                "SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE {{ ?e a cw:Subcategory ; cw:definedBy {AI_RMF} ; {prop} ?v }}"
            )),
        );
        assert_eq!(n, 72, "{prop}");
        assert_eq!(n, entries.len(), "{prop}");
    }
    // Actors and topics, as NIST lists them.
    let actors: BTreeSet<(String, String)> = entries
        .iter()
        .flat_map(|e| {
            let t = e["title"].as_str().expect("title").to_owned();
            e["AI Actors"]
                .as_array()
                .expect("actors")
                .iter()
                .map(move |a| (t.clone(), a.as_str().expect("actor").to_owned()))
        })
        .collect();
    let n_actor = count(
        db,
        &q(&format!(
            "SELECT (COUNT(*) AS ?n) WHERE {{ ?e a cw:Subcategory ; cw:definedBy {AI_RMF} ; cw:aiActor ?a }}"
        )),
    );
    assert_eq!(n_actor, actors.len());
    let no_actor = count(
        db,
        &q(&format!(
            "SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE {{ ?e a cw:Subcategory ; cw:definedBy {AI_RMF} MINUS {{ ?e cw:aiActor ?a }} }}"
        )),
    );
    assert_eq!(no_actor, 8);
    let topics: BTreeSet<&str> = entries
        .iter()
        .flat_map(|e| {
            e["Topic"]
                .as_array()
                .expect("topics")
                .iter()
                .filter_map(|t| t.as_str())
        })
        .collect();
    let n_topics = count(
        db,
        &q(&format!(
            "SELECT (COUNT(DISTINCT ?t) AS ?n) WHERE {{ ?e a cw:Subcategory ; cw:definedBy {AI_RMF} ; cw:topic ?t }}"
        )),
    );
    assert_eq!(n_topics, topics.len());
    assert_eq!(n_topics, 46);
    let gv11 = column(
        db,
        &q(&format!(
            "SELECT ?a WHERE {{ ?e cw:definedBy {AI_RMF} ; skos:notation \"GOVERN 1.1\" ; cw:aiActor ?a }}"
        )),
        "a",
    );
    assert_eq!(gv11, ["Governance and Oversight"]);
    // The Playbook's triples live in its own graph, and it defines no elements.
    assert_eq!(
        count(
            db,
            &q(
                "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <https://w3id.org/crosswalk/graph/ai-rmf-playbook> { ?e cw:about ?v } }"
            )
        ),
        72
    );
    assert_eq!(
        count(
            db,
            &q(&format!(
                "SELECT (COUNT(*) AS ?n) WHERE {{ ?e cw:definedBy {PLAYBOOK} }}"
            ))
        ),
        0
    );
    assert_eq!(
        count(
            db,
            &q(&format!(
                "SELECT (COUNT(*) AS ?n) WHERE {{ {PLAYBOOK} cw:profileOf {AI_RMF} }}"
            ))
        ),
        1
    );
}

#[test]
fn genai_profile_risks_and_actions() {
    let dir = require_sources!();
    let db = util::loaded().expect("loaded");
    let ids = csv_action_ids(&dir);
    let distinct: BTreeSet<&str> = ids.iter().map(String::as_str).collect();
    assert_eq!(distinct.len(), 212);
    assert_eq!(class_count(db, GENAI, "Risk"), 12);
    assert_eq!(class_count(db, GENAI, "SuggestedAction"), 212);
    assert_eq!(class_count(db, GENAI, "SuggestedAction"), distinct.len());

    // Every action belongs to a resolved AI RMF subcategory, by cw:actionOf and cw:parent.
    let subs = count(db, &q(&format!(
        "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?a a cw:SuggestedAction ; cw:definedBy {GENAI} ; cw:actionOf ?s ; cw:parent ?s .
           ?s a cw:Subcategory ; cw:definedBy {AI_RMF} }}"
    )));
    let want_subs: BTreeSet<&str> = distinct
        .iter()
        .filter_map(|id| id.rsplit_once('-').map(|(s, _)| s))
        .collect();
    assert_eq!(subs, 49);
    assert_eq!(subs, want_subs.len());
    assert_eq!(
        count(db, &q(&format!(
            "SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE {{ ?a a cw:SuggestedAction ; cw:definedBy {GENAI} ; cw:actionOf ?s .
               ?s cw:definedBy {AI_RMF} }}"
        ))),
        212
    );
    let gv = column(
        db,
        &q(&format!(
            "SELECT ?s WHERE {{ ?a cw:definedBy {GENAI} ; skos:notation \"GV-1.1-001\" ; cw:actionOf/skos:notation ?s }}"
        )),
        "s",
    );
    assert_eq!(gv, ["GOVERN 1.1"]);

    // Function counts, from the action ids and from the graph's parent chain.
    let by_fn = |func: &str| {
        count(db, &q(&format!(
            "SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE {{ ?a a cw:SuggestedAction ; cw:definedBy {GENAI} ;
               cw:actionOf/cw:parent/cw:parent/skos:notation \"{func}\" }}"
        )))
    };
    let tag = |t: &str| {
        distinct
            .iter()
            .filter(|id| id.starts_with(&format!("{t}-")))
            .count()
    };
    for (t, func, n) in [
        ("GV", "GOVERN", 58),
        ("MP", "MAP", 39),
        ("MS", "MEASURE", 72),
        ("MG", "MANAGE", 43),
    ] {
        assert_eq!(by_fn(func), n, "{func}");
        assert_eq!(tag(t), n, "{t}");
    }

    // Risk links come from the actions YAML.
    let yaml = std::fs::read_to_string(
        dir.join("ai/genai-profile/ibm-risk-atlas-nexus_nist_ai_rmf_actions_data.yaml"),
    )
    .expect("yaml");
    let with_risk_yaml = yaml
        .lines()
        .filter(|l| l.trim_start() == "hasRelatedRisk:")
        .count();
    let with_risk = count(db, &q(&format!(
        "SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE {{ ?a a cw:SuggestedAction ; cw:definedBy {GENAI} ; cw:relatedRisk ?r .
           ?r a cw:Risk ; cw:definedBy {GENAI} }}"
    )));
    assert_eq!(with_risk, 192);
    assert_eq!(with_risk, with_risk_yaml);
    let gv11_risks = column(
        db,
        &q(&format!(
            "SELECT ?r WHERE {{ ?a cw:definedBy {GENAI} ; skos:notation \"GV-1.1-001\" ; cw:relatedRisk/skos:notation ?r }} ORDER BY ?r"
        )),
        "r",
    );
    assert_eq!(gv11_risks, ["Data Privacy", "Intellectual Property"]);

    // Risks: notation = name, title and statement.
    let risk = column(
        db,
        &q(&format!(
        "SELECT ?t WHERE {{ ?r a cw:Risk ; cw:definedBy {GENAI} ; cw:localId \"nist-data-privacy\" ;
           skos:notation \"Data Privacy\" ; dcterms:title ?t ; cw:statement ?s }}"
    )),
        "t",
    );
    assert_eq!(risk, ["Data Privacy"]);

    // Texts and actor tasks: the CSV's stray closing quotes and Mac Roman "ﬀ" are repaired.
    let text = column(
        db,
        &q(&format!(
            "SELECT ?s WHERE {{ ?a cw:definedBy {GENAI} ; skos:notation \"GV-6.1-002\" ; cw:statement ?s }}"
        )),
        "s",
    );
    assert_eq!(text.len(), 1);
    assert!(text[0].ends_with("managing GAI risks."), "{text:?}");
    let actors = column(
        db,
        &q(&format!(
            "SELECT DISTINCT ?x WHERE {{ ?a cw:definedBy {GENAI} ; a cw:SuggestedAction ; cw:aiActor ?x }} ORDER BY ?x"
        )),
        "x",
    );
    assert!(
        actors.iter().all(|a| !a.contains('Ô') && a == a.trim()),
        "{actors:?}"
    );
    assert!(actors.contains(&"Affected Individuals and Communities".to_owned()));
    assert!(!actors.contains(&"third-party entities".to_owned()));
    assert_eq!(
        count(
            db,
            &q(&format!(
                "SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE {{ ?a a cw:SuggestedAction ; cw:definedBy {GENAI} ; cw:aiActor ?x }}"
            ))
        ),
        212
    );
    assert_eq!(
        count(
            db,
            &q(&format!(
                "SELECT (COUNT(*) AS ?n) WHERE {{ {GENAI} cw:profileOf {AI_RMF} }}"
            ))
        ),
        1
    );
}

#[test]
fn documents_record_third_party_extraction() {
    let _dir = require_sources!();
    let db = util::loaded().expect("loaded");
    let flag = |doc: &str| {
        column(
            db,
            &q(&format!(
                "SELECT ?v WHERE {{ {doc} a cw:Document ; cw:thirdPartyExtraction ?v }}"
            )),
            "v",
        )
    };
    assert_eq!(flag(AI_RMF), ["true"]);
    assert_eq!(flag(GENAI), ["true"]);
    assert_eq!(flag(PLAYBOOK), ["false"]);
    let by = column(
        db,
        &q(&format!("SELECT ?v WHERE {{ {GENAI} cw:extractedBy ?v }}")),
        "v",
    );
    assert_eq!(by, ["IBM risk-atlas-nexus"]);
    assert_eq!(
        count(
            db,
            &q(&format!(
                "SELECT (COUNT(*) AS ?n) WHERE {{ {PLAYBOOK} cw:extractedBy ?v }}"
            ))
        ),
        0
    );
}

#[test]
fn genai_load_warnings_report_the_yaml_gaps() {
    let _dir = require_sources!();
    let db = util::loaded().expect("loaded");
    let w = column(
        db,
        &q(
            "SELECT ?w WHERE { <https://w3id.org/crosswalk/graph/genai-profile> cw:loadWarning ?w }",
        ),
        "w",
    );
    // IBM's YAML links no action to these two risks although the CSV prints them.
    assert_eq!(w.len(), 2, "{w:?}");
    assert!(
        w.iter().any(|x| x.contains("nist-environmental-impacts")),
        "{w:?}"
    );
    assert!(
        w.iter()
            .any(|x| x.contains("nist-harmful-bias-or-homogenization")),
        "{w:?}"
    );
    for g in ["ai-rmf-1.0", "ai-rmf-playbook"] {
        let w = column(
            db,
            &q(&format!(
                "SELECT ?w WHERE {{ <https://w3id.org/crosswalk/graph/{g}> cw:loadWarning ?w }}"
            )),
            "w",
        );
        assert!(w.is_empty(), "{g}: {w:?}");
    }
}

fn files(dir: &Path, m: &Manifest, id: &str) -> Vec<InputFile> {
    let source = m.get(id).expect("source");
    let paths: Vec<PathBuf> = source.locate(dir).expect("files present");
    source
        .files
        .iter()
        .zip(paths)
        .map(|(f, p)| {
            let bytes = std::fs::read(&p).expect("read");
            InputFile {
                sha256: load::sha256_hex(&bytes),
                path: p,
                bytes,
                role: f.role.clone(),
            }
        })
        .collect()
}

#[test]
fn profiles_need_the_ai_rmf_loaded_first() {
    let dir = require_sources!();
    let m = Manifest::builtin().expect("manifest");
    let db = Db::memory().expect("store");
    let empty = Resolver::default();
    for id in ["ai-rmf-playbook", "genai-profile"] {
        let source = m.get(id).expect("source");
        let err = load::import_source(source, &files(&dir, &m, id), &empty).expect_err("error");
        assert!(matches!(err, Error::NotFound(_)), "{id}: {err}");
        assert!(err.to_string().contains("ai-rmf-1.0"), "{id}: {err}");
    }
    assert_eq!(db.len().expect("len"), 0);
}

#[test]
fn parse_errors_name_file_and_place() {
    let dir = require_sources!();
    let m = Manifest::builtin().expect("manifest");
    let db = Db::memory().expect("store");
    let source = m.get("genai-profile").expect("source");
    let resolver = Resolver::default();

    // A risk whose name is a list instead of a string.
    let mut fs = files(&dir, &m, "genai-profile");
    let risks = fs
        .iter_mut()
        .find(|f| f.role.as_deref() == Some("risks"))
        .expect("risks file");
    risks.bytes = b"risks:\n- id: nist-x\n  name: [a, b]\n".to_vec();
    let err = load::import_source(source, &fs, &resolver).expect_err("error");
    match &err {
        Error::Parse { file, location, .. } => {
            assert!(
                file.ends_with("ibm-risk-atlas-nexus_nist_ai_rmf_data.yaml"),
                "{err}"
            );
            assert_eq!(location, "$.risks[0].name", "{err}");
        }
        other => panic!("expected a parse error, got {other}"),
    }

    // A CSV row with a malformed action id.
    let mut fs = files(&dir, &m, "genai-profile");
    let csv = fs
        .iter_mut()
        .find(|f| f.role.as_deref() == Some("actions-csv"))
        .expect("csv file");
    csv.bytes =
        b"NIST Action ID,NIST Title,AI Actor Tasks\nGV-1.1-001,Text,TEVV\nbogus,Text,TEVV\n"
            .to_vec();
    let err = load::import_source(source, &fs, &resolver).expect_err("error");
    match &err {
        Error::Parse { file, location, .. } => {
            assert!(
                file.ends_with("ibm-risk-atlas-nexus_actions_extracted_from_nist.csv"),
                "{err}"
            );
            assert_eq!(location, "line 3", "{err}");
        }
        other => panic!("expected a parse error, got {other}"),
    }

    // An AI RMF subcategory whose id is not an AI RMF id.
    let source = m.get("ai-rmf-1.0").expect("source");
    let mut fs = files(&dir, &m, "ai-rmf-1.0");
    let text = String::from_utf8(fs[0].bytes.clone())
        .expect("utf-8")
        .replacen("\"GOVERN 1.1\"", "\"GOVERN one\"", 1);
    fs[0].bytes = text.into_bytes();
    let err = load::import_source(source, &fs, &resolver).expect_err("error");
    match &err {
        Error::Parse { location, .. } => assert_eq!(location, "$.subcategories[0].id", "{err}"),
        other => panic!("expected a parse error, got {other}"),
    }
    assert_eq!(db.len().expect("len"), 0);
}
