"""Where transfers and NOTIFY are taken: with a management listener, the public listener only
answers queries (R-16); a NOTIFY is accepted only from a primary of the zone, signed with its
key when it has one (RFC 1996 §3.10, RFC 8945)."""
import socket

import dns.message
import dns.opcode
import dns.query
import dns.rcode
import dns.rdatatype
import dns.tsig
import dns.tsigkeyring

from harness import dnsq
from harness.servers import free_port
from xfr.fake_primary import FakePrimary, version_records, zone_text
from xfr.peers import (KEY_NAME, OTHER_SECRET, SECRET, AuthdConf, start, wait_log, wait_serial,
                       write_zone)

ZONE = "mgmt.example."


def test_public_listener_refuses_transfers_the_management_listener_serves(servers, tmp_path):
    zone_file = str(tmp_path / "zone")
    write_zone(zone_file, ZONE, 3, ["www A 192.0.2.3"])
    management = free_port()
    body = """
[[acl]]
id = "local"
address = "127.0.0.1"

[[zone]]
name = "%s"
file = "%s"
acl = ["local"]
""" % (ZONE, zone_file)
    authd = start(servers, AuthdConf(str(tmp_path / "authd"), body, zones=[(ZONE, zone_file)],
                                     server_extra='management-listen = ["127.0.0.1:%d"]' % management))
    # queries on both
    assert dnsq.query(authd.port, "www." + ZONE, "A").answer
    # AXFR: refused on the public listener, served on the management one
    public = dnsq.tcp_exchange(authd.port, dns.message.make_query(ZONE, dns.rdatatype.AXFR).to_wire())
    assert dnsq.rcode_of(public) == dns.rcode.REFUSED
    names = set()
    for m in dns.query.xfr("127.0.0.1", ZONE, port=management, lifetime=10, relativize=False):
        names.update(r.name.to_text() for r in m.answer)
    assert "www.mgmt.example." in names
    # NOTIFY on the public listener is refused too
    notify = dns.message.make_query(ZONE, dns.rdatatype.SOA)
    notify.set_opcode(dns.opcode.NOTIFY)
    reply = dnsq.udp_exchange(authd.port, notify.to_wire())
    assert dnsq.rcode_of(reply) == dns.rcode.REFUSED


def secondary_with_keyed_primary(servers, tmp_path):
    # a long refresh: only a NOTIFY makes the secondary look again within a test
    fake = FakePrimary(ZONE, {1: zone_text(ZONE, 1, version_records(3, 1), refresh=3600)},
                       1).start()
    servers.append(fake)
    body = """
[[key]]
id = "%s"
secret = "%s"

[[remote]]
id = "primary"
address = "127.0.0.1:%d"

[[zone]]
name = "%s"
primary = ["primary"]
""" % (KEY_NAME, SECRET, fake.port, ZONE)
    # the fake primary does not sign: the zone's remote has no key for pulls in this test,
    # so the key only guards NOTIFY through an ACL
    body = body.replace('[[zone]]', '''[[acl]]
id = "notify-signed"
address = "127.0.0.2"
key = "%s"
action = "notify"

[[zone]]''' % KEY_NAME) + 'acl = ["notify-signed"]\n'
    authd = start(servers, AuthdConf(str(tmp_path / "authd"), body, port=free_port(),
                                     ready_zones=[]), wait=False)
    wait_serial(authd.port, ZONE, 1, timeout=20, proc_log=authd.log)
    return authd, fake


def send_notify(port, source, keyring=None):
    notify = dns.message.make_query(ZONE, dns.rdatatype.SOA)
    notify.set_opcode(dns.opcode.NOTIFY)
    if keyring is not None:
        notify.use_tsig(keyring, keyname=KEY_NAME, algorithm=dns.tsig.HMAC_SHA256)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind((source, 0))
        s.settimeout(3)
        s.sendto(notify.to_wire(), ("127.0.0.1", port))
        wire, _ = s.recvfrom(65535)
    return wire


def test_notify_from_a_stranger_is_refused_and_logged(servers, tmp_path):
    authd, fake = secondary_with_keyed_primary(servers, tmp_path)
    reply = send_notify(authd.port, "127.0.0.3")
    assert dnsq.rcode_of(reply) == dns.rcode.NOTAUTH
    wait_log(authd, "NOTIFY for mgmt.example. from 127.0.0.3")
    assert "not from a primary" in authd.full_log()


def test_notify_needs_the_acl_key(servers, tmp_path):
    authd, fake = secondary_with_keyed_primary(servers, tmp_path)
    # from the ACL's address but unsigned, then signed with the wrong secret: both refused
    assert dnsq.rcode_of(send_notify(authd.port, "127.0.0.2")) == dns.rcode.NOTAUTH
    wrong = dns.tsigkeyring.from_text({KEY_NAME: OTHER_SECRET})
    assert dnsq.rcode_of(send_notify(authd.port, "127.0.0.2", wrong)) == dns.rcode.NOTAUTH
    wait_log(authd, "refused: TSIG")
    # signed with the key: accepted
    right = dns.tsigkeyring.from_text({KEY_NAME: SECRET})
    wire = send_notify(authd.port, "127.0.0.2", right)
    assert dnsq.rcode_of(wire) == dns.rcode.NOERROR
    wait_log(authd, "NOTIFY for mgmt.example. from 127.0.0.2")


def test_notify_from_the_primary_triggers_a_refresh(servers, tmp_path):
    authd, fake = secondary_with_keyed_primary(servers, tmp_path)
    fake.add_version(2, zone_text(ZONE, 2, version_records(3, 2), refresh=3600))
    fake.current = 2
    assert dnsq.rcode_of(send_notify(authd.port, "127.0.0.1")) == dns.rcode.NOERROR
    wait_log(authd, "NOTIFY for mgmt.example. from 127.0.0.1")
    wait_serial(authd.port, ZONE, 2, timeout=5, proc_log=authd.log)
