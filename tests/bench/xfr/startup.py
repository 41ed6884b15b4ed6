#!/usr/bin/python3
"""Benchmark (d): start-up of a secondary that holds a stored copy of a 100k-name zone: time from
exec to the first authoritative SOA answer, dnsfleet-authd (LMDB store) against Knot DNS (zone
file flushed at once, `zonefile-sync: 0`), with the primary stopped so that only the stored
copy can be served. Restarts alternate between the two servers.

    /usr/bin/python3 tests/bench/xfr/startup.py [--hosts 100000] [--rounds 3]
"""
import argparse
import os
import time

import xfrbench as xb
from ixfr_latency import serial_of

ZONE = "bench.test."


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--hosts", type=int, default=100000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--timeout", type=float, default=120.0)
    ap.add_argument("--authd", default=xb.default_authd())
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    args.rounds = max(1, min(args.rounds, 10))
    xb.use_authd(args.authd)
    print("$ " + xb.command_line())
    print("load average before:", xb.load_average(), "|", xb.knot_version(), "| authd:", args.authd)
    with xb.Workdir(keep=args.keep) as wd:
        zone_file = os.path.join(wd.path, "primary.zone")
        xb.write_hosts_zone(zone_file, ZONE, args.hosts)
        primary_port = xb.free_port()
        primary = xb.knot_primary(wd.sub("knot-primary"), primary_port, {ZONE: zone_file},
                                  journal=False)
        wd.start(primary, timeout=args.timeout)
        authd_dir, knot_dir = wd.sub("authd-secondary"), wd.sub("knot-secondary")

        def make(kind):
            if kind == "authd":
                return xb.AuthdConf(authd_dir, """
[[remote]]
id = "primary"
address = "127.0.0.1:%d"

[[zone]]
name = "%s"
primary = ["primary"]
""" % (primary_port, ZONE), port=xb.free_port(), ready_zones=[])
            return xb.KnotConf(knot_dir, """remote:
  - id: primary
    address: 127.0.0.1@%d
zone:
  - domain: %s
    master: primary
    zonefile-sync: 0
    file: "%s/secondary.zone"
""" % (primary_port, ZONE, knot_dir), port=xb.free_port(), ready_zones=[], journal=False)

        first = {}
        for kind in ("authd", "knot"):
            s = make(kind)
            t0 = time.monotonic()
            wd.start(s, wait=False)
            if not xb.wait_until(lambda: serial_of(s.port) == 1, args.timeout, 0.005):
                raise SystemExit("%s never served the zone:\n%s" % (kind, s.log()))
            first[kind] = time.monotonic() - t0
            time.sleep(1.0)  # let the copy reach the disk (Knot flushes after the transfer)
            wd.stop(s)
        wd.stop(primary)
        times = {"authd": [], "knot": []}
        mem = {"authd": [], "knot": []}
        for r in range(args.rounds):
            for kind in ("knot", "authd"):
                s = make(kind)
                t0 = time.monotonic()
                wd.start(s, wait=False)
                ok = xb.wait_until(lambda: serial_of(s.port, timeout=0.05) == 1, args.timeout,
                                   0.002)
                elapsed = time.monotonic() - t0 if ok else None
                times[kind].append(elapsed)
                if ok:
                    mem[kind].append(xb.memory(s.proc.pid)[0])
                print("round %d %s: first answer after %s s" % (r + 1, kind, xb.fmt(elapsed)))
                if not ok:
                    print(s.log()[-1500:])
                wd.stop(s)
        base = xb.median(times["knot"])
        rows = []
        for kind, label in (("knot", "Knot 3.2"), ("authd", "dnsfleet-authd")):
            med = xb.median(times[kind])
            rows.append([label, first[kind], med, min(t for t in times[kind] if t) if med else None,
                         (med / base) if med and base else None, xb.median(mem[kind])])
        xb.print_table("Secondary restart with a stored %d-record zone, primary down, median of %d "
                       "(load average after: %s)" % (args.hosts + 5, args.rounds, xb.load_average()),
                       ["secondary", "first start (AXFR) s", "restart → first answer s", "min s",
                        "/ Knot", "PSS after start MiB"], rows)


if __name__ == "__main__":
    main()
