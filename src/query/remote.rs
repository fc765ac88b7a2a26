//! A SPARQL 1.1 Protocol client: the named queries on an engine crosswalk does not embed
//! (Oxigraph server, Virtuoso, Fuseki, QLever, …), and the writes `crosswalk push` makes.
//!
//! Everything goes as standard protocol requests: queries and updates as
//! `application/x-www-form-urlencoded` POSTs (the one form every engine tried accepts; Virtuoso
//! 7 ignores a direct `application/sparql-query` body on some routes), graphs as Graph Store
//! Protocol PUTs. Parameters reach the engine as a `VALUES` block (`with_values`), never as
//! spliced user text.
use super::{Solutions, Sparql, table};
use crate::model::error::{Error, Result};
use crate::model::sparql_text::with_values;
use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::Term;
use oxigraph::sparql::results::{
    QueryResultsFormat, QueryResultsParser, ReaderQueryResultsParserOutput,
};
use oxigraph::sparql::{QueryResults, QuerySolutionIter, QueryTripleIter};
use std::time::Duration;

/// How `--endpoint-auth` authenticates; the secret comes from the environment only (never a
/// command-line argument, which `ps` shows to every user), and is never printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Auth {
    /// HTTP Basic: `CROSSWALK_ENDPOINT_USER` and `CROSSWALK_ENDPOINT_PASSWORD`.
    Basic,
    /// `Authorization: Bearer $CROSSWALK_ENDPOINT_TOKEN`.
    Bearer,
}

impl Auth {
    /// The `Authorization` header value, from the environment.
    pub fn header(self) -> Result<String> {
        let var = |name: &str| {
            std::env::var(name).map_err(|_| {
                Error::Invalid(format!(
                    "--endpoint-auth {}: set {name} in the environment",
                    match self {
                        Auth::Basic => "basic",
                        Auth::Bearer => "bearer",
                    }
                ))
            })
        };
        Ok(match self {
            Auth::Basic => {
                let user = var("CROSSWALK_ENDPOINT_USER")?;
                let password = var("CROSSWALK_ENDPOINT_PASSWORD")?;
                format!("Basic {}", base64(format!("{user}:{password}").as_bytes()))
            }
            Auth::Bearer => format!("Bearer {}", var("CROSSWALK_ENDPOINT_TOKEN")?),
        })
    }
}

/// Standard base64 with padding (RFC 4648), for the one Basic credential.
fn base64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for c in bytes.chunks(3) {
        let n = (u32::from(c[0]) << 16)
            | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
            | u32::from(*c.get(2).unwrap_or(&0));
        for i in 0..4 {
            if i <= c.len() {
                out.push(A[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// A remote SPARQL 1.1 Protocol endpoint.
#[derive(Clone)]
pub struct Remote {
    pub endpoint: String,
    agent: ureq::Agent,
    /// The `Authorization` header value (a secret: not in `Debug`, never in an error).
    auth: Option<String>,
    /// Whether the engine is Virtuoso (its `Server` header), learnt from the first response:
    /// the one engine whose quirks need a different query text ([`trailing_values`]).
    virtuoso: std::sync::Arc<std::sync::OnceLock<bool>>,
    /// The names the engine knows, with when they were read ([`NAMES_FRESH`]).
    names: NamesCache,
}

type NamesCache = std::sync::Arc<
    std::sync::Mutex<Option<(std::time::Instant, std::sync::Arc<super::names::Names>)>>,
>;

/// How long the names an engine knows (schemes, sets, baselines: what every user-given name
/// is checked against) are kept before they are read again. That query was most of a remote
/// `map` lookup (Virtuoso: 56 of 65 ms); names change only with a `push`, so a set pushed
/// is accepted by a running `serve --endpoint` within this long.
pub const NAMES_FRESH: Duration = Duration::from_secs(10);

impl std::fmt::Debug for Remote {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Remote")
            .field("endpoint", &self.endpoint)
            .field("auth", &self.auth.as_ref().map(|_| "…"))
            .finish()
    }
}

impl Remote {
    pub fn new(endpoint: &str) -> Self {
        Self::with_timeout(endpoint, Duration::from_secs(60))
    }

    /// A client whose requests each give up after `timeout` (a push of the inferred graph
    /// takes longer than a lookup).
    pub fn with_timeout(endpoint: &str, timeout: Duration) -> Self {
        let agent = ureq::Agent::config_builder()
            .tls_config(
                ureq::tls::TlsConfig::builder()
                    .root_certs(ureq::tls::RootCerts::PlatformVerifier)
                    .build(),
            )
            .timeout_global(Some(timeout))
            .http_status_as_error(false)
            .build()
            .new_agent();
        Remote {
            endpoint: endpoint.to_owned(),
            agent,
            auth: None,
            virtuoso: Default::default(),
            names: Default::default(),
        }
    }

    /// The endpoint URL checked (`http://` or `https://`), with `auth` read from the
    /// environment.
    pub fn checked(endpoint: &str, auth: Option<Auth>, timeout: Duration) -> Result<Self> {
        if !(endpoint.starts_with("http://") || endpoint.starts_with("https://")) {
            return Err(Error::Invalid(format!(
                "--endpoint takes the http:// or https:// URL of a SPARQL 1.1 Protocol endpoint, not `{endpoint}`"
            )));
        }
        let mut r = Self::with_timeout(endpoint, timeout);
        r.auth = auth.map(Auth::header).transpose()?;
        Ok(r)
    }

    /// The same client and credentials for another URL of the same engine (its update or
    /// Graph Store endpoint).
    pub fn at(&self, url: &str) -> Self {
        let mut r = self.clone();
        r.endpoint = url.to_owned();
        r
    }

    fn err(&self, m: impl ToString) -> Error {
        Error::Remote {
            endpoint: self.endpoint.clone(),
            message: m.to_string(),
        }
    }

    /// POSTs a form; the response's status, content type and body.
    fn form(&self, pairs: &[(&str, &str)], accept: &str) -> Result<(String, Vec<u8>)> {
        let mut req = self.agent.post(&self.endpoint).header("Accept", accept);
        if let Some(a) = &self.auth {
            req = req.header("Authorization", a);
        }
        let started = std::time::Instant::now();
        let mut resp = req
            .send_form(pairs.iter().copied())
            .map_err(|e| self.err(e))?;
        let out = self.body(&mut resp);
        tracing::debug!(endpoint = %self.endpoint, ms = started.elapsed().as_millis(), "remote request");
        out
    }

    fn body(&self, resp: &mut ureq::http::Response<ureq::Body>) -> Result<(String, Vec<u8>)> {
        let server = resp
            .headers()
            .get("server")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        let _ = self.virtuoso.set(server.starts_with("Virtuoso"));
        let status = resp.status();
        let ctype = resp
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_ascii_lowercase();
        let body = resp
            .body_mut()
            .with_config()
            .limit(u64::MAX)
            .read_to_vec()
            .map_err(|e| self.err(e))?;
        if !status.is_success() {
            let text = String::from_utf8_lossy(&body);
            let text: String = text.chars().take(600).collect();
            return Err(self.err(format!("HTTP {status}: {}", text.trim())));
        }
        Ok((ctype, body))
    }

    /// Runs any query (SELECT, ASK, CONSTRUCT, DESCRIBE) for `crosswalk query`, parsed by the
    /// response's content type.
    pub fn query(&self, text: &str, bindings: &[(&str, Term)]) -> Result<QueryResults<'static>> {
        let text = self.text_for(with_values(text, bindings)?);
        // Virtuoso answers a CONSTRUCT in SPARQL JSON (s/p/o rows) when that is acceptable: a
        // graph query asks for a graph format only.
        let graph = matches!(
            spargebra::SparqlParser::new().parse_query(&text),
            Ok(spargebra::Query::Construct { .. } | spargebra::Query::Describe { .. })
        );
        let accept = if graph {
            "application/n-triples, text/turtle;q=0.9"
        } else {
            "application/sparql-results+json, application/sparql-results+xml;q=0.9, application/n-triples;q=0.9, text/turtle;q=0.8"
        };
        let (ctype, body) = self.form(&[("query", &text)], accept)?;
        let results = |format| -> Result<QueryResults<'static>> {
            match QueryResultsParser::from_format(format)
                .for_reader(std::io::Cursor::new(body.clone()))
                .map_err(|e| self.err(e))?
            {
                ReaderQueryResultsParserOutput::Solutions(s) => {
                    let vars: std::sync::Arc<[oxigraph::sparql::Variable]> =
                        s.variables().to_vec().into();
                    let booleans = boolean_columns(&text);
                    let fix: Vec<bool> =
                        vars.iter().map(|v| booleans.contains(v.as_str())).collect();
                    let mut rows = Vec::new();
                    for sol in s {
                        let sol = sol.map_err(|e| self.err(e))?;
                        let values: Vec<Option<Term>> = vars
                            .iter()
                            .zip(&fix)
                            .map(|(v, f)| {
                                let t = sol.get(v).cloned();
                                if *f { as_boolean(t) } else { canonical(t) }
                            })
                            .collect();
                        rows.push(Ok(oxigraph::sparql::QuerySolution::from((
                            vars.clone(),
                            values,
                        ))));
                    }
                    Ok(QueryResults::Solutions(QuerySolutionIter::new(vars, rows)))
                }
                ReaderQueryResultsParserOutput::Boolean(b) => Ok(QueryResults::Boolean(b)),
            }
        };
        if ctype.contains("sparql-results+json") || ctype.contains("application/json") {
            return results(QueryResultsFormat::Json);
        }
        if ctype.contains("sparql-results+xml") {
            return results(QueryResultsFormat::Xml);
        }
        let format = if ctype.contains("n-triples") || ctype.starts_with("text/plain") {
            RdfFormat::NTriples
        } else {
            RdfFormat::Turtle
        };
        let mut triples = Vec::new();
        for q in RdfParser::from_format(format).for_slice(&body) {
            let q = q.map_err(|e| self.err(format!("a graph answer in `{ctype}`: {e}")))?;
            triples.push(Ok(oxigraph::model::Triple::from(q)));
        }
        Ok(QueryResults::Graph(QueryTripleIter::new(
            triples.into_iter(),
        )))
    }

    /// The query text this engine gets: on Virtuoso a multi-row `VALUES` block moves to the
    /// end ([`trailing_values`]); elsewhere it stays where the embedded store has it (the
    /// Oxigraph server loops it over the pattern; moved to the end it evaluated the whole
    /// pattern first: `map RA-3 --explain` timed out).
    fn text_for(&self, text: String) -> String {
        if !text.contains(") (") {
            return text;
        }
        if self.virtuoso.get().is_none() {
            // One cheap request tells which engine this is.
            let _ = self.form(&[("query", "ASK {}")], "application/sparql-results+json");
        }
        if self.virtuoso.get() == Some(&true) {
            trailing_values(&text)
        } else {
            text
        }
    }

    /// Runs a SPARQL 1.1 Update (this client's URL is the engine's update endpoint).
    pub fn update(&self, text: &str) -> Result<()> {
        self.form(&[("update", text)], "*/*").map(|_| ())
    }

    /// Replaces one graph with a Graph Store Protocol PUT of N-Triples (this client's URL is
    /// the engine's graph store).
    pub fn put_graph(&self, graph: &str, ntriples: &[u8]) -> Result<()> {
        let mut req = self
            .agent
            .put(&self.endpoint)
            .query("graph", graph)
            .header("Content-Type", "application/n-triples");
        if let Some(a) = &self.auth {
            req = req.header("Authorization", a);
        }
        let mut resp = req.send(ntriples).map_err(|e| self.err(e))?;
        self.body(&mut resp).map(|_| ())
    }
}

impl Sparql for Remote {
    fn names(&self) -> Result<std::sync::Arc<super::names::Names>> {
        if let Ok(guard) = self.names.lock()
            && let Some((at, names)) = guard.as_ref()
            && at.elapsed() < NAMES_FRESH
        {
            return Ok(names.clone());
        }
        let sol = self.select(super::named("names")?.text, &[])?;
        let names = std::sync::Arc::new(super::names::Names::from_solutions(&sol));
        if let Ok(mut guard) = self.names.lock() {
            *guard = Some((std::time::Instant::now(), names.clone()));
        }
        Ok(names)
    }

    fn select(&self, query: &str, bindings: &[(&str, Term)]) -> Result<Solutions> {
        let text = self.text_for(with_values(query, bindings)?);
        let (ctype, body) = self.form(
            &[("query", &text)],
            "application/sparql-results+json, application/sparql-results+xml;q=0.5",
        )?;
        let format = if ctype.contains("xml") {
            QueryResultsFormat::Xml
        } else {
            QueryResultsFormat::Json
        };
        let parsed = QueryResultsParser::from_format(format)
            .for_reader(body.as_slice())
            .map_err(|e| self.err(e))?;
        match parsed {
            ReaderQueryResultsParserOutput::Solutions(s) => {
                let vars = s.variables().to_vec();
                let mut t = table(&vars, s.map(|r| r.map_err(|e| self.err(e))))?;
                let booleans = boolean_columns(&text);
                for (i, v) in t.vars.iter().enumerate() {
                    let fix = if booleans.contains(v) {
                        as_boolean
                    } else {
                        canonical
                    };
                    for row in &mut t.rows {
                        row[i] = fix(row[i].take());
                    }
                }
                Ok(t)
            }
            ReaderQueryResultsParserOutput::Boolean(_) => {
                Err(self.err("expected solutions, got a boolean"))
            }
        }
    }
}

/// Predicates whose objects are `xsd:boolean` in crosswalk's graph (ontology/): a variable a
/// query binds from one of them is a boolean column.
const BOOLEAN_PREDICATES: &[&str] = &[
    "https://w3id.org/crosswalk/ontology#inferred",
    "https://w3id.org/crosswalk/ontology#thirdPartyExtraction",
    "http://www.w3.org/2002/07/owl#deprecated",
];

/// The projected variables of a SELECT that hold booleans: bound from a boolean expression
/// (`BIND(true AS ?v)`, a comparison, `COALESCE(?sel, false)`) or from a boolean predicate.
/// Virtuoso 7 has no boolean type: it stores and returns `true`/`false` as `xsd:integer`
/// 1/0, even `"true"^^xsd:boolean` written by a push. In these columns 1/0 integers are read
/// back as the booleans they stand for, so answers are the same on every engine
/// (ARCHITECTURE.md, "Remote engines").
fn boolean_columns(query: &str) -> std::collections::HashSet<String> {
    use spargebra::Query;
    let mut out = std::collections::HashSet::new();
    if let Ok(Query::Select { pattern, .. }) = spargebra::SparqlParser::new().parse_query(query) {
        walk(&pattern, &mut out);
    }
    out
}

fn walk(p: &spargebra::algebra::GraphPattern, out: &mut std::collections::HashSet<String>) {
    use spargebra::algebra::GraphPattern as G;
    use spargebra::term::{NamedNodePattern, TermPattern};
    match p {
        G::Bgp { patterns } => {
            for t in patterns {
                if let (NamedNodePattern::NamedNode(pred), TermPattern::Variable(v)) =
                    (&t.predicate, &t.object)
                    && BOOLEAN_PREDICATES.contains(&pred.as_str())
                {
                    out.insert(v.as_str().to_owned());
                }
            }
        }
        G::Extend {
            inner,
            variable,
            expression,
        } => {
            walk(inner, out);
            if is_boolean(expression, out) {
                out.insert(variable.as_str().to_owned());
            }
        }
        G::Join { left, right }
        | G::LeftJoin { left, right, .. }
        | G::Lateral { left, right }
        | G::Union { left, right }
        | G::Minus { left, right } => {
            walk(left, out);
            walk(right, out);
        }
        G::Filter { inner, .. }
        | G::Graph { inner, .. }
        | G::OrderBy { inner, .. }
        | G::Project { inner, .. }
        | G::Distinct { inner }
        | G::Reduced { inner }
        | G::Slice { inner, .. }
        | G::Group { inner, .. }
        | G::Service { inner, .. } => walk(inner, out),
        G::Path { .. } | G::Values { .. } => {}
    }
}

fn is_boolean(
    e: &spargebra::algebra::Expression,
    known: &std::collections::HashSet<String>,
) -> bool {
    use spargebra::algebra::{Expression as E, Function as F};
    match e {
        E::Literal(l) => l.datatype() == oxigraph::model::vocab::xsd::BOOLEAN,
        E::Variable(v) => known.contains(v.as_str()),
        E::Or(..)
        | E::And(..)
        | E::Equal(..)
        | E::SameTerm(..)
        | E::Greater(..)
        | E::GreaterOrEqual(..)
        | E::Less(..)
        | E::LessOrEqual(..)
        | E::In(..)
        | E::Not(..)
        | E::Exists(..)
        | E::Bound(..) => true,
        E::If(_, a, b) => is_boolean(a, known) && is_boolean(b, known),
        E::Coalesce(v) => !v.is_empty() && v.iter().all(|x| is_boolean(x, known)),
        E::FunctionCall(f, _) => matches!(
            f,
            F::IsIri
                | F::IsBlank
                | F::IsLiteral
                | F::IsNumeric
                | F::Contains
                | F::StrStarts
                | F::StrEnds
                | F::Regex
                | F::LangMatches
        ),
        _ => false,
    }
}

/// A boolean column's value as the boolean it stands for (Virtuoso's 1/0 integers).
fn as_boolean(t: Option<Term>) -> Option<Term> {
    match t {
        Some(Term::Literal(l))
            if l.datatype() == oxigraph::model::vocab::xsd::INTEGER
                && (l.value() == "1" || l.value() == "0") =>
        {
            Some(oxigraph::model::Literal::from(l.value() == "1").into())
        }
        t => canonical(t),
    }
}

/// An `xsd:boolean` in its canonical form: Virtuoso writes a stored `true` as
/// `"1"^^xsd:boolean` (a valid but non-canonical lexical form), which prints differently.
fn canonical(t: Option<Term>) -> Option<Term> {
    match t {
        Some(Term::Literal(l))
            if l.datatype() == oxigraph::model::vocab::xsd::BOOLEAN
                && (l.value() == "1" || l.value() == "0") =>
        {
            Some(oxigraph::model::Literal::from(l.value() == "1").into())
        }
        t => t,
    }
}

/// A multi-row `VALUES` block at the top of the `WHERE` group (as `with_value_rows` writes
/// it) moved to the end of the query, where SPARQL joins it with the whole pattern: the same
/// solutions, but Virtuoso 7 joins an in-group multi-row `VALUES` wrongly with a `UNION`
/// beside it (the `neighbors` query for three elements: 27,781 rows instead of 258). Left in
/// place when the query aggregates (a trailing `VALUES` would be joined after the grouping).
fn trailing_values(text: &str) -> String {
    let Some(at) = crate::model::sparql_text::find_where(text) else {
        return text.to_owned();
    };
    // The blocks written there, one per binding call; single-row ones stay (SPARQL allows one
    // trailing block).
    let (mut rest, mut kept, mut moved) = (&text[at..], String::new(), Vec::new());
    while rest.starts_with(" VALUES (") {
        // Terms are written by Oxigraph (a newline in a literal is escaped): `}\n` ends it.
        let Some(end) = rest.find("}\n").map(|e| e + 2) else {
            return text.to_owned();
        };
        let block = &rest[..end];
        if block.contains(") (") {
            moved.push(block.trim());
        } else {
            kept.push_str(block);
        }
        rest = &rest[end..];
    }
    if moved.len() != 1 || aggregates(text) {
        return text.to_owned();
    }
    format!("{}{kept}{rest}\n{}", &text[..at], moved.join("\n"))
}

/// Whether a SELECT groups (GROUP BY or an aggregate) at its top level.
fn aggregates(text: &str) -> bool {
    use spargebra::algebra::GraphPattern as G;
    let Ok(spargebra::Query::Select { pattern, .. }) =
        spargebra::SparqlParser::new().parse_query(text)
    else {
        return true;
    };
    let mut p = &pattern;
    loop {
        p = match p {
            G::Slice { inner, .. }
            | G::Distinct { inner }
            | G::Reduced { inner }
            | G::Project { inner, .. }
            | G::OrderBy { inner, .. }
            | G::Extend { inner, .. }
            | G::Filter { inner, .. } => inner,
            G::Group { .. } => return true,
            _ => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxigraph::model::Literal;

    #[test]
    fn boolean_columns_are_read_from_the_algebra() {
        let cov = crate::query::named("coverage").expect("coverage").text;
        let b = boolean_columns(cov);
        assert!(b.contains("selected"), "{b:?}");
        assert!(!b.contains("focalNotation"));
        let docs = crate::query::named("documents").expect("documents").text;
        assert!(boolean_columns(docs).contains("thirdParty"));
        assert_eq!(
            as_boolean(Some(Literal::from(1_i64).into())),
            Some(Literal::from(true).into())
        );
        assert_eq!(
            canonical(Some(
                Literal::new_typed_literal("0", oxigraph::model::vocab::xsd::BOOLEAN).into()
            )),
            Some(Literal::from(false).into())
        );
        // An integer column is left alone.
        assert_eq!(
            canonical(Some(Literal::from(1_i64).into())),
            Some(Literal::from(1_i64).into())
        );
    }

    #[test]
    fn a_multi_row_values_block_moves_to_the_end_unless_the_query_aggregates() {
        let q = "SELECT ?e ?o WHERE {\n  { ?e <http://p/> ?o } UNION { ?o <http://p/> ?e }\n}";
        let two: Vec<Term> = ["http://a/1", "http://a/2"]
            .iter()
            .map(|i| oxigraph::model::NamedNode::new(*i).expect("iri").into())
            .collect();
        let bound = crate::model::sparql_text::with_value_rows(q, "e", &two).expect("rows");
        let moved = trailing_values(&bound);
        assert!(
            moved
                .trim_end()
                .ends_with("VALUES (?e) { (<http://a/1>) (<http://a/2>) }"),
            "{moved}"
        );
        assert!(spargebra::SparqlParser::new().parse_query(&moved).is_ok());
        let agg = "SELECT ?e (COUNT(*) AS ?n) WHERE {\n ?e <http://p/> ?o } GROUP BY ?e";
        let bound = crate::model::sparql_text::with_value_rows(agg, "e", &two).expect("rows");
        assert_eq!(trailing_values(&bound), bound);
        // One row stays where it is.
        let one = crate::model::sparql_text::with_value_rows(q, "e", &two[..1]).expect("rows");
        assert_eq!(trailing_values(&one), one);
    }

    #[test]
    fn base64_matches_rfc4648() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(
            base64(b"Aladdin:open sesame"),
            "QWxhZGRpbjpvcGVuIHNlc2FtZQ=="
        );
    }
}
