//! Identifiers: the IRI scheme (see ARCHITECTURE.md, "IRIs") and the canonical spelling of
//! element notations, so that NIST's variant spellings (`AC-02(01)`, `ac-2.1`, `AC-2 (1)`)
//! resolve to one element.
use crate::model::vocab::BASE;
use oxigraph::model::NamedNode;
use std::sync::LazyLock;

/// `https://w3id.org/crosswalk/doc/{doc_id}`: a document release, e.g. `sp800-53r5/5.0.1`.
pub fn doc_iri(doc_id: &str) -> NamedNode {
    NamedNode::new_unchecked(format!("{BASE}doc/{}", encode_path(doc_id)))
}

/// `https://w3id.org/crosswalk/id/{doc_id}/{local}`: an element of a document release.
/// `local` is the publisher's own id (OSCAL `ac-2.1`, CSF `GV.OC-01`), percent-encoded.
pub fn element_iri(doc_id: &str, local: &str) -> NamedNode {
    NamedNode::new_unchecked(format!(
        "{BASE}id/{}/{}",
        encode_path(doc_id),
        encode_segment(local)
    ))
}

/// `https://w3id.org/crosswalk/graph/{source_id}`: the named graph one source is loaded into.
pub fn graph_iri(source_id: &str) -> NamedNode {
    NamedNode::new_unchecked(format!("{BASE}graph/{}", encode_segment(source_id)))
}

/// The graph holding the ontology.
pub fn ontology_graph() -> NamedNode {
    graph_iri("ontology")
}

/// The graph holding materialised inferences.
pub fn inferred_graph() -> NamedNode {
    graph_iri("inferred")
}

/// The partition of the inferred graph holding what mapping set `set` derives: for a user's
/// set (`…/doc/mapping/user/{name}`) `https://w3id.org/crosswalk/graph/inferred/mapping/user/{name}`,
/// for every other set `graph/inferred` itself.
pub fn inferred_partition(set: &NamedNode) -> NamedNode {
    match set
        .as_str()
        .strip_prefix(&format!("{BASE}doc/mapping/user/"))
    {
        Some(name) => NamedNode::new_unchecked(format!("{BASE}graph/inferred/mapping/user/{name}")),
        None => inferred_graph(),
    }
}

/// Whether `graph` is `graph/inferred` or one of its partitions ([`inferred_partition`]):
/// derived, never read as input, never written by a client.
pub fn is_inferred_graph(graph: &str) -> bool {
    graph
        .strip_prefix(BASE)
        .and_then(|g| g.strip_prefix("graph/inferred"))
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// `https://w3id.org/crosswalk/mapping/{set_id}/{key}`: one mapping of a mapping set.
pub fn mapping_iri(set_id: &str, key: &str) -> NamedNode {
    NamedNode::new_unchecked(format!(
        "{BASE}mapping/{}/{}",
        encode_path(set_id),
        encode_segment(key)
    ))
}

/// A coverage slice: the covering mappings from unit elements of scheme `from` to elements of
/// scheme `to` in the mapping set with scheme `set` (`rollup` for roll-ups, kept apart).
pub fn slice_iri(from: &str, to: &str, set: &str, rollup: bool) -> NamedNode {
    NamedNode::new_unchecked(format!(
        "{BASE}slice/{}/{}/{}{}",
        encode_segment(from),
        encode_segment(to),
        encode_segment(set),
        if rollup { "/rollup" } else { "" }
    ))
}

/// A coverage row: the slice's IRI + `/row/{focal element IRI after …/id/}`, e.g.
/// `https://w3id.org/crosswalk/slice/csf/sp800-53/olir-186/row/csf/2.0/GV.SC-07`.
pub fn slice_row_iri(slice: &NamedNode, focal: &NamedNode) -> NamedNode {
    let tail = focal
        .as_str()
        .strip_prefix(&format!("{BASE}id/"))
        .map(str::to_owned)
        .unwrap_or_else(|| encode_segment(focal.as_str()));
    NamedNode::new_unchecked(format!("{}/row/{tail}", slice.as_str()))
}

fn encode_path(s: &str) -> String {
    s.split('/')
        .map(encode_segment)
        .collect::<Vec<_>>()
        .join("/")
}

/// Percent-encodes everything outside RFC 3986 unreserved characters (plus `(` `)` kept out
/// too, since they are sub-delims that some SPARQL tools mangle).
pub fn encode_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

static SP800_53: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(r"^([A-Za-z]{2})-0*(\d+)(?:\s*(?:\(\s*0*(\d+)\s*\)|\.0*(\d+)))?$")
        .expect("static regex")
});
static CSF: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(r"^([A-Za-z]{2})\.([A-Za-z]{2})-0*(\d+)$").expect("static regex")
});
static AI_RMF: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(r"^(GOVERN|MAP|MEASURE|MANAGE)[\s_-]*(\d+)(?:\.(\d+))?$")
        .expect("static regex")
});

/// The canonical spelling of a notation, used as `cw:lookupKey` and to look ids up:
/// SP 800-53 `AC-2(1)` (no zero padding, parenthesised enhancement), CSF `GV.OC-01`
/// (two-digit subcategory), AI RMF `GOVERN 1.1`; anything else upper-cased with single spaces.
pub fn canonical_notation(input: &str) -> String {
    let collapsed = input.split_whitespace().collect::<Vec<_>>().join(" ");
    if let Some(c) = SP800_53.captures(&collapsed) {
        let family = c[1].to_ascii_uppercase();
        let number = &c[2];
        return match c.get(3).or_else(|| c.get(4)) {
            Some(enh) => format!("{family}-{number}({})", enh.as_str()),
            None => format!("{family}-{number}"),
        };
    }
    if let Some(c) = CSF.captures(&collapsed) {
        let n: u32 = c[3].parse().unwrap_or(0);
        return format!(
            "{}.{}-{n:02}",
            c[1].to_ascii_uppercase(),
            c[2].to_ascii_uppercase()
        );
    }
    let upper = collapsed.to_uppercase();
    if let Some(c) = AI_RMF.captures(&upper) {
        return match c.get(3) {
            Some(sub) => format!("{} {}.{}", &c[1], &c[2], sub.as_str()),
            None => format!("{} {}", &c[1], &c[2]),
        };
    }
    upper
}

/// The OSCAL id of an SP 800-53 notation (`AC-2(1)` → `ac-2.1`), if it is one.
pub fn sp800_53_oscal_id(notation: &str) -> Option<String> {
    let c = SP800_53.captures(notation.trim())?;
    let family = c[1].to_ascii_lowercase();
    Some(match c.get(3).or_else(|| c.get(4)) {
        Some(enh) => format!("{family}-{}.{}", &c[2], enh.as_str()),
        None => format!("{family}-{}", &c[2]),
    })
}

/// True when the text is a bare two-letter SP 800-53 family id (`PT`, `cp`).
pub fn is_sp800_53_family(s: &str) -> bool {
    let t = s.trim();
    t.len() == 2 && t.chars().all(|c| c.is_ascii_alphabetic())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sp800_53_spellings_agree() {
        for s in [
            "AC-2(1)",
            "AC-02(01)",
            "ac-2.1",
            "AC-2 (1)",
            " ac-02 ( 1 ) ",
            "AC-2.01",
        ] {
            assert_eq!(canonical_notation(s), "AC-2(1)", "{s}");
        }
        assert_eq!(canonical_notation("PM-09\n"), "PM-9");
        assert_eq!(canonical_notation("SA-15(13)"), "SA-15(13)");
        assert_eq!(sp800_53_oscal_id("SI-02(07)").as_deref(), Some("si-2.7"));
        assert_eq!(sp800_53_oscal_id("GV.OC-01"), None);
    }

    #[test]
    fn csf_and_ai_rmf_spellings() {
        assert_eq!(canonical_notation("gv.oc-01"), "GV.OC-01");
        assert_eq!(canonical_notation("GV.OC-1"), "GV.OC-01");
        assert_eq!(canonical_notation("ID.BE"), "ID.BE");
        assert_eq!(canonical_notation("govern 1.1"), "GOVERN 1.1");
        assert_eq!(canonical_notation("GOVERN-1"), "GOVERN 1");
        assert_eq!(canonical_notation("gv-1.1-001"), "GV-1.1-001");
    }

    #[test]
    fn iris_are_encoded() {
        assert_eq!(
            element_iri("sp800-53r5/5.0.1", "ac-2.1").as_str(),
            "https://w3id.org/crosswalk/id/sp800-53r5/5.0.1/ac-2.1"
        );
        assert_eq!(
            element_iri("ai-rmf/1.0", "GOVERN 1.1").as_str(),
            "https://w3id.org/crosswalk/id/ai-rmf/1.0/GOVERN%201.1"
        );
    }
}
