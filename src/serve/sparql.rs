//! SPARQL 1.1 Protocol (<https://www.w3.org/TR/sparql11-protocol/>): query via GET, POST form
//! and POST `application/sparql-query`; update via POST form and `application/sparql-update`
//! (refused unless a token is configured); protocol datasets; content negotiation; and the
//! SPARQL 1.1 Service Description when `/sparql` is fetched without a query.
use super::failure::Failure;
use super::{AppState, blocking_open, blocking_write, negotiate};
use axum::body::Bytes;
use axum::extract::{OriginalUri, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use oxigraph::io::RdfFormat;
use oxigraph::model::{
    BlankNode, GraphName, Literal, NamedNode, NamedOrBlankNode, Quad, Term, Triple,
};
use oxigraph::sparql::results::QueryResultsSerializer;
use oxigraph::sparql::{
    QueryEvaluationError, QueryResults, SparqlEvaluator, UpdateEvaluationError,
};

/// Protocol parameters of one request.
#[derive(Default)]
struct Request {
    query: Option<String>,
    update: Option<String>,
    default_graphs: Vec<String>,
    named_graphs: Vec<String>,
    using_graphs: Vec<String>,
    using_named_graphs: Vec<String>,
}

impl Request {
    /// Reads URL-encoded parameters (a query string or a form body). A second `query` or
    /// `update` is refused: the protocol takes exactly one, and picking one would answer
    /// another question than the client asked.
    fn add(&mut self, pairs: &[u8]) -> Result<(), Failure> {
        for (k, v) in form_urlencoded::parse(pairs) {
            match &*k {
                "query" => Self::set(&mut self.query, "query", v.into_owned())?,
                "update" => Self::set(&mut self.update, "update", v.into_owned())?,
                "default-graph-uri" => self.default_graphs.push(v.into_owned()),
                "named-graph-uri" => self.named_graphs.push(v.into_owned()),
                "using-graph-uri" => self.using_graphs.push(v.into_owned()),
                "using-named-graph-uri" => self.using_named_graphs.push(v.into_owned()),
                _ => {}
            }
        }
        Ok(())
    }

    fn set(slot: &mut Option<String>, name: &str, value: String) -> Result<(), Failure> {
        if slot.is_some() {
            return Err(Failure::bad_request(format!(
                "more than one `{name}`: a SPARQL Protocol request carries exactly one"
            )));
        }
        *slot = Some(value);
        Ok(())
    }

    /// A query's request: no update, no update dataset.
    fn for_query(&self) -> Result<(), Failure> {
        if self.update.is_some() {
            return Err(Failure::bad_request(
                "a request carries a query or an update, not both",
            ));
        }
        if !self.using_graphs.is_empty() || !self.using_named_graphs.is_empty() {
            return Err(Failure::bad_request(
                "using-graph-uri and using-named-graph-uri name an update's dataset; a query's \
                 is default-graph-uri and named-graph-uri",
            ));
        }
        Ok(())
    }

    /// An update's request: no query, no query dataset.
    fn for_update(&self) -> Result<(), Failure> {
        if self.query.is_some() {
            return Err(Failure::bad_request(
                "a request carries a query or an update, not both",
            ));
        }
        if !self.default_graphs.is_empty() || !self.named_graphs.is_empty() {
            return Err(Failure::bad_request(
                "default-graph-uri and named-graph-uri name a query's dataset; an update's is \
                 using-graph-uri and using-named-graph-uri",
            ));
        }
        Ok(())
    }
}

pub(super) async fn get(
    State(st): State<AppState>,
    headers: HeaderMap,
    OriginalUri(uri): OriginalUri,
) -> Response {
    let mut req = Request::default();
    if let Err(f) = req.add(uri.query().unwrap_or_default().as_bytes()) {
        return f.text();
    }
    if req.update.is_some() {
        return Failure::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            "SPARQL Update must be sent with POST",
        )
        .text();
    }
    match req.query.take() {
        Some(query) => {
            if let Err(f) = req.for_query() {
                return f.text();
            }
            let base = st.base(&headers, uri.path());
            run_query(&st, &headers, base, query, req).await
        }
        None => service_description(&st, &headers, uri.path()),
    }
}

pub(super) async fn post(
    State(st): State<AppState>,
    headers: HeaderMap,
    OriginalUri(uri): OriginalUri,
    body: Bytes,
) -> Response {
    match post_inner(&st, &headers, &uri, body).await {
        Ok(r) => r,
        Err(f) => f.text(),
    }
}

async fn post_inner(
    st: &AppState,
    headers: &HeaderMap,
    uri: &axum::http::Uri,
    body: Bytes,
) -> Result<Response, Failure> {
    let mut req = Request::default();
    req.add(uri.query().unwrap_or_default().as_bytes())?;
    let (media, charset) = content_type(headers);
    if let Some(cs) = charset.filter(|c| !c.eq_ignore_ascii_case("utf-8")) {
        return Err(Failure::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            format!("SPARQL requests are UTF-8; the Content-Type says charset={cs}"),
        ));
    }
    let text = || {
        String::from_utf8(body.to_vec())
            .map_err(|_| Failure::bad_request("the request body is not UTF-8"))
    };
    let base = st.base(headers, uri.path());
    match media.as_str() {
        "application/x-www-form-urlencoded" => {
            req.add(&body)?;
            if let Some(u) = req.update.take() {
                req.for_update()?;
                return Ok(run_update(st, headers, base, u, req).await);
            }
            match req.query.take() {
                Some(query) => {
                    req.for_query()?;
                    Ok(run_query(st, headers, base, query, req).await)
                }
                None => Err(Failure::bad_request(
                    "the form has neither `query` nor `update`",
                )),
            }
        }
        "application/sparql-query" => {
            Request::set(&mut req.query, "query", text()?)?;
            req.for_query()?;
            let query = req.query.take().unwrap_or_default();
            Ok(run_query(st, headers, base, query, req).await)
        }
        "application/sparql-update" => {
            Request::set(&mut req.update, "update", text()?)?;
            req.for_update()?;
            let update = req.update.take().unwrap_or_default();
            Ok(run_update(st, headers, base, update, req).await)
        }
        other => Err(Failure::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            format!(
                "Content-Type `{other}` is not a SPARQL request; use application/sparql-query, \
                 application/sparql-update or application/x-www-form-urlencoded"
            ),
        )),
    }
}

/// The request's media type (lowercased, without parameters) and its `charset`, if any.
pub(super) fn content_type(headers: &HeaderMap) -> (String, Option<String>) {
    let value = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let mut parts = value.split(';');
    let media = parts.next().unwrap_or("").trim().to_ascii_lowercase();
    let charset = parts
        .filter_map(|p| p.split_once('='))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("charset"))
        .map(|(_, v)| v.trim().trim_matches('"').to_owned());
    (media, charset)
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

async fn run_query(
    st: &AppState,
    headers: &HeaderMap,
    base: String,
    text: String,
    req: Request,
) -> Response {
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
    let remote = st.cfg.remote.clone();
    let result = blocking_open(st, move |token| -> Result<Body, Failure> {
        crate::model::sparql_text::check_nesting(&text)
            .map_err(|e| Failure::new(StatusCode::BAD_REQUEST, "bad_query", e.to_string()))?;
        if let Some(r) = remote {
            return proxied(&r, &text, &defaults, &named, accept.as_deref(), max_rows);
        }
        // Relative IRIs resolve against the endpoint's URL (or `serve --base`), as the
        // protocol's tests expect of a service-defined base IRI.
        let mut prepared = crate::store::cancellable(&token)
            .with_base_iri(base.as_str())
            .map_err(|e| bad_base(&base, &e))?
            .parse_query(&text)
            .map_err(|e| {
                Failure::new(
                    StatusCode::BAD_REQUEST,
                    "bad_query",
                    crate::model::sparql_text::syntax_message(&text, false, &e),
                )
            })?;
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
        let fail = |e: QueryEvaluationError| evaluation_failure(&e, token.is_cancelled());
        // Evaluation is lazy: negotiating on the result's form costs nothing before a 406.
        let results = prepared.on_store(db.inner()).execute().map_err(fail)?;
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

fn bad_base(base: &str, e: &dyn std::fmt::Display) -> Failure {
    Failure::bad_request(format!(
        "the base IRI `{base}` (the request's URL, or `serve --base`) is not an IRI: {e}"
    ))
}

/// An evaluation error, classified: what the query asked for and this endpoint refuses or does
/// not have (SERVICE, an unknown function) is the client's (400); the rest is 500.
fn evaluation_failure(e: &QueryEvaluationError, cancelled: bool) -> Failure {
    if cancelled {
        return Failure::cancelled();
    }
    use QueryEvaluationError as E;
    match e {
        E::UnsupportedCustomFunction(_) | E::UnsupportedCustomFunctionArity { .. } => Failure::new(
            StatusCode::BAD_REQUEST,
            "unsupported_function",
            format!("{e}: this endpoint has SPARQL 1.1's functions only"),
        ),
        E::UnsupportedService(_) | E::UnboundService | E::InvalidServiceName(_) | E::Service(_) => {
            Failure::new(
                StatusCode::BAD_REQUEST,
                "service_refused",
                format!(
                    "{e}: this endpoint does not federate (SERVICE is refused: a public \
                     endpoint does not fetch URLs for its clients)"
                ),
            )
        }
        E::NotExistingSubstitutedVariable(_) => {
            Failure::new(StatusCode::BAD_REQUEST, "bad_query", e.to_string())
        }
        E::Cancelled => Failure::cancelled(),
        _ => Failure::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "evaluation_error",
            e.to_string(),
        ),
    }
}

type Format = Result<oxigraph::sparql::results::QueryResultsFormat, RdfFormat>;

/// `serve --endpoint`: the query goes to the engine as it came (the engine's dataset: no
/// `default-graph-uri`/`named-graph-uri`), its results come back in the negotiated format,
/// cut at `--max-rows` as here.
fn proxied(
    remote: &crate::query::Remote,
    text: &str,
    defaults: &[NamedNode],
    named: &[NamedNode],
    accept: Option<&str>,
    max_rows: usize,
) -> Result<Body, Failure> {
    if !defaults.is_empty() || !named.is_empty() {
        return Err(Failure::new(
            StatusCode::BAD_REQUEST,
            "bad_request",
            "default-graph-uri and named-graph-uri are not forwarded to the remote engine (serve --endpoint)".to_owned(),
        ));
    }
    let results = remote
        .query(text, &[])
        .map_err(|e| Failure::new(StatusCode::BAD_GATEWAY, "remote_error", e.to_string()))?;
    let (format, media): (Format, &'static str) = match &results {
        QueryResults::Graph(_) => negotiate::graph(accept)
            .map(|(f, m)| (Err(f), m))
            .map_err(|o| Failure::not_acceptable(&o))?,
        _ => negotiate::solutions(accept)
            .map(|(f, m)| (Ok(f), m))
            .map_err(|o| Failure::not_acceptable(&o))?,
    };
    let fail = |e: QueryEvaluationError| evaluation_failure(&e, false);
    serialize(results, format, max_rows, &fail).map(|(b, cut)| (b, media, cut))
}

fn serialize(
    results: QueryResults<'static>,
    format: Format,
    max_rows: usize,
    fail: &dyn Fn(QueryEvaluationError) -> Failure,
) -> Result<(Vec<u8>, Option<usize>), Failure> {
    let io = |e: std::io::Error| {
        Failure::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "evaluation_error",
            e.to_string(),
        )
    };
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
                w.serialize(&s.map_err(fail)?).map_err(io)?;
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
                w.serialize_triple(&t.map_err(fail)?).map_err(io)?;
            }
            Ok((w.finish().map_err(io)?, cut))
        }
        _ => Err(Failure::ours("query form and negotiated format disagree")),
    }
}

/// Lets a write through only with a configured bearer token: 403 `read_only` when the server
/// has none, 401 `unauthorized` (with `WWW-Authenticate: Bearer`) when the request has no
/// valid one. `what` names the write in the message.
pub(super) fn authorize(st: &AppState, headers: &HeaderMap, what: &str) -> Result<(), Failure> {
    if st.cfg.update_tokens.is_empty() {
        return Err(Failure::new(
            StatusCode::FORBIDDEN,
            "read_only",
            format!(
                "this endpoint is read-only; {what} needs `crosswalk serve --update-token TOKEN` \
                 and `Authorization: Bearer TOKEN`"
            ),
        ));
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
        return Err(Failure::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            format!("{what} needs `Authorization: Bearer TOKEN` with a configured token"),
        ));
    }
    Ok(())
}

/// An update's failure, classified for the transaction: what the update asked for that cannot
/// be done (a graph CREATEd twice, DROPped while absent, SERVICE, LOAD of a URL) is the
/// client's ([`crate::Error::Invalid`], 400); a storage fault is ours.
pub(super) fn update_error(e: UpdateEvaluationError) -> crate::Error {
    use UpdateEvaluationError as E;
    match e {
        E::Storage(_) => crate::Error::QueryEvaluation(e.to_string()),
        // Built without an HTTP client, `LOAD <url>` fails this way.
        E::Unexpected(m) if m.to_string().contains("HTTP client") => crate::Error::Invalid(
            "LOAD is refused: this endpoint does not fetch URLs for its clients".into(),
        ),
        E::Unexpected(m) => crate::Error::QueryEvaluation(m.to_string()),
        E::Service(_) | E::UnboundService | E::InvalidServiceName(_) | E::UnsupportedService(_) => {
            crate::Error::Invalid(format!(
                "{e}: this endpoint does not federate (SERVICE is refused)"
            ))
        }
        other => crate::Error::Invalid(other.to_string()),
    }
}

/// A write's transaction failure as the client sees it: its own mistake 4xx, ours 500 (the
/// detail logged, not sent).
pub(super) fn write_failure(e: crate::Error) -> Failure {
    match e {
        crate::Error::Invalid(m) => Failure::new(
            StatusCode::BAD_REQUEST,
            "update_error",
            format!("the update was not applied: {m}"),
        ),
        crate::Error::NotFound(m) => Failure::not_found(m),
        crate::Error::Internal(detail) => {
            tracing::error!("the update was not applied: {detail}");
            Failure::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "update_error",
                format!(
                    "the update was not applied: {}",
                    super::failure::INTERNAL_MESSAGE
                ),
            )
        }
        other => Failure::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "update_error",
            format!("the update was not applied: {other}"),
        ),
    }
}

async fn run_update(
    st: &AppState,
    headers: &HeaderMap,
    base: String,
    text: String,
    req: Request,
) -> Response {
    if let Err(f) = authorize(st, headers, "SPARQL Update") {
        return f.text();
    }
    let defaults = match iris(&req.using_graphs, "using-graph-uri") {
        Ok(v) => v,
        Err(f) => return f.text(),
    };
    let named = match iris(&req.using_named_graphs, "using-named-graph-uri") {
        Ok(v) => v,
        Err(f) => return f.text(),
    };
    let db = st.db.clone();
    let result = blocking_write(st, move |_token| {
        crate::model::sparql_text::check_nesting(&text)
            .map_err(|e| Failure::new(StatusCode::BAD_REQUEST, "bad_query", e.to_string()))?;
        let mut prepared = SparqlEvaluator::new()
            .with_base_iri(base.as_str())
            .map_err(|e| bad_base(&base, &e))?
            .parse_update(&text)
            .map_err(|e| {
                Failure::new(
                    StatusCode::BAD_REQUEST,
                    "bad_query",
                    crate::model::sparql_text::syntax_message(&text, true, &e),
                )
            })?;
        // The protocol's dataset applies to every DELETE/INSERT operation; one that names its
        // own (USING, USING NAMED, WITH) conflicts with it (SPARQL 1.1 Protocol, 2.2.3).
        if !defaults.is_empty() || !named.is_empty() {
            for ds in prepared.using_datasets_mut() {
                if !ds.is_default_dataset() {
                    return Err(Failure::new(
                        StatusCode::BAD_REQUEST,
                        "dataset_conflict",
                        "the update names its dataset (USING, USING NAMED or WITH) and the \
                         request names one too (using-graph-uri, using-named-graph-uri): the \
                         SPARQL 1.1 Protocol refuses the pair",
                    ));
                }
                ds.set_default_graph(defaults.iter().cloned().map(GraphName::NamedNode).collect());
                ds.set_available_named_graphs(
                    named
                        .iter()
                        .cloned()
                        .map(NamedOrBlankNode::NamedNode)
                        .collect(),
                );
            }
        }
        // One transaction: the update, the load digests it voids and graph/inferred derived
        // from what it left (an edit to graph/inferred itself is overwritten, as a load
        // would). Any failure rolls all of it back, so the store never holds an update
        // without its inference.
        db.transaction(|tx| {
            prepared
                .on_transaction(tx)
                .execute()
                .map_err(update_error)?;
            // The graphs' load digests no longer vouch for their content.
            crate::store::Db::forget_load_digests_in(tx)?;
            crate::load::infer::materialise_in(&db, tx)
                .map_err(|e| crate::Error::Internal(format!("re-inference failed: {e}")))?;
            Ok(())
        })
        .map_err(write_failure)
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
fn service_description(st: &AppState, headers: &HeaderMap, path: &str) -> Response {
    let (format, media) = match negotiate::graph(accept(headers).as_deref()) {
        Ok(x) => x,
        Err(offered) => return Failure::not_acceptable(&offered).text(),
    };
    // The endpoint is the URL the description was fetched from (`/sparql`, `/sparql/` or
    // `/query`): what a client checks it against. The Graph Store is its sibling `/store`.
    let (endpoint, graph_store) = match (
        NamedNode::new(super::request_url(headers, path)),
        NamedNode::new(super::request_url(headers, "/store")),
    ) {
        (Ok(e), Ok(g)) => (e, g),
        (Err(e), _) | (_, Err(e)) => {
            return Failure::bad_request(format!("the request's Host is not part of an IRI: {e}"))
                .text();
        }
    };
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
    add(&format!("{sd}endpoint"), endpoint.into());
    add(
        crate::model::vocab::cw::GRAPH_STORE.as_str(),
        graph_store.into(),
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
            triples.push(Triple::new(
                ng.clone(),
                rdf_type.clone(),
                n(&format!("{sd}NamedGraph")),
            ));
            triples.push(Triple::new(ng.clone(), n(&format!("{sd}name")), g));
            triples.push(Triple::new(ng, n(&format!("{sd}graph")), gd.clone()));
            triples.push(Triple::new(
                gd.clone(),
                rdf_type.clone(),
                n(&format!("{sd}Graph")),
            ));
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
