//! The named query library (`queries/*.rq`, compiled in) and the one interface every query runs
//! through, so the same queries run on the embedded store or on a remote SPARQL 1.1 endpoint.
//!
//! Parameters are bound as RDF terms: on the embedded store by variable substitution, on a
//! remote endpoint by a trailing `VALUES` clause whose terms are serialized (escaped) by
//! Oxigraph. User text is never spliced into query text.
use crate::error::{Error, Result};
use crate::ids::canonical_notation;
use crate::store::Db;
use oxigraph::model::{Literal, NamedNode, Term};
use oxigraph::sparql::QueryResults;
use oxigraph::sparql::results::{
    QueryResultsFormat, QueryResultsParser, ReaderQueryResultsParserOutput,
};

mod named {
    include!(concat!(env!("OUT_DIR"), "/queries.rs"));
}

/// Brackets (`{`, `(`, `[`) a query or update may nest. The parser and evaluator recurse per
/// level: 256 nested `OPTIONAL`s or 1,024 groups overflowed the stack and killed `serve` (a
/// 12 KB request); real queries nest a dozen levels at most.
pub const MAX_NESTING: usize = 64;

/// Refuses SPARQL text whose brackets nest deeper than [`MAX_NESTING`], before it is parsed.
/// Brackets inside strings, IRIs and comments do not count, as the parser reads them.
pub fn check_nesting(text: &str) -> Result<()> {
    let b = text.as_bytes();
    let (mut depth, mut i, mut line) = (0usize, 0usize, 1usize);
    while i < b.len() {
        match b[i] {
            b'\n' => line += 1,
            b'#' => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            q @ (b'"' | b'\'') => {
                let long = b[i..].starts_with(&[q, q, q]);
                i += if long { 3 } else { 1 };
                while i < b.len() {
                    if b[i] == b'\\' {
                        i += 2;
                        continue;
                    }
                    if b[i] == b'\n' {
                        line += 1;
                    }
                    if long && b[i..].starts_with(&[q, q, q]) {
                        i += 3;
                        break;
                    }
                    if !long && b[i] == q {
                        i += 1;
                        break;
                    }
                    i += 1;
                }
                continue;
            }
            // An IRI only if a `>` closes it before any character an IRI cannot hold;
            // otherwise `<` is less-than and what follows is scanned.
            b'<' => {
                let end = b[i + 1..].iter().position(|c| {
                    matches!(
                        c,
                        b'>' | b'<' | b'"' | b'{' | b'}' | b'|' | b'^' | b'`' | b'\\'
                    ) || *c <= b' '
                });
                if let Some(n) = end.filter(|n| b[i + 1 + n] == b'>') {
                    i += n + 2;
                    continue;
                }
            }
            b'{' | b'(' | b'[' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Err(Error::QuerySyntax(format!(
                        "brackets nest deeper than {MAX_NESTING} levels at line {line}"
                    )));
                }
            }
            b'}' | b')' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    Ok(())
}

/// A table of solutions.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Solutions {
    pub vars: Vec<String>,
    pub rows: Vec<Vec<Option<Term>>>,
}

impl Solutions {
    pub fn column(&self, var: &str) -> Option<usize> {
        self.vars.iter().position(|v| v == var)
    }

    /// The values of one column as display strings (literal value or IRI), in row order.
    pub fn strings(&self, var: &str) -> Vec<String> {
        let Some(i) = self.column(var) else {
            return Vec::new();
        };
        self.rows
            .iter()
            .filter_map(|r| r[i].as_ref().map(term_text))
            .collect()
    }

    pub fn get(&self, row: usize, var: &str) -> Option<&Term> {
        self.rows.get(row)?.get(self.column(var)?)?.as_ref()
    }
}

/// A term as a person reads it: a literal's value, an IRI as is.
pub fn term_text(t: &Term) -> String {
    match t {
        Term::Literal(l) => l.value().to_owned(),
        Term::NamedNode(n) => n.as_str().to_owned(),
        other => other.to_string(),
    }
}

/// Where queries run.
pub trait Sparql {
    fn select(&self, query: &str, bindings: &[(&str, Term)]) -> Result<Solutions>;
}

impl Sparql for Db {
    fn select(&self, query: &str, bindings: &[(&str, Term)]) -> Result<Solutions> {
        solutions(self.run(query, bindings)?)
    }
}

/// The embedded store under a cancellation token (the server's: a timed-out request stops
/// evaluating at the token's next check).
pub struct Cancellable<'a> {
    pub db: &'a Db,
    pub token: oxigraph::sparql::CancellationToken,
}

impl Sparql for Cancellable<'_> {
    fn select(&self, query: &str, bindings: &[(&str, Term)]) -> Result<Solutions> {
        solutions(
            self.db
                .run_with(crate::store::cancellable(&self.token), query, bindings)?,
        )
    }
}

fn solutions(results: QueryResults<'static>) -> Result<Solutions> {
    match results {
        QueryResults::Solutions(s) => {
            let vars = s.variables().to_vec();
            table(&vars, s.map(|r| r.map_err(Error::from)))
        }
        _ => Err(Error::Invalid("expected a SELECT query".into())),
    }
}

/// Solutions of a local evaluation or a parsed remote response, as a table.
fn table(
    vars: &[oxigraph::sparql::Variable],
    solutions: impl Iterator<Item = Result<oxigraph::sparql::QuerySolution>>,
) -> Result<Solutions> {
    let mut rows = Vec::new();
    for sol in solutions {
        let sol = sol?;
        rows.push(vars.iter().map(|v| sol.get(v).cloned()).collect());
    }
    Ok(Solutions {
        vars: vars.iter().map(|v| v.as_str().to_owned()).collect(),
        rows,
    })
}

/// A remote SPARQL 1.1 Protocol endpoint (Oxigraph server, Fuseki, Virtuoso, QLever, …).
pub struct Remote {
    pub endpoint: String,
    agent: ureq::Agent,
}

impl Remote {
    pub fn new(endpoint: &str) -> Self {
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(std::time::Duration::from_secs(60)))
            .http_status_as_error(false)
            .build()
            .new_agent();
        Remote {
            endpoint: endpoint.to_owned(),
            agent,
        }
    }

    fn err(&self, m: impl ToString) -> Error {
        Error::Remote {
            endpoint: self.endpoint.clone(),
            message: m.to_string(),
        }
    }
}

/// Binds parameters by opening the query's top-level `WHERE {` with a one-row `VALUES` block.
/// Terms are serialized by Oxigraph (IRIs validated, literals escaped), so user text can never
/// change the query's structure. Inline (rather than trailing, or Oxigraph's substitution)
/// because the optimizer then starts every join from the bound values: 70 ms → <1 ms for an
/// element lookup on the full graph. This is what a remote store gets; the embedded one uses
/// `bind::substitute` where it can, with the same answers.
pub fn with_values(query: &str, bindings: &[(&str, Term)]) -> Result<String> {
    if bindings.is_empty() {
        return Ok(query.to_owned());
    }
    let vars: Vec<String> = bindings.iter().map(|(v, _)| format!("?{v}")).collect();
    let terms: Vec<String> = bindings.iter().map(|(_, t)| t.to_string()).collect();
    let block = format!(" VALUES ({}) {{ ({}) }}\n", vars.join(" "), terms.join(" "));
    let at = find_where(query).ok_or_else(|| {
        Error::Invalid("a parameterised query needs a top-level `WHERE {`".into())
    })?;
    Ok(format!("{}{block}{}", &query[..at], &query[at..]))
}

/// Binds one variable to many values: a multi-row `VALUES` block opening the top-level
/// `WHERE {`, so one query answers for a whole set (a breadth-first frontier) at once.
pub fn with_value_rows(query: &str, var: &str, terms: &[Term]) -> Result<String> {
    oxigraph::model::Variable::new(var)
        .map_err(|e| Error::Invalid(format!("bad variable name {var}: {e}")))?;
    let rows: Vec<String> = terms.iter().map(|t| format!("({t})")).collect();
    let block = format!(" VALUES (?{var}) {{ {} }}\n", rows.join(" "));
    let at = find_where(query).ok_or_else(|| {
        Error::Invalid("a parameterised query needs a top-level `WHERE {`".into())
    })?;
    Ok(format!("{}{block}{}", &query[..at], &query[at..]))
}

/// Byte offset just after the first `WHERE {` outside comments.
fn find_where(query: &str) -> Option<usize> {
    let mut offset = 0;
    for line in query.split_inclusive('\n') {
        if !line.trim_start().starts_with('#') {
            let upper = line.to_ascii_uppercase();
            if let Some(i) = upper.find("WHERE")
                && let Some(j) = line[i + 5..].find('{')
            {
                return Some(offset + i + 5 + j + 1);
            }
        }
        offset += line.len();
    }
    None
}

impl Sparql for Remote {
    fn select(&self, query: &str, bindings: &[(&str, Term)]) -> Result<Solutions> {
        let text = with_values(query, bindings)?;
        let mut resp = self
            .agent
            .post(&self.endpoint)
            .header("Content-Type", "application/sparql-query")
            .header("Accept", "application/sparql-results+json")
            .send(text.as_bytes())
            .map_err(|e| self.err(e))?;
        let status = resp.status();
        let body = resp.body_mut().read_to_vec().map_err(|e| self.err(e))?;
        if !status.is_success() {
            return Err(self.err(format!("HTTP {status}: {}", String::from_utf8_lossy(&body))));
        }
        let parsed = QueryResultsParser::from_format(QueryResultsFormat::Json)
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

/// A parameter of a named query, from its `# param:` header line.
#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    pub name: String,
    /// `notation` (an element id in any spelling, bound as its lookup key), `string`, `iri`,
    /// `integer`.
    pub kind: String,
    /// `(string, optional)`: `*` (or leaving it out) leaves the variable unbound, so the
    /// query's own pattern matches any value — a wildcard without a FILTER, which keeps the
    /// lookup one basic graph pattern.
    pub optional: bool,
    pub doc: String,
}

#[derive(Debug, Clone)]
pub struct NamedQuery {
    pub name: &'static str,
    pub text: &'static str,
    pub question: String,
    pub params: Vec<Param>,
    pub example: String,
}

/// Every named query, by name (headers parsed once per process: `named` is on every answer's
/// path).
pub fn library() -> &'static [NamedQuery] {
    static LIBRARY: std::sync::OnceLock<Vec<NamedQuery>> = std::sync::OnceLock::new();
    LIBRARY.get_or_init(|| {
        named::NAMED
            .iter()
            .map(|(name, text)| parse_header(name, text))
            .collect()
    })
}

pub fn named(name: &str) -> Result<&'static NamedQuery> {
    library().iter().find(|q| q.name == name).ok_or_else(|| {
        let names: Vec<&str> = named::NAMED.iter().map(|(n, _)| *n).collect();
        Error::NotFound(format!(
            "no named query `{name}`; known: {}",
            names.join(", ")
        ))
    })
}

fn parse_header(name: &'static str, text: &'static str) -> NamedQuery {
    let mut q = NamedQuery {
        name,
        text,
        question: String::new(),
        params: Vec::new(),
        example: String::new(),
    };
    for line in text.lines().take_while(|l| l.starts_with('#')) {
        let l = line.trim_start_matches('#').trim();
        if let Some(v) = l.strip_prefix("question:") {
            q.question = v.trim().to_owned();
        } else if let Some(v) = l.strip_prefix("param:") {
            // `?name (kind) description`
            let v = v.trim();
            let (name, rest) = v.split_once(' ').unwrap_or((v, ""));
            let rest = rest.trim();
            let (kind, doc) = match rest.strip_prefix('(').and_then(|r| r.split_once(')')) {
                Some((k, d)) => (k.trim().to_owned(), d.trim().to_owned()),
                None => ("string".to_owned(), rest.to_owned()),
            };
            let (kind, optional) = match kind.split_once(',') {
                Some((k, o)) => (k.trim().to_owned(), o.trim() == "optional"),
                None => (kind, false),
            };
            q.params.push(Param {
                name: name.trim_start_matches('?').to_owned(),
                kind,
                optional,
                doc,
            });
        } else if let Some(v) = l.strip_prefix("example:") {
            q.example = v.trim().to_owned();
        }
    }
    q
}

impl NamedQuery {
    /// Turns `name=value` arguments into typed bindings; every declared parameter is required.
    pub fn bind(&self, args: &[(String, String)]) -> Result<Vec<(String, Term)>> {
        let mut out = Vec::new();
        for p in &self.params {
            let given = args.iter().find(|(k, _)| k == &p.name);
            if p.optional && given.is_none_or(|(_, v)| v == "*") {
                continue;
            }
            let Some((_, v)) = given else {
                return Err(Error::Invalid(format!(
                    "query `{}` needs parameter `{}` ({}): {}",
                    self.name, p.name, p.kind, p.doc
                )));
            };
            out.push((p.name.clone(), bind_value(&p.kind, v)?));
        }
        for (k, _) in args {
            if !self.params.iter().any(|p| &p.name == k) {
                return Err(Error::Invalid(format!(
                    "query `{}` has no parameter `{k}`",
                    self.name
                )));
            }
        }
        Ok(out)
    }

    pub fn run(&self, on: &dyn Sparql, args: &[(String, String)]) -> Result<Solutions> {
        let b = self.bind(args)?;
        let refs: Vec<(&str, Term)> = b.iter().map(|(k, t)| (k.as_str(), t.clone())).collect();
        on.select(self.text, &refs)
    }
}

pub fn bind_value(kind: &str, v: &str) -> Result<Term> {
    Ok(match kind {
        "notation" => Literal::new_simple_literal(canonical_notation(v)).into(),
        "iri" => NamedNode::new(v)
            .map_err(|e| Error::Invalid(format!("`{v}` is not an IRI: {e}")))?
            .into(),
        "integer" => {
            let n: i64 = v
                .trim()
                .parse()
                .map_err(|_| Error::Invalid(format!("`{v}` is not an integer")))?;
            Literal::from(n).into()
        }
        _ => Literal::new_simple_literal(v).into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nesting_is_counted_outside_strings_iris_and_comments() {
        let deep = |n: usize| {
            format!(
                "SELECT * WHERE {}?s ?p ?o{}",
                "{ ".repeat(n),
                " }".repeat(n)
            )
        };
        assert!(check_nesting(&deep(MAX_NESTING)).is_ok());
        let e = check_nesting(&deep(MAX_NESTING + 1))
            .unwrap_err()
            .to_string();
        assert!(e.contains("nest deeper than 64 levels at line 1"), "{e}");
        let hidden = format!(
            "SELECT * WHERE {{ ?s <urn:{{(> \"{0}\" . ?s ?p '''{0}''' # {0}\n FILTER(?s < {1}1{2}) }}",
            "{".repeat(100),
            "(".repeat(10),
            ")".repeat(10)
        );
        assert!(check_nesting(&hidden).is_ok());
        // A `<` that opens no IRI does not hide the brackets after it.
        let lt = format!(
            "ASK {{ FILTER(?a < {}1{}) }}",
            "(".repeat(70),
            ")".repeat(70)
        );
        assert!(check_nesting(&lt).is_err());
    }
}
