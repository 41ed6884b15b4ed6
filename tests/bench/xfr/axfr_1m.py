#!/usr/bin/python3
"""Benchmark (a): AXFR of a 1M-record zone to a Knot DNS secondary, from dnsfleet-authd and
from Knot DNS as primaries, alternated round by round in the same run.

Per round and primary: the primary loads the zone; `kdig +noall AXFR` pulls it twice (wall time
of the whole transfer, kdig parsing included); then a Knot secondary starts with the primary as
its master, and the time from its spawn to its log line "AXFR, incoming ... finished" is taken,
with the transfer time Knot itself logs.

    /usr/bin/python3 tests/bench/xfr/axfr_1m.py [--records 1000000] [--rounds 2]
"""
import argparse
import os
import re
import subprocess
import time

import xfrbench as xb

ZONE = "bench.test."


def knot_secondary(workdir, port, primary_port):
    sections = """remote:
  - id: primary
    address: 127.0.0.1@%d
zone:
  - domain: %s
    master: primary
    file: "%s/secondary.zone"
""" % (primary_port, ZONE, workdir)
    return xb.KnotConf(workdir, sections, port=port, ready_zones=[], journal=False)


def kdig_axfr(port, timeout):
    start = time.monotonic()
    r = subprocess.run(["kdig", "@127.0.0.1", "-p", str(port), "+noall", "+time=%d" % timeout,
                        "AXFR", ZONE], capture_output=True, text=True, timeout=timeout)
    elapsed = time.monotonic() - start
    if r.returncode != 0:
        print("kdig failed:", r.stdout[-500:], r.stderr[-500:])
        return None
    return elapsed


ROUNDS_RUN = [0]


def round_for(wd, kind, zone_file, args):
    ROUNDS_RUN[0] += 1
    name = "%s-%d" % (kind, ROUNDS_RUN[0])  # fresh directories: no log or zone file reused
    port = xb.free_port()
    primary_dir = wd.sub(name + "-primary")
    if kind == "knot":
        primary = xb.knot_primary(primary_dir, port, {ZONE: zone_file}, journal=False)
    else:
        primary = xb.authd_primary(primary_dir, port, {ZONE: zone_file})
    t0 = time.monotonic()
    wd.start(primary, timeout=args.timeout)
    load = time.monotonic() - t0
    kdig = [kdig_axfr(port, args.timeout) for _ in range(args.kdig)]
    sec_dir = wd.sub(name + "-knot-secondary")
    secondary = knot_secondary(sec_dir, xb.free_port(), port)
    t0 = time.monotonic()
    wd.start(secondary, wait=False)
    m = xb.wait_until(lambda: xb.log_match(
        secondary, r"AXFR, incoming, remote [^,]+, finished, ([\d.]+) seconds, (\d+) messages, "
                   r"(\d+) bytes"), args.timeout)
    to_knot = time.monotonic() - t0 if m else None
    knot_says = float(m.group(1)) if m else None
    detail = "%s messages, %.1f MB" % (m.group(2), int(m.group(3)) / 1e6) if m else \
        "no 'finished' line: " + secondary.log()[-300:]
    pss, rss = xb.memory(primary.proc.pid)
    wd.stop(secondary)
    wd.stop(primary)
    return {"load": load, "kdig": xb.median(kdig), "kdig_all": kdig, "to_knot": to_knot,
            "knot_says": knot_says, "detail": detail, "pss": pss}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=int, default=1000000)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--kdig", type=int, default=2, help="kdig transfers per round and primary")
    ap.add_argument("--timeout", type=int, default=180, help="bound of each wait, seconds")
    ap.add_argument("--authd", default=xb.default_authd())
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    args.rounds = max(1, min(args.rounds, 10))
    xb.use_authd(args.authd)
    print("$ " + xb.command_line())
    print("load average before:", xb.load_average(), "|", xb.knot_version(), "| authd:", args.authd)
    results = {"knot": [], "authd": []}
    with xb.Workdir(keep=args.keep) as wd:
        zone_file = os.path.join(wd.path, "bench.test.zone")
        xb.write_hosts_zone(zone_file, ZONE, args.records)
        for r in range(args.rounds):
            for kind in ("knot", "authd"):
                res = round_for(wd, kind, zone_file, args)
                results[kind].append(res)
                print("round %d %s: load %.2fs, kdig %s, to Knot %s (Knot says %s s; %s)"
                      % (r + 1, kind, res["load"], [xb.fmt(k) for k in res["kdig_all"]],
                         xb.fmt(res["to_knot"]), xb.fmt(res["knot_says"]), res["detail"]))
    rows = []
    base = {k: xb.median([x[k] for x in results["knot"]]) for k in ("to_knot", "knot_says", "kdig")}
    for kind, label in (("knot", "Knot 3.2 → Knot"), ("authd", "dnsfleet-authd → Knot")):
        med = {k: xb.median([x[k] for x in results[kind]])
               for k in ("load", "to_knot", "knot_says", "kdig", "pss")}
        ratio = lambda k: (med[k] / base[k]) if med[k] and base[k] else None  # noqa: E731
        rows.append([label, med["load"], med["to_knot"], ratio("to_knot"), med["knot_says"],
                     ratio("knot_says"), med["kdig"], ratio("kdig"), med["pss"]])
    xb.print_table("AXFR of %d records, median of %d rounds (load average after: %s)"
                   % (args.records + 5, args.rounds, xb.load_average()),
                   ["primary → secondary", "primary load s", "Knot start → 'finished' s",
                    "/ Knot", "Knot's own transfer s", "/ Knot", "kdig AXFR s", "/ Knot",
                    "primary PSS MiB"], rows)


if __name__ == "__main__":
    main()
