//! OSCAL JSON model (the subset crosswalk reads) and a parser whose errors carry the JSON path.
use crate::model::error::{Error, Result};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use std::path::Path;

/// Parses `bytes` as `T`; on failure the error names the file, the JSON path and line/column.
pub fn parse_json<T: DeserializeOwned>(file: &Path, bytes: &[u8]) -> Result<T> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let location = if path == "." {
            "$".to_owned()
        } else {
            format!("$.{path}")
        };
        Error::parse(file, location, inner)
    })
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Metadata {
    pub title: String,
    pub version: String,
    pub oscal_version: String,
    pub published: Option<String>,
    pub last_modified: String,
    #[serde(default)]
    pub props: Vec<Prop>,
}

#[derive(Debug, Deserialize)]
pub struct CatalogFile {
    pub catalog: Catalog,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Catalog {
    pub uuid: String,
    pub metadata: Metadata,
    #[serde(default)]
    pub params: Vec<Param>,
    #[serde(default)]
    pub groups: Vec<Group>,
    #[serde(default)]
    pub controls: Vec<Control>,
}

#[derive(Debug, Deserialize)]
pub struct Group {
    pub id: Option<String>,
    pub class: Option<String>,
    pub title: String,
    #[serde(default)]
    pub params: Vec<Param>,
    #[serde(default)]
    pub props: Vec<Prop>,
    #[serde(default)]
    pub links: Vec<Link>,
    #[serde(default)]
    pub parts: Vec<Part>,
    #[serde(default)]
    pub groups: Vec<Group>,
    #[serde(default)]
    pub controls: Vec<Control>,
}

#[derive(Debug, Deserialize)]
pub struct Control {
    pub id: String,
    pub class: Option<String>,
    pub title: String,
    #[serde(default)]
    pub params: Vec<Param>,
    #[serde(default)]
    pub props: Vec<Prop>,
    #[serde(default)]
    pub links: Vec<Link>,
    #[serde(default)]
    pub parts: Vec<Part>,
    #[serde(default)]
    pub controls: Vec<Control>,
}

#[derive(Debug, Deserialize)]
pub struct Param {
    pub id: String,
    pub label: Option<String>,
    #[serde(default)]
    pub props: Vec<Prop>,
    #[serde(default)]
    pub guidelines: Vec<Guideline>,
    pub select: Option<Select>,
    #[serde(default)]
    pub values: Vec<String>,
}

#[derive(Debug, Deserialize)]
pub struct Guideline {
    pub prose: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Select {
    pub how_many: Option<String>,
    #[serde(default)]
    pub choice: Vec<String>,
}

#[derive(Debug, Deserialize)]
pub struct Prop {
    pub name: String,
    pub value: String,
    pub ns: Option<String>,
    pub class: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct Link {
    pub href: String,
    pub rel: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct Part {
    pub id: Option<String>,
    pub name: String,
    pub title: Option<String>,
    #[serde(default)]
    pub props: Vec<Prop>,
    pub prose: Option<String>,
    #[serde(default)]
    pub parts: Vec<Part>,
}

#[derive(Debug, Deserialize)]
pub struct ProfileFile {
    pub profile: Profile,
}

#[derive(Debug, Deserialize)]
pub struct Profile {
    pub uuid: String,
    pub metadata: Metadata,
    pub imports: Vec<Import>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Import {
    pub href: String,
    #[serde(default)]
    pub include_all: Option<serde_json::Value>,
    #[serde(default)]
    pub include_controls: Vec<Selection>,
    #[serde(default)]
    pub exclude_controls: Vec<Selection>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Selection {
    #[serde(default)]
    pub with_ids: Vec<String>,
}

/// The first prop with this name.
pub fn prop<'a>(props: &'a [Prop], name: &str) -> Option<&'a str> {
    props
        .iter()
        .find(|p| p.name == name)
        .map(|p| p.value.as_str())
}
