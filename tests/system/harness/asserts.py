"""Assertions on replies that read like the RFC text they check."""
import dns.flags
import dns.name
import dns.rcode
import dns.rdatatype


def rrset(msg, section, name, rtype):
    """The RRset of `section` with this owner and type, or None."""
    want = dns.name.from_text(name)
    t = dns.rdatatype.from_text(rtype)
    for r in getattr(msg, section):
        if r.name == want and r.rdtype == t:
            return r
    return None


def assert_rcode(msg, rcode):
    assert msg is not None, "no reply"
    assert msg.rcode() == rcode, "rcode %s, expected %s:\n%s" % (
        dns.rcode.to_text(msg.rcode()), dns.rcode.to_text(rcode), msg)


def assert_aa(msg, expected=True):
    assert bool(msg.flags & dns.flags.AA) == expected, "AA should be %s:\n%s" % (expected, msg)


def assert_soa_in_authority(msg, zone):
    soa = rrset(msg, "authority", zone, "SOA")
    assert soa is not None, "no SOA of %s in authority:\n%s" % (zone, msg)
    return soa


def answer_texts(msg, name, rtype):
    r = rrset(msg, "answer", name, rtype)
    return sorted(rd.to_text() for rd in r) if r is not None else []
