//! NIST OLIR template workbooks: one mapping per row of the relationships sheet that names both
//! a focal and a reference element. Columns are found by their header text, so the template's
//! optional columns (relationship, rationale, strength, comments) are read when present.
use super::context::{Ctx, InputFile, Output, document};
use super::mapping::{
    self, Mapping, doc_id_for, flag_warnings, mapping_status, resolved_doc, set_id,
};
use super::sheet::{cell, find_header, norm_header, read_sheet, sheet_row};
use crate::model::error::{Error, Result};
use crate::model::ids;
use crate::model::vocab::cw;
use calamine::{Data, Range};

struct Columns {
    focal: usize,
    reference: usize,
    relationship: Option<usize>,
    rationale: Option<usize>,
    strength: Option<usize>,
    comments: Option<usize>,
}

const FOCAL: &str = "focal document element";
const REFERENCE: &str = "reference document element";

impl Columns {
    fn from_headers(hs: &[String]) -> Option<Self> {
        let find = |p: &dyn Fn(&str) -> bool| hs.iter().position(|h| p(h));
        Some(Columns {
            focal: find(&|h| h == FOCAL)?,
            reference: find(&|h| h == REFERENCE)?,
            relationship: find(&|h| h == "relationship" || h == "relationship type"),
            rationale: find(&|h| {
                h.contains("rationale") || (h.contains("functional") && h.contains("semantic"))
            }),
            strength: find(&|h| h.starts_with("strength of relationship") || h == "strength"),
            comments: find(&|h| h.starts_with("comment")),
        })
    }
}

fn opt<'a>(ctx: &'a Ctx<'_>, key: &str) -> Option<&'a str> {
    ctx.source.options.get(key).and_then(|v| v.as_str())
}

pub fn import(ctx: &Ctx<'_>) -> Result<Output> {
    let f = ctx.file(None)?;
    let sheet = opt(ctx, "sheet").unwrap_or("Relationships");
    let range = read_sheet(f, sheet)?;
    import_table(ctx, f, &range, &format!("sheet '{sheet}'"), &|n| {
        format!("sheet '{sheet}' row {n}")
    })
}

/// A CSV with the OLIR template's columns (the same header names; `focal element` /
/// `reference element` accepted as short forms): the rows of the relationships sheet.
pub fn import_csv(ctx: &Ctx<'_>) -> Result<Output> {
    let f = ctx.file(None)?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(f.bytes.as_slice());
    let mut rows: Vec<Vec<String>> = Vec::new();
    for (i, rec) in reader.records().enumerate() {
        let rec = rec.map_err(|e| Error::parse(&f.path, format!("line {}", i + 1), e))?;
        rows.push(rec.iter().map(str::to_owned).collect());
    }
    let width = rows.iter().map(Vec::len).max().unwrap_or(0);
    if rows.is_empty() || width == 0 {
        return Err(Error::parse(&f.path, "line 1", "empty CSV"));
    }
    let mut range: Range<Data> = Range::new((0, 0), (rows.len() as u32 - 1, width as u32 - 1));
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            let short = match norm_header(v).as_str() {
                "focal element" if r == 0 => FOCAL.to_owned(),
                "reference element" if r == 0 => REFERENCE.to_owned(),
                _ => v.clone(),
            };
            range.set_value((r as u32, c as u32), Data::String(short));
        }
    }
    import_table(ctx, f, &range, "header", &|n| format!("line {n}"))
}

/// The rows of an OLIR relationships table (sheet or CSV) as mappings of the source's set.
fn import_table(
    ctx: &Ctx<'_>,
    f: &InputFile,
    range: &Range<Data>,
    table: &str,
    place: &dyn Fn(usize) -> String,
) -> Result<Output> {
    let meta = &ctx.source.document;
    let style = opt(ctx, "style");
    let focal = meta.focal.as_deref().ok_or_else(|| {
        Error::Manifest(format!(
            "source {}: an OLIR set needs document.focal",
            ctx.source.id
        ))
    })?;
    let reference = meta.reference.as_deref().ok_or_else(|| {
        Error::Manifest(format!(
            "source {}: an OLIR set needs document.reference",
            ctx.source.id
        ))
    })?;
    let ref_version = meta.reference_version.as_deref();
    let focal_doc = opt(ctx, "focal_doc").map_or_else(|| doc_id_for(focal, None), str::to_owned);
    let reference_doc =
        opt(ctx, "reference_doc").map_or_else(|| doc_id_for(reference, ref_version), str::to_owned);
    let (header, cols) = find_header(range, |hs| Columns::from_headers(hs).is_some())
        .and_then(|(r, hs)| Columns::from_headers(&hs).map(|c| (r, c)))
        .ok_or_else(|| {
            Error::parse(
                &f.path,
                table,
                "no header row with the columns `Focal Document Element` and `Reference Document Element`",
            )
        })?;

    let mut out = Output::default();
    let doc = document(&mut out.triples, meta, ctx);
    let focal_iri =
        resolved_doc(ctx.resolver, focal, None).unwrap_or_else(|| ids::doc_iri(&focal_doc));
    out.triples.add(doc.clone(), cw::FOCAL_DOCUMENT, focal_iri);
    out.triples.add(
        doc.clone(),
        cw::REFERENCE_DOCUMENT,
        ids::doc_iri(&reference_doc),
    );
    let resolved = ctx.resolver.resolve(reference, ref_version, "");
    if let Some(r) = &resolved {
        out.triples
            .add(doc.clone(), cw::RESOLVED_AGAINST, r.doc.clone());
    }
    let release = resolved.map_or_else(
        || format!("{reference} (none loaded)"),
        |r| format!("{reference} release {}", r.version),
    );
    out.documents.push(doc.clone());
    let status = mapping_status(meta.status);
    let mut placeholders = mapping::Placeholders::default();

    for r in header + 1..range.height() {
        let focal_cell = cell(range, r, cols.focal);
        let ref_cell = cell(range, r, cols.reference);
        // An empty cell is the template's way to list a focal element that has no reference
        // (OLIR #186 lists its functions and categories so): not a reference at all.
        if focal_cell.trim().is_empty() || ref_cell.trim().is_empty() {
            continue;
        }
        if placeholders.skip(&[&focal_cell, &ref_cell]) {
            continue;
        }
        let n = sheet_row(range, r);
        let location = place(n);
        let subject =
            mapping::resolve_side(ctx.resolver, focal, None, &focal_doc, &focal_cell, false);
        let object = mapping::resolve_side(
            ctx.resolver,
            reference,
            ref_version,
            &reference_doc,
            &ref_cell,
            true,
        );
        let pair = format!("{} → {}", subject.notation, object.notation);
        flag_warnings(&mut out, f, &location, &pair, &subject, focal);
        flag_warnings(&mut out, f, &location, &pair, &object, &release);

        let mut m = Mapping::related(format!("r{n}"), subject, object, status, location.clone())?;
        m.row = Some(n as i64);
        let rel_text = cols
            .relationship
            .map(|c| cell(range, r, c))
            .unwrap_or_default();
        if rel_text.trim().is_empty() {
            if style.is_some_and(|s| s != "concept-crosswalk") {
                return Err(Error::parse(
                    &f.path,
                    location,
                    format!(
                        "no relationship type, and style `{}` has no default",
                        style.unwrap_or("")
                    ),
                ));
            }
        } else {
            m.rel = mapping::rel_type(&rel_text).ok_or_else(|| {
                Error::parse(
                    &f.path,
                    &location,
                    format!("unknown relationship `{}`", rel_text.trim()),
                )
            })?;
            // "No relationship" belongs to the set's style, whichever it is.
            if m.rel.term == "NoRelationship" {
                m.style = style.map(mapping::style_iri);
            }
        }
        if let Some(c) = cols.rationale {
            let t = cell(range, r, c);
            if !t.trim().is_empty() {
                m.rationale = mapping::rationale_iri(&t);
                if m.rationale.is_none() {
                    out.warnings.push(format!(
                        "{}: {location}: unknown rationale `{}` (not stored)",
                        f.path.display(),
                        t.trim()
                    ));
                }
            }
        }
        if let Some(c) = cols.strength {
            let t = cell(range, r, c);
            let t = t.trim();
            if !t.is_empty() {
                match parse_strength(t) {
                    Some(s) => m.strength = Some(s),
                    None => out.warnings.push(format!(
                        "{}: {location}: strength `{t}` is not an integer 1-10 (not stored)",
                        f.path.display()
                    )),
                }
            }
        }
        if let Some(c) = cols.comments {
            let t = cell(range, r, c);
            if !t.trim().is_empty() {
                m.comment = Some(t.trim().to_owned());
            }
        }
        mapping::emit(&mut out.triples, set_id(&meta.id), &doc, &m);
    }
    out.warnings.extend(placeholders.warning(&f.path, None));
    Ok(out)
}

fn parse_strength(t: &str) -> Option<i64> {
    let v = t.parse::<i64>().ok().or_else(|| {
        let f = t.parse::<f64>().ok()?;
        (f.fract() == 0.0).then_some(f as i64)
    })?;
    (1..=10).contains(&v).then_some(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_and_strength() {
        assert_eq!(norm_header("Reference Document\nElement"), REFERENCE);
        assert_eq!(
            norm_header("Strength of\nRelationship\n(Optional)"),
            "strength of relationship"
        );
        let hs: Vec<String> = [
            "Focal Document\nElement",
            "Focal Document Element Description",
            "Reference Document\nElement",
        ]
        .iter()
        .map(|h| norm_header(h))
        .collect();
        let c = Columns::from_headers(&hs).unwrap();
        assert_eq!((c.focal, c.reference, c.strength), (0, 2, None));
        assert_eq!(parse_strength("7"), Some(7));
        assert_eq!(parse_strength("10.0"), Some(10));
        assert_eq!(parse_strength("11"), None);
    }

    /// A one-sheet workbook: A1 and a second cell at `far`, and a string table stating `count`.
    fn workbook(far: &str, count: &str) -> InputFile {
        use std::io::Write;
        let main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
        let rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
        let pkg = "http://schemas.openxmlformats.org/package/2006/relationships";
        let parts = [
            (
                "[Content_Types].xml",
                r#"<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/></Types>"#.to_owned(),
            ),
            (
                "_rels/.rels",
                format!(r#"<Relationships xmlns="{pkg}"><Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>"#),
            ),
            (
                "xl/workbook.xml",
                format!(r#"<workbook xmlns="{main}" xmlns:r="{rel}"><sheets><sheet name="Relationships" sheetId="1" r:id="rId1"/></sheets></workbook>"#),
            ),
            (
                "xl/_rels/workbook.xml.rels",
                format!(r#"<Relationships xmlns="{pkg}"><Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#),
            ),
            (
                "xl/sharedStrings.xml",
                format!(r#"<sst xmlns="{main}" count="1" uniqueCount="{count}"><si><t>x</t></si></sst>"#),
            ),
            (
                "xl/worksheets/sheet1.xml",
                format!(r#"<worksheet xmlns="{main}"><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="{far}" t="inlineStr"><is><t>y</t></is></c></row></sheetData></worksheet>"#),
            ),
        ];
        let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        for (name, text) in parts {
            w.start_file(name, zip::write::SimpleFileOptions::default())
                .unwrap();
            w.write_all(text.as_bytes()).unwrap();
        }
        InputFile {
            path: "x/olir.xlsx".into(),
            bytes: w.finish().unwrap().into_inner(),
            sha256: String::new(),
            role: None,
        }
    }

    #[test]
    fn a_far_off_cell_or_a_forged_count_is_an_error_naming_the_place() {
        let good = read_sheet(&workbook("C2", "1"), "Relationships").unwrap();
        assert_eq!(
            (cell(&good, 0, 0), cell(&good, 1, 2)),
            ("x".into(), "y".into())
        );
        // These aborted the process (a 512 GiB grid, a 2.4 TB string table).
        let e = read_sheet(&workbook("XFD1048576", "1"), "Relationships").unwrap_err();
        assert!(
            e.to_string()
                .starts_with("x/olir.xlsx: at sheet 'Relationships' row 1048576 column 16384:"),
            "{e}"
        );
        let e = read_sheet(&workbook("C2", "99999999999"), "Relationships").unwrap_err();
        assert!(
            e.to_string()
                .starts_with("x/olir.xlsx: at xl/sharedStrings.xml uniqueCount:"),
            "{e}"
        );
        // A 12-digit row number: calamine's arithmetic overflows (a panic in debug builds).
        let e = read_sheet(&workbook("A99999999999", "1"), "Relationships").unwrap_err();
        assert!(
            e.to_string()
                .starts_with("x/olir.xlsx: at sheet 'Relationships'"),
            "{e}"
        );
    }

    #[test]
    fn unreadable_workbook_names_the_file() {
        let f = InputFile {
            path: "x/olir.xlsx".into(),
            bytes: b"not a workbook".to_vec(),
            sha256: String::new(),
            role: None,
        };
        let e = read_sheet(&f, "Relationships").unwrap_err().to_string();
        assert!(e.starts_with("x/olir.xlsx: at workbook:"), "{e}");
    }
}
