//! Spreadsheet reading shared by the importers of XLSX workbooks (OLIR template, CSF 2.0
//! Reference Tool): one sheet at a time with size guards, cells as text, headers found by
//! their text. Errors name the file, the sheet and the row.
use super::context::InputFile;
use crate::model::error::{Error, Result};
use calamine::{Data, Range, Reader};

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
