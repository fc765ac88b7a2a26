//! SPARQL 1.1 Graph Store HTTP Protocol (<https://www.w3.org/TR/sparql11-http-rdf-update/>) at
//! `/store`, as the Oxigraph server names it: a graph by `?graph=IRI` (indirect
//! identification), the default graph by `?default`, or a graph whose IRI is the request's own
//! URL under `/store/` (direct identification).
//!
//! - GET and HEAD, always: the graph in the negotiated format (Turtle by default, N-Triples,
//!   RDF/XML, JSON-LD, N-Quads, TriG), streamed as it is serialized and never cut at
//!   `--max-rows` (a graph is bounded by what was loaded, not by what a query may ask); 404 for
//!   a named graph the store does not have. Not through the answer cache, whose entries are
//!   whole bodies: the `ETag` comes from the store's generation instead (a write of this
//!   process bumps it; no other process can write while the server holds the store), so a
//!   conditional request is answered 304 without serializing anything.
//! - PUT (replace), POST (merge; to `/store` itself: a new graph, `201 Created` with its
//!   `Location`) and DELETE, only with an update token (403 read-only, 401 without a valid
//!   token, nothing changed). Each write is one transaction with the load digests it voids and
//!   `graph/inferred` re-derived, as a SPARQL Update is; `graph/inferred` itself is not
//!   writable (409): it is derived from the other graphs after every write.
//! - `?default` is the store's own default graph (where crosswalk keeps nothing), not the
//!   union of all graphs that SPARQL queries see as their default graph.
use super::failure::Failure;
use super::sparql::{authorize, content_type, write_failure};
use super::{AppState, blocking_write, negotiate};
use axum::body::{Body, Bytes};
use axum::extract::{OriginalUri, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::{GraphName, GraphNameRef, NamedNode, Quad};
use sha2::{Digest, Sha256};
use std::io::Write;

/// What a request identifies.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Target {
    /// `/store` itself (no `graph` or `default` parameter).
    Store,
    Default,
    Named(NamedNode),
}

/// The route's handler, every method: GET/HEAD read, PUT/POST/DELETE write, the others 405.
pub(super) async fn handle(
    State(st): State<AppState>,
    method: Method,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if st.cfg.remote.is_some() {
        return Failure::new(
            StatusCode::NOT_IMPLEMENTED,
            "not_implemented",
            "serve --endpoint holds no graph: use the Graph Store of the engine it fronts"
                .to_owned(),
        )
        .text();
    }
    let target = match target(&st, &headers, &uri) {
        Ok(t) => t,
        Err(f) => return f.text(),
    };
    let outcome = match method {
        Method::GET => read(&st, &headers, target, false).await,
        Method::HEAD => read(&st, &headers, target, true).await,
        Method::PUT | Method::POST | Method::DELETE => {
            write(&st, &headers, &uri, target, method, body).await
        }
        _ => {
            let mut r = Failure::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                format!("{method} is not a Graph Store Protocol method"),
            )
            .text();
            r.headers_mut().insert(
                header::ALLOW,
                HeaderValue::from_static("GET, HEAD, PUT, POST, DELETE"),
            );
            return r;
        }
    };
    outcome.unwrap_or_else(Failure::text)
}

/// Percent-decodes a query-string component once (`+` stays `+`: IRIs may hold it).
fn decode(s: &str) -> Result<String, Failure> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = b
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(|| Failure::bad_request(format!("bad percent-encoding in `{s}`")))?;
            out.push(hex);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| Failure::bad_request(format!("`{s}` is not UTF-8")))
}

fn target(st: &AppState, headers: &HeaderMap, uri: &Uri) -> Result<Target, Failure> {
    let path = uri.path();
    let mut graph = None;
    let mut default = false;
    for pair in uri
        .query()
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty())
    {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        match decode(k)?.as_str() {
            "graph" => {
                if graph.is_some() {
                    return Err(Failure::bad_request("more than one `graph` parameter"));
                }
                graph = Some(decode(v)?);
            }
            "default" => default = true,
            _ => {}
        }
    }
    let direct = path != "/store" && path != "/store/";
    match (direct, graph, default) {
        (true, None, false) => {
            let iri = super::request_url(headers, path);
            NamedNode::new(&iri).map(Target::Named).map_err(|e| {
                Failure::bad_request(format!("the request's URL `{iri}` is not an IRI: {e}"))
            })
        }
        (true, _, _) => Err(Failure::bad_request(
            "a graph named by its own URL (under /store/) takes no `graph` or `default` parameter",
        )),
        (false, Some(_), true) => Err(Failure::bad_request(
            "`graph` and `default` name two graphs; name one",
        )),
        (false, Some(g), false) => {
            // A relative IRI resolves against the request's URL (or `serve --base`).
            let base = st.base(headers, path);
            let resolved = oxiri::Iri::parse(base.as_str())
                .map_err(|e| Failure::bad_request(format!("the base IRI `{base}`: {e}")))?
                .resolve(&g)
                .map_err(|e| Failure::bad_request(format!("graph `{g}` is not an IRI: {e}")))?;
            NamedNode::new(resolved.into_inner())
                .map(Target::Named)
                .map_err(|e| Failure::bad_request(format!("graph `{g}` is not an IRI: {e}")))
        }
        (false, None, true) => Ok(Target::Default),
        (false, None, false) => Ok(Target::Store),
    }
}

fn graph_name(target: &Target) -> Option<GraphName> {
    match target {
        Target::Store => None,
        Target::Default => Some(GraphName::DefaultGraph),
        Target::Named(g) => Some(GraphName::NamedNode(g.clone())),
    }
}

/// Distinguishes this process's entity tags from another's (the generation restarts at 0).
fn instance() -> &'static [u8; 16] {
    static NONCE: std::sync::OnceLock<[u8; 16]> = std::sync::OnceLock::new();
    NONCE.get_or_init(|| {
        use std::hash::{BuildHasher, Hash, Hasher};
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        std::process::id().hash(&mut h);
        std::time::SystemTime::now().hash(&mut h);
        let d = Sha256::digest(h.finish().to_le_bytes());
        let mut out = [0u8; 16];
        out.copy_from_slice(&d[..16]);
        out
    })
}

/// A weak entity tag of (this process, the store's generation, graph, media type).
fn etag(st: &AppState, graph: &GraphName, media: &str) -> HeaderValue {
    let mut h = Sha256::new();
    h.update(instance());
    h.update(st.db.generation().to_le_bytes());
    h.update(graph.to_string().as_bytes());
    h.update(media.as_bytes());
    let tag = format!("W/\"{}\"", hex::encode(&h.finalize()[..12]));
    HeaderValue::from_str(&tag).unwrap_or_else(|_| HeaderValue::from_static("W/\"\""))
}

fn not_modified(headers: &HeaderMap, etag: &HeaderValue) -> bool {
    let want = etag
        .as_bytes()
        .strip_prefix(b"W/")
        .unwrap_or(etag.as_bytes());
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.trim().trim_start_matches("W/"))
        .any(|t| t == "*" || t.as_bytes() == want)
}

async fn read(
    st: &AppState,
    headers: &HeaderMap,
    target: Target,
    head: bool,
) -> Result<Response, Failure> {
    let graph = graph_name(&target).ok_or_else(|| {
        Failure::bad_request(
            "name a graph: /store?graph=IRI, /store?default, or a graph's own URL under /store/",
        )
    })?;
    let accept = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok());
    let (format, media) =
        negotiate::graph_store(accept).map_err(|o| Failure::not_acceptable(&o))?;
    if let GraphName::NamedNode(g) = &graph
        && !st
            .db
            .inner()
            .contains_named_graph(g)
            .map_err(|e| Failure::ours(format!("reading the graph names: {e}")))?
    {
        return Err(Failure::not_found(format!("no graph <{g}> in the store")));
    }
    let tag = etag(st, &graph, media);
    let mut r = if not_modified(headers, &tag) {
        let mut r = Response::new(Body::empty());
        *r.status_mut() = StatusCode::NOT_MODIFIED;
        r
    } else if head {
        Response::new(Body::empty())
    } else {
        Response::new(stream(st, graph, format).await?)
    };
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(media));
    h.insert(header::ETAG, tag);
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, no-cache"),
    );
    h.insert(header::VARY, HeaderValue::from_static("accept"));
    Ok(r)
}

/// Hands what a serializer writes to the response body in chunks of about 64 KiB; fails (and
/// so stops the serializer) once the client has gone.
struct Chunks {
    buf: Vec<u8>,
    tx: tokio::sync::mpsc::Sender<std::io::Result<Bytes>>,
}

impl Chunks {
    const SIZE: usize = 64 << 10;

    fn send(&mut self) -> std::io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let chunk = Bytes::from(std::mem::take(&mut self.buf));
        self.tx
            .blocking_send(Ok(chunk))
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::BrokenPipe, "client gone"))
    }
}

impl Write for Chunks {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= Self::SIZE {
            self.send()?;
        }
        Ok(data.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The graph's content in `format`, serialized on the blocking pool while it is sent. It takes
/// an evaluation slot (within the server's timeout) and keeps it until the last byte.
async fn stream(st: &AppState, graph: GraphName, format: RdfFormat) -> Result<Body, Failure> {
    let permit = tokio::time::timeout(st.cfg.timeout, st.permits.clone().acquire_owned())
        .await
        .map_err(|_| Failure::busy(st.cfg.timeout))?
        .map_err(|e| Failure::ours(format!("the evaluation slots are closed: {e}")))?;
    let (tx, mut rx) = tokio::sync::mpsc::channel::<std::io::Result<Bytes>>(4);
    let store = st.db.inner().clone();
    tokio::task::spawn_blocking(move || {
        let _permit = permit;
        let fail = tx.clone();
        let mut w = crate::model::vocab::rdf_serializer(format).for_writer(Chunks {
            buf: Vec::new(),
            tx,
        });
        for q in store.quads_for_pattern(None, None, None, Some(graph.as_ref())) {
            let written = match q {
                Ok(q) if format.supports_datasets() => w.serialize_quad(&q),
                Ok(q) => w.serialize_triple(q.as_ref()),
                Err(e) => {
                    tracing::error!("reading a graph for the Graph Store Protocol: {e}");
                    let _ = fail.blocking_send(Err(std::io::Error::other(e)));
                    return;
                }
            };
            if written.is_err() {
                // The client went away (or the serializer refused a term): stop.
                return;
            }
        }
        if let Ok(mut chunks) = w.finish() {
            let _ = chunks.send();
        }
    });
    Ok(Body::from_stream(futures_util::stream::poll_fn(
        move |cx| rx.poll_recv(cx),
    )))
}

/// A request body's RDF, in the graph it is written to. `into`: every triple goes into that
/// graph (a graph format, or a dataset format whose quads must all be in its default graph);
/// `None` (a POST of a dataset to the store itself): the quads keep their graphs.
fn parse(
    bytes: &[u8],
    format: RdfFormat,
    base: &str,
    into: Option<&GraphName>,
) -> Result<Vec<Quad>, Failure> {
    let mut parser = RdfParser::from_format(format)
        .with_base_iri(base)
        .map_err(|e| Failure::bad_request(format!("the base IRI `{base}`: {e}")))?
        .rename_blank_nodes();
    if let Some(g) = into {
        parser = parser.without_named_graphs().with_default_graph(g.clone());
    }
    parser
        .for_slice(bytes)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| {
            Failure::new(
                StatusCode::BAD_REQUEST,
                "bad_input",
                format!("the body is not valid {format}: {e}"),
            )
        })
}

fn unsupported(media: &str) -> Failure {
    Failure::new(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
        format!(
            "Content-Type `{media}` is not an RDF format; send text/turtle, application/n-triples, \
             application/rdf+xml, application/ld+json, application/n-quads, application/trig, or \
             multipart/form-data of them"
        ),
    )
}

/// The RDF documents of a request body: one, or each part of a `multipart/form-data` body (its
/// own `Content-Type`, else its file name's extension).
fn documents(headers: &HeaderMap, body: &[u8]) -> Result<Vec<(RdfFormat, Vec<u8>)>, Failure> {
    let (media, charset) = content_type(headers);
    if let Some(cs) = charset.filter(|c| !c.eq_ignore_ascii_case("utf-8")) {
        return Err(Failure::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            format!("RDF documents are UTF-8; the Content-Type says charset={cs}"),
        ));
    }
    if media == "multipart/form-data" {
        let raw = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        return multipart(raw, body);
    }
    let format = RdfFormat::from_media_type(&media).ok_or_else(|| unsupported(&media))?;
    Ok(vec![(format, body.to_vec())])
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// The parts of a `multipart/form-data` body (RFC 7578), each as an RDF document.
fn multipart(content_type: &str, body: &[u8]) -> Result<Vec<(RdfFormat, Vec<u8>)>, Failure> {
    let boundary = content_type
        .split(';')
        .filter_map(|p| p.split_once('='))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("boundary"))
        .map(|(_, v)| v.trim().trim_matches('"').to_owned())
        .filter(|b| !b.is_empty())
        .ok_or_else(|| Failure::bad_request("multipart/form-data without a boundary"))?;
    let delimiter = format!("--{boundary}");
    let bad = || Failure::bad_request("the multipart/form-data body is malformed");
    let mut rest = &body[find(body, delimiter.as_bytes()).ok_or_else(bad)?..];
    let mut out = Vec::new();
    loop {
        rest = &rest[delimiter.len()..];
        if rest.starts_with(b"--") {
            return Ok(out);
        }
        rest = rest.strip_prefix(b"\r\n").ok_or_else(bad)?;
        let end = find(rest, format!("\r\n{delimiter}").as_bytes()).ok_or_else(bad)?;
        let part = &rest[..end];
        rest = &rest[end + 2..];
        let split = find(part, b"\r\n\r\n").ok_or_else(bad)?;
        let head = String::from_utf8_lossy(&part[..split]);
        let content = &part[split + 4..];
        let mut media = None;
        let mut file = None;
        for line in head.split("\r\n") {
            let Some((k, v)) = line.split_once(':') else {
                continue;
            };
            if k.trim().eq_ignore_ascii_case("content-type") {
                media = Some(
                    v.split(';')
                        .next()
                        .unwrap_or("")
                        .trim()
                        .to_ascii_lowercase(),
                );
            } else if k.trim().eq_ignore_ascii_case("content-disposition") {
                file = v
                    .split(';')
                    .filter_map(|p| p.split_once('='))
                    .find(|(k, _)| k.trim().eq_ignore_ascii_case("filename"))
                    .map(|(_, v)| v.trim().trim_matches('"').to_owned());
            }
        }
        let format = match (&media, &file) {
            (Some(m), _) => RdfFormat::from_media_type(m).ok_or_else(|| unsupported(m))?,
            (None, Some(f)) => f
                .rsplit_once('.')
                .and_then(|(_, ext)| RdfFormat::from_extension(ext))
                .ok_or_else(|| unsupported(f))?,
            (None, None) => return Err(unsupported("(none)")),
        };
        out.push((format, content.to_vec()));
    }
}

/// A name for a graph POSTed to the store itself: `/store/` and 128 bits no other request of
/// this process gets.
fn new_graph(headers: &HeaderMap) -> Result<NamedNode, Failure> {
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let mut h = Sha256::new();
    h.update(instance());
    h.update(
        COUNTER
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
            .to_le_bytes(),
    );
    let id = hex::encode(&h.finalize()[..16]);
    let iri = super::request_url(headers, &format!("/store/{id}"));
    NamedNode::new(&iri)
        .map_err(|e| Failure::bad_request(format!("the request's URL `{iri}` is not an IRI: {e}")))
}

async fn write(
    st: &AppState,
    headers: &HeaderMap,
    uri: &Uri,
    target: Target,
    method: Method,
    body: Bytes,
) -> Result<Response, Failure> {
    authorize(st, headers, "a Graph Store write")?;
    if let Target::Named(g) = &target
        && crate::model::ids::is_inferred_graph(g.as_str())
    {
        return Err(Failure::new(
            StatusCode::CONFLICT,
            "derived_graph",
            format!(
                "<{g}> is derived from the other graphs after every write and cannot be written; \
                 write the asserted graphs instead"
            ),
        ));
    }
    // What is written where: (graph or None for a new one / a dataset, quads).
    let (target, created) = match (&method, target) {
        (&Method::DELETE, Target::Store) | (&Method::PUT, Target::Store) => {
            return Err(Failure::bad_request(format!(
                "{method} of the whole store is not offered: name a graph (?graph=IRI or \
                 ?default)"
            )));
        }
        (&Method::POST, Target::Store) => {
            // A dataset (N-Quads, TriG) adds its quads to their graphs; a graph is a new one.
            let (media, _) = content_type(headers);
            if RdfFormat::from_media_type(&media).is_some_and(RdfFormat::supports_datasets) {
                (Target::Store, None)
            } else {
                (Target::Store, Some(new_graph(headers)?))
            }
        }
        (_, t) => (t, None),
    };
    let base = match (&target, &created) {
        (Target::Named(g), _) | (Target::Store, Some(g)) => g.as_str().to_owned(),
        _ => st.base(headers, uri.path()),
    };
    let db = st.db.clone();
    let delete = method == Method::DELETE;
    let replace = method == Method::PUT;
    let headers = headers.clone();
    // The graph written (`None`: a dataset posted to the store keeps its graphs).
    let into = match (&target, &created) {
        (Target::Store, Some(g)) => Some(GraphName::NamedNode(g.clone())),
        (Target::Store, None) => None,
        (t, _) => graph_name(t),
    };
    let outcome = blocking_write(st, move |_token| {
        // Parsed before the transaction: a bad body is a 4xx that changed nothing.
        let mut quads = Vec::new();
        if !delete {
            for (format, bytes) in documents(&headers, &body)? {
                let into = match &into {
                    // A dataset posted to the store keeps its graphs.
                    None if format.supports_datasets() => None,
                    None => Some(GraphName::DefaultGraph),
                    Some(g) => Some(g.clone()),
                };
                quads.extend(parse(&bytes, format, &base, into.as_ref())?);
            }
        }
        db.transaction(|tx| {
            let existed = match &into {
                Some(GraphName::NamedNode(g)) => tx.contains_named_graph(g)?,
                Some(GraphName::DefaultGraph) => tx
                    .quads_for_pattern(None, None, None, Some(GraphNameRef::DefaultGraph))
                    .next()
                    .is_some(),
                _ => true,
            };
            match &into {
                Some(GraphName::NamedNode(g)) if delete => {
                    if !existed {
                        return Err(crate::Error::NotFound(format!(
                            "no graph <{g}> in the store"
                        )));
                    }
                    tx.remove_named_graph(g)?;
                }
                Some(GraphName::DefaultGraph) if delete => {
                    tx.clear_graph(GraphNameRef::DefaultGraph)?
                }
                Some(g) => {
                    if replace {
                        tx.clear_graph(g.as_ref())?;
                    }
                    if let GraphName::NamedNode(n) = g {
                        // Kept as a graph even when the body had no triple.
                        tx.insert_named_graph(n);
                    }
                }
                _ => {}
            }
            tx.extend(quads.iter());
            // The graphs' load digests no longer vouch for their content.
            crate::store::Db::forget_load_digests_in(tx)?;
            crate::load::infer::materialise_in(&db, tx)
                .map_err(|e| crate::Error::Internal(format!("re-inference failed: {e}")))?;
            Ok(existed)
        })
        .map_err(write_failure)
    })
    .await?;
    let r = if let Some(g) = created {
        let mut r = StatusCode::CREATED.into_response();
        if let Ok(v) = HeaderValue::from_str(g.as_str()) {
            r.headers_mut().insert(header::LOCATION, v);
        }
        r
    } else if outcome || delete {
        StatusCode::NO_CONTENT.into_response()
    } else {
        StatusCode::CREATED.into_response()
    };
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_decoding_happens_once_and_keeps_plus() {
        assert_eq!(
            decode("http%3A%2F%2Fx%2Fa%2531").ok().as_deref(),
            Some("http://x/a%31")
        );
        assert_eq!(decode("a+b").ok().as_deref(), Some("a+b"));
        assert!(decode("%G1").is_err());
    }

    #[test]
    fn multipart_parts_are_documents() {
        let body = "--xyz\r\nContent-Disposition: form-data; name=\"a\"; filename=\"a.ttl\"\r\n\
                    Content-Type: text/turtle; charset=utf-8\r\n\r\n<urn:a> <urn:b> <urn:c> .\r\n\r\n\
                    --xyz\r\nContent-Disposition: form-data; name=\"b\"; filename=\"b.nt\"\r\n\r\n\
                    <urn:d> <urn:e> <urn:f> .\r\n--xyz--\r\n";
        let parts = multipart("multipart/form-data; boundary=xyz", body.as_bytes())
            .ok()
            .unwrap_or_default();
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].0, RdfFormat::Turtle);
        assert_eq!(parts[1].0, RdfFormat::NTriples);
        assert_eq!(parts[1].1, b"<urn:d> <urn:e> <urn:f> .");
        assert!(multipart("multipart/form-data", body.as_bytes()).is_err());
    }
}
