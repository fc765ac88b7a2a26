//! Loading: finds each source's files in a sources directory, runs its importer, derives the
//! inferred graph, and only then replaces the sources' named graphs (and `graph/inferred`) in
//! the store. Sources import in manifest order, so catalogs are resolved against before the
//! profiles and mapping sets that cite them.
pub mod facts;
pub mod infer;
pub mod user_set;
use crate::import::{self, Ctx, InputFile};
use crate::model::error::{Error, Result};
use crate::model::facts::Facts;
use crate::model::ids;
use crate::model::resolve::Resolver;
use crate::model::vocab::cw;
use crate::source::manifest::{Manifest, Source};
use crate::store::Db;
use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::{GraphName, NamedNode, Quad};
use std::path::{Path, PathBuf};

const ONTOLOGY: &str = include_str!("../../ontology/crosswalk.ttl");

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
    pub inferred: crate::load::infer::Summary,
    /// Graphs left as they were because their content had not changed (on-disk stores).
    pub unchanged: Vec<NamedNode>,
}

impl Report {
    /// Whether the source's graph was left as it was (same content as the store's).
    pub fn is_unchanged(&self, source_id: &str) -> bool {
        self.unchanged.contains(&ids::graph_iri(source_id))
    }

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
    Start {
        total: usize,
    },
    Source {
        id: &'a str,
    },
    /// Everything is imported and inferred; the store is being written.
    Write {
        quads: usize,
    },
    Done,
}

pub use crate::model::digest::sha256_hex;

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

/// One source imported, not yet written.
#[derive(Debug)]
pub struct Imported {
    pub graph: NamedNode,
    pub quads: Vec<Quad>,
    pub warnings: Vec<String>,
}

/// Imports one source from explicit files into the quads of its graph (with provenance).
pub fn import_source(
    source: &Source,
    files: &[InputFile],
    resolver: &Resolver,
) -> Result<Imported> {
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
    Ok(Imported {
        graph,
        quads,
        warnings: out.warnings,
    })
}

/// Loads the sources named by `ids` (all when empty) that are present under `dir`, and
/// re-infers. Every source is imported (each resolved against the graphs in the store and the
/// sources imported before it) and inference derived before the store is touched; then all
/// replaced graphs are written in one step. So bad input leaves the store exactly as it was.
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
    let mut report = Report::default();
    let mut located = Vec::new();
    for source in selected {
        match source.locate(dir) {
            Ok(p) => located.push((source, p)),
            Err(file) => report
                .sources
                .push((source.id.clone(), Outcome::Missing { file })),
        }
    }
    write_sources(db, located, true, &mut report, progress)?;
    progress(Event::Done);
    Ok(report)
}

/// The core of every load: imports `located` in order (each resolved against the store's
/// other graphs and the sources before it), derives `graph/inferred` from all of it, and
/// replaces those graphs (and the ontology's, with `ontology`) in one write, which in memory
/// runs on a second thread as each graph is ready ([`Db::replace_graphs_from`]).
pub fn write_sources(
    db: &Db,
    located: Vec<(&Source, Vec<PathBuf>)>,
    ontology: bool,
    report: &mut Report,
    progress: &mut dyn FnMut(Event<'_>),
) -> Result<()> {
    let started = std::time::Instant::now();
    let replaced: Vec<NamedNode> = located
        .iter()
        .map(|(s, _)| ids::graph_iri(&s.id))
        .chain(ontology.then(ids::ontology_graph))
        .collect();
    let facts = Facts::from_store(db, &replaced)?;
    tracing::debug!(
        ms = started.elapsed().as_millis(),
        "facts read from the store"
    );
    // On disk, graph/inferred as it stands is what the facts before this load derive: a
    // changed inferred graph is then compared with that derivation instead of being read
    // back (the store checks it against the recorded digest first).
    let mut previous: Vec<crate::store::Previous<'_>> = Vec::new();
    if db.location().is_some() {
        let mut before = facts.clone();
        let replaced = replaced.clone();
        previous.push((
            ids::inferred_graph(),
            Box::new(move || {
                before.add_from_store(db, &replaced)?;
                let inferred = ids::inferred_graph();
                Ok(crate::load::infer::derive(&before)?
                    .0
                    .into_iter()
                    .find(|(g, _)| *g == inferred)
                    .map(|(_, q)| q)
                    .unwrap_or_default())
            }),
        ));
    }
    // The inferred partitions there are now: one this load no longer derives is emptied.
    let existing = db
        .inner()
        .named_graphs()
        .collect::<std::result::Result<Vec<_>, _>>()?;
    let mut times = (0, 0);
    // Moved into the producer, so that it is freed before the store writes (on disk the
    // write follows the producer; the facts of a full load were ~10 % of its peak memory).
    let mut facts = Some(facts);
    report.unchanged = db.replace_graphs_from(previous, |put| {
        let mut facts = facts.take().unwrap_or_default();
        let mut total = 0;
        if ontology {
            let quads = ontology_quads()?;
            total += quads.len();
            put(&ids::ontology_graph(), quads)?;
        }
        let mut resolver = Resolver::from_facts(&facts);
        for (source, paths) in located {
            progress(Event::Source { id: &source.id });
            let at = std::time::Instant::now();
            let files = read_files(source, &paths)?;
            let i = import_source(source, &files, &resolver)?;
            let imported = at.elapsed().as_millis();
            facts.add_quads(&i.quads);
            tracing::debug!(source = %source.id, quads = i.quads.len(), import_ms = imported, facts_ms = at.elapsed().as_millis() - imported, "imported");
            if i.quads
                .iter()
                .any(|q| q.predicate.as_ref() == cw::LOOKUP_KEY)
            {
                // The next source resolves against this one's elements too.
                resolver = Resolver::from_facts(&facts);
            }
            report.sources.push((
                source.id.clone(),
                Outcome::Loaded {
                    graph: i.graph.clone(),
                    triples: i.quads.len(),
                    warnings: i.warnings,
                },
            ));
            total += i.quads.len();
            put(&i.graph, i.quads)?;
        }
        times.0 = started.elapsed().as_millis();
        let mut derived: Vec<NamedNode> = Vec::new();
        report.inferred = crate::load::infer::derive_into(&facts, &mut |g, q| {
            if !derived.contains(g) {
                derived.push(g.clone());
            }
            put(g, q)
        })?;
        for g in crate::load::infer::inferred_graphs(existing) {
            if !derived.contains(&g) {
                put(&g, Vec::new())?;
            }
        }
        times.1 = started.elapsed().as_millis();
        progress(Event::Write {
            quads: total + report.inferred.triples,
        });
        Ok(())
    })?;
    tracing::debug!(
        import_ms = times.0,
        infer_ms = times.1 - times.0,
        write_ms = started.elapsed().as_millis() - times.1,
        "load phases (in memory the write overlaps both)"
    );
    Ok(())
}
