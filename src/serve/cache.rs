//! The answer cache: a read answer (JSON API, SPARQL query results, named queries) is kept per
//! (request, store generation) in a size-capped LRU, and every read answer carries an `ETag`
//! (a digest of its bytes) with `Cache-Control: public, no-cache`, so clients and shared caches
//! keep it and revalidate: `If-None-Match` gets 304 without a body. A write of this process
//! bumps the store's generation (`Db::changed`), so the next request is a miss and answers from
//! the new content; no other process can write while the server holds its shared lock.
//! What is never cached: updates, errors, answers cut at `--max-rows`, bodies over a tenth of
//! the capacity.
use super::AppState;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use quick_cache::Weighter;
use quick_cache::sync::Cache;
use sha2::{Digest, Sha256};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// Bytes of answers kept at most by default.
pub const DEFAULT_CAPACITY: u64 = 64 << 20;

#[derive(Clone, PartialEq, Eq, Hash)]
struct Key {
    generation: u64,
    method: Method,
    /// Path and query string, as sent.
    uri: String,
    /// The `Host` header: relative IRIs in a query resolve against the request's URL.
    host: Option<HeaderValue>,
    accept: Option<HeaderValue>,
    content_type: Option<HeaderValue>,
    body: Bytes,
}

#[derive(Clone)]
struct Entry {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
    etag: HeaderValue,
}

#[derive(Clone)]
struct Size;

impl Weighter<Key, Entry> for Size {
    fn weight(&self, k: &Key, v: &Entry) -> u64 {
        (k.uri.len() + k.body.len() + v.body.len() + 256) as u64
    }
}

/// The cache and its counters (shared by the server's handlers).
pub struct AnswerCache {
    entries: Cache<Key, Entry, Size>,
    capacity: u64,
    hits: AtomicU64,
    misses: AtomicU64,
    not_modified: AtomicU64,
}

impl AnswerCache {
    pub fn new(capacity: u64) -> Self {
        AnswerCache {
            entries: Cache::with_weighter(4096, capacity.max(1), Size),
            capacity,
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
            not_modified: AtomicU64::new(0),
        }
    }

    /// Prometheus text exposition of the counters.
    pub fn metrics(&self, generation: u64) -> String {
        format!(
            "# HELP crosswalk_answer_cache_hits_total Read answers served from the answer cache.\n\
             # TYPE crosswalk_answer_cache_hits_total counter\n\
             crosswalk_answer_cache_hits_total {}\n\
             # HELP crosswalk_answer_cache_misses_total Read answers computed (not in the cache).\n\
             # TYPE crosswalk_answer_cache_misses_total counter\n\
             crosswalk_answer_cache_misses_total {}\n\
             # HELP crosswalk_answer_not_modified_total Conditional requests answered 304.\n\
             # TYPE crosswalk_answer_not_modified_total counter\n\
             crosswalk_answer_not_modified_total {}\n\
             # HELP crosswalk_answer_cache_entries Answers in the cache.\n\
             # TYPE crosswalk_answer_cache_entries gauge\n\
             crosswalk_answer_cache_entries {}\n\
             # HELP crosswalk_answer_cache_bytes Bytes the cached answers weigh.\n\
             # TYPE crosswalk_answer_cache_bytes gauge\n\
             crosswalk_answer_cache_bytes {}\n\
             # HELP crosswalk_answer_cache_capacity_bytes The cache's bound.\n\
             # TYPE crosswalk_answer_cache_capacity_bytes gauge\n\
             crosswalk_answer_cache_capacity_bytes {}\n\
             # HELP crosswalk_store_generation Writes this server has made to the store.\n\
             # TYPE crosswalk_store_generation counter\n\
             crosswalk_store_generation {generation}\n",
            self.hits.load(Ordering::Relaxed),
            self.misses.load(Ordering::Relaxed),
            self.not_modified.load(Ordering::Relaxed),
            self.entries.len(),
            self.entries.weight(),
            self.capacity,
        )
    }
}

/// Whether a request reads: GET/HEAD, or a POST of a SPARQL query (not an update).
fn reads(method: &Method, uri: &str, content_type: Option<&HeaderValue>, body: &[u8]) -> bool {
    if method == Method::GET || method == Method::HEAD {
        return true;
    }
    if method != Method::POST {
        return false;
    }
    let path = uri.split('?').next().unwrap_or("");
    if !(path == "/sparql"
        || path == "/sparql/"
        || path == "/query"
        || path.starts_with("/api/v1/queries/"))
    {
        return false;
    }
    let ct = content_type
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    if ct.starts_with("application/sparql-update") {
        return false;
    }
    if ct.starts_with("application/x-www-form-urlencoded") {
        return !form_urlencoded::parse(body).any(|(k, _)| k == "update");
    }
    true
}

fn etag_of(body: &[u8]) -> HeaderValue {
    let d = Sha256::digest(body);
    let tag = format!("\"{}\"", hex::encode(&d[..12]));
    HeaderValue::from_str(&tag).unwrap_or_else(|_| HeaderValue::from_static("\"\""))
}

/// Whether `If-None-Match` names this entity tag (weak comparison, as RFC 9110 asks for it).
fn matches(headers: &HeaderMap, etag: &HeaderValue) -> bool {
    let want = etag.as_bytes();
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.trim().trim_start_matches("W/"))
        .any(|t| t == "*" || t.as_bytes() == want)
}

fn respond(e: &Entry, conditional: bool, head: bool) -> Response {
    let mut r = if conditional || head {
        Response::new(Body::empty())
    } else {
        Response::new(Body::from(e.body.clone()))
    };
    *r.status_mut() = if conditional {
        StatusCode::NOT_MODIFIED
    } else {
        e.status
    };
    *r.headers_mut() = e.headers.clone();
    if conditional {
        r.headers_mut().remove(header::CONTENT_LENGTH);
    }
    r
}

/// The middleware: serves hits (and 304s), stores cacheable misses.
pub async fn layer(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let (parts, body) = req.into_parts();
    let uri = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_default();
    let content_type = parts.headers.get(header::CONTENT_TYPE).cloned();
    // A POST's body is part of what it asks; bodies are bounded by the body limit anyway.
    let body = match axum::body::to_bytes(body, st.cfg.max_body).await {
        Ok(b) => b,
        Err(_) => {
            return super::failure::Failure::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "too_large",
                format!("the request body is over {} bytes", st.cfg.max_body),
            )
            .into_response();
        }
    };
    if !reads(&parts.method, &uri, content_type.as_ref(), &body) {
        return next.run(Request::from_parts(parts, Body::from(body))).await;
    }
    let key = Key {
        generation: st.db.generation(),
        method: if parts.method == Method::HEAD {
            Method::GET
        } else {
            parts.method.clone()
        },
        uri,
        host: parts.headers.get(header::HOST).cloned(),
        accept: parts.headers.get(header::ACCEPT).cloned(),
        content_type,
        body: body.clone(),
    };
    let head = parts.method == Method::HEAD;
    let conditional_headers = parts.headers.clone();
    // Concurrent misses of one request compute it once: the first holds a placeholder, the
    // others wait for its answer (no herd of identical evaluations after a start or a write);
    // a waiter that has waited a whole query timeout computes its own.
    let cache = st.cache.clone();
    let guard =
        match tokio::time::timeout(st.cfg.timeout, cache.entries.get_value_or_guard_async(&key))
            .await
        {
            Ok(Ok(e)) => {
                st.cache.hits.fetch_add(1, Ordering::Relaxed);
                let conditional = matches(&conditional_headers, &e.etag);
                if conditional {
                    st.cache.not_modified.fetch_add(1, Ordering::Relaxed);
                }
                return respond(&e, conditional, head);
            }
            Ok(Err(guard)) => Some(guard),
            Err(_) => None,
        };
    st.cache.misses.fetch_add(1, Ordering::Relaxed);
    let response = next.run(Request::from_parts(parts, Body::from(body))).await;
    if response.status() != StatusCode::OK || response.headers().contains_key("crosswalk-truncated")
    {
        return response;
    }
    let (mut rparts, rbody) = response.into_parts();
    let limit = (st.cache.capacity / 10).max(1) as usize;
    let bytes = match axum::body::to_bytes(rbody, usize::MAX).await {
        Ok(b) => b,
        Err(e) => {
            return super::failure::Failure::ours(format!("reading an answer: {e}"))
                .into_response();
        }
    };
    let etag = etag_of(&bytes);
    rparts.headers.insert(header::ETAG, etag.clone());
    rparts.headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, no-cache"),
    );
    rparts
        .headers
        .append(header::VARY, HeaderValue::from_static("accept"));
    let entry = Entry {
        status: rparts.status,
        headers: rparts.headers.clone(),
        body: bytes,
        etag,
    };
    // The answer was computed from the generation the key names only if no write came in
    // between; otherwise it is not kept (the next request recomputes).
    if entry.body.len() <= limit && st.db.generation() == key.generation {
        match guard {
            Some(g) => {
                let _ = g.insert(entry.clone());
            }
            None => cache.entries.insert(key, entry.clone()),
        }
    }
    respond(&entry, matches(&conditional_headers, &entry.etag), head)
}

/// `/metrics`: the cache's counters in Prometheus' text format.
pub async fn metrics(State(st): State<AppState>) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        st.cache.metrics(st.db.generation()),
    )
        .into_response()
}

pub type Shared = Arc<AnswerCache>;
