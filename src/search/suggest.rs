//! `crosswalk suggest`: candidate mappings from one scheme's unit elements to another's, found
//! by lexical matching (BM25 over the elements' own text, the search index's fields), written as
//! a mapping set of status `suggested` through the same road as a user's file (an SSSOM sheet →
//! `load::user_set`, its own named graph). Each mapping records its score (`cw:confidence`),
//! the SSSOM justification `semapv:LexicalMatching`, the features it matched in, the shared
//! words and the tool's version. Mappings are never features: a pair a loaded, reviewed set
//! already asserts is skipped as no news, and `--exclude-set` names sets to treat as unseen
//! (the evaluation against OLIR excludes the ground truth that way).
use super::{Index, tokens};
use crate::load::user_set;
use crate::model::error::{Error, Result};
use crate::query::{Sparql, named, term_text};
use crate::source::manifest::DocStatus;
use crate::store::Db;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};

const K1: f64 = 1.2;
const B: f64 = 0.75;

/// The text an element is compared by: each a group of the search index's fields (and a
/// CSF subcategory's implementation examples, themselves indexed elements). Profile,
/// overlay and GenAI text (considerations, tailoring) is never used: it belongs to other
/// documents, which may restate their own references.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, clap::ValueEnum, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Feature {
    /// The element's title and its family's / category's title.
    Title,
    /// The statement (a control's requirement, a subcategory's outcome).
    Statement,
    /// Discussion / guidance.
    Guidance,
    /// The AI RMF Playbook: about, suggested actions, transparency questions.
    Playbook,
    /// CSF 2.0 implementation examples of the element being matched (the `--from` side only:
    /// measured there; on the candidate side their length drowns the statement).
    Examples,
    /// The target catalog's structure: an enhancement's match counts for its control, and
    /// enhancements weigh less than controls (publishers map to controls: 18 of OLIR's 746
    /// pairs name an enhancement).
    Structure,
}

impl Feature {
    fn of_field(field: &str) -> Option<Feature> {
        Some(match field {
            "title" | "parent" => Feature::Title,
            "statement" => Feature::Statement,
            "guidance" => Feature::Guidance,
            "about" | "actions" | "questions" => Feature::Playbook,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Feature::Title => "title",
            Feature::Statement => "statement",
            Feature::Guidance => "guidance",
            Feature::Playbook => "playbook",
            Feature::Structure => "structure",
            Feature::Examples => "examples",
        }
    }

    /// Title words count twice (a title says what the element is about).
    /// Title words count twice (a title says what the element is about); guidance (SP 800-53's
    /// discussion) 0.3: it helps find more of the right controls but, at full weight, its
    /// many side topics push the best one down (BENCHMARKS.md).
    fn weight(self) -> f64 {
        match self {
            Feature::Title => 2.0,
            Feature::Guidance => 0.3,
            _ => 1.0,
        }
    }
}

/// Every feature: the default.
pub const ALL_FEATURES: [Feature; 6] = [
    Feature::Title,
    Feature::Statement,
    Feature::Guidance,
    Feature::Playbook,
    Feature::Examples,
    Feature::Structure,
];

/// [`Feature::Structure`]: an enhancement's score, times this, is its control's when higher…
const LIFT: f64 = 0.8;
/// …and an enhancement's own score is multiplied by this.
const ENHANCEMENT: f64 = 0.3;

/// `suggest --from S --to S`.
#[derive(Debug, Clone, clap::Args)]
pub struct SuggestRequest {
    /// Scheme whose unit elements get candidates (e.g. ai-rmf, csf).
    #[arg(long)]
    pub from: String,
    /// Scheme the candidates are drawn from (e.g. csf, sp800-53).
    #[arg(long)]
    pub to: String,
    /// At most this many candidates per element.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u16).range(1..=100))]
    pub top: u16,
    /// Only candidates scoring at least this (0 to 1).
    #[arg(long, default_value_t = 0.0)]
    pub min_score: f64,
    /// Name (scheme) of the set written; default `suggest-FROM-TO`. Suggesting again under
    /// the same name replaces that earlier suggestion; the name of any other loaded set (a
    /// published one, a reviewed one) is refused.
    #[arg(long)]
    pub set_name: Option<String>,
    /// Mapping sets to treat as unseen (repeatable): their pairs are not skipped as already
    /// mapped. Mappings are never scoring features.
    #[arg(long = "exclude-set")]
    pub exclude_sets: Vec<String>,
    /// The text compared (repeatable; default: all). `--feature title` is the titles-only
    /// baseline of BENCHMARKS.md.
    #[arg(long = "feature", value_enum)]
    pub features: Vec<Feature>,
    /// Print the candidates only; write no set (the store is opened read-only).
    #[arg(long)]
    pub dry_run: bool,
}

/// One candidate.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Candidate {
    pub subject: String,
    pub object: String,
    /// 0–1, monotone in the BM25 score.
    pub confidence: f64,
    pub score: f64,
    /// The object's features the shared words are in.
    pub fields: Vec<String>,
    /// The shared (stemmed) words that weigh most, best first.
    pub words: Vec<String>,
}

/// What `suggest` did.
#[derive(Debug, Clone, Serialize)]
pub struct Suggested {
    pub set: String,
    pub set_iri: Option<String>,
    pub from: String,
    pub to: String,
    pub subjects: usize,
    pub with_candidates: usize,
    pub candidates: Vec<Candidate>,
    /// Pairs a loaded set already asserts, not suggested again.
    pub already_mapped: usize,
}

/// The tool as SSSOM's `mapping_tool` names it.
pub const TOOL: &str = "crosswalk suggest";

/// Words too common to say anything of what an element is about.
#[rustfmt::skip]
const STOP: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "has", "have", "in", "into",
    "is", "it", "its", "of", "on", "or", "that", "the", "their", "these", "this", "those", "to",
    "which", "with", "within", "such", "other", "can", "may", "e", "g", "i", "ii", "iii", "not",
    "all", "any", "each", "also", "used", "use", "bas", "includ", "ar", "organization",
    "organizational", "defin", "assignment", "selection",
];

/// An element's weighted words under `features`: word → (weight, features it is in).
fn bag(
    index: &Index,
    d: usize,
    examples: &[usize],
    features: &[Feature],
) -> HashMap<String, (f64, Vec<Feature>)> {
    let doc = &index.docs[d];
    let mut out: HashMap<String, (f64, Vec<Feature>)> = HashMap::new();
    let mut put = |text: &str, f: Feature| {
        if !features.contains(&f) {
            return;
        }
        for w in tokens(text) {
            if STOP.contains(&w.as_str()) || w.chars().all(|c| c.is_ascii_digit()) {
                continue;
            }
            let e = out.entry(w).or_default();
            e.0 += f.weight();
            if !e.1.contains(&f) {
                e.1.push(f);
            }
        }
    };
    put(&doc.title, Feature::Title);
    put(&doc.parent, Feature::Title);
    for (field, text) in &doc.fields {
        if field == "title" {
            continue;
        }
        if let Some(f) = Feature::of_field(field) {
            put(text, f);
        }
    }
    for x in examples {
        for (_, text) in &index.docs[*x].fields {
            put(text, Feature::Examples);
        }
    }
    out
}

/// Each indexed element's implementation examples (index positions).
fn examples(on: &dyn Sparql, index: &Index) -> Result<HashMap<usize, Vec<usize>>> {
    const EXAMPLES: &str = "PREFIX cw: <https://w3id.org/crosswalk/ontology#>
SELECT ?e ?x WHERE { ?e cw:example ?x }";
    let at: HashMap<&str, usize> = index
        .docs
        .iter()
        .enumerate()
        .map(|(i, d)| (d.iri.as_str(), i))
        .collect();
    let sol = on.select(EXAMPLES, &[])?;
    let mut out: HashMap<usize, Vec<usize>> = HashMap::new();
    for r in 0..sol.rows.len() {
        let g = |v: &str| sol.get(r, v).map(term_text);
        if let (Some(e), Some(x)) = (g("e"), g("x"))
            && let (Some(&e), Some(&x)) = (at.get(e.as_str()), at.get(x.as_str()))
        {
            out.entry(e).or_default().push(x);
        }
    }
    for v in out.values_mut() {
        v.sort_unstable();
    }
    Ok(out)
}

/// The unit elements of a scheme (active subcategories, controls, enhancements), by IRI.
fn units(on: &dyn Sparql, scheme: &str) -> Result<HashSet<String>> {
    let sol = named("focal-units")?.run(on, &[("fromScheme".to_owned(), scheme.to_owned())])?;
    Ok(sol.strings("focal").into_iter().collect())
}

const PARENTS: &str = "PREFIX cw: <https://w3id.org/crosswalk/ontology#>
SELECT ?e ?p WHERE { ?e cw:unitInScheme ?scheme ; cw:parent ?p . ?p cw:unitInScheme ?scheme }";

/// Target position → its parent's position, where the parent is a target too (an
/// enhancement's control).
fn unit_parents(
    on: &dyn Sparql,
    scheme: &str,
    targets: &[usize],
    index: &Index,
) -> Result<HashMap<usize, usize>> {
    let sol = on.select(
        PARENTS,
        &[(
            "scheme",
            oxigraph::model::Literal::new_simple_literal(scheme).into(),
        )],
    )?;
    let at: HashMap<&str, usize> = targets
        .iter()
        .enumerate()
        .map(|(i, d)| (index.docs[*d].iri.as_str(), i))
        .collect();
    let mut out = HashMap::new();
    for r in 0..sol.rows.len() {
        let g = |v: &str| sol.get(r, v).map(term_text);
        if let (Some(e), Some(p)) = (g("e"), g("p"))
            && let (Some(&e), Some(&p)) = (at.get(e.as_str()), at.get(p.as_str()))
        {
            out.insert(e, p);
        }
    }
    Ok(out)
}

/// [`Feature::Structure`] on one subject's scores: each control takes its best enhancement's
/// score times [`LIFT`] when that is higher (with its words); enhancements are scaled by
/// [`ENHANCEMENT`].
fn lift(scores: &mut HashMap<usize, (f64, Parts)>, parent_of: &HashMap<usize, usize>) {
    let lifted: Vec<(usize, f64, Parts)> = scores
        .iter()
        .filter_map(|(t, (sc, parts))| parent_of.get(t).map(|p| (*p, *sc * LIFT, parts.clone())))
        .collect();
    for (p, sc, parts) in lifted {
        let e = scores.entry(p).or_default();
        if sc > e.0 {
            *e = (sc, parts);
        }
    }
    for (t, (sc, _)) in scores.iter_mut() {
        if parent_of.contains_key(t) {
            *sc *= ENHANCEMENT;
        }
    }
}

/// Pairs (subject, object IRI, either direction) that loaded sets assert, except suggested
/// sets and `excluded` (set IRIs).
fn asserted_pairs(
    on: &dyn Sparql,
    excluded: &HashSet<String>,
) -> Result<HashSet<(String, String)>> {
    const PAIRS: &str = "PREFIX cw: <https://w3id.org/crosswalk/ontology#>
SELECT ?s ?o ?set WHERE {
  # Asserted mappings only (their own basis): an inverse or composition rests on one.
  ?m cw:basis ?m ; cw:mappingSet ?set ; cw:subject ?s ; cw:object ?o .
  FILTER NOT EXISTS { ?set cw:documentStatus cw:Suggested }
}";
    let sol = on.select(PAIRS, &[])?;
    let mut out = HashSet::new();
    for r in 0..sol.rows.len() {
        let g = |v: &str| sol.get(r, v).map(term_text);
        if let (Some(s), Some(o), Some(set)) = (g("s"), g("o"), g("set"))
            && !excluded.contains(&set)
        {
            out.insert((o.clone(), s.clone()));
            out.insert((s, o));
        }
    }
    Ok(out)
}

/// Each shared word's share of a candidate's score.
type Parts = Vec<(f64, String)>;

/// Ranks candidates for every unit element of `from` among the unit elements of `to`.
pub fn candidates(on: &dyn Sparql, req: &SuggestRequest) -> Result<Suggested> {
    let names = on.names()?;
    let from = names.scheme(&req.from)?.name.clone();
    let to = names.scheme(&req.to)?.name.clone();
    if from == to {
        return Err(Error::Invalid(format!(
            "--from and --to are both `{from}`: suggest maps one scheme to another"
        )));
    }
    if !(0.0..=1.0).contains(&req.min_score) {
        return Err(Error::Invalid(format!(
            "--min-score is from 0 to 1, not {}",
            req.min_score
        )));
    }
    let mut excluded = HashSet::new();
    for s in &req.exclude_sets {
        if let Some(iri) = &names.set(s)?.iri {
            excluded.insert(iri.clone());
        }
    }
    let set = set_name(req, &from, &to)?;
    let features: Vec<Feature> = if req.features.is_empty() {
        ALL_FEATURES.to_vec()
    } else {
        req.features.clone()
    };
    let index = Index::of(on)?;
    let (from_units, to_units) = (units(on, &from)?, units(on, &to)?);
    let pick = |u: &HashSet<String>| -> Vec<usize> {
        let mut v: Vec<usize> = (0..index.docs.len())
            .filter(|d| u.contains(&index.docs[*d].iri))
            .collect();
        v.sort_by(|a, b| index.docs[*a].notation.cmp(&index.docs[*b].notation));
        v
    };
    let (subjects, targets) = (pick(&from_units), pick(&to_units));
    if subjects.is_empty() || targets.is_empty() {
        return Err(Error::NotFound(format!(
            "no unit elements with text in scheme `{}` (schemes: `crosswalk query documents`)",
            if subjects.is_empty() { &from } else { &to }
        )));
    }
    let examples = examples(on, &index)?;
    let ex = |d: usize| examples.get(&d).map_or(&[][..], Vec::as_slice);
    // The targets' BM25 statistics: term frequency per target, document frequency, length.
    let target_bags: Vec<HashMap<String, (f64, Vec<Feature>)>> = targets
        .iter()
        .map(|d| bag(&index, *d, &[], &features))
        .collect();
    let lens: Vec<f64> = target_bags
        .iter()
        .map(|b| b.values().map(|(n, _)| *n).sum())
        .collect();
    let avg = (lens.iter().sum::<f64>() / lens.len().max(1) as f64).max(1.0);
    let mut postings: HashMap<&str, Vec<usize>> = HashMap::new();
    for (t, b) in target_bags.iter().enumerate() {
        for w in b.keys() {
            postings.entry(w.as_str()).or_default().push(t);
        }
    }
    let n = targets.len() as f64;
    let idf = |df: usize| ((n - df as f64 + 0.5) / (df as f64 + 0.5) + 1.0).ln();

    let parent_of = unit_parents(on, &to, &targets, &index)?;
    let known = asserted_pairs(on, &excluded)?;
    let mut already = 0;
    // (subject, target, score, contributions)
    let mut ranked: Vec<(usize, usize, f64, Parts)> = Vec::new();
    for &s in &subjects {
        let q = bag(&index, s, ex(s), &features);
        let mut scores: HashMap<usize, (f64, Parts)> = HashMap::new();
        // In word order: float sums in a fixed order give the same scores on every run.
        let mut words: Vec<(&String, &(f64, Vec<Feature>))> = q.iter().collect();
        words.sort_by(|a, b| a.0.cmp(b.0));
        for (w, (qtf, _)) in words {
            let Some(post) = postings.get(w.as_str()) else {
                continue;
            };
            let (i, qw) = (idf(post.len()), 1.0 + qtf.max(1.0).ln());
            for &t in post {
                let tf = target_bags[t][w].0;
                let part = qw * i * tf * (K1 + 1.0) / (tf + K1 * (1.0 - B + B * lens[t] / avg));
                let e = scores.entry(t).or_default();
                e.0 += part;
                e.1.push((part, w.clone()));
            }
        }
        if features.contains(&Feature::Structure) {
            lift(&mut scores, &parent_of);
        }
        let mut v: Vec<(usize, (f64, Parts))> = scores.into_iter().collect();
        v.sort_by(|a, b| {
            b.1.0.total_cmp(&a.1.0).then_with(|| {
                index.docs[targets[a.0]]
                    .notation
                    .cmp(&index.docs[targets[b.0]].notation)
            })
        });
        let mut kept = 0;
        for (t, (score, parts)) in v {
            if kept == usize::from(req.top) {
                break;
            }
            if known.contains(&(
                index.docs[s].iri.clone(),
                index.docs[targets[t]].iri.clone(),
            )) {
                already += 1;
                continue;
            }
            ranked.push((s, t, score, parts));
            kept += 1;
        }
    }
    // Scores into 0–1: 1 − e^(−score / mean best score), so a typical best candidate is ~0.63
    // whatever the schemes' text lengths.
    let mut best: HashMap<usize, f64> = HashMap::new();
    for (s, _, score, _) in &ranked {
        let b = best.entry(*s).or_default();
        *b = b.max(*score);
    }
    let scale = (best.values().sum::<f64>() / best.len().max(1) as f64).max(f64::MIN_POSITIVE);
    let mut out = Vec::new();
    for (s, t, score, mut parts) in ranked {
        let confidence = ((1.0 - (-score / scale).exp()) * 1000.0).round() / 1000.0;
        if confidence < req.min_score {
            continue;
        }
        parts.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        let words: Vec<String> = parts.into_iter().take(6).map(|(_, w)| w).collect();
        let tb = &target_bags[t];
        let mut fields: Vec<Feature> = words
            .iter()
            // A word the control's own text lacks came from an enhancement (Structure).
            .flat_map(|w| {
                tb.get(w)
                    .map(|(_, f)| f.clone())
                    .unwrap_or_else(|| vec![Feature::Structure])
            })
            .collect();
        fields.sort();
        fields.dedup();
        out.push(Candidate {
            subject: index.docs[s].notation.clone(),
            object: index.docs[targets[t]].notation.clone(),
            confidence,
            score: (score * 1000.0).round() / 1000.0,
            fields: fields.iter().map(|f| f.name().to_owned()).collect(),
            words,
        });
    }
    let with: HashSet<&str> = out.iter().map(|c| c.subject.as_str()).collect();
    Ok(Suggested {
        set,
        set_iri: None,
        from,
        to,
        subjects: subjects.len(),
        with_candidates: with.len(),
        already_mapped: already,
        candidates: out,
    })
}

/// The set's name: given (letters, digits, `-`) or `suggest-FROM-TO`; a name a published set
/// already has is refused (suggestions never replace NIST's sets).
fn set_name(req: &SuggestRequest, from: &str, to: &str) -> Result<String> {
    let name = req
        .set_name
        .clone()
        .unwrap_or_else(|| format!("suggest-{from}-{to}"));
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(Error::Invalid(format!(
            "--set-name `{name}`: use letters, digits, `-` and `_`"
        )));
    }
    Ok(name)
}

/// The candidates as an SSSOM sheet (`load --mapping` reads it back).
pub fn sheet(on: &dyn Sparql, s: &Suggested) -> Result<String> {
    let doc = |scheme: &str| user_set::doc_by_scheme(on, scheme);
    let yaml = |v: &str| serde_json::to_string(v).unwrap_or_default();
    let mut out = String::new();
    out.push_str("# curie_map:\n");
    out.push_str("#   semapv: https://w3id.org/semapv/vocab/\n");
    out.push_str("#   skos: http://www.w3.org/2004/02/skos/core#\n");
    out.push_str(&format!(
        "# mapping_set_title: {}\n",
        yaml(&format!(
            "{} → {} candidates (crosswalk suggest, not reviewed)",
            s.from, s.to
        ))
    ));
    out.push_str(&format!(
        "# mapping_set_version: {}\n",
        yaml(env!("CARGO_PKG_VERSION"))
    ));
    out.push_str(&format!("# creator_label: [{}]\n", yaml(TOOL)));
    out.push_str(&format!("# subject_source: {}\n", yaml(&doc(&s.from)?)));
    out.push_str(&format!("# object_source: {}\n", yaml(&doc(&s.to)?)));
    out.push_str(
        "subject_id\tsubject_label\tpredicate_id\tobject_id\tobject_label\tmapping_justification\tconfidence\tmapping_tool\tmapping_tool_version\tobject_match_field\tmatch_string\n",
    );
    let clean = |v: &str| v.replace(['\t', '\n', '\r'], " ");
    for c in &s.candidates {
        let row = [
            format!("{}:{}", s.from, clean(&c.subject)),
            clean(&c.subject),
            "skos:relatedMatch".to_owned(),
            format!("{}:{}", s.to, clean(&c.object)),
            clean(&c.object),
            "semapv:LexicalMatching".to_owned(),
            c.confidence.to_string(),
            TOOL.to_owned(),
            env!("CARGO_PKG_VERSION").to_owned(),
            c.fields.join("|"),
            c.words.join(" "),
        ];
        out.push_str(&row.join("\t"));
        out.push('\n');
    }
    Ok(out)
}

/// Ranks the candidates and writes them as the mapping set `suggest-FROM-TO` (or
/// `--set-name`), document status `suggested`, replacing an earlier one of that name.
pub fn suggest(db: &Db, req: &SuggestRequest) -> Result<Suggested> {
    let mut s = candidates(db, req)?;
    // Only an earlier suggestion is replaced: a published set, or a user's (a reviewed
    // suggestion included), is not ours to overwrite.
    if let Ok(existing) = db.names()?.set(&s.set)
        && let Some(iri) = existing.iri.as_deref()
    {
        let iri = oxigraph::model::NamedNode::new(iri)
            .map_err(|e| Error::Internal(format!("set IRI {iri}: {e}")))?;
        let suggested = !db
            .select(
                "PREFIX cw: <https://w3id.org/crosswalk/ontology#>
SELECT ?set WHERE { ?set cw:documentStatus cw:Suggested }",
                &[("set", iri.into())],
            )?
            .rows
            .is_empty();
        if !suggested {
            return Err(Error::Invalid(format!(
                "--set-name `{}` names a loaded set that is not a suggestion (it would be replaced); choose another",
                s.set
            )));
        }
    }
    let text = sheet(db, &s)?;
    // One scratch directory per call: two suggestions in one process (a server, the tests)
    // never share a file.
    static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "crosswalk-suggest-{}-{}-{}",
        std::process::id(),
        CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
        s.set
    ));
    std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
    let file = dir.join(format!("{}.sssom.tsv", s.set));
    let written = std::fs::write(&file, text).map_err(|e| Error::io(&file, e));
    let loaded = written.and_then(|()| {
        user_set::load(
            db,
            &user_set::Spec {
                file: file.clone(),
                name: Some(s.set.clone()),
                focal: s.from.clone(),
                reference: s.to.clone(),
                reference_version: None,
                status: DocStatus::Suggested,
            },
        )
    });
    let _ = std::fs::remove_dir_all(&dir);
    s.set_iri = Some(loaded?.0);
    Ok(s)
}

/// Candidates per subject, best first (for reports).
pub fn by_subject(s: &Suggested) -> BTreeMap<&str, Vec<&Candidate>> {
    let mut out: BTreeMap<&str, Vec<&Candidate>> = BTreeMap::new();
    for c in &s.candidates {
        out.entry(c.subject.as_str()).or_default().push(c);
    }
    out
}
