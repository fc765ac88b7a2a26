//! Answer facts: what every answering mapping gets beside it so that a lookup is one basic
//! graph pattern (`cw:setScheme`, `cw:targetScheme`, `cw:targetNotation`, …), and the coverage
//! slices `coverage` and `gaps` start from.
use super::*;

/// What every answering mapping gets materialised beside it (cw:targetScheme, cw:setScheme:
/// the two filters of a crosswalk lookup, so that it narrows its candidates in one basic graph
/// pattern; the rest of an answer is fetched for the few that pass).
pub(super) struct Names {
    /// Notation and scheme of each element defined by a document with a scheme.
    element: HashMap<NamedNode, (Option<String>, String)>,
    doc_scheme: HashMap<String, String>,
    /// Active unit elements (the rows of coverage reports) and their scheme.
    pub(super) units: HashMap<NamedNode, String>,
    sort_key: HashMap<NamedNode, String>,
    /// Labels of the baselines and overlays that select an element.
    baselines: HashMap<NamedNode, Vec<String>>,
}

/// Covering mappings by (focal scheme, target scheme, set scheme, roll-up).
pub(super) type Slices = std::collections::BTreeMap<(String, String, String, bool), Slice>;

/// One slice's members, and its rows: each covered focal element with the distinct elements
/// covering it.
#[derive(Default)]
pub(super) struct Slice {
    /// The mapping sets of the members (one but for sets sharing a scheme).
    sets: Vec<NamedNode>,
    members: Vec<NamedNode>,
    rows: HashMap<NamedNode, HashSet<NamedNode>>,
}

/// The coverage slices as nodes: coverage and gaps start from the slice of their (focal
/// scheme, target scheme, set) instead of walking every mapping of every focal element.
pub(super) fn emit_slices(parts: &mut Parts, names: &Names, slices: Slices) {
    for ((from, to, set, rollup), slice) in slices {
        let Slice {
            sets,
            members,
            rows,
        } = slice;
        let Some(part) = sets.iter().map(|s| parts.partition(s)).reduce(higher) else {
            continue;
        };
        let b = parts.get(&part);
        let s = ids::slice_iri(&from, &to, &set, rollup);
        b.iri(&s, rdf::TYPE, cw::COVERAGE_SLICE);
        b.text(&s, cw::SLICE_FOCAL_SCHEME, &from);
        b.text(&s, cw::SLICE_TARGET_SCHEME, &to);
        b.text(&s, cw::SLICE_SET_SCHEME, &set);
        let p = if rollup {
            cw::SLICE_ROLLUP_MEMBER
        } else {
            cw::SLICE_MEMBER
        };
        for m in members {
            b.add(s.clone(), p, m);
        }
        // Rows: what a coverage report reads (a 100k-mapping set has ~70k distinct pairs
        // on ~100 CSF rows, against 100k members).
        let mut rows: Vec<_> = rows.into_iter().collect();
        rows.sort_by(|x, y| x.0.as_str().cmp(y.0.as_str()));
        for (focal, targets) in rows {
            let r = ids::slice_row_iri(&s, &focal);
            let rp = if rollup {
                cw::SLICE_ROLLUP_ROW
            } else {
                cw::SLICE_ROW
            };
            b.add(s.clone(), rp, r.clone());
            b.iri(&r, rdf::TYPE, cw::COVERAGE_ROW);
            if let Some(n) = names.notation(&focal) {
                b.text(&r, cw::ROW_FOCAL_NOTATION, n);
            }
            if let Some(k) = names.sort_key.get(&focal) {
                b.text(&r, cw::ROW_SORT_KEY, k);
            }
            b.add(r.clone(), cw::ROW_FOCAL, focal);
            let mut targets: Vec<_> = targets.into_iter().collect();
            targets.sort_by(|x, y| x.as_str().cmp(y.as_str()));
            for t in targets {
                b.add(r.clone(), cw::ROW_TARGET, t);
            }
        }
    }
}

/// `cw:baselineLabel` on every element a baseline or overlay selects.
pub(super) fn emit_baseline_labels(b: &mut Builder, names: &Names) {
    let mut selected: Vec<_> = names.baselines.iter().collect();
    selected.sort_by(|x, y| x.0.as_str().cmp(y.0.as_str()));
    for (e, labels) in selected {
        for l in labels {
            b.text(e, cw::BASELINE_LABEL, l);
        }
    }
}

/// The classes of unit elements: what coverage and gap reports count.
const UNITS: &[NamedNodeRef<'static>] = &[cw::SUBCATEGORY, cw::CONTROL, cw::CONTROL_ENHANCEMENT];

impl Names {
    pub(super) fn new(facts: &Facts) -> Self {
        let mut doc_scheme: HashMap<String, String> = facts
            .docs
            .iter()
            .filter_map(|(d, f)| Some((d.as_str().to_owned(), f.schemes.first()?.clone())))
            .collect();
        // Documents of the manifest that are not loaded (e.g. SP 800-53 5.2.0 offline) still
        // name the scheme of the unresolved ids minted in their namespace.
        if let Ok(m) = crate::source::manifest::Manifest::builtin() {
            for s in &m.source {
                doc_scheme
                    .entry(ids::doc_iri(&s.document.id).as_str().to_owned())
                    .or_insert_with(|| s.document.scheme.clone());
            }
        }
        let element: HashMap<NamedNode, (Option<String>, String)> = facts
            .elements
            .iter()
            .filter_map(|(e, f)| {
                let scheme = f.defined_by.iter().find_map(|d| facts.doc_scheme(d))?;
                Some((e.clone(), (f.notation.clone(), scheme.to_owned())))
            })
            .collect();
        let units = facts
            .elements
            .iter()
            .filter(|(e, f)| {
                !f.is_withdrawn()
                    && f.classes.iter().any(|c| UNITS.contains(&c.as_ref()))
                    && element.get(*e).is_some_and(|(n, _)| n.is_some())
            })
            .filter_map(|(e, _)| Some((e.clone(), element.get(e)?.1.clone())))
            .collect();
        let sort_key = facts
            .elements
            .iter()
            .filter_map(|(e, f)| Some((e.clone(), f.sort_key.clone()?)))
            .collect();
        let baselines = facts
            .elements
            .iter()
            .filter(|(_, f)| !f.baselines.is_empty())
            .map(|(e, f)| {
                let mut labels: Vec<String> = f
                    .baselines
                    .iter()
                    .filter_map(|b| facts.docs.get(b)?.label.clone())
                    .collect();
                labels.sort();
                labels.dedup();
                (e.clone(), labels)
            })
            .collect();
        Names {
            element,
            doc_scheme,
            units,
            sort_key,
            baselines,
        }
    }

    pub(super) fn notation(&self, e: &NamedNode) -> Option<&String> {
        self.element.get(e).and_then(|(n, _)| n.as_ref())
    }

    /// The scheme of an element, or of the document its IRI names (`…/id/{doc}/{local}`).
    pub(super) fn scheme(&self, e: &NamedNode) -> Option<String> {
        if let Some((_, s)) = self.element.get(e) {
            return Some(s.clone());
        }
        let rest = e.as_str().strip_prefix("https://w3id.org/crosswalk/id/")?;
        let (doc, _) = rest.rsplit_once('/')?;
        self.doc_scheme
            .get(&format!("https://w3id.org/crosswalk/doc/{doc}"))
            .cloned()
    }

    /// The answer facts of mapping `n` from `subject` to `target`, and its coverage slice
    /// (`rollup`: a roll-up's slice, kept apart as roll-ups answer only when asked for).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn add(
        &self,
        b: &mut Builder,
        slices: &mut Slices,
        rollup: bool,
        n: &NamedNode,
        subject: &NamedNode,
        rel: &RelType,
        target: &NamedNode,
        printed: Option<&String>,
        set: &NamedNode,
    ) {
        // A target no loaded release defines keeps the id as the set printed it (the rest
        // have their skos:notation).
        if self.notation(target).is_none()
            && let Some(p) = printed
        {
            b.text(n, cw::TARGET_NOTATION, p);
        }
        let target_scheme = self.scheme(target);
        if let Some(s) = &target_scheme {
            b.text(n, cw::TARGET_SCHEME, s);
        }
        let set_scheme = self.doc_scheme.get(set.as_str());
        // On inverses too, though their basis has it: the lookup's first filter over an
        // element's ~100 candidate mappings must be on the candidate itself (via the basis
        // it measured +15 %).
        if let Some(s) = set_scheme {
            b.text(n, cw::SET_SCHEME, s);
        }
        // A covering mapping: from an active unit element to an element with a notation,
        // of a type that says something holds (not no-relationship, not contrary).
        // Its row facts are on the mapping (short subject lists in Oxigraph's memory store,
        // where a focal subcategory has ~110 triples): focal notation and sort key, and the
        // labels of the baselines selecting the target.
        if let (Some(from), Some(to), Some(set_scheme), Some(_)) = (
            self.units.get(subject),
            target_scheme,
            set_scheme,
            self.notation(target),
        ) && !matches!(rel.term.as_str(), "NoRelationship" | "Contrary")
        {
            if let Some(n_) = self.notation(subject) {
                b.text(n, cw::FOCAL_NOTATION, n_);
            }
            if let Some(k) = self.sort_key.get(subject) {
                b.text(n, cw::FOCAL_SORT_KEY, k);
            }
            for l in self.baselines.get(target).into_iter().flatten() {
                b.text(n, cw::TARGET_BASELINE, l);
            }
            let slice = slices
                .entry((from.clone(), to, set_scheme.clone(), rollup))
                .or_default();
            if !slice.sets.contains(set) {
                slice.sets.push(set.clone());
            }
            slice.members.push(n.clone());
            slice
                .rows
                .entry(subject.clone())
                .or_default()
                .insert(target.clone());
        }
    }
}
