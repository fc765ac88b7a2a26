//! Element cards show everything the graph knows: the Cyber AI Profile's entries per focus
//! area, the AI RMF Playbook, the GenAI Profile's actions and risks, control parameters (with
//! inserts printed as NIST prints them) and overlay tailoring. Expected values are read from
//! the source files.
use crate::util;
use crosswalk::answer::card::{self, Card, Shown};
use crosswalk::render::{Format, answers};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;

fn json(dir: &Path, rel: &str) -> Value {
    let bytes = std::fs::read(dir.join(rel)).expect("read source file");
    serde_json::from_slice(&bytes).expect("source JSON")
}

/// Whitespace runs as one space: the card wraps text, the comparison must not care where.
fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn one_card(id: &str) -> Card {
    let db = util::loaded().expect("loaded");
    let mut cards = card::cards(db, id).expect("card");
    assert_eq!(cards.len(), 1, "{id}: one release defines it");
    cards.remove(0)
}

fn text(id: &str, brief: bool) -> String {
    let db = util::loaded().expect("loaded");
    let shown = card::show(db, id).expect("show");
    let mut out = Vec::new();
    answers::shown_as(&mut out, id, &shown, Format::Table, brief).expect("render");
    String::from_utf8(out).expect("utf-8")
}

#[test]
fn csf_subcategory_shows_cyber_ai_profile_priorities_and_considerations() {
    let dir = require_sources!();
    let v = json(&dir, "ai/cyber-ai-profile/visua_cyber-ai-profile.json");
    let entry = v["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .find(|e| e["subcategory"] == "GV.OC-04")
        .expect("GV.OC-04 in the profile");
    let c = one_card("GV.OC-04");
    assert_eq!(c.profile_entries.len(), 4, "general + three focus areas");
    let labels = ["High", "Moderate", "Foundational"];
    let shown = squash(&text("GV.OC-04", false));
    for (key, name) in [
        ("secure", "Secure"),
        ("defend", "Defend"),
        ("thwart", "Thwart"),
    ] {
        let src = &entry["focus"][key];
        let e = c
            .profile_entries
            .iter()
            .find(|e| e.focus.as_deref() == Some(name))
            .unwrap_or_else(|| panic!("{name} entry on the card"));
        let p = src["priority"].as_u64().expect("priority") as u8;
        assert_eq!(e.priority, Some(p), "{name}");
        let label = labels[usize::from(p) - 1];
        assert_eq!(e.priority_label.as_deref(), Some(label), "{name}");
        let cons = src["considerations"].as_str().expect("considerations");
        assert_eq!(e.considerations.as_deref().map(squash), Some(squash(cons)));
        let refs: BTreeSet<&str> = src["references"]
            .as_array()
            .expect("references")
            .iter()
            .map(|r| r.as_str().expect("text"))
            .collect();
        let got: BTreeSet<&str> = e.references.iter().map(String::as_str).collect();
        assert_eq!(got, refs, "{name} references");
        // The text card says it too.
        assert!(shown.contains(&format!("{name} (")), "{name} in {shown}");
        assert!(shown.contains(&format!("priority {p} {label}")), "{name}");
        assert!(shown.contains(&squash(cons)), "{name} considerations");
    }
    // The brief card keeps today's short form.
    let brief = text("GV.OC-04", true);
    assert!(!brief.contains("Cyber AI Profile (IR 8596 iprd): Secure"));
    assert!(brief.contains("GV.OC-04"));
}

#[test]
fn ai_rmf_subcategory_shows_its_playbook_and_genai_actions() {
    let dir = require_sources!();
    let pb = json(&dir, "ai/ai-rmf-playbook/playbook.json");
    let src = pb
        .as_array()
        .expect("array")
        .iter()
        .find(|e| e["title"] == "MEASURE 2.7")
        .expect("MEASURE 2.7 in the Playbook");
    let c = one_card("MEASURE 2.7");
    let book = c.playbook.as_ref().expect("a Playbook section");
    let field = |k: &str| squash(src[k].as_str().expect("text"));
    assert_eq!(
        book.actions.as_deref().map(squash),
        Some(field("section_actions"))
    );
    assert_eq!(
        book.about.as_deref().map(squash),
        Some(field("section_about"))
    );
    assert_eq!(
        book.transparency_questions.as_deref().map(squash),
        Some(field("section_doc"))
    );
    let shown = squash(&text("MEASURE 2.7", false));
    let actions: Vec<&str> = src["section_actions"]
        .as_str()
        .expect("actions")
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("- "))
        .collect();
    assert_eq!(actions.len(), 10);
    for a in actions {
        assert!(shown.contains(&squash(a)), "action `{a}` on the card");
    }
    // The GenAI Profile's actions that cite MEASURE 2.7, as its CSV lists them, with risks.
    let path = dir.join("ai/genai-profile/ibm-risk-atlas-nexus_actions_extracted_from_nist.csv");
    let mut rdr = csv::Reader::from_path(path).expect("csv");
    let col = rdr
        .headers()
        .expect("headers")
        .iter()
        .position(|h| h == "NIST Action ID")
        .expect("id column");
    let expected: BTreeSet<String> = rdr
        .records()
        .map(|r| r.expect("record")[col].trim().to_owned())
        .filter(|id| id.starts_with("MS-2.7-"))
        .collect();
    let got: BTreeSet<String> = c.actions.iter().map(|a| a.notation.clone()).collect();
    assert_eq!(got, expected);
    assert!(c.actions.iter().all(|a| !a.risks.is_empty()));
    assert!(shown.contains("GenAI Profile actions (9)"));
}

#[test]
fn genai_action_shows_its_risks() {
    require_sources!();
    let c = one_card("MS-2.7-001");
    let titles: Vec<&str> = c.risks.iter().map(|r| r.title.as_str()).collect();
    assert!(titles.contains(&"Information Security"), "{titles:?}");
    assert!(c.risks.iter().all(|r| r.statement.is_some()));
    let shown = text("MS-2.7-001", false);
    assert!(shown.contains(&format!("risks ({})", titles.len())));
}

#[test]
fn control_shows_parameters_and_prints_inserts_as_nist_does() {
    let dir = require_sources!();
    let cat = json(
        &dir,
        "nist/sp800-53r5/v5.0.1/NIST_SP-800-53_rev5_catalog.json",
    );
    let si = cat["catalog"]["groups"]
        .as_array()
        .expect("groups")
        .iter()
        .flat_map(|g| g["controls"].as_array().expect("controls"))
        .find(|c| c["id"] == "si-4")
        .expect("si-4");
    let params = si["params"].as_array().expect("params");
    let c = one_card("SI-4");
    assert_eq!(c.parameters.len(), params.len());
    for p in params {
        let id = p["id"].as_str().expect("id");
        let got = c.parameters.iter().find(|q| q.id == id).expect("param");
        assert_eq!(
            got.label.as_deref(),
            p["label"].as_str(),
            "{id} label as the catalog gives it"
        );
    }
    let st = c.statement.as_deref().expect("statement");
    assert!(!st.contains("{{"), "no raw insert left: {st}");
    assert!(squash(st).contains(
        "[Selection (one or more): as needed; [Assignment: organization-defined frequency] ]"
    ));
    let shown = squash(&text("SI-4", false));
    assert!(shown.contains("si-4_prm_1: [Assignment: organization-defined monitoring objectives]"));
}

#[test]
fn control_shows_cosais_tailoring() {
    let dir = require_sources!();
    let v = json(&dir, "ai/cosais/visua_cosais.json");
    let c = one_card("SC-7(10)");
    assert_eq!(c.overlay_entries.len(), 1);
    let t = c.overlay_entries[0]
        .tailoring
        .as_deref()
        .expect("tailoring text");
    // The discussion the outline prints for SC-07(10) is in the source file.
    let raw = v.to_string();
    let first = t.lines().next().expect("a line");
    let words: Vec<&str> = first.split_whitespace().skip(1).take(8).collect();
    assert!(raw.contains(&words.join(" ")), "{first}");
    assert!(squash(&text("SC-7(10)", false)).contains(&squash(first)));
}

#[test]
fn json_card_carries_the_same_sections() {
    require_sources!();
    let db = util::loaded().expect("loaded");
    let Shown::Cards(cards) = card::show(db, "GV.OC-04").expect("show") else {
        panic!("cards")
    };
    let mut out = Vec::new();
    answers::shown_as(
        &mut out,
        "GV.OC-04",
        &Shown::Cards(cards),
        Format::Json,
        false,
    )
    .expect("json");
    let v: Value = serde_json::from_slice(&out).expect("json");
    assert_eq!(v[0]["profile_entries"].as_array().map(Vec::len), Some(4));
}
