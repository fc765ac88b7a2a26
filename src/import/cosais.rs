//! COSAiS (SP 800-53 Control Overlays for Securing AI Systems), the Predictive-AI annotated
//! outline of January 2026, from the xtksystems/visua extraction: one `cw:OverlayEntry` per
//! control named, and `cw:inBaseline` from each resolved SP 800-53 control to the overlay.
use super::context::{Ctx, Output, document};
use super::mapping;
use super::oscal::parse_json;
use crate::model::error::{Error, Result};
use crate::model::ids;
use crate::model::vocab::{cw, dcterms};
use serde::Deserialize;
use std::sync::LazyLock;

const SP800_53_DOC: &str = "sp800-53r5/5.2.0";

#[derive(Deserialize)]
struct CosaisFile {
    status: Option<String>,
    overlays: Vec<Overlay>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Overlay {
    id: String,
    title: Option<String>,
    subtitle: Option<String>,
    note: Option<String>,
    summary_table_note: Option<String>,
    controls: Vec<Control>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Control {
    id: String,
    id_as_printed: Option<String>,
    title: Option<String>,
    title_as_printed: Option<TitleAsPrinted>,
    #[serde(default)]
    in_summary_table: bool,
    #[serde(default)]
    annotated: bool,
    #[serde(default)]
    proposed_additional: bool,
    lifecycle_phases: Option<Vec<String>>,
    tailoring: Option<Tailoring>,
    annotation: Option<Annotation>,
    page: Option<i64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TitleAsPrinted {
    summary_table: Option<String>,
    annotation: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Tailoring {
    #[serde(default)]
    control_requirement: bool,
    #[serde(default)]
    organization_defined_parameter: bool,
    #[serde(default)]
    discussion: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Annotation {
    selected_in_moderate_baseline: Option<String>,
    #[serde(default)]
    lifecycle_phases: Vec<String>,
    assumptions: Option<String>,
    control_tailoring: Option<String>,
    #[serde(default)]
    control_tailoring_sections: Vec<Section>,
    #[serde(default)]
    attack_ids_normalized: Vec<String>,
    text: Option<String>,
    page: Option<i64>,
}

#[derive(Deserialize)]
struct Section {
    label: String,
    text: String,
}

/// NIST AI 100-2e2025 attack ids as printed in the annotations (`NIST AML.011`, `NISTAML.022`).
static ATTACK_ID: LazyLock<regex::Regex> =
    LazyLock::new(|| regex::Regex::new(r"NIST\s*AML\.(\d+)").expect("static regex"));

pub fn import(ctx: &Ctx<'_>) -> Result<Output> {
    let f = ctx.file(None)?;
    let file: CosaisFile = parse_json(&f.path, &f.bytes)?;
    let meta = &ctx.source.document;
    let path = f.path.as_path();
    if !ctx.resolver.has_scheme("sp800-53") {
        return Err(Error::NotFound(format!(
            "{}: the COSAiS overlay tailors SP 800-53, which is not loaded; load sp800-53r5-5.2.0 first",
            path.display()
        )));
    }
    let Some(overlay) = file.overlays.first() else {
        return Err(Error::parse(path, "$.overlays", "no overlay"));
    };

    let mut out = Output::default();
    let b = &mut out.triples;
    let doc = document(b, meta, ctx);
    out.documents.push(doc.clone());
    if let Some(s) = &file.status {
        b.text(&doc, cw::NOTE, s);
    }
    b.text(&doc, cw::NOTE, overlay.note.as_deref().unwrap_or(""));
    b.text(
        &doc,
        cw::NOTE,
        overlay.summary_table_note.as_deref().unwrap_or(""),
    );
    b.text(&doc, dcterms::IDENTIFIER, &overlay.id);
    if let Some(t) = &overlay.title {
        let d = match &overlay.subtitle {
            Some(s) => format!("{t} — {s}"),
            None => t.clone(),
        };
        b.text(&doc, dcterms::DESCRIPTION, &d);
    }
    if let Some(res) = ctx.resolver.resolve("sp800-53", None, "AC-1") {
        b.add(doc.clone(), cw::PROFILE_OF, res.doc.clone());
        b.add(doc.clone(), cw::RESOLVED_AGAINST, res.doc.clone());
    }
    if file.overlays.len() > 1 {
        out.warnings.push(format!(
            "{}: $.overlays holds {} overlays; only $.overlays[0] ({}) is the predictive-AI outline this source describes",
            path.display(),
            file.overlays.len(),
            overlay.id
        ));
    }

    for (i, c) in overlay.controls.iter().enumerate() {
        let at = format!("$.overlays[0].controls[{i}]");
        let id = c.id.trim();
        if id.is_empty() {
            return Err(Error::parse(path, format!("{at}.id"), "empty control id"));
        }
        let side = mapping::resolve_side(ctx.resolver, "sp800-53", None, SP800_53_DOC, id, true);
        let resolved = !side.flags.contains(&cw::DANGLING_TARGET);
        if resolved {
            b.add(side.iri.clone(), cw::IN_BASELINE, doc.clone());
        } else {
            out.warnings.push(format!(
                "{}: {at}.id = {id}: not in the loaded SP 800-53 release (entry kept, not cw:inBaseline)",
                path.display()
            ));
        }
        if side.flags.contains(&cw::WITHDRAWN_TARGET) {
            out.warnings.push(format!(
                "{}: {at}.id = {id}: withdrawn in the loaded SP 800-53 release",
                path.display()
            ));
        }

        let canon = ids::canonical_notation(id);
        let e = ids::element_iri(&meta.id, &canon);
        b.element(
            &e,
            cw::OVERLAY_ENTRY,
            &doc,
            &format!("{canon} (COSAiS predictive AI)"),
            &canon,
        );
        if let Some(t) = &c.title {
            b.title(&e, &format!("{canon} {}", t.trim()));
        }
        b.add(e.clone(), cw::OVERLAY_ENTRY_OF, side.iri.clone());
        b.text(&e, cw::SORT_KEY, &format!("{:03}", i + 1));
        if let Some(p) = c.annotation.as_ref().and_then(|a| a.page).or(c.page) {
            b.int(&e, cw::PAGE, p);
        }
        if c.id_as_printed.as_deref().is_some_and(|p| p.trim() != id) {
            b.text(
                &e,
                cw::NOTE,
                &format!("Printed as {}", c.id_as_printed.as_deref().unwrap_or("")),
            );
        }
        if c.proposed_additional {
            b.text(
                &e,
                cw::NOTE,
                "Proposed additional control: listed by the outline without annotation",
            );
        }
        match (c.in_summary_table, c.annotated) {
            (true, true) => b.text(&e, cw::NOTE, "In the outline's summary table and annotated"),
            (true, false) => b.text(&e, cw::NOTE, "In the outline's summary table"),
            (false, true) => b.text(&e, cw::NOTE, "Annotated in the outline"),
            (false, false) => {}
        }
        if let Some(tp) = &c.title_as_printed {
            for (where_, t) in [
                ("summary table", &tp.summary_table),
                ("annotation", &tp.annotation),
            ] {
                if let Some(t) = t {
                    b.text(&e, cw::NOTE, &format!("Title printed in the {where_}: {t}"));
                }
            }
        }

        // Lifecycle phases: the summary table's and the annotation's, which differ for some
        // controls in the outline itself; both are kept.
        let table = c.lifecycle_phases.clone().unwrap_or_default();
        let annotated = c
            .annotation
            .as_ref()
            .map(|a| a.lifecycle_phases.clone())
            .unwrap_or_default();
        let mut phases: Vec<&str> = Vec::new();
        for p in table.iter().chain(annotated.iter()).map(|p| p.trim()) {
            if !p.is_empty() && !phases.contains(&p) {
                phases.push(p);
            }
        }
        for p in &phases {
            b.text(&e, cw::LIFECYCLE_PHASE, p);
        }
        if c.lifecycle_phases.is_some() && c.annotation.is_some() && table != annotated {
            out.warnings.push(format!(
                "{}: {at}: lifecycle phases differ between the summary table ({}) and the annotation ({}); both kept",
                path.display(),
                table.join(", "),
                annotated.join(", ")
            ));
        }

        if let Some(t) = &c.tailoring {
            let mut what = Vec::new();
            if t.control_requirement {
                what.push("control requirement");
            }
            if t.organization_defined_parameter {
                what.push("organization-defined parameters");
            }
            if t.discussion {
                what.push("discussion");
            }
            if !what.is_empty() {
                b.text(&e, cw::NOTE, &format!("Tailored: {}", what.join(", ")));
            }
        }

        if let Some(a) = &c.annotation {
            let tailoring = match &a.control_tailoring {
                Some(t) if !t.trim().is_empty() => t.trim().to_owned(),
                _ => a
                    .control_tailoring_sections
                    .iter()
                    .map(|s| format!("[{}] {}", s.label, s.text))
                    .collect::<Vec<_>>()
                    .join("\n"),
            };
            b.text(&e, cw::TAILORING, &tailoring);
            if let Some(s) = &a.selected_in_moderate_baseline {
                b.text(
                    &e,
                    cw::NOTE,
                    &format!("Selected in SP 800-53B Moderate Baseline: {s}"),
                );
            }
            if let Some(s) = &a.assumptions {
                b.text(&e, cw::NOTE, &format!("Assumptions: {s}"));
            }
            let mut attacks: Vec<String> = Vec::new();
            let printed = ATTACK_ID
                .captures_iter(a.text.as_deref().unwrap_or(""))
                .map(|m| format!("NISTAML.{}", &m[1]));
            for x in a
                .attack_ids_normalized
                .iter()
                .map(|s| s.trim().to_owned())
                .chain(printed)
            {
                if !x.is_empty() && !attacks.contains(&x) {
                    attacks.push(x);
                }
            }
            for x in &attacks {
                b.text(&e, cw::ATTACK_ID, x);
            }
        }
    }
    Ok(out)
}
