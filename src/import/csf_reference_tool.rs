//! The CSF 2.0 Reference Tool export (`csf2.xlsx`, sheet "CSF 2.0"): every informative
//! reference line `<shortName>: <id>` of every function, category and subcategory becomes a
//! concept-crosswalk mapping. Each dataset (short name) is its own mapping set; all sets and
//! the umbrella document live in this one source graph.
use super::context::{Ctx, Output, document};
use super::mapping::{self, Mapping, Side};
use super::mapping::{flag_warnings, mapping_status, resolved_doc, set_id};
use super::sheet::{cell, find_header, read_sheet, sheet_row};
use crate::model::error::{Error, Result};
use crate::model::ids;
use crate::model::term::Builder;
use crate::model::vocab::{cw, dcterms};
use crate::source::manifest::DocumentMeta;
use oxigraph::model::NamedNode;
use std::collections::{BTreeMap, HashSet};
use std::sync::LazyLock;

/// The datasets of the 2026-02-16 export; a line's dataset is the longest of these it starts
/// with (ids may contain ": " themselves), else the text before the first ": ".
const KNOWN: &[&str] = &[
    "NICE Framework",
    "SP 800-53 Rev 5.2.0",
    "SP 800-53 Rev 5.1.1",
    "CCMv4.0",
    "PCI DSS",
    "ISO/IEC 27001:2022",
    "SCF",
    "CRI Profile v2.0",
    "SP 800-171 Rev 3",
    "SP-800-37 Rev 2",
    "CSF v1.1",
    "SP 800-221A",
    "CIS Controls v8.1",
    "CoP",
    "CIS Controls v8.0",
    "IRP",
    "SP 800-218",
];

/// Splits a reference line into (dataset, id); `None` when it has no `name: id` shape.
pub fn split_line(line: &str) -> Option<(&str, &str)> {
    let line = line.trim();
    let known = KNOWN
        .iter()
        .filter(|k| {
            line.len() > k.len() + 1 && line.starts_with(*k) && line[k.len()..].starts_with(": ")
        })
        .max_by_key(|k| k.len());
    let (name, rest) = match known {
        Some(k) => (&line[..k.len()], &line[k.len() + 2..]),
        None => line.split_once(": ")?,
    };
    let (name, id) = (name.trim(), rest.trim());
    (!name.is_empty() && !id.is_empty()).then_some((name, id))
}

/// `ISO/IEC 27001:2022` → `iso-iec-27001-2022`.
pub fn slug(name: &str) -> String {
    let mut s = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            s.push(c.to_ascii_lowercase());
        } else if !s.ends_with('-') {
            s.push('-');
        }
    }
    s.trim_matches('-').to_owned()
}

static SP800_53: LazyLock<regex::Regex> =
    LazyLock::new(|| regex::Regex::new(r"^SP 800-53 Rev (5\.\d+\.\d+)$").expect("static regex"));
static VERSION: LazyLock<regex::Regex> =
    LazyLock::new(|| regex::Regex::new(r"(?:v|Rev |:)(\d+(?:\.\d+)*)$").expect("static regex"));

/// What the ids of one dataset are resolved against.
enum Target {
    /// A loaded NIST catalog: resolved, dangling ids flagged.
    Sp80053 { version: String },
    /// Not loaded: lightweight external elements.
    External {
        doc_id: String,
        scheme: String,
        version: String,
    },
}

struct Dataset {
    name: String,
    slug: String,
    target: Target,
    mappings: Vec<Mapping>,
    placeholders: mapping::Placeholders,
}

impl Dataset {
    fn new(name: &str) -> Self {
        let slug = slug(name);
        let target = if let Some(c) = SP800_53.captures(name) {
            Target::Sp80053 {
                version: c[1].to_owned(),
            }
        } else if name == "CSF v1.1" {
            Target::External {
                doc_id: "ext/csf-1.1".into(),
                scheme: "csf-1.1".into(),
                version: "1.1".into(),
            }
        } else {
            let version = VERSION
                .captures(name)
                .map(|c| c[1].to_owned())
                .unwrap_or_default();
            Target::External {
                doc_id: format!("ext/{slug}"),
                scheme: slug.clone(),
                version,
            }
        };
        Dataset {
            name: name.to_owned(),
            slug,
            target,
            mappings: Vec::new(),
            placeholders: mapping::Placeholders::default(),
        }
    }

    fn reference_doc_id(&self) -> String {
        match &self.target {
            Target::Sp80053 { version } => format!("sp800-53r5/{version}"),
            Target::External { doc_id, .. } => doc_id.clone(),
        }
    }
}

/// NIST's own datasets; the others were contributed to OLIR by third parties.
fn is_nist(name: &str) -> bool {
    ["SP ", "SP-", "CSF ", "NICE "]
        .iter()
        .any(|p| name.starts_with(p))
}

/// The element id of a Function / Category / Subcategory cell: `GOVERN (GV): …` → `GV`,
/// `GV.OC-01: …` → `GV.OC-01`.
pub fn element_id(text: &str) -> Option<&str> {
    let head = text.split(':').next()?.trim();
    let id = match (head.rfind('('), head.ends_with(')')) {
        (Some(i), true) => head[i + 1..head.len() - 1].trim(),
        _ => head,
    };
    (!id.is_empty()).then_some(id)
}

pub fn import(ctx: &Ctx<'_>) -> Result<Output> {
    let f = ctx.file(None)?;
    let meta = &ctx.source.document;
    let sheet = ctx
        .source
        .options
        .get("sheet")
        .and_then(|v| v.as_str())
        .unwrap_or("CSF 2.0");
    let focal = meta.focal.as_deref().unwrap_or("csf");
    let focal_doc_id = "csf/2.0";
    let range = read_sheet(f, sheet)?;
    const HEADERS: [&str; 4] = [
        "function",
        "category",
        "subcategory",
        "informative references",
    ];
    let (header, hs) = find_header(&range, |hs| {
        HEADERS.iter().all(|h| hs.iter().any(|x| x == h))
    })
    .ok_or_else(|| {
        Error::parse(
            &f.path,
            format!("sheet '{sheet}'"),
            "no header row with Function, Category, Subcategory and Informative References",
        )
    })?;
    let col = |h: &str| hs.iter().position(|x| x == h).unwrap_or(0);
    let element_cols = [col("function"), col("category"), col("subcategory")];
    let refs_col = col("informative references");

    let mut out = Output::default();
    let umbrella = document(&mut out.triples, meta, ctx);
    let focal_iri =
        resolved_doc(ctx.resolver, focal, None).unwrap_or_else(|| ids::doc_iri(focal_doc_id));
    out.triples
        .add(umbrella.clone(), cw::FOCAL_DOCUMENT, focal_iri.clone());
    out.documents.push(umbrella.clone());
    let status = mapping_status(meta.status);

    let mut sets: BTreeMap<String, Dataset> = BTreeMap::new();
    let mut declared: HashSet<NamedNode> = HashSet::new();
    let mut ext = Builder::default();
    for r in header + 1..range.height() {
        let refs = cell(&range, r, refs_col);
        if refs.trim().is_empty() {
            continue;
        }
        let n = sheet_row(&range, r);
        // The most specific non-empty column names the row's element.
        let Some(el_text) = element_cols
            .iter()
            .rev()
            .map(|&c| cell(&range, r, c))
            .find(|t| !t.trim().is_empty())
        else {
            return Err(Error::parse(
                &f.path,
                format!("sheet '{sheet}' row {n}"),
                "informative references without a Function, Category or Subcategory",
            ));
        };
        let Some(el_id) = element_id(&el_text) else {
            return Err(Error::parse(
                &f.path,
                format!("sheet '{sheet}' row {n}"),
                "no element id before ':'",
            ));
        };
        let subject = mapping::resolve_side(ctx.resolver, focal, None, focal_doc_id, el_id, false);
        if !subject.flags.is_empty() {
            flag_warnings(
                &mut out,
                f,
                &format!("sheet '{sheet}' row {n}"),
                el_id,
                &subject,
                focal,
            );
        }
        for (k, line) in refs.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let k = k + 1;
            let location = format!("sheet '{sheet}' row {n} line {k}");
            let Some((name, id)) = split_line(line) else {
                out.warnings.push(format!(
                    "{}: {location}: `{}` is not `<dataset>: <id>` (skipped)",
                    f.path.display(),
                    line.trim()
                ));
                continue;
            };
            if !sets.contains_key(name) && !KNOWN.contains(&name) {
                out.warnings.push(format!(
                    "{}: {location}: dataset `{name}` is new to crosswalk (read as its own mapping set)",
                    f.path.display()
                ));
            }
            let set = sets
                .entry(name.to_owned())
                .or_insert_with(|| Dataset::new(name));
            if set.placeholders.skip(&[id]) {
                continue;
            }
            let object = match &set.target {
                Target::Sp80053 { version } => {
                    let side = mapping::resolve_side(
                        ctx.resolver,
                        "sp800-53",
                        Some(version),
                        &format!("sp800-53r5/{version}"),
                        id,
                        true,
                    );
                    let release = ctx
                        .resolver
                        .resolve("sp800-53", Some(version), "")
                        .map_or_else(
                            || "sp800-53 (none loaded)".to_owned(),
                            |r| format!("sp800-53 release {}", r.version),
                        );
                    flag_warnings(
                        &mut out,
                        f,
                        &location,
                        &format!("{el_id} → {id}"),
                        &side,
                        &release,
                    );
                    side
                }
                Target::External {
                    doc_id,
                    scheme,
                    version,
                } => {
                    // One element per id, whatever the spacing it is printed with.
                    let notation = id.split_whitespace().collect::<Vec<_>>().join(" ");
                    let iri = ids::element_iri(doc_id, &notation);
                    if declared.insert(iri.clone()) {
                        mapping::external_element(
                            &mut ext, doc_id, scheme, name, version, &notation, None,
                        );
                    }
                    Side {
                        iri,
                        notation: id.to_owned(),
                        flags: Vec::new(),
                        granularity: None,
                    }
                }
            };
            let mut m = Mapping::related(
                format!("r{n}-{k}"),
                subject.clone(),
                object,
                status,
                location,
            )?;
            m.row = Some(n as i64);
            set.mappings.push(m);
        }
    }

    for set in sets.values() {
        out.warnings
            .extend(set.placeholders.warning(&f.path, Some(&set.name)));
        let mut sm: DocumentMeta = meta.clone();
        sm.id = format!("mapping/csf-2.0-reference-tool/{}", set.slug);
        sm.title = format!("CSF 2.0 → {} (CSF 2.0 Reference Tool)", set.name);
        sm.short_title = Some(format!("CSF 2.0 → {}", set.name));
        sm.scheme = format!("csf2-reference-tool/{}", set.slug);
        sm.reference = Some(match &set.target {
            Target::Sp80053 { .. } => "sp800-53".to_owned(),
            Target::External { scheme, .. } => scheme.clone(),
        });
        sm.license = if is_nist(&set.name) {
            "NIST dataset: U.S. Government work, public domain in the U.S. (17 U.S.C. 105)"
                .to_owned()
        } else {
            "Third-party OLIR dataset, contributed to NIST by its authors: it may carry its contributors' terms".to_owned()
        };
        let doc = document(&mut out.triples, &sm, ctx);
        out.triples
            .add(doc.clone(), cw::FOCAL_DOCUMENT, focal_iri.clone());
        out.triples.add(
            doc.clone(),
            cw::REFERENCE_DOCUMENT,
            ids::doc_iri(&set.reference_doc_id()),
        );
        if let Target::Sp80053 { version } = &set.target
            && let Some(d) = resolved_doc(ctx.resolver, "sp800-53", Some(version))
        {
            out.triples.add(doc.clone(), cw::RESOLVED_AGAINST, d);
        }
        out.triples
            .add(doc.clone(), dcterms::SOURCE, umbrella.clone());
        for m in &set.mappings {
            mapping::emit(&mut out.triples, set_id(&sm.id), &doc, m);
        }
        out.documents.push(doc);
    }
    out.triples.triples.extend(ext.triples);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_split_at_the_dataset_name() {
        assert_eq!(
            split_line("ISO/IEC 27001:2022: Mandatory Clause: 6.1"),
            Some(("ISO/IEC 27001:2022", "Mandatory Clause: 6.1"))
        );
        assert_eq!(
            split_line("SP 800-53 Rev 5.2.0: PM-11"),
            Some(("SP 800-53 Rev 5.2.0", "PM-11"))
        );
        assert_eq!(split_line("New Set: X-1"), Some(("New Set", "X-1")));
        assert_eq!(split_line("no id here"), None);
        assert_eq!(slug("ISO/IEC 27001:2022"), "iso-iec-27001-2022");
        assert_eq!(slug("SP 800-53 Rev 5.2.0"), "sp-800-53-rev-5-2-0");
    }

    #[test]
    fn element_ids() {
        assert_eq!(element_id("GOVERN (GV): The organization's …"), Some("GV"));
        assert_eq!(
            element_id("Organizational Context (GV.OC): The …"),
            Some("GV.OC")
        );
        assert_eq!(
            element_id("GV.OC-01: The organizational mission …"),
            Some("GV.OC-01")
        );
        assert_eq!(
            element_id("ID.AM-06: [Withdrawn: Incorporated into GV.RR-02]"),
            Some("ID.AM-06")
        );
    }
}
