#!/usr/bin/env bash
# Builds dnsfleet-authd (Release) and serves the example zone on 127.0.0.1, in the foreground.
# Installs the build dependencies first. Stop it with Ctrl-C.
#   DNSFLEET_PORT  port to listen on (default 5300)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
port=${DNSFLEET_PORT:-5300}

bash scripts/install-deps.sh build
cmake --preset release >/dev/null
cmake --build build/release -j "$(nproc)" --target dnsfleet-authd

cat <<MSG

dnsfleet-authd is starting on 127.0.0.1:$port with examples/example.com.zone.
Try, from another terminal:
    dig @127.0.0.1 -p $port www.example.com A +norec
    dig @127.0.0.1 -p $port example.com SOA +dnssec +norec
Reload the zone after editing it: kill -HUP \$(pgrep dnsfleet-authd)

MSG
exec build/release/bin/dnsfleet-authd --listen "127.0.0.1:$port" \
  --zone "example.com=$root/examples/example.com.zone" --threads 2
