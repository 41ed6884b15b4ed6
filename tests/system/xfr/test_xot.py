"""XFR over TLS (RFC 9103) between dnsfleet-authd and BIND 9.18, in both directions (Knot 3.2 in
Debian has no XoT). Certificates are self-signed with the openssl CLI for authd.test and
bind.test; each side checks the other's certificate by name against that certificate as CA,
or by key pin. Where an ACL requires TLS, plain TCP is refused and logged; a primary whose
certificate does not match the configured name or pin is not pulled from."""
import signal
import subprocess

import dns.message
import dns.rcode
import dns.rdatatype

from harness import dnsq
from harness.servers import free_port
from harness.tools import require_tool
from xfr.peers import (KEY_NAME, SECRET, AuthdConf, BindConf, keyring, self_signed_cert,
                       soa_serial, start, wait_log, wait_serial, without_tsig, write_zone,
                       xot_exchange)

ZONE = "example.com."
KEY_SECTION = """
[[key]]
id = "%s"
algorithm = "hmac-sha256"
secret = "%s"
""" % (KEY_NAME, SECRET)
BIND_KEY = 'key "%s" { algorithm hmac-sha256; secret "%s"; };' % (KEY_NAME, SECRET)


def write_version(zone_file, serial):
    write_zone(zone_file, ZONE, serial,
               ["www A 192.0.2.10", "v%d TXT \"version %d\"" % (serial, serial)],
               refresh=3600, retry=600)


# ---- dnsfleet-authd as XoT primary ----

class AuthdPrimary:
    """dnsfleet-authd serving ZONE from a file: a public listener (queries only), a plain
    management listener and a TLS one; the zone's ACL allows transfers with the key over TLS
    only."""

    def __init__(self, servers, tmp_path, notify_port=None):
        self.cert, self.key, self.pin = self_signed_cert(str(tmp_path / "certs"), "authd.test")
        self.zone_file = str(tmp_path / "primary.zone")
        write_version(self.zone_file, 1)
        self.port, self.mgmt_port, self.tls_port = free_port(), free_port(), free_port()
        notify = ""
        if notify_port is not None:
            notify = """
[[remote]]
id = "bind"
address = "127.0.0.1:%d"
key = "%s"
""" % (notify_port, KEY_NAME)
        body = KEY_SECTION + notify + """
[[acl]]
id = "xot-only"
address = "127.0.0.0/8"
key = "%(key)s"
action = "transfer"
require-tls = true

[[zone]]
name = "%(zone)s"
file = "%(file)s"
acl = ["xot-only"]
%(notify)s
""" % {"key": KEY_NAME, "zone": ZONE, "file": self.zone_file,
       "notify": 'notify = ["bind"]' if notify_port is not None else ""}
        server_extra = "\n".join([
            'management-listen = ["127.0.0.1:%d"]' % self.mgmt_port,
            'management-tls-listen = ["127.0.0.1:%d"]' % self.tls_port,
            'tls-certificate = "%s"' % self.cert,
            'tls-key = "%s"' % self.key,
        ])
        self.authd = start(servers, AuthdConf(str(tmp_path / "authd"), body, port=self.port,
                                              server_extra=server_extra, ready_zones=[ZONE]))


def signed_axfr_wire():
    q = dns.message.make_query(ZONE, "AXFR")
    q.use_tsig(keyring(), keyname=KEY_NAME)
    return q.to_wire()


def test_bind_follows_authd_over_xot(servers, tmp_path):
    """BIND 9.18 as secondary with `primaries { ... key ... tls ...; }` checks our certificate
    by name (its tls statement has no pin) and pulls the zone; NOTIFY then brings an IXFR over
    TLS. The ACL requires TLS, so every transfer BIND got came over TLS."""
    bind_port = free_port()
    primary = AuthdPrimary(servers, tmp_path, notify_port=bind_port)
    bind_dir = str(tmp_path / "named")
    statements = """
%(key)s
tls to-authd { ca-file "%(ca)s"; remote-hostname "authd.test"; };
zone "%(zone)s" {
    type secondary;
    file "%(dir)s/secondary.db";
    primaries { 127.0.0.1 port %(tls)d key %(keyname)s tls to-authd; };
};
""" % {"key": BIND_KEY, "ca": primary.cert, "zone": ZONE, "dir": bind_dir,
       "tls": primary.tls_port, "keyname": KEY_NAME}
    named = start(servers, BindConf(bind_dir, statements, port=bind_port, ready_zones=[ZONE]))
    r = dnsq.query(bind_port, "www." + ZONE, "A")
    assert r.rcode() == dns.rcode.NOERROR
    assert [rd.address for rrset in r.answer for rd in rrset] == ["192.0.2.10"]
    log = wait_log(primary.authd, "of %s serial 1 to 127.0.0.1" % ZONE)
    assert "refused" not in log, log

    write_version(primary.zone_file, 2)
    primary.authd.reload()
    wait_serial(bind_port, ZONE, 2, timeout=20, proc_log=named.log)
    log = wait_log(primary.authd, "IXFR from 1 of %s serial 2 to 127.0.0.1" % ZONE)
    assert any("IXFR from 1 of" in line and line.endswith("over TLS: started")
               for line in log.splitlines()), log
    r = dnsq.query(bind_port, "v2." + ZONE, "TXT")
    assert r.rcode() == dns.rcode.NOERROR and r.answer


def test_authd_xot_transfer_with_key_over_tls_is_served(servers, tmp_path):
    """Our own TLS client (Python's ssl, ALPN "dot", name checked against the CA) with the key:
    the AXFR comes whole, SOA first and last (RFC 5936 §2.2), signed."""
    primary = AuthdPrimary(servers, tmp_path)
    replies = xot_exchange(primary.tls_port, signed_axfr_wire(), primary.cert, "authd.test")
    assert replies, "no answer over TLS"
    messages = [without_tsig(w) for w in replies]
    assert all(m.rcode() == dns.rcode.NOERROR for m in messages)
    records = [rrset for m in messages for rrset in m.answer]
    assert records[0].rdtype == dns.rdatatype.SOA and records[-1].rdtype == dns.rdatatype.SOA
    assert records[0][0].serial == 1
    names = {(r.name.to_text(), dns.rdatatype.to_text(r.rdtype)) for r in records}
    assert ("www." + ZONE, "A") in names and ("v1." + ZONE, "TXT") in names
    # The first message's TSIG verifies against the request (RFC 8945 §5.3).
    q = dns.message.make_query(ZONE, "AXFR")
    q.use_tsig(keyring(), keyname=KEY_NAME)
    wire = q.to_wire()
    replies = xot_exchange(primary.tls_port, wire, primary.cert, "authd.test")
    first = dns.message.from_wire(replies[0], keyring=q.keyring, request_mac=q.mac, xfr=True,
                                  multi=True)
    assert first.had_tsig


def test_kdig_transfers_and_queries_over_our_tls_listener(servers, tmp_path):
    """Knot's kdig as the XoT client (another TLS stack's view): the AXFR with the key over
    TLS 1.3, the name checked against our certificate; a query over the same listener is
    answered with EDNS padding when asked (RFC 7830, RFC 8467: TLS answers are padded)."""
    kdig = require_tool("kdig")
    primary = AuthdPrimary(servers, tmp_path)
    common = [kdig, "@127.0.0.1", "-p", str(primary.tls_port), "+tls-ca=" + primary.cert,
              "+tls-hostname=authd.test"]
    out = subprocess.run(common + ["-y", "hmac-sha256:%s:%s" % (KEY_NAME, SECRET), ZONE, "AXFR"],
                         capture_output=True, text=True, timeout=30).stdout
    # (kdig prints no TLS session line for transfers; the port speaks nothing but TLS)
    assert "www.%s" % ZONE in out and "192.0.2.10" in out, out
    assert out.count("\tSOA\t") == 2, out
    out = subprocess.run(common + ["+padding", "www." + ZONE, "A"],
                         capture_output=True, text=True, timeout=30).stdout
    assert "TLS session (TLS1.3)" in out, out
    assert "status: NOERROR" in out and "PADDING" in out, out
    # The same query over plain TCP is not padded: the padding is the TLS listener's doing.
    out = subprocess.run([kdig, "@127.0.0.1", "-p", str(primary.port), "+tcp", "+padding",
                          "www." + ZONE, "A"], capture_output=True, text=True, timeout=30).stdout
    assert "status: NOERROR" in out and "PADDING" not in out, out


def test_plain_tcp_transfer_refused_where_tls_is_required(servers, tmp_path):
    """RFC 9103 §9: with `require-tls`, the same signed AXFR over plain TCP on the management
    listener is REFUSED, and the log says why; on the public listener it is refused as well
    (R-16: management listeners exist)."""
    primary = AuthdPrimary(servers, tmp_path)
    wire = signed_axfr_wire()
    reply = dnsq.tcp_exchange(primary.mgmt_port, wire)
    assert reply is not None, "no answer over plain TCP"
    assert reply[3] & 0x0F == dns.rcode.REFUSED
    wait_log(primary.authd, "refused: the ACL requires TLS")
    reply = dnsq.tcp_exchange(primary.port, wire)
    assert reply is not None and reply[3] & 0x0F == dns.rcode.REFUSED
    # And the same request over TLS is served: the refusal was about the transport.
    replies = xot_exchange(primary.tls_port, wire, primary.cert, "authd.test")
    assert len(replies) >= 1 and replies[0][3] & 0x0F == dns.rcode.NOERROR


def test_tls_listener_without_readable_key_stops_the_start(servers, tmp_path):
    """The certificate and key are loaded at start: a key that is not there is an error at
    once, not a TLS port that fails every handshake later."""
    cert, _key, _pin = self_signed_cert(str(tmp_path / "certs"), "authd.test")
    server_extra = "\n".join([
        'management-tls-listen = ["127.0.0.1:%d"]' % free_port(),
        'tls-certificate = "%s"' % cert,
        'tls-key = "%s"' % str(tmp_path / "certs" / "missing.key"),
    ])
    authd = start(servers, AuthdConf(str(tmp_path / "authd"), "", server_extra=server_extra,
                                     ready_zones=[]), wait=False)
    assert authd.proc.wait(20) != 0
    assert "server.management-tls-listen: " in authd.full_log(), authd.full_log()


# ---- dnsfleet-authd as XoT secondary ----

class BindPrimary:
    """BIND 9.18 serving ZONE: plain DNS on `port` (queries, and where NOTIFY comes from) and
    XoT on `tls_port`; transfers only over TLS and with the key."""

    def __init__(self, servers, tmp_path, authd_port):
        self.cert, self.key, self.pin = self_signed_cert(str(tmp_path / "certs"), "bind.test")
        self.zone_file = str(tmp_path / "bind-primary.zone")
        write_version(self.zone_file, 1)
        self.port, self.tls_port = free_port(), free_port()
        statements = """
%(key)s
tls local { key-file "%(keyfile)s"; cert-file "%(cert)s"; };
zone "%(zone)s" {
    type primary;
    file "%(file)s";
    allow-transfer transport tls { key %(keyname)s; };
    also-notify { 127.0.0.1 port %(authd)d key %(keyname)s; };
    notify explicit;
    ixfr-from-differences yes;
};
""" % {"key": BIND_KEY, "keyfile": self.key, "cert": self.cert, "zone": ZONE,
       "file": self.zone_file, "keyname": KEY_NAME, "authd": authd_port}
        self.named = start(servers, BindConf(
            str(tmp_path / "named"), statements, port=self.port, ready_zones=[ZONE],
            options_extra="listen-on port %d tls local { 127.0.0.1; };" % self.tls_port))


def authd_secondary(servers, tmp_path, bind, authd_port, tls_check):
    body = KEY_SECTION + """
[[remote]]
id = "primary"
address = "127.0.0.1:%(port)d"
key = "%(key)s"
tls = true
%(check)s

[[zone]]
name = "%(zone)s"
primary = ["primary"]
""" % {"port": bind.tls_port, "key": KEY_NAME, "check": tls_check, "zone": ZONE}
    return start(servers, AuthdConf(str(tmp_path / "authd"), body, port=authd_port,
                                    ready_zones=[]), wait=False)


def test_authd_follows_bind_over_xot_by_name(servers, tmp_path):
    """dnsfleet-authd pulls from BIND's TLS listener, the certificate checked against the name
    bind.test with `tls-ca-file`; the SOA query goes over TLS too. NOTIFY (plain UDP from BIND)
    then brings an IXFR over TLS. BIND allows transfers over TLS only, so none was in clear."""
    authd_port = free_port()
    bind = BindPrimary(servers, tmp_path, authd_port)
    # Plain TCP AXFR with the key is refused by BIND: the primary really insists on TLS.
    plain = dnsq.tcp_exchange(bind.port, signed_axfr_wire())
    assert plain is None or plain[3] & 0x0F != dns.rcode.NOERROR or \
        not without_tsig(plain).answer
    authd = authd_secondary(servers, tmp_path, bind, authd_port,
                            'tls-hostname = "bind.test"\ntls-ca-file = "%s"' % bind.cert)
    wait_serial(authd_port, ZONE, 1, timeout=20, proc_log=authd.log)
    wait_log(authd, "AXFR of serial 1")
    r = dnsq.query(authd_port, "www." + ZONE, "A")
    assert [rd.address for rrset in r.answer for rd in rrset] == ["192.0.2.10"]

    write_version(bind.zone_file, 2)
    bind.named.signal(signal.SIGHUP)
    wait_serial(authd_port, ZONE, 2, timeout=20, proc_log=authd.log)
    wait_log(authd, "IXFR of serial 2")


def test_authd_follows_bind_over_xot_by_pin(servers, tmp_path):
    """The same with the key pin alone: no name, no CA (RFC 7858 §4.2 pin)."""
    authd_port = free_port()
    bind = BindPrimary(servers, tmp_path, authd_port)
    authd = authd_secondary(servers, tmp_path, bind, authd_port, 'tls-pin = "%s"' % bind.pin)
    wait_serial(authd_port, ZONE, 1, timeout=20, proc_log=authd.log)


def _assert_pull_fails(authd, authd_port, text):
    log = wait_log(authd, text, timeout=20)
    assert "refresh failed" in log, log
    assert soa_serial(authd_port, ZONE) is None, "the zone is served after a failed TLS check"
    assert "AXFR of serial" not in authd.full_log()


def test_wrong_pin_is_not_pulled_from(servers, tmp_path):
    authd_port = free_port()
    bind = BindPrimary(servers, tmp_path, authd_port)
    _cert, _key, other_pin = self_signed_cert(str(tmp_path / "other"), "bind.test")
    authd = authd_secondary(servers, tmp_path, bind, authd_port, 'tls-pin = "%s"' % other_pin)
    _assert_pull_fails(authd, authd_port, "does not match the pin")


def test_wrong_hostname_is_not_pulled_from(servers, tmp_path):
    authd_port = free_port()
    bind = BindPrimary(servers, tmp_path, authd_port)
    authd = authd_secondary(servers, tmp_path, bind, authd_port,
                            'tls-hostname = "other.test"\ntls-ca-file = "%s"' % bind.cert)
    _assert_pull_fails(authd, authd_port, "(certificate: hostname mismatch)")


def test_untrusted_certificate_is_not_pulled_from(servers, tmp_path):
    """The right name, but the certificate is not signed by the configured CA."""
    authd_port = free_port()
    bind = BindPrimary(servers, tmp_path, authd_port)
    other_ca, _key, _pin = self_signed_cert(str(tmp_path / "other"), "bind.test")
    authd = authd_secondary(servers, tmp_path, bind, authd_port,
                            'tls-hostname = "bind.test"\ntls-ca-file = "%s"' % other_ca)
    _assert_pull_fails(authd, authd_port, "certificate verify failed")
