//! The answers behind `map`, `coverage`, `gaps` and `path`: each is one or more named queries
//! plus grouping in Rust (grouping here rather than in SPARQL keeps the queries portable to any
//! SPARQL 1.1 endpoint).
pub mod card;
pub mod check;
pub mod diff;
pub mod export;
pub mod request;
pub mod shacl;

use crate::model::error::{Error, Result};
use crate::query::{Solutions, Sparql, named, term_text};
pub use request::{
    CheckRequest, CoverageRequest, Diff, DiffRequest, MapRequest, PathRequest, SearchRequest,
};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};

fn s(sol: &Solutions, row: usize, var: &str) -> Option<String> {
    sol.get(row, var).map(term_text)
}

fn args(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// One thing an element maps to.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct MapAnswer {
    pub element: String,
    pub target: String,
    pub target_iri: String,
    pub target_scheme: Option<String>,
    pub target_title: Option<String>,
    pub relationship: String,
    pub status: String,
    pub set: String,
    pub how: String,
    pub via: Option<String>,
    pub flags: Vec<String>,
    pub mapping: String,
    /// Filled by `explain`: one line per hop.
    pub explanation: Vec<String>,
    /// A suggested mapping's score (`crosswalk suggest`), shown with `--include-suggested`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confidence: Option<f64>,
    /// The mapping set's IRI (the label above is for people).
    #[serde(skip)]
    pub set_iri: String,
}

/// The mapping sets `crosswalk suggest` made (document status `cw:Suggested`): their mappings
/// are machine guesses, left out of `map`, `coverage`, `gaps` and `path` unless asked for.
#[derive(Debug, Default)]
pub struct SuggestedSets {
    pub iris: HashSet<String>,
    pub schemes: HashSet<String>,
    pub labels: HashSet<String>,
}

impl SuggestedSets {
    /// The suggested sets loaded now.
    pub fn loaded(on: &dyn Sparql) -> Result<Self> {
        // Inline, not in queries/: on a store without suggestions it has no rows.
        const SETS: &str = "PREFIX cw: <https://w3id.org/crosswalk/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?set ?setScheme ?setLabel WHERE {
  ?set cw:documentStatus cw:Suggested ; cw:scheme ?setScheme ; rdfs:label ?setLabel .
}";
        let sol = on.select(SETS, &[])?;
        let mut out = SuggestedSets::default();
        for r in 0..sol.rows.len() {
            out.iris.extend(s(&sol, r, "set"));
            out.schemes.extend(s(&sol, r, "setScheme"));
            out.labels.extend(s(&sol, r, "setLabel"));
        }
        Ok(out)
    }

    /// The sets to leave out: none when suggestions are asked for, or when the request names
    /// a suggested set itself (`--set suggest-ai-rmf-csf` asks for exactly those).
    fn hidden(on: &dyn Sparql, include: bool, set: Option<&str>) -> Result<Self> {
        if include {
            return Ok(Self::default());
        }
        let all = Self::loaded(on)?;
        Ok(match set {
            Some(s) if all.schemes.contains(s) => Self::default(),
            _ => all,
        })
    }
}

/// Everything `id` maps to (optionally only into `to` / from `set`), sorted by set then target.
pub fn map(
    on: &dyn Sparql,
    id: &str,
    to: Option<&str>,
    set: Option<&str>,
    explain: bool,
) -> Result<Vec<MapAnswer>> {
    map_with(on, id, to, set, explain, false)
}

/// [`map`], plus (when `rollup`) what the element reaches by parent/child roll-up of its
/// asserted mappings (`how` = `rollup-up` / `rollup-down`; opt-in, never by default).
pub fn map_with(
    on: &dyn Sparql,
    id: &str,
    to: Option<&str>,
    set: Option<&str>,
    explain: bool,
    rollup: bool,
) -> Result<Vec<MapAnswer>> {
    map_opts(on, id, to, set, explain, rollup, false)
}

/// [`map_with`]; `include_suggested` also answers with the mappings of suggested sets
/// (`crosswalk suggest`), each with its score.
pub fn map_opts(
    on: &dyn Sparql,
    id: &str,
    to: Option<&str>,
    set: Option<&str>,
    explain: bool,
    rollup: bool,
    include_suggested: bool,
) -> Result<Vec<MapAnswer>> {
    // Every name checked first (crate::query::names): a mistyped scheme or set is an error with the
    // closest names, never an empty list that reads as "maps to nothing".
    let names = on.names()?;
    let to = match to.filter(|t| *t != "*") {
        Some(t) => Some(names.scheme(t)?.name.clone()),
        None => None,
    };
    let set = names.set_or_any(set)?;
    let (to, set) = (to.as_deref(), set.as_deref());
    let a = args(&[
        ("key", id),
        ("toScheme", to.unwrap_or("*")),
        ("setScheme", set.unwrap_or("*")),
    ]);
    let mut out: Vec<MapAnswer> = Vec::new();
    let mut index: HashMap<(String, String), usize> = HashMap::new();
    // Asserted + inverse, then two-hop compositions (records of their hops, queried apart so
    // the one-pattern lookup stays one pattern) when the element starts any — a 30 µs check
    // that spares nearly every lookup a query Oxigraph takes ~0.4 ms to prepare — then
    // roll-ups when asked for.
    let composes = !named("composes")?
        .run(on, &args(&[("key", id)]))?
        .rows
        .is_empty();
    let mut queries = vec!["crosswalk"];
    if composes {
        queries.push("crosswalk-via");
    }
    if rollup {
        queries.push("crosswalk-rollup");
    }
    for q in queries {
        let sol = named(q)?.run(on, &a)?;
        collect_answers(&sol, &mut out, &mut index);
    }
    let suggested = SuggestedSets::loaded(on)?;
    if include_suggested || set.is_some_and(|s| suggested.schemes.contains(s)) {
        scores(on, &mut out, &suggested.iris)?;
    } else {
        out.retain(|a| !suggested.iris.contains(&a.set_iri));
    }
    if explain {
        let mappings: Vec<&str> = out.iter().map(|a| a.mapping.as_str()).collect();
        let lines = explain_mappings(on, &mappings)?;
        for a in &mut out {
            a.explanation = lines.get(&a.mapping).cloned().unwrap_or_default();
        }
    }
    out.sort_by(|a, b| (&a.set, &a.how, &a.target).cmp(&(&b.set, &b.how, &b.target)));
    if out.is_empty() {
        // No answer: an unknown id is an error (with the closest ids); a known one simply has
        // no mapping in this selection.
        crate::query::names::element_key(on, id)?;
    }
    Ok(out)
}

/// The score of each answer from a suggested set (`sets`; an inverse: its basis's).
fn scores(on: &dyn Sparql, out: &mut [MapAnswer], sets: &HashSet<String>) -> Result<()> {
    const SCORES: &str = "PREFIX cw: <https://w3id.org/crosswalk/ontology#>
SELECT ?mapping ?confidence WHERE { ?mapping cw:basis/cw:confidence ?confidence }";
    let terms: Vec<oxigraph::model::Term> = out
        .iter()
        .filter(|a| sets.contains(&a.set_iri))
        .map(|a| crate::query::bind_value(crate::query::Kind::Iri, &a.mapping))
        .collect::<Result<_>>()?;
    if terms.is_empty() {
        return Ok(());
    }
    let sol = on.select(
        &crate::model::sparql_text::with_value_rows(SCORES, "mapping", &terms)?,
        &[],
    )?;
    let mut by = HashMap::new();
    for r in 0..sol.rows.len() {
        if let (Some(m), Some(c)) = (s(&sol, r, "mapping"), s(&sol, r, "confidence")) {
            by.insert(m, c.parse::<f64>().ok());
        }
    }
    for a in out.iter_mut().filter(|a| sets.contains(&a.set_iri)) {
        if let Some(c) = by.get(&a.mapping) {
            a.confidence = *c;
        }
    }
    Ok(())
}

/// Rows of `crosswalk` / `crosswalk-rollup` into answers, one per (mapping, set), flags merged.
fn collect_answers(
    sol: &Solutions,
    out: &mut Vec<MapAnswer>,
    index: &mut HashMap<(String, String), usize>,
) {
    for r in 0..sol.rows.len() {
        let mapping = s(sol, r, "mapping").unwrap_or_default();
        let set_label = s(sol, r, "setLabel").unwrap_or_default();
        let key = (mapping.clone(), set_label.clone());
        if let Some(&i) = index.get(&key) {
            if let Some(f) = s(sol, r, "flag")
                && !out[i].flags.contains(&f)
            {
                out[i].flags.push(f);
            }
            continue;
        }
        index.insert(key, out.len());
        out.push(MapAnswer {
            element: s(sol, r, "notation").unwrap_or_default(),
            target: s(sol, r, "targetNotation").unwrap_or_default(),
            target_iri: s(sol, r, "target").unwrap_or_default(),
            target_scheme: s(sol, r, "targetScheme"),
            target_title: s(sol, r, "targetTitle"),
            relationship: s(sol, r, "relationship").unwrap_or_default(),
            status: s(sol, r, "status").unwrap_or_default(),
            set: set_label,
            how: s(sol, r, "how").unwrap_or_default(),
            via: s(sol, r, "viaNotation"),
            flags: s(sol, r, "flag").into_iter().collect(),
            mapping,
            explanation: Vec::new(),
            confidence: None,
            set_iri: s(sol, r, "set").unwrap_or_default(),
        });
    }
}

/// One line per hop: how a mapping was reached, with every hop's mapping set.
pub fn explain_mapping(on: &dyn Sparql, mapping: &str) -> Result<Vec<String>> {
    let sol = named("mapping-explain")?.run(on, &args(&[("mapping", mapping)]))?;
    Ok(explanation_lines(&sol).remove(mapping).unwrap_or_default())
}

/// [`explain_mapping`] for many mappings at once: one `mapping-explain` query with a
/// `VALUES` row per mapping (a query per answer cost a lookup over all sets ~100 queries),
/// grouped by mapping here. Mappings without a row are absent.
pub fn explain_mappings(
    on: &dyn Sparql,
    mappings: &[&str],
) -> Result<HashMap<String, Vec<String>>> {
    // Bounded query text (and VALUES block) however many answers a lookup has.
    const CHUNK: usize = 500;
    let text = named("mapping-explain")?.text;
    let mut terms: Vec<oxigraph::model::Term> = Vec::new();
    let mut seen = HashSet::new();
    for m in mappings {
        if seen.insert(*m) {
            terms.push(crate::query::bind_value(crate::query::Kind::Iri, m)?);
        }
    }
    let mut out = HashMap::new();
    for chunk in terms.chunks(CHUNK) {
        let sol = on.select(
            &crate::model::sparql_text::with_value_rows(text, "mapping", chunk)?,
            &[],
        )?;
        out.extend(explanation_lines(&sol));
    }
    Ok(out)
}

/// `mapping-explain` rows as lines per mapping, each mapping's in row (step) order.
fn explanation_lines(sol: &Solutions) -> HashMap<String, Vec<String>> {
    let mut by: HashMap<String, Vec<String>> = HashMap::new();
    for r in 0..sol.rows.len() {
        let step = s(sol, r, "step").unwrap_or_default();
        let hop = format!(
            "{} {} {} [set: {}{}]",
            s(sol, r, "subjectNotation").unwrap_or_default(),
            s(sol, r, "relationship").unwrap_or_default(),
            s(sol, r, "objectNotation").unwrap_or_default(),
            s(sol, r, "setLabel").unwrap_or_default(),
            s(sol, r, "location")
                .map(|l| format!(", {l}"))
                .unwrap_or_default(),
        );
        let rule = s(sol, r, "rule");
        let kind = s(sol, r, "kind").unwrap_or_default();
        by.entry(s(sol, r, "mapping").unwrap_or_default())
            .or_default()
            .push(match (kind.as_str(), rule.as_deref()) {
                ("direct", _) => format!("direct: {hop}"),
                ("inverse", _) => format!("inverse of: {hop}"),
                (_, Some(rule)) => format!("hop {step} ({rule}): {hop}"),
                (_, None) => format!("hop {step}: {hop}"),
            });
    }
    by
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CoverageRow {
    pub focal: String,
    pub covered: bool,
    /// Covering elements (in the baseline, when one is given).
    pub covered_by: Vec<String>,
    /// Mapped elements outside the baseline (e.g. PM controls, which no SP 800-53B baseline selects).
    pub mapped_outside_baseline: Vec<String>,
    /// With `--include-suggested`: the elements above that only suggested mappings give.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub suggested: Vec<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Coverage {
    pub from: String,
    pub to: String,
    pub set: Option<String>,
    pub baseline: Option<String>,
    pub rows: Vec<CoverageRow>,
    pub covered: usize,
    pub total: usize,
    pub percent: f64,
    /// Focal elements whose only mappings point outside the baseline to PM-family controls.
    pub only_pm: Vec<String>,
    pub notes: Vec<String>,
}

/// Coverage of the active unit elements of `from` by elements of `to` (in `baseline` if given),
/// optionally restricted to focal elements listed in `only`.
pub fn coverage(
    on: &dyn Sparql,
    from: &str,
    to: &str,
    set: Option<&str>,
    baseline: Option<&str>,
    only: Option<&HashSet<String>>,
) -> Result<Coverage> {
    coverage_with(on, from, to, set, baseline, only, false)
}

/// [`coverage`], where `rollup` also counts elements reached by parent/child roll-up of the
/// focal elements' mappings (family/category-level mapping → members; enhancement → control).
pub fn coverage_with(
    on: &dyn Sparql,
    from: &str,
    to: &str,
    set: Option<&str>,
    baseline: Option<&str>,
    only: Option<&HashSet<String>>,
    rollup: bool,
) -> Result<Coverage> {
    coverage_opts(on, from, to, set, baseline, only, rollup, false)
}

/// [`coverage_with`]; `include_suggested` also counts the mappings of suggested sets.
#[allow(clippy::too_many_arguments)]
pub fn coverage_opts(
    on: &dyn Sparql,
    from: &str,
    to: &str,
    set: Option<&str>,
    baseline: Option<&str>,
    only: Option<&HashSet<String>>,
    rollup: bool,
    include_suggested: bool,
) -> Result<Coverage> {
    // Every name checked and spelled canonically (`moderate` → `MODERATE`): an unknown one is
    // an error, never a silent 0 %.
    let names = on.names()?;
    let from = names.scheme(from)?.name.clone();
    let to = names.scheme(to)?.name.clone();
    let set = names.set_or_any(set)?;
    let baseline = match baseline.filter(|b| *b != "*") {
        Some(b) => Some(names.baseline(b)?.name.clone()),
        None => None,
    };
    let (from, to, set, baseline) = (
        from.as_str(),
        to.as_str(),
        set.as_deref(),
        baseline.as_deref(),
    );
    let a = args(&[
        ("fromScheme", from),
        ("toScheme", to),
        ("setScheme", set.unwrap_or("*")),
        ("baseline", baseline.unwrap_or("*")),
    ]);
    // Unordered: the rows are grouped and sorted below.
    let units = named("focal-units")?
        .unordered()
        .run(on, &args(&[("fromScheme", from)]))?;
    let mut sols = vec![units, named("coverage")?.unordered().run(on, &a)?];
    if rollup {
        sols.push(named("coverage-rollup")?.unordered().run(on, &a)?);
    }
    let only_suggested = suggested_rows(on, include_suggested, set, &mut sols)?;
    // Covering and outside-baseline targets per row as sets: a user's set can map a focal
    // element to a thousand targets, and a list's `contains` made that quadratic.
    type Targets = (
        std::collections::BTreeSet<String>,
        std::collections::BTreeSet<String>,
    );
    let mut by: BTreeMap<(String, String), (CoverageRow, Targets)> = BTreeMap::new();
    for sol in &sols {
        for r in 0..sol.rows.len() {
            let focal = s(sol, r, "focalNotation").unwrap_or_default();
            if only.is_some_and(|o| !o.contains(&focal)) {
                continue;
            }
            let sort = s(sol, r, "sort").unwrap_or_else(|| focal.clone());
            let (_, (covering, outside)) = by.entry((sort, focal.clone())).or_insert_with(|| {
                let row = CoverageRow {
                    focal,
                    covered: false,
                    covered_by: Vec::new(),
                    mapped_outside_baseline: Vec::new(),
                    suggested: Vec::new(),
                };
                (row, Default::default())
            });
            let Some(t) = s(sol, r, "targetNotation") else {
                continue;
            };
            let selected = s(sol, r, "selected").as_deref() == Some("true");
            if baseline.is_none() || selected {
                covering.insert(t);
            } else {
                outside.insert(t);
            }
        }
    }
    let rows: Vec<CoverageRow> = by
        .into_values()
        .map(|(mut r, (covering, outside))| {
            r.covered = !covering.is_empty();
            r.covered_by = covering.into_iter().collect();
            r.mapped_outside_baseline = outside.into_iter().collect();
            if let Some(t) = only_suggested.get(&r.focal) {
                r.suggested = t.iter().cloned().collect();
            }
            r
        })
        .collect();
    if rows.is_empty() && only.is_none() {
        return Err(Error::NotFound(format!(
            "no active subcategories/controls of scheme `{from}` are loaded (schemes: `crosswalk query documents`)"
        )));
    }
    let covered = rows.iter().filter(|r| r.covered).count();
    let total = rows.len();
    let only_pm: Vec<String> = rows
        .iter()
        .filter(|r| {
            !r.covered
                && !r.mapped_outside_baseline.is_empty()
                && r.mapped_outside_baseline
                    .iter()
                    .all(|t| t.starts_with("PM-"))
        })
        .map(|r| r.focal.clone())
        .collect();
    let mut notes = Vec::new();
    // An empty answer says why it is empty.
    if rows.is_empty() {
        notes.push(format!(
            "the profile selects no active {from} element with this focus area and priority"
        ));
    } else if rows
        .iter()
        .all(|r| r.covered_by.is_empty() && r.mapped_outside_baseline.is_empty())
    {
        notes.push(match set {
            Some(s) => format!("no mapping of set {s} links a {from} element to a {to} element"),
            None => format!("no loaded mapping set links a {from} element to a {to} element"),
        });
    }
    if baseline.is_some() && to == "sp800-53" {
        notes.push("SP 800-53B assigns the PM (Program Management) family to no baseline: PM controls never count as covering.".to_owned());
        if !only_pm.is_empty() {
            notes.push(format!(
                "{} focal element(s) are mapped only to PM controls: {}",
                only_pm.len(),
                only_pm.join(", ")
            ));
        }
    }
    Ok(Coverage {
        from: from.to_owned(),
        to: to.to_owned(),
        set: set.map(str::to_owned),
        baseline: baseline.map(str::to_owned),
        percent: if total == 0 {
            0.0
        } else {
            (covered as f64 * 1000.0 / total as f64).round() / 10.0
        },
        rows,
        covered,
        total,
        only_pm,
        notes,
    })
}

/// Drops the covering rows (every solution after the first, the focal units) of suggested sets
/// unless asked for; when asked, returns per focal notation the targets only suggested sets
/// give (to mark them).
fn suggested_rows(
    on: &dyn Sparql,
    include: bool,
    set: Option<&str>,
    sols: &mut [Solutions],
) -> Result<HashMap<String, std::collections::BTreeSet<String>>> {
    let mut only = HashMap::new();
    let all = SuggestedSets::loaded(on)?;
    if all.schemes.is_empty() || set.is_some_and(|s| all.schemes.contains(s)) {
        return Ok(only);
    }
    let get = |sol: &Solutions, row: &[Option<oxigraph::model::Term>], var: &str| {
        sol.column(var)
            .and_then(|c| row.get(c).cloned().flatten())
            .map(|t| term_text(&t))
    };
    let mut given: HashSet<(String, String)> = HashSet::new();
    for sol in sols.iter_mut().skip(1) {
        let mut kept = Vec::new();
        for row in std::mem::take(&mut sol.rows) {
            let suggested = get(sol, &row, "setScheme").is_some_and(|s| all.schemes.contains(&s));
            let pair = (
                get(sol, &row, "focalNotation").unwrap_or_default(),
                get(sol, &row, "targetNotation").unwrap_or_default(),
            );
            if suggested {
                if include {
                    only.entry(pair.0.clone())
                        .or_insert_with(std::collections::BTreeSet::new)
                        .insert(pair.1);
                    kept.push(row);
                }
            } else {
                given.insert(pair);
                kept.push(row);
            }
        }
        sol.rows = kept;
    }
    for (focal, targets) in only.iter_mut() {
        targets.retain(|t| !given.contains(&(focal.clone(), t.clone())));
    }
    only.retain(|_, t| !t.is_empty());
    Ok(only)
}

/// The focal elements a profile selects: a profile (`cyber-ai`, or its scheme) with a focus
/// area (any case) and, optionally, one priority (all of the profile's otherwise). Each name is
/// checked against the profiles loaded.
pub fn profile_selection(
    on: &dyn Sparql,
    profile: &str,
    focus: &str,
    priority: Option<u8>,
) -> Result<HashSet<String>> {
    let names = on.names()?;
    let p = names.profile(profile)?;
    let f = names.focus(p, focus)?.name.clone();
    let priorities: Vec<u8> = match priority {
        Some(n) => vec![names.priority(p, &n.to_string())?],
        None => names.priorities_of(p),
    };
    let mut sel = HashSet::new();
    for n in priorities {
        sel.extend(cyber_ai_selection(on, &f, n)?);
    }
    Ok(sel)
}

/// The profile subcategories with this focus area (its notation, e.g. `Secure`) and priority.
pub fn cyber_ai_selection(on: &dyn Sparql, focus: &str, priority: u8) -> Result<HashSet<String>> {
    let names = on.names()?;
    let focus = names.any_focus(focus)?.name.clone();
    let priority = names.any_priority(&priority.to_string())?;
    let sol = named("cyber-ai-priority")?.run(
        on,
        &args(&[("focus", &focus), ("priority", &priority.to_string())]),
    )?;
    Ok(sol.strings("notation").into_iter().collect())
}

/// The hops from a start to `at`, following `prev` back.
fn trace(prev: &HashMap<String, (String, Hop)>, mut at: String) -> Vec<Hop> {
    let mut hops = Vec::new();
    while let Some((p, hop)) = prev.get(&at) {
        hops.push(hop.clone());
        at = p.clone();
    }
    hops.reverse();
    hops
}

/// The longest path `path` searches for (each level is one query over the whole frontier).
pub const MAX_HOPS: usize = 8;

/// One hop of a path.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Hop {
    pub from: String,
    pub edge: String,
    pub to: String,
    pub set: Option<String>,
}

/// The shortest connection from one element to another through asserted mappings (either
/// direction) and the hierarchy, at most `max_hops` long. Bidirectional breadth-first search:
/// each step expands the smaller frontier by one level with one `neighbors` query for the
/// whole level (a query per node took ~20 s for a 4-hop path).
pub fn path(on: &dyn Sparql, from: &str, to: &str, max_hops: usize) -> Result<Option<Vec<Hop>>> {
    path_opts(on, from, to, max_hops, false)
}

/// [`path`]; `include_suggested` also walks the mappings of suggested sets.
pub fn path_opts(
    on: &dyn Sparql,
    from: &str,
    to: &str,
    max_hops: usize,
    include_suggested: bool,
) -> Result<Option<Vec<Hop>>> {
    if !(1..=MAX_HOPS).contains(&max_hops) {
        return Err(Error::Invalid(format!(
            "max hops is 1 to {MAX_HOPS}, not {max_hops}"
        )));
    }
    let resolve = |id: &str| -> Result<Vec<String>> {
        let sol = named("element")?.run(on, &args(&[("key", id)]))?;
        let mut v = sol.strings("element");
        v.dedup();
        if v.is_empty() {
            // Unknown: an error with the closest ids; known but only named by mappings:
            // there is no element to start from.
            crate::query::names::element_key(on, id)?;
            return Err(Error::NotFound(format!(
                "no loaded document defines `{id}` (it is only named by mappings: `crosswalk show {id}`)"
            )));
        }
        Ok(v)
    };
    let mut fwd = Side::new(resolve(from)?, from);
    let mut bwd = Side::new(resolve(to)?, to);
    if let Some(m) = fwd.frontier.iter().find(|e| bwd.depth.contains_key(*e)) {
        return Ok(Some(join(&fwd, &bwd, m.clone())));
    }
    let neighbors = named("neighbors")?;
    let hidden = SuggestedSets::hidden(on, include_suggested, None)?;
    // Asked for, a suggestion's hop says so: `related (suggested)`.
    let marked = if include_suggested {
        SuggestedSets::loaded(on)?.labels
    } else {
        HashSet::new()
    };
    while fwd.level + bwd.level < max_hops && !fwd.frontier.is_empty() && !bwd.frontier.is_empty() {
        let forward = fwd.frontier.len() <= bwd.frontier.len();
        let (this, other) = if forward {
            (&mut fwd, &bwd)
        } else {
            (&mut bwd, &fwd)
        };
        let terms: Vec<oxigraph::model::Term> = this
            .frontier
            .iter()
            .filter_map(|e| oxigraph::model::NamedNode::new(e.as_str()).ok())
            .map(Into::into)
            .collect();
        let mut sol = on.select(
            &crate::model::sparql_text::with_value_rows(neighbors.text, "element", &terms)?,
            &[],
        )?;
        // The first row to reach an element is its predecessor: rows in one fixed order make
        // the path the same whatever order an engine returns them in (Virtuoso's differs).
        sol.rows.sort_by_cached_key(|r| {
            r.iter()
                .map(|t| t.as_ref().map(ToString::to_string))
                .collect::<Vec<_>>()
        });
        if !hidden.labels.is_empty() {
            let col = sol.vars.iter().position(|v| v == "setLabel");
            sol.rows.retain(|row| {
                col.and_then(|c| row.get(c).cloned().flatten())
                    .is_none_or(|t| !hidden.labels.contains(&term_text(&t)))
            });
        }
        if let (false, Some(lc), Some(ec)) = (
            marked.is_empty(),
            sol.column("setLabel"),
            sol.column("edge"),
        ) {
            for row in &mut sol.rows {
                let suggested = row[lc]
                    .as_ref()
                    .is_some_and(|t| marked.contains(&term_text(t)));
                if let (true, Some(e)) = (suggested, row[ec].as_ref()) {
                    let text = format!("{} (suggested)", term_text(e));
                    row[ec] = Some(oxigraph::model::Literal::new_simple_literal(text).into());
                }
            }
        }
        let meets = this.expand(&sol, other);
        if let Some(m) = meets
            .into_iter()
            .min_by_key(|m| (fwd.depth[m] + bwd.depth[m], m.clone()))
        {
            return Ok(Some(join(&fwd, &bwd, m)));
        }
    }
    Ok(None)
}

/// One end of the bidirectional search.
struct Side {
    prev: HashMap<String, (String, Hop)>,
    depth: HashMap<String, usize>,
    notation: HashMap<String, String>,
    frontier: Vec<String>,
    level: usize,
}

impl Side {
    fn new(starts: Vec<String>, printed: &str) -> Self {
        Side {
            prev: HashMap::new(),
            depth: starts.iter().map(|s| (s.clone(), 0)).collect(),
            notation: starts
                .iter()
                .map(|s| (s.clone(), printed.to_owned()))
                .collect(),
            frontier: starts,
            level: 0,
        }
    }

    /// Takes the `neighbors` rows of the frontier as the next level; returns the newly reached
    /// elements the other side has reached too.
    fn expand(&mut self, sol: &Solutions, other: &Side) -> Vec<String> {
        let mut next = Vec::new();
        let mut meets = Vec::new();
        for r in 0..sol.rows.len() {
            let (Some(cur), Some(to)) = (s(sol, r, "element"), s(sol, r, "other")) else {
                continue;
            };
            if self.depth.contains_key(&to) {
                continue;
            }
            let Some(&d) = self.depth.get(&cur) else {
                continue;
            };
            let to_n = s(sol, r, "notation").unwrap_or_else(|| to.clone());
            let hop = Hop {
                from: self.notation.get(&cur).cloned().unwrap_or_default(),
                edge: s(sol, r, "edge").unwrap_or_default(),
                to: to_n.clone(),
                set: s(sol, r, "setLabel"),
            };
            self.notation.insert(to.clone(), to_n);
            self.depth.insert(to.clone(), d + 1);
            self.prev.insert(to.clone(), (cur, hop));
            if other.depth.contains_key(&to) {
                meets.push(to.clone());
            }
            next.push(to);
        }
        self.frontier = next;
        self.level += 1;
        meets
    }
}

/// The edge as read from its other end.
fn reverse_edge(edge: &str) -> String {
    match edge {
        "child of" => "parent of".into(),
        "parent of" => "child of".into(),
        e => match e.strip_prefix("inverse of ") {
            Some(r) => r.to_owned(),
            None => format!("inverse of {e}"),
        },
    }
}

/// The forward hops to `meet`, then the backward side's hops from `meet`, each turned around.
fn join(fwd: &Side, bwd: &Side, meet: String) -> Vec<Hop> {
    let mut hops = trace(&fwd.prev, meet.clone());
    let mut at = meet;
    while let Some((p, hop)) = bwd.prev.get(&at) {
        hops.push(Hop {
            from: hop.to.clone(),
            edge: reverse_edge(&hop.edge),
            to: hop.from.clone(),
            set: hop.set.clone(),
        });
        at = p.clone();
    }
    hops
}
