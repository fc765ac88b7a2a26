//! `crosswalk check`: consistency rules for a mapping set, run over the store (so a set is
//! checked against the catalogs loaded beside it). Facts come from the named queries
//! `check-mappings` and `check-set` (the set's file from `set-source-file`); the rules
//! themselves are here, each with a stable id.
use crate::model::error::Result;
use crate::model::relationship::rel_by_term;
use crate::model::vocab::cw;
use crate::query::{Solutions, Sparql, named, term_text};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

/// A rule: stable id, severity, one-line description (the SARIF rule metadata).
pub struct Rule {
    pub id: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub description: &'static str,
}

pub const RULES: &[Rule] = &[
    Rule {
        id: "CW001",
        name: "dangling-reference",
        severity: Severity::Error,
        description: "A mapping names an element that no loaded document defines.",
    },
    Rule {
        id: "CW002",
        name: "withdrawn-target",
        severity: Severity::Warning,
        description: "A mapping points to a withdrawn element.",
    },
    Rule {
        id: "CW003",
        name: "coarse-target",
        severity: Severity::Warning,
        description: "A mapping's target is a control family, CSF function or category rather than a control or subcategory.",
    },
    Rule {
        id: "CW004",
        name: "duplicate-mapping",
        severity: Severity::Warning,
        description: "The same pair, relationship and rationale appear more than once.",
    },
    Rule {
        id: "CW005",
        name: "contradictory-mappings",
        severity: Severity::Error,
        description: "The same pair has incompatible relationships (no relationship or contrary beside a positive type, or two different set-theory types with the same rationale).",
    },
    Rule {
        id: "CW006",
        name: "set-theory-without-rationale",
        severity: Severity::Error,
        description: "A set-theory relationship without its rationale (IR 8477 requires one).",
    },
    Rule {
        id: "CW007",
        name: "misplaced-supportive-property",
        severity: Severity::Error,
        description: "A supportive property on a relationship other than supports / is supported by.",
    },
    Rule {
        id: "CW008",
        name: "inverse-disagrees",
        severity: Severity::Error,
        description: "A→B and B→A are both mapped, but not with inverse relationships.",
    },
    Rule {
        id: "CW009",
        name: "subset-cycle",
        severity: Severity::Warning,
        description: "Subset-of mappings form a cycle, which implies equality.",
    },
    Rule {
        id: "CW010",
        name: "draft-document",
        severity: Severity::Info,
        description: "The mapping set is a draft (or pre-draft) document.",
    },
    Rule {
        id: "CW011",
        name: "unmapped-focal-elements",
        severity: Severity::Info,
        description: "Active unit elements of the focal document that no mapping of the set names.",
    },
];

pub fn rule(id: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.id == id)
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Finding {
    pub rule: &'static str,
    pub severity: Severity,
    pub set: String,
    /// The offending mapping's IRI (absent for set-level findings).
    pub mapping: Option<String>,
    /// The place in the source file (`sheet 'Relationships' row 484`, `line 12`).
    pub location: Option<String>,
    /// The source file, when the store knows it.
    pub file: Option<String>,
    pub row: Option<i64>,
    pub message: String,
}

#[derive(Debug, Clone)]
struct M {
    iri: String,
    location: String,
    row: Option<i64>,
    subject: String,
    subject_notation: String,
    object: String,
    object_notation: String,
    rel: String,
    style: String,
    rationale: Option<String>,
    supportive: Option<String>,
    flags: Vec<String>,
    coarse: Option<String>,
    went: Option<(String, String)>,
}

fn local(iri: &str) -> String {
    iri.strip_prefix(cw::NS).unwrap_or(iri).to_owned()
}

fn mappings(sol: &Solutions) -> Vec<M> {
    let get = |r: usize, v: &str| sol.get(r, v).map(term_text);
    let mut by: BTreeMap<String, M> = BTreeMap::new();
    for r in 0..sol.rows.len() {
        let Some(iri) = get(r, "mapping") else {
            continue;
        };
        let m = by.entry(iri.clone()).or_insert_with(|| M {
            iri,
            location: get(r, "location").unwrap_or_default(),
            row: get(r, "row").and_then(|x| x.parse().ok()),
            subject: get(r, "subject").unwrap_or_default(),
            subject_notation: get(r, "subjectNotation").unwrap_or_default(),
            object: get(r, "object").unwrap_or_default(),
            object_notation: get(r, "objectNotation").unwrap_or_default(),
            rel: get(r, "rel").map(|x| local(&x)).unwrap_or_default(),
            style: get(r, "style").map(|x| local(&x)).unwrap_or_default(),
            rationale: get(r, "rationale").map(|x| local(&x)),
            supportive: get(r, "supportive").map(|x| local(&x)),
            flags: Vec::new(),
            coarse: get(r, "objectKind").map(|x| local(&x)),
            went: None,
        });
        if let Some(f) = get(r, "flag").map(|x| local(&x))
            && !m.flags.contains(&f)
        {
            m.flags.push(f);
        }
        if let (Some(rel), Some(w)) = (get(r, "wentRel"), get(r, "went")) {
            m.went = Some((local(&rel), w));
        }
    }
    let mut v: Vec<M> = by.into_values().collect();
    v.sort_by(|a, b| (a.row, &a.iri).cmp(&(b.row, &b.iri)));
    v
}

/// Letters and digits only, upper case, leading zeros of each number dropped: the spelling
/// variants of one id (`GV.SC-7`, `gvsc07`, `AC 2 (1)`) share it.
fn skeleton(id: &str) -> String {
    let mut out = String::new();
    let mut digits = String::new();
    let flush = |digits: &mut String, out: &mut String| {
        if !digits.is_empty() {
            let t = digits.trim_start_matches('0');
            out.push_str(if t.is_empty() { "0" } else { t });
            digits.clear();
        }
    };
    for c in id.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
        } else {
            flush(&mut digits, &mut out);
            if c.is_alphanumeric() {
                out.extend(c.to_uppercase());
            }
        }
    }
    flush(&mut digits, &mut out);
    out
}

const NOTATIONS: &str = "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX cw: <https://w3id.org/crosswalk/ontology#>
SELECT ?n WHERE { ?e skos:notation ?n ; cw:definedBy ?d . ?d cw:scheme ?s }";

/// The file a loaded mapping set was read from, as its source graph records it (the path the
/// load actually read, not a guess from the current sources directory); `None` when the
/// store does not know it (a graph loaded by an older crosswalk until its next load).
pub fn source_file(on: &dyn Sparql, set: &str) -> Result<Option<String>> {
    let sol = named("set-source-file")?.run(on, &[("set".to_owned(), set.to_owned())])?;
    Ok(sol.get(0, "file").map(term_text))
}

/// Runs every rule on one mapping set (its document IRI). `file` is the source file the set
/// was read from, reported with each finding.
pub fn check_set(on: &dyn Sparql, set: &str, file: Option<&str>) -> Result<Vec<Finding>> {
    let args = vec![("set".to_owned(), set.to_owned())];
    let ms = mappings(&named("check-mappings")?.run(on, &args)?);
    let info = named("check-set")?.run(on, &args)?;
    let mut out = Vec::new();
    let mut push = |rule_id: &'static str, m: Option<&M>, message: String| {
        let severity = rule(rule_id).map_or(Severity::Error, |r| r.severity);
        out.push(Finding {
            rule: rule_id,
            severity,
            set: set.to_owned(),
            mapping: m.map(|m| m.iri.clone()),
            location: m.map(|m| m.location.clone()),
            file: file.map(str::to_owned),
            row: m.and_then(|m| m.row),
            message,
        });
    };

    // CW001: dangling, with the existing id it is a spelling variant of.
    let needs_suggestions = ms
        .iter()
        .any(|m| m.flags.iter().any(|f| f.starts_with("Dangling")));
    let mut by_skeleton: HashMap<String, Vec<String>> = HashMap::new();
    if needs_suggestions {
        for n in on.select(NOTATIONS, &[])?.strings("n") {
            by_skeleton.entry(skeleton(&n)).or_default().push(n);
        }
    }
    let suggest = |id: &str| -> String {
        match by_skeleton.get(&skeleton(id)).map(|v| {
            let mut v = v.clone();
            v.sort();
            v.dedup();
            v
        }) {
            Some(v) if !v.is_empty() && !v.iter().any(|x| x == id) => {
                format!("; did you mean {}?", v.join(" or "))
            }
            _ => String::new(),
        }
    };
    for m in &ms {
        for (flag, side, id) in [
            ("DanglingTarget", "target", &m.object_notation),
            ("DanglingSubject", "subject", &m.subject_notation),
        ] {
            if m.flags.iter().any(|f| f == flag) {
                push(
                    "CW001",
                    Some(m),
                    format!(
                        "{} → {}: {side} `{id}` is defined by no loaded document{}",
                        m.subject_notation,
                        m.object_notation,
                        suggest(id)
                    ),
                );
            }
        }
        if m.flags.iter().any(|f| f == "WithdrawnTarget") {
            let went = match &m.went {
                Some((rel, to)) if rel == "incorporatedInto" => {
                    format!(" (incorporated into {to})")
                }
                Some((_, to)) => format!(" (moved to {to})"),
                None => " (no successor recorded)".to_owned(),
            };
            push(
                "CW002",
                Some(m),
                format!(
                    "{} → {}: `{}` is withdrawn{went}",
                    m.subject_notation, m.object_notation, m.object_notation
                ),
            );
        }
        if let Some(kind) = &m.coarse {
            let what = match kind.as_str() {
                "ControlFamily" => "a control family",
                "Category" => "a CSF category",
                _ => "a CSF function",
            };
            push(
                "CW003",
                Some(m),
                format!(
                    "{} → {}: the target is {what}, coarser than a control or subcategory",
                    m.subject_notation, m.object_notation
                ),
            );
        }
        if m.style == "SetTheory" && m.rel != "NoRelationship" && m.rationale.is_none() {
            push(
                "CW006",
                Some(m),
                format!(
                    "{} → {}: set-theory relationship `{}` has no rationale (syntactic, semantic or functional)",
                    m.subject_notation, m.object_notation, m.rel
                ),
            );
        }
        if m.supportive.is_some() && m.rel != "Supports" && m.rel != "IsSupportedBy" {
            push(
                "CW007",
                Some(m),
                format!(
                    "{} → {}: supportive property `{}` on relationship `{}`",
                    m.subject_notation,
                    m.object_notation,
                    m.supportive.as_deref().unwrap_or(""),
                    m.rel
                ),
            );
        }
    }

    // CW004 duplicates and CW005 contradictions: mappings grouped by pair.
    let mut by_pair: BTreeMap<(&str, &str), Vec<&M>> = BTreeMap::new();
    for m in &ms {
        by_pair.entry((&m.subject, &m.object)).or_default().push(m);
    }
    for group in by_pair.values() {
        let mut seen: Vec<&M> = Vec::new();
        for m in group {
            if let Some(first) = seen
                .iter()
                .find(|x| x.rel == m.rel && x.rationale == m.rationale)
            {
                push(
                    "CW004",
                    Some(m),
                    format!(
                        "{} → {} ({}) duplicates {}",
                        m.subject_notation, m.object_notation, m.rel, first.location
                    ),
                );
                continue;
            }
            if let Some(other) = seen.iter().find(|x| contradicts(x, m)) {
                push(
                    "CW005",
                    Some(m),
                    format!(
                        "{} → {}: `{}` contradicts `{}` at {}",
                        m.subject_notation, m.object_notation, m.rel, other.rel, other.location
                    ),
                );
            }
            seen.push(m);
        }
    }

    // CW008: both directions mapped, relationships not each other's inverse.
    let mut reported: HashSet<(&str, &str)> = HashSet::new();
    for m in &ms {
        let Some(back) = by_pair.get(&(m.object.as_str(), m.subject.as_str())) else {
            continue;
        };
        let Some(expected) = rel_by_term(&m.rel).map(|r| r.inverse.as_str()) else {
            continue;
        };
        for b in back {
            if b.rel != expected
                && (m.row, &m.location) < (b.row, &b.location)
                && reported.insert((&m.iri, &b.iri))
            {
                push(
                    "CW008",
                    Some(b),
                    format!(
                        "{} → {} is `{}`, but {} → {} at {} is `{}` (its inverse would be `{expected}`)",
                        b.subject_notation,
                        b.object_notation,
                        b.rel,
                        m.subject_notation,
                        m.object_notation,
                        m.location,
                        m.rel
                    ),
                );
            }
        }
    }

    // CW009: subset-of cycles (superset-of read backwards).
    let mut edges: BTreeMap<&str, Vec<(&str, &M)>> = BTreeMap::new();
    for m in &ms {
        match m.rel.as_str() {
            "SubsetOf" => edges.entry(&m.subject).or_default().push((&m.object, m)),
            "SupersetOf" => edges.entry(&m.object).or_default().push((&m.subject, m)),
            _ => {}
        }
    }
    let mut cycles: HashSet<Vec<String>> = HashSet::new();
    for start in edges.keys() {
        // Depth-first from each node; a path back to `start` is a cycle (reported once).
        let mut stack: Vec<(&str, Vec<&M>, Vec<&str>)> = vec![(start, Vec::new(), vec![start])];
        while let Some((at, path, nodes)) = stack.pop() {
            for (next, m) in edges.get(at).into_iter().flatten() {
                let mut p = path.clone();
                p.push(m);
                if *next == *start {
                    let mut key: Vec<String> = p.iter().map(|m| m.iri.clone()).collect();
                    key.sort();
                    if cycles.insert(key) {
                        let names: Vec<String> = p
                            .iter()
                            .map(|m| {
                                format!("{} {} {}", m.subject_notation, m.rel, m.object_notation)
                            })
                            .collect();
                        push(
                            "CW009",
                            p.last().copied(),
                            format!("subset-of cycle ({}) implies equality", names.join(", ")),
                        );
                    }
                } else if p.len() < 8 && !nodes.contains(next) {
                    let mut n = nodes.clone();
                    n.push(next);
                    stack.push((next, p, n));
                }
            }
        }
    }

    // CW010 / CW011: the set itself.
    let status = info.get(0, "status").map(|t| local(&term_text(t)));
    let label = info
        .get(0, "setLabel")
        .map(term_text)
        .unwrap_or_else(|| set.to_owned());
    if let Some(s) = &status
        && s != "Final"
    {
        let words = info
            .get(0, "statusLabel")
            .map(term_text)
            .unwrap_or_else(|| camel_words(s));
        push(
            "CW010",
            None,
            format!("{label} is {} document", with_article(&words)),
        );
    }
    let mut unmapped = info.strings("unmappedNotation");
    unmapped.dedup();
    if !unmapped.is_empty() {
        push(
            "CW011",
            None,
            format!(
                "{} active unit element(s) of the focal document are not mapped: {}",
                unmapped.len(),
                unmapped.join(", ")
            ),
        );
    }
    out.sort_by(|a, b| (a.row, a.rule, &a.message).cmp(&(b.row, b.rule, &b.message)));
    Ok(out)
}

/// `InitialPreliminaryDraft` → `initial preliminary draft` (a status without its label).
fn camel_words(local: &str) -> String {
    let mut out = String::new();
    for c in local.chars() {
        if c.is_uppercase() && !out.is_empty() {
            out.push(' ');
        }
        out.extend(c.to_lowercase());
    }
    out
}

/// `a draft`, `an initial preliminary draft`: the article by the first letter, which is
/// right for every status word the ontology has.
fn with_article(words: &str) -> String {
    let vowel = words
        .chars()
        .next()
        .is_some_and(|c| "aeiouAEIOU".contains(c));
    format!("{} {words}", if vowel { "an" } else { "a" })
}

fn contradicts(a: &M, b: &M) -> bool {
    let negative = |r: &str| r == "NoRelationship" || r == "Contrary";
    if negative(&a.rel) != negative(&b.rel) {
        return true;
    }
    a.style == "SetTheory" && b.style == "SetTheory" && a.rel != b.rel && a.rationale == b.rationale
}

/// The exit status a CI job wants: 1 on any error (or warning when `deny_warnings`).
pub fn failed(findings: &[Finding], deny_warnings: bool) -> bool {
    findings.iter().any(|f| {
        f.severity == Severity::Error || (deny_warnings && f.severity == Severity::Warning)
    })
}

/// SARIF 2.1.0 (<https://docs.oasis-open.org/sarif/sarif/v2.1.0/>) for code-scanning UIs.
pub fn sarif(findings: &[Finding]) -> serde_json::Value {
    use serde_json::json;
    let rules: Vec<_> = RULES
        .iter()
        .map(|r| {
            json!({
                "id": r.id,
                "name": r.name,
                "shortDescription": { "text": r.description },
                "defaultConfiguration": { "level": level(r.severity) },
            })
        })
        .collect();
    let results: Vec<_> = findings
        .iter()
        .map(|f| {
            let mut result = json!({
                "ruleId": f.rule,
                "ruleIndex": RULES.iter().position(|r| r.id == f.rule).unwrap_or(0),
                "level": level(f.severity),
                "message": { "text": f.message },
            });
            let mut loc = json!({});
            if let Some(file) = &f.file {
                let mut phys = json!({ "artifactLocation": { "uri": file } });
                if let Some(row) = f.row.filter(|r| *r > 0) {
                    phys["region"] = json!({ "startLine": row });
                }
                loc["physicalLocation"] = phys;
            }
            let logical = f.mapping.clone().unwrap_or_else(|| f.set.clone());
            loc["logicalLocations"] =
                json!([{ "fullyQualifiedName": logical, "kind": "resource" }]);
            if let Some(l) = &f.location {
                loc["message"] = json!({ "text": l });
            }
            result["locations"] = json!([loc]);
            result
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "crosswalk",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://w3id.org/crosswalk",
                "rules": rules,
            }},
            "results": results,
        }],
    })
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// SHACL results (ontology/shapes.ttl) as findings of rule CW012.
pub fn shacl_findings(db: &crate::store::Db) -> Result<Vec<Finding>> {
    Ok(crate::answer::shacl::validate(db)?
        .into_iter()
        .map(|r| Finding {
            rule: "CW012",
            severity: match r.severity.as_str() {
                "Violation" => Severity::Error,
                "Warning" => Severity::Warning,
                _ => Severity::Info,
            },
            set: String::new(),
            mapping: Some(r.focus.clone()),
            location: None,
            file: None,
            row: None,
            message: format!(
                "{} {}: {} ({})",
                r.focus,
                r.path.rsplit(['#', '/']).next().unwrap_or(&r.path),
                r.message,
                r.component
            ),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::{camel_words, skeleton, with_article};

    #[test]
    fn status_words_take_their_article() {
        assert_eq!(
            with_article(&camel_words("InitialPreliminaryDraft")),
            "an initial preliminary draft"
        );
        assert_eq!(with_article("draft"), "a draft");
        assert_eq!(with_article("pre-draft"), "a pre-draft");
    }

    #[test]
    fn spelling_variants_share_a_skeleton() {
        assert_eq!(skeleton("GV.SC-7"), skeleton("GV.SC-07"));
        assert_eq!(skeleton("ac 2 (1)"), skeleton("AC-2(1)"));
        assert_ne!(skeleton("IA-13"), skeleton("IA-1"));
    }
}
