//! OSCAL control mapping (`mapping-collection`, OSCAL 1.2): one mapping per (source, target)
//! pair of every `maps` entry. The IR 8477 type is read from the entry's
//! `ir8477-relationship` prop when present (crosswalk's export writes it, since OSCAL's
//! relationship vocabulary cannot tell a concept crosswalk from an intersection), else from
//! `relationship`; `matching-rationale` gives the rationale. A map with one source and one
//! target keeps its `uuid` (`dcterms:identifier` of the mapping), which an export writes back.
//! A user set takes its title, version, licence (the `license` prop) and creator (the party
//! in the `creator` role) from the collection's metadata. Errors name the JSON path.
use super::context::{Ctx, FileMeta, Output, document};
use super::mapping::{self, Mapping};
use super::mapping::{doc_id_for, mapping_status, set_documents, set_id};
use crate::model::error::{Error, Result};
use crate::model::vocab::dcterms;
use serde_json::Value;

/// The prop name (namespace `https://w3id.org/crosswalk/ontology`) carrying the IR 8477 type.
pub const PROP: &str = "ir8477-relationship";
pub const NS: &str = "https://w3id.org/crosswalk/ontology";
/// The metadata prop (namespace [`NS`]) carrying the set's licence note.
pub const LICENSE_PROP: &str = "license";

/// What the collection's metadata says about the set.
fn file_meta(mc: &Value) -> FileMeta {
    let md = &mc["metadata"];
    let text = |v: &Value| v.as_str().map(str::to_owned);
    let license = md["props"].as_array().and_then(|ps| {
        ps.iter()
            .find(|p| p["name"] == LICENSE_PROP && p["ns"] == NS)
            .and_then(|p| text(&p["value"]))
    });
    // The creator: the first party named in the `creator` role.
    let creator = md["responsible-parties"]
        .as_array()
        .and_then(|rs| rs.iter().find(|r| r["role-id"] == "creator"))
        .and_then(|r| r["party-uuids"].as_array())
        .and_then(|ids| ids.first())
        .and_then(|id| {
            md["parties"]
                .as_array()?
                .iter()
                .find(|p| p["uuid"] == *id)
                .and_then(|p| text(&p["name"]))
        });
    FileMeta {
        title: text(&md["title"]),
        version: text(&md["version"]).filter(|v| v != "unversioned"),
        publisher: creator,
        license,
    }
}

fn rel_for_oscal(r: &str) -> Option<&'static str> {
    Some(match r {
        "equal-to" => "Equal",
        "equivalent-to" => "Equivalent",
        "subset-of" => "SubsetOf",
        "superset-of" => "SupersetOf",
        "intersects-with" => "IntersectsWith",
        "no-relationship" => "NoRelationship",
        _ => return None,
    })
}

pub fn import(ctx: &Ctx<'_>) -> Result<Output> {
    let f = ctx.file(None)?;
    let root: Value = serde_json::from_slice(&f.bytes)
        .map_err(|e| Error::parse(&f.path, format!("line {}", e.line()), e))?;
    let mc = root.get("mapping-collection").ok_or_else(|| {
        Error::parse(
            &f.path,
            "$",
            "no `mapping-collection` (not an OSCAL mapping)",
        )
    })?;
    let maps_list = mc
        .get("mappings")
        .and_then(Value::as_array)
        .ok_or_else(|| Error::parse(&f.path, "$.mapping-collection", "no `mappings` array"))?;
    let meta = &ctx.set_meta(file_meta(mc));
    let focal = meta.focal.clone().unwrap_or_else(|| "csf".into());
    let reference = meta.reference.clone().unwrap_or_else(|| "sp800-53".into());
    let ref_version = meta.reference_version.as_deref();
    let mut out = Output::default();
    let doc = document(&mut out.triples, meta, ctx);
    out.documents.push(doc.clone());
    if let Some(u) = mc.get("uuid").and_then(Value::as_str) {
        out.triples.text(&doc, dcterms::IDENTIFIER, u);
    }
    set_documents(
        &mut out,
        &doc,
        ctx.resolver,
        &focal,
        &reference,
        ref_version,
    );
    let status = mapping_status(meta.status);
    let mut n = 0usize;
    let mut placeholders = mapping::Placeholders::default();
    for (i, m) in maps_list.iter().enumerate() {
        let maps = m.get("maps").and_then(Value::as_array).ok_or_else(|| {
            Error::parse(
                &f.path,
                format!("$.mapping-collection.mappings[{i}]"),
                "no `maps` array",
            )
        })?;
        for (j, entry) in maps.iter().enumerate() {
            let path = format!("$.mapping-collection.mappings[{i}].maps[{j}]");
            let ids = |key: &str| -> Result<Vec<String>> {
                entry
                    .get(key)
                    .and_then(Value::as_array)
                    .ok_or_else(|| Error::parse(&f.path, &path, format!("no `{key}` array")))?
                    .iter()
                    .enumerate()
                    .map(|(k, s)| {
                        s.get("id-ref")
                            .and_then(Value::as_str)
                            .map(str::to_owned)
                            .ok_or_else(|| {
                                Error::parse(&f.path, format!("{path}.{key}[{k}]"), "no `id-ref`")
                            })
                    })
                    .collect()
            };
            let prop = entry
                .get("props")
                .and_then(Value::as_array)
                .and_then(|ps| {
                    ps.iter()
                        .find(|p| p.get("name").and_then(Value::as_str) == Some(PROP))
                })
                .and_then(|p| p.get("value").and_then(Value::as_str));
            let rel_text = entry
                .get("relationship")
                .and_then(Value::as_str)
                .unwrap_or("");
            let rel = prop
                .and_then(mapping::rel_by_term)
                .or_else(|| rel_for_oscal(rel_text).and_then(mapping::rel_by_term))
                .ok_or_else(|| {
                    Error::parse(
                        &f.path,
                        format!("{path}.relationship"),
                        format!("unknown relationship `{rel_text}`"),
                    )
                })?;
            let rationale = entry.get("matching-rationale").and_then(Value::as_str);
            let (sources, targets) = (ids("sources")?, ids("targets")?);
            // A map's uuid identifies one mapping only when the map is one pair.
            let uuid = entry
                .get("uuid")
                .and_then(Value::as_str)
                .filter(|_| sources.len() == 1 && targets.len() == 1);
            for s in &sources {
                for t in &targets {
                    n += 1;
                    if placeholders.skip(&[s, t]) {
                        continue;
                    }
                    let subject = mapping::resolve_side(
                        ctx.resolver,
                        &focal,
                        None,
                        &doc_id_for(&focal, None),
                        s,
                        false,
                    );
                    let object = mapping::resolve_side(
                        ctx.resolver,
                        &reference,
                        ref_version,
                        &doc_id_for(&reference, ref_version),
                        t,
                        true,
                    );
                    let mut mm =
                        Mapping::related(format!("m{n}"), subject, object, status, path.clone())?;
                    mm.rel = rel;
                    if let Some(r) = rationale {
                        mm.rationale = Some(mapping::rationale_iri(r).ok_or_else(|| {
                            Error::parse(
                                &f.path,
                                format!("{path}.matching-rationale"),
                                format!("unknown rationale `{r}`"),
                            )
                        })?);
                    }
                    if let Some(r) = entry.get("remarks").and_then(Value::as_str) {
                        mm.comment = Some(r.to_owned());
                    }
                    let n = mapping::emit(&mut out.triples, set_id(&meta.id), &doc, &mm);
                    if let Some(u) = uuid {
                        out.triples.text(&n, dcterms::IDENTIFIER, u);
                    }
                }
            }
        }
    }
    out.warnings.extend(placeholders.warning(&f.path, None));
    Ok(out)
}
