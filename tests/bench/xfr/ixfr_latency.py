#!/usr/bin/python3
"""Benchmark (b): time from a one-record change at a Knot DNS primary to the new version served
by its secondaries, dnsfleet-authd and Knot DNS side by side (NOTIFY → IXFR → swap).

The primary serves a zone of --hosts A records with a journal and NOTIFYs both secondaries.
Each change adds one record with `knotc zone-begin / zone-set / zone-commit` (Knot raises the
SOA serial itself); from the moment zone-commit returns, both secondaries' SOA is polled over
UDP in one tight loop (dnspython, 1 ms sleep) until each answers the new serial. Median and p99
over --changes changes; the run stops after --max-seconds whatever happens.

    /usr/bin/python3 tests/bench/xfr/ixfr_latency.py [--changes 200] [--hosts 1000]
"""
import argparse
import os
import subprocess
import time

import dns.message
import dns.query
import dns.rdatatype

import xfrbench as xb

ZONE = "bench.test."


def soa_query_wire():
    return dns.message.make_query(ZONE, dns.rdatatype.SOA, want_dnssec=False)


def serial_of(port, timeout=0.2):
    try:
        r = dns.query.udp(soa_query_wire(), "127.0.0.1", port=port, timeout=timeout)
    except Exception:
        return None
    for rrset in r.answer:
        if rrset.rdtype == dns.rdatatype.SOA:
            return rrset[0].serial
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--changes", type=int, default=200)
    ap.add_argument("--hosts", type=int, default=1000)
    ap.add_argument("--max-seconds", type=float, default=300.0)
    ap.add_argument("--per-change-timeout", type=float, default=10.0)
    ap.add_argument("--authd", default=xb.default_authd())
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    args.changes = max(1, min(args.changes, 2000))
    xb.use_authd(args.authd)
    print("$ " + xb.command_line())
    print("load average before:", xb.load_average(), "|", xb.knot_version(), "| authd:", args.authd)
    began = time.monotonic()
    with xb.Workdir(keep=args.keep) as wd:
        zone_file = os.path.join(wd.path, "primary.zone")
        xb.write_hosts_zone(zone_file, ZONE, args.hosts)
        primary_port, authd_port, knot_port = xb.free_port(), xb.free_port(), xb.free_port()
        primary_dir = wd.sub("knot-primary")
        primary = xb.knot_primary(primary_dir, primary_port, {ZONE: zone_file},
                                  notify={"authd": authd_port, "knot": knot_port})
        wd.start(primary)
        authd = xb.AuthdConf(wd.sub("authd-secondary"), """
[[remote]]
id = "primary"
address = "127.0.0.1:%d"

[[zone]]
name = "%s"
primary = ["primary"]
""" % (primary_port, ZONE), port=authd_port, ready_zones=[])
        wd.start(authd, wait=False)
        knot = xb.knot_secondary(wd.sub("knot-secondary"), knot_port, primary_port, ZONE)
        wd.start(knot, wait=False)
        for port, name in ((authd_port, "authd"), (knot_port, "knot")):
            if not xb.wait_until(lambda: serial_of(port) == 1, 60, 0.05):
                raise SystemExit("%s secondary never served serial 1" % name)

        knotc = lambda *a: primary.knotc(*a)  # noqa: E731
        lat = {"authd": [], "knot": []}
        lat_start = {"authd": [], "knot": []}
        commits = []
        missed = {"authd": 0, "knot": 0}
        serial = 1
        done = 0
        for i in range(args.changes):
            if time.monotonic() - began > args.max_seconds:
                print("stopped after %.0f s (bound)" % args.max_seconds)
                break
            for step in (("zone-begin", ZONE), ("zone-set", ZONE, "r%d.%s" % (i, ZONE), "300", "A",
                                                "192.0.2.%d" % (i % 250 + 1))):
                r = knotc(*step)
                if r.returncode != 0:
                    raise SystemExit("knotc %s: %s" % (step[0], r.stdout + r.stderr))
            c0 = time.monotonic()
            r = knotc("zone-commit", ZONE)
            t0 = time.monotonic()
            if r.returncode != 0:
                raise SystemExit("knotc zone-commit: " + r.stdout + r.stderr)
            commits.append(t0 - c0)
            serial += 1
            pending = {"authd": authd_port, "knot": knot_port}
            deadline = t0 + args.per_change_timeout
            while pending and time.monotonic() < deadline:
                for name, port in list(pending.items()):
                    if serial_of(port) == serial:
                        now = time.monotonic()
                        lat[name].append(now - t0)
                        lat_start[name].append(now - c0)
                        del pending[name]
                time.sleep(0.001)
            for name in pending:
                missed[name] += 1
            done += 1
        rows = []
        for name, label in (("knot", "Knot 3.2"), ("authd", "dnsfleet-authd")):
            med = xb.median(lat[name])
            base = xb.median(lat["knot"])
            ms = lambda v: v * 1000.0 if v is not None else None  # noqa: E731
            rows.append([label, str(len(lat[name])), str(missed[name]), ms(med),
                         ms(xb.percentile(lat[name], 99)), ms(max(lat[name]) if lat[name] else None),
                         (med / base) if med and base else None, ms(xb.median(lat_start[name])),
                         ms(xb.percentile(lat_start[name], 99))])
        xb.print_table("%d one-record changes at a Knot primary (%d-record zone), ms from zone-commit "
                       "returning to the new SOA (load average after: %s; zone-commit itself: "
                       "median %.1f ms)" % (done, args.hosts + 5, xb.load_average(),
                                            xb.median(commits) * 1000.0),
                       ["secondary", "changes seen", "missed (> %gs)" % args.per_change_timeout,
                        "median ms", "p99 ms", "max ms", "median / Knot",
                        "median ms from commit start", "p99 ms from commit start"], rows)


if __name__ == "__main__":
    main()
