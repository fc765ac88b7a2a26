//! The mapping model shared by every mapping importer: one `cw:Mapping` node per row with its
//! type and provenance, plus the shortcut triple (`subject cw:relatedTo object`). Relationship
//! names and their SKOS/SSSOM/OSCAL counterparts come from `mappings/relationships.toml`.
use super::context::{InputFile, Output};
use crate::model::error::{Error, Result};
use crate::model::ids;
use crate::model::resolve::Resolver;
use crate::model::term::Builder;
use crate::model::vocab::{cw, rdf, rdfs, skos};
use crate::source::manifest::DocStatus;
use oxigraph::model::{Literal, NamedNode, NamedNodeRef};
use std::collections::BTreeMap;
use std::path::Path;

pub use crate::model::relationship::{
    RelType, rationale_iri, rel_by_term, rel_type, style_iri, supportive_property_iri, types,
};

/// One mapping as an importer read it.
#[derive(Debug, Clone)]
pub struct Mapping {
    /// Key unique within the set (e.g. `r12` for spreadsheet row 12).
    pub key: String,
    pub subject: NamedNode,
    pub subject_notation: String,
    pub object: NamedNode,
    pub object_notation: String,
    pub rel: &'static RelType,
    /// Overrides the type's style (e.g. "no relationship" in a supportive set).
    pub style: Option<NamedNodeRef<'static>>,
    pub rationale: Option<NamedNodeRef<'static>>,
    pub supportive_property: Option<NamedNodeRef<'static>>,
    pub method: NamedNodeRef<'static>,
    pub status: NamedNodeRef<'static>,
    pub strength: Option<i64>,
    pub confidence: Option<f64>,
    /// The SSSOM (semapv) justification, when the source names one other than manual curation.
    pub justification: Option<NamedNode>,
    /// The program (and version) that made it, the features it matched in and the shared words.
    pub tool: Option<String>,
    pub match_fields: Vec<String>,
    pub match_string: Option<String>,
    pub comment: Option<String>,
    /// Human-readable place in the source (`sheet 'Relationships' row 12`).
    pub location: String,
    pub row: Option<i64>,
    pub granularity: Option<NamedNodeRef<'static>>,
    pub flags: Vec<NamedNodeRef<'static>>,
}

impl Mapping {
    /// A concept-crosswalk mapping with defaults; importers set what their source states.
    pub fn related(
        key: String,
        subject: Side,
        object: Side,
        status: NamedNodeRef<'static>,
        location: String,
    ) -> Result<Self> {
        let rel = rel_by_term("Related")
            .ok_or_else(|| Error::Manifest("relationships.toml lacks Related".into()))?;
        let mut flags = subject.flags;
        flags.extend(object.flags);
        Ok(Mapping {
            key,
            subject: subject.iri,
            subject_notation: subject.notation,
            object: object.iri,
            object_notation: object.notation,
            rel,
            style: None,
            rationale: None,
            supportive_property: None,
            method: cw::HUMAN_CURATION,
            status,
            strength: None,
            confidence: None,
            justification: None,
            tool: None,
            match_fields: Vec::new(),
            match_string: None,
            comment: None,
            location,
            row: None,
            granularity: subject.granularity.or(object.granularity),
            flags,
        })
    }
}

/// Emits the mapping node and its shortcut triple; returns the node.
pub fn emit(b: &mut Builder, set_id: &str, set: &NamedNode, m: &Mapping) -> NamedNode {
    let n = ids::mapping_iri(set_id, &m.key);
    b.iri(&n, rdf::TYPE, cw::MAPPING);
    b.add(n.clone(), cw::SUBJECT, m.subject.clone());
    b.add(n.clone(), cw::OBJECT, m.object.clone());
    b.add(n.clone(), cw::MAPPING_SET_PROP, set.clone());
    b.add(n.clone(), cw::RELATIONSHIP, m.rel.iri());
    b.iri(&n, cw::STYLE, m.style.unwrap_or_else(|| m.rel.style_iri()));
    if let Some(r) = m.rationale {
        b.iri(&n, cw::RATIONALE, r);
    }
    if let Some(p) = m.supportive_property {
        b.iri(&n, cw::SUPPORTIVE_PROPERTY, p);
    }
    b.iri(&n, cw::METHOD, m.method);
    b.iri(&n, cw::MAPPING_STATUS, m.status);
    if let Some(s) = m.strength {
        b.int(&n, cw::STRENGTH, s);
    }
    if let Some(c) = m.confidence {
        b.add(n.clone(), cw::CONFIDENCE, Literal::from(c));
    }
    if let Some(j) = &m.justification {
        b.add(n.clone(), cw::MAPPING_JUSTIFICATION, j.clone());
    }
    if let Some(t) = &m.tool {
        b.text(&n, cw::MAPPING_TOOL, t);
    }
    for f in &m.match_fields {
        b.text(&n, cw::MATCH_FIELD, f);
    }
    if let Some(s) = &m.match_string {
        b.text(&n, cw::MATCH_STRING, s);
    }
    if let Some(c) = &m.comment {
        b.text(&n, rdfs::COMMENT, c);
    }
    b.text(&n, cw::SOURCE_LOCATION, &m.location);
    if let Some(r) = m.row {
        b.int(&n, cw::SOURCE_ROW, r);
    }
    b.text(&n, cw::SUBJECT_NOTATION, &m.subject_notation);
    b.text(&n, cw::OBJECT_NOTATION, &m.object_notation);
    if let Some(g) = m.granularity {
        b.iri(&n, cw::GRANULARITY, g);
    }
    for f in &m.flags {
        b.iri(&n, cw::FLAG, *f);
    }
    if let Some(p) = m.rel.shortcut_iri() {
        b.add(m.subject.clone(), p.as_ref(), m.object.clone());
    }
    // A dangling side is defined by no loaded document; its key still lets `show` find the
    // mappings that name it.
    if m.flags.contains(&cw::DANGLING_TARGET) {
        b.text(
            &m.object,
            cw::LOOKUP_KEY,
            &ids::canonical_notation(&m.object_notation),
        );
    }
    if m.flags.contains(&cw::DANGLING_SUBJECT) {
        b.text(
            &m.subject,
            cw::LOOKUP_KEY,
            &ids::canonical_notation(&m.subject_notation),
        );
    }
    n
}

/// What publishers print in a reference cell that names nothing, compared ignoring case.
const PLACEHOLDERS: &[&str] = &["none", "n/a", "-", "\u{2014}", "\u{2013}"];

/// True when a printed id stands for "no reference": `None`, `N/A`, `-`, a dash, or nothing,
/// alone or after a qualifier the dataset prints before its ids (the Reference Tool's
/// ISO/IEC 27001 lines read `Mandatory Clause: None`). Such a row names no element, so it
/// becomes no mapping and no id.
pub fn is_placeholder(printed: &str) -> bool {
    let last = printed.rsplit(':').next().unwrap_or(printed).trim();
    last.is_empty() || PLACEHOLDERS.iter().any(|p| last.eq_ignore_ascii_case(p))
}

/// The placeholder references one mapping set skipped, by the text printed: a load warning
/// says how many, since each is a row of the source that is not in the graph.
#[derive(Debug, Default)]
pub struct Placeholders(BTreeMap<String, usize>);

impl Placeholders {
    /// True (and counted) when any of a row's printed ids is a placeholder: the caller then
    /// skips the row.
    pub fn skip(&mut self, printed: &[&str]) -> bool {
        let Some(p) = printed.iter().find(|p| is_placeholder(p)) else {
            return false;
        };
        *self.0.entry(p.trim().to_owned()).or_default() += 1;
        true
    }

    pub fn count(&self) -> usize {
        self.0.values().sum()
    }

    /// `file: [set: ]N placeholder reference(s) skipped (`None` ×2, …)`, if any were.
    pub fn warning(&self, file: &Path, set: Option<&str>) -> Option<String> {
        if self.0.is_empty() {
            return None;
        }
        let texts: Vec<String> = self
            .0
            .iter()
            .map(|(t, n)| {
                let t = if t.is_empty() { "(empty)" } else { t.as_str() };
                format!("`{t}` \u{d7}{n}")
            })
            .collect();
        Some(format!(
            "{}: {}{} placeholder reference(s) skipped ({}): they name no element",
            file.display(),
            set.map(|s| format!("{s}: ")).unwrap_or_default(),
            self.count(),
            texts.join(", ")
        ))
    }
}

/// One side of a mapping after resolution.
#[derive(Debug, Clone)]
pub struct Side {
    pub iri: NamedNode,
    pub notation: String,
    pub flags: Vec<NamedNodeRef<'static>>,
    pub granularity: Option<NamedNodeRef<'static>>,
}

/// Resolves a printed id against the loaded release of `scheme` (preferring `version`).
/// Not found: the IRI is minted in `fallback_doc_id`'s namespace (the release the set names,
/// so it becomes a real link once that release is loaded) and flagged `dangling`. A withdrawn
/// element is flagged too; a family-level id gets `cw:FamilyLevel`. Never drops anything.
pub fn resolve_side(
    resolver: &Resolver,
    scheme: &str,
    version: Option<&str>,
    fallback_doc_id: &str,
    printed: &str,
    is_object: bool,
) -> Side {
    let notation = printed.trim().to_owned();
    let mut side = Side {
        iri: ids::element_iri(fallback_doc_id, &local_for(scheme, &notation)),
        notation: notation.clone(),
        flags: Vec::new(),
        granularity: None,
    };
    let found = resolver
        .resolve(scheme, version, &notation)
        .and_then(|r| r.entry);
    match found {
        Some(e) => {
            side.iri = e.iri.clone();
            if e.withdrawn && is_object {
                side.flags.push(cw::WITHDRAWN_TARGET);
            }
            if e.class.as_ref() == cw::CONTROL_FAMILY {
                side.granularity = Some(cw::FAMILY_LEVEL);
            } else if !is_object
                && (e.class.as_ref() == cw::CATEGORY || e.class.as_ref() == cw::FUNCTION)
            {
                side.granularity = Some(cw::CATEGORY_LEVEL);
            }
        }
        None => {
            side.flags.push(if is_object {
                cw::DANGLING_TARGET
            } else {
                cw::DANGLING_SUBJECT
            });
            if scheme == "sp800-53" && ids::is_sp800_53_family(&notation) {
                side.granularity = Some(cw::FAMILY_LEVEL);
            }
        }
    }
    side
}

/// The publisher's local id for a notation: OSCAL ids for SP 800-53 (`ac-2.1`), else as printed.
pub fn local_for(scheme: &str, notation: &str) -> String {
    if scheme == "sp800-53" {
        if let Some(id) = ids::sp800_53_oscal_id(notation) {
            return id;
        }
        if ids::is_sp800_53_family(notation) {
            return notation.trim().to_lowercase();
        }
    }
    notation.trim().to_owned()
}

/// An element of a document that is referenced but not loaded (ISO/IEC 27001, MITRE ATLAS, …):
/// declares the scheme's `cw:ExternalScheme` document and the element; returns the element.
pub fn external_element(
    b: &mut Builder,
    scheme_doc_id: &str,
    scheme: &str,
    scheme_title: &str,
    version: &str,
    notation: &str,
    text: Option<&str>,
) -> NamedNode {
    let doc = ids::doc_iri(scheme_doc_id);
    b.iri(&doc, rdf::TYPE, cw::DOCUMENT);
    b.iri(&doc, rdf::TYPE, cw::EXTERNAL_SCHEME);
    b.text(&doc, rdfs::LABEL, scheme_title);
    b.text(&doc, crate::model::vocab::dcterms::TITLE, scheme_title);
    b.text(&doc, cw::SCHEME, scheme);
    b.text(&doc, cw::VERSION, version);
    let e = ids::element_iri(scheme_doc_id, notation.trim());
    b.element(
        &e,
        cw::EXTERNAL_ELEMENT,
        &doc,
        notation.trim(),
        notation.trim(),
    );
    if let Some(t) = text {
        b.text(&e, skos::DEFINITION, t);
    }
    e
}

// Mapping-set documents and statuses, shared by the OLIR, SSSOM, OSCAL-mapping and CSF
// importers.

/// The document id ids of a scheme are minted in when they do not resolve: the release the set
/// names (`sp800-53r5/5.2.0`), or the manifest's override.
pub(crate) fn doc_id_for(scheme: &str, version: Option<&str>) -> String {
    match (scheme, version) {
        ("csf", None) => "csf/2.0".to_owned(),
        ("sp800-53", v) => format!("sp800-53r5/{}", v.unwrap_or("5.2.0")),
        (s, Some(v)) => format!("{s}/{v}"),
        (s, None) => s.to_owned(),
    }
}

pub(crate) fn mapping_status(s: DocStatus) -> NamedNodeRef<'static> {
    match s {
        DocStatus::Final | DocStatus::Withdrawn => cw::FINAL_MAPPING,
        DocStatus::Suggested => cw::SUGGESTED_MAPPING,
        _ => cw::DRAFT_MAPPING,
    }
}

/// Mapping IRIs live under `mapping/`; the set's doc id already starts with it.
pub(crate) fn set_id(doc_id: &str) -> &str {
    doc_id.strip_prefix("mapping/").unwrap_or(doc_id)
}

/// The release a scheme's ids are resolved against, when one is loaded.
pub(crate) fn resolved_doc(r: &Resolver, scheme: &str, version: Option<&str>) -> Option<NamedNode> {
    r.resolve(scheme, version, "").map(|res| res.doc.clone())
}

/// A user set's focal and reference documents, when a release of each scheme is loaded (for
/// coverage checks and provenance).
pub(crate) fn set_documents(
    out: &mut Output,
    doc: &NamedNode,
    r: &Resolver,
    focal: &str,
    reference: &str,
    reference_version: Option<&str>,
) {
    if let Some(d) = resolved_doc(r, focal, None) {
        out.triples.add(doc.clone(), cw::FOCAL_DOCUMENT, d);
    }
    if let Some(d) = resolved_doc(r, reference, reference_version) {
        out.triples.add(doc.clone(), cw::REFERENCE_DOCUMENT, d);
    }
}

/// One warning per flag of a side, naming the place.
pub(crate) fn flag_warnings(
    out: &mut Output,
    f: &InputFile,
    location: &str,
    pair: &str,
    side: &Side,
    release: &str,
) {
    for flag in &side.flags {
        let what = if *flag == cw::DANGLING_TARGET || *flag == cw::DANGLING_SUBJECT {
            "not defined by"
        } else if *flag == cw::WITHDRAWN_TARGET {
            "withdrawn in"
        } else {
            continue;
        };
        out.warnings.push(format!(
            "{}: {location}: {pair}: `{}` is {what} the loaded {release} (kept, flagged)",
            f.path.display(),
            side.notation
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_skipped_and_counted() {
        for p in [
            "None",
            "n/a",
            "N/A",
            " - ",
            "\u{2014}",
            "",
            "Mandatory Clause: None",
        ] {
            assert!(is_placeholder(p), "{p:?}");
        }
        for id in [
            "AC-2",
            "Annex A Controls: 5.1",
            "NONE-1",
            "sp800-53:RA-9",
            "N/A-1",
        ] {
            assert!(!is_placeholder(id), "{id:?}");
        }
        let mut p = Placeholders::default();
        assert!(!p.skip(&["GV.OC-01", "AC-2"]));
        assert!(p.skip(&["GV.OC-01", "None"]));
        assert!(p.skip(&["GV.OC-02", "Mandatory Clause: None"]));
        assert!(p.skip(&["GV.OC-03", "None "]));
        assert_eq!(p.count(), 3);
        assert_eq!(
            p.warning(Path::new("x.xlsx"), Some("ISO")).as_deref(),
            Some(
                "x.xlsx: ISO: 3 placeholder reference(s) skipped (`Mandatory Clause: None` \u{d7}1, `None` \u{d7}2): they name no element"
            )
        );
        assert_eq!(Placeholders::default().warning(Path::new("x"), None), None);
    }

    #[test]
    fn table_loads_and_names_resolve() {
        assert_eq!(types().len(), 12);
        assert_eq!(
            rel_type("Subset Of").map(|t| t.term.as_str()),
            Some("SubsetOf")
        );
        assert_eq!(
            rel_type("skos:exactMatch").map(|t| t.term.as_str()),
            Some("Equal")
        );
        assert_eq!(
            rel_type("is_supported_by").map(|t| t.term.as_str()),
            Some("IsSupportedBy")
        );
        for t in types() {
            assert!(
                rel_by_term(&t.inverse).is_some(),
                "inverse of {} missing",
                t.term
            );
        }
    }
}
