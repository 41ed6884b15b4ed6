"""Transfers that must be refused and logged (RFC 8945 §5.2): an unknown key (BADKEY), the right
key name with the wrong secret (BADSIG), a stale time (BADTIME), and no key where the ACL wants
one (NOTAUTH, as Knot)."""
import time
from unittest import mock

import dns.message
import dns.query
import dns.rcode
import dns.rdatatype
import dns.tsig
import dns.tsigkeyring

from harness import dnsq
from xfr.peers import (KEY_NAME, OTHER_SECRET, SECRET, AuthdConf, start, tsig_error, wait_log,
                       write_zone)

ZONE = "example.net."

BADSIG, BADKEY, BADTIME = 16, 17, 18


def config(zone_file):
    return """
[[key]]
id = "%(key)s"
secret = "%(secret)s"

[[acl]]
id = "signed-only"
address = "127.0.0.1"
key = "%(key)s"

[[zone]]
name = "%(zone)s"
file = "%(file)s"
acl = ["signed-only"]
""" % {"key": KEY_NAME, "secret": SECRET, "zone": ZONE, "file": zone_file}


def primary(servers, tmp_path):
    zone_file = str(tmp_path / "zone")
    write_zone(zone_file, ZONE, 7, ["www A 192.0.2.7"])
    return start(servers, AuthdConf(str(tmp_path / "authd"), config(zone_file),
                                    zones=[(ZONE, zone_file)]))


def axfr_request(key_name=None, secret=None):
    q = dns.message.make_query(ZONE, dns.rdatatype.AXFR)
    if key_name is not None:
        q.use_tsig(dns.tsigkeyring.from_text({key_name: secret}), keyname=key_name,
                   algorithm=dns.tsig.HMAC_SHA256)
    return q.to_wire()


def test_unknown_key_is_badkey_and_logged(servers, tmp_path):
    authd = primary(servers, tmp_path)
    wire = dnsq.tcp_exchange(authd.port, axfr_request("no-such-key", SECRET))
    assert dnsq.rcode_of(wire) == dns.rcode.NOTAUTH
    assert tsig_error(wire) == BADKEY
    wait_log(authd, "AXFR of example.net. from 127.0.0.1")
    assert "refused: TSIG" in authd.full_log()


def test_wrong_secret_is_badsig_and_logged(servers, tmp_path):
    authd = primary(servers, tmp_path)
    wire = dnsq.tcp_exchange(authd.port, axfr_request(KEY_NAME, OTHER_SECRET))
    assert dnsq.rcode_of(wire) == dns.rcode.NOTAUTH
    assert tsig_error(wire) == BADSIG
    wait_log(authd, "refused: TSIG")


def test_stale_time_is_badtime_and_logged(servers, tmp_path):
    authd = primary(servers, tmp_path)
    with mock.patch("dns.renderer.time.time", return_value=time.time() - 3600):
        request = axfr_request(KEY_NAME, SECRET)
    wire = dnsq.tcp_exchange(authd.port, request)
    assert dnsq.rcode_of(wire) == dns.rcode.NOTAUTH
    assert tsig_error(wire) == BADTIME
    wait_log(authd, "refused: TSIG")


def test_no_key_is_refused_and_logged(servers, tmp_path):
    authd = primary(servers, tmp_path)
    wire = dnsq.tcp_exchange(authd.port, axfr_request())
    # NOTAUTH, as Knot DNS answers a transfer its ACL does not allow
    assert dnsq.rcode_of(wire) == dns.rcode.NOTAUTH
    wait_log(authd, "no ACL rule allows it")


def test_right_key_transfers_and_the_answer_verifies(servers, tmp_path):
    authd = primary(servers, tmp_path)
    keyring = dns.tsigkeyring.from_text({KEY_NAME: SECRET})
    records = []
    for m in dns.query.xfr("127.0.0.1", ZONE, port=authd.port, keyring=keyring, keyname=KEY_NAME,
                           keyalgorithm=dns.tsig.HMAC_SHA256, lifetime=10, relativize=False):
        for rrset in m.answer:
            records.append(rrset)
    names = {r.name.to_text() for r in records}
    assert "www.example.net." in names
