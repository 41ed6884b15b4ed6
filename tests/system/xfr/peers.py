"""Configured servers for the transfer tests: dnsfleet-authd from a TOML file, Knot DNS, NSD and
BIND as primaries and secondaries, each on free loopback ports in its own temp directory.

The zone files the tests edit are generated here, so that every version of a zone is known:
`write_zone(path, origin, serial, extra)` writes an SOA, two NS, glue and `extra` records.
"""
import base64
import os
import signal
import struct
import subprocess
import time

import dns.message
import dns.name
import dns.query
import dns.rcode
import dns.rdatatype
import dns.tsigkeyring
import pytest

from harness import dnsq
from harness.servers import Server, free_port
from harness.tools import authd_binary, require_tool

SECRET = base64.b64encode(b"dnsfleet transfer test key 32 o!").decode()
OTHER_SECRET = base64.b64encode(b"a different secret, same length!").decode()
KEY_NAME = "xfr-key"


def keyring(name=KEY_NAME, secret=SECRET, algorithm="hmac-sha256"):
    return dns.tsigkeyring.from_text({name: (algorithm, secret)})


def write_zone(path, origin, serial, extra=(), ttl=300, refresh=2, retry=1, expire=3600):
    """Writes a zone with short SOA timers (secondaries refresh within seconds)."""
    origin = origin.rstrip(".") + "."
    lines = [
        "$ORIGIN %s" % origin,
        "$TTL %d" % ttl,
        "@ SOA ns1 hostmaster %d %d %d %d 300" % (serial, refresh, retry, expire),
        "@ NS ns1",
        "@ NS ns2",
        "ns1 A 192.0.2.1",
        "ns2 A 192.0.2.2",
    ]
    lines += list(extra)
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write("\n".join(lines) + "\n")
    os.replace(tmp, path)
    # a fresh mtime even within the same second, so reloads see the change
    now = time.time()
    os.utime(path, (now, now + serial % 1000 / 1000.0))


def soa_serial(port, zone, tcp=False, timeout=2.0):
    """The serial the server at `port` answers for `zone`, or None (no answer, not authoritative)."""
    try:
        r = dnsq.query(port, zone, "SOA", tcp=tcp, timeout=timeout)
    except Exception:
        return None
    if r is None or r.rcode() != dns.rcode.NOERROR or not r.answer:
        return None
    for rrset in r.answer:
        if rrset.rdtype == dns.rdatatype.SOA:
            return rrset[0].serial
    return None


def wait_serial(port, zone, serial, timeout=15.0, proc_log=None):
    """Waits until `zone` answers with `serial`; fails the test with the last answer otherwise."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = soa_serial(port, zone)
        if last == serial:
            return
        time.sleep(0.05)
    msg = "%s at port %d: serial %r, expected %d after %.0fs" % (zone, port, last, serial, timeout)
    if proc_log is not None:
        msg += "\nlog:\n" + proc_log()
    pytest.fail(msg, pytrace=False)


def axfr_records(port, zone, keyring_=None, keyname=None, timeout=10):
    """The zone's records as a set of text lines, transferred with dnspython's AXFR client."""
    msgs = dns.query.xfr("127.0.0.1", zone, port=port, keyring=keyring_, keyname=keyname,
                         lifetime=timeout, relativize=False)
    out = set()
    soa_seen = 0
    for m in msgs:
        for rrset in m.answer:
            for rd in rrset:
                if rrset.rdtype == dns.rdatatype.SOA:
                    soa_seen += 1
                out.add("%s %d %s %s" % (rrset.name, rrset.ttl, dns.rdatatype.to_text(rrset.rdtype),
                                         rd.to_text()))
    return out


def wait_log(server, text, timeout=10.0):
    """Waits until `text` appears in the server's log; returns the log."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        log = server.full_log()
        if text in log:
            return log
        time.sleep(0.05)
    pytest.fail("%r not in the %s log after %.0fs:\n%s" % (text, server.kind, timeout,
                                                           server.log()), pytrace=False)


class ConfiguredServer(Server):
    """A server whose configuration file the test writes; readiness as Server's."""

    def full_log(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode(errors="replace")
        except OSError:
            return ""

    def signal(self, sig):
        os.killpg(self.proc.pid, sig)

    def kill9(self):
        """SIGKILL, no clean-up: what a crash or power cut leaves."""
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait(5)


class AuthdConf(ConfiguredServer):
    """dnsfleet-authd with a TOML configuration. `body` holds every table after [server]."""

    kind = "authd"

    def __init__(self, workdir, body, zones=(), port=None, server_extra="", ready_zones=None):
        super().__init__(zones, workdir, port, ready_zones)
        self.body = body
        self.server_extra = server_extra
        self.binary = authd_binary()
        self.storage = os.path.join(workdir, "store")
        self.control = os.path.join(workdir, "control.sock")
        self.config_path = os.path.join(workdir, "authd.toml")

    def write_config(self, body=None):
        if body is not None:
            self.body = body
        text = "\n".join([
            "[server]",
            'listen = ["127.0.0.1:%d"]' % self.port,
            "threads = 1",
            'storage = "%s"' % self.storage,
            'control-socket = "%s"' % self.control,
            'log-level = "debug"',
            # the test's temp dirs are private to root: a dropped user could not re-read them
            'user = "root"',
            self.server_extra,
            "",
            self.body,
        ])
        with open(self.config_path, "w") as f:
            f.write(text + "\n")

    def argv(self):
        self.write_config()
        return [self.binary, "--config", self.config_path]

    def ctl(self, *words, timeout=30):
        """Runs `dnsfleet-authd ctl --socket ... words`; returns (exit code, parsed JSON or text)."""
        import json
        r = subprocess.run([self.binary, "ctl", "--socket", self.control] + list(words),
                           capture_output=True, text=True, timeout=timeout)
        try:
            return r.returncode, json.loads(r.stdout)
        except ValueError:
            return r.returncode, r.stdout + r.stderr

    def reload(self, body=None):
        if body is not None:
            self.write_config(body)
        self.signal(signal.SIGHUP)


class KnotConf(ConfiguredServer):
    """knotd with a knot.conf whose `key`, `remote`, `acl` and `zone` sections the test gives."""

    kind = "knot"

    def __init__(self, workdir, sections, zones=(), port=None, ready_zones=None, journal=True):
        super().__init__(zones, workdir, port, ready_zones)
        self.sections = sections
        self.journal = journal
        self.binary = require_tool("knotd")
        self.conf_path = os.path.join(workdir, "knot.conf")

    def argv(self):
        wd = self.workdir
        os.makedirs(os.path.join(wd, "db"), exist_ok=True)
        conf = ["server:", '    rundir: "%s"' % wd, "    listen: 127.0.0.1@%d" % self.port,
                "    udp-workers: 1", "    tcp-workers: 1", "    background-workers: 1",
                "log:", '  - target: "stderr"', "    any: info",
                "database:", '    storage: "%s/db"' % wd,
                "template:", "  - id: default", '    storage: "%s"' % wd,
                "    zonefile-sync: -1",
                "    zonefile-load: %s" % ("difference" if self.journal else "whole"),
                "    journal-content: %s" % ("changes" if self.journal else "none"),
                "    semantic-checks: off"]
        conf += [self.sections]
        with open(self.conf_path, "w") as f:
            f.write("\n".join(conf) + "\n")
        return [self.binary, "-c", self.conf_path]

    def knotc(self, *args):
        return subprocess.run([require_tool("knotc"), "-c", self.conf_path] + list(args),
                              capture_output=True, text=True, timeout=30)


class NsdConf(ConfiguredServer):
    kind = "nsd"

    def __init__(self, workdir, sections, zones=(), port=None, ready_zones=None):
        super().__init__(zones, workdir, port, ready_zones)
        self.sections = sections
        self.binary = require_tool("nsd")

    def argv(self):
        wd = self.workdir
        conf = ["server:", "  ip-address: 127.0.0.1", "  port: %d" % self.port, "  server-count: 1",
                '  username: ""', '  chroot: ""', '  zonesdir: "%s"' % wd, '  database: ""',
                '  pidfile: "%s/nsd.pid"' % wd, '  xfrdfile: "%s/xfrd.state"' % wd,
                '  zonelistfile: "%s/zone.list"' % wd, '  xfrdir: "%s"' % wd,
                "  verbosity: 2", "  rrl-ratelimit: 0",
                "remote-control:", "  control-enable: no", self.sections]
        path = os.path.join(wd, "nsd.conf")
        with open(path, "w") as f:
            f.write("\n".join(conf) + "\n")
        return [self.binary, "-d", "-c", path]


class BindConf(ConfiguredServer):
    kind = "named"

    def __init__(self, workdir, statements, zones=(), port=None, ready_zones=None,
                 options_extra=""):
        super().__init__(zones, workdir, port, ready_zones)
        self.statements = statements
        self.options_extra = options_extra
        self.binary = require_tool("named")

    def argv(self):
        wd = self.workdir
        conf = """
options {
    directory "%s";
    pid-file "%s/named.pid";
    session-keyfile "%s/session.key";
    listen-on port %d { 127.0.0.1; };
    listen-on-v6 { none; };
    recursion no;
    dnssec-validation no;
    notify explicit;
    %s
};
controls { };
%s
""" % (wd, wd, wd, self.port, self.options_extra, self.statements)
        path = os.path.join(wd, "named.conf")
        with open(path, "w") as f:
            f.write(conf)
        return [self.binary, "-g", "-c", path]


def start(factory_list, server, wait=True):
    """Starts `server`, remembering it for the fixture's clean-up."""
    factory_list.append(server)
    server.start(wait=wait)
    return server


def _skip_name(wire, pos):
    while True:
        length = wire[pos]
        if length & 0xC0 == 0xC0:
            return pos + 2
        pos += 1 + length
        if length == 0:
            return pos


def tsig_error(wire):
    """The error field of the message's TSIG record (the last record), read by hand so that a
    reply whose MAC does not verify (BADSIG, BADKEY) can still be looked at; None without TSIG."""
    counts = struct.unpack("!HHHH", wire[4:12])
    pos = 12
    for _ in range(counts[0]):
        pos = _skip_name(wire, pos) + 4
    records = counts[1] + counts[2] + counts[3]
    for i in range(records):
        pos = _skip_name(wire, pos)
        rtype, _cls, _ttl, rdlen = struct.unpack("!HHIH", wire[pos:pos + 10])
        pos += 10
        if i == records - 1 and rtype == 250:
            p = _skip_name(wire, pos) + 8  # algorithm, time signed, fudge
            mac_size = struct.unpack("!H", wire[p:p + 2])[0]
            p += 2 + mac_size + 2  # MAC, original id
            return struct.unpack("!H", wire[p:p + 2])[0]
        pos += rdlen
    return None


# ---- XFR over TLS (RFC 9103) ----

def self_signed_cert(directory, dns_name):
    """An EC P-256 key and a self-signed certificate for `dns_name` (in its SAN), written with
    the openssl CLI; returns (cert_path, key_path, spki_pin). The certificate is its own CA."""
    os.makedirs(directory, exist_ok=True)
    cert = os.path.join(directory, dns_name + ".pem")
    key = os.path.join(directory, dns_name + ".key")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:P-256", "-nodes", "-keyout", key, "-out", cert,
                    "-days", "2", "-subj", "/CN=" + dns_name,
                    "-addext", "subjectAltName=DNS:" + dns_name],
                   check=True, capture_output=True, timeout=30)
    return cert, key, spki_pin(cert)


def spki_pin(cert):
    """The RFC 7858 pin: base64 of the SHA-256 of the certificate's DER SubjectPublicKeyInfo."""
    pub = subprocess.run(["openssl", "x509", "-in", cert, "-noout", "-pubkey"], check=True,
                         capture_output=True, timeout=30).stdout
    der = subprocess.run(["openssl", "pkey", "-pubin", "-outform", "der"], input=pub, check=True,
                         capture_output=True, timeout=30).stdout
    import hashlib
    return base64.b64encode(hashlib.sha256(der).digest()).decode()


def xot_exchange(port, wire, ca_file, hostname, timeout=10.0, max_messages=1000):
    """Sends one request over TLS 1.3 with ALPN "dot" (RFC 9103 §7.1), the server checked by
    `hostname` against `ca_file`; returns the reply messages (bytes) of the request: one for a
    query or a refusal, every message of a transfer up to its closing SOA."""
    import socket
    import ssl
    context = ssl.create_default_context(cafile=ca_file)
    context.minimum_version = ssl.TLSVersion.TLSv1_3
    context.set_alpn_protocols(["dot"])
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as raw:
        with context.wrap_socket(raw, server_hostname=hostname) as s:
            assert s.selected_alpn_protocol() == "dot"
            s.sendall(struct.pack("!H", len(wire)) + wire)
            replies = []
            soas = 0
            while len(replies) < max_messages:
                head = _recv_all(s, 2)
                if head is None:
                    break
                body = _recv_all(s, struct.unpack("!H", head)[0])
                if body is None:
                    break
                replies.append(body)
                m = without_tsig(body)
                if m.rcode() != dns.rcode.NOERROR or not m.question or \
                        m.question[0].rdtype not in (dns.rdatatype.AXFR, dns.rdatatype.IXFR):
                    break
                soas += sum(len(rrset) for rrset in m.answer if rrset.rdtype == dns.rdatatype.SOA)
                if soas >= 2:
                    break
            return replies


def without_tsig(wire):
    """The message parsed with its TSIG record (the last one) left out: for reading the records
    of a transfer whose signatures the test does not check message by message."""
    if tsig_error(wire) is not None:
        arcount = struct.unpack("!H", wire[10:12])[0]
        wire = wire[:10] + struct.pack("!H", arcount - 1) + wire[12:]
    return dns.message.from_wire(wire, ignore_trailing=True, one_rr_per_rrset=True)


def _recv_all(s, n):
    data = b""
    while len(data) < n:
        chunk = s.recv(n - len(data))
        if not chunk:
            return None
        data += chunk
    return data
