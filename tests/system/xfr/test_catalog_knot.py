"""Catalog zones (RFC 9432) against Knot DNS 3.2, both ways (issue 3 item 5).

Our side is lib/xfr's buildCatalog/readCatalog, reached through the KnotOracle tests of the
catalog_test unit-test binary ($DNSFLEET_CATALOG_TEST, else the newest build/*/lib/xfr/
catalog_test): one mode prints the catalog we build, the other reads a catalog zone file and
lists its members. What is expected always comes from the configuration given to Knot, never
from our own output.
"""
import glob
import os
import subprocess
import time

import dns.name
import dns.rdataclass
import dns.query
import dns.rdatatype
import dns.xfr
import dns.zone
import pytest

from harness import dnsq
from harness.servers import Server
from harness.tools import REPO_ROOT, require_tool

CATALOG = "catalog.example."
WAIT = 20.0


def catalog_binary():
    path = os.environ.get("DNSFLEET_CATALOG_TEST")
    if not path:
        found = [p for p in glob.glob(os.path.join(REPO_ROOT, "build", "*", "lib", "xfr",
                                                   "catalog_test")) if os.access(p, os.X_OK)]
        path = max(found, key=os.path.getmtime) if found else None
    if not path or not os.access(path, os.X_OK):
        pytest.fail("catalog_test not found (build it: ninja -C build/<dir> catalog_test, or set "
                    "DNSFLEET_CATALOG_TEST)", pytrace=False)
    return path


def run_oracle(test, env):
    full = dict(os.environ, **env)
    return subprocess.run([catalog_binary(), "--gtest_filter=KnotOracle." + test],
                          env=full, capture_output=True, text=True, timeout=60)


def member_zone_text(zone, serial):
    return ("$ORIGIN %s\n$TTL 300\n@ SOA ns.%s hostmaster.%s %d 3600 600 86400 300\n"
            "@ NS ns.%s\nns A 192.0.2.53\n" % (zone, zone, zone, serial, zone))


class CatalogKnot(Server):
    """knotd with a catalog zone (`interpret` from a file, or `generate`) and member templates."""

    kind = "knot"

    def __init__(self, workdir, conf_zones, templates, ready_zones):
        super().__init__([], workdir, ready_zones=ready_zones)
        self.conf_zones = conf_zones
        self.templates = templates
        self.binary = require_tool("knotd")

    def argv(self):
        wd = self.workdir
        os.makedirs(os.path.join(wd, "db"), exist_ok=True)
        conf = ["server:", '    rundir: "%s"' % wd, "    listen: 127.0.0.1@%d" % self.port,
                "    udp-workers: 1", "    tcp-workers: 1", "    background-workers: 1",
                "log:", '  - target: "stderr"', "    any: info",
                "database:", '    storage: "%s/db"' % wd,
                "acl:", "  - id: local", "    address: 127.0.0.1", "    action: transfer",
                "template:", "  - id: default", '    storage: "%s"' % wd,
                "    zonefile-sync: -1", "    journal-content: none"]
        for tid, storage in self.templates:
            conf += ["  - id: %s" % tid, '    storage: "%s"' % storage, '    file: "%s.zone"',
                     "    zonefile-sync: -1", "    journal-content: none"]
        conf.append("zone:")
        for lines in self.conf_zones:
            conf += lines
        path = os.path.join(wd, "knot.conf")
        with open(path, "w") as f:
            f.write("\n".join(conf) + "\n")
        return [self.binary, "-c", path]


def soa_serial(port, zone):
    r = dnsq.query(port, zone, "SOA")
    if r is None or not r.answer:
        return None
    return r.answer[0][0].serial


def wait_serial(srv, zone, serial, timeout=WAIT):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if soa_serial(srv.port, zone) == serial:
            return True
        assert srv.alive(), srv.log()
        time.sleep(0.2)
    return False


@pytest.fixture
def started():
    servers = []
    yield servers
    for srv in servers:
        srv.stop()


def interpreting_knot(tmp_path, catalog_file, members, started):
    """Knot interpreting `catalog_file`; every member has a file under `plain/` (serial 1) and
    one under `grp-a/` (serial 2), so the SOA serial shows which template Knot chose."""
    for sub, serial in (("plain", 1), ("grp-a", 2)):
        os.makedirs(tmp_path / sub, exist_ok=True)
        for zone in members:
            (tmp_path / sub / (zone + "zone")).write_text(member_zone_text(zone, serial))
    zones = [['  - domain: "%s"' % CATALOG, '    file: "%s"' % catalog_file,
              "    catalog-role: interpret", "    catalog-template: [ plain, grp-a ]"]]
    srv = CatalogKnot(str(tmp_path / "knot"), zones,
                      [("plain", str(tmp_path / "plain")), ("grp-a", str(tmp_path / "grp-a"))],
                      ready_zones=[])  # Knot does not answer queries for a catalog zone
    started.append(srv)
    return srv.start()


def test_knot_serves_the_members_of_our_catalog(tmp_path, started):
    """A catalog built by buildCatalog, printed by the zone printer, loaded by knotd with
    `catalog-role: interpret`: Knot serves every member, and the `group` property picks the
    template (RFC 9432 §4.4.2)."""
    members = {"a.example.": "grp-a", "b.example.": "", "c.example.": ""}
    catalog_file = str(tmp_path / "catalog.zone")
    r = run_oracle("WriteBuiltCatalog", {
        "DNSFLEET_CATALOG_WRITE": catalog_file, "DNSFLEET_CATALOG_APEX": CATALOG,
        "DNSFLEET_CATALOG_MEMBERS": ",".join("%s=%s" % kv for kv in members.items())})
    assert r.returncode == 0 and "[  PASSED  ] 1 test" in r.stdout, r.stdout + r.stderr

    srv = interpreting_knot(tmp_path, catalog_file, members, started)
    for zone, group in members.items():
        expected = 2 if group == "grp-a" else 1
        assert wait_serial(srv, zone, expected), \
            "Knot does not serve %s from template %s (serial %r). Log:\n%s" % (
                zone, group or "plain", soa_serial(srv.port, zone), srv.log())
    assert "catalog" not in "\n".join(l for l in srv.log().splitlines() if "error" in l), srv.log()


def test_broken_catalog_is_refused_by_knot_and_by_us(tmp_path, started):
    """Two PTRs at one member node make the catalog broken (RFC 9432 §4.2): Knot serves none of
    its members, and readCatalog refuses the whole catalog, the valid member included."""
    catalog_file = tmp_path / "catalog.zone"
    catalog_file.write_text(
        "$ORIGIN %s\n$TTL 0\n@ SOA invalid. invalid. 1 3600 600 2147483646 0\n@ NS invalid.\n"
        "version TXT \"2\"\ngood.zones PTR a.example.\ntwo.zones PTR b.example.\n"
        "two.zones PTR c.example.\n" % CATALOG)
    members_out = tmp_path / "members.txt"
    r = run_oracle("ReadCatalogFile", {
        "DNSFLEET_CATALOG_READ": str(catalog_file), "DNSFLEET_CATALOG_APEX": CATALOG,
        "DNSFLEET_CATALOG_MEMBERS_OUT": str(members_out)})
    assert r.returncode != 0 and "RFC 9432 §4.2" in r.stdout, r.stdout + r.stderr

    srv = interpreting_knot(tmp_path, str(catalog_file), ["a.example.", "b.example.", "c.example."],
                            started)
    deadline = time.monotonic() + WAIT
    while "failed to process catalog zone" not in srv.log() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert "failed to process catalog zone" in srv.log(), srv.log()
    for zone in ("a.example.", "b.example.", "c.example."):
        assert soa_serial(srv.port, zone) is None, srv.log()


def test_we_read_the_catalog_knot_generates(tmp_path, started):
    """knotd with `catalog-role: generate` lists its member zones; we fetch that catalog by AXFR
    (dnspython), and readCatalog finds every member with its `catalog-group`."""
    members = {"m1.example.": "grp1", "m2.example.": "", "m3.example.": "grp2"}
    zones = [['  - domain: "%s"' % CATALOG, "    catalog-role: generate", "    acl: local"]]
    for zone, group in members.items():
        (tmp_path / (zone + "zone")).write_text(member_zone_text(zone, 1))
        lines = ['  - domain: "%s"' % zone, '    file: "%s"' % (tmp_path / (zone + "zone")),
                 "    catalog-role: member", '    catalog-zone: "%s"' % CATALOG]
        if group:
            lines.append('    catalog-group: "%s"' % group)
        zones.append(lines)
    srv = CatalogKnot(str(tmp_path / "knot"), zones, [], ready_zones=list(members))
    started.append(srv)
    srv.start()

    deadline = time.monotonic() + WAIT
    xfr, ptrs = None, []
    while time.monotonic() < deadline:
        # Knot generates the catalog after loading the members; until then it says SERVFAIL
        try:
            xfr = dns.zone.from_xfr(dns.query.xfr("127.0.0.1", CATALOG, port=srv.port, timeout=5))
        except dns.xfr.TransferError:
            time.sleep(0.3)
            continue
        ptrs = [n for n, _ in xfr.iterate_rdatasets(dns.rdatatype.PTR)]
        if len(ptrs) == len(members):
            break
        time.sleep(0.3)
    assert xfr is not None and len(ptrs) == len(members), srv.log()
    catalog_file = tmp_path / "from-knot.zone"
    xfr.to_file(str(catalog_file), relativize=False)

    members_out = tmp_path / "members.txt"
    r = run_oracle("ReadCatalogFile", {
        "DNSFLEET_CATALOG_READ": str(catalog_file), "DNSFLEET_CATALOG_APEX": CATALOG,
        "DNSFLEET_CATALOG_MEMBERS_OUT": str(members_out)})
    assert r.returncode == 0 and "[  PASSED  ] 1 test" in r.stdout, r.stdout + r.stderr

    read = {}
    for line in members_out.read_text().splitlines():
        zone, uid, groups = (line.split(" ") + [""])[:3]
        read[zone] = (uid, groups)
    assert {z: g for z, (_, g) in read.items()} == members
    # the ids are Knot's own <unique-N> labels, taken from the owners of its PTRs
    knot_ids = {str(xfr[n].get_rdataset(dns.rdataclass.IN, dns.rdatatype.PTR)[0].target):
                n.labels[0].decode() for n in ptrs}
    assert {z: uid for z, (uid, _) in read.items()} == knot_ids
