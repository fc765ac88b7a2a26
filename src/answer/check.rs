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

/// A rule of `check`: CW001–CW012. Its id string (`CW001`), name, descriptions, default level
/// and help are functions of the variant, so a finding cannot name a rule that has no
/// metadata, and a SARIF result's `ruleIndex` is its own rule's position in [`RuleId::all`].
/// Serialized as its id string (the JSON report's `rule`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RuleId {
    /// CW001
    DanglingReference,
    /// CW002
    WithdrawnTarget,
    /// CW003
    CoarseTarget,
    /// CW004
    DuplicateMapping,
    /// CW005
    ContradictoryMappings,
    /// CW006
    SetTheoryWithoutRationale,
    /// CW007
    MisplacedSupportiveProperty,
    /// CW008
    InverseDisagrees,
    /// CW009
    SubsetCycle,
    /// CW010
    DraftDocument,
    /// CW011
    UnmappedFocalElements,
    /// CW012
    Shacl,
}

impl RuleId {
    /// Every rule, in id order (the SARIF `tool.driver.rules` array).
    pub const fn all() -> &'static [RuleId] {
        use RuleId::*;
        &[
            DanglingReference,
            WithdrawnTarget,
            CoarseTarget,
            DuplicateMapping,
            ContradictoryMappings,
            SetTheoryWithoutRationale,
            MisplacedSupportiveProperty,
            InverseDisagrees,
            SubsetCycle,
            DraftDocument,
            UnmappedFocalElements,
            Shacl,
        ]
    }

    /// The rule's position in [`RuleId::all`] (its SARIF `ruleIndex`).
    pub const fn index(self) -> usize {
        self as usize
    }

    /// The stable id: `CW001` … `CW012`.
    pub const fn id(self) -> &'static str {
        use RuleId::*;
        match self {
            DanglingReference => "CW001",
            WithdrawnTarget => "CW002",
            CoarseTarget => "CW003",
            DuplicateMapping => "CW004",
            ContradictoryMappings => "CW005",
            SetTheoryWithoutRationale => "CW006",
            MisplacedSupportiveProperty => "CW007",
            InverseDisagrees => "CW008",
            SubsetCycle => "CW009",
            DraftDocument => "CW010",
            UnmappedFocalElements => "CW011",
            Shacl => "CW012",
        }
    }

    /// The rule whose id this is (`CW007`).
    pub fn from_id(id: &str) -> Option<RuleId> {
        RuleId::all().iter().copied().find(|r| r.id() == id)
    }

    /// A short kebab-case name (SARIF `name`).
    pub const fn name(self) -> &'static str {
        use RuleId::*;
        match self {
            DanglingReference => "dangling-reference",
            WithdrawnTarget => "withdrawn-target",
            CoarseTarget => "coarse-target",
            DuplicateMapping => "duplicate-mapping",
            ContradictoryMappings => "contradictory-mappings",
            SetTheoryWithoutRationale => "set-theory-without-rationale",
            MisplacedSupportiveProperty => "misplaced-supportive-property",
            InverseDisagrees => "inverse-disagrees",
            SubsetCycle => "subset-cycle",
            DraftDocument => "draft-document",
            UnmappedFocalElements => "unmapped-focal-elements",
            Shacl => "shacl-shape",
        }
    }

    /// One sentence: what the rule finds (SARIF `shortDescription`).
    pub const fn short_description(self) -> &'static str {
        use RuleId::*;
        match self {
            DanglingReference => "A mapping names an element that no loaded document defines.",
            WithdrawnTarget => "A mapping points to a withdrawn element.",
            CoarseTarget => {
                "A mapping's target is a control family, CSF function or category rather than a control or subcategory."
            }
            DuplicateMapping => "The same pair, relationship and rationale appear more than once.",
            ContradictoryMappings => {
                "The same pair has incompatible relationships (no relationship or contrary beside a positive type, or two different set-theory types with the same rationale)."
            }
            SetTheoryWithoutRationale => {
                "A set-theory relationship without its rationale (IR 8477 requires one)."
            }
            MisplacedSupportiveProperty => {
                "A supportive property on a relationship other than supports / is supported by."
            }
            InverseDisagrees => "A→B and B→A are both mapped, but not with inverse relationships.",
            SubsetCycle => "Subset-of mappings form a cycle, which implies equality.",
            DraftDocument => "The mapping set is a draft (or pre-draft) document.",
            UnmappedFocalElements => {
                "Active unit elements of the focal document that no mapping of the set names."
            }
            Shacl => {
                "A node of the graph does not conform to the SHACL shapes (ontology/shapes.ttl)."
            }
        }
    }

    /// What the rule checks and why it matters (SARIF `fullDescription`).
    pub const fn full_description(self) -> &'static str {
        use RuleId::*;
        match self {
            DanglingReference => {
                "The subject or object of a mapping is an id that no document loaded beside the set defines: a typo, a spelling variant (SC.7.5 for SC-7(5)) or an id of another release. Answers through the mapping reach nothing."
            }
            WithdrawnTarget => {
                "The mapping's target is an element the catalog marks withdrawn. The finding names where it went (incorporated into or moved to) when the catalog records it."
            }
            CoarseTarget => {
                "The target is a grouping (an SP 800-53 control family, a CSF function or category) rather than a unit element (a control or subcategory), so the mapping claims a relationship with everything below it."
            }
            DuplicateMapping => {
                "Two rows map the same subject to the same object with the same relationship and rationale. The second adds nothing and skews counts."
            }
            ContradictoryMappings => {
                "The same subject and object are mapped with relationships that cannot both hold: no relationship or contrary beside a positive relationship, or two different set-theory relationships with the same rationale."
            }
            SetTheoryWithoutRationale => {
                "NIST IR 8477 set-theory relationships (subset of, intersects with, equal, superset of) state the rationale they rest on: syntactic, semantic or functional. This one has none."
            }
            MisplacedSupportiveProperty => {
                "A supportive property (example of, integral to, precedes, …) qualifies only a supportive relationship (supports, is supported by); here it is on another relationship."
            }
            InverseDisagrees => {
                "A is mapped to B and B to A, but the two relationships are not each other's inverse (subset of / superset of, supports / is supported by, …)."
            }
            SubsetCycle => {
                "Subset-of mappings (superset-of read backwards) lead from an element back to itself, so every element on the cycle would equal the others."
            }
            DraftDocument => {
                "The mapping set's document status is not final (draft, initial preliminary draft, pre-draft, withdrawn): its mappings may change or no longer be vouched for."
            }
            UnmappedFocalElements => {
                "Subcategories, controls and control enhancements of the set's focal document that are not withdrawn and that no mapping of the set has as its subject: the set says nothing about them."
            }
            Shacl => {
                "A SHACL validation result of the whole graph against ontology/shapes.ttl (check --shacl); its severity is the result's (Violation: error, Warning: warning, Info: note)."
            }
        }
    }

    /// How to fix a finding (SARIF `help`).
    pub const fn help(self) -> &'static str {
        use RuleId::*;
        match self {
            DanglingReference => {
                "Correct the id (the message suggests the defined spelling when there is one), or load the document release that defines it."
            }
            WithdrawnTarget => {
                "Map to the element the withdrawn one was incorporated into or moved to."
            }
            CoarseTarget => "Map to the controls or subcategories the mapping means.",
            DuplicateMapping => "Remove the repeated row.",
            ContradictoryMappings => "Keep the relationship that holds and remove the other.",
            SetTheoryWithoutRationale => {
                "Give the rationale (syntactic, semantic or functional) the relationship rests on."
            }
            MisplacedSupportiveProperty => {
                "Remove the supportive property, or change the relationship to supports / is supported by."
            }
            InverseDisagrees => {
                "Make one relationship the inverse of the other, or remove the direction that is wrong."
            }
            SubsetCycle => {
                "Map the elements as equal if they are, or remove the subset-of mapping that does not hold."
            }
            DraftDocument => {
                "Informational. Load the set with --set-status final once it has been reviewed."
            }
            UnmappedFocalElements => {
                "Informational. Map the listed elements, or map them with no relationship if none holds."
            }
            Shacl => {
                "Correct the data the message names (focus node, property, constraint), then load it again."
            }
        }
    }

    /// The severity of its findings (CW012's follow the SHACL result's own severity).
    pub const fn default_severity(self) -> Severity {
        use RuleId::*;
        match self {
            DanglingReference
            | ContradictoryMappings
            | SetTheoryWithoutRationale
            | MisplacedSupportiveProperty
            | InverseDisagrees
            | Shacl => Severity::Error,
            WithdrawnTarget | CoarseTarget | DuplicateMapping | SubsetCycle => Severity::Warning,
            DraftDocument | UnmappedFocalElements => Severity::Info,
        }
    }
}

impl std::fmt::Display for RuleId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id())
    }
}

/// `finding.rule == "CW010"`: a rule equals its id string.
impl PartialEq<&str> for RuleId {
    fn eq(&self, other: &&str) -> bool {
        self.id() == *other
    }
}

impl PartialEq<str> for RuleId {
    fn eq(&self, other: &str) -> bool {
        self.id() == other
    }
}

impl Serialize for RuleId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.id())
    }
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Finding {
    pub rule: RuleId,
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
    let mut push = |rule: RuleId, m: Option<&M>, message: String| {
        out.push(Finding {
            rule,
            severity: rule.default_severity(),
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
                    RuleId::DanglingReference,
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
                RuleId::WithdrawnTarget,
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
                RuleId::CoarseTarget,
                Some(m),
                format!(
                    "{} → {}: the target is {what}, coarser than a control or subcategory",
                    m.subject_notation, m.object_notation
                ),
            );
        }
        if m.style == "SetTheory" && m.rel != "NoRelationship" && m.rationale.is_none() {
            push(
                RuleId::SetTheoryWithoutRationale,
                Some(m),
                format!(
                    "{} → {}: set-theory relationship `{}` has no rationale (syntactic, semantic or functional)",
                    m.subject_notation, m.object_notation, m.rel
                ),
            );
        }
        if m.supportive.is_some() && m.rel != "Supports" && m.rel != "IsSupportedBy" {
            push(
                RuleId::MisplacedSupportiveProperty,
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
                    RuleId::DuplicateMapping,
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
                    RuleId::ContradictoryMappings,
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
                    RuleId::InverseDisagrees,
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
                            RuleId::SubsetCycle,
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
            RuleId::DraftDocument,
            None,
            format!("{label} is {} document", with_article(&words)),
        );
    }
    let mut unmapped = info.strings("unmappedNotation");
    unmapped.dedup();
    if !unmapped.is_empty() {
        push(
            RuleId::UnmappedFocalElements,
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

/// SHACL results (ontology/shapes.ttl) as findings of rule CW012, each with the source file
/// (and place in it) of the graph describing its focus node, when the store knows one.
pub fn shacl_findings(db: &crate::store::Db) -> Result<Vec<Finding>> {
    let results = crate::answer::shacl::validate(db)?;
    let places = focus_places(db, results.iter().map(|r| r.focus.as_str()))?;
    Ok(results
        .into_iter()
        .map(|r| {
            let place = places.get(&r.focus);
            Finding {
                rule: RuleId::Shacl,
                severity: match r.severity.as_str() {
                    "Violation" => Severity::Error,
                    "Warning" => Severity::Warning,
                    _ => Severity::Info,
                },
                set: String::new(),
                mapping: Some(r.focus.clone()),
                location: place.and_then(|p| p.location.clone()),
                file: place.map(|p| p.file.clone()),
                row: place.and_then(|p| p.row),
                message: format!(
                    "{} {}: {} ({})",
                    r.focus,
                    r.path.rsplit(['#', '/']).next().unwrap_or(&r.path),
                    r.message,
                    r.component
                ),
            }
        })
        .collect())
}

/// Where a node was read from: the file of a source graph that describes it, and for a
/// mapping its place in that file.
struct Place {
    file: String,
    location: Option<String>,
    row: Option<i64>,
}

/// The [`Place`] of each IRI among `nodes` that a source graph describes (blank nodes and
/// nodes only inferred have none).
fn focus_places<'a>(
    db: &crate::store::Db,
    nodes: impl Iterator<Item = &'a str>,
) -> Result<HashMap<String, Place>> {
    let values: Vec<String> = nodes
        .filter(|n| oxigraph::model::NamedNode::new(*n).is_ok())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .map(|n| format!("<{n}>"))
        .collect();
    if values.is_empty() {
        return Ok(HashMap::new());
    }
    let q = format!(
        "PREFIX cw: <https://w3id.org/crosswalk/ontology#>
         SELECT ?focus (SAMPLE(?f) AS ?file) (SAMPLE(?l) AS ?location) (SAMPLE(?r) AS ?row) WHERE {{
           VALUES ?focus {{ {} }}
           GRAPH ?g {{ ?focus ?p ?o . ?g cw:sourceFile ?f }}
           OPTIONAL {{ ?focus cw:sourceLocation ?l }}
           OPTIONAL {{ ?focus cw:sourceRow ?r }}
         }} GROUP BY ?focus",
        values.join(" ")
    );
    let sol = db.select(&q, &[])?;
    Ok((0..sol.rows.len())
        .filter_map(|i| {
            let text = |v: &str| sol.get(i, v).map(term_text);
            Some((
                text("focus")?,
                Place {
                    file: text("file")?,
                    location: text("location"),
                    row: text("row").and_then(|r| r.parse().ok()),
                },
            ))
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::{RuleId, Severity, camel_words, skeleton, with_article};

    #[test]
    fn every_rule_has_its_own_id_index_and_metadata() {
        let all = RuleId::all();
        assert_eq!(all.len(), 12);
        for (i, r) in all.iter().enumerate() {
            assert_eq!(r.index(), i);
            assert_eq!(r.id(), format!("CW{:03}", i + 1));
            assert_eq!(RuleId::from_id(r.id()), Some(*r));
            assert_eq!(serde_json::to_value(r).ok(), Some(r.id().into()));
            for text in [
                r.name(),
                r.short_description(),
                r.full_description(),
                r.help(),
            ] {
                assert!(!text.is_empty(), "{r}");
            }
        }
        let mut names: Vec<&str> = all.iter().map(|r| r.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), 12);
        assert_eq!(RuleId::from_id("CW013"), None);
        assert_eq!(RuleId::Shacl.default_severity(), Severity::Error);
        // Findings sort by rule as their id strings do.
        let mut sorted = all.to_vec();
        sorted.sort_by_key(|r| r.id());
        assert_eq!(sorted, all);
    }

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
