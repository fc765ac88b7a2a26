//! The full element card for people: the short card (`show --brief`) followed by everything
//! else the graph knows about the element (full guidance, Cyber AI Profile entries, the AI RMF
//! Playbook, GenAI actions and risks, parameters, overlay tailoring), wrapped to the terminal.
use crate::answer::card::{Card, param_text};
use std::io::{self, Write};

/// The width to wrap to: `COLUMNS`, else the terminal's, else 100 (not a terminal).
pub fn width() -> usize {
    if let Some(n) = std::env::var("COLUMNS").ok().and_then(|c| c.parse().ok()) {
        return n;
    }
    terminal_size::terminal_size()
        .map(|(w, _)| usize::from(w.0))
        .unwrap_or(100)
        .clamp(40, 200)
}

/// `text` wrapped at word boundaries to `width` columns, each line indented by `indent`
/// spaces; the text's own line breaks are kept, and a wrapped line keeps its own leading
/// indentation (plus two for a `- ` list item).
pub fn wrap(text: &str, indent: usize, width: usize) -> String {
    let pad = " ".repeat(indent);
    let room = width.saturating_sub(indent).max(20);
    let mut out = String::new();
    for line in text.lines() {
        let lead = line.len() - line.trim_start().len();
        let body = line.trim_start();
        let hang = lead + if body.starts_with("- ") { 2 } else { 0 };
        let mut cur = String::from(&line[..lead]);
        let mut empty = true;
        for word in body.split_whitespace() {
            if !empty && cur.chars().count() + 1 + word.chars().count() > room {
                out.push_str(&pad);
                out.push_str(cur.trim_end());
                out.push('\n');
                cur = " ".repeat(hang);
                empty = true;
            }
            if !empty {
                cur.push(' ');
            }
            cur.push_str(word);
            empty = false;
        }
        out.push_str(&pad);
        out.push_str(cur.trim_end());
        out.push('\n');
    }
    out
}

/// The full card as text, wrapped to `width` columns.
pub fn full<W: Write>(out: &mut W, c: &Card, width: usize) -> io::Result<()> {
    let mut short = c.clone();
    let guidance = short.guidance.take();
    // The statement wrapped in place: the short card without it, then it, then the rest.
    let statement = short.statement.take();
    let text = short.to_string();
    let (head, tail) = match text
        .find("\n  mappings (")
        .or_else(|| text.find("\n  children ("))
    {
        Some(i) => text.split_at(i + 1),
        None => (text.as_str(), ""),
    };
    out.write_all(head.as_bytes())?;
    if let Some(s) = statement {
        writeln!(out, "  statement:")?;
        out.write_all(wrap(&s, 4, width).as_bytes())?;
    }
    out.write_all(tail.as_bytes())?;
    if let Some(g) = guidance {
        writeln!(out, "  guidance:")?;
        out.write_all(wrap(&g, 4, width).as_bytes())?;
    }
    if !c.parameters.is_empty() {
        writeln!(out, "  parameters ({}):", c.parameters.len())?;
        for p in &c.parameters {
            let line = format!("{}: {}", p.id, param_text(p));
            out.write_all(wrap(&line, 4, width).as_bytes())?;
            if let Some(g) = &p.guideline {
                out.write_all(wrap(&format!("guideline: {g}"), 6, width).as_bytes())?;
            }
        }
    }
    for e in &c.profile_entries {
        let focus = match (&e.focus, &e.focus_title) {
            (Some(f), Some(t)) => format!("{f} ({t})"),
            (Some(f), None) => f.clone(),
            _ => "General".to_owned(),
        };
        let priority = match (&e.priority_label, e.priority) {
            (Some(l), Some(p)) => format!(", priority {p} {l}"),
            (Some(l), None) => format!(", priority {l}"),
            _ => String::new(),
        };
        let page = e
            .page
            .as_deref()
            .map(|p| format!(", p. {p}"))
            .unwrap_or_default();
        writeln!(out, "  {}: {focus}{priority}{page}", e.profile)?;
        if let Some(t) = &e.considerations {
            out.write_all(wrap(t, 4, width).as_bytes())?;
        }
        if !e.references.is_empty() {
            let refs = format!("references: {}", e.references.join("; "));
            out.write_all(wrap(&refs, 4, width).as_bytes())?;
        }
    }
    if let Some(p) = &c.playbook {
        writeln!(out, "  AI RMF Playbook:")?;
        for (name, text) in [
            ("about", &p.about),
            ("suggested actions", &p.actions),
            ("transparency and documentation", &p.transparency_questions),
            ("references", &p.references),
        ] {
            if let Some(t) = text {
                writeln!(out, "    {name}:")?;
                out.write_all(wrap(t, 6, width).as_bytes())?;
            }
        }
    }
    if !c.actions.is_empty() {
        writeln!(out, "  GenAI Profile actions ({}):", c.actions.len())?;
        for a in &c.actions {
            let text = format!(
                "{}: {}",
                a.notation,
                a.statement.as_deref().unwrap_or_default()
            );
            out.write_all(wrap(&text, 4, width).as_bytes())?;
            if !a.risks.is_empty() {
                out.write_all(
                    wrap(&format!("risks: {}", a.risks.join(", ")), 6, width).as_bytes(),
                )?;
            }
        }
    }
    if !c.risks.is_empty() {
        writeln!(out, "  risks ({}):", c.risks.len())?;
        for r in &c.risks {
            let text = match &r.statement {
                Some(s) => format!("{}: {s}", r.title),
                None => r.title.clone(),
            };
            out.write_all(wrap(&text, 4, width).as_bytes())?;
        }
    }
    for e in &c.overlay_entries {
        let page = e
            .page
            .as_deref()
            .map(|p| format!(", p. {p}"))
            .unwrap_or_default();
        writeln!(out, "  {}{page}:", e.overlay)?;
        if !e.lifecycle_phases.is_empty() {
            writeln!(out, "    lifecycle: {}", e.lifecycle_phases.join(", "))?;
        }
        if let Some(t) = &e.tailoring {
            out.write_all(wrap(t, 4, width).as_bytes())?;
        }
        for n in &e.notes {
            out.write_all(wrap(&format!("note: {n}"), 4, width).as_bytes())?;
        }
    }
    Ok(())
}
