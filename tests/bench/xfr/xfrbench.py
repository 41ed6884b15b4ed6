"""Shared parts of the transfer benchmarks: paths, zone generation, servers from
tests/system/xfr/peers.py (AuthdConf, KnotConf), timing, memory and the printed table.

Everything runs on 127.0.0.1, on free ports, in a temporary directory removed at the end; every
wait is bounded. Not a test: the scripts print figures for docs/benchmarks.md.
"""
import os
import re
import shlex
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
sys.path.insert(0, os.path.join(REPO, "tests", "system"))
os.environ.setdefault("DNSFLEET_READY_TIMEOUT", "300")

from xfr.peers import AuthdConf, KnotConf  # noqa: E402
from harness.servers import free_port  # noqa: E402
from harness import dnsq  # noqa: E402


def default_authd():
    for sub in ("xferperf", "release"):
        path = os.path.join(REPO, "build", sub, "bin", "dnsfleet-authd")
        if os.access(path, os.X_OK):
            return path
    return os.path.join(REPO, "build", "release", "bin", "dnsfleet-authd")


def use_authd(path):
    os.environ["DNSFLEET_AUTHD"] = os.path.abspath(path)


def command_line():
    return " ".join(shlex.quote(a) for a in [sys.executable] + sys.argv)


def load_average():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def knot_version():
    r = subprocess.run(["knotd", "--version"], capture_output=True, text=True, timeout=10)
    return (r.stdout or r.stderr).strip().splitlines()[0]


def write_hosts_zone(path, origin, hosts, serial=1, extra=()):
    """SOA, two NS with glue, then `hosts` A records hostN (10.x.y.z)."""
    origin = origin.rstrip(".") + "."
    with open(path, "w") as f:
        f.write("$ORIGIN %s\n$TTL 3600\n@ SOA ns1 hostmaster %d 3600 600 86400 300\n"
                "@ NS ns1\n@ NS ns2\nns1 A 192.0.2.1\nns2 A 192.0.2.2\n" % (origin, serial))
        for line in extra:
            f.write(line + "\n")
        step = 100000
        for start in range(0, hosts, step):
            f.write("".join("host%d A 10.%d.%d.%d\n" % (i, i >> 16 & 255, i >> 8 & 255, i & 255)
                            for i in range(start, min(hosts, start + step))))


def memory(pid):
    """(PSS, RSS) in MiB of one process, from /proc/PID/smaps_rollup."""
    out = {}
    with open("/proc/%d/smaps_rollup" % pid) as f:
        for line in f:
            m = re.match(r"(Pss|Rss):\s+(\d+) kB", line)
            if m:
                out[m.group(1)] = int(m.group(2)) / 1024.0
    return out.get("Pss", 0.0), out.get("Rss", 0.0)


def wait_until(predicate, timeout, step=0.01):
    """Polls `predicate` until it returns a true value (returned) or `timeout` s pass (None)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    return None


def log_match(server, pattern):
    m = re.search(pattern, server.full_log())
    return m


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def percentile(values, p):
    values = sorted(v for v in values if v is not None)
    if not values:
        return None
    k = min(len(values) - 1, max(0, int(round(p / 100.0 * len(values) + 0.5)) - 1))
    return values[k]


def fmt(value, digits=3):
    if value is None:
        return "–"
    if isinstance(value, str):
        return value
    return ("%%.%df" % digits) % value


def print_table(title, header, rows):
    print("\n### " + title)
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for row in rows:
        print("| " + " | ".join(fmt(c) if not isinstance(c, str) else c for c in row) + " |")


class Workdir:
    """A temporary directory holding every server's files; stops the servers and removes it."""

    def __init__(self, keep=False):
        self.path = tempfile.mkdtemp(prefix="dnsfleet-xfrbench-")
        self.keep = keep
        self.servers = []

    def sub(self, name):
        p = os.path.join(self.path, name)
        os.makedirs(p, exist_ok=True)
        return p

    def start(self, server, wait=True, timeout=300):
        self.servers.append(server)
        server.start(wait=False)
        if wait:
            server.wait_ready(timeout=timeout)
        return server

    def stop(self, server):
        server.stop()
        if server in self.servers:
            self.servers.remove(server)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        for s in reversed(self.servers):
            s.stop()
        if not self.keep:
            subprocess.run(["rm", "-rf", self.path], timeout=120)
        else:
            print("kept", self.path)


def knot_primary(workdir, port, zones, journal=True, notify=None):
    """Knot serving `zones` ({apex: file}), transfers open to loopback, sending NOTIFY for
    every zone to each secondary of `notify` ({id: port})."""
    sections = []
    if notify:
        sections.append("remote:")
        for name, secondary_port in notify.items():
            sections += ["  - id: %s" % name, "    address: 127.0.0.1@%d" % secondary_port]
    sections += ["acl:", "  - id: loopback", "    address: 127.0.0.1",
                 "    action: transfer", "zone:"]
    for apex, path in zones.items():
        sections += ["  - domain: %s" % apex, '    file: "%s"' % path, "    acl: loopback"]
        if notify:
            sections.append("    notify: [%s]" % ", ".join(notify))
    return KnotConf(workdir, "\n".join(sections), zones=zones, port=port, journal=journal)


def knot_secondary(workdir, port, primary_port, zone):
    """Knot following `zone` from the primary on `primary_port`, taking its NOTIFYs; it starts
    with no copy of the zone (ready_zones=[])."""
    return KnotConf(workdir, """remote:
  - id: primary
    address: 127.0.0.1@%d
acl:
  - id: notify
    address: 127.0.0.1
    action: notify
zone:
  - domain: %s
    master: primary
    acl: notify
    file: "%s/secondary.zone"
""" % (primary_port, zone, workdir), port=port, ready_zones=[], journal=True)


def authd_primary(workdir, port, zones):
    body = ['[[acl]]', 'id = "loopback"', 'address = "127.0.0.0/8"', 'action = "transfer"']
    for apex, path in zones.items():
        body += ["[[zone]]", 'name = "%s"' % apex, 'file = "%s"' % path, 'acl = "loopback"']
    return AuthdConf(workdir, "\n".join(body), zones=zones, port=port)
