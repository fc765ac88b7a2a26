//! SSSOM TSV (<https://mapping-commons.github.io/sssom/>): the `#`-prefixed YAML metadata
//! block, then one mapping per row. Ids resolve against the loaded catalogs by their label (the
//! printed id) or CURIE local part; a CURIE prefix that names a loaded scheme (`csf:GV.SC-07`,
//! `sp800-53:RA-9`) picks that scheme, otherwise the set's focal / reference scheme applies:
//! the loaded release `subject_source` / `object_source` names, else the command line's.
//! A user set takes its title, version, licence and creator from the metadata block.
//! The IR 8477 type is read from `predicate_label` when it names one (crosswalk's own export
//! writes it there), else from `predicate_id` (`skos:broadMatch` → subset of, …) and
//! `predicate_modifier: Not` (→ no relationship). IR 8477 details SSSOM has no slot for
//! (rationale, supportive property, strength) come from optional `rationale`,
//! `supportive_property`, `strength` columns, or from a `comment` of the form crosswalk exports
//! (`IR 8477 rationale: semantic; strength: 7`).
use super::context::{Ctx, FileMeta, Output, document};
use super::mapping::{self, Mapping};
use super::mapping::{doc_id_for, mapping_status, set_documents, set_id};
use crate::model::error::{Error, Result};
use crate::model::vocab::cw;
use std::collections::HashMap;

/// The SSSOM mapping-justification vocabulary's namespace.
pub const SEMAPV: &str = "https://w3id.org/semapv/vocab/";

const REQUIRED: &[&str] = &[
    "subject_id",
    "predicate_id",
    "object_id",
    "mapping_justification",
];

/// The metadata block and the line the table starts on (1-based).
fn split(text: &str) -> (String, usize, &str) {
    let mut yaml = String::new();
    let mut offset = 0;
    for (i, line) in text.split_inclusive('\n').enumerate() {
        if let Some(rest) = line.strip_prefix('#') {
            yaml.push_str(rest);
            offset += line.len();
        } else {
            return (yaml, i + 1, &text[offset..]);
        }
    }
    (yaml, text.lines().count() + 1, "")
}

/// How crosswalk's export introduces a set's licence note in the set's `comment` (its last
/// part, since the note may hold `;`); SSSOM's `license` must be an IRI.
pub const LICENCE_NOTE: &str = "licence: ";

/// What the metadata block says about the set: `mapping_set_title`, `mapping_set_version`,
/// the first `creator_label`, and the licence — the note crosswalk's export ends its
/// `comment` with, else the `license` IRI.
fn file_meta(meta: &serde_norway::Value) -> FileMeta {
    let text = |k: &str| meta.get(k).and_then(|v| v.as_str()).map(str::to_owned);
    let note = text("comment").and_then(|c| c.split_once(LICENCE_NOTE).map(|(_, l)| l.to_owned()));
    let creator = meta
        .get("creator_label")
        .and_then(|v| match v {
            serde_norway::Value::Sequence(s) => s.first().and_then(|x| x.as_str()),
            other => other.as_str(),
        })
        .map(str::to_owned);
    FileMeta {
        title: text("mapping_set_title"),
        version: text("mapping_set_version").filter(|v| v != "unversioned"),
        publisher: creator,
        license: note.or_else(|| text("license")),
    }
}

pub fn import(ctx: &Ctx<'_>) -> Result<Output> {
    let f = ctx.file(None)?;
    let text = std::str::from_utf8(&f.bytes)
        .map_err(|e| Error::parse(&f.path, "bytes", format!("not UTF-8: {e}")))?;
    let (yaml, first_line, table) = split(text);
    let meta: serde_norway::Value = if yaml.trim().is_empty() {
        serde_norway::Value::Null
    } else {
        serde_norway::from_str(&yaml).map_err(|e| {
            let line = e.location().map_or(1, |l| l.line());
            Error::parse(&f.path, format!("line {line} (metadata)"), e)
        })?
    };
    let mut curies: HashMap<String, String> = HashMap::new();
    if let Some(m) = meta.get("curie_map").and_then(|m| m.as_mapping()) {
        for (k, v) in m {
            if let (Some(k), Some(v)) = (k.as_str(), v.as_str()) {
                curies.insert(k.to_owned(), v.to_owned());
            }
        }
    }
    let doc_meta = &ctx.set_meta(file_meta(&meta));
    // `subject_source` / `object_source` (an IRI, or a CURIE of the curie_map) naming a loaded
    // document release pick the focal / reference scheme (and reference release); otherwise
    // the command line's schemes apply.
    let source = |key: &str| {
        let v = meta.get(key).and_then(|v| v.as_str())?;
        let iri = match v.split_once(':') {
            Some((p, l)) if !l.starts_with("//") => format!("{}{l}", curies.get(p)?),
            _ => v.to_owned(),
        };
        ctx.resolver.release_of_doc(&iri)
    };
    let focal = source("subject_source")
        .map(|(s, _)| s.to_owned())
        .or_else(|| doc_meta.focal.clone())
        .unwrap_or_else(|| "csf".into());
    let (reference, ref_version) = match source("object_source") {
        Some((s, v)) => (s.to_owned(), Some(v)),
        None => (
            doc_meta
                .reference
                .clone()
                .unwrap_or_else(|| "sp800-53".into()),
            doc_meta.reference_version.as_deref(),
        ),
    };

    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b'\t')
        .flexible(false)
        .from_reader(table.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| Error::parse(&f.path, format!("line {first_line}"), e))?
        .iter()
        .map(|h| h.trim().to_owned())
        .collect();
    let col = |name: &str| headers.iter().position(|h| h == name);
    for r in REQUIRED {
        if col(r).is_none() {
            return Err(Error::parse(
                &f.path,
                format!("line {first_line}"),
                format!(
                    "the SSSOM table has no `{r}` column (columns: {})",
                    headers.join(", ")
                ),
            ));
        }
    }

    let mut out = Output::default();
    let doc = document(&mut out.triples, doc_meta, ctx);
    out.documents.push(doc.clone());
    set_documents(
        &mut out,
        &doc,
        ctx.resolver,
        &focal,
        &reference,
        ref_version,
    );
    let status = mapping_status(doc_meta.status);
    let mut placeholders = mapping::Placeholders::default();
    for (i, rec) in reader.records().enumerate() {
        let line = first_line + 1 + i;
        let location = format!("line {line}");
        let rec = rec.map_err(|e| Error::parse(&f.path, &location, e))?;
        let get = |name: &str| {
            col(name)
                .and_then(|c| rec.get(c))
                .map(str::trim)
                .filter(|v| !v.is_empty())
        };
        let side = |id_col: &str,
                    label_col: &str,
                    default_scheme: &str,
                    default_version: Option<&str>,
                    is_object: bool| {
            let id = get(id_col).unwrap_or("");
            let (prefix, local) = match id.split_once(':') {
                Some((p, l)) if !l.starts_with("//") => (Some(p), l),
                _ => (None, id.rsplit('/').next().unwrap_or(id)),
            };
            // The IRI a CURIE expands to is not needed for resolution, but an unknown prefix
            // with no curie_map entry is a fault of the file.
            let known_prefix =
                prefix.is_none_or(|p| curies.contains_key(p) || ctx.resolver.has_scheme(p));
            let scheme = prefix
                .filter(|p| ctx.resolver.has_scheme(p))
                .unwrap_or(default_scheme);
            let version = if scheme == default_scheme {
                default_version
            } else {
                None
            };
            let printed = get(label_col).unwrap_or(local);
            (
                mapping::resolve_side(
                    ctx.resolver,
                    scheme,
                    version,
                    &doc_id_for(scheme, version),
                    printed,
                    is_object,
                ),
                known_prefix,
                id.to_owned(),
            )
        };
        let (subject, ok_s, sid) = side("subject_id", "subject_label", &focal, None, false);
        let (object, ok_o, oid) = side("object_id", "object_label", &reference, ref_version, true);
        if placeholders.skip(&[&subject.notation, &object.notation]) {
            continue;
        }
        for (ok, id) in [(ok_s, &sid), (ok_o, &oid)] {
            if !ok {
                return Err(Error::parse(
                    &f.path,
                    &location,
                    format!("`{id}`: its prefix is neither in the curie_map nor a loaded scheme"),
                ));
            }
        }
        for (s, what) in [(&subject, "subject"), (&object, "object")] {
            for flag in &s.flags {
                if *flag == cw::DANGLING_TARGET || *flag == cw::DANGLING_SUBJECT {
                    out.warnings.push(format!(
                        "{}: {location}: {what} `{}` is not defined by any loaded document (kept, flagged)",
                        f.path.display(),
                        s.notation
                    ));
                }
            }
        }
        let mut m = Mapping::related(
            format!("l{line}"),
            subject,
            object,
            status,
            location.clone(),
        )?;
        m.row = Some(line as i64);
        let predicate = get("predicate_id").unwrap_or("");
        let rel = if get("predicate_modifier") == Some("Not") {
            mapping::rel_by_term("NoRelationship")
        } else {
            get("predicate_label")
                .and_then(mapping::rel_type)
                .or_else(|| mapping::rel_type(predicate))
                .or_else(|| {
                    mapping::types()
                        .iter()
                        .find(|t| t.sssom == predicate && !t.sssom.is_empty())
                })
        };
        m.rel = rel.ok_or_else(|| {
            Error::parse(
                &f.path,
                &location,
                format!("unknown predicate `{predicate}` (and no IR 8477 type in predicate_label)"),
            )
        })?;
        let comment = get("comment");
        let from_comment = |key: &str| {
            comment.and_then(|c| {
                c.split(';').find_map(|part| {
                    part.trim()
                        .strip_prefix("IR 8477 ")
                        .unwrap_or(part.trim())
                        .strip_prefix(key)
                        .map(|v| v.trim_start_matches(':').trim().to_owned())
                })
            })
        };
        let rationale = get("rationale")
            .map(str::to_owned)
            .or_else(|| from_comment("rationale"));
        if let Some(r) = rationale {
            m.rationale = Some(mapping::rationale_iri(&r).ok_or_else(|| {
                Error::parse(&f.path, &location, format!("unknown rationale `{r}`"))
            })?);
        }
        let supportive = get("supportive_property")
            .map(str::to_owned)
            .or_else(|| from_comment("supportive property"));
        if let Some(p) = supportive {
            m.supportive_property =
                Some(mapping::supportive_property_iri(&p).ok_or_else(|| {
                    Error::parse(
                        &f.path,
                        &location,
                        format!("unknown supportive property `{p}`"),
                    )
                })?);
        }
        if let Some(s) = get("strength")
            .map(str::to_owned)
            .or_else(|| from_comment("strength"))
        {
            m.strength = Some(s.parse().map_err(|_| {
                Error::parse(
                    &f.path,
                    &location,
                    format!("strength `{s}` is not an integer"),
                )
            })?);
        }
        if let Some(c) = get("confidence") {
            m.confidence = Some(c.parse().map_err(|_| {
                Error::parse(
                    &f.path,
                    &location,
                    format!("confidence `{c}` is not a number"),
                )
            })?);
        }
        if let Some(j) = get("mapping_justification")
            && j != "semapv:ManualMappingCuration"
        {
            m.method = cw::AUTOMATION;
            // The semapv term itself (LexicalMatching, …) is kept: a review sheet of
            // `crosswalk suggest` says how each candidate was found.
            if let Some(local) = j.strip_prefix("semapv:")
                && let Ok(iri) = oxigraph::model::NamedNode::new(format!("{SEMAPV}{local}"))
            {
                m.justification = Some(iri);
            }
        }
        m.tool = match (get("mapping_tool"), get("mapping_tool_version")) {
            (Some(t), Some(v)) => Some(format!("{t} {v}")),
            (t, v) => t.or(v).map(str::to_owned),
        };
        for c in ["subject_match_field", "object_match_field"] {
            for f in get(c).into_iter().flat_map(|v| v.split('|')) {
                let f = f.trim();
                if !f.is_empty() && !m.match_fields.iter().any(|x| x == f) {
                    m.match_fields.push(f.to_owned());
                }
            }
        }
        m.match_string = get("match_string").map(str::to_owned);
        m.comment = comment.map(str::to_owned);
        mapping::emit(&mut out.triples, set_id(&doc_meta.id), &doc, &m);
    }
    out.warnings.extend(placeholders.warning(&f.path, None));
    Ok(out)
}
