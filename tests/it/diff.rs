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
    }
    .answer(db)
    .expect_err("unknown set");
    assert!(err.to_string().contains("did you mean `olir-186`"), "{err}");
    let err = DiffRequest {
        sets: vec!["olir-186".into()],
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
