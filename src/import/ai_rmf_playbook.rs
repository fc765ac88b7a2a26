//! AI RMF Playbook (NIST AIRC `playbook.json`): per AI RMF subcategory, the About text,
//! suggested actions, documentation questions, references, AI actors and topics. The Playbook
//! defines no elements of its own: its properties are attached to the AI RMF subcategories.
use super::context::{Ctx, Output, document};
use super::oscal::parse_json;
use crate::model::error::{Error, Result};
use crate::model::ids;
use crate::model::vocab::cw;
use serde::Deserialize;

/// The AI RMF release the Playbook describes, for IRIs of titles that do not resolve.
const AI_RMF_DOC: &str = "ai-rmf/1.0";

#[derive(Deserialize)]
struct Entry {
    title: String,
    #[serde(default)]
    section_about: String,
    #[serde(default)]
    section_actions: String,
    #[serde(default)]
    section_doc: String,
    #[serde(default)]
    section_ref: String,
    #[serde(rename = "AI Actors", default)]
    ai_actors: Tags,
    #[serde(rename = "Topic", default)]
    topic: Tags,
}

/// NIST's file has JSON arrays; other editions and the CSV export print Python list
/// literals (`"['Governance and Oversight']"`), so both are accepted.
#[derive(Deserialize)]
#[serde(untagged)]
enum Tags {
    List(Vec<String>),
    Text(String),
}

impl Default for Tags {
    fn default() -> Self {
        Tags::List(Vec::new())
    }
}

impl Tags {
    fn values(&self) -> Vec<String> {
        match self {
            Tags::List(v) => v
                .iter()
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .collect(),
            Tags::Text(s) => python_list(s),
        }
    }
}

/// Splits `['a', "b, c"]` (or a bare `a, b`) into its items.
fn python_list(s: &str) -> Vec<String> {
    let t = s.trim();
    let inner = t.strip_prefix('[').and_then(|r| r.strip_suffix(']'));
    let Some(inner) = inner else {
        return t
            .split(',')
            .map(str::trim)
            .filter(|x| !x.is_empty())
            .map(str::to_owned)
            .collect();
    };
    let mut items = Vec::new();
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\'' || c == '"' {
            let mut item = String::new();
            while let Some(d) = chars.next() {
                if d == '\\' {
                    if let Some(e) = chars.next() {
                        item.push(e);
                    }
                } else if d == c {
                    break;
                } else {
                    item.push(d);
                }
            }
            let item = item.trim();
            if !item.is_empty() {
                items.push(item.to_owned());
            }
        }
    }
    items
}

pub fn import(ctx: &Ctx<'_>) -> Result<Output> {
    let f = ctx.file(None)?;
    let entries: Vec<Entry> = parse_json(&f.path, &f.bytes)?;
    let meta = &ctx.source.document;
    let scheme = meta.profile_of.as_deref().unwrap_or("ai-rmf");
    let mut out = Output::default();
    let doc = document(&mut out.triples, meta, ctx);
    out.documents.push(doc.clone());

    let mut unresolved = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        let title = e.title.trim();
        if title.is_empty() {
            return Err(Error::parse(
                &f.path,
                format!("$[{i}].title"),
                "empty title",
            ));
        }
        let Some(res) = ctx.resolver.resolve(scheme, None, title) else {
            return Err(Error::NotFound(format!(
                "{}: the Playbook annotates the AI RMF (`{scheme}`), but no release of it is loaded; load ai-rmf-1.0 first",
                f.path.display()
            )));
        };
        if i == 0 {
            out.triples
                .add(doc.clone(), cw::PROFILE_OF, res.doc.clone());
            out.triples
                .add(doc.clone(), cw::RESOLVED_AGAINST, res.doc.clone());
        }
        let iri = match res.entry {
            Some(entry) => entry.iri.clone(),
            None => {
                unresolved.push(format!("$[{i}].title = {title}"));
                ids::element_iri(AI_RMF_DOC, title)
            }
        };
        let b = &mut out.triples;
        b.text(&iri, cw::ABOUT, &e.section_about);
        b.text(&iri, cw::SUGGESTED_ACTIONS, &e.section_actions);
        b.text(&iri, cw::DOCUMENTATION_QUESTIONS, &e.section_doc);
        b.text(&iri, cw::REFERENCES, &e.section_ref);
        for a in e.ai_actors.values() {
            b.text(&iri, cw::AI_ACTOR, &a);
        }
        for t in e.topic.values() {
            b.text(&iri, cw::TOPIC, &t);
        }
    }
    for u in unresolved {
        out.warnings.push(format!(
            "{}: {u}: not a subcategory of the loaded AI RMF (attached to an unresolved IRI)",
            f.path.display()
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::python_list;

    #[test]
    fn python_lists() {
        assert_eq!(
            python_list("['Governance and Oversight']"),
            ["Governance and Oversight"]
        );
        assert_eq!(python_list(r#"['a', "b, c"]"#), ["a", "b, c"]);
        assert!(python_list("[]").is_empty());
        assert_eq!(python_list("a, b"), ["a", "b"]);
    }
}
