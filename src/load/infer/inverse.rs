//! The inverse of every asserted mapping (`mappings/relationships.toml`, column `inverse`).
use super::*;

/// The inverse `n` of asserted mapping `a`: a mapping of the inference set from `a`'s object
/// to its subject. It restates `a`, so `a` is its basis (`cw:basis`), whose style, status,
/// set and provenance it does not repeat (the caller adds the other answer facts). It keeps
/// the deprecated `cw:inferred true` (= `cw:method cw:Inference`), as roll-ups do. Its shortcut
/// triple is the caller's (`Parts::shortcut`: written once, whichever partitions give it).
pub(super) fn inverse(
    b: &mut Builder,
    n: &NamedNode,
    set: &NamedNode,
    a: &Asserted,
    rel: &RelType,
) {
    b.iri(n, rdf::TYPE, cw::MAPPING);
    b.add(n.clone(), cw::SUBJECT, a.object.clone());
    b.add(n.clone(), cw::OBJECT, a.subject.clone());
    b.add(n.clone(), cw::MAPPING_SET_PROP, set.clone());
    b.add(n.clone(), cw::RELATIONSHIP, rel.iri());
    b.iri(n, cw::METHOD, cw::INFERENCE);
    b.add(n.clone(), cw::INVERSE_OF, a.iri.clone());
    b.add(n.clone(), cw::BASIS, a.iri.clone());
    b.boolean(n, cw::INFERRED, true);
    deprecated_answer_facts(b, n, &a.set, "inverse");
}
