#!/usr/bin/env bash
# Scale-out figures for BENCHMARKS.md (issue 20): the same bounded wrk run (64 connections in
# all, loopback) on the crosswalk lookup `/api/v1/map/GV.SC-07?to=sp800-53&set=olir-186`,
# answer cache off (every request evaluated, as a stateless tier must), against
#   1. one `serve` on the local store;
#   2. two read-only `serve` processes on the same store, 32 connections each (what a load
#      balancer in front of them would spread);
#   3. `serve --endpoint` in front of Virtuoso (ENDPOINT_VIRTUOSO) and, if given, of the
#      Oxigraph server (ENDPOINT_OXIGRAPH), graphs pushed there first (`crosswalk push`).
# Prints one Markdown table: req/s, p50, p99, errors.
#   CROSSWALK_BIN=… CROSSWALK_STORE=DIR ENDPOINT_VIRTUOSO=http://…/sparql bash benches/scale-out.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${CROSSWALK_BIN:-${CARGO_TARGET_DIR:-target}/release/crosswalk}"
store="${CROSSWALK_STORE:?a loaded store}"
secs="${SECONDS_EACH:-20}"
path='/api/v1/map/GV.SC-07?to=sp800-53&set=olir-186'
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_up() { for _ in $(seq 300); do curl -fs "$1" >/dev/null 2>&1 && return 0; sleep 0.1; done; echo "not up: $1" >&2; return 1; }
start() { # crosswalk arguments before `serve`; sets $base (not a subshell: $pids must grow here)
  local p
  p=$(port)
  "$bin" "$@" serve --bind "127.0.0.1:$p" --cache 0 --timeout 30 >/dev/null 2>&1 &
  pids+=($!)
  wait_up "http://127.0.0.1:$p/healthz"
  base="http://127.0.0.1:$p"
}
# wrk runs at once (one per URL, connections split); prints a row: summed req/s, worst p50/p99.
measure() {
  local label=$1 n=$(($# - 1)) outs=() i=0
  shift
  for url in "$@"; do
    wrk -t1 -c$((64 / n)) -d"${secs}s" --latency "$url$path" >"/tmp/scale-out.$$.$i" &
    i=$((i + 1))
  done
  wait $(jobs -p | tail -n "$n")
  python3 - "$label" /tmp/scale-out.$$.* <<'PY'
import re, sys
def dur(s):
    n, u = re.match(r"([\d.]+)(us|ms|s|m)", s).groups()
    return float(n) * {"us": 1e-3, "ms": 1, "s": 1e3, "m": 6e4}[u]
rate = p50 = p99 = 0.0; errors = 0
for f in sys.argv[2:]:
    out = open(f).read()
    rate += float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = max(p50, dur(re.search(r"50%\s+(\S+)", out).group(1)))
    p99 = max(p99, dur(re.search(r"99%\s+(\S+)", out).group(1)))
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", out); errors += int(m.group(1)) if m else 0
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors += sum(map(int, m.groups())) if m else 0
print(f"| {sys.argv[1]} | {rate:,.0f} | {p50:.2f} | {p99:.2f} | {errors} |")
PY
  rm -f /tmp/scale-out.$$.*
}
echo "| setup (64 connections, ${secs} s, answer cache off) | req/s | p50 ms | p99 ms | errors |"
echo "|---|---:|---:|---:|---:|"
start --store "$store"
a=$base
measure "one \`serve\`, local store" "$a"
start --store "$store"
b=$base
measure "two \`serve\`, same store (32 + 32 connections)" "$a" "$b"
if [[ -n "${ENDPOINT_VIRTUOSO:-}" ]]; then
  start --endpoint "$ENDPOINT_VIRTUOSO"
  v=$base
  measure "\`serve --endpoint\` → Virtuoso 7" "$v"
fi
if [[ -n "${ENDPOINT_OXIGRAPH:-}" ]]; then
  start --endpoint "$ENDPOINT_OXIGRAPH"
  o=$base
  measure "\`serve --endpoint\` → Oxigraph server" "$o"
fi
