//! The sources manifest (`sources.toml`, compiled in): what each source is, where the publisher
//! serves it, and where it sits in a sources directory (the download cache).
use crate::model::error::{Error, Result};
use serde::Deserialize;
use std::path::{Path, PathBuf};

const MANIFEST: &str = include_str!("../../sources.toml");

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub source: Vec<Source>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    pub id: String,
    /// Name of the importer module that reads it (`oscal-catalog`, `olir-xlsx`, …).
    pub importer: String,
    pub description: String,
    pub files: Vec<SourceFile>,
    pub document: DocumentMeta,
    /// Importer-specific settings (sheet names, column choices, …).
    #[serde(default)]
    pub options: toml::Table,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceFile {
    /// Path relative to the sources directory.
    pub path: String,
    /// Canonical download URL.
    pub url: String,
    /// SHA-256 of the publisher's bytes, when they are stable.
    pub sha256: Option<String>,
    /// The file's role for multi-file importers (`actions`, `risks`, …).
    pub role: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocumentMeta {
    /// Document release id; also the IRI path of the document and of its elements.
    pub id: String,
    /// Version-independent scheme name, used by `--to` / `--from`.
    pub scheme: String,
    pub kind: DocKind,
    pub title: String,
    pub short_title: Option<String>,
    pub publisher: String,
    pub version: String,
    pub status: DocStatus,
    pub released: Option<String>,
    pub landing: Option<String>,
    pub license: String,
    /// Who extracted NIST's text, when the file is a third-party extraction.
    pub extracted_by: Option<String>,
    /// For baselines, profiles and overlays: the scheme they select from or profile.
    pub profile_of: Option<String>,
    /// For mapping sets: the focal and reference schemes and the reference release named.
    pub focal: Option<String>,
    pub reference: Option<String>,
    pub reference_version: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DocKind {
    Framework,
    Catalog,
    Baseline,
    Profile,
    Overlay,
    MappingSet,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DocStatus {
    Final,
    Draft,
    InitialPreliminaryDraft,
    PreDraft,
    Withdrawn,
    /// Machine-made candidates (`crosswalk suggest`), not reviewed.
    Suggested,
}

impl Manifest {
    /// The manifest compiled into the binary.
    pub fn builtin() -> Result<Self> {
        Self::parse(MANIFEST)
    }

    pub fn parse(text: &str) -> Result<Self> {
        let m: Manifest = toml::from_str(text).map_err(|e| Error::Manifest(e.to_string()))?;
        let mut seen = std::collections::HashSet::new();
        for s in &m.source {
            if !seen.insert(s.id.as_str()) {
                return Err(Error::Manifest(format!("duplicate source id {}", s.id)));
            }
        }
        Ok(m)
    }

    pub fn get(&self, id: &str) -> Option<&Source> {
        self.source.iter().find(|s| s.id == id)
    }

    /// The sources named by `ids` (all when empty), in manifest order; unknown ids are an error
    /// that lists the known ones.
    pub fn select(&self, ids: &[String]) -> Result<Vec<&Source>> {
        if ids.is_empty() {
            return Ok(self.source.iter().collect());
        }
        for id in ids {
            if self.get(id).is_none() {
                let known: Vec<&str> = self.source.iter().map(|s| s.id.as_str()).collect();
                return Err(Error::NotFound(format!(
                    "unknown source `{id}`; known sources: {}",
                    known.join(", ")
                )));
            }
        }
        Ok(self
            .source
            .iter()
            .filter(|s| ids.iter().any(|i| i == &s.id))
            .collect())
    }
}

impl Source {
    /// Absolute paths of the source's files under `dir`, or the first one missing.
    pub fn locate(&self, dir: &Path) -> std::result::Result<Vec<PathBuf>, PathBuf> {
        let mut out = Vec::new();
        for f in &self.files {
            let p = dir.join(&f.path);
            if !p.is_file() {
                return Err(p);
            }
            out.push(p);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_manifest_parses() {
        let m = Manifest::builtin().unwrap();
        assert!(m.get("csf-2.0").is_some());
        assert!(m.select(&["nope".into()]).is_err());
    }
}
