//! Linked data: every IRI the graph mints under `https://w3id.org/crosswalk/` answers here at
//! its path (`/id/…` an element, `/doc/…` a document release), so a w3id.org redirect of that
//! prefix to a `crosswalk serve` makes the IRIs resolve. Browsers (`Accept: text/html`) get the
//! element's card on the page (303 to `/#browse=ID`), or an HTML table of the triples for a
//! resource without a notation; RDF clients its triples as Turtle, JSON-LD, N-Triples or
//! RDF/XML. `/ontology` is the vocabulary, `/context.jsonld` the JSON-LD context of the
//! project's prefixes. Everything is read through named queries (`resource`, `ontology`), so
//! it answers the same over a remote engine.
use super::AppState;
use super::failure::Failure;
use crate::model::vocab::BASE;
use crate::query::{Solutions, named};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use oxigraph::io::RdfFormat;
use oxigraph::model::{NamedNode, NamedOrBlankNode, Term, Triple};

const SKOS_NOTATION: &str = "http://www.w3.org/2004/02/skos/core#notation";

/// `GET /id/…`, `/doc/…`: the resource whose IRI is the vocabulary's base plus this path.
pub(super) async fn resource(State(st): State<AppState>, req: Request) -> Response {
    let path = req.uri().path().trim_start_matches('/').to_owned();
    let iri = format!("{BASE}{path}");
    let Ok(node) = NamedNode::new(&iri) else {
        return Failure::bad_request(format!("`{iri}` is not an IRI")).into_response();
    };
    let headers = req.headers().clone();
    let args = [("resource".to_owned(), iri.clone())];
    let sol = match super::api::on_store(&st, move |on| named("resource")?.run(on, &args)).await {
        Ok(s) => s,
        Err(f) => return f.into_response(),
    };
    if sol.rows.is_empty() {
        return Failure::not_found(format!("the graph says nothing about <{iri}>")).into_response();
    }
    let triples: Vec<Triple> = sol
        .rows
        .iter()
        .filter_map(|r| match (&r[0], &r[1]) {
            (Some(Term::NamedNode(p)), Some(o)) => {
                Some(Triple::new(node.clone(), p.clone(), o.clone()))
            }
            _ => None,
        })
        .collect();
    if wants_html(&headers) {
        let notation = triples.iter().find_map(|t| match &t.object {
            Term::Literal(l) if t.predicate.as_str() == SKOS_NOTATION => Some(l.value().to_owned()),
            _ => None,
        });
        return match notation {
            Some(n) if path.starts_with("id/") => {
                let to = format!("/#browse={}", encode(&n));
                (StatusCode::SEE_OTHER, [(header::LOCATION, to)]).into_response()
            }
            _ => html(&iri, &triples),
        };
    }
    rdf(&headers, &triples)
}

/// `GET /ontology`: the vocabulary's triples.
pub(super) async fn ontology(State(st): State<AppState>, headers: HeaderMap) -> Response {
    let sol: Solutions = match super::api::on_store(&st, |on| named("ontology")?.run(on, &[])).await
    {
        Ok(s) => s,
        Err(f) => return f.into_response(),
    };
    let triples: Vec<Triple> = sol
        .rows
        .iter()
        .filter_map(|r| {
            let s: NamedOrBlankNode = match r[0].clone()? {
                Term::NamedNode(n) => n.into(),
                Term::BlankNode(b) => b.into(),
                _ => return None,
            };
            let Some(Term::NamedNode(p)) = r[1].clone() else {
                return None;
            };
            Some(Triple::new(s, p, r[2].clone()?))
        })
        .collect();
    if wants_html(&headers) {
        return html("https://w3id.org/crosswalk/ontology", &triples);
    }
    rdf(&headers, &triples)
}

/// `GET /context.jsonld`: the project's prefixes as a JSON-LD 1.1 context.
pub(super) async fn context() -> Response {
    (
        [(header::CONTENT_TYPE, "application/ld+json")],
        serde_json::to_string_pretty(&context_document()).unwrap_or_default(),
    )
        .into_response()
}

/// The JSON-LD context: one term per prefix of [`crate::model::vocab::PREFIXES`] (`cw`, `skos`, `dcterms`, …);
/// `export --format jsonld` compacts with the same one.
pub fn context_document() -> serde_json::Value {
    serde_json::json!({ "@context": crate::model::vocab::jsonld_context() })
}

/// A browser asks for HTML first; an RDF client names its format.
fn wants_html(headers: &HeaderMap) -> bool {
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    accept.contains("text/html") || accept.contains("application/xhtml+xml")
}

fn rdf(headers: &HeaderMap, triples: &[Triple]) -> Response {
    let accept = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok());
    let (format, media) = match super::negotiate::graph_store(accept) {
        Ok(x) => x,
        Err(offered) => return Failure::not_acceptable(&offered).into_response(),
    };
    match serialize(format, triples) {
        Ok(body) => {
            let mut r = body.into_response();
            r.headers_mut()
                .insert(header::CONTENT_TYPE, HeaderValue::from_static(media));
            r.headers_mut()
                .insert(header::VARY, HeaderValue::from_static("accept"));
            r
        }
        Err(e) => Failure::internal(format!("serializing triples: {e}")).into_response(),
    }
}

fn serialize(format: RdfFormat, triples: &[Triple]) -> std::io::Result<Vec<u8>> {
    let mut w = crate::model::vocab::rdf_serializer(format).for_writer(Vec::new());
    for t in triples {
        w.serialize_triple(t)?;
    }
    w.finish()
}

/// A plain HTML table of the triples (every value escaped), for a resource the page has no
/// card for.
fn html(iri: &str, triples: &[Triple]) -> Response {
    let mut out = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{0}</title>\
         <link rel=\"stylesheet\" href=\"/app.css\"></head><body><h1>{0}</h1>\
         <table><thead><tr><th>property</th><th>value</th></tr></thead><tbody>",
        escape(iri)
    );
    for t in triples {
        let value = match &t.object {
            Term::NamedNode(n) => link(n.as_str()),
            Term::Literal(l) => escape(l.value()),
            other => escape(&other.to_string()),
        };
        out.push_str(&format!(
            "<tr><td>{}</td><td>{value}</td></tr>",
            link(t.predicate.as_str())
        ));
    }
    out.push_str("</tbody></table></body></html>");
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::VARY, "accept"),
        ],
        out,
    )
        .into_response()
}

/// An IRI as a link: one of ours to its path on this server, any other as is.
fn link(iri: &str) -> String {
    let href = iri.strip_prefix(BASE).map(|p| format!("/{p}"));
    format!(
        "<a href=\"{}\">{}</a>",
        escape(href.as_deref().unwrap_or(iri)),
        escape(iri)
    )
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn encode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}
