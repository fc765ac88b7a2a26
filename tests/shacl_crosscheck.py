#!/usr/bin/env python3
# Cross-check of crosswalk's SHACL validation against pyshacl.
#
# Written and calibrated with pyshacl 0.40.1 on rdflib 7.6.0 (Python 3.11), installed with
#   /tmp/cwvenv/bin/pip install pyshacl
#
# Usage: python3 tests/shacl_crosscheck.py DATA.nt SHAPES.ttl
#
# Runs pyshacl with inference "none" and advanced features off (SHACL Core only, no
# entailment: sh:targetClass / sh:class follow rdfs:subClassOf triples that are in DATA,
# which is how crosswalk's SPARQL `rdf:type/rdfs:subClassOf*` sees the union graph), then
# prints ONE JSON object on stdout:
#   {"conforms": bool,
#    "results": [{"focus": ..., "path": ..., "component": ..., "severity": ...}, ...]}
# - focus: the focus node IRI, or "_:b" for any blank node (so tools compare);
# - path: the sh:resultPath IRI (null if none);
# - component: local name of sh:sourceConstraintComponent (e.g. "MinCountConstraintComponent");
# - severity: "Violation" | "Warning" | "Info".
# One entry per validation result (a value-node constraint that fails on two values of the
# same focus node gives two equal entries); sorted by (focus, path, component, severity).
# "conforms" follows the SHACL spec: false as soon as there is any result, whatever its
# severity. Timing goes to stderr. Exit status 0 unless loading or pyshacl itself fails.
import json
import sys
import time

from rdflib import BNode, Graph, Namespace, URIRef
from rdflib.namespace import RDF

SH = Namespace("http://www.w3.org/ns/shacl#")


def local(iri):
    s = str(iri)
    for sep in ("#", "/"):
        if sep in s:
            s = s.rsplit(sep, 1)[1]
    return s


def term(t):
    if t is None:
        return None
    if isinstance(t, BNode):
        return "_:b"
    return str(t)


def main(argv):
    if len(argv) != 3:
        print("usage: shacl_crosscheck.py DATA.nt SHAPES.ttl", file=sys.stderr)
        return 2
    from pyshacl import validate

    t0 = time.monotonic()
    data = Graph()
    data.parse(argv[1], format="nt")
    shapes = Graph()
    shapes.parse(argv[2], format="turtle")
    t1 = time.monotonic()
    conforms, report, _text = validate(
        data,
        shacl_graph=shapes,
        inference="none",
        advanced=False,
        abort_on_first=False,
        allow_infos=False,
        allow_warnings=False,
        meta_shacl=False,
        debug=False,
    )
    t2 = time.monotonic()

    results = []
    for r in report.subjects(RDF.type, SH.ValidationResult):
        comp = report.value(r, SH.sourceConstraintComponent)
        sev = report.value(r, SH.resultSeverity)
        path = report.value(r, SH.resultPath)
        results.append(
            {
                "focus": term(report.value(r, SH.focusNode)),
                "path": term(path) if isinstance(path, URIRef) else term(path),
                "component": local(comp) if comp is not None else None,
                "severity": local(sev) if sev is not None else None,
            }
        )
    results.sort(
        key=lambda d: tuple(d[k] or "" for k in ("focus", "path", "component", "severity"))
    )
    json.dump({"conforms": bool(conforms), "results": results}, sys.stdout, indent=1)
    sys.stdout.write("\n")
    counts = {}
    for d in results:
        counts[d["severity"]] = counts.get(d["severity"], 0) + 1
    print(
        f"pyshacl: {len(data)} data triples; load {t1 - t0:.1f}s, validate {t2 - t1:.1f}s; "
        f"results by severity {counts or '{}'}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
