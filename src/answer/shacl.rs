//! SHACL validation of the graph against `ontology/shapes.ttl`, for the SHACL Core subset that
//! file uses (documented at its top): node shapes with `sh:targetClass` or
//! `sh:targetSubjectsOf`, property shapes with a
//! single-IRI `sh:path` and `sh:minCount`, `sh:maxCount`, `sh:datatype`, `sh:class`,
//! `sh:nodeKind` (IRI / Literal), `sh:in`, `sh:pattern`, `sh:severity`.
//!
//! Why not a SHACL crate: the maintained Rust validator (`shacl` 0.3) switches on Oxigraph's
//! `rdf-12` feature for the whole build; this subset is a few SPARQL scans, and
//! tests/shacl_crosscheck.py checks it against pyshacl result for result.
use crate::model::error::{Error, Result};
use crate::query::Sparql;
use crate::store::Db;
use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::{Term, Triple};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};

pub const SHAPES: &str = include_str!("../../ontology/shapes.ttl");
const SH: &str = "http://www.w3.org/ns/shacl#";
const RDF_FIRST: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#first";
const RDF_REST: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#rest";
const RDF_NIL: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#nil";
const RDF_TYPE: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type";

/// One validation result, in the shape tests/shacl_crosscheck.py prints pyshacl's.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct ShaclResult {
    /// The focus node's IRI, `_:b` for a blank node.
    pub focus: String,
    pub path: String,
    /// Local name of the constraint component (`MinCountConstraintComponent`, …).
    pub component: String,
    /// `Violation`, `Warning` or `Info`.
    pub severity: String,
    #[serde(skip)]
    pub message: String,
}

#[derive(Debug, Default)]
struct PropertyShape {
    path: String,
    min: Option<usize>,
    max: Option<usize>,
    datatype: Option<String>,
    class: Option<String>,
    node_kind: Option<String>,
    values_in: Option<Vec<Term>>,
    pattern: Option<regex::Regex>,
    severity: String,
    message: String,
}

#[derive(Debug, Default)]
struct NodeShape {
    targets: Vec<String>,
    /// `sh:targetSubjectsOf`: every subject of these predicates.
    subjects_of: Vec<String>,
    properties: Vec<PropertyShape>,
}

fn parse_shapes(text: &str) -> Result<Vec<NodeShape>> {
    let triples: Vec<Triple> = RdfParser::from_format(RdfFormat::Turtle)
        .for_slice(text.as_bytes())
        .map(|q| {
            q.map(Triple::from)
                .map_err(|e| Error::parse("ontology/shapes.ttl", "turtle", e))
        })
        .collect::<Result<_>>()?;
    let mut by_subject: HashMap<String, Vec<(&str, &Term)>> = HashMap::new();
    for t in &triples {
        by_subject
            .entry(t.subject.to_string())
            .or_default()
            .push((t.predicate.as_str(), &t.object));
    }
    let get = |s: &str, p: &str| -> Vec<&Term> {
        by_subject
            .get(s)
            .map(|v| {
                v.iter()
                    .filter(|(pp, _)| *pp == p)
                    .map(|(_, o)| *o)
                    .collect()
            })
            .unwrap_or_default()
    };
    let one = |s: &str, local: &str| get(s, &format!("{SH}{local}")).first().copied();
    let iri = |t: Option<&Term>| match t {
        Some(Term::NamedNode(n)) => Some(n.as_str().to_owned()),
        _ => None,
    };
    let int = |t: Option<&Term>| match t {
        Some(Term::Literal(l)) => l.value().parse().ok(),
        _ => None,
    };
    let mut shapes = Vec::new();
    for t in &triples {
        if t.predicate.as_str() != RDF_TYPE || t.object.to_string() != format!("<{SH}NodeShape>") {
            continue;
        }
        let s = t.subject.to_string();
        let mut shape = NodeShape {
            targets: get(&s, &format!("{SH}targetClass"))
                .into_iter()
                .filter_map(|t| iri(Some(t)))
                .collect(),
            subjects_of: get(&s, &format!("{SH}targetSubjectsOf"))
                .into_iter()
                .filter_map(|t| iri(Some(t)))
                .collect(),
            ..Default::default()
        };
        for p in get(&s, &format!("{SH}property")) {
            let ps = p.to_string();
            let pattern = match one(&ps, "pattern") {
                Some(Term::Literal(l)) => Some(regex::Regex::new(l.value()).map_err(|e| {
                    Error::parse(
                        "ontology/shapes.ttl",
                        format!("sh:pattern {}", l.value()),
                        e,
                    )
                })?),
                _ => None,
            };
            let values_in = one(&ps, "in").map(|head| {
                let mut out = Vec::new();
                let mut at = head.to_string();
                while at != format!("<{RDF_NIL}>") {
                    match (get(&at, RDF_FIRST).first(), get(&at, RDF_REST).first()) {
                        (Some(v), Some(next)) => {
                            out.push((*v).clone());
                            at = next.to_string();
                        }
                        _ => break,
                    }
                }
                out
            });
            shape.properties.push(PropertyShape {
                path: iri(one(&ps, "path")).unwrap_or_default(),
                min: int(one(&ps, "minCount")),
                max: int(one(&ps, "maxCount")),
                datatype: iri(one(&ps, "datatype")),
                class: iri(one(&ps, "class")),
                node_kind: iri(one(&ps, "nodeKind")),
                values_in,
                pattern,
                severity: iri(one(&ps, "severity"))
                    .map(|s| s.trim_start_matches(SH).to_owned())
                    .unwrap_or_else(|| "Violation".into()),
                message: match one(&ps, "message") {
                    Some(Term::Literal(l)) => l.value().to_owned(),
                    _ => String::new(),
                },
            });
        }
        shapes.push(shape);
    }
    Ok(shapes)
}

/// The focus nodes `?x` of a one-variable `SELECT`.
fn focus_nodes(db: &Db, select: &str) -> Result<HashSet<Term>> {
    Ok(db
        .select(select, &[])?
        .rows
        .into_iter()
        .filter_map(|mut r| r.pop().flatten())
        .collect())
}

fn instances(db: &Db, class: &str) -> Result<HashSet<Term>> {
    focus_nodes(
        db,
        &format!(
            "SELECT DISTINCT ?x WHERE {{ ?x <{RDF_TYPE}>/<http://www.w3.org/2000/01/rdf-schema#subClassOf>* <{class}> }}"
        ),
    )
}

fn name(t: &Term) -> String {
    match t {
        Term::NamedNode(n) => n.as_str().to_owned(),
        Term::BlankNode(_) => "_:b".to_owned(),
        other => other.to_string(),
    }
}

/// Validates the store's union graph against the shapes.
pub fn validate(db: &Db) -> Result<Vec<ShaclResult>> {
    let shapes = parse_shapes(SHAPES)?;
    let mut class_cache: HashMap<String, HashSet<Term>> = HashMap::new();
    let mut values_cache: HashMap<String, Vec<(Term, Term)>> = HashMap::new();
    let mut out = Vec::new();
    for shape in &shapes {
        let mut focus: HashSet<Term> = HashSet::new();
        for c in &shape.targets {
            if !class_cache.contains_key(c) {
                class_cache.insert(c.clone(), instances(db, c)?);
            }
            focus.extend(class_cache[c].iter().cloned());
        }
        for p in &shape.subjects_of {
            focus.extend(focus_nodes(
                db,
                &format!("SELECT DISTINCT ?x WHERE {{ ?x <{p}> ?v }}"),
            )?);
        }
        for p in &shape.properties {
            if !values_cache.contains_key(&p.path) {
                let q = format!("SELECT DISTINCT ?f ?v WHERE {{ ?f <{}> ?v }}", p.path);
                let rows = db
                    .select(&q, &[])?
                    .rows
                    .into_iter()
                    .filter_map(|r| match (r[0].clone(), r[1].clone()) {
                        (Some(f), Some(v)) => Some((f, v)),
                        _ => None,
                    })
                    .collect();
                values_cache.insert(p.path.clone(), rows);
            }
            let mut per_focus: BTreeMap<String, (Term, Vec<&Term>)> = BTreeMap::new();
            for (f, v) in &values_cache[&p.path] {
                if focus.contains(f) {
                    per_focus
                        .entry(f.to_string())
                        .or_insert_with(|| (f.clone(), Vec::new()))
                        .1
                        .push(v);
                }
            }
            if let Some(c) = &p.class
                && !class_cache.contains_key(c)
            {
                class_cache.insert(c.clone(), instances(db, c)?);
            }
            let mut result = |f: &Term, component: &str| {
                out.push(ShaclResult {
                    focus: name(f),
                    path: p.path.clone(),
                    component: format!("{component}ConstraintComponent"),
                    severity: p.severity.clone(),
                    message: p.message.clone(),
                });
            };
            for f in &focus {
                let values = per_focus
                    .get(&f.to_string())
                    .map(|x| x.1.as_slice())
                    .unwrap_or(&[]);
                if p.min.is_some_and(|m| values.len() < m) {
                    result(f, "MinCount");
                }
                if p.max.is_some_and(|m| values.len() > m) {
                    result(f, "MaxCount");
                }
                for v in values {
                    if let Some(dt) = &p.datatype {
                        let ok = matches!(v, Term::Literal(l) if l.datatype().as_str() == dt && well_formed(l));
                        if !ok {
                            result(f, "Datatype");
                        }
                    }
                    if let Some(c) = &p.class
                        && !class_cache[c].contains(v)
                    {
                        result(f, "Class");
                    }
                    if let Some(k) = &p.node_kind {
                        let ok = match k.trim_start_matches(SH) {
                            "IRI" => matches!(v, Term::NamedNode(_)),
                            "Literal" => matches!(v, Term::Literal(_)),
                            _ => true,
                        };
                        if !ok {
                            result(f, "NodeKind");
                        }
                    }
                    if let Some(list) = &p.values_in
                        && !list.contains(v)
                    {
                        result(f, "In");
                    }
                    if let Some(re) = &p.pattern {
                        let text = match v {
                            Term::NamedNode(n) => Some(n.as_str().to_owned()),
                            Term::Literal(l) => Some(l.value().to_owned()),
                            _ => None,
                        };
                        if !text.is_some_and(|t| re.is_match(&t)) {
                            result(f, "Pattern");
                        }
                    }
                }
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Whether a literal's lexical form is valid for its XSD datatype: SHACL's `sh:datatype`
/// rejects an ill-typed literal such as `"row 7"^^xsd:integer`, as pyshacl does. Datatypes
/// without a check here (xsd:string, language strings, others) are taken as well formed.
fn well_formed(l: &oxigraph::model::Literal) -> bool {
    use std::str::FromStr;
    let v = l.value();
    match l
        .datatype()
        .as_str()
        .strip_prefix("http://www.w3.org/2001/XMLSchema#")
    {
        Some("integer") => oxsdatatypes::Integer::from_str(v).is_ok(),
        Some("boolean") => oxsdatatypes::Boolean::from_str(v).is_ok(),
        Some("decimal") => oxsdatatypes::Decimal::from_str(v).is_ok(),
        Some("double") => oxsdatatypes::Double::from_str(v).is_ok(),
        Some("date") => oxsdatatypes::Date::from_str(v).is_ok(),
        Some("dateTime") => oxsdatatypes::DateTime::from_str(v).is_ok(),
        _ => true,
    }
}
