//! The element card behind `crosswalk show`: one element with its document, kind, text,
//! hierarchy, status, where a withdrawn element went, and baselines. Built only from named
//! queries, so it works on any endpoint.
use crate::model::error::{Error, Result};
use crate::query::{Solutions, Sparql, named, term_text};
use serde::Serialize;

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Card {
    pub iri: String,
    pub notation: String,
    pub kind: String,
    pub title: Option<String>,
    pub document: String,
    pub document_title: String,
    pub version: String,
    pub document_status: String,
    pub statement: Option<String>,
    pub guidance: Option<String>,
    pub parent: Option<String>,
    pub status: Option<String>,
    pub withdrawn_to: Vec<(String, String)>,
    pub children: Vec<(String, String, Option<String>)>,
    pub baselines: Vec<String>,
    /// Mappings from this element (asserted and inverse), grouped by set when printed.
    pub mappings: Vec<crate::answer::MapAnswer>,
}

/// A reference to an id that no loaded document defines.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Dangling {
    pub id: String,
    pub set: String,
    pub other: String,
    pub side: String,
    pub location: String,
    pub flag: String,
}

/// What `show` found: element cards, or only dangling references to the id.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub enum Shown {
    Cards(Vec<Card>),
    Dangling(Vec<Dangling>),
}

/// Cards for `id`, or, when no loaded document defines it, the mappings that name it.
pub fn show(on: &dyn Sparql, id: &str) -> Result<Shown> {
    match cards(on, id) {
        Ok(c) => Ok(Shown::Cards(c)),
        Err(Error::NotFound(msg)) => {
            let sol = named("element-referenced")?.run(on, &[("key".into(), id.into())])?;
            if sol.rows.is_empty() {
                return Err(Error::NotFound(msg));
            }
            Ok(Shown::Dangling(
                (0..sol.rows.len())
                    .map(|r| Dangling {
                        id: id.to_owned(),
                        set: opt(&sol, r, "setLabel").unwrap_or_default(),
                        other: opt(&sol, r, "otherNotation").unwrap_or_default(),
                        side: opt(&sol, r, "side").unwrap_or_default(),
                        location: opt(&sol, r, "location").unwrap_or_default(),
                        flag: opt(&sol, r, "flag").unwrap_or_default(),
                    })
                    .collect(),
            ))
        }
        Err(e) => Err(e),
    }
}

fn opt(s: &Solutions, row: usize, var: &str) -> Option<String> {
    s.get(row, var).map(term_text)
}

/// Every element carrying `id` (in any spelling), one card per document release.
pub fn cards(on: &dyn Sparql, id: &str) -> Result<Vec<Card>> {
    let el = named("element")?.run(on, &[("key".into(), id.into())])?;
    let mut out: Vec<Card> = Vec::new();
    for row in 0..el.rows.len() {
        let iri = opt(&el, row, "element").unwrap_or_default();
        if out.iter().any(|c| c.iri == iri) {
            continue; // an element with two parents or titles yields more rows
        }
        let args = [("element".to_owned(), iri.clone())];
        let children = named("element-children")?.run(on, &args)?;
        let baselines = named("element-baselines")?.run(on, &args)?;
        let withdrawn = named("element-withdrawn")?.run(on, &args)?;
        out.push(Card {
            notation: opt(&el, row, "notation").unwrap_or_default(),
            kind: opt(&el, row, "kind").unwrap_or_default(),
            title: opt(&el, row, "title"),
            document: opt(&el, row, "document").unwrap_or_default(),
            document_title: opt(&el, row, "documentTitle").unwrap_or_default(),
            version: opt(&el, row, "version").unwrap_or_default(),
            document_status: opt(&el, row, "documentStatus").unwrap_or_default(),
            statement: opt(&el, row, "statement"),
            guidance: opt(&el, row, "guidance"),
            parent: opt(&el, row, "parentNotation"),
            status: opt(&el, row, "status"),
            withdrawn_to: (0..withdrawn.rows.len())
                .map(|r| {
                    (
                        opt(&withdrawn, r, "relation").unwrap_or_default(),
                        opt(&withdrawn, r, "targetNotation")
                            .or_else(|| opt(&withdrawn, r, "target"))
                            .unwrap_or_default(),
                    )
                })
                .collect(),
            children: (0..children.rows.len())
                .map(|r| {
                    (
                        opt(&children, r, "notation").unwrap_or_default(),
                        opt(&children, r, "kind").unwrap_or_default(),
                        opt(&children, r, "title"),
                    )
                })
                .collect(),
            baselines: baselines.strings("label"),
            mappings: Vec::new(),
            iri,
        });
    }
    if !out.is_empty() {
        let all = crate::answer::map(on, id, None, None, false)?;
        for c in &mut out {
            c.mappings = all
                .iter()
                .filter(|a| a.how != "path" && a.element == c.notation)
                .cloned()
                .collect();
        }
    }
    if out.is_empty() {
        return Err(Error::NotFound(format!(
            "no loaded document defines `{id}` (looked up as `{}`); is its source loaded? try `crosswalk stats`",
            crate::model::ids::canonical_notation(id)
        )));
    }
    Ok(out)
}
