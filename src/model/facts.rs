//! The slice of the graph that resolution and inference read: documents (scheme, version),
//! elements (class, keys, notation, parent, status) and asserted mappings. It is gathered from
//! the store's quads and from importer output alike, so a load resolves each source against
//! the ones imported before it and infers over the whole result without writing anything
//! first or reading back what it has just written.
//!
//! Invariant: `graph/inferred` is never read here — inference starts from asserted facts only.
use crate::model::vocab::{cw, rdf, rdfs, skos};
use oxigraph::model::{NamedNode, NamedNodeRef, NamedOrBlankNode, Term};
use std::collections::HashMap;

/// What is known of a document.
#[derive(Debug, Default, Clone)]
pub struct Doc {
    pub schemes: Vec<String>,
    pub versions: Vec<String>,
    pub label: Option<String>,
}

/// What is known of an element (or of anything with these properties).
#[derive(Debug, Default, Clone)]
pub struct Element {
    pub classes: Vec<NamedNode>,
    pub defined_by: Vec<NamedNode>,
    pub keys: Vec<String>,
    pub notation: Option<String>,
    pub parent: Option<NamedNode>,
    pub status: Vec<NamedNode>,
    pub sort_key: Option<String>,
    /// The baselines (and overlays) that select this element.
    pub baselines: Vec<NamedNode>,
}

impl Element {
    pub fn is_withdrawn(&self) -> bool {
        self.status.iter().any(|s| s.as_ref() == cw::WITHDRAWN)
    }
}

/// One mapping's asserted properties (complete when every field but the printed notations is set).
#[derive(Debug, Default, Clone)]
pub struct MappingFacts {
    pub is_mapping: bool,
    pub subject: Option<NamedNode>,
    pub object: Option<NamedNode>,
    pub relationship: Option<NamedNode>,
    pub style: Option<NamedNode>,
    pub status: Option<NamedNode>,
    pub set: Option<NamedNode>,
    /// The ids as the set printed them (for sides that did not resolve to an element).
    pub printed_subject: Option<String>,
    pub printed_object: Option<String>,
    /// `cw:flag`s (dangling or withdrawn target, …).
    pub flags: Vec<NamedNode>,
}

/// A mapping with all of its required properties.
pub struct Asserted<'a> {
    pub iri: &'a NamedNode,
    pub subject: &'a NamedNode,
    pub object: &'a NamedNode,
    pub relationship: &'a NamedNode,
    pub style: &'a NamedNode,
    pub status: &'a NamedNode,
    pub set: &'a NamedNode,
    pub printed_subject: Option<&'a String>,
    pub printed_object: Option<&'a String>,
    pub flags: &'a [NamedNode],
}

#[derive(Debug, Default, Clone)]
pub struct Facts {
    pub docs: HashMap<NamedNode, Doc>,
    pub elements: HashMap<NamedNode, Element>,
    mapping_index: HashMap<NamedNode, usize>,
    mappings: Vec<(NamedNode, MappingFacts)>,
}

/// The predicates read; everything else is skipped.
pub(crate) const READ: &[NamedNodeRef<'static>] = &[
    rdf::TYPE,
    cw::SCHEME,
    cw::VERSION,
    cw::DEFINED_BY,
    cw::LOOKUP_KEY,
    skos::NOTATION,
    cw::PARENT,
    cw::STATUS,
    cw::SUBJECT,
    cw::OBJECT,
    cw::RELATIONSHIP,
    cw::STYLE,
    cw::MAPPING_STATUS,
    cw::MAPPING_SET_PROP,
    cw::SUBJECT_NOTATION,
    cw::OBJECT_NOTATION,
    cw::FLAG,
    cw::SORT_KEY,
    cw::IN_BASELINE,
    rdfs::LABEL,
];

fn text(o: &Term) -> Option<String> {
    match o {
        Term::Literal(l) => Some(l.value().to_owned()),
        _ => None,
    }
}

fn iri(o: &Term) -> Option<NamedNode> {
    match o {
        Term::NamedNode(n) => Some(n.clone()),
        _ => None,
    }
}

impl Facts {
    /// Adds the triples of quads (whatever their graph).
    pub fn add_quads(&mut self, quads: &[oxigraph::model::Quad]) {
        for q in quads {
            self.add(&q.subject, &q.predicate, &q.object);
        }
    }

    /// Adds one triple (ignored unless its predicate is one of those read).
    pub fn add(&mut self, s: &NamedOrBlankNode, p: &NamedNode, o: &Term) {
        let NamedOrBlankNode::NamedNode(s) = s else {
            return;
        };
        let p = p.as_ref();
        if p == rdfs::LABEL {
            // Only documents' labels are wanted (baseline names); documents live under doc/.
            if s.as_str().starts_with("https://w3id.org/crosswalk/doc/") {
                let d = self.docs.entry(s.clone()).or_default();
                if d.label.is_none() {
                    d.label = text(o);
                }
            }
        } else if p == cw::SCHEME || p == cw::VERSION {
            let (Some(v), d) = (text(o), self.docs.entry(s.clone()).or_default()) else {
                return;
            };
            let list = if p == cw::SCHEME {
                &mut d.schemes
            } else {
                &mut d.versions
            };
            if !list.contains(&v) {
                list.push(v);
            }
        } else if p == cw::SUBJECT
            || p == cw::OBJECT
            || p == cw::RELATIONSHIP
            || p == cw::STYLE
            || p == cw::MAPPING_STATUS
            || p == cw::MAPPING_SET_PROP
            || p == cw::SUBJECT_NOTATION
            || p == cw::OBJECT_NOTATION
        {
            let m = self.mapping_mut(s);
            let slot = if p == cw::SUBJECT {
                &mut m.subject
            } else if p == cw::OBJECT {
                &mut m.object
            } else if p == cw::RELATIONSHIP {
                &mut m.relationship
            } else if p == cw::STYLE {
                &mut m.style
            } else if p == cw::MAPPING_STATUS {
                &mut m.status
            } else if p == cw::MAPPING_SET_PROP {
                &mut m.set
            } else {
                let t = if p == cw::SUBJECT_NOTATION {
                    &mut m.printed_subject
                } else {
                    &mut m.printed_object
                };
                if t.is_none() {
                    *t = text(o);
                }
                return;
            };
            if slot.is_none() {
                *slot = iri(o);
            }
        } else if p == cw::FLAG {
            if let Some(f) = iri(o) {
                let m = self.mapping_mut(s);
                if !m.flags.contains(&f) {
                    m.flags.push(f);
                }
            }
        } else if p == rdf::TYPE {
            let Some(c) = iri(o) else { return };
            if c.as_ref() == cw::MAPPING {
                self.mapping_mut(s).is_mapping = true;
            } else {
                let e = self.elements.entry(s.clone()).or_default();
                if !e.classes.contains(&c) {
                    e.classes.push(c);
                }
            }
        } else if READ.contains(&p) {
            let e = self.elements.entry(s.clone()).or_default();
            if p == cw::DEFINED_BY {
                if let Some(d) = iri(o)
                    && !e.defined_by.contains(&d)
                {
                    e.defined_by.push(d);
                }
            } else if p == cw::LOOKUP_KEY {
                if let Some(k) = text(o)
                    && !e.keys.contains(&k)
                {
                    e.keys.push(k);
                }
            } else if p == skos::NOTATION {
                if e.notation.is_none() {
                    e.notation = text(o);
                }
            } else if p == cw::PARENT {
                if e.parent.is_none() {
                    e.parent = iri(o);
                }
            } else if p == cw::SORT_KEY {
                if e.sort_key.is_none() {
                    e.sort_key = text(o);
                }
            } else if p == cw::IN_BASELINE {
                if let Some(b) = iri(o)
                    && !e.baselines.contains(&b)
                {
                    e.baselines.push(b);
                }
            } else if let Some(st) = iri(o)
                && !e.status.contains(&st)
            {
                e.status.push(st);
            }
        }
    }

    fn mapping_mut(&mut self, m: &NamedNode) -> &mut MappingFacts {
        let i = *self.mapping_index.entry(m.clone()).or_insert_with(|| {
            self.mappings.push((m.clone(), MappingFacts::default()));
            self.mappings.len() - 1
        });
        &mut self.mappings[i].1
    }

    /// Asserted mappings with all required properties, in the order first seen.
    pub fn asserted(&self) -> impl Iterator<Item = Asserted<'_>> {
        self.mappings.iter().filter_map(|(iri, m)| {
            if !m.is_mapping {
                return None;
            }
            Some(Asserted {
                iri,
                subject: m.subject.as_ref()?,
                object: m.object.as_ref()?,
                relationship: m.relationship.as_ref()?,
                style: m.style.as_ref()?,
                status: m.status.as_ref()?,
                set: m.set.as_ref()?,
                printed_subject: m.printed_subject.as_ref(),
                printed_object: m.printed_object.as_ref(),
                flags: &m.flags,
            })
        })
    }

    /// The first scheme of a document.
    pub fn doc_scheme(&self, doc: &NamedNode) -> Option<&str> {
        self.docs
            .get(doc)
            .and_then(|d| d.schemes.first())
            .map(String::as_str)
    }
}
