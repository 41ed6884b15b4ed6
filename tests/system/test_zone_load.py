"""Zone-load failures (issue 2, "Bad input"): a bad zone file gets a clear `file:line: message`,
is not served, and the good zones beside it keep serving. dnsfleet-authd only."""
import os
import re
import subprocess

import dns.rcode

from harness.asserts import answer_texts, assert_rcode
from harness.tools import authd_binary

GOOD = """$ORIGIN good.test.
$TTL 300
@    IN SOA ns.good.test. admin.good.test. 1 3600 900 604800 60
@       NS  ns.good.test.
ns      A   192.0.2.1
www     A   192.0.2.2
"""

# line 5 holds an impossible IPv4 address
BAD = """$ORIGIN bad.test.
$TTL 300
@    IN SOA ns.bad.test. admin.bad.test. 1 3600 900 604800 60
@       NS  ns.bad.test.
www     A   999.0.2.2
"""


def _write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_check_reports_file_and_line_of_the_error(tmp_path):
    """Issue 2 item 4: every zone-file error is reported as `file:line: message`; --check exits non-zero."""
    bad = _write(tmp_path, "bad.test.zone", BAD)
    r = subprocess.run([authd_binary(), "--check", "--zone", "bad.test.=" + bad], capture_output=True,
                       text=True, timeout=30)
    out = r.stdout + r.stderr
    assert r.returncode != 0, out
    assert re.search(r"bad\.test\.zone:5: \S", out), "no `file:5: message` in:\n" + out


def test_check_accepts_a_good_zone(tmp_path):
    """Issue 2 item 6: --check validates and exits 0 when everything loads."""
    good = _write(tmp_path, "good.test.zone", GOOD)
    r = subprocess.run([authd_binary(), "--check", "--zone", "good.test.=" + good], capture_output=True,
                       text=True, timeout=30)
    assert r.returncode == 0, r.stdout + r.stderr


def test_bad_zone_is_not_served_and_good_zone_is(authd, tmp_path):
    """Issue 2 item 4: a zone that fails to load is not served (REFUSED, RFC 1035 §4.1.1), and the
    others keep serving."""
    good = _write(tmp_path, "good.test.zone", GOOD)
    bad = _write(tmp_path, "bad.test.zone", BAD)
    srv = authd({"good.test.": good, "bad.test.": bad}, ready_zones=["good.test."])
    r = srv.query("www.good.test.", "A")
    assert answer_texts(r, "www.good.test.", "A") == ["192.0.2.2"]
    assert_rcode(srv.query("www.bad.test.", "A"), dns.rcode.REFUSED)
    assert_rcode(srv.query("bad.test.", "SOA"), dns.rcode.REFUSED)
    assert "bad.test.zone:5" in srv.log()
