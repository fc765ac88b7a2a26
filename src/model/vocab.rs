//! IRIs of the vocabularies the graph uses: our ontology (`cw:`) and the W3C ones it reuses.
//! The ontology itself is `ontology/crosswalk.ttl`; every `cw` constant here is defined there
//! (a test checks it).

macro_rules! terms {
    ($ns:literal; $($name:ident = $local:literal),* $(,)?) => {
        $(pub const $name: ::oxigraph::model::NamedNodeRef<'static> = ::oxigraph::model::NamedNodeRef::new_unchecked(concat!($ns, $local));)*
        /// Every term of this vocabulary, for the ontology consistency test.
        #[allow(dead_code)]
        pub const ALL: &[::oxigraph::model::NamedNodeRef<'static>] = &[$($name),*];
    };
}

pub const BASE: &str = "https://w3id.org/crosswalk/";

pub mod cw {
    pub const NS: &str = "https://w3id.org/crosswalk/ontology#";
    terms! { "https://w3id.org/crosswalk/ontology#";
        // documents
        DOCUMENT = "Document", FRAMEWORK = "Framework", CATALOG = "Catalog", BASELINE = "Baseline",
        PROFILE = "Profile", OVERLAY = "Overlay", MAPPING_SET = "MappingSet", EXTERNAL_SCHEME = "ExternalScheme",
        DOCUMENT_STATUS = "documentStatus", FINAL = "Final", DRAFT = "Draft",
        INITIAL_PRELIMINARY_DRAFT = "InitialPreliminaryDraft", PRE_DRAFT = "PreDraft", WITHDRAWN_DOCUMENT = "WithdrawnDocument",
        SUGGESTED = "Suggested",
        VERSION = "version", CANONICAL_URL = "canonicalUrl", LANDING_PAGE = "landingPage",
        SOURCE_SHA256 = "sourceSha256", LICENSE_NOTE = "licenseNote", THIRD_PARTY_EXTRACTION = "thirdPartyExtraction",
        EXTRACTED_BY = "extractedBy", PROFILE_OF = "profileOf", FOCAL_DOCUMENT = "focalDocument",
        REFERENCE_DOCUMENT = "referenceDocument", RESOLVED_AGAINST = "resolvedAgainst", SCHEME = "scheme",
        SOURCE_GRAPH = "SourceGraph", IMPORTER = "importer", IMPORTER_VERSION = "importerVersion",
        SOURCE_ID = "sourceId", SOURCE_FILE = "sourceFile", LOAD_DIGEST = "loadDigest", DESCRIBES = "describes", LOAD_WARNING = "loadWarning",
        // elements
        ELEMENT = "Element", FUNCTION = "Function", CATEGORY = "Category", SUBCATEGORY = "Subcategory",
        IMPLEMENTATION_EXAMPLE = "ImplementationExample", CONTROL_FAMILY = "ControlFamily", CONTROL = "Control",
        CONTROL_ENHANCEMENT = "ControlEnhancement", STATEMENT_ITEM = "StatementItem", PARAMETER = "Parameter",
        ASSESSMENT_OBJECTIVE = "AssessmentObjective", RISK = "Risk", SUGGESTED_ACTION = "SuggestedAction",
        FOCUS_AREA = "FocusArea", PROFILE_ENTRY = "ProfileEntry", EXTERNAL_ELEMENT = "ExternalElement",
        OVERLAY_ENTRY = "OverlayEntry",
        DEFINED_BY = "definedBy", PARENT = "parent", SORT_KEY = "sortKey", LOCAL_ID = "localId",
        LOOKUP_KEY = "lookupKey",
        STATEMENT = "statement", GUIDANCE = "guidance", STATUS = "status", WITHDRAWN = "Withdrawn",
        INCORPORATED_INTO = "incorporatedInto", MOVED_TO = "movedTo", RELATED = "related", REQUIRES = "requires",
        IN_BASELINE = "inBaseline", EXAMPLE = "example", RISK_PARTY = "riskParty", PARAMETER_PROP = "parameter",
        PARAM_LABEL = "paramLabel", PARAM_GUIDELINE = "paramGuideline", PARAM_CHOICE = "paramChoice",
        PARAM_HOW_MANY = "paramHowMany", ASSESSMENT_METHOD = "assessmentMethod",
        ABOUT = "about", SUGGESTED_ACTIONS = "suggestedActions", DOCUMENTATION_QUESTIONS = "documentationQuestions",
        REFERENCES = "references", AI_ACTOR = "aiActor", TOPIC = "topic", PAGE = "page",
        PROFILE_ENTRY_OF = "profileEntryOf", FOCUS_AREA_PROP = "focusArea", PRIORITY = "priority",
        PRIORITY_LABEL = "priorityLabel", CONSIDERATIONS = "considerations", OPPORTUNITIES = "opportunities",
        NOTE = "note", RELATED_RISK = "relatedRisk", ACTION_OF = "actionOf", TAILORING = "tailoring",
        LIFECYCLE_PHASE = "lifecyclePhase", ATTACK_ID = "attackId", OVERLAY_ENTRY_OF = "overlayEntryOf",
        // mappings
        MAPPING = "Mapping", SUBJECT = "subject", OBJECT = "object", MAPPING_SET_PROP = "mappingSet",
        STYLE = "style", RELATIONSHIP = "relationship", RATIONALE = "rationale",
        SUPPORTIVE_PROPERTY = "supportiveProperty", METHOD = "method", MAPPING_STATUS = "mappingStatus",
        STRENGTH = "strength", CONFIDENCE = "confidence", MAPPING_JUSTIFICATION = "mappingJustification",
        MAPPING_TOOL = "mappingTool", MATCH_FIELD = "matchField", MATCH_STRING = "matchString", SOURCE_LOCATION = "sourceLocation", SOURCE_ROW = "sourceRow",
        OBJECT_NOTATION = "objectNotation", SUBJECT_NOTATION = "subjectNotation", GRANULARITY = "granularity",
        FAMILY_LEVEL = "FamilyLevel", CATEGORY_LEVEL = "CategoryLevel", FLAG = "flag",
        DANGLING_TARGET = "DanglingTarget", DANGLING_SUBJECT = "DanglingSubject", WITHDRAWN_TARGET = "WithdrawnTarget",
        COMPOSITION = "Composition", DERIVED_FROM = "derivedFrom", INVERSE_OF = "inverseOf", FIRST_HOP = "firstHop",
        SECOND_HOP = "secondHop", VIA_ELEMENT = "viaElement", RULE = "rule", HOP = "hop", RELATED_VIA_T = "RelatedVia",
        RELATED_VIA = "relatedVia", BASIS = "basis", FLAG_LABEL = "flagLabel", COMPOSES_THROUGH = "composesThrough",
        ROLLED_UP_FROM = "rolledUpFrom", ROLLUP_IN = "rollupIn", ROLLUP = "rollup",
        // deprecated, still materialised (ontology/crosswalk.ttl, CHANGELOG.md)
        INFERRED = "inferred", ASSERTED_IN = "assertedIn", HOW = "how",
        TARGET_NOTATION = "targetNotation", VIA_NOTATION = "viaNotation", TARGET_SCHEME = "targetScheme", SET_SCHEME = "setScheme",
        COVERAGE_SLICE = "CoverageSlice", SLICE_FOCAL_SCHEME = "sliceFocalScheme", SLICE_TARGET_SCHEME = "sliceTargetScheme",
        SLICE_SET_SCHEME = "sliceSetScheme", SLICE_MEMBER = "sliceMember", SLICE_ROLLUP_MEMBER = "sliceRollupMember",
        UNIT_IN_SCHEME = "unitInScheme", FOCAL_NOTATION = "focalNotation", FOCAL_SORT_KEY = "focalSortKey",
        TARGET_BASELINE = "targetBaseline", COVERAGE_ROW = "CoverageRow", SLICE_ROW = "sliceRow", SLICE_ROLLUP_ROW = "sliceRollupRow", ROW_FOCAL = "rowFocal",
        ROW_FOCAL_NOTATION = "rowFocalNotation", ROW_SORT_KEY = "rowSortKey", ROW_TARGET = "rowTarget",
        BASELINE_LABEL = "baselineLabel",
        CONCEPT_CROSSWALK = "ConceptCrosswalk", SUPPORTIVE = "Supportive", SET_THEORY = "SetTheory", STRUCTURAL = "Structural",
        RELATED_T = "Related", SUPPORTS_T = "Supports", IS_SUPPORTED_BY_T = "IsSupportedBy", IDENTICAL_T = "Identical",
        EQUIVALENT_T = "Equivalent", CONTRARY_T = "Contrary", SUBSET_OF_T = "SubsetOf", SUPERSET_OF_T = "SupersetOf",
        EQUAL_T = "Equal", INTERSECTS_WITH_T = "IntersectsWith", NO_RELATIONSHIP_T = "NoRelationship",
        PARENT_OF_T = "ParentOf", CHILD_OF_T = "ChildOf",
        RELATED_TO = "relatedTo", SUPPORTS = "supports", SUPPORTED_BY = "supportedBy", IDENTICAL_TO = "identicalTo",
        EQUIVALENT_TO = "equivalentTo", CONTRARY_TO = "contraryTo", SUBSET_OF = "subsetOf", SUPERSET_OF = "supersetOf",
        EQUAL_TO = "equalTo", INTERSECTS_WITH = "intersectsWith",
        SYNTACTIC = "Syntactic", SEMANTIC = "Semantic", FUNCTIONAL = "Functional",
        EXAMPLE_OF = "ExampleOf", INTEGRAL_TO = "IntegralTo", PRECEDES = "Precedes",
        HUMAN_CURATION = "HumanCuration", AUTOMATION = "Automation", INFERENCE = "Inference", TRANSCRIPTION = "Transcription",
        DRAFT_MAPPING = "DraftMapping", FINAL_MAPPING = "FinalMapping", SUGGESTED_MAPPING = "SuggestedMapping",
        // the HTTP service
        GRAPH_STORE = "graphStore",
    }
}

pub mod rdf {
    terms! { "http://www.w3.org/1999/02/22-rdf-syntax-ns#"; TYPE = "type" }
}
pub mod rdfs {
    terms! { "http://www.w3.org/2000/01/rdf-schema#"; LABEL = "label", COMMENT = "comment", SEE_ALSO = "seeAlso" }
}
pub mod skos {
    terms! { "http://www.w3.org/2004/02/skos/core#";
        CONCEPT = "Concept", CONCEPT_SCHEME = "ConceptScheme", NOTATION = "notation", PREF_LABEL = "prefLabel", IN_SCHEME = "inScheme",
        BROADER = "broader", DEFINITION = "definition",
    }
}
pub mod dcterms {
    terms! { "http://purl.org/dc/terms/";
        TITLE = "title", PUBLISHER = "publisher", ISSUED = "issued", MODIFIED = "modified", IDENTIFIER = "identifier",
        SOURCE = "source", LICENSE = "license", DESCRIPTION = "description",
    }
}
pub mod prov {
    terms! { "http://www.w3.org/ns/prov#";
        ENTITY = "Entity", WAS_DERIVED_FROM = "wasDerivedFrom", GENERATED_AT_TIME = "generatedAtTime",
        HAD_PRIMARY_SOURCE = "hadPrimarySource",
    }
}
pub mod xsd {
    terms! { "http://www.w3.org/2001/XMLSchema#"; INTEGER = "integer", BOOLEAN = "boolean", DATE = "date", DATE_TIME = "dateTime", DECIMAL = "decimal" }
}

/// The prefixes every named query may use, and output serializers abbreviate with.
pub const PREFIXES: &[(&str, &str)] = &[
    ("cw", cw::NS),
    ("rdf", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"),
    ("rdfs", "http://www.w3.org/2000/01/rdf-schema#"),
    ("xsd", "http://www.w3.org/2001/XMLSchema#"),
    ("skos", "http://www.w3.org/2004/02/skos/core#"),
    ("dcterms", "http://purl.org/dc/terms/"),
    ("prov", "http://www.w3.org/ns/prov#"),
    ("owl", "http://www.w3.org/2002/07/owl#"),
    ("cwd", "https://w3id.org/crosswalk/doc/"),
    ("cwg", "https://w3id.org/crosswalk/graph/"),
];

/// The JSON-LD 1.1 context of the project's prefixes (one term per [`PREFIXES`] entry): what
/// `GET /context.jsonld` serves and `export --format jsonld` compacts with.
pub fn jsonld_context() -> serde_json::Value {
    let mut ctx = serde_json::Map::new();
    ctx.insert("@version".into(), serde_json::json!(1.1));
    for (p, iri) in PREFIXES {
        ctx.insert((*p).into(), serde_json::json!(iri));
    }
    serde_json::Value::Object(ctx)
}

/// An RDF serializer that abbreviates with the project's prefixes (`vocab::PREFIXES`, all
/// valid constant IRIs, so none can be refused; one that were is skipped, not an error).
pub fn rdf_serializer(format: oxigraph::io::RdfFormat) -> oxigraph::io::RdfSerializer {
    let mut ser = oxigraph::io::RdfSerializer::from_format(format);
    for (p, iri) in PREFIXES {
        ser = match ser.clone().with_prefix(*p, *iri) {
            Ok(s) => s,
            Err(_) => ser,
        };
    }
    ser
}
