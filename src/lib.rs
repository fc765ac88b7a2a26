//! crosswalk: a knowledge graph of NIST security and AI frameworks and the typed crosswalks
//! between them. Data flows one way: `sources` (what to read) → `import` (files to triples) →
//! `store` (named graphs in Oxigraph) → `query` (named SPARQL) → `output` (tables, JSON, RDF).
pub mod answer;
pub mod bind;
pub mod card;
pub mod check;
pub mod error;
pub mod export;
pub mod facts;
pub mod fetch;
pub mod ids;
pub mod import;
pub mod infer;
pub mod load;
pub mod lock;
pub mod names;
pub mod output;
pub mod query;
pub mod resolve;
pub mod serve;
pub mod shacl;
pub mod sources;
pub mod store;
pub mod user_set;
pub mod vocab;

pub use error::{Error, Result};
