#!/usr/bin/env bash
# Precision@k / recall@k (k = 1, 5, 10) of `crosswalk suggest --from csf --to sp800-53` against
# two human-curated ground truths it never sees: NIST's OLIR CSF 2.0 → SP 800-53 set (olir-186,
# 746 pairs) and the Cyber AI Profile's general-column SP 800-53 references. The suggester's
# features are the elements' own text only (no mapping is ever a feature); the ground-truth sets
# and the CSF Reference Tool's SP 800-53 sets (the same pairs) are also excluded from its
# "already mapped" filter (--exclude-set), so nothing of them reaches the ranking. Baseline: the
# same BM25 over titles alone (--feature title). --dry-run: the store is only read.
# Usage: benches/suggest-eval.sh [crosswalk binary] (store: $CROSSWALK_STORE or the default).
set -euo pipefail
CW=${1:-crosswalk}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
P='PREFIX cw: <https://w3id.org/crosswalk/ontology#> PREFIX skos: <http://www.w3.org/2004/02/skos/core#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>'
truth() { # $1: set scheme; extra pattern in $2
  "$CW" query "$P SELECT DISTINCT ?sn ?on WHERE { ?set cw:scheme \"$1\" . ?m cw:mappingSet ?set ; cw:subject ?s ; cw:object ?o ; cw:objectNotation ?on2 . $2 ?s skos:notation ?sn ; cw:definedBy/cw:scheme \"csf\" . OPTIONAL { ?o skos:notation ?on1 } BIND(COALESCE(?on1, ?on2) AS ?on) }" --format tsv
}
truth olir-186 "" >"$tmp/olir.tsv"
truth cyber-ai-profile "?m cw:targetScheme \"sp800-53\" ." >"$tmp/profile.tsv"
EXCL=(--exclude-set olir-186 --exclude-set cyber-ai-profile
      --exclude-set csf2-reference-tool/sp-800-53-rev-5-2-0 --exclude-set csf2-reference-tool/sp-800-53-rev-5-1-1)
s=$(date +%s%N)
"$CW" suggest --from csf --to sp800-53 --top 10 "${EXCL[@]}" --dry-run --format json >"$tmp/all.json"
e=$(date +%s%N)
"$CW" suggest --from csf --to sp800-53 --top 10 "${EXCL[@]}" --feature title --dry-run --format json >"$tmp/title.json"
echo "suggest (all features, dry run, whole CLI run): $(( (e - s) / 1000000 )) ms"
TMP="$tmp" python3 - <<'PY'
import collections, json, os, re
tmp = os.environ["TMP"]
def norm(o):
    # OLIR prints AC-02(01); the catalog AC-2(1).
    return re.sub(r"\(0*(\d+)\)", r"(\1)", re.sub(r"-0*(\d)", r"-\1", o.strip()))
def load(f):
    t = collections.defaultdict(set)
    for line in open(f).read().splitlines()[1:]:
        s, o = line.split("\t")
        t[s].add(norm(o))
    return t
def ranked(f):
    r = collections.defaultdict(list)
    for c in json.load(open(f))["candidates"]:
        r[c["subject"]].append(c["object"])
    return r
print("| ground truth | ranking | subcategories | pairs | P@1 | P@5 | P@10 | R@1 | R@5 | R@10 |")
print("|---|---|---|---|---|---|---|---|---|---|")
for gname, gfile in [("OLIR (olir-186)", "olir.tsv"), ("Cyber AI Profile, general SP 800-53 refs", "profile.tsv")]:
    truth = load(f"{tmp}/{gfile}")
    for rname, rfile in [("BM25, titles only (baseline)", "title.json"), ("suggest, all features", "all.json")]:
        cands = ranked(f"{tmp}/{rfile}")
        p, r = {}, {}
        pairs = sum(len(v) for v in truth.values())
        for k in (1, 5, 10):
            hits = shown = 0
            for s, rel in truth.items():
                top = cands.get(s, [])[:k]
                hits += sum(o in rel for o in top)
                shown += len(top)
            p[k], r[k] = hits / max(shown, 1), hits / pairs
        print(f"| {gname} | {rname} | {len(truth)} | {pairs} | " + " | ".join(f"{p[k]:.3f}" for k in (1, 5, 10)) + " | " + " | ".join(f"{r[k]:.3f}" for k in (1, 5, 10)) + " |")
PY
