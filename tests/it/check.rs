//! Issue 6: `crosswalk check` on NIST's OLIR set and on hand-written sets with one planted fault
//! per rule (tests/fixtures/check), through the binary: exit status, text, JSON and SARIF.
use crate::util;
use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

/// Exit status, stdout and stderr of a finished command.
fn outcome(c: &mut Command) -> (i32, String, String) {
    let out = c.output().expect("run crosswalk");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn crosswalk(args: &[&str]) -> (i32, String, String) {
    let dir = util::sources().expect("sources");
    outcome(
        Command::new(env!("CARGO_BIN_EXE_crosswalk"))
            .arg("--memory")
            .arg("--sources")
            .arg(&dir)
            .args(args),
    )
}

/// [`crosswalk`] run from the directory `cwd`.
fn crosswalk_in(cwd: &std::path::Path, args: &[&str]) -> (i32, String, String) {
    // CI gives the sources as a relative path.
    let dir = std::path::absolute(util::sources().expect("sources")).expect("absolute path");
    outcome(
        Command::new(env!("CARGO_BIN_EXE_crosswalk"))
            .current_dir(cwd)
            .arg("--memory")
            .arg("--sources")
            .arg(&dir)
            .args(args),
    )
}

/// (rule, location, the message's first words) of every finding in a JSON report.
fn findings(json: &str) -> Vec<(String, String, String)> {
    let v: serde_json::Value = serde_json::from_str(json).expect("json report");
    v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or("").to_owned(),
                f["location"].as_str().unwrap_or("").to_owned(),
                f["message"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect()
}

#[test]
fn olir_set_with_the_5_0_1_catalog_reports_exactly_nist_s_faults() {
    let _ = require_sources!();
    let (code, out, err) = crosswalk(&["check", "--set", "olir-186", "--format", "json"]);
    assert_eq!(code, 1, "{err}");
    let got: BTreeSet<(String, String, String)> = findings(&out)
        .into_iter()
        .map(|(r, l, m)| {
            // The pair, e.g. `PR.AA-04 → IA-13`.
            let pair = m.split(':').next().unwrap_or("").to_owned();
            (r, l, pair)
        })
        .collect();
    let row = |n: u32| format!("sheet 'Relationships' row {n}");
    let mut expected: BTreeSet<(String, String, String)> = [
        ("CW001", 53, "GV.RM-03 → SA-24"),
        ("CW001", 484, "PR.AA-04 → IA-13"),
        ("CW001", 496, "PR.AA-05 → IA-13"),
        ("CW001", 592, "PR.PS-04 → SA-15(13)"),
        ("CW001", 602, "PR.PS-06 → SA-15(13)"),
        ("CW001", 604, "PR.PS-06 → SA-24"),
        ("CW001", 624, "PR.IR-03 → SA-24"),
        ("CW001", 723, "RS.AN-03 → SI-02(07)"),
        ("CW002", 691, "DE.AE-06 → RA-04"),
        ("CW003", 33, "GV.OC-03 → PT"),
        ("CW003", 621, "PR.IR-03 → CP"),
        ("CW003", 622, "PR.IR-03 → IR"),
    ]
    .iter()
    .map(|(r, n, p)| (r.to_string(), row(*n), p.to_string()))
    .collect();
    // The set is NIST's draft: one information finding, no location.
    expected.insert((
        "CW010".into(),
        String::new(),
        "OLIR CSF 2.0 → SP 800-53 5.2.0 is a draft document".into(),
    ));
    assert_eq!(got, expected);
    // Where RA-4 went, in the message.
    assert!(out.contains("incorporated into RA-3"), "{out}");
    // Text output names the file and the row.
    let (code, text, _) = crosswalk(&["check", "--set", "olir-186"]);
    assert_eq!(code, 1);
    assert!(text.contains(
        "Cybersecurity_Framework_v2-0_Concept_Crosswalk_800-53_5_2_0_draft.xlsx: sheet 'Relationships' row 484: error[CW001]: PR.AA-04 → IA-13"
    ), "{text}");
    assert!(
        text.ends_with("8 error(s), 4 warning(s), 1 info\n"),
        "{text}"
    );
}

fn planted(file: &str, extra: &[&str]) -> Vec<(String, String, String)> {
    let path = format!("{}/tests/fixtures/check/{file}", env!("CARGO_MANIFEST_DIR"));
    let mut args = vec!["check", "--mapping", path.as_str(), "--format", "json"];
    args.extend_from_slice(extra);
    let (code, out, err) = crosswalk(&args);
    assert_eq!(code, 1, "{err}");
    findings(&out)
}

#[test]
fn planted_sssom_faults_are_each_reported_once_and_nothing_else() {
    let _ = require_sources!();
    let got: Vec<(String, String)> = planted("faults.sssom.tsv", &[])
        .into_iter()
        .map(|(r, l, _)| (r, l))
        .collect();
    let expected: Vec<(String, String)> = [
        ("CW010", ""),
        ("CW011", ""),
        ("CW001", "line 12"),
        ("CW002", "line 13"),
        ("CW003", "line 14"),
        ("CW004", "line 16"),
        ("CW005", "line 18"),
        ("CW006", "line 19"),
        ("CW007", "line 20"),
        ("CW008", "line 22"),
        ("CW009", "line 25"),
    ]
    .iter()
    .map(|(r, l)| (r.to_string(), l.to_string()))
    .collect();
    assert_eq!(got, expected);
    // A maintainer who vouches for the set declares it final: CW010 goes, nothing else changes.
    let final_set: Vec<(String, String)> = planted("faults.sssom.tsv", &["--set-status", "final"])
        .into_iter()
        .map(|(r, l, _)| (r, l))
        .collect();
    assert_eq!(final_set, expected[1..]);
    let all = planted("faults.sssom.tsv", &[]);
    assert!(all[2].2.contains("did you mean SC-7(5)?"), "{:?}", all[2]);
    assert!(all[3].2.contains("incorporated into RA-3"), "{:?}", all[3]);
}

#[test]
fn planted_csv_faults_are_each_reported_once_and_nothing_else() {
    let _ = require_sources!();
    let got: Vec<(String, String)> =
        planted("faults.csv", &["--focal", "csf", "--reference", "csf"])
            .into_iter()
            .map(|(r, l, _)| (r, l))
            .collect();
    // The OLIR template has no supportive-property column, so CW007 cannot occur in a CSV.
    let expected: Vec<(String, String)> = [
        ("CW010", ""),
        ("CW011", ""),
        ("CW001", "line 3"),
        ("CW002", "line 4"),
        ("CW003", "line 5"),
        ("CW004", "line 7"),
        ("CW005", "line 9"),
        ("CW006", "line 10"),
        ("CW008", "line 12"),
        ("CW009", "line 15"),
    ]
    .iter()
    .map(|(r, l)| (r.to_string(), l.to_string()))
    .collect();
    assert_eq!(got, expected);
}

#[test]
fn deny_warnings_and_sarif() {
    let _ = require_sources!();
    // Only a warning (withdrawn RA-4): exit 0, but 1 with --deny warnings.
    let dir = tempfile::tempdir().expect("tmp");
    let clean = dir.path().join("clean.csv");
    std::fs::write(
        &clean,
        "Focal Document Element,Reference Document Element\nGV.SC-07,RA-9\nDE.AE-06,RA-4\n",
    )
    .expect("write");
    let c = clean.to_string_lossy().into_owned();
    let (code, out, err) = crosswalk(&["check", "--mapping", &c]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("warning[CW002]"), "{out}");
    let (code, _, _) = crosswalk(&["check", "--mapping", &c, "--deny", "warnings"]);
    assert_eq!(code, 1);
    let (_, sarif, _) = crosswalk(&["check", "--mapping", &c, "--format", "sarif"]);
    let v: serde_json::Value = serde_json::from_str(&sarif).expect("sarif json");
    assert_eq!(v["version"], "2.1.0");
    let results = v["runs"][0]["results"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let r = results
        .iter()
        .find(|r| r["ruleId"] == "CW002")
        .expect("CW002 result");
    assert_eq!(r["level"], "warning");
    assert_eq!(
        r["locations"][0]["physicalLocation"]["region"]["startLine"],
        3
    );
    // The file loaded, as a file:// URI (the temporary dir's path is absolute).
    assert_eq!(
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        format!("file://{c}").as_str()
    );
    // A relative path given on the command line names the file under the current directory.
    let (_, sarif, err) = crosswalk_in(
        dir.path(),
        &["check", "--mapping", "clean.csv", "--format", "sarif"],
    );
    let v: serde_json::Value =
        serde_json::from_str(&sarif).unwrap_or_else(|e| panic!("{e}: {err}"));
    let uri =
        &v["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"];
    assert_eq!(uri, format!("file://{c}").as_str());
}

#[test]
fn a_user_s_olir_workbook_loads_as_its_own_set_with_the_same_findings() {
    let dir = require_sources!();
    let wb = dir.join(
        "nist/mappings/Cybersecurity_Framework_v2-0_Concept_Crosswalk_800-53_5_2_0_draft.xlsx",
    );
    let wb = wb.to_string_lossy().into_owned();
    let (code, out, err) = crosswalk(&[
        "check",
        "--mapping",
        &wb,
        "--set-name",
        "my-olir",
        "--reference-version",
        "5.2.0",
        "--format",
        "json",
    ]);
    assert_eq!(code, 1, "{err}");
    let mine: BTreeSet<(String, String)> = findings(&out)
        .into_iter()
        .filter(|(r, _, _)| r != "CW010")
        .map(|(r, l, _)| (r, l))
        .collect();
    let (_, nist, _) = crosswalk(&["check", "--set", "olir-186", "--format", "json"]);
    let theirs: BTreeSet<(String, String)> = findings(&nist)
        .into_iter()
        .filter(|(r, _, _)| r != "CW010")
        .map(|(r, l, _)| (r, l))
        .collect();
    assert_eq!(mine.len(), 12);
    assert_eq!(mine, theirs);
}

/// Issue 16: checking never writes. `check --mapping FILE` on an on-disk store loads the file
/// into an in-memory copy: the store's content digest is the same afterwards and the set is
/// not in it. `check` with no argument checks every mapping set in the store.
#[test]
fn check_is_read_only_and_checks_every_set_without_arguments() {
    let dir = require_sources!();
    let tmp = tempfile::tempdir().expect("tempdir");
    let store = tmp.path().join("store");
    let run = |args: &[&str]| {
        outcome(
            Command::new(env!("CARGO_BIN_EXE_crosswalk"))
                .arg("--store")
                .arg(&store)
                .arg("--sources")
                .arg(&dir)
                .args(args),
        )
    };
    let (code, _, err) = run(&[
        "load",
        "sp800-53r5-5.0.1",
        "csf-2.0",
        "csf-1.1-to-2.0",
        "olir-csf2-sp800-53-5.2.0",
    ]);
    assert_eq!(code, 0, "{err}");
    let digest = || {
        let (code, out, err) = run(&["stats", "--digest"]);
        assert_eq!(code, 0, "{err}");
        out
    };
    let before = digest();
    let fixture = format!(
        "{}/tests/fixtures/check/faults.sssom.tsv",
        env!("CARGO_MANIFEST_DIR")
    );
    let (code, out, err) = run(&["check", "--mapping", &fixture, "--format", "json"]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(findings(&out).len(), 11, "{out}");
    assert_eq!(digest(), before, "check --mapping changed the store");
    let (_, sets, _) = run(&["query", "mapping-sets", "--format", "csv"]);
    assert!(!sets.contains("faults"), "{sets}");
    // No argument: both mapping sets of the store are checked (OLIR's faults, the transition
    // set's findings), exactly as when each is named.
    let (code, all, err) = run(&["check", "--format", "json"]);
    assert_eq!(code, 1, "{err}");
    let (_, olir, _) = run(&["check", "--set", "olir-186", "--format", "json"]);
    let (_, transition, _) = run(&["check", "--set", "csf-transition", "--format", "json"]);
    let mut each = findings(&olir);
    each.extend(findings(&transition));
    let (mut all, mut each) = (findings(&all), each);
    all.sort();
    each.sort();
    assert_eq!(all, each);
    assert!(all.iter().any(|f| f.0 == "CW001"), "{all:?}");
}

const OLIR_FILE: &str =
    "nist/mappings/Cybersecurity_Framework_v2-0_Concept_Crosswalk_800-53_5_2_0_draft.xlsx";

/// Runs the binary on an on-disk store, with no sources directory from the environment (and
/// a cache home of its own, where a guess of the default sources directory would point).
fn on_store(store: &Path, home: &Path, args: &[&str]) -> (i32, String, String) {
    outcome(
        Command::new(env!("CARGO_BIN_EXE_crosswalk"))
            .env_remove("CROSSWALK_SOURCES")
            .env_remove("CROSSWALK_STORE")
            .env("XDG_CACHE_HOME", home)
            .env("HOME", home)
            .arg("--store")
            .arg(store)
            .args(args),
    )
}

#[test]
fn check_names_the_file_the_store_was_loaded_from() {
    let dir = require_sources!();
    let tmp = tempfile::tempdir().expect("tmp");
    let store = tmp.path().join("store");
    let src = dir.display().to_string();
    let (code, out, err) = on_store(
        &store,
        tmp.path(),
        &[
            "--sources",
            &src,
            "load",
            "csf-2.0",
            "sp800-53r5-5.0.1",
            "olir-csf2-sp800-53-5.2.0",
        ],
    );
    assert_eq!(code, 0, "{out}{err}");
    // `check` is given no sources directory: the file is the one the load read.
    let (code, out, err) = on_store(
        &store,
        tmp.path(),
        &["check", "--set", "olir-186", "--format", "json"],
    );
    assert_eq!(code, 1, "{err}");
    let expected = std::path::absolute(dir.join(OLIR_FILE))
        .expect("absolute")
        .display()
        .to_string();
    let v: serde_json::Value = serde_json::from_str(&out).expect("json report");
    let files: BTreeSet<&str> = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["file"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(files, BTreeSet::from([expected.as_str()]));

    // The same files from another directory: the content is unchanged, but the recorded
    // path counts in the load digest, so the store follows the move.
    let moved = tmp.path().join("moved");
    for f in [
        "nist/csf2/NIST_CSF_v2.0_catalog.json",
        "nist/sp800-53r5/v5.0.1/NIST_SP-800-53_rev5_catalog.json",
        OLIR_FILE,
    ] {
        let to = moved.join(f);
        std::fs::create_dir_all(to.parent().expect("parent")).expect("mkdir");
        std::fs::copy(dir.join(f), &to).expect("copy");
    }
    let m = moved.display().to_string();
    let (code, out, err) = on_store(
        &store,
        tmp.path(),
        &[
            "--sources",
            &m,
            "load",
            "csf-2.0",
            "sp800-53r5-5.0.1",
            "olir-csf2-sp800-53-5.2.0",
        ],
    );
    assert_eq!(code, 0, "{out}{err}");
    let (_, out, _) = on_store(&store, tmp.path(), &["check", "--set", "olir-186"]);
    assert!(
        out.contains(&format!(
            "{m}/{OLIR_FILE}: sheet 'Relationships' row 484: error[CW001]"
        )),
        "{out}"
    );
    // Also in a graph without load warnings (which name the file as well).
    let (_, out, err) = on_store(
        &store,
        tmp.path(),
        &[
            "query",
            "set-source-file",
            "-p",
            "document=csf",
            "--format",
            "csv",
        ],
    );
    assert!(
        out.ends_with(&format!(",{m}/nist/csf2/NIST_CSF_v2.0_catalog.json\n")),
        "{out}{err}"
    );

    // A user set loaded with `load --mapping` names its own file.
    let mine = tmp.path().join("mine.csv");
    std::fs::write(
        &mine,
        "Focal Document Element,Reference Document Element\nGV.SC-07,RA-9\nDE.AE-06,RA-4\n",
    )
    .expect("write");
    let m = mine.display().to_string();
    let (code, out, err) = on_store(&store, tmp.path(), &["load", "--mapping", &m]);
    assert_eq!(code, 0, "{out}{err}");
    let (_, out, err) = on_store(&store, tmp.path(), &["check", "--set", "mine"]);
    assert!(
        out.contains(&format!("{m}: line 3: warning[CW002]")),
        "{out}{err}"
    );
}

/// SARIF: `tool.driver.rules` lists all twelve rules, SHACL's CW012 included, and each
/// result's `ruleIndex` points at its own rule (CW012's used to fall back to 0, CW001's
/// metadata).
#[test]
fn sarif_shacl_results_point_at_the_cw012_rule() {
    let _ = require_sources!();
    let (code, out, err) = crosswalk(&["check", "--shacl", "--format", "sarif"]);
    assert!(code == 0 || code == 1, "{code}: {err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("sarif json");
    let rules = v["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(rules.len(), 12, "{rules:#?}");
    let ids: BTreeSet<&str> = rules.iter().filter_map(|r| r["id"].as_str()).collect();
    assert_eq!(ids.len(), 12, "{ids:?}");
    let results = v["runs"][0]["results"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let shacl: Vec<&serde_json::Value> =
        results.iter().filter(|r| r["ruleId"] == "CW012").collect();
    assert!(!shacl.is_empty(), "no CW012 result in {out}");
    for r in &shacl {
        let i = r["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        let rule = &rules[i];
        assert_eq!(rule["id"], "CW012", "{r}");
        for field in ["name", "shortDescription", "fullDescription", "help"] {
            assert_ne!(rule[field], rules[0][field], "{field}");
        }
        assert_eq!(rules[0]["id"], "CW001");
    }
    // Every result, not only CW012's, names the rule at its index.
    for r in &results {
        let i = r["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(rules[i]["id"], r["ruleId"], "{r}");
    }
}
