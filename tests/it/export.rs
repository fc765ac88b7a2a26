//! Issue 6 exports: RDF of the whole store or one graph, and a mapping set as SSSOM that reads
//! back as the same mappings (its validation by sssom-py runs in tests/interop.sh).
use crate::util;
use crosswalk::answer::export;
use crosswalk::load::user_set::{self, Spec};
use crosswalk::query::Sparql;
use oxigraph::io::{RdfFormat, RdfParser};
use std::collections::BTreeSet;

const OLIR: &str = "https://w3id.org/crosswalk/doc/mapping/olir-186-csf-2.0-to-sp800-53-5.2.0";

/// (subject, object, relationship, rationale, strength, flags) of every mapping of a set.
fn mappings(db: &crosswalk::store::Db, set: &str) -> BTreeSet<Vec<String>> {
    let q = format!(
        "{}SELECT ?s ?o ?rel ?ra ?st (GROUP_CONCAT(STR(?f); separator=',') AS ?flags) WHERE {{
           ?m cw:mappingSet <{set}> ; cw:subject ?s ; cw:object ?o ; cw:relationship ?rel .
           OPTIONAL {{ ?m cw:rationale ?ra }} OPTIONAL {{ ?m cw:strength ?st }} OPTIONAL {{ ?m cw:flag ?f }}
         }} GROUP BY ?s ?o ?rel ?ra ?st ?m",
        util::PREFIXES
    );
    let sol = db.select(&q, &[]).expect("query");
    sol.rows
        .iter()
        .map(|r| {
            r.iter()
                .map(|t| {
                    t.as_ref()
                        .map(crosswalk::query::term_text)
                        .unwrap_or_default()
                })
                .collect()
        })
        .collect()
}

/// (title, version, publisher, licence) of a set, as `set-metadata` reads them.
fn set_meta(db: &crosswalk::store::Db, set: &str) -> [String; 4] {
    let sol = crosswalk::query::named("set-metadata")
        .expect("named query")
        .run(db, &[("set".to_owned(), set.to_owned())])
        .expect("set-metadata");
    ["title", "version", "publisher", "license"].map(|v| {
        sol.get(0, v)
            .map(crosswalk::query::term_text)
            .unwrap_or_default()
    })
}

#[test]
fn sssom_export_of_the_olir_set_reads_back_as_the_same_mappings() {
    let _ = require_sources!();
    // Writes: a copy, not the store the other tests read.
    let Some(db) = &util::loaded_copy() else {
        return;
    };
    let text = export::sssom(db, OLIR).expect("export");
    // One row per mapping, after the metadata block and the header.
    let rows = text.lines().filter(|l| !l.starts_with('#')).count() - 1;
    assert_eq!(rows, 746);
    let dir = tempfile::tempdir().expect("tmp");
    let file = dir.path().join("olir.sssom.tsv");
    std::fs::write(&file, &text).expect("write");
    let (set, _warnings) = user_set::load(
        db,
        &Spec {
            file,
            name: Some("olir-roundtrip".into()),
            focal: "csf".into(),
            reference: "sp800-53".into(),
            reference_version: Some("5.2.0".into()),
            status: crosswalk::source::manifest::DocStatus::Draft,
        },
    )
    .expect("re-import");
    let original = mappings(db, OLIR);
    let back = mappings(db, &set);
    assert_eq!(original.len(), 746);
    assert_eq!(back, original);
    // The set's own metadata comes back too, not the placeholders of a user set.
    let meta = set_meta(db, OLIR);
    assert_eq!(meta[1], "5.2.0");
    assert_eq!(meta[2], "NIST");
    assert!(meta[3].starts_with("U.S. Government work"), "{meta:?}");
    assert_eq!(set_meta(db, &set), meta);
    // Sources as CURIEs of the curie_map (sssom-py warns on IRIs), and the objects' release
    // stated as it is: OLIR names SP 800-53 5.2.0, whose catalog is absent.
    assert!(text.contains("# subject_source: \"cwdoc:csf/2.0\"\n"));
    assert!(text.contains("# object_source: \"cwdoc:sp800-53r5/5.2.0\"\n"));
    assert!(text.contains("#   cwdoc: https://w3id.org/crosswalk/doc/\n"));
    assert!(text.contains(
        "that release is not loaded, so its ids were resolved against cwdoc:sp800-53r5/5.0.1; \
         738 of the 746 objects are elements of cwdoc:sp800-53r5/5.0.1; \
         8 of the 746 objects are defined by no loaded document"
    ));
}

#[test]
fn rdf_exports_parse_and_keep_every_quad() {
    let _ = require_sources!();
    let Some(db) = util::loaded() else { return };
    let csf = export::graph_of(db, "https://w3id.org/crosswalk/doc/csf/2.0").expect("graph");
    let n = db
        .inner()
        .quads_for_pattern(None, None, None, Some(csf.as_ref().into()))
        .count();
    for format in [RdfFormat::NQuads, RdfFormat::TriG] {
        let bytes = export::rdf(db, std::slice::from_ref(&csf), format).expect("export");
        let quads: Vec<_> = RdfParser::from_format(format)
            .for_slice(&bytes)
            .collect::<Result<_, _>>()
            .expect("parses");
        assert_eq!(quads.len(), n, "{format:?}");
        assert!(
            quads
                .iter()
                .all(|q| q.graph_name.to_string() == format!("<{}>", csf.as_str()))
        );
    }
    let ttl = export::rdf(db, std::slice::from_ref(&csf), RdfFormat::Turtle).expect("ttl");
    let triples = RdfParser::from_format(RdfFormat::Turtle)
        .for_slice(&ttl)
        .count();
    assert_eq!(triples, n);
    let csv = export::csv(db, OLIR).expect("csv");
    assert_eq!(csv.lines().count(), 747);
    assert!(
        csv.lines()
            .nth(1)
            .is_some_and(|l| l.starts_with("GV.OC-01,PM-11,related"))
    );
}

#[test]
fn rdfc_digest_identifies_a_graph_s_content_across_loads() {
    let dir = require_sources!();
    // Writes: a copy, not the store the other tests read.
    let Some(db) = &util::loaded_copy() else {
        return;
    };
    let csf = oxigraph::model::NamedNode::new_unchecked("https://w3id.org/crosswalk/graph/csf-2.0");
    let olir = oxigraph::model::NamedNode::new_unchecked(
        "https://w3id.org/crosswalk/graph/olir-csf2-sp800-53-5.2.0",
    );
    let before = db.graph_digest(&csf).expect("digest");
    assert_eq!(before.len(), 64);
    assert_ne!(before, db.graph_digest(&olir).expect("digest"));
    // Reloading the same bytes gives a new load timestamp but the same content digest.
    let m = crosswalk::source::manifest::Manifest::builtin().expect("manifest");
    crosswalk::load::load(db, &m, &dir, &["csf-2.0".to_owned()], &mut |_| {}).expect("reload");
    assert_eq!(db.graph_digest(&csf).expect("digest"), before);
}

#[test]
fn oscal_mapping_export_round_trips_through_the_importer_unchanged() {
    let _ = require_sources!();
    // Writes: a copy, not the store the other tests read.
    let Some(db) = &util::loaded_copy() else {
        return;
    };
    let doc = export::oscal_mapping(db, OLIR).expect("export");
    let maps = doc["mapping-collection"]["mappings"][0]["maps"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(maps.len(), 746);
    assert_eq!(maps[0]["sources"][0]["id-ref"], "GV.OC-01");
    assert_eq!(maps[0]["targets"][0]["id-ref"], "pm-11");
    assert_eq!(maps[0]["relationship"], "intersects-with");
    let mc = &doc["mapping-collection"];
    assert_eq!(mc["metadata"]["oscal-version"], "1.2.1");
    assert!(mc["provenance"]["mapping-description"].is_string());
    // A control family is a group of the SP 800-53 catalog: typed `control` (OSCAL 1.2.1
    // has no other type for it) and marked as a group; a statement item is a `statement`.
    let family = maps
        .iter()
        .flat_map(|m| m["targets"].as_array().cloned().unwrap_or_default())
        .find(|t| t["id-ref"] == "pt")
        .expect("the PT family is a target");
    assert_eq!(family["props"][0]["name"], export::CATALOG_ITEM_PROP);
    assert_eq!(family["props"][0]["value"], "group");
    let dir = tempfile::tempdir().expect("tmp");
    let file = dir.path().join("olir.json");
    std::fs::write(&file, serde_json::to_vec(&doc).expect("json")).expect("write");
    let (set, _) = user_set::load(
        db,
        &Spec {
            file,
            name: Some("olir-oscal".into()),
            focal: "csf".into(),
            reference: "sp800-53".into(),
            reference_version: Some("5.2.0".into()),
            status: crosswalk::source::manifest::DocStatus::Draft,
        },
    )
    .expect("re-import");
    assert_eq!(mappings(db, &set), mappings(db, OLIR));
    assert_eq!(set_meta(db, &set), set_meta(db, OLIR));
    // And exporting the re-imported set gives the same maps, uuids included (up to their
    // remarks, which now name the JSON path they were read from).
    let again = export::oscal_mapping(db, &set).expect("export again");
    let strip = |v: &serde_json::Value| -> Vec<serde_json::Value> {
        v["mapping-collection"]["mappings"][0]["maps"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .map(|mut m| {
                if let Some(o) = m.as_object_mut() {
                    o.remove("remarks");
                }
                m
            })
            .collect()
    };
    let mut a = strip(&doc);
    let mut b = strip(&again);
    a.sort_by_key(|x| x.to_string());
    b.sort_by_key(|x| x.to_string());
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(x, y);
    }
}

/// `export --format jsonld` is compacted with the project's context (`/context.jsonld`:
/// `cw:`, `skos:`, `cwd:`, … terms, plain strings for plain literals) and reads back as exactly
/// the quads the N-Quads export has.
#[test]
fn jsonld_export_is_compacted_with_the_context_and_reads_back_as_the_same_quads() {
    let _ = require_sources!();
    let db = util::loaded().expect("loaded");
    let quads = |bytes: &[u8], format: RdfFormat| -> BTreeSet<String> {
        RdfParser::from_format(format)
            .for_slice(bytes)
            .map(|q| q.expect("parses").to_string())
            .collect()
    };
    for doc in ["csf", "sp800-53"] {
        let ld = export::export(db, Some(db), export::ExportFormat::Jsonld, None, Some(doc))
            .expect("jsonld");
        let nq =
            export::export(db, Some(db), export::ExportFormat::Nq, None, Some(doc)).expect("nq");
        let v: serde_json::Value = serde_json::from_slice(&ld).expect("JSON");
        assert_eq!(
            v["@context"],
            crosswalk::model::vocab::jsonld_context(),
            "the context is /context.jsonld's"
        );
        let text = String::from_utf8_lossy(&ld);
        assert!(text.contains("\"cw:statement\""), "compact property names");
        assert!(text.contains("\"@id\": \"cwg:"), "compact graph names");
        let graph = v["@graph"].to_string();
        assert!(
            !graph.contains("\"https://w3id.org/crosswalk/ontology#"),
            "no expanded cw: IRI"
        );
        let jsonld = RdfFormat::JsonLd {
            profile: oxigraph::io::JsonLdProfileSet::empty(),
        };
        let (a, b) = (quads(&ld, jsonld), quads(&nq, RdfFormat::NQuads));
        assert!(b.len() > 1000, "{doc}: {}", b.len());
        assert_eq!(a.len(), b.len(), "{doc}");
        // Blank nodes are renamed by each parse: compare the rest exactly.
        let named = |s: &BTreeSet<String>| -> BTreeSet<String> {
            s.iter().filter(|q| !q.contains("_:")).cloned().collect()
        };
        assert_eq!(named(&a), named(&b), "{doc}");
    }
}
