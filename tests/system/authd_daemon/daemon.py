"""Starting dnsfleet-authd with any command line (config files, signals) for the daemon tests.

The fixtures in ../conftest.py start the server from flags only; these tests need config files,
signals and exit codes, so they drive the process themselves, always in its own process group,
always stopped (SIGTERM, then SIGKILL) at the end.
"""
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

import dns.rcode

from harness import dnsq
from harness.servers import free_port
from harness.tools import authd_binary

ZONE_TEMPLATE = """$ORIGIN {apex}
$TTL 300
@    IN SOA ns.{apex} admin.{apex} {serial} 3600 900 604800 60
@       NS  ns.{apex}
ns      A   192.0.2.1
www     A   192.0.2.{host}
{extra}
"""


def zone_text(apex, serial=1, host=10, extra=""):
    return ZONE_TEMPLATE.format(apex=apex, serial=serial, host=host, extra=extra)


def make_workdir():
    """A temp folder every user can read: after dropping root (to nobody) the daemon must still
    read its zone files on reload, and pytest's own tmp_path is private to root."""
    path = tempfile.mkdtemp(prefix="dnsfleet-authd-test-", dir="/tmp")
    os.chmod(path, 0o755)
    return path


def remove_workdir(path):
    shutil.rmtree(path, ignore_errors=True)


def write(path, text):
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, 0o644)
    return path


class Daemon:
    def __init__(self, args, workdir):
        self.args = [authd_binary()] + list(args)
        self.workdir = workdir
        self.log_path = os.path.join(workdir, "authd.log")
        self.proc = None

    def start(self):
        self._log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(self.args, stdout=self._log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, cwd=self.workdir,
                                     start_new_session=True)
        return self

    def wait_soa(self, port, zone, timeout=15):
        ok = dnsq.wait_for_soa(port, zone, time.monotonic() + timeout, self.proc)
        assert ok, "no SOA answer for %s on port %d; log:\n%s" % (zone, port, self.log())
        return self

    def log(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode(errors="replace")
        except OSError:
            return ""

    def wait_log(self, needle, timeout=10):
        """Waits (bounded) until `needle` appears in the log; returns the log."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = self.log()
            if needle in text:
                return text
            time.sleep(0.05)
        raise AssertionError("%r not in the log within %ss:\n%s" % (needle, timeout, self.log()))

    def signal(self, sig):
        os.kill(self.proc.pid, sig)

    def wait_exit(self, timeout=10):
        return self.proc.wait(timeout)

    def stop(self):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(5)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                pass
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            pass
        self._log.close()


def udp_exchange_any(port, wire, host, timeout=2.0):
    """Like harness.dnsq.udp_exchange, for IPv4 or IPv6 hosts."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_DGRAM) as s:
        s.settimeout(timeout)
        s.connect((host, port))
        s.send(wire)
        try:
            return s.recv(65535)
        except (socket.timeout, ConnectionRefusedError):
            return None


def serial_of(port, zone, host="127.0.0.1"):
    q = dnsq.make_query(zone, "SOA")
    r = dnsq.parse(udp_exchange_any(port, q.to_wire(), host))
    if r is None or r.rcode() != dns.rcode.NOERROR or not r.answer:
        return None
    return r.answer[0][0].serial


def wait_until(predicate, timeout=10, step=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    return predicate()

