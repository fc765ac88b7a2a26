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
