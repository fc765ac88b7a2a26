//! One typed request per answer, shared by the CLI (clap `Args`) and the HTTP API (serde, from
//! the query string), and validated once, here: whatever the front end, the same request means
//! the same answer or the same error. Names (schemes, sets, baselines, …) are checked by the
//! answer itself against the store (`query::names`).
use super::card;
use super::{Coverage, Hop, MAX_HOPS, MapAnswer};
use crate::model::error::{Error, Result};
use crate::query::Sparql;
use serde::{Deserialize, Deserializer};

/// `map ID`: everything an element maps to, grouped by mapping set.
#[derive(Debug, Clone, Default, clap::Args, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MapRequest {
    /// The element id (any spelling of its notation: `AC-2(1)`, `ac-02.01`).
    #[serde(skip)]
    pub id: String,
    /// Only elements of this scheme on the other side (csf, sp800-53, ai-rmf, mitre-atlas, …).
    #[arg(long)]
    #[serde(default, deserialize_with = "text")]
    pub to: Option<String>,
    /// Only mappings from this mapping set (its scheme; see `crosswalk query mapping-sets`).
    #[arg(long)]
    #[serde(default, deserialize_with = "text")]
    pub set: Option<String>,
    /// Show how each answer was reached (direct, inverse, path), with every hop's mapping set.
    #[arg(long)]
    #[serde(default, deserialize_with = "flag")]
    pub explain: bool,
    /// Also what the element reaches by parent/child roll-up of its mappings (a mapping to
    /// AC-2(1) reaches AC-2; a family-level mapping to CP reaches every active CP control).
    #[arg(long)]
    #[serde(default, deserialize_with = "flag")]
    pub rollup: bool,
    /// Also the mappings of suggested sets (`crosswalk suggest`): machine candidates, marked
    /// `suggested` with their score; left out otherwise.
    #[arg(long)]
    #[serde(default, deserialize_with = "flag")]
    pub include_suggested: bool,
}

impl MapRequest {
    /// The answers; an unknown id is an error (not an empty list), a known one without
    /// mappings an empty list.
    pub fn answer(&self, on: &dyn Sparql) -> Result<Vec<MapAnswer>> {
        let answers = super::map_opts(
            on,
            &self.id,
            self.to.as_deref(),
            self.set.as_deref(),
            self.explain,
            self.rollup,
            self.include_suggested,
        )?;
        if answers.is_empty() {
            card::cards(on, &self.id)?;
        }
        Ok(answers)
    }
}

/// `coverage` / `gaps`: which focal elements a target scheme covers.
#[derive(Debug, Clone, Default, clap::Args, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CoverageRequest {
    /// Focal scheme (e.g. csf).
    #[arg(long)]
    #[serde(deserialize_with = "required")]
    pub from: String,
    /// Target scheme (e.g. sp800-53).
    #[arg(long)]
    #[serde(deserialize_with = "required")]
    pub to: String,
    /// Only mappings from this mapping set (its scheme, e.g. olir-186).
    #[arg(long)]
    #[serde(default, deserialize_with = "text")]
    pub set: Option<String>,
    /// Count only target elements selected by this baseline (LOW, MODERATE, HIGH, PRIVACY).
    #[arg(long)]
    #[serde(default, deserialize_with = "text")]
    pub baseline: Option<String>,
    /// Restrict the focal elements to a profile's selection (cyber-ai).
    #[arg(long, requires = "focus")]
    #[serde(default, deserialize_with = "text")]
    pub profile: Option<String>,
    /// Cyber AI Profile focus area: secure, defend or thwart.
    #[arg(long, requires = "profile")]
    #[serde(default, deserialize_with = "text")]
    pub focus: Option<String>,
    /// Also count elements reached by parent/child roll-up (family/category-level mappings
    /// cover the family's/category's members; enhancement mappings cover their control).
    #[arg(long)]
    #[serde(default, deserialize_with = "flag")]
    pub rollup: bool,
    /// Cyber AI Profile priority: 1 High, 2 Moderate, 3 Foundational.
    #[arg(long, requires = "focus", value_parser = clap::value_parser!(u8).range(1..=3))]
    #[serde(default, deserialize_with = "priority")]
    pub priority: Option<u8>,
    /// Also the mappings of suggested sets (`crosswalk suggest`): machine candidates, marked
    /// `suggested` with their score; left out otherwise.
    #[arg(long)]
    #[serde(default, deserialize_with = "flag")]
    pub include_suggested: bool,
}

impl CoverageRequest {
    /// What the request may not combine, whatever the front end let through.
    pub fn validate(&self) -> Result<()> {
        if let Some(p) = self.priority
            && !(1..=3).contains(&p)
        {
            return Err(Error::Invalid(format!(
                "`priority` is an integer from 1 to 3, not `{p}`"
            )));
        }
        if self.priority.is_some() && self.focus.is_none() {
            return Err(Error::Invalid(
                "`priority` needs `profile` and `focus`".into(),
            ));
        }
        if self.profile.is_some() != self.focus.is_some() {
            return Err(Error::Invalid("`profile` and `focus` go together".into()));
        }
        Ok(())
    }

    /// The coverage answer (every focal element, covered or not).
    pub fn answer(&self, on: &dyn Sparql) -> Result<Coverage> {
        self.validate()?;
        let only = match (&self.profile, &self.focus) {
            (Some(p), Some(f)) => Some(super::profile_selection(on, p, f, self.priority)?),
            _ => None,
        };
        super::coverage_opts(
            on,
            &self.from,
            &self.to,
            self.set.as_deref(),
            self.baseline.as_deref(),
            only.as_ref(),
            self.rollup,
            self.include_suggested,
        )
    }

    /// The `gaps` answer: the coverage answer without its covered rows.
    pub fn gaps(&self, on: &dyn Sparql) -> Result<Coverage> {
        let mut cov = self.answer(on)?;
        cov.rows.retain(|r| !r.covered);
        Ok(cov)
    }
}

/// `path FROM TO`: how two elements connect.
#[derive(Debug, Clone, clap::Args, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PathRequest {
    #[serde(deserialize_with = "required")]
    pub from: String,
    #[serde(deserialize_with = "required")]
    pub to: String,
    /// At most this many hops (1 to 8).
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u8).range(1..=MAX_HOPS as i64))]
    #[serde(default = "four", deserialize_with = "hops")]
    pub max_hops: u8,
    /// Also the mappings of suggested sets (`crosswalk suggest`): machine candidates, marked
    /// `suggested` with their score; left out otherwise.
    #[arg(long)]
    #[serde(default, deserialize_with = "flag")]
    pub include_suggested: bool,
}

fn four() -> u8 {
    4
}

impl PathRequest {
    /// The hops of a shortest path; none within `max_hops` is a not-found error.
    pub fn answer(&self, on: &dyn Sparql) -> Result<Vec<Hop>> {
        let max = usize::from(self.max_hops);
        super::path_opts(on, &self.from, &self.to, max, self.include_suggested)?.ok_or_else(|| {
            Error::NotFound(format!(
                "no path from {} to {} within {max} hops",
                self.from, self.to
            ))
        })
    }
}

/// `diff --set OLD --set NEW`: what changed between two mapping sets; `diff --doc OLD --doc
/// NEW`: between two releases of a document (`--doc` once: what that release withdrew). (The
/// HTTP API reads the same repeated `set` / `doc` parameters from the query string.)
#[derive(Debug, Clone, Default, clap::Args)]
pub struct DiffRequest {
    /// The two mapping sets, old then new, by scheme (see `crosswalk query mapping-sets`).
    #[arg(
        long = "set",
        num_args = 1,
        value_name = "SET",
        required_unless_present = "docs",
        conflicts_with = "docs"
    )]
    pub sets: Vec<String>,
    /// Two releases of a document, old then new: a document's scheme, release id
    /// (sp800-53r5/5.0.1, csf/2.0), label or IRI (see `crosswalk query documents`), or an
    /// OSCAL catalog file (.json). Given once: what that release withdrew from the one before.
    #[arg(long = "doc", num_args = 1, value_name = "DOC")]
    pub docs: Vec<String>,
    /// With --doc: compare only the elements both releases carry (a resolved baseline
    /// catalog carries only its baseline's controls); the others are counted, not listed.
    #[arg(long, requires = "docs")]
    pub carried: bool,
    /// Whether a `--doc` may be a file (the CLI); the HTTP API compares only documents in the
    /// store.
    #[arg(skip)]
    pub files: bool,
}

/// A `diff` answer: between mapping sets or between releases of a document.
#[derive(Debug, Clone, serde::Serialize, PartialEq)]
#[serde(untagged)]
pub enum Diff {
    Sets(super::diff::SetDiff),
    Documents(super::diff::DocDiff),
}

impl DiffRequest {
    /// The difference between two mapping sets; anything but exactly two sets, or an unknown
    /// set, is an error.
    pub fn answer(&self, on: &dyn Sparql) -> Result<super::diff::SetDiff> {
        match self.sets.as_slice() {
            [old, new] => super::diff::sets(on, old, new),
            other => Err(Error::Invalid(format!(
                "diff compares exactly two mapping sets (--set OLD --set NEW), not {}",
                other.len()
            ))),
        }
    }

    /// Sets or documents, whichever the request names.
    pub fn run(&self, on: &dyn Sparql) -> Result<Diff> {
        if self.docs.is_empty() {
            if self.carried {
                return Err(Error::Invalid(
                    "`carried` applies to documents (--doc), not mapping sets".into(),
                ));
            }
            return self.answer(on).map(Diff::Sets);
        }
        if !self.sets.is_empty() {
            return Err(Error::Invalid(
                "diff compares mapping sets (--set) or documents (--doc), not both".into(),
            ));
        }
        let read = |name: &str| -> Result<(super::diff::DocSide, _)> {
            let path = std::path::Path::new(name);
            let (iri, snap) = if self.files && name.ends_with(".json") && path.is_file() {
                super::diff::file_snapshot(path)?
            } else {
                super::diff::snapshot(on, name)?
            };
            let side = super::diff::DocSide {
                document: name.to_owned(),
                iri,
                elements: snap.len(),
            };
            Ok((side, snap))
        };
        match self.docs.as_slice() {
            [one] if !self.carried => Ok(Diff::Documents(super::diff::withdrawn(read(one)?))),
            [old, new] => Ok(Diff::Documents(super::diff::documents(
                read(old)?,
                read(new)?,
                self.carried,
            ))),
            other => Err(Error::Invalid(format!(
                "diff compares two releases of a document (--doc OLD --doc NEW{}), not {}",
                if self.carried {
                    ""
                } else {
                    ", or one for what it withdrew"
                },
                other.len()
            ))),
        }
    }
}

// Query-string values are text: these read them as strictly as the CLI does. An error says
// what is accepted; the caller prefixes the parameter's name (serde_path_to_error).

/// Empty text is absent (`?set=` means no set), as on the command line.
fn text<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Option<String>, D::Error> {
    let s = String::deserialize(d)?;
    Ok((!s.trim().is_empty()).then_some(s))
}

fn required<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<String, D::Error> {
    let s = String::deserialize(d)?;
    if s.trim().is_empty() {
        return Err(serde::de::Error::custom("is empty"));
    }
    Ok(s)
}

/// `true` or `false`, nothing else: `True` or `0.56` must not silently mean false.
fn flag<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<bool, D::Error> {
    let s = String::deserialize(d)?;
    match s.as_str() {
        "" | "false" => Ok(false),
        "true" => Ok(true),
        v => Err(serde::de::Error::custom(format!(
            "is `true` or `false`, not `{v}`"
        ))),
    }
}

fn integer<E: serde::de::Error>(s: &str, lo: i64, hi: i64) -> std::result::Result<i64, E> {
    match s.trim().parse::<i64>() {
        Ok(n) if (lo..=hi).contains(&n) => Ok(n),
        _ => Err(E::custom(format!(
            "is an integer from {lo} to {hi}, not `{s}`"
        ))),
    }
}

fn priority<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Option<u8>, D::Error> {
    let s = String::deserialize(d)?;
    if s.trim().is_empty() {
        return Ok(None);
    }
    integer(&s, 1, 3).map(|n| Some(n as u8))
}

fn hops<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<u8, D::Error> {
    let s = String::deserialize(d)?;
    integer(&s, 1, MAX_HOPS as i64).map(|n| n as u8)
}

/// `check`: mapping sets in the store (`sets`, by scheme) and/or the user's own files, checked
/// for consistency; with `shacl`, the whole graph against the shapes too. Never writes: files
/// are loaded into an in-memory copy of the store.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct CheckRequest {
    /// Mapping sets already in the store, by scheme (see `crosswalk stats`).
    #[arg(long = "set")]
    pub sets: Vec<String>,
    #[command(flatten)]
    pub user: crate::load::user_set::UserFiles,
    /// `warnings`: warnings fail the check too.
    #[arg(long, value_parser = ["warnings"])]
    pub deny: Option<String>,
    /// Also validate the whole graph against the SHACL shapes (ontology/shapes.ttl), as CW012.
    #[arg(long)]
    pub shacl: bool,
}

/// The schemes of every asserted mapping set: all the store names but crosswalk's own
/// inference set.
fn asserted_sets(names: &crate::query::names::Names) -> Vec<String> {
    let inferred = crate::model::ids::doc_iri("mapping/crosswalk-inference");
    names
        .sets()
        .iter()
        .filter(|s| s.iri.as_deref() != Some(inferred.as_str()))
        .map(|s| s.name.clone())
        .collect()
}

impl CheckRequest {
    /// The findings, and whether they fail the check (errors; warnings too with `--deny`).
    /// `db` is the store as it is; `throwaway` says it may be written (an in-memory store).
    pub fn answer(
        &self,
        db: &crate::store::Db,
        throwaway: bool,
    ) -> Result<(Vec<super::check::Finding>, bool)> {
        let copy;
        let db = if self.user.mappings.is_empty() || throwaway {
            db
        } else {
            copy = db.to_memory()?;
            &copy
        };
        let mut sets = self.user.load(db)?;
        let everything = sets.is_empty() && self.sets.is_empty() && !self.shacl;
        let schemes: Vec<String> = if everything {
            // No argument: every asserted mapping set (not crosswalk's own inferred roll-ups).
            asserted_sets(&*crate::query::names::Names::of(db)?)
        } else {
            self.sets.clone()
        };
        for scheme in &schemes {
            let set = crate::load::user_set::set_by_scheme(db, scheme)?;
            // The file the store was loaded from, wherever the sources dir is now.
            let file = super::check::source_file(db, &set)?;
            sets.push((set, file.unwrap_or_default()));
        }
        if sets.is_empty() && !self.shacl {
            return Err(Error::Invalid(
                "the store holds no mapping set to check (load one with `crosswalk load`)".into(),
            ));
        }
        let mut findings = Vec::new();
        for (set, file) in &sets {
            let f = (!file.is_empty()).then_some(file.as_str());
            findings.extend(super::check::check_set(db, set, f)?);
        }
        if self.shacl {
            findings.extend(super::check::shacl_findings(db)?);
        }
        let failed = super::check::failed(&findings, self.deny.is_some());
        Ok((findings, failed))
    }
    /// [`CheckRequest::answer`] on any engine (`--endpoint`): the sets already in the graph
    /// (`--set`, or every asserted set), checked by the same queries. A file (`--mapping`) or
    /// `--shacl` needs the embedded store (a file is loaded into a throw-away copy of it).
    pub fn answer_on(&self, on: &dyn Sparql) -> Result<(Vec<super::check::Finding>, bool)> {
        if !self.user.mappings.is_empty() || self.shacl {
            return Err(Error::Invalid(
                "check --mapping and --shacl need the embedded store; with --endpoint give --set SCHEME".into(),
            ));
        }
        let schemes: Vec<String> = if self.sets.is_empty() {
            asserted_sets(&*on.names()?)
        } else {
            self.sets.clone()
        };
        let mut findings = Vec::new();
        for scheme in &schemes {
            let set = crate::load::user_set::set_by_scheme(on, scheme)?;
            let file = super::check::source_file(on, &set)?;
            let file = file.filter(|f| !f.is_empty());
            findings.extend(super::check::check_set(on, &set, file.as_deref())?);
        }
        let failed = super::check::failed(&findings, self.deny.is_some());
        Ok((findings, failed))
    }
}

/// `search TEXT`: elements ranked by BM25 over their text.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct SearchRequest {
    /// Words (`model poisoning`), a phrase (`"supply chain"`), prefixes (`poison*`).
    pub text: String,
    /// Only elements of this scheme (csf, sp800-53, ai-rmf, ai-600-1, cyber-ai-profile, …); repeatable.
    #[arg(long = "scheme")]
    pub schemes: Vec<String>,
    /// Only elements of this kind (control, subcategory, suggested-action, profile-entry, …); repeatable.
    #[arg(long = "kind")]
    pub kinds: Vec<String>,
    /// At most this many hits.
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u16).range(1..=1000))]
    pub limit: u16,
}

impl SearchRequest {
    /// The hits, best first; an unknown scheme or kind is an error listing the known ones.
    pub fn answer(&self, on: &dyn Sparql) -> Result<Vec<crate::search::Hit>> {
        let index = crate::search::Index::of(on)?;
        index.search(
            &self.text,
            &self.schemes,
            &self.kinds,
            usize::from(self.limit),
        )
    }
}
