#!/usr/bin/env bash
# Installs what dnsfleet needs on Debian 12, by itself, idempotently.
#   scripts/install-deps.sh build   compilers, libraries, dig (enough to build and run authd)
#   scripts/install-deps.sh run     build, plus python3 for scripts/run.sh's first-start setup
#   scripts/install-deps.sh test    everything above plus the peers and tools the tests use
#
# Debian starts knot, nsd, bind9 and unbound on port 53 as soon as they are installed on a
# machine with an init system. A policy-rc.d that refuses every service start is put in place
# for the duration of the install, and any unit that slipped through is stopped and masked.
set -euo pipefail

tier=${1:-test}

build_pkgs=(
  build-essential cmake ninja-build pkg-config git
  clang-14 libclang-rt-14-dev lld clang-format clang-tidy
  libssl-dev libsodium-dev liblmdb-dev libsqlite3-dev libpq-dev libcpp-httplib-dev
  libcurl4-openssl-dev
  libtomlplusplus-dev libcli11-dev libspdlog-dev nlohmann-json3-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  bind9-dnsutils
)
test_pkgs=(
  python3 python3-pytest python3-dnspython python3-requests python3-yaml python3-aiosmtpd
  postgresql
  knot knot-dnsutils nsd bind9 ldnsutils bind9-utils unbound dnsperf
  procps iproute2
)

run_pkgs=(python3)

pkgs=("${build_pkgs[@]}")
if [ "$tier" = run ]; then
  pkgs+=("${run_pkgs[@]}")
fi
if [ "$tier" = test ]; then
  pkgs+=("${test_pkgs[@]}")
fi

missing=()
for p in "${pkgs[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  sudo="sudo"
fi

policy=/usr/sbin/policy-rc.d
restore_policy=""
if [ -e "$policy" ]; then
  restore_policy=$(mktemp)
  $sudo cp -p "$policy" "$restore_policy"
fi
printf '#!/bin/sh\n# dnsfleet install: no service starts during package installation\nexit 101\n' \
  | $sudo tee "$policy" >/dev/null
$sudo chmod 755 "$policy"
cleanup() {
  if [ -n "$restore_policy" ]; then
    $sudo mv "$restore_policy" "$policy"
  else
    $sudo rm -f "$policy"
  fi
}
trap cleanup EXIT

export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

# Belt and braces for machines where a unit started anyway.
if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
  for unit in knot nsd named bind9 unbound; do
    $sudo systemctl stop "$unit" 2>/dev/null || true
    $sudo systemctl mask "$unit" 2>/dev/null || true
  done
fi
