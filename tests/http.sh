#!/usr/bin/env bash
# `crosswalk serve` against clients no one here wrote: SPARQLWrapper and rdflib
# (tests/http_clients.py), Comunica (tests/comunica/clients.mjs), headless Chromium driving the page (tests/browser_page.py), curl with
# every Accept type, and a bounded wrk load test on loopback. Run from the crate root after
# `cargo test` (it uses the debug binary that `cargo test` built):
#   CROSSWALK_SOURCES=../shared/sources bash tests/http.sh
# Needs: python3 with SPARQLWrapper, rdflib, playwright (PYTHON=… picks the interpreter),
# /usr/bin/chromium, wrk, curl, node and npm. .ci/run installs them.
source "$(dirname "$0")/lib.sh"
work="$(mktemp -d)"
server_pid=""
cleanup() {
  if [[ -n "$server_pid" ]]; then kill "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

echo "== start: crosswalk serve --memory (loads every source) on an ephemeral loopback port"
"$bin" --memory --sources "$sources" serve --bind 127.0.0.1:0 >"$work/out" 2>"$work/log" &
server_pid=$!
base=""
for _ in $(seq 1 600); do
  base="$(grep -o 'on http://127.0.0.1:[0-9]*' "$work/log" | head -1 | sed 's/^on //' || true)"
  [[ -n "$base" ]] && break
  if ! kill -0 "$server_pid" 2>/dev/null; then cat "$work/log" >&2; exit 1; fi
  sleep 0.2
done
[[ -n "$base" ]] || { echo "server did not start" >&2; cat "$work/log" >&2; exit 1; }
echo "   $base"


echo "== curl with each Accept type"
q='PREFIX cw: <https://w3id.org/crosswalk/ontology#> PREFIX skos: <http://www.w3.org/2004/02/skos/core#> SELECT ?n WHERE { ?e cw:lookupKey "GV.SC-07" ; skos:notation ?n }'
c='CONSTRUCT { ?e <http://www.w3.org/2004/02/skos/core#notation> ?n } WHERE { ?e <https://w3id.org/crosswalk/ontology#lookupKey> "GV.SC-07" ; <http://www.w3.org/2004/02/skos/core#notation> ?n }'
accept_ok() { # query, Accept, expected Content-Type, text the body must contain
  local hdr body
  hdr="$(curl -s -o "$work/body" -w '%{http_code} %{content_type}' -H "Accept: $2" \
    --data-urlencode "query=$1" "$base/sparql")"
  body="$(cat "$work/body")"
  [[ "$hdr" == "200 $3"* ]] && [[ "$body" == *"$4"* ]] || { echo "   got: $hdr $body" >&2; return 1; }
}
check "SELECT as SPARQL JSON" accept_ok "$q" application/sparql-results+json application/sparql-results+json '"value":"GV.SC-07"'
check "SELECT as SPARQL XML" accept_ok "$q" application/sparql-results+xml application/sparql-results+xml '<literal>GV.SC-07</literal>'
check "SELECT as CSV" accept_ok "$q" text/csv text/csv 'GV.SC-07'
check "SELECT as TSV" accept_ok "$q" text/tab-separated-values text/tab-separated-values '"GV.SC-07"'
check "CONSTRUCT as Turtle" accept_ok "$c" text/turtle text/turtle '"GV.SC-07"'
check "CONSTRUCT as N-Triples" accept_ok "$c" application/n-triples application/n-triples '"GV.SC-07" .'
check "CONSTRUCT as JSON-LD" accept_ok "$c" application/ld+json application/ld+json '"GV.SC-07"'
check "CONSTRUCT as RDF/XML" accept_ok "$c" application/rdf+xml application/rdf+xml '>GV.SC-07<'
status_is() { # expected status, curl args…
  local want="$1"; shift
  [[ "$(curl -s -o /dev/null -w '%{http_code}' "$@")" == "$want" ]]
}
check "406 for an unproducible Accept" status_is 406 -H 'Accept: image/png' --data-urlencode "query=$q" "$base/sparql"
check "400 for a malformed query" status_is 400 --data-urlencode 'query=SELECT ?x WHERE {' "$base/sparql"
check "415 for a non-SPARQL body" status_is 415 -H 'Content-Type: text/plain' --data-binary "$q" "$base/sparql"
check "403 for an update" status_is 403 --data-urlencode 'update=CLEAR ALL' "$base/sparql"
check "data unchanged after the refused update" accept_ok "$q" text/csv text/csv 'GV.SC-07'

echo "== SPARQLWrapper and rdflib"
check "tests/http_clients.py" "$python" tests/http_clients.py "$base"

echo "== Comunica (npm @comunica/query-sparql, tests/comunica/package-lock.json)"
# Installed from the lock file into a cache directory beside the build cache (never into the
# checkout), again only when the lock changes.
if [[ -n "${CARGO_TARGET_DIR:-}" ]]; then comunica_cache="$(dirname "$CARGO_TARGET_DIR")"; else comunica_cache="${XDG_CACHE_HOME:-$HOME/.cache}/crosswalk-ci"; fi
comunica="${CROSSWALK_COMUNICA_DIR:-$comunica_cache/comunica}"
comunica_install() {
  mkdir -p "$comunica"
  if ! cmp -s tests/comunica/package-lock.json "$comunica/package-lock.json" || [[ ! -d "$comunica/node_modules/@comunica/query-sparql" ]]; then
    cp tests/comunica/package.json tests/comunica/package-lock.json "$comunica/"
    (cd "$comunica" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null)
  fi
  cp tests/comunica/clients.mjs "$comunica/"
}
check "npm ci @comunica/query-sparql" comunica_install
check "tests/comunica/clients.mjs" node "$comunica/clients.mjs" "$base"

echo "== headless Chromium on the page"
check "tests/browser_page.py" "$python" tests/browser_page.py "$base"

echo "== load: wrk, 64 connections, 2 threads, 10 s, crosswalk lookup GV.SC-07 → SP 800-53 (OLIR)"
url="$base/api/v1/map/GV.SC-07?to=sp800-53&set=olir-186"
wrk -t2 -c64 -d10s --timeout 10s --latency "$url" | tee "$work/wrk"
errors_none() {
  ! grep -qE 'Non-2xx or 3xx responses|Socket errors' "$work/wrk"
}
check "load test: 0 errors" errors_none
grep -E 'Requests/sec|^ +99%' "$work/wrk" | sed 's/^/   /'

echo "== graceful shutdown on SIGTERM"
kill -TERM "$server_pid"
stopped() {
  for _ in $(seq 1 50); do
    kill -0 "$server_pid" 2>/dev/null || return 0
    sleep 0.2
  done
  return 1
}
check "server exits after SIGTERM" stopped
wait "$server_pid" 2>/dev/null && code=0 || code=$?
server_pid=""
check "exit status 0 after SIGTERM (got $code)" test "$code" -eq 0
check "request log written" grep -q 'finished processing request' "$work/log"

exit "$fail"
