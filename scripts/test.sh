#!/usr/bin/env bash
# Runs every test of dnsfleet on a Debian 12 machine, installing what it needs first.
# Tiers (see README "Testing"):
#   1. style     clang-format on every C++ file
#   2. unit      Debug + ASan + UBSan build, every header compiled alone, GoogleTest via CTest
#   3. lint      clang-tidy over every source with the dev build's compile commands (scripts/lint.sh)
#   4. system    Release build, pytest + dnspython against the real dnsfleet-authd, the
#                differential test against Knot DNS, DNSSEC validation, the bench smoke
#   5. fuzz      clang + libFuzzer build, each target for a bounded time on its seed corpus
# Any failing, skipped or missing test fails the run. Select tiers with DNSFLEET_TIERS="unit system".
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
tiers=${DNSFLEET_TIERS:-"style unit lint system fuzz"}
jobs=${DNSFLEET_JOBS:-$(nproc)}
fuzz_seconds=${DNSFLEET_FUZZ_SECONDS:-30}

started=$SECONDS
log() { printf '\n== %s (at %dm%02ds) ==\n' "$*" $(((SECONDS - started) / 60)) $(((SECONDS - started) % 60)); }
has_tier() { [[ " $tiers " == *" $1 "* ]]; }

log "installing dependencies"
bash scripts/install-deps.sh test

cxx_files() { git ls-files '*.cpp' '*.hpp' '*.c' '*.h'; }

if has_tier style; then
  log "style: clang-format"
  cxx_files | xargs -r clang-format --dry-run -Werror
fi

if has_tier unit || has_tier lint; then
  log "unit: build (Debug, ASan + UBSan)"
  cmake --preset dev >/dev/null
  cmake --build build/dev -j "$jobs"
fi

if has_tier unit; then
  log "unit: ctest"
  ctest_log=$(mktemp)
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build/dev --output-on-failure --no-tests=error -j "$jobs" | tee "$ctest_log"
  if grep -qE '\*\*\*Skipped|\[  SKIPPED \]' "$ctest_log"; then
    echo "unit: a test was skipped; skipped tests fail the run" >&2
    exit 1
  fi
fi

if has_tier lint; then
  log "lint: clang-tidy"
  bash scripts/lint.sh -p build/dev -j "$jobs"
fi

if has_tier system; then
  log "system: build (Release)"
  cmake --preset release >/dev/null
  cmake --build build/release -j "$jobs"
  log "system: pytest"
  DNSFLEET_AUTHD="$root/build/release/bin/dnsfleet-authd" \
  DNSFLEET_CONTROLD="$root/build/release/bin/dnsfleet-controld" \
  DNSFLEET_CLI="$root/build/release/bin/dnsfleet" \
    /usr/bin/python3 -m pytest -p no:cacheprovider -q -rfEs tests/system
fi

if has_tier fuzz; then
  log "fuzz: build (clang + libFuzzer)"
  cmake --preset fuzz >/dev/null
  cmake --build build/fuzz -j "$jobs" --target dnsfleet_fuzzers
  targets=$(find build/fuzz/tests/fuzz -maxdepth 1 -type f -name 'fuzz_*' -perm -u+x | sort)
  if [ -z "$targets" ]; then
    echo "fuzz: no fuzz targets were built" >&2
    exit 1
  fi
  for target in $targets; do
    name=$(basename "$target")
    corpus="tests/fuzz/corpus/${name#fuzz_}"
    if [ ! -d "$corpus" ]; then
      echo "fuzz: $name has no seed corpus at $corpus" >&2
      exit 1
    fi
    work=$(mktemp -d)
    cp -r "$corpus/." "$work/"
    log "fuzz: $name for ${fuzz_seconds}s"
    "$target" -max_total_time="$fuzz_seconds" -timeout=10 -rss_limit_mb=2048 \
      -artifact_prefix="$work/" -print_final_stats=1 "$work" 2>&1 | tail -n 12
    rm -rf "$work"
  done
fi

log "all tiers passed: $tiers"
