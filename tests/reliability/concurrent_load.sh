#!/usr/bin/env bash
# Concurrent writers (RELIABILITY.md): two `crosswalk load`s on one on-disk store at once.
# Required: each either succeeds (having waited for the other) or fails clearly — exit status
# 1 and a message that names the store — never both fail, and the store afterwards holds one of
# the results a serial order gives: A alone or B alone (the other failed), A then B, or B then A.
#
#   A: `load olir-csf2-sp800-53-5.2.0 ai-rmf-1.0`   B: `load --mapping user.csv`
# on a baseline of the CSF 2.0 and SP 800-53 5.0.1 catalogs; B starts 0-1000 ms after A.
#
#   CROSSWALK_SOURCES=../shared/sources bash tests/reliability/concurrent_load.sh
# (TRIALS, default 8; SEED for the start offsets.)
source "$(dirname "$0")/../lib.sh"
trials="${TRIALS:-8}"
RANDOM="${SEED:-16}"
work="$(mktemp -d)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

content() {
  if ! "$bin" --store "$1" export --format nq >"$work/nq" 2>"$work/export.err"; then
    echo "unopenable"
    return
  fi
  grep -v 'http://www.w3.org/ns/prov#generatedAtTime' "$work/nq" | LC_ALL=C sort | sha256sum | cut -c1-16
}

cat >"$work/user.csv" <<'CSV'
Focal Document Element,Reference Document Element,Relationship,Rationale,Strength of Relationship,Comments
GV.SC-07,SR-06,subset of,semantic,7,reliability test row
GV.SC-07,RA-09,intersects with,functional,5,
PR.AA-01,IA-02,equivalent,semantic,9,
PR.AA-01,AC-02,related,,,
DE.CM-01,SI-04,superset of,syntactic,6,
RS.MA-01,IR-04,related,,,
CSV
a_args=(load --sources "$sources" olir-csf2-sp800-53-5.2.0 ai-rmf-1.0)
b_args=(load --mapping "$work/user.csv")

echo "== baseline and the serial results (A, B, A then B, B then A)"
"$bin" --store "$work/base" load --sources "$sources" csf-2.0 sp800-53r5-5.0.1 >/dev/null
declare -A ref
ref[before]="$(content "$work/base")"
for order in A B AB BA; do
  rm -rf "$work/ref"
  cp -a "$work/base" "$work/ref"
  for w in $(echo "$order" | grep -o .); do
    if [[ "$w" == A ]]; then "$bin" --store "$work/ref" "${a_args[@]}" >/dev/null; fi
    if [[ "$w" == B ]]; then "$bin" --store "$work/ref" "${b_args[@]}" >/dev/null; fi
  done
  ref[$order]="$(content "$work/ref")"
  echo "   $order: ${ref[$order]}"
done

bad=0
for t in $(seq 1 "$trials"); do
  d="$work/store-$t"
  cp -a "$work/base" "$d"
  offset=$((RANDOM % 1000))
  "$bin" --store "$d" "${a_args[@]}" >"$work/a.out" 2>"$work/a.err" &
  pa=$!
  pids=("$pa")
  sleep "$(awk -v m="$offset" 'BEGIN { printf "%.3f", m / 1000 }')"
  "$bin" --store "$d" "${b_args[@]}" >"$work/b.out" 2>"$work/b.err" &
  pb=$!
  pids+=("$pb")
  sa=0; wait "$pa" || sa=$?
  sb=0; wait "$pb" || sb=$?
  pids=()
  got="$(content "$d")"
  state="other"
  for k in before A B AB BA; do [[ "$got" == "${ref[$k]}" ]] && state="$k"; done
  [[ "$got" == unopenable ]] && state="UNOPENABLE"
  verdict="ok"
  clear_failure() { # exit status, stderr file
    [[ "$1" -eq 1 ]] && grep -qF "$d" "$2"
  }
  if [[ $sa -eq 0 && $sb -eq 0 ]]; then
    [[ "$state" == AB || "$state" == BA ]] || verdict="both succeeded but the store holds '$state'"
  elif [[ $sa -eq 0 ]]; then
    clear_failure "$sb" "$work/b.err" || verdict="B failed unclearly (status $sb)"
    [[ "$state" == A ]] || verdict="$verdict; B failed but the store holds '$state'"
  elif [[ $sb -eq 0 ]]; then
    clear_failure "$sa" "$work/a.err" || verdict="A failed unclearly (status $sa)"
    [[ "$state" == B ]] || verdict="$verdict; A failed but the store holds '$state'"
  else
    verdict="both failed (A $sa, B $sb), the store holds '$state'"
  fi
  [[ "$verdict" == ok ]] || bad=$((bad + 1))
  printf '   trial %d: B +%4d ms; A exit %d, B exit %d; store: %s -> %s\n' "$t" "$offset" "$sa" "$sb" "$state" "$verdict"
  for w in a b; do
    if [[ -s "$work/$w.err" ]]; then sed "s/^/     ${w^^}: /" "$work/$w.err" | head -3; fi
  done
  rm -rf "$d"
done
check "$trials trials: one writer waits or fails clearly, the store holds a serial result ($bad otherwise)" test "$bad" -eq 0
exit "$fail"
