#!/usr/bin/env bash
# HTTP load figures for BENCHMARKS.md (issue 19): a bounded wrk run on loopback against
# `crosswalk serve` on a loaded store — the map lookup, coverage, a small /sparql SELECT and
# /healthz, with the answer cache off (--cache 0: every request computed) and on (warm) — and,
# in the same run, the Oxigraph server (PyPI `oxigraph`) answering `ASK {}` on an empty store,
# the HTTP floor of this machine. Prints one Markdown table: req/s, p50, p99, errors, and the
# server's CPU time per request (from /proc/PID/stat).
#
#   CROSSWALK_BIN=target/release/crosswalk CROSSWALK_STORE=DIR bash benches/http-load.sh
#
# Env: CROSSWALK_BIN (default target/release/crosswalk), CROSSWALK_STORE (a loaded store;
# default: one loaded from CROSSWALK_SOURCES into a scratch dir), OXIGRAPH (the Oxigraph CLI;
# default: installed into a venv beside the scratch dir), CONNECTIONS (64), SECONDS_EACH (30).
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${CROSSWALK_BIN:-${CARGO_TARGET_DIR:-target}/release/crosswalk}"
conns="${CONNECTIONS:-64}"
secs="${SECONDS_EACH:-30}"
scratch="$(mktemp -d)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$scratch"
}
trap cleanup EXIT
command -v wrk >/dev/null || { echo "wrk is needed (apt-get install wrk)" >&2; exit 1; }

store="${CROSSWALK_STORE:-}"
if [[ -z "$store" ]]; then
  store="$scratch/store"
  "$bin" --store "$store" load --sources "${CROSSWALK_SOURCES:-../shared/sources}" >/dev/null
fi
oxigraph="${OXIGRAPH:-}"
if [[ -z "$oxigraph" ]]; then
  venv="${XDG_CACHE_HOME:-$HOME/.cache}/crosswalk-bench/venv"
  [[ -x "$venv/bin/oxigraph" ]] || { python3 -m venv "$venv" && "$venv/bin/pip" install -q oxigraph; }
  oxigraph="$venv/bin/oxigraph"
fi

port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_up() { for _ in $(seq 200); do curl -fs "$1" >/dev/null 2>&1 && return 0; sleep 0.1; done; echo "not up: $1" >&2; return 1; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# One wrk run; prints a table row. $1 label, $2 pid of the server, $3 URL, $4 optional Lua script.
measure() {
  local label=$1 pid=$2 url=$3 script=${4:-}
  local before after out
  before=$(cpu_ticks "$pid")
  out=$(wrk -t2 -c"$conns" -d"${secs}s" --latency ${script:+-s "$script"} "$url")
  after=$(cpu_ticks "$pid")
  python3 - "$label" "$before" "$after" "$(getconf CLK_TCK)" <<PY
import re, sys
label, before, after, hz = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
out = """$out"""
def dur(s):
    n, u = re.match(r"([\d.]+)(us|ms|s|m)", s).groups()
    return float(n) * {"us": 1e-3, "ms": 1, "s": 1e3, "m": 6e4}[u]
reqs = int(re.search(r"(\d+) requests in", out).group(1))
rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
p50 = dur(re.search(r"50%\s+(\S+)", out).group(1))
p99 = dur(re.search(r"99%\s+(\S+)", out).group(1))
m = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
errors = int(m.group(1)) if m else 0
m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
errors += sum(map(int, m.groups())) if m else 0
cpu_us = (after - before) / hz * 1e6 / max(reqs, 1)
print(f"| {label} | {rate:,.0f} | {p50:.2f} | {p99:.2f} | {errors} | {cpu_us:.0f} |")
PY
}

start_crosswalk() { # $1: cache MiB; prints "pid port"
  local p; p=$(port)
  "$bin" --store "$store" serve --bind "127.0.0.1:$p" --cache "$1" --max-concurrent 64 \
    >"$scratch/serve-$1.log" 2>&1 &
  echo "$! $p"
}

select='SELECT ?n WHERE { ?e <https://w3id.org/crosswalk/ontology#lookupKey> "GV.SC-07" ; <http://www.w3.org/2004/02/skos/core#notation> ?n }'
q=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$select")
paths=(
  "map|/api/v1/map/GV.SC-07?to=sp800-53&set=olir-186"
  "coverage|/api/v1/coverage?from=csf&to=sp800-53&baseline=MODERATE&set=olir-186"
  "/sparql SELECT|/sparql?query=$q"
  "healthz|/healthz"
)

echo "| request | req/s | p50 ms | p99 ms | errors | server CPU µs/req |"
echo "|---|---:|---:|---:|---:|---:|"
for cache in 0 64; do
  read -r pid p < <(start_crosswalk "$cache")
  pids+=("$pid")
  wait_up "http://127.0.0.1:$p/healthz"
  what=$([[ $cache == 0 ]] && echo "no cache" || echo "warm cache")
  for entry in "${paths[@]}"; do
    label=${entry%%|*}
    path=${entry#*|}
    curl -fs "http://127.0.0.1:$p$path" >/dev/null # the warm run's first miss
    measure "crosswalk $label ($what)" "$pid" "http://127.0.0.1:$p$path"
  done
  kill "$pid"
  wait "$pid" 2>/dev/null || true
done

# The floor: the Oxigraph server, empty store, ASK {} by GET.
op=$(port)
"$oxigraph" serve --location "$scratch/empty" --bind "127.0.0.1:$op" >"$scratch/oxigraph.log" 2>&1 &
opid=$!
pids+=("$opid")
ask=$(python3 -c 'import urllib.parse; print(urllib.parse.quote("ASK {}"))')
wait_up "http://127.0.0.1:$op/query?query=$ask"
measure "Oxigraph server: ASK {} (empty store)" "$opid" "http://127.0.0.1:$op/query?query=$ask"
