"""dnsfleet-authd as the primary of Knot DNS and NSD: AXFR, then NOTIFY and IXFR after an edit,
all under TSIG (RFC 5936, RFC 1995, RFC 1996, RFC 8945)."""
import os

import dns.rdatatype

from harness import dnsq
from harness.servers import free_port
from xfr.peers import (KEY_NAME, SECRET, AuthdConf, KnotConf, NsdConf, start, wait_log,
                       wait_serial, write_zone)

ZONE = "example.com."


def primary_config(zone_file, secondary_port, notify=True):
    return """
[[key]]
id = "%(key)s"
algorithm = "hmac-sha256"
secret = "%(secret)s"

[[remote]]
id = "secondary"
address = "127.0.0.1:%(port)d"
key = "%(key)s"

[[acl]]
id = "secondaries"
address = "127.0.0.0/8"
key = "%(key)s"
action = "transfer"

[[zone]]
name = "%(zone)s"
file = "%(file)s"
acl = ["secondaries"]
%(notify)s
""" % {"key": KEY_NAME, "secret": SECRET, "port": secondary_port, "zone": ZONE,
       "file": zone_file, "notify": 'notify = ["secondary"]' if notify else ""}


def knot_secondary_sections(primary_port, workdir):
    return """
key:
  - id: %(key)s
    algorithm: hmac-sha256
    secret: %(secret)s
remote:
  - id: primary
    address: 127.0.0.1@%(port)d
    key: %(key)s
acl:
  - id: notify-from-primary
    address: 127.0.0.1
    key: %(key)s
    action: notify
zone:
  - domain: %(zone)s
    master: primary
    acl: notify-from-primary
    file: "%(wd)s/secondary.zone"
""" % {"key": KEY_NAME, "secret": SECRET, "port": primary_port, "zone": ZONE, "wd": workdir}


def nsd_secondary_sections(primary_port):
    return """
key:
  name: "%(key)s"
  algorithm: hmac-sha256
  secret: "%(secret)s"
zone:
  name: "%(zone)s"
  zonefile: "secondary.zone"
  request-xfr: 127.0.0.1@%(port)d %(key)s
  allow-notify: 127.0.0.1 %(key)s
""" % {"key": KEY_NAME, "secret": SECRET, "port": primary_port, "zone": ZONE}


def edit_and_reload(authd, zone_file, serial):
    # a long SOA refresh: only NOTIFY can bring the change over within the test's wait
    write_zone(zone_file, ZONE, serial, ["www A 192.0.2.10", "new%d A 192.0.2.%d" % (serial, serial)],
               refresh=3600, retry=600)
    authd.reload()


def run_secondary(servers, tmp_path, make_secondary):
    zone_file = str(tmp_path / "example.com.zone")
    write_zone(zone_file, ZONE, 1, ["www A 192.0.2.10"], refresh=3600, retry=600)
    authd_port, secondary_port = free_port(), free_port()
    authd = start(servers, AuthdConf(str(tmp_path / "authd"), primary_config(zone_file, secondary_port),
                                     zones=[(ZONE, zone_file)], port=authd_port))
    secondary = start(servers, make_secondary(str(tmp_path / "secondary"), authd_port,
                                              secondary_port), wait=False)
    # AXFR on first contact
    wait_serial(secondary.port, ZONE, 1, timeout=20, proc_log=secondary.log)
    www = dnsq.query(secondary.port, "www." + ZONE, "A")
    assert [rr.to_text() for rr in www.answer[0]] == ["192.0.2.10"]
    wait_log(authd, "AXFR of example.com. serial 1 to 127.0.0.1")

    # NOTIFY, then IXFR carrying only the change
    edit_and_reload(authd, zone_file, 2)
    wait_serial(secondary.port, ZONE, 2, timeout=10, proc_log=secondary.log)
    r = dnsq.query(secondary.port, "new2." + ZONE, "A")
    assert r.answer and r.answer[0][0].to_text() == "192.0.2.2"
    wait_log(authd, "IXFR from 1 of example.com. serial 2 to 127.0.0.1")
    return authd, secondary


def test_knot_follows_authd_with_axfr_notify_ixfr_and_tsig(servers, tmp_path):
    def make(workdir, authd_port, port):
        os.makedirs(workdir, exist_ok=True)
        return KnotConf(workdir, knot_secondary_sections(authd_port, workdir), port=port,
                        ready_zones=[])
    authd, knot = run_secondary(servers, tmp_path, make)
    log = knot.full_log()
    assert "IXFR, incoming" in log or "IXFR" in log


def test_nsd_follows_authd_with_axfr_notify_ixfr_and_tsig(servers, tmp_path):
    def make(workdir, authd_port, port):
        os.makedirs(workdir, exist_ok=True)
        return NsdConf(workdir, nsd_secondary_sections(authd_port), port=port, ready_zones=[])
    run_secondary(servers, tmp_path, make)
