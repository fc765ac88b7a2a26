# Sourced by tests/http.sh and tests/interop.sh: the crate root as working directory, the
# sources directory (absent: skip, but fail under CI=true so a wrong path never turns these
# checks into silent skips), the Python interpreter, the debug binary, a `check` helper.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
sources="${CROSSWALK_SOURCES:-../shared/sources}"
if [[ ! -f "$sources/nist/MANIFEST.md" ]]; then
  if [[ "${CI:-}" == "true" ]]; then
    echo "CI=true but the NIST sources are not at $sources" >&2
    exit 1
  fi
  echo "SKIP: NIST sources not found at $sources (set CROSSWALK_SOURCES)"
  exit 0
fi
python="${PYTHON:-python3}"
target="${CARGO_TARGET_DIR:-target}"
bin="$target/debug/crosswalk"
[[ -x "$bin" ]] || cargo build --quiet
fail=0
check() { # description, then a command that must succeed
  local what="$1"; shift
  if "$@"; then echo "ok   $what"; else echo "FAIL $what"; fail=1; fi
}
