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
SELECT DISTINCT ?g WHERE { GRAPH ?g { ?doc a cw:Document } FILTER(?g != <https://w3id.org/crosswalk/graph/inferred>) }";

/// The named graph a document (or mapping set) was loaded into.
pub fn graph_of(db: &Db, doc: &str) -> Result<NamedNode> {
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
    let mut table = String::from(
        "subject_id\tsubject_label\tpredicate_id\tpredicate_label\tpredicate_modifier\tobject_id\tobject_label\tmapping_justification\tconfidence\tcomment\n",
    );
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
        let justification = match g("method").as_deref().map(local) {
            Some("HumanCuration") | Some("Transcription") => "semapv:ManualMappingCuration",
            _ => "semapv:UnspecifiedMatching",
        };
        let row = [
            curie(&g("subject").unwrap_or_default(), &mut prefixes),
            clean(&g("subjectNotation").unwrap_or_default()),
            predicate,
            t.names.first().cloned().unwrap_or_default(),
            modifier.to_owned(),
            curie(&g("object").unwrap_or_default(), &mut prefixes),
            clean(&g("objectNotation").unwrap_or_default()),
            justification.to_owned(),
            g("confidence").unwrap_or_default(),
            comment.join("; "),
        ];
        table.push_str(&row.join("\t"));
        table.push('\n');
    }
    let mut head = String::new();
    head.push_str("# curie_map:\n");
    for (p, ns) in [
        ("cw", cw::NS),
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
    // NIST's works are public domain in the U.S.; SSSOM wants a license IRI.
    let license = if m("publisher").as_deref() == Some("NIST") {
        "https://www.nist.gov/open/license"
    } else {
        "https://w3id.org/crosswalk/license/as-stated-by-the-author"
    };
    head.push_str(&format!("# license: {}\n", yaml(license)));
    if let Some(p) = m("publisher") {
        head.push_str(&format!("# creator_label: [{}]\n", yaml(&p)));
    }
    if let Some(f) = m("focal") {
        head.push_str(&format!("# subject_source: {}\n", yaml(&f)));
    }
    if let Some(r) = m("reference") {
        head.push_str(&format!("# object_source: {}\n", yaml(&r)));
    }
    if let Some(s) = m("status") {
        head.push_str(&format!(
            "# comment: {}\n",
            yaml(&format!(
                "document status: {}; exported by crosswalk",
                local(&s)
            ))
        ));
    }
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

/// One mapping set as an OSCAL 1.2 `mapping-collection`: one `maps` entry per mapping, with
/// the IR 8477 type in an `ir8477-relationship` prop so that `load --mapping` reads it back
/// unchanged.
pub fn oscal_mapping(on: &dyn Sparql, set: &str) -> Result<serde_json::Value> {
    use serde_json::json;
    let meta = rows(on, "set-metadata", set)?;
    if meta.rows.is_empty() {
        return Err(Error::NotFound(format!("no mapping set {set} is loaded")));
    }
    let m = |v: &str| meta.get(0, v).map(term_text);
    let ms = rows(on, "export-mappings", set)?;
    let mut maps = Vec::new();
    for r in 0..ms.rows.len() {
        let g = |v: &str| ms.get(r, v).map(term_text);
        let rel = g("rel").map(|x| local(&x).to_owned()).unwrap_or_default();
        let t = rel_by_term(&rel)
            .ok_or_else(|| Error::Invalid(format!("unknown relationship {rel}")))?;
        let mapping = g("mapping").unwrap_or_default();
        let mut e = json!({
            "uuid": uuid_for(&mapping),
            "relationship": t.oscal,
            "sources": [{ "type": "control", "id-ref": id_ref(&g("subject").unwrap_or_default()) }],
            "targets": [{ "type": "control", "id-ref": id_ref(&g("object").unwrap_or_default()) }],
            "props": [{ "name": crate::import::oscal_mapping::PROP, "ns": crate::import::oscal_mapping::NS, "value": rel }],
        });
        if let Some(x) = g("rationale") {
            e["matching-rationale"] = json!(local(&x).to_lowercase());
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
    Ok(json!({
        "mapping-collection": {
            "uuid": uuid_for(set),
            "metadata": {
                "title": m("title").or_else(|| m("label")).unwrap_or_default(),
                "last-modified": now,
                "version": m("version").unwrap_or_else(|| "unversioned".into()),
                "oscal-version": "1.2.0",
                "props": [{ "name": "mapping-set", "ns": crate::import::oscal_mapping::NS, "value": set }],
            },
            "provenance": {
                "method": "human",
                "matching-rationale": "semantic",
                "status": if m("status").is_some_and(|s| s.ends_with("Final")) { "complete" } else { "draft" },
                "confidence-score": { "category": "high" },
                "coverage": { "generation-method": "human", "target-coverage": 0.0 },
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
    /// One mapping set as an OSCAL 1.2 mapping-collection.
    OscalMapping,
}

/// `crosswalk export`: the store, or the graph of one set or document (`set`, `document`, by
/// scheme), in an RDF format; or one mapping set (`set`, required) as SSSOM, OLIR CSV or an
/// OSCAL mapping-collection.
pub fn export(
    db: &Db,
    format: ExportFormat,
    set: Option<&str>,
    document: Option<&str>,
) -> Result<Vec<u8>> {
    let set_iri = set
        .map(|s| crate::load::user_set::set_by_scheme(db, s))
        .transpose()?;
    let rdf_of = |f: RdfFormat| -> Result<Vec<u8>> {
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
        ExportFormat::Jsonld => rdf_of(RdfFormat::JsonLd {
            profile: oxigraph::io::JsonLdProfileSet::empty(),
        })?,
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
