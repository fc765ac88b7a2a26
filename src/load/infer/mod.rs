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
//! - the deprecated terms that users' SPARQL may still ask for (the vocabulary is a public
//!   interface: terms are deprecated, never dropped): `cw:assertedIn` and `cw:how` on every
//!   answering mapping, `cw:inferred true` on every inferred mapping (47.5k quads on the real
//!   sources, 10 % of the store; lookups measured the same). Crosswalk's own queries do not
//!   read them.
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
use std::collections::{HashMap, HashSet};

mod answer_facts;
mod compose;
mod inverse;
mod rollup;
mod rules;

use answer_facts::{Names, Slices, emit_baseline_labels, emit_slices};
use inverse::inverse;
use rollup::rollups;
use rules::table;
pub use rules::{Rollup, Rule};

pub(super) struct Asserted {
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

/// Counts of what was inferred.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    pub inverses: usize,
    pub composed: usize,
    pub rolled_up: usize,
    pub rolled_down: usize,
    pub triples: usize,
}

/// Rebuilds the inferred graph (all of its partitions) from the asserted mappings in the store.
pub fn materialise(db: &Db) -> Result<Summary> {
    let started = std::time::Instant::now();
    let facts = Facts::from_store(db, &[])?;
    let read = started.elapsed();
    let (graphs, summary) = derive(&facts)?;
    let existing = db
        .inner()
        .named_graphs()
        .collect::<std::result::Result<Vec<_>, _>>()?;
    let graphs = with_stale(graphs, existing);
    let derived = started.elapsed();
    db.replace_graphs_knowing(graphs, Vec::new())?;
    tracing::debug!(
        read_ms = read.as_millis(),
        derive_ms = (derived - read).as_millis(),
        write_ms = (started.elapsed() - derived).as_millis(),
        "re-inferred"
    );
    Ok(summary)
}

/// The inferred graphs among `existing` (the store's named graphs), and `graph/inferred`
/// always: those a re-inference must write, emptying any it no longer derives.
pub fn inferred_graphs(existing: Vec<NamedOrBlankNode>) -> Vec<NamedNode> {
    let mut graphs: Vec<NamedNode> = existing
        .into_iter()
        .filter_map(|g| match g {
            NamedOrBlankNode::NamedNode(n) if ids::is_inferred_graph(n.as_str()) => Some(n),
            _ => None,
        })
        .collect();
    if !graphs.contains(&ids::inferred_graph()) {
        graphs.push(ids::inferred_graph());
    }
    graphs
}

/// `graphs` (what inference derived), and each of [`inferred_graphs`] it no longer derives,
/// empty: a user's set that is gone leaves no inferences behind, and an emptied store's
/// `graph/inferred` is emptied too.
fn with_stale(mut graphs: Graphs, existing: Vec<NamedOrBlankNode>) -> Graphs {
    for g in inferred_graphs(existing) {
        if !graphs.iter().any(|(x, _)| *x == g) {
            graphs.push((g, Vec::new()));
        }
    }
    graphs
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
    let mut graphs = vec![GraphName::DefaultGraph];
    let mut existing = Vec::new();
    for g in tx.named_graphs() {
        let g = g?;
        if let NamedOrBlankNode::NamedNode(n) = &g
            && !ids::is_inferred_graph(n.as_str())
        {
            graphs.push(GraphName::NamedNode(n.clone()));
        }
        existing.push(g);
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
    let (graphs, summary) = derive(&facts)?;
    let derived = started.elapsed();
    for (g, quads) in with_stale(graphs, existing) {
        db.replace_graph_in(tx, &g, &quads)?;
    }
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

/// Graphs and their quads.
pub type Graphs = Vec<(NamedNode, Vec<Quad>)>;

/// The inferred graphs' quads for these asserted facts, partition by partition
/// ([`Parts`]): `graph/inferred` first.
pub fn derive(facts: &Facts) -> Result<(Graphs, Summary)> {
    let mut graphs: Vec<(NamedNode, Vec<Quad>)> = Vec::new();
    let summary = derive_into(facts, &mut |g, q| {
        match graphs.iter_mut().find(|(x, _)| x == g) {
            Some((_, all)) => all.extend(q),
            None => graphs.push((g.clone(), q)),
        }
        Ok(())
    })?;
    graphs.sort_by(|a, b| rank(&a.0).cmp(&rank(&b.0)));
    Ok((graphs, summary))
}

/// How many triples [`derive_into`] gathers before handing them on: small enough that the
/// store writes while inference goes on, large enough that the hand-over costs nothing.
const CHUNK: usize = 25_000;

/// The inferred graph's partitions. What NIST's sets and the loaded documents derive is in
/// `graph/inferred`; what a user's mapping set derives (its inverses, roll-ups, coverage
/// slices, and compositions with one of its hops) is in `graph/inferred/mapping/user/{name}`
/// (`ids::inferred_partition`). So loading, reloading or dropping a user's set rewrites its
/// own partition and leaves `graph/inferred` as it was (its digest unchanged, nothing is
/// written), where it used to clear and rewrite the whole inferred graph in one RocksDB
/// transaction. What is derived from several sets goes to the highest of their partitions
/// ([`higher`]); a triple several derivations give (a shortcut, a composition's pointer) is
/// written once, in the lowest of their partitions ([`rank`]), so that the union default
/// graph sees it once.
pub(super) struct Parts {
    of_set: HashMap<NamedNode, NamedNode>,
    builders: std::collections::BTreeMap<NamedNode, Builder>,
    /// Shortcut triples (of inverses and compositions) and the partition each goes to.
    shortcuts: HashMap<(NamedNode, NamedNode, NamedNode), NamedNode>,
}

/// The order of partitions: `graph/inferred` first, then by IRI.
pub(super) fn rank(g: &NamedNode) -> (bool, &str) {
    (g.as_str() != INFERRED, g.as_str())
}

const INFERRED: &str = "https://w3id.org/crosswalk/graph/inferred";

/// The higher of two partitions: where what is derived from both goes (a composition through
/// a NIST mapping and a user's goes with the user's set).
pub(super) fn higher(a: NamedNode, b: NamedNode) -> NamedNode {
    if rank(&b) > rank(&a) { b } else { a }
}

impl Parts {
    fn new() -> Self {
        Parts {
            of_set: HashMap::new(),
            builders: std::collections::BTreeMap::new(),
            shortcuts: HashMap::new(),
        }
    }

    /// A shortcut triple (`a cw:subsetOf b`, …) that inference in partition `part` gives: in
    /// the lowest partition that gives it ([`Parts::write_shortcuts`]).
    pub(super) fn shortcut(&mut self, s: &NamedNode, p: NamedNode, o: &NamedNode, part: NamedNode) {
        let key = (s.clone(), p, o.clone());
        match self.shortcuts.get_mut(&key) {
            Some(at) => {
                if rank(&part) < rank(at) {
                    *at = part;
                }
            }
            None => {
                self.shortcuts.insert(key, part);
            }
        }
    }

    /// The shortcut triples into their partitions' builders, in a stable order.
    fn write_shortcuts(&mut self) {
        let mut all: Vec<_> = std::mem::take(&mut self.shortcuts).into_iter().collect();
        all.sort_by(|a, b| {
            (a.0.0.as_str(), a.0.1.as_str(), a.0.2.as_str()).cmp(&(
                b.0.0.as_str(),
                b.0.1.as_str(),
                b.0.2.as_str(),
            ))
        });
        for ((s, p, o), part) in all {
            self.get(&part).add(s, p.as_ref(), o);
        }
    }

    /// The partition of what mapping set `set` derives.
    pub(super) fn partition(&mut self, set: &NamedNode) -> NamedNode {
        if let Some(p) = self.of_set.get(set) {
            return p.clone();
        }
        let p = ids::inferred_partition(set);
        self.of_set.insert(set.clone(), p.clone());
        p
    }

    pub(super) fn get(&mut self, part: &NamedNode) -> &mut Builder {
        self.builders.entry(part.clone()).or_default()
    }

    pub(super) fn base(&mut self) -> &mut Builder {
        self.get(&ids::inferred_graph())
    }

    /// The builder of set `set`'s partition.
    pub(super) fn of(&mut self, set: &NamedNode) -> &mut Builder {
        let p = self.partition(set);
        self.get(&p)
    }

    fn len(&self) -> usize {
        self.builders.values().map(Builder::len).sum()
    }

    /// Hands each partition's triples to `emit` once it has at least `min` of them.
    pub(super) fn flush(
        &mut self,
        min: usize,
        total: &mut usize,
        emit: &mut dyn FnMut(&NamedNode, Vec<Quad>) -> Result<()>,
    ) -> Result<()> {
        for (g, b) in self.builders.iter_mut() {
            if b.len() >= min.max(1) {
                let quads = std::mem::take(b).into_quads(g);
                *total += quads.len();
                emit(g, quads)?;
            }
        }
        Ok(())
    }
}

/// [`derive`], handing the quads to `emit` (graph, quads) in chunks as they are derived (a
/// load writes them on another thread meanwhile). `emit` failing stops the derivation with
/// its error.
pub fn derive_into(
    facts: &Facts,
    emit: &mut dyn FnMut(&NamedNode, Vec<Quad>) -> Result<()>,
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

    let mut parts = Parts::new();
    let set = ids::doc_iri("mapping/crosswalk-inference");
    let b = parts.base();
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
        let b = parts.of(&a.set);
        // The asserted mapping answers directly: it is its own basis (in this graph so that
        // sources stay pristine).
        b.add(a.iri.clone(), cw::BASIS, a.iri.clone());
        deprecated_answer_facts(b, &a.iri, &a.set, "direct");
        for f in &a.flags {
            if let Some((_, l)) = FLAG_LABELS.iter().find(|(x, _)| x == f) {
                b.text(&a.iri, cw::FLAG_LABEL, l);
            }
        }
        names.add(
            b,
            &mut slices,
            false,
            &a.iri,
            &a.subject,
            a.rel,
            &a.object,
            a.printed_object.as_ref(),
            &a.set,
        );
        if let Some(inv) = rel_by_term(&a.rel.inverse) {
            let n = ids::mapping_iri("inferred/inverse", tail(&a.iri));
            inverse(b, &n, &set, a, inv);
            if let Some(p) = inv.shortcut_iri() {
                let part = parts.partition(&a.set);
                parts.shortcut(&a.object, p, &a.subject, part);
            }
            let b = parts.of(&a.set);
            names.add(
                b,
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
        }
        parts.flush(CHUNK, &mut summary.triples, emit)?;
    }

    // A suggestion (`crosswalk suggest`) is no hop of a composed path: a machine's guess
    // chained to a published mapping would answer as that set's, unmarked.
    let suggested: HashSet<NamedNode> = facts
        .asserted()
        .filter(|a| a.status.as_ref() == cw::SUGGESTED_MAPPING)
        .map(|a| a.iri.clone())
        .collect();
    compose::compose(
        &asserted,
        &suggested,
        &table,
        &mut parts,
        &mut summary,
        emit,
    )?;
    rollups(
        facts,
        &asserted,
        &set,
        &names,
        &mut parts,
        &mut slices,
        &mut summary,
    )?;
    emit_slices(&mut parts, &names, slices);
    emit_baseline_labels(parts.base(), &names);
    parts.write_shortcuts();
    // Nothing inferred (no asserted mapping, no unit element: an empty store, or one a SPARQL
    // `DROP ALL` just emptied): graph/inferred stays empty instead of describing an empty
    // inference set, so that an emptied store is empty, as SPARQL 1.1 Update says `DROP ALL`
    // leaves it, and a client checking that (the W3C protocol tests do) sees no triple.
    if summary.triples == 0 && parts.len() == description {
        // Still handed over (empty): a load replaces graph/inferred when its first chunk comes.
        emit(&ids::inferred_graph(), Vec::new())?;
        return Ok(summary);
    }
    parts.flush(0, &mut summary.triples, emit)?;
    Ok(summary)
}

/// The deprecated answer facts of an answering mapping (asserted or inverse), kept so that
/// SPARQL written against them still answers (ontology/crosswalk.ttl: `owl:deprecated`;
/// CHANGELOG.md): `cw:assertedIn`, the set of its basis (= `cw:basis/cw:mappingSet`), and
/// `cw:how`, "direct" when it is its own basis, "inverse" otherwise: 2 × 18,904 quads on the
/// real sources (9,452 asserted mappings and their inverses). Roll-ups never carried them
/// (they answer only when asked for); compositions are no longer mappings (`crosswalk-via`).
fn deprecated_answer_facts(b: &mut Builder, n: &NamedNode, set: &NamedNode, how: &str) {
    b.add(n.clone(), cw::ASSERTED_IN, set.clone());
    b.text(n, cw::HOW, how);
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
        let ttl = include_str!("../../../ontology/crosswalk.ttl");
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

    /// Deprecated terms keep answering what they answered before (CHANGELOG.md).
    #[test]
    fn deprecated_terms_still_answer() {
        let db = with_notations(&[("A", "SubsetOf", "B")]);
        materialise(&db).expect("infer");
        let q = "PREFIX cw: <https://w3id.org/crosswalk/ontology#> PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
                 SELECT ?s ?how ?inferred ?same WHERE {
                   ?m cw:subject/skos:notation ?s ; cw:how ?how ; cw:assertedIn ?set ; cw:basis/cw:mappingSet ?basisSet .
                   OPTIONAL { ?m cw:inferred ?inferred }
                   BIND(?set = ?basisSet AS ?same)
                 } ORDER BY ?s";
        let s = db.select(q, &[]).expect("q");
        let rows: Vec<Vec<String>> = (0..s.rows.len())
            .map(|i| {
                ["s", "how", "inferred", "same"]
                    .iter()
                    .map(|v| s.get(i, v).map(crate::query::term_text).unwrap_or_default())
                    .collect()
            })
            .collect();
        assert_eq!(
            rows,
            [
                ["A", "direct", "", "true"],
                ["B", "inverse", "true", "true"]
            ]
        );
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
