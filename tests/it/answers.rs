//! Issue 4 acceptance: crosswalk, reverse crosswalk, coverage and Cyber AI Profile answers on
//! the real data, with expectations computed from NIST's files independently of the importers.
use crate::util;
use calamine::{Reader, open_workbook_auto};
use crosswalk::answer;
use crosswalk::model::ids::canonical_notation;
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::Path;

const OLIR: &str =
    "nist/mappings/Cybersecurity_Framework_v2-0_Concept_Crosswalk_800-53_5_2_0_draft.xlsx";

/// (CSF id, SP 800-53 id in canonical spelling) pairs of the OLIR workbook.
fn olir_pairs(dir: &Path) -> Vec<(String, String)> {
    let mut wb = open_workbook_auto(dir.join(OLIR)).expect("open OLIR workbook");
    let range = wb.worksheet_range("Relationships").expect("sheet");
    range
        .rows()
        .skip(1)
        .filter_map(|r| {
            let f = r.first()?.to_string();
            let t = r.get(2)?.to_string();
            (!t.trim().is_empty()).then(|| (f.trim().to_owned(), canonical_notation(&t)))
        })
        .collect()
}

/// The ids a baseline profile selects, in canonical spelling.
fn baseline(dir: &Path, name: &str) -> HashSet<String> {
    let p = dir.join(format!(
        "nist/sp800-53r5/v5.1.1/NIST_SP-800-53_rev5_{name}-baseline_profile.json"
    ));
    let v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(p).expect("read profile")).expect("json");
    let mut out = HashSet::new();
    for imp in v["profile"]["imports"].as_array().expect("imports") {
        for inc in imp["include-controls"].as_array().into_iter().flatten() {
            for id in inc["with-ids"].as_array().into_iter().flatten() {
                out.insert(canonical_notation(id.as_str().expect("id")));
            }
        }
    }
    out
}

#[test]
fn map_gv_sc_07_to_sp800_53_from_olir() {
    let _d = require_sources!();
    let db = util::loaded().expect("loaded");
    let got: BTreeSet<String> =
        answer::map(db, "GV.SC-07", Some("sp800-53"), Some("olir-186"), false)
            .expect("map")
            .into_iter()
            .map(|a| a.target)
            .collect();
    assert_eq!(
        got,
        ["RA-9", "SA-4", "SA-9", "SR-3", "SR-6"]
            .map(String::from)
            .into()
    );
}

#[test]
fn a_target_the_loaded_release_lacks_keeps_its_printed_id_and_flag() {
    let d = require_sources!();
    let db = util::loaded().expect("loaded");
    let answers =
        answer::map(db, "PR.IR-03", Some("sp800-53"), Some("olir-186"), false).expect("map");
    let got: BTreeSet<String> = answers.iter().map(|a| a.target.clone()).collect();
    let expected: BTreeSet<String> = olir_pairs(&d)
        .into_iter()
        .filter(|(f, _)| f == "PR.IR-03")
        .map(|(_, t)| t)
        .collect();
    assert_eq!(got, expected);
    // SA-24 is new in 5.2.0, and only 5.0.1 is loaded: the printed id, flagged, no title.
    let sa24 = answers
        .iter()
        .find(|a| a.target == "SA-24")
        .expect("SA-24 answered");
    assert_eq!(sa24.flags, ["dangling target"]);
    assert_eq!(sa24.target_title, None);
    assert!(
        answers
            .iter()
            .filter(|a| a.target != "SA-24")
            .all(|a| a.flags.is_empty() && a.target_title.is_some()),
        "{answers:?}"
    );
}

#[test]
fn reverse_map_ra_3_to_csf_equals_the_spreadsheet() {
    let dir = require_sources!();
    let db = util::loaded().expect("loaded");
    let want: BTreeSet<String> = olir_pairs(&dir)
        .into_iter()
        .filter(|(_, t)| t == "RA-3")
        .map(|(f, _)| f)
        .collect();
    assert_eq!(want.len(), 15);
    let answers = answer::map(db, "ra-03", Some("csf"), Some("olir-186"), false).expect("map");
    assert!(
        answers
            .iter()
            .all(|a| a.how == "inverse" && a.relationship == "related")
    );
    let got: BTreeSet<String> = answers.into_iter().map(|a| a.target).collect();
    assert_eq!(got, want);
}

#[test]
fn coverage_of_csf_by_moderate_equals_spreadsheet_and_profile() {
    let dir = require_sources!();
    let db = util::loaded().expect("loaded");
    let moderate = baseline(&dir, "MODERATE");
    let mut expected: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (f, t) in olir_pairs(&dir) {
        // Only subcategories are focal units; RS.MA/RC.RP category rows are not.
        if f.contains('-') {
            let e = expected.entry(f).or_default();
            if moderate.contains(&t) {
                e.insert(t);
            }
        }
    }
    let cov = answer::coverage(
        db,
        "csf",
        "sp800-53",
        Some("olir-186"),
        Some("MODERATE"),
        None,
    )
    .expect("coverage");
    assert_eq!(cov.total, 106);
    let got: BTreeMap<String, BTreeSet<String>> = cov
        .rows
        .iter()
        .map(|r| (r.focal.clone(), r.covered_by.iter().cloned().collect()))
        .collect();
    assert_eq!(got, expected);
    let covered = expected.values().filter(|v| !v.is_empty()).count();
    assert_eq!(cov.covered, covered);
    assert_eq!(cov.covered, 97);
    // PM controls are in no baseline: the output says so, and names who is mapped only to PM.
    assert!(cov.notes.iter().any(|n| n.contains("PM")));
    assert_eq!(
        cov.only_pm,
        [
            "GV.OC-01", "GV.RM-02", "GV.RM-05", "GV.RR-01", "GV.RR-02", "GV.RR-03", "DE.AE-04"
        ]
    );
    // gaps = the uncovered part
    let gaps: Vec<&str> = cov
        .rows
        .iter()
        .filter(|r| !r.covered)
        .map(|r| r.focal.as_str())
        .collect();
    assert_eq!(gaps.len(), 9);
}

#[test]
fn cyber_ai_secure_priority_1_with_low_baseline_coverage() {
    let dir = require_sources!();
    let db = util::loaded().expect("loaded");
    let v: serde_json::Value = serde_json::from_slice(
        &std::fs::read(dir.join("ai/cyber-ai-profile/visua_cyber-ai-profile.json")).expect("read"),
    )
    .expect("json");
    let low = baseline(&dir, "LOW");
    let mut expected: BTreeMap<String, bool> = BTreeMap::new();
    for e in v["entries"].as_array().expect("entries") {
        if e["focus"]["secure"]["priority"] == 1 {
            let refs: Vec<String> = e["refs"]
                .as_array()
                .expect("refs")
                .iter()
                .filter(|r| r["scheme"] == "nist-sp-800-53" && r["column"] == "general")
                .filter_map(|r| r["id"].as_str().map(canonical_notation))
                .collect();
            expected.insert(
                e["subcategory"].as_str().expect("id").to_owned(),
                refs.iter().any(|r| low.contains(r)),
            );
        }
    }
    assert_eq!(expected.len(), 23);
    let sel = answer::cyber_ai_selection(db, "secure", 1).expect("selection");
    let cov = answer::coverage(
        db,
        "csf",
        "sp800-53",
        Some("cyber-ai-profile"),
        Some("LOW"),
        Some(&sel),
    )
    .expect("coverage");
    let got: BTreeMap<String, bool> = cov
        .rows
        .iter()
        .map(|r| (r.focal.clone(), r.covered))
        .collect();
    assert_eq!(got, expected);
}

#[test]
fn explain_names_the_mapping_set_of_every_hop() {
    let _d = require_sources!();
    let db = util::loaded().expect("loaded");
    // ID.AM-06 (withdrawn CSF 1.1) → GV.RR-02 (transition) → PM-13 (OLIR): a two-hop path.
    let answers =
        answer::map(db, "ID.AM-06", Some("sp800-53"), Some("olir-186"), true).expect("map");
    let pm13 = answers
        .iter()
        .find(|a| a.target == "PM-13")
        .expect("PM-13 reached");
    assert_eq!(pm13.how, "path");
    // `map` asks `composes` before running `crosswalk-via`: ID.AM-06 starts compositions
    // (through its transition mappings), GV.SC-07 none.
    let composes = |key: &str| {
        crosswalk::query::named("composes")
            .expect("named")
            .run(db, &[("key".to_owned(), key.to_owned())])
            .expect("run")
            .rows
            .len()
    };
    assert_eq!((composes("ID.AM-06"), composes("GV.SC-07")), (1, 0));
    assert_eq!(pm13.relationship, "related via");
    assert_eq!(pm13.via.as_deref(), Some("GV.RR-02"));
    assert_eq!(pm13.explanation.len(), 2, "{:?}", pm13.explanation);
    assert!(
        pm13.explanation[0]
            .contains("ID.AM-06 related GV.RR-02 [set: CSF 1.1 to CSF 2.0 transition"),
        "{:?}",
        pm13.explanation
    );
    assert!(
        pm13.explanation[1].contains(
            "GV.RR-02 related PM-13 [set: OLIR CSF 2.0 → SP 800-53 5.2.0, sheet 'Relationships' row"
        ),
        "{:?}",
        pm13.explanation
    );
    // An inverse names the asserted mapping's set and row.
    let inv = answer::map(db, "PM-13", Some("csf"), Some("olir-186"), true).expect("map");
    assert!(
        inv.iter()
            .all(|a| a.how == "inverse" && a.explanation.len() == 1)
    );
    assert!(
        inv[0].explanation[0].starts_with("inverse of: ")
            && inv[0].explanation[0].contains("[set: OLIR")
    );
}

#[test]
fn path_connects_a_withdrawn_csf_1_1_element_to_a_control() {
    let _d = require_sources!();
    let db = util::loaded().expect("loaded");
    let hops = answer::path(db, "ID.AM-06", "PM-13", 4)
        .expect("path")
        .expect("connected");
    assert_eq!(hops.len(), 2);
    assert_eq!(
        (hops[0].from.as_str(), hops[0].to.as_str()),
        ("ID.AM-06", "GV.RR-02")
    );
    assert_eq!(hops[1].to, "PM-13");
    assert!(hops.iter().all(|h| h.set.is_some()));
}

#[test]
fn a_four_hop_path_is_found_from_both_ends_and_no_shorter_one_exists() {
    let _d = require_sources!();
    let db = util::loaded().expect("loaded");
    let hops = answer::path(db, "ID.AM-06", "SR-6", 4)
        .expect("path")
        .expect("connected");
    assert_eq!(hops.len(), 4);
    assert_eq!(hops[0].from, "ID.AM-06");
    assert_eq!(hops[3].to, "SR-6");
    // The halves found by the two searches join up: each hop starts where the last ended.
    for w in hops.windows(2) {
        assert_eq!(w[0].to, w[1].from, "{hops:?}");
    }
    // Breadth-first from both ends is exhaustive up to the bound: nothing within 3 hops.
    assert_eq!(answer::path(db, "ID.AM-06", "SR-6", 3).expect("path"), None);
}

#[test]
fn inferred_inverses_match_asserted_mappings_one_to_one() {
    let _d = require_sources!();
    let db = util::loaded().expect("loaded");
    let q = |b: &str| util::count(db, &format!("{}{b}", util::PREFIXES));
    let asserted = q(
        "SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE { ?m a cw:Mapping . MINUS { ?m cw:method cw:Inference } }",
    );
    let inverses = q("SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE { ?m cw:inverseOf ?a }");
    assert_eq!(inverses, asserted);
    // Every answering mapping rests on an asserted one: an asserted mapping is its own basis,
    // an inverse's basis is the mapping it restates, whose style and status it does not
    // repeat (SHACL InverseShape says the same).
    let own = q("SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE { ?m cw:basis ?m }");
    assert_eq!(own, asserted);
    let restated =
        q("SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE { ?m cw:inverseOf ?a ; cw:basis ?a }");
    assert_eq!(restated, inverses);
    let bases = q("SELECT (COUNT(*) AS ?n) WHERE { ?m cw:basis ?b }");
    assert_eq!(bases, asserted + inverses, "one basis each");
    let repeated = q(
        "SELECT (COUNT(*) AS ?n) WHERE { ?m cw:inverseOf ?a . { ?m cw:style ?x } UNION { ?m cw:mappingStatus ?x } }",
    );
    assert_eq!(repeated, 0);
    // Every composition record has two hops that meet at an element and a composed
    // relationship; none composes through an inferred mapping.
    for hop in ["firstHop", "secondHop", "inverseOf"] {
        let bad = q(&format!(
            "SELECT (COUNT(*) AS ?n) WHERE {{ ?m cw:{hop} ?h . ?h cw:method cw:Inference }}"
        ));
        assert_eq!(bad, 0, "{hop}");
    }
    let composed = q(
        "SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE { ?m a cw:Composition ; cw:firstHop ?a ; cw:secondHop ?b ; cw:relationship ?r . ?a cw:object ?v . ?b cw:subject ?v }",
    );
    let any = q("SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE { ?m cw:firstHop ?a }");
    assert_eq!(composed, any);
    assert!(composed > 0);
}

#[test]
fn show_names_each_dangling_mapping_of_ia_13_once() {
    let dir = require_sources!();
    let db = util::loaded().expect("loaded");
    // Rows naming IA-13, counted in the sources: OLIR #186, the Reference Tool's two SP 800-53
    // datasets (both resolve against 5.0.1, which lacks IA-13) and the Cyber AI Profile.
    let olir = olir_pairs(&dir)
        .iter()
        .filter(|(_, t)| t == "IA-13")
        .count();
    let mut wb = open_workbook_auto(dir.join("nist/csf2/csf2.xlsx")).expect("open Reference Tool");
    let range = wb.worksheet_range("CSF 2.0").expect("sheet");
    let tool = range
        .rows()
        .flat_map(|r| r.iter().map(|c| c.to_string()).collect::<Vec<_>>())
        .flat_map(|c| c.lines().map(str::to_owned).collect::<Vec<_>>())
        .filter(|l| {
            l.trim()
                .strip_prefix("SP 800-53 Rev 5.")
                .is_some_and(|rest| {
                    rest.split_once(": ")
                        .is_some_and(|(_, id)| canonical_notation(id) == "IA-13")
                })
        })
        .count();
    let profile: serde_json::Value = serde_json::from_slice(
        &std::fs::read(dir.join("ai/cyber-ai-profile/visua_cyber-ai-profile.json"))
            .expect("read profile"),
    )
    .expect("parse profile");
    let cyber = profile["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .flat_map(|e| e["refs"].as_array().cloned().unwrap_or_default())
        .filter(|r| {
            r["scheme"] == "nist-sp-800-53"
                && r["id"].as_str().map(canonical_notation).as_deref() == Some("IA-13")
        })
        .count();
    assert_eq!((olir, tool, cyber), (2, 4, 2));

    let crosswalk::answer::card::Shown::Dangling(refs) =
        crosswalk::answer::card::show(db, "IA-13").expect("show")
    else {
        panic!("IA-13 is not in the 5.0.1 catalog");
    };
    // One entry per mapping: a set's row (and line) names one mapping.
    let distinct: BTreeSet<(&str, &str)> = refs
        .iter()
        .map(|r| (r.set.as_str(), r.location.as_str()))
        .collect();
    assert_eq!(distinct.len(), refs.len(), "{refs:#?}");
    assert_eq!(refs.len(), olir + tool + cyber, "{refs:#?}");
    // The JSON form (`show --format json`) is the same list.
    let json = serde_json::to_value(&refs).expect("json");
    assert_eq!(json.as_array().map(Vec::len), Some(olir + tool + cyber));
}

#[test]
fn show_reports_dangling_references_with_their_rows() {
    let _d = require_sources!();
    let db = util::loaded().expect("loaded");
    let crosswalk::answer::card::Shown::Dangling(refs) =
        crosswalk::answer::card::show(db, "IA-13").expect("show")
    else {
        panic!("IA-13 is not in the 5.0.1 catalog");
    };
    let olir: BTreeSet<String> = refs
        .iter()
        .filter(|r| r.set.starts_with("OLIR"))
        .map(|r| format!("{} {}", r.other, r.location))
        .collect();
    assert_eq!(
        olir,
        [
            "PR.AA-04 sheet 'Relationships' row 484",
            "PR.AA-05 sheet 'Relationships' row 496"
        ]
        .map(String::from)
        .into()
    );
    assert!(refs.iter().all(|r| r.flag == "dangling target"));
    // GV.SC-07's card lists its mappings, grouped by set, with type and status.
    let crosswalk::answer::card::Shown::Cards(cards) =
        crosswalk::answer::card::show(db, "gv.sc-07").expect("show")
    else {
        panic!("card")
    };
    let olir: BTreeSet<String> = cards[0]
        .mappings
        .iter()
        .filter(|m| m.set.starts_with("OLIR"))
        .map(|m| format!("{} {} {}", m.relationship, m.target, m.status))
        .collect();
    assert_eq!(
        olir,
        [
            "related RA-9 draft",
            "related SA-4 draft",
            "related SA-9 draft",
            "related SR-3 draft",
            "related SR-6 draft"
        ]
        .map(String::from)
        .into()
    );
}

/// Active base controls of a family in the 5.0.1 catalog JSON, in canonical spelling.
fn family_controls(dir: &Path, family: &str) -> BTreeSet<String> {
    let p = dir.join("nist/sp800-53r5/v5.0.1/NIST_SP-800-53_rev5_catalog.json");
    let v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(p).expect("read catalog")).expect("json");
    let groups = v["catalog"]["groups"].as_array().expect("groups");
    let g = groups
        .iter()
        .find(|g| g["id"] == family)
        .expect("family group");
    g["controls"]
        .as_array()
        .expect("controls")
        .iter()
        .filter(|c| {
            !c["props"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|p| p["name"] == "status" && p["value"] == "withdrawn")
        })
        .map(|c| canonical_notation(c["id"].as_str().expect("id")))
        .collect()
}

#[test]
fn rollup_is_opt_in_and_reaches_family_members_and_parent_controls() {
    let dir = require_sources!();
    let Some(db) = util::loaded() else { return };
    // OLIR maps PR.IR-03 to the CP and IR families as a whole (family-level rows).
    let plain =
        answer::map(db, "PR.IR-03", Some("sp800-53"), Some("olir-186"), false).expect("map");
    assert!(plain.iter().all(|a| !a.how.starts_with("rollup")));
    let with = answer::map_with(
        db,
        "PR.IR-03",
        Some("sp800-53"),
        Some("olir-186"),
        true,
        true,
    )
    .expect("map --rollup");
    let down: BTreeSet<String> = with
        .iter()
        .filter(|a| a.how == "rollup-down")
        .map(|a| a.target.clone())
        .collect();
    let mut expected = family_controls(&dir, "cp");
    expected.extend(family_controls(&dir, "ir"));
    assert_eq!(expected.len(), 12 + 9);
    assert_eq!(down, expected);
    let cp2 = with
        .iter()
        .find(|a| a.how == "rollup-down" && a.target == "CP-2")
        .expect("CP-2 by roll-down");
    assert_eq!(cp2.via.as_deref(), Some("CP"));
    assert_eq!(cp2.relationship, "related via");
    assert!(
        cp2.explanation.iter().any(|l| l.contains("roll-down")
            && l.contains("PR.IR-03")
            && l.contains("OLIR CSF 2.0 → SP 800-53 5.2.0")),
        "{:?}",
        cp2.explanation
    );
    // Roll-up: GV.OC-04 → CP-2(8) also reaches CP-2, never as an asserted answer.
    let up = answer::map_with(
        db,
        "GV.OC-04",
        Some("sp800-53"),
        Some("olir-186"),
        false,
        true,
    )
    .expect("map");
    let cp2_up: Vec<_> = up
        .iter()
        .filter(|a| a.target == "CP-2" && a.how == "rollup-up")
        .collect();
    assert_eq!(cp2_up.len(), 1);
    assert_eq!(cp2_up[0].via.as_deref(), Some("CP-2(8)"));
    // Coverage: without --rollup family-level rows cover nothing in a baseline; with it they
    // count through the family's members.
    let strict = answer::coverage(db, "csf", "sp800-53", Some("olir-186"), Some("LOW"), None)
        .expect("coverage");
    let rolled = answer::coverage_with(
        db,
        "csf",
        "sp800-53",
        Some("olir-186"),
        Some("LOW"),
        None,
        true,
    )
    .expect("coverage --rollup");
    let row = |c: &answer::Coverage, f: &str| {
        c.rows
            .iter()
            .find(|r| r.focal == f)
            .cloned()
            .expect("focal row")
    };
    let low = baseline(&dir, "LOW");
    let expected_low: Vec<String> = expected
        .iter()
        .filter(|c| low.contains(*c))
        .cloned()
        .collect();
    let r = row(&rolled, "PR.IR-03");
    for c in &expected_low {
        assert!(
            r.covered_by.contains(c),
            "{c} missing from {:?}",
            r.covered_by
        );
    }
    assert!(
        !row(&strict, "PR.IR-03")
            .covered_by
            .iter()
            .any(|c| c == "CP-2")
    );
    assert!(rolled.covered >= strict.covered);
}

/// The coverage slices (materialised) answer exactly what the plain formulation over every
/// mapping answers: same focal units, same covered (focal, target) pairs, same gaps — for a
/// set, for any set, and in the reverse direction (inverse mappings).
#[test]
fn coverage_slices_agree_with_the_plain_formulation() {
    let _d = require_sources!();
    let db = util::loaded().expect("loaded");
    let units_q = |from: &str| {
        format!(
            "{}SELECT DISTINCT ?focal WHERE {{
               ?fdoc cw:scheme \"{from}\" . ?focal cw:definedBy ?fdoc ; a ?unit ; skos:notation ?fn .
               VALUES ?unit {{ cw:Subcategory cw:Control cw:ControlEnhancement }}
               FILTER NOT EXISTS {{ ?focal cw:status cw:Withdrawn }} }}",
            util::PREFIXES
        )
    };
    for (from, to, set) in [
        ("csf", "sp800-53", Some("olir-186")),
        ("csf", "sp800-53", None),
        ("sp800-53", "csf", None),
    ] {
        let set_pattern = set
            .map(|s| format!("?b cw:setScheme \"{s}\" ."))
            .unwrap_or_default();
        let plain = util::column(
            db,
            &format!(
                "{}SELECT DISTINCT ?pair WHERE {{
                   ?fdoc cw:scheme \"{from}\" . ?focal cw:definedBy ?fdoc ; a ?unit ; skos:notation ?fn .
                   VALUES ?unit {{ cw:Subcategory cw:Control cw:ControlEnhancement }}
                   FILTER NOT EXISTS {{ ?focal cw:status cw:Withdrawn }}
                   ?m cw:subject ?focal ; cw:targetScheme \"{to}\" ; cw:basis ?b ;
                      cw:object ?target ; cw:relationship ?rel . {set_pattern}
                   ?target skos:notation ?tn .
                   FILTER(?rel != cw:NoRelationship && ?rel != cw:Contrary)
                   BIND(CONCAT(STR(?focal), \" \", STR(?target)) AS ?pair) }}",
                util::PREFIXES
            ),
            "pair",
        );
        let plain: BTreeSet<String> = plain.into_iter().collect();
        let args = |with_baseline: bool| {
            let mut v = vec![
                ("fromScheme".to_owned(), from.to_owned()),
                ("toScheme".to_owned(), to.to_owned()),
                ("setScheme".to_owned(), set.unwrap_or("*").to_owned()),
            ];
            if with_baseline {
                v.push(("baseline".to_owned(), "*".to_owned()));
            }
            v
        };
        let cov = crosswalk::query::named("coverage")
            .expect("q")
            .run(db, &args(true))
            .expect("coverage");
        let sliced: BTreeSet<String> = (0..cov.rows.len())
            .map(|r| {
                let t = |v: &str| {
                    cov.get(r, v)
                        .map(crosswalk::query::term_text)
                        .unwrap_or_default()
                };
                format!("{} {}", t("focal"), t("target"))
            })
            .collect();
        assert!(!plain.is_empty(), "{from} → {to} {set:?}");
        assert_eq!(sliced, plain, "{from} → {to} {set:?}");

        let units: BTreeSet<String> = util::column(db, &units_q(from), "focal")
            .into_iter()
            .collect();
        let named_units: BTreeSet<String> = crosswalk::query::named("focal-units")
            .expect("q")
            .run(db, &[("fromScheme".to_owned(), from.to_owned())])
            .expect("units")
            .strings("focal")
            .into_iter()
            .collect();
        assert_eq!(named_units, units, "{from}");
        let covered: BTreeSet<String> = plain
            .iter()
            .filter_map(|p| p.split(' ').next().map(str::to_owned))
            .collect();
        let expected_gaps: BTreeSet<String> = units.difference(&covered).cloned().collect();
        let gaps: BTreeSet<String> = crosswalk::query::named("gaps")
            .expect("q")
            .run(db, &args(false))
            .expect("gaps")
            .strings("focal")
            .into_iter()
            .collect();
        assert_eq!(gaps, expected_gaps, "{from} → {to} {set:?}");
    }
}

/// Issue 16: every name a user gives is checked in one place (crosswalk::query::names). Labels match
/// case-insensitively and answer exactly as the canonical spelling; an unknown name is an error
/// naming the closest known ones, never an empty answer.
#[test]
fn names_are_checked_case_insensitively_and_unknown_ones_are_errors() {
    let _d = require_sources!();
    let db = util::loaded().expect("loaded");
    let cov = |baseline: &str, set: &str| {
        answer::coverage_with(
            db,
            "csf",
            "sp800-53",
            Some(set),
            Some(baseline),
            None,
            false,
        )
    };
    let upper = cov("MODERATE", "olir-186").expect("coverage");
    let lower = cov("moderate", "OLIR-186").expect("coverage");
    assert_eq!(lower, upper);
    assert_eq!(lower.baseline.as_deref(), Some("MODERATE"));
    assert_eq!((upper.covered, upper.total), (97, 106));
    let err = |r: crosswalk::Result<answer::Coverage>| match r {
        Ok(c) => panic!("expected an error, got {} of {}", c.covered, c.total),
        Err(e) => e.to_string(),
    };
    let e = err(cov("MODERATE", "olir186"));
    assert!(
        e.contains("unknown mapping set `olir186`; did you mean `olir-186`?"),
        "{e}"
    );
    let e = err(cov("bogus", "olir-186"));
    assert!(
        e.starts_with("unknown baseline `bogus`")
            && e.contains("MODERATE")
            && e.contains("PRIVACY"),
        "{e}"
    );
    let e = err(answer::coverage_with(
        db, "csf", "sp80053", None, None, None, false,
    ));
    assert!(e.contains("did you mean `sp800-53`?"), "{e}");
    // Profiles, focus areas and priorities.
    let secure = answer::profile_selection(db, "cyber-ai", "secure", Some(1)).expect("secure");
    assert_eq!(
        secure,
        answer::profile_selection(db, "CYBER-AI-PROFILE", "Secure", Some(1)).expect("Secure")
    );
    assert_eq!(secure.len(), 23);
    let e = answer::profile_selection(db, "cyber-ai", "protect", None)
        .expect_err("protect")
        .to_string();
    assert!(
        e.contains("unknown focus area `protect`")
            && ["Secure", "Defend", "Thwart"].iter().all(|f| e.contains(f)),
        "{e}"
    );
    let e = answer::profile_selection(db, "cyber-ai", "secure", Some(7))
        .expect_err("priority 7")
        .to_string();
    assert!(
        e.contains("unknown priority `7`") && e.contains("1 (High)"),
        "{e}"
    );
    let e = answer::profile_selection(db, "cyberai", "secure", None)
        .expect_err("profile")
        .to_string();
    assert!(e.contains("unknown profile `cyberai`"), "{e}");
    // map: a mistyped set or scheme is an error, an unknown id too (with the closest ids); a
    // known id with no mapping in the selection is an empty answer.
    let e = answer::map(db, "GV.SC-07", Some("sp800-53"), Some("olir186"), false)
        .expect_err("set")
        .to_string();
    assert!(e.contains("did you mean `olir-186`?"), "{e}");
    let e = answer::map(db, "GV.SC-07", Some("sp-800-53"), None, false)
        .expect_err("scheme")
        .to_string();
    assert!(e.contains("unknown scheme `sp-800-53`"), "{e}");
    let e = answer::map(db, "GV.SC-77", None, None, false)
        .expect_err("id")
        .to_string();
    assert!(
        e.contains("unknown element `GV.SC-77`; did you mean"),
        "{e}"
    );
    assert!(
        answer::map(db, "GV.SC-07", Some("ai-rmf"), None, false)
            .expect("known id")
            .is_empty()
    );
    let e = answer::path(db, "ID.AM-06", "SR-6", 0)
        .expect_err("0 hops")
        .to_string();
    assert!(e.contains("max hops is 1 to 8"), "{e}");
}

/// Issue 16: one parameter name per kind across the named queries, short forms everywhere
/// (`set=olir-186`, `element=AC-2`), IRIs and the old names still accepted, the same rows
/// whichever spelling is given; unknown values and parameters are errors.
#[test]
fn named_query_parameters_take_short_forms_and_check_names() {
    let _d = require_sources!();
    let db = util::loaded().expect("loaded");
    use crosswalk::query::named;
    let a = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    };
    let rows = |q: &str, args: &[(&str, &str)]| {
        let mut r: Vec<String> = named(q)
            .expect("query")
            .run_checked(db, &a(args))
            .unwrap_or_else(|e| panic!("{q} {args:?}: {e}"))
            .rows
            .iter()
            .map(|r| format!("{r:?}"))
            .collect();
        r.sort();
        r
    };
    let olir = "https://w3id.org/crosswalk/doc/mapping/olir-186-csf-2.0-to-sp800-53-5.2.0";
    let short = rows("check-set", &[("set", "olir-186")]);
    assert!(!short.is_empty());
    assert_eq!(short, rows("check-set", &[("set", olir)]));
    let xw = rows(
        "crosswalk",
        &[
            ("element", "GV.SC-07"),
            ("to", "sp800-53"),
            ("set", "olir-186"),
        ],
    );
    assert_eq!(xw.len(), 5);
    assert_eq!(
        xw,
        rows(
            "crosswalk",
            &[
                ("key", "gv.sc-07"),
                ("toScheme", "SP800-53"),
                ("setScheme", "OLIR-186")
            ]
        )
    );
    let ac2 = "https://w3id.org/crosswalk/id/sp800-53r5/5.0.1/ac-2";
    let by_id = rows("element-baselines", &[("element", "AC-2")]);
    assert_eq!(by_id, rows("element-baselines", &[("element", ac2)]));
    assert_eq!(by_id.len(), 3, "{by_id:?}"); // LOW, MODERATE, HIGH
    assert_eq!(
        rows(
            "cyber-ai-priority",
            &[("focus", "secure"), ("priority", "1")]
        ),
        rows(
            "cyber-ai-priority",
            &[("focus", "Secure"), ("priority", "High")]
        )
    );
    assert_eq!(
        rows(
            "cyber-ai-priority",
            &[("focus", "secure"), ("priority", "1")]
        )
        .len(),
        23
    );
    let fails = |q: &str, args: &[(&str, &str)]| {
        named(q)
            .expect("query")
            .run_checked(db, &a(args))
            .expect_err("must fail")
            .to_string()
    };
    assert!(fails("check-set", &[("set", "olir186")]).contains("did you mean `olir-186`?"));
    assert!(
        fails(
            "cyber-ai-priority",
            &[("focus", "protect"), ("priority", "1")]
        )
        .contains("unknown focus area")
    );
    assert!(fails("element", &[("element", "XX-99")]).contains("unknown element `XX-99`"));
    assert!(
        fails("crosswalk", &[("element", "AC-2"), ("sett", "x")])
            .contains("unknown parameter `sett`; did you mean `set`?")
    );
    assert!(fails("crosswalk", &[("element", "AC-2"), ("key", "AC-3")]).contains("given 2 times"));
    assert!(
        fails(
            "coverage",
            &[
                ("from", "csf"),
                ("to", "sp800-53"),
                ("baseline", "moderatee")
            ]
        )
        .contains("did you mean `MODERATE`?")
    );
    // No loaded id contains the CSV list separator.
    let sep = crosswalk::render::LIST_SEPARATOR;
    let n = util::count(
        db,
        &format!(
            "{}SELECT (COUNT(*) AS ?n) WHERE {{ ?e cw:lookupKey ?k FILTER(CONTAINS(?k, \"{sep}\")) }}",
            util::PREFIXES
        ),
    );
    assert_eq!(n, 0);
}

/// `mapping-explain` as it was before it read the facts inference stores (`cw:basis`,
/// composition hops, `cw:rolledUpFrom`): the reference the explanations must still equal.
const OLD_EXPLAIN: &str = r#"
PREFIX cw: <https://w3id.org/crosswalk/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?mapping ?kind ?step ?rule ?hop ?subjectNotation ?relationship ?objectNotation ?set ?setLabel ?location
WHERE {
  OPTIONAL { ?mapping cw:rule ?stated }
  {
    ?mapping a cw:Mapping .
    MINUS { ?mapping cw:method cw:Inference }
    BIND(?mapping AS ?hop) BIND(0 AS ?step) BIND("direct" AS ?kind)
  } UNION {
    ?mapping cw:inverseOf ?hop . BIND(1 AS ?step) BIND("inverse" AS ?kind)
  } UNION {
    ?mapping cw:firstHop ?hop . BIND(1 AS ?step) BIND("path" AS ?kind)
  } UNION {
    ?mapping cw:secondHop ?hop . BIND(2 AS ?step) BIND("path" AS ?kind)
  } UNION {
    ?mapping cw:rolledUpFrom ?hop . BIND(1 AS ?step) BIND("rollup" AS ?kind)
  }
  OPTIONAL {
    ?mapping cw:firstHop/cw:relationship/rdfs:label ?r1 ;
             cw:secondHop/cw:relationship/rdfs:label ?r2 ;
             cw:relationship/rdfs:label ?r3 .
  }
  BIND(COALESCE(?stated, CONCAT(?r1, " ∘ ", ?r2, " = ", ?r3)) AS ?rule)
  ?hop cw:subject/skos:notation ?subjectNotation ; cw:relationship/rdfs:label ?relationship ; cw:mappingSet ?set .
  OPTIONAL { ?hop cw:object/skos:notation ?on }
  OPTIONAL { ?hop cw:objectNotation ?op }
  BIND(COALESCE(?on, ?op) AS ?objectNotation)
  ?set rdfs:label ?setLabel .
  OPTIONAL { ?hop cw:sourceLocation ?location }
}
ORDER BY ?step
"#;

/// The explanation of one mapping as `map --explain` printed it with [`OLD_EXPLAIN`], one
/// query per answer, its parameter bound by a VALUES row as the named-query layer did.
fn old_explanation(db: &crosswalk::store::Db, mapping: &str) -> Vec<String> {
    use crosswalk::query::{Sparql, term_text};
    let iri = oxigraph::model::NamedNode::new(mapping).expect("iri");
    let sol = db
        .select(OLD_EXPLAIN, &[("mapping", iri.into())])
        .expect("old mapping-explain");
    let s = |r: usize, v: &str| sol.get(r, v).map(term_text);
    (0..sol.rows.len())
        .map(|r| {
            let hop = format!(
                "{} {} {} [set: {}{}]",
                s(r, "subjectNotation").unwrap_or_default(),
                s(r, "relationship").unwrap_or_default(),
                s(r, "objectNotation").unwrap_or_default(),
                s(r, "setLabel").unwrap_or_default(),
                s(r, "location")
                    .map(|l| format!(", {l}"))
                    .unwrap_or_default(),
            );
            let step = s(r, "step").unwrap_or_default();
            match (s(r, "kind").unwrap_or_default().as_str(), s(r, "rule")) {
                ("direct", _) => format!("direct: {hop}"),
                ("inverse", _) => format!("inverse of: {hop}"),
                (_, Some(rule)) => format!("hop {step} ({rule}): {hop}"),
                (_, None) => format!("hop {step}: {hop}"),
            }
        })
        .collect()
}

/// The explanations `map --explain` now gets from one query per lookup are, answer for
/// answer, those of the former query per answer: direct (GV.SC-07), compositions (ID.AM-06,
/// a withdrawn CSF 1.1 id) and inverses (RA-9 to CSF). The old query takes ~1 s per answer,
/// so it checks one set of each; over all sets, the batch equals `mapping-explain` run per
/// answer.
#[test]
fn batched_explanations_equal_the_former_per_answer_ones() {
    let _d = require_sources!();
    let db = util::loaded().expect("loaded");
    let mut kinds = BTreeSet::new();
    for (id, to, set) in [
        ("GV.SC-07", "sp800-53", "olir-186"),
        ("ID.AM-06", "sp800-53", "olir-186"),
        ("RA-9", "csf", "olir-186"),
    ] {
        let answers = answer::map(db, id, Some(to), Some(set), true).expect("map");
        assert!(!answers.is_empty(), "{id}");
        for a in &answers {
            kinds.insert(a.how.clone());
            assert!(!a.explanation.is_empty(), "{id} → {}", a.target);
            assert_eq!(
                a.explanation,
                old_explanation(db, &a.mapping),
                "{id} → {} ({})",
                a.target,
                a.mapping
            );
        }
    }
    assert_eq!(
        kinds,
        ["direct", "inverse", "path"].map(String::from).into()
    );
    // Every set, roll-ups too.
    for id in ["GV.SC-07", "ID.AM-06", "RA-9", "ID.IM-04"] {
        let answers = answer::map_with(db, id, None, None, true, true).expect("map");
        for a in &answers {
            assert!(!a.explanation.is_empty(), "{id} → {}", a.target);
            assert_eq!(
                a.explanation,
                answer::explain_mapping(db, &a.mapping).expect("explain"),
                "{id} → {}",
                a.target
            );
        }
    }
}

/// Issue 19: a user's own set gets the same coverage rows as NIST's, and they equal the slow,
/// general computation over its mappings (every subject/object pair, baseline membership read
/// from `cw:inBaseline`), for coverage with a baseline and for gaps — on a generated set with
/// repeated pairs, several relationship types (no-relationship among them, which never covers),
/// family-level targets and enhancements.
#[test]
fn a_user_set_s_coverage_equals_the_plain_computation() {
    use crosswalk::load::user_set::{self, Spec};
    let _d = require_sources!();
    let db = util::loaded_copy().expect("loaded");
    let csf: Vec<String> = util::column(
        &db,
        &format!(
            "{}SELECT ?n WHERE {{ ?e cw:unitInScheme \"csf\" ; skos:notation ?n }} ORDER BY ?n",
            util::PREFIXES
        ),
        "n",
    );
    let sp: Vec<String> = util::column(
        &db,
        &format!(
            "{}SELECT ?n WHERE {{ ?e cw:unitInScheme \"sp800-53\" ; skos:notation ?n }} ORDER BY ?n",
            util::PREFIXES
        ),
        "n",
    );
    assert!(
        csf.len() > 100 && sp.len() > 1000,
        "{} {}",
        csf.len(),
        sp.len()
    );
    // A fixed linear congruential generator: the same set every run.
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = |n: usize| {
        x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        ((x >> 33) as usize) % n
    };
    let preds = [
        ("skos:relatedMatch", "related"),
        ("skos:broadMatch", "subset of"),
        ("skos:exactMatch", "equal"),
        ("skos:narrowMatch", "superset of"),
        ("crosswalk:noRelationship", "no relationship"),
    ];
    let mut tsv = String::from(
        "# mapping_set_id: https://example.org/plain-vs-rows\n# license: https://creativecommons.org/publicdomain/zero/1.0/\n# curie_map:\n#   csf: https://w3id.org/crosswalk/scheme/csf/\n#   sp800-53: https://w3id.org/crosswalk/scheme/sp800-53/\n#   semapv: https://w3id.org/semapv/vocab/\n#   skos: http://www.w3.org/2004/02/skos/core#\n#   crosswalk: https://w3id.org/crosswalk/ontology#\nsubject_id\tpredicate_id\tpredicate_label\tobject_id\tmapping_justification\n",
    );
    // Few focal elements and many rows, so pairs repeat (a row is per pair, not per mapping).
    let focal: Vec<&String> = (0..12).map(|i| &csf[(i * 7) % csf.len()]).collect();
    for i in 0..3000 {
        let f = focal[next(focal.len())];
        let t = if i % 97 == 0 {
            "AC"
        } else {
            sp[next(200)].as_str()
        };
        let (p, l) = preds[next(preds.len())];
        tsv.push_str(&format!(
            "csf:{f}\t{p}\t{l}\tsp800-53:{t}\tsemapv:ManualMappingCuration\n"
        ));
    }
    let dir = tempfile::tempdir().expect("tmp");
    let file = dir.path().join("plain.sssom.tsv");
    std::fs::write(&file, &tsv).expect("write");
    user_set::load(
        &db,
        &Spec {
            file,
            name: Some("plain-vs-rows".into()),
            focal: "csf".into(),
            reference: "sp800-53".into(),
            reference_version: None,
            status: crosswalk::source::manifest::DocStatus::Draft,
        },
    )
    .expect("load the generated set");
    // The general formulation: the set's mappings and their inverses, by subject and object.
    let plain = |from: &str, to: &str, baseline: Option<&str>| -> BTreeSet<String> {
        let sel = baseline
            .map(|b| {
                format!("FILTER EXISTS {{ ?target cw:inBaseline ?bl . ?bl rdfs:label \"{b}\" }}")
            })
            .unwrap_or_default();
        util::column(
            &db,
            &format!(
                "{}SELECT DISTINCT ?pair WHERE {{
                   ?focal cw:unitInScheme \"{from}\" ; skos:notation ?fn .
                   ?m cw:subject ?focal ; cw:object ?target ; cw:relationship ?rel ; cw:basis ?b .
                   ?b cw:mappingSet ?set . ?set cw:scheme \"plain-vs-rows\" .
                   ?target skos:notation ?tn ; cw:definedBy/cw:scheme \"{to}\" .
                   FILTER(?rel != cw:NoRelationship && ?rel != cw:Contrary) {sel}
                   BIND(CONCAT(?fn, \" \", ?tn) AS ?pair) }}",
                util::PREFIXES
            ),
            "pair",
        )
        .into_iter()
        .collect()
    };
    for (from, to) in [("csf", "sp800-53"), ("sp800-53", "csf")] {
        let cov = answer::coverage_with(
            &db,
            from,
            to,
            Some("plain-vs-rows"),
            Some("MODERATE"),
            None,
            false,
        )
        .expect("coverage");
        let pairs = |inside: bool| -> BTreeSet<String> {
            cov.rows
                .iter()
                .flat_map(|r| {
                    let list = if inside {
                        &r.covered_by
                    } else {
                        &r.mapped_outside_baseline
                    };
                    list.iter().map(|t| format!("{} {t}", r.focal))
                })
                .collect()
        };
        let all = plain(from, to, None);
        let inside = if to == "sp800-53" {
            plain(from, to, Some("MODERATE"))
        } else {
            BTreeSet::new()
        };
        assert!(all.len() > 100, "{from} → {to}: {}", all.len());
        assert_eq!(pairs(true), inside, "{from} → {to}: covering in MODERATE");
        let outside: BTreeSet<String> = all.difference(&inside).cloned().collect();
        assert_eq!(pairs(false), outside, "{from} → {to}: outside MODERATE");
        let covered: BTreeSet<&str> = all.iter().filter_map(|p| p.split(' ').next()).collect();
        let gaps: BTreeSet<String> = crosswalk::query::named("gaps")
            .expect("q")
            .run(
                &db,
                &[
                    ("fromScheme".to_owned(), from.to_owned()),
                    ("toScheme".to_owned(), to.to_owned()),
                    ("setScheme".to_owned(), "plain-vs-rows".to_owned()),
                ],
            )
            .expect("gaps")
            .strings("focalNotation")
            .into_iter()
            .collect();
        let units: BTreeSet<String> = cov.rows.iter().map(|r| r.focal.clone()).collect();
        let expected: BTreeSet<String> = units
            .iter()
            .filter(|u| !covered.contains(u.as_str()))
            .cloned()
            .collect();
        assert_eq!(gaps, expected, "{from} → {to}: gaps");
        assert_eq!(
            cov.rows
                .iter()
                .filter(|r| !r.covered && r.mapped_outside_baseline.is_empty())
                .count(),
            gaps.len(),
            "{from} → {to}: the report's unmapped rows are the gaps"
        );
    }
}

/// `map AC-2`'s reverse rows name their CSF subcategory: a subcategory has no title, so the
/// answer's title is its statement (read here straight from the store).
#[test]
fn reverse_rows_carry_the_subcategory_statement_as_title() {
    let _ = require_sources!();
    let db = util::loaded().expect("loaded");
    let answers = crosswalk::answer::MapRequest {
        id: "AC-2".into(),
        ..Default::default()
    }
    .answer(db)
    .expect("map AC-2");
    let reverse: Vec<_> = answers.iter().filter(|a| a.how == "inverse").collect();
    assert!(reverse.len() >= 20, "{}", reverse.len());
    for a in reverse {
        let statement = util::column(
            db,
            &format!(
                "{}SELECT ?s WHERE {{ <{}> cw:statement ?s }}",
                util::PREFIXES,
                a.target_iri
            ),
            "s",
        );
        assert_eq!(statement.len(), 1, "{}", a.target_iri);
        assert_eq!(
            a.target_title.as_deref(),
            Some(statement[0].as_str()),
            "{}",
            a.target
        );
    }
    // A control keeps its title (GV.SC-07 → RA-9 Criticality Analysis).
    let forward = crosswalk::answer::MapRequest {
        id: "GV.SC-07".into(),
        set: Some("olir-186".into()),
        ..Default::default()
    }
    .answer(db)
    .expect("map GV.SC-07");
    let ra9 = forward.iter().find(|a| a.target == "RA-9").expect("RA-9");
    assert_eq!(ra9.target_title.as_deref(), Some("Criticality Analysis"));
}
