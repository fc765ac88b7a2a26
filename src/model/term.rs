//! `Builder`: collects the triples of one graph; importers and inference write through it.
use crate::model::ids;
use crate::model::vocab::{cw, dcterms, rdf, skos};
use oxigraph::model::{GraphName, Literal, NamedNode, NamedNodeRef, NamedOrBlankNode, Quad, Term};

/// Collects triples; small helpers keep importers declarative.
#[derive(Default)]
pub struct Builder {
    pub triples: Vec<(NamedOrBlankNode, NamedNode, Term)>,
}

impl Builder {
    pub fn add(&mut self, s: impl Into<NamedOrBlankNode>, p: NamedNodeRef<'_>, o: impl Into<Term>) {
        self.triples.push((s.into(), p.into_owned(), o.into()));
    }

    /// Adds a plain string literal; skips empty text (absent is better than "").
    pub fn text(&mut self, s: &NamedNode, p: NamedNodeRef<'_>, text: &str) {
        let t = text.trim();
        if !t.is_empty() {
            self.add(s.clone(), p, Literal::new_simple_literal(t));
        }
    }

    pub fn int(&mut self, s: &NamedNode, p: NamedNodeRef<'_>, v: i64) {
        self.add(s.clone(), p, Literal::from(v));
    }

    pub fn boolean(&mut self, s: &NamedNode, p: NamedNodeRef<'_>, v: bool) {
        self.add(s.clone(), p, Literal::from(v));
    }

    pub fn typed(&mut self, s: &NamedNode, p: NamedNodeRef<'_>, v: &str, dt: NamedNodeRef<'_>) {
        self.add(s.clone(), p, Literal::new_typed_literal(v, dt));
    }

    pub fn iri(&mut self, s: &NamedNode, p: NamedNodeRef<'_>, o: NamedNodeRef<'_>) {
        self.add(s.clone(), p, o.into_owned());
    }

    /// Declares an element: its classes, document, notation (and lookup key), local id.
    pub fn element(
        &mut self,
        iri: &NamedNode,
        class: NamedNodeRef<'_>,
        doc: &NamedNode,
        notation: &str,
        local_id: &str,
    ) {
        self.iri(iri, rdf::TYPE, cw::ELEMENT);
        self.iri(iri, rdf::TYPE, class);
        self.add(iri.clone(), cw::DEFINED_BY, doc.clone());
        self.add(iri.clone(), skos::IN_SCHEME, doc.clone());
        self.text(iri, skos::NOTATION, notation);
        self.text(iri, cw::LOOKUP_KEY, &ids::canonical_notation(notation));
        self.text(iri, cw::LOCAL_ID, local_id);
    }

    /// Title as both `dcterms:title` and `skos:prefLabel` (SKOS tools read the latter).
    pub fn title(&mut self, iri: &NamedNode, title: &str) {
        self.text(iri, dcterms::TITLE, title);
        self.text(iri, skos::PREF_LABEL, title);
    }

    pub fn len(&self) -> usize {
        self.triples.len()
    }

    pub fn is_empty(&self) -> bool {
        self.triples.is_empty()
    }

    /// The triples as quads of `graph`, each once: the store would skip a repeated quad too,
    /// but only after encoding and looking it up on the writer, the load's critical path (the
    /// Reference Tool repeats ~9k, e.g. an external element for every row that names it).
    pub fn into_quads(self, graph: &NamedNode) -> Vec<Quad> {
        let g = GraphName::NamedNode(graph.clone());
        let keep: Vec<bool> = {
            let mut seen = rustc_hash::FxHashSet::default();
            seen.reserve(self.triples.len());
            self.triples.iter().map(|t| seen.insert(t)).collect()
        };
        // Sized once: a vector grown by doubling touched its pages twice (a 100k-mapping user
        // set's inferences: ~4 % of the load's CPU time in the kernel zeroing them).
        let mut quads = Vec::with_capacity(keep.iter().filter(|k| **k).count());
        quads.extend(
            self.triples
                .into_iter()
                .zip(keep)
                .filter(|(_, k)| *k)
                .map(|((s, p, o), _)| Quad::new(s, p, o, g.clone())),
        );
        quads
    }
}
