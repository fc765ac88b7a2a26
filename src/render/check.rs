//! `crosswalk check`'s report: text for people, JSON (ontology/check-report.schema.json) and
//! SARIF 2.1.0 for programs. The findings come from [`crate::answer::check`].
use super::CheckFormat;
use crate::answer::check::{Finding, RuleId, Severity};
use crate::model::error::{Error, Result};
use serde::Serialize;
use std::fmt::Write;

/// The report in `format`, ending with a newline.
pub fn render(findings: &[Finding], format: CheckFormat) -> Result<String> {
    Ok(match format {
        CheckFormat::Text => text(findings),
        CheckFormat::Json => pretty(&Report {
            tool: "crosswalk",
            version: env!("CARGO_PKG_VERSION"),
            findings,
        })?,
        CheckFormat::Sarif => pretty(&sarif(findings))?,
    })
}

/// The JSON report (ontology/check-report.schema.json).
#[derive(Serialize)]
struct Report<'a> {
    tool: &'static str,
    version: &'static str,
    findings: &'a [Finding],
}

fn pretty(v: &impl Serialize) -> Result<String> {
    let mut s = serde_json::to_string_pretty(v)
        .map_err(|e| Error::Internal(format!("serializing the check report: {e}")))?;
    s.push('\n');
    Ok(s)
}

/// One line per finding (`FILE: PLACE: SEVERITY[RULE]: MESSAGE`), then the counts.
pub fn text(findings: &[Finding]) -> String {
    let mut out = String::new();
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
        let _ = writeln!(out, "{place}{sev}[{}]: {}", f.rule, f.message);
    }
    let count = |s| findings.iter().filter(|f| f.severity == s).count();
    let _ = writeln!(
        out,
        "{} error(s), {} warning(s), {} info",
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Info)
    );
    out
}

/// The `file://` URI of a file a finding names (a relative path is taken from the current
/// directory, as the command line gave it); `None` for standard input (`-`), which is no file.
/// RFC 8089: the absolute path, each byte outside the unreserved set and `/` percent-encoded.
pub fn file_uri(path: &str) -> Option<String> {
    if path.is_empty() || path == "-" {
        return None;
    }
    let abs = std::path::absolute(path).unwrap_or_else(|_| std::path::PathBuf::from(path));
    let mut text = abs.to_string_lossy().into_owned();
    if cfg!(windows) {
        text = text.replace('\\', "/");
    }
    let mut out = String::from("file://");
    if !text.starts_with('/') {
        out.push('/'); // a Windows drive: file:///C:/…
    }
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/' | b':') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    Some(out)
}

/// SARIF 2.1.0 (<https://docs.oasis-open.org/sarif/sarif/v2.1.0/>) for code-scanning UIs.
/// `tool.driver.rules` lists every rule of [`RuleId::all`], in that order; a result's
/// `ruleIndex` is its rule's [`RuleId::index`]; a result's `artifactLocation.uri` is the
/// `file://` URI of the file its set was loaded from ([`file_uri`]).
pub fn sarif(findings: &[Finding]) -> serde_json::Value {
    use serde_json::json;
    let rules: Vec<_> = RuleId::all()
        .iter()
        .map(|r| {
            json!({
                "id": r.id(),
                "name": r.name(),
                "shortDescription": { "text": r.short_description() },
                "fullDescription": { "text": r.full_description() },
                "help": { "text": r.help() },
                "defaultConfiguration": { "level": level(r.default_severity()) },
            })
        })
        .collect();
    let results: Vec<_> = findings
        .iter()
        .map(|f| {
            let mut result = json!({
                "ruleId": f.rule.id(),
                "ruleIndex": f.rule.index(),
                "level": level(f.severity),
                "message": { "text": f.message },
            });
            let mut loc = json!({});
            if let Some(uri) = f.file.as_deref().and_then(file_uri) {
                let mut phys = json!({ "artifactLocation": { "uri": uri } });
                if let Some(row) = f.row.filter(|r| *r > 0) {
                    phys["region"] = json!({ "startLine": row });
                }
                loc["physicalLocation"] = phys;
            }
            let logical = f.mapping.clone().unwrap_or_else(|| f.set.clone());
            loc["logicalLocations"] =
                json!([{ "fullyQualifiedName": logical, "kind": "resource" }]);
            if let Some(l) = &f.location {
                loc["message"] = json!({ "text": l });
            }
            result["locations"] = json!([loc]);
            result
        })
        .collect();
    json!({
        "$schema": "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "crosswalk",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://w3id.org/crosswalk",
                "rules": rules,
            }},
            "results": results,
        }],
    })
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(rule: RuleId, severity: Severity) -> Finding {
        Finding {
            rule,
            severity,
            set: "https://w3id.org/crosswalk/doc/mapping/x".into(),
            mapping: None,
            location: Some("line 3".into()),
            file: Some("x.csv".into()),
            row: Some(3),
            message: "m".into(),
        }
    }

    #[test]
    fn every_result_points_at_its_own_rule() {
        let findings: Vec<Finding> = RuleId::all()
            .iter()
            .map(|r| finding(*r, Severity::Warning))
            .collect();
        let v = sarif(&findings);
        let rules = v["runs"][0]["tool"]["driver"]["rules"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert_eq!(rules.len(), 12);
        let results = v["runs"][0]["results"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert_eq!(results.len(), 12);
        for r in &results {
            let i = r["ruleIndex"].as_u64().unwrap_or(u64::MAX) as usize;
            assert_eq!(rules[i]["id"], r["ruleId"]);
        }
    }

    #[test]
    fn artifact_locations_are_file_uris_of_absolute_paths() {
        assert_eq!(
            file_uri("/srv/sources/a b/OLIR#1.xlsx").as_deref(),
            Some("file:///srv/sources/a%20b/OLIR%231.xlsx")
        );
        let here = std::env::current_dir().unwrap_or_default();
        let rel = file_uri("x.csv").unwrap_or_default();
        assert!(rel.starts_with("file:///"), "{rel}");
        assert!(rel.ends_with("/x.csv"), "{rel}");
        assert!(rel.len() > here.to_string_lossy().len(), "{rel}");
        assert_eq!(file_uri("-"), None);
        let v = sarif(&[finding(RuleId::WithdrawnTarget, Severity::Warning)]);
        let uri = &v["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
            ["uri"];
        assert_eq!(uri.as_str(), Some(rel.as_str()));
    }

    #[test]
    fn text_and_json_keep_their_shape() {
        let f = [finding(RuleId::WithdrawnTarget, Severity::Warning)];
        assert_eq!(
            text(&f),
            "x.csv: line 3: warning[CW002]: m\n0 error(s), 1 warning(s), 0 info\n"
        );
        let json = render(&f, CheckFormat::Json).unwrap_or_default();
        let v: serde_json::Value = serde_json::from_str(&json).unwrap_or_default();
        assert_eq!(v["tool"], "crosswalk");
        assert_eq!(v["findings"][0]["rule"], "CW002");
        assert_eq!(v["findings"][0]["severity"], "warning");
        let keys: Vec<&String> = v
            .as_object()
            .map(|o| o.keys().collect())
            .unwrap_or_default();
        assert_eq!(keys, ["tool", "version", "findings"]);
        assert!(json.ends_with("}\n"));
    }
}
