//! The IR 8477 relationship types and their SKOS / SSSOM / OSCAL counterparts, read from
//! `mappings/relationships.toml` (data, not code).
use crate::model::vocab::cw;
use oxigraph::model::{NamedNode, NamedNodeRef};
use serde::Deserialize;
use std::sync::LazyLock;

const TABLE: &str = include_str!("../../mappings/relationships.toml");

#[derive(Debug, Clone, Deserialize)]
pub struct RelType {
    pub term: String,
    pub style: String,
    pub shortcut: String,
    pub inverse: String,
    pub skos: String,
    pub sssom: String,
    pub oscal: String,
    pub names: Vec<String>,
}

#[derive(Deserialize)]
struct Table {
    r#type: Vec<RelType>,
}

static TYPES: LazyLock<Vec<RelType>> = LazyLock::new(|| {
    toml::from_str::<Table>(TABLE)
        .map(|t| t.r#type)
        .unwrap_or_default()
});

fn fold(s: &str) -> String {
    s.trim()
        .to_lowercase()
        .replace(['_', '-'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// All relationship types of the table.
pub fn types() -> &'static [RelType] {
    &TYPES
}

/// Finds a relationship type by any accepted spelling, by its term, or by its OSCAL token.
pub fn rel_type(name: &str) -> Option<&'static RelType> {
    let f = fold(name);
    TYPES
        .iter()
        .find(|t| fold(&t.term) == f || t.names.iter().any(|n| fold(n) == f))
}

pub fn rel_by_term(term: &str) -> Option<&'static RelType> {
    TYPES.iter().find(|t| t.term == term)
}

impl RelType {
    pub fn iri(&self) -> NamedNode {
        NamedNode::new_unchecked(format!("{}{}", cw::NS, self.term))
    }
    pub fn shortcut_iri(&self) -> Option<NamedNode> {
        (!self.shortcut.is_empty())
            .then(|| NamedNode::new_unchecked(format!("{}{}", cw::NS, self.shortcut)))
    }
    pub fn style_iri(&self) -> NamedNodeRef<'static> {
        style_iri(&self.style)
    }
}

pub fn style_iri(style: &str) -> NamedNodeRef<'static> {
    match style {
        "supportive" => cw::SUPPORTIVE,
        "set-theory" => cw::SET_THEORY,
        "structural" => cw::STRUCTURAL,
        _ => cw::CONCEPT_CROSSWALK,
    }
}

pub fn rationale_iri(name: &str) -> Option<NamedNodeRef<'static>> {
    match fold(name).as_str() {
        "syntactic" => Some(cw::SYNTACTIC),
        "semantic" => Some(cw::SEMANTIC),
        "functional" => Some(cw::FUNCTIONAL),
        _ => None,
    }
}

pub fn supportive_property_iri(name: &str) -> Option<NamedNodeRef<'static>> {
    match fold(name).as_str() {
        "example of" => Some(cw::EXAMPLE_OF),
        "integral to" => Some(cw::INTEGRAL_TO),
        "precedes" => Some(cw::PRECEDES),
        _ => None,
    }
}
