//! The composition rules and the roll-up rule, read from `mappings/composition.toml` (data,
//! not code) and checked once per process.
use crate::model::error::{Error, Result};
use crate::model::relationship::rel_by_term;
use serde::Deserialize;

const RULES: &str = include_str!("../../../mappings/composition.toml");

#[derive(Debug, Clone, Deserialize)]
pub struct Rule {
    pub first: String,
    pub second: String,
    pub result: String,
}

/// The `[rollup]` table of `mappings/composition.toml`.
#[derive(Debug, Clone, Deserialize)]
pub struct Rollup {
    pub result: String,
    pub exclude: Vec<String>,
}

#[derive(Deserialize)]
pub(super) struct Rules {
    pub(super) rule: Vec<Rule>,
    pub(super) rollup: Rollup,
}

/// The tables, parsed and checked once per process (every inference run reads both).
pub(super) fn table() -> Result<&'static Rules> {
    static TABLE: std::sync::OnceLock<std::result::Result<Rules, String>> =
        std::sync::OnceLock::new();
    TABLE
        .get_or_init(|| {
            let r: Rules =
                toml::from_str(RULES).map_err(|e| format!("mappings/composition.toml: {e}"))?;
            let terms = r
                .rule
                .iter()
                .flat_map(|x| [&x.first, &x.second, &x.result])
                .chain(std::iter::once(&r.rollup.result))
                .chain(&r.rollup.exclude);
            for t in terms {
                if rel_by_term(t).is_none() {
                    return Err(format!("mappings/composition.toml: unknown type {t}"));
                }
            }
            Ok(r)
        })
        .as_ref()
        .map_err(|e| Error::Manifest(e.clone()))
}
