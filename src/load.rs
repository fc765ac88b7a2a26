//! Loading: finds each source's files in a sources directory, runs its importer and replaces
//! the source's named graph in one transaction. Sources load in manifest order, so catalogs
//! are in the store before the profiles and mapping sets resolved against them.
use crate::error::{Error, Result};
use crate::ids;
use crate::import::{self, Ctx, InputFile};
use crate::resolve::Resolver;
use crate::sources::{Manifest, Source};
use crate::store::Db;
use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::{GraphName, NamedNode, Quad};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

const ONTOLOGY: &str = include_str!("../ontology/crosswalk.ttl");

/// What happened to one source.
#[derive(Debug)]
pub enum Outcome {
    Loaded {
        graph: NamedNode,
        triples: usize,
        warnings: Vec<String>,
    },
    /// A file of the source is not in the sources directory.
    Missing { file: PathBuf },
}

#[derive(Debug, Default)]
pub struct Report {
    pub sources: Vec<(String, Outcome)>,
    pub inferred: crate::infer::Summary,
}

impl Report {
    pub fn loaded(&self) -> impl Iterator<Item = (&str, usize, &[String])> {
        self.sources.iter().filter_map(|(id, o)| match o {
            Outcome::Loaded {
                triples, warnings, ..
            } => Some((id.as_str(), *triples, warnings.as_slice())),
            Outcome::Missing { .. } => None,
        })
    }

    pub fn missing(&self) -> impl Iterator<Item = (&str, &Path)> {
        self.sources.iter().filter_map(|(id, o)| match o {
            Outcome::Missing { file } => Some((id.as_str(), file.as_path())),
            Outcome::Loaded { .. } => None,
        })
    }
}

/// Progress events for a UI.
pub enum Event<'a> {
    Start { total: usize },
    Source { id: &'a str },
    Done,
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The ontology as quads of its own graph.
pub fn ontology_quads() -> Result<Vec<Quad>> {
    let g = GraphName::NamedNode(ids::ontology_graph());
    RdfParser::from_format(RdfFormat::Turtle)
        .for_slice(ONTOLOGY.as_bytes())
        .map(|t| {
            t.map(|q| Quad::new(q.subject, q.predicate, q.object, g.clone()))
                .map_err(|e| Error::parse("ontology/crosswalk.ttl", "turtle", e))
        })
        .collect()
}

fn now() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

fn read_files(source: &Source, paths: &[PathBuf]) -> Result<Vec<InputFile>> {
    source
        .files
        .iter()
        .zip(paths)
        .map(|(f, p)| {
            let bytes = std::fs::read(p).map_err(|e| Error::io(p, e))?;
            Ok(InputFile {
                sha256: sha256_hex(&bytes),
                path: p.clone(),
                bytes,
                role: f.role.clone(),
            })
        })
        .collect()
}

/// Imports one source from explicit files and replaces its graph. Returns triples and warnings.
pub fn load_source(
    db: &Db,
    source: &Source,
    files: &[InputFile],
    resolver: &Resolver,
) -> Result<(NamedNode, usize, Vec<String>)> {
    let ctx = Ctx {
        source,
        files,
        resolver,
    };
    let mut out = import::run(&ctx)?;
    for (f, m) in files.iter().zip(&source.files) {
        if let Some(expected) = &m.sha256
            && !expected.eq_ignore_ascii_case(&f.sha256)
        {
            out.warnings.push(format!(
                    "{}: sha256 {} differs from the manifest's {expected} (a different release or edition of the file?)",
                    f.path.display(),
                    f.sha256
                ));
        }
    }
    let graph = ids::graph_iri(&source.id);
    let prov = import::provenance(&graph, &ctx, &out, &now());
    let mut quads = std::mem::take(&mut out.triples).into_quads(&graph);
    quads.extend(prov.into_quads(&graph));
    db.replace_graph(&graph, &quads)?;
    Ok((graph, quads.len(), out.warnings))
}

/// Loads the sources named by `ids` (all when empty) that are present under `dir`.
pub fn load(
    db: &Db,
    manifest: &Manifest,
    dir: &Path,
    ids: &[String],
    progress: &mut dyn FnMut(Event<'_>),
) -> Result<Report> {
    if !dir.is_dir() {
        return Err(Error::NotFound(format!(
            "sources directory {} does not exist (set --sources or CROSSWALK_SOURCES, or run `crosswalk fetch`)",
            dir.display()
        )));
    }
    let selected = manifest.select(ids)?;
    progress(Event::Start {
        total: selected.len(),
    });
    db.replace_graph(&ids::ontology_graph(), &ontology_quads()?)?;
    let mut report = Report::default();
    let mut resolver: Option<Resolver> = None;
    for source in selected {
        progress(Event::Source { id: &source.id });
        let paths = match source.locate(dir) {
            Ok(p) => p,
            Err(file) => {
                report
                    .sources
                    .push((source.id.clone(), Outcome::Missing { file }));
                continue;
            }
        };
        let files = read_files(source, &paths)?;
        if resolver.is_none() {
            resolver = Some(Resolver::from_store(db)?);
        }
        let r = resolver
            .as_ref()
            .ok_or_else(|| Error::Invalid("resolver".into()))?;
        let (graph, triples, warnings) = load_source(db, source, &files, r)?;
        // The store changed: the next source sees this one's elements.
        resolver = None;
        report.sources.push((
            source.id.clone(),
            Outcome::Loaded {
                graph,
                triples,
                warnings,
            },
        ));
    }
    report.inferred = crate::infer::materialise(db)?;
    progress(Event::Done);
    Ok(report)
}
