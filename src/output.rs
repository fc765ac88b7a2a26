//! Renders solutions for people (aligned table) and programs (CSV, TSV, JSON).
use crate::query::{Solutions, term_text};
use oxigraph::model::Term;
use std::fmt::Write;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Csv,
    Tsv,
    Json,
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

/// An RDF serializer that abbreviates with the project's prefixes (`vocab::PREFIXES`, all
/// valid constant IRIs, so none can be refused; one that were is skipped, not an error).
pub fn rdf_serializer(format: oxigraph::io::RdfFormat) -> oxigraph::io::RdfSerializer {
    let mut ser = oxigraph::io::RdfSerializer::from_format(format);
    for (p, iri) in crate::vocab::PREFIXES {
        ser = match ser.clone().with_prefix(*p, *iri) {
            Ok(s) => s,
            Err(_) => ser,
        };
    }
    ser
}

/// Between the values of a list-valued CSV/TSV cell (covering controls, say). Not a space:
/// ISO/IEC 27001 ids contain spaces; no loaded id contains `|` (a test checks).
pub const LIST_SEPARATOR: &str = "|";
