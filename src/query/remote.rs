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
}

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
        let mut resp = req
            .send_form(pairs.iter().copied())
            .map_err(|e| self.err(e))?;
        self.body(&mut resp)
    }

    fn body(&self, resp: &mut ureq::http::Response<ureq::Body>) -> Result<(String, Vec<u8>)> {
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
        let text = with_values(text, bindings)?;
        let (ctype, body) = self.form(
            &[("query", &text)],
            "application/sparql-results+json, application/sparql-results+xml;q=0.9, application/n-triples;q=0.9, text/turtle;q=0.8",
        )?;
        let results = |format| -> Result<QueryResults<'static>> {
            match QueryResultsParser::from_format(format)
                .for_reader(std::io::Cursor::new(body.clone()))
                .map_err(|e| self.err(e))?
            {
                ReaderQueryResultsParserOutput::Solutions(s) => {
                    Ok(QueryResults::Solutions(QuerySolutionIter::from(s)))
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
    fn select(&self, query: &str, bindings: &[(&str, Term)]) -> Result<Solutions> {
        let text = with_values(query, bindings)?;
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
                table(&vars, s.map(|r| r.map_err(|e| self.err(e))))
            }
            ReaderQueryResultsParserOutput::Boolean(_) => {
                Err(self.err("expected solutions, got a boolean"))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
