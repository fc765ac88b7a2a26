#!/usr/bin/env bash
# crosswalk against its peers (pyoxigraph, the Oxigraph CLI, rdflib) in one run: loads, the five
# reference questions through every engine (rows must agree), ratios, and the user-set scaling
# curve. README.md beside this file says what it measures and which variables steer it.
#   bash benches/peers/run.sh
#   CROSSWALK_BIN=/var/tmp/crosswalk-debug PEERS_RUNS=3 PEERS_SIZES=10000 bash benches/peers/run.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"

export CROSSWALK_BIN="${CROSSWALK_BIN:-${CARGO_TARGET_DIR:-target}/release/crosswalk}"
export CROSSWALK_SOURCES="${CROSSWALK_SOURCES:-../shared/sources}"
CROSSWALK_BIN="$(realpath "$CROSSWALK_BIN" 2>/dev/null || echo "$CROSSWALK_BIN")"
CROSSWALK_SOURCES="$(realpath "$CROSSWALK_SOURCES" 2>/dev/null || echo "$CROSSWALK_SOURCES")"
[[ -x "$CROSSWALK_BIN" ]] || { echo "no crosswalk binary at $CROSSWALK_BIN: cargo build --release, or set CROSSWALK_BIN" >&2; exit 2; }
[[ -d "$CROSSWALK_SOURCES" ]] || { echo "no sources at $CROSSWALK_SOURCES: set CROSSWALK_SOURCES (crosswalk fetch fills ~/.cache/crosswalk/sources)" >&2; exit 2; }

# The venv is kept between runs (PEERS_VENV picks another); it is refreshed when
# requirements.txt changes.
venv="${PEERS_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/crosswalk-peers/venv}"
if [[ ! -x "$venv/bin/python" ]]; then
  mkdir -p "$(dirname "$venv")"
  python3 -m venv "$venv" || { echo "python3 -m venv failed (Debian: apt-get install python3-venv)" >&2; exit 2; }
fi
if ! cmp -s "$here/requirements.txt" "$venv/.peers-requirements.txt"; then
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$here/requirements.txt"
  cp "$here/requirements.txt" "$venv/.peers-requirements.txt"
fi

exec "$venv/bin/python" "$here/peers.py"
