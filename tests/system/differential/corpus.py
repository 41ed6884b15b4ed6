"""The differential corpus: queries that walk every branch of the answer rules.

Each Case is sent, byte for byte the same, to the reference (Knot DNS) and to the subject, in
each run (unsigned zones; zones signed with NSEC, NSEC3, NSEC3 opt-out). To add a case, append
a line to the list of its group below; its id must be unique (allowlist entries match ids).
The zones are in zones/*.zone; a new branch usually needs a new name there too.
"""
import struct
from dataclasses import dataclass

import dns.dnssec
import dns.opcode

# the zones served by both servers in every run (name -> file in zones/)
ZONES = {
    "example.": "example.zone",
    "child.example.": "child.example.zone",
    "other.test.": "other.test.zone",
    "wild.test.": "wild.test.zone",
}

L63 = "a" * 60 + "x63"
LONG255 = ("b" * 50 + "l53." + "c" * 60 + "x63." + "d" * 60 + "x63." + "e" * 60 + "x63.example.")
# 255 octets once the DNAME `d.example.` is replaced by its longer target: YXDOMAIN (RFC 6672 §2.2)
DNAME_OVERFLOW = "f" * 48 + "l51." + ("g" * 60 + "x63.") * 3 + "d.example."


@dataclass(frozen=True)
class Case:
    id: str
    qname: str = "example."
    qtype: str = "A"
    tcp: bool = False
    edns: object = 0          # None: no OPT record; 0 or 1: EDNS version
    payload: int = 1232
    do: object = None         # None: the run decides (off unsigned, on signed)
    cd: bool = False
    rd: bool = False
    ad: bool = False
    opcode: int = dns.opcode.QUERY
    options: tuple = ()
    qclass: str = "IN"
    raw: bytes = None         # a hand-made packet sent as is (malformed queries)
    signed_only: bool = False


def c(id, qname="example.", qtype="A", **kw):
    return Case(id, qname, qtype, **kw)


# ---------------------------------------------------------------- raw packets
QID = 0x4242


def _hdr(flags=0, qd=1, an=0, ns=0, ar=0, qid=QID):
    return struct.pack("!6H", qid, flags, qd, an, ns, ar)


def _q(name=b"\x03www\x07example\x00", qtype=1, qclass=1):
    return name + struct.pack("!HH", qtype, qclass)


OPT = b"\x00" + struct.pack("!HHIH", 41, 1232, 0, 0)

RAW = [
    c("raw-no-question", raw=_hdr(qd=0)),
    c("raw-no-question-edns", raw=_hdr(qd=0, ar=1) + OPT),
    c("raw-two-questions", raw=_hdr(qd=2) + _q() + _q(b"\x04mail\x07example\x00")),
    c("raw-truncated-question", raw=_hdr() + b"\x03www\x07exam"),
    c("raw-question-without-type", raw=_hdr() + b"\x03www\x07example\x00\x00"),
    c("raw-qr-set", raw=_hdr(flags=0x8000) + _q()),
    c("raw-trailing-garbage", raw=_hdr() + _q() + b"\xde\xad\xbe\xef"),
    c("raw-bad-pointer-forward", raw=_hdr() + b"\xc0\x20" + struct.pack("!HH", 1, 1)),
    c("raw-pointer-loop", raw=_hdr() + b"\xc0\x0c" + struct.pack("!HH", 1, 1)),
    c("raw-label-type-0x40", raw=_hdr() + b"\x41www\x00" + struct.pack("!HH", 1, 1)),
    c("raw-label-type-0x80", raw=_hdr() + b"\x81w\x00" + struct.pack("!HH", 1, 1)),
    c("raw-name-over-255", raw=_hdr() + (b"\x3f" + b"a" * 63) * 4 + b"\x00" + struct.pack("!HH", 1, 1)),
    c("raw-two-opt", raw=_hdr(ar=2) + _q() + OPT + OPT),
    c("raw-opt-not-root", raw=_hdr(ar=1) + _q() + b"\x01x\x00" + OPT[1:]),
    c("raw-opt-in-answer", raw=_hdr(an=1) + _q() + OPT),
    c("raw-answer-in-query", raw=_hdr(an=1) + _q() + b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 60, 4) +
      b"\x01\x02\x03\x04"),
    c("raw-counts-too-high", raw=_hdr(ar=3) + _q()),
    c("raw-short-header", raw=b"\x42\x42\x00\x00\x00"),
    c("raw-header-only", raw=_hdr()),
    c("raw-tc-set", raw=_hdr(flags=0x0200) + _q()),
    c("raw-z-bit-set", raw=_hdr(flags=0x0040) + _q()),
    c("raw-opt-truncated", raw=_hdr(ar=1) + _q() + b"\x00\x00\x29\x04"),
    c("raw-opt-option-overrun", raw=_hdr(ar=1) + _q() + b"\x00" + struct.pack("!HHIH", 41, 1232, 0, 8) +
      struct.pack("!HH", 10, 20) + b"\x00" * 4),
    c("raw-qclass-ch-version", raw=_hdr() + _q(b"\x07version\x04bind\x00", 16, 3)),
    c("raw-qclass-any", raw=_hdr() + _q(qclass=255)),
    c("raw-qclass-ch-zone-soa", raw=_hdr() + _q(b"\x07example\x00", 6, 3)),
    c("raw-qclass-hs", raw=_hdr() + _q(qclass=4)),
    c("raw-qclass-none", raw=_hdr() + _q(qclass=254)),
    c("raw-qtype-0", raw=_hdr() + _q(qtype=0)),
    c("raw-qtype-opt", raw=_hdr() + _q(qtype=41)),
    c("raw-qtype-tsig", raw=_hdr() + _q(qtype=250)),
    c("raw-qtype-maila", raw=_hdr() + _q(qtype=254)),
    c("raw-tcp-no-question", raw=_hdr(qd=0), tcp=True),
    c("raw-tcp-two-opt", raw=_hdr(ar=2) + _q() + OPT + OPT, tcp=True),
    c("raw-tcp-trailing-garbage", raw=_hdr() + _q() + b"\xde\xad", tcp=True),
    c("raw-tcp-bad-pointer", raw=_hdr() + b"\xc0\x20" + struct.pack("!HH", 1, 1), tcp=True),
]

BASIC = [
    c("apex-soa", "example.", "SOA"),
    c("apex-ns", "example.", "NS"),
    c("apex-mx", "example.", "MX"),
    c("apex-a", "example.", "A"),
    c("apex-aaaa", "example.", "AAAA"),
    c("apex-txt", "example.", "TXT"),
    c("apex-caa", "example.", "CAA"),
    c("www-a", "www.example.", "A"),
    c("www-aaaa", "www.example.", "AAAA"),
    c("www-txt", "www.example.", "TXT"),
    c("www-hinfo", "www.example.", "HINFO"),
    c("multi-a", "multi.example.", "A"),
    c("ns1-a", "ns1.example.", "A"),
    c("ptr", "ptr.example.", "PTR"),
    c("nodata-www-mx", "www.example.", "MX"),
    c("nodata-apex-srv", "example.", "SRV"),
    c("nodata-type65002", "types.example.", "TYPE65002"),
    c("nxdomain", "nope.example.", "A"),
    c("nxdomain-deep", "a.b.c.nope.example.", "A"),
    c("nxdomain-below-existing", "x.www.example.", "A"),
    c("nxdomain-aaaa", "nope.example.", "AAAA"),
    c("ent-nodata", "b.ent.example.", "A"),
    c("ent-nodata-upper", "ent.example.", "TXT"),
    c("ent-leaf", "a.b.ent.example.", "A"),
    c("ent-below-nx", "c.b.ent.example.", "A"),
    c("other-zone-www", "www.other.test.", "A"),
    c("other-zone-apex-ns", "other.test.", "NS"),
]

ADDITIONAL = [
    c("mx-in", "mx-in.example.", "MX"),
    c("mx-nx-target", "mx-nx.example.", "MX"),
    c("mx-out-of-zone-served", "mx-out.example.", "MX"),
    c("mx-external", "mx-ext.example.", "MX"),
    c("mx-child-zone", "mx-child.example.", "MX"),
    c("mx-below-delegation", "mx-deleg.example.", "MX"),
    c("srv", "_sip._tcp.example.", "SRV"),
    c("svcb-additional", "svc.example.", "SVCB"),
    c("https-additional", "https.example.", "HTTPS"),
    c("ns-apex-glue", "example.", "NS"),
    c("kx-additional", "types.example.", "KX"),
    c("afsdb-additional", "types.example.", "AFSDB"),
    c("naptr-additional", "types.example.", "NAPTR"),
]

CNAME = [
    c("cname-a", "cname.example.", "A"),
    c("cname-aaaa", "cname.example.", "AAAA"),
    c("cname-nodata-after", "cname.example.", "MX"),
    c("cname-qtype-cname", "cname.example.", "CNAME"),
    c("cname-chain", "cname-chain1.example.", "A"),
    c("cname-chain-middle", "cname-chain2.example.", "AAAA"),
    c("cname-to-other-zone", "cname-out.example.", "A"),
    c("cname-to-external", "cname-ext.example.", "A"),
    c("cname-to-nxdomain", "cname-nx.example.", "A"),
    c("cname-loop", "cname-loop1.example.", "A"),
    c("cname-self-loop", "cname-self.example.", "A"),
    c("cname-to-wildcard", "cname-wild.example.", "A"),
    c("cname-to-dname", "cname-dname.example.", "A"),
    c("cname-to-delegation", "cname-deleg.example.", "A"),
    c("cname-to-child-zone", "cname-child.example.", "A"),
    c("cname-mx-additional", "cname-mx.example.", "MX"),
    c("cname-chain-short", "short1.example.", "A"),
    c("cname-chain-over-bound", "long1.example.", "A"),
    c("cname-chain-over-bound-tail", "long12.example.", "A"),
    c("cname-from-other-zone", "back.other.test.", "A"),
    c("cname-child-to-parent", "back.child.example.", "A"),
    c("cname-any", "cname.example.", "ANY"),
]

DNAME = [
    c("dname-at-qname", "dname.example.", "DNAME"),
    c("dname-owner-a", "dname.example.", "A"),
    c("dname-synth", "host.dname.example.", "A"),
    c("dname-synth-txt", "host.dname.example.", "TXT"),
    c("dname-synth-nx", "nx.dname.example.", "A"),
    c("dname-synth-deep", "a.host.dname.example.", "A"),
    c("dname-qtype-dname-below", "host.dname.example.", "DNAME"),
    c("dname-qtype-cname-below", "host.dname.example.", "CNAME"),
    c("dname-to-other-zone", "www.dname-out.example.", "A"),
    c("dname-to-other-zone-nx", "nx.dname-out.example.", "A"),
    c("dname-to-external", "www.dname-ext.example.", "A"),
    c("dname-chain", "host.dname-chain.example.", "A"),
    c("dname-with-data-at-owner", "dname-data.example.", "A"),
    c("dname-with-data-below", "host.dname-data.example.", "A"),
    c("dname-overflow-yxdomain", DNAME_OVERFLOW, "A"),
    c("dname-long-target-nx", "host.d.example.", "A"),
    c("dname-case", "HoSt.DNAME.example.", "A"),
]

WILDCARD = [
    c("wild-a", "foo.wild.example.", "A"),
    c("wild-txt", "foo.wild.example.", "TXT"),
    c("wild-nodata", "foo.wild.example.", "MX"),
    c("wild-deeper", "a.b.wild.example.", "A"),
    c("wild-existing-sibling", "sub.wild.example.", "A"),
    c("wild-below-existing-nx", "x.sub.wild.example.", "A"),
    c("wild-query-star", "*.wild.example.", "A"),
    c("wild-query-star-txt", "*.wild.example.", "TXT"),
    c("wild-cname", "foo.wcname.example.", "A"),
    c("wild-cname-qtype-cname", "foo.wcname.example.", "CNAME"),
    c("wild-mx", "foo.wmx.example.", "MX"),
    c("wild-nodata-only-txt", "foo.wnodata.example.", "A"),
    c("wild-blocked-by-ent", "y.entwild.example.", "A"),
    c("wild-match-beside-ent", "z.entwild.example.", "A"),
    c("wild-below-ent-nx", "q.y.entwild.example.", "A"),
    c("wild-any", "foo.wild.example.", "ANY"),
    c("wild-case", "FoO.WiLd.example.", "A"),
    c("wild-child-zone", "x.wild.child.example.", "TXT"),
    # RFC 4592 §2.2.1, the examples of the RFC itself
    c("rfc4592-host3-mx", "host3.wild.test.", "MX"),
    c("rfc4592-host3-a", "host3.wild.test.", "A"),
    c("rfc4592-foo-bar-mx", "foo.bar.wild.test.", "MX"),
    c("rfc4592-foo-bar-txt", "foo.bar.wild.test.", "TXT"),
    c("rfc4592-host1-mx", "host1.wild.test.", "MX"),
    c("rfc4592-sub-star-mx", "sub.*.wild.test.", "MX"),
    c("rfc4592-telnet-srv", "_telnet._tcp.host1.wild.test.", "SRV"),
    c("rfc4592-host-subdel", "host.subdel.wild.test.", "A"),
    c("rfc4592-ghost-star-mx", "ghost.*.wild.test.", "MX"),
    c("rfc4592-star-txt", "*.wild.test.", "TXT"),
    c("rfc4592-star-a", "*.wild.test.", "A"),
    c("rfc4592-ssh-host1", "_ssh._tcp.host1.wild.test.", "SRV"),
    c("rfc4592-ssh-host3", "_ssh._tcp.host3.wild.test.", "SRV"),
    c("rfc4592-tcp-host1-ent", "_tcp.host1.wild.test.", "TXT"),
    c("rfc4592-star-ent-a", "*.wild.test.", "MX"),
]

DELEGATION = [
    c("referral", "host.deleg.example.", "A"),
    c("referral-at-cut-a", "deleg.example.", "A"),
    c("referral-at-cut-ns", "deleg.example.", "NS"),
    c("referral-glue-name", "ns.deleg.example.", "A"),
    c("referral-deep", "a.b.deleg.example.", "TXT"),
    c("ds-at-delegation", "deleg.example.", "DS"),
    c("ds-below-delegation", "host.deleg.example.", "DS"),
    c("ds-insecure-delegation", "insecure.example.", "DS"),
    c("referral-insecure", "host.insecure.example.", "A"),
    c("referral-out-of-bailiwick", "host.outdeleg.example.", "MX"),
    c("referral-tcp", "host.deleg.example.", "A", tcp=True),
    c("referral-any", "host.deleg.example.", "ANY"),
    c("child-apex-ns", "child.example.", "NS"),
    c("child-apex-soa", "child.example.", "SOA"),
    c("child-ds-from-parent", "child.example.", "DS"),
    c("child-host", "host.child.example.", "A"),
    c("child-cname", "www.child.example.", "A"),
    c("child-nx", "nx.child.example.", "A"),
    c("child-ns-glue-name", "ns1.child.example.", "A"),
    c("child-apex-mx", "child.example.", "MX"),
    c("ds-at-apex", "example.", "DS"),
    c("ds-nx", "nope.example.", "DS"),
]

REFUSED = [
    c("refused-out-of-zone", "www.example.org.", "A"),
    c("refused-root", ".", "SOA"),
    c("refused-parent-of-zone", "test.", "SOA"),
    c("refused-tld", "org.", "NS"),
    c("refused-sibling", "example.net.", "A"),
    c("refused-tcp", "www.example.org.", "A", tcp=True),
]

OPCODES = [
    c("opcode-iquery", "www.example.", "A", opcode=1),
    c("opcode-status", "www.example.", "A", opcode=2),
    c("opcode-3", "www.example.", "A", opcode=3),
    c("opcode-notify", "example.", "SOA", opcode=4),
    c("opcode-update", "example.", "SOA", opcode=5),
    c("opcode-dso", "www.example.", "A", opcode=6),
    c("opcode-15", "www.example.", "A", opcode=15),
    c("axfr-udp", "example.", "AXFR"),
    c("ixfr-udp", "example.", "IXFR"),
    c("axfr-tcp-refused", "example.", "AXFR", tcp=True),
]

CASE_AND_NAMES = [
    c("case-upper", "WWW.EXAMPLE.", "A"),
    c("case-mixed", "wWw.ExAmPlE.", "A"),
    c("case-owner-mixed-lower-query", "mixedcase.example.", "A"),
    c("case-owner-mixed-upper-query", "MIXEDCASE.EXAMPLE.", "A"),
    c("case-nxdomain", "NoPe.ExAmPlE.", "A"),
    c("case-referral", "HOST.DELEG.EXAMPLE.", "A"),
    c("case-cname", "CNAME.example.", "A"),
    c("case-refused", "WWW.Example.ORG.", "A"),
    c("escape-dot-in-label", r"escaped\.dot.example.", "A"),
    c("escape-ddd", r"\065\066c.example.", "A"),
    c("escape-ddd-lower", "abc.example.", "A"),
    c("escape-space", r"sp\032ace.example.", "A"),
    c("escape-nul-octet", r"bin\000ary.example.", "A"),
    c("escape-semicolon-txt", r"semi\;colon.example.", "TXT"),
    c("label-63", L63 + ".example.", "A"),
    c("label-63-nx", "z" * 63 + ".example.", "A"),
    c("name-255", LONG255, "A"),
    c("name-255-nodata", LONG255, "AAAA"),
    c("name-255-nx", "z" + LONG255[1:], "A"),
]

TYPES = [c("type-" + t.lower(), "types.example.", t) for t in (
    "LOC", "NAPTR", "SSHFP", "CAA", "URI", "CSYNC", "OPENPGPKEY", "HINFO", "RP", "AFSDB", "CERT",
    "DHCID", "EUI48", "EUI64", "KX", "SPF", "DNSKEY", "CDS", "CDNSKEY", "ZONEMD", "TYPE65000",
    "TYPE65001")] + [
    c("type-tlsa", "_443._tcp.www.example.", "TLSA"),
    c("type-smimea", "smimea.example.", "SMIMEA"),
    c("type-svcb", "svc.example.", "SVCB"),
    c("type-https", "https.example.", "HTTPS"),
    c("any-udp", "types.example.", "ANY"),
    c("any-tcp", "types.example.", "ANY", tcp=True),
    c("any-apex-udp", "example.", "ANY"),
    c("any-apex-tcp", "example.", "ANY", tcp=True),
    c("any-www", "www.example.", "ANY"),
    c("any-nx", "nope.example.", "ANY"),
    c("any-ent", "b.ent.example.", "ANY"),
    c("rrsig-qtype", "www.example.", "RRSIG"),
    c("nsec-qtype", "www.example.", "NSEC"),
    c("nsec3param-qtype", "example.", "NSEC3PARAM"),
]

EDNS = [
    c("noedns-www", "www.example.", "A", edns=None),
    c("noedns-nxdomain", "nope.example.", "A", edns=None),
    c("noedns-referral", "host.deleg.example.", "A", edns=None),
    c("noedns-do-ignored", "www.example.", "A", edns=None, do=False),
    c("edns-payload-512", "www.example.", "A", payload=512),
    c("edns-payload-below-512", "medium.example.", "TXT", payload=100),
    c("edns-payload-4096", "www.example.", "A", payload=4096),
    c("edns-payload-65535", "many-a.example.", "A", payload=65535),
    c("edns-version-1", "www.example.", "A", edns=1),
    c("edns-version-1-nx", "nope.example.", "A", edns=1),
    c("edns-version-1-refused", "www.example.org.", "A", edns=1),
    c("edns-unknown-option", "www.example.", "A", options=((65001, b"\x01\x02"),)),
    c("edns-nsid", "www.example.", "A", options=((3, b""),)),
    c("edns-cookie-client", "www.example.", "A", options=((10, b"\x01\x02\x03\x04\x05\x06\x07\x08"),)),
    c("edns-padding-tcp", "www.example.", "A", tcp=True, options=((12, b""),)),
    c("edns-keepalive-tcp", "www.example.", "A", tcp=True, options=((11, b""),)),
    c("edns-do-set", "www.example.", "A", do=True),
    c("edns-do-nx", "nope.example.", "A", do=True),
    c("edns-do-off", "www.example.", "A", do=False),
    c("edns-do-off-nx", "nope.example.", "A", do=False),
    c("edns-do-off-wild", "foo.wild.example.", "A", do=False),
    c("flags-rd", "www.example.", "A", rd=True),
    c("flags-cd", "www.example.", "A", cd=True),
    c("flags-ad", "www.example.", "A", ad=True),
    c("flags-rd-refused", "www.example.org.", "A", rd=True),
    c("tcp-www", "www.example.", "A", tcp=True),
    c("tcp-nxdomain", "nope.example.", "A", tcp=True),
    c("tcp-noedns", "www.example.", "A", tcp=True, edns=None),
]

TRUNCATION = [
    c("tc-big-noedns", "big.example.", "TXT", edns=None),
    c("tc-big-1232", "big.example.", "TXT"),
    c("tc-big-4096", "big.example.", "TXT", payload=4096),
    c("tc-big-tcp", "big.example.", "TXT", tcp=True),
    c("tc-medium-noedns", "medium.example.", "TXT", edns=None),
    c("tc-medium-1232", "medium.example.", "TXT"),
    c("tc-many-a-1232", "many-a.example.", "A"),
    c("tc-many-a-noedns", "many-a.example.", "A", edns=None),
    c("tc-many-a-4096", "many-a.example.", "A", payload=4096),
    c("tc-many-a-tcp", "many-a.example.", "A", tcp=True),
    c("tc-any-apex-noedns", "example.", "ANY", edns=None),
    c("tc-apex-ns-512", "example.", "NS", edns=None),
    c("tc-dnskey-512", "example.", "DNSKEY", edns=None),
    c("tc-additional-mx-512", "mx-many.example.", "MX", edns=None),
    c("tc-additional-mx-1232", "mx-many.example.", "MX"),
    c("tc-referral-glue-512", "host.bigdeleg.example.", "A", edns=None),
    c("tc-referral-glue-1232", "host.bigdeleg.example.", "A"),
]

# NSEC3 owner names of the corpus (hash algorithm 1, no salt, 0 iterations: what signing.py uses)
APEX_HASH = dns.dnssec.nsec3_hash("example.", "", 0, 1).lower()
WWW_HASH = dns.dnssec.nsec3_hash("www.example.", "", 0, 1).lower()

SIGNED = [
    c("signed-dnskey", "example.", "DNSKEY", signed_only=True),
    c("signed-dnskey-tcp", "example.", "DNSKEY", tcp=True, signed_only=True),
    c("signed-child-dnskey", "child.example.", "DNSKEY", signed_only=True),
    c("signed-nsec3param", "example.", "NSEC3PARAM", signed_only=True),
    c("signed-cd", "nope.example.", "A", cd=True, signed_only=True),
    c("signed-nx-wild-test", "nothing.sub.*.wild.test.", "A", signed_only=True),
    c("signed-rrsig-apex", "example.", "RRSIG", signed_only=True),
    c("nsec3-owner-qtype-nsec3", APEX_HASH + ".example.", "NSEC3"),
    c("nsec3-owner-qtype-a", WWW_HASH + ".example.", "A"),
    c("nsec3-owner-below", "x." + APEX_HASH + ".example.", "A"),
]

ALL = RAW + BASIC + ADDITIONAL + CNAME + DNAME + WILDCARD + DELEGATION + REFUSED + OPCODES + \
    CASE_AND_NAMES + TYPES + EDNS + TRUNCATION + SIGNED

_ids = [x.id for x in ALL]
assert len(_ids) == len(set(_ids)), "duplicate case ids: %s" % sorted({i for i in _ids if _ids.count(i) > 1})
