"""Starting and stopping DNS servers (dnsfleet-authd, knotd, nsd) on free loopback ports.

Each server runs in its own process group with its own working directory; `stop()` sends SIGTERM
to the group, then SIGKILL, and is safe to call twice. Readiness is an authoritative SOA answer
for every zone, waited for with a bound; a failure shows the server's log.
"""
import os
import signal
import socket
import subprocess
import time

import pytest

from . import dnsq
from .tools import authd_binary, require_tool

READY_TIMEOUT = float(os.environ.get("DNSFLEET_READY_TIMEOUT", "15"))


def free_port():
    """A loopback port on which both UDP and TCP can be bound right now."""
    for _ in range(200):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
            u.bind(("127.0.0.1", 0))
            port = u.getsockname()[1]
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as t:
                t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                try:
                    t.bind(("127.0.0.1", port))
                except OSError:
                    continue
                return port
    raise RuntimeError("no free loopback port with both UDP and TCP")


def _zone_items(zones):
    items = list(zones.items()) if isinstance(zones, dict) else list(zones)
    return [(z if z.endswith(".") else z + ".", os.path.abspath(p)) for z, p in items]


class Server:
    """One server process. Subclasses fill in `argv()` (and write their config into `workdir`)."""

    kind = "server"

    def __init__(self, zones, workdir, port=None, ready_zones=None):
        self.zones = _zone_items(zones)
        self.workdir = workdir
        os.makedirs(workdir, exist_ok=True)
        self.port = port or free_port()
        self.log_path = os.path.join(workdir, "%s.log" % self.kind)
        self.proc = None
        self._log = None
        # zones that must answer before the server counts as up (a test may load a broken one)
        self.ready_zones = [z for z, _ in self.zones] if ready_zones is None else list(ready_zones)

    def argv(self):
        raise NotImplementedError

    def start(self, wait=True):
        argv = self.argv()
        self._log = open(self.log_path, "ab")
        self._log.write(("$ %s\n" % " ".join(argv)).encode())
        self._log.flush()
        self.proc = subprocess.Popen(argv, stdout=self._log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, cwd=self.workdir, start_new_session=True)
        if wait:
            self.wait_ready()
        return self

    def log(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode(errors="replace")[-8000:]
        except OSError:
            return "(no log)"

    def wait_ready(self, timeout=READY_TIMEOUT):
        deadline = time.monotonic() + timeout
        for zone in self.ready_zones:
            if not dnsq.wait_for_soa(self.port, zone, deadline, self.proc):
                state = ("exited with status %s" % self.proc.returncode if self.proc.poll() is not None
                         else "still running but not answering")
                self.stop()
                pytest.fail("%s on port %d did not answer SOA %s within %.0fs (%s). Log:\n%s"
                            % (self.kind, self.port, zone, timeout, state, self.log()), pytrace=False)

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                pass
        # whatever is left in the group (the leader or children that outlived it) is killed
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            pass
        if self._log is not None:
            self._log.close()
            self._log = None

    # convenience wrappers around dnsq for tests
    def query(self, qname, qtype="A", **kw):
        return dnsq.query(self.port, qname, qtype, **kw)

    def raw_udp(self, wire, timeout=dnsq.DEFAULT_TIMEOUT):
        return dnsq.udp_exchange(self.port, wire, timeout)

    def raw_tcp(self, wire, timeout=dnsq.DEFAULT_TIMEOUT):
        return dnsq.tcp_exchange(self.port, wire, timeout)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


class Authd(Server):
    """dnsfleet-authd started with command-line flags only."""

    kind = "authd"

    def __init__(self, zones, workdir, port=None, threads=1, extra_args=(), ready_zones=None):
        super().__init__(zones, workdir, port, ready_zones)
        self.threads = threads
        self.extra_args = list(extra_args)
        self.binary = authd_binary()

    def argv(self):
        argv = [self.binary]
        for z, p in self.zones:
            argv += ["--zone", "%s=%s" % (z, p)]
        argv += ["--listen", "127.0.0.1:%d" % self.port, "--threads", str(self.threads)]
        return argv + self.extra_args


class Knot(Server):
    """knotd in the foreground with a generated knot.conf (no journal, no zone-file flush)."""

    kind = "knot"

    def __init__(self, zones, workdir, port=None, nsid=None, ready_zones=None):
        super().__init__(zones, workdir, port, ready_zones)
        self.nsid = nsid
        self.binary = require_tool("knotd")

    def argv(self):
        wd = self.workdir
        os.makedirs(os.path.join(wd, "db"), exist_ok=True)
        conf = ["server:", '    rundir: "%s"' % wd, "    listen: 127.0.0.1@%d" % self.port,
                "    udp-workers: 1", "    tcp-workers: 1", "    background-workers: 1"]
        if self.nsid:
            conf.append('    nsid: "%s"' % self.nsid)
        conf += ["log:", '  - target: "stderr"', "    any: info",
                 "database:", '    storage: "%s/db"' % wd,
                 "template:", "  - id: default", '    storage: "%s"' % wd,
                 "    zonefile-sync: -1", "    zonefile-load: whole", "    journal-content: none",
                 "    semantic-checks: off",
                 "zone:"]
        for z, p in self.zones:
            conf += ["  - domain: \"%s\"" % z, '    file: "%s"' % p]
        path = os.path.join(wd, "knot.conf")
        with open(path, "w") as f:
            f.write("\n".join(conf) + "\n")
        return [self.binary, "-c", path]


class Nsd(Server):
    """nsd in the foreground (-d) with a generated nsd.conf, RRL off."""

    kind = "nsd"

    def __init__(self, zones, workdir, port=None, nsid=None, ready_zones=None):
        super().__init__(zones, workdir, port, ready_zones)
        self.nsid = nsid
        self.binary = require_tool("nsd")

    def argv(self):
        wd = self.workdir
        conf = ["server:", "  ip-address: 127.0.0.1", "  port: %d" % self.port, "  server-count: 1",
                '  username: ""', '  chroot: ""', '  zonesdir: ""', '  database: ""',
                '  pidfile: "%s/nsd.pid"' % wd, '  xfrdfile: "%s/xfrd.state"' % wd,
                '  zonelistfile: "%s/zone.list"' % wd, '  xfrdir: "%s"' % wd,
                "  verbosity: 1", "  rrl-ratelimit: 0", "  rrl-whitelist-ratelimit: 0",
                "  minimal-responses: no", "  refuse-any: no"]
        if self.nsid:
            conf.append('  nsid: "ascii_%s"' % self.nsid)
        conf += ["remote-control:", "  control-enable: no"]
        for z, p in self.zones:
            conf += ["zone:", "  name: \"%s\"" % z, '  zonefile: "%s"' % p]
        path = os.path.join(wd, "nsd.conf")
        with open(path, "w") as f:
            f.write("\n".join(conf) + "\n")
        return [self.binary, "-d", "-c", path]


KINDS = {"authd": Authd, "knot": Knot, "nsd": Nsd}


def make_server(kind, zones, workdir, **kw):
    if kind not in KINDS:
        pytest.fail("unknown server kind %r (expected one of %s)" % (kind, ", ".join(KINDS)),
                    pytrace=False)
    cls = KINDS[kind]
    if cls is Authd:
        kw.pop("nsid", None)
    return cls(zones, workdir, **kw)
