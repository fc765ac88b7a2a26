//! Resolves element ids printed in mapping sets and profiles to the elements of documents
//! already in the store or imported earlier in the same load (see `facts`); importers only
//! read it.
use crate::model::facts::Facts;
use crate::model::ids::canonical_notation;
use crate::model::vocab::cw;
use oxigraph::model::NamedNode;
use std::collections::HashMap;

#[derive(Debug, Clone)]
pub struct Entry {
    pub iri: NamedNode,
    pub class: NamedNode,
    pub withdrawn: bool,
}

#[derive(Debug, Default)]
struct Release {
    doc: Option<NamedNode>,
    version: String,
    by_key: HashMap<String, Entry>,
}

/// A resolution: the element (when found) and the release it was looked up in.
#[derive(Debug)]
pub struct Resolution<'a> {
    pub entry: Option<&'a Entry>,
    pub doc: &'a NamedNode,
    pub version: &'a str,
}

#[derive(Debug, Default)]
pub struct Resolver {
    schemes: HashMap<String, Vec<Release>>,
}

fn version_key(v: &str) -> Vec<u64> {
    v.split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .filter_map(|s| s.parse().ok())
        .collect()
}

impl Resolver {
    /// Every element with a lookup key, a class other than `cw:Element`, and a document that
    /// has a scheme and a version.
    pub fn from_facts(facts: &Facts) -> Self {
        let mut r = Resolver::default();
        // In IRI order, so that of two elements sharing a key the same one always wins.
        let mut elements: Vec<_> = facts
            .elements
            .iter()
            .filter(|(_, e)| !e.keys.is_empty())
            .collect();
        elements.sort_by(|a, b| a.0.as_str().cmp(b.0.as_str()));
        for (e, el) in elements {
            let Some(class) = el.classes.iter().find(|c| c.as_ref() != cw::ELEMENT) else {
                continue;
            };
            for doc in &el.defined_by {
                let Some(d) = facts.docs.get(doc) else {
                    continue;
                };
                for (scheme, version) in d
                    .schemes
                    .iter()
                    .flat_map(|s| d.versions.iter().map(move |v| (s, v)))
                {
                    for key in &el.keys {
                        r.insert(
                            scheme,
                            version,
                            doc,
                            key,
                            Entry {
                                iri: e.clone(),
                                class: class.clone(),
                                withdrawn: !el.status.is_empty(),
                            },
                        );
                    }
                }
            }
        }
        r
    }

    pub fn insert(
        &mut self,
        scheme: &str,
        version: &str,
        doc: &NamedNode,
        key: &str,
        entry: Entry,
    ) {
        let releases = self.schemes.entry(scheme.to_owned()).or_default();
        let idx = match releases.iter().position(|r| r.version == version) {
            Some(i) => i,
            None => {
                releases.push(Release {
                    doc: Some(doc.clone()),
                    version: version.to_owned(),
                    by_key: HashMap::new(),
                });
                releases.sort_by_key(|r| std::cmp::Reverse(version_key(&r.version)));
                releases
                    .iter()
                    .position(|r| r.version == version)
                    .unwrap_or(0)
            }
        };
        // The more specific class wins when an element carries several (e.g. external + control).
        releases[idx].by_key.entry(key.to_owned()).or_insert(entry);
    }

    /// The release of `scheme` that ids are resolved against: `prefer` when loaded, else the
    /// newest loaded release.
    fn release(&self, scheme: &str, prefer: Option<&str>) -> Option<&Release> {
        let releases = self.schemes.get(scheme)?;
        prefer
            .and_then(|v| releases.iter().find(|r| r.version == v))
            .or_else(|| releases.first())
    }

    /// Looks `notation` up (in any of NIST's spellings) in the chosen release of `scheme`.
    /// `None` when no release of the scheme is loaded at all.
    pub fn resolve(
        &self,
        scheme: &str,
        prefer: Option<&str>,
        notation: &str,
    ) -> Option<Resolution<'_>> {
        let rel = self.release(scheme, prefer)?;
        Some(Resolution {
            entry: rel.by_key.get(&canonical_notation(notation)),
            doc: rel.doc.as_ref()?,
            version: &rel.version,
        })
    }

    /// The (scheme, version) of the loaded document release with this IRI.
    pub fn release_of_doc(&self, doc: &str) -> Option<(&str, &str)> {
        self.schemes.iter().find_map(|(scheme, releases)| {
            releases
                .iter()
                .find(|r| r.doc.as_ref().is_some_and(|d| d.as_str() == doc))
                .map(|r| (scheme.as_str(), r.version.as_str()))
        })
    }

    pub fn has_scheme(&self, scheme: &str) -> bool {
        self.schemes.contains_key(scheme)
    }
}
