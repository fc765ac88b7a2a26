//! The results of SPARQL the user wrote (`crosswalk query`): SELECT/ASK as a table, CSV, TSV,
//! JSON rows, Markdown or the SPARQL results formats; CONSTRUCT/DESCRIBE as RDF. Streams: a
//! large result is never held whole.
use super::{Format, QueryFormat};
use crate::model::error::{Error, Result};
use crate::query::Solutions;
use oxigraph::io::RdfFormat;
use oxigraph::sparql::QueryResults;
use oxigraph::sparql::results::{QueryResultsFormat, QueryResultsSerializer};
use std::io::Write;

fn io(e: std::io::Error) -> Error {
    Error::io("<output>", e)
}

/// A value's name as `--format` spells it.
pub fn format_name(v: impl clap::ValueEnum) -> String {
    v.to_possible_value()
        .map(|p| p.get_name().to_owned())
        .unwrap_or_default()
}

pub fn write<W: Write>(
    out: &mut W,
    results: QueryResults<'static>,
    format: QueryFormat,
) -> Result<()> {
    match results {
        QueryResults::Solutions(sols) => {
            let rf = match format {
                QueryFormat::SparqlJson => Some(QueryResultsFormat::Json),
                QueryFormat::SparqlXml => Some(QueryResultsFormat::Xml),
                _ => None,
            };
            if let Some(rf) = rf {
                let mut w = QueryResultsSerializer::from_format(rf)
                    .serialize_solutions_to_writer(out, sols.variables().to_vec())
                    .map_err(io)?;
                for s in sols {
                    w.serialize(&s?).map_err(io)?;
                }
                w.finish().map_err(io)?;
                return Ok(());
            }
            let f = match format {
                QueryFormat::Answer(f) => f,
                other => {
                    return Err(Error::Invalid(format!(
                        "--format {} is for CONSTRUCT/DESCRIBE results; SELECT gives table, csv, tsv, json, markdown, sparql-json or sparql-xml",
                        format_name(other)
                    )));
                }
            };
            let vars: Vec<String> = sols
                .variables()
                .iter()
                .map(|v| v.as_str().to_owned())
                .collect();
            let mut rows = Vec::new();
            for s in sols {
                let s = s?;
                rows.push(vars.iter().map(|v| s.get(v.as_str()).cloned()).collect());
            }
            write!(out, "{}", super::render(&Solutions { vars, rows }, f)).map_err(io)?;
        }
        QueryResults::Boolean(b) => match format {
            QueryFormat::SparqlJson => {
                QueryResultsSerializer::from_format(QueryResultsFormat::Json)
                    .serialize_boolean_to_writer(out, b)
                    .map_err(io)?;
            }
            QueryFormat::SparqlXml => {
                QueryResultsSerializer::from_format(QueryResultsFormat::Xml)
                    .serialize_boolean_to_writer(out, b)
                    .map_err(io)?;
            }
            _ => writeln!(out, "{b}").map_err(io)?,
        },
        QueryResults::Graph(triples) => {
            let rf = match format {
                QueryFormat::Turtle | QueryFormat::Answer(Format::Table) => RdfFormat::Turtle,
                QueryFormat::Ntriples => RdfFormat::NTriples,
                QueryFormat::Nquads => RdfFormat::NQuads,
                other => {
                    return Err(Error::Invalid(format!(
                        "--format {} is for SELECT/ASK results; CONSTRUCT/DESCRIBE give table, turtle, ntriples or nquads",
                        format_name(other)
                    )));
                }
            };
            let mut w = crate::model::vocab::rdf_serializer(rf).for_writer(out);
            for t in triples {
                w.serialize_triple(&t?).map_err(io)?;
            }
            w.finish().map_err(io)?;
        }
    }
    Ok(())
}
