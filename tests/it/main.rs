//! Every integration test in one binary (as ripgrep does): the library and RocksDB are linked
//! once, not once per test file, and the store loaded from the real sources (`util::loaded`)
//! once per run. One module per area: `cargo test --test it mutations::` runs one area.

// First: `require_sources!` (a `macro_rules!` in `util`) is in scope in the modules after it.
#[macro_use]
mod util;

mod ai_rmf;
mod answers;
mod cards;
mod check;
mod cyber_ai_profile;
mod diff;
mod docs;
mod export;
mod fetch;
mod foundation;
mod layers;
mod mappings;
mod mutations;
mod named_queries;
mod protocol;
mod remote;
mod search;
mod serve;
mod shacl;
mod suggest;
mod views;
