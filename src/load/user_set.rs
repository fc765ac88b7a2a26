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
    // A file that states its own title, version, licence or creator (crosswalk's SSSOM and
    // OSCAL exports do) keeps them; the placeholders below are for files that do not.
    options.insert(
        crate::import::context::FILE_METADATA.into(),
        toml::Value::Boolean(true),
    );
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

/// A user's own mapping files as the command line gives them (`load --mapping`, `check
/// --mapping`): SSSOM TSV, OLIR-column CSV, OLIR XLSX, OSCAL mapping JSON.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct UserFiles {
    /// A mapping file to load next to the catalogs (repeatable): .sssom.tsv/.tsv (SSSOM),
    /// .csv (OLIR template columns), .xlsx (OLIR template workbook), .json (OSCAL 1.2
    /// mapping-collection, as `export --format oscal-mapping` writes); `-` reads one from
    /// standard input (format from its content). A file's own title, version, licence and
    /// creator (SSSOM, OSCAL) become the set's.
    #[arg(long = "mapping")]
    pub mappings: Vec<PathBuf>,
    /// Name (scheme) of the set; default: the file name without extension.
    #[arg(long)]
    pub set_name: Option<String>,
    /// Focal scheme of the file's mappings (CSV/XLSX; SSSOM reads subject_source first).
    #[arg(long, default_value = "csf")]
    pub focal: String,
    /// Reference scheme of the file's mappings (SSSOM reads object_source first).
    #[arg(long, default_value = "sp800-53")]
    pub reference: String,
    /// Reference release to resolve against (default: the newest loaded).
    #[arg(long)]
    pub reference_version: Option<String>,
    /// Document status of the set: `draft` until someone vouches for it (`check` reports
    /// CW010 for drafts), `final` for a reviewed set.
    #[arg(long, value_enum, default_value_t = SetStatus::Draft)]
    pub set_status: SetStatus,
}

#[derive(Debug, Clone, Copy, Default, clap::ValueEnum)]
pub enum SetStatus {
    #[default]
    Draft,
    Final,
}

impl UserFiles {
    /// Loads each file as its own set (one write); returns (set IRI, file as given) pairs.
    /// `-` is standard input, kept in a scratch file named by its format while it loads.
    pub fn load(&self, db: &Db) -> Result<Vec<(String, String)>> {
        let mut scratch = None;
        let mut files = self.mappings.clone();
        for f in &mut files {
            if f.as_os_str() == "-" {
                if scratch.is_some() {
                    return Err(Error::Invalid(
                        "--mapping - can be given once (standard input is one file)".into(),
                    ));
                }
                let (path, dir) = stdin_file(self.set_name.as_deref())?;
                *f = path;
                scratch = Some(dir);
            }
        }
        let result = self.load_files(db, &files);
        if let Some(dir) = scratch {
            let _ = std::fs::remove_dir_all(dir);
        }
        result
    }

    fn load_files(&self, db: &Db, files: &[PathBuf]) -> Result<Vec<(String, String)>> {
        let specs: Vec<Spec> = files
            .iter()
            .map(|f| Spec {
                file: f.clone(),
                name: if files.len() == 1 {
                    self.set_name.clone()
                } else {
                    None
                },
                focal: self.focal.clone(),
                reference: self.reference.clone(),
                reference_version: self.reference_version.clone(),
                status: match self.set_status {
                    SetStatus::Draft => DocStatus::Draft,
                    SetStatus::Final => DocStatus::Final,
                },
            })
            .collect();
        if specs.is_empty() {
            return Ok(Vec::new());
        }
        let loaded = load_all(db, &specs)?;
        let mut out = Vec::new();
        for ((set, warnings), f) in loaded.into_iter().zip(&self.mappings) {
            for w in warnings {
                tracing::info!("{w}");
            }
            out.push((set, f.display().to_string()));
        }
        Ok(out)
    }
}

/// Standard input saved as `<set-name or stdin>.<ext>` in a fresh scratch directory; the
/// extension from the content: an XLSX workbook (a zip), OSCAL JSON, SSSOM TSV, else CSV.
fn stdin_file(name: Option<&str>) -> Result<(PathBuf, PathBuf)> {
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut std::io::stdin(), &mut bytes)
        .map_err(|e| Error::io("<standard input>", e))?;
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]).into_owned();
    let first = head
        .lines()
        .find(|l| !l.starts_with('#'))
        .unwrap_or_default();
    let ext = if bytes.starts_with(b"PK") {
        "xlsx"
    } else if head.trim_start().starts_with('{') {
        "json"
    } else if head.starts_with('#') || first.contains('\t') {
        "sssom.tsv"
    } else {
        "csv"
    };
    let dir = std::env::temp_dir().join(format!("crosswalk-stdin-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
    let path = dir.join(format!("{}.{ext}", name.unwrap_or("stdin")));
    std::fs::write(&path, &bytes).map_err(|e| Error::io(&path, e))?;
    Ok((path, dir))
}
