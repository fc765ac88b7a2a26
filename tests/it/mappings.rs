//! Mapping importers against the real NIST files: OLIR #186 (CSF 2.0 → SP 800-53 5.2.0), the
//! CSF 2.0 Reference Tool export and the CSF 1.1 → 2.0 transition. Expectations are computed
//! from the source files here (calamine, serde_json), independently of the importers.
use crate::util;

use crate::util::{PREFIXES, column, count};
use calamine::{Data, Reader, open_workbook_auto};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

const OLIR: &str = "https://w3id.org/crosswalk/doc/mapping/olir-186-csf-2.0-to-sp800-53-5.2.0";
const OLIR_FILE: &str =
    "nist/mappings/Cybersecurity_Framework_v2-0_Concept_Crosswalk_800-53_5_2_0_draft.xlsx";
const TOOL: &str = "https://w3id.org/crosswalk/doc/mapping/csf-2.0-reference-tool/2026-02-16";
const TOOL_FILE: &str = "nist/csf2/csf2.xlsx";
const TRANSITION: &str = "https://w3id.org/crosswalk/doc/mapping/csf-1.1-to-csf-2.0";

/// `SA-15(13)`, `SI-02(07)` → `SA-15(13)`, `SI-2(7)`; families and CSF ids unchanged.
fn unpad(id: &str) -> String {
    let id = id.trim();
    let Some((fam, rest)) = id.split_once('-') else {
        return id.to_owned();
    };
    if fam.len() != 2 || fam.contains('.') {
        return id.to_owned();
    }
    let (num, enh) = match rest.split_once('(') {
        Some((n, e)) => (n, Some(e.trim_end_matches(')'))),
        None => (rest, None),
    };
    let n = |s: &str| {
        s.trim()
            .parse::<u32>()
            .map(|v| v.to_string())
            .unwrap_or_else(|_| s.to_owned())
    };
    match enh {
        Some(e) => format!("{fam}-{}({})", n(num), n(e)),
        None => format!("{fam}-{}", n(num)),
    }
}

fn text(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        other => other.to_string(),
    }
}

/// The OLIR sheet's (spreadsheet row, focal, reference) triples with both ids present.
fn olir_rows(dir: &Path) -> Vec<(usize, String, String)> {
    let mut wb = open_workbook_auto(dir.join(OLIR_FILE)).expect("open OLIR workbook");
    let range = wb
        .worksheet_range("Relationships")
        .expect("sheet Relationships");
    let rows: Vec<Vec<String>> = range.rows().map(|r| r.iter().map(text).collect()).collect();
    let flat = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let h = rows
        .iter()
        .position(|r| r.iter().any(|c| flat(c) == "Focal Document Element"))
        .expect("header");
    let fc = rows[h]
        .iter()
        .position(|c| flat(c) == "Focal Document Element")
        .unwrap();
    let rc = rows[h]
        .iter()
        .position(|c| flat(c) == "Reference Document Element")
        .unwrap();
    let start = range.start().unwrap().0 as usize;
    rows.iter()
        .enumerate()
        .skip(h + 1)
        .filter(|(_, r)| !r[fc].trim().is_empty() && !r[rc].trim().is_empty())
        .map(|(i, r)| {
            (
                start + i + 1,
                r[fc].trim().to_owned(),
                r[rc].trim().to_owned(),
            )
        })
        .collect()
}

/// Two columns of one SELECT, row by row.
fn pairs(query: &str, a: &str, b: &str) -> BTreeSet<(String, String)> {
    use crosswalk::query::Sparql;
    let db = util::loaded().expect("store");
    let sol = db.select(query, &[]).expect("query");
    sol.strings(a)
        .into_iter()
        .zip(sol.strings(b).iter().map(|o| unpad(o)))
        .collect()
}

fn olir_pairs(body: &str) -> BTreeSet<(String, String)> {
    pairs(
        &format!("{PREFIXES}SELECT ?s ?o WHERE {{ ?m cw:mappingSet <{OLIR}> . {body} }}"),
        "s",
        "o",
    )
}

fn olir_query(body: &str, var: &str) -> Vec<String> {
    let db = util::loaded().expect("store");
    column(
        db,
        &format!("{PREFIXES}SELECT * WHERE {{ ?m cw:mappingSet <{OLIR}> . {body} }}"),
        var,
    )
}

fn objects_of(subject: &str) -> BTreeSet<String> {
    olir_query(
        &format!("?m cw:subjectNotation \"{subject}\" ; cw:objectNotation ?o ."),
        "o",
    )
    .iter()
    .map(|o| unpad(o))
    .collect()
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

#[test]
fn olir_has_every_row_of_the_sheet() {
    let dir = require_sources!();
    let db = util::loaded().expect("store");
    let rows = olir_rows(&dir);
    assert_eq!(rows.len(), 746);
    let n = count(
        db,
        &format!(
            "{PREFIXES}SELECT (COUNT(?m) AS ?n) WHERE {{ ?m a cw:Mapping ; cw:mappingSet <{OLIR}> }}"
        ),
    );
    assert_eq!(n, rows.len());
    // Each row is one mapping, keyed and located by its spreadsheet row.
    let located: BTreeSet<String> = olir_query("?m cw:sourceLocation ?l .", "l")
        .into_iter()
        .collect();
    let expected: BTreeSet<String> = rows
        .iter()
        .map(|(r, _, _)| format!("sheet 'Relationships' row {r}"))
        .collect();
    assert_eq!(located, expected);
    // The printed spelling survives, trimmed (the cell is "PM-09\n").
    let printed = olir_query(
        "?m cw:sourceRow 5 ; cw:objectNotation ?o ; cw:mappingStatus cw:DraftMapping ; cw:relationship cw:Related .",
        "o",
    );
    assert_eq!(printed, vec!["PM-09".to_owned()]);
    let pairs: BTreeSet<(String, String)> =
        rows.iter().map(|(_, f, r)| (f.clone(), unpad(r))).collect();
    let graph = olir_pairs("?m cw:subjectNotation ?s ; cw:objectNotation ?o .");
    assert_eq!(graph, pairs);
}

#[test]
fn olir_targets_of_named_subcategories() {
    let dir = require_sources!();
    let rows = olir_rows(&dir);
    let from_sheet = |s: &str| -> BTreeSet<String> {
        rows.iter()
            .filter(|(_, f, _)| f == s)
            .map(|(_, _, r)| unpad(r))
            .collect()
    };
    let sc07 = set(&["RA-9", "SA-4", "SA-9", "SR-3", "SR-6"]);
    assert_eq!(from_sheet("GV.SC-07"), sc07);
    assert_eq!(objects_of("GV.SC-07"), sc07);
    assert_eq!(from_sheet("GV.OC-01"), set(&["PM-11"]));
    assert_eq!(objects_of("GV.OC-01"), set(&["PM-11"]));
    // The objects are the catalog's elements (resolved, not minted).
    let labels: BTreeSet<String> = olir_query(
        "?m cw:subjectNotation \"GV.SC-07\" ; cw:object ?o . ?o cw:lookupKey ?k .",
        "k",
    )
    .into_iter()
    .collect();
    assert_eq!(labels, sc07);
}

#[test]
fn olir_subjects_of_ra_3() {
    let dir = require_sources!();
    let sheet: BTreeSet<String> = olir_rows(&dir)
        .into_iter()
        .filter(|(_, _, r)| unpad(r) == "RA-3")
        .map(|(_, f, _)| f)
        .collect();
    assert_eq!(sheet.len(), 15);
    let graph: BTreeSet<String> = olir_query(
        "?m cw:object ?o ; cw:subject ?s . ?o cw:lookupKey \"RA-3\" . ?s skos:notation ?n .",
        "n",
    )
    .into_iter()
    .collect();
    assert_eq!(graph, sheet);
}

#[test]
fn olir_dangling_and_withdrawn_targets_are_kept_and_flagged() {
    let dir = require_sources!();
    let db = util::loaded().expect("store");
    let rows = olir_rows(&dir);
    let resolved = column(
        db,
        &format!("{PREFIXES}SELECT ?d WHERE {{ <{OLIR}> cw:resolvedAgainst ?d }}"),
        "d",
    );
    let dangling: BTreeSet<String> =
        olir_query("?m cw:flag cw:DanglingTarget ; cw:objectNotation ?o .", "o")
            .iter()
            .map(|o| unpad(o))
            .collect();
    let withdrawn: BTreeSet<String> = olir_query(
        "?m cw:flag cw:WithdrawnTarget ; cw:objectNotation ?o .",
        "o",
    )
    .iter()
    .map(|o| unpad(o))
    .collect();
    assert_eq!(withdrawn, set(&["RA-4"]));
    if resolved.first().map(String::as_str)
        != Some("https://w3id.org/crosswalk/doc/sp800-53r5/5.0.1")
    {
        eprintln!("SKIP dangling check: resolved against {resolved:?}, not the 5.0.1 catalog");
        return;
    }
    let expected = set(&["IA-13", "SA-15(13)", "SA-24", "SI-2(7)"]);
    assert_eq!(dangling, expected);
    // Every row naming one of them is loaded, with an object that no loaded document defines.
    let sheet_rows = rows
        .iter()
        .filter(|(_, _, r)| expected.contains(&unpad(r)))
        .count();
    let n = count(
        db,
        &format!(
            "{PREFIXES}SELECT (COUNT(?m) AS ?n) WHERE {{ ?m cw:mappingSet <{OLIR}> ; cw:flag cw:DanglingTarget ; cw:object ?o .
               FILTER(STRSTARTS(STR(?o), \"https://w3id.org/crosswalk/id/sp800-53r5/5.2.0/\"))
               FILTER NOT EXISTS {{ ?o cw:definedBy ?d }} }}"
        ),
    );
    assert_eq!(n, sheet_rows);
    let warnings = column(
        db,
        &format!(
            "{PREFIXES}SELECT ?w WHERE {{ <https://w3id.org/crosswalk/graph/olir-csf2-sp800-53-5.2.0> cw:loadWarning ?w }}"
        ),
        "w",
    );
    for id in ["IA-13", "SA-24", "RA-04"] {
        assert!(
            warnings
                .iter()
                .any(|w| w.contains(id) && w.contains(" row ")),
            "no warning for {id}: {warnings:?}"
        );
    }
}

#[test]
fn olir_family_and_category_level() {
    let dir = require_sources!();
    let rows = olir_rows(&dir);
    let fam_sheet: BTreeSet<(String, String)> = rows
        .iter()
        .filter(|(_, _, r)| r.len() == 2)
        .map(|(_, f, r)| (f.clone(), r.clone()))
        .collect();
    let expected: BTreeSet<(String, String)> =
        [("GV.OC-03", "PT"), ("PR.IR-03", "CP"), ("PR.IR-03", "IR")]
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect();
    assert_eq!(fam_sheet, expected);
    let graph = olir_pairs(
        "?m cw:granularity cw:FamilyLevel ; cw:subjectNotation ?s ; cw:objectNotation ?o .",
    );
    assert_eq!(graph, expected);

    let cat_sheet: Vec<&String> = rows
        .iter()
        .filter(|(_, f, _)| !f.contains('-'))
        .map(|(_, f, _)| f)
        .collect();
    assert_eq!(cat_sheet.len(), 6);
    let cat = olir_query(
        "?m cw:granularity cw:CategoryLevel ; cw:subjectNotation ?s .",
        "s",
    );
    assert_eq!(cat.len(), 6);
    assert_eq!(
        cat.iter().cloned().collect::<BTreeSet<_>>(),
        set(&["RS.MA", "RC.RP"])
    );
}

/// The Reference Tool sheet's reference lines.
fn tool_line_texts(dir: &Path) -> Vec<String> {
    let mut wb = open_workbook_auto(dir.join(TOOL_FILE)).expect("open Reference Tool workbook");
    let range = wb.worksheet_range("CSF 2.0").expect("sheet CSF 2.0");
    let rows: Vec<Vec<String>> = range.rows().map(|r| r.iter().map(text).collect()).collect();
    let h = rows
        .iter()
        .position(|r| r.iter().any(|c| c == "Informative References"))
        .expect("header");
    let col = rows[h]
        .iter()
        .position(|c| c == "Informative References")
        .unwrap();
    rows[h + 1..]
        .iter()
        .flat_map(|r| r[col].lines().map(str::to_owned).collect::<Vec<_>>())
        .filter(|l| !l.trim().is_empty())
        .collect()
}

/// Lines per dataset of the Reference Tool sheet, split at the first ": ".
fn tool_lines(dir: &Path) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for line in tool_line_texts(dir) {
        let (name, _) = line.split_once(": ").expect("dataset: id");
        *out.entry(name.to_owned()).or_insert(0) += 1;
    }
    out
}

/// Placeholder lines per dataset, by the id printed: `None`, alone or after a qualifier
/// (`ISO/IEC 27001:2022: Mandatory Clause: None`), or a qualifier with nothing after it.
fn tool_placeholders(dir: &Path) -> BTreeMap<String, BTreeMap<String, usize>> {
    let mut out: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
    for line in tool_line_texts(dir) {
        let (name, id) = line.trim().split_once(": ").expect("dataset: id");
        if id == "None" || id.ends_with(": None") || id.ends_with(':') {
            *out.entry(name.to_owned())
                .or_default()
                .entry(id.to_owned())
                .or_insert(0) += 1;
        }
    }
    out
}

#[test]
fn reference_tool_has_one_set_per_dataset() {
    let dir = require_sources!();
    let db = util::loaded().expect("store");
    let sheet = tool_lines(&dir);
    let expected: BTreeMap<String, usize> = [
        ("NICE Framework", 850),
        ("SP 800-53 Rev 5.2.0", 746),
        ("SP 800-53 Rev 5.1.1", 740),
        ("CCMv4.0", 657),
        ("PCI DSS", 552),
        ("ISO/IEC 27001:2022", 492),
        ("SCF", 473),
        ("CRI Profile v2.0", 433),
        ("SP 800-171 Rev 3", 313),
        ("SP-800-37 Rev 2", 217),
        ("CSF v1.1", 185),
        ("SP 800-221A", 85),
        ("CIS Controls v8.1", 62),
        ("CoP", 61),
        ("CIS Controls v8.0", 60),
        ("IRP", 48),
        ("SP 800-218", 35),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), *v))
    .collect();
    assert_eq!(sheet, expected);

    let q = format!(
        "{PREFIXES}SELECT ?t (COUNT(?m) AS ?n) WHERE {{
           ?s a cw:MappingSet ; dcterms:source <{TOOL}> ; dcterms:title ?t ; cw:focalDocument ?f .
           ?m cw:mappingSet ?s }} GROUP BY ?t"
    );
    let graph: BTreeMap<String, usize> = pairs(&q, "t", "n")
        .into_iter()
        .map(|(t, n)| (t, n.parse().unwrap()))
        .collect();
    // Every line is a mapping, except the placeholders (`None`), which name nothing.
    let skipped = tool_placeholders(&dir);
    let want: BTreeMap<String, usize> = sheet
        .iter()
        .map(|(k, v)| {
            (
                format!("CSF 2.0 → {k} (CSF 2.0 Reference Tool)"),
                v - skipped.get(k).map_or(0, |m| m.values().sum()),
            )
        })
        .collect();
    assert_eq!(graph, want);

    // Duplicate lines are kept, one mapping each.
    let irp = count(
        db,
        &format!(
            "{PREFIXES}SELECT (COUNT(?m) AS ?n) WHERE {{ ?m cw:subjectNotation \"GV.OC-01\" ; cw:objectNotation \"IRP-Sec-1\" ;
               cw:mappingSet ?s . ?s dcterms:source <{TOOL}> }}"
        ),
    );
    assert_eq!(irp, 3);
}

#[test]
fn reference_tool_placeholder_references_are_skipped_and_counted() {
    let dir = require_sources!();
    let db = util::loaded().expect("store");
    // ISO/IEC 27001 prints `Mandatory Clause: None` and `Annex A Controls: None` (75 lines)
    // where a subcategory has no reference, and three times a bare `Annex A Controls:`; no
    // other dataset has a placeholder.
    let found = tool_placeholders(&dir);
    let iso = BTreeMap::from([
        ("Annex A Controls:".to_owned(), 3),
        ("Annex A Controls: None".to_owned(), 9),
        ("Mandatory Clause: None".to_owned(), 66),
    ]);
    assert_eq!(
        found,
        BTreeMap::from([("ISO/IEC 27001:2022".to_owned(), iso)])
    );
    let placeholders = |p: &str| {
        count(
            db,
            &format!(
                "{PREFIXES}SELECT (COUNT(*) AS ?n) WHERE {{ ?x {p} ?v
                   FILTER(STR(?v) = \"None\" || STRENDS(STR(?v), \": None\") || STRENDS(STR(?v), \":\")) }}"
            ),
        )
    };
    for p in [
        "skos:notation",
        "cw:lookupKey",
        "cw:localId",
        "cw:objectNotation",
        "cw:subjectNotation",
        "cw:targetNotation",
    ] {
        assert_eq!(placeholders(p), 0, "{p}");
    }
    let warnings = column(
        db,
        &format!(
            "{PREFIXES}SELECT ?w WHERE {{ <https://w3id.org/crosswalk/graph/csf2-reference-tool> cw:loadWarning ?w }}"
        ),
        "w",
    );
    let skipped: Vec<&String> = warnings
        .iter()
        .filter(|w| w.contains("placeholder"))
        .collect();
    assert_eq!(skipped.len(), 1, "{skipped:?}");
    assert!(
        skipped[0].contains(
            "ISO/IEC 27001:2022: 78 placeholder reference(s) skipped (`Annex A Controls:` \u{d7}3, `Annex A Controls: None` \u{d7}9, `Mandatory Clause: None` \u{d7}66)"
        ),
        "{skipped:?}"
    );
}

#[test]
fn reference_tool_sp800_53_5_2_0_equals_olir() {
    let _dir = require_sources!();
    let db = util::loaded().expect("store");
    let tool_set =
        "https://w3id.org/crosswalk/doc/mapping/csf-2.0-reference-tool/sp-800-53-rev-5-2-0";
    let q = format!(
        "{PREFIXES}SELECT ?s ?o WHERE {{ ?m cw:mappingSet <{tool_set}> ; cw:subjectNotation ?s ; cw:objectNotation ?o }}"
    );
    let tool = pairs(&q, "s", "o");
    assert_eq!(tool.len(), 746);
    assert_eq!(
        tool,
        olir_pairs("?m cw:subjectNotation ?s ; cw:objectNotation ?o .")
    );
    let withdrawn = column(
        db,
        &format!(
            "{PREFIXES}SELECT ?o WHERE {{ ?m cw:mappingSet <{tool_set}> ; cw:flag cw:WithdrawnTarget ; cw:objectNotation ?o }}"
        ),
        "o",
    );
    assert_eq!(
        withdrawn.iter().map(|o| unpad(o)).collect::<BTreeSet<_>>(),
        set(&["RA-4"])
    );
}

#[test]
fn transition_has_every_withdrawn_link() {
    let dir = require_sources!();
    let db = util::loaded().expect("store");
    let json: serde_json::Value = serde_json::from_slice(
        &std::fs::read(dir.join("nist/csf2/NIST_CSF_v2.0_catalog.json")).unwrap(),
    )
    .unwrap();
    let mut by_rel: BTreeMap<String, usize> = BTreeMap::new();
    fn walk(v: &serde_json::Value, by_rel: &mut BTreeMap<String, usize>) {
        for key in ["groups", "controls"] {
            for e in v[key].as_array().into_iter().flatten() {
                let withdrawn = e["props"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|p| p["name"] == "status" && p["value"] == "withdrawn");
                if withdrawn {
                    for l in e["links"].as_array().into_iter().flatten() {
                        match l["rel"].as_str() {
                            Some("incorporated_into") => {
                                *by_rel.entry("incorporated into".into()).or_insert(0) += 1
                            }
                            Some("moved_to") => *by_rel.entry("moved to".into()).or_insert(0) += 1,
                            _ => {}
                        }
                    }
                }
                walk(e, by_rel);
            }
        }
    }
    walk(&json["catalog"], &mut by_rel);
    assert_eq!(by_rel.values().sum::<usize>(), 135);
    let q = format!(
        "{PREFIXES}SELECT ?c (COUNT(?m) AS ?n) WHERE {{ ?m cw:mappingSet <{TRANSITION}> ; rdfs:comment ?c ; cw:relationship cw:Related }} GROUP BY ?c"
    );
    let graph: BTreeMap<String, usize> = pairs(&q, "c", "n")
        .into_iter()
        .map(|(c, n)| (c, n.parse().unwrap()))
        .collect();
    assert_eq!(graph, by_rel);
    // Subjects are the withdrawn CSF 1.1 elements, objects active CSF 2.0 ones, all resolved.
    let odd = count(
        db,
        &format!(
            "{PREFIXES}SELECT (COUNT(?m) AS ?n) WHERE {{ ?m cw:mappingSet <{TRANSITION}> ; cw:subject ?s ; cw:object ?o .
               FILTER(NOT EXISTS {{ ?s cw:status cw:Withdrawn }} || EXISTS {{ ?o cw:status cw:Withdrawn }}
                      || NOT EXISTS {{ ?o cw:definedBy ?d }}) }}"
        ),
    );
    assert_eq!(odd, 0);
}

#[test]
fn olir_missing_sheet_is_an_error_naming_file_and_sheet() {
    use crosswalk::import::{Ctx, InputFile, run};
    use crosswalk::model::resolve::Resolver;
    let dir = require_sources!();
    let m = crosswalk::source::manifest::Manifest::builtin().unwrap();
    let mut source = m.get("olir-csf2-sp800-53-5.2.0").unwrap().clone();
    source
        .options
        .insert("sheet".into(), toml::Value::String("Nope".into()));
    let path = dir.join(OLIR_FILE);
    let files = [InputFile {
        bytes: std::fs::read(&path).unwrap(),
        path,
        sha256: String::new(),
        role: None,
    }];
    let resolver = Resolver::default();
    let err = run(&Ctx {
        source: &source,
        files: &files,
        resolver: &resolver,
    })
    .err()
    .expect("an error");
    let msg = err.to_string();
    assert!(
        msg.contains(OLIR_FILE) && msg.contains("sheet 'Nope'") && msg.contains("Relationships"),
        "{msg}"
    );
}

#[test]
fn user_csv_and_sssom_placeholders_are_skipped_and_counted() {
    // Self-written files: every mapping importer shares the rule, whatever the format.
    let tmp = tempfile::tempdir().expect("tmp");
    let csv = tmp.path().join("mine.csv");
    std::fs::write(
        &csv,
        "Focal Document Element,Reference Document Element\nGV.SC-07,RA-9\nGV.SC-08,None\nGV.SC-09,n/a\nN/A,RA-9\n",
    )
    .expect("write");
    let sssom = tmp.path().join("theirs.sssom.tsv");
    std::fs::write(
        &sssom,
        "# curie_map:\n#   csf: https://w3id.org/crosswalk/scheme/csf/\n#   sp800-53: https://w3id.org/crosswalk/scheme/sp800-53/\n\
         subject_id\tpredicate_id\tobject_id\tobject_label\tmapping_justification\n\
         csf:GV.SC-07\tskos:relatedMatch\tsp800-53:RA-9\t\tsemapv:ManualMappingCuration\n\
         csf:GV.SC-08\tskos:relatedMatch\tsp800-53:x\t\u{2014}\tsemapv:ManualMappingCuration\n",
    )
    .expect("write");
    let db = crosswalk::store::Db::memory().expect("db");
    let spec = |file: &Path| crosswalk::load::user_set::Spec {
        file: file.to_owned(),
        name: None,
        focal: "csf".into(),
        reference: "sp800-53".into(),
        reference_version: None,
        status: crosswalk::source::manifest::DocStatus::Draft,
    };
    let loaded =
        crosswalk::load::user_set::load_all(&db, &[spec(&csv), spec(&sssom)]).expect("load");
    let skipped: Vec<Vec<&String>> = loaded
        .iter()
        .map(|(_, w)| w.iter().filter(|w| w.contains("placeholder")).collect())
        .collect();
    assert_eq!(
        skipped,
        [
            vec![&format!(
                "{}: 3 placeholder reference(s) skipped (`N/A` \u{d7}1, `None` \u{d7}1, `n/a` \u{d7}1): they name no element",
                csv.display()
            )],
            vec![&format!(
                "{}: 1 placeholder reference(s) skipped (`\u{2014}` \u{d7}1): they name no element",
                sssom.display()
            )],
        ]
    );
    for (set, _) in &loaded {
        let n = count(
            &db,
            &format!("{PREFIXES}SELECT (COUNT(?m) AS ?n) WHERE {{ ?m cw:mappingSet <{set}> }}"),
        );
        assert_eq!(n, 1, "{set}");
    }
    let ids = count(
        &db,
        &format!(
            "{PREFIXES}SELECT (COUNT(*) AS ?n) WHERE {{ ?e cw:lookupKey ?k FILTER(?k IN (\"NONE\", \"N/A\", \"\u{2014}\")) }}"
        ),
    );
    assert_eq!(ids, 0);
}
