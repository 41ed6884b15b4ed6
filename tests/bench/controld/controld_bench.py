#!/usr/bin/python3
"""Benchmarks of dnsfleet-controld through its API, with real edges (docs/benchmarks.md).

  insync   time from an apply to both edges answering the new serial, and to the change id's
           INSYNC as the API reports it: a one-record change applied --applies times to a zone
           of --records records, controld on SQLite (or --postgres) with two dnsfleet-authd
           edges following its catalog; then, in the same run, the same changes made to a Knot
           DNS primary with knotc zone-begin/zone-set/zone-commit, until two Knot secondaries
           answer (Knot has no API: its control socket is the nearest thing to compare)
  changes  record changes per second through the API: RRsets staged into a draft (PUT), and
           whole changes (stage one RRset + apply with If-Match), one client, keep-alive
  list     the first page (100 zones, with the total) of one contract holding --zones zones

Everything runs on free loopback ports in a temp dir; every loop is bounded in count and time.
The zones of `list` are written into the SQLite database directly while controld is stopped
(creating 100k zones through the API would take most of an hour); their rows are what
`POST /zones` writes, minus the versions, which listing does not read.

    /usr/bin/python3 tests/bench/controld/controld_bench.py insync [--applies 200] [--records 10000]
    /usr/bin/python3 tests/bench/controld/controld_bench.py changes [--count 500]
    /usr/bin/python3 tests/bench/controld/controld_bench.py list [--zones 100000]
"""
import argparse
import contextlib
import datetime
import os
import shlex
import sqlite3
import statistics
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
# Appended, not prepended: that folder's platform.py must not hide the standard library's.
sys.path.append(os.path.join(HERE, "..", "..", "system", "controld"))

sys.path.append(os.path.join(HERE, "..", "xfr"))

import conftest  # noqa: E402  (loads dnsfleet_platform too)
import xfrbench as xb  # noqa: E402
from conftest import running_controld  # noqa: E402
from dnsfleet_platform import PASSWORD, Client, create_contract, staff_client, zone_path  # noqa: E402
from edges import controld_with_edges, soa_serial  # noqa: E402
from postgres import postgres_cluster  # noqa: E402


# The defaults of a production controld, except the body limit (a 10k-record zone file is
# 250 kB) and the per-contract rate limit (20 requests/s), which would measure the limiter.
API = {"threads": 64, "max-body-bytes": 8 << 20, "rate-limit-per-second": 100000.0,
       "rate-limit-burst": 100000.0}


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def summary(name, seconds):
    ms = [s * 1000.0 for s in seconds]
    print("%-44s n=%d median %.1f ms  p99 %.1f ms  max %.1f ms" % (
        name, len(ms), statistics.median(ms), percentile(ms, 0.99), max(ms)))


def utc(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


def load_average():
    with open("/proc/loadavg") as f:
        return f.read().split()[0]


def keep_alive(client):
    client.session.headers.pop("Connection", None)
    return client


def contract_with_zone(staff, zone):
    """A new contract, its owner on a keep-alive session, and an empty zone: (code, owner, zone,
    the zone's API path)."""
    code, owner = create_contract(staff)
    keep_alive(owner)
    r = owner.post("/contracts/%s/zones" % code, json={"name": zone})
    assert r.status_code == 201, r.text
    return code, owner, zone, zone_path(code, zone)


def zone_file(name, records):
    lines = ["$ORIGIN %s." % name, "$TTL 3600"]
    lines += ["h%d IN A 198.18.%d.%d" % (i, (i >> 8) & 0xFF, i & 0xFF) for i in range(records)]
    return "\n".join(lines) + "\n"


def apply_draft(client, path, description):
    etag = client.get(path).headers["ETag"]
    r = client.post(path + "/draft/apply", headers={"If-Match": etag},
                    json={"description": description})
    assert r.status_code == 200, r.text
    return r.json()


def wait_until(predicate, deadline):
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.001)
    return None


def bench_insync(args, workdir, database_url):
    with controld_with_edges(workdir, database_url, **API) as (daemon, edges, staff):
        code, owner, zone, path = contract_with_zone(staff, "bench-insync.test")
        r = owner.post(path + "/import", data=zone_file(zone, args.records),
                       headers={"Content-Type": "text/dns"})
        assert r.status_code in (200, 201), r.text
        first = apply_draft(owner, path, "%d records" % args.records)
        deadline = time.monotonic() + 120
        assert wait_until(lambda: all(soa_serial(e.port, zone) == first["serial"] for e in edges),
                          deadline), "the edges did not load the %d-record zone" % args.records
        print("zone of %d records on both edges; load average %s" % (args.records, load_average()))

        to_edges, to_insync, server_side, apply_calls = [], [], [], []
        stop_at = time.monotonic() + args.max_seconds
        for i in range(args.applies):
            if time.monotonic() > stop_at:
                print("stopped after %d applies (--max-seconds)" % i)
                break
            r = owner.put(path + "/draft/rrsets/bench%d/A" % i,
                          json={"ttl": 300, "records": [{"data": "192.0.2.%d" % (i % 250 + 1)}]})
            assert r.status_code == 200, r.text
            etag = owner.get(path).headers["ETag"]
            began = time.monotonic()
            r = owner.post(path + "/draft/apply", headers={"If-Match": etag},
                           json={"description": "bench %d" % i})
            assert r.status_code == 200, r.text
            apply_calls.append(time.monotonic() - began)
            applied = r.json()
            serial, change = applied["serial"], applied["change"]["id"]
            limit = began + args.per_apply_timeout
            pending = {e.port for e in edges}
            while pending and time.monotonic() < limit:
                for port in list(pending):
                    current = soa_serial(port, zone)
                    if current is not None and current >= serial:
                        pending.discard(port)
                if pending:
                    time.sleep(0.001)
            assert not pending, "apply %d: edges %s did not answer serial %d" % (i, pending, serial)
            to_edges.append(time.monotonic() - began)
            status = wait_until(lambda: (lambda c: c if c["status"] == "INSYNC" else None)(
                owner.get("/contracts/%s/changes/%s" % (code, change)).json()), limit)
            assert status, "apply %d: change %s not INSYNC" % (i, change)
            to_insync.append(time.monotonic() - began)
            server_side.append((utc(status["insync_at"]) - utc(status["submitted_at"]))
                               .total_seconds())
        summary("apply request (POST .../draft/apply)", apply_calls)
        summary("apply -> both edges answer the new serial", to_edges)
        summary("apply -> change INSYNC seen through the API", to_insync)
        summary("change insync_at - submitted_at (controld)", server_side)
    if args.knot_reference:
        knot = knot_reference(args, workdir)
        summary("Knot: zone-begin -> both secondaries answer", knot)
        print("ratio of medians, apply -> both edges answer / Knot: %.2f" % (
            statistics.median(to_edges) / statistics.median(knot)))


def knot_reference(args, workdir):
    """The same one-record changes at a Knot primary holding the same zone, timed from
    zone-begin to both Knot secondaries answering the new serial: seconds per change."""
    zone = "bench-knot.test."
    path = os.path.join(workdir, "knot.zone")
    with open(path, "w") as f:
        f.write("$ORIGIN %s\n$TTL 3600\n@ SOA ns1 hostmaster 1 3600 600 86400 300\n"
                "@ NS ns1\nns1 A 192.0.2.1\n" % zone)
        f.write(zone_file(zone.rstrip("."), args.records).split("\n", 2)[2])
    with xb.Workdir() as wd:
        ports = [xb.free_port(), xb.free_port()]
        primary_port = xb.free_port()
        primary = xb.knot_primary(wd.sub("primary"), primary_port, {zone: path},
                                  notify={"s%d" % i: p for i, p in enumerate(ports)})
        wd.start(primary)
        for i, port in enumerate(ports):
            wd.start(xb.knot_secondary(wd.sub("secondary%d" % i), port, primary_port, zone),
                     wait=False)
        deadline = time.monotonic() + 120
        assert wait_until(lambda: all(soa_serial(p, zone) == 1 for p in ports), deadline), \
            "the Knot secondaries did not load the zone"
        times, serial = [], 1
        stop_at = time.monotonic() + args.max_seconds
        for i in range(args.applies):
            if time.monotonic() > stop_at:
                break
            began = time.monotonic()
            for step in (("zone-begin", zone),
                         ("zone-set", zone, "bench%d.%s" % (i, zone), "300", "A",
                          "192.0.2.%d" % (i % 250 + 1)),
                         ("zone-commit", zone)):
                r = primary.knotc(*step)
                assert r.returncode == 0, "knotc %s: %s" % (step[0], r.stdout + r.stderr)
            serial += 1
            limit = began + args.per_apply_timeout
            assert wait_until(lambda: all((soa_serial(p, zone) or 0) >= serial for p in ports),
                              limit), "Knot change %d did not reach both secondaries" % i
            times.append(time.monotonic() - began)
        return times


def bench_changes(args, workdir, database_url):
    with controld_with_edges(workdir, database_url, **API) as (daemon, edges, staff):
        code, owner, zone, path = contract_with_zone(staff, "bench-changes.test")
        stop_at = time.monotonic() + args.max_seconds
        began, staged = time.monotonic(), 0
        for i in range(args.count):
            if time.monotonic() > stop_at:
                break
            r = owner.put(path + "/draft/rrsets/s%d/A" % i,
                          json={"ttl": 300, "records": [{"data": "192.0.2.1"}]})
            assert r.status_code == 200, r.text
            staged += 1
        stage_seconds = time.monotonic() - began
        apply_draft(owner, path, "staged RRsets")
        began, applied = time.monotonic(), 0
        for i in range(args.count // 5):
            if time.monotonic() > stop_at:
                break
            r = owner.put(path + "/draft/rrsets/c%d/TXT" % i,
                          json={"ttl": 300, "records": [{"data": '"change %d"' % i}]})
            assert r.status_code == 200, r.text
            apply_draft(owner, path, "change %d" % i)
            applied += 1
        apply_seconds = time.monotonic() - began
        print("RRsets staged into a draft (PUT):            %d in %.2f s = %.0f/s" % (
            staged, stage_seconds, staged / stage_seconds))
        print("changes applied (PUT + GET ETag + apply):     %d in %.2f s = %.1f/s" % (
            applied, apply_seconds, applied / apply_seconds))


def bench_list(args, workdir):
    with running_controld(workdir, **API) as daemon:
        staff = staff_client(daemon)
        code, owner = create_contract(staff)
        owner_login = owner.login_name
        r = owner.post("/contracts/%s/zones" % code, json={"name": "z0.list.test"})
        assert r.status_code == 201, r.text
    db = sqlite3.connect(os.path.join(daemon.data_dir, "controld.db"))
    with db:
        row = db.execute("SELECT contract_id, default_ttl, current_version, serial, created_at "
                         "FROM zones WHERE name = 'z0.list.test.'").fetchone()
        contract_id, ttl, version, serial, now = row
        db.executemany(
            "INSERT INTO zones (contract_id, name, reversed_name, default_ttl, current_version, "
            "serial, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            ((contract_id, "z%d.list.test." % i, "test.list.z%d." % i, ttl, version, serial,
              now, now) for i in range(1, args.zones)))
    db.close()
    daemon.start()
    try:
        owner = keep_alive(Client(daemon))
        owner.login(owner_login, PASSWORD)
        times = []
        stop_at = time.monotonic() + args.max_seconds
        for _ in range(args.requests):
            if time.monotonic() > stop_at:
                break
            began = time.monotonic()
            r = owner.get("/contracts/%s/zones" % code, params={"page": 1, "per_page": 100})
            times.append(time.monotonic() - began)
            assert r.status_code == 200, r.text
            body = r.json()
            assert body["total"] == args.zones and len(body["items"]) == 100, body["total"]
        summary("first page of %d zones (100 items + total)" % args.zones, times)
        began = time.monotonic()
        r = owner.get("/contracts/%s/zones" % code, params={"page": 1, "per_page": 100,
                                                            "name": "z99999"})
        print("name filter over %d zones: %.1f ms (%d found)" % (
            args.zones, (time.monotonic() - began) * 1000, r.json()["total"]))
    finally:
        daemon.stop()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("what", choices=["insync", "changes", "list"])
    ap.add_argument("--applies", type=int, default=200)
    ap.add_argument("--records", type=int, default=10000)
    ap.add_argument("--count", type=int, default=500)
    ap.add_argument("--zones", type=int, default=100000)
    ap.add_argument("--requests", type=int, default=50)
    ap.add_argument("--postgres", action="store_true", help="controld on PostgreSQL")
    ap.add_argument("--no-knot-reference", dest="knot_reference", action="store_false",
                    help="insync: skip the same changes made to Knot DNS")
    ap.add_argument("--per-apply-timeout", type=float, default=30.0)
    ap.add_argument("--max-seconds", type=float, default=900.0)
    args = ap.parse_args()
    args.applies = max(1, min(args.applies, 2000))
    args.count = max(5, min(args.count, 20000))
    args.zones = max(101, min(args.zones, 1000000))
    print("$ /usr/bin/python3 tests/bench/controld/controld_bench.py " +
          " ".join(shlex.quote(a) for a in sys.argv[1:]))
    print("controld:", conftest.controld_binary(), "| load average before:", load_average())
    with tempfile.TemporaryDirectory(prefix="dnsfleet-bench-") as workdir:
        if args.what == "list":
            bench_list(args, workdir)
            return
        with contextlib.ExitStack() as stack:
            url = stack.enter_context(postgres_cluster()) if args.postgres else ""
            if args.what == "insync":
                bench_insync(args, workdir, url)
            else:
                bench_changes(args, workdir, url)


if __name__ == "__main__":
    main()
