//! `diff --set OLD --set NEW`: what changed between two mapping sets — pairs added, removed,
//! and pairs whose relationship changed. A pair is (subject id, object id) in lookup-key form
//! ([`canonical_notation`]): two releases of a sheet that spell an id differently (`RA-03`,
//! `RA-3`) still name one element, and an id no loaded document defines (IA-13, minted once
//! per set) is the same id in both. Pairs print by the element's own notation.
use crate::model::error::Result;
use crate::model::ids::canonical_notation;
use crate::query::{Sparql, named, term_text};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// One side of the comparison.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SetSide {
    /// The set as the user named it (its scheme or IRI).
    pub set: String,
    /// Distinct (subject, object) pairs the set asserts.
    pub pairs: usize,
}

/// A pair that differs, with its relationships in each set (empty: not in that set).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PairChange {
    pub subject: String,
    pub subject_label: Option<String>,
    pub object: String,
    pub object_label: Option<String>,
    /// Relationship(s) in the old set, as `map` prints them (`related`, `subset of`, …).
    pub old: Vec<String>,
    /// Relationship(s) in the new set.
    pub new: Vec<String>,
}

/// The difference between two mapping sets.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SetDiff {
    pub old: SetSide,
    pub new: SetSide,
    /// In the new set only.
    pub added: Vec<PairChange>,
    /// In the old set only.
    pub removed: Vec<PairChange>,
    /// In both, with different relationships.
    pub changed: Vec<PairChange>,
    /// In both with the same relationships.
    pub unchanged: usize,
}

#[derive(Default)]
struct Pair {
    subject: String,
    subject_label: Option<String>,
    object: String,
    object_label: Option<String>,
    rels: BTreeSet<String>,
}

/// A set's pairs by (subject key, object key). An unknown set is an error naming the closest
/// sets (the named query's parameter check), never an empty set.
fn pairs(on: &dyn Sparql, set: &str) -> Result<BTreeMap<(String, String), Pair>> {
    let sol = named("set-pairs")?.run_checked(on, &[("set".to_owned(), set.to_owned())])?;
    let text = |row: usize, var: &str| sol.get(row, var).map(term_text);
    let mut out: BTreeMap<(String, String), Pair> = BTreeMap::new();
    for row in 0..sol.rows.len() {
        let (Some(s), Some(o), Some(rel)) = (
            text(row, "subjectId"),
            text(row, "objectId"),
            text(row, "relationship"),
        ) else {
            continue;
        };
        let p = out
            .entry((canonical_notation(&s), canonical_notation(&o)))
            .or_default();
        p.subject = text(row, "subjectId").unwrap_or_default();
        p.object = text(row, "objectId").unwrap_or_default();
        p.subject_label = p.subject_label.take().or_else(|| text(row, "subjectLabel"));
        p.object_label = p.object_label.take().or_else(|| text(row, "objectLabel"));
        p.rels.insert(rel);
    }
    Ok(out)
}

/// Ids in reading order: `AC-2` before `AC-10`, `GV.OC-02` before `GV.OC-10`.
fn natural(id: &str) -> Vec<(String, u64)> {
    let mut out = Vec::new();
    let mut text = String::new();
    let mut digits = String::new();
    for c in id.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
        } else {
            if !digits.is_empty() {
                out.push((
                    std::mem::take(&mut text),
                    digits.parse().unwrap_or(u64::MAX),
                ));
                digits.clear();
            }
            text.push(c);
        }
    }
    out.push((text, digits.parse().unwrap_or(0)));
    out
}

fn change(p: &Pair, old: &BTreeSet<String>, new: &BTreeSet<String>) -> PairChange {
    PairChange {
        subject: p.subject.clone(),
        subject_label: p.subject_label.clone(),
        object: p.object.clone(),
        object_label: p.object_label.clone(),
        old: old.iter().cloned().collect(),
        new: new.iter().cloned().collect(),
    }
}

/// `old` → `new`: pairs added, removed and re-typed, in (subject, object) order.
pub fn sets(on: &dyn Sparql, old: &str, new: &str) -> Result<SetDiff> {
    let (a, b) = (pairs(on, old)?, pairs(on, new)?);
    let none = BTreeSet::new();
    let mut d = SetDiff {
        old: SetSide {
            set: old.to_owned(),
            pairs: a.len(),
        },
        new: SetSide {
            set: new.to_owned(),
            pairs: b.len(),
        },
        added: Vec::new(),
        removed: Vec::new(),
        changed: Vec::new(),
        unchanged: 0,
    };
    for (k, pa) in &a {
        match b.get(k) {
            None => d.removed.push(change(pa, &pa.rels, &none)),
            Some(pb) if pb.rels != pa.rels => d.changed.push(change(pb, &pa.rels, &pb.rels)),
            Some(_) => d.unchanged += 1,
        }
    }
    for (k, pb) in &b {
        if !a.contains_key(k) {
            d.added.push(change(pb, &none, &pb.rels));
        }
    }
    let order = |x: &PairChange, y: &PairChange| {
        (natural(&x.subject), natural(&x.object)).cmp(&(natural(&y.subject), natural(&y.object)))
    };
    d.added.sort_by(order);
    d.removed.sort_by(order);
    d.changed.sort_by(order);
    Ok(d)
}

// ---------------------------------------------------------------- two releases of a document

/// One side of a document comparison.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct DocSide {
    /// The release as the user named it (scheme, IRI, or a catalog file on the CLI).
    pub document: String,
    /// Its IRI in the store (a file's: the scratch document it was read into).
    pub iri: String,
    /// Elements compared (controls, enhancements, families, functions, categories,
    /// subcategories, examples; not parameters or statement items, which are compared as
    /// parts of their element).
    pub elements: usize,
}

/// One change to one element (an element changed in several ways has one per way).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ElementChange {
    /// `added`, `removed`, `withdrawn`, `retitled`, `statement`, `parameters`.
    pub change: String,
    pub notation: String,
    pub kind: String,
    /// The element's title (the new release's, the old one's when removed).
    pub title: Option<String>,
    /// What it was (title, statement, parameters one per line); empty for added/withdrawn.
    pub old: Option<String>,
    /// What it is now.
    pub new: Option<String>,
    /// For a withdrawn element: where it went (incorporated into, moved to).
    pub moved_to: Vec<String>,
}

/// What changed between two releases of a document (or, for one release, what it withdrew
/// from the one before: `old` is then absent).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct DocDiff {
    pub old: Option<DocSide>,
    pub new: DocSide,
    /// Only the elements both releases carry were compared (`--carried`): a resolved baseline
    /// catalog carries only its baseline's controls.
    pub carried: bool,
    /// Change → how many elements: every kind of change, zeros included.
    pub counts: BTreeMap<String, usize>,
    /// Elements compared and found equal.
    pub unchanged: usize,
    /// With `carried`: elements only one side carries, counted, not listed.
    pub only_old: usize,
    pub only_new: usize,
    pub changes: Vec<ElementChange>,
}

/// The kinds of change, in the order they are listed.
pub const DOC_CHANGES: [&str; 6] = [
    "added",
    "removed",
    "withdrawn",
    "retitled",
    "statement",
    "parameters",
];

/// An element of one release, as `document-elements` reads it.
#[derive(Debug, Default, Clone)]
pub struct Snapshot {
    notation: String,
    kind: String,
    title: Option<String>,
    statement: Option<String>,
    withdrawn: bool,
    moved_to: BTreeSet<String>,
    /// Parameter → (label, how many, choices).
    params: BTreeMap<String, (String, String, BTreeSet<String>)>,
}

/// A parameter reference left in text (`{{ insert: param, ac-02_odp.01 }}`, inside a choice):
/// releases renumber parameters (5.0.1 `ac-2_prm_1`, 5.1 `ac-02_odp.01`), so the id is no
/// part of the text compared.
static INSERT: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    regex::Regex::new(r"\{\{\s*insert:\s*param,\s*[^\s}]+\s*\}\}").expect("static regex")
});

fn normalized(text: &str) -> String {
    INSERT.replace_all(text.trim(), "{{param}}").into_owned()
}

impl Snapshot {
    /// The parameters as text, one per line, in a release-independent order (by text, since
    /// their ids change between releases).
    fn params_text(&self) -> String {
        let mut lines: Vec<String> = self
            .params
            .values()
            .map(|(label, how, choices)| {
                let choices: Vec<String> = choices.iter().map(|c| normalized(c)).collect();
                let mut s = normalized(label);
                if !how.is_empty() {
                    s.push_str(&format!(" ({how})"));
                }
                if !choices.is_empty() {
                    s.push_str(&format!(" [{}]", choices.join("; ")));
                }
                s
            })
            .collect();
        lines.sort();
        lines.join("\n")
    }
}

/// A release's elements by lookup key, read with the named query `document-elements`;
/// `document` is a document's IRI, scheme (its newest release), release id (`csf/2.0`,
/// `sp800-53r5/5.0.1`) or label, checked against the store's documents: an unknown one is an
/// error naming the closest.
pub fn snapshot(on: &dyn Sparql, document: &str) -> Result<(String, BTreeMap<String, Snapshot>)> {
    let iri = document_iri(on, document)?;
    let sol = named("document-elements")?.run(on, &[("document".to_owned(), iri.clone())])?;
    let text = |row: usize, var: &str| sol.get(row, var).map(term_text);
    let mut out: BTreeMap<String, Snapshot> = BTreeMap::new();
    for row in 0..sol.rows.len() {
        let Some(notation) = text(row, "notation") else {
            continue;
        };
        let e = out.entry(canonical_notation(&notation)).or_default();
        if e.notation.is_empty() {
            e.notation = notation;
            e.kind = text(row, "kind").unwrap_or_default();
            e.title = text(row, "title");
            e.statement = text(row, "statement");
        }
        if text(row, "status").as_deref() == Some("withdrawn") {
            e.withdrawn = true;
        }
        if let Some(m) = text(row, "movedTo") {
            e.moved_to.insert(m);
        }
        if let Some(p) = text(row, "param") {
            let entry = e.params.entry(p).or_default();
            if let Some(l) = text(row, "paramLabel") {
                entry.0 = l;
            }
            if let Some(h) = text(row, "paramHowMany") {
                entry.1 = h;
            }
            if let Some(c) = text(row, "paramChoice") {
                entry.2.insert(c);
            }
        }
    }
    Ok((iri, out))
}

/// The IRI of the document a user named (see [`snapshot`]).
pub fn document_iri(on: &dyn Sparql, given: &str) -> Result<String> {
    const DOC: &str = "https://w3id.org/crosswalk/doc/";
    let sol = named("documents")?.run(on, &[])?;
    let g = given.trim();
    let mut names = Vec::new();
    // Rows come newest release first per scheme? Not promised: a scheme picks the release
    // with the highest version.
    let mut by_scheme: Option<(String, String)> = None;
    for row in 0..sol.rows.len() {
        let Some(iri) = sol.get(row, "document").map(term_text) else {
            continue;
        };
        let id = iri.strip_prefix(DOC).unwrap_or(&iri).to_owned();
        let label = sol.get(row, "label").map(term_text).unwrap_or_default();
        let scheme = sol.get(row, "scheme").map(term_text).unwrap_or_default();
        let version = sol.get(row, "version").map(term_text).unwrap_or_default();
        if iri == g || id == g || label.eq_ignore_ascii_case(g) {
            return Ok(iri);
        }
        if scheme.eq_ignore_ascii_case(g) && by_scheme.as_ref().is_none_or(|(v, _)| *v < version) {
            by_scheme = Some((version, iri.clone()));
        }
        names.push(id);
        names.push(scheme);
    }
    if let Some((_, iri)) = by_scheme {
        return Ok(iri);
    }
    names.sort();
    names.dedup();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    Err(crate::model::error::Error::Unknown {
        kind: "document",
        given: given.to_owned(),
        hint: crate::query::names::hint(given, &names),
    })
}

fn one_change(
    change: &str,
    e: &Snapshot,
    old: Option<String>,
    new: Option<String>,
) -> ElementChange {
    ElementChange {
        change: change.to_owned(),
        notation: e.notation.clone(),
        kind: e.kind.clone(),
        title: e.title.clone(),
        old,
        new,
        moved_to: e.moved_to.iter().cloned().collect(),
    }
}

/// `old` → `new` (two releases' snapshots): elements added, removed, withdrawn, retitled, with
/// statement or parameter text changed. With `carried`, only elements both carry are compared.
pub fn documents(
    old: (DocSide, BTreeMap<String, Snapshot>),
    new: (DocSide, BTreeMap<String, Snapshot>),
    carried: bool,
) -> DocDiff {
    let (a, b) = (&old.1, &new.1);
    let mut changes = Vec::new();
    let (mut unchanged, mut only_old, mut only_new) = (0, 0, 0);
    for (k, eb) in b {
        let Some(ea) = a.get(k) else {
            only_new += 1;
            if !carried {
                changes.push(one_change("added", eb, None, None));
            }
            continue;
        };
        let before = changes.len();
        if eb.withdrawn && !ea.withdrawn {
            changes.push(one_change("withdrawn", eb, None, None));
        }
        if ea.title != eb.title {
            changes.push(one_change(
                "retitled",
                eb,
                ea.title.clone(),
                eb.title.clone(),
            ));
        }
        let (sa, sb) = (
            ea.statement.as_deref().map(normalized),
            eb.statement.as_deref().map(normalized),
        );
        if sa != sb {
            changes.push(one_change(
                "statement",
                eb,
                ea.statement.clone(),
                eb.statement.clone(),
            ));
        }
        let (pa, pb) = (ea.params_text(), eb.params_text());
        if pa != pb {
            changes.push(one_change("parameters", eb, Some(pa), Some(pb)));
        }
        if changes.len() == before {
            unchanged += 1;
        }
    }
    for (k, ea) in a {
        if !b.contains_key(k) {
            only_old += 1;
            if !carried {
                changes.push(one_change("removed", ea, None, None));
            }
        }
    }
    finish(
        Some(old.0),
        new.0,
        carried,
        unchanged,
        only_old,
        only_new,
        changes,
    )
}

/// One release: what it withdrew from the release before (CSF 2.0 carries CSF 1.1's withdrawn
/// elements, each linked to where it went).
pub fn withdrawn(new: (DocSide, BTreeMap<String, Snapshot>)) -> DocDiff {
    let changes: Vec<ElementChange> = new
        .1
        .values()
        .filter(|e| e.withdrawn)
        .map(|e| one_change("withdrawn", e, None, None))
        .collect();
    let unchanged = new.1.len() - changes.len();
    finish(None, new.0, false, unchanged, 0, 0, changes)
}

fn finish(
    old: Option<DocSide>,
    new: DocSide,
    carried: bool,
    unchanged: usize,
    only_old: usize,
    only_new: usize,
    mut changes: Vec<ElementChange>,
) -> DocDiff {
    let rank = |c: &str| {
        DOC_CHANGES
            .iter()
            .position(|x| *x == c)
            .unwrap_or(usize::MAX)
    };
    changes.sort_by(|x, y| {
        (rank(&x.change), natural(&x.notation)).cmp(&(rank(&y.change), natural(&y.notation)))
    });
    let mut counts: BTreeMap<String, usize> =
        DOC_CHANGES.iter().map(|c| ((*c).to_owned(), 0)).collect();
    for c in &changes {
        *counts.entry(c.change.clone()).or_default() += 1;
    }
    DocDiff {
        old,
        new,
        carried,
        counts,
        unchanged,
        only_old,
        only_new,
        changes,
    }
}

/// An OSCAL catalog file as a release (one the store does not hold, such as SP 800-53
/// 5.1.1's resolved HIGH baseline catalog): read by the catalog importer into a scratch
/// in-memory store, never into the store itself. Only the CLI offers this.
pub fn file_snapshot(path: &std::path::Path) -> Result<(String, BTreeMap<String, Snapshot>)> {
    use crate::source::manifest::{DocKind, DocStatus, DocumentMeta, Source, SourceFile};
    let stem: String = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let shown = path.display().to_string();
    let source = Source {
        id: format!("file/{stem}"),
        importer: "oscal-catalog".into(),
        description: format!("catalog file {shown} (diff)"),
        files: vec![SourceFile {
            path: shown.clone(),
            url: format!("file://{shown}"),
            sha256: None,
            role: None,
        }],
        document: DocumentMeta {
            id: format!("file/{stem}"),
            scheme: format!("file-{stem}"),
            kind: DocKind::Catalog,
            title: shown.clone(),
            short_title: Some(stem.clone()),
            publisher: "file".into(),
            version: "file".into(),
            status: DocStatus::Final,
            released: None,
            landing: None,
            license: "as stated in the file".into(),
            extracted_by: None,
            profile_of: None,
            focal: None,
            reference: None,
            reference_version: None,
        },
        options: toml::Table::new(),
    };
    let db = crate::store::Db::memory()?;
    let mut report = crate::load::Report::default();
    crate::load::write_sources(
        &db,
        vec![(&source, vec![path.to_owned()])],
        true,
        &mut report,
        &mut |_| {},
    )?;
    let iri = crate::model::ids::doc_iri(&source.document.id);
    snapshot(&db, iri.as_str())
}
