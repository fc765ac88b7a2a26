//! `check`'s report: text (one line per finding and a count), JSON
//! (ontology/check-report.schema.json) or SARIF 2.1.0.
use super::CheckFormat;
use crate::answer::check::{Finding, Severity, sarif};
use std::io::{self, Write};

pub fn write<W: Write>(out: &mut W, findings: &[Finding], format: CheckFormat) -> io::Result<()> {
    let json = |out: &mut W, v: &serde_json::Value| -> io::Result<()> {
        serde_json::to_writer_pretty(&mut *out, v).map_err(io::Error::other)?;
        writeln!(out)
    };
    match format {
        CheckFormat::Json => json(
            out,
            &serde_json::json!({
                "tool": "crosswalk",
                "version": env!("CARGO_PKG_VERSION"),
                "findings": findings,
            }),
        ),
        CheckFormat::Sarif => json(out, &sarif(findings)),
        CheckFormat::Text => {
            for f in findings {
                let place = match (&f.file, &f.location) {
                    (Some(file), Some(l)) => format!("{file}: {l}: "),
                    (None, Some(l)) => format!("{l}: "),
                    (Some(file), None) => format!("{file}: "),
                    (None, None) => String::new(),
                };
                let sev = match f.severity {
                    Severity::Error => "error",
                    Severity::Warning => "warning",
                    Severity::Info => "info",
                };
                writeln!(out, "{place}{sev}[{}]: {}", f.rule, f.message)?;
            }
            let count = |s| findings.iter().filter(|f| f.severity == s).count();
            writeln!(
                out,
                "{} error(s), {} warning(s), {} info",
                count(Severity::Error),
                count(Severity::Warning),
                count(Severity::Info)
            )
        }
    }
}
