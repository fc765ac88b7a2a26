//! The named query library (`queries/*.rq`, compiled in) and the one interface every query runs
//! through, so the same queries run on the embedded store or on a remote SPARQL 1.1 endpoint.
//!
//! Parameters are bound as RDF terms: on the embedded store by variable substitution, on a
//! remote endpoint by a `VALUES` block inserted right after the top-level `WHERE {`
//! (`model::sparql_text::with_values`), whose terms are serialized (escaped) by Oxigraph.
//! User text is never spliced into query text.
pub mod names;
pub mod push;
mod remote;
use crate::model::error::{Error, Result};
use crate::model::ids::canonical_notation;
use crate::model::sparql_text::with_value_rows;
use crate::store::Db;
use oxigraph::model::{Literal, NamedNode, Term};
use oxigraph::sparql::QueryResults;
pub use remote::{Auth, Remote};

mod named {
    include!(concat!(env!("OUT_DIR"), "/queries.rs"));
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

    /// The names the store knows ([`crate::query::names`]). The embedded store keeps them until it
    /// is written; elsewhere they are read on each call.
    fn names(&self) -> Result<std::sync::Arc<crate::query::names::Names>> {
        let sol = self.select(named("names")?.text, &[])?;
        Ok(std::sync::Arc::new(
            crate::query::names::Names::from_solutions(&sol),
        ))
    }

    /// The embedded store the queries run on, if they do: what is derived from its content
    /// can then be kept until it is written (`Db::cached`; e.g. the search index).
    fn store(&self) -> Option<&Db> {
        None
    }
}

impl Sparql for Db {
    fn select(&self, query: &str, bindings: &[(&str, Term)]) -> Result<Solutions> {
        solutions(self.run(query, bindings)?)
    }

    fn names(&self) -> Result<std::sync::Arc<crate::query::names::Names>> {
        self.cached(|| {
            let sol = solutions(self.run(named("names")?.text, &[])?)?;
            Ok(crate::query::names::Names::from_solutions(&sol))
        })
    }

    fn store(&self) -> Option<&Db> {
        Some(self)
    }
}

/// The embedded store under a cancellation token (the server's: a timed-out request stops
/// evaluating at the token's next check).
pub struct Cancellable<'a> {
    pub db: &'a Db,
    pub token: oxigraph::sparql::CancellationToken,
    /// `serve --endpoint`: the queries go there instead (bounded by the client's timeout).
    pub remote: Option<&'a Remote>,
}

impl Sparql for Cancellable<'_> {
    fn select(&self, query: &str, bindings: &[(&str, Term)]) -> Result<Solutions> {
        if let Some(r) = self.remote {
            return r.select(query, bindings);
        }
        solutions(
            self.db
                .run_with(crate::store::cancellable(&self.token), query, bindings)?,
        )
    }

    fn names(&self) -> Result<std::sync::Arc<crate::query::names::Names>> {
        if let Some(r) = self.remote {
            return r.names();
        }
        self.db.names()
    }

    fn store(&self) -> Option<&Db> {
        self.remote.is_none().then_some(self.db)
    }
}

fn solutions(results: QueryResults<'static>) -> Result<Solutions> {
    match results {
        QueryResults::Solutions(s) => {
            let vars = s.variables().to_vec();
            table(&vars, s.map(|r| r.map_err(Error::from)))
        }
        _ => Err(Error::Internal("expected a SELECT query".into())),
    }
}

/// Solutions of a local evaluation or a parsed remote response, as a table.
pub(crate) fn table(
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

/// What a named-query parameter takes, from the kind in its header (`(set scheme)`,
/// `(element key)`, …): the check a value passes and the term it is bound as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// An element id in any NIST spelling (or an element IRI), bound as its lookup key.
    ElementKey,
    /// An element id or IRI, bound as the IRI(s) of the element(s) carrying that id.
    ElementIri,
    /// A framework's or catalog's scheme (`csf`, `sp800-53`), bound as the scheme string.
    Scheme,
    /// A mapping set by scheme or IRI, bound as its scheme string.
    SetScheme,
    /// A mapping set by scheme or IRI, bound as its document IRI.
    SetIri,
    /// A baseline or overlay by label (any case) or IRI, bound as its label.
    Baseline,
    /// A profile's focus area (`secure`, any case), bound as its notation.
    Focus,
    /// A profile priority (1, 2, 3 or its label), bound as an integer.
    Priority,
    /// A document by IRI, or by the scheme of a mapping set or of a framework/catalog (its
    /// newest release loaded first), bound as the document's IRI.
    Document,
    /// Any IRI (a mapping's, say).
    Iri,
    Integer,
    String,
}

impl Kind {
    fn parse(kind: &str) -> (Kind, String) {
        let words: Vec<&str> = kind.split_whitespace().collect();
        let k = match (words.first().copied(), words.get(1).copied()) {
            (Some("notation"), _) | (Some("element"), Some("key")) => Kind::ElementKey,
            (Some("element"), _) => Kind::ElementIri,
            (Some("scheme"), _) => Kind::Scheme,
            (Some("set"), Some("scheme")) => Kind::SetScheme,
            (Some("set"), _) => Kind::SetIri,
            (Some("baseline"), _) => Kind::Baseline,
            (Some("focus"), _) => Kind::Focus,
            (Some("priority"), _) => Kind::Priority,
            (Some("document"), _) => Kind::Document,
            (Some("iri" | "mapping" | "resource"), _) => Kind::Iri,
            (Some("integer"), _) => Kind::Integer,
            _ => Kind::String,
        };
        (k, words.join(" "))
    }
}

/// A parameter of a named query, from its `# param:` header line:
/// `# param: set=?setScheme (set scheme, optional) what it means`. The name before `=` is the
/// one users give (`set`, `element`, `from`, `to`, …: one name per kind across the library);
/// the variable's own name is accepted too, as an alias (`setScheme`, `key`).
#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    pub name: String,
    /// The SPARQL variable it binds (without `?`).
    pub var: String,
    /// The kind as written in the header (`set scheme`, `element key`, `string`, …).
    pub kind: String,
    pub takes: Kind,
    /// `(…, optional)`: `*` (or leaving it out) leaves the variable unbound, so the
    /// query's own pattern matches any value — a wildcard without a FILTER, which keeps the
    /// lookup one basic graph pattern.
    pub optional: bool,
    pub doc: String,
}

impl Param {
    fn answers_to(&self, given: &str) -> bool {
        self.name == given || self.var == given
    }
}

#[derive(Debug, Clone)]
pub struct NamedQuery {
    pub name: &'static str,
    pub text: &'static str,
    pub question: String,
    pub params: Vec<Param>,
    pub example: String,
}

impl NamedQuery {
    /// The query without its final `ORDER BY` line, for callers that order the rows
    /// themselves: the order is for people running the query directly, and on a user's set of
    /// 100k mappings it was half of `coverage` (57k rows: 9.7 s ordered, 4.4 s not). Same
    /// rows, same parameters; made once per query and process.
    pub fn unordered(&'static self) -> &'static NamedQuery {
        static MADE: std::sync::OnceLock<
            std::sync::Mutex<std::collections::HashMap<&'static str, &'static NamedQuery>>,
        > = std::sync::OnceLock::new();
        let made = MADE.get_or_init(Default::default);
        let Ok(mut made) = made.lock() else {
            return self;
        };
        made.entry(self.name).or_insert_with(|| {
            let text = self.text.trim_end();
            let Some(at) = text.rfind("\nORDER BY ") else {
                return self;
            };
            Box::leak(Box::new(NamedQuery {
                name: self.name,
                text: Box::leak(text[..at + 1].to_owned().into_boxed_str()),
                question: self.question.clone(),
                params: self.params.clone(),
                example: self.example.clone(),
            }))
        })
    }
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
        Error::Unknown {
            kind: "named query",
            given: name.to_owned(),
            hint: crate::query::names::hint(name, &names),
        }
    })
}

/// A query of the user's own (a file, standard input) with the same `# param:` header lines
/// as the library's, so `-p name=value` binds and checks its parameters the same way.
pub fn from_text(name: &'static str, text: &'static str) -> NamedQuery {
    parse_header(name, text)
}

fn parse_header(name: &'static str, text: &'static str) -> NamedQuery {
    let mut q = NamedQuery {
        name,
        text,
        question: String::new(),
        params: Vec::new(),
        example: String::new(),
    };
    // The header: comment lines before the query form, PREFIX/BASE and blank lines allowed
    // among them.
    let prologue = text.lines().take_while(|l| {
        let t = l.trim_start().to_ascii_uppercase();
        t.is_empty() || t.starts_with('#') || t.starts_with("PREFIX") || t.starts_with("BASE")
    });
    for line in prologue.filter(|l| l.trim_start().starts_with('#')) {
        let l = line.trim_start().trim_start_matches('#').trim();
        if let Some(v) = l.strip_prefix("question:") {
            q.question = v.trim().to_owned();
        } else if let Some(v) = l.strip_prefix("param:") {
            // `[public=]?var (kind[, optional]) description`
            let v = v.trim();
            let (head, rest) = v.split_once(' ').unwrap_or((v, ""));
            let (public, var) = match head.split_once('=') {
                Some((p, var)) => (p.to_owned(), var.trim_start_matches('?').to_owned()),
                None => {
                    let var = head.trim_start_matches('?').to_owned();
                    (var.clone(), var)
                }
            };
            let rest = rest.trim();
            let (kind, doc) = match rest.strip_prefix('(').and_then(|r| r.split_once(')')) {
                Some((k, d)) => (k.trim().to_owned(), d.trim().to_owned()),
                None => ("string".to_owned(), rest.to_owned()),
            };
            let (kind, optional) = match kind.split_once(',') {
                Some((k, o)) => (k.trim().to_owned(), o.trim() == "optional"),
                None => (kind, false),
            };
            let (takes, kind) = Kind::parse(&kind);
            q.params.push(Param {
                name: public,
                var,
                kind,
                takes,
                optional,
                doc,
            });
        } else if let Some(v) = l.strip_prefix("example:") {
            q.example = v.trim().to_owned();
        }
    }
    q
}

/// A named query with its parameters bound: the text to run (with a `VALUES` block when one
/// parameter named several elements) and single-valued bindings.
#[derive(Debug, Clone)]
pub struct Bound {
    pub text: String,
    pub bindings: Vec<(String, Term)>,
}

impl Bound {
    pub fn refs(&self) -> Vec<(&str, Term)> {
        self.bindings
            .iter()
            .map(|(k, t)| (k.as_str(), t.clone()))
            .collect()
    }

    pub fn run(&self, on: &dyn Sparql) -> Result<Solutions> {
        on.select(&self.text, &self.refs())
    }
}

impl NamedQuery {
    /// The parameter a user-given name refers to (its public name or its variable), or an
    /// error listing the parameters the query takes.
    fn param(&self, given: &str) -> Result<&Param> {
        self.params
            .iter()
            .find(|p| p.answers_to(given))
            .ok_or_else(|| {
                let names: Vec<&str> = self.params.iter().map(|p| p.name.as_str()).collect();
                Error::Unknown {
                    kind: "parameter",
                    given: given.to_owned(),
                    hint: if names.is_empty() {
                        format!("; query `{}` takes no parameters", self.name)
                    } else {
                        format!(
                            "{} (query `{}` takes: {})",
                            crate::query::names::hint(given, &names)
                                .split(" (known")
                                .next()
                                .unwrap_or_default(),
                            self.name,
                            names.join(", ")
                        )
                    },
                }
            })
    }

    /// The value given for each parameter (`None`: left out or `*` on an optional one);
    /// errors for unknown, repeated or missing parameters.
    fn values<'a>(&self, args: &'a [(String, String)]) -> Result<Vec<(&Param, Option<&'a str>)>> {
        for (k, _) in args {
            self.param(k)?;
        }
        let mut out = Vec::new();
        for p in &self.params {
            let given: Vec<&(String, String)> =
                args.iter().filter(|(k, _)| p.answers_to(k)).collect();
            if given.len() > 1 {
                return Err(Error::Invalid(format!(
                    "query `{}`: parameter `{}` given {} times",
                    self.name,
                    p.name,
                    given.len()
                )));
            }
            let v = given.first().map(|(_, v)| v.as_str());
            if p.optional && v.is_none_or(|v| v == "*") {
                out.push((p, None));
                continue;
            }
            let Some(v) = v else {
                return Err(Error::Invalid(format!(
                    "query `{}` needs parameter `{}` ({}): {}",
                    self.name, p.name, p.kind, p.doc
                )));
            };
            out.push((p, Some(v)));
        }
        Ok(out)
    }

    /// Binds `name=value` arguments as typed terms, without asking the store whether the
    /// names exist: for the library's own calls, whose values are already checked.
    pub fn bind(&self, args: &[(String, String)]) -> Result<Vec<(String, Term)>> {
        let mut out = Vec::new();
        for (p, v) in self.values(args)? {
            if let Some(v) = v {
                out.push((p.var.clone(), bind_value(p.takes, v)?));
            }
        }
        Ok(out)
    }

    /// Binds a user's arguments, each checked against the store by its kind
    /// ([`crate::query::names`]): unknown schemes, sets, baselines, focus areas, priorities and
    /// element ids are errors with the closest known names, never an empty answer.
    pub fn bind_checked(&self, on: &dyn Sparql, args: &[(String, String)]) -> Result<Bound> {
        let values = self.values(args)?;
        let names = if values.iter().any(|(p, v)| {
            v.is_some()
                && matches!(
                    p.takes,
                    Kind::Scheme
                        | Kind::SetScheme
                        | Kind::SetIri
                        | Kind::Document
                        | Kind::Baseline
                        | Kind::Focus
                        | Kind::Priority
                )
        }) {
            Some(on.names()?)
        } else {
            None
        };
        let mut text = self.text.to_owned();
        let mut bindings = Vec::new();
        for (p, v) in values {
            let Some(v) = v else { continue };
            let names = names.as_deref();
            let term: Term = match (p.takes, names) {
                (Kind::ElementKey, _) => {
                    Literal::new_simple_literal(crate::query::names::element_key(on, v)?).into()
                }
                (Kind::ElementIri, _) => {
                    let iris = crate::query::names::element_iris(on, v)?;
                    if let [one] = iris.as_slice() {
                        one.clone().into()
                    } else {
                        let terms: Vec<Term> = iris.into_iter().map(Into::into).collect();
                        text = with_value_rows(&text, &p.var, &terms)?;
                        continue;
                    }
                }
                (Kind::Scheme, Some(n)) => Literal::new_simple_literal(&n.scheme(v)?.name).into(),
                (Kind::SetScheme, Some(n)) => Literal::new_simple_literal(&n.set(v)?.name).into(),
                (Kind::SetIri, Some(n)) => {
                    let set = n.set(v)?;
                    let iri = set.iri.as_deref().unwrap_or_default();
                    NamedNode::new(iri)
                        .map_err(|e| Error::Internal(format!("set `{}`: {e}", set.name)))?
                        .into()
                }
                // `*`: no baseline (every covering element counts; ?selected is false).
                (Kind::Document, Some(n)) => {
                    let iri = if v.contains("://") {
                        v.to_owned()
                    } else if let Ok(set) = n.set(v) {
                        set.iri.clone().unwrap_or_default()
                    } else {
                        n.scheme(v)
                            .map_err(|_| Error::Unknown {
                                kind: "document",
                                given: v.to_owned(),
                                hint: "; give a document IRI (`crosswalk query documents`) or the scheme of a mapping set or framework".to_owned(),
                            })?
                            .iri
                            .clone()
                            .unwrap_or_default()
                    };
                    NamedNode::new(iri.as_str())
                        .map_err(|e| Error::Invalid(format!("`{iri}` is not an IRI: {e}")))?
                        .into()
                }
                (Kind::Baseline, _) if v == "*" => Literal::new_simple_literal("*").into(),
                (Kind::Baseline, Some(n)) => {
                    Literal::new_simple_literal(&n.baseline(v)?.name).into()
                }
                (Kind::Focus, Some(n)) => Literal::new_simple_literal(&n.any_focus(v)?.name).into(),
                (Kind::Priority, Some(n)) => Literal::from(i64::from(n.any_priority(v)?)).into(),
                (k, _) => bind_value(k, v)?,
            };
            bindings.push((p.var.clone(), term));
        }
        Ok(Bound { text, bindings })
    }

    /// Runs with typed bindings and no name check (the library's own calls).
    pub fn run(&self, on: &dyn Sparql, args: &[(String, String)]) -> Result<Solutions> {
        let b = self.bind(args)?;
        let refs: Vec<(&str, Term)> = b.iter().map(|(k, t)| (k.as_str(), t.clone())).collect();
        on.select(self.text, &refs)
    }

    /// Runs a user's call: every argument checked ([`NamedQuery::bind_checked`]).
    pub fn run_checked(&self, on: &dyn Sparql, args: &[(String, String)]) -> Result<Solutions> {
        self.bind_checked(on, args)?.run(on)
    }
}

pub fn bind_value(kind: Kind, v: &str) -> Result<Term> {
    Ok(match kind {
        Kind::ElementKey => Literal::new_simple_literal(canonical_notation(v)).into(),
        Kind::Iri | Kind::ElementIri | Kind::SetIri | Kind::Document => NamedNode::new(v)
            .map_err(|e| Error::Invalid(format!("`{v}` is not an IRI: {e}")))?
            .into(),
        Kind::Integer | Kind::Priority => {
            let n: i64 = v
                .trim()
                .parse()
                .map_err(|_| Error::Invalid(format!("`{v}` is not an integer")))?;
            Literal::from(n).into()
        }
        _ => Literal::new_simple_literal(v).into(),
    })
}

/// `text` with `BASE <base>` declared first (standard SPARQL: the prologue takes BASE and PREFIX
/// in any order, and a later BASE in `text` still wins), so the same text runs on any engine.
pub fn with_base(text: String, base: Option<&str>) -> Result<String> {
    let Some(base) = base else { return Ok(text) };
    let iri = oxigraph::model::NamedNode::new(base).map_err(|e| {
        Error::Invalid(format!(
            "--base `{base}` is not an absolute IRI ({e}); example: --base https://example.org/"
        ))
    })?;
    Ok(format!("BASE {iri}\n{text}"))
}

/// What `crosswalk query QUERY -p k=v` runs: a named query of the library (bound and checked),
/// `-` (SPARQL on standard input), `@file.rq`, or SPARQL text; a file or text with `-p`
/// declares its parameters in `# param:` header lines, as queries/ do. Returns the text and
/// its bindings.
pub fn prepare(
    on: &dyn Sparql,
    query: &str,
    params: &[(String, String)],
) -> Result<(String, Vec<(String, Term)>)> {
    let is_name = query != "-"
        && query
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if is_name {
        let b = named(query)?.bind_checked(on, params)?;
        return Ok((b.text, b.bindings));
    }
    let text = if query == "-" {
        let mut t = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut t)
            .map_err(|e| Error::io("<standard input>", e))?;
        t
    } else if let Some(file) = query.strip_prefix('@') {
        std::fs::read_to_string(file).map_err(|e| Error::io(file, e))?
    } else {
        query.to_owned()
    };
    if params.is_empty() {
        return Ok((text, Vec::new()));
    }
    // One query per process: leaking its text is fine.
    let text: &'static str = Box::leak(text.into_boxed_str());
    let b = from_text("the given query", text).bind_checked(on, params)?;
    Ok((b.text, b.bindings))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unordered_drops_only_the_final_order_by() {
        let q = named("coverage").expect("coverage");
        let u = q.unordered();
        assert!(q.text.contains("\nORDER BY "));
        assert!(!u.text.contains("\nORDER BY "));
        assert_eq!(u.params, q.params);
        assert!(q.text.starts_with(u.text.trim_end()));
        // Made once: the same query every time.
        assert!(std::ptr::eq(u, q.unordered()));
    }
}
