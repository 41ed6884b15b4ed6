#!/usr/bin/env bash
# clang-tidy over dnsfleet's C++ sources with a build directory's compile commands; exits 1 on
# any finding. The configuration is .clang-tidy. Product sources get every check; test sources
# (*/test/*.cpp) skip the path-sensitive clang-analyzer checks, which cost three to four times
# the rest on a GoogleTest file: the analyzer is for the code that ships, and the tests run
# under ASan + UBSan anyway. Fuzz targets are built with clang in their own preset and skipped.
#
# A full run takes about 40 minutes on two cores, most of CI's budget, so verdicts are kept:
# scripts/lint-clean.txt records, for each file found clean, the hash of everything the verdict
# depends on (scripts/lint_hash.py: the preprocessed translation unit with every header it
# includes, the compile command, .clang-tidy and the clang-tidy version). A file whose hash is
# recorded is not checked again; any change to it, to a header it includes or to the
# configuration changes the hash and gets it checked.
#
#   scripts/lint.sh [-p BUILD_DIR] [-j JOBS] [--all] [--record] [FILE...]
#     default: build/dev, every tracked .cpp not recorded clean
#     --all     check every file, recorded or not
#     --record  after a clean run, record the hashes of every file checked or already clean
#               (commit scripts/lint-clean.txt with the change that made them clean)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
build=build/dev
jobs=$(nproc)
all=false
record=false
files=()
while [ $# -gt 0 ]; do
  case $1 in
    -p) build=$2; shift 2 ;;
    -p*) build=${1#-p}; shift ;;
    -j) jobs=$2; shift 2 ;;
    -j*) jobs=${1#-j}; shift ;;
    --all) all=true; shift ;;
    --record) record=true; shift ;;
    -*) echo "usage: $0 [-p BUILD_DIR] [-j JOBS] [--all] [--record] [FILE...]" >&2; exit 2 ;;
    *) files+=("$1"); shift ;;
  esac
done

if [ ! -f "$build/compile_commands.json" ]; then
  echo "lint: $build/compile_commands.json is missing (cmake --preset dev)" >&2
  exit 2
fi
if [ ${#files[@]} -eq 0 ]; then
  mapfile -t files < <(git ls-files '*.cpp' | grep -v '^tests/fuzz/')
fi

clean_list=scripts/lint-clean.txt
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
/usr/bin/python3 scripts/lint_hash.py "$build" "${files[@]}" >"$work/hashes"
touch "$clean_list"
if $all; then
  printf '%s\n' "${files[@]}" >"$work/to_check"
else
  # A file is skipped only when its current hash is recorded; unhashable files are checked.
  awk 'FILENAME == ARGV[1] { clean[$1 " " $2] = 1; next } !(($1 " " $2) in clean) { print $2 }' \
    "$clean_list" "$work/hashes" >"$work/to_check"
  awk 'FILENAME == ARGV[1] { hashed[$2] = 1; next } !($1 in hashed)' "$work/hashes" \
    <(printf '%s\n' "${files[@]}") >>"$work/to_check"
fi
to_check=$(sort -u "$work/to_check")
checked=$(grep -c . <<<"$to_check" || true)
echo "lint: ${#files[@]} files, $checked to check, $((${#files[@]} - checked)) recorded clean"

tidy() {
  xargs -r -P "$jobs" -n 4 clang-tidy -p "$build" --quiet --extra-arg=-Wno-unknown-warning-option "$@" \
    2>&1 | grep -vE '^[0-9]+ warnings? (and [0-9]+ errors? )?generated\.$|^Suppressed [0-9]+ warnings|^Use -header-filter|^Error while processing' \
    >>"$work/report" || true
}
touch "$work/report"
grep -v '/test/' <<<"$to_check" | tidy || true
grep '/test/' <<<"$to_check" | tidy --checks=-clang-analyzer-* || true

cat "$work/report"
if grep -qE 'warning:|error:' "$work/report"; then
  echo "lint: clang-tidy found problems" >&2
  exit 1
fi
if $record; then
  # Every file of this run is clean now: keep the other recorded files' lines, replace these.
  awk 'FILENAME == ARGV[1] { mine[$2] = 1; next } !($2 in mine)' "$work/hashes" "$clean_list" \
    >"$work/kept"
  sort -k2 "$work/kept" "$work/hashes" >"$clean_list"
  echo "lint: recorded $(wc -l <"$work/hashes") clean files in $clean_list"
fi
echo "lint: clean"
