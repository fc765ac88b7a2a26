//! `crosswalk search`: BM25 over the elements' text, on the real sources.
use crate::util;
use crosswalk::answer::SearchRequest;
use crosswalk::model::error::Error;
use std::collections::BTreeSet;

fn search(text: &str, schemes: &[&str], limit: u16) -> Vec<crosswalk::search::Hit> {
    let db = util::loaded().expect("loaded");
    SearchRequest {
        text: text.into(),
        schemes: schemes.iter().map(|s| (*s).to_owned()).collect(),
        kinds: Vec::new(),
        limit,
    }
    .answer(db)
    .expect("search")
}

#[test]
fn model_poisoning_finds_poisoning_text_in_two_documents() {
    require_sources!();
    let hits = search("model poisoning", &[], 10);
    assert_eq!(hits.len(), 10);
    // Hits whose best passage names poisoning (poisoning, poisoned, poison), by document.
    let docs: BTreeSet<&str> = hits
        .iter()
        .filter(|h| h.snippet.to_lowercase().contains("[poison"))
        .map(|h| h.scheme.as_str())
        .collect();
    assert!(docs.len() >= 2, "{docs:?}");
    assert!(
        hits[0].snippet.to_lowercase().contains("[poison"),
        "{:?}",
        hits[0]
    );
}

#[test]
fn supply_chain_in_sp800_53_ranks_sr_controls_first() {
    require_sources!();
    let hits = search("supply chain", &["sp800-53"], 10);
    assert!(hits.iter().all(|h| h.scheme == "sp800-53"));
    assert!(hits[0].notation.starts_with("SR-"), "{:?}", hits[0]);
    let sr = hits.iter().filter(|h| h.notation.starts_with("SR")).count();
    assert!(sr >= 5, "{sr} SR-family hits in the top 10");
}

#[test]
fn phrase_and_prefix_queries() {
    require_sources!();
    // A phrase: every hit has the words next to each other.
    let hits = search("\"data poisoning\"", &[], 20);
    assert!(!hits.is_empty());
    for h in &hits {
        let s = h.snippet.to_lowercase().replace(['[', ']'], "");
        assert!(s.contains("data poison"), "{h:?}");
    }
    // A prefix reaches words a plain term does not.
    let plain = search("poiso", &[], 50);
    let prefix = search("poiso*", &[], 50);
    assert!(plain.is_empty());
    assert!(prefix.len() > 10);
}

#[test]
fn unknown_scheme_or_kind_is_an_error_listing_the_known_ones() {
    require_sources!();
    let db = util::loaded().expect("loaded");
    let req = SearchRequest {
        text: "supply chain".into(),
        schemes: vec!["sp800-54".into()],
        kinds: Vec::new(),
        limit: 10,
    };
    match req.answer(db) {
        Err(Error::Unknown { kind, hint, .. }) => {
            assert_eq!(kind, "scheme");
            assert!(
                hint.contains("sp800-53") && hint.contains("ai-rmf"),
                "{hint}"
            );
        }
        other => panic!("{other:?}"),
    }
    let req = SearchRequest {
        text: "supply chain".into(),
        schemes: Vec::new(),
        kinds: vec!["widget".into()],
        limit: 10,
    };
    match req.answer(db) {
        Err(Error::Unknown { kind, hint, .. }) => {
            assert_eq!(kind, "kind");
            assert!(hint.contains("control-enhancement"), "{hint}");
        }
        other => panic!("{other:?}"),
    }
}

/// `GET /api/v1/search`: status, JSON shape, and a checked scheme name.
#[test]
fn the_search_api_answers_and_checks_its_names() {
    let _d = require_sources!();
    let db = util::loaded().expect("loaded");
    let base = util::start_server(db.clone(), crosswalk::serve::Config::default());
    let (st, r) = crate::suggest::get_json(&format!(
        "{base}/api/v1/search?q=supply%20chain&scheme=sp800-53&limit=5"
    ));
    assert_eq!(st, 200, "{r}");
    assert_eq!(r["q"], "supply chain");
    let hits = r["hits"].as_array().expect("hits");
    assert_eq!(hits.len(), 5);
    for h in hits {
        for k in [
            "notation", "title", "kind", "scheme", "document", "iri", "field", "snippet",
        ] {
            assert!(h[k].is_string(), "{k}: {h}");
        }
        assert!(h["score"].is_number());
        assert_eq!(h["scheme"], "sp800-53");
    }
    assert!(
        hits[0]["notation"]
            .as_str()
            .is_some_and(|n| n.starts_with("SR-")),
        "{r}"
    );
    let (st, e) =
        crate::suggest::get_json(&format!("{base}/api/v1/search?q=supply&scheme=sp-800-53"));
    assert_eq!(st, 404, "{e}");
    let text = e.to_string();
    assert!(
        text.contains("sp-800-53") && text.contains("sp800-53"),
        "{text}"
    );
    let (st, _) = crate::suggest::get_json(&format!("{base}/api/v1/search?scheme=csf"));
    assert_eq!(st, 400);
}

/// The index is kept with the store it was built from and rebuilt after the store is written:
/// an element added by a write is found, and once its graph is dropped it leaves no hit.
#[test]
fn the_kept_index_follows_every_write() {
    let _d = require_sources!();
    let db = util::loaded_copy().expect("loaded");
    let ask = |db: &crosswalk::store::Db| -> Vec<String> {
        SearchRequest {
            text: "quokkazebra".into(),
            schemes: Vec::new(),
            kinds: Vec::new(),
            limit: 5,
        }
        .answer(db)
        .expect("search")
        .into_iter()
        .map(|h| h.notation)
        .collect()
    };
    assert!(ask(&db).is_empty());
    let g = oxigraph::model::NamedNode::new_unchecked("https://w3id.org/crosswalk/graph/t-search");
    let turtle = "@prefix cw: <https://w3id.org/crosswalk/ontology#> .
        @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
        @prefix dcterms: <http://purl.org/dc/terms/> .
        <https://w3id.org/crosswalk/id/csf/2.0/ZZ.QZ-01> a cw:Subcategory ;
            skos:notation \"ZZ.QZ-01\" ; dcterms:title \"Quokkazebra governance\" ;
            cw:definedBy <https://w3id.org/crosswalk/doc/csf/2.0> .";
    let quads: Vec<oxigraph::model::Quad> =
        oxigraph::io::RdfParser::from_format(oxigraph::io::RdfFormat::Turtle)
            .for_slice(turtle.as_bytes())
            .map(|t| {
                let t = t.expect("turtle");
                oxigraph::model::Quad::new(t.subject, t.predicate, t.object, g.clone())
            })
            .collect();
    db.replace_graph(&g, &quads).expect("write");
    assert_eq!(ask(&db), ["ZZ.QZ-01"]);
    db.drop_graph(&g).expect("drop");
    assert!(ask(&db).is_empty());
}
