#!/usr/bin/env bash
# Build time from nothing, per cargo profile variant, and what each variant costs at run time
# (criterion: the full load and the crosswalk lookup). Each variant builds in a fresh target
# directory, so nothing is reused; wall and CPU time (user+sys) are printed, the CPU time
# being the figure that survives a busy machine.
#   bash benches/build-time.sh fat thin dev      # variants to measure (default: all three)
# Variants: fat (the release profile: fat LTO, one codegen unit), thin (thin LTO, 16 codegen
# units), dev (the test profile). Needs libclang-dev (RocksDB's bindings).
set -euo pipefail
cd "$(dirname "$0")/.."
root="${BUILD_TIME_DIR:-/var/cache/crosswalk-build-time}"
variants=("$@")
((${#variants[@]})) || variants=(fat thin dev)
for v in "${variants[@]}"; do
  dir="$root/$v"
  rm -rf "$dir"
  mkdir -p "$dir"
  case "$v" in
    fat) env=(); build=(cargo build --release --bin crosswalk) ;;
    thin) env=(CARGO_PROFILE_RELEASE_LTO=thin CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16); build=(cargo build --release --bin crosswalk) ;;
    dev) env=(); build=(cargo build --all-targets) ;;
    *) echo "unknown variant $v (fat, thin, dev)" >&2; exit 2 ;;
  esac
  start=$(date +%s)
  /usr/bin/time -f "%U %S" -o "$dir/cpu" env "${env[@]}" CARGO_TARGET_DIR="$dir" "${build[@]}" >"$dir/log" 2>&1
  wall=$(($(date +%s) - start))
  read -r user sys <"$dir/cpu"
  printf '%s build from nothing: wall %d s, CPU %.0f s (user %.0f + sys %.0f)\n' \
    "$v" "$wall" "$(echo "$user + $sys" | bc)" "$user" "$sys" | tee -a "$root/results.txt"
  if [[ "$v" != dev && -n "${CROSSWALK_SOURCES:-}" ]]; then
    env "${env[@]}" CARGO_TARGET_DIR="$dir" cargo bench --bench crosswalk -- \
      --warm-up-time 2 --measurement-time 10 \
      'load/all sources, in memory|query/crosswalk GV.SC-07 to sp800-53' 2>&1 |
      grep -E '^(load|query)/|time:' | sed "s/^/$v: /" | tee -a "$root/results.txt"
  fi
done
