//! NIST AI 600-1 Generative AI Profile as structured by IBM risk-atlas-nexus: the 12 GAI risks
//! (risks YAML), the 212 suggested actions with their text and AI actor tasks (CSV, the primary
//! list) and their links to the risks (actions YAML). Each action belongs to the AI RMF
//! subcategory its id names (GV-1.1-001 → GOVERN 1.1), resolved against the loaded AI RMF.
use super::context::{Ctx, InputFile, Output, document};
use crate::model::error::{Error, Result};
use crate::model::ids;
use crate::model::vocab::{cw, dcterms};
use oxigraph::model::NamedNode;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::LazyLock;

/// The AI RMF release AI 600-1 profiles, for IRIs of subcategories that do not resolve.
const AI_RMF_DOC: &str = "ai-rmf/1.0";

#[derive(Deserialize)]
struct RisksFile {
    risks: Vec<Risk>,
}

#[derive(Deserialize)]
struct Risk {
    id: String,
    name: String,
    #[serde(default)]
    description: Option<String>,
}

#[derive(Deserialize)]
struct ActionsFile {
    actions: Vec<YamlAction>,
}

#[derive(Deserialize)]
struct YamlAction {
    id: String,
    #[serde(rename = "hasRelatedRisk", default)]
    related_risks: Vec<String>,
}

struct CsvAction {
    id: String,
    text: String,
    actors: Vec<String>,
    /// `NIST GAI Risks` as printed; only used to report links the YAML lacks.
    risk_labels: Vec<String>,
    line: u64,
}

static ACTION_ID: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(r"^(GV|MP|MS|MG)-(\d+)\.(\d+)-(\d+)$").expect("static regex")
});

/// `GV-1.1-001` → `GOVERN 1.1`, using AI 600-1's function tags.
fn subcategory_of(action: &str) -> Option<String> {
    let c = ACTION_ID.captures(action)?;
    let func = match &c[1] {
        "GV" => "GOVERN",
        "MP" => "MAP",
        "MS" => "MEASURE",
        _ => "MANAGE",
    };
    Some(format!("{func} {}.{}", &c[2], &c[3]))
}

/// A sort key in AI 600-1's order: function, category, subcategory, action number.
fn sort_key(action: &str) -> Option<String> {
    let c = ACTION_ID.captures(action)?;
    let f = match &c[1] {
        "GV" => 1,
        "MP" => 2,
        "MS" => 3,
        _ => 4,
    };
    let n = |i: usize| c[i].parse::<u32>().ok();
    Some(format!("{f:02}.{:02}.{:02}.{:03}", n(2)?, n(3)?, n(4)?))
}

/// The AI RMF's AI actor task names (AI 100-1 Appendix A, as the Playbook spells them).
const ACTOR_TASKS: &[&str] = &[
    "AI Design",
    "AI Development",
    "AI Deployment",
    "Operation and Monitoring",
    "TEVV",
    "Human Factors",
    "Domain Experts",
    "AI Impact Assessment",
    "Procurement",
    "Governance and Oversight",
    "Affected Individuals and Communities",
    "End-Users",
    "Third-party entities",
];

fn fold(s: &str) -> String {
    s.to_lowercase()
        .replace('-', " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// One actor task in the AI RMF's spelling. The CSV has the PDF's "ﬀ" ligature decoded as
/// Mac Roman ("AÔ¨Äected") and variant spellings ("End Users", "third-party entities").
fn actor_task(raw: &str) -> String {
    let fixed = raw.replace("Ô¨Ä", "ff").replace('\u{FB00}', "ff");
    let f = fold(&fixed);
    ACTOR_TASKS
        .iter()
        .find(|t| fold(t) == f)
        .map(|t| (*t).to_owned())
        .unwrap_or_else(|| fixed.split_whitespace().collect::<Vec<_>>().join(" "))
}

fn risk_words(s: &str) -> String {
    s.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty() && *w != "and" && *w != "or")
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether a printed risk label names the risk whose [`risk_words`] are `r`: "Harmful Bias and
/// Homogenization" names "Harmful Bias or Homogenization", the truncated "Environmental" names
/// "Environmental Impacts". The risk's words are computed once per risk, not per label: a risk
/// named by 1 MB of text took a minute against the CSV's ~400 labels (debug build).
fn label_names(label: &str, r: &str) -> bool {
    let l = risk_words(label);
    !l.is_empty() && (l == r || r.starts_with(&format!("{l} ")))
}

/// The CSV's action text with the stray closing quote some rows carry (`…risks."`) removed.
fn clean_text(s: &str) -> String {
    let t = s.trim();
    if t.matches('"').count() % 2 == 1
        && let Some(stripped) = t.strip_suffix('"')
    {
        return stripped.trim_end().to_owned();
    }
    t.to_owned()
}

fn parse_yaml<T: DeserializeOwned>(f: &InputFile) -> Result<T> {
    let de = serde_norway::Deserializer::from_slice(&f.bytes);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let location = if path == "." {
            "$".to_owned()
        } else {
            format!("$.{path}")
        };
        Error::parse(&f.path, location, e.into_inner())
    })
}

fn read_csv(f: &InputFile) -> Result<Vec<CsvAction>> {
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(f.bytes.as_slice());
    let csv_err = |e: csv::Error| {
        let loc = e
            .position()
            .map(|p| format!("line {}", p.line()))
            .unwrap_or_else(|| "header".to_owned());
        Error::parse(&f.path, loc, e)
    };
    let headers = rdr.headers().map_err(csv_err)?.clone();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name))
            .ok_or_else(|| Error::parse(&f.path, "line 1", format!("no column `{name}`")))
    };
    let (c_id, c_text, c_actors) = (
        col("NIST Action ID")?,
        col("NIST Title")?,
        col("AI Actor Tasks")?,
    );
    let c_risks = col("NIST GAI Risks").ok();
    let mut rows = Vec::new();
    for rec in rdr.records() {
        let rec = rec.map_err(csv_err)?;
        let line = rec.position().map(|p| p.line()).unwrap_or(0);
        let id = rec.get(c_id).unwrap_or("").trim();
        if id.is_empty() && rec.iter().all(|v| v.trim().is_empty()) {
            continue;
        }
        if !ACTION_ID.is_match(id) {
            return Err(Error::parse(
                &f.path,
                format!("line {line}"),
                format!("`NIST Action ID` = `{id}` is not an AI 600-1 action id like GV-1.1-001"),
            ));
        }
        let text = clean_text(rec.get(c_text).unwrap_or(""));
        if text.is_empty() {
            return Err(Error::parse(
                &f.path,
                format!("line {line}"),
                format!("action {id} has no `NIST Title`"),
            ));
        }
        let actors = rec
            .get(c_actors)
            .unwrap_or("")
            .split(',')
            .filter(|a| !a.trim().is_empty())
            .map(actor_task)
            .collect();
        let risk_labels = c_risks
            .and_then(|c| rec.get(c))
            .unwrap_or("")
            .split(';')
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect();
        rows.push(CsvAction {
            id: id.to_owned(),
            text,
            actors,
            risk_labels,
            line,
        });
    }
    Ok(rows)
}

pub fn import(ctx: &Ctx<'_>) -> Result<Output> {
    let csv_file = ctx.file(Some("actions-csv"))?;
    let actions_file = ctx.file(Some("actions"))?;
    let risks_file = ctx.file(Some("risks"))?;
    let rows = read_csv(csv_file)?;
    let yaml_actions: ActionsFile = parse_yaml(actions_file)?;
    let risks: RisksFile = parse_yaml(risks_file)?;

    let meta = &ctx.source.document;
    let doc_id = meta.id.as_str();
    let scheme = meta.profile_of.as_deref().unwrap_or("ai-rmf");
    let mut out = Output::default();
    let doc = document(&mut out.triples, meta, ctx);
    out.documents.push(doc.clone());

    let mut risk_iris: HashMap<&str, NamedNode> = HashMap::new();
    for (i, r) in risks.risks.iter().enumerate() {
        let id = r.id.trim();
        if id.is_empty() {
            return Err(Error::parse(
                &risks_file.path,
                format!("$.risks[{i}].id"),
                "empty risk id",
            ));
        }
        let iri = ids::element_iri(doc_id, id);
        let b = &mut out.triples;
        b.element(&iri, cw::RISK, &doc, r.name.trim(), id);
        b.title(&iri, &r.name);
        if let Some(d) = &r.description {
            b.text(&iri, cw::STATEMENT, d);
        }
        b.text(&iri, cw::SORT_KEY, &format!("r{:02}", i + 1));
        risk_iris.insert(id, iri);
    }

    // Risk links by action id; unknown risk ids are reported and skipped.
    let mut links: HashMap<&str, Vec<&NamedNode>> = HashMap::new();
    for (i, a) in yaml_actions.actions.iter().enumerate() {
        for (j, r) in a.related_risks.iter().enumerate() {
            match risk_iris.get(r.trim()) {
                Some(iri) => links.entry(a.id.trim()).or_default().push(iri),
                None => out.warnings.push(format!(
                    "{}: $.actions[{i}].hasRelatedRisk[{j}] = {r}: not a risk of {} (link dropped)",
                    actions_file.path.display(),
                    risks_file.path.display()
                )),
            }
        }
    }
    let csv_ids: BTreeSet<&str> = rows.iter().map(|r| r.id.as_str()).collect();
    let yaml_ids: BTreeSet<&str> = yaml_actions.actions.iter().map(|a| a.id.trim()).collect();
    let only_csv: Vec<&str> = csv_ids.difference(&yaml_ids).copied().collect();
    let only_yaml: Vec<&str> = yaml_ids.difference(&csv_ids).copied().collect();
    if !only_csv.is_empty() {
        out.warnings.push(format!(
            "{}: {} action(s) absent from {} (loaded without risk links): {}",
            csv_file.path.display(),
            only_csv.len(),
            actions_file.path.display(),
            only_csv.join(", ")
        ));
    }
    if !only_yaml.is_empty() {
        out.warnings.push(format!(
            "{}: {} action(s) absent from the CSV {} (not loaded): {}",
            actions_file.path.display(),
            only_yaml.len(),
            csv_file.path.display(),
            only_yaml.join(", ")
        ));
    }

    let mut seen: BTreeMap<&str, u64> = BTreeMap::new();
    let mut unresolved: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    let mut resolved_against = false;
    for row in &rows {
        if let Some(first) = seen.insert(&row.id, row.line) {
            out.warnings.push(format!(
                "{}: line {}: action {} repeats line {first} (merged)",
                csv_file.path.display(),
                row.line,
                row.id
            ));
        }
        let sub = subcategory_of(&row.id).ok_or_else(|| {
            Error::parse(
                &csv_file.path,
                format!("line {}", row.line),
                format!("bad action id {}", row.id),
            )
        })?;
        let Some(res) = ctx.resolver.resolve(scheme, None, &sub) else {
            return Err(Error::NotFound(format!(
                "{}: AI 600-1 actions belong to AI RMF (`{scheme}`) subcategories, but no release of it is loaded; load ai-rmf-1.0 first",
                csv_file.path.display()
            )));
        };
        if !resolved_against {
            out.triples
                .add(doc.clone(), cw::PROFILE_OF, res.doc.clone());
            out.triples
                .add(doc.clone(), cw::RESOLVED_AGAINST, res.doc.clone());
            resolved_against = true;
        }
        let parent = match res.entry {
            Some(e) => e.iri.clone(),
            None => {
                unresolved.entry(sub.clone()).or_default().push(&row.id);
                ids::element_iri(AI_RMF_DOC, &sub)
            }
        };
        let iri = ids::element_iri(doc_id, &row.id);
        let b = &mut out.triples;
        b.element(&iri, cw::SUGGESTED_ACTION, &doc, &row.id, &row.id);
        b.text(&iri, cw::STATEMENT, &row.text);
        if let Some(k) = sort_key(&row.id) {
            b.text(&iri, cw::SORT_KEY, &k);
        }
        b.add(iri.clone(), cw::ACTION_OF, parent.clone());
        b.add(iri.clone(), cw::PARENT, parent);
        for a in &row.actors {
            b.text(&iri, cw::AI_ACTOR, a);
        }
        for r in links.get(row.id.as_str()).into_iter().flatten() {
            b.add(iri.clone(), cw::RELATED_RISK, (*r).clone());
        }
    }
    for (sub, actions) in unresolved {
        out.warnings.push(format!(
            "{}: AI RMF subcategory {sub} (of {}) is not in the loaded AI RMF (linked to an unresolved IRI)",
            csv_file.path.display(),
            actions.join(", ")
        ));
    }
    for r in &risks.risks {
        let Some(iri) = risk_iris.get(r.id.trim()) else {
            continue;
        };
        if links.values().flatten().any(|l| *l == iri) {
            continue;
        }
        let words = risk_words(&r.name);
        let printed = rows
            .iter()
            .filter(|row| row.risk_labels.iter().any(|l| label_names(l, &words)))
            .count();
        out.warnings.push(format!(
            "{}: risk {} ({}) is linked to no action, although the CSV's `NIST GAI Risks` column names it for {printed} action(s); risk links are taken from the YAML only",
            actions_file.path.display(),
            r.id.trim(),
            r.name.trim()
        ));
    }
    out.triples.text(&doc, dcterms::DESCRIPTION, &format!(
        "{} GAI risks and {} suggested actions of NIST AI 600-1, as structured by IBM risk-atlas-nexus",
        risk_iris.len(),
        seen.len()
    ));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn action_ids() {
        assert_eq!(subcategory_of("GV-1.1-001").as_deref(), Some("GOVERN 1.1"));
        assert_eq!(
            subcategory_of("MS-2.10-002").as_deref(),
            Some("MEASURE 2.10")
        );
        assert_eq!(subcategory_of("MP-5.1-002").as_deref(), Some("MAP 5.1"));
        assert_eq!(subcategory_of("MG-4.3-001").as_deref(), Some("MANAGE 4.3"));
        assert_eq!(subcategory_of("XX-1.1-001"), None);
        assert!(sort_key("MS-2.10-002") > sort_key("MS-2.9-001"));
    }

    #[test]
    fn csv_quirks() {
        assert_eq!(
            actor_task(" AÔ¨Äected Individuals and Communities"),
            "Affected Individuals and Communities"
        );
        assert_eq!(actor_task("third-party entities"), "Third-party entities");
        assert_eq!(actor_task("End Users"), "End-Users");
        assert_eq!(actor_task("Someone Else"), "Someone Else");
        assert_eq!(clean_text("managing GAI risks.\""), "managing GAI risks.");
        assert_eq!(clean_text("a \"quoted\" word."), "a \"quoted\" word.");
        assert!(label_names(
            "Harmful Bias and Homogenization",
            &risk_words("Harmful Bias or Homogenization")
        ));
        assert!(label_names(
            "Environmental",
            &risk_words("Environmental Impacts")
        ));
        assert!(!label_names(
            "Data Privacy",
            &risk_words("Information Security")
        ));
    }
}
