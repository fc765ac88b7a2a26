//! `crosswalk export`: the graph (or one set's / document's graph) as RDF, and a mapping set as
//! SSSOM TSV or an OLIR-column CSV — each of which `crosswalk load --mapping` reads back.
use crate::model::error::{Error, Result};
use crate::model::relationship::rel_by_term;
use crate::model::vocab::cw;
use crate::query::{Solutions, Sparql, named, term_text};
use crate::store::Db;
use oxigraph::io::RdfFormat;
use oxigraph::model::{GraphNameRef, NamedNode, Quad};
use std::collections::BTreeMap;

const GRAPH_OF: &str = "PREFIX cw: <https://w3id.org/crosswalk/ontology#>
SELECT DISTINCT ?g WHERE { GRAPH ?g { ?doc a cw:Document } FILTER(!STRSTARTS(STR(?g), \"https://w3id.org/crosswalk/graph/inferred\")) }";

/// The named graph a document (or mapping set) was loaded into.
pub fn graph_of(db: &dyn Sparql, doc: &str) -> Result<NamedNode> {
    let iri = NamedNode::new(doc).map_err(|e| Error::Invalid(format!("{doc}: {e}")))?;
    let sol = db.select(GRAPH_OF, &[("doc", iri.into())])?;
    match sol.rows.first().and_then(|r| r[0].as_ref()) {
        Some(oxigraph::model::Term::NamedNode(g)) => Ok(g.clone()),
        _ => Err(Error::NotFound(format!("no loaded graph describes {doc}"))),
    }
}

/// RDF of the whole store (`graphs` empty) or of the given graphs. Quad formats keep the graph
/// names; triple formats merge the graphs.
pub fn rdf(db: &Db, graphs: &[NamedNode], format: RdfFormat) -> Result<Vec<u8>> {
    let mut w = crate::model::vocab::rdf_serializer(format).for_writer(Vec::new());
    let io = |e: std::io::Error| Error::Invalid(format!("serializing: {e}"));
    let quads: Box<dyn Iterator<Item = _>> = if graphs.is_empty() {
        Box::new(db.inner().iter())
    } else {
        Box::new(graphs.iter().flat_map(|g| {
            db.inner().quads_for_pattern(
                None,
                None,
                None,
                Some(GraphNameRef::NamedNode(g.as_ref())),
            )
        }))
    };
    for q in quads {
        let q = q?;
        if format.supports_datasets() {
            w.serialize_quad(&q).map_err(io)?;
        } else {
            w.serialize_quad(&Quad::new(
                q.subject,
                q.predicate,
                q.object,
                oxigraph::model::GraphName::DefaultGraph,
            ))
            .map_err(io)?;
        }
    }
    w.finish().map_err(io)
}

/// [`rdf`] from a remote engine (`--endpoint`): each graph read by a `SELECT` of its triples;
/// no graph given: every graph `crosswalk push` wrote there (each records its digest).
pub fn rdf_on(on: &dyn Sparql, graphs: &[NamedNode], format: RdfFormat) -> Result<Vec<u8>> {
    let mut graphs = graphs.to_vec();
    if graphs.is_empty() {
        let sol = on.select(
            &format!(
                "SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?g <{}> ?d }} }} ORDER BY ?g",
                cw::LOAD_DIGEST.as_str()
            ),
            &[],
        )?;
        for r in &sol.rows {
            if let Some(oxigraph::model::Term::NamedNode(g)) = &r[0] {
                graphs.push(g.clone());
            }
        }
    }
    let mut w = crate::model::vocab::rdf_serializer(format).for_writer(Vec::new());
    let io = |e: std::io::Error| Error::Invalid(format!("serializing: {e}"));
    for g in &graphs {
        let sol = on.select(
            &format!(
                "SELECT ?s ?p ?o WHERE {{ GRAPH <{}> {{ ?s ?p ?o }} }}",
                g.as_str()
            ),
            &[],
        )?;
        let name = if format.supports_datasets() {
            oxigraph::model::GraphName::NamedNode(g.clone())
        } else {
            oxigraph::model::GraphName::DefaultGraph
        };
        for r in &sol.rows {
            use oxigraph::model::{NamedOrBlankNode, Term};
            let s: NamedOrBlankNode = match &r[0] {
                Some(Term::NamedNode(n)) => n.clone().into(),
                Some(Term::BlankNode(b)) => b.clone().into(),
                _ => continue,
            };
            let (Some(Term::NamedNode(p)), Some(o)) = (&r[1], &r[2]) else {
                continue;
            };
            w.serialize_quad(&Quad::new(s, p.clone(), o.clone(), name.clone()))
                .map_err(io)?;
        }
    }
    w.finish().map_err(io)
}

fn local(iri: &str) -> &str {
    iri.strip_prefix(cw::NS).unwrap_or(iri)
}

/// A CURIE prefix for an element namespace (`https://w3id.org/crosswalk/id/csf/2.0/` →
/// `csf_2_0`), and the CURIE.
fn curie(iri: &str, prefixes: &mut BTreeMap<String, String>) -> String {
    let Some((ns, l)) = iri.rsplit_once('/') else {
        return iri.to_owned();
    };
    let ns = format!("{ns}/");
    let name = ns
        .strip_prefix("https://w3id.org/crosswalk/id/")
        .unwrap_or("x")
        .trim_end_matches('/')
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect::<String>();
    let name = if name.starts_with(|c: char| c.is_ascii_digit()) {
        format!("n{name}")
    } else {
        name
    };
    prefixes.insert(name.clone(), ns);
    format!("{name}:{l}")
}

fn rows(on: &dyn Sparql, query: &str, set: &str) -> Result<Solutions> {
    named(query)?.run(on, &[("set".to_owned(), set.to_owned())])
}

/// What `suggestion-details` says of one machine-made mapping.
#[derive(Debug, Clone, Default)]
struct Details {
    justification: String,
    tool: String,
    fields: Vec<String>,
    match_string: String,
    status: String,
}

/// The machine-made mappings of a set, by mapping IRI (empty for a set people made).
fn suggestion_details(on: &dyn Sparql, set: &str) -> Result<BTreeMap<String, Details>> {
    // Inline, not in queries/: only a `crosswalk suggest` set has rows (one per feature).
    const DETAILS: &str = "PREFIX cw: <https://w3id.org/crosswalk/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?mapping ?justification ?tool ?field ?matchString ?status WHERE {
  ?mapping cw:mappingSet ?set ; cw:mappingJustification ?justification .
  OPTIONAL { ?mapping cw:mappingTool ?tool }
  OPTIONAL { ?mapping cw:matchField ?field }
  OPTIONAL { ?mapping cw:matchString ?matchString }
  OPTIONAL { ?mapping cw:mappingStatus/rdfs:label ?status }
}";
    let set = oxigraph::model::NamedNode::new(set)
        .map_err(|e| Error::Internal(format!("set IRI {set}: {e}")))?;
    let sol = on.select(DETAILS, &[("set", set.into())])?;
    let mut out: BTreeMap<String, Details> = BTreeMap::new();
    for r in 0..sol.rows.len() {
        let g = |v: &str| sol.get(r, v).map(term_text);
        let Some(m) = g("mapping") else { continue };
        let d = out.entry(m).or_default();
        d.justification = g("justification").unwrap_or_default();
        d.tool = g("tool").unwrap_or_default();
        d.match_string = g("matchString").unwrap_or_default();
        d.status = g("status").unwrap_or_default();
        if let Some(f) = g("field")
            && !d.fields.contains(&f)
        {
            d.fields.push(f);
        }
    }
    for d in out.values_mut() {
        d.fields.sort();
    }
    Ok(out)
}

/// One mapping set as SSSOM TSV. The IR 8477 type goes to `predicate_label` (SKOS predicates
/// cannot tell e.g. related from intersects-with), rationale / supportive property / strength
/// and the source location to `comment`.
pub fn sssom(on: &dyn Sparql, set: &str) -> Result<String> {
    let meta = rows(on, "set-metadata", set)?;
    if meta.rows.is_empty() {
        return Err(Error::NotFound(format!("no mapping set {set} is loaded")));
    }
    let m = |v: &str| meta.get(0, v).map(term_text);
    let ms = rows(on, "export-mappings", set)?;
    let mut prefixes: BTreeMap<String, String> = BTreeMap::new();
    let review = match m("set") {
        Some(iri) => suggestion_details(on, &iri)?,
        None => BTreeMap::new(),
    };
    let mut table = String::from(
        "subject_id\tsubject_label\tpredicate_id\tpredicate_label\tpredicate_modifier\tobject_id\tobject_label\tmapping_justification\tconfidence",
    );
    // Machine-made mappings (a `crosswalk suggest` set) make the sheet a review sheet: their
    // status, the tool, the features they matched in and the shared words, before `comment`.
    if !review.is_empty() {
        table.push_str("\tmapping_status\tmapping_tool\tobject_match_field\tmatch_string");
    }
    table.push_str("\tcomment\n");
    let clean = |s: &str| s.replace(['\t', '\n', '\r'], " ");
    for r in 0..ms.rows.len() {
        let g = |v: &str| ms.get(r, v).map(term_text);
        let rel = g("rel").map(|x| local(&x).to_owned()).unwrap_or_default();
        let t = rel_by_term(&rel)
            .ok_or_else(|| Error::Invalid(format!("unknown relationship {rel}")))?;
        let (predicate, modifier) = match rel.as_str() {
            "NoRelationship" => ("skos:relatedMatch".to_owned(), "Not"),
            _ => (t.sssom.clone(), ""),
        };
        let mut comment = Vec::new();
        if let Some(x) = g("rationale") {
            comment.push(format!("IR 8477 rationale: {}", local(&x).to_lowercase()));
        }
        if let Some(x) = g("supportive") {
            let words = split_camel(local(&x));
            comment.push(format!("IR 8477 supportive property: {words}"));
        }
        if let Some(x) = g("strength") {
            comment.push(format!("IR 8477 strength: {x}"));
        }
        if let Some(x) = g("location") {
            comment.push(format!("source: {x}"));
        }
        if let Some(x) = g("comment") {
            comment.push(clean(&x).replace(';', ","));
        }
        let details = g("mapping").and_then(|m| review.get(&m));
        let justification = match (details, g("method").as_deref().map(local)) {
            (Some(d), _) => format!(
                "semapv:{}",
                d.justification
                    .strip_prefix(crate::import::sssom::SEMAPV)
                    .unwrap_or(&d.justification)
            ),
            (None, Some("HumanCuration") | Some("Transcription")) => {
                "semapv:ManualMappingCuration".to_owned()
            }
            _ => "semapv:UnspecifiedMatching".to_owned(),
        };
        let mut row = vec![
            curie(&g("subject").unwrap_or_default(), &mut prefixes),
            clean(&g("subjectNotation").unwrap_or_default()),
            predicate,
            t.names.first().cloned().unwrap_or_default(),
            modifier.to_owned(),
            curie(&g("object").unwrap_or_default(), &mut prefixes),
            clean(&g("objectNotation").unwrap_or_default()),
            justification,
            g("confidence").unwrap_or_default(),
        ];
        if !review.is_empty() {
            let d = details.cloned().unwrap_or_default();
            row.extend([
                d.status,
                clean(&d.tool),
                d.fields.join("|"),
                clean(&d.match_string),
            ]);
        }
        row.push(comment.join("; "));
        table.push_str(&row.join("\t"));
        table.push('\n');
    }
    let mut head = String::new();
    head.push_str("# curie_map:\n");
    for (p, ns) in [
        ("cw", cw::NS),
        ("cwdoc", DOC_NS),
        ("semapv", "https://w3id.org/semapv/vocab/"),
        ("skos", "http://www.w3.org/2004/02/skos/core#"),
        ("sssom", "https://w3id.org/sssom/"),
    ] {
        head.push_str(&format!("#   {p}: {ns}\n"));
    }
    for (p, ns) in &prefixes {
        head.push_str(&format!("#   {p}: {ns}\n"));
    }
    let yaml = |s: &str| serde_json::to_string(s).unwrap_or_default();
    head.push_str(&format!("# mapping_set_id: {}\n", yaml(set)));
    if let Some(t) = m("title").or_else(|| m("label")) {
        head.push_str(&format!("# mapping_set_title: {}\n", yaml(&t)));
    }
    if let Some(v) = m("version") {
        head.push_str(&format!("# mapping_set_version: {}\n", yaml(&v)));
    }
    head.push_str(&format!(
        "# license: {}\n",
        yaml(&license_iri(
            m("license").as_deref(),
            m("publisher").as_deref()
        ))
    ));
    if let Some(p) = m("publisher") {
        head.push_str(&format!("# creator_label: [{}]\n", yaml(&p)));
    }
    if let Some(f) = m("focal") {
        head.push_str(&format!("# subject_source: {}\n", yaml(&doc_curie(&f))));
    }
    if let Some(r) = m("reference") {
        head.push_str(&format!("# object_source: {}\n", yaml(&doc_curie(&r))));
    }
    if !review.is_empty() {
        // SSSOM has no mapping-status slot: the review sheet's column is a declared extension.
        head.push_str("# extension_definitions:\n#   - slot_name: mapping_status\n#     property: cw:mappingStatus\n#     type_hint: xsd:string\n");
    }
    // Free text SSSOM has no slot for, in the order `load --mapping` reads it back: the licence
    // last, since its text may hold `;`.
    let mut notes = Vec::new();
    if let Some(s) = m("status") {
        notes.push(format!("document status: {}", local(&s)));
    }
    if let Some(n) = resolution_note(&meta, &ms, doc_curie) {
        notes.push(n);
    }
    notes.push(format!(
        "exported by crosswalk {}",
        env!("CARGO_PKG_VERSION")
    ));
    if let Some(l) = m("license") {
        notes.push(format!("{}{l}", crate::import::sssom::LICENCE_NOTE));
    }
    head.push_str(&format!("# comment: {}\n", yaml(&notes.join("; "))));
    Ok(head + &table)
}

fn split_camel(s: &str) -> String {
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if c.is_uppercase() && i > 0 {
            out.push(' ');
        }
        out.extend(c.to_lowercase());
    }
    out
}

/// Where crosswalk's document IRIs live (`cwdoc:` in an SSSOM curie_map).
const DOC_NS: &str = "https://w3id.org/crosswalk/doc/";

/// A document IRI as a CURIE of [`DOC_NS`] (`cwdoc:csf/2.0`), as SSSOM wants its sources.
fn doc_curie(iri: &str) -> String {
    iri.strip_prefix(DOC_NS)
        .map(|l| format!("cwdoc:{l}"))
        .unwrap_or_else(|| iri.to_owned())
}

/// The licence as the IRI SSSOM requires: the set's licence note when it is one, NIST's
/// licence page for NIST's works (public domain in the U.S.), else a stand-in saying the
/// author states it (the note itself goes to the comment).
fn license_iri(note: Option<&str>, publisher: Option<&str>) -> String {
    match note {
        Some(n) if n.starts_with("https://") || n.starts_with("http://") => n.to_owned(),
        _ if publisher == Some("NIST") => "https://www.nist.gov/open/license".to_owned(),
        _ => "https://w3id.org/crosswalk/license/as-stated-by-the-author".to_owned(),
    }
}

/// The document an element IRI belongs to (`…/id/sp800-53r5/5.0.1/ac-2` →
/// `…/doc/sp800-53r5/5.0.1`), by crosswalk's IRI scheme.
fn doc_of(element: &str) -> Option<String> {
    let rest = element
        .strip_prefix(crate::model::vocab::BASE)?
        .strip_prefix("id/")?;
    let (doc, _) = rest.rsplit_once('/')?;
    Some(format!("{DOC_NS}{doc}"))
}

/// What an export must say when the objects are not (all) elements of the release the set
/// names as its reference: the set was resolved against another loaded release
/// (`cw:resolvedAgainst`; e.g. OLIR #186 names SP 800-53 5.2.0, whose catalog is absent, and
/// its ids resolve to 5.0.1), or some objects are defined by no loaded document. `name`
/// prints a document IRI.
fn resolution_note(meta: &Solutions, ms: &Solutions, name: fn(&str) -> String) -> Option<String> {
    let reference = meta.get(0, "reference").map(term_text)?;
    let n = ms.rows.len();
    let mut by_doc: BTreeMap<String, usize> = BTreeMap::new();
    let mut undefined = 0;
    for r in 0..n {
        let defined = ms
            .get(r, "objectDefined")
            .is_some_and(|t| term_text(t) == "true");
        if !defined {
            undefined += 1;
        } else if let Some(d) = ms.get(r, "object").and_then(|t| doc_of(&term_text(t))) {
            *by_doc.entry(d).or_default() += 1;
        }
    }
    let elsewhere: Vec<String> = by_doc
        .iter()
        .filter(|(d, _)| **d != reference)
        .map(|(d, k)| format!("{k} of the {n} objects are elements of {}", name(d)))
        .collect();
    if elsewhere.is_empty() && undefined == 0 {
        return None;
    }
    let mut first = format!("the set names {} as its objects' source", name(&reference));
    if let Some(x) = meta.get(0, "resolved").map(term_text)
        && x != reference
    {
        first.push_str(&format!(
            "; that release is not loaded, so its ids were resolved against {}",
            name(&x)
        ));
    }
    let mut parts = vec![first];
    parts.extend(elsewhere);
    if undefined > 0 {
        parts.push(format!(
            "{undefined} of the {n} objects are defined by no loaded document"
        ));
    }
    Some(parts.join("; "))
}

/// One mapping set as a CSV with the OLIR template's columns.
pub fn csv(on: &dyn Sparql, set: &str) -> Result<String> {
    let ms = rows(on, "export-mappings", set)?;
    let mut w = ::csv::Writer::from_writer(Vec::new());
    let err = |e: ::csv::Error| Error::Internal(format!("writing CSV: {e}"));
    w.write_record([
        "Focal Document Element",
        "Reference Document Element",
        "Relationship",
        "Rationale",
        "Strength of Relationship",
        "Comments",
    ])
    .map_err(err)?;
    for r in 0..ms.rows.len() {
        let g = |v: &str| ms.get(r, v).map(term_text).unwrap_or_default();
        let rel = g("rel");
        let name = rel_by_term(local(&rel))
            .and_then(|t| t.names.first().cloned())
            .unwrap_or_default();
        w.write_record([
            g("subjectNotation"),
            g("objectNotation"),
            name,
            local(&g("rationale")).to_lowercase(),
            g("strength"),
            g("comment"),
        ])
        .map_err(err)?;
    }
    let bytes = w.into_inner().map_err(|e| Error::Internal(e.to_string()))?;
    String::from_utf8(bytes).map_err(|e| Error::Internal(e.to_string()))
}

/// A deterministic UUID (version 5 layout) from a name, so re-exports are stable.
fn uuid_for(name: &str) -> String {
    use sha2::{Digest, Sha256};
    let h = Sha256::digest(name.as_bytes());
    let mut b = [0u8; 16];
    b.copy_from_slice(&h[..16]);
    b[6] = (b[6] & 0x0f) | 0x50;
    b[8] = (b[8] & 0x3f) | 0x80;
    let x = hex::encode(b);
    format!(
        "{}-{}-{}-{}-{}",
        &x[0..8],
        &x[8..12],
        &x[12..16],
        &x[16..20],
        &x[20..32]
    )
}

/// Whether `s` is a UUID as OSCAL writes one (version 4 or 5, RFC 4122 variant): an
/// identifier kept from an imported OSCAL file is reused only then.
fn is_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
        && matches!(b[14], b'4' | b'5')
        && matches!(b[19], b'8' | b'9' | b'a' | b'b' | b'A' | b'B')
}

/// The publisher's id of an element (its IRI's last segment, percent-decoded): OSCAL ids for
/// SP 800-53 (`ac-2.1`), the CSF's own (`GV.SC-07`).
fn id_ref(iri: &str) -> String {
    let last = iri.rsplit('/').next().unwrap_or(iri);
    let mut out = Vec::new();
    let bytes = last.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Ok(v) = u8::from_str_radix(&last[i + 1..i + 3], 16)
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The OSCAL version whose mapping schema [`oscal_mapping`]'s output satisfies (NIST's
/// `oscal_mapping_schema.json` of that release; compliance-trestle 5 reads 1.2.0–1.2.1).
pub const OSCAL_VERSION: &str = "1.2.1";

/// The prop (namespace [`crate::import::oscal_mapping::NS`]) marking a mapping item whose
/// `id-ref` names a group of its OSCAL catalog (an SP 800-53 family, a CSF function): OSCAL
/// 1.2.1 mapping items are typed `control` or `statement` only, so such an item says
/// `control` and carries this prop with the value `group`.
pub const CATALOG_ITEM_PROP: &str = "catalog-item";

/// One side of a mapping as an OSCAL `mapping-item`: a statement item (`ac-2_smt.a`) is a
/// `statement`, a family or function a `control` marked as a catalog group, anything else a
/// `control`.
fn oscal_item(iri: &str, class: Option<&str>) -> serde_json::Value {
    use serde_json::json;
    let class = class.map(local);
    let mut item = json!({
        "type": if class == Some("StatementItem") { "statement" } else { "control" },
        "id-ref": id_ref(iri),
    });
    let group = match class {
        Some("ControlFamily") => Some("control family"),
        Some("Function") => Some("function"),
        _ => None,
    };
    if let Some(kind) = group {
        item["props"] = json!([{
            "name": CATALOG_ITEM_PROP,
            "ns": crate::import::oscal_mapping::NS,
            "value": "group",
        }]);
        item["remarks"] = json!(format!(
            "A {kind}: a group of its OSCAL catalog, not a control (OSCAL {OSCAL_VERSION} types \
             a mapping item as a control or a statement only)."
        ));
    }
    item
}

/// OSCAL's mapping `method` for crosswalk's (`HumanCuration`, `Transcription`: human;
/// `Automation`, `Inference`: automation).
fn oscal_method(m: &str) -> &'static str {
    match local(m) {
        "HumanCuration" | "Transcription" => "human",
        _ => "automation",
    }
}

/// One mapping set as an OSCAL 1.2.1 `mapping-collection` (valid against NIST's schema of
/// that release): one `maps` entry per mapping, with the IR 8477 type in an
/// `ir8477-relationship` prop so that `load --mapping` reads it back unchanged, and the
/// set's title, version, licence (a prop), creator (a party in the `creator` role) and each
/// mapping's uuid (an imported map's own, else one derived from the mapping's IRI) — all of
/// which `load --mapping` reads back too.
pub fn oscal_mapping(on: &dyn Sparql, set: &str) -> Result<serde_json::Value> {
    use serde_json::json;
    let meta = rows(on, "set-metadata", set)?;
    if meta.rows.is_empty() {
        return Err(Error::NotFound(format!("no mapping set {set} is loaded")));
    }
    let m = |v: &str| meta.get(0, v).map(term_text);
    let ms = rows(on, "export-mappings", set)?;
    let mut maps = Vec::new();
    let mut methods = std::collections::BTreeSet::new();
    let mut rationales: BTreeMap<String, usize> = BTreeMap::new();
    let mut groups = 0;
    for r in 0..ms.rows.len() {
        let g = |v: &str| ms.get(r, v).map(term_text);
        let rel = g("rel").map(|x| local(&x).to_owned()).unwrap_or_default();
        let t = rel_by_term(&rel)
            .ok_or_else(|| Error::Invalid(format!("unknown relationship {rel}")))?;
        let mapping = g("mapping").unwrap_or_default();
        let source = oscal_item(
            &g("subject").unwrap_or_default(),
            g("subjectClass").as_deref(),
        );
        let target = oscal_item(
            &g("object").unwrap_or_default(),
            g("objectClass").as_deref(),
        );
        groups += [&source, &target]
            .iter()
            .filter(|i| i.get("props").is_some())
            .count();
        let mut e = json!({
            "uuid": g("identifier").filter(|u| is_uuid(u)).unwrap_or_else(|| uuid_for(&mapping)),
            "relationship": t.oscal,
            "sources": [source],
            "targets": [target],
            "props": [{ "name": crate::import::oscal_mapping::PROP, "ns": crate::import::oscal_mapping::NS, "value": rel }],
        });
        if let Some(x) = g("rationale") {
            let x = local(&x).to_lowercase();
            *rationales.entry(x.clone()).or_default() += 1;
            e["matching-rationale"] = json!(x);
        }
        if let Some(x) = g("method") {
            methods.insert(oscal_method(&x));
        }
        let mut remarks = Vec::new();
        if let Some(l) = g("location") {
            remarks.push(format!("source: {l}"));
        }
        if let Some(c) = g("comment") {
            remarks.push(c);
        }
        if !remarks.is_empty() {
            e["remarks"] = json!(remarks.join("; "));
        }
        maps.push(e);
    }
    let now = time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    let href = |v: Option<String>| v.unwrap_or_else(|| "#".to_owned());
    let title = m("title").or_else(|| m("label")).unwrap_or_default();
    let method = match methods.len() {
        0 => "human",
        1 => methods.first().copied().unwrap_or("human"),
        _ => "hybrid",
    };
    // OSCAL wants one rationale for the whole collection: the one most maps state (each map
    // states its own); a set that states none is a concept crosswalk, semantic by IR 8477.
    let rationale = rationales
        .iter()
        .max_by_key(|(_, n)| **n)
        .map(|(r, _)| r.clone())
        .unwrap_or_else(|| "semantic".to_owned());
    let status = match m("status").as_deref().map(local) {
        Some("Final") => "complete",
        Some("WithdrawnDocument") => "deprecated",
        _ => "draft",
    };
    let mut description = format!(
        "{title}: {} mappings from {} to {}, exported by crosswalk {} from the mapping set {set}.",
        maps.len(),
        href(m("focal")),
        href(m("reference")),
        env!("CARGO_PKG_VERSION"),
    );
    if let Some(n) = resolution_note(&meta, &ms, str::to_owned) {
        description.push_str(&format!(" As for the objects: {n}."));
    }
    if groups > 0 {
        description.push_str(&format!(
            " {groups} mapping item(s) name a group of their OSCAL catalog (a control family or \
             function), typed `control` and marked with the prop `{CATALOG_ITEM_PROP}` = `group`."
        ));
    }
    let mut metadata = json!({
        "title": title,
        "last-modified": now,
        "version": m("version").unwrap_or_else(|| "unversioned".into()),
        "oscal-version": OSCAL_VERSION,
        "props": [{ "name": "mapping-set", "ns": crate::import::oscal_mapping::NS, "value": set }],
    });
    if let Some(l) = m("license")
        && let Some(props) = metadata["props"].as_array_mut()
    {
        props.push(json!({ "name": crate::import::oscal_mapping::LICENSE_PROP, "ns": crate::import::oscal_mapping::NS, "value": l }));
    }
    if let Some(p) = m("publisher") {
        let party = uuid_for(&format!("{set}#creator"));
        metadata["roles"] = json!([{ "id": "creator", "title": "Creator" }]);
        metadata["parties"] = json!([{ "uuid": party, "type": "organization", "name": p }]);
        metadata["responsible-parties"] = json!([{ "role-id": "creator", "party-uuids": [party] }]);
    }
    Ok(json!({
        "mapping-collection": {
            "uuid": m("identifier").filter(|u| is_uuid(u)).unwrap_or_else(|| uuid_for(set)),
            "metadata": metadata,
            "provenance": {
                "method": method,
                "matching-rationale": rationale,
                "status": status,
                "mapping-description": description,
            },
            "mappings": [{
                "uuid": uuid_for(&format!("{set}#mapping")),
                "source-resource": { "type": "catalog", "href": href(m("focal")) },
                "target-resource": { "type": "catalog", "href": href(m("reference")) },
                "maps": maps,
            }],
        }
    }))
}

/// `crosswalk export`'s output: RDF of the store (or of one graph), or one mapping set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    #[value(alias = "nquads", alias = "application/n-quads")]
    Nq,
    #[value(alias = "application/trig")]
    Trig,
    #[value(alias = "turtle", alias = "text/turtle")]
    Ttl,
    #[value(alias = "ntriples", alias = "application/n-triples")]
    Nt,
    #[value(alias = "json-ld", alias = "application/ld+json")]
    Jsonld,
    #[value(alias = "rdf", alias = "xml", alias = "application/rdf+xml")]
    Rdfxml,
    /// One mapping set as SSSOM TSV.
    #[value(alias = "sssom.tsv")]
    Sssom,
    /// One mapping set in the OLIR template's columns.
    #[value(alias = "text/csv")]
    Csv,
    /// One mapping set as an OSCAL 1.2.1 mapping-collection.
    OscalMapping,
}

/// `crosswalk export`: the store, or the graph of one set or document (`set`, `document`, by
/// scheme), in an RDF format; or one mapping set (`set`, required) as SSSOM, OLIR CSV or an
/// OSCAL mapping-collection.
///
/// `local` is the embedded store, which the RDF formats read; on a remote engine (`None`)
/// only the mapping-set formats, which are queries, are available.
pub fn export(
    on: &dyn Sparql,
    local: Option<&Db>,
    format: ExportFormat,
    set: Option<&str>,
    document: Option<&str>,
) -> Result<Vec<u8>> {
    let set_iri = set
        .map(|s| crate::load::user_set::set_by_scheme(on, s))
        .transpose()?;
    let db = on;
    let rdf_of = |f: RdfFormat| -> Result<Vec<u8>> {
        let Some(db) = local else {
            let mut graphs = Vec::new();
            if let Some(s) = &set_iri {
                graphs.push(graph_of(on, s)?);
            }
            if let Some(d) = document {
                let doc = crate::load::user_set::doc_by_scheme(on, d)?;
                graphs.push(graph_of(on, &doc)?);
            }
            return rdf_on(on, &graphs, f);
        };
        let mut graphs = Vec::new();
        if let Some(s) = &set_iri {
            graphs.push(graph_of(db, s)?);
        }
        if let Some(d) = document {
            let doc = crate::load::user_set::doc_by_scheme(db, d)?;
            graphs.push(graph_of(db, &doc)?);
        }
        rdf(db, &graphs, f)
    };
    let one_set = |name: &str| -> Result<&String> {
        set_iri.as_ref().ok_or_else(|| {
            Error::Invalid(format!(
                "--format {name} exports one mapping set: give --set SCHEME"
            ))
        })
    };
    Ok(match format {
        ExportFormat::Nq => rdf_of(RdfFormat::NQuads)?,
        ExportFormat::Trig => rdf_of(RdfFormat::TriG)?,
        ExportFormat::Ttl => rdf_of(RdfFormat::Turtle)?,
        ExportFormat::Nt => rdf_of(RdfFormat::NTriples)?,
        ExportFormat::Rdfxml => rdf_of(RdfFormat::RdfXml)?,
        ExportFormat::Jsonld => compact_jsonld(&rdf_of(RdfFormat::JsonLd {
            profile: oxigraph::io::JsonLdProfileSet::empty(),
        })?)?,
        ExportFormat::OscalMapping => {
            let s = one_set("oscal-mapping")?;
            let mut v = serde_json::to_vec_pretty(&oscal_mapping(db, s)?)
                .map_err(|e| Error::Invalid(e.to_string()))?;
            v.push(b'\n');
            v
        }
        ExportFormat::Sssom => sssom(db, one_set("sssom")?)?.into_bytes(),
        ExportFormat::Csv => csv(db, one_set("csv")?)?.into_bytes(),
    })
}

const RDF_TYPE: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type";

/// `prefix:local` for an IRI under one of the context's prefixes (JSON-LD expands it back),
/// else the IRI.
fn compact_iri(iri: &str) -> String {
    for (p, ns) in crate::model::vocab::PREFIXES {
        if let Some(local) = iri.strip_prefix(ns)
            && !local.is_empty()
            && !local.starts_with("//")
        {
            return format!("{p}:{local}");
        }
    }
    iri.to_owned()
}

/// A value of expanded JSON-LD, compacted: `{"@value": "x"}` → `"x"`, IRIs as `prefix:local`,
/// one-element arrays as their element.
fn compact_value(v: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match v {
        Value::Array(items) => {
            let mut items: Vec<Value> = items.into_iter().map(compact_value).collect();
            if items.len() == 1 {
                items.pop().unwrap_or(Value::Null)
            } else {
                Value::Array(items)
            }
        }
        Value::Object(m) => {
            if m.len() == 1
                && let Some(Value::String(s)) = m.get("@value")
            {
                return Value::String(s.clone());
            }
            let mut out = serde_json::Map::new();
            for (k, v) in m {
                match k.as_str() {
                    "@id" => {
                        let id = v.as_str().map(compact_iri).map_or(v, Value::String);
                        out.insert(k, id);
                    }
                    "@type" => {
                        // A datatype (or a node type, should the serializer ever write one).
                        let t = match v {
                            Value::String(s) => Value::String(compact_iri(&s)),
                            Value::Array(a) => Value::Array(
                                a.into_iter()
                                    .map(|x| match x {
                                        Value::String(s) => Value::String(compact_iri(&s)),
                                        other => other,
                                    })
                                    .collect(),
                            ),
                            other => other,
                        };
                        out.insert(k, t);
                    }
                    "@value" | "@language" | "@direction" => {
                        out.insert(k, v);
                    }
                    "@graph" => {
                        let nodes = match v {
                            Value::Array(a) => a.into_iter().map(compact_value).collect(),
                            other => vec![compact_value(other)],
                        };
                        out.insert(k, Value::Array(nodes));
                    }
                    RDF_TYPE => {
                        // Class IRIs: `@type` takes them as (compact) IRIs.
                        let types: Vec<Value> = match v {
                            Value::Array(a) => a,
                            other => vec![other],
                        }
                        .into_iter()
                        .map(|t| match t.get("@id").and_then(Value::as_str) {
                            Some(iri) => Value::String(compact_iri(iri)),
                            None => t,
                        })
                        .collect();
                        let types = if types.len() == 1 {
                            types.into_iter().next().unwrap_or(Value::Null)
                        } else {
                            Value::Array(types)
                        };
                        out.insert("@type".to_owned(), types);
                    }
                    _ => {
                        out.insert(compact_iri(&k), compact_value(v));
                    }
                }
            }
            Value::Object(out)
        }
        other => other,
    }
}

/// Oxigraph's expanded JSON-LD, compacted with the project's context (`/context.jsonld`):
/// `{"@context": …, "@graph": [{"@id": "cwg:…", "@graph": [nodes]}, …]}`; every IRI under a
/// prefix of the context is `prefix:local`, literals without datatype or language are plain
/// strings. The same triples as the expanded form (checked by parsing it back in the tests).
pub fn compact_jsonld(expanded: &[u8]) -> Result<Vec<u8>> {
    let v: serde_json::Value = serde_json::from_slice(expanded)
        .map_err(|e| Error::Invalid(format!("JSON-LD from the serializer: {e}")))?;
    let graph = match v {
        serde_json::Value::Array(items) => items.into_iter().map(compact_value).collect(),
        other => vec![compact_value(other)],
    };
    let doc = serde_json::json!({
        "@context": crate::model::vocab::jsonld_context(),
        "@graph": graph,
    });
    let mut out = serde_json::to_vec_pretty(&doc).map_err(|e| Error::Invalid(e.to_string()))?;
    out.push(b'\n');
    Ok(out)
}
