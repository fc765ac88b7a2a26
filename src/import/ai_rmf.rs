//! AI RMF 1.0 (NIST AI 100-1) Core as structured JSON (xtksystems/visua `ai-rmf-core.json`):
//! 4 functions, 19 categories, 72 subcategories with NIST's outcome statements and PDF pages.
use super::context::{Ctx, Output, document};
use super::oscal::parse_json;
use crate::model::error::{Error, Result};
use crate::model::ids;
use crate::model::vocab::{cw, dcterms};
use oxigraph::model::NamedNode;
use serde::Deserialize;
use std::collections::HashMap;
use std::path::Path;

#[derive(Deserialize)]
struct CoreFile {
    #[serde(default)]
    source: Option<SourceBlock>,
    functions: Vec<Item>,
    categories: Vec<Item>,
    subcategories: Vec<Item>,
}

#[derive(Deserialize)]
struct SourceBlock {
    #[serde(default)]
    identifier: Option<String>,
    #[serde(default)]
    sha256: Option<String>,
    #[serde(default)]
    extraction: Option<String>,
}

#[derive(Deserialize)]
struct Item {
    id: String,
    #[serde(default)]
    title: Option<String>,
    /// Functions only: the two-letter tag AI 600-1 uses (GV, MP, MS, MG).
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    function: Option<String>,
    #[serde(default)]
    category: Option<String>,
    text: String,
    #[serde(default)]
    page: Option<i64>,
}

/// `GOVERN 1.1` → (`GOVERN`, [1, 1]); `GOVERN` → (`GOVERN`, []).
fn split_id(id: &str) -> Option<(&str, Vec<u32>)> {
    let id = id.trim();
    let Some((func, rest)) = id.split_once(' ') else {
        return Some((id, Vec::new()));
    };
    let nums = rest
        .trim()
        .split('.')
        .map(|n| n.parse().ok())
        .collect::<Option<Vec<u32>>>()?;
    Some((func, nums))
}

pub fn import(ctx: &Ctx<'_>) -> Result<Output> {
    let f = ctx.file(None)?;
    let file: CoreFile = parse_json(&f.path, &f.bytes)?;
    let meta = &ctx.source.document;
    let mut out = Output::default();
    let doc = document(&mut out.triples, meta, ctx);
    if let Some(s) = &file.source {
        let mut desc = String::from("Structured extraction of the AI RMF Core tables");
        if let Some(i) = &s.identifier {
            desc.push_str(&format!(" of {i}"));
        }
        if let Some(h) = &s.sha256 {
            desc.push_str(&format!(" (source PDF sha256 {h})"));
        }
        if let Some(x) = &s.extraction {
            desc.push_str(&format!(": {x}"));
        }
        out.triples.text(&doc, dcterms::DESCRIPTION, &desc);
    }
    out.documents.push(doc.clone());
    let b = &mut out.triples;
    let doc_id = meta.id.as_str();

    // Function name → (IRI, position), for parent links and sort keys.
    let mut functions: HashMap<String, (NamedNode, usize)> = HashMap::new();
    for (i, it) in file.functions.iter().enumerate() {
        let id = it.id.trim();
        if id.is_empty() || id.contains(' ') {
            return Err(bad_id(&f.path, "functions", i, id, "GOVERN"));
        }
        let iri = ids::element_iri(doc_id, id);
        b.element(&iri, cw::FUNCTION, &doc, id, id);
        if let Some(t) = &it.title {
            b.title(&iri, t);
        }
        if let Some(c) = &it.code {
            b.text(&iri, dcterms::IDENTIFIER, c);
        }
        b.text(&iri, cw::STATEMENT, &it.text);
        b.text(&iri, cw::SORT_KEY, &format!("{:02}", i + 1));
        if let Some(p) = it.page {
            b.int(&iri, cw::PAGE, p);
        }
        functions.insert(id.to_owned(), (iri, i + 1));
    }

    let mut categories: HashMap<String, NamedNode> = HashMap::new();
    for (i, it) in file.categories.iter().enumerate() {
        let id = it.id.trim();
        let (func, nums) = match split_id(id) {
            Some((func, nums)) if nums.len() == 1 => (func, nums),
            _ => return Err(bad_id(&f.path, "categories", i, id, "GOVERN 1")),
        };
        let parent_name = it.function.as_deref().map(str::trim).unwrap_or(func);
        if parent_name != func {
            out.warnings.push(format!(
                "{}: $.categories[{i}]: id {id} but function {parent_name} (parent taken from `function`)",
                f.path.display()
            ));
        }
        let Some((parent, fpos)) = functions.get(parent_name) else {
            return Err(Error::parse(
                &f.path,
                format!("$.categories[{i}].function"),
                format!(
                    "category {id} names function `{parent_name}`, which the file does not define"
                ),
            ));
        };
        let iri = ids::element_iri(doc_id, id);
        b.element(&iri, cw::CATEGORY, &doc, id, id);
        if let Some(t) = &it.title {
            b.title(&iri, t);
        }
        b.text(&iri, cw::STATEMENT, &it.text);
        b.add(iri.clone(), cw::PARENT, parent.clone());
        b.text(&iri, cw::SORT_KEY, &format!("{fpos:02}.{:02}", nums[0]));
        if let Some(p) = it.page {
            b.int(&iri, cw::PAGE, p);
        }
        categories.insert(id.to_owned(), iri);
    }

    for (i, it) in file.subcategories.iter().enumerate() {
        let id = it.id.trim();
        let (func, nums) = match split_id(id) {
            Some((func, nums)) if nums.len() == 2 => (func, nums),
            _ => return Err(bad_id(&f.path, "subcategories", i, id, "GOVERN 1.1")),
        };
        let own_category = format!("{func} {}", nums[0]);
        let cat_name = it
            .category
            .as_deref()
            .map(str::trim)
            .unwrap_or(&own_category);
        if cat_name != own_category {
            out.warnings.push(format!(
                "{}: $.subcategories[{i}]: id {id} but category {cat_name} (parent taken from `category`)",
                f.path.display()
            ));
        }
        let Some(parent) = categories.get(cat_name) else {
            return Err(Error::parse(
                &f.path,
                format!("$.subcategories[{i}].category"),
                format!(
                    "subcategory {id} names category `{cat_name}`, which the file does not define"
                ),
            ));
        };
        let fpos = functions.get(func).map(|(_, p)| *p).ok_or_else(|| {
            Error::parse(
                &f.path,
                format!("$.subcategories[{i}].id"),
                format!("subcategory {id} belongs to no function the file defines"),
            )
        })?;
        let iri = ids::element_iri(doc_id, id);
        b.element(&iri, cw::SUBCATEGORY, &doc, id, id);
        if let Some(t) = &it.title {
            b.title(&iri, t);
        }
        b.text(&iri, cw::STATEMENT, &it.text);
        b.add(iri.clone(), cw::PARENT, parent.clone());
        b.text(
            &iri,
            cw::SORT_KEY,
            &format!("{fpos:02}.{:02}.{:02}", nums[0], nums[1]),
        );
        if let Some(p) = it.page {
            b.int(&iri, cw::PAGE, p);
        }
    }
    Ok(out)
}

fn bad_id(file: &Path, list: &str, i: usize, id: &str, example: &str) -> Error {
    Error::parse(
        file,
        format!("$.{list}[{i}].id"),
        format!("`{id}` is not an AI RMF id like `{example}`"),
    )
}
