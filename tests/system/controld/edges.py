"""Edges for the controld tests and benchmarks: a real dnsfleet-authd that follows controld's
catalog zone with the fleet TSIG key, and DNS queries to it.

The edge binary is $DNSFLEET_AUTHD, else the newest build/*/bin/dnsfleet-authd."""
import contextlib
import glob
import os
import re
import signal
import subprocess
import time

import dns.exception
import dns.message
import dns.query
import dns.rcode
import dns.rdatatype
import pytest

from conftest import REPO_ROOT, Controld, free_port
from dnsfleet_platform import staff_client

SYNC_TIMEOUT = 15.0
CATALOG = "catalog.dnsfleet.invalid."


def authd_binary():
    path = os.environ.get("DNSFLEET_AUTHD")
    if not path:
        candidates = [c for c in glob.glob(os.path.join(REPO_ROOT, "build", "*", "bin",
                                                        "dnsfleet-authd")) if os.access(c, os.X_OK)]
        if candidates:
            path = max(candidates, key=os.path.getmtime)
    if not path or not os.access(path, os.X_OK):
        pytest.fail("dnsfleet-authd not found (set DNSFLEET_AUTHD)", pytrace=False)
    return path


def eventually(predicate, timeout=SYNC_TIMEOUT, interval=0.1):
    """The first truthy value of predicate() within `timeout` seconds, else the last one."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)


def query(port, name, rtype="A"):
    """(rcode, [rdata text]) of a UDP query to 127.0.0.1:port, or (None, []) on timeout."""
    message = dns.message.make_query(name, rtype)
    message.flags &= ~0x0100  # no RD: an authoritative server, not a resolver
    try:
        answer = dns.query.udp(message, "127.0.0.1", port=port, timeout=0.5)
    except dns.exception.Timeout:
        return None, []
    records = [rd.to_text() for rrset in answer.answer
               if rrset.rdtype == dns.rdatatype.from_text(rtype) for rd in rrset]
    return answer.rcode(), sorted(records)


def soa_serial(port, zone):
    rcode, records = query(port, zone, "SOA")
    if rcode != dns.rcode.NOERROR or not records:
        return None
    return int(records[0].split()[2])


class Edge:
    """One dnsfleet-authd following controld's catalog, with its storage on disk."""

    def __init__(self, workdir, name, region, transfer_port, key_stanza):
        self.name, self.region = name, region
        self.dir = os.path.join(str(workdir), name)
        os.makedirs(self.dir, exist_ok=True)
        self.port, self.management = free_port(), free_port()
        self.address = "127.0.0.1:%d" % self.management
        self.config = os.path.join(self.dir, "authd.toml")
        with open(self.config, "w") as f:
            f.write('[server]\nlisten = ["127.0.0.1:%d"]\nmanagement-listen = ["%s"]\n'
                    'storage = "%s"\n\n%s\n' % (self.port, self.address,
                                                os.path.join(self.dir, "storage"), key_stanza))
            f.write('[[remote]]\nid = "controld"\naddress = "127.0.0.1:%d"\n'
                    'key = "dnsfleet-fleet"\n\n' % transfer_port)
            f.write('[[template]]\nid = "member"\nprimary = "controld"\n\n')
            f.write('[[zone]]\nname = "%s"\ntemplate = "member"\ncatalog-role = "consume"\n'
                    'catalog-template = "member"\n' % CATALOG)
        self.proc = None

    def start(self):
        self.log = open(os.path.join(self.dir, "authd.log"), "ab")
        self.proc = subprocess.Popen([authd_binary(), "--config", self.config], stdout=self.log,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        return self

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc is not None:
            self.log.close()
        self.proc = None


@contextlib.contextmanager
def controld_with_edges(workdir, database_url="", regions=("eu-west", "us-east"), fleet=None,
                        **api):
    """dnsfleet-controld (with extra [fleet] settings and [api] settings) and one Edge per
    region following its catalog with the key `fleet-key` prints, registered through the API by
    staff; yields (daemon, edges, staff client) and stops them all afterwards."""
    daemon = Controld(workdir, database_url=database_url, **api)
    with open(daemon.config, "a") as f:  # [fleet] is the file's last section
        for name, value in (fleet or {}).items():
            f.write("%s = %s\n" % (name, value))
    with open(daemon.config) as f:
        transfer_port = int(re.search(r'transfer-listen = "127.0.0.1:(\d+)"', f.read()).group(1))
    daemon.init()
    key = daemon.command("fleet-key").stdout
    assert key.startswith("[[key]]") and 'secret = "' in key, key
    edges = [Edge(workdir, "edge-" + region, region, transfer_port, key) for region in regions]
    daemon.start()
    try:
        for edge in edges:
            edge.start()
        staff = staff_client(daemon)
        for edge in edges:
            r = staff.post("/edges", json={"name": edge.name, "region": edge.region,
                                          "address": edge.address})
            assert r.status_code == 201, r.text
        yield daemon, edges, staff
    finally:
        for edge in edges:
            edge.stop()
        daemon.stop()
