//! What every importer shares: its input (`Ctx`: the source, its files, the resolver of
//! elements already known), its output (`Output`), and the document and provenance triples each
//! graph carries.
use crate::model::error::{Error, Result};
use crate::model::ids;
use crate::model::resolve::Resolver;
use crate::model::term::Builder;
use crate::model::vocab::{cw, dcterms, prov, rdf, rdfs, skos, xsd};
use crate::source::manifest::{DocKind, DocStatus, DocumentMeta, Source};
use oxigraph::model::{NamedNode, NamedNodeRef};
use std::path::PathBuf;

/// One file of a source, read into memory.
pub struct InputFile {
    pub path: PathBuf,
    pub bytes: Vec<u8>,
    pub sha256: String,
    /// The manifest entry's role for multi-file sources.
    pub role: Option<String>,
}

/// What an importer is given.
pub struct Ctx<'a> {
    pub source: &'a Source,
    pub files: &'a [InputFile],
    /// Elements of documents loaded before this source, for mapping and profile importers.
    pub resolver: &'a Resolver,
}

impl Ctx<'_> {
    /// The first file, or the one with the given role.
    pub fn file(&self, role: Option<&str>) -> Result<&InputFile> {
        let found = match role {
            None => self.files.first(),
            Some(r) => self.files.iter().find(|f| f.role.as_deref() == Some(r)),
        };
        found.ok_or_else(|| {
            Error::Manifest(format!(
                "source {} has no file with role {}",
                self.source.id,
                role.unwrap_or("(any)")
            ))
        })
    }
}

/// What an importer returns: the triples of its graph (the graph name is added by `load`) and
/// the warnings it wants the user to see (also stored as `cw:loadWarning`).
#[derive(Default)]
pub struct Output {
    pub triples: Builder,
    pub warnings: Vec<String>,
    /// IRIs of the documents this source describes.
    pub documents: Vec<NamedNode>,
}

fn kind_class(k: DocKind) -> NamedNodeRef<'static> {
    match k {
        DocKind::Framework => cw::FRAMEWORK,
        DocKind::Catalog => cw::CATALOG,
        DocKind::Baseline => cw::BASELINE,
        DocKind::Profile => cw::PROFILE,
        DocKind::Overlay => cw::OVERLAY,
        DocKind::MappingSet => cw::MAPPING_SET,
    }
}

pub fn status_iri(s: DocStatus) -> NamedNodeRef<'static> {
    match s {
        DocStatus::Final => cw::FINAL,
        DocStatus::Draft => cw::DRAFT,
        DocStatus::InitialPreliminaryDraft => cw::INITIAL_PRELIMINARY_DRAFT,
        DocStatus::PreDraft => cw::PRE_DRAFT,
        DocStatus::Withdrawn => cw::WITHDRAWN_DOCUMENT,
        DocStatus::Suggested => cw::SUGGESTED,
    }
}

/// The option of a manifest entry (set by `load --mapping`, whose entry is made on the fly)
/// saying that the metadata a mapping file states about itself replaces the entry's
/// placeholders: a user set exported by crosswalk (SSSOM, OSCAL) keeps its title, version,
/// licence and creator through a round trip.
pub const FILE_METADATA: &str = "file_metadata";

/// What a mapping file states about its set; `None` keeps the manifest entry's value.
#[derive(Debug, Default)]
pub struct FileMeta {
    pub title: Option<String>,
    pub version: Option<String>,
    pub publisher: Option<String>,
    pub license: Option<String>,
}

impl Ctx<'_> {
    /// The set's metadata: the manifest entry's, with what the file states about itself
    /// where the entry allows it ([`FILE_METADATA`]).
    pub fn set_meta(&self, file: FileMeta) -> DocumentMeta {
        let mut meta = self.source.document.clone();
        let allowed = self
            .source
            .options
            .get(FILE_METADATA)
            .and_then(toml::Value::as_bool)
            .unwrap_or(false);
        if !allowed {
            return meta;
        }
        let clean = |v: Option<String>| v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
        if let Some(t) = clean(file.title) {
            meta.title = t;
        }
        if let Some(v) = clean(file.version) {
            meta.version = v;
        }
        if let Some(p) = clean(file.publisher) {
            meta.publisher = p;
        }
        if let Some(l) = clean(file.license) {
            meta.license = l;
        }
        meta
    }
}

/// Emits a document's metadata; returns its IRI. `files` give the sha256 and canonical URLs.
pub fn document(b: &mut Builder, meta: &DocumentMeta, ctx: &Ctx<'_>) -> NamedNode {
    let d = ids::doc_iri(&meta.id);
    b.iri(&d, rdf::TYPE, cw::DOCUMENT);
    b.iri(&d, rdf::TYPE, kind_class(meta.kind));
    b.iri(&d, rdf::TYPE, skos::CONCEPT_SCHEME);
    b.title(&d, &meta.title);
    b.text(
        &d,
        rdfs::LABEL,
        meta.short_title.as_deref().unwrap_or(&meta.title),
    );
    b.text(&d, dcterms::PUBLISHER, &meta.publisher);
    b.text(&d, cw::VERSION, &meta.version);
    b.text(&d, cw::SCHEME, &meta.scheme);
    b.iri(&d, cw::DOCUMENT_STATUS, status_iri(meta.status));
    if let Some(r) = &meta.released {
        b.typed(&d, dcterms::ISSUED, r, xsd::DATE);
    }
    if let Some(l) = &meta.landing
        && let Ok(n) = NamedNode::new(l)
    {
        b.add(d.clone(), cw::LANDING_PAGE, n);
    }
    b.text(&d, cw::LICENSE_NOTE, &meta.license);
    b.boolean(&d, cw::THIRD_PARTY_EXTRACTION, meta.extracted_by.is_some());
    if let Some(x) = &meta.extracted_by {
        b.text(&d, cw::EXTRACTED_BY, x);
    }
    for f in ctx.files {
        b.text(&d, cw::SOURCE_SHA256, &f.sha256);
    }
    for f in &ctx.source.files {
        if let Ok(n) = NamedNode::new(&f.url) {
            b.add(d.clone(), cw::CANONICAL_URL, n);
        }
    }
    d
}

/// Provenance of the graph itself: which source, files, importer, when.
pub fn provenance(graph: &NamedNode, ctx: &Ctx<'_>, out: &Output, loaded_at: &str) -> Builder {
    let mut b = Builder::default();
    b.iri(graph, rdf::TYPE, cw::SOURCE_GRAPH);
    b.iri(graph, rdf::TYPE, prov::ENTITY);
    b.text(graph, cw::SOURCE_ID, &ctx.source.id);
    b.text(graph, cw::IMPORTER, &ctx.source.importer);
    b.text(graph, cw::IMPORTER_VERSION, env!("CARGO_PKG_VERSION"));
    b.typed(graph, prov::GENERATED_AT_TIME, loaded_at, xsd::DATE_TIME);
    for f in ctx.files {
        b.text(graph, cw::SOURCE_SHA256, &f.sha256);
        // Absolute, so `check` run from another directory names the same file. Kept in the
        // load digest (the warnings name the path too): a moved sources dir rewrites only
        // this difference, and the recorded path never goes stale.
        let path = std::path::absolute(&f.path).unwrap_or_else(|_| f.path.clone());
        b.text(graph, cw::SOURCE_FILE, &path.display().to_string());
    }
    for f in &ctx.source.files {
        if let Ok(n) = NamedNode::new(&f.url) {
            b.add(graph.clone(), prov::HAD_PRIMARY_SOURCE, n);
        }
    }
    for d in &out.documents {
        b.add(graph.clone(), cw::DESCRIBES, d.clone());
    }
    for w in &out.warnings {
        b.text(graph, cw::LOAD_WARNING, w);
    }
    b
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ids;

    #[test]
    fn a_repeated_triple_becomes_one_quad_and_the_order_stays() {
        let (a, b) = (ids::element_iri("t/1", "A"), ids::element_iri("t/1", "B"));
        let mut x = Builder::default();
        x.text(&a, cw::LOOKUP_KEY, "A");
        x.text(&b, cw::LOOKUP_KEY, "B");
        x.text(&a, cw::LOOKUP_KEY, "A");
        x.text(&a, cw::LOCAL_ID, "A");
        let g = ids::graph_iri("t");
        let got: Vec<String> = x
            .into_quads(&g)
            .iter()
            .map(|q| format!("{} {} {}", q.subject, q.predicate, q.object))
            .collect();
        let (key, local) = (cw::LOOKUP_KEY, cw::LOCAL_ID);
        assert_eq!(
            got,
            [
                format!("{a} {key} \"A\""),
                format!("{b} {key} \"B\""),
                format!("{a} {local} \"A\""),
            ]
        );
    }
}
