//! HTTP content negotiation (RFC 9110 `Accept` with q-values) over the formats Oxigraph
//! serializes.
use oxigraph::io::{JsonLdProfileSet, RdfFormat};
use oxigraph::sparql::results::QueryResultsFormat;

/// Media types for SELECT/ASK results, preferred first (the default for `*/*` or no Accept).
const SOLUTIONS: &[(&str, QueryResultsFormat)] = &[
    ("application/sparql-results+json", QueryResultsFormat::Json),
    ("application/sparql-results+xml", QueryResultsFormat::Xml),
    ("text/csv", QueryResultsFormat::Csv),
    ("text/tab-separated-values", QueryResultsFormat::Tsv),
    ("application/json", QueryResultsFormat::Json),
    ("application/xml", QueryResultsFormat::Xml),
    // What Fuseki, Virtuoso and older clients (SPARQLWrapper's XML) ask for.
    ("text/xml", QueryResultsFormat::Xml),
];

/// Media types for CONSTRUCT/DESCRIBE results (and the service description).
const GRAPHS: &[(&str, RdfFormat)] = &[
    ("text/turtle", RdfFormat::Turtle),
    ("application/n-triples", RdfFormat::NTriples),
    (
        "application/ld+json",
        RdfFormat::JsonLd {
            profile: JsonLdProfileSet::empty(),
        },
    ),
    ("application/rdf+xml", RdfFormat::RdfXml),
    ("application/n-quads", RdfFormat::NQuads),
    ("application/trig", RdfFormat::TriG),
    ("text/plain", RdfFormat::NTriples),
];

/// Media types for the API's answers (map, coverage, gaps, path), JSON first: the formats of
/// the CLI's `--format`.
const ANSWERS: &[(&str, crate::render::Format)] = &[
    ("application/json", crate::render::Format::Json),
    ("text/csv", crate::render::Format::Csv),
    ("text/tab-separated-values", crate::render::Format::Tsv),
    ("text/markdown", crate::render::Format::Markdown),
    ("text/plain", crate::render::Format::Table),
];

pub fn answer(accept: Option<&str>) -> Result<crate::render::Format, Vec<&'static str>> {
    pick(accept, ANSWERS).map(|(f, _)| f)
}

/// For the API's answers that only JSON gives (element cards, lists, the OpenAPI document):
/// `Err` lists the one offer.
pub fn json(accept: Option<&str>) -> Result<(), Vec<&'static str>> {
    pick(accept, &[("application/json", ())]).map(|_| ())
}

/// The format for SELECT/ASK results and its `Content-Type`: the media type matched, with
/// `charset=utf-8` on the `text/` ones (CSV, TSV and `text/xml` would otherwise be read as
/// US-ASCII or ISO-8859-1 by some clients).
pub fn solutions(
    accept: Option<&str>,
) -> Result<(QueryResultsFormat, &'static str), Vec<&'static str>> {
    pick(accept, SOLUTIONS).map(|(f, m)| (f, with_charset(m)))
}

pub fn graph(accept: Option<&str>) -> Result<(RdfFormat, &'static str), Vec<&'static str>> {
    pick(accept, GRAPHS)
}

/// [`graph`] for the Graph Store Protocol, whose Turtle carries `charset=utf-8` (as its W3C
/// tests expect).
pub fn graph_store(accept: Option<&str>) -> Result<(RdfFormat, &'static str), Vec<&'static str>> {
    pick(accept, GRAPHS).map(|(f, m)| (f, with_charset(m)))
}

/// `media` with `; charset=utf-8` when it is a `text/` type.
fn with_charset(media: &'static str) -> &'static str {
    match media {
        "text/csv" => "text/csv; charset=utf-8",
        "text/tab-separated-values" => "text/tab-separated-values; charset=utf-8",
        "text/xml" => "text/xml; charset=utf-8",
        "text/turtle" => "text/turtle; charset=utf-8",
        "text/plain" => "text/plain; charset=utf-8",
        other => other,
    }
}

/// The offer with the highest q (ties: the server's order); `Err` lists what is offered.
fn pick<F: Copy>(
    accept: Option<&str>,
    offers: &[(&'static str, F)],
) -> Result<(F, &'static str), Vec<&'static str>> {
    let ranges = parse(accept.unwrap_or(""));
    if ranges.is_empty() {
        return Ok((offers[0].1, offers[0].0));
    }
    let mut best: Option<(f32, usize)> = None;
    for (i, (media, _)) in offers.iter().enumerate() {
        let q = quality(&ranges, media);
        if q > 0.0 && best.is_none_or(|(bq, _)| q > bq) {
            best = Some((q, i));
        }
    }
    match best {
        Some((_, i)) => Ok((offers[i].1, offers[i].0)),
        None => Err(offers.iter().map(|(m, _)| *m).collect()),
    }
}

/// (media range lowercased, q) pairs.
fn parse(accept: &str) -> Vec<(String, f32)> {
    accept
        .split(',')
        .filter_map(|part| {
            let mut it = part.split(';');
            let range = it.next()?.trim().to_ascii_lowercase();
            if range.is_empty() {
                return None;
            }
            let mut q = 1.0;
            for p in it {
                if let Some(v) = p.trim().strip_prefix("q=") {
                    q = v.trim().parse().unwrap_or(0.0);
                }
            }
            Some((range, q))
        })
        .collect()
}

/// q of the most specific range matching `media` (0 when none does).
fn quality(ranges: &[(String, f32)], media: &str) -> f32 {
    let (ty, _) = media.split_once('/').unwrap_or((media, ""));
    let mut found: Option<(u8, f32)> = None;
    for (r, q) in ranges {
        let specificity = if r == media {
            3
        } else if r.strip_suffix("/*") == Some(ty) {
            2
        } else if r == "*/*" {
            1
        } else {
            continue;
        };
        if found.is_none_or(|(s, _)| specificity > s) {
            found = Some((specificity, *q));
        }
    }
    found.map_or(0.0, |(_, q)| q)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_by_quality_then_order() {
        assert_eq!(
            solutions(None).map(|x| x.1),
            Ok("application/sparql-results+json")
        );
        assert_eq!(
            solutions(Some("*/*")).map(|x| x.1),
            Ok("application/sparql-results+json")
        );
        assert_eq!(
            solutions(Some("text/csv")).map(|x| x.1),
            Ok("text/csv; charset=utf-8")
        );
        assert_eq!(
            solutions(Some("text/xml")).map(|x| x.1),
            Ok("text/xml; charset=utf-8")
        );
        assert_eq!(
            solutions(Some(
                "application/sparql-results+json;q=0.5, application/sparql-results+xml"
            ))
            .map(|x| x.1),
            Ok("application/sparql-results+xml")
        );
        assert_eq!(
            graph(Some("text/*;q=0.9, application/n-triples")).map(|x| x.1),
            Ok("application/n-triples")
        );
        // A specific range with q=0 excludes it even if */* would match.
        assert_eq!(
            graph(Some("text/turtle;q=0, */*;q=0.1")).map(|x| x.1),
            Ok("application/n-triples")
        );
        assert!(solutions(Some("image/png")).is_err());
        assert!(graph(Some("application/sparql-results+json")).is_err());
    }
}
