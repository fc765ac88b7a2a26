//! Every answer rendered, in one place: solutions of a named query or of the user's SPARQL
//! (`results`), the answers of `show`, `map`, `coverage`, `path` (`answers`) — as an aligned
//! table for people, CSV / TSV / Markdown for documents, JSON for programs. The CLI and the
//! HTTP API both call these.
pub mod answers;
pub mod card;
pub mod check;
pub mod report;
pub mod results;

use crate::query::{Solutions, term_text};
use oxigraph::model::Term;
use std::fmt::Write;
use std::sync::atomic::{AtomicUsize, Ordering};

/// How an answer is printed. Each value also answers to its media type and file extension
/// (`--format text/csv`, `--format application/json`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    #[value(alias = "text/csv")]
    Csv,
    #[value(alias = "text/tab-separated-values")]
    Tsv,
    #[value(alias = "application/json")]
    Json,
    /// A Markdown (GFM) table.
    #[value(alias = "md", alias = "text/markdown")]
    Markdown,
}

impl Format {
    /// The media type an HTTP answer in this format carries.
    pub fn media_type(self) -> &'static str {
        match self {
            Format::Table => "text/plain; charset=utf-8",
            Format::Csv => "text/csv; charset=utf-8",
            Format::Tsv => "text/tab-separated-values; charset=utf-8",
            Format::Json => "application/json",
            Format::Markdown => "text/markdown; charset=utf-8",
        }
    }

    /// The format named as `--format` names it (any case; media types and aliases too).
    pub fn named(name: &str) -> Option<Format> {
        <Format as clap::ValueEnum>::from_str(name.trim(), true).ok()
    }
}

/// `crosswalk query`'s output: an answer format (table, CSV, TSV, JSON rows, Markdown) for
/// SELECT/ASK, the SPARQL results formats, or RDF for CONSTRUCT/DESCRIBE (a table is Turtle
/// there). Media types and file extensions are accepted too.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueryFormat {
    Answer(Format),
    /// SPARQL 1.1 Query Results JSON.
    SparqlJson,
    /// SPARQL Query Results XML.
    SparqlXml,
    Turtle,
    Ntriples,
    Nquads,
}

impl clap::ValueEnum for QueryFormat {
    fn value_variants<'a>() -> &'a [Self] {
        use Format::*;
        &[
            QueryFormat::Answer(Table),
            QueryFormat::Answer(Csv),
            QueryFormat::Answer(Tsv),
            QueryFormat::Answer(Json),
            QueryFormat::Answer(Markdown),
            QueryFormat::SparqlJson,
            QueryFormat::SparqlXml,
            QueryFormat::Turtle,
            QueryFormat::Ntriples,
            QueryFormat::Nquads,
        ]
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        use clap::builder::PossibleValue as V;
        Some(match self {
            QueryFormat::Answer(f) => f.to_possible_value()?,
            QueryFormat::SparqlJson => V::new("sparql-json")
                .aliases(["srj", "application/sparql-results+json"])
                .help("SPARQL 1.1 Query Results JSON"),
            QueryFormat::SparqlXml => V::new("sparql-xml")
                .aliases(["srx", "application/sparql-results+xml"])
                .help("SPARQL Query Results XML"),
            QueryFormat::Turtle => V::new("turtle").aliases(["ttl", "text/turtle"]),
            QueryFormat::Ntriples => V::new("ntriples").aliases(["nt", "application/n-triples"]),
            QueryFormat::Nquads => V::new("nquads").aliases(["nq", "application/n-quads"]),
        })
    }
}

/// `crosswalk check`'s report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CheckFormat {
    #[value(alias = "text/plain")]
    Text,
    /// ontology/check-report.schema.json
    #[value(alias = "application/json")]
    Json,
    /// SARIF 2.1.0
    #[value(alias = "application/sarif+json")]
    Sarif,
}

pub use crate::answer::export::ExportFormat;

pub fn render(s: &Solutions, f: Format) -> String {
    match f {
        Format::Table => table(s),
        Format::Csv => delimited(s, b','),
        Format::Tsv => delimited(s, b'\t'),
        Format::Json => json(s).to_string() + "\n",
        Format::Markdown => {
            let rows: Vec<Vec<String>> = s
                .rows
                .iter()
                .map(|r| r.iter().map(cell).collect())
                .collect();
            let vars: Vec<&str> = s.vars.iter().map(String::as_str).collect();
            markdown_table(&vars, &rows)
        }
    }
}

/// A GFM table; `|` in a cell is escaped and a line break becomes a space, so every row stays
/// one line.
pub fn markdown_table(header: &[&str], rows: &[Vec<String>]) -> String {
    let esc = |c: &str| c.replace('|', "\\|").replace(['\n', '\r'], " ");
    let mut out = String::new();
    let _ = writeln!(
        out,
        "| {} |",
        header
            .iter()
            .map(|h| esc(h))
            .collect::<Vec<_>>()
            .join(" | ")
    );
    let _ = writeln!(out, "|{}", "---|".repeat(header.len()));
    for r in rows {
        let _ = writeln!(
            out,
            "| {} |",
            r.iter().map(|c| esc(c)).collect::<Vec<_>>().join(" | ")
        );
    }
    out
}

fn cell(t: &Option<Term>) -> String {
    t.as_ref().map(term_text).unwrap_or_default()
}

/// How wide a table may be, in columns (0: no limit, `--wide`). A property of the terminal
/// the binary sets once at start, as it sets colour; 100 by default.
static TABLE_WIDTH: AtomicUsize = AtomicUsize::new(DEFAULT_WIDTH);

/// The width tables and lists fit unless `--wide` is given.
pub const DEFAULT_WIDTH: usize = 100;

/// `--wide`: tables as wide as their content, IRIs in full.
pub fn set_wide(wide: bool) {
    TABLE_WIDTH.store(if wide { 0 } else { DEFAULT_WIDTH }, Ordering::Relaxed);
}

/// Whether tables print in full (`--wide`).
pub fn is_wide() -> bool {
    TABLE_WIDTH.load(Ordering::Relaxed) == 0
}

/// Prefixes a table abbreviates IRIs with: the vocabulary's, plus the element and mapping
/// namespaces. Display only — every one used is listed under the table, and `--wide` (or
/// `--format csv`/`json`) gives full IRIs.
const DISPLAY_PREFIXES: &[(&str, &str)] = &[
    ("id", "https://w3id.org/crosswalk/id/"),
    ("mapping", "https://w3id.org/crosswalk/mapping/"),
];

/// `iri` as `prefix:local` when a known prefix covers it, with the prefix used.
fn abbreviate(iri: &str) -> Option<(String, &'static str, &'static str)> {
    crate::model::vocab::PREFIXES
        .iter()
        .chain(DISPLAY_PREFIXES)
        .filter(|(_, ns)| iri.starts_with(ns) && iri.len() > ns.len())
        .max_by_key(|(_, ns)| ns.len())
        .map(|(p, ns)| (format!("{p}:{}", &iri[ns.len()..]), *p, *ns))
}

pub fn table(s: &Solutions) -> String {
    let wide = is_wide();
    let mut used = std::collections::BTreeMap::new();
    let mut t = comfy_table::Table::new();
    t.load_preset(comfy_table::presets::UTF8_BORDERS_ONLY);
    t.set_content_arrangement(comfy_table::ContentArrangement::Disabled);
    t.set_header(s.vars.clone());
    let mut cells: Vec<Vec<String>> = Vec::with_capacity(s.rows.len());
    for r in &s.rows {
        let row: Vec<String> = r
            .iter()
            .map(|c| {
                let mut v = match c {
                    Some(Term::NamedNode(n)) if !wide => match abbreviate(n.as_str()) {
                        Some((short, p, ns)) => {
                            used.insert(p, ns);
                            short
                        }
                        None => n.as_str().to_owned(),
                    },
                    _ => cell(c),
                };
                let max = if wide { 120 } else { 300 };
                if v.chars().count() > max {
                    v = v.chars().take(max - 3).collect::<String>() + "...";
                }
                v
            })
            .collect();
        t.add_row(row.clone());
        cells.push(row);
    }
    let mut out = t.to_string();
    if !wide && out.lines().any(|l| l.chars().count() > DEFAULT_WIDTH) {
        // Too wide for a table: one record per row, `name  value`, long values wrapped (as
        // psql's expanded display does).
        out = records(&s.vars, &cells);
    }
    let _ = writeln!(out, "\n{} row(s)", s.rows.len());
    if !used.is_empty() {
        let list: Vec<String> = used.iter().map(|(p, ns)| format!("{p}: <{ns}>")).collect();
        let _ = writeln!(
            out,
            "{}",
            wrap(&format!("prefixes: {}", list.join(", ")), DEFAULT_WIDTH)
        );
        let _ = writeln!(out, "(--wide: full IRIs, no wrapping)");
    }
    out
}

/// Rows as records: each value after its column's name, wrapped to [`DEFAULT_WIDTH`] under
/// itself; a blank line between rows; empty values left out.
fn records(vars: &[String], rows: &[Vec<String>]) -> String {
    let name_w = vars.iter().map(|v| v.chars().count()).max().unwrap_or(0);
    let value_w = DEFAULT_WIDTH.saturating_sub(name_w + 2).max(20);
    let indent = " ".repeat(name_w + 2);
    let mut out = String::new();
    for (i, row) in rows.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        for (var, v) in vars.iter().zip(row) {
            if v.is_empty() {
                continue;
            }
            let flat = v.split_whitespace().collect::<Vec<_>>().join(" ");
            let wrapped = wrap(&flat, value_w);
            for (j, line) in wrapped.lines().enumerate() {
                if j == 0 {
                    let _ = writeln!(out, "{var:<name_w$}  {line}");
                } else {
                    let _ = writeln!(out, "{indent}{line}");
                }
            }
        }
    }
    out
}

/// `text` broken at spaces into lines of at most `width` characters.
pub fn wrap(text: &str, width: usize) -> String {
    let mut out = String::new();
    let mut line = 0;
    let words = text.split(' ').flat_map(|w| {
        // A word longer than the width (a long IRI) is cut into pieces that fit.
        let chars: Vec<char> = w.chars().collect();
        chars
            .chunks(width.max(1))
            .map(|c| c.iter().collect::<String>())
            .collect::<Vec<_>>()
    });
    for word in words {
        let n = word.chars().count();
        if line > 0 && line + 1 + n > width {
            out.push('\n');
            line = 0;
        } else if line > 0 {
            out.push(' ');
            line += 1;
        }
        out.push_str(&word);
        line += n;
    }
    out
}

fn delimited(s: &Solutions, sep: u8) -> String {
    let mut w = csv::WriterBuilder::new()
        .delimiter(sep)
        .from_writer(Vec::new());
    let _ = w.write_record(&s.vars);
    for r in &s.rows {
        let _ = w.write_record(r.iter().map(cell));
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// An array of objects, one per row, with plain string values (absent = missing key).
pub fn json(s: &Solutions) -> serde_json::Value {
    serde_json::Value::Array(
        s.rows
            .iter()
            .map(|r| {
                let mut m = serde_json::Map::new();
                for (v, c) in s.vars.iter().zip(r) {
                    if let Some(t) = c {
                        m.insert(v.clone(), serde_json::Value::String(term_text(t)));
                    }
                }
                serde_json::Value::Object(m)
            })
            .collect(),
    )
}

/// Between the values of a list-valued CSV/TSV cell (covering controls, say). Not a space:
/// ISO/IEC 27001 ids contain spaces; no loaded id contains `|` (a test checks).
pub const LIST_SEPARATOR: &str = "|";
