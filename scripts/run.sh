#!/usr/bin/env bash
# Starts the whole dnsfleet platform on this machine, on loopback, in the foreground:
#   dnsfleet-controld (SQLite)       the API on https://127.0.0.1:8443 and the hidden primary
#   dnsfleet-authd "edge-eu-west"    DNS on 127.0.0.1:5301, following controld's catalog (TSIG)
#   dnsfleet-authd "edge-us-east"    DNS on 127.0.0.1:5302, likewise
# with a first staff account, both edges registered, and a demo contract (owner "demo") holding
# the zone demo.example. It prints the credentials and commands to try; Ctrl-C stops all three.
# The state lives in ./run (or $DNSFLEET_RUN_DIR); a second start reuses it.
#
# Environment (all optional):
#   DNSFLEET_RUN_DIR            state directory (default: <repository>/run)
#   DNSFLEET_API_PORT           controld's HTTPS API (8443)
#   DNSFLEET_TRANSFER_PORT      controld's AXFR/IXFR/NOTIFY address for the edges (5300)
#   DNSFLEET_EU_PORT, DNSFLEET_US_PORT            the edges' DNS ports (5301, 5302)
#   DNSFLEET_EU_MGMT_PORT, DNSFLEET_US_MGMT_PORT  their management ports (5311, 5312)
#   DNSFLEET_CONTROLD, DNSFLEET_AUTHD, DNSFLEET_CLI  prebuilt binaries: when all three are set,
#                               nothing is installed or built
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
state=${DNSFLEET_RUN_DIR:-$root/run}
api_port=${DNSFLEET_API_PORT:-8443}
transfer_port=${DNSFLEET_TRANSFER_PORT:-5300}
eu_port=${DNSFLEET_EU_PORT:-5301}
us_port=${DNSFLEET_US_PORT:-5302}
eu_mgmt=${DNSFLEET_EU_MGMT_PORT:-5311}
us_mgmt=${DNSFLEET_US_MGMT_PORT:-5312}
zone=demo.example

if [ -n "${DNSFLEET_CONTROLD:-}" ] && [ -n "${DNSFLEET_AUTHD:-}" ] && [ -n "${DNSFLEET_CLI:-}" ]; then
  controld=$DNSFLEET_CONTROLD
  authd=$DNSFLEET_AUTHD
  cli=$DNSFLEET_CLI
else
  bash scripts/install-deps.sh run
  cmake --preset release >/dev/null
  cmake --build build/release -j "$(nproc)" --target dnsfleet-controld dnsfleet-authd dnsfleet
  controld=$root/build/release/bin/dnsfleet-controld
  authd=$root/build/release/bin/dnsfleet-authd
  cli=$root/build/release/bin/dnsfleet
fi
python=python3
[ -x /usr/bin/python3 ] && python=/usr/bin/python3

umask 077
mkdir -p "$state"
state=$(cd "$state" && pwd)

# A password file is written once and reused: a second start logs in with the same secrets.
ensure_password() {
  if [ ! -s "$1" ]; then
    "$python" -c 'import secrets; print(secrets.token_urlsafe(18))' >"$1"
  fi
}
ensure_password "$state/staff-password"
ensure_password "$state/demo-password"

cat >"$state/controld.toml" <<TOML
data-directory = "$state/controld"

[api]
listen = "127.0.0.1:$api_port"

[name-servers]
servers = ["ns1.dnsfleet.test.", "ns2.dnsfleet.test."]

[fleet]
transfer-listen = "127.0.0.1:$transfer_port"
TOML

"$controld" init --config "$state/controld.toml" --staff-login staff \
  --staff-password-file "$state/staff-password" >/dev/null
fleet_key=$("$controld" fleet-key --config "$state/controld.toml")
catalog=catalog.dnsfleet.invalid.

write_edge_config() {  # name dns-port management-port
  mkdir -p "$state/$1"
  cat >"$state/$1/authd.toml" <<TOML
[server]
listen = ["127.0.0.1:$2"]
management-listen = ["127.0.0.1:$3"]
storage = "$state/$1/storage"

$fleet_key
[[remote]]
id = "controld"
address = "127.0.0.1:$transfer_port"
key = "dnsfleet-fleet"

[[template]]
id = "member"
primary = "controld"

[[zone]]
name = "$catalog"
template = "member"
catalog-role = "consume"
catalog-template = "member"
TOML
}
write_edge_config edge-eu-west "$eu_port" "$eu_mgmt"
write_edge_config edge-us-east "$us_port" "$us_mgmt"

pids=()
stop_all() {
  trap - INT TERM
  echo
  echo "stopping dnsfleet-authd (2) and dnsfleet-controld ..."
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  echo "stopped."
}
on_signal() {
  stop_all
  exit 0
}
trap on_signal INT TERM

"$controld" --config "$state/controld.toml" >>"$state/controld.log" 2>&1 &
pids+=($!)
"$authd" --config "$state/edge-eu-west/authd.toml" >>"$state/edge-eu-west/authd.log" 2>&1 &
pids+=($!)
"$authd" --config "$state/edge-us-east/authd.toml" >>"$state/edge-us-east/authd.log" 2>&1 &
pids+=($!)

# Registers the edges, creates the demo contract and zone (each only when missing) and waits
# until both edges answer the demo zone. Standard library only: nothing to install.
if ! "$python" - "$state" "$api_port" "$zone" \
  "edge-eu-west:eu-west:127.0.0.1:$eu_mgmt" "edge-us-east:us-east:127.0.0.1:$us_mgmt" \
  "$eu_port" "$us_port" <<'PY'; then
import json, os, socket, ssl, struct, sys, time, urllib.error, urllib.request

state, api_port, zone = sys.argv[1], sys.argv[2], sys.argv[3]
edges = [a.split(":", 2) for a in sys.argv[4:6]]
dns_ports = [int(p) for p in sys.argv[6:8]]
api = "https://127.0.0.1:%s/api/v1" % api_port
context = ssl.create_default_context(cafile=os.path.join(state, "controld", "tls", "api.crt"))
deadline = time.monotonic() + 60

def call(method, path, body=None, session=None):
    headers = {"Content-Type": "application/json"}
    if session:
        headers["Cookie"], headers["X-CSRF-Token"] = session
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(api + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, context=context, timeout=10) as r:
            text = r.read()
            return r.status, (json.loads(text) if text else None), r.headers
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null"), e.headers

def login(name, password_file):
    with open(os.path.join(state, password_file)) as f:
        password = f.readline().strip()
    status, body, headers = call("POST", "/auth/login", {"login": name, "password": password})
    if status != 200:
        sys.exit("login as %s failed: %s %s" % (name, status, body))
    cookie = headers["Set-Cookie"].split(";", 1)[0]
    return cookie, body["csrf_token"]

while True:  # controld is starting
    try:
        if call("GET", "/health")[0] == 200:
            break
    except (OSError, ssl.SSLError, urllib.error.URLError):
        pass
    if time.monotonic() > deadline:
        sys.exit("dnsfleet-controld did not start; see %s/controld.log" % state)
    time.sleep(0.2)

staff = login("staff", "staff-password")
registered = {e["name"]: e for e in call("GET", "/edges", session=staff)[1]["items"]}
for name, region, address in edges:
    known = registered.get(name)
    if known and (known["region"], known["address"]) != (region, address):
        call("DELETE", "/edges/%s" % known["id"], session=staff)
        known = None
    if not known:
        status, body, _ = call("POST", "/edges", {"name": name, "region": region,
                                                  "address": address}, session=staff)
        if status != 201:
            sys.exit("registering edge %s failed: %s %s" % (name, status, body))

contract_file = os.path.join(state, "demo-contract")
if not os.path.exists(contract_file):
    with open(os.path.join(state, "demo-password")) as f:
        password = f.readline().strip()
    status, body, _ = call("POST", "/contracts", {
        "plan": "standard", "description": "demo contract of scripts/run.sh",
        "owner": {"login": "demo", "email": "demo@dnsfleet.test", "password": password}},
        session=staff)
    if status != 201:
        sys.exit("creating the demo contract failed: %s %s" % (status, body))
    with open(contract_file, "w") as f:
        f.write(body["service_code"] + "\n")
with open(contract_file) as f:
    contract = f.readline().strip()

demo = login("demo", "demo-password")
base = "/contracts/%s/zones" % contract
if call("GET", "%s/%s" % (base, zone), session=demo)[0] == 404:
    status, body, _ = call("POST", base, {"name": zone, "comment": "the demo zone"}, session=demo)
    if status != 201:
        sys.exit("creating %s failed: %s %s" % (zone, status, body))

def soa_answered(port):
    labels = b"".join(bytes([len(l)]) + l.encode() for l in zone.split(".")) + b"\0"
    query = struct.pack(">HHHHHH", 0x5eed, 0, 1, 0, 0, 0) + labels + struct.pack(">HH", 6, 1)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(0.5)
        try:
            s.sendto(query, ("127.0.0.1", port))
            answer = s.recv(4096)
        except OSError:
            return False
    return len(answer) > 12 and answer[3] & 0xF == 0 and struct.unpack(">H", answer[6:8])[0] > 0

while not all(soa_answered(port) for port in dns_ports):
    if time.monotonic() > deadline:
        sys.exit("the edges did not serve %s within 60 s; see %s/edge-*/authd.log" % (zone, state))
    time.sleep(0.2)
PY
  stop_all
  exit 1
fi

contract=$(cat "$state/demo-contract")
cat <<MSG

dnsfleet is running (state in $state; logs: controld.log, edge-*/authd.log).

  API            https://127.0.0.1:$api_port/api/v1   (certificate: $state/controld/tls/api.crt)
  staff          login staff, password $(cat "$state/staff-password")
  demo contract  $contract, owner login demo, password $(cat "$state/demo-password")
  demo zone      $zone
  edge-eu-west   DNS 127.0.0.1:$eu_port (region eu-west)
  edge-us-east   DNS 127.0.0.1:$us_port (region us-east)

Try, from another terminal:

  $cli --config $state/cli.toml --endpoint https://127.0.0.1:$api_port --ca-file $state/controld/tls/api.crt login --login demo --password-file $state/demo-password
  $cli --config $state/cli.toml draft set $zone www A --ttl 300 192.0.2.80 && $cli --config $state/cli.toml draft apply $zone --description "www for the demo"
  dig @127.0.0.1 -p $eu_port www.$zone A +norec
  dig @127.0.0.1 -p $us_port www.$zone A +norec

Press Ctrl-C to stop.
MSG

# In the foreground until Ctrl-C; if one of the three dies, the others are stopped too. Ctrl-C
# reaches the whole process group, so a daemon may have stopped on it (status 0) before the trap
# runs here: that is a stop, not a failure.
while true; do
  exited=""
  status=0
  wait -n -p exited "${pids[@]}" || status=$?
  [[ -n "$exited" ]] || continue  # the wait was interrupted by a signal whose trap ran
  if ((status == 0)); then
    stop_all
    exit 0
  fi
  echo "a process of the platform (pid $exited) exited with status $status; see the logs in $state" >&2
  stop_all
  exit 1
done
