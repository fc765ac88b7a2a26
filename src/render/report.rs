//! What the housekeeping commands print: a load's report, `stats`, `validate`'s SHACL results,
//! the sources and the named queries.
use super::{Format, render};
use crate::load::{Event, Report};
use crate::model::error::{Error, Result};
use crate::query::{NamedQuery, named};
use crate::source::fetch::Fetched;
use crate::source::manifest::Manifest;
use crate::store::Db;
use std::io::Write;
use std::path::Path;

fn io(e: std::io::Error) -> Error {
    Error::io("<output>", e)
}

/// `load`: each source loaded (or left the same), its warnings, the missing ones.
pub fn load<W: Write>(
    out: &mut W,
    report: &Report,
    quads: usize,
    took: std::time::Duration,
) -> Result<()> {
    for (id, n, warnings) in report.loaded() {
        let what = if report.is_unchanged(id) {
            "same   "
        } else {
            "loaded "
        };
        writeln!(out, "{what} {id:<28} {n:>7} triples").map_err(io)?;
        for w in warnings {
            writeln!(out, "  warning: {w}").map_err(io)?;
        }
    }
    for (id, file) in report.missing() {
        writeln!(
            out,
            "missing {id:<28} {} (run `crosswalk fetch {id}`)",
            file.display()
        )
        .map_err(io)?;
    }
    writeln!(out, "{quads} quads in the store, {took:.2?}").map_err(io)
}

/// `stats`: elements per document, the mapping sets, and (table) triples per named graph,
/// with each graph's canonical digest when asked.
/// `local` is the embedded store (`None` on a remote engine: graph sizes by a query, no
/// canonical digests).
pub fn stats<W: Write>(
    out: &mut W,
    on: &dyn crate::query::Sparql,
    local: Option<&Db>,
    format: Format,
    digest: bool,
) -> Result<()> {
    let s = named("stats-elements")?.run(on, &[])?;
    write!(out, "{}", render(&s, format)).map_err(io)?;
    let sets = named("mapping-sets")?.run(on, &[])?;
    write!(out, "\nmapping sets:\n{}", render(&sets, format)).map_err(io)?;
    if format != Format::Table {
        return Ok(());
    }
    let Some(db) = local else {
        if digest {
            return Err(Error::Invalid(
                "stats --digest reads the embedded store, not --endpoint".into(),
            ));
        }
        // The graphs `crosswalk push` wrote (each records its digest), not the engine's own
        // (Virtuoso keeps system graphs beside them).
        let sizes = on.select(
            "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?g <https://w3id.org/crosswalk/ontology#loadDigest> ?d . ?s ?p ?o } } GROUP BY ?g ORDER BY ?g",
            &[],
        )?;
        writeln!(out, "\nnamed graphs (pushed):").map_err(io)?;
        for (g, n) in sizes.strings("g").iter().zip(sizes.strings("n")) {
            writeln!(out, "  {g:<62} {n:>8}").map_err(io)?;
        }
        return Ok(());
    };
    if digest {
        writeln!(
            out,
            "\nnamed graphs (triples; RDFC-1.0 SHA-256 digest of the content, load provenance excluded):"
        )
        .map_err(io)?;
    } else {
        writeln!(out, "\nnamed graphs:").map_err(io)?;
    }
    // Graph names in `cwg:` form unless --wide (a digest line is 64 more characters).
    let wide = super::is_wide();
    let col = if wide { 62 } else { 44 };
    for (g, n) in db.graph_sizes()? {
        let d = if digest {
            db.graph_digest(&g)?
        } else {
            String::new()
        };
        let name = match g.as_str().strip_prefix("https://w3id.org/crosswalk/graph/") {
            Some(local) if !wide => format!("cwg:{local}"),
            _ => g.as_str().to_owned(),
        };
        writeln!(out, "  {name:<col$} {n:>8}  {d}").map_err(io)?;
    }
    writeln!(out, "  {:<col$} {:>8}", "total", db.len()?).map_err(io)
}

/// `validate`: SHACL results in pyshacl's JSON shape (tests/shacl_crosscheck.py).
pub fn shacl<W: Write, T: serde::Serialize>(out: &mut W, results: &[T]) -> Result<()> {
    let v = serde_json::json!({ "conforms": results.is_empty(), "results": results });
    serde_json::to_writer_pretty(&mut *out, &v).map_err(|e| io(std::io::Error::other(e)))?;
    writeln!(out).map_err(io)
}

/// `sources`: each source of the manifest and whether it is in the sources directory.
pub fn sources<W: Write>(out: &mut W, manifest: &Manifest, dir: &Path) -> Result<()> {
    for s in &manifest.source {
        let here = if s.locate(dir).is_ok() {
            "present"
        } else {
            "missing"
        };
        writeln!(
            out,
            "{:<28} {here:<8} {:<16} {}",
            s.id, s.importer, s.description
        )
        .map_err(io)?;
    }
    Ok(())
}

/// `queries`: the named queries, their questions and parameters.
pub fn queries<W: Write>(out: &mut W, library: &[NamedQuery]) -> Result<()> {
    for q in library {
        writeln!(out, "{:<28} {}", q.name, q.question).map_err(io)?;
        for p in &q.params {
            writeln!(out, "    --param {}=<{}>  {}", p.name, p.kind, p.doc).map_err(io)?;
        }
    }
    Ok(())
}

/// `fetch`: each file of a source, downloaded (size, sha256) or already up to date.
pub fn fetched<W: Write>(out: &mut W, id: &str, files: &[Fetched]) -> Result<()> {
    for f in files {
        match f {
            Fetched::Downloaded {
                path,
                bytes,
                sha256,
            } => writeln!(
                out,
                "{id}: downloaded {} ({bytes} bytes, sha256 {sha256})",
                path.display()
            ),
            Fetched::Cached { path } => writeln!(out, "{id}: up to date {}", path.display()),
        }
        .map_err(io)?;
    }
    Ok(())
}

/// `load`'s progress bar on the terminal: one step per source, then the write.
pub struct LoadBar(indicatif::ProgressBar);

impl Default for LoadBar {
    fn default() -> Self {
        let pb = indicatif::ProgressBar::new(0);
        pb.set_style(
            indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} {msg}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        LoadBar(pb)
    }
}

impl LoadBar {
    pub fn event(&mut self, e: Event<'_>) {
        match e {
            Event::Start { total } => self.0.set_length(total as u64),
            Event::Source { id } => {
                self.0.set_message(id.to_owned());
                self.0.inc(1);
            }
            Event::Write { quads } => self.0.set_message(format!("writing {quads} quads")),
            Event::Done => self.0.finish_and_clear(),
        }
    }
}
