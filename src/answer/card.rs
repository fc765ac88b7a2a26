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
    /// Profile entries (Cyber AI Profile) about this element, one per focus area.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub profile_entries: Vec<ProfileEntry>,
    /// The AI RMF Playbook's text for this subcategory.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub playbook: Option<Playbook>,
    /// Suggested actions (GenAI Profile) that cite this element, with their risks.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub actions: Vec<Action>,
    /// Risks this element (a GenAI action) addresses.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub risks: Vec<Risk>,
    /// A control's parameters, with their labels.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub parameters: Vec<Parameter>,
    /// Overlay entries (COSAiS) that tailor this control.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub overlay_entries: Vec<OverlayEntry>,
}

/// One profile entry: what a profile says about an element for one focus area (or in general).
#[derive(Debug, Clone, Serialize, PartialEq, Default)]
pub struct ProfileEntry {
    pub profile: String,
    /// The focus area (Secure, Defend, Thwart); none for the profile's general considerations.
    pub focus: Option<String>,
    pub focus_title: Option<String>,
    pub priority: Option<u8>,
    pub priority_label: Option<String>,
    pub considerations: Option<String>,
    pub page: Option<String>,
    pub references: Vec<String>,
}

/// The AI RMF Playbook's text for one subcategory.
#[derive(Debug, Clone, Serialize, PartialEq, Default)]
pub struct Playbook {
    pub about: Option<String>,
    pub actions: Option<String>,
    pub transparency_questions: Option<String>,
    pub references: Option<String>,
}

/// A suggested action citing the element, with the risks it addresses.
#[derive(Debug, Clone, Serialize, PartialEq, Default)]
pub struct Action {
    pub notation: String,
    pub statement: Option<String>,
    pub risks: Vec<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Default)]
pub struct Risk {
    pub title: String,
    pub statement: Option<String>,
}

/// A control parameter as the catalog defines it.
#[derive(Debug, Clone, Serialize, PartialEq, Default)]
pub struct Parameter {
    pub id: String,
    pub label: Option<String>,
    pub how_many: Option<String>,
    pub guideline: Option<String>,
    pub choices: Vec<String>,
}

/// An overlay's tailoring of a control.
#[derive(Debug, Clone, Serialize, PartialEq, Default)]
pub struct OverlayEntry {
    pub overlay: String,
    pub page: Option<String>,
    pub tailoring: Option<String>,
    pub notes: Vec<String>,
    pub lifecycle_phases: Vec<String>,
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
            profile_entries: profile_entries(on, &args)?,
            playbook: playbook(on, &args)?,
            actions: actions(on, &args)?,
            risks: risks(on, &args)?,
            parameters: Vec::new(),
            overlay_entries: overlay_entries(on, &args)?,
            iri,
        });
        let last = out.last_mut().expect("just pushed");
        last.parameters = parameters(on, &args)?;
        if let Some(st) = &last.statement {
            last.statement = Some(render_inserts(st, &last.parameters));
        }
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

fn push_unique(v: &mut Vec<String>, s: Option<String>) {
    if let Some(s) = s
        && !v.contains(&s)
    {
        v.push(s);
    }
}

/// Rows keyed by `key`, in first-seen order: a multi-valued column repeats the others.
fn grouped(sol: &Solutions, key: &str) -> Vec<(String, Vec<usize>)> {
    let mut out: Vec<(String, Vec<usize>)> = Vec::new();
    for r in 0..sol.rows.len() {
        let k = opt(sol, r, key).unwrap_or_default();
        match out.iter_mut().find(|(e, _)| *e == k) {
            Some((_, rows)) => rows.push(r),
            None => out.push((k, vec![r])),
        }
    }
    out
}

type Args = [(String, String); 1];

fn profile_entries(on: &dyn Sparql, args: &Args) -> Result<Vec<ProfileEntry>> {
    let sol = named("element-profile-entries")?.run(on, args)?;
    Ok(grouped(&sol, "entry")
        .into_iter()
        .map(|(_, rows)| {
            let r = rows[0];
            let mut e = ProfileEntry {
                profile: opt(&sol, r, "profile").unwrap_or_default(),
                focus: opt(&sol, r, "focus"),
                focus_title: opt(&sol, r, "focusTitle"),
                priority: opt(&sol, r, "priority").and_then(|p| p.parse().ok()),
                priority_label: opt(&sol, r, "priorityLabel"),
                considerations: opt(&sol, r, "considerations"),
                page: opt(&sol, r, "page"),
                references: Vec::new(),
            };
            for r in rows {
                push_unique(&mut e.references, opt(&sol, r, "reference"));
            }
            e
        })
        .collect())
}

fn playbook(on: &dyn Sparql, args: &Args) -> Result<Option<Playbook>> {
    let sol = named("element-playbook")?.run(on, args)?;
    // The first row with Playbook text: Virtuoso answers the query's FILTER(BOUND…) after its
    // OPTIONALs with a row of unbound values where Oxigraph gives none.
    let row = (0..sol.rows.len()).find(|&r| {
        ["about", "actions", "questions"]
            .iter()
            .any(|v| opt(&sol, r, v).is_some())
    });
    Ok(row.map(|r| Playbook {
        about: opt(&sol, r, "about"),
        actions: opt(&sol, r, "actions"),
        transparency_questions: opt(&sol, r, "questions"),
        references: opt(&sol, r, "references"),
    }))
}

fn actions(on: &dyn Sparql, args: &Args) -> Result<Vec<Action>> {
    let sol = named("element-actions")?.run(on, args)?;
    Ok(grouped(&sol, "action")
        .into_iter()
        .map(|(_, rows)| {
            let mut a = Action {
                notation: opt(&sol, rows[0], "notation").unwrap_or_default(),
                statement: opt(&sol, rows[0], "statement"),
                risks: Vec::new(),
            };
            for r in rows {
                push_unique(&mut a.risks, opt(&sol, r, "riskTitle"));
            }
            a
        })
        .collect())
}

fn risks(on: &dyn Sparql, args: &Args) -> Result<Vec<Risk>> {
    let sol = named("element-risks")?.run(on, args)?;
    Ok(grouped(&sol, "risk")
        .into_iter()
        .map(|(iri, rows)| Risk {
            title: opt(&sol, rows[0], "title").unwrap_or(iri),
            statement: opt(&sol, rows[0], "statement"),
        })
        .collect())
}

fn parameters(on: &dyn Sparql, args: &Args) -> Result<Vec<Parameter>> {
    let sol = named("element-parameters")?.run(on, args)?;
    Ok(grouped(&sol, "param")
        .into_iter()
        .map(|(_, rows)| {
            let r = rows[0];
            let mut p = Parameter {
                id: opt(&sol, r, "id").unwrap_or_default(),
                label: opt(&sol, r, "label"),
                how_many: opt(&sol, r, "howMany"),
                guideline: opt(&sol, r, "guideline"),
                choices: Vec::new(),
            };
            for r in rows {
                push_unique(&mut p.choices, opt(&sol, r, "choice"));
            }
            p
        })
        .collect())
}

fn overlay_entries(on: &dyn Sparql, args: &Args) -> Result<Vec<OverlayEntry>> {
    let sol = named("element-overlay-entries")?.run(on, args)?;
    Ok(grouped(&sol, "entry")
        .into_iter()
        .map(|(_, rows)| {
            let r = rows[0];
            let mut e = OverlayEntry {
                overlay: opt(&sol, r, "overlay").unwrap_or_default(),
                page: opt(&sol, r, "page"),
                tailoring: opt(&sol, r, "tailoring"),
                notes: Vec::new(),
                lifecycle_phases: Vec::new(),
            };
            for r in rows {
                push_unique(&mut e.notes, opt(&sol, r, "note"));
                push_unique(&mut e.lifecycle_phases, opt(&sol, r, "phase"));
            }
            e
        })
        .collect())
}

/// A parameter as NIST prints it in a statement: `[Assignment: organization-defined …]` or
/// `[Selection (one or more): a; b]`.
pub fn param_text(p: &Parameter) -> String {
    if !p.choices.is_empty() {
        let how = match p.how_many.as_deref() {
            Some(h) if !h.is_empty() => format!(" ({})", h.replace('-', " ")),
            _ => String::new(),
        };
        return format!("[Selection{how}: {}]", p.choices.join("; "));
    }
    format!("[Assignment: {}]", p.label.as_deref().unwrap_or(&p.id))
}

/// `text` with every OSCAL `{{ insert: param, id }}` the catalog left in it replaced by the
/// parameter as NIST prints it; an insert naming no known parameter is kept as it is.
pub fn render_inserts(text: &str, params: &[Parameter]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let Some(len) = rest[start..].find("}}") else {
            break;
        };
        let inner = rest[start + 2..start + len].trim();
        let id = inner
            .strip_prefix("insert:")
            .map(str::trim)
            .and_then(|i| i.strip_prefix("param,"))
            .map(str::trim);
        out.push_str(&rest[..start]);
        match id.and_then(|id| params.iter().find(|p| p.id.eq_ignore_ascii_case(id))) {
            Some(p) => out.push_str(&param_text(p)),
            None => out.push_str(&rest[start..start + len + 2]),
        }
        rest = &rest[start + len + 2..];
    }
    out.push_str(rest);
    out
}
