//! crosswalk: a knowledge graph of NIST security and AI frameworks and the typed crosswalks
//! between them. Modules are listed from the ground up; each uses only those above it in this
//! list (`tests/it/layers.rs` checks it): source files → `import` → `load` → `store` →
//! `query` → `answer` → `render` → the CLI (`main.rs`) and `serve`.
pub mod answer;
pub mod import;
pub mod load;
pub mod model;
pub mod query;
pub mod render;
pub mod serve;
pub mod source;
pub mod store;

pub use model::error::{Error, Result};
