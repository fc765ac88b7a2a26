//! Parent/child roll-up of asserted mappings (opt-in answers: `--rollup`): up from an
//! enhancement or statement item to its control, down from a family- or category-level mapping
//! to its active members, always as `related via`.
use super::*;

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
pub(super) fn rollups(
    facts: &Facts,
    asserted: &[Asserted],
    set: &NamedNode,
    names: &Names,
    parts: &mut Parts,
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
        let b = parts.of(&a.set);
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
            b.boolean(&n, cw::INFERRED, true);
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
