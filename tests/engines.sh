#!/usr/bin/env bash
# The same answers from engines no one here wrote: the Oxigraph server (PyPI `oxigraph`, its
# `oxigraph serve`) and OpenLink Virtuoso 7 (Debian `virtuoso-opensource`), each started here on
# loopback with a throw-away database. For each: `crosswalk push` the embedded store (then push
# again: nothing may be rewritten), then every named query with its header's example parameters
# and `show`/`map` on 24 ids across CSF 2.0, SP 800-53, AI RMF and the Cyber AI Profile, plus
# `coverage`/`gaps`/`path`/`stats`, must print the same rows with --endpoint as with the store
# (order-insensitive). Last, one triple is deleted on the engine and the comparison must then
# fail: proof that it can.
#   CROSSWALK_SOURCES=../shared/sources bash tests/engines.sh
# An engine whose binary is absent is skipped with a message; under CI=true that is a failure.
# ENGINES="oxigraph virtuoso" picks engines.
source "$(dirname "$0")/lib.sh"
work="$(mktemp -d)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
bin="$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")"
store="$work/store"
local_() { "$bin" --store "$store" "$@"; }

free_port() { "$python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_up() { # url, pid, seconds
  local i
  for ((i = 0; i < $3 * 5; i++)); do
    curl -sf -o /dev/null -H 'Accept: application/sparql-results+json' --data-urlencode 'query=ASK {}' "$1" && return 0
    kill -0 "$2" 2>/dev/null || return 1
    sleep 0.2
  done
  return 1
}
absent() { # engine, what is missing
  if [[ "${CI:-}" == "true" ]]; then
    echo "FAIL $1: $2 (CI=true: every engine must run)"
    fail=1
  else
    echo "SKIP $1: $2"
  fi
}

echo "== the embedded store: crosswalk load"
local_ --sources "$sources" load >"$work/load.log" 2>&1 || { cat "$work/load.log"; exit 1; }
tail -1 "$work/load.log"

# The comparisons: every named query with its header's example, then the answer commands.
mapfile -t examples < <(grep -h '^# example: crosswalk query ' queries/*.rq | sed 's/^# example: crosswalk //')
ids=(GV.SC-07 GV.OC-03 ID.AM-06 PR.AA-01 DE.CM-01 RS.AN-03 GV.RM-01
  AC-2 'AC-2(1)' RA-3 SR-6 SC-7 SI-4 CM-8 RA-4
  'GOVERN 1.1' 'MAP 1.1' 'MEASURE 2.7' 'MANAGE 4.1'
  'GV.SC-06 General' 'DE.AE-02 Defend' 'PR.DS-01 Secure' 'ID.RA-05 Secure' 'GV.OV-01 Thwart')
answers=(
  "coverage --from csf --to sp800-53 --baseline MODERATE"
  "coverage --from csf --to sp800-53 --set olir-186 --baseline LOW"
  "coverage --from csf --to sp800-53 --baseline LOW --profile cyber-ai --focus secure --priority 1"
  "coverage --from csf --to sp800-53 --rollup"
  "gaps --from csf --to sp800-53 --baseline LOW"
  "gaps --from csf --to mitre-atlas"
  "path ID.AM-06 SR-6"
  "path ID.AM-06 PM-13"
  "path GV.SC-07 AC-2"
  "map RA-3 --to csf --explain"
  "map GV.OC-03 --rollup"
  "stats"
)

# Rows as a sorted list: JSON lines lose a trailing comma (the last element of an array has
# none, whichever element is last).
rows() { sed 's/,$//' "$1" | sort; }
same() { # endpoint, label, then crosswalk arguments
  local ep="$1" label="$2" ra=0 rb=0
  shift 2
  local_ "$@" >"$work/a" 2>"$work/a.err" || ra=$?
  "$bin" --endpoint "$ep" "$@" >"$work/b" 2>"$work/b.err" || rb=$?
  if ((ra != 0)) || [[ ! -s "$work/a" ]]; then
    echo "FAIL $label: the embedded store did not answer ($ra): $(head -c 300 "$work/a.err")"
    return 1
  fi
  if ((rb != 0)); then
    echo "FAIL $label: exit $rb: $(head -c 300 "$work/b.err")"
    return 1
  fi
  if ! diff <(rows "$work/a") <(rows "$work/b") >"$work/diff"; then
    echo "FAIL $label: rows differ ($(grep -c '^<' "$work/diff") only embedded, $(grep -c '^>' "$work/diff") only remote)"
    head -6 "$work/diff" | sed 's/^/       /'
    return 1
  fi
  return 0
}
compare() { # engine, endpoint: every comparison; prints a count
  local engine="$1" ep="$2" n=0 bad=0 line id
  for line in "${examples[@]}"; do
    eval "set -- $line"
    same "$ep" "$engine: $line" "$@" --format csv && n=$((n + 1)) || bad=$((bad + 1))
  done
  for id in "${ids[@]}"; do
    same "$ep" "$engine: show $id" show "$id" --format json && n=$((n + 1)) || bad=$((bad + 1))
    same "$ep" "$engine: map $id" map "$id" --format csv && n=$((n + 1)) || bad=$((bad + 1))
  done
  for line in "${answers[@]}"; do
    # shellcheck disable=SC2086 # word-split on purpose: the arguments
    same "$ep" "$engine: $line" $line --format csv && n=$((n + 1)) || bad=$((bad + 1))
  done
  echo "   $engine: $n comparisons equal, $bad differ"
  ((bad == 0))
}

# push, push again (nothing written), compare, plant a difference and see the comparison fail.
exercise() { # engine, query endpoint, update endpoint, then push's own arguments
  local engine="$1" ep="$2" up="$3"
  shift 3
  local started
  started=$(date +%s%N)
  push() { local_ --endpoint "$ep" push "$@" >"$work/push.log" 2>&1; }
  if ! push "$@"; then
    echo "FAIL $engine: crosswalk push"; cat "$work/push.log"; fail=1; return
  fi
  echo "ok   $engine: crosswalk push"
  echo "   $(tail -1 "$work/push.log") (wall $((($(date +%s%N) - started) / 1000000)) ms)"
  local_ --endpoint "$ep" push "$@" >"$work/push2.log" 2>&1 || true
  check "$engine: a second push writes nothing" grep -q '^0 of [0-9]* graphs written' "$work/push2.log"
  check "$engine: every answer equals the embedded store's" compare "$engine" "$ep"
  check "$engine: GV.SC-07 → sp800-53 in olir-186 is RA-9 SA-4 SA-9 SR-3 SR-6" \
    test "$("$bin" --endpoint "$ep" map GV.SC-07 --to sp800-53 --set olir-186 --format csv |
      cut -d, -f2 | tail -n +2 | sort | tr '\n' ' ')" = "RA-9 SA-4 SA-9 SR-3 SR-6 "
  # Planted: SR-6's title goes on the engine; the comparison must see it.
  curl -sf -o /dev/null --data-urlencode 'update=DELETE WHERE { GRAPH ?g { ?t <http://www.w3.org/2004/02/skos/core#notation> "SR-6" ; <http://purl.org/dc/terms/title> ?x } }' "$up"
  check "$engine: a planted difference is caught" \
    differs "$ep" "$engine (planted)" map GV.SC-07 --to sp800-53 --set olir-186 --format csv
}
differs() { # same's FAIL line is the expected outcome here: shown as what was caught
  local out
  if out=$(same "$@"); then echo "   the planted difference went unseen"; return 1; fi
  echo "   caught: ${out#FAIL }" | head -1
}

for engine in ${ENGINES:-oxigraph virtuoso}; do
  case "$engine" in
  oxigraph)
    oxigraph="$(command -v oxigraph || true)"
    [[ -z "$oxigraph" && -x "$(dirname "$python")/oxigraph" ]] && oxigraph="$(dirname "$python")/oxigraph"
    if [[ -z "$oxigraph" ]]; then absent oxigraph "no \`oxigraph\` command (pip install oxigraph)"; continue; fi
    echo "== Oxigraph server ($("$oxigraph" --version 2>/dev/null || echo oxigraph))"
    port=$(free_port)
    # The union default graph: what the embedded store queries (ARCHITECTURE.md).
    "$oxigraph" serve --location "$work/oxigraph" --bind "127.0.0.1:$port" --union-default-graph \
      >"$work/oxigraph.log" 2>&1 &
    pids+=($!)
    base="http://127.0.0.1:$port"
    if ! wait_up "$base/query" "${pids[-1]}" 60; then
      echo "FAIL oxigraph did not start"; cat "$work/oxigraph.log"; fail=1; continue
    fi
    exercise oxigraph "$base/query" "$base/update" --update "$base/update" --graph-store "$base/store"
    ;;
  virtuoso)
    if ! command -v virtuoso-t >/dev/null || ! command -v isql-vt >/dev/null; then
      absent virtuoso "no virtuoso-t/isql-vt (apt-get install virtuoso-opensource)"; continue
    fi
    echo "== Virtuoso ($(virtuoso-t -? 2>&1 | grep -o 'Version [0-9.]*' | head -1))"
    vdir="$work/virtuoso"
    mkdir -p "$vdir"
    sql=$(free_port)
    http=$(free_port)
    # A throw-away database; results not capped at 10,000 rows (Virtuoso's default), no
    # query-cost refusal.
    cat >"$vdir/virtuoso.ini" <<EOF
[Database]
DatabaseFile = $vdir/virtuoso.db
ErrorLogFile = $vdir/virtuoso.log
LockFile = $vdir/virtuoso.lck
TransactionFile = $vdir/virtuoso.trx
xa_persistent_file = $vdir/virtuoso.pxa
TempStorage = TempDatabase
[TempDatabase]
DatabaseFile = $vdir/virtuoso-temp.db
TransactionFile = $vdir/virtuoso-temp.trx
[Parameters]
ServerPort = 127.0.0.1:$sql
DisableUnixSocket = 1
CaseMode = 2
DirsAllowed = ., /usr/share/virtuoso-opensource-7/vad
NumberOfBuffers = 100000
MaxDirtyBuffers = 75000
ThreadsPerQuery = 2
[HTTPServer]
ServerPort = 127.0.0.1:$http
ServerRoot = /var/lib/virtuoso-opensource-7/vsp
ServerThreads = 20
MaxClientConnections = 20
EnabledDavVSP = 0
Charset = UTF-8
[SPARQL]
ResultSetMaxRows = 1000000
MaxSortedTopRows = 1000000
MaxQueryCostEstimationTime = 0
MaxQueryExecutionTime = 0
EOF
    (cd "$vdir" && exec virtuoso-t -c "$vdir/virtuoso.ini" +foreground) >"$vdir/out.log" 2>&1 &
    pids+=($!)
    base="http://127.0.0.1:$http"
    if ! wait_up "$base/sparql" "${pids[-1]}" 120; then
      echo "FAIL virtuoso did not start"; tail -20 "$vdir/virtuoso.log"; fail=1; continue
    fi
    # The anonymous SPARQL user may update (a loopback throw-away database only).
    isql-vt "127.0.0.1:$sql" dba dba exec='grant SPARQL_UPDATE to "SPARQL";' >/dev/null
    exercise virtuoso "$base/sparql" "$base/sparql"
    ;;
  *) echo "FAIL unknown engine $engine"; fail=1 ;;
  esac
done
exit $fail
