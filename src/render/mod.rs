//! Renders solutions for people (aligned table) and programs (CSV, TSV, JSON).
pub mod check;
use crate::query::{Solutions, term_text};
use oxigraph::model::Term;
use std::fmt::Write;

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
}

/// `crosswalk query`'s output: a table for people, SPARQL results formats for SELECT/ASK,
/// RDF formats for CONSTRUCT/DESCRIBE. Media types and file extensions are accepted too.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum QueryFormat {
    /// Aligned columns (SELECT), `true`/`false` (ASK), Turtle (CONSTRUCT).
    Table,
    #[value(alias = "text/csv")]
    Csv,
    #[value(alias = "text/tab-separated-values")]
    Tsv,
    /// Rows as JSON objects (SELECT).
    #[value(alias = "application/json")]
    Json,
    /// SPARQL 1.1 Query Results JSON.
    #[value(alias = "srj", alias = "application/sparql-results+json")]
    SparqlJson,
    /// SPARQL Query Results XML.
    #[value(alias = "srx", alias = "application/sparql-results+xml")]
    SparqlXml,
    #[value(alias = "ttl", alias = "text/turtle")]
    Turtle,
    #[value(alias = "nt", alias = "application/n-triples")]
    Ntriples,
    #[value(alias = "nq", alias = "application/n-quads")]
    Nquads,
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

pub fn render(s: &Solutions, f: Format) -> String {
    match f {
        Format::Table => table(s),
        Format::Csv => delimited(s, b','),
        Format::Tsv => delimited(s, b'\t'),
        Format::Json => json(s).to_string() + "\n",
    }
}

fn cell(t: &Option<Term>) -> String {
    t.as_ref().map(term_text).unwrap_or_default()
}

pub fn table(s: &Solutions) -> String {
    let mut t = comfy_table::Table::new();
    t.load_preset(comfy_table::presets::UTF8_BORDERS_ONLY);
    t.set_content_arrangement(comfy_table::ContentArrangement::Dynamic);
    t.set_header(s.vars.clone());
    for r in &s.rows {
        t.add_row(r.iter().map(|c| {
            let mut v = cell(c);
            if v.chars().count() > 120 {
                v = v.chars().take(117).collect::<String>() + "...";
            }
            v
        }));
    }
    let mut out = t.to_string();
    let _ = writeln!(out, "\n{} row(s)", s.rows.len());
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
