#!/usr/bin/python3
"""Benchmark (c): a secondary following a catalog zone (RFC 9432) of --zones member zones of 10
records each, produced by a dnsfleet-authd primary (`catalog-role = "produce"`): the time until
every member zone is served and the secondary's memory then (PSS and RSS from
/proc/PID/smaps_rollup), dnsfleet-authd (`catalog-role = "consume"`) against Knot DNS 3.2
(`catalog-role: interpret`), one after the other against the same primary in the same run.

"Served" is checked by a sweep over every member zone (SOA over UDP, up to 256 in flight, AA and
NOERROR required), repeated for the zones still missing; a sample of 64 members is polled first
so that sweeps start only when the end is near. Every wait is bounded by --max-seconds.

    /usr/bin/python3 tests/bench/xfr/catalog_100k.py [--zones 100000] [--max-seconds 900]
"""
import argparse
import os
import select
import socket
import struct
import time

import dns.message
import dns.rdatatype

import xfrbench as xb

CATALOG = "catalog.bench."


def member(i):
    return "z%d.bench." % i


def write_members(directory, count):
    paths = {}
    for i in range(count):
        path = os.path.join(directory, "z%d.zone" % i)
        with open(path, "w") as f:
            f.write("$ORIGIN %s\n$TTL 3600\n@ SOA ns1 hostmaster 1 3600 600 86400 300\n"
                    "@ NS ns1\n@ NS ns2\nns1 A 192.0.2.1\nns2 A 192.0.2.2\n@ A 192.0.2.3\n"
                    "www A 192.0.2.4\nmail A 192.0.2.5\n@ MX 10 mail\n@ TXT \"zone %d\"\n"
                    % (member(i), i))
        paths[member(i)] = path
    return paths


def sweep(port, zones, window=256, timeout=1.0):
    """The zones (indexes) that did not answer SOA with AA and NOERROR."""
    wires = {}
    missing = set(zones)
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
    sock.connect(("127.0.0.1", port))
    sock.setblocking(False)
    todo = list(zones)
    inflight = {}  # id -> (zone index, sent at)
    next_id = 0
    try:
        while todo or inflight:
            while todo and len(inflight) < window:
                z = todo.pop()
                qid = next_id & 0xFFFF
                next_id += 1
                if qid in inflight:
                    todo.append(z)
                    break
                if z not in wires:
                    q = dns.message.make_query(member(z), dns.rdatatype.SOA)
                    q.flags = 0
                    wires[z] = q.to_wire()
                w = wires[z]
                try:
                    sock.send(struct.pack("!H", qid) + w[2:])
                except BlockingIOError:
                    todo.append(z)
                    break
                except ConnectionRefusedError:  # not listening yet
                    return missing
                inflight[qid] = (z, time.monotonic())
            ready, _, _ = select.select([sock], [], [], 0.05)
            if ready:
                while True:
                    try:
                        data = sock.recv(4096)
                    except BlockingIOError:
                        break
                    except ConnectionRefusedError:
                        return missing
                    if len(data) < 12:
                        continue
                    qid = struct.unpack("!H", data[:2])[0]
                    entry = inflight.pop(qid, None)
                    if entry is None:
                        continue
                    aa = data[2] & 0x04
                    rcode = data[3] & 0x0F
                    ancount = struct.unpack("!H", data[6:8])[0]
                    if aa and rcode == 0 and ancount > 0:
                        missing.discard(entry[0])
            now = time.monotonic()
            for qid, (z, sent) in list(inflight.items()):
                if now - sent > timeout:
                    del inflight[qid]
    finally:
        sock.close()
    return missing


def follow(wd, kind, primary_port, zones, args):
    sdir = wd.sub(kind + "-secondary")
    if kind == "authd":
        s = xb.AuthdConf(sdir, """
[[remote]]
id = "primary"
address = "127.0.0.1:%d"

[[template]]
id = "member"
primary = "primary"

[[zone]]
name = "%s"
template = "member"
catalog-role = "consume"
catalog-template = "member"
""" % (primary_port, CATALOG), port=xb.free_port(), ready_zones=[])
    else:
        s = xb.KnotConf(sdir, """remote:
  - id: primary
    address: 127.0.0.1@%d
template:
  - id: member
    master: primary
    storage: "%s"
    zonefile-sync: -1
    zonefile-load: whole
    journal-content: none
    semantic-checks: off
zone:
  - domain: %s
    master: primary
    catalog-role: interpret
    catalog-template: member
""" % (primary_port, sdir, CATALOG), port=xb.free_port(), ready_zones=[], journal=False)
    t0 = time.monotonic()
    wd.start(s, wait=False)
    deadline = t0 + args.max_seconds
    step = max(1, zones // 64)
    sample = set(range(0, zones, step)) | {zones - 1}
    while time.monotonic() < deadline and s.alive():
        if not sweep(s.port, sample):
            break
        time.sleep(0.2)
    t_sample = time.monotonic() - t0
    missing = set(range(zones))
    sweeps = 0
    while time.monotonic() < deadline and s.alive():
        missing = sweep(s.port, missing)
        sweeps += 1
        if not missing:
            break
        time.sleep(0.2)
    t_all = time.monotonic() - t0 if not missing else None
    pss, rss = xb.memory(s.proc.pid) if s.alive() else (None, None)
    print("%s: sample served after %.1f s, all %s after %s s (%d sweeps), %d missing; PSS %s RSS %s"
          % (kind, t_sample, zones, xb.fmt(t_all, 1), sweeps, len(missing), xb.fmt(pss, 1),
             xb.fmt(rss, 1)))
    if missing and s.alive():
        print(s.log()[-1000:])
    wd.stop(s)
    return {"sample": t_sample, "all": t_all, "missing": len(missing), "pss": pss, "rss": rss}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--zones", type=int, default=100000)
    ap.add_argument("--max-seconds", type=float, default=900.0, help="bound per secondary")
    ap.add_argument("--authd", default=xb.default_authd())
    ap.add_argument("--only", choices=("authd", "knot"), action="append")
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    args.zones = max(1, min(args.zones, 200000))
    xb.use_authd(args.authd)
    print("$ " + xb.command_line())
    print("load average before:", xb.load_average(), "|", xb.knot_version(), "| authd:", args.authd)
    with xb.Workdir(keep=args.keep) as wd:
        pdir = wd.sub("authd-primary")
        t0 = time.monotonic()
        zones = write_members(wd.sub("zones"), args.zones)
        print("wrote %d zone files in %.1f s" % (args.zones, time.monotonic() - t0))
        body = ['[[acl]]', 'id = "loopback"', 'address = "127.0.0.0/8"', 'action = "transfer"',
                '[[template]]', 'id = "default"', 'acl = "loopback"',
                '[[zone]]', 'name = "%s"' % CATALOG, 'catalog-role = "produce"']
        for apex, path in zones.items():
            body += ['[[zone]]', 'name = "%s"' % apex, 'file = "%s"' % path,
                     'catalog = "%s"' % CATALOG]
        port = xb.free_port()
        primary = xb.AuthdConf(pdir, "\n".join(body), port=port,
                               ready_zones=[CATALOG, member(args.zones - 1)])
        t0 = time.monotonic()
        wd.start(primary, timeout=args.max_seconds)
        print("primary (dnsfleet-authd, %d zones + catalog) ready in %.1f s"
              % (args.zones, time.monotonic() - t0))
        results = {}
        for kind in (args.only or ("authd", "knot")):
            results[kind] = follow(wd, kind, port, args.zones, args)
        rows = []
        base = results.get("knot", {})
        for kind, label in (("knot", "Knot 3.2 (interpret)"), ("authd", "dnsfleet-authd (consume)")):
            if kind not in results:
                continue
            r = results[kind]
            ratio = lambda k: (r[k] / base[k]) if r.get(k) and base.get(k) else None  # noqa: E731
            rows.append([label, r["sample"], r["all"], ratio("all"), str(r["missing"]), r["pss"],
                         ratio("pss"), r["rss"]])
        xb.print_table("Catalog of %d zones × 10 records from a dnsfleet-authd primary (load "
                       "average after: %s)" % (args.zones, xb.load_average()),
                       ["secondary", "sample served s", "all served s", "/ Knot", "missing",
                        "PSS MiB", "/ Knot", "RSS MiB"], rows)


if __name__ == "__main__":
    main()
