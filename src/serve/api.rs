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
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use oxigraph::sparql::results::{QueryResultsFormat, QueryResultsSerializer};
use serde::Serialize;
use serde_json::{Value, json};

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/elements/{id}", get(element))
        .route("/map/{id}", get(map))
        .route("/coverage", get(coverage))
        .route("/gaps", get(gaps))
        .route("/path", get(path))
        .route("/mapping-sets", get(mapping_sets))
        .route("/documents", get(documents))
        .route("/queries", get(queries))
        .route("/queries/{name}", get(run_named_get).post(run_named_post))
        .route("/openapi.json", get(openapi))
        .route("/version", get(version))
}

/// Query-string parameters as (name, value) pairs, in order.
fn pairs(q: Option<String>) -> Vec<(String, String)> {
    form_urlencoded::parse(q.unwrap_or_default().as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

struct Params(Vec<(String, String)>);

impl Params {
    fn get(&self, k: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    }
    fn required(&self, k: &str) -> Result<&str, Failure> {
        self.get(k)
            .ok_or_else(|| Failure::bad_request(format!("missing query parameter `{k}`")))
    }
    /// A boolean: `true` or `false` (as OpenAPI's boolean), nothing else — `True` or `0.56`
    /// must not silently mean false.
    fn flag(&self, k: &str) -> Result<bool, Failure> {
        match self.get(k) {
            None | Some("false") => Ok(false),
            Some("true") => Ok(true),
            Some(v) => Err(Failure::new(
                StatusCode::BAD_REQUEST,
                "invalid_parameter",
                format!("`{k}` is `true` or `false`, not `{v}`"),
            )),
        }
    }
    /// An integer within `range`, with a message that says which.
    fn integer(
        &self,
        k: &str,
        range: std::ops::RangeInclusive<i64>,
    ) -> Result<Option<i64>, Failure> {
        let Some(v) = self.get(k) else {
            return Ok(None);
        };
        match v.trim().parse::<i64>() {
            Ok(n) if range.contains(&n) => Ok(Some(n)),
            _ => Err(Failure::new(
                StatusCode::BAD_REQUEST,
                "invalid_parameter",
                format!(
                    "`{k}` is an integer from {} to {}, not `{v}`",
                    range.start(),
                    range.end()
                ),
            )),
        }
    }
    /// Each parameter at most once (which of two values was meant?).
    fn once(&self) -> Result<(), Failure> {
        for (i, (k, _)) in self.0.iter().enumerate() {
            if self.0[..i].iter().any(|(x, _)| x == k) {
                return Err(Failure::new(
                    StatusCode::BAD_REQUEST,
                    "invalid_parameter",
                    format!("query parameter `{k}` is given more than once"),
                ));
            }
        }
        Ok(())
    }
    /// Rejects parameters the route does not know (a typo must not silently widen an answer).
    fn only(&self, known: &[&str]) -> Result<(), Failure> {
        self.once()?;
        match self.0.iter().find(|(k, _)| !known.contains(&k.as_str())) {
            Some((k, _)) => Err(Failure::bad_request(format!(
                "unknown query parameter `{k}`; this route takes: {}",
                known.join(", ")
            ))),
            None => Ok(()),
        }
    }
}

/// Runs `f` on the blocking pool over a cancellable view of the store; library errors become
/// failures (a timeout's cancellation as `timeout`).
async fn on_store<T: Send + 'static>(
    st: &AppState,
    f: impl FnOnce(&Cancellable) -> crate::Result<T> + Send + 'static,
) -> Result<T, Failure> {
    let db = st.db.clone();
    blocking(st, move |token| {
        let on = Cancellable { db: &db, token };
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

async fn element(State(st): State<AppState>, Path(id): Path<String>) -> Response {
    answer(&st, move |on| {
        Ok(match card::show(on, &id)? {
            Shown::Cards(c) => json!({ "cards": c }),
            Shown::Dangling(d) => json!({ "dangling": d }),
        })
    })
    .await
}

async fn map(
    State(st): State<AppState>,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> Response {
    let p = Params(pairs(q));
    if let Err(f) = p.only(&["to", "set", "explain", "rollup"]) {
        return f.into_response();
    }
    let to = p.get("to").map(str::to_owned);
    let set = p.get("set").map(str::to_owned);
    let (explain, rollup) = match (p.flag("explain"), p.flag("rollup")) {
        (Ok(e), Ok(r)) => (e, r),
        (Err(f), _) | (_, Err(f)) => return f.into_response(),
    };
    answer(&st, move |on| {
        let answers = answer::map_with(on, &id, to.as_deref(), set.as_deref(), explain, rollup)?;
        if answers.is_empty() {
            // Unknown id → 404 (from `cards`); known id without mappings → empty list.
            card::cards(on, &id)?;
        }
        Ok(json!({ "element": id, "answers": answers }))
    })
    .await
}

const COVERAGE_PARAMS: &[&str] = &[
    "from", "to", "set", "baseline", "profile", "focus", "priority", "rollup",
];

async fn coverage_answer(st: AppState, q: Option<String>, gaps_only: bool) -> Response {
    let p = Params(pairs(q));
    let parsed = (|| -> Result<_, Failure> {
        p.only(COVERAGE_PARAMS)?;
        // The range is checked here; whether the profile knows the priority, by the library.
        let priority = p.integer("priority", 1..=3)?.map(|n| n as u8);
        if priority.is_some() && p.get("focus").is_none() {
            return Err(Failure::bad_request(
                "`priority` needs `profile` and `focus`",
            ));
        }
        let profile = match (p.get("profile"), p.get("focus")) {
            (Some(pr), Some(f)) => Some((pr.to_owned(), f.to_owned())),
            (None, None) => None,
            _ => return Err(Failure::bad_request("`profile` and `focus` go together")),
        };
        Ok((
            p.required("from")?.to_owned(),
            p.required("to")?.to_owned(),
            p.get("set").map(str::to_owned),
            p.get("baseline").map(str::to_owned),
            profile,
            priority,
            p.flag("rollup")?,
        ))
    })();
    let (from, to, set, baseline, profile, priority, rollup) = match parsed {
        Ok(x) => x,
        Err(f) => return f.into_response(),
    };
    answer(&st, move |on| {
        let only = match &profile {
            Some((pr, f)) => Some(answer::profile_selection(on, pr, f, priority)?),
            None => None,
        };
        let mut cov = answer::coverage_with(
            on,
            &from,
            &to,
            set.as_deref(),
            baseline.as_deref(),
            only.as_ref(),
            rollup,
        )?;
        if gaps_only {
            cov.rows.retain(|r| !r.covered);
        }
        Ok(cov)
    })
    .await
}

async fn coverage(State(st): State<AppState>, RawQuery(q): RawQuery) -> Response {
    coverage_answer(st, q, false).await
}

async fn gaps(State(st): State<AppState>, RawQuery(q): RawQuery) -> Response {
    coverage_answer(st, q, true).await
}

async fn path(State(st): State<AppState>, RawQuery(q): RawQuery) -> Response {
    let p = Params(pairs(q));
    let parsed = (|| -> Result<_, Failure> {
        p.only(&["from", "to", "max_hops"])?;
        let max = p
            .integer("max_hops", 1..=answer::MAX_HOPS as i64)?
            .unwrap_or(4) as usize;
        Ok((
            p.required("from")?.to_owned(),
            p.required("to")?.to_owned(),
            max,
        ))
    })();
    let (from, to, max) = match parsed {
        Ok(x) => x,
        Err(f) => return f.into_response(),
    };
    answer(&st, move |on| {
        let hops = answer::path(on, &from, &to, max)?.ok_or_else(|| {
            crate::Error::NotFound(format!("no path from {from} to {to} within {max} hops"))
        })?;
        Ok(json!({ "from": from, "to": to, "hops": hops }))
    })
    .await
}

async fn rows_of(st: &AppState, name: &'static str, key: &'static str) -> Response {
    answer(st, move |on| {
        let s = query::named(name)?.run(on, &[])?;
        Ok(json!({ key: render::json(&s) }))
    })
    .await
}

async fn mapping_sets(State(st): State<AppState>) -> Response {
    rows_of(&st, "mapping-sets", "mapping_sets").await
}

async fn documents(State(st): State<AppState>) -> Response {
    rows_of(&st, "documents", "documents").await
}

async fn queries() -> Response {
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
) -> Response {
    run_named(st, name, pairs(q)).await
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
    run_named(st, name, args).await
}

/// A named query's solutions as standard SPARQL 1.1 JSON results.
async fn run_named(st: AppState, name: String, args: Vec<(String, String)>) -> Response {
    // Serialized on the blocking pool too: a result can be large.
    let r = on_store(&st, move |on| {
        let s = query::named(&name)?.run_checked(on, &args)?;
        Ok(sparql_json(&s).map_err(|e| Failure::internal(e.to_string())))
    })
    .await;
    match r.and_then(|body| body) {
        Ok(body) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/sparql-results+json")],
            body,
        )
            .into_response(),
        Err(f) => f.into_response(),
    }
}

fn sparql_json(s: &Solutions) -> std::io::Result<Vec<u8>> {
    let vars: Vec<oxigraph::sparql::Variable> = s
        .vars
        .iter()
        .filter_map(|v| oxigraph::sparql::Variable::new(v.as_str()).ok())
        .collect();
    let mut w = QueryResultsSerializer::from_format(QueryResultsFormat::Json)
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

async fn openapi() -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        include_str!("openapi.json"),
    )
        .into_response()
}

pub(super) async fn healthz(State(st): State<AppState>) -> Response {
    match st.db.len() {
        Ok(n) => Json(json!({ "status": "ok", "quads": n, "empty": n == 0 })).into_response(),
        Err(e) => Failure::internal(e.to_string()).into_response(),
    }
}

pub(super) async fn version(State(st): State<AppState>) -> Response {
    Json(json!({
        // The product and binary name (the package is `crosswalk-kg` on the registry).
        "name": "crosswalk",
        "version": env!("CARGO_PKG_VERSION"),
        "api": "v1",
        "quads": st.db.len().ok(),
        "read_only": st.cfg.update_tokens.is_empty(),
    }))
    .into_response()
}

pub(super) async fn not_found(uri: Uri) -> Response {
    Failure::not_found(format!("no route {}; see /api/v1/openapi.json", uri.path())).into_response()
}
