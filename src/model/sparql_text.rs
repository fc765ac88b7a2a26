//! SPARQL as text, before any engine parses it: the nesting guard and parameter binding by a
//! `VALUES` block inserted right after the top-level `WHERE {`, shared by the embedded store
//! and a remote endpoint.
use crate::model::error::{Error, Result};
use oxigraph::model::Term;

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

/// Binds parameters by a one-row `VALUES` block inserted right after the query's top-level
/// `WHERE {`, so it opens the group. Terms are serialized by Oxigraph (IRIs validated,
/// literals escaped), so user text can never change the query's structure. First in the group
/// (not after the `WHERE` group's closing brace, nor by Oxigraph's substitution) because the
/// optimizer then starts every join from the bound values: 70 ms → <1 ms for an element
/// lookup on the full graph. This is what a remote store gets; the embedded one uses
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
    let pushed = push_into_subselects(query, at, bindings);
    Ok(format!("{}{block}{}", &pushed[..at], &pushed[at..]))
}

/// The same bindings also opened in each sub-`SELECT` that projects them, each with the
/// variables it projects. A sub-select is evaluated on its own, before the join that would
/// restrict it: the coverage query's sub-selects read the rows and targets of one slice only
/// this way, where otherwise they read every slice of every set (a 100k-mapping user set:
/// 0.9 s against 4.2 s). Equivalent: the top-level block binds each variable to its one term
/// in every solution, so a sub-select's solutions with another value there never join.
fn push_into_subselects(query: &str, top: usize, bindings: &[(&str, Term)]) -> String {
    let upper = query.to_ascii_uppercase();
    let mut inserts: Vec<(usize, String)> = Vec::new();
    let mut from = top;
    while let Some(i) = upper[from..].find("SELECT").map(|i| from + i) {
        from = i + 6;
        let word = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
        let line_start = query[..i].rfind('\n').map_or(0, |n| n + 1);
        if word(query[..i].chars().next_back())
            || word(query[i + 6..].chars().next())
            || query[line_start..i].contains('#')
        {
            continue;
        }
        let Some(w) = upper[i..].find("WHERE").map(|w| i + w) else {
            continue;
        };
        let Some(open) = query[w + 5..].find('{').map(|o| w + 5 + o + 1) else {
            continue;
        };
        // The projection without its expressions: `(COUNT(?a) AS ?n)` projects ?n, not ?a.
        let mut depth = 0usize;
        let mut plain = String::new();
        for c in query[i + 6..w].chars() {
            match c {
                '(' => depth += 1,
                ')' => depth = depth.saturating_sub(1),
                _ if depth == 0 => plain.push(c),
                _ => {}
            }
        }
        let projected: Vec<&str> = plain
            .split(|c: char| c.is_whitespace())
            .filter_map(|t| t.strip_prefix('?').or_else(|| t.strip_prefix('$')))
            .collect();
        let here: Vec<&(&str, Term)> = bindings
            .iter()
            .filter(|(v, _)| projected.contains(v))
            .collect();
        if here.is_empty() {
            continue;
        }
        let vars: Vec<String> = here.iter().map(|(v, _)| format!("?{v}")).collect();
        let terms: Vec<String> = here.iter().map(|(_, t)| t.to_string()).collect();
        inserts.push((
            open,
            format!(" VALUES ({}) {{ ({}) }}\n", vars.join(" "), terms.join(" ")),
        ));
    }
    let mut out = query.to_owned();
    for (at, block) in inserts.into_iter().rev() {
        out.insert_str(at, &block);
    }
    out
}

/// Binds one variable to many values: a multi-row `VALUES` block inserted right after the
/// top-level `WHERE {`, so one query answers for a whole set (a breadth-first frontier) at
/// once.
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

/// A placeholder base IRI: only used to tell whether SPARQL text failed to parse for want of a
/// base (it never reaches a store).
const PROBE_BASE: &str = "http://base.invalid/";

/// The message for SPARQL text that failed to parse with `error`. A relative IRI (`<s>`)
/// without a base IRI makes the parser report whatever token it tried last (`expected
/// OPTIONAL`, `expected one of IRI parsing failed, WHERE`); when the same text parses against
/// a base, that is said instead. `update`: the text is a SPARQL Update.
pub fn syntax_message(text: &str, update: bool, error: &dyn std::fmt::Display) -> String {
    let parser = oxigraph::sparql::SparqlEvaluator::new().with_base_iri(PROBE_BASE);
    let needs_base = parser.is_ok_and(|p| {
        if update {
            p.parse_update(text).is_ok()
        } else {
            p.parse_query(text).is_ok()
        }
    });
    if needs_base {
        // The parser's own message names a token it never needed: left out.
        format!(
            "the {} has a relative IRI (like `<s>`) and no base IRI to resolve it against: \
             write absolute IRIs, or declare a base with `BASE <…>`",
            if update { "update" } else { "query" }
        )
    } else {
        error.to_string()
    }
}

/// Byte offset just after the first `WHERE {` outside comments.
pub fn find_where(query: &str) -> Option<usize> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bindings_reach_the_sub_selects_that_project_them() {
        let q = "PREFIX x: <urn:x#>\nSELECT ?a ?n WHERE {\n  { SELECT ?a ?b (COUNT(?c) AS ?n) WHERE { ?a x:p ?b } GROUP BY ?a ?b }\n  # SELECT ?c WHERE { }\n  { SELECT ?b WHERE { ?c x:q ?b } }\n  { SELECT ?d WHERE { ?d x:r ?c } }\n}";
        let a: Term = oxigraph::model::Literal::new_simple_literal("A").into();
        let c: Term = oxigraph::model::Literal::new_simple_literal("C").into();
        let out = with_values(q, &[("a", a), ("c", c)]).expect("bound");
        // Top level: both; the first sub-select projects ?a (its ?c is only counted); the
        // commented line and the sub-selects that project neither are left alone.
        assert_eq!(out.matches("VALUES").count(), 2, "{out}");
        assert!(
            out.contains("SELECT ?a ?n WHERE { VALUES (?a ?c) { (\"A\" \"C\") }"),
            "{out}"
        );
        assert!(
            out.contains("WHERE { VALUES (?a) { (\"A\") }\n ?a x:p ?b }"),
            "{out}"
        );
        let parsed = oxigraph::sparql::SparqlEvaluator::new().parse_query(&out);
        assert!(parsed.is_ok(), "still SPARQL: {out}");
    }

    #[test]
    fn a_relative_iri_without_a_base_is_said_so() {
        let q = "SELECT * WHERE { <s> ?p ?o }";
        let e = oxigraph::sparql::SparqlEvaluator::new()
            .parse_query(q)
            .err()
            .expect("no base: a syntax error");
        let m = syntax_message(q, false, &e);
        assert!(m.contains("relative IRI"), "{m}");
        assert!(!m.contains("OPTIONAL"), "{m}");
        let u = "INSERT DATA { <s> <p> <o> }";
        let e = oxigraph::sparql::SparqlEvaluator::new()
            .parse_update(u)
            .err()
            .expect("no base: a syntax error");
        assert!(syntax_message(u, true, &e).contains("relative IRI"));
        // Any other syntax error keeps the parser's own message.
        let bad = "SELECT * WHERE { ?s ?p }";
        let e = oxigraph::sparql::SparqlEvaluator::new()
            .parse_query(bad)
            .err()
            .expect("a syntax error");
        assert_eq!(syntax_message(bad, false, &e), e.to_string());
    }

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
