//! SPARQL 1.1 Protocol (<https://www.w3.org/TR/sparql11-protocol/>): query via GET, POST form
//! and POST `application/sparql-query`; update via POST form and `application/sparql-update`
//! (refused unless a token is configured); protocol datasets; content negotiation; and the
//! SPARQL 1.1 Service Description when `/sparql` is fetched without a query.
use super::failure::Failure;
use super::{AppState, blocking_open, blocking_write, negotiate};
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use oxigraph::io::RdfFormat;
use oxigraph::model::{
    BlankNode, GraphName, Literal, NamedNode, NamedOrBlankNode, Quad, Term, Triple,
};
use oxigraph::sparql::results::QueryResultsSerializer;
use oxigraph::sparql::{QueryResults, SparqlEvaluator};

/// Protocol parameters of one request.
#[derive(Default)]
struct Request {
    query: Option<String>,
    update: Option<String>,
    default_graphs: Vec<String>,
    named_graphs: Vec<String>,
}

impl Request {
    fn add(&mut self, pairs: &[u8]) {
        for (k, v) in form_urlencoded::parse(pairs) {
            match &*k {
                "query" => self.query = Some(v.into_owned()),
                "update" => self.update = Some(v.into_owned()),
                "default-graph-uri" | "using-graph-uri" => self.default_graphs.push(v.into_owned()),
                "named-graph-uri" | "using-named-graph-uri" => {
                    self.named_graphs.push(v.into_owned())
                }
                _ => {}
            }
        }
    }
}

pub(super) async fn get(
    State(st): State<AppState>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    let mut req = Request::default();
    req.add(q.unwrap_or_default().as_bytes());
    if req.update.is_some() {
        return Failure::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            "SPARQL Update must be sent with POST",
        )
        .text();
    }
    match req.query.take() {
        Some(query) => run_query(&st, &headers, query, req).await,
        None => service_description(&st, &headers),
    }
}

pub(super) async fn post(
    State(st): State<AppState>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
    body: Bytes,
) -> Response {
    let mut req = Request::default();
    req.add(q.unwrap_or_default().as_bytes());
    let media = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
        .unwrap_or_default();
    let text = || {
        String::from_utf8(body.to_vec())
            .map_err(|_| Failure::bad_request("the request body is not UTF-8"))
    };
    match media.as_str() {
        "application/x-www-form-urlencoded" => {
            req.query = None;
            req.update = None;
            req.add(&body);
            if let Some(u) = req.update.take() {
                return run_update(&st, &headers, u).await;
            }
            match req.query.take() {
                Some(query) => run_query(&st, &headers, query, req).await,
                None => Failure::bad_request("the form has neither `query` nor `update`").text(),
            }
        }
        "application/sparql-query" => match text() {
            Ok(query) => run_query(&st, &headers, query, req).await,
            Err(f) => f.text(),
        },
        "application/sparql-update" => match text() {
            Ok(u) => run_update(&st, &headers, u).await,
            Err(f) => f.text(),
        },
        other => Failure::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            format!(
                "Content-Type `{other}` is not a SPARQL request; use application/sparql-query, \
                 application/sparql-update or application/x-www-form-urlencoded"
            ),
        )
        .text(),
    }
}

fn accept(headers: &HeaderMap) -> Option<String> {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

fn iris(list: &[String], what: &str) -> Result<Vec<NamedNode>, Failure> {
    list.iter()
        .map(|g| {
            NamedNode::new(g.as_str())
                .map_err(|e| Failure::bad_request(format!("{what} `{g}` is not an IRI: {e}")))
        })
        .collect()
}

/// The response body, its media type, and how many rows were cut (if any).
type Body = (Vec<u8>, &'static str, Option<usize>);

async fn run_query(st: &AppState, headers: &HeaderMap, text: String, req: Request) -> Response {
    let accept = accept(headers);
    let defaults = match iris(&req.default_graphs, "default-graph-uri") {
        Ok(v) => v,
        Err(f) => return f.text(),
    };
    let named = match iris(&req.named_graphs, "named-graph-uri") {
        Ok(v) => v,
        Err(f) => return f.text(),
    };
    let db = st.db.clone();
    let max_rows = st.cfg.max_rows;
    let result = blocking_open(st, move |token| -> Result<Body, Failure> {
        crate::model::sparql_text::check_nesting(&text)
            .map_err(|e| Failure::new(StatusCode::BAD_REQUEST, "bad_query", e.to_string()))?;
        let mut prepared = crate::store::cancellable(&token)
            .parse_query(&text)
            .map_err(|e| Failure::new(StatusCode::BAD_REQUEST, "bad_query", e.to_string()))?;
        let ds = prepared.dataset_mut();
        if !defaults.is_empty() || !named.is_empty() {
            ds.set_default_graph(defaults.into_iter().map(GraphName::NamedNode).collect());
            ds.set_available_named_graphs(
                named.into_iter().map(NamedOrBlankNode::NamedNode).collect(),
            );
        } else if ds.is_default_dataset() {
            // Same dataset as the CLI: the default graph is the union of all graphs.
            ds.set_default_graph_as_union();
        }
        let fail = |e: &dyn std::fmt::Display| {
            if token.is_cancelled() {
                Failure::cancelled()
            } else {
                Failure::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "evaluation_error",
                    e.to_string(),
                )
            }
        };
        // Evaluation is lazy: negotiating on the result's form costs nothing before a 406.
        let results = prepared
            .on_store(db.inner())
            .execute()
            .map_err(|e| fail(&e))?;
        let (format, media): (Format, &'static str) = match &results {
            QueryResults::Graph(_) => negotiate::graph(accept.as_deref())
                .map(|(f, m)| (Err(f), m))
                .map_err(|o| Failure::not_acceptable(&o))?,
            _ => negotiate::solutions(accept.as_deref())
                .map(|(f, m)| (Ok(f), m))
                .map_err(|o| Failure::not_acceptable(&o))?,
        };
        serialize(results, format, max_rows, &fail).map(|(b, cut)| (b, media, cut))
    })
    .await;
    match result {
        Ok((body, media, cut)) => {
            let mut r = (StatusCode::OK, body).into_response();
            r.headers_mut()
                .insert(header::CONTENT_TYPE, HeaderValue::from_static(media));
            r.headers_mut()
                .insert(header::VARY, HeaderValue::from_static("accept"));
            if let Some(n) = cut
                && let Ok(v) = HeaderValue::from_str(&format!("rows={n}"))
            {
                r.headers_mut().insert("crosswalk-truncated", v);
            }
            r
        }
        Err(f) => f.text(),
    }
}

type Format = Result<oxigraph::sparql::results::QueryResultsFormat, RdfFormat>;

fn serialize(
    results: QueryResults<'static>,
    format: Format,
    max_rows: usize,
    fail: &dyn Fn(&dyn std::fmt::Display) -> Failure,
) -> Result<(Vec<u8>, Option<usize>), Failure> {
    let io = |e: std::io::Error| fail(&e);
    match (results, format) {
        (QueryResults::Boolean(b), Ok(f)) => Ok((
            QueryResultsSerializer::from_format(f)
                .serialize_boolean_to_writer(Vec::new(), b)
                .map_err(io)?,
            None,
        )),
        (QueryResults::Solutions(sols), Ok(f)) => {
            let mut w = QueryResultsSerializer::from_format(f)
                .serialize_solutions_to_writer(Vec::new(), sols.variables().to_vec())
                .map_err(io)?;
            let mut cut = None;
            for (n, s) in sols.enumerate() {
                if n == max_rows {
                    cut = Some(max_rows);
                    break;
                }
                w.serialize(&s.map_err(|e| fail(&e))?).map_err(io)?;
            }
            Ok((w.finish().map_err(io)?, cut))
        }
        (QueryResults::Graph(triples), Err(f)) => {
            let mut w = crate::model::vocab::rdf_serializer(f).for_writer(Vec::new());
            let mut cut = None;
            for (n, t) in triples.enumerate() {
                if n == max_rows {
                    cut = Some(max_rows);
                    break;
                }
                w.serialize_triple(&t.map_err(|e| fail(&e))?).map_err(io)?;
            }
            Ok((w.finish().map_err(io)?, cut))
        }
        _ => Err(Failure::ours("query form and negotiated format disagree")),
    }
}

async fn run_update(st: &AppState, headers: &HeaderMap, text: String) -> Response {
    if st.cfg.update_tokens.is_empty() {
        return Failure::new(
            StatusCode::FORBIDDEN,
            "read_only",
            "this endpoint is read-only; updates need `crosswalk serve --update-token TOKEN` \
             and `Authorization: Bearer TOKEN`",
        )
        .text();
    }
    let presented = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    let allowed = presented.is_some_and(|p| {
        st.cfg
            .update_tokens
            .iter()
            .any(|t| constant_time_eq(t.as_bytes(), p.as_bytes()))
    });
    if !allowed {
        return Failure::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "SPARQL Update needs `Authorization: Bearer TOKEN` with a configured token",
        )
        .text();
    }
    let db = st.db.clone();
    let result = blocking_write(st, move |_token| {
        crate::model::sparql_text::check_nesting(&text)
            .map_err(|e| Failure::new(StatusCode::BAD_REQUEST, "bad_query", e.to_string()))?;
        let prepared = SparqlEvaluator::new()
            .parse_update(&text)
            .map_err(|e| Failure::new(StatusCode::BAD_REQUEST, "bad_query", e.to_string()))?;
        // One transaction: the update, the load digests it voids and graph/inferred derived
        // from what it left (an edit to graph/inferred itself is overwritten, as a load
        // would). Any failure rolls all of it back, so the store never holds an update
        // without its inference.
        db.transaction(|tx| {
            prepared
                .on_transaction(tx)
                .execute()
                .map_err(|e| crate::Error::QueryEvaluation(e.to_string()))?;
            // The graphs' load digests no longer vouch for their content.
            crate::store::Db::forget_load_digests_in(tx)?;
            crate::load::infer::materialise_in(&db, tx)
                .map_err(|e| crate::Error::Internal(format!("re-inference failed: {e}")))?;
            Ok(())
        })
        .map_err(|e| {
            // A failed re-inference (or any fault of ours) is logged, not sent.
            let why = if let crate::Error::Internal(detail) = &e {
                tracing::error!("the update was not applied: {detail}");
                super::failure::INTERNAL_MESSAGE.to_owned()
            } else {
                e.to_string()
            };
            Failure::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "update_error",
                format!("the update was not applied: {why}"),
            )
        })
    })
    .await;
    match result {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(f) => f.text(),
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// SPARQL 1.1 Service Description (<https://www.w3.org/TR/sparql11-service-description/>).
fn service_description(st: &AppState, headers: &HeaderMap) -> Response {
    let (format, media) = match negotiate::graph(accept(headers).as_deref()) {
        Ok(x) => x,
        Err(offered) => return Failure::not_acceptable(&offered).text(),
    };
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("localhost");
    let sd = "http://www.w3.org/ns/sparql-service-description#";
    let formats = "http://www.w3.org/ns/formats/";
    let n = |s: &str| NamedNode::new_unchecked(s);
    let rdf_type = n("http://www.w3.org/1999/02/22-rdf-syntax-ns#type");
    let service = BlankNode::default();
    let mut triples = vec![Triple::new(
        service.clone(),
        rdf_type.clone(),
        n(&format!("{sd}Service")),
    )];
    let mut add = |p: &str, o: Term| triples.push(Triple::new(service.clone(), n(p), o));
    add(
        &format!("{sd}endpoint"),
        n(&format!("http://{host}/sparql")).into(),
    );
    add(
        &format!("{sd}supportedLanguage"),
        n(&format!("{sd}SPARQL11Query")).into(),
    );
    if !st.cfg.update_tokens.is_empty() {
        add(
            &format!("{sd}supportedLanguage"),
            n(&format!("{sd}SPARQL11Update")).into(),
        );
    }
    add(
        &format!("{sd}feature"),
        n(&format!("{sd}UnionDefaultGraph")).into(),
    );
    for f in [
        "SPARQL_Results_JSON",
        "SPARQL_Results_XML",
        "SPARQL_Results_CSV",
        "SPARQL_Results_TSV",
        "Turtle",
        "N-Triples",
        "JSON-LD",
        "RDF_XML",
        "N-Quads",
        "TriG",
    ] {
        add(
            &format!("{sd}resultFormat"),
            n(&format!("{formats}{f}")).into(),
        );
    }
    add(
        "http://purl.org/dc/terms/title",
        Literal::new_simple_literal("crosswalk SPARQL endpoint").into(),
    );
    let dataset = BlankNode::default();
    triples.push(Triple::new(
        service.clone(),
        n(&format!("{sd}defaultDataset")),
        dataset.clone(),
    ));
    triples.push(Triple::new(
        dataset.clone(),
        rdf_type.clone(),
        n(&format!("{sd}Dataset")),
    ));
    if let Ok(graphs) = st.db.graph_sizes() {
        for (g, size) in graphs {
            let ng = BlankNode::default();
            let gd = BlankNode::default();
            triples.push(Triple::new(
                dataset.clone(),
                n(&format!("{sd}namedGraph")),
                ng.clone(),
            ));
            triples.push(Triple::new(ng.clone(), n(&format!("{sd}name")), g));
            triples.push(Triple::new(ng, n(&format!("{sd}graph")), gd.clone()));
            triples.push(Triple::new(
                gd,
                n("http://rdfs.org/ns/void#triples"),
                Literal::from(size as i64),
            ));
        }
    }
    let mut w = crate::model::vocab::rdf_serializer(format).for_writer(Vec::new());
    for t in &triples {
        if let Err(e) = w.serialize_quad(&Quad::new(
            t.subject.clone(),
            t.predicate.clone(),
            t.object.clone(),
            GraphName::DefaultGraph,
        )) {
            return Failure::internal(e.to_string()).text();
        }
    }
    match w.finish() {
        Ok(body) => ([(header::CONTENT_TYPE, media)], body).into_response(),
        Err(e) => Failure::internal(e.to_string()).text(),
    }
}
