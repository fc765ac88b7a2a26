//! The JSON API under `/api/v1`: the CLI's answers (`show`, `map`, `coverage`, `gaps`, `path`,
//! mapping sets, documents, named queries) as JSON, computed by the same library calls.
use super::failure::Failure;
use super::{AppState, blocking};
use crate::answer;
use crate::answer::card::{self, Shown};
use crate::query::{self, Cancellable, Solutions};
use crate::render;
use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, Request, State};
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use oxigraph::sparql::results::{QueryResultsFormat, QueryResultsSerializer};
use serde::Serialize;
use serde_json::{Value, json};

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/elements/{id}", get(element))
        .route("/search", get(search))
        .route("/map/{id}", get(map))
        .route("/coverage", get(coverage))
        .route("/gaps", get(gaps))
        .route("/path", get(path))
        .route("/diff", get(diff))
        .route("/mapping-sets", get(mapping_sets))
        .route("/documents", get(documents))
        .route("/queries", get(queries))
        .route("/queries/{name}", get(run_named_get).post(run_named_post))
        .route("/openapi.json", get(openapi))
        .route("/version", get(version))
        .layer(axum::middleware::from_fn(json_errors))
}

/// Every error of the API in its documented JSON shape: what the framework answers itself
/// before a handler runs (405 with an empty body, 400 for a path segment that is not UTF-8,
/// 413 over the body limit, all `text/plain`) becomes `{"error":{"code","message"}}` with the
/// same status (and `Allow` header).
async fn json_errors(req: Request, next: Next) -> Response {
    let (method, path) = (req.method().clone(), req.uri().path().to_owned());
    let r = next.run(req).await;
    let status = r.status();
    let json = r
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !(status.is_client_error() || status.is_server_error()) || json {
        return r;
    }
    let allow = r.headers().get(header::ALLOW).cloned();
    let text = axum::body::to_bytes(r.into_body(), 64 << 10)
        .await
        .map(|b| String::from_utf8_lossy(&b).trim().to_owned())
        .unwrap_or_default();
    let said = |fallback: String| {
        if text.is_empty() {
            fallback
        } else {
            text.clone()
        }
    };
    let allowed = allow
        .as_ref()
        .and_then(|a| a.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let reason = status.canonical_reason().unwrap_or("error").to_lowercase();
    let mut f = match status {
        StatusCode::METHOD_NOT_ALLOWED => Failure::new(
            status,
            "method_not_allowed",
            format!("{method} is not allowed on {path}; allowed: {allowed}"),
        ),
        StatusCode::PAYLOAD_TOO_LARGE => Failure::new(status, "too_large", said(reason)),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            Failure::new(status, "unsupported_media_type", said(reason))
        }
        StatusCode::NOT_FOUND => Failure::not_found(said(reason)),
        s if s.is_server_error() => Failure::ours(said(reason)),
        _ => Failure::bad_request(said(reason)),
    }
    .into_response();
    if let Some(a) = allow {
        f.headers_mut().insert(header::ALLOW, a);
    }
    f
}

/// 406 unless the request accepts JSON (for the answers only JSON gives).
fn accepts_json(headers: &HeaderMap) -> Result<(), Failure> {
    super::negotiate::json(headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()))
        .map_err(|offered| Failure::not_acceptable(&offered))
}

/// Query-string parameters as (name, value) pairs, in order.
fn pairs(q: Option<String>) -> Vec<(String, String)> {
    form_urlencoded::parse(q.unwrap_or_default().as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// Runs `f` on the blocking pool over a cancellable view of the store; library errors become
/// failures (a timeout's cancellation as `timeout`).
pub(super) async fn on_store<T: Send + 'static>(
    st: &AppState,
    f: impl FnOnce(&Cancellable) -> crate::Result<T> + Send + 'static,
) -> Result<T, Failure> {
    let db = st.db.clone();
    let remote = st.cfg.remote.clone();
    blocking(st, move |token| {
        let on = Cancellable {
            db: &db,
            token,
            remote: remote.as_ref(),
        };
        f(&on).map_err(|e| Failure::from_error(e, on.token.is_cancelled()))
    })
    .await
}

/// A library call's answer as JSON.
async fn answer<T: Serialize + Send + 'static>(
    st: &AppState,
    f: impl FnOnce(&Cancellable) -> crate::Result<T> + Send + 'static,
) -> Response {
    match on_store(st, f).await {
        Ok(v) => Json(v).into_response(),
        Err(f) => f.into_response(),
    }
}

async fn element(
    State(st): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    if let Err(f) = accepts_json(&headers) {
        return f.into_response();
    }
    answer(&st, move |on| {
        Ok(match card::show(on, &id)? {
            Shown::Cards(c) => json!({ "cards": c }),
            Shown::Dangling(d) => json!({ "dangling": d }),
        })
    })
    .await
}

/// A request type from the query string: `format` (the CLI's `--format` names, media types
/// too) is taken out first; the rest is the request's own fields, checked as strictly as the
/// command line checks them (unknown or repeated names, `true`/`false`, integer ranges).
fn request<T: serde::de::DeserializeOwned>(
    q: Option<String>,
    headers: &HeaderMap,
) -> Result<(T, render::Format), Failure> {
    let mut format = None;
    let mut rest = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs(q) {
        if k == "format" {
            if format.is_some() {
                return Err(Failure::new(
                    StatusCode::BAD_REQUEST,
                    "invalid_parameter",
                    "query parameter `format` is given more than once",
                ));
            }
            format = Some(render::Format::named(&v).ok_or_else(|| {
                Failure::new(
                    StatusCode::BAD_REQUEST,
                    "invalid_parameter",
                    format!("`format` is json, csv, tsv, markdown or table, not `{v}`"),
                )
            })?);
        } else {
            rest.append_pair(&k, &v);
        }
    }
    let rest = rest.finish();
    let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(rest.as_bytes()));
    let req = serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let m = e.into_inner().to_string();
        if let Some(f) = m.strip_prefix("unknown field ") {
            Failure::bad_request(format!("unknown query parameter {f}"))
        } else if let Some(f) = m.strip_prefix("missing field ") {
            Failure::bad_request(format!("missing query parameter {f}"))
        } else if let Some(f) = m.strip_prefix("duplicate field ") {
            Failure::new(
                StatusCode::BAD_REQUEST,
                "invalid_parameter",
                format!("query parameter {f} is given more than once"),
            )
        } else {
            Failure::new(
                StatusCode::BAD_REQUEST,
                "invalid_parameter",
                format!("`{path}` {m}"),
            )
        }
    })?;
    let format = match format {
        Some(f) => f,
        None => super::negotiate::answer(headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()))
            .map_err(|offered| Failure::not_acceptable(&offered))?,
    };
    Ok((req, format))
}

/// An answer as JSON (the API's own envelope, `json`) or, in any other format, rendered by
/// `render` exactly as the CLI's `--format` renders it.
async fn rendered<T: Send + 'static>(
    st: &AppState,
    format: render::Format,
    f: impl FnOnce(&Cancellable) -> crate::Result<T> + Send + 'static,
    json: impl FnOnce(T) -> Value + Send + 'static,
    text: impl FnOnce(&mut Vec<u8>, T, render::Format) -> std::io::Result<()> + Send + 'static,
) -> Response {
    let v = match on_store(st, f).await {
        Ok(v) => v,
        Err(f) => return f.into_response(),
    };
    if format == render::Format::Json {
        return Json(json(v)).into_response();
    }
    let mut body = Vec::new();
    match text(&mut body, v, format) {
        Ok(()) => ([(header::CONTENT_TYPE, format.media_type())], body).into_response(),
        Err(e) => Failure::internal(format!("rendering the answer: {e}")).into_response(),
    }
}

/// `GET /api/v1/search?q=…&scheme=…&kind=…&limit=…`: `crosswalk search` as JSON (`scheme`
/// and `kind` may repeat).
async fn search(State(st): State<AppState>, RawQuery(q): RawQuery, headers: HeaderMap) -> Response {
    if let Err(f) = accepts_json(&headers) {
        return f.into_response();
    }
    let mut req = answer::SearchRequest {
        limit: 20,
        ..Default::default()
    };
    for (k, v) in pairs(q) {
        match k.as_str() {
            "q" => req.text = v,
            "scheme" => req.schemes.push(v),
            "kind" => req.kinds.push(v),
            "limit" => match v.trim().parse::<u16>() {
                Ok(n) if (1..=1000).contains(&n) => req.limit = n,
                _ => {
                    return Failure::bad_request(format!(
                        "`limit` is an integer from 1 to 1000, not `{v}`"
                    ))
                    .into_response();
                }
            },
            other => {
                return Failure::bad_request(format!(
                    "unknown query parameter `{other}`; expected q, scheme, kind, limit"
                ))
                .into_response();
            }
        }
    }
    if req.text.trim().is_empty() {
        return Failure::bad_request("missing query parameter `q`".to_owned()).into_response();
    }
    let text = req.text.clone();
    answer(&st, move |on| {
        req.answer(on)
            .map(|hits| json!({ "q": text, "hits": hits }))
    })
    .await
}

async fn map(
    State(st): State<AppState>,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> Response {
    let (mut req, format) = match request::<answer::MapRequest>(q, &headers) {
        Ok(x) => x,
        Err(f) => return f.into_response(),
    };
    req.id = id;
    let (id, explain) = (req.id.clone(), req.explain);
    rendered(
        &st,
        format,
        move |on| req.answer(on),
        {
            let id = id.clone();
            move |answers| json!({ "element": id, "answers": answers })
        },
        move |out, answers, f| render::answers::map(out, &id, &answers, f, explain),
    )
    .await
}

async fn coverage_answer(
    st: AppState,
    q: Option<String>,
    headers: HeaderMap,
    gaps_only: bool,
) -> Response {
    let (req, format) = match request::<answer::CoverageRequest>(q, &headers) {
        Ok(x) => x,
        Err(f) => return f.into_response(),
    };
    if let Err(e) = req.validate() {
        return Failure::from_error(e, false).into_response();
    }
    rendered(
        &st,
        format,
        move |on| {
            if gaps_only {
                req.gaps(on)
            } else {
                req.answer(on)
            }
        },
        |cov| serde_json::to_value(cov).unwrap_or(Value::Null),
        move |out, cov, f| render::answers::coverage(out, &cov, f, gaps_only),
    )
    .await
}

async fn coverage(
    State(st): State<AppState>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> Response {
    coverage_answer(st, q, headers, false).await
}

async fn gaps(State(st): State<AppState>, RawQuery(q): RawQuery, headers: HeaderMap) -> Response {
    coverage_answer(st, q, headers, true).await
}

async fn path(State(st): State<AppState>, RawQuery(q): RawQuery, headers: HeaderMap) -> Response {
    let (req, format) = match request::<answer::PathRequest>(q, &headers) {
        Ok(x) => x,
        Err(f) => return f.into_response(),
    };
    let (from, to) = (req.from.clone(), req.to.clone());
    let (f2, t2) = (from.clone(), to.clone());
    rendered(
        &st,
        format,
        move |on| req.answer(on),
        move |hops| json!({ "from": from, "to": to, "hops": hops }),
        move |out, hops, f| render::answers::path(out, &f2, &t2, &hops, f),
    )
    .await
}

/// `GET /api/v1/diff?set=OLD&set=NEW`: the one request whose parameter repeats, read here
/// (serde's query strings have no repeated keys) with the same checks as the others.
async fn diff(State(st): State<AppState>, RawQuery(q): RawQuery, headers: HeaderMap) -> Response {
    let (req, format) = match diff_request(q, &headers) {
        Ok(x) => x,
        Err(f) => return f.into_response(),
    };
    rendered(
        &st,
        format,
        move |on| req.run(on),
        |d| json!(d),
        |out, d, f| render::answers::any_diff(out, &d, f),
    )
    .await
}

fn diff_request(
    q: Option<String>,
    headers: &HeaderMap,
) -> Result<(answer::DiffRequest, render::Format), Failure> {
    let (mut sets, mut docs) = (Vec::new(), Vec::new());
    let mut rest = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs(q) {
        match k.as_str() {
            "set" => sets.push(v),
            "doc" => docs.push(v),
            _ => {
                rest.append_pair(&k, &v);
            }
        }
    }
    let rest = rest.finish();
    // Only `format` and `carried` may remain: anything else is an unknown parameter (400).
    let (DiffFlags { carried }, format) =
        request::<DiffFlags>((!rest.is_empty()).then_some(rest), headers)?;
    if sets.is_empty() && docs.is_empty() {
        return Err(Failure::bad_request(
            "missing query parameter `set` (two mapping sets) or `doc` (one or two documents)"
                .to_owned(),
        ));
    }
    // Documents in the store only: a server never reads a file a request names.
    Ok((
        answer::DiffRequest {
            sets,
            docs,
            carried,
            files: false,
        },
        format,
    ))
}

/// `diff`'s parameters besides the repeated `set` / `doc` (and `format`).
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct DiffFlags {
    #[serde(default, deserialize_with = "flag")]
    carried: bool,
}

/// `true` / `false`, as the other requests read a flag.
fn flag<'de, D: serde::Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    use serde::Deserialize;
    match String::deserialize(d)?.as_str() {
        "true" => Ok(true),
        "false" => Ok(false),
        other => Err(serde::de::Error::custom(format!(
            "is true or false, not `{other}`"
        ))),
    }
}

async fn rows_of(
    st: &AppState,
    headers: &HeaderMap,
    name: &'static str,
    key: &'static str,
) -> Response {
    if let Err(f) = accepts_json(headers) {
        return f.into_response();
    }
    answer(st, move |on| {
        let s = query::named(name)?.run(on, &[])?;
        Ok(json!({ key: render::json(&s) }))
    })
    .await
}

async fn mapping_sets(State(st): State<AppState>, headers: HeaderMap) -> Response {
    rows_of(&st, &headers, "mapping-sets", "mapping_sets").await
}

async fn documents(State(st): State<AppState>, headers: HeaderMap) -> Response {
    rows_of(&st, &headers, "documents", "documents").await
}

async fn queries(headers: HeaderMap) -> Response {
    if let Err(f) = accepts_json(&headers) {
        return f.into_response();
    }
    let list: Vec<Value> = query::library()
        .iter()
        .map(|q| {
            json!({
                "name": q.name,
                "question": q.question,
                "params": q.params.iter().map(|p| json!({"name": p.name, "kind": p.kind, "doc": p.doc})).collect::<Vec<_>>(),
                "example": q.example,
            })
        })
        .collect();
    Json(json!({ "queries": list })).into_response()
}

async fn run_named_get(
    State(st): State<AppState>,
    Path(name): Path<String>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> Response {
    run_named(st, name, pairs(q), &headers).await
}

/// POST body: a JSON object of parameter name → string value (or a form).
async fn run_named_post(
    State(st): State<AppState>,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    let args = if is_json {
        match serde_json::from_slice::<serde_json::Map<String, Value>>(&body) {
            Ok(m) => m
                .into_iter()
                .map(|(k, v)| {
                    let v = match v {
                        Value::String(s) => s,
                        other => other.to_string(),
                    };
                    (k, v)
                })
                .collect(),
            Err(e) => {
                return Failure::bad_request(format!(
                    "the body must be a JSON object of parameter values: {e}"
                ))
                .into_response();
            }
        }
    } else {
        form_urlencoded::parse(&body)
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect()
    };
    run_named(st, name, args, &headers).await
}

/// A named query's solutions as standard SPARQL 1.1 results, in the format the Accept header
/// picks as `/sparql` does (JSON by default; XML, CSV, TSV); 406 for any other.
async fn run_named(
    st: AppState,
    name: String,
    args: Vec<(String, String)>,
    headers: &HeaderMap,
) -> Response {
    let (format, media) = match super::negotiate::solutions(
        headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()),
    ) {
        Ok(x) => x,
        Err(offered) => return Failure::not_acceptable(&offered).into_response(),
    };
    // Serialized on the blocking pool too: a result can be large.
    let r = on_store(&st, move |on| {
        let s = query::named(&name)?.run_checked(on, &args)?;
        Ok(solutions_as(&s, format).map_err(|e| Failure::internal(e.to_string())))
    })
    .await;
    match r.and_then(|body| body) {
        Ok(body) => (StatusCode::OK, [(header::CONTENT_TYPE, media)], body).into_response(),
        Err(f) => f.into_response(),
    }
}

fn solutions_as(s: &Solutions, format: QueryResultsFormat) -> std::io::Result<Vec<u8>> {
    let vars: Vec<oxigraph::sparql::Variable> = s
        .vars
        .iter()
        .filter_map(|v| oxigraph::sparql::Variable::new(v.as_str()).ok())
        .collect();
    let mut w = QueryResultsSerializer::from_format(format)
        .serialize_solutions_to_writer(Vec::new(), vars.clone())?;
    for row in &s.rows {
        w.serialize(
            vars.iter()
                .zip(row)
                .filter_map(|(v, t)| t.as_ref().map(|t| (v.as_ref(), t.as_ref()))),
        )?;
    }
    w.finish()
}

async fn openapi(headers: HeaderMap) -> Response {
    if let Err(f) = accepts_json(&headers) {
        return f.into_response();
    }
    (
        [(header::CONTENT_TYPE, "application/json")],
        include_str!("openapi.json"),
    )
        .into_response()
}

/// A probe: JSON whatever the Accept header says (a load balancer's probe must not fail on it).
pub(super) async fn healthz(State(st): State<AppState>) -> Response {
    match st.db.len_cached() {
        Ok(n) => Json(json!({ "status": "ok", "quads": n, "empty": n == 0 })).into_response(),
        Err(e) => Failure::internal(e.to_string()).into_response(),
    }
}

pub(super) async fn version(State(st): State<AppState>, headers: HeaderMap) -> Response {
    if let Err(f) = accepts_json(&headers) {
        return f.into_response();
    }
    Json(json!({
        // The product and binary name (the package is `crosswalk-kg` on the registry).
        "name": "crosswalk",
        "version": env!("CARGO_PKG_VERSION"),
        "api": "v1",
        "quads": st.db.len_cached().ok(),
        "read_only": st.cfg.update_tokens.is_empty(),
    }))
    .into_response()
}

pub(super) async fn not_found(uri: Uri) -> Response {
    Failure::not_found(format!("no route {}; see /api/v1/openapi.json", uri.path())).into_response()
}
