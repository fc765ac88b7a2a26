#!/usr/bin/env bash
# Crash during load (RELIABILITY.md): `crosswalk --store DIR load` on disk is killed with
# SIGKILL at random moments; once the process is gone the store must open and hold exactly the
# content it had before the load or the content a completed load gives, never a mix.
#
# Two changes on a baseline store (SP 800-53 5.0.1 and CSF 2.0 catalogs):
#   sources: `load olir-csf2-sp800-53-5.2.0 ai-rmf-1.0` (new graphs, graph/inferred rewritten)
#   mapping: `load --mapping user.csv` (a 6-row user set written here, graph/inferred changed)
# Content is compared as the sorted N-Quads export minus load timestamps
# (prov:generatedAtTime differs between two runs of the same load). A write that is not one
# transaction (new or rewritten graphs go through the bulk loader after the commit) keeps a
# checkpoint until it is done, and the next open restores it (src/store.rs): the summary counts
# how many kills landed in that window.
#
# Run from anywhere after a debug build (TRIALS per change, default 12; SEED for the kill
# moments):  CROSSWALK_SOURCES=../shared/sources bash tests/reliability/kill_load.sh
source "$(dirname "$0")/../lib.sh"
trials="${TRIALS:-12}"
RANDOM="${SEED:-16}"
work="$(mktemp -d)"
pid=""
cleanup() {
  if [[ -n "$pid" ]]; then kill -9 "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# The normalised content of a store, or "unopenable" (the checker never runs while a writer
# is alive: callers wait for the killed process first).
content() {
  if ! "$bin" --store "$1" export --format nq >"$work/nq" 2>"$work/export.err"; then
    echo "unopenable"
    return
  fi
  grep -v 'http://www.w3.org/ns/prov#generatedAtTime' "$work/nq" | LC_ALL=C sort | sha256sum | cut -c1-16
}
graphs() { "$bin" --store "$1" stats 2>/dev/null | sed -n '/^named graphs/,$p' | tail -n +2; }

cat >"$work/user.csv" <<'CSV'
Focal Document Element,Reference Document Element,Relationship,Rationale,Strength of Relationship,Comments
GV.SC-07,SR-06,subset of,semantic,7,reliability test row
GV.SC-07,RA-09,intersects with,functional,5,
PR.AA-01,IA-02,equivalent,semantic,9,
PR.AA-01,AC-02,related,,,
DE.CM-01,SI-04,superset of,syntactic,6,
RS.MA-01,IR-04,related,,,
CSV

change_args() { # change name → load arguments
  case "$1" in
    sources) echo "load --sources $sources olir-csf2-sp800-53-5.2.0 ai-rmf-1.0" ;;
    mapping) echo "load --mapping $work/user.csv" ;;
  esac
}

echo "== baseline: csf-2.0 and sp800-53r5-5.0.1 into an on-disk store"
t0=$(date +%s.%N)
"$bin" --store "$work/base" load --sources "$sources" csf-2.0 sp800-53r5-5.0.1 >/dev/null
echo "   $(awk "BEGIN { printf \"%.1f\", $(date +%s.%N) - $t0 }") s"
before="$(content "$work/base")"
echo "   before: $before"

declare -A after duration
for change in sources mapping; do
  rm -rf "$work/ref"
  cp -a "$work/base" "$work/ref"
  t0=$(date +%s.%N)
  # shellcheck disable=SC2046 # the arguments are words
  "$bin" --store "$work/ref" $(change_args "$change") >/dev/null
  duration[$change]=$(awk "BEGIN { print $(date +%s.%N) - $t0 }")
  after[$change]="$(content "$work/ref")"
  echo "== change '$change': a completed load takes $(printf %.1f "${duration[$change]}") s; after: ${after[$change]}"
  graphs "$work/ref" >"$work/graphs.after.$change"
done
graphs "$work/base" >"$work/graphs.before"

declare -A tally
mixes=0
restores=0
for change in sources mapping; do
  for t in $(seq 1 "$trials"); do
    d="$work/t"
    rm -rf "$d"
    cp -a "$work/base" "$d"
    # A moment in [0, 1.05 × the completed load's duration) for odd trials; in the last 30 %
    # (the write) for even ones. A few land after the end.
    from=$(((t % 2) ? 0 : 700))
    ms=$(awk -v r="$((RANDOM * 32768 + RANDOM))" -v d="${duration[$change]}" -v f="$from" \
      'BEGIN { printf "%d", d * (f + (r / 1073741824) * (1050 - f)) }')
    # shellcheck disable=SC2046
    "$bin" --store "$d" $(change_args "$change") >"$work/load.log" 2>&1 &
    pid=$!
    sleep "$(awk -v m="$ms" 'BEGIN { printf "%.3f", m / 1000 }')"
    if kill -9 "$pid" 2>/dev/null; then how="killed"; else how="finished"; fi
    wait "$pid" 2>/dev/null || true
    # The checker runs strictly after the writer is gone.
    while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
    pid=""
    got="$(content "$d")"
    # The first open after a write cut short restores the checkpoint taken before it.
    restored=""
    if grep -q 'interrupted: restoring' "$work/export.err"; then
      restored=" (restored from the checkpoint)"
      restores=$((restores + 1))
    fi
    if [[ "$got" == "$before" ]]; then
      state="before"
    elif [[ "$got" == "${after[$change]}" ]]; then
      state="after"
    elif [[ "$got" == "unopenable" ]]; then
      state="UNOPENABLE"
      mixes=$((mixes + 1))
      sed 's/^/     /' "$work/export.err"
    else
      state="MIX"
      mixes=$((mixes + 1))
      graphs "$d" | diff "$work/graphs.after.$change" - | sed 's/^/     /' || true
    fi
    tally["$change $how $state"]=$((${tally["$change $how $state"]:-0} + 1))
    printf '   %-8s trial %2d: %-8s at %5d ms -> %s%s\n' "$change" "$t" "$how" "$ms" "$state" "$restored"
  done
done

echo "== summary (change, outcome of the kill, store content: count)"
for k in "${!tally[@]}"; do echo "   $k: ${tally[$k]}"; done | sort
echo "   interrupted writes undone on the next open: $restores"
check "$((2 * trials)) kills: the store opens and holds the before or the after content ($mixes otherwise)" test "$mixes" -eq 0
exit "$fail"
