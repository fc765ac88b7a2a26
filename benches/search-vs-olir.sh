#!/usr/bin/env bash
# Precision@k / recall@k (k = 1, 5, 10) of `crosswalk search` used as a candidate ranker: each
# CSF 2.0 subcategory's statement is the query, SP 800-53 controls and enhancements the
# candidates, NIST's OLIR CSF 2.0 → SP 800-53 set the ground truth. The search index holds no
# mapping at all (queries/search-documents.rq), so the ground truth is never a feature.
# Usage: benches/search-vs-olir.sh [crosswalk binary] (store: $CROSSWALK_STORE or the default).
set -euo pipefail
CW=${1:-crosswalk}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
P='PREFIX cw: <https://w3id.org/crosswalk/ontology#> PREFIX skos: <http://www.w3.org/2004/02/skos/core#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>'
"$CW" query "$P SELECT DISTINCT ?sn ?on WHERE { ?set rdfs:label \"OLIR CSF 2.0 → SP 800-53 5.2.0\" . ?m cw:mappingSet ?set ; cw:subject ?s ; cw:object ?o . ?s skos:notation ?sn . OPTIONAL { ?o skos:notation ?on1 } OPTIONAL { ?m cw:objectNotation ?on2 } BIND(COALESCE(?on1, ?on2) AS ?on) }" --format tsv >"$tmp/olir.tsv"
"$CW" query "$P SELECT ?n ?st WHERE { ?s a cw:Subcategory ; skos:inScheme <https://w3id.org/crosswalk/doc/csf/2.0> ; skos:notation ?n ; cw:statement ?st }" --format json >"$tmp/csf.json"
CW="$CW" TMP="$tmp" python3 - <<'PY'
import collections, json, os, re, subprocess
tmp, cw = os.environ["TMP"], os.environ["CW"]
truth = collections.defaultdict(set)
for line in open(f"{tmp}/olir.tsv").read().splitlines()[1:]:
    s, o = line.split("\t")
    # OLIR prints AC-02(01); the catalog AC-2(1).
    o = re.sub(r"\(0*(\d+)\)", r"(\1)", re.sub(r"-0*(\d)", r"-\1", o))
    truth[s].add(o)
res = {k: [0, 0, 0] for k in (1, 5, 10)}
n = 0
for r in json.load(open(f"{tmp}/csf.json")):
    if r["n"] not in truth:
        continue
    n += 1
    q = re.sub(r'["*]', " ", r["st"])
    out = subprocess.run([cw, "search", q, "--scheme", "sp800-53", "--kind", "control",
                          "--kind", "control-enhancement", "--limit", "10", "--format", "json"],
                         capture_output=True, text=True, check=True).stdout
    hits = [h["notation"] for h in json.loads(out)]
    for k in res:
        top = hits[:k]
        res[k][0] += sum(h in truth[r["n"]] for h in top)
        res[k][1] += len(top)
        res[k][2] += len(truth[r["n"]])
pairs = sum(len(v) for v in truth.values())
print(f"{n} subcategories, {pairs} OLIR pairs")
print("| k | precision@k | recall@k |\n|---|---|---|")
for k, (h, p, rel) in res.items():
    print(f"| {k} | {h / p:.3f} | {h / rel:.3f} |")
PY
