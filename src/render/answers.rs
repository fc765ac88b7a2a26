//! The answers of `show`, `map`, `coverage` / `gaps` and `path` in every format: an aligned
//! table for people, CSV / TSV and Markdown for documents and spreadsheets, JSON for programs.
//! The CLI and the HTTP API call the same functions, so `--format csv` and `Accept: text/csv`
//! give the same bytes.
use super::{Format, LIST_SEPARATOR, markdown_table};
use crate::answer::Diff;
use crate::answer::card::{Card, Dangling, Shown};
use crate::answer::diff::{DOC_CHANGES, DocDiff, SetDiff};
use crate::answer::{Coverage, CoverageRow, Hop, MapAnswer};
use std::fmt;
use std::io::{self, Write};

fn json_to<W: Write, T: serde::Serialize + ?Sized>(out: &mut W, v: &T) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, v).map_err(io::Error::other)?;
    writeln!(out)
}

/// Header and rows as CSV, TSV or a Markdown table (`format` is one of those three).
fn records<W: Write>(
    out: &mut W,
    format: Format,
    header: &[&str],
    rows: &[Vec<String>],
) -> io::Result<()> {
    if format == Format::Markdown {
        return out.write_all(markdown_table(header, rows).as_bytes());
    }
    let sep = if format == Format::Tsv { b'\t' } else { b',' };
    let mut w = csv::WriterBuilder::new().delimiter(sep).from_writer(out);
    w.write_record(header).map_err(io::Error::other)?;
    for r in rows {
        w.write_record(r).map_err(io::Error::other)?;
    }
    w.flush()
}

/// `map`: `answers` for `id`; with `explain`, each answer's hops (table and Markdown).
pub fn map<W: Write>(
    out: &mut W,
    id: &str,
    answers: &[MapAnswer],
    format: Format,
    explain: bool,
) -> io::Result<()> {
    match format {
        Format::Json => json_to(out, answers),
        Format::Table => {
            let mut current = None;
            for a in answers {
                if current != Some(&a.set) {
                    writeln!(out, "\n{}", a.set)?;
                    current = Some(&a.set);
                }
                let via = a
                    .via
                    .as_ref()
                    .map(|v| format!(" via {v}"))
                    .unwrap_or_default();
                let flags = if a.flags.is_empty() {
                    String::new()
                } else {
                    format!("  [{}]", a.flags.join(", "))
                };
                // A suggestion carries its score: `suggested 0.82`.
                let status = match a.confidence {
                    Some(c) => format!("{} {c:.2}", a.status),
                    None => a.status.clone(),
                };
                let head = format!(
                    "  {:<14} {:<16} {:<8} {}{via}{flags}  ",
                    a.target, a.relationship, status, a.how,
                );
                let title = a.target_title.as_deref().unwrap_or("");
                // A statement standing in for a title (CSF subcategories) is cut to the width.
                let room = super::DEFAULT_WIDTH.saturating_sub(head.chars().count());
                let title = if super::is_wide() || title.chars().count() <= room {
                    title.to_owned()
                } else {
                    let cut: String = title.chars().take(room.saturating_sub(1)).collect();
                    format!("{}…", cut.trim_end())
                };
                writeln!(out, "{}", format!("{head}{title}").trim_end())?;
                if explain {
                    for l in &a.explanation {
                        writeln!(out, "      {l}")?;
                    }
                }
            }
            writeln!(out, "\n{} answer(s) for {id}", answers.len())
        }
        Format::Csv | Format::Tsv | Format::Markdown => {
            let mut header = vec![
                "element",
                "target",
                "scheme",
                "relationship",
                "status",
                "set",
                "how",
                "via",
                "flags",
                "mapping",
            ];
            let md_explain = explain && format == Format::Markdown;
            if md_explain {
                header.push("explanation");
            }
            // The score column only when a suggestion is among the answers.
            let scored = answers.iter().any(|a| a.confidence.is_some());
            if scored {
                header.push("score");
            }
            let rows: Vec<Vec<String>> = answers
                .iter()
                .map(|a| {
                    let mut r = vec![
                        a.element.clone(),
                        a.target.clone(),
                        a.target_scheme.clone().unwrap_or_default(),
                        a.relationship.clone(),
                        a.status.clone(),
                        a.set.clone(),
                        a.how.clone(),
                        a.via.clone().unwrap_or_default(),
                        a.flags.join("; "),
                        a.mapping.clone(),
                    ];
                    if md_explain {
                        r.push(a.explanation.join("; "));
                    }
                    if scored {
                        r.push(a.confidence.map(|c| c.to_string()).unwrap_or_default());
                    }
                    r
                })
                .collect();
            records(out, format, &header, &rows)
        }
    }
}

/// `coverage` (every row) or `gaps` (`gaps_only`: the rows not covered; counts unchanged).
pub fn coverage<W: Write>(
    out: &mut W,
    cov: &Coverage,
    format: Format,
    gaps_only: bool,
) -> io::Result<()> {
    let rows: Vec<&CoverageRow> = cov
        .rows
        .iter()
        .filter(|r| !gaps_only || !r.covered)
        .collect();
    match format {
        Format::Json => {
            let mut v = serde_json::to_value(cov).map_err(io::Error::other)?;
            if gaps_only {
                v["rows"] = serde_json::to_value(&rows).map_err(io::Error::other)?;
            }
            json_to(out, &v)
        }
        Format::Csv | Format::Tsv | Format::Markdown => {
            // `|` between ids: ISO/IEC ids contain spaces, and no loaded id contains `|`
            // (tested).
            // The `suggested` column only when suggestions are among the answers.
            let marked = rows.iter().any(|r| !r.suggested.is_empty());
            let records_of: Vec<Vec<String>> = rows
                .iter()
                .map(|r| {
                    let mut v = vec![
                        r.focal.clone(),
                        if r.covered { "yes" } else { "no" }.to_owned(),
                        r.covered_by.join(LIST_SEPARATOR),
                        r.mapped_outside_baseline.join(LIST_SEPARATOR),
                    ];
                    if marked {
                        v.push(r.suggested.join(LIST_SEPARATOR));
                    }
                    v
                })
                .collect();
            let mut header = vec!["focal", "covered", "covered_by", "mapped_outside_baseline"];
            if marked {
                header.push("suggested");
            }
            records(out, format, &header, &records_of)?;
            if format == Format::Markdown {
                writeln!(out, "\n{}", coverage_summary(cov))?;
                for n in &cov.notes {
                    writeln!(out, "\n> note: {n}")?;
                }
            }
            Ok(())
        }
        Format::Table => {
            for r in &rows {
                let mark = if r.covered { "covered" } else { "GAP" };
                let outside = if r.mapped_outside_baseline.is_empty() {
                    String::new()
                } else {
                    format!(
                        "   (outside baseline: {})",
                        r.mapped_outside_baseline.join(" ")
                    )
                };
                let suggested = if r.suggested.is_empty() {
                    String::new()
                } else {
                    format!("   (suggested: {})", r.suggested.join(" "))
                };
                writeln!(
                    out,
                    "  {:<10} {:<8} {}{outside}{suggested}",
                    r.focal,
                    mark,
                    r.covered_by.join(" ")
                )?;
            }
            writeln!(out, "\n{}", coverage_summary(cov))?;
            for n in &cov.notes {
                writeln!(out, "note: {n}")?;
            }
            Ok(())
        }
    }
}

fn coverage_summary(cov: &Coverage) -> String {
    let scope = cov
        .baseline
        .as_ref()
        .map(|b| format!(" in the {b} baseline"))
        .unwrap_or_default();
    let set = cov
        .set
        .as_ref()
        .map(|s| format!(" (set {s})"))
        .unwrap_or_default();
    format!(
        "{} of {} {} elements covered by {}{scope}{set}: {:.1}%; {} not covered",
        cov.covered,
        cov.total,
        cov.from,
        cov.to,
        cov.percent,
        cov.total - cov.covered
    )
}

/// `path`: the hops from `from` to `to`.
pub fn path<W: Write>(
    out: &mut W,
    from: &str,
    to: &str,
    hops: &[Hop],
    format: Format,
) -> io::Result<()> {
    match format {
        Format::Json => json_to(out, hops),
        Format::Csv | Format::Tsv | Format::Markdown => {
            let rows: Vec<Vec<String>> = hops
                .iter()
                .map(|h| {
                    vec![
                        h.from.clone(),
                        h.edge.clone(),
                        h.to.clone(),
                        h.set.clone().unwrap_or_default(),
                    ]
                })
                .collect();
            records(out, format, &["from", "edge", "to", "set"], &rows)
        }
        Format::Table => {
            writeln!(out, "{from} → {to}: {} hop(s)", hops.len())?;
            for (i, h) in hops.iter().enumerate() {
                writeln!(
                    out,
                    "  {}. {} —{}→ {}{}",
                    i + 1,
                    h.from,
                    h.edge,
                    h.to,
                    h.set
                        .as_ref()
                        .map(|s| format!("   [set: {s}]"))
                        .unwrap_or_default()
                )?;
            }
            Ok(())
        }
    }
}

/// `diff`: pairs added, removed and re-typed between two mapping sets. CSV/TSV/Markdown: one
/// row per pair that differs (`change` is added, removed or changed).
pub fn diff<W: Write>(out: &mut W, d: &SetDiff, format: Format) -> io::Result<()> {
    let all = || {
        [
            ("added", &d.added),
            ("removed", &d.removed),
            ("changed", &d.changed),
        ]
        .into_iter()
        .flat_map(|(what, v)| v.iter().map(move |p| (what, p)))
    };
    match format {
        Format::Json => json_to(out, d),
        Format::Csv | Format::Tsv | Format::Markdown => {
            let rows: Vec<Vec<String>> = all()
                .map(|(what, p)| {
                    vec![
                        what.to_owned(),
                        p.subject.clone(),
                        p.object.clone(),
                        p.old.join(LIST_SEPARATOR),
                        p.new.join(LIST_SEPARATOR),
                        p.object_label.clone().unwrap_or_default(),
                    ]
                })
                .collect();
            let header = ["change", "subject", "object", "old", "new", "object_label"];
            records(out, format, &header, &rows)
        }
        Format::Table => {
            writeln!(out, "old: {} ({} pairs)", d.old.set, d.old.pairs)?;
            writeln!(out, "new: {} ({} pairs)", d.new.set, d.new.pairs)?;
            writeln!(
                out,
                "{} added, {} removed, {} changed, {} unchanged",
                d.added.len(),
                d.removed.len(),
                d.changed.len(),
                d.unchanged
            )?;
            for (what, p) in all() {
                let sign = match what {
                    "added" => "+",
                    "removed" => "-",
                    _ => "~",
                };
                let rel = match what {
                    "changed" => format!("{} → {}", p.old.join(", "), p.new.join(", ")),
                    "added" => p.new.join(", "),
                    _ => p.old.join(", "),
                };
                let title = p.object_label.as_deref().unwrap_or("");
                let title: String = title.chars().take(48).collect();
                writeln!(
                    out,
                    "{sign} {:<10} {:<14} {:<16} {title}",
                    p.subject, p.object, rel
                )?;
            }
            Ok(())
        }
    }
}

/// `show`: the element's cards, or the mappings that name an element no document defines.
pub fn shown<W: Write>(out: &mut W, id: &str, shown: &Shown, format: Format) -> io::Result<()> {
    shown_as(out, id, shown, format, false)
}

/// `show`, `brief` keeping the short card (no profile, Playbook, action, parameter or overlay
/// text) in the table and Markdown formats.
pub fn shown_as<W: Write>(
    out: &mut W,
    id: &str,
    shown: &Shown,
    format: Format,
    brief: bool,
) -> io::Result<()> {
    match (format, shown) {
        (Format::Json, Shown::Cards(c)) => json_to(out, c),
        (Format::Json, Shown::Dangling(d)) => json_to(out, d),
        (Format::Markdown, Shown::Cards(cards)) => {
            for c in cards {
                card_markdown(out, c, brief)?;
            }
            Ok(())
        }
        (Format::Csv | Format::Tsv | Format::Markdown, Shown::Dangling(refs)) => {
            let rows: Vec<Vec<String>> = refs
                .iter()
                .map(|r| {
                    vec![
                        r.flag.clone(),
                        r.set.clone(),
                        r.location.clone(),
                        r.side.clone(),
                        r.other.clone(),
                    ]
                })
                .collect();
            records(
                out,
                format,
                &["flag", "set", "location", "side", "other"],
                &rows,
            )
        }
        (_, Shown::Cards(cards)) => {
            for c in cards {
                if brief {
                    write!(out, "{c}")?;
                } else {
                    super::card::full(out, c, super::card::width())?;
                }
                writeln!(out)?;
            }
            Ok(())
        }
        (_, Shown::Dangling(refs)) => dangling(out, id, refs),
    }
}

fn dangling<W: Write>(out: &mut W, id: &str, refs: &[Dangling]) -> io::Result<()> {
    writeln!(
        out,
        "{id}: not defined by any loaded document, but named by {} mapping(s):",
        refs.len()
    )?;
    for r in refs {
        let (a, b) = if r.side == "object" {
            (r.other.as_str(), id)
        } else {
            (id, r.other.as_str())
        };
        writeln!(
            out,
            "  [{}] {}, {}: {a} → {b} (kept)",
            r.flag, r.set, r.location
        )?;
    }
    Ok(())
}

/// A card as a Markdown section: the notation and title as a heading, then its text.
fn card_markdown<W: Write>(out: &mut W, c: &Card, brief: bool) -> io::Result<()> {
    let title = c
        .title
        .as_deref()
        .map(|t| format!(" {t}"))
        .unwrap_or_default();
    writeln!(out, "## {}{title}\n", c.notation)?;
    writeln!(out, "```text")?;
    if brief {
        write!(out, "{c}")?;
    } else {
        super::card::full(out, c, 100)?;
    }
    writeln!(out, "```\n")
}

/// The card as text (`show`'s table format).
impl fmt::Display for Card {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.notation)?;
        if let Some(t) = &self.title {
            write!(f, "  {t}")?;
        }
        writeln!(f)?;
        writeln!(f, "  kind:      {}", self.kind)?;
        writeln!(
            f,
            "  document:  {} ({})",
            self.document_title, self.document_status
        )?;
        writeln!(f, "  iri:       {}", self.iri)?;
        if let Some(p) = &self.parent {
            writeln!(f, "  parent:    {p}")?;
        }
        match &self.status {
            Some(s) => {
                write!(f, "  status:    {s}")?;
                for (rel, t) in &self.withdrawn_to {
                    write!(f, "; {rel} {t}")?;
                }
                writeln!(f)?;
            }
            None => writeln!(f, "  status:    active")?,
        }
        if !self.baselines.is_empty() {
            writeln!(f, "  baselines: {}", self.baselines.join(", "))?;
        }
        if let Some(s) = &self.statement {
            writeln!(f, "  statement:")?;
            for l in s.lines() {
                writeln!(f, "    {l}")?;
            }
        }
        if let Some(g) = &self.guidance {
            let short: String = g.chars().take(400).collect();
            writeln!(
                f,
                "  guidance:  {short}{}",
                if g.chars().count() > 400 { " …" } else { "" }
            )?;
        }
        if !self.mappings.is_empty() {
            writeln!(f, "  mappings ({}):", self.mappings.len())?;
            let mut current = None;
            for m in &self.mappings {
                if current != Some(&m.set) {
                    writeln!(f, "    {}", m.set)?;
                    current = Some(&m.set);
                }
                let flags = if m.flags.is_empty() {
                    String::new()
                } else {
                    format!("  [{}]", m.flags.join(", "))
                };
                let inv = if m.how == "inverse" { " (inverse)" } else { "" };
                writeln!(
                    f,
                    "      {} {} ({}){inv}{flags}",
                    m.relationship, m.target, m.status
                )?;
            }
        }
        if !self.children.is_empty() {
            writeln!(f, "  children ({}):", self.children.len())?;
            for (n, k, t) in &self.children {
                writeln!(f, "    {n:<14} {k:<22} {}", t.as_deref().unwrap_or(""))?;
            }
        }
        Ok(())
    }
}

/// `search`: hits, best first, each with its snippet (matches in brackets).
pub fn hits<W: Write>(out: &mut W, hits: &[crate::search::Hit], format: Format) -> io::Result<()> {
    match format {
        Format::Json => json_to(out, hits),
        Format::Csv | Format::Tsv | Format::Markdown => {
            let rows: Vec<Vec<String>> = hits
                .iter()
                .map(|h| {
                    vec![
                        format!("{:.3}", h.score),
                        h.notation.clone(),
                        h.kind.clone(),
                        h.scheme.clone(),
                        h.title.clone(),
                        h.field.clone(),
                        h.snippet.clone(),
                    ]
                })
                .collect();
            records(
                out,
                format,
                &[
                    "score", "notation", "kind", "scheme", "title", "field", "snippet",
                ],
                &rows,
            )
        }
        Format::Table => {
            if hits.is_empty() {
                return writeln!(out, "no element matches");
            }
            let width = super::card::width();
            for h in hits {
                writeln!(
                    out,
                    "{:>7.3}  {}  {} ({}, {})",
                    h.score, h.notation, h.title, h.kind, h.scheme
                )?;
                let s = format!("{}: {}", h.field, h.snippet);
                out.write_all(super::card::wrap(&s, 9, width).as_bytes())?;
            }
            Ok(())
        }
    }
}

/// `suggest`: the set written and its candidates, per element of the focal scheme.
pub fn suggested<W: Write>(
    out: &mut W,
    s: &crate::search::suggest::Suggested,
    format: Format,
) -> io::Result<()> {
    match format {
        Format::Json => json_to(out, s),
        Format::Csv | Format::Tsv | Format::Markdown => {
            let rows: Vec<Vec<String>> = s
                .candidates
                .iter()
                .map(|c| {
                    vec![
                        c.subject.clone(),
                        c.object.clone(),
                        format!("{:.3}", c.confidence),
                        c.fields.join("|"),
                        c.words.join(" "),
                    ]
                })
                .collect();
            records(
                out,
                format,
                &["subject", "object", "confidence", "fields", "words"],
                &rows,
            )
        }
        Format::Table => {
            for (subject, cs) in crate::search::suggest::by_subject(s) {
                writeln!(out, "{subject}")?;
                for c in cs {
                    writeln!(
                        out,
                        "  {:<14} {:.3}  {} [{}]",
                        c.object,
                        c.confidence,
                        c.words.join(" "),
                        c.fields.join(", ")
                    )?;
                }
            }
            let written = match &s.set_iri {
                Some(_) => format!("written as suggested mapping set {}", s.set),
                None => "not written (--dry-run)".to_owned(),
            };
            writeln!(
                out,
                "\n{} candidate(s) for {} of {} {} element(s) into {}, {written}{}",
                s.candidates.len(),
                s.with_candidates,
                s.subjects,
                s.from,
                s.to,
                if s.already_mapped > 0 {
                    format!(
                        " ({} pair(s) a loaded set already maps left out)",
                        s.already_mapped
                    )
                } else {
                    String::new()
                }
            )?;
            if s.set_iri.is_none() {
                return Ok(());
            }
            writeln!(
                out,
                "review: crosswalk export --format sssom --set {}; `map --include-suggested` shows them",
                s.set
            )
        }
    }
}

/// A `diff` answer, sets or documents.
pub fn any_diff<W: Write>(out: &mut W, d: &Diff, format: Format) -> io::Result<()> {
    match d {
        Diff::Sets(d) => diff(out, d, format),
        Diff::Documents(d) => doc_diff(out, d, format),
    }
}

/// Cut to `room` characters with an ellipsis (no cut with `--wide`).
fn fit(text: &str, room: usize) -> String {
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if super::is_wide() || one_line.chars().count() <= room {
        return one_line;
    }
    let cut: String = one_line.chars().take(room.saturating_sub(1)).collect();
    format!("{}…", cut.trim_end())
}

/// `diff --doc`: what changed between two releases of a document.
pub fn doc_diff<W: Write>(out: &mut W, d: &DocDiff, format: Format) -> io::Result<()> {
    match format {
        Format::Json => json_to(out, d),
        Format::Csv | Format::Tsv | Format::Markdown => {
            let rows: Vec<Vec<String>> = d
                .changes
                .iter()
                .map(|c| {
                    vec![
                        c.change.clone(),
                        c.notation.clone(),
                        c.kind.clone(),
                        c.title.clone().unwrap_or_default(),
                        c.old.clone().unwrap_or_default(),
                        c.new.clone().unwrap_or_default(),
                        c.moved_to.join(LIST_SEPARATOR),
                    ]
                })
                .collect();
            let header = [
                "change", "notation", "kind", "title", "old", "new", "moved_to",
            ];
            records(out, format, &header, &rows)
        }
        Format::Table => {
            let width = super::DEFAULT_WIDTH;
            if let Some(o) = &d.old {
                writeln!(
                    out,
                    "{}",
                    fit(
                        &format!("old: {} ({} elements)", o.document, o.elements),
                        width
                    )
                )?;
            }
            writeln!(
                out,
                "{}",
                fit(
                    &format!("new: {} ({} elements)", d.new.document, d.new.elements),
                    width
                )
            )?;
            if d.old.is_none() {
                writeln!(out, "what this release withdrew from the one before:")?;
            }
            if d.carried {
                writeln!(
                    out,
                    "compared: the elements both carry ({} only in old, {} only in new, not listed)",
                    d.only_old, d.only_new
                )?;
            }
            let counts: Vec<String> = DOC_CHANGES
                .iter()
                .filter(|c| d.old.is_some() || **c == "withdrawn")
                .map(|c| format!("{} {c}", d.counts.get(*c).copied().unwrap_or(0)))
                .collect();
            writeln!(out, "{}; {} unchanged", counts.join(", "), d.unchanged)?;
            for c in &d.changes {
                let sign = match c.change.as_str() {
                    "added" => "+",
                    "removed" | "withdrawn" => "-",
                    _ => "~",
                };
                let what = match c.change.as_str() {
                    "retitled" => format!(
                        "{} → {}",
                        c.old.as_deref().unwrap_or(""),
                        c.new.as_deref().unwrap_or("")
                    ),
                    "withdrawn" if !c.moved_to.is_empty() => {
                        format!("→ {}", c.moved_to.join(", "))
                    }
                    _ => c.title.clone().unwrap_or_default(),
                };
                let head = format!("{sign} {:<12} {:<10} ", c.notation, c.change);
                let room = width.saturating_sub(head.chars().count());
                writeln!(out, "{}", format!("{head}{}", fit(&what, room)).trim_end())?;
            }
            Ok(())
        }
    }
}
