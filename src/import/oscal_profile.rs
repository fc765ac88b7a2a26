//! OSCAL profile JSON (SP 800-53B baselines), resolved against the loaded catalog of the scheme
//! it profiles: each selected id becomes `cw:inBaseline`; ids the catalog lacks are reported.
use super::context::{Ctx, Output, document};
use super::oscal::{ProfileFile, parse_json};
use crate::model::error::{Error, Result};
use crate::model::vocab::{cw, dcterms};

pub fn import(ctx: &Ctx<'_>) -> Result<Output> {
    let f = ctx.file(None)?;
    let file: ProfileFile = parse_json(&f.path, &f.bytes)?;
    let p = file.profile;
    let meta = &ctx.source.document;
    let scheme = meta.profile_of.as_deref().ok_or_else(|| {
        Error::Manifest(format!(
            "source {}: a baseline needs document.profile_of",
            ctx.source.id
        ))
    })?;
    let mut out = Output::default();
    let doc = document(&mut out.triples, meta, ctx);
    out.triples.text(&doc, dcterms::IDENTIFIER, &p.uuid);
    out.triples
        .text(&doc, dcterms::MODIFIED, &p.metadata.last_modified);
    out.documents.push(doc.clone());

    let mut selected = 0usize;
    let mut missing = Vec::new();
    for (i, imp) in p.imports.iter().enumerate() {
        if imp.include_all.is_some() {
            out.warnings.push(format!(
                "{}: $.profile.imports[{i}] uses include-all, which crosswalk does not expand",
                f.path.display()
            ));
        }
        for (j, sel) in imp.include_controls.iter().enumerate() {
            for (k, id) in sel.with_ids.iter().enumerate() {
                let Some(res) = ctx
                    .resolver
                    .resolve(scheme, meta.reference_version.as_deref(), id)
                else {
                    return Err(Error::NotFound(format!(
                        "{}: baseline {} selects from `{scheme}`, but no release of it is loaded; load the catalog first",
                        f.path.display(),
                        meta.id
                    )));
                };
                if selected == 0 && missing.is_empty() {
                    out.triples
                        .add(doc.clone(), cw::RESOLVED_AGAINST, res.doc.clone());
                    out.triples
                        .add(doc.clone(), cw::PROFILE_OF, res.doc.clone());
                }
                match res.entry {
                    Some(e) => {
                        selected += 1;
                        out.triples.add(e.iri.clone(), cw::IN_BASELINE, doc.clone());
                    }
                    None => missing.push(format!(
                        "$.profile.imports[{i}].include-controls[{j}].with-ids[{k}] = {id}"
                    )),
                }
            }
        }
    }
    for m in missing {
        out.warnings.push(format!(
            "{}: {m}: not in the loaded {scheme} catalog (not selected)",
            f.path.display()
        ));
    }
    Ok(out)
}
