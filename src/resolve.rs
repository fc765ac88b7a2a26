//! Resolves element ids printed in mapping sets and profiles to the elements of documents
//! already in the store. Built once per load step from the store; importers only read it.
use crate::error::Result;
use crate::ids::canonical_notation;
use crate::store::Db;
use oxigraph::model::{NamedNode, Term};
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

const QUERY: &str = r#"
PREFIX cw: <https://w3id.org/crosswalk/ontology#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
SELECT ?e ?key ?doc ?scheme ?version ?class ?status WHERE {
  ?doc cw:scheme ?scheme ; cw:version ?version .
  ?e cw:definedBy ?doc ; cw:lookupKey ?key ; rdf:type ?class .
  FILTER(?class != cw:Element)
  OPTIONAL { ?e cw:status ?status }
}"#;

fn version_key(v: &str) -> Vec<u64> {
    v.split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .filter_map(|s| s.parse().ok())
        .collect()
}

impl Resolver {
    /// Reads every element that has a lookup key from the store.
    pub fn from_store(db: &Db) -> Result<Self> {
        let mut r = Resolver::default();
        for row in db.select_rows(QUERY, &[])? {
            let (Some(Term::NamedNode(e)), Some(Term::Literal(key)), Some(Term::NamedNode(doc))) =
                (row.get("e"), row.get("key"), row.get("doc"))
            else {
                continue;
            };
            let (
                Some(Term::Literal(scheme)),
                Some(Term::Literal(version)),
                Some(Term::NamedNode(class)),
            ) = (row.get("scheme"), row.get("version"), row.get("class"))
            else {
                continue;
            };
            let withdrawn = row.contains_key("status");
            r.insert(
                scheme.value(),
                version.value(),
                doc,
                key.value(),
                Entry {
                    iri: e.clone(),
                    class: class.clone(),
                    withdrawn,
                },
            );
        }
        Ok(r)
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

    pub fn has_scheme(&self, scheme: &str) -> bool {
        self.schemes.contains_key(scheme)
    }
}
