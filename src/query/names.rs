//! Every name a user gives — scheme, mapping set, baseline, profile, focus area, priority,
//! element id — checked in one place against what the store holds, for the CLI, the JSON API
//! and named-query parameters alike. Labels match case-insensitively (`moderate` =
//! `MODERATE`); an unknown name is an error listing the closest known ones, never an empty
//! answer that reads like "nothing covers this".
use crate::model::error::{Error, Result};
use crate::query::{Sparql, named, term_text};
use oxigraph::model::{NamedNode, Term};
use std::sync::Arc;

/// One known name and what it stands for.
#[derive(Debug, Clone, PartialEq)]
pub struct Named {
    /// The canonical spelling (scheme, baseline label, focus notation, priority number).
    pub name: String,
    /// The document (set, baseline, profile) it names, where there is one.
    pub iri: Option<String>,
    pub label: Option<String>,
    /// For a focus area or priority: the profile scheme it belongs to.
    pub of: Option<String>,
}

/// The names the store knows, read by the named query `names` (one query; cached per store
/// state by [`Sparql::names`]).
#[derive(Debug, Clone, Default)]
pub struct Names {
    schemes: Vec<Named>,
    sets: Vec<Named>,
    baselines: Vec<Named>,
    profiles: Vec<Named>,
    focus: Vec<Named>,
    priorities: Vec<Named>,
}

impl Names {
    /// The names in the rows of the named query `names`.
    pub fn from_solutions(sol: &crate::query::Solutions) -> Names {
        let mut n = Names::default();
        for r in 0..sol.rows.len() {
            let get = |v: &str| sol.get(r, v).map(term_text);
            let (Some(kind), Some(name)) = (get("kind"), get("name")) else {
                continue;
            };
            let item = Named {
                name,
                iri: get("iri"),
                label: get("label"),
                of: get("of"),
            };
            let list = match kind.as_str() {
                "scheme" => &mut n.schemes,
                "set" => &mut n.sets,
                "baseline" => &mut n.baselines,
                "profile" => &mut n.profiles,
                "focus" => &mut n.focus,
                "priority" => &mut n.priorities,
                _ => continue,
            };
            if !list.iter().any(|x| x.name == item.name && x.of == item.of) {
                list.push(item);
            }
        }
        n
    }

    /// The names of `on`, from its cache when it keeps one.
    pub fn of(on: &dyn Sparql) -> Result<Arc<Names>> {
        on.names()
    }

    /// Reads the names from `on` (uncached).
    pub fn load(on: &dyn Sparql) -> Result<Names> {
        Ok(Names::from_solutions(&named("names")?.run(on, &[])?))
    }

    pub fn schemes(&self) -> &[Named] {
        &self.schemes
    }
    pub fn sets(&self) -> &[Named] {
        &self.sets
    }
    pub fn baselines(&self) -> &[Named] {
        &self.baselines
    }
    pub fn profiles(&self) -> &[Named] {
        &self.profiles
    }

    /// A framework's or catalog's scheme (`csf`, `sp800-53`, `ai-rmf`, …), canonical.
    pub fn scheme(&self, given: &str) -> Result<&Named> {
        find("scheme", given, &self.schemes, |_| None)
    }

    /// An optional set's canonical scheme (`None` and `*`: any set).
    pub fn set_or_any(&self, given: Option<&str>) -> Result<Option<String>> {
        given
            .filter(|s| *s != "*")
            .map(|s| self.set(s).map(|n| n.name.clone()))
            .transpose()
    }

    /// A mapping set by its scheme (`olir-186`) or document IRI.
    pub fn set(&self, given: &str) -> Result<&Named> {
        find("mapping set", given, &self.sets, |n| n.iri.as_deref())
    }

    /// A baseline or overlay by its label (`MODERATE`, any case) or document IRI.
    pub fn baseline(&self, given: &str) -> Result<&Named> {
        find("baseline", given, &self.baselines, |n| n.iri.as_deref())
    }

    /// A profile by its scheme (`cyber-ai-profile`), or that scheme without `-profile`
    /// (`cyber-ai`, the name the CLI has always taken).
    pub fn profile(&self, given: &str) -> Result<&Named> {
        let short = |n: &Named| n.name.strip_suffix("-profile").map(str::to_owned);
        if let Some(p) = self
            .profiles
            .iter()
            .find(|p| short(p).is_some_and(|s| s.eq_ignore_ascii_case(given.trim())))
        {
            return Ok(p);
        }
        find("profile", given, &self.profiles, |n| n.iri.as_deref())
    }

    /// A focus area of `profile` (`Secure`, any case).
    pub fn focus(&self, profile: &Named, given: &str) -> Result<&Named> {
        let mine: Vec<Named> = self
            .focus
            .iter()
            .filter(|f| f.of.as_deref() == Some(profile.name.as_str()))
            .cloned()
            .collect();
        let found = find("focus area", given, &mine, |_| None)?.name.clone();
        self.focus
            .iter()
            .find(|f| f.name == found && f.of.as_deref() == Some(profile.name.as_str()))
            .ok_or_else(|| unknown("focus area", given, &mine))
    }

    /// Every priority of `profile`, ascending.
    pub fn priorities_of(&self, profile: &Named) -> Vec<u8> {
        let mut v: Vec<u8> = self
            .priorities
            .iter()
            .filter(|p| p.of.as_deref() == Some(profile.name.as_str()))
            .filter_map(|p| p.name.parse().ok())
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    }

    /// A priority of `profile`: its number (`1`) or label (`High`, any case).
    pub fn priority(&self, profile: &Named, given: &str) -> Result<u8> {
        let mine: Vec<&Named> = self
            .priorities
            .iter()
            .filter(|f| f.of.as_deref() == Some(profile.name.as_str()))
            .collect();
        let g = given.trim();
        let hit = mine.iter().find(|p| {
            p.name == g
                || p.label
                    .as_deref()
                    .is_some_and(|l| l.eq_ignore_ascii_case(g))
        });
        match hit.and_then(|p| p.name.parse().ok()) {
            Some(n) => Ok(n),
            None => {
                let known: Vec<String> = mine
                    .iter()
                    .map(|p| match &p.label {
                        Some(l) => format!("{} ({l})", p.name),
                        None => p.name.clone(),
                    })
                    .collect();
                Err(Error::Unknown {
                    kind: "priority",
                    given: given.to_owned(),
                    hint: format!("; {} knows: {}", profile.name, known.join(", ")),
                })
            }
        }
    }
}

impl Names {
    /// A focus area of any loaded profile (named queries take the focus alone).
    pub fn any_focus(&self, given: &str) -> Result<&Named> {
        let mut seen: Vec<Named> = Vec::new();
        for f in &self.focus {
            if !seen.iter().any(|s| s.name == f.name) {
                seen.push(f.clone());
            }
        }
        let name = find("focus area", given, &seen, |_| None)?.name.clone();
        self.focus
            .iter()
            .find(|f| f.name == name)
            .ok_or_else(|| unknown("focus area", given, &seen))
    }

    /// A priority of any loaded profile: its number or its label.
    pub fn any_priority(&self, given: &str) -> Result<u8> {
        let g = given.trim();
        let hit = self.priorities.iter().find(|p| {
            p.name == g
                || p.label
                    .as_deref()
                    .is_some_and(|l| l.eq_ignore_ascii_case(g))
        });
        if let Some(n) = hit.and_then(|p| p.name.parse().ok()) {
            return Ok(n);
        }
        let mut known: Vec<String> = Vec::new();
        for p in &self.priorities {
            let k = match &p.label {
                Some(l) => format!("{} ({l})", p.name),
                None => p.name.clone(),
            };
            if !known.contains(&k) {
                known.push(k);
            }
        }
        Err(Error::Unknown {
            kind: "priority",
            given: given.to_owned(),
            hint: if known.is_empty() {
                "; no profile with priorities is loaded".to_owned()
            } else {
                format!("; known: {}", known.join(", "))
            },
        })
    }
}

/// The entry of `list` that `given` names: its name (case-insensitive) or, where `alt` gives
/// one, its IRI. Otherwise an error with the closest names.
fn find<'a>(
    kind: &'static str,
    given: &str,
    list: &'a [Named],
    alt: impl Fn(&Named) -> Option<&str>,
) -> Result<&'a Named> {
    let g = given.trim();
    list.iter()
        .find(|n| n.name == g)
        .or_else(|| list.iter().find(|n| n.name.eq_ignore_ascii_case(g)))
        .or_else(|| list.iter().find(|n| alt(n) == Some(g)))
        .ok_or_else(|| unknown(kind, given, list))
}

/// "unknown mapping set `olir186`; did you mean `olir-186`? (known: …)".
pub fn unknown(kind: &'static str, given: &str, list: &[Named]) -> Error {
    let names: Vec<&str> = list.iter().map(|n| n.name.as_str()).collect();
    Error::Unknown {
        kind,
        given: given.to_owned(),
        hint: hint(given, &names),
    }
}

/// The closest names (normalised Damerau-Levenshtein similarity ≥ 0.6, or a name containing
/// the given text), then every known name when there are few; "; none are loaded" if none.
pub fn hint(given: &str, names: &[&str]) -> String {
    if names.is_empty() {
        return "; none are loaded".to_owned();
    }
    let g = given.trim().to_lowercase();
    let mut scored: Vec<(f64, &str)> = names
        .iter()
        .map(|n| {
            let l = n.to_lowercase();
            let mut s = strsim::normalized_damerau_levenshtein(&g, &l);
            if !g.is_empty() && (l.contains(&g) || g.contains(&l)) {
                s = s.max(0.7);
            }
            (s, *n)
        })
        .filter(|(s, _)| *s >= 0.6)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
    let close: Vec<String> = scored
        .iter()
        .take(3)
        .map(|(_, n)| format!("`{n}`"))
        .collect();
    let mut out = String::new();
    if !close.is_empty() {
        out.push_str(&format!("; did you mean {}?", close.join(" or ")));
    }
    if names.len() <= 30 {
        out.push_str(&format!(" (known: {})", names.join(", ")));
    } else if close.is_empty() {
        out.push_str(&format!(
            " ({} known, e.g. {})",
            names.len(),
            names[..5].join(", ")
        ));
    }
    out
}

/// An element id's lookup key, checked: some loaded document defines it or some mapping
/// names it. An IRI is taken as the element it names. Unknown: an error with the closest
/// known ids (computed only then: it reads every lookup key).
pub fn element_key(on: &dyn Sparql, given: &str) -> Result<String> {
    if looks_like_iri(given) {
        let sol = on.select(
            "PREFIX cw: <https://w3id.org/crosswalk/ontology#> SELECT ?key WHERE { ?element cw:lookupKey ?key }",
            &[("element", iri(given)?.into())],
        )?;
        return sol
            .strings("key")
            .into_iter()
            .next()
            .ok_or_else(|| Error::Unknown {
                kind: "element",
                given: given.to_owned(),
                hint: "; no element of the store has this IRI".to_owned(),
            });
    }
    let key = crate::model::ids::canonical_notation(given);
    let sol = named("element-key")?.run(on, &[("key".to_owned(), key.clone())])?;
    if !sol.rows.is_empty() {
        return Ok(key);
    }
    Err(unknown_element(on, given, &key))
}

/// The IRIs of the elements an id (or IRI) names: every release that defines it, or the
/// dangling element minted for it.
pub fn element_iris(on: &dyn Sparql, given: &str) -> Result<Vec<NamedNode>> {
    if looks_like_iri(given) {
        element_key(on, given)?;
        return Ok(vec![iri(given)?]);
    }
    let key = crate::model::ids::canonical_notation(given);
    let sol = named("element-key")?.run(on, &[("key".to_owned(), key.clone())])?;
    let mut out: Vec<NamedNode> = Vec::new();
    for r in 0..sol.rows.len() {
        if let Some(Term::NamedNode(n)) = sol.get(r, "element")
            && !out.contains(n)
        {
            out.push(n.clone());
        }
    }
    if out.is_empty() {
        return Err(unknown_element(on, given, &key));
    }
    Ok(out)
}

fn unknown_element(on: &dyn Sparql, given: &str, key: &str) -> Error {
    let keys = named("element-key")
        .and_then(|q| q.run(on, &[]))
        .map(|s| s.strings("key"))
        .unwrap_or_default();
    let mut uniq: Vec<&str> = keys.iter().map(String::as_str).collect();
    uniq.sort_unstable();
    uniq.dedup();
    let mut h = hint(key, &uniq);
    if let Some(i) = h.find(" (") {
        h.truncate(i); // thousands of ids: only the closest
    }
    Error::Unknown {
        kind: "element",
        given: given.to_owned(),
        hint: if h.is_empty() {
            "; no loaded document defines it and no mapping names it".to_owned()
        } else {
            h
        },
    }
}

fn looks_like_iri(s: &str) -> bool {
    s.starts_with("http://") || s.starts_with("https://") || s.starts_with("urn:")
}

fn iri(s: &str) -> Result<NamedNode> {
    NamedNode::new(s).map_err(|e| Error::Invalid(format!("`{s}` is not an IRI: {e}")))
}
