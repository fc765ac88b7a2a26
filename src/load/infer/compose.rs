//! Two-hop compositions of asserted mappings, only through the rules of
//! `mappings/composition.toml`: the shortcut triple plus a `cw:Composition` record of its two
//! hops and the composed relationship (everything else follows from the hops).
use super::*;

pub(super) fn compose(
    asserted: &[Asserted],
    skip: &HashSet<NamedNode>,
    table: &HashMap<(&str, &str), &str>,
    b: &mut Builder,
    summary: &mut Summary,
    emit: &mut dyn FnMut(Vec<Quad>) -> Result<()>,
) -> Result<()> {
    let mut by_subject: HashMap<&NamedNode, Vec<&Asserted>> = HashMap::new();
    for a in asserted {
        by_subject.entry(&a.subject).or_default().push(a);
    }
    let mut starts = HashSet::new();
    let mut linked = HashSet::new();
    let mut seen = HashSet::new();
    for first in asserted.iter().filter(|a| !skip.contains(&a.iri)) {
        let Some(nexts) = by_subject.get(&first.object) else {
            continue;
        };
        for second in nexts {
            if second.object == first.subject || skip.contains(&second.iri) {
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
            flush(b, CHUNK, &mut summary.triples, emit)?;
        }
    }
    Ok(())
}
