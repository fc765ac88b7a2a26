//! Two-hop compositions of asserted mappings, only through the rules of
//! `mappings/composition.toml`: the shortcut triple plus a `cw:Composition` record of its two
//! hops and the composed relationship (everything else follows from the hops).
use super::*;

pub(super) fn compose(
    asserted: &[Asserted],
    skip: &HashSet<NamedNode>,
    table: &HashMap<(&str, &str), &str>,
    parts: &mut Parts,
    summary: &mut Summary,
    emit: &mut dyn FnMut(&NamedNode, Vec<Quad>) -> Result<()>,
) -> Result<()> {
    let mut by_subject: HashMap<&NamedNode, Vec<&Asserted>> = HashMap::new();
    for a in asserted {
        by_subject.entry(&a.subject).or_default().push(a);
    }
    // The pointer from a first hop's subject, written once, in the lowest partition of the
    // compositions that give it (`Parts`), as the shortcut triples are.
    let mut starts: HashMap<&NamedNode, (&NamedNode, NamedNode)> = HashMap::new();
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
            let part = higher(parts.partition(&first.set), parts.partition(&second.set));
            // The record only: everything else follows from the hops (module docs). The
            // subject points at its first hops, so a lookup from an element that starts no
            // composition (nearly all) is one short walk.
            let start = starts
                .entry(&first.iri)
                .or_insert_with(|| (&first.subject, part.clone()));
            if rank(&part) < rank(&start.1) {
                start.1 = part.clone();
            }
            // One shortcut per pair, however many paths join it (11,184 paths, 6,559 pairs).
            if let Some(p) = rt.shortcut_iri() {
                parts.shortcut(&first.subject, p, &second.object, part.clone());
            }
            let b = parts.get(&part);
            b.iri(&n, rdf::TYPE, cw::COMPOSITION);
            b.add(n.clone(), cw::FIRST_HOP, first.iri.clone());
            b.add(n.clone(), cw::SECOND_HOP, second.iri.clone());
            b.add(n.clone(), cw::RELATIONSHIP, rt.iri());
            summary.composed += 1;
            parts.flush(CHUNK, &mut summary.triples, emit)?;
        }
    }
    let mut starts: Vec<_> = starts.into_iter().collect();
    starts.sort_by(|a, b| a.0.as_str().cmp(b.0.as_str()));
    for (hop, (subject, part)) in starts {
        parts
            .get(&part)
            .add(subject.clone(), cw::COMPOSES_THROUGH, hop.clone());
    }
    Ok(())
}
