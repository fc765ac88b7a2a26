//! NIST IR 8596 iprd, the Cyber AI Profile, from the xtksystems/visua extraction of its Tables
//! 1–6: one General and three focus-area `cw:ProfileEntry` per CSF 2.0 subcategory, and every
//! informative reference as a draft mapping (SP 800-53 resolved; the rest external elements).
use super::context::{Ctx, Output, document};
use super::mapping::{self, Mapping, Side};
use super::oscal::parse_json;
use crate::model::error::{Error, Result};
use crate::model::ids;
use crate::model::term::Builder;
use crate::model::vocab::{cw, dcterms, rdfs};
use oxigraph::model::NamedNode;
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// The CSF release IR 8596 iprd profiles. Preferred explicitly: other documents (the CSF 1.1 →
/// 2.0 transition set) share the `csf` scheme with a higher version number.
const CSF_VERSION: &str = "2.0";
const CSF_DOC: &str = "csf/2.0";
const SP800_53_DOC: &str = "sp800-53r5/5.2.0";

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ProfileFile {
    source: SourceInfo,
    focus_areas: Vec<FocusAreaJson>,
    priority_levels: Vec<PriorityLevel>,
    counts: Option<Counts>,
    entries: Vec<Entry>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SourceInfo {
    identifier: Option<String>,
    doi: Option<String>,
    draft_notice: Option<DraftNotice>,
}

#[derive(Deserialize)]
struct DraftNotice {
    text: String,
}

#[derive(Deserialize)]
struct FocusAreaJson {
    id: String,
    short: String,
    title: String,
    description: Option<String>,
    summary: Option<String>,
    page: Option<i64>,
}

#[derive(Deserialize)]
struct PriorityLevel {
    level: i64,
    label: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Counts {
    entries: Option<usize>,
    refs: Option<usize>,
    #[serde(default)]
    refs_by_scheme: BTreeMap<String, usize>,
}

#[derive(Deserialize)]
struct Entry {
    subcategory: String,
    page: Option<i64>,
    general: General,
    focus: BTreeMap<String, FocusCell>,
    refs: Vec<Ref>,
    #[serde(default)]
    footnotes: Vec<Footnote>,
}

#[derive(Deserialize)]
struct General {
    considerations: Option<String>,
    note: Option<String>,
    #[serde(default)]
    references: Vec<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct FocusCell {
    priority: i64,
    considerations: Option<String>,
    opportunities: Option<String>,
    #[serde(default)]
    references: Vec<String>,
    references_note: Option<String>,
}

#[derive(Deserialize)]
struct Ref {
    scheme: String,
    id: Option<String>,
    text: String,
    column: String,
    note: Option<String>,
}

#[derive(Deserialize)]
struct Footnote {
    marker: String,
    column: String,
    text: String,
}

/// The external scheme a reference scheme of the extraction points into.
struct ExtScheme {
    doc_id: &'static str,
    scheme: &'static str,
    title: &'static str,
    version: &'static str,
    /// Notation used when the draft cites the work as a whole (`id` is null).
    whole: Option<&'static str>,
}

fn ext_scheme(scheme: &str) -> Option<ExtScheme> {
    let (doc_id, s, title, version, whole) = match scheme {
        "atlas" => (
            "ext/mitre-atlas",
            "mitre-atlas",
            "MITRE ATLAS",
            "as cited",
            Some("ATLAS"),
        ),
        "dasf" => (
            "ext/databricks-dasf",
            "databricks-dasf",
            "Databricks AI Security Framework (DASF)",
            "as cited",
            None,
        ),
        "enisa" => (
            "ext/enisa-threat-landscape",
            "enisa-threat-landscape",
            "ENISA Threat Landscape",
            "2025",
            Some("ENISA Threat Landscape 2025"),
        ),
        "owasp-ai-exchange" => (
            "ext/owasp-ai-exchange",
            "owasp-ai-exchange",
            "OWASP AI Exchange",
            "as cited",
            None,
        ),
        "owasp-llm" => (
            "ext/owasp-llm-top-10",
            "owasp-llm-top-10",
            "OWASP Top 10 for LLM Applications",
            "as cited",
            None,
        ),
        "owasp-genai" => (
            "ext/owasp-genai",
            "owasp-genai",
            "OWASP GenAI Security Project",
            "as cited",
            None,
        ),
        "nist-ai-100-2" => (
            "ext/nist-ai-100-2",
            "nist-ai-100-2",
            "NIST AI 100-2e2025, Adversarial Machine Learning: A Taxonomy and Terminology of Attacks and Mitigations",
            "e2025",
            Some("NIST AI 100-2e2025"),
        ),
        "mitre-attack" => (
            "ext/mitre-attack",
            "mitre-attack",
            "MITRE ATT&CK",
            "as cited",
            Some("ATT&CK"),
        ),
        "other" => (
            "ext/other-references",
            "other-references",
            "Other references cited by NIST IR 8596 iprd",
            "as cited",
            None,
        ),
        "nist-ai-rmf" => (
            "ext/nist-ai-600-1",
            "nist-ai-600-1-cited",
            "NIST AI 600-1, Generative AI Profile",
            "as cited",
            None,
        ),
        _ => return None,
    };
    Some(ExtScheme {
        doc_id,
        scheme: s,
        title,
        version,
        whole,
    })
}

fn perr(file: &Path, location: String, message: impl ToString) -> Error {
    Error::parse(file, location, message)
}

pub fn import(ctx: &Ctx<'_>) -> Result<Output> {
    let f = ctx.file(None)?;
    let file: ProfileFile = parse_json(&f.path, &f.bytes)?;
    let meta = &ctx.source.document;
    let path = f.path.as_path();
    if !ctx.resolver.has_scheme("csf") {
        return Err(Error::NotFound(format!(
            "{}: the Cyber AI Profile profiles CSF 2.0, which is not loaded; load csf-2.0 first",
            path.display()
        )));
    }

    let mut out = Output::default();
    let b = &mut out.triples;
    let doc = document(b, meta, ctx);
    out.documents.push(doc.clone());
    if let Some(n) = &file.source.draft_notice {
        b.text(&doc, cw::NOTE, &n.text);
    }
    if let Some(i) = &file.source.identifier {
        b.text(&doc, dcterms::IDENTIFIER, i);
    }
    if let Some(d) = file
        .source
        .doi
        .as_deref()
        .and_then(|d| NamedNode::new(d).ok())
    {
        b.add(doc.clone(), rdfs::SEE_ALSO, d);
    }
    if let Some(res) = ctx.resolver.resolve("csf", Some(CSF_VERSION), "GV.OC-01") {
        b.add(doc.clone(), cw::PROFILE_OF, res.doc.clone());
        b.add(doc.clone(), cw::RESOLVED_AGAINST, res.doc.clone());
    }

    let labels: HashMap<i64, &str> = file
        .priority_levels
        .iter()
        .map(|p| (p.level, p.label.as_str()))
        .collect();

    // Focus areas, in the order the file lists them (Secure, Defend, Thwart).
    let mut areas: Vec<(&FocusAreaJson, NamedNode)> = Vec::new();
    for (i, fa) in file.focus_areas.iter().enumerate() {
        let iri = ids::element_iri(&meta.id, &fa.id);
        b.element(&iri, cw::FOCUS_AREA, &doc, &fa.short, &fa.id);
        b.title(&iri, &fa.title);
        b.text(&iri, cw::STATEMENT, fa.description.as_deref().unwrap_or(""));
        b.text(
            &iri,
            dcterms::DESCRIPTION,
            fa.summary.as_deref().unwrap_or(""),
        );
        b.text(&iri, cw::SORT_KEY, &format!("{:02}", i + 1));
        if let Some(p) = fa.page {
            b.int(&iri, cw::PAGE, p);
        }
        areas.push((fa, iri));
    }
    if areas.is_empty() {
        return Err(perr(path, "$.focusAreas".into(), "no focus areas"));
    }

    let mut ext_cache: HashMap<(String, String), NamedNode> = HashMap::new();
    let mut refs_by_scheme: BTreeMap<String, usize> = BTreeMap::new();
    let mut ref_total = 0usize;
    let mut unresolved: Vec<String> = Vec::new();
    let mut placeholders = mapping::Placeholders::default();

    for (ei, e) in file.entries.iter().enumerate() {
        let at = format!("$.entries[{ei}]");
        let sub = e.subcategory.trim();
        let subject =
            mapping::resolve_side(ctx.resolver, "csf", Some(CSF_VERSION), CSF_DOC, sub, false);
        if !subject.flags.is_empty() {
            unresolved.push(format!(
                "{at}.subcategory = {sub}: not in the loaded CSF release {CSF_VERSION}"
            ));
        }

        // General column.
        let general = ids::element_iri(&meta.id, &format!("{sub}/general"));
        b.element(
            &general,
            cw::PROFILE_ENTRY,
            &doc,
            &format!("{sub} General"),
            &format!("{sub}/general"),
        );
        b.title(&general, &format!("{sub} General Considerations"));
        b.add(general.clone(), cw::PROFILE_ENTRY_OF, subject.iri.clone());
        b.text(
            &general,
            cw::CONSIDERATIONS,
            e.general.considerations.as_deref().unwrap_or(""),
        );
        b.text(&general, cw::NOTE, e.general.note.as_deref().unwrap_or(""));
        for r in &e.general.references {
            b.text(&general, cw::REFERENCES, r);
        }
        b.text(&general, cw::SORT_KEY, &format!("{:03}.0", ei + 1));
        if let Some(p) = e.page {
            b.int(&general, cw::PAGE, p);
        }

        // Focus-area columns; their entries become the subjects of the column's references.
        let mut column_subject: HashMap<&str, Side> = HashMap::new();
        column_subject.insert("general", subject.clone());
        let mut column_entry: HashMap<&str, NamedNode> = HashMap::new();
        column_entry.insert("general", general.clone());
        for (ai, (fa, fa_iri)) in areas.iter().enumerate() {
            let cell = e.focus.get(&fa.id).ok_or_else(|| {
                perr(
                    path,
                    format!("{at}.focus"),
                    format!("missing focus area `{}`", fa.id),
                )
            })?;
            let label = labels.get(&cell.priority).ok_or_else(|| {
                perr(
                    path,
                    format!("{at}.focus.{}.priority", fa.id),
                    format!(
                        "priority {} is not one of the file's priorityLevels",
                        cell.priority
                    ),
                )
            })?;
            let local = format!("{sub}/{}", fa.id);
            let notation = format!("{sub} {}", fa.short);
            let iri = ids::element_iri(&meta.id, &local);
            b.element(&iri, cw::PROFILE_ENTRY, &doc, &notation, &local);
            b.title(&iri, &format!("{sub} {}: {}", fa.short, fa.title));
            b.add(iri.clone(), cw::PROFILE_ENTRY_OF, subject.iri.clone());
            b.add(iri.clone(), cw::FOCUS_AREA_PROP, fa_iri.clone());
            b.int(&iri, cw::PRIORITY, cell.priority);
            b.text(&iri, cw::PRIORITY_LABEL, label);
            b.text(
                &iri,
                cw::CONSIDERATIONS,
                cell.considerations.as_deref().unwrap_or(""),
            );
            b.text(
                &iri,
                cw::OPPORTUNITIES,
                cell.opportunities.as_deref().unwrap_or(""),
            );
            b.text(
                &iri,
                cw::NOTE,
                cell.references_note.as_deref().unwrap_or(""),
            );
            for r in &cell.references {
                b.text(&iri, cw::REFERENCES, r);
            }
            b.text(&iri, cw::SORT_KEY, &format!("{:03}.{}", ei + 1, ai + 1));
            if let Some(p) = e.page {
                b.int(&iri, cw::PAGE, p);
            }
            column_subject.insert(
                fa.id.as_str(),
                Side {
                    iri: iri.clone(),
                    notation,
                    flags: Vec::new(),
                    granularity: None,
                },
            );
            column_entry.insert(fa.id.as_str(), iri);
        }
        for extra in e
            .focus
            .keys()
            .filter(|k| !areas.iter().any(|(fa, _)| &fa.id == *k))
        {
            out.warnings.push(format!(
                "{}: {at}.focus.{extra}: not one of the file's focusAreas (ignored)",
                path.display()
            ));
        }

        for (fi, fnote) in e.footnotes.iter().enumerate() {
            let target = column_entry.get(fnote.column.as_str()).ok_or_else(|| {
                perr(
                    path,
                    format!("{at}.footnotes[{fi}].column"),
                    format!("unknown column `{}`", fnote.column),
                )
            })?;
            b.text(
                target,
                cw::NOTE,
                &format!("Footnote {}: {}", fnote.marker, fnote.text.trim()),
            );
        }

        for (ri, r) in e.refs.iter().enumerate() {
            let rat = format!("{at}.refs[{ri}]");
            let subj = column_subject.get(r.column.as_str()).ok_or_else(|| {
                perr(
                    path,
                    format!("{rat}.column"),
                    format!("unknown column `{}`", r.column),
                )
            })?;
            ref_total += 1;
            *refs_by_scheme.entry(r.scheme.clone()).or_default() += 1;
            let id = r.id.as_deref().map(str::trim).filter(|s| !s.is_empty());
            if placeholders.skip(&[id.unwrap_or(r.text.as_str())]) {
                continue;
            }
            let object = if r.scheme == "nist-sp-800-53" {
                let printed = id.unwrap_or(r.text.as_str());
                let side = mapping::resolve_side(
                    ctx.resolver,
                    "sp800-53",
                    None,
                    SP800_53_DOC,
                    printed,
                    true,
                );
                let release = ctx
                    .resolver
                    .resolve("sp800-53", None, printed)
                    .map_or("", |r| r.version);
                if side.flags.contains(&cw::DANGLING_TARGET) {
                    unresolved.push(format!(
                        "{rat}.id = {printed}: not defined by the loaded sp800-53 release {release}"
                    ));
                } else if side.flags.contains(&cw::WITHDRAWN_TARGET) {
                    unresolved.push(format!(
                        "{rat}.id = {printed}: withdrawn in the loaded sp800-53 release {release}"
                    ));
                }
                side
            } else {
                external_side(
                    b,
                    ctx,
                    &mut ext_cache,
                    &r.scheme,
                    id,
                    &r.text,
                    &mut out.warnings,
                    path,
                    &rat,
                )
            };
            let mut comment = Vec::new();
            if id.is_none_or(|i| i != r.text.trim()) {
                comment.push(format!("printed: {}", r.text.trim()));
            }
            if let Some(n) = r.note.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
                comment.push(format!("extraction note: {n}"));
            }
            let mut m = Mapping::related(
                format!("e{ei}-r{ri}"),
                subj.clone(),
                object,
                cw::DRAFT_MAPPING,
                format!("{rat} ({} column)", r.column),
            )?;
            m.method = cw::TRANSCRIPTION;
            m.comment = (!comment.is_empty()).then(|| comment.join("; "));
            mapping::emit(b, &meta.id, &doc, &m);
        }
    }

    for u in unresolved {
        out.warnings
            .push(format!("{}: {u} (kept, flagged)", path.display()));
    }
    out.warnings.extend(placeholders.warning(path, None));
    if let Some(c) = &file.counts {
        let mut check = |what: &str, stated: Option<usize>, got: usize| {
            if stated.is_some_and(|s| s != got) {
                out.warnings.push(format!(
                    "{}: $.counts says {} {what}, the file holds {got}",
                    path.display(),
                    stated.unwrap_or_default()
                ));
            }
        };
        check("entries", c.entries, file.entries.len());
        check("refs", c.refs, ref_total);
        if !c.refs_by_scheme.is_empty() && c.refs_by_scheme != refs_by_scheme {
            out.warnings.push(format!(
                "{}: $.counts.refsByScheme {:?} differs from the refs read {:?}",
                path.display(),
                c.refs_by_scheme,
                refs_by_scheme
            ));
        }
    }
    Ok(out)
}

/// The object of a non-SP 800-53 reference: an element of a loaded document when the draft
/// cites one (AI 600-1 actions), else an external element of the reference's scheme.
#[allow(clippy::too_many_arguments)]
fn external_side(
    b: &mut Builder,
    ctx: &Ctx<'_>,
    cache: &mut HashMap<(String, String), NamedNode>,
    scheme: &str,
    id: Option<&str>,
    text: &str,
    warnings: &mut Vec<String>,
    path: &Path,
    at: &str,
) -> Side {
    let ext = ext_scheme(scheme);
    let notation = match (id, ext.as_ref().and_then(|x| x.whole)) {
        (Some(i), _) => i.to_owned(),
        // Whole-work citations are printed with typos ("Theat", "202"); one element for all.
        (None, Some(w)) => w.to_owned(),
        (None, None) => text.trim().to_owned(),
    };
    if scheme == "nist-ai-rmf"
        && let Some(e) = ctx
            .resolver
            .resolve("ai-600-1", None, &notation)
            .and_then(|r| r.entry)
    {
        return Side {
            iri: e.iri.clone(),
            notation,
            flags: Vec::new(),
            granularity: None,
        };
    }
    let key = (scheme.to_owned(), notation.clone());
    let iri = match cache.get(&key) {
        Some(i) => i.clone(),
        None => {
            let i = match &ext {
                Some(x) => mapping::external_element(
                    b, x.doc_id, x.scheme, x.title, x.version, &notation, None,
                ),
                None => {
                    warnings.push(format!(
                        "{}: {at}.scheme: unknown reference scheme `{scheme}` (kept as an external scheme)",
                        path.display()
                    ));
                    let doc_id = format!("ext/{scheme}");
                    mapping::external_element(
                        b, &doc_id, scheme, scheme, "as cited", &notation, None,
                    )
                }
            };
            cache.insert(key, i.clone());
            i
        }
    };
    Side {
        iri,
        notation,
        flags: Vec::new(),
        granularity: None,
    }
}
