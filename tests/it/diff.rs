//! `crosswalk diff`: the difference between two mapping sets, checked against NIST's own
//! workbook read here independently of the importers.
use crate::util;
use calamine::{Reader, open_workbook_auto};
use crosswalk::answer::DiffRequest;
use crosswalk::model::ids::canonical_notation;
use std::collections::BTreeSet;
use std::path::Path;

const RT: &str = "nist/csf2/csf2.xlsx";
const OLD: &str = "csf2-reference-tool/sp-800-53-rev-5-1-1";
const NEW: &str = "csf2-reference-tool/sp-800-53-rev-5-2-0";

/// (CSF subcategory, SP 800-53 id) pairs of one dataset of the Reference Tool export: sheet
/// `CSF 2.0`, column `Informative References`, lines `<dataset>: <id>`.
fn reference_tool_pairs(dir: &Path, dataset: &str) -> BTreeSet<(String, String)> {
    let mut wb = open_workbook_auto(dir.join(RT)).expect("open the Reference Tool workbook");
    let range = wb.worksheet_range("CSF 2.0").expect("sheet CSF 2.0");
    let prefix = format!("{dataset}: ");
    let mut out = BTreeSet::new();
    for r in range.rows() {
        // A subcategory row names it first (`GV.OC-01: …`); a category row, which carries
        // references too (RS.MA, RC.RP), in parentheses (`Incident Management (RS.MA): …`).
        let sub = r.get(2).map(|c| c.to_string()).unwrap_or_default();
        let cat = r.get(1).map(|c| c.to_string()).unwrap_or_default();
        let id = match sub.split_once(':') {
            Some((id, _)) => id.to_owned(),
            None => match cat.split_once("):").and_then(|(h, _)| h.rsplit_once('(')) {
                Some((_, code)) => code.to_owned(),
                None => continue,
            },
        };
        let refs = r.get(4).map(|c| c.to_string()).unwrap_or_default();
        for line in refs.lines() {
            if let Some(target) = line.trim().strip_prefix(&prefix) {
                out.insert((canonical_notation(id.trim()), canonical_notation(target)));
            }
        }
    }
    out
}

fn keys(v: &[crosswalk::answer::diff::PairChange]) -> BTreeSet<(String, String)> {
    v.iter()
        .map(|p| {
            (
                canonical_notation(&p.subject),
                canonical_notation(&p.object),
            )
        })
        .collect()
}

#[test]
fn reference_tool_5_1_1_to_5_2_0_equals_the_workbook() {
    let dir = require_sources!();
    let db = util::loaded().expect("loaded");
    let old = reference_tool_pairs(&dir, "SP 800-53 Rev 5.1.1");
    let new = reference_tool_pairs(&dir, "SP 800-53 Rev 5.2.0");
    // The manifest's counts: 740 and 746 lines, one pair only in 5.1.1, seven only in 5.2.0.
    assert_eq!((old.len(), new.len()), (740, 746));
    let added: BTreeSet<_> = new.difference(&old).cloned().collect();
    let removed: BTreeSet<_> = old.difference(&new).cloned().collect();
    assert_eq!((added.len(), removed.len()), (7, 1));

    let d = DiffRequest {
        sets: vec![OLD.into(), NEW.into()],
        ..Default::default()
    }
    .answer(db)
    .expect("diff");
    assert_eq!((d.old.pairs, d.new.pairs), (old.len(), new.len()));
    assert_eq!(keys(&d.added), added);
    assert_eq!(keys(&d.removed), removed);
    assert!(d.changed.is_empty(), "{:?}", d.changed);
    assert_eq!(d.unchanged, old.intersection(&new).count());
    // The one pair dropped, with its relationship and the control's title.
    let r = &d.removed[0];
    assert_eq!(
        (r.subject.as_str(), r.object.as_str()),
        ("DE.AE-06", "RA-3")
    );
    assert_eq!(
        (r.old.clone(), r.new.clone()),
        (vec!["related".to_owned()], vec![])
    );
    assert_eq!(r.object_label.as_deref(), Some("Risk Assessment"));

    // Reversed, added and removed swap.
    let back = DiffRequest {
        sets: vec![NEW.into(), OLD.into()],
        ..Default::default()
    }
    .answer(db)
    .expect("diff");
    assert_eq!(keys(&back.added), removed);
    assert_eq!(keys(&back.removed), added);
}

#[test]
fn the_olir_set_and_the_reference_tools_5_2_0_lines_are_the_same_pairs() {
    let _d = require_sources!();
    let db = util::loaded().expect("loaded");
    let d = DiffRequest {
        sets: vec!["olir-186".into(), NEW.into()],
        ..Default::default()
    }
    .answer(db)
    .expect("diff");
    // MANIFEST: "The SP 800-53 Rev 5.2.0 lines are exactly the 746 pairs of the OLIR workbook".
    assert_eq!((d.added.len(), d.removed.len(), d.changed.len()), (0, 0, 0));
    assert_eq!(d.unchanged, 746);
}

#[test]
fn diff_names_are_checked_and_exactly_two_sets_are_compared() {
    let _d = require_sources!();
    let db = util::loaded().expect("loaded");
    let err = DiffRequest {
        sets: vec!["olir-168".into(), NEW.into()],
        ..Default::default()
    }
    .answer(db)
    .expect_err("unknown set");
    assert!(err.to_string().contains("did you mean `olir-186`"), "{err}");
    let err = DiffRequest {
        sets: vec!["olir-186".into()],
        ..Default::default()
    }
    .answer(db)
    .expect_err("one set");
    assert!(
        err.to_string().contains("exactly two mapping sets"),
        "{err}"
    );

    // The CLI: a table that fits 100 columns, CSV with one row per pair that differs.
    let dir = util::sources().expect("sources");
    let tmp = tempfile_store(&dir);
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_crosswalk"))
            .arg("--store")
            .arg(tmp.path().join("store"))
            .args(args)
            .output()
            .expect("run crosswalk")
    };
    let out = run(&["diff", "--set", OLD, "--set", NEW, "--format", "csv"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let csv = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "change,subject,object,old,new,object_label");
    assert_eq!(lines.len(), 1 + 7 + 1);
    assert!(
        lines.contains(&"removed,DE.AE-06,RA-3,related,,Risk Assessment"),
        "{csv}"
    );
    let out = run(&["diff", "--set", OLD, "--set", NEW]);
    let table = String::from_utf8_lossy(&out.stdout);
    assert_eq!(table.lines().count(), 3 + 7 + 1, "{table}");
    assert!(
        table.contains("7 added, 1 removed, 0 changed, 739 unchanged"),
        "{table}"
    );
    for line in table.lines() {
        assert!(
            line.chars().count() <= 100,
            "wider than 100 columns: {line}"
        );
    }
    let out = run(&["diff", "--set", OLD, "--set", "nope"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown mapping set `nope`"));
}

/// A store on disk with CSF 2.0, SP 800-53 and the Reference Tool (what the CLI test reads),
/// removed when the returned guard drops.
fn tempfile_store(dir: &Path) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("temp dir");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_crosswalk"))
        .arg("--store")
        .arg(tmp.path().join("store"))
        .arg("--sources")
        .arg(dir)
        .args(["load", "csf-2.0", "sp800-53r5-5.0.1", "csf2-reference-tool"])
        .output()
        .expect("run crosswalk load");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    tmp
}

/// Terminal output fits 100 columns by default (IRIs as `prefix:local`, long text wrapped);
/// `--wide` prints everything in full.
#[test]
fn terminal_output_fits_100_columns() {
    let dir = require_sources!();
    let run = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_crosswalk"))
            .arg("--memory")
            .arg("--sources")
            .arg(&dir)
            .args(args)
            .output()
            .expect("run crosswalk");
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("utf-8")
    };
    let width = |s: &str| s.lines().map(|l| l.chars().count()).max().unwrap_or(0);
    for args in [
        &["stats"][..],
        &["map", "AC-2"],
        &["query", "documents"],
        &[
            "query",
            "cyber-ai-priority",
            "-p",
            "focus=secure",
            "-p",
            "priority=1",
        ],
    ] {
        let text = run(args);
        assert!(
            width(&text) <= 100,
            "{args:?} is {} columns:\n{text}",
            width(&text)
        );
        assert!(
            !text.contains("https://w3id.org/crosswalk/doc/csf"),
            "{args:?}: a full IRI"
        );
    }
    // Reverse rows of `map AC-2` (CSF subcategories, which have no title) carry the
    // subcategory's statement, cut to fit: every row has text after its `inverse` column.
    let map = run(&["map", "AC-2"]);
    let rows: Vec<&str> = map.lines().filter(|l| l.contains(" inverse")).collect();
    assert!(rows.len() >= 20, "{map}");
    for row in &rows {
        let after = row.split(" inverse").nth(1).unwrap_or("").trim();
        assert!(!after.is_empty(), "a reverse row without a title: {row:?}");
    }
    assert!(
        map.lines().any(|l| l.starts_with("  DE.CM-01 ")
            && l.contains("Networks and network services are monitored")),
        "{map}"
    );
    let docs = run(&["query", "documents"]);
    assert!(
        docs.contains("prefixes: cwd: <https://w3id.org/crosswalk/doc/>"),
        "{docs}"
    );
    assert!(docs.contains("cwd:csf/2.0"), "{docs}");
    let wide = run(&["--wide", "query", "documents"]);
    assert!(
        wide.contains("https://w3id.org/crosswalk/doc/csf/2.0"),
        "{wide}"
    );
    assert!(width(&wide) > 100);
    // Machine formats are never abbreviated.
    let csv = run(&["query", "documents", "--format", "csv"]);
    assert!(
        csv.contains("https://w3id.org/crosswalk/doc/csf/2.0,"),
        "{csv}"
    );
}

// ------------------------------------------------------------------ releases of a document

use crosswalk::answer::Diff;
use serde_json::Value;
use std::collections::BTreeMap;

const CSF: &str = "nist/csf2/NIST_CSF_v2.0_catalog.json";
const SP_501: &str = "nist/sp800-53r5/v5.0.1/NIST_SP-800-53_rev5_catalog.json";
const SP_511_HIGH: &str =
    "nist/sp800-53r5/v5.1.1/NIST_SP-800-53_rev5_HIGH-baseline-resolved-profile_catalog-min.json";

fn json_file(dir: &Path, rel: &str) -> Value {
    let bytes = std::fs::read(dir.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
    serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn arr<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    v.get(key)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

fn s<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

/// Every group and control of an OSCAL catalog, by its OSCAL id.
fn oscal_elements(cat: &Value) -> BTreeMap<String, Value> {
    fn walk(v: &Value, out: &mut BTreeMap<String, Value>) {
        for c in arr(v, "controls").iter().chain(arr(v, "groups")) {
            if let Some(id) = c.get("id").and_then(Value::as_str) {
                out.insert(id.to_owned(), c.clone());
            }
            walk(c, out);
        }
    }
    let mut out = BTreeMap::new();
    walk(&cat["catalog"], &mut out);
    out
}

fn withdrawn(c: &Value) -> bool {
    arr(c, "props")
        .iter()
        .any(|p| s(p, "name") == "status" && s(p, "value") == "withdrawn")
}

fn doc_diff(req: DiffRequest) -> crosswalk::answer::diff::DocDiff {
    let db = util::loaded().expect("loaded");
    match req.run(db).expect("diff") {
        Diff::Documents(d) => d,
        Diff::Sets(_) => panic!("a set diff for --doc"),
    }
}

fn by_change(d: &crosswalk::answer::diff::DocDiff, change: &str) -> BTreeSet<String> {
    d.changes
        .iter()
        .filter(|c| c.change == change)
        .map(|c| canonical_notation(&c.notation))
        .collect()
}

/// CSF 1.1 → 2.0: the CSF 2.0 catalog's withdrawn elements and where each went, read here
/// from NIST's OSCAL file.
#[test]
fn csf_release_withdrew_what_its_catalog_marks_withdrawn() {
    let dir = require_sources!();
    let cat = json_file(&dir, CSF);
    let mut want: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (id, c) in oscal_elements(&cat) {
        if !withdrawn(&c) {
            continue;
        }
        let to = arr(&c, "links")
            .iter()
            .filter(|l| {
                matches!(
                    s(l, "rel"),
                    "incorporated_into" | "moved_to" | "incorporated-into" | "moved-to"
                )
            })
            .map(|l| canonical_notation(s(l, "href").trim_start_matches('#')))
            .collect();
        want.insert(canonical_notation(&id), to);
    }
    // The manifest: 79 subcategories and 12 categories withdrawn.
    assert_eq!(want.len(), 91);
    let d = doc_diff(DiffRequest {
        docs: vec!["csf".into()],
        ..Default::default()
    });
    assert!(d.old.is_none());
    assert_eq!(d.counts["withdrawn"], 91);
    let got: BTreeMap<String, BTreeSet<String>> = d
        .changes
        .iter()
        .map(|c| {
            assert_eq!(c.change, "withdrawn");
            (
                canonical_notation(&c.notation),
                c.moved_to.iter().map(|m| canonical_notation(m)).collect(),
            )
        })
        .collect();
    assert_eq!(got, want);
}

/// How NIST prints a parameter inside prose (`[Assignment: …]`, `[Selection …: …]`), by id.
fn shown_params(cat: &Value) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for c in oscal_elements(cat).values() {
        for p in arr(c, "params") {
            let shown = if let Some(sel) = p.get("select") {
                let how = if s(sel, "how-many") == "one-or-more" {
                    " (one or more)"
                } else {
                    ""
                };
                let choices: Vec<&str> = arr(sel, "choice")
                    .iter()
                    .filter_map(Value::as_str)
                    .collect();
                format!("[Selection{how}: {}]", choices.join("; "))
            } else if let Some(l) = p.get("label").and_then(Value::as_str) {
                format!("[Assignment: {l}]")
            } else {
                format!("[{}]", s(p, "id"))
            };
            out.insert(s(p, "id").to_owned(), shown);
        }
    }
    out
}

/// Prose with each `{{ insert: param, ID }}` replaced by the parameter as printed, and any
/// reference left (inside a choice) by a placeholder: releases renumber parameters.
fn substituted(text: &str, shown: &BTreeMap<String, String>) -> String {
    let re = regex::Regex::new(r"\{\{\s*insert:\s*param,\s*([^\s}]+)\s*\}\}").expect("regex");
    let once = re.replace_all(text, |c: &regex::Captures<'_>| {
        shown
            .get(&c[1])
            .cloned()
            .unwrap_or_else(|| format!("[{}]", &c[1]))
    });
    re.replace_all(once.trim(), "{{param}}").into_owned()
}

fn statement_text(c: &Value, shown: &BTreeMap<String, String>) -> Option<String> {
    fn walk(p: &Value, shown: &BTreeMap<String, String>, out: &mut Vec<String>) {
        let label = arr(p, "props")
            .iter()
            .find(|x| s(x, "name") == "label")
            .map(|x| s(x, "value"));
        let prose = p.get("prose").and_then(Value::as_str);
        if prose.is_some() || label.is_some() {
            out.push(format!(
                "{} {}",
                label.unwrap_or(""),
                substituted(prose.unwrap_or(""), shown)
            ));
        }
        for sub in arr(p, "parts") {
            if matches!(s(sub, "name"), "item" | "statement") {
                walk(sub, shown, out);
            }
        }
    }
    let part = arr(c, "parts")
        .iter()
        .find(|p| s(p, "name") == "statement")?;
    let mut out = Vec::new();
    walk(part, shown, &mut out);
    Some(out.join("\n"))
}

/// A control's parameters as texts (label, how many, choices), ids left out.
fn params_text(c: &Value, shown: &BTreeMap<String, String>) -> Vec<String> {
    let mut v: Vec<String> = arr(c, "params")
        .iter()
        .map(|p| {
            let sel = p.get("select");
            let mut choices: Vec<String> = sel
                .map(|x| arr(x, "choice"))
                .unwrap_or(&[])
                .iter()
                .filter_map(Value::as_str)
                .map(|ch| substituted(ch, shown))
                .collect();
            choices.sort();
            choices.dedup();
            format!(
                "{}|{}|{}",
                substituted(s(p, "label"), shown),
                sel.map(|x| s(x, "how-many")).unwrap_or(""),
                choices.join(";")
            )
        })
        .collect();
    v.sort();
    v
}

/// SP 800-53 5.0.1 (the store's full catalog) against 5.1.1's resolved HIGH baseline catalog
/// (a file, on the CLI) for the controls it carries: retitled, statement and parameter text
/// changed, counted here from the two OSCAL files.
#[test]
fn sp800_53_5_0_1_to_5_1_1_high_for_the_controls_it_carries() {
    let dir = require_sources!();
    let (old, new) = (json_file(&dir, SP_501), json_file(&dir, SP_511_HIGH));
    let (eo, en) = (oscal_elements(&old), oscal_elements(&new));
    let (so, sn) = (shown_params(&old), shown_params(&new));
    let mut want: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    let mut common = 0;
    for (id, b) in &en {
        let Some(a) = eo.get(id) else { continue };
        common += 1;
        let key = canonical_notation(id);
        let mut add = |what| {
            want.entry(what).or_default().insert(key.clone());
        };
        if withdrawn(b) && !withdrawn(a) {
            add("withdrawn");
        }
        if s(a, "title") != s(b, "title") {
            add("retitled");
        }
        if statement_text(a, &so) != statement_text(b, &sn) {
            add("statement");
        }
        if params_text(a, &so) != params_text(b, &sn) {
            add("parameters");
        }
    }
    // The resolved catalog carries 370 controls and enhancements in 18 families, all in 5.0.1.
    assert_eq!((en.len(), common), (388, 388));
    assert_eq!(want["retitled"].len(), 7);
    let d = doc_diff(DiffRequest {
        docs: vec![
            "sp800-53r5/5.0.1".into(),
            dir.join(SP_511_HIGH).display().to_string(),
        ],
        carried: true,
        files: true,
        ..Default::default()
    });
    assert_eq!(d.new.elements, 388);
    assert_eq!(d.only_new, 0);
    assert_eq!(d.only_old, d.old.as_ref().expect("old").elements - 388);
    for what in ["withdrawn", "retitled", "statement", "parameters"] {
        let w = want.get(what).cloned().unwrap_or_default();
        assert_eq!(by_change(&d, what), w, "{what}");
        assert_eq!(d.counts[what], w.len(), "{what}");
    }
    assert_eq!(
        d.counts["added"] + d.counts["removed"],
        0,
        "--carried lists neither"
    );
    let changed: BTreeSet<String> = d
        .changes
        .iter()
        .map(|c| canonical_notation(&c.notation))
        .collect();
    assert_eq!(d.unchanged, 388 - changed.len());
    eprintln!(
        "SP 800-53 5.0.1 → 5.1.1 HIGH: {} retitled, {} statement, {} parameters, {} unchanged",
        d.counts["retitled"], d.counts["statement"], d.counts["parameters"], d.unchanged
    );

    // Without --carried, everything 5.0.1 has and the baseline does not is `removed`.
    let all = doc_diff(DiffRequest {
        docs: vec![
            "sp800-53r5/5.0.1".into(),
            dir.join(SP_511_HIGH).display().to_string(),
        ],
        files: true,
        ..Default::default()
    });
    assert_eq!(all.counts["removed"], d.only_old);
    assert_eq!(all.counts["added"], 0);
}

#[test]
fn document_names_are_checked_and_the_api_reads_no_files() {
    let dir = require_sources!();
    let db = util::loaded().expect("loaded");
    let err = DiffRequest {
        docs: vec!["sp800-53r5/5.0.2".into(), "csf".into()],
        ..Default::default()
    }
    .run(db)
    .expect_err("unknown document");
    let m = err.to_string();
    assert!(m.contains("unknown document `sp800-53r5/5.0.2`"), "{m}");
    assert!(m.contains("did you mean `sp800-53r5/5.0.1`"), "{m}");
    // A file is a document only where files are allowed (the CLI).
    let file = dir.join(SP_511_HIGH).display().to_string();
    let err = DiffRequest {
        docs: vec!["sp800-53".into(), file.clone()],
        ..Default::default()
    }
    .run(db)
    .expect_err("no files");
    assert!(err.to_string().contains("unknown document"), "{err}");
    assert!(
        DiffRequest {
            docs: vec!["csf".into()],
            sets: vec![OLD.into(), NEW.into()],
            ..Default::default()
        }
        .run(db)
        .is_err()
    );

    let base = util::start_server(db.clone(), crosswalk::serve::Config::default());
    let agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .new_agent();
    let get = |q: &str| {
        let mut r = agent
            .get(format!("{base}/api/v1/diff?{q}"))
            .header("Accept", "application/json")
            .call()
            .expect("GET");
        let status = r.status().as_u16();
        (status, r.body_mut().read_to_string().expect("body"))
    };
    let (status, body) = get("doc=csf");
    assert_eq!(status, 200, "{body}");
    let v: Value = serde_json::from_str(&body).expect("json");
    assert_eq!(v["counts"]["withdrawn"], 91);
    assert_eq!(v["changes"].as_array().map(Vec::len), Some(91));
    let (status, body) = get("doc=nope&doc=csf");
    assert_eq!(status, 404, "{body}");
    assert!(body.contains("unknown document `nope`"), "{body}");
    let (status, body) = get(&format!(
        "doc=sp800-53&doc={}&carried=true",
        file.replace('/', "%2F")
    ));
    assert_eq!(status, 404, "{body}");
    let (status, _) = get("doc=csf&carried=maybe");
    assert_eq!(status, 400);
    let (status, body) = get("doc=csf&format=csv");
    assert_eq!(status, 200);
    assert_eq!(body.lines().count(), 1 + 91, "{body}");
    assert!(
        body.starts_with("change,notation,kind,title,old,new,moved_to"),
        "{body}"
    );
}

/// The command line: a `--doc` may be a catalog file there, the table fits 100 columns, CSV has
/// one row per change, an unknown document exits 1 naming the closest.
#[test]
fn diff_doc_on_the_command_line() {
    let dir = require_sources!();
    let tmp = tempfile_store(&dir);
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_crosswalk"))
            .arg("--store")
            .arg(tmp.path().join("store"))
            .args(args)
            .output()
            .expect("run crosswalk")
    };
    let file = dir.join(SP_511_HIGH).display().to_string();
    let d = doc_diff(DiffRequest {
        docs: vec!["sp800-53r5/5.0.1".into(), file.clone()],
        carried: true,
        files: true,
        ..Default::default()
    });
    let out = run(&[
        "diff",
        "--doc",
        "sp800-53r5/5.0.1",
        "--doc",
        &file,
        "--carried",
        "--format",
        "csv",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let csv = String::from_utf8_lossy(&out.stdout);
    let mut rdr = csv::Reader::from_reader(csv.as_bytes());
    let rows = rdr.records().count();
    assert_eq!(rows, d.changes.len(), "one CSV row per change");
    let out = run(&[
        "diff",
        "--doc",
        "sp800-53r5/5.0.1",
        "--doc",
        &file,
        "--carried",
    ]);
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        table.contains(&format!(
            "0 added, 0 removed, 0 withdrawn, {} retitled, {} statement, {} parameters; {} unchanged",
            d.counts["retitled"], d.counts["statement"], d.counts["parameters"], d.unchanged
        )),
        "{table}"
    );
    for line in table.lines() {
        assert!(
            line.chars().count() <= 100,
            "wider than 100 columns: {line}"
        );
    }
    let out = run(&["diff", "--doc", "sp800-53r5/5.0.2"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("did you mean `sp800-53r5/5.0.1`"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = run(&["diff", "--doc", "csf", "--set", OLD]);
    assert!(!out.status.success(), "--doc with --set is refused");
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot be used with"));
}
