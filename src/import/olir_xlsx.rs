//! NIST OLIR template workbooks: one mapping per row of the relationships sheet that names both
//! a focal and a reference element. Columns are found by their header text, so the template's
//! optional columns (relationship, rationale, strength, comments) are read when present.
use super::mapping::{self, Mapping, Side};
use super::{Ctx, InputFile, Output, document};
use crate::model::error::{Error, Result};
use crate::model::ids;
use crate::model::resolve::Resolver;
use crate::model::vocab::cw;
use crate::source::manifest::DocStatus;
use calamine::{Data, Range, Reader};
use oxigraph::model::{NamedNode, NamedNodeRef};

/// Cells a sheet may span (rows × columns between its outermost cells). calamine builds a
/// sheet as a dense grid: one cell moved to XFD1048576 asked for 512 GiB and aborted.
const MAX_CELLS: u64 = 4_000_000;

/// Reads one sheet of a workbook held in memory; errors name the file and the sheet.
pub(crate) fn read_sheet(f: &InputFile, sheet: &str) -> Result<Range<Data>> {
    check_string_count(f)?;
    // calamine panics on some malformed parts (in debug builds, an arithmetic overflow on a
    // 12-digit row number): a bad workbook is an error, it must not take the process down.
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| read_sheet_cells(f, sheet)))
        .unwrap_or_else(|p| {
            let why = p
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| p.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            Err(Error::parse(
                &f.path,
                format!("sheet '{sheet}'"),
                format!("the workbook reader failed on malformed content: {why}"),
            ))
        })
}

fn read_sheet_cells(f: &InputFile, sheet: &str) -> Result<Range<Data>> {
    let mut wb = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(f.bytes.as_slice()))
        .map_err(|e| Error::parse(&f.path, "workbook", format!("not a readable workbook: {e}")))?;
    let names = wb.sheet_names();
    if !names.iter().any(|n| n == sheet) {
        return Err(Error::parse(
            &f.path,
            format!("sheet '{sheet}'"),
            format!("no such sheet (the workbook has: {})", names.join(", ")),
        ));
    }
    let at = || format!("sheet '{sheet}'");
    let calamine::Sheets::Xlsx(xlsx) = &mut wb else {
        return wb
            .worksheet_range(sheet)
            .map_err(|e| Error::parse(&f.path, at(), e));
    };
    // The cells one by one (as calamine's own worksheet_range reads them), so that a far-off
    // cell is refused before any grid is allocated.
    let mut reader = xlsx
        .worksheet_cells_reader(sheet)
        .map_err(|e| Error::parse(&f.path, at(), e))?;
    let (mut first, mut last) = ((u32::MAX, u32::MAX), (0, 0));
    let mut cells = Vec::new();
    while let Some(c) = reader
        .next_cell()
        .map_err(|e| Error::parse(&f.path, at(), e))?
    {
        if *c.get_value() == calamine::DataRef::Empty {
            continue;
        }
        let (row, col) = c.get_position();
        first = (first.0.min(row), first.1.min(col));
        last = (last.0.max(row), last.1.max(col));
        let span = u64::from(last.0 - first.0 + 1) * u64::from(last.1 - first.1 + 1);
        if span > MAX_CELLS {
            return Err(Error::parse(
                &f.path,
                format!(
                    "{} row {} column {}",
                    at(),
                    u64::from(row) + 1,
                    u64::from(col) + 1
                ),
                format!(
                    "this cell makes the sheet span {span} cells; at most {MAX_CELLS} are read"
                ),
            ));
        }
        cells.push(calamine::Cell::new(
            (row, col),
            Data::from(c.get_value().clone()),
        ));
    }
    Ok(Range::from_sparse(cells))
}

/// Refuses a shared-string table that states more strings than its part could hold:
/// calamine reserves room for the stated `uniqueCount` up front, and a forged count of 10^11
/// aborted the process on the failed allocation (no error or unwind can report that).
fn check_string_count(f: &InputFile) -> Result<()> {
    static COUNT: std::sync::LazyLock<Option<regex::Regex>> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r#"<(?:[\w.-]+:)?sst\b[^>]*?\suniqueCount\s*=\s*["']\s*\+?(\d+)"#).ok()
    });
    let Ok(mut zip) = zip::ZipArchive::new(std::io::Cursor::new(f.bytes.as_slice())) else {
        return Ok(()); // not a zip: calamine says what is wrong with it
    };
    // A string takes at least 5 bytes (`<si/>`), and deflate expands at most ~1032-fold.
    let most = (f.bytes.len() as u64).saturating_mul(1032) / 5;
    for i in 0..zip.len() {
        let Ok(part) = zip.by_index(i) else { continue };
        let name = part.name().map(|n| n.into_owned()).unwrap_or_default();
        if !name.to_ascii_lowercase().ends_with("sharedstrings.xml") {
            continue;
        }
        let mut head = Vec::new();
        // The table's start tag comes first; a broken part is calamine's to report.
        let _ = std::io::Read::read_to_end(&mut std::io::Read::take(part, 64 << 10), &mut head);
        let head = String::from_utf8_lossy(&head);
        let stated = COUNT
            .as_ref()
            .and_then(|re| re.captures(&head))
            .and_then(|c| c[1].parse::<u64>().ok().or(Some(u64::MAX)));
        if let Some(n) = stated.filter(|n| *n > most) {
            return Err(Error::parse(
                &f.path,
                format!("{name} uniqueCount"),
                format!(
                    "states {n} strings, more than the {} bytes of the workbook can hold",
                    f.bytes.len()
                ),
            ));
        }
    }
    Ok(())
}

/// A cell's text as the spreadsheet shows it ("" when empty); numbers print without ".0".
pub(crate) fn cell(range: &Range<Data>, row: usize, col: usize) -> String {
    match range.get((row, col)) {
        None | Some(Data::Empty) => String::new(),
        Some(Data::String(s)) => s.clone(),
        Some(d) => d.to_string(),
    }
}

/// The 1-based spreadsheet row of a row index of `range`.
pub(crate) fn sheet_row(range: &Range<Data>, row: usize) -> usize {
    range.start().map_or(0, |(r, _)| r as usize) + row + 1
}

/// Header text compared loosely: NIST's headers wrap over lines and mark "(Optional)".
pub(crate) fn norm_header(s: &str) -> String {
    let folded = s
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    folded.trim_end_matches("(optional)").trim().to_owned()
}

/// The first row (within the first 50) whose headers satisfy `is_header`, and its headers.
pub(crate) fn find_header(
    range: &Range<Data>,
    is_header: impl Fn(&[String]) -> bool,
) -> Option<(usize, Vec<String>)> {
    (0..range.height().min(50)).find_map(|r| {
        let hs: Vec<String> = (0..range.width())
            .map(|c| norm_header(&cell(range, r, c)))
            .collect();
        is_header(&hs).then_some((r, hs))
    })
}

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

/// The document id ids of a scheme are minted in when they do not resolve: the release the set
/// names (`sp800-53r5/5.2.0`), or the manifest's override.
pub(crate) fn doc_id_for(scheme: &str, version: Option<&str>) -> String {
    match (scheme, version) {
        ("csf", None) => "csf/2.0".to_owned(),
        ("sp800-53", v) => format!("sp800-53r5/{}", v.unwrap_or("5.2.0")),
        (s, Some(v)) => format!("{s}/{v}"),
        (s, None) => s.to_owned(),
    }
}

pub(crate) fn mapping_status(s: DocStatus) -> NamedNodeRef<'static> {
    match s {
        DocStatus::Final | DocStatus::Withdrawn => cw::FINAL_MAPPING,
        _ => cw::DRAFT_MAPPING,
    }
}

/// Mapping IRIs live under `mapping/`; the set's doc id already starts with it.
pub(crate) fn set_id(doc_id: &str) -> &str {
    doc_id.strip_prefix("mapping/").unwrap_or(doc_id)
}

/// The release a scheme's ids are resolved against, when one is loaded.
pub(crate) fn resolved_doc(r: &Resolver, scheme: &str, version: Option<&str>) -> Option<NamedNode> {
    r.resolve(scheme, version, "").map(|res| res.doc.clone())
}

/// A user set's focal and reference documents, when a release of each scheme is loaded (for
/// coverage checks and provenance).
pub(crate) fn set_documents(
    out: &mut Output,
    doc: &NamedNode,
    r: &Resolver,
    focal: &str,
    reference: &str,
    reference_version: Option<&str>,
) {
    if let Some(d) = resolved_doc(r, focal, None) {
        out.triples.add(doc.clone(), cw::FOCAL_DOCUMENT, d);
    }
    if let Some(d) = resolved_doc(r, reference, reference_version) {
        out.triples.add(doc.clone(), cw::REFERENCE_DOCUMENT, d);
    }
}

/// One warning per flag of a side, naming the place.
pub(crate) fn flag_warnings(
    out: &mut Output,
    f: &InputFile,
    location: &str,
    pair: &str,
    side: &Side,
    release: &str,
) {
    for flag in &side.flags {
        let what = if *flag == cw::DANGLING_TARGET || *flag == cw::DANGLING_SUBJECT {
            "not defined by"
        } else if *flag == cw::WITHDRAWN_TARGET {
            "withdrawn in"
        } else {
            continue;
        };
        out.warnings.push(format!(
            "{}: {location}: {pair}: `{}` is {what} the loaded {release} (kept, flagged)",
            f.path.display(),
            side.notation
        ));
    }
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
