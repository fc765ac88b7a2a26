//! The Cyber AI Profile (IR 8596 iprd) and the COSAiS predictive-AI outline, loaded from the
//! visua extractions; expected values are recomputed from the JSON files independently.
use crate::util;

use crate::util::{PREFIXES, column, count};
use crosswalk::query::Sparql;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

const PROFILE_DOC: &str = "https://w3id.org/crosswalk/doc/ir8596/iprd";
const COSAIS_DOC: &str = "https://w3id.org/crosswalk/doc/cosais/predictive-ai/outline-2026-01";

fn json(dir: &Path, rel: &str) -> Value {
    let bytes = std::fs::read(dir.join(rel)).expect("read source file");
    serde_json::from_slice(&bytes).expect("parse source file")
}

fn profile_json(dir: &Path) -> Value {
    json(dir, "ai/cyber-ai-profile/visua_cyber-ai-profile.json")
}

fn entries(v: &Value) -> &Vec<Value> {
    v["entries"].as_array().expect("entries")
}

fn q(body: &str) -> String {
    format!("{PREFIXES}{body}")
}

#[test]
fn profile_entries_per_focus_area() {
    let dir = require_sources!();
    let Some(db) = util::loaded() else { return };
    let v = profile_json(&dir);
    let subs = entries(&v).len();
    assert_eq!(subs, 106);
    let focus = count(
        db,
        &q(&format!(
            "SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE {{
               ?e a cw:ProfileEntry ; cw:definedBy <{PROFILE_DOC}> ; cw:focusArea ?fa .
               ?e cw:profileEntryOf ?s . ?s a cw:Subcategory }}"
        )),
    );
    assert_eq!(focus, subs * 3);
    assert_eq!(focus, 318);
    let general = count(
        db,
        &q(&format!(
            "SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE {{
               ?e a cw:ProfileEntry ; cw:definedBy <{PROFILE_DOC}> ; cw:profileEntryOf ?s .
               ?s a cw:Subcategory . FILTER NOT EXISTS {{ ?e cw:focusArea ?fa }} }}"
        )),
    );
    assert_eq!(general, 106);
    let areas = column(
        db,
        &q(&format!(
            "SELECT ?n WHERE {{ ?fa a cw:FocusArea ; cw:definedBy <{PROFILE_DOC}> ; skos:notation ?n }} ORDER BY ?n"
        )),
        "n",
    );
    assert_eq!(areas, ["Defend", "Secure", "Thwart"]);
    // One entry per subcategory and focus area, with the notation the brief fixes.
    let n = column(
        db,
        &q(&format!(
            "SELECT ?n WHERE {{ <https://w3id.org/crosswalk/id/ir8596/iprd/GV.OC-01%2Fsecure> skos:notation ?n ;
               cw:definedBy <{PROFILE_DOC}> }}"
        )),
        "n",
    );
    assert_eq!(n, ["GV.OC-01 Secure"]);
}

#[test]
fn priority_counts_match_the_json() {
    let dir = require_sources!();
    let Some(db) = util::loaded() else { return };
    let v = profile_json(&dir);
    let mut expected: BTreeMap<(String, i64), usize> = BTreeMap::new();
    for e in entries(&v) {
        for (fa, cell) in e["focus"].as_object().expect("focus") {
            let p = cell["priority"].as_i64().expect("priority");
            *expected.entry((fa.clone(), p)).or_default() += 1;
        }
    }
    let get = |fa: &str, p: i64| expected.get(&(fa.to_owned(), p)).copied().unwrap_or(0);
    assert_eq!(
        [get("secure", 1), get("secure", 2), get("secure", 3)],
        [23, 33, 50]
    );
    assert_eq!(
        [get("defend", 1), get("defend", 2), get("defend", 3)],
        [28, 43, 35]
    );
    assert_eq!(
        [get("thwart", 1), get("thwart", 2), get("thwart", 3)],
        [24, 44, 38]
    );

    let sols = db
        .select(
            &q(&format!(
                "SELECT ?fa ?p ?label (COUNT(DISTINCT ?e) AS ?n) WHERE {{
                   ?e a cw:ProfileEntry ; cw:definedBy <{PROFILE_DOC}> ; cw:focusArea ?f ;
                      cw:priority ?p ; cw:priorityLabel ?label .
                   ?f skos:notation ?fa }} GROUP BY ?fa ?p ?label"
            )),
            &[],
        )
        .expect("query");
    let fas = sols.strings("fa");
    let ps = sols.strings("p");
    let labels = sols.strings("label");
    let ns = sols.strings("n");
    let mut got: BTreeMap<(String, i64), usize> = BTreeMap::new();
    for i in 0..fas.len() {
        let p: i64 = ps[i].parse().expect("integer priority");
        let want = match p {
            1 => "High",
            2 => "Moderate",
            3 => "Foundational",
            _ => panic!("priority {p}"),
        };
        assert_eq!(labels[i], want);
        got.insert((fas[i].to_lowercase(), p), ns[i].parse().expect("count"));
    }
    assert_eq!(got, expected);
}

#[test]
fn secure_high_priority_subcategories() {
    let dir = require_sources!();
    let Some(db) = util::loaded() else { return };
    let v = profile_json(&dir);
    let expected: BTreeSet<String> = entries(&v)
        .iter()
        .filter(|e| e["focus"]["secure"]["priority"].as_i64() == Some(1))
        .map(|e| e["subcategory"].as_str().expect("subcategory").to_owned())
        .collect();
    assert_eq!(expected.len(), 23);
    let got: BTreeSet<String> = column(
        db,
        &q(&format!(
            "SELECT ?n WHERE {{
               ?e a cw:ProfileEntry ; cw:definedBy <{PROFILE_DOC}> ; cw:focusArea ?f ; cw:priority 1 ;
                  cw:profileEntryOf ?s .
               ?f skos:notation \"Secure\" .
               ?s a cw:Subcategory ; skos:notation ?n }}"
        )),
        "n",
    )
    .into_iter()
    .collect();
    assert_eq!(got, expected);
}

#[test]
fn sp800_53_references_are_mappings() {
    let dir = require_sources!();
    let Some(db) = util::loaded() else { return };
    let v = profile_json(&dir);
    let refs = |general: bool| {
        entries(&v)
            .iter()
            .flat_map(|e| e["refs"].as_array().expect("refs"))
            .filter(|r| r["scheme"] == "nist-sp-800-53" && (r["column"] == "general") == general)
            .count()
    };
    let (general, focus) = (refs(true), refs(false));
    assert_eq!(general + focus, 739);
    let mappings = |subject_class: &str, object: &str| {
        count(
            db,
            &q(&format!(
                "SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE {{
                   ?m a cw:Mapping ; cw:mappingSet <{PROFILE_DOC}> ; cw:subject ?s ; cw:object ?o ;
                      cw:method cw:Transcription ; cw:mappingStatus cw:DraftMapping ;
                      cw:relationship cw:Related .
                   ?s a {subject_class} .
                   {object} }}"
            )),
        )
    };
    // Resolved against the loaded SP 800-53 release, or (ids that release lacks, e.g. SA-24
    // when only 5.0.1 is loaded) minted in 5.2.0's namespace and flagged dangling.
    let resolved = "?o cw:definedBy ?d . ?d cw:scheme \"sp800-53\" .";
    let dangling = "?m cw:object ?o ; cw:flag cw:DanglingTarget .
        FILTER(STRSTARTS(STR(?o), \"https://w3id.org/crosswalk/id/sp800-53r5/5.2.0/\"))
        FILTER NOT EXISTS { ?o cw:definedBy ?any }";
    let either = format!("{{ {resolved} }} UNION {{ {dangling} }}");
    assert_eq!(mappings("cw:Subcategory", &either), general);
    assert_eq!(
        mappings("cw:Subcategory", resolved) + mappings("cw:Subcategory", dangling),
        general
    );
    assert!(
        mappings("cw:Subcategory", resolved) >= general - 10,
        "most ids resolve"
    );
    // The SP 800-53 controls printed in a focus-area column (PR.DS-11 Thwart) stay on that entry.
    assert_eq!(mappings("cw:ProfileEntry", &either), focus);
    // Every reference of the file is one mapping of the set.
    let all: usize = entries(&v)
        .iter()
        .map(|e| e["refs"].as_array().expect("refs").len())
        .sum();
    assert_eq!(all, 2640);
    let n = count(
        db,
        &q(&format!(
            "SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE {{ ?m cw:mappingSet <{PROFILE_DOC}> }}"
        )),
    );
    assert_eq!(n, all);
    // The first reference of the file: GV.OC-01 → PM-11, with its place and the shortcut.
    let first = column(
        db,
        &q(&format!(
            "SELECT DISTINCT ?loc WHERE {{
               <https://w3id.org/crosswalk/mapping/ir8596/iprd/e0-r0> cw:mappingSet <{PROFILE_DOC}> ;
                  cw:subject ?s ; cw:object ?o ; cw:sourceLocation ?loc .
               ?s skos:notation \"GV.OC-01\" . ?o cw:lookupKey \"PM-11\" .
               ?s cw:relatedTo ?o }}"
        )),
        "loc",
    );
    assert_eq!(first, ["$.entries[0].refs[0] (general column)"]);
}

#[test]
fn profile_document_status() {
    let _dir = require_sources!();
    let Some(db) = util::loaded() else { return };
    let status = column(
        db,
        &q(&format!(
            "SELECT ?s WHERE {{ <{PROFILE_DOC}> cw:documentStatus ?s }}"
        )),
        "s",
    );
    assert_eq!(
        status,
        ["https://w3id.org/crosswalk/ontology#InitialPreliminaryDraft"]
    );
    let tpe = column(
        db,
        &q(&format!(
            "SELECT ?x WHERE {{ <{PROFILE_DOC}> cw:thirdPartyExtraction ?x }}"
        )),
        "x",
    );
    assert_eq!(tpe, ["true"]);
    let notes = column(
        db,
        &q(&format!("SELECT ?n WHERE {{ <{PROFILE_DOC}> cw:note ?n }}")),
        "n",
    );
    assert!(
        notes
            .iter()
            .any(|n| n.contains("significant changes are possible")),
        "{notes:?}"
    );
}

#[test]
fn document_status_reads_as_words() {
    let _dir = require_sources!();
    let Some(db) = util::loaded() else { return };
    // The card of a profile entry names its document's status in the ontology's words.
    let cards = crosswalk::answer::card::cards(db, "RC.CO-04 Secure").expect("card");
    assert_eq!(cards.len(), 1);
    assert_eq!(cards[0].document_status, "initial preliminary draft");
    assert!(
        cards[0]
            .to_string()
            .contains("document:  Cyber AI Profile (IR 8596 iprd) (initial preliminary draft)\n"),
        "{}",
        cards[0]
    );
    // So does `check` (CW010), with the article the words take.
    let cw010 = |doc: &str| -> Vec<String> {
        crosswalk::answer::check::check_set(db, doc, None)
            .expect("check")
            .into_iter()
            .filter(|f| f.rule == "CW010")
            .map(|f| f.message)
            .collect()
    };
    assert_eq!(
        cw010(PROFILE_DOC),
        ["Cyber AI Profile (IR 8596 iprd) is an initial preliminary draft document"]
    );
}

#[test]
fn cosais_overlay() {
    let dir = require_sources!();
    let Some(db) = util::loaded() else { return };
    let v = json(&dir, "ai/cosais/visua_cosais.json");
    let controls = v["overlays"][0]["controls"].as_array().expect("controls");
    assert_eq!(controls.len(), 59);
    let annotated = controls.iter().filter(|c| c["annotated"] == true).count();
    assert_eq!(annotated, 11);

    let entries = count(
        db,
        &q(&format!(
            "SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE {{
               ?e a cw:OverlayEntry ; cw:definedBy <{COSAIS_DOC}> ; cw:overlayEntryOf ?c }}"
        )),
    );
    assert_eq!(entries, controls.len());
    let with_tailoring = count(
        db,
        &q(&format!(
            "SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE {{
               ?e a cw:OverlayEntry ; cw:definedBy <{COSAIS_DOC}> ; cw:tailoring ?t ; cw:attackId ?a }}"
        )),
    );
    assert_eq!(with_tailoring, annotated);
    let status = column(
        db,
        &q(&format!(
            "SELECT ?s WHERE {{ <{COSAIS_DOC}> cw:documentStatus ?s }}"
        )),
        "s",
    );
    assert_eq!(status, ["https://w3id.org/crosswalk/ontology#PreDraft"]);
    for c in ["AC-6", "SI-4(2)"] {
        let n = count(
            db,
            &q(&format!(
                "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE {{
                   ?c cw:lookupKey \"{c}\" ; cw:definedBy ?d ; cw:inBaseline <{COSAIS_DOC}> .
                   ?d cw:scheme \"sp800-53\" }}"
            )),
        );
        assert_eq!(n, 1, "{c} in the COSAiS overlay");
    }
    let ac6 = column(
        db,
        &q(&format!(
            "SELECT ?a WHERE {{ ?e cw:definedBy <{COSAIS_DOC}> ; skos:notation \"AC-6 (COSAiS predictive AI)\" ;
               cw:attackId ?a }} ORDER BY ?a"
        )),
        "a",
    );
    assert_eq!(ac6, ["NISTAML.011", "NISTAML.013"]);
}

/// Runs the importer of `source` on `bytes` with nothing loaded before it.
fn import_alone(source: &str, path: &Path, bytes: Vec<u8>) -> crosswalk::Error {
    use crosswalk::import::{Ctx, InputFile, run};
    let m = crosswalk::source::manifest::Manifest::builtin().expect("manifest");
    let source = m.get(source).expect("source");
    let files = [InputFile {
        path: path.to_owned(),
        bytes,
        sha256: String::new(),
        role: None,
    }];
    let resolver = crosswalk::model::resolve::Resolver::default();
    let ctx = Ctx {
        source,
        files: &files,
        resolver: &resolver,
    };
    match run(&ctx) {
        Ok(_) => panic!("expected an error"),
        Err(e) => e,
    }
}

#[test]
fn errors_name_the_file_and_place() {
    let dir = require_sources!();
    let path = dir.join("ai/cyber-ai-profile/visua_cyber-ai-profile.json");
    let mut v = profile_json(&dir);
    v["entries"][3]["focus"]["secure"]["priority"] = Value::from("high");
    let e = import_alone(
        "cyber-ai-profile-iprd",
        &path,
        serde_json::to_vec(&v).expect("json"),
    );
    let msg = e.to_string();
    assert!(msg.contains("visua_cyber-ai-profile.json"), "{msg}");
    assert!(msg.contains("$.entries[3].focus.secure.priority"), "{msg}");

    let bytes = std::fs::read(&path).expect("read");
    let e = import_alone("cyber-ai-profile-iprd", &path, bytes);
    assert!(matches!(e, crosswalk::Error::NotFound(_)), "{e}");
    assert!(e.to_string().contains("load csf-2.0 first"), "{e}");

    let path = dir.join("ai/cosais/visua_cosais.json");
    let mut v = json(&dir, "ai/cosais/visua_cosais.json");
    v["overlays"][0]["controls"][5]["annotated"] = Value::from(3);
    let e = import_alone(
        "cosais-predictive-ai-outline",
        &path,
        serde_json::to_vec(&v).expect("json"),
    );
    assert!(
        e.to_string()
            .contains("$.overlays[0].controls[5].annotated"),
        "{e}"
    );
}
