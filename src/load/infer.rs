//! Inference, materialised after every load into its own graph (`graph/inferred`), rebuilt
//! from scratch each time; every inferred link names its method (`cw:method cw:Inference`)
//! or is a composition record:
//! - the inverse of every asserted mapping (`mappings/relationships.toml`, column `inverse`),
//!   a mapping of its own with `cw:inverseOf`. Every answering mapping has a `cw:basis`, the
//!   asserted mapping it rests on (itself, or the one an inverse restates): the lookup reads
//!   set and status there, so an inverse does not repeat them (9.5k inverses; each
//!   repeated fact was 2 % of the store and of its load);
//! - two-hop compositions of asserted mappings, only through `mappings/composition.toml`: the
//!   shortcut triple (`cw:relatedVia`, `cw:subsetOf`, …) plus a `cw:Composition` record of
//!   just `cw:firstHop`, `cw:secondHop` and `cw:relationship`. Its subject, object, via
//!   element, set and status follow from the hops, so the record does not repeat them: the
//!   compositions are a cross product (CSF 1.1 transitions × their successors' mappings,
//!   11k of them), and repeating 19 facts on each was a third of the store and of its load.
//!
//! Nothing is inferred from the absence of a mapping, and inferred mappings are never inputs
//! to further inference (no fixpoint), so every inferred mapping has a path of one or two
//! asserted mappings, recorded as `cw:inverseOf` / `cw:firstHop` + `cw:secondHop`.
use crate::import::mapping::{RelType, rel_by_term};
use crate::model::error::{Error, Result};
use crate::model::facts::Facts;
use crate::model::ids;
use crate::model::term::Builder;
use crate::model::vocab::{cw, rdf, rdfs};
use crate::store::Db;
use oxigraph::model::{GraphName, NamedNode, NamedNodeRef, NamedOrBlankNode, Quad};
use oxigraph::store::Transaction;
use serde::Deserialize;
use std::collections::{HashMap, HashSet};

const RULES: &str = include_str!("../../mappings/composition.toml");

#[derive(Debug, Clone, Deserialize)]
pub struct Rule {
    pub first: String,
    pub second: String,
    pub result: String,
}

/// The `[rollup]` table of `mappings/composition.toml`.
#[derive(Debug, Clone, Deserialize)]
pub struct Rollup {
    pub result: String,
    pub exclude: Vec<String>,
}

#[derive(Deserialize)]
struct Rules {
    rule: Vec<Rule>,
    rollup: Rollup,
}

/// The tables, parsed and checked once per process (every inference run reads both).
fn table() -> Result<&'static Rules> {
    static TABLE: std::sync::OnceLock<std::result::Result<Rules, String>> =
        std::sync::OnceLock::new();
    TABLE
        .get_or_init(|| {
            let r: Rules =
                toml::from_str(RULES).map_err(|e| format!("mappings/composition.toml: {e}"))?;
            let terms = r
                .rule
                .iter()
                .flat_map(|x| [&x.first, &x.second, &x.result])
                .chain(std::iter::once(&r.rollup.result))
                .chain(&r.rollup.exclude);
            for t in terms {
                if rel_by_term(t).is_none() {
                    return Err(format!("mappings/composition.toml: unknown type {t}"));
                }
            }
            Ok(r)
        })
        .as_ref()
        .map_err(|e| Error::Manifest(e.clone()))
}

struct Asserted {
    iri: NamedNode,
    subject: NamedNode,
    object: NamedNode,
    rel: &'static RelType,
    set: NamedNode,
    printed_subject: Option<String>,
    printed_object: Option<String>,
    flags: Vec<NamedNode>,
}

/// The `rdfs:label`s of the `cw:flag` values (ontology/crosswalk.ttl; a test keeps them equal),
/// materialised as `cw:flagLabel` so that a lookup fetches an answer's flags in one pattern.
const FLAG_LABELS: &[(NamedNodeRef<'static>, &str)] = &[
    (cw::DANGLING_TARGET, "dangling target"),
    (cw::DANGLING_SUBJECT, "dangling subject"),
    (cw::WITHDRAWN_TARGET, "withdrawn target"),
];

fn tail(m: &NamedNode) -> &str {
    let prefix = "https://w3id.org/crosswalk/mapping/";
    m.as_str().strip_prefix(prefix).unwrap_or(m.as_str())
}

/// What every answering mapping gets materialised beside it (cw:targetScheme, cw:setScheme:
/// the two filters of a crosswalk lookup, so that it narrows its candidates in one basic graph
/// pattern; the rest of an answer is fetched for the few that pass).
struct Names {
    /// Notation and scheme of each element defined by a document with a scheme.
    element: HashMap<NamedNode, (Option<String>, String)>,
    doc_scheme: HashMap<String, String>,
    /// Active unit elements (the rows of coverage reports) and their scheme.
    units: HashMap<NamedNode, String>,
    sort_key: HashMap<NamedNode, String>,
    /// Labels of the baselines and overlays that select an element.
    baselines: HashMap<NamedNode, Vec<String>>,
}

/// Covering mappings by (focal scheme, target scheme, set scheme, roll-up).
type Slices = std::collections::BTreeMap<(String, String, String, bool), Vec<NamedNode>>;

/// The coverage slices as nodes: coverage and gaps start from the slice of their (focal
/// scheme, target scheme, set) instead of walking every mapping of every focal element.
fn emit_slices(b: &mut Builder, slices: Slices) {
    for ((from, to, set, rollup), members) in slices {
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
    }
}

/// The classes of unit elements: what coverage and gap reports count.
const UNITS: &[NamedNodeRef<'static>] = &[cw::SUBCATEGORY, cw::CONTROL, cw::CONTROL_ENHANCEMENT];

impl Names {
    fn new(facts: &Facts) -> Self {
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

    fn notation(&self, e: &NamedNode) -> Option<&String> {
        self.element.get(e).and_then(|(n, _)| n.as_ref())
    }

    /// The scheme of an element, or of the document its IRI names (`…/id/{doc}/{local}`).
    fn scheme(&self, e: &NamedNode) -> Option<String> {
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
    fn add(
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
        if let (Some(from), Some(to), Some(set), Some(_)) = (
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
            slices
                .entry((from.clone(), to, set.clone(), rollup))
                .or_default()
                .push(n.clone());
        }
    }
}

/// Counts of what was inferred.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    pub inverses: usize,
    pub composed: usize,
    pub rolled_up: usize,
    pub rolled_down: usize,
    pub triples: usize,
}

/// Rebuilds the inferred graph from the asserted mappings in the store.
pub fn materialise(db: &Db) -> Result<Summary> {
    let started = std::time::Instant::now();
    let facts = Facts::from_store(db, &[])?;
    let read = started.elapsed();
    let (quads, summary) = derive(&facts)?;
    let derived = started.elapsed();
    db.replace_graph(&ids::inferred_graph(), &quads)?;
    tracing::debug!(
        read_ms = read.as_millis(),
        derive_ms = (derived - read).as_millis(),
        write_ms = (started.elapsed() - derived).as_millis(),
        "re-inferred"
    );
    Ok(summary)
}

/// Re-derives `graph/inferred` inside `tx`, from the asserted graphs as `tx` sees them (a
/// SPARQL Update already applied in it), so that the change and its inference commit or roll
/// back together: a failure in between can no longer leave `graph/inferred` describing a
/// graph that is not there.
///
/// After `DROP ALL` (or `CLEAR ALL`, or Graph Store writes that leave nothing asserted) nothing
/// is inferred and `graph/inferred` is left empty: it does not keep the nine triples that
/// describe the inference mapping set (type, label, title, scheme, version, publisher, status),
/// which describe what was inferred and would otherwise be the only content of a store the
/// client just emptied (SPARQL 1.1 Update: `DROP ALL` removes all graphs).
pub fn materialise_in(db: &Db, tx: &mut Transaction<'_>) -> Result<Summary> {
    let started = std::time::Instant::now();
    let mut facts = Facts::default();
    let inferred = ids::inferred_graph();
    let mut graphs = vec![GraphName::DefaultGraph];
    for g in tx.named_graphs() {
        if let NamedOrBlankNode::NamedNode(n) = g?
            && n != inferred
        {
            graphs.push(GraphName::NamedNode(n));
        }
    }
    // Facts::add skips the predicates inference does not read.
    for g in &graphs {
        for q in tx.quads_for_pattern(None, None, None, Some(g.as_ref())) {
            let q = q?;
            facts.add(&q.subject, &q.predicate, &q.object);
        }
    }
    let read = started.elapsed();
    fail_on_purpose()?;
    let (quads, summary) = derive(&facts)?;
    let derived = started.elapsed();
    db.replace_graph_in(tx, &inferred, &quads)?;
    tracing::debug!(
        read_ms = read.as_millis(),
        derive_ms = (derived - read).as_millis(),
        write_ms = (started.elapsed() - derived).as_millis(),
        "re-inferred in the update's transaction"
    );
    Ok(summary)
}

/// Debug builds only: `CROSSWALK_FAIL_REINFER=1` makes [`materialise_in`] fail, so that a test
/// can see an update whose re-inference fails leave the store as it was.
fn fail_on_purpose() -> Result<()> {
    if cfg!(debug_assertions)
        && std::env::var_os("CROSSWALK_FAIL_REINFER").is_some_and(|v| v == "1")
    {
        return Err(Error::Internal(
            "re-inference failed on purpose (CROSSWALK_FAIL_REINFER=1, debug builds)".into(),
        ));
    }
    Ok(())
}

/// The inferred graph's quads for these asserted facts.
pub fn derive(facts: &Facts) -> Result<(Vec<Quad>, Summary)> {
    let mut quads = Vec::new();
    let summary = derive_into(facts, &mut |q| {
        quads.extend(q);
        Ok(())
    })?;
    Ok((quads, summary))
}

/// How many triples [`derive_into`] gathers before handing them on: small enough that the
/// store writes while inference goes on, large enough that the hand-over costs nothing.
const CHUNK: usize = 25_000;

/// Hands the builder's triples to `emit` as quads of `graph/inferred` once there are at least
/// `min` of them.
fn flush(
    b: &mut Builder,
    min: usize,
    total: &mut usize,
    emit: &mut dyn FnMut(Vec<Quad>) -> Result<()>,
) -> Result<()> {
    if b.len() >= min.max(1) {
        let quads = std::mem::take(b).into_quads(&ids::inferred_graph());
        *total += quads.len();
        emit(quads)?;
    }
    Ok(())
}

/// [`derive`], handing the quads to `emit` in chunks as they are derived (a load writes them
/// on another thread meanwhile). `emit` failing stops the derivation with its error.
pub fn derive_into(
    facts: &Facts,
    emit: &mut dyn FnMut(Vec<Quad>) -> Result<()>,
) -> Result<Summary> {
    let table: HashMap<(&str, &str), &str> = table()?
        .rule
        .iter()
        .map(|r| ((r.first.as_str(), r.second.as_str()), r.result.as_str()))
        .collect();
    let asserted: Vec<Asserted> = facts
        .asserted()
        .filter_map(|a| {
            let rel = a
                .relationship
                .as_str()
                .strip_prefix(cw::NS)
                .and_then(rel_by_term)?;
            Some(Asserted {
                iri: a.iri.clone(),
                subject: a.subject.clone(),
                object: a.object.clone(),
                rel,
                set: a.set.clone(),
                printed_subject: a.printed_subject.cloned(),
                printed_object: a.printed_object.cloned(),
                flags: a.flags.to_vec(),
            })
        })
        .collect();

    let mut b = Builder::default();
    let set = ids::doc_iri("mapping/crosswalk-inference");
    b.iri(&set, rdf::TYPE, cw::DOCUMENT);
    b.iri(&set, rdf::TYPE, cw::MAPPING_SET);
    b.text(&set, rdfs::LABEL, "crosswalk inference");
    b.title(
        &set,
        "Mappings inferred by crosswalk (inverses and composition rules)",
    );
    b.text(&set, cw::SCHEME, "inferred");
    b.text(&set, cw::VERSION, env!("CARGO_PKG_VERSION"));
    b.text(&set, crate::model::vocab::dcterms::PUBLISHER, "crosswalk");
    b.iri(&set, cw::DOCUMENT_STATUS, cw::DRAFT);
    // The inference set's own description: written only beside something inferred.
    let description = b.len();

    let names = Names::new(facts);
    let mut slices = Slices::new();
    for (e, scheme) in &names.units {
        b.text(e, cw::UNIT_IN_SCHEME, scheme);
    }
    let mut summary = Summary::default();
    for a in &asserted {
        // The asserted mapping answers directly: it is its own basis (in this graph so that
        // sources stay pristine).
        b.add(a.iri.clone(), cw::BASIS, a.iri.clone());
        for f in &a.flags {
            if let Some((_, l)) = FLAG_LABELS.iter().find(|(x, _)| x == f) {
                b.text(&a.iri, cw::FLAG_LABEL, l);
            }
        }
        names.add(
            &mut b,
            &mut slices,
            false,
            &a.iri,
            &a.subject,
            a.rel,
            &a.object,
            a.printed_object.as_ref(),
            &a.set,
        );
        let Some(inv) = rel_by_term(&a.rel.inverse) else {
            continue;
        };
        let n = ids::mapping_iri("inferred/inverse", tail(&a.iri));
        inverse(&mut b, &n, &set, a, inv);
        names.add(
            &mut b,
            &mut slices,
            false,
            &n,
            &a.object,
            inv,
            &a.subject,
            a.printed_subject.as_ref(),
            &a.set,
        );
        summary.inverses += 1;
        flush(&mut b, CHUNK, &mut summary.triples, emit)?;
    }

    let mut by_subject: HashMap<&NamedNode, Vec<&Asserted>> = HashMap::new();
    for a in &asserted {
        by_subject.entry(&a.subject).or_default().push(a);
    }
    let mut starts = HashSet::new();
    let mut linked = HashSet::new();
    let mut seen = HashSet::new();
    for first in &asserted {
        let Some(nexts) = by_subject.get(&first.object) else {
            continue;
        };
        for second in nexts {
            if second.object == first.subject {
                continue;
            }
            let Some(result) = table.get(&(first.rel.term.as_str(), second.rel.term.as_str()))
            else {
                continue;
            };
            let Some(rt) = rel_by_term(result) else {
                continue;
            };
            if !seen.insert((&first.iri, &second.iri)) {
                continue;
            }
            let n = ids::mapping_iri(
                "inferred/path",
                &format!("{}~{}", tail(&first.iri), tail(&second.iri)),
            );
            // The record only: everything else follows from the hops (module docs). The
            // subject points at its first hops, so a lookup from an element that starts no
            // composition (nearly all) is one short walk.
            if starts.insert(&first.iri) {
                b.add(
                    first.subject.clone(),
                    cw::COMPOSES_THROUGH,
                    first.iri.clone(),
                );
            }
            b.iri(&n, rdf::TYPE, cw::COMPOSITION);
            b.add(n.clone(), cw::FIRST_HOP, first.iri.clone());
            b.add(n.clone(), cw::SECOND_HOP, second.iri.clone());
            b.add(n.clone(), cw::RELATIONSHIP, rt.iri());
            // One shortcut per pair, however many paths join it (11,184 paths, 6,559 pairs).
            if let Some(p) = rt.shortcut_iri()
                && linked.insert((&first.subject, p.clone(), &second.object))
            {
                b.add(first.subject.clone(), p.as_ref(), second.object.clone());
            }
            summary.composed += 1;
            flush(&mut b, CHUNK, &mut summary.triples, emit)?;
        }
    }
    rollups(
        facts,
        &asserted,
        &set,
        &names,
        &mut b,
        &mut slices,
        &mut summary,
    )?;
    emit_slices(&mut b, slices);
    // Nothing inferred (no asserted mapping, no unit element: an empty store, or one a SPARQL
    // `DROP ALL` just emptied): graph/inferred stays empty instead of describing an empty
    // inference set, so that an emptied store is empty, as SPARQL 1.1 Update says `DROP ALL`
    // leaves it, and a client checking that (the W3C protocol tests do) sees no triple.
    if summary.triples == 0 && b.len() == description {
        // Still handed over (empty): a load replaces graph/inferred when its first chunk comes.
        emit(Vec::new())?;
        return Ok(summary);
    }
    flush(&mut b, 0, &mut summary.triples, emit)?;
    Ok(summary)
}

/// The element kinds roll-up distinguishes.
const KINDS: &[&str] = &[
    "Control",
    "ControlEnhancement",
    "StatementItem",
    "Subcategory",
    "ControlFamily",
    "Category",
];

/// Parent/child roll-up of asserted mappings (see `[rollup]` in mappings/composition.toml).
fn rollups(
    facts: &Facts,
    asserted: &[Asserted],
    set: &NamedNode,
    names: &Names,
    b: &mut Builder,
    slices: &mut Slices,
    summary: &mut Summary,
) -> Result<()> {
    let rule = &table()?.rollup;
    let Some(rt) = rel_by_term(&rule.result) else {
        return Ok(());
    };
    let mut kind: HashMap<NamedNode, String> = HashMap::new();
    let mut parent: HashMap<NamedNode, NamedNode> = HashMap::new();
    let mut members: HashMap<NamedNode, Vec<NamedNode>> = HashMap::new();
    let mut withdrawn: HashSet<NamedNode> = HashSet::new();
    for (e, f) in &facts.elements {
        let Some(k) = f.classes.iter().find_map(|c| {
            c.as_str()
                .strip_prefix(cw::NS)
                .filter(|k| KINDS.contains(k))
        }) else {
            continue;
        };
        if f.is_withdrawn() {
            withdrawn.insert(e.clone());
        }
        if let Some(p) = &f.parent {
            parent.insert(e.clone(), p.clone());
            if k == "Control" || k == "Subcategory" {
                members.entry(p.clone()).or_default().push(e.clone());
            }
        }
        kind.insert(e.clone(), k.to_owned());
    }
    for m in members.values_mut() {
        m.sort_by(|a, b| a.as_str().cmp(b.as_str()));
    }
    let unit = |k: Option<&String>| {
        matches!(
            k.map(String::as_str),
            Some("Control" | "ControlEnhancement" | "Subcategory")
        )
    };
    let style = NamedNode::from(rt.style_iri());
    let suggested = cw::SUGGESTED_MAPPING.into_owned();
    let mut seen = HashSet::new();
    for a in asserted {
        if rule.exclude.iter().any(|x| x == &a.rel.term) {
            continue;
        }
        let (direction, targets): (&str, Vec<NamedNode>) =
            match kind.get(&a.object).map(String::as_str) {
                Some("ControlEnhancement") => {
                    ("up", parent.get(&a.object).cloned().into_iter().collect())
                }
                Some("StatementItem") => {
                    // The nearest unit element above the item (items nest: ac-2_smt.a.1 → ac-2_smt.a → AC-2).
                    let mut at = parent.get(&a.object);
                    while let Some(p) = at {
                        if unit(kind.get(p)) {
                            break;
                        }
                        at = parent.get(p);
                    }
                    ("up", at.cloned().into_iter().collect())
                }
                Some("ControlFamily" | "Category") => (
                    "down",
                    members
                        .get(&a.object)
                        .map(|m| {
                            m.iter()
                                .filter(|e| !withdrawn.contains(*e))
                                .cloned()
                                .collect()
                        })
                        .unwrap_or_default(),
                ),
                _ => continue,
            };
        for t in targets {
            if t == a.subject || !seen.insert((a.iri.clone(), t.clone())) {
                continue;
            }
            let local = t.as_str().rsplit('/').next().unwrap_or("");
            let n = ids::mapping_iri("inferred/rollup", &format!("{}~{local}", tail(&a.iri)));
            b.iri(&n, rdf::TYPE, cw::MAPPING);
            b.add(n.clone(), cw::SUBJECT, a.subject.clone());
            b.add(n.clone(), cw::OBJECT, t.clone());
            b.add(n.clone(), cw::MAPPING_SET_PROP, set.clone());
            b.add(n.clone(), cw::RELATIONSHIP, rt.iri());
            b.add(n.clone(), cw::STYLE, style.clone());
            b.add(n.clone(), cw::MAPPING_STATUS, suggested.clone());
            b.iri(&n, cw::METHOD, cw::INFERENCE);
            b.text(
                &n,
                cw::RULE,
                if direction == "up" {
                    "roll-up: the object's parent"
                } else {
                    "roll-down: a unit member of the object"
                },
            );
            b.text(&n, cw::ROLLUP, direction);
            b.add(n.clone(), cw::ROLLED_UP_FROM, a.iri.clone());
            b.add(n.clone(), cw::VIA_ELEMENT, a.object.clone());
            if let Some(v) = names.notation(&a.object) {
                b.text(&n, cw::VIA_NOTATION, v);
            }
            b.add(n.clone(), cw::ROLLUP_IN, a.set.clone());
            names.add(b, slices, true, &n, &a.subject, rt, &t, None, &a.set);
            if direction == "up" {
                summary.rolled_up += 1;
            } else {
                summary.rolled_down += 1;
            }
        }
    }
    Ok(())
}

/// The inverse `n` of asserted mapping `a`: a mapping of the inference set from `a`'s object
/// to its subject. It restates `a`, so `a` is its basis (`cw:basis`), whose style, status,
/// set and provenance it does not repeat (the caller adds the other answer facts).
fn inverse(b: &mut Builder, n: &NamedNode, set: &NamedNode, a: &Asserted, rel: &RelType) {
    b.iri(n, rdf::TYPE, cw::MAPPING);
    b.add(n.clone(), cw::SUBJECT, a.object.clone());
    b.add(n.clone(), cw::OBJECT, a.subject.clone());
    b.add(n.clone(), cw::MAPPING_SET_PROP, set.clone());
    b.add(n.clone(), cw::RELATIONSHIP, rel.iri());
    b.iri(n, cw::METHOD, cw::INFERENCE);
    b.add(n.clone(), cw::INVERSE_OF, a.iri.clone());
    b.add(n.clone(), cw::BASIS, a.iri.clone());
    if let Some(p) = rel.shortcut_iri() {
        b.add(a.object.clone(), p.as_ref(), a.subject.clone());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::mapping::{Mapping, Side, emit, rel_by_term};
    use crate::model::vocab::cw;
    use crate::query::Sparql;

    fn side(n: &str) -> Side {
        Side {
            iri: ids::element_iri("t/1", n),
            notation: n.to_owned(),
            flags: vec![],
            granularity: None,
        }
    }

    fn store(rows: &[(&str, &str, &str)]) -> Db {
        let db = Db::memory().expect("db");
        let mut b = Builder::default();
        let set = ids::doc_iri("t/set");
        b.text(&set, cw::SCHEME, "t");
        b.text(&set, rdfs::LABEL, "test set");
        for (i, (s, rel, o)) in rows.iter().enumerate() {
            let mut m = Mapping::related(
                format!("r{i}"),
                side(s),
                side(o),
                cw::FINAL_MAPPING,
                format!("row {i}"),
            )
            .expect("m");
            m.rel = rel_by_term(rel).expect("rel");
            emit(&mut b, "t/set", &set, &m);
        }
        db.replace_graph(&ids::graph_iri("t"), &b.into_quads(&ids::graph_iri("t")))
            .expect("write");
        db
    }

    fn inferred(db: &Db) -> Vec<(String, String, String)> {
        let q = "PREFIX cw: <https://w3id.org/crosswalk/ontology#> PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
                 SELECT ?s ?r ?o WHERE { ?m a cw:Composition ; cw:firstHop/cw:subject/skos:notation ?s ; cw:secondHop/cw:object/skos:notation ?o ; cw:relationship ?rel .
                 BIND(STRAFTER(STR(?rel), \"#\") AS ?r) } ORDER BY ?s ?o";
        let s = db.select(q, &[]).expect("q");
        (0..s.rows.len())
            .map(|i| {
                (
                    crate::query::term_text(s.get(i, "s").expect("s")),
                    crate::query::term_text(s.get(i, "r").expect("r")),
                    crate::query::term_text(s.get(i, "o").expect("o")),
                )
            })
            .collect()
    }

    fn with_notations(rows: &[(&str, &str, &str)]) -> Db {
        let db = store(rows);
        // Give the fixture elements notations so the queries can name them.
        let mut b = Builder::default();
        for (s, _, o) in rows {
            for n in [s, o] {
                b.text(
                    &ids::element_iri("t/1", n),
                    crate::model::vocab::skos::NOTATION,
                    n,
                );
            }
        }
        db.replace_graph(
            &ids::graph_iri("t-notations"),
            &b.into_quads(&ids::graph_iri("t-notations")),
        )
        .expect("write");
        db
    }

    #[test]
    fn subset_chains_compose_and_intersections_do_not() {
        let db = with_notations(&[
            ("A", "SubsetOf", "B"),
            ("B", "SubsetOf", "C"),
            ("X", "IntersectsWith", "B"),
            ("B", "IntersectsWith", "Y"),
        ]);
        let s = materialise(&db).expect("infer");
        assert_eq!(s.inverses, 4);
        assert_eq!(
            inferred(&db),
            vec![("A".into(), "SubsetOf".into(), "C".into())]
        );
    }

    #[test]
    fn concept_chains_give_related_via_never_equality() {
        let db = with_notations(&[
            ("A", "Related", "B"),
            ("B", "Equal", "C"),
            ("C", "Supports", "D"),
            ("P", "NoRelationship", "A"),
        ]);
        materialise(&db).expect("infer");
        // A related B, B equal C → A related-via C; Supports does not chain; NoRelationship never.
        assert_eq!(
            inferred(&db),
            vec![("A".into(), "RelatedVia".into(), "C".into())]
        );
    }

    #[test]
    fn flag_labels_are_the_ontology_s() {
        let ttl = include_str!("../../ontology/crosswalk.ttl");
        let store = oxigraph::store::Store::new().expect("store");
        store
            .load_from_slice(oxigraph::io::RdfFormat::Turtle, ttl)
            .expect("ontology parses");
        for (flag, label) in FLAG_LABELS {
            let got: Vec<String> = store
                .quads_for_pattern(Some((*flag).into()), Some(rdfs::LABEL), None, None)
                .map(|q| crate::query::term_text(&q.expect("quad").object))
                .collect();
            assert_eq!(got, vec![(*label).to_owned()], "{flag}");
        }
    }

    #[test]
    fn inverses_swap_subset_and_superset() {
        let db = with_notations(&[("A", "SubsetOf", "B")]);
        materialise(&db).expect("infer");
        let q = "PREFIX cw: <https://w3id.org/crosswalk/ontology#> ASK { ?m cw:inverseOf ?a ; cw:relationship cw:SupersetOf ; cw:subject <https://w3id.org/crosswalk/id/t/1/B> }";
        assert!(matches!(
            db.run(q, &[]).expect("ask"),
            oxigraph::sparql::QueryResults::Boolean(true)
        ));
        // the shortcut of the inverse is asserted too
        let q = "PREFIX cw: <https://w3id.org/crosswalk/ontology#> ASK { <https://w3id.org/crosswalk/id/t/1/B> cw:supersetOf <https://w3id.org/crosswalk/id/t/1/A> }";
        assert!(matches!(
            db.run(q, &[]).expect("ask"),
            oxigraph::sparql::QueryResults::Boolean(true)
        ));
    }
}
