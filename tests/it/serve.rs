//! `crosswalk serve` end to end: the router on 127.0.0.1 with an ephemeral port, over the store
//! loaded from the real NIST sources, exercised through every route, content type and error path.
use crate::util;

use crosswalk::query::{self, Remote, Sparql};
use crosswalk::serve::Config;
use crosswalk::store::Db;
use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::sparql::results::{
    QueryResultsFormat, QueryResultsParser, ReaderQueryResultsParserOutput,
};
use serde_json::Value;
use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use util::start_server as start;

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(60)))
        .build()
        .new_agent()
}

struct Reply {
    status: u16,
    content_type: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Reply {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

fn reply(mut r: ureq::http::Response<ureq::Body>) -> Reply {
    let headers = r
        .headers()
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_owned()))
        .collect::<Vec<_>>();
    Reply {
        status: r.status().as_u16(),
        content_type: r
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned(),
        headers,
        body: r.body_mut().read_to_vec().expect("body"),
    }
}

fn get(url: &str, accept: Option<&str>) -> Reply {
    let mut req = agent().get(url);
    if let Some(a) = accept {
        req = req.header("Accept", a);
    }
    reply(req.call().expect("GET"))
}

fn post(url: &str, content_type: &str, accept: Option<&str>, body: &str) -> Reply {
    let mut req = agent().post(url).header("Content-Type", content_type);
    if let Some(a) = accept {
        req = req.header("Accept", a);
    }
    reply(req.send(body.as_bytes()).expect("POST"))
}

fn enc(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// The shared server over the full graph (default config).
fn base() -> Option<&'static str> {
    static BASE: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
    BASE.get_or_init(|| util::loaded().map(|db| start(db.clone(), Config::default())))
        .as_deref()
}

macro_rules! server {
    () => {
        match base() {
            Some(b) => b,
            None => return,
        }
    };
}

const NOTATION: &str = "PREFIX cw: <https://w3id.org/crosswalk/ontology#> PREFIX skos: <http://www.w3.org/2004/02/skos/core#> SELECT ?n WHERE { ?e cw:lookupKey \"GV.SC-07\" ; skos:notation ?n }";
const CONSTRUCT: &str = "CONSTRUCT { ?e <http://www.w3.org/2004/02/skos/core#notation> ?n } WHERE { ?e <https://w3id.org/crosswalk/ontology#lookupKey> \"GV.SC-07\" ; <http://www.w3.org/2004/02/skos/core#notation> ?n }";

/// The `?n` values of a SPARQL results document, or the boolean.
fn parse_results(body: &[u8], format: QueryResultsFormat) -> Result<Vec<String>, bool> {
    match QueryResultsParser::from_format(format)
        .for_reader(body)
        .expect("results parse")
    {
        ReaderQueryResultsParserOutput::Solutions(s) => Ok(s
            .map(|s| {
                let s = s.expect("solution");
                query::term_text(s.get("n").expect("?n bound"))
            })
            .collect()),
        ReaderQueryResultsParserOutput::Boolean(b) => Err(b),
    }
}

#[test]
fn select_in_every_results_format_via_get_and_both_posts() {
    let b = server!();
    for (accept, format) in [
        ("application/sparql-results+json", QueryResultsFormat::Json),
        ("application/sparql-results+xml", QueryResultsFormat::Xml),
        ("text/tab-separated-values", QueryResultsFormat::Tsv),
    ] {
        let r = get(&format!("{b}/sparql?query={}", enc(NOTATION)), Some(accept));
        assert_eq!(r.status, 200, "{accept}: {}", r.text());
        assert!(
            r.content_type.starts_with(accept),
            "{accept} → {}",
            r.content_type
        );
        assert_eq!(r.header("vary"), Some("accept"));
        assert_eq!(
            parse_results(&r.body, format),
            Ok(vec!["GV.SC-07".to_owned()]),
            "{accept}"
        );
    }
    // CSV is lossy (no parser exists): check the text.
    let r = get(
        &format!("{b}/sparql?query={}", enc(NOTATION)),
        Some("text/csv"),
    );
    assert!(r.content_type.starts_with("text/csv"), "{}", r.content_type);
    assert_eq!(r.text().replace("\r\n", "\n"), "n\nGV.SC-07\n");
    // No Accept: SPARQL JSON. `/query` is an alias.
    let r = get(&format!("{b}/query?query={}", enc(NOTATION)), None);
    assert_eq!(r.content_type, "application/sparql-results+json");
    let form = post(
        &format!("{b}/sparql"),
        "application/x-www-form-urlencoded",
        Some("application/sparql-results+json"),
        &format!("query={}", enc(NOTATION)),
    );
    let direct = post(
        &format!("{b}/sparql"),
        "application/sparql-query",
        None,
        NOTATION,
    );
    for r in [&r, &form, &direct] {
        assert_eq!(r.status, 200, "{}", r.text());
        assert_eq!(
            parse_results(&r.body, QueryResultsFormat::Json),
            Ok(vec!["GV.SC-07".to_owned()])
        );
    }
}

#[test]
fn ask_and_construct_in_every_format() {
    let b = server!();
    for (key, expected) in [("AC-2", true), ("ZZ-99", false)] {
        let q = format!("ASK {{ ?e <https://w3id.org/crosswalk/ontology#lookupKey> \"{key}\" }}");
        for (accept, format) in [
            ("application/sparql-results+json", QueryResultsFormat::Json),
            ("application/sparql-results+xml", QueryResultsFormat::Xml),
        ] {
            let r = get(&format!("{b}/sparql?query={}", enc(&q)), Some(accept));
            assert_eq!(r.status, 200);
            assert_eq!(
                parse_results(&r.body, format),
                Err(expected),
                "{key} {accept}"
            );
        }
    }
    for (accept, format) in [
        ("text/turtle", RdfFormat::Turtle),
        ("application/n-triples", RdfFormat::NTriples),
        (
            "application/ld+json",
            RdfFormat::JsonLd {
                profile: Default::default(),
            },
        ),
        ("application/rdf+xml", RdfFormat::RdfXml),
    ] {
        let r = get(
            &format!("{b}/sparql?query={}", enc(CONSTRUCT)),
            Some(accept),
        );
        assert_eq!(r.status, 200, "{accept}: {}", r.text());
        assert!(
            r.content_type.starts_with(accept),
            "{accept} → {}",
            r.content_type
        );
        let quads: Vec<_> = RdfParser::from_format(format)
            .for_reader(r.body.as_slice())
            .collect::<Result<_, _>>()
            .unwrap_or_else(|e| panic!("{accept}: {e}\n{}", r.text()));
        assert_eq!(quads.len(), 1, "{accept}: {}", r.text());
        assert_eq!(quads[0].object.to_string(), "\"GV.SC-07\"");
    }
    // A graph result cannot be SPARQL JSON.
    let r = get(
        &format!("{b}/sparql?query={}", enc(CONSTRUCT)),
        Some("application/sparql-results+json"),
    );
    assert_eq!(r.status, 406);
}

#[test]
fn protocol_dataset_restricts_the_default_and_named_graphs() {
    let b = server!();
    let Some(db) = util::loaded() else { return };
    let csf = "https://w3id.org/crosswalk/graph/csf-2.0";
    let in_graph = util::count(
        db,
        &format!("SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{csf}> {{ ?s ?p ?o }} }}"),
    );
    assert!(in_graph > 1000, "csf graph has {in_graph} triples");
    let q = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }";
    let r = get(
        &format!("{b}/sparql?query={}&default-graph-uri={}", enc(q), enc(csf)),
        None,
    );
    assert_eq!(
        parse_results(&r.body, QueryResultsFormat::Json),
        Ok(vec![in_graph.to_string()])
    );
    // Without a protocol dataset the default graph is the union of all graphs.
    let r = get(&format!("{b}/sparql?query={}", enc(q)), None);
    assert_eq!(
        parse_results(&r.body, QueryResultsFormat::Json),
        Ok(vec![db.len().expect("len").to_string()])
    );
    // named-graph-uri: only the listed graphs are visible to GRAPH ?g.
    let g = "SELECT ?n WHERE { GRAPH ?g { } BIND(STR(?g) AS ?n) }";
    let r = post(
        &format!("{b}/sparql?named-graph-uri={}", enc(csf)),
        "application/sparql-query",
        None,
        g,
    );
    assert_eq!(
        parse_results(&r.body, QueryResultsFormat::Json),
        Ok(vec![csf.to_owned()]),
        "{}",
        r.text()
    );
}

#[test]
fn protocol_errors_have_the_right_status() {
    let b = server!();
    let r = get(
        &format!("{b}/sparql?query={}", enc("SELECT ?x WHERE { ?x")),
        None,
    );
    assert_eq!(r.status, 400);
    assert!(r.content_type.starts_with("text/plain"));
    assert!(
        r.text().contains("error at 1:"),
        "parser message expected: {}",
        r.text()
    );
    let r = get(
        &format!("{b}/sparql?query={}", enc(NOTATION)),
        Some("image/png"),
    );
    assert_eq!(r.status, 406);
    assert!(
        r.text().contains("application/sparql-results+json"),
        "{}",
        r.text()
    );
    let r = post(&format!("{b}/sparql"), "text/plain", None, NOTATION);
    assert_eq!(r.status, 415);
    let r = post(
        &format!("{b}/sparql"),
        "application/x-www-form-urlencoded",
        None,
        "foo=bar",
    );
    assert_eq!(r.status, 400);
    // Body cap: a server of its own with a small cap (a multi-megabyte body may be cut off
    // mid-send when the server answers 413 early, which the client reports as a reset).
    if let Some(db) = util::loaded() {
        let small = start(
            db.clone(),
            Config {
                max_body: 1024,
                ..Config::default()
            },
        );
        let big = format!("{NOTATION} #{}", "x".repeat(4096));
        let r = post(
            &format!("{small}/sparql"),
            "application/sparql-query",
            None,
            &big,
        );
        assert_eq!(r.status, 413);
        let r = post(
            &format!("{small}/sparql"),
            "application/sparql-query",
            None,
            NOTATION,
        );
        assert_eq!(r.status, 200);
    }
    let r = get(&format!("{b}/sparql?update={}", enc("CLEAR ALL")), None);
    assert_eq!(r.status, 405);
}

#[test]
fn updates_are_refused_by_default_and_the_data_is_unchanged() {
    let b = server!();
    let Some(db) = util::loaded() else { return };
    let before = db.len().expect("len");
    for (ct, body) in [
        ("application/sparql-update", "CLEAR ALL".to_owned()),
        (
            "application/x-www-form-urlencoded",
            format!("update={}", enc("CLEAR ALL")),
        ),
    ] {
        let r = post(&format!("{b}/sparql"), ct, None, &body);
        assert_eq!(r.status, 403, "{ct}: {}", r.text());
        assert!(r.text().contains("read-only"));
    }
    assert_eq!(db.len().expect("len"), before);
}

#[test]
fn updates_need_a_configured_token() {
    // A store of its own: this test writes.
    let db = Db::memory().expect("memory");
    let b = start(
        db.clone(),
        Config {
            update_tokens: vec!["s3cret".into()],
            ..Config::default()
        },
    );
    let insert = "INSERT DATA { <urn:a> <urn:b> <urn:c> }";
    let r = post(
        &format!("{b}/sparql"),
        "application/sparql-update",
        None,
        insert,
    );
    assert_eq!(r.status, 401);
    assert_eq!(r.header("www-authenticate"), Some("Bearer"));
    let update = |token: &str, text: &str| {
        reply(
            agent()
                .post(&format!("{b}/sparql"))
                .header("Content-Type", "application/sparql-update")
                .header("Authorization", &format!("Bearer {token}"))
                .send(text.as_bytes())
                .expect("POST"),
        )
    };
    assert_eq!(update("wrong", insert).status, 401);
    assert_eq!(db.len().expect("len"), 0);
    let r = update("s3cret", insert);
    assert_eq!(r.status, 204, "{}", r.text());
    let has = |ask: &str| {
        matches!(
            db.run(ask, &[]).expect("ask"),
            oxigraph::sparql::QueryResults::Boolean(true)
        )
    };
    assert!(has("ASK { <urn:a> <urn:b> <urn:c> }"));
    let r = get(&format!("{b}/sparql"), Some("text/turtle"));
    assert!(r.text().contains("SPARQL11Update"), "{}", r.text());

    // An update re-derives graph/inferred: an asserted mapping inserted over HTTP gets its
    // inverse, and deleting the mapping takes the inverse away again.
    let update = |text: &str| {
        let r = update("s3cret", text);
        assert_eq!(r.status, 204, "{}", r.text());
    };
    let cw = "PREFIX cw: <https://w3id.org/crosswalk/ontology#>";
    let inverse = format!(
        "{cw} ASK {{ GRAPH <https://w3id.org/crosswalk/graph/inferred> {{
          ?n cw:inverseOf <urn:m1> ; cw:subject <urn:y> ; cw:object <urn:x> ;
             cw:relationship cw:SupersetOf ; cw:method cw:Inference }} }}"
    );
    let inverse = inverse.as_str();
    assert!(!has(inverse));
    update(&format!(
        "{cw} INSERT DATA {{ GRAPH <https://w3id.org/crosswalk/graph/user/t> {{
          <urn:set> a cw:Document, cw:MappingSet .
          <urn:m1> a cw:Mapping ; cw:subject <urn:x> ; cw:object <urn:y> ;
            cw:relationship cw:SubsetOf ; cw:style cw:SetTheory ;
            cw:mappingStatus cw:FinalMapping ; cw:mappingSet <urn:set> . }} }}"
    ));
    assert!(has(inverse), "no inverse after the INSERT");
    update("DELETE WHERE { GRAPH <https://w3id.org/crosswalk/graph/user/t> { <urn:m1> ?p ?o } }");
    assert!(!has(inverse), "the inverse outlived its mapping");
}

#[test]
fn service_description_without_a_query() {
    let b = server!();
    let r = get(&format!("{b}/sparql"), Some("text/turtle"));
    assert_eq!(r.status, 200);
    assert_eq!(r.content_type, "text/turtle");
    let quads: Vec<_> = RdfParser::from_format(RdfFormat::Turtle)
        .for_reader(r.body.as_slice())
        .collect::<Result<_, _>>()
        .expect("service description parses");
    let has = |p: &str, o: &str| {
        quads.iter().any(|q| {
            q.predicate.as_str() == format!("http://www.w3.org/ns/sparql-service-description#{p}")
                && q.object.to_string().contains(o)
        })
    };
    assert!(has("endpoint", &format!("{b}/sparql")), "{}", r.text());
    assert!(has("supportedLanguage", "SPARQL11Query"));
    assert!(
        !has("supportedLanguage", "SPARQL11Update"),
        "read-only server"
    );
    assert!(has("resultFormat", "SPARQL_Results_CSV"));
    assert!(has("name", "https://w3id.org/crosswalk/graph/csf-2.0"));
    // Negotiated like any graph.
    let r = get(&format!("{b}/sparql"), Some("application/n-triples"));
    assert_eq!(r.content_type, "application/n-triples");
}

#[test]
fn a_query_past_the_timeout_is_cancelled_and_the_server_keeps_serving() {
    let Some(db) = util::loaded() else { return };
    let b = start(
        db.clone(),
        Config {
            timeout: Duration::from_secs(1),
            max_concurrent: 1,
            ..Config::default()
        },
    );
    // A cross product of the whole graph with itself: hours of work.
    let slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f }";
    let started = Instant::now();
    let r = get(&format!("{b}/sparql?query={}", enc(slow)), None);
    let took = started.elapsed();
    assert_eq!(r.status, 503, "{}", r.text());
    assert!(r.text().contains("cancelled"), "{}", r.text());
    assert!(took < Duration::from_secs(10), "error came after {took:?}");
    // With one evaluation slot, this only succeeds if the cancelled query released it. The
    // evaluation stops at its next cancellation check (after building a hash table of the
    // graph, ~1 s on a busy machine), so the slot may still be busy for a moment: bounded retry.
    let deadline = Instant::now() + Duration::from_secs(15);
    let r = loop {
        let r = get(&format!("{b}/sparql?query={}", enc(NOTATION)), None);
        if r.status != 503 || Instant::now() > deadline {
            break r;
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(get(&format!("{b}/healthz"), None).status, 200);
    // The JSON API reports the same as JSON.
    let r = get(&format!("{b}/api/v1/queries/stats-elements"), None);
    assert!(r.status == 200 || r.status == 503, "{}", r.text());
}

#[test]
fn result_rows_are_capped_and_the_cut_is_announced() {
    let Some(db) = util::loaded() else { return };
    let b = start(
        db.clone(),
        Config {
            max_rows: 7,
            ..Config::default()
        },
    );
    let q = "SELECT ?n WHERE { ?s <http://www.w3.org/2004/02/skos/core#notation> ?n }";
    let r = get(&format!("{b}/sparql?query={}", enc(q)), None);
    assert_eq!(r.status, 200);
    assert_eq!(r.header("crosswalk-truncated"), Some("rows=7"));
    assert_eq!(
        parse_results(&r.body, QueryResultsFormat::Json).map(|v| v.len()),
        Ok(7)
    );
    let r = get(&format!("{b}/sparql?query={}", enc(NOTATION)), None);
    assert_eq!(r.header("crosswalk-truncated"), None);
}

#[test]
fn cors_only_when_asked() {
    let Some(db) = util::loaded() else { return };
    let with = start(
        db.clone(),
        Config {
            cors: true,
            ..Config::default()
        },
    );
    let without = server!();
    let call = |b: &str| {
        reply(
            agent()
                .get(&format!("{b}/healthz"))
                .header("Origin", "http://example.org")
                .call()
                .expect("GET"),
        )
    };
    assert_eq!(call(&with).header("access-control-allow-origin"), Some("*"));
    assert_eq!(call(without).header("access-control-allow-origin"), None);
}

#[test]
fn api_element_card_dangling_and_unknown() {
    let b = server!();
    let r = get(&format!("{b}/api/v1/elements/{}", enc("AC-2(1)")), None);
    assert_eq!(r.status, 200, "{}", r.text());
    let cards = r.json()["cards"].as_array().cloned().unwrap_or_default();
    assert_eq!(cards.len(), 1);
    assert_eq!(cards[0]["notation"], "AC-2(1)");
    assert_eq!(cards[0]["parent"], "AC-2");
    let r = get(&format!("{b}/api/v1/elements/IA-13"), None);
    assert_eq!(r.status, 200);
    let d = r.json()["dangling"].as_array().cloned().unwrap_or_default();
    assert!(!d.is_empty());
    assert!(d.iter().all(|x| x["id"] == "IA-13"));
    let r = get(&format!("{b}/api/v1/elements/ZZ-99"), None);
    assert_eq!(r.status, 404);
    assert_eq!(r.json()["error"]["code"], "not_found");
}

#[test]
fn api_map_matches_the_olir_set_and_explains() {
    let b = server!();
    let r = get(
        &format!("{b}/api/v1/map/GV.SC-07?to=sp800-53&set=olir-186&explain=true"),
        None,
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let v = r.json();
    let answers = v["answers"].as_array().cloned().unwrap_or_default();
    let targets: BTreeSet<String> = answers
        .iter()
        .map(|a| a["target"].as_str().unwrap_or("").to_owned())
        .collect();
    let expected: BTreeSet<String> = ["RA-9", "SA-4", "SA-9", "SR-3", "SR-6"]
        .map(String::from)
        .into();
    assert_eq!(targets, expected);
    assert!(answers.iter().all(|a| {
        a["how"] == "direct"
            && a["explanation"]
                .as_array()
                .is_some_and(|e| e.iter().any(|l| l.as_str().unwrap_or("").contains("OLIR")))
    }));
    let r = get(&format!("{b}/api/v1/map/GV.SC-07?too=sp800-53"), None);
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["error"]["code"], "bad_request");
    assert_eq!(get(&format!("{b}/api/v1/map/ZZ-99"), None).status, 404);
}

#[test]
fn api_coverage_and_gaps_agree_with_the_library() {
    let b = server!();
    let Some(db) = util::loaded() else { return };
    let lib = crosswalk::answer::coverage(
        db,
        "csf",
        "sp800-53",
        Some("olir-186"),
        Some("MODERATE"),
        None,
    )
    .expect("coverage");
    let r = get(
        &format!("{b}/api/v1/coverage?from=csf&to=sp800-53&set=olir-186&baseline=MODERATE"),
        None,
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let v = r.json();
    assert_eq!(v["total"], 106);
    assert_eq!(v["covered"].as_u64(), Some(lib.covered as u64));
    assert_eq!(v["rows"].as_array().map(Vec::len), Some(106));
    let r = get(
        &format!("{b}/api/v1/gaps?from=csf&to=sp800-53&set=olir-186&baseline=MODERATE"),
        None,
    );
    let gaps: BTreeSet<String> = r.json()["rows"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|x| x["focal"].as_str().unwrap_or("").to_owned())
        .collect();
    let expected: BTreeSet<String> = lib
        .rows
        .iter()
        .filter(|x| !x.covered)
        .map(|x| x.focal.clone())
        .collect();
    assert_eq!(gaps, expected);
    assert_eq!(gaps.len(), 106 - lib.covered);
    // The Cyber AI Profile selection: Secure priority 1 is 23 subcategories.
    let r = get(
        &format!(
            "{b}/api/v1/coverage?from=csf&to=sp800-53&baseline=LOW&profile=cyber-ai&focus=secure&priority=1"
        ),
        None,
    );
    assert_eq!(r.json()["total"], 23, "{}", r.text());
    for bad in [
        "to=sp800-53",
        "from=csf&to=sp800-53&priority=4",
        "from=csf&to=sp800-53&focus=secure",
    ] {
        let r = get(&format!("{b}/api/v1/coverage?{bad}"), None);
        assert_eq!(r.status, 400, "{bad}: {}", r.text());
    }
}

/// `GET /api/v1/diff?set=OLD&set=NEW`: the library's answer as JSON, CSV like the CLI's, and
/// the request checked as the CLI checks it.
#[test]
fn api_diff_answers_as_the_library_does() {
    let b = server!();
    let Some(db) = util::loaded() else { return };
    let (old, new) = (
        "csf2-reference-tool/sp-800-53-rev-5-1-1",
        "csf2-reference-tool/sp-800-53-rev-5-2-0",
    );
    let want = crosswalk::answer::DiffRequest {
        sets: vec![old.into(), new.into()],
        ..Default::default()
    }
    .answer(db)
    .expect("diff");
    let url = format!("{b}/api/v1/diff?set={}&set={}", enc(old), enc(new));
    let r = get(&url, None);
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json(), serde_json::to_value(&want).expect("json"));
    assert_eq!(r.json()["added"].as_array().map(Vec::len), Some(7));
    let r = get(&url, Some("text/csv"));
    assert_eq!(r.content_type, "text/csv; charset=utf-8");
    let mut cli = Vec::new();
    crosswalk::render::answers::diff(&mut cli, &want, crosswalk::render::Format::Csv)
        .expect("render");
    assert_eq!(r.body, cli);
    for (bad, status) in [
        (format!("set={}", enc(old)), 400),
        (
            format!("set={}&set={}&set=olir-186", enc(old), enc(new)),
            400,
        ),
        (format!("set={}&set=olir-168", enc(old)), 404),
        (format!("set={}&set={}&sets=x", enc(old), enc(new)), 400),
    ] {
        let r = get(&format!("{b}/api/v1/diff?{bad}"), None);
        assert_eq!(r.status, status, "{bad}: {}", r.text());
    }
}

/// The graph's own IRIs resolve: `/id/…`, `/doc/…` answer with the resource's triples by
/// `Accept` (and a browser is sent to the card), `/ontology` is the vocabulary,
/// `/context.jsonld` the prefixes.
#[test]
fn linked_data_iris_resolve() {
    let b = server!();
    let Some(db) = util::loaded() else { return };
    let iri = "https://w3id.org/crosswalk/id/csf/2.0/GV.SC-07";
    let n = util::count(
        db,
        &format!(
            "SELECT (COUNT(*) AS ?n) WHERE {{ SELECT DISTINCT ?p ?o WHERE {{ <{iri}> ?p ?o }} }}"
        ),
    );
    assert!(n > 10, "{n}");
    for (accept, format) in [
        ("text/turtle", RdfFormat::Turtle),
        ("application/n-triples", RdfFormat::NTriples),
        (
            "application/ld+json",
            RdfFormat::JsonLd {
                profile: oxigraph::io::JsonLdProfileSet::empty(),
            },
        ),
        ("application/rdf+xml", RdfFormat::RdfXml),
    ] {
        let r = get(&format!("{b}/id/csf/2.0/GV.SC-07"), Some(accept));
        assert_eq!(r.status, 200, "{accept}: {}", r.text());
        assert!(r.content_type.starts_with(accept), "{}", r.content_type);
        let triples: Vec<_> = RdfParser::from_format(format)
            .for_slice(&r.body)
            .collect::<Result<_, _>>()
            .unwrap_or_else(|e| panic!("{accept}: {e}"));
        assert_eq!(triples.len(), n, "{accept}");
        assert!(
            triples
                .iter()
                .all(|q| q.subject.to_string() == format!("<{iri}>"))
        );
        assert!(triples.iter().any(|q| {
            q.predicate.as_str() == "http://www.w3.org/2004/02/skos/core#notation"
                && q.object.to_string() == "\"GV.SC-07\""
        }));
    }
    // A browser gets the element's card on the page.
    let no_redirects = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .new_agent();
    let r = reply(
        no_redirects
            .get(format!("{b}/id/csf/2.0/GV.SC-07"))
            .header("Accept", "text/html,application/xhtml+xml,*/*;q=0.8")
            .call()
            .expect("GET"),
    );
    assert_eq!(r.status, 303);
    assert_eq!(r.header("location"), Some("/#browse=GV.SC-07"));
    // A document has no card: an HTML table of its triples, every value escaped.
    let r = get(&format!("{b}/doc/csf/2.0"), Some("text/html"));
    assert_eq!(r.status, 200);
    assert!(
        r.text()
            .contains("The NIST Cybersecurity Framework (CSF) 2.0"),
        "{}",
        r.text()
    );
    // An IRI the graph says nothing about is 404, never an empty document.
    let r = get(&format!("{b}/id/csf/2.0/ZZ-99"), Some("text/turtle"));
    assert_eq!(r.status, 404);
    assert_eq!(r.json()["error"]["code"], "not_found");
    // The vocabulary, whole.
    let r = get(&format!("{b}/ontology"), Some("application/n-triples"));
    assert_eq!(r.status, 200);
    let onto = util::count(
        db,
        "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <https://w3id.org/crosswalk/graph/ontology> { ?s ?p ?o } }",
    );
    let lines = r.text().lines().filter(|l| !l.trim().is_empty()).count();
    assert_eq!(lines, onto);
    let r = get(&format!("{b}/context.jsonld"), None);
    assert_eq!(r.content_type, "application/ld+json");
    assert_eq!(
        r.json()["@context"]["cw"],
        "https://w3id.org/crosswalk/ontology#"
    );
}

#[test]
fn api_path_sets_documents_and_named_queries() {
    let b = server!();
    let Some(db) = util::loaded() else { return };
    let r = get(&format!("{b}/api/v1/path?from=GV.SC-07&to=RA-9"), None);
    assert_eq!(r.status, 200, "{}", r.text());
    let hops = r.json()["hops"].as_array().cloned().unwrap_or_default();
    assert_eq!(hops.len(), 1);
    assert_eq!(hops[0]["to"], "RA-9");
    let sets = query::named("mapping-sets")
        .expect("q")
        .run(db, &[])
        .expect("run");
    let r = get(&format!("{b}/api/v1/mapping-sets"), None);
    assert_eq!(
        r.json()["mapping_sets"].as_array().map(Vec::len),
        Some(sets.rows.len())
    );
    let docs = query::named("documents")
        .expect("q")
        .run(db, &[])
        .expect("run");
    let r = get(&format!("{b}/api/v1/documents"), None);
    assert_eq!(
        r.json()["documents"].as_array().map(Vec::len),
        Some(docs.rows.len())
    );
    let r = get(&format!("{b}/api/v1/queries"), None);
    let names: BTreeSet<String> = r.json()["queries"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|q| q["name"].as_str().unwrap_or("").to_owned())
        .collect();
    let lib: BTreeSet<String> = query::library().iter().map(|q| q.name.to_owned()).collect();
    assert_eq!(names, lib);
    // Run by name: GET with query-string parameters, POST with a JSON object.
    let r = get(
        &format!("{b}/api/v1/queries/element?key={}", enc("ac-02.01")),
        None,
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.content_type, "application/sparql-results+json");
    let v = r.json();
    assert_eq!(v["results"]["bindings"][0]["notation"]["value"], "AC-2(1)");
    let r = reply(
        agent()
            .post(&format!("{b}/api/v1/queries/element"))
            .header("Content-Type", "application/json")
            .send(br#"{"key":"AC-2(1)"}"#.as_slice())
            .expect("POST"),
    );
    assert_eq!(
        r.json()["results"]["bindings"][0]["notation"]["value"],
        "AC-2(1)"
    );
    let r = get(&format!("{b}/api/v1/queries/element"), None);
    assert_eq!(r.status, 400);
    assert!(
        r.json()["error"]["message"]
            .as_str()
            .unwrap_or("")
            .contains("key")
    );
    let r = get(&format!("{b}/api/v1/queries/nope"), None);
    assert_eq!(r.status, 404);
}

#[test]
fn openapi_health_version_page_and_fallback() {
    let b = server!();
    let r = get(&format!("{b}/api/v1/openapi.json"), None);
    assert_eq!(r.status, 200);
    let doc = r.json();
    assert_eq!(doc["openapi"], "3.1.0");
    for path in [
        "/api/v1/elements/{id}",
        "/api/v1/map/{id}",
        "/api/v1/coverage",
        "/api/v1/gaps",
        "/api/v1/path",
        "/api/v1/diff",
        "/api/v1/mapping-sets",
        "/api/v1/documents",
        "/api/v1/queries",
        "/api/v1/queries/{name}",
        "/api/v1/openapi.json",
        "/api/v1/version",
        "/version",
        "/healthz",
        "/sparql",
        "/query",
    ] {
        assert!(
            doc["paths"].get(path).is_some(),
            "{path} not in the OpenAPI document"
        );
    }
    let h = get(&format!("{b}/healthz"), None).json();
    assert_eq!(h["status"], "ok");
    let Some(db) = util::loaded() else { return };
    assert_eq!(h["quads"].as_u64(), Some(db.len().expect("len") as u64));
    for v in [
        get(&format!("{b}/version"), None).json(),
        get(&format!("{b}/api/v1/version"), None).json(),
    ] {
        assert_eq!(v["version"], env!("CARGO_PKG_VERSION"));
        assert_eq!(v["read_only"], true);
    }
    let page = get(&format!("{b}/"), None);
    assert!(page.content_type.starts_with("text/html"));
    assert!(page.text().contains("app.js"));
    assert!(
        get(&format!("{b}/app.js"), None)
            .content_type
            .starts_with("text/javascript")
    );
    assert!(
        get(&format!("{b}/app.css"), None)
            .content_type
            .starts_with("text/css")
    );
    let r = get(&format!("{b}/nowhere"), None);
    assert_eq!(r.status, 404);
    assert_eq!(r.json()["error"]["code"], "not_found");
}

#[test]
fn the_remote_client_runs_named_queries_against_the_server() {
    let b = server!();
    let Some(db) = util::loaded() else { return };
    let remote = Remote::new(&format!("{b}/sparql"));
    let args = |k: &str| -> Vec<(String, String)> {
        vec![
            ("key".into(), k.into()),
            ("toScheme".into(), "sp800-53".into()),
            ("setScheme".into(), "olir-186".into()),
        ]
    };
    let q = query::named("crosswalk").expect("q");
    let there = q
        .run(&remote as &dyn Sparql, &args("GV.SC-07"))
        .expect("remote");
    let here = q.run(db, &args("GV.SC-07")).expect("local");
    assert_eq!(there.vars, here.vars);
    assert_eq!(there.rows, here.rows);
    let mut t = there.strings("targetNotation");
    t.dedup();
    assert_eq!(t, ["RA-9", "SA-4", "SA-9", "SR-3", "SR-6"]);
    // The answers layer works over the remote endpoint too.
    let a = crosswalk::answer::map(&remote, "RA-3", Some("csf"), Some("olir-186"), false)
        .expect("map over remote");
    let b2 = crosswalk::answer::map(db, "RA-3", Some("csf"), Some("olir-186"), false).expect("map");
    assert_eq!(a, b2);
}

/// The timeout bounds the wait for a slot, not an update already being applied: with a
/// 1 ms timeout and three sources to re-infer over (~0.1 s), the client still gets 204 and the
/// change is there, where it used to get a 503 for an update that went through.
#[test]
fn an_update_outlasting_the_timeout_is_answered_with_its_outcome() {
    let dir = require_sources!();
    let db = Db::memory().expect("memory");
    let ids = [
        "csf-2.0".to_owned(),
        "sp800-53r5-5.0.1".to_owned(),
        "olir-csf2-sp800-53-5.2.0".to_owned(),
    ];
    crosswalk::load::load(
        &db,
        &crosswalk::source::manifest::Manifest::builtin().expect("manifest"),
        &dir,
        &ids,
        &mut |_| {},
    )
    .expect("load");
    let b = start(
        db.clone(),
        Config {
            update_tokens: vec!["s3cret".into()],
            timeout: Duration::from_millis(1),
            ..Config::default()
        },
    );
    let r = reply(
        agent()
            .post(&format!("{b}/sparql"))
            .header("Content-Type", "application/sparql-update")
            .header("Authorization", "Bearer s3cret")
            .send("INSERT DATA { <urn:a> <urn:b> <urn:c> }".as_bytes())
            .expect("POST"),
    );
    assert_eq!(r.status, 204, "{}", r.text());
    assert!(matches!(
        db.run("ASK { <urn:a> <urn:b> <urn:c> }", &[]).expect("ask"),
        oxigraph::sparql::QueryResults::Boolean(true)
    ));
}

/// Issue 16 (found by Schemathesis): every parameter of the JSON API is checked — unknown
/// names are `unknown_name` with the closest ones (404 for a scheme, set, baseline, profile
/// or focus area the store does not hold — issue 23, Schemathesis's positive-data check: the
/// request is well-formed, what it names is not here — 400 for a parameter), malformed
/// values 400 `invalid_parameter` saying what is accepted; labels match in any case.
#[test]
fn api_parameters_are_checked_never_silently_widened_or_emptied() {
    let b = server!();
    let cov = "from=csf&to=sp800-53&set=olir-186";
    let r = get(
        &format!("{b}/api/v1/coverage?{cov}&baseline=moderate"),
        None,
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        (r.json()["covered"].as_u64(), r.json()["baseline"].as_str()),
        (Some(97), Some("MODERATE"))
    );
    let failure = |status: u16, q: &str| {
        let r = get(&format!("{b}/api/v1/{q}"), None);
        assert_eq!(r.status, status, "{q}: {}", r.text());
        let v = r.json();
        (
            v["error"]["code"].as_str().unwrap_or("").to_owned(),
            v["error"]["message"].as_str().unwrap_or("").to_owned(),
        )
    };
    let error = |q: &str| failure(400, q);
    let missing = |q: &str| failure(404, q);
    let (code, m) = missing(&format!("coverage?{cov}&baseline=bogus"));
    assert_eq!(code, "unknown_name");
    assert!(
        m.contains("unknown baseline `bogus`") && m.contains("MODERATE"),
        "{m}"
    );
    let (code, m) = missing("coverage?from=csf&to=sp800-53&set=bogus");
    assert_eq!(code, "unknown_name");
    assert!(m.contains("unknown mapping set `bogus`"), "{m}");
    for v in ["True", "TRUE", "0.56", "1"] {
        let (code, m) = error(&format!("map/GV.SC-07?explain={v}"));
        assert_eq!(code, "invalid_parameter");
        assert!(m.contains("`explain` is `true` or `false`"), "{m}");
    }
    let (code, m) = error("path?from=ID.AM-06&to=SR-6&max_hops=0");
    assert_eq!(code, "invalid_parameter");
    assert!(
        m.contains("`max_hops` is an integer from 1 to 8, not `0`"),
        "{m}"
    );
    let (code, m) =
        error("coverage?from=csf&to=sp800-53&profile=cyber-ai&focus=secure&priority=300");
    assert_eq!(code, "invalid_parameter");
    assert!(
        m.contains("`priority` is an integer from 1 to 3, not `300`"),
        "{m}"
    );
    let (code, m) = missing("coverage?from=csf&to=sp800-53&profile=cyber-ai&focus=bogus");
    assert_eq!(code, "unknown_name");
    assert!(
        m.contains("unknown focus area `bogus`") && m.contains("Secure"),
        "{m}"
    );
    let (code, m) = missing("map/GV.SC-07?set=olir186");
    assert_eq!(code, "unknown_name");
    assert!(m.contains("did you mean `olir-186`?"), "{m}");
    let (code, _) = error("map/GV.SC-07?set=olir-186&set=cyber-ai-profile");
    assert_eq!(code, "invalid_parameter");
    let (code, m) = missing("queries/check-set?set=olir186");
    assert_eq!(code, "unknown_name");
    assert!(m.contains("did you mean `olir-186`?"), "{m}");
    let (code, m) = error("queries/check-set?sett=olir-186");
    assert_eq!(code, "unknown_name");
    assert!(m.contains("unknown parameter `sett`"), "{m}");
    // Named queries take the short forms.
    let r = get(
        &format!("{b}/api/v1/queries/crosswalk?element=GV.SC-07&to=sp800-53&set=olir-186"),
        None,
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        r.json()["results"]["bindings"].as_array().map(Vec::len),
        Some(5)
    );
}

/// `map` with explanations over every set answers within the timeout: the explanations come
/// from one query over the facts inference stored (a query per answer took ~1 s each, 1 min
/// 45 s for GV.SC-07). Its speed is benchmarked (`map GV.SC-07 explain, all sets`).
#[test]
fn api_map_explains_every_set_within_the_timeout() {
    let b = server!();
    // Within the server's timeout (10 s), or this is a 503.
    let r = get(&format!("{b}/api/v1/map/GV.SC-07?explain=true"), None);
    assert_eq!(r.status, 200, "{}", r.text());
    let answers = r.json()["answers"].as_array().cloned().unwrap_or_default();
    assert!(answers.len() > 20, "{} answers", answers.len());
    for a in &answers {
        let lines = a["explanation"].as_array().cloned().unwrap_or_default();
        let first = lines.first().and_then(Value::as_str).unwrap_or("");
        let expected = match a["how"].as_str() {
            Some("direct") => "direct: GV.SC-07 ",
            Some("inverse") => "inverse of: ",
            other => panic!("unexpected answer kind {other:?}: {a}"),
        };
        assert!(
            lines.len() == 1 && first.starts_with(expected),
            "{a}: {lines:?}"
        );
    }
}

/// The debug binary serving an on-disk store (the CSF 2.0 catalog, ~10k quads: a three-way
/// cross product of it is ~10^12 rows), killed when dropped.
struct Spawned {
    child: std::process::Child,
    base: String,
    _store: tempfile::TempDir,
}

impl Spawned {
    fn start(args: &[&str], envs: &[(&str, &str)]) -> Option<Self> {
        let dir = util::sources()?;
        let store = tempfile::tempdir().expect("tempdir");
        {
            let db = Db::open(store.path()).expect("disk store");
            crosswalk::load::load(
                &db,
                &crosswalk::source::manifest::Manifest::builtin().expect("manifest"),
                &dir,
                &["csf-2.0".to_owned()],
                &mut |_| {},
            )
            .expect("load");
        }
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_crosswalk"));
        cmd.arg("--store")
            .arg(store.path())
            .args(["serve", "--bind", "127.0.0.1:0"])
            .args(args)
            .env_remove("CROSSWALK_UPDATE_TOKENS")
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped());
        for (k, v) in envs {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("spawn crosswalk serve");
        let stderr = child.stderr.take().expect("stderr");
        let (tx, rx) = std::sync::mpsc::channel();
        // Reads stderr to its end, so the server never blocks on a full pipe.
        std::thread::spawn(move || {
            use std::io::BufRead;
            for line in std::io::BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if let Some(rest) = line.split(" on http://").nth(1)
                    && let Some(addr) = rest.split('/').next()
                {
                    let _ = tx.send(addr.to_owned());
                }
            }
        });
        let addr = rx
            .recv_timeout(Duration::from_secs(60))
            .expect("the server announces its address");
        Some(Spawned {
            child,
            base: format!("http://{addr}"),
            _store: store,
        })
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    /// CPU time (user + system) the server has used, in clock ticks (/proc/PID/stat).
    fn cpu_ticks(&self) -> u64 {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.pid())).expect("stat");
        // Fields after the parenthesised command name: state is field 3, utime 14, stime 15.
        let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
        let f: Vec<&str> = rest.split_whitespace().collect();
        f[11].parse::<u64>().expect("utime") + f[12].parse::<u64>().expect("stime")
    }

    /// Resident memory in MiB (/proc/PID/status).
    fn rss_mib(&self) -> u64 {
        let status =
            std::fs::read_to_string(format!("/proc/{}/status", self.pid())).expect("status");
        let kb: u64 = status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .expect("VmRSS");
        kb / 1024
    }

    /// Waits until the CPU time stops growing (less than 5 ticks in a second), for at most
    /// `within`; returns how long that took.
    fn until_idle(&self, within: Duration) -> Option<Duration> {
        let started = Instant::now();
        while started.elapsed() < within {
            let before = self.cpu_ticks();
            std::thread::sleep(Duration::from_secs(1));
            if self.cpu_ticks() - before < 5 {
                return Some(started.elapsed());
            }
        }
        None
    }
}

impl Drop for Spawned {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Hours of work unless cancelled.
const CROSS_PRODUCT: &str = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }";

#[test]
fn a_timed_out_query_stops_using_the_cpu() {
    let Some(s) = Spawned::start(&["--timeout", "1"], &[]) else {
        return;
    };
    let r = get(
        &format!("{}/sparql?query={}", s.base, enc(CROSS_PRODUCT)),
        None,
    );
    assert_eq!(r.status, 503, "{}", r.text());
    // Stopped within 2 s of the answer: then a second without CPU time.
    let idle = s.until_idle(Duration::from_secs(3));
    assert!(idle.is_some_and(|t| t < Duration::from_secs(3)), "{idle:?}");
    assert_eq!(
        get(&format!("{}/sparql?query={}", s.base, enc(NOTATION)), None).status,
        200
    );
}

#[test]
fn a_query_whose_client_went_away_stops() {
    let Some(s) = Spawned::start(&["--timeout", "600"], &[]) else {
        return;
    };
    let impatient = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(1)))
        .build()
        .new_agent();
    let gone = impatient
        .get(&format!("{}/sparql?query={}", s.base, enc(CROSS_PRODUCT)))
        .call();
    assert!(gone.is_err(), "the client gave up");
    // Busy a moment ago; idle within 2 s of the disconnect.
    let idle = s.until_idle(Duration::from_secs(3));
    assert!(idle.is_some(), "still evaluating");
}

#[test]
fn sigterm_stops_the_server_with_a_query_in_flight() {
    let Some(mut s) = Spawned::start(&["--timeout", "600"], &[]) else {
        return;
    };
    let url = format!("{}/sparql?query={}", s.base, enc(CROSS_PRODUCT));
    let client = std::thread::spawn(move || agent().get(&url).call().map(reply));
    // Evaluating: the CPU time grows.
    let before = s.cpu_ticks();
    let deadline = Instant::now() + Duration::from_secs(10);
    while s.cpu_ticks() < before + 50 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(s.cpu_ticks() >= before + 50, "the query is not running");
    let sent = Instant::now();
    let kill = std::process::Command::new("kill")
        .args(["-TERM", &s.pid().to_string()])
        .status()
        .expect("kill");
    assert!(kill.success());
    let exited = loop {
        if let Some(status) = s.child.try_wait().expect("wait") {
            break Some(status);
        }
        if sent.elapsed() > Duration::from_secs(5) {
            break None;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(
        exited.is_some(),
        "still running {:?} after SIGTERM",
        sent.elapsed()
    );
    // The query was cancelled, so its client got an answer before the server went (not a
    // connection cut at the end of the grace period).
    let r = client.join().expect("client thread").expect("an answer");
    assert_eq!(r.status, 503, "{}", r.text());
    assert!(r.text().contains("shutting down"), "{}", r.text());
}

#[test]
fn a_query_over_the_memory_bound_is_cancelled_and_the_memory_returned() {
    let Some(s) = Spawned::start(&["--timeout", "120", "--max-memory", "512"], &[]) else {
        return;
    };
    let idle = s.rss_mib();
    assert!(
        idle < 300,
        "idle at {idle} MiB: the bound would mean nothing"
    );
    // ORDER BY keeps every row of a cross product: ~10^8 rows, tens of GB.
    let sort = "SELECT ?a ?d WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?a ?d";
    let r = get(&format!("{}/sparql?query={}", s.base, enc(sort)), None);
    assert_eq!(r.status, 503, "{}", r.text());
    assert!(r.text().contains("memory bound"), "{}", r.text());
    let api = get(&format!("{}/api/v1/queries/stats-elements", s.base), None);
    assert_eq!(api.status, 200, "{}", api.text());
    // Back near idle within a few seconds.
    let deadline = Instant::now() + Duration::from_secs(5);
    while s.rss_mib() > idle + 100 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(200));
    }
    assert!(
        s.rss_mib() <= idle + 100,
        "{} MiB after, {idle} MiB idle",
        s.rss_mib()
    );
    // The JSON API gives the stable code.
    let grouped = "SELECT ?a ?d WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?d ?a";
    let r = reply(
        agent()
            .post(&format!("{}/sparql", s.base))
            .header("Content-Type", "application/sparql-query")
            .send(grouped.as_bytes())
            .expect("POST"),
    );
    assert_eq!(r.status, 503, "{}", r.text());
}

/// An update whose re-inference fails is not applied at all: update and inference are one
/// transaction. (The failure is switched on by an environment variable only debug builds read.)
#[cfg(debug_assertions)]
#[test]
fn an_update_whose_reinference_fails_leaves_the_store_unchanged() {
    let Some(s) = Spawned::start(
        &["--update-token", "s3cret"],
        &[("CROSSWALK_FAIL_REINFER", "1")],
    ) else {
        return;
    };
    let quads = || get(&format!("{}/healthz", s.base), None).json()["quads"].as_u64();
    let before = quads();
    assert!(before.is_some_and(|n| n > 1000), "{before:?}");
    let digests = "ASK { ?g <https://w3id.org/crosswalk/ontology#loadDigest> ?d }";
    let ask = |q: &str| {
        parse_results(
            &get(&format!("{}/sparql?query={}", s.base, enc(q)), None).body,
            QueryResultsFormat::Json,
        )
    };
    let digested = ask(digests);
    let r = reply(
        agent()
            .post(&format!("{}/sparql", s.base))
            .header("Content-Type", "application/sparql-update")
            .header("Authorization", "Bearer s3cret")
            .send("INSERT DATA { <urn:a> <urn:b> <urn:c> }".as_bytes())
            .expect("POST"),
    );
    assert_eq!(r.status, 500, "{}", r.text());
    assert!(r.text().contains("not applied"), "{}", r.text());
    assert_eq!(ask("ASK { <urn:a> <urn:b> <urn:c> }"), Err(false));
    // Nothing of the transaction stayed, not even the dropping of the load digests.
    assert_eq!(ask(digests), digested);
    assert_eq!(quads(), before);
}

/// The API renders its answers exactly as the CLI's `--format` does: `Accept: text/csv` (or
/// `?format=csv`) gives the bytes of `crosswalk coverage … --format csv`, Markdown likewise;
/// a format nobody offers is 406, an unknown `format` name 400.
#[test]
fn api_answers_negotiate_the_cli_formats() {
    let b = server!();
    let Some(src) = util::sources() else { return };
    let cli = |args: &[&str]| -> Vec<u8> {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_crosswalk"))
            .arg("--memory")
            .arg("--sources")
            .arg(&src)
            .args(args)
            .output()
            .expect("run crosswalk");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    };
    let q = "from=csf&to=sp800-53&baseline=MODERATE&set=olir-186";
    let csv = get(&format!("{b}/api/v1/coverage?{q}"), Some("text/csv"));
    assert_eq!(csv.status, 200, "{}", csv.text());
    assert_eq!(csv.content_type, "text/csv; charset=utf-8");
    // 106 CSF subcategories and the header.
    assert_eq!(csv.text().lines().count(), 107, "{}", csv.text());
    let by_name = get(&format!("{b}/api/v1/coverage?{q}&format=csv"), None);
    assert_eq!(by_name.body, csv.body);
    let args = [
        "coverage",
        "--from",
        "csf",
        "--to",
        "sp800-53",
        "--baseline",
        "MODERATE",
        "--set",
        "olir-186",
        "--format",
        "csv",
    ];
    assert_eq!(String::from_utf8_lossy(&cli(&args)), csv.text());

    let md = get(&format!("{b}/api/v1/gaps?{q}"), Some("text/markdown"));
    assert_eq!(md.status, 200, "{}", md.text());
    assert!(
        md.text().starts_with("| focal | covered |"),
        "{}",
        md.text()
    );
    let mut gaps = args;
    gaps[0] = "gaps";
    gaps[10] = "markdown";
    assert_eq!(String::from_utf8_lossy(&cli(&gaps)), md.text());

    let map = get(
        &format!("{b}/api/v1/map/GV.SC-07?to=sp800-53&set=olir-186"),
        Some("text/tab-separated-values"),
    );
    assert_eq!(map.status, 200, "{}", map.text());
    assert!(
        map.text().starts_with("element\ttarget\tscheme\t"),
        "{}",
        map.text()
    );
    // JSON stays the default and the API's own envelope.
    let json = get(&format!("{b}/api/v1/coverage?{q}"), None);
    assert_eq!(json.json()["total"], 106);
    assert_eq!(
        get(&format!("{b}/api/v1/coverage?{q}"), Some("image/png")).status,
        406
    );
    let bad = get(&format!("{b}/api/v1/coverage?{q}&format=pdf"), None);
    assert_eq!(bad.status, 400);
    assert_eq!(bad.json()["error"]["code"], "invalid_parameter");
}

/// A fault of the server's own is not the client's business: an update whose re-inference
/// fails (switched on by an environment variable only debug builds read) is 500, "not
/// applied", and the body names no internal detail (the server logs it).
#[cfg(debug_assertions)]
#[test]
fn a_failed_reinference_keeps_its_detail_in_the_server_log() {
    let Some(s) = Spawned::start(
        &["--update-token", "s3cret"],
        &[("CROSSWALK_FAIL_REINFER", "1")],
    ) else {
        return;
    };
    let r = reply(
        agent()
            .post(&format!("{}/sparql", s.base))
            .header("Content-Type", "application/sparql-update")
            .header("Authorization", "Bearer s3cret")
            .send("INSERT DATA { <urn:a> <urn:b> <urn:c> }".as_bytes())
            .expect("POST"),
    );
    assert_eq!(r.status, 500, "{}", r.text());
    let text = r.text();
    assert!(text.contains("not applied"), "{text}");
    assert!(text.contains("internal error"), "{text}");
    for detail in [
        "on purpose",
        "CROSSWALK_FAIL_REINFER",
        "re-inference failed",
    ] {
        assert!(!text.contains(detail), "{text}");
    }
    // The server goes on answering.
    let h = get(&format!("{}/healthz", s.base), None);
    assert_eq!(h.json()["status"], "ok");
}

/// The answer cache (issue 19): a read answer carries an `ETag` and `Cache-Control`; the same
/// request with `If-None-Match` is 304 without a body; `/metrics` counts hits and misses; an
/// update makes the next request a miss that answers from the new content.
#[test]
fn answers_are_cached_revalidated_and_invalidated_by_an_update() {
    let b = server!();
    let url = format!("{b}/api/v1/map/GV.SC-07?to=sp800-53&set=olir-186");
    let first = get(&url, None);
    assert_eq!(first.status, 200);
    let etag = first.header("etag").expect("an ETag").to_owned();
    assert_eq!(first.header("cache-control"), Some("public, no-cache"));
    let again = get(&url, None);
    assert_eq!(again.body, first.body);
    assert_eq!(again.header("etag"), Some(etag.as_str()));
    let r = reply(
        agent()
            .get(&url)
            .header("If-None-Match", &etag)
            .call()
            .expect("GET"),
    );
    assert_eq!(r.status, 304);
    assert!(r.body.is_empty());
    // Another representation is another entry with its own tag.
    let csv = get(&url, Some("text/csv"));
    assert_ne!(csv.header("etag"), Some(etag.as_str()));
    let metrics = get(&format!("{b}/metrics"), None).text();
    let count = |name: &str| -> u64 {
        metrics
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{name} ")))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or_else(|| panic!("{name} in {metrics}"))
    };
    assert!(count("crosswalk_answer_cache_hits_total") >= 2, "{metrics}");
    assert!(
        count("crosswalk_answer_cache_misses_total") >= 2,
        "{metrics}"
    );
    assert!(
        count("crosswalk_answer_not_modified_total") >= 1,
        "{metrics}"
    );

    // Invalidation, on a writable server of its own.
    let db = Db::memory().expect("memory store");
    let w = start(
        db,
        Config {
            update_tokens: vec!["s3cret".into()],
            ..Config::default()
        },
    );
    let count_url = format!(
        "{w}/sparql?query={}",
        enc("SELECT (COUNT(*) AS ?n) WHERE { ?s <urn:p> ?o }")
    );
    let update = |text: &str| {
        let r = reply(
            agent()
                .post(&format!("{w}/sparql"))
                .header("Content-Type", "application/sparql-update")
                .header("Authorization", "Bearer s3cret")
                .send(text.as_bytes())
                .expect("POST"),
        );
        assert_eq!(r.status, 204, "{}", r.text());
    };
    let n = |r: &Reply| parse_results(&r.body, QueryResultsFormat::Json).expect("rows");
    update("INSERT DATA { <urn:a> <urn:p> 1 }");
    let before = get(&count_url, None);
    assert_eq!(n(&before), ["1"]);
    assert_eq!(n(&get(&count_url, None)), ["1"]);
    update("INSERT DATA { <urn:b> <urn:p> 2 }");
    let after = get(&count_url, None);
    assert_eq!(
        n(&after),
        ["2"],
        "the update must make the next request a miss"
    );
    assert_ne!(after.header("etag"), before.header("etag"));
    // The old tag no longer matches: a client revalidating gets the new answer, not a 304.
    let r = reply(
        agent()
            .get(&count_url)
            .header("If-None-Match", before.header("etag").expect("etag"))
            .call()
            .expect("GET"),
    );
    assert_eq!(r.status, 200);
    assert_eq!(n(&r), ["2"]);
}

/// Issue 23 (Schemathesis): every error of the JSON API is its documented JSON
/// `{"error":{"code","message"}}` — also those the framework answers before a handler runs
/// (405, a path segment that is not UTF-8, 413 over the body limit) — and every JSON route
/// honours `Accept`: 406 for a type it cannot give; named queries give the SPARQL results
/// formats `/sparql` gives.
#[test]
fn api_errors_are_json_and_every_route_honours_accept() {
    let b = server!();
    let is_error = |r: &Reply, status: u16, code: &str| {
        assert_eq!(r.status, status, "{}", r.text());
        assert!(
            r.content_type.starts_with("application/json"),
            "{status}: {} {}",
            r.content_type,
            r.text()
        );
        assert_eq!(r.json()["error"]["code"], code, "{}", r.text());
        assert!(r.json()["error"]["message"].is_string());
    };
    let r = reply(
        agent()
            .delete(&format!("{b}/api/v1/mapping-sets"))
            .call()
            .expect("DELETE"),
    );
    is_error(&r, 405, "method_not_allowed");
    assert!(r.header("allow").is_some_and(|a| a.contains("GET")));
    for path in ["elements/%FF", "map/%FF", "queries/%FF"] {
        is_error(
            &get(&format!("{b}/api/v1/{path}"), None),
            400,
            "bad_request",
        );
    }
    for path in [
        "elements/GV.SC-07",
        "mapping-sets",
        "documents",
        "queries",
        "queries/element?element=GV.SC-07",
        "openapi.json",
        "version",
        "map/GV.SC-07",
        "coverage?from=csf&to=sp800-53",
    ] {
        let r = get(&format!("{b}/api/v1/{path}"), Some("image/png"));
        is_error(&r, 406, "not_acceptable");
        let r = get(
            &format!("{b}/api/v1/{path}"),
            Some("image/png, application/json;q=0.1"),
        );
        assert_eq!(r.status, 200, "{path}: {}", r.text());
    }
    let r = get(
        &format!("{b}/api/v1/queries/element?element=GV.SC-07"),
        Some("text/csv"),
    );
    assert_eq!(
        (r.status, r.content_type.as_str()),
        (200, "text/csv; charset=utf-8")
    );
    assert!(r.text().contains("GV.SC-07"), "{}", r.text());
    // Without the answer cache (which reads bodies itself), the body limit's 413 too.
    let Some(db) = util::loaded() else { return };
    let small = start(
        db.clone(),
        Config {
            max_body: 1024,
            cache_bytes: 0,
            ..Config::default()
        },
    );
    let big = format!("{{\"element\": \"{}\"}}", "x".repeat(4096));
    let r = post(
        &format!("{small}/api/v1/queries/element"),
        "application/json",
        None,
        &big,
    );
    is_error(&r, 413, "too_large");
}
