#!/usr/bin/env bash
# crosswalk's exports and reports checked by tools no one here wrote:
#  - the SSSOM export of NIST's OLIR set validates with sssom-py, and sssom-py's own
#    re-serialisation reads back into crosswalk as the same mappings;
#  - crosswalk's SHACL validation gives exactly pyshacl's results (shapes: ontology/shapes.ttl)
#    on a real exported graph and on the planted-fault fixture;
#  - `check --format json` validates against ontology/check-report.schema.json (jsonschema);
#  - the served OpenAPI document (src/serve/openapi.json) is valid OpenAPI 3.1
#    (openapi-spec-validator).
# Run from the crate root after `cargo test` (uses its debug binary):
#   CROSSWALK_SOURCES=../shared/sources bash tests/interop.sh
# Needs python3 with sssom, pyshacl, jsonschema, openapi-spec-validator (PYTHON=… picks the interpreter; .ci/run
# installs tests/requirements.txt into a venv).
source "$(dirname "$0")/lib.sh"
venv_bin="$(dirname "$python")"
sssom="$venv_bin/sssom"
command -v "$sssom" >/dev/null 2>&1 || sssom="sssom"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cw() { "$bin" --store "$work/store" --sources "$sources" "$@"; }


echo "== load every source into a scratch store"
cw load >/dev/null

echo "== SSSOM: export, sssom-py validate, sssom-py parse, re-import"
cw export --format sssom --set olir-186 >"$work/olir.sssom.tsv"
validate_clean() {
  "$sssom" validate -V JsonSchema -V PrefixMapCompleteness -V StrictCurieFormat "$work/olir.sssom.tsv" >"$work/validate.log" 2>&1 || { cat "$work/validate.log"; return 1; }
  # sssom-py reports problems on stdout/stderr but exits 0: any output is a failure.
  if grep -qiE 'error|invalid|not well-formed|missing' "$work/validate.log"; then cat "$work/validate.log"; return 1; fi
}
check "sssom-py validates the export (JsonSchema, PrefixMapCompleteness, StrictCurieFormat)" validate_clean
"$sssom" parse "$work/olir.sssom.tsv" -o "$work/parsed.sssom.tsv" >/dev/null 2>&1
rows() { grep -v '^#' "$1" | tail -n +2 | wc -l; }
check "sssom-py reads all 746 mappings" test "$(rows "$work/parsed.sssom.tsv")" -eq 746
cw load --mapping "$work/parsed.sssom.tsv" --set-name olir-via-sssom-py --reference-version 5.2.0 >/dev/null
cw export --format sssom --set olir-via-sssom-py >"$work/back.sssom.tsv"
# Compare (subject, predicate label, object) — sssom-py reorders rows and prefixes.
triples() { grep -v '^#' "$1" | tail -n +2 | awk -F'\t' '{print $2 "\t" $4 "\t" $7}' | sort; }
check "re-imported sssom-py output has the same mappings" diff <(triples "$work/olir.sssom.tsv") <(triples "$work/back.sssom.tsv")

echo "== SHACL: crosswalk validate vs pyshacl"
cw export --format nt --document csf --set olir-186 >"$work/sub.nt"
same_results() { # data file
  "$bin" validate --data "$1" >"$work/rs.json"
  "$python" tests/shacl_crosscheck.py "$1" ontology/shapes.ttl >"$work/py.json" 2>"$work/py.log"
  "$python" - "$work/rs.json" "$work/py.json" <<'PY'
import collections, json, sys
key = lambda d: (d["focus"], d["path"] or "", d["component"], d["severity"])
a = collections.Counter(map(key, json.load(open(sys.argv[1]))["results"]))
b = collections.Counter(map(key, json.load(open(sys.argv[2]))["results"]))
print(f"   crosswalk {sum(a.values())} result(s), pyshacl {sum(b.values())}")
if a != b:
    print("   only crosswalk:", list((a - b).items())[:5])
    print("   only pyshacl:", list((b - a).items())[:5])
    sys.exit(1)
PY
}
check "planted faults (tests/fixtures/shacl/bad.nt): same results" same_results tests/fixtures/shacl/bad.nt
check "CSF 2.0 + OLIR graphs ($(wc -l <"$work/sub.nt") triples): same results" same_results "$work/sub.nt"

echo "== check report: JSON Schema"
set +e
cw check --set olir-186 --format json >"$work/report.json"
code=$?
set -e
check "check exits 1 on the OLIR set (got $code)" test "$code" -eq 1
schema_ok() {
  "$python" - "$work/report.json" <<'PY'
import json, sys
import jsonschema
schema = json.load(open("ontology/check-report.schema.json"))
jsonschema.Draft202012Validator.check_schema(schema)
jsonschema.validate(json.load(open(sys.argv[1])), schema, cls=jsonschema.Draft202012Validator)
PY
}
check "report validates against ontology/check-report.schema.json" schema_ok

echo "== OpenAPI document"
openapi_ok() {
  "$python" -c 'import json; from openapi_spec_validator import validate; validate(json.load(open("src/serve/openapi.json")))'
}
check "src/serve/openapi.json is valid OpenAPI 3.1 (openapi-spec-validator)" openapi_ok

exit "$fail"
