//! A user's own mapping file as a mapping set: a manifest entry made on the fly (importer by
//! file type, the set's name and schemes from the command line or the file's own metadata), then
//! the same load path as NIST's sets — its own named graph, replaced in one transaction.
use crate::model::error::{Error, Result};
use crate::model::ids;
use crate::query::{Sparql, term_text};
use crate::source::manifest::{DocKind, DocStatus, DocumentMeta, Source, SourceFile};
use crate::store::Db;
use oxigraph::model::Literal;
use std::path::{Path, PathBuf};

/// What the command line says about a mapping file.
#[derive(Debug, Clone)]
pub struct Spec {
    pub file: PathBuf,
    /// The set's scheme; default: the file name without its extensions.
    pub name: Option<String>,
    pub focal: String,
    pub reference: String,
    pub reference_version: Option<String>,
    /// The set's document status; a set nobody has vouched for yet is a draft (check's
    /// CW010 says so), a maintainer's reviewed set is final.
    pub status: DocStatus,
}

/// The importer that reads a file, by its name.
pub fn importer_for(file: &Path) -> Result<&'static str> {
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    Ok(if name.ends_with(".tsv") {
        "sssom"
    } else if name.ends_with(".csv") {
        "olir-csv"
    } else if name.ends_with(".xlsx") {
        "olir-xlsx"
    } else if name.ends_with(".json") {
        "oscal-mapping"
    } else {
        return Err(Error::Invalid(format!(
            "{}: unknown mapping file type (expected .sssom.tsv, .csv, .xlsx or OSCAL mapping .json)",
            file.display()
        )));
    })
}

fn default_name(file: &Path) -> String {
    let stem = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "user".into());
    let stem = stem.split('.').next().unwrap_or("user").to_lowercase();
    let clean: String = stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    if clean.is_empty() {
        "user".into()
    } else {
        clean
    }
}

/// The manifest entry for a user file.
pub fn source(spec: &Spec) -> Result<Source> {
    let name = spec
        .name
        .clone()
        .unwrap_or_else(|| default_name(&spec.file));
    let importer = importer_for(&spec.file)?;
    let path = spec.file.display().to_string();
    let mut options = toml::Table::new();
    options.insert("sheet".into(), toml::Value::String("Relationships".into()));
    Ok(Source {
        id: format!("user/{name}"),
        importer: importer.to_owned(),
        description: format!("user mapping set {name} from {path}"),
        files: vec![SourceFile {
            path: path.clone(),
            url: format!("file://{path}"),
            sha256: None,
            role: None,
        }],
        document: DocumentMeta {
            id: format!("mapping/user/{name}"),
            scheme: name.clone(),
            kind: DocKind::MappingSet,
            title: format!("{name} (user mapping set)"),
            short_title: Some(name.clone()),
            publisher: "user".into(),
            version: "unversioned".into(),
            status: spec.status,
            released: None,
            landing: None,
            license: "as stated by its author".into(),
            extracted_by: None,
            profile_of: None,
            focal: Some(spec.focal.clone()),
            reference: Some(spec.reference.clone()),
            reference_version: spec.reference_version.clone(),
        },
        options,
    })
}

/// Imports each file into its own graph (replacing an earlier load of the same set) and
/// re-infers, in one write (`load::write_sources`); returns each set's document IRI and its
/// import warnings.
pub fn load_all(db: &Db, specs: &[Spec]) -> Result<Vec<(String, Vec<String>)>> {
    let sources = specs.iter().map(source).collect::<Result<Vec<_>>>()?;
    let located = sources
        .iter()
        .zip(specs)
        .map(|(s, spec)| (s, vec![spec.file.clone()]))
        .collect();
    let mut report = crate::load::Report::default();
    crate::load::write_sources(db, located, false, &mut report, &mut |_| {})?;
    Ok(sources
        .iter()
        .zip(report.sources)
        .map(|(s, (_, outcome))| {
            let warnings = match outcome {
                crate::load::Outcome::Loaded { warnings, .. } => warnings,
                crate::load::Outcome::Missing { .. } => Vec::new(),
            };
            (ids::doc_iri(&s.document.id).as_str().to_owned(), warnings)
        })
        .collect())
}

/// [`load_all`] for one file.
pub fn load(db: &Db, spec: &Spec) -> Result<(String, Vec<String>)> {
    load_all(db, std::slice::from_ref(spec))?
        .pop()
        .ok_or_else(|| Error::Internal("no mapping set was loaded".into()))
}

const SET_BY_SCHEME: &str = "PREFIX cw: <https://w3id.org/crosswalk/ontology#>
SELECT DISTINCT ?set WHERE { ?set cw:scheme ?scheme . FILTER EXISTS { ?m cw:mappingSet ?set } }";

/// The mapping set with this scheme.
pub fn set_by_scheme(on: &dyn Sparql, scheme: &str) -> Result<String> {
    first(on, SET_BY_SCHEME, scheme, "mapping set")
}

/// The first ?set / ?doc the query finds for `scheme`, or a message naming what is missing.
fn first(on: &dyn Sparql, query: &str, scheme: &str, what: &str) -> Result<String> {
    let sol = on.select(
        query,
        &[("scheme", Literal::new_simple_literal(scheme).into())],
    )?;
    sol.rows
        .first()
        .and_then(|r| r[0].as_ref())
        .map(term_text)
        .ok_or_else(|| {
            Error::NotFound(format!(
                "no {what} with scheme `{scheme}` is loaded (see `crosswalk stats`)"
            ))
        })
}

const DOC_BY_SCHEME: &str = "PREFIX cw: <https://w3id.org/crosswalk/ontology#>
SELECT ?doc WHERE { ?doc a cw:Document ; cw:scheme ?scheme } ORDER BY DESC(?doc)";

/// A loaded document with this scheme (the newest release id first).
pub fn doc_by_scheme(on: &dyn Sparql, scheme: &str) -> Result<String> {
    first(on, DOC_BY_SCHEME, scheme, "document")
}
