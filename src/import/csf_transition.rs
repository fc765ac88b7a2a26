//! The CSF 1.1 → 2.0 transition as a mapping set: each withdrawn element of the CSF 2.0 OSCAL
//! catalog links to where it went (`incorporated_into` / `moved_to`); each link becomes a
//! concept-crosswalk mapping from the withdrawn element to its target, both in the catalog.
use super::context::{Ctx, Output, document};
use super::mapping::{self, Mapping};
use super::mapping::{flag_warnings, mapping_status, resolved_doc, set_id};
use super::oscal::{CatalogFile, Control, Group, Link, Prop, parse_json, prop};
use crate::model::error::Result;
use crate::model::ids;
use crate::model::vocab::cw;

/// A withdrawn element's link, with the JSON path it was read at.
struct Moved {
    from: String,
    rel: &'static str,
    to: String,
    path: String,
}

fn links(id: &str, props: &[Prop], ls: &[Link], path: &str, out: &mut Vec<Moved>) {
    if prop(props, "status") != Some("withdrawn") {
        return;
    }
    for (i, l) in ls.iter().enumerate() {
        let rel = match l.rel.as_deref() {
            Some("incorporated_into" | "incorporated-into") => "incorporated into",
            Some("moved_to" | "moved-to") => "moved to",
            _ => continue,
        };
        out.push(Moved {
            from: id.to_owned(),
            rel,
            to: l.href.trim_start_matches('#').to_owned(),
            path: format!("{path}.links[{i}]"),
        });
    }
}

fn walk_controls(cs: &[Control], path: &str, out: &mut Vec<Moved>) {
    for (i, c) in cs.iter().enumerate() {
        let p = format!("{path}.controls[{i}]");
        links(&c.id, &c.props, &c.links, &p, out);
        walk_controls(&c.controls, &p, out);
    }
}

fn walk_groups(gs: &[Group], path: &str, out: &mut Vec<Moved>) {
    for (i, g) in gs.iter().enumerate() {
        let p = format!("{path}.groups[{i}]");
        if let Some(id) = &g.id {
            links(id, &g.props, &g.links, &p, out);
        }
        walk_groups(&g.groups, &p, out);
        walk_controls(&g.controls, &p, out);
    }
}

pub fn import(ctx: &Ctx<'_>) -> Result<Output> {
    let f = ctx.file(None)?;
    let file: CatalogFile = parse_json(&f.path, &f.bytes)?;
    let meta = &ctx.source.document;
    let focal = meta.focal.as_deref().unwrap_or("csf");
    let reference = meta.reference.as_deref().unwrap_or("csf");
    let csf_doc_id = "csf/2.0";

    let mut moved = Vec::new();
    walk_groups(&file.catalog.groups, "$.catalog", &mut moved);
    walk_controls(&file.catalog.controls, "$.catalog", &mut moved);

    let mut out = Output::default();
    let doc = document(&mut out.triples, meta, ctx);
    let csf = resolved_doc(ctx.resolver, reference, None);
    let csf_iri = csf.clone().unwrap_or_else(|| ids::doc_iri(csf_doc_id));
    out.triples
        .add(doc.clone(), cw::FOCAL_DOCUMENT, csf_iri.clone());
    out.triples
        .add(doc.clone(), cw::REFERENCE_DOCUMENT, csf_iri);
    if let Some(d) = csf {
        out.triples.add(doc.clone(), cw::RESOLVED_AGAINST, d);
    }
    out.documents.push(doc.clone());
    let status = mapping_status(meta.status);

    let mut seen = std::collections::HashMap::<String, usize>::new();
    for mv in moved {
        let subject = mapping::resolve_side(ctx.resolver, focal, None, csf_doc_id, &mv.from, false);
        let object = mapping::resolve_side(ctx.resolver, reference, None, csf_doc_id, &mv.to, true);
        let pair = format!("{} {} {}", mv.from, mv.rel, mv.to);
        flag_warnings(&mut out, f, &mv.path, &pair, &subject, focal);
        flag_warnings(&mut out, f, &mv.path, &pair, &object, reference);
        // Keys read as the link they came from: `ID.AM-06-1`, `ID.AM-06-2`.
        let n = seen.entry(mv.from.clone()).or_insert(0);
        *n += 1;
        let mut m = Mapping::related(format!("{}-{n}", mv.from), subject, object, status, mv.path)?;
        m.comment = Some(mv.rel.to_owned());
        mapping::emit(&mut out.triples, set_id(&meta.id), &doc, &m);
    }
    Ok(out)
}
