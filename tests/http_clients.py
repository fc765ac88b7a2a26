#!/usr/bin/env python3
"""Exercise a running `crosswalk serve` with real third-party SPARQL clients.

    python3 tests/http_clients.py http://127.0.0.1:PORT

Needs the PyPI packages SPARQLWrapper and rdflib. Prints one line per check and
exits non-zero if any check fails (all checks run; failures are listed at the end).
"""
import sys
import urllib.error
import urllib.parse
import urllib.request

import rdflib
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import (
    GET,
    JSON,
    N3,
    POST,
    POSTDIRECTLY,
    RDFXML,
    TURTLE,
    URLENCODED,
    XML,
    SPARQLWrapper,
)

CW = "https://w3id.org/crosswalk/ontology#"
SKOS = "http://www.w3.org/2004/02/skos/core#"

SELECT_GV = (
    "PREFIX cw: <https://w3id.org/crosswalk/ontology#> "
    "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
    'SELECT ?n WHERE { ?e cw:lookupKey "GV.SC-07" ; skos:notation ?n }'
)
ASK_AC2 = 'ASK { ?e <https://w3id.org/crosswalk/ontology#lookupKey> "AC-2" }'
ASK_ZZ99 = 'ASK { ?e <https://w3id.org/crosswalk/ontology#lookupKey> "ZZ-99" }'
CONSTRUCT_GV = (
    "CONSTRUCT { ?e <http://www.w3.org/2004/02/skos/core#notation> ?n } "
    'WHERE { ?e <https://w3id.org/crosswalk/ontology#lookupKey> "GV.SC-07" ; '
    "<http://www.w3.org/2004/02/skos/core#notation> ?n }"
)
CROSSWALK_GV = (
    "PREFIX cw: <https://w3id.org/crosswalk/ontology#> "
    "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
    'SELECT DISTINCT ?n WHERE { ?e cw:lookupKey "GV.SC-07" . '
    '?m cw:subject ?e ; cw:object ?t ; cw:basis ?m ; cw:mappingSet ?set . '
    '?set cw:scheme "olir-186" . ?t skos:notation ?n }'
)
EXPECTED_CROSSWALK = {"RA-9", "SA-4", "SA-9", "SR-3", "SR-6"}


class CheckFailed(AssertionError):
    pass


def expect(cond, message):
    if not cond:
        raise CheckFailed(message)


# ---------------------------------------------------------------- helpers


def wrapper(endpoint, query, fmt, method=GET):
    sw = SPARQLWrapper(endpoint)
    sw.setQuery(query)
    sw.setReturnFormat(fmt)
    sw.setMethod(method)
    sw.setTimeout(30)
    return sw


def content_type(result):
    return result.info().get("content-type", "")


def json_values(doc, var):
    """The values bound to `var` in SPARQL JSON results (a dict)."""
    expect(isinstance(doc, dict), f"JSON results should decode to a dict, got {type(doc).__name__}")
    expect(var in doc.get("head", {}).get("vars", []),
           f"head.vars should list {var!r}: {doc.get('head')!r}")
    bindings = doc.get("results", {}).get("bindings")
    expect(isinstance(bindings, list), f"results.bindings should be a list: {doc!r}")
    return [b[var]["value"] for b in bindings if var in b]


def one_literal_triple(graph, how):
    """The graph holds exactly (?e skos:notation "GV.SC-07")."""
    triples = list(graph)
    expect(len(triples) == 1, f"{how}: expected exactly 1 triple, got {len(triples)}: {triples!r}")
    s, p, o = triples[0]
    expect(p == rdflib.URIRef(SKOS + "notation"), f"{how}: predicate should be skos:notation, got {p!r}")
    expect(isinstance(s, rdflib.URIRef), f"{how}: subject should be an IRI, got {s!r}")
    expect(str(o) == "GV.SC-07", f"{how}: object should be \"GV.SC-07\", got {o!r}")


def parse_rdf_text(data, rdf_format, how):
    expect(isinstance(data, (bytes, str)) and len(data) > 0,
           f"{how}: expected a non-empty RDF document, got {type(data).__name__}")
    g = rdflib.Graph()
    g.parse(data=data.decode("utf-8") if isinstance(data, bytes) else data, format=rdf_format)
    return g


# ---------------------------------------------------------------- SPARQLWrapper


def check_sw_select_json(endpoint):
    res = wrapper(endpoint, SELECT_GV, JSON).query()
    ct = content_type(res)
    expect("application/sparql-results+json" in ct or "application/json" in ct,
           f"SELECT as JSON: Content-Type should be SPARQL JSON, got {ct!r}")
    values = json_values(res.convert(), "n")
    expect(values == ["GV.SC-07"], f"SELECT as JSON: expected exactly one n=\"GV.SC-07\", got {values!r}")
    return f"1 binding n=GV.SC-07 ({ct})"


def check_sw_select_xml(endpoint):
    res = wrapper(endpoint, SELECT_GV, XML).query()
    ct = content_type(res)
    expect("application/sparql-results+xml" in ct,
           f"SELECT as XML: Content-Type should be application/sparql-results+xml, got {ct!r}")
    doc = res.convert()  # xml.dom.minidom.Document
    variables = [v.getAttribute("name") for v in doc.getElementsByTagName("variable")]
    expect(variables == ["n"], f"SELECT as XML: <head> variables should be ['n'], got {variables!r}")
    results = doc.getElementsByTagName("result")
    expect(len(results) == 1, f"SELECT as XML: expected 1 <result>, got {len(results)}")
    literals = results[0].getElementsByTagName("literal")
    values = ["".join(t.data for t in lit.childNodes if t.nodeType == t.TEXT_NODE) for lit in literals]
    expect(values == ["GV.SC-07"], f"SELECT as XML: expected literal GV.SC-07, got {values!r}")
    return f"1 <result> n=GV.SC-07 ({ct})"


def check_sw_select_post(endpoint):
    sw = wrapper(endpoint, SELECT_GV, JSON, method=POST)
    sw.setRequestMethod(URLENCODED)
    values = json_values(sw.query().convert(), "n")
    expect(values == ["GV.SC-07"], f"POST (form) SELECT: expected [\"GV.SC-07\"], got {values!r}")
    return "POST application/x-www-form-urlencoded: n=GV.SC-07"


def check_sw_select_post_directly(endpoint):
    sw = wrapper(endpoint, SELECT_GV, JSON, method=POST)
    sw.setRequestMethod(POSTDIRECTLY)
    values = json_values(sw.query().convert(), "n")
    expect(values == ["GV.SC-07"], f"POST (sparql-query) SELECT: expected [\"GV.SC-07\"], got {values!r}")
    return "POST application/sparql-query: n=GV.SC-07"


def check_sw_select_conneg_only(endpoint):
    # Without the format=/output=/results= URL parameters SPARQLWrapper adds by default.
    sw = wrapper(endpoint, SELECT_GV, JSON)
    sw.setOnlyConneg(True)
    values = json_values(sw.query().convert(), "n")
    expect(values == ["GV.SC-07"], f"content negotiation only: expected [\"GV.SC-07\"], got {values!r}")
    return "Accept header alone: n=GV.SC-07"


def check_sw_ask(endpoint):
    yes = wrapper(endpoint, ASK_AC2, JSON).query().convert()
    expect(isinstance(yes, dict) and yes.get("boolean") is True,
           f"ASK lookupKey \"AC-2\" should be true, got {yes!r}")
    no = wrapper(endpoint, ASK_ZZ99, JSON).query().convert()
    expect(isinstance(no, dict) and no.get("boolean") is False,
           f"ASK lookupKey \"ZZ-99\" should be false, got {no!r}")
    return "AC-2 → true, ZZ-99 → false (JSON)"


def check_sw_ask_xml(endpoint):
    out = []
    for query, want in ((ASK_AC2, "true"), (ASK_ZZ99, "false")):
        doc = wrapper(endpoint, query, XML).query().convert()
        booleans = doc.getElementsByTagName("boolean")
        expect(len(booleans) == 1, f"ASK as XML: expected one <boolean>, got {len(booleans)}")
        got = "".join(t.data for t in booleans[0].childNodes).strip()
        expect(got == want, f"ASK as XML: expected <boolean>{want}</boolean>, got {got!r}")
        out.append(got)
    return f"AC-2 → {out[0]}, ZZ-99 → {out[1]} (XML)"


def check_sw_construct_turtle(endpoint):
    res = wrapper(endpoint, CONSTRUCT_GV, TURTLE).query()
    ct = content_type(res)
    expect("turtle" in ct, f"CONSTRUCT as Turtle: Content-Type should be text/turtle, got {ct!r}")
    one_literal_triple(parse_rdf_text(res.convert(), "turtle", "CONSTRUCT as Turtle"), "CONSTRUCT as Turtle")
    return f"1 triple ({ct})"


def check_sw_construct_n3(endpoint):
    # SPARQLWrapper's N3 asks for Turtle first, then N3 / N-Triples.
    res = wrapper(endpoint, CONSTRUCT_GV, N3).query()
    ct = content_type(res)
    rdf_format = "nt" if "n-triples" in ct else "n3"
    one_literal_triple(parse_rdf_text(res.convert(), rdf_format, "CONSTRUCT as N3"), "CONSTRUCT as N3")
    return f"1 triple ({ct})"


def check_sw_construct_ntriples(endpoint):
    sw = wrapper(endpoint, CONSTRUCT_GV, N3)
    sw.setOnlyConneg(True)
    sw.addCustomHttpHeader("Accept", "application/n-triples")  # replaces SPARQLWrapper's own Accept
    res = sw.query()
    ct = content_type(res)
    expect("application/n-triples" in ct,
           f"CONSTRUCT as N-Triples: Content-Type should be application/n-triples, got {ct!r}")
    one_literal_triple(parse_rdf_text(res.convert(), "nt", "CONSTRUCT as N-Triples"), "CONSTRUCT as N-Triples")
    return f"1 triple ({ct})"


def check_sw_construct_rdfxml(endpoint):
    res = wrapper(endpoint, CONSTRUCT_GV, RDFXML).query()
    ct = content_type(res)
    expect("application/rdf+xml" in ct,
           f"CONSTRUCT as RDF/XML: Content-Type should be application/rdf+xml, got {ct!r}")
    g = res.convert()  # SPARQLWrapper parses RDF/XML into an rdflib Graph itself
    expect(isinstance(g, rdflib.Graph), f"CONSTRUCT as RDF/XML: expected an rdflib Graph, got {type(g).__name__}")
    one_literal_triple(g, "CONSTRUCT as RDF/XML")
    return f"1 triple as an rdflib Graph ({ct})"


def check_sw_crosswalk(endpoint):
    values = json_values(wrapper(endpoint, CROSSWALK_GV, JSON).query().convert(), "n")
    expect(len(values) == len(set(values)), f"SELECT DISTINCT returned duplicates: {sorted(values)!r}")
    expect(set(values) == EXPECTED_CROSSWALK,
           f"direct olir-186 crosswalk of GV.SC-07: expected {sorted(EXPECTED_CROSSWALK)}, got {sorted(values)}")
    return "GV.SC-07 → " + ", ".join(sorted(values))


def check_sw_bad_query(endpoint):
    # A malformed query is the client's fault: a 400 with a message, which SPARQLWrapper raises.
    from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

    sw = wrapper(endpoint, "SELECT ?n WHERE { this is not sparql", JSON)
    try:
        sw.query()
    except QueryBadFormed as e:
        return f"QueryBadFormed raised ({str(e).splitlines()[0][:60]}…)"
    raise CheckFailed("a malformed query should be answered with 400 (SPARQLWrapper's QueryBadFormed)")


# ---------------------------------------------------------------- rdflib SPARQLStore


def rdflib_graph(endpoint):
    return rdflib.Graph(store=SPARQLStore(query_endpoint=endpoint))


def check_rdflib_select(endpoint):
    rows = list(rdflib_graph(endpoint).query(SELECT_GV))
    values = [str(r[0]) for r in rows]
    expect(values == ["GV.SC-07"], f"rdflib SPARQLStore SELECT: expected [\"GV.SC-07\"], got {values!r}")
    expect(isinstance(rows[0][0], rdflib.Literal), f"rdflib SELECT: ?n should be a Literal, got {rows[0][0]!r}")
    return "n=GV.SC-07"


def check_rdflib_ask(endpoint):
    g = rdflib_graph(endpoint)
    yes = g.query(ASK_AC2)
    expect(yes.askAnswer is True, f"rdflib ASK lookupKey \"AC-2\": expected True, got {yes.askAnswer!r}")
    no = g.query(ASK_ZZ99)
    expect(no.askAnswer is False, f"rdflib ASK lookupKey \"ZZ-99\": expected False, got {no.askAnswer!r}")
    return "AC-2 → True, ZZ-99 → False"


def check_rdflib_construct(endpoint):
    res = rdflib_graph(endpoint).query(CONSTRUCT_GV)
    expect(res.graph is not None, f"rdflib CONSTRUCT: expected a graph result, got type {res.type!r}")
    one_literal_triple(res.graph, "rdflib CONSTRUCT")
    return "1 triple"


def check_rdflib_crosswalk(endpoint):
    values = {str(r[0]) for r in rdflib_graph(endpoint).query(CROSSWALK_GV)}
    expect(values == EXPECTED_CROSSWALK,
           f"rdflib crosswalk of GV.SC-07: expected {sorted(EXPECTED_CROSSWALK)}, got {sorted(values)}")
    return "GV.SC-07 → " + ", ".join(sorted(values))


# ---------------------------------------------------------------- plain urllib


def check_urllib_get(endpoint):
    url = endpoint + "?" + urllib.parse.urlencode({"query": ASK_AC2})
    req = urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(req, timeout=30) as resp:
        body = resp.read().decode("utf-8")
        ct = resp.headers.get("Content-Type", "")
    expect(resp.status == 200, f"GET /sparql?query=…: expected 200, got {resp.status}")
    expect("application/sparql-results+json" in ct, f"GET /sparql: Content-Type should be SPARQL JSON, got {ct!r}")
    expect('"boolean"' in body and "true" in body, f"GET /sparql ASK: expected a true boolean, got {body!r}")
    return f"200 {ct}"


CHECKS = [
    ("SPARQLWrapper SELECT JSON", check_sw_select_json),
    ("SPARQLWrapper SELECT XML", check_sw_select_xml),
    ("SPARQLWrapper SELECT POST form", check_sw_select_post),
    ("SPARQLWrapper SELECT POST direct", check_sw_select_post_directly),
    ("SPARQLWrapper SELECT conneg only", check_sw_select_conneg_only),
    ("SPARQLWrapper ASK JSON", check_sw_ask),
    ("SPARQLWrapper ASK XML", check_sw_ask_xml),
    ("SPARQLWrapper CONSTRUCT Turtle", check_sw_construct_turtle),
    ("SPARQLWrapper CONSTRUCT N3", check_sw_construct_n3),
    ("SPARQLWrapper CONSTRUCT N-Triples", check_sw_construct_ntriples),
    ("SPARQLWrapper CONSTRUCT RDF/XML", check_sw_construct_rdfxml),
    ("SPARQLWrapper crosswalk", check_sw_crosswalk),
    ("SPARQLWrapper malformed query", check_sw_bad_query),
    ("rdflib SPARQLStore SELECT", check_rdflib_select),
    ("rdflib SPARQLStore ASK", check_rdflib_ask),
    ("rdflib SPARQLStore CONSTRUCT", check_rdflib_construct),
    ("rdflib SPARQLStore crosswalk", check_rdflib_crosswalk),
    ("urllib GET ASK", check_urllib_get),
]


def main(argv):
    if len(argv) != 2:
        print(f"usage: {argv[0]} http://127.0.0.1:PORT", file=sys.stderr)
        return 2
    endpoint = argv[1].rstrip("/") + "/sparql"
    print(f"SPARQL endpoint: {endpoint}")
    failures = []
    for name, check in CHECKS:
        try:
            detail = check(endpoint)
        except CheckFailed as e:
            failures.append((name, str(e)))
            print(f"FAIL {name}: {e}")
        except urllib.error.HTTPError as e:
            body = e.read().decode("utf-8", "replace").strip()
            failures.append((name, f"HTTP {e.code}: {body}"))
            print(f"FAIL {name}: HTTP {e.code}: {body}")
        except Exception as e:  # a client library raised: report it as this check's failure
            failures.append((name, f"{type(e).__name__}: {e}"))
            print(f"FAIL {name}: {type(e).__name__}: {e}")
        else:
            print(f"ok   {name}: {detail}")
    passed = len(CHECKS) - len(failures)
    print()
    print(f"{passed} passed, {len(failures)} failed")
    if failures:
        for name, message in failures:
            print(f"  - {name}: {message}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
