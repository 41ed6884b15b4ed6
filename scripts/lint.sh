#!/usr/bin/env bash
# clang-tidy over dnsfleet's C++ sources with a build directory's compile commands; exits 1 on
# any finding. The configuration is .clang-tidy. Product sources get every check; test sources
# (*/test/*.cpp) skip the path-sensitive clang-analyzer checks, which cost three to four times
# the rest on a GoogleTest file: the analyzer is for the code that ships, and the tests run
# under ASan + UBSan anyway. Fuzz targets are built with clang in their own preset and skipped.
#
#   scripts/lint.sh [-p BUILD_DIR] [-j JOBS] [FILE...]     default: build/dev, every tracked .cpp
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
build=build/dev
jobs=$(nproc)
while getopts "p:j:" opt; do
  case $opt in
    p) build=$OPTARG ;;
    j) jobs=$OPTARG ;;
    *) echo "usage: $0 [-p BUILD_DIR] [-j JOBS] [FILE...]" >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))

if [ ! -f "$build/compile_commands.json" ]; then
  echo "lint: $build/compile_commands.json is missing (cmake --preset dev)" >&2
  exit 2
fi

if [ $# -gt 0 ]; then
  files=$(printf '%s\n' "$@")
else
  files=$(git ls-files '*.cpp' | grep -v '^tests/fuzz/')
fi
product=$(grep -v '/test/' <<<"$files" || true)
tests=$(grep '/test/' <<<"$files" || true)

report=$(mktemp)
trap 'rm -f "$report"' EXIT
tidy() {
  xargs -r -P "$jobs" -n 4 clang-tidy -p "$build" --quiet --extra-arg=-Wno-unknown-warning-option "$@" \
    2>&1 | grep -vE '^[0-9]+ warnings? (and [0-9]+ errors? )?generated\.$|^Suppressed [0-9]+ warnings|^Use -header-filter|^Error while processing' \
    >>"$report" || true
}
tidy <<<"$product"
tidy --checks=-clang-analyzer-* <<<"$tests"

cat "$report"
if grep -qE 'warning:|error:' "$report"; then
  echo "lint: clang-tidy found problems" >&2
  exit 1
fi
echo "lint: $(wc -l <<<"$files") files clean"
