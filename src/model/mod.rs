//! What every layer shares: the vocabulary, the IRI scheme, errors, the triple builder, the
//! relationship tables, the facts resolution and inference read, and SPARQL text helpers.
pub mod digest;
pub mod error;
pub mod facts;
pub mod ids;
pub mod relationship;
pub mod resolve;
pub mod sparql_text;
pub mod term;
pub mod vocab;
