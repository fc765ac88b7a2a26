//! W3C conformance: the SPARQL 1.1 Protocol, Graph Store HTTP Protocol and Service Description
//! test manifests (`../shared/w3c-sparql11/`, or `CROSSWALK_W3C_TESTS`), read as RDF and
//! replayed against `crosswalk::serve::router` on 127.0.0.1, plus the acceptance checks of the
//! protocols on the real store.
//!
//! The runner knows the manifests' vocabularies (test manifest, HTTP-in-RDF, content, status
//! codes), not their tests: every `mf:entries` item of each manifest (and of the manifests it
//! includes), and every test a manifest defines without listing it, is run, so a new version
//! of the manifests is picked up as it is. For each test it loads the test's `ut:graphData`
//! under their labels into a throw-away in-memory store, starts a server over it (with an
//! update token when a request of the test writes, without one otherwise), sends the requests
//! in order with the manifest's method, path (`/gsp` becomes `/store`, the Graph Store
//! endpoint), `Host` (`ht:connectionAuthority`), headers and body, and checks each response's
//! status (code or class), format, boolean, `Location` (reused as `$LOCATION$`), headers and
//! RDF body (isomorphism). It prints a table and the totals, and the test fails on any failure
//! not listed in [`EXCEPTIONS`] with the sentence of the specification that allows it.
use crate::util;

use crosswalk::serve::{self, Config};
use crosswalk::store::Db;
use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::dataset::CanonicalizationAlgorithm;
use oxigraph::model::vocab::rdf;
use oxigraph::model::{
    Graph, GraphName, NamedNode, NamedNodeRef, NamedOrBlankNode, NamedOrBlankNodeRef, Term,
    TermRef, Triple,
};
use oxigraph::sparql::results::{
    QueryResultsFormat, QueryResultsParser, ReaderQueryResultsParserOutput,
};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Tests that may fail, each with the sentence of the specification that allows it. None: every
/// test of the three manifests passes.
const EXCEPTIONS: &[(&str, &str)] = &[];

/// The token update tests present (the server is started with it).
const TOKEN: &str = "w3c-conformance";

const MF: &str = "http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#";
const HT: &str = "http://www.w3.org/2011/http#";
const CNT: &str = "http://www.w3.org/2011/content#";
const HTS: &str = "http://www.w3.org/2011/http-statusCodes#";
const UT: &str = "http://www.w3.org/2009/sparql/tests/test-update#";
const SD: &str = "http://www.w3.org/ns/sparql-service-description#";
const RDFS_LABEL: &str = "http://www.w3.org/2000/01/rdf-schema#label";

/// The manifests' folder: `CROSSWALK_W3C_TESTS`, else `../shared/w3c-sparql11` from the crate
/// root. Absent: `None` (the caller skips with a message), except under `CI=true`, where absence
/// fails, as for the NIST sources (`util::sources`).
fn w3c_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("CROSSWALK_W3C_TESTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/w3c-sparql11")
        });
    if dir.join("protocol/manifest.ttl").is_file() {
        return Some(dir);
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!(
            "CI=true but the W3C SPARQL 1.1 manifests are not at {}",
            dir.display()
        );
    }
    eprintln!(
        "SKIP: W3C SPARQL 1.1 manifests not found at {} (set CROSSWALK_W3C_TESTS)",
        dir.display()
    );
    None
}

fn n(s: &str) -> NamedNode {
    NamedNode::new_unchecked(s)
}

/// A parsed manifest file and the navigation the runner needs.
struct Manifest {
    graph: Graph,
    file: PathBuf,
    iri: NamedNode,
}

impl Manifest {
    fn open(file: &Path) -> Result<Self, String> {
        let file = file
            .canonicalize()
            .map_err(|e| format!("{}: {e}", file.display()))?;
        let iri = n(&format!("file://{}", file.display()));
        let bytes = std::fs::read(&file).map_err(|e| format!("{}: {e}", file.display()))?;
        let mut graph = Graph::new();
        for q in RdfParser::from_format(RdfFormat::Turtle)
            .with_base_iri(iri.as_str())
            .map_err(|e| e.to_string())?
            .for_slice(&bytes)
        {
            let q = q.map_err(|e| format!("{}: {e}", file.display()))?;
            graph.insert(&Triple::new(q.subject, q.predicate, q.object));
        }
        Ok(Manifest { graph, file, iri })
    }

    fn object(&self, s: NamedOrBlankNodeRef<'_>, p: &str) -> Option<Term> {
        self.graph
            .object_for_subject_predicate(s, NamedNodeRef::new_unchecked(p))
            .map(TermRef::into_owned)
    }

    fn objects(&self, s: NamedOrBlankNodeRef<'_>, p: &str) -> Vec<Term> {
        self.graph
            .objects_for_subject_predicate(s, NamedNodeRef::new_unchecked(p))
            .map(TermRef::into_owned)
            .collect()
    }

    fn text(&self, s: NamedOrBlankNodeRef<'_>, p: &str) -> Option<String> {
        match self.object(s, p)? {
            Term::Literal(l) => Some(l.value().to_owned()),
            Term::NamedNode(x) => Some(x.into_string()),
            _ => None,
        }
    }

    /// The members of the RDF list `head`.
    fn list(&self, head: &Term) -> Vec<Term> {
        let mut out = Vec::new();
        let mut node = head.clone();
        while let Some(s) = as_subject(&node) {
            if let Term::NamedNode(x) = &node
                && x.as_ref() == rdf::NIL
            {
                break;
            }
            let Some(first) = self.object(s.as_ref(), rdf::FIRST.as_str()) else {
                break;
            };
            out.push(first);
            match self.object(s.as_ref(), rdf::REST.as_str()) {
                Some(rest) => node = rest,
                None => break,
            }
        }
        out
    }

    fn label(&self) -> String {
        self.text(self.iri.as_ref().into(), RDFS_LABEL)
            .unwrap_or_else(|| self.file.display().to_string())
    }
}

fn as_subject(t: &Term) -> Option<NamedOrBlankNode> {
    match t {
        Term::NamedNode(x) => Some(x.clone().into()),
        Term::BlankNode(x) => Some(x.clone().into()),
        _ => None,
    }
}

fn local(iri: &str) -> &str {
    iri.rsplit(['#', '/']).next().unwrap_or(iri)
}

/// One HTTP request of a test, and what its response must be.
#[derive(Debug, Clone)]
struct Exchange {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: Option<Vec<u8>>,
    /// Accepted statuses: exact codes, or classes as `2xx`.
    statuses: Vec<String>,
    format: Option<String>,
    boolean: Option<bool>,
    location: Option<String>,
    response_headers: Vec<(String, String)>,
    response_body: Option<String>,
}

#[derive(Debug)]
struct Case {
    manifest: String,
    name: String,
    title: String,
    kind: String,
    listed: bool,
    requires: Vec<String>,
    authority: String,
    data: Vec<(PathBuf, NamedNode)>,
    exchanges: Vec<Exchange>,
}

/// The status (code or class) a `hts:` term names.
fn status_of(term: &Term) -> Result<String, String> {
    let Term::NamedNode(x) = term else {
        return Err(format!("status {term} is not an IRI"));
    };
    let name = x
        .as_str()
        .strip_prefix(HTS)
        .ok_or_else(|| format!("status {x} is not in the hts: vocabulary"))?;
    if let Some(class) = name.strip_prefix("StatusCode") {
        return Ok(class.to_ascii_lowercase());
    }
    // The status codes' names in the W3C HTTP vocabulary (RFC 2616's reason phrases).
    let code = match name {
        "Continue" => 100,
        "OK" => 200,
        "Created" => 201,
        "Accepted" => 202,
        "NoContent" => 204,
        "MovedPermanently" => 301,
        "Found" => 302,
        "SeeOther" => 303,
        "NotModified" => 304,
        "BadRequest" => 400,
        "Unauthorized" => 401,
        "Forbidden" => 403,
        "NotFound" => 404,
        "MethodNotAllowed" => 405,
        "NotAcceptable" => 406,
        "Conflict" => 409,
        "UnsupportedMediaType" => 415,
        "InternalServerError" => 500,
        "NotImplemented" => 501,
        other => return Err(format!("unknown status name hts:{other}")),
    };
    Ok(code.to_string())
}

fn body_of(m: &Manifest, node: &Term) -> Result<Vec<u8>, String> {
    let s = as_subject(node).ok_or("ht:body is not a node")?;
    let chars = m
        .text(s.as_ref(), &format!("{CNT}chars"))
        .ok_or("ht:body without cnt:chars")?;
    let encoding = m
        .text(s.as_ref(), &format!("{CNT}characterEncoding"))
        .unwrap_or_else(|| "UTF-8".into());
    match encoding.to_ascii_uppercase().as_str() {
        "UTF-8" | "US-ASCII" => Ok(chars.into_bytes()),
        // As Java and most encoders write "UTF-16": big-endian with a byte-order mark.
        "UTF-16" => Ok([0xFE, 0xFF]
            .into_iter()
            .chain(chars.encode_utf16().flat_map(u16::to_be_bytes))
            .collect()),
        other => Err(format!("unknown cnt:characterEncoding {other}")),
    }
}

fn headers_of(m: &Manifest, s: NamedOrBlankNodeRef<'_>) -> Vec<(String, String)> {
    m.object(s, &format!("{HT}headers"))
        .map(|l| m.list(&l))
        .unwrap_or_default()
        .iter()
        .filter_map(as_subject)
        .filter_map(|h| {
            Some((
                m.text(h.as_ref(), &format!("{HT}fieldName"))?,
                m.text(h.as_ref(), &format!("{HT}fieldValue"))?,
            ))
        })
        .collect()
}

fn exchange(m: &Manifest, req: &Term) -> Result<Exchange, String> {
    let s = as_subject(req).ok_or("a request is not a node")?;
    let s = s.as_ref();
    let method = m
        .text(s, &format!("{HT}methodName"))
        .ok_or("request without ht:methodName")?;
    let path = m
        .text(s, &format!("{HT}absolutePath"))
        .ok_or("request without ht:absolutePath")?;
    let body = m
        .object(s, &format!("{HT}body"))
        .map(|b| body_of(m, &b))
        .transpose()?;
    let resp = m
        .object(s, &format!("{HT}resp"))
        .and_then(|r| as_subject(&r))
        .ok_or("request without ht:resp")?;
    let r = resp.as_ref();
    let statuses = m
        .objects(r, &format!("{MF}expectedStatus"))
        .iter()
        .map(status_of)
        .collect::<Result<Vec<_>, _>>()?;
    let boolean = match m.object(r, &format!("{MF}expectedBoolean")) {
        Some(Term::Literal(l)) => Some(l.value() == "true" || l.value() == "1"),
        _ => None,
    };
    let response_body = match m.object(r, &format!("{HT}body")) {
        Some(b) => {
            Some(String::from_utf8(body_of(m, &b)?).map_err(|e| format!("expected body: {e}"))?)
        }
        None => None,
    };
    Ok(Exchange {
        method,
        path,
        headers: headers_of(m, s),
        body,
        statuses,
        format: m.text(r, &format!("{MF}expectedFormat")),
        boolean,
        location: m.text(r, &format!("{MF}expectedLocation")),
        response_headers: headers_of(m, r),
        response_body,
    })
}

fn case(m: &Manifest, test: &NamedOrBlankNode, listed: bool) -> Result<Case, String> {
    let t = test.as_ref();
    let name = match test {
        NamedOrBlankNode::NamedNode(x) => local(x.as_str()).to_owned(),
        NamedOrBlankNode::BlankNode(b) => b.to_string(),
    };
    let kind = m
        .object(t, rdf::TYPE.as_str())
        .map(|k| match k {
            Term::NamedNode(x) => local(x.as_str()).to_owned(),
            other => other.to_string(),
        })
        .unwrap_or_default();
    let mut data = Vec::new();
    for d in m.objects(t, &format!("{UT}graphData")) {
        let d = as_subject(&d).ok_or("ut:graphData is not a node")?;
        let file = match m.object(d.as_ref(), &format!("{UT}graph")) {
            Some(Term::NamedNode(f)) => f,
            _ => return Err("ut:graphData without ut:graph".into()),
        };
        let path = file
            .as_str()
            .strip_prefix("file://")
            .map(PathBuf::from)
            .ok_or_else(|| format!("data file {file} is not a local file"))?;
        let label = m
            .text(d.as_ref(), RDFS_LABEL)
            .ok_or("ut:graphData without rdfs:label")?;
        data.push((path, NamedNode::new(label).map_err(|e| e.to_string())?));
    }
    let (authority, exchanges) = match m.object(t, &format!("{MF}action")) {
        Some(action) => {
            let a = as_subject(&action).ok_or("mf:action is not a node")?;
            let authority = m
                .text(a.as_ref(), &format!("{HT}connectionAuthority"))
                .unwrap_or_else(|| "localhost".into());
            let requests = m
                .object(a.as_ref(), &format!("{HT}requests"))
                .map(|l| m.list(&l))
                .unwrap_or_default();
            let exchanges = requests
                .iter()
                .map(|r| exchange(m, r))
                .collect::<Result<Vec<_>, _>>()?;
            (authority, exchanges)
        }
        None => ("www.example".to_owned(), Vec::new()),
    };
    Ok(Case {
        manifest: m.label(),
        title: m.text(t, &format!("{MF}name")).unwrap_or_default(),
        name,
        kind,
        listed,
        requires: m
            .objects(t, &format!("{MF}requires"))
            .iter()
            .map(|r| match r {
                Term::NamedNode(x) => local(x.as_str()).to_owned(),
                other => other.to_string(),
            })
            .collect(),
        authority,
        data,
        exchanges,
    })
}

/// Every test of `file` and of the manifests it includes: the `mf:entries` in order, then the
/// tests the file defines (typed `mf:…Test`) without listing them.
fn cases(file: &Path) -> Result<Vec<Case>, String> {
    let m = Manifest::open(file)?;
    let root = NamedOrBlankNode::from(m.iri.clone());
    let mut out = Vec::new();
    for inc in m
        .object(root.as_ref(), &format!("{MF}include"))
        .map(|l| m.list(&l))
        .unwrap_or_default()
    {
        match inc {
            Term::NamedNode(f) => match f.as_str().strip_prefix("file://") {
                Some(p) => out.extend(cases(Path::new(p))?),
                None => return Err(format!("included manifest {f} is not a local file")),
            },
            other => return Err(format!("mf:include member {other} is not an IRI")),
        }
    }
    let listed: Vec<NamedOrBlankNode> = m
        .object(root.as_ref(), &format!("{MF}entries"))
        .map(|l| m.list(&l))
        .unwrap_or_default()
        .iter()
        .filter_map(as_subject)
        .collect();
    for t in &listed {
        out.push(case(&m, t, true)?);
    }
    let mut unlisted: Vec<NamedOrBlankNode> = m
        .graph
        .triples_for_predicate(rdf::TYPE)
        .filter(|t| {
            matches!(t.object, TermRef::NamedNode(k) if k.as_str().starts_with(MF) && k.as_str().ends_with("Test"))
        })
        .map(|t| t.subject.into_owned())
        .filter(|s| !listed.contains(s))
        .collect();
    unlisted.sort_by_key(|s| s.to_string());
    unlisted.dedup();
    for t in &unlisted {
        out.push(case(&m, t, false)?);
    }
    Ok(out)
}

/// One HTTP/1.1 exchange over a fresh connection, written byte for byte as the manifest says
/// (no header added but `Host`, `Content-Length` and `Connection: close`).
struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    fn content_type(&self) -> String {
        self.header("content-type").unwrap_or("").to_owned()
    }
}

fn send(
    addr: std::net::SocketAddr,
    authority: &str,
    method: &str,
    path: &str,
    headers: &[(String, String)],
    body: Option<&[u8]>,
) -> Result<Reply, String> {
    let mut s = std::net::TcpStream::connect(addr).map_err(|e| format!("connect: {e}"))?;
    s.set_read_timeout(Some(Duration::from_secs(60)))
        .map_err(|e| e.to_string())?;
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {authority}\r\n");
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    let body = body.unwrap_or_default();
    if !body.is_empty() || matches!(method, "POST" | "PUT") {
        head.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    head.push_str("Connection: close\r\n\r\n");
    s.write_all(head.as_bytes())
        .and_then(|()| s.write_all(body))
        .map_err(|e| format!("write: {e}"))?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).map_err(|e| format!("read: {e}"))?;
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or("no end of headers in the response")?;
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|c| c.parse().ok())
        .ok_or("no status line")?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let rest = &raw[split + 4..];
    let chunked = headers.iter().any(|(k, v)| {
        k.eq_ignore_ascii_case("transfer-encoding") && v.eq_ignore_ascii_case("chunked")
    });
    let body = if method == "HEAD" {
        Vec::new()
    } else if chunked {
        dechunk(rest)?
    } else {
        rest.to_vec()
    };
    Ok(Reply {
        status,
        headers,
        body,
    })
}

fn dechunk(mut b: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    loop {
        let eol = b.windows(2).position(|w| w == b"\r\n").ok_or("bad chunk")?;
        let size = usize::from_str_radix(
            String::from_utf8_lossy(&b[..eol])
                .split(';')
                .next()
                .unwrap_or("")
                .trim(),
            16,
        )
        .map_err(|e| format!("bad chunk size: {e}"))?;
        b = &b[eol + 2..];
        if size == 0 {
            return Ok(out);
        }
        if b.len() < size + 2 {
            return Err("truncated chunk".into());
        }
        out.extend_from_slice(&b[..size]);
        b = &b[size + 2..];
    }
}

/// Whether a request changes the store (the server then gets the update token, and the request
/// presents it): any method but GET/HEAD that is not a SPARQL query, or an `update` parameter.
fn writes(x: &Exchange) -> bool {
    let ct = header_value(&x.headers, "content-type")
        .unwrap_or("")
        .to_ascii_lowercase();
    let body = x.body.as_deref().unwrap_or_default();
    let has = |pairs: &[u8], key: &str| form_urlencoded::parse(pairs).any(|(k, _)| k == key);
    let query_string = x.path.split_once('?').map_or("", |(_, q)| q).as_bytes();
    if has(query_string, "update") {
        return true;
    }
    match x.method.as_str() {
        "GET" | "HEAD" => false,
        _ if ct.starts_with("application/sparql-query") => false,
        _ if ct.starts_with("application/x-www-form-urlencoded") => !has(body, "query"),
        _ => true,
    }
}

fn header_value<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// The manifests' endpoint paths on this server: the Graph Store's `/gsp` is `/store`.
fn endpoint_path(path: &str) -> String {
    match path.strip_prefix("/gsp") {
        Some(rest) if rest.is_empty() || rest.starts_with(['/', '?']) => format!("/store{rest}"),
        _ => path.to_owned(),
    }
}

fn media(ct: &str) -> (String, Vec<(String, String)>) {
    let mut parts = ct.split(';');
    let essence = parts.next().unwrap_or("").trim().to_ascii_lowercase();
    let params = parts
        .filter_map(|p| p.split_once('='))
        .map(|(k, v)| {
            (
                k.trim().to_ascii_lowercase(),
                v.trim().trim_matches('"').to_ascii_lowercase(),
            )
        })
        .collect();
    (essence, params)
}

fn rdf_graph(body: &[u8], format: RdfFormat, base: &str) -> Result<Graph, String> {
    let mut g = Graph::new();
    for q in RdfParser::from_format(format)
        .with_base_iri(base)
        .map_err(|e| e.to_string())?
        .for_slice(body)
    {
        let q = q.map_err(|e| e.to_string())?;
        g.insert(&Triple::new(q.subject, q.predicate, q.object));
    }
    g.canonicalize(CanonicalizationAlgorithm::Unstable);
    Ok(g)
}

/// Checks one response against its expectations; `Err` says what differs.
fn check(x: &Exchange, r: &Reply, base: &str) -> Result<(), String> {
    let code = r.status.to_string();
    // A refusal for want of a token is never the protocol's reason for a 4xx: the runner
    // presents the token wherever a request writes.
    if matches!(r.status, 401 | 403) && !x.statuses.contains(&code) {
        return Err(format!(
            "status {code}: refused for its token, not judged by the protocol ({})",
            String::from_utf8_lossy(&r.body).trim()
        ));
    }
    if !x.statuses.is_empty()
        && !x
            .statuses
            .iter()
            .any(|s| *s == code || (s.ends_with("xx") && code.starts_with(&s[..1])))
    {
        return Err(format!(
            "status {code}, expected {} ({})",
            x.statuses.join(" or "),
            String::from_utf8_lossy(&r.body).trim()
        ));
    }
    let ct = r.content_type();
    let (essence, params) = media(&ct);
    for (k, v) in &x.response_headers {
        let got = r.header(k).unwrap_or("");
        let ok = if k.eq_ignore_ascii_case("content-type") {
            // The media type, and each parameter the expectation names.
            let (want, want_params) = media(v);
            want == essence && want_params.iter().all(|p| params.contains(p))
        } else {
            got == v
        };
        if !ok {
            return Err(format!("header {k}: `{got}`, expected `{v}`"));
        }
    }
    if let Some(f) = &x.format {
        let results = QueryResultsFormat::from_media_type(&essence);
        let graph = RdfFormat::from_media_type(&essence);
        match (f.as_str(), results, graph) {
            ("boolean" | "tabular", Some(rf), _) => {
                match QueryResultsParser::from_format(rf).for_slice(&r.body) {
                    Ok(out) => {
                        let is_boolean = matches!(
                            out,
                            oxigraph::sparql::results::SliceQueryResultsParserOutput::Boolean(_)
                        );
                        if is_boolean != (f == "boolean") {
                            return Err(format!("a {f} result expected, got another form"));
                        }
                    }
                    Err(e) => return Err(format!("results do not parse as {ct}: {e}")),
                }
            }
            ("RDF", _, Some(gf)) => {
                rdf_graph(&r.body, gf, base).map_err(|e| format!("not {ct}: {e}"))?;
            }
            _ => return Err(format!("content type `{ct}` is not a {f} format")),
        }
    }
    if let Some(want) = x.boolean {
        let rf = QueryResultsFormat::from_media_type(&essence)
            .ok_or_else(|| format!("content type `{ct}` is not a SPARQL results format"))?;
        match QueryResultsParser::from_format(rf).for_reader(r.body.as_slice()) {
            Ok(ReaderQueryResultsParserOutput::Boolean(b)) if b == want => {}
            Ok(ReaderQueryResultsParserOutput::Boolean(b)) => {
                return Err(format!("boolean {b}, expected {want}"));
            }
            Ok(_) => return Err("solutions, expected a boolean".into()),
            Err(e) => return Err(format!("results do not parse: {e}")),
        }
    }
    if let Some(want) = &x.response_body {
        let want_format = header_value(&x.response_headers, "content-type")
            .and_then(|v| RdfFormat::from_media_type(&media(v).0))
            .unwrap_or(RdfFormat::Turtle);
        let got_format = RdfFormat::from_media_type(&essence)
            .ok_or_else(|| format!("content type `{ct}` is not an RDF format"))?;
        let want = rdf_graph(want.as_bytes(), want_format, base)?;
        let got = rdf_graph(&r.body, got_format, base)?;
        if want != got {
            return Err(format!(
                "graph differs: got\n{}",
                String::from_utf8_lossy(&r.body)
            ));
        }
    }
    if let Some(var) = &x.location
        && r.header("location").is_none()
    {
        return Err(format!("no Location header for {var}"));
    }
    Ok(())
}

/// Starts the router over `db` on an ephemeral loopback port, inside `rt`.
fn start(
    rt: &tokio::runtime::Runtime,
    db: Db,
    cfg: Config,
) -> (std::net::SocketAddr, tokio::task::JoinHandle<()>) {
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let app = serve::router(db, cfg);
    // Plain axum::serve: serve::run's shutdown would cancel the queries of the whole process.
    let task = rt.spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (addr, task)
}

/// The features of `mf:requires` this server has.
const SUPPORTED: &[&str] = &[
    "DirectGraphIdentification",
    "IndirectGraphIdentification",
    "POSTGraphCreation",
];

/// Runs one test: `Ok(())` passed, `Err` why not.
fn run(rt: &tokio::runtime::Runtime, c: &Case) -> Result<(), String> {
    if let Some(r) = c.requires.iter().find(|r| !SUPPORTED.contains(&r.as_str())) {
        return Err(format!("requires {r}, which the runner does not know"));
    }
    let db = Db::memory().map_err(|e| e.to_string())?;
    for (file, graph) in &c.data {
        let bytes = std::fs::read(file).map_err(|e| format!("{}: {e}", file.display()))?;
        let format = file
            .extension()
            .and_then(|e| e.to_str())
            .and_then(RdfFormat::from_extension)
            .unwrap_or(RdfFormat::Turtle);
        db.inner()
            .load_from_slice(
                RdfParser::from_format(format)
                    .with_default_graph(GraphName::NamedNode(graph.clone())),
                &bytes,
            )
            .map_err(|e| format!("{}: {e}", file.display()))?;
    }
    let writes = c.exchanges.iter().any(writes);
    let cfg = Config {
        update_tokens: if writes {
            vec![TOKEN.to_owned()]
        } else {
            Vec::new()
        },
        ..Config::default()
    };
    let (addr, task) = start(rt, db, cfg);
    let outcome = if c.kind == "ServiceDescriptionTest" {
        service_description(addr, c)
    } else {
        replay(addr, c, writes)
    };
    task.abort();
    outcome
}

fn replay(addr: std::net::SocketAddr, c: &Case, writes: bool) -> Result<(), String> {
    if c.exchanges.is_empty() {
        return Err("no request to replay".into());
    }
    let mut vars: Vec<(String, String)> = Vec::new();
    for (i, x) in c.exchanges.iter().enumerate() {
        let fill = |s: &str| {
            vars.iter()
                .fold(s.to_owned(), |acc, (k, v)| acc.replace(k.as_str(), v))
        };
        let path = endpoint_path(&fill(&x.path));
        let body = x.body.as_ref().map(|b| match std::str::from_utf8(b) {
            Ok(s) => fill(s).into_bytes(),
            Err(_) => b.clone(),
        });
        let mut headers = x.headers.clone();
        if writes {
            headers.push(("Authorization".into(), format!("Bearer {TOKEN}")));
        }
        let reply = send(
            addr,
            &c.authority,
            &x.method,
            &path,
            &headers,
            body.as_deref(),
        )
        .map_err(|e| format!("request {} ({} {path}): {e}", i + 1, x.method))?;
        let base = format!(
            "http://{}{}",
            c.authority,
            path.split('?').next().unwrap_or("")
        );
        check(x, &reply, &base)
            .map_err(|e| format!("request {} ({} {path}): {e}", i + 1, x.method))?;
        if let (Some(var), Some(loc)) = (&x.location, reply.header("location")) {
            vars.push((var.clone(), loc.to_owned()));
        }
    }
    Ok(())
}

/// The service-description tests have no requests in the manifest: each is the conformance
/// criterion of its name (SPARQL 1.1 Service Description, section 2), checked on the
/// description a plain GET of the protocol manifests' endpoint (`/sparql/`) returns.
fn service_description(addr: std::net::SocketAddr, c: &Case) -> Result<(), String> {
    let path = "/sparql/";
    let endpoint = format!("http://{}{path}", c.authority);
    let r = send(addr, &c.authority, "GET", path, &[], None)?;
    if r.status != 200 {
        return Err(format!("GET {path}: status {}", r.status));
    }
    let ct = r.content_type();
    let format = RdfFormat::from_media_type(&media(&ct).0)
        .ok_or_else(|| format!("GET {path}: `{ct}` is not an RDF format"))?;
    let g = rdf_graph(&r.body, format, &endpoint)?;
    let sd = |l: &str| n(&format!("{SD}{l}"));
    match c.name.as_str() {
        "returns-rdf" => Ok(()),
        "has-endpoint-triple" => {
            let endpoint_term = Term::from(n(&endpoint));
            let found = g
                .triples_for_predicate(sd("endpoint").as_ref())
                .any(|t| t.object == endpoint_term.as_ref());
            if found {
                Ok(())
            } else {
                Err(format!("no `?service sd:endpoint <{endpoint}>`"))
            }
        }
        "conforms-to-schema" => {
            // The vocabulary's use that can be checked without a reasoner: every named graph
            // (sd:NamedGraph, or the object of sd:namedGraph) has an sd:name, and an IRI at that.
            let mut named: Vec<NamedOrBlankNode> = g
                .subjects_for_predicate_object(rdf::TYPE, sd("NamedGraph").as_ref())
                .map(|s| s.into_owned())
                .collect();
            named.extend(
                g.triples_for_predicate(sd("namedGraph").as_ref())
                    .filter_map(|t| as_subject(&t.object.into_owned())),
            );
            for ng in &named {
                match g.object_for_subject_predicate(ng.as_ref(), sd("name").as_ref()) {
                    Some(TermRef::NamedNode(_)) => {}
                    Some(other) => return Err(format!("sd:name {other} is not an IRI")),
                    None => return Err(format!("named graph {ng} has no sd:name")),
                }
            }
            let services: Vec<_> = g
                .subjects_for_predicate_object(rdf::TYPE, sd("Service").as_ref())
                .collect();
            if services.is_empty() {
                return Err("no sd:Service".into());
            }
            Ok(())
        }
        other => Err(format!(
            "no procedure for the service-description test `{other}`"
        )),
    }
}

#[test]
fn w3c_manifests() {
    let Some(dir) = w3c_dir() else { return };
    let mut all = Vec::new();
    for m in [
        "protocol/manifest.ttl",
        "graph-store-protocol/manifest.ttl",
        "service-description/manifest.ttl",
    ] {
        all.extend(cases(&dir.join(m)).unwrap_or_else(|e| panic!("{m}: {e}")));
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let mut rows = Vec::new();
    for c in &all {
        let outcome = run(&rt, c);
        rows.push((c, outcome));
    }
    let mut table = String::new();
    let mut failures = Vec::new();
    let mut by_manifest: Vec<(String, usize, usize)> = Vec::new();
    for (c, outcome) in &rows {
        let excepted = EXCEPTIONS.iter().find(|(t, _)| *t == c.name);
        let verdict = match (outcome, excepted) {
            (Ok(()), _) => "pass",
            (Err(_), Some(_)) => "EXCEPTED",
            (Err(_), None) => "FAIL",
        };
        let slot = match by_manifest.iter_mut().find(|(m, _, _)| *m == c.manifest) {
            Some(s) => s,
            None => {
                by_manifest.push((c.manifest.clone(), 0, 0));
                by_manifest.last_mut().expect("just pushed")
            }
        };
        slot.2 += 1;
        if outcome.is_ok() {
            slot.1 += 1;
        }
        table.push_str(&format!(
            "{verdict:<8} {:<45} {:<40}{}\n",
            c.manifest,
            c.name,
            if c.listed {
                ""
            } else {
                " (defined, not in mf:entries)"
            }
        ));
        if let Err(e) = outcome {
            table.push_str(&format!("         {}: {e}\n", c.title));
            if excepted.is_none() {
                failures.push(format!("{}: {e}", c.name));
            }
        }
    }
    let passed = rows.iter().filter(|(_, o)| o.is_ok()).count();
    println!("{table}");
    for (m, p, t) in &by_manifest {
        println!("{m}: {p} of {t} pass");
    }
    println!(
        "W3C SPARQL 1.1 manifests: {passed} of {} tests pass",
        rows.len()
    );
    assert!(
        !rows.is_empty(),
        "no test found in the manifests at {}",
        dir.display()
    );
    assert!(
        failures.is_empty(),
        "{} test(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

// ---------------------------------------------------------------------------------------------
// Acceptance checks of issue 23, on stores of their own (the real one where it matters).

/// A server over `db` with `cfg`, on a runtime that lives until the test binary exits.
fn serve_forever(db: Db, cfg: Config) -> std::net::SocketAddr {
    static RT: std::sync::OnceLock<tokio::runtime::Runtime> = std::sync::OnceLock::new();
    let rt = RT.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime")
    });
    start(rt, db, cfg).0
}

fn call(
    addr: std::net::SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> Reply {
    let headers: Vec<(String, String)> = headers
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    send(
        addr,
        &addr.to_string(),
        method,
        path,
        &headers,
        body.map(str::as_bytes),
    )
    .unwrap_or_else(|e| panic!("{method} {path}: {e}"))
}

fn text(r: &Reply) -> String {
    String::from_utf8_lossy(&r.body).into_owned()
}

fn triples(r: &Reply) -> Vec<Triple> {
    let format = RdfFormat::from_media_type(&media(&r.content_type()).0)
        .unwrap_or_else(|| panic!("not RDF: {}", r.content_type()));
    RdfParser::from_format(format)
        .for_slice(&r.body)
        .map(|q| {
            let q = q.unwrap_or_else(|e| panic!("{e}: {}", text(r)));
            Triple::new(q.subject, q.predicate, q.object)
        })
        .collect()
}

const CONSTRUCT_RELATIVE: &str = "CONSTRUCT { <s> <p> 1 } WHERE {}";

/// `curl -H 'Content-Type: application/sparql-query' --data 'CONSTRUCT { <s> <p> 1 } WHERE {}'
/// …/sparql` returns Turtle whose IRIs are resolved against the endpoint's URL (or `--base`).
#[test]
fn a_relative_iri_resolves_against_the_endpoint() {
    let addr = serve_forever(Db::memory().expect("memory"), Config::default());
    for (path, s, p) in [
        (
            "/sparql",
            format!("http://{addr}/s"),
            format!("http://{addr}/p"),
        ),
        (
            "/sparql/",
            format!("http://{addr}/sparql/s"),
            format!("http://{addr}/sparql/p"),
        ),
    ] {
        let r = call(
            addr,
            "POST",
            path,
            &[
                ("Content-Type", "application/sparql-query"),
                ("Accept", "*/*"),
            ],
            Some(CONSTRUCT_RELATIVE),
        );
        assert_eq!(r.status, 200, "{}", text(&r));
        assert!(
            r.content_type().starts_with("text/turtle"),
            "{}",
            r.content_type()
        );
        let t = triples(&r);
        assert_eq!(t.len(), 1, "{}", text(&r));
        assert_eq!(t[0].subject.to_string(), format!("<{s}>"));
        assert_eq!(t[0].predicate.as_str(), p);
    }
    // A configured base wins over the request's URL.
    let based = serve_forever(
        Db::memory().expect("memory"),
        Config {
            base: Some("https://example.org/kg/".into()),
            ..Config::default()
        },
    );
    let r = call(
        based,
        "POST",
        "/sparql",
        &[("Content-Type", "application/sparql-query")],
        Some(CONSTRUCT_RELATIVE),
    );
    assert_eq!(r.status, 200, "{}", text(&r));
    assert_eq!(
        triples(&r)[0].subject.to_string(),
        "<https://example.org/kg/s>"
    );
    // The CLI has no request URL: it says what is missing, not "expected OPTIONAL".
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_crosswalk"))
        .args(["--memory", "query", "SELECT * WHERE { <s> ?p ?o }"])
        .output()
        .expect("run crosswalk");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(err.contains("relative IRI"), "{err}");
    assert!(!err.contains("OPTIONAL"), "{err}");
    // …and takes one with --base, as the endpoint takes its URL.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_crosswalk"))
        .args(["--memory", "query", "--base", "https://example.org/kg/"])
        .args([CONSTRUCT_RELATIVE, "--format", "ntriples"])
        .output()
        .expect("run crosswalk");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "<https://example.org/kg/s> <https://example.org/kg/p> \"1\"^^<http://www.w3.org/2001/XMLSchema#integer> ."
    );
    // A base that is not an absolute IRI is refused, named.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_crosswalk"))
        .args(["--memory", "query", "--base", "kg/", CONSTRUCT_RELATIVE])
        .output()
        .expect("run crosswalk");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "the user's mistake: {err}");
    assert!(err.contains("--base `kg/` is not an absolute IRI"), "{err}");
}

/// The smaller protocol points: `text/xml`, charsets, one query, unknown functions and SERVICE
/// are the client's (4xx).
#[test]
fn protocol_details() {
    let addr = serve_forever(Db::memory().expect("memory"), Config::default());
    let q = |query: &str, accept: &str| {
        call(
            addr,
            "POST",
            "/sparql",
            &[
                ("Content-Type", "application/sparql-query"),
                ("Accept", accept),
            ],
            Some(query),
        )
    };
    let r = q("SELECT (1 AS ?x) {}", "text/xml");
    assert_eq!(r.status, 200, "{}", text(&r));
    assert_eq!(r.content_type(), "text/xml; charset=utf-8");
    assert!(text(&r).contains("sparql-results"), "{}", text(&r));
    for (accept, ct) in [
        ("text/csv", "text/csv; charset=utf-8"),
        (
            "text/tab-separated-values",
            "text/tab-separated-values; charset=utf-8",
        ),
    ] {
        assert_eq!(q("SELECT (1 AS ?x) {}", accept).content_type(), ct);
    }
    let r = q("SELECT (<urn:nope>(1) AS ?x) {}", "*/*");
    assert_eq!(r.status, 400, "{}", text(&r));
    assert!(text(&r).contains("urn:nope"), "{}", text(&r));
    let r = q(
        "SELECT * { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
        "*/*",
    );
    assert_eq!(r.status, 400, "{}", text(&r));
    let r = call(
        addr,
        "GET",
        "/sparql?query=ASK%7B%7D&query=ASK%7B%7D",
        &[],
        None,
    );
    assert_eq!(r.status, 400, "{}", text(&r));
    let r = call(
        addr,
        "POST",
        "/sparql",
        &[(
            "Content-Type",
            "application/sparql-query; charset=ISO-8859-1",
        )],
        Some("ASK {}"),
    );
    assert_eq!(r.status, 415, "{}", text(&r));
    // The OpenAPI document lists the protocol routes.
    let r = call(addr, "GET", "/api/v1/openapi.json", &[], None);
    let doc: serde_json::Value = serde_json::from_slice(&r.body).expect("OpenAPI JSON");
    for path in ["/sparql", "/sparql/", "/query", "/store", "/store/{graph}"] {
        assert!(
            doc["paths"].get(path).is_some(),
            "{path} not in the OpenAPI document"
        );
    }
}

/// `GET /store?graph=https://w3id.org/crosswalk/graph/inferred` with `Accept:
/// application/n-triples` returns that whole graph (never cut at `--max-rows`), revalidates with
/// its `ETag`, and HEAD says the same without a body.
#[test]
fn the_inferred_graph_over_the_graph_store_protocol() {
    let Some(db) = util::loaded() else { return };
    let inferred = "https://w3id.org/crosswalk/graph/inferred";
    let want = db
        .inner()
        .quads_for_pattern(
            None,
            None,
            None,
            Some(oxigraph::model::GraphNameRef::NamedNode(
                NamedNodeRef::new_unchecked(inferred),
            )),
        )
        .count();
    let addr = serve_forever(db.clone(), Config::default());
    let path = format!("/store?graph={}", enc(inferred));
    let accept = [("Accept", "application/n-triples")];
    let r = call(addr, "GET", &path, &accept, None);
    assert_eq!(r.status, 200, "{}", text(&r));
    assert_eq!(r.content_type(), "application/n-triples");
    assert!(want > Config::default().max_rows, "{want}");
    assert_eq!(triples(&r).len(), want);
    let tag = r.header("etag").expect("an ETag").to_owned();
    let again = call(
        addr,
        "GET",
        &path,
        &[
            ("Accept", "application/n-triples"),
            ("If-None-Match", tag.as_str()),
        ],
        None,
    );
    assert_eq!(again.status, 304);
    assert!(again.body.is_empty());
    let head = call(addr, "HEAD", &path, &accept, None);
    assert_eq!(head.status, 200);
    assert_eq!(head.header("etag"), Some(tag.as_str()));
    // Turtle by default; a graph the store lacks is 404.
    let r = call(
        addr,
        "GET",
        &format!(
            "/store?graph={}",
            enc("https://w3id.org/crosswalk/graph/csf-2.0")
        ),
        &[],
        None,
    );
    assert_eq!(r.status, 200);
    assert_eq!(r.content_type(), "text/turtle; charset=utf-8");
    let r = call(addr, "GET", "/store?graph=urn:absent", &[], None);
    assert_eq!(r.status, 404, "{}", text(&r));
    // The service description names the graph store beside its endpoint.
    let sd = call(
        addr,
        "GET",
        "/sparql",
        &[("Accept", "application/n-triples")],
        None,
    );
    assert!(
        text(&sd).contains(&format!(
            "<https://w3id.org/crosswalk/ontology#graphStore> <http://{addr}/store>"
        )),
        "{}",
        text(&sd)
    );
}

fn enc(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// A PUT without a token gets 401/403 and changes nothing, on a read-only server and on one
/// with tokens alike.
#[test]
fn a_graph_store_write_without_a_token_changes_nothing() {
    let db = Db::memory().expect("memory");
    db.inner()
        .load_from_slice(
            RdfParser::from_format(RdfFormat::NTriples)
                .with_default_graph(GraphName::NamedNode(n("urn:g"))),
            "<urn:a> <urn:b> <urn:c> .",
        )
        .expect("load");
    let body = "<urn:x> <urn:y> <urn:z> .";
    let ct = ("Content-Type", "application/n-triples");
    let read_only = serve_forever(db.clone(), Config::default());
    let writable = serve_forever(
        db.clone(),
        Config {
            update_tokens: vec!["t0ken".into()],
            ..Config::default()
        },
    );
    for (addr, auth, status) in [
        (read_only, None, 403),
        (read_only, Some("Bearer t0ken"), 403),
        (writable, None, 401),
        (writable, Some("Bearer wrong"), 401),
    ] {
        for (method, path) in [
            ("PUT", "/store?graph=urn:g"),
            ("POST", "/store?graph=urn:g"),
            ("DELETE", "/store?graph=urn:g"),
            ("PUT", "/store?default"),
            ("POST", "/store"),
        ] {
            let mut headers = vec![ct];
            if let Some(a) = auth {
                headers.push(("Authorization", a));
            }
            let r = call(addr, method, path, &headers, Some(body));
            assert_eq!(r.status, status, "{method} {path}: {}", text(&r));
        }
    }
    let all: Vec<String> = db
        .inner()
        .iter()
        .map(|q| q.expect("quad").to_string())
        .collect();
    assert_eq!(
        all,
        vec!["<urn:a> <urn:b> <urn:c> <urn:g>".to_owned()],
        "the store changed"
    );
}

/// Graph Store writes are one transaction with their re-inference, bump the store's generation
/// (so cached SPARQL answers and ETags are renewed), and leave `graph/inferred` alone; deleting
/// the last asserted graph, like `DROP ALL`, leaves an empty store.
#[test]
fn graph_store_writes_reinfer_and_renew_cached_answers() {
    let db = Db::memory().expect("memory");
    let addr = serve_forever(
        db.clone(),
        Config {
            update_tokens: vec!["t0ken".into()],
            ..Config::default()
        },
    );
    let auth = ("Authorization", "Bearer t0ken");
    let turtle = ("Content-Type", "text/turtle");
    let user = format!(
        "/store?graph={}",
        enc("https://w3id.org/crosswalk/graph/user/t")
    );
    let mapping = "@prefix cw: <https://w3id.org/crosswalk/ontology#> .
        <urn:set> a cw:Document, cw:MappingSet .
        <urn:m1> a cw:Mapping ; cw:subject <urn:x> ; cw:object <urn:y> ;
          cw:relationship cw:SubsetOf ; cw:style cw:SetTheory ;
          cw:mappingStatus cw:FinalMapping ; cw:mappingSet <urn:set> .";
    let inverse = "PREFIX cw: <https://w3id.org/crosswalk/ontology#> ASK { GRAPH <https://w3id.org/crosswalk/graph/inferred> {
          ?n cw:inverseOf <urn:m1> ; cw:subject <urn:y> ; cw:object <urn:x> } }";
    let ask = |q: &str| {
        let r = call(
            addr,
            "GET",
            &format!("/sparql?query={}", enc(q)),
            &[("Accept", "application/sparql-results+json")],
            None,
        );
        assert_eq!(r.status, 200, "{}", text(&r));
        text(&r).contains("true")
    };
    // Cached before the write.
    assert!(!ask(inverse));
    let before = call(addr, "HEAD", "/store?default", &[], None);
    let r = call(addr, "PUT", &user, &[turtle, auth], Some(mapping));
    assert_eq!(r.status, 201, "{}", text(&r));
    assert!(
        ask(inverse),
        "no inverse after the PUT (or a stale cached answer)"
    );
    let after = call(addr, "HEAD", "/store?default", &[], None);
    assert_ne!(before.header("etag"), after.header("etag"));
    let r = call(addr, "PUT", &user, &[turtle, auth], Some(mapping));
    assert_eq!(r.status, 204, "{}", text(&r));
    // graph/inferred is derived: not writable.
    let r = call(
        addr,
        "PUT",
        &format!(
            "/store?graph={}",
            enc("https://w3id.org/crosswalk/graph/inferred")
        ),
        &[turtle, auth],
        Some("<urn:a> <urn:b> <urn:c> ."),
    );
    assert_eq!(r.status, 409, "{}", text(&r));
    // A bad body is a 400 that changes nothing.
    let r = call(addr, "POST", &user, &[turtle, auth], Some("<urn:a> <urn:b"));
    assert_eq!(r.status, 400, "{}", text(&r));
    assert!(ask(inverse));
    // Deleting the only asserted graph takes its inference with it: the store is empty.
    let r = call(addr, "DELETE", &user, &[auth], None);
    assert_eq!(r.status, 204, "{}", text(&r));
    assert!(!ask(inverse));
    assert_eq!(db.len().expect("len"), 0);
    let r = call(addr, "DELETE", &user, &[auth], None);
    assert_eq!(r.status, 404, "{}", text(&r));
    // DROP ALL after a load leaves nothing either (no inference-set description).
    let r = call(addr, "PUT", &user, &[turtle, auth], Some(mapping));
    assert_eq!(r.status, 201, "{}", text(&r));
    assert!(db.len().expect("len") > 7);
    let r = call(
        addr,
        "POST",
        "/sparql",
        &[("Content-Type", "application/sparql-update"), auth],
        Some("DROP ALL"),
    );
    assert_eq!(r.status, 204, "{}", text(&r));
    assert_eq!(db.len().expect("len"), 0);
    assert!(!ask("ASK { ?s ?p ?o }"));
}
