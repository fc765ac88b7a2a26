//! Importers: one module per source format. An importer reads files and returns quads for one
//! named graph; it never touches the store. `load` decides where the quads go.
//!
//! Invariant: an importer either returns all of its quads or an error that names the file and
//! the place in it; it never returns a partial graph.
pub mod ai_rmf;
pub mod ai_rmf_playbook;
pub mod cosais;
pub mod csf_reference_tool;
pub mod csf_transition;
pub mod cyber_ai_profile;
pub mod genai_profile;
pub mod mapping;
pub mod olir_xlsx;
pub mod oscal;
pub mod oscal_catalog;
pub mod oscal_mapping;
pub mod oscal_profile;
pub mod sheet;
pub mod sssom;

pub mod context;

use crate::model::error::{Error, Result};
pub use context::{Ctx, InputFile, Output, document, provenance, status_iri};

/// Runs the importer a source names.
pub fn run(ctx: &Ctx<'_>) -> Result<Output> {
    match ctx.source.importer.as_str() {
        "oscal-catalog" => oscal_catalog::import(ctx),
        "oscal-profile" => oscal_profile::import(ctx),
        "oscal-withdrawn-links" => csf_transition::import(ctx),
        "ai-rmf-core" => ai_rmf::import(ctx),
        "ai-rmf-playbook" => ai_rmf_playbook::import(ctx),
        "genai-profile" => genai_profile::import(ctx),
        "cyber-ai-profile" => cyber_ai_profile::import(ctx),
        "cosais-overlay" => cosais::import(ctx),
        "olir-xlsx" => olir_xlsx::import(ctx),
        "olir-csv" => olir_xlsx::import_csv(ctx),
        "sssom" => sssom::import(ctx),
        "oscal-mapping" => oscal_mapping::import(ctx),
        "csf-reference-tool" => csf_reference_tool::import(ctx),
        other => Err(Error::Manifest(format!(
            "source {} names unknown importer `{other}`",
            ctx.source.id
        ))),
    }
}
