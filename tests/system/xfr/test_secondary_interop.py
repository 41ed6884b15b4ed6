"""dnsfleet-authd as a secondary of Knot DNS and of BIND: AXFR first, then NOTIFY and IXFR
after an edit, and AXFR when the primary answers IXFR with a whole zone (RFC 1995 §4)."""
import os
import signal

from harness.servers import free_port
from xfr.peers import (KEY_NAME, SECRET, AuthdConf, BindConf, KnotConf, start, wait_log,
                       wait_serial, write_zone)

ZONE = "example.org."


def secondary_config(primary_port):
    return """
[[key]]
id = "%(key)s"
algorithm = "hmac-sha256"
secret = "%(secret)s"

[[remote]]
id = "primary"
address = "127.0.0.1:%(port)d"
key = "%(key)s"

[[zone]]
name = "%(zone)s"
primary = ["primary"]
""" % {"key": KEY_NAME, "secret": SECRET, "port": primary_port, "zone": ZONE}


def knot_primary_sections(zone_file, authd_port):
    return """
key:
  - id: %(key)s
    algorithm: hmac-sha256
    secret: %(secret)s
remote:
  - id: authd
    address: 127.0.0.1@%(port)d
    key: %(key)s
acl:
  - id: transfer
    address: 127.0.0.1
    key: %(key)s
    action: transfer
zone:
  - domain: %(zone)s
    file: "%(file)s"
    notify: authd
    acl: transfer
""" % {"key": KEY_NAME, "secret": SECRET, "port": authd_port, "zone": ZONE, "file": zone_file}


def bind_primary_statements(zone_file, authd_port, ixfr_from_differences):
    return """
key "%(key)s" { algorithm hmac-sha256; secret "%(secret)s"; };
zone "%(zone)s" {
    type primary;
    file "%(file)s";
    allow-transfer { key %(key)s; };
    also-notify { 127.0.0.1 port %(port)d key %(key)s; };
    notify explicit;
    ixfr-from-differences %(ixfr)s;
};
""" % {"key": KEY_NAME, "secret": SECRET, "port": authd_port, "zone": ZONE, "file": zone_file,
       "ixfr": "yes" if ixfr_from_differences else "no"}


def start_authd_secondary(servers, tmp_path, primary_port, authd_port):
    return start(servers, AuthdConf(str(tmp_path / "authd"), secondary_config(primary_port),
                                    port=authd_port, ready_zones=[]), wait=False)


def write_version(zone_file, serial):
    write_zone(zone_file, ZONE, serial, ["www A 192.0.2.10", "v%d TXT \"version %d\"" % (serial, serial)],
               refresh=3600, retry=600)


def test_authd_follows_knot_with_ixfr(servers, tmp_path):
    zone_file = str(tmp_path / "primary.zone")
    write_version(zone_file, 1)
    knot_port, authd_port = free_port(), free_port()
    workdir = str(tmp_path / "knot")
    os.makedirs(workdir, exist_ok=True)
    knot = start(servers, KnotConf(workdir, knot_primary_sections(zone_file, authd_port),
                                   port=knot_port, ready_zones=[ZONE], journal=True))
    authd = start_authd_secondary(servers, tmp_path, knot_port, authd_port)
    wait_serial(authd_port, ZONE, 1, timeout=20, proc_log=authd.log)
    wait_log(authd, "AXFR of serial 1")

    write_version(zone_file, 2)
    r = knot.knotc("zone-reload", ZONE)
    assert r.returncode == 0, r.stdout + r.stderr
    wait_serial(authd_port, ZONE, 2, timeout=15, proc_log=authd.log)
    wait_log(authd, "IXFR of serial 2")


def test_authd_follows_knot_without_journal_with_axfr_fallback(servers, tmp_path):
    """Knot without a journal answers IXFR with the whole zone (AXFR-style, RFC 1995 §4)."""
    zone_file = str(tmp_path / "primary.zone")
    write_version(zone_file, 1)
    knot_port, authd_port = free_port(), free_port()
    workdir = str(tmp_path / "knot")
    os.makedirs(workdir, exist_ok=True)
    knot = start(servers, KnotConf(workdir, knot_primary_sections(zone_file, authd_port),
                                   port=knot_port, ready_zones=[ZONE], journal=False))
    authd = start_authd_secondary(servers, tmp_path, knot_port, authd_port)
    wait_serial(authd_port, ZONE, 1, timeout=20, proc_log=authd.log)
    write_version(zone_file, 2)
    r = knot.knotc("zone-reload", ZONE)
    assert r.returncode == 0, r.stdout + r.stderr
    wait_serial(authd_port, ZONE, 2, timeout=15, proc_log=authd.log)
    wait_log(authd, "AXFR of serial 2")


def _bind_case(servers, tmp_path, ixfr_from_differences, expected):
    zone_file = str(tmp_path / "primary.zone")
    write_version(zone_file, 1)
    bind_port, authd_port = free_port(), free_port()
    named = start(servers, BindConf(str(tmp_path / "named"),
                                    bind_primary_statements(zone_file, authd_port,
                                                            ixfr_from_differences),
                                    port=bind_port, ready_zones=[ZONE]))
    authd = start_authd_secondary(servers, tmp_path, bind_port, authd_port)
    wait_serial(authd_port, ZONE, 1, timeout=20, proc_log=authd.log)
    write_version(zone_file, 2)
    named.signal(signal.SIGHUP)
    wait_serial(authd_port, ZONE, 2, timeout=15, proc_log=authd.log)
    wait_log(authd, expected)


def test_authd_follows_bind_with_ixfr(servers, tmp_path):
    _bind_case(servers, tmp_path, True, "IXFR of serial 2")


def test_authd_follows_bind_with_axfr_fallback(servers, tmp_path):
    _bind_case(servers, tmp_path, False, "AXFR of serial 2")


def test_authd_follows_authd_with_signed_refresh(servers, tmp_path):
    """A refresh asks the primary's SOA signed with the zone's key; our primary answers it
    signed (RFC 8945 §5.3), so the secondary trusts the serial and pulls the IXFR."""
    zone_file = str(tmp_path / "primary.zone")
    write_version(zone_file, 1)
    primary_port, secondary_port = free_port(), free_port()
    primary_body = """
[[key]]
id = "%(key)s"
secret = "%(secret)s"

[[acl]]
id = "signed"
address = "127.0.0.1"
key = "%(key)s"

[[zone]]
name = "%(zone)s"
file = "%(file)s"
acl = ["signed"]
""" % {"key": KEY_NAME, "secret": SECRET, "zone": ZONE, "file": zone_file}
    primary = start(servers, AuthdConf(str(tmp_path / "primary"), primary_body, port=primary_port,
                                       zones=[(ZONE, zone_file)]))
    secondary = start_authd_secondary(servers, tmp_path, primary_port, secondary_port)
    wait_serial(secondary_port, ZONE, 1, timeout=20, proc_log=secondary.log)
    write_version(zone_file, 2)
    primary.reload()
    wait_serial(primary_port, ZONE, 2, timeout=10, proc_log=primary.log)
    code, answer = secondary.ctl("refresh", ZONE)
    assert code == 0, answer
    wait_serial(secondary_port, ZONE, 2, timeout=10, proc_log=secondary.log)
    wait_log(secondary, "IXFR of serial 2")
    # an unsigned answer to the signed SOA query would have failed the refresh
    assert "refresh failed" not in secondary.full_log()
