//! Every named query in queries/ parses, documents itself, runs with its documented parameters,
//! and the ones the CLI does not already cover answer exactly on the real data.
use crate::util;
use crosswalk::query::{Sparql, library, named};

fn a(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

#[test]
fn every_query_has_a_header_and_projects_its_parameters() {
    let lib = library();
    assert!(lib.len() >= 16, "{}", lib.len());
    for q in lib {
        assert!(!q.question.is_empty(), "{}: no `# question:`", q.name);
        assert!(
            q.example.contains(q.name),
            "{}: example does not run it",
            q.name
        );
        for p in &q.params {
            // One public name per kind across the library (the variable's name is an alias).
            let expected = match p.kind.as_str() {
                "element key" | "element iri" => "element",
                "set scheme" | "set iri" => "set",
                "baseline" => "baseline",
                "focus" => "focus",
                "priority" => "priority",
                "mapping iri" => "mapping",
                "document iri" => "document",
                "resource iri" => "resource",
                "scheme" => p.name.as_str(),
                other => panic!("{}: parameter {} of kind `{other}`", q.name, p.name),
            };
            assert_eq!(p.name, expected, "{}: {}", q.name, p.var);
            if p.kind == "scheme" {
                assert!(
                    ["from", "to", "scheme"].contains(&p.name.as_str()),
                    "{}",
                    q.name
                );
            }
            assert!(
                !p.doc.is_empty(),
                "{}: parameter {} undocumented",
                q.name,
                p.name
            );
        }
    }
}

#[test]
fn missing_or_unknown_parameters_are_errors() {
    let q = named("crosswalk").expect("q");
    assert!(
        q.bind(&a(&[("toScheme", "csf")]))
            .unwrap_err()
            .to_string()
            .contains("needs parameter `element`")
    );
    // Optional parameters may be left out (or given as *): the variable stays unbound.
    let b = q.bind(&a(&[("key", "GV.SC-07")])).expect("optional params");
    assert_eq!(b.len(), 1);
    let b = q
        .bind(&a(&[
            ("key", "GV.SC-07"),
            ("toScheme", "*"),
            ("setScheme", "olir-186"),
        ]))
        .expect("bind");
    assert_eq!(
        b.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>(),
        ["key", "setScheme"]
    );
    let all = a(&[
        ("key", "x"),
        ("toScheme", "*"),
        ("setScheme", "*"),
        ("nope", "1"),
    ]);
    assert!(
        q.bind(&all)
            .unwrap_err()
            .to_string()
            .contains("unknown parameter `nope`")
    );
    assert!(
        named("cyber-ai-priority")
            .expect("q")
            .bind(&a(&[("focus", "Secure"), ("priority", "high")]))
            .is_err()
    );
    assert!(named("no-such-query").is_err());
}

#[test]
fn a_hostile_parameter_is_a_term_not_query_text() {
    let _d = require_sources!();
    let db = util::loaded().expect("loaded");
    let evil = r#"x" } ?s ?p ?o . FILTER(true) } #"#;
    let s = named("element")
        .expect("q")
        .run(db, &a(&[("key", evil)]))
        .expect("runs");
    assert!(s.rows.is_empty());
    assert!(
        named("element-children")
            .expect("q")
            .run(db, &a(&[("element", "not an iri>")]))
            .is_err()
    );
}

#[test]
fn documents_baselines_withdrawals_and_mapping_sets() {
    let dir = require_sources!();
    let db = util::loaded().expect("loaded");
    let docs = named("documents").expect("q").run(db, &[]).expect("run");
    let third_party: Vec<String> = (0..docs.rows.len())
        .filter(|&r| {
            docs.get(r, "thirdParty")
                .map(crosswalk::query::term_text)
                .as_deref()
                == Some("true")
        })
        .filter_map(|r| docs.get(r, "scheme").map(crosswalk::query::term_text))
        .collect();
    assert_eq!(
        third_party,
        [
            "ai-600-1",
            "ai-rmf",
            "cosais-predictive-ai",
            "cyber-ai-profile"
        ]
    );
    let status = |scheme: &str| {
        (0..docs.rows.len())
            .find(|&r| {
                docs.get(r, "scheme")
                    .map(crosswalk::query::term_text)
                    .as_deref()
                    == Some(scheme)
            })
            .and_then(|r| docs.get(r, "status").map(crosswalk::query::term_text))
    };
    assert_eq!(
        status("cyber-ai-profile").as_deref(),
        Some("initial preliminary draft")
    );
    assert_eq!(status("cosais-predictive-ai").as_deref(), Some("pre-draft"));
    assert_eq!(status("olir-186").as_deref(), Some("draft"));

    let b = named("baseline-members")
        .expect("q")
        .run(db, &[])
        .expect("run");
    let got: Vec<(String, String)> = b
        .strings("label")
        .into_iter()
        .zip(b.strings("members"))
        .collect();
    let want = [
        ("COSAiS Predictive AI (outline)", "59"),
        ("HIGH", "370"),
        ("LOW", "149"),
        ("MODERATE", "287"),
        ("PRIVACY", "96"),
    ];
    assert_eq!(
        got,
        want.map(|(x, y)| (x.to_owned(), y.to_owned())).to_vec()
    );

    let w = named("withdrawn-migrations")
        .expect("q")
        .run(db, &a(&[("scheme", "sp800-53")]))
        .expect("run");
    let elements: std::collections::BTreeSet<String> = w.strings("notation").into_iter().collect();
    assert_eq!(elements.len(), 182);
    let ra4: Vec<String> = (0..w.rows.len())
        .filter(|&r| {
            w.get(r, "notation")
                .map(crosswalk::query::term_text)
                .as_deref()
                == Some("RA-4")
        })
        .filter_map(|r| w.get(r, "targetNotation").map(crosswalk::query::term_text))
        .collect();
    assert_eq!(ra4, ["RA-3"]);
    let csf = named("withdrawn-migrations")
        .expect("q")
        .run(db, &a(&[("scheme", "csf")]))
        .expect("run");
    let csf_el: std::collections::BTreeSet<String> = csf.strings("notation").into_iter().collect();
    assert_eq!(csf_el.len(), 91);

    let sets = named("mapping-sets").expect("q").run(db, &[]).expect("run");
    let olir = (0..sets.rows.len())
        .find(|&r| {
            sets.get(r, "setScheme")
                .map(crosswalk::query::term_text)
                .as_deref()
                == Some("olir-186")
        })
        .expect("olir row");
    let n = |v: &str| {
        sets.get(olir, v)
            .map(crosswalk::query::term_text)
            .unwrap_or_default()
    };
    assert_eq!(
        (n("mappings"), n("flagged"), n("coarse")),
        ("746".into(), "9".into(), "9".into())
    );

    let g = named("gaps")
        .expect("q")
        .run(
            db,
            &a(&[
                ("fromScheme", "csf"),
                ("toScheme", "sp800-53"),
                ("setScheme", "olir-186"),
            ]),
        )
        .expect("run");
    // PR.AA-04 maps only to IA-13, which the loaded 5.0.1 catalog lacks.
    assert_eq!(g.strings("focalNotation"), ["PR.AA-04"]);
    // The file a set was read from, as loaded (made absolute): one per source file.
    let olir = "https://w3id.org/crosswalk/doc/mapping/olir-186-csf-2.0-to-sp800-53-5.2.0";
    let f = named("set-source-file")
        .expect("q")
        .run(db, &a(&[("set", olir)]))
        .expect("run");
    let file = std::path::absolute(dir.join(
        "nist/mappings/Cybersecurity_Framework_v2-0_Concept_Crosswalk_800-53_5_2_0_draft.xlsx",
    ))
    .expect("absolute");
    assert_eq!(f.strings("file"), [file.display().to_string()]);
    let n = named("neighbors")
        .expect("q")
        .run(
            db,
            &a(&[("element", "https://w3id.org/crosswalk/id/csf/2.0/GV.SC-07")]),
        )
        .expect("run");
    assert!(n.strings("notation").contains(&"GV.SC".to_owned()));
    // The query layer is endpoint-independent: the same text runs through the trait object.
    let dynq: &dyn Sparql = db;
    assert_eq!(
        dynq.select("SELECT (1 AS ?one) WHERE {}", &[])
            .expect("run")
            .strings("one"),
        ["1"]
    );
}

/// The embedded store binds parameters by substituting them into the parsed algebra where
/// that is equivalent (crosswalk::store::bind); remote stores get a VALUES block. For every named
/// query, run with its documented example, both must give the same rows, and the queries the
/// CLI's answers rest on must take the substituted (faster) path.
#[test]
fn substituted_parameters_answer_exactly_as_a_values_block() {
    let _d = require_sources!();
    let db = util::loaded().expect("loaded");
    let mut substituted = Vec::new();
    for q in library() {
        let words: Vec<&str> = q.example.split_whitespace().collect();
        let args: Vec<(String, String)> = words
            .windows(2)
            .filter(|w| w[0] == "-p" || w[0] == "--param")
            .filter_map(|w| {
                let (k, v) = w[1].split_once('=')?;
                Some((k.to_owned(), v.trim_matches('\'').to_owned()))
            })
            .collect();
        let bound = q
            .bind_checked(db, &args)
            .unwrap_or_else(|e| panic!("{}: example does not bind: {e}", q.name));
        let refs = bound.refs();
        // Every header example answers: a documented call that returns nothing teaches the
        // reader nothing.
        let rows = bound.run(db).expect("example runs").rows.len();
        assert!(rows > 0, "{}: `{}` returns no rows", q.name, q.example);
        if crosswalk::store::bind::substitute(&bound.text, &refs)
            .expect("parses")
            .is_some()
            && !refs.is_empty()
        {
            substituted.push(q.name);
        }
        let sorted = |s: crosswalk::query::Solutions| {
            let mut rows: Vec<String> = s.rows.iter().map(|r| format!("{r:?}")).collect();
            rows.sort();
            (s.vars, rows)
        };
        let fast = sorted(db.select(&bound.text, &refs).expect("substituted run"));
        let text = crosswalk::model::sparql_text::with_values(&bound.text, &refs).expect("values");
        let plain = sorted(db.select(&text, &[]).expect("VALUES run"));
        assert_eq!(fast, plain, "{}: {}", q.name, q.example);
    }
    // coverage binds ?baseline only inside an OPTIONAL, gaps ?toScheme only inside MINUS:
    // there a constant would change the answer, so they keep VALUES.
    substituted.sort_unstable();
    assert_eq!(
        substituted,
        [
            "check-mappings",
            "composes",
            "crosswalk",
            "crosswalk-rollup",
            "crosswalk-via",
            "cyber-ai-priority",
            "document-elements",
            "element",
            "element-actions",
            "element-baselines",
            "element-children",
            "element-key",
            "element-overlay-entries",
            "element-parameters",
            "element-playbook",
            "element-referenced",
            "element-risks",
            "element-withdrawn",
            "export-mappings",
            "focal-units",
            "mapping-explain",
            "neighbors",
            "resource",
            "set-metadata",
            "set-pairs",
            "set-source-file",
            "withdrawn-migrations",
        ]
    );
}
