//! The documentation and the vocabulary, checked: the ontology is versioned and keeps every
//! term it ever declared (deprecated ones marked and still answering), and every SPARQL
//! example in the Markdown files answers on the real sources.

use crate::util;
use oxigraph::io::RdfFormat;
use oxigraph::model::{Literal, NamedNode, NamedNodeRef, Term};
use oxigraph::sparql::QueryResults;
use oxigraph::store::Store;
use std::collections::BTreeSet;
use std::path::PathBuf;

const CW: &str = "https://w3id.org/crosswalk/ontology#";
const ONTOLOGY_IRI: &str = "https://w3id.org/crosswalk/ontology";

/// Every term `ontology/crosswalk.ttl` has ever declared (`cw:X a …`), the union over its git
/// history (`git log --format=%h -- ontology/crosswalk.ttl`, each version's declarations).
/// A term is never removed: deprecate it instead. A new term goes here too (the last test
/// below fails until it does), so that it can never silently go away.
#[rustfmt::skip]
const EVER_DECLARED: &[&str] = &[
    "AssessmentObjective", "Automation", "Baseline", "Catalog", "Category", "CategoryLevel",
    "ChildOf", "Composition", "ConceptCrosswalk", "Contrary", "Control", "ControlEnhancement",
    "ControlFamily", "CoverageSlice", "DanglingSubject", "DanglingTarget", "Document",
    "DocumentStatus", "Draft", "DraftMapping", "Element", "ElementStatus", "Equal", "Equivalent",
    "ExampleOf", "ExternalElement", "ExternalScheme", "FamilyLevel", "Final", "FinalMapping",
    "FocusArea", "Framework", "Function", "Functional", "HumanCuration", "Identical",
    "ImplementationExample", "Inference", "InitialPreliminaryDraft", "IntegralTo", "IntersectsWith",
    "IsSupportedBy", "Mapping", "MappingMethod", "MappingSet", "MappingStatus", "NoRelationship",
    "Overlay", "OverlayEntry", "Parameter", "ParentOf", "PreDraft", "Precedes", "Profile",
    "ProfileEntry", "Rationale", "Related", "RelatedVia", "RelationshipStyle", "RelationshipType",
    "Risk", "Semantic", "SetTheory", "SourceGraph", "StatementItem", "Structural", "Subcategory",
    "SubsetOf", "SuggestedAction", "SuggestedMapping", "SupersetOf", "Supportive",
    "SupportiveProperty", "Supports", "Syntactic", "Transcription", "Withdrawn",
    "WithdrawnDocument", "WithdrawnTarget", "about", "actionOf", "aiActor", "assertedIn",
    "assessmentMethod", "attackId", "basis", "canonicalUrl", "composesThrough", "confidence",
    "considerations", "contraryTo", "definedBy", "derivedFrom", "describes", "documentStatus",
    "documentationQuestions", "equalTo", "equivalentTo", "example", "extractedBy", "firstHop",
    "flag", "flagLabel", "focalDocument", "focalNotation", "focalSortKey", "focusArea",
    "granularity", "graphStore", "guidance", "hop", "how", "identicalTo", "importer", "importerVersion",
    "inBaseline", "inStyle", "incorporatedInto", "inferred", "intersectsWith", "inverseOf",
    "inverseType", "landingPage", "licenseNote", "lifecyclePhase", "loadDigest", "loadWarning",
    "localId", "lookupKey", "mappingSet", "mappingStatus", "method", "movedTo", "note", "object",
    "objectNotation", "opportunities", "overlayEntryOf", "page", "paramChoice", "paramGuideline",
    "paramHowMany", "paramLabel", "parameter", "parent", "priority", "priorityLabel",
    "profileEntryOf", "profileOf", "rationale", "referenceDocument", "references", "related",
    "relatedRisk", "relatedTo", "relatedVia", "relationship", "requires", "resolvedAgainst",
    "riskParty", "rolledUpFrom", "rollup", "rollupIn", "rule", "scheme", "secondHop", "setScheme",
    "shortcut", "sliceFocalScheme", "sliceMember", "sliceRollupMember", "sliceSetScheme",
    "sliceTargetScheme", "sortKey", "sourceFile", "sourceId", "sourceLocation", "sourceRow",
    "sourceSha256", "statement", "status", "strength", "style", "subject", "subjectNotation",
    "subsetOf", "suggestedActions", "supersetOf", "supportedBy", "supportiveProperty", "supports",
    "tailoring", "targetBaseline", "targetNotation", "targetScheme", "thirdPartyExtraction",
    "topic", "unitInScheme", "version", "viaElement", "viaNotation",
    // 2026-12-04 (issue 19): coverage rows.
    "CoverageRow", "sliceRow", "sliceRollupRow", "rowFocal", "rowFocalNotation", "rowSortKey",
    "rowTarget", "baselineLabel",
    // issue 21: crosswalk suggest
    "Suggested", "mappingJustification", "mappingTool", "matchField", "matchString",
];

/// The deprecated terms, with what replaces each (`dcterms:isReplacedBy`).
const DEPRECATED: &[(&str, &[&str])] = &[
    ("assertedIn", &["basis"]),
    ("how", &["basis"]),
    ("hop", &["firstHop", "secondHop"]),
    ("inferred", &["method"]),
];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn ontology() -> Store {
    let ttl = std::fs::read(root().join("ontology/crosswalk.ttl")).expect("read the ontology");
    let store = Store::new().expect("store");
    store
        .load_from_slice(RdfFormat::Turtle, &ttl)
        .expect("the ontology parses");
    store
}

fn cw(local: &str) -> NamedNode {
    NamedNode::new(format!("{CW}{local}")).expect("iri")
}

fn objects(store: &Store, s: &NamedNode, p: &str) -> Vec<Term> {
    let p = NamedNode::new(p).expect("iri");
    store
        .quads_for_pattern(Some(s.as_ref().into()), Some(p.as_ref()), None, None)
        .map(|q| q.expect("quad").object)
        .collect()
}

const RDF_TYPE: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type";
const OWL: &str = "http://www.w3.org/2002/07/owl#";
const DCTERMS: &str = "http://purl.org/dc/terms/";

/// The `cw:` terms the ontology declares (subjects of an `rdf:type`).
fn declared(store: &Store) -> BTreeSet<String> {
    let ty = NamedNodeRef::new(RDF_TYPE).expect("iri");
    store
        .quads_for_pattern(None, Some(ty), None, None)
        .filter_map(|q| match q.expect("quad").subject {
            oxigraph::model::NamedOrBlankNode::NamedNode(n) => {
                n.as_str().strip_prefix(CW).map(str::to_owned)
            }
            oxigraph::model::NamedOrBlankNode::BlankNode(_) => None,
        })
        .collect()
}

#[test]
fn the_ontology_has_the_package_version() {
    let o = ontology();
    let me = NamedNode::new(ONTOLOGY_IRI).expect("iri");
    let version = env!("CARGO_PKG_VERSION");
    assert_eq!(
        objects(&o, &me, &format!("{OWL}versionInfo")),
        [Term::from(Literal::new_simple_literal(version))],
        "owl:versionInfo is the package version (Cargo.toml)"
    );
    assert_eq!(
        objects(&o, &me, &format!("{OWL}versionIRI")),
        [Term::from(
            NamedNode::new(format!("{ONTOLOGY_IRI}/{version}")).expect("iri")
        )],
        "owl:versionIRI is {ONTOLOGY_IRI}/{{package version}}"
    );
    let modified = objects(&o, &me, &format!("{DCTERMS}modified"));
    assert!(
        matches!(&modified[..], [Term::Literal(l)] if l.datatype().as_str().ends_with("#date")),
        "dcterms:modified is one xsd:date: {modified:?}"
    );
}

#[test]
fn every_term_ever_declared_is_still_declared() {
    let now = declared(&ontology());
    let gone: Vec<&&str> = EVER_DECLARED
        .iter()
        .filter(|t| !now.contains(**t))
        .collect();
    assert!(
        gone.is_empty(),
        "terms removed from ontology/crosswalk.ttl (deprecate them instead): {gone:?}"
    );
}

#[test]
fn deprecated_terms_are_marked_and_name_their_replacement() {
    let o = ontology();
    let now = declared(&o);
    let deprecated_true = Term::from(Literal::from(true));
    for (term, replaced_by) in DEPRECATED {
        let t = cw(term);
        let marks = objects(&o, &t, &format!("{OWL}deprecated"));
        assert!(
            matches!(&marks[..], [m] if *m == deprecated_true),
            "cw:{term} is owl:deprecated true: {marks:?}"
        );
        let mut got: Vec<String> = objects(&o, &t, &format!("{DCTERMS}isReplacedBy"))
            .iter()
            .map(|r| r.to_string())
            .collect();
        got.sort();
        let want: Vec<String> = replaced_by.iter().map(|r| format!("<{CW}{r}>")).collect();
        assert_eq!(got, want, "cw:{term} dcterms:isReplacedBy");
        for r in *replaced_by {
            assert!(
                now.contains(*r),
                "cw:{term} is replaced by undeclared cw:{r}"
            );
        }
        let comment = objects(&o, &t, "http://www.w3.org/2000/01/rdf-schema#comment");
        assert!(
            comment.iter().any(
                |c| matches!(c, Term::Literal(l) if l.value().starts_with("Deprecated since 20"))
            ),
            "cw:{term}'s rdfs:comment says since when it is deprecated and what to ask instead"
        );
    }
    // And nothing else is deprecated without being listed (and so tested) here.
    let marked: BTreeSet<String> = o
        .quads_for_pattern(
            None,
            Some(NamedNodeRef::new("http://www.w3.org/2002/07/owl#deprecated").expect("iri")),
            Some(deprecated_true.as_ref()),
            None,
        )
        .map(|q| q.expect("quad").subject.to_string())
        .collect();
    let listed: BTreeSet<String> = DEPRECATED
        .iter()
        .map(|(t, _)| format!("<{CW}{t}>"))
        .collect();
    assert_eq!(marked, listed);
}

#[test]
fn every_declared_term_is_in_the_history_list() {
    let now = declared(&ontology());
    let ever: BTreeSet<&str> = EVER_DECLARED.iter().copied().collect();
    let new: Vec<&String> = now.iter().filter(|t| !ever.contains(t.as_str())).collect();
    assert!(
        new.is_empty(),
        "add the new terms to EVER_DECLARED in tests/it/docs.rs: {new:?}"
    );
}

/// What a query written against a deprecated term answers is what its replacement answers.
#[test]
fn deprecated_terms_keep_answering() {
    let _d = require_sources!();
    let db = util::loaded().expect("loaded");
    let p = util::PREFIXES;
    let n = |body: &str| {
        util::count(
            db,
            &format!("{p} SELECT (COUNT(*) AS ?n) WHERE {{ {body} }}"),
        )
    };
    let direct = n("?m cw:basis ?m");
    let inverse = n("?m cw:inverseOf ?a");
    assert!(direct > 9000 && inverse > 9000, "{direct} {inverse}");
    assert_eq!(n(r#"?m cw:how "direct""#), direct);
    assert_eq!(n(r#"?m cw:how "inverse""#), inverse);
    assert_eq!(n("?m cw:how ?how"), direct + inverse);
    assert_eq!(n("?m cw:assertedIn ?set"), direct + inverse);
    assert_eq!(
        n("?m cw:assertedIn ?set FILTER NOT EXISTS { ?m cw:basis/cw:mappingSet ?set }"),
        0
    );
    assert_eq!(
        n("?m cw:inferred true"),
        n("?m a cw:Mapping ; cw:method cw:Inference")
    );
    // The first vocabulary's way to the asserted mappings: every mapping minus the inferred.
    assert_eq!(n("?m a cw:Mapping MINUS { ?m cw:inferred true }"), direct);
}

/// A SPARQL example in a Markdown file: where it is and its text.
struct Example {
    place: String,
    text: String,
}

/// The Markdown files whose SPARQL examples must answer: the top-level ones and docs/.
fn markdown_files() -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut dirs = vec![root(), root().join("docs")];
    while let Some(dir) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries {
            let path = e.expect("dir entry").path();
            if path.is_dir() && path.starts_with(root().join("docs")) {
                dirs.push(path);
            } else if path.extension().is_some_and(|x| x == "md") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// The examples of one file: every fenced block tagged `sparql` (or `rq`), and every
/// `crosswalk query '…'` with SPARQL text in a shell block.
fn examples(name: &str, md: &str) -> Vec<Example> {
    let mut out = Vec::new();
    let mut lines = md.lines().enumerate();
    while let Some((i, line)) = lines.next() {
        let t = line.trim_start();
        let Some(fence) = ["```", "~~~"].into_iter().find(|f| t.starts_with(f)) else {
            continue;
        };
        let lang = t[fence.len()..]
            .split(|c: char| c.is_whitespace() || c == ',' || c == '{')
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        let mut body = Vec::new();
        for (_, l) in lines.by_ref() {
            if l.trim_start().starts_with(fence) {
                break;
            }
            body.push(l);
        }
        let first = i + 2; // 1-based number of the block's first line
        match lang.as_str() {
            "sparql" | "rq" => out.push(Example {
                place: format!("{name}:{first}"),
                text: body.join("\n"),
            }),
            "sh" | "bash" | "shell" | "console" | "text" | "" => {
                let joined = body.join("\n");
                let mut rest = joined.as_str();
                while let Some(at) = rest.find("crosswalk query '") {
                    let start = at + "crosswalk query '".len();
                    let Some(len) = rest[start..].find('\'') else {
                        break;
                    };
                    let text = &rest[start..start + len];
                    let line = first
                        + joined[..joined.len() - rest.len() + at]
                            .matches('\n')
                            .count();
                    out.push(Example {
                        place: format!("{name}:{line}"),
                        text: text.to_owned(),
                    });
                    rest = &rest[start + len + 1..];
                }
            }
            _ => {}
        }
    }
    out
}

/// Why an example fails, or `None` when it answers (≥ 1 row, `true`, ≥ 1 triple).
fn fails(db: &crosswalk::store::Db, text: &str) -> Option<String> {
    match db.run(text, &[]) {
        Err(e) => Some(format!("error: {e}")),
        Ok(QueryResults::Solutions(mut s)) => match s.next() {
            None => Some("no rows".into()),
            Some(Err(e)) => Some(format!("error: {e}")),
            Some(Ok(_)) => None,
        },
        Ok(QueryResults::Boolean(b)) => (!b).then(|| "ASK answers false".into()),
        Ok(QueryResults::Graph(mut g)) => match g.next() {
            None => Some("no triples".into()),
            Some(Err(e)) => Some(format!("error: {e}")),
            Some(Ok(_)) => None,
        },
    }
}

#[test]
fn every_sparql_example_in_the_docs_answers() {
    let _d = require_sources!();
    let db = util::loaded().expect("loaded");
    let mut all = Vec::new();
    for path in markdown_files() {
        let name = path
            .strip_prefix(root())
            .unwrap_or(&path)
            .display()
            .to_string();
        let md = std::fs::read_to_string(&path).expect("read markdown");
        let found = examples(&name, &md);
        eprintln!("{name}: {} SPARQL example(s)", found.len());
        all.extend(found);
    }
    // The README teaches SPARQL by example: an extractor that finds none would pass vacuously.
    assert!(
        all.iter()
            .filter(|e| e.place.starts_with("README.md:"))
            .count()
            >= 8,
        "README.md's examples not found"
    );
    let failures: Vec<String> = all
        .iter()
        .filter_map(|e| fails(db, &e.text).map(|why| format!("{}: {why}\n{}", e.place, e.text)))
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} documented SPARQL example(s) do not answer:\n\n{}",
        failures.len(),
        all.len(),
        failures.join("\n\n")
    );
}

#[test]
fn examples_are_found_with_their_line() {
    let md = "intro\n\n```sparql\nASK { ?s ?p ?o }\n```\n\n```sh\n$ crosswalk query 'SELECT *\nWHERE { ?s ?p ?o }' --format csv\ncrosswalk query crosswalk -p element=AC-2\n```\n\n```text\nnot sparql\n```\n";
    let got: Vec<(String, String)> = examples("X.md", md)
        .into_iter()
        .map(|e| (e.place, e.text))
        .collect();
    assert_eq!(
        got,
        [
            ("X.md:4".to_owned(), "ASK { ?s ?p ?o }".to_owned()),
            (
                "X.md:8".to_owned(),
                "SELECT *\nWHERE { ?s ?p ?o }".to_owned()
            ),
        ]
    );
}
