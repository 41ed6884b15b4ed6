"""Catalog zones (RFC 9432) between running servers: dnsfleet-authd follows a catalog Knot
generates (members added and removed as it changes), and Knot follows a catalog dnsfleet-authd
produces."""
import os
import time

from harness.servers import free_port
from xfr.peers import AuthdConf, KnotConf, soa_serial, start, wait_log, wait_serial, write_zone

CATALOG = "catalog.example."
WAIT = 20


def wait_until(predicate, what, log, timeout=WAIT):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError("%s within %ds. Log:\n%s" % (what, timeout, log()))


def knot_generating(workdir, members, authd_port):
    zones = ['  - domain: "%s"' % CATALOG, "    catalog-role: generate", "    acl: local",
             "    notify: authd"]
    for zone, path in members.items():
        zones += ['  - domain: "%s"' % zone, '    file: "%s"' % path, "    catalog-role: member",
                  '    catalog-zone: "%s"' % CATALOG, "    acl: local", "    notify: authd"]
    return "\n".join(["remote:", "  - id: authd", "    address: 127.0.0.1@%d" % authd_port,
                      "acl:", "  - id: local", "    address: 127.0.0.1", "    action: transfer",
                      "zone:"] + zones)


def test_authd_follows_the_catalog_knot_generates(servers, tmp_path):
    members = {}
    for i in (1, 2, 3):
        zone = "m%d.example." % i
        path = str(tmp_path / (zone + "zone"))
        write_zone(path, zone, 10 + i, ["www A 192.0.2.%d" % i])
        members[zone] = path
    knot_port, authd_port = free_port(), free_port()
    workdir = str(tmp_path / "knot")
    os.makedirs(workdir, exist_ok=True)
    knot = start(servers, KnotConf(workdir, knot_generating(workdir, members, authd_port),
                                   port=knot_port, ready_zones=list(members), journal=False))
    body = """
[[remote]]
id = "knot"
address = "127.0.0.1:%d"

[[template]]
id = "members"
primary = ["knot"]

[[zone]]
name = "%s"
primary = ["knot"]
catalog-role = "consume"
catalog-template = ["members"]
# Knot's generated catalog asks for a 600 s retry; the test cannot wait that long when Knot
# refuses a query in the middle of its own reload
retry-max = "1s"
""" % (knot_port, CATALOG)
    authd = start(servers, AuthdConf(str(tmp_path / "authd"), body, port=authd_port,
                                     ready_zones=[]), wait=False)
    for i, zone in enumerate(members, start=1):
        wait_serial(authd.port, zone, 10 + i, timeout=WAIT, proc_log=authd.log)
    wait_log(authd, "member")

    # Knot drops m3 from its catalog: authd stops serving it (RFC 9432 §5.3)
    del members["m3.example."]
    knot.sections = knot_generating(workdir, members, authd_port)
    knot.argv()  # rewrites knot.conf
    r = knot.knotc("reload")
    assert r.returncode == 0, r.stdout + r.stderr
    wait_until(lambda: soa_serial(authd.port, "m3.example.") is None,
               "authd still serves m3.example.", authd.log)
    assert soa_serial(authd.port, "m1.example.") == 11
    wait_log(authd, "no longer a member of catalog")


def test_knot_follows_the_catalog_authd_produces(servers, tmp_path):
    knot_port, authd_port = free_port(), free_port()
    zones = ""
    expected = {}
    for i in (1, 2):
        zone = "p%d.example." % i
        path = str(tmp_path / (zone + "zone"))
        write_zone(path, zone, 20 + i, ["www A 192.0.2.%d" % i])
        expected[zone] = 20 + i
        zones += """
[[zone]]
name = "%s"
file = "%s"
catalog = "%s"
acl = ["local"]
notify = ["knot"]
""" % (zone, path, CATALOG)
    body = """
[[remote]]
id = "knot"
address = "127.0.0.1:%d"

[[acl]]
id = "local"
address = "127.0.0.1"

[[zone]]
name = "%s"
catalog-role = "produce"
acl = ["local"]
notify = ["knot"]
%s""" % (knot_port, CATALOG, zones)
    authd = start(servers, AuthdConf(str(tmp_path / "authd"), body, port=authd_port,
                                     ready_zones=[CATALOG] + list(expected)))
    workdir = str(tmp_path / "knot")
    os.makedirs(workdir, exist_ok=True)
    sections = "\n".join([
        "remote:", "  - id: authd", "    address: 127.0.0.1@%d" % authd_port,
        "acl:", "  - id: notify", "    address: 127.0.0.1", "    action: notify",
        "template:", "  - id: members", "    master: authd", "    acl: notify",
        '    storage: "%s"' % workdir, '    file: "%%s.zone"', "    zonefile-sync: -1",
        "    journal-content: none",
        "zone:", '  - domain: "%s"' % CATALOG, "    master: authd", "    acl: notify",
        "    catalog-role: interpret", "    catalog-template: members"])
    knot = start(servers, KnotConf(workdir, sections, port=knot_port, ready_zones=[]), wait=False)
    for zone, serial in expected.items():
        wait_serial(knot.port, zone, serial, timeout=WAIT, proc_log=knot.log)
