//! crosswalk: a knowledge graph of NIST security and AI frameworks and the typed crosswalks
//! between them. The modules are layers, declared below from the ground up: each names
//! (`crate::…`) only those declared before it, and itself (`tests/it/layers.rs` checks it;
//! `crate::Error` and `crate::Result` count as `model`). The CLI (`src/bin/crosswalk`) sits above them all.
//! One `//` line per module keeps rustfmt from sorting them.

// What every layer shares: vocabulary, IRIs, errors, terms, relationship tables, facts.
pub mod model;
// What to read: the sources manifest and the download cache.
pub mod source;
// The embedded Oxigraph store: graphs replaced in one transaction, locks.
pub mod store;
// The named queries and the one interface every query runs through (embedded or remote).
pub mod query;
// Importers: source files to quads, one module per format; never the store.
pub mod import;
// Loading: import, infer, then replace the graphs in the store.
pub mod load;
// Full-text search (BM25) over the elements' text, beside the named queries.
pub mod search;
// The answers behind map, coverage, gaps, path, check, export.
pub mod answer;
// Solutions for people and programs: table, CSV, TSV, JSON.
pub mod render;
// The store over HTTP: SPARQL protocol, JSON API, page.
pub mod serve;

pub use model::error::{Error, Result};
