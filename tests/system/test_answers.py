"""Behaviour of the answer rules (RFC 1034 §4.3.2 and its updates) against the subject alone,
on the differential corpus zones (tests/system/differential/zones)."""
import socket
import struct

import dns.flags
import dns.message
import dns.rcode
import dns.rdatatype

from harness import dnsq
from harness.asserts import answer_texts, assert_aa, assert_rcode, assert_soa_in_authority, rrset

NEGATIVE_TTL = 300  # min(SOA TTL 3600, SOA MINIMUM 300) of example.


def test_exact_match_is_authoritative(subject):
    """RFC 1034 §4.3.2 step 3a: the data of an existing name, with AA set, RRset TTL kept."""
    r = subject.query("www.example.", "A")
    assert_rcode(r, dns.rcode.NOERROR)
    assert_aa(r)
    assert answer_texts(r, "www.example.", "A") == ["192.0.2.80"]
    assert rrset(r, "answer", "www.example.", "A").ttl == 7200


def test_rrset_is_answered_whole(subject):
    """RFC 2181 §5: an RRset is one unit; all five A records come back together."""
    r = subject.query("multi.example.", "A")
    assert len(answer_texts(r, "multi.example.", "A")) == 5


def test_nxdomain_carries_soa_with_negative_ttl(subject):
    """RFC 2308 §3 and §5: NXDOMAIN with the zone's SOA in authority, TTL = min(SOA TTL, MINIMUM)."""
    r = subject.query("nope.example.", "A")
    assert_rcode(r, dns.rcode.NXDOMAIN)
    assert_aa(r)
    assert not r.answer
    assert assert_soa_in_authority(r, "example.").ttl == NEGATIVE_TTL


def test_nodata_carries_soa(subject):
    """RFC 2308 §2.2: the name exists without the type: NOERROR, empty answer, SOA in authority."""
    r = subject.query("www.example.", "MX")
    assert_rcode(r, dns.rcode.NOERROR)
    assert not r.answer
    assert assert_soa_in_authority(r, "example.").ttl == NEGATIVE_TTL


def test_empty_non_terminal_is_nodata(subject):
    """RFC 8020 §2 / RFC 4592 §2.2.2: b.ent exists (a.b.ent is below it), so it is NODATA, not NXDOMAIN."""
    r = subject.query("b.ent.example.", "A")
    assert_rcode(r, dns.rcode.NOERROR)
    assert not r.answer
    assert_soa_in_authority(r, "example.")


def test_cname_is_followed_inside_the_zone(subject):
    """RFC 1034 §4.3.2 step 3a: a CNAME is added and the search restarts at its target."""
    r = subject.query("cname-chain1.example.", "A")
    assert_rcode(r, dns.rcode.NOERROR)
    assert answer_texts(r, "cname-chain1.example.", "CNAME") == ["cname-chain2.example."]
    assert answer_texts(r, "cname-chain3.example.", "CNAME") == ["www.example."]
    assert answer_texts(r, "www.example.", "A") == ["192.0.2.80"]


def test_cname_loop_ends(subject):
    """RFC 1034 §3.6.2: CNAME loops must not make a server loop; it answers, and the loop's
    records come back at most once each."""
    r = subject.query("cname-loop1.example.", "A")
    assert r is not None and r.rcode() in (dns.rcode.NOERROR, dns.rcode.SERVFAIL)
    assert len(r.answer) <= 2
    assert subject.alive()


def test_cname_chain_is_bounded(subject):
    """RFC 1034 §4.3.2: following a 30-link chain stops at a bound; the answer is cut, not endless."""
    r = subject.query("long1.example.", "A")
    assert r is not None and r.rcode() == dns.rcode.NOERROR
    assert 1 <= len(r.answer) < 30


def test_cname_to_outside_names_is_not_resolved(subject):
    """RFC 1034 §4.3.2 step 3a: an authoritative server adds only what it holds; the external
    target is left to the resolver."""
    r = subject.query("cname-ext.example.", "A")
    assert_rcode(r, dns.rcode.NOERROR)
    assert answer_texts(r, "cname-ext.example.", "CNAME") == ["www.example.org."]
    assert rrset(r, "answer", "www.example.org.", "A") is None


def test_wildcard_synthesizes_the_query_name(subject):
    """RFC 4592 §3.3.1: the wildcard's data is returned with the owner set to the query name."""
    r = subject.query("foo.wild.example.", "A")
    assert_rcode(r, dns.rcode.NOERROR)
    assert_aa(r)
    assert answer_texts(r, "foo.wild.example.", "A") == ["192.0.2.200"]


def test_wildcard_does_not_match_existing_name(subject):
    """RFC 4592 §2.2.1: *.wild covers names that do not exist; sub.wild exists, so
    x.sub.wild is NXDOMAIN even though *.wild would otherwise match."""
    r = subject.query("x.sub.wild.example.", "A")
    assert_rcode(r, dns.rcode.NXDOMAIN)
    assert_soa_in_authority(r, "example.")


def test_empty_non_terminal_blocks_wildcard(subject):
    """RFC 4592 §2.2.2: y.entwild is an empty non-terminal, so it exists: NODATA, not *.entwild."""
    r = subject.query("y.entwild.example.", "A")
    assert_rcode(r, dns.rcode.NOERROR)
    assert not r.answer


def test_query_for_the_asterisk_label_matches_itself(subject):
    """RFC 4592 §2.1.1: a query for *.wild is an ordinary exact match."""
    r = subject.query("*.wild.example.", "TXT")
    assert answer_texts(r, "*.wild.example.", "TXT") == ['"wildcard txt"']


def test_wildcard_nodata(subject):
    """RFC 4592 §3.3.1: the wildcard matches but has no record of the type: NODATA."""
    r = subject.query("foo.wnodata.example.", "A")
    assert_rcode(r, dns.rcode.NOERROR)
    assert not r.answer
    assert_soa_in_authority(r, "example.")


def test_rfc4592_example_subdel_is_a_referral(subject):
    """RFC 4592 §2.2.1: host.subdel.wild.test is below a delegation: a referral, not *.wild.test."""
    r = subject.query("host.subdel.wild.test.", "A")
    assert_aa(r, False)
    assert rrset(r, "authority", "subdel.wild.test.", "NS") is not None


def test_dname_synthesizes_a_cname(subject):
    """RFC 6672 §3.1: the DNAME, a CNAME synthesized from it (TTL of the DNAME), then the target."""
    r = subject.query("host.dname.example.", "A")
    assert_rcode(r, dns.rcode.NOERROR)
    assert answer_texts(r, "dname.example.", "DNAME") == ["target.example."]
    cname = rrset(r, "answer", "host.dname.example.", "CNAME")
    assert cname is not None and [x.to_text() for x in cname] == ["host.target.example."]
    assert cname.ttl == rrset(r, "answer", "dname.example.", "DNAME").ttl
    assert answer_texts(r, "host.target.example.", "A") == ["192.0.2.100"]


def test_dname_overflow_is_yxdomain(subject):
    """RFC 6672 §2.2: when the substituted name would exceed 255 octets the answer is YXDOMAIN.
    (Knot 3.2 answers NXDOMAIN here; the issue asks for the RFC's YXDOMAIN.)"""
    from differential.corpus import DNAME_OVERFLOW
    r = subject.query(DNAME_OVERFLOW, "A")
    assert_rcode(r, dns.rcode.YXDOMAIN)


def test_referral_is_not_authoritative(subject):
    """RFC 1034 §4.3.2 step 3b: below a cut the answer is a referral: AA clear, the NS RRset in
    authority, in-bailiwick glue in additional, out-of-bailiwick names without glue."""
    r = subject.query("host.deleg.example.", "A")
    assert_rcode(r, dns.rcode.NOERROR)
    assert_aa(r, False)
    assert not r.answer
    ns = rrset(r, "authority", "deleg.example.", "NS")
    assert ns is not None and len(ns) == 3
    assert rrset(r, "additional", "ns.deleg.example.", "A") is not None
    assert rrset(r, "additional", "ns.example.org.", "A") is None


def test_ds_is_answered_from_the_parent(subject):
    """RFC 4035 §3.1.4.1: DS lives at the parent side of the cut; the parent answers it with AA."""
    r = subject.query("deleg.example.", "DS")
    assert_rcode(r, dns.rcode.NOERROR)
    assert_aa(r)
    assert rrset(r, "answer", "deleg.example.", "DS") is not None


def test_ds_of_a_child_zone_served_here_comes_from_the_parent(subject):
    """RFC 4035 §3.1.4.1: serving both example. and child.example., the server answers a DS
    query for child.example. from the parent zone (the child apex holds no DS)."""
    r = subject.query("child.example.", "DS")
    assert_rcode(r, dns.rcode.NOERROR)
    assert_aa(r)
    assert rrset(r, "answer", "child.example.", "DS") is not None, r


def test_child_zone_served_here_answers_below_its_cut(subject):
    """RFC 1034 §4.3.2 step 2: the nearest served zone answers: child.example, not a referral."""
    r = subject.query("host.child.example.", "A")
    assert_aa(r)
    assert answer_texts(r, "host.child.example.", "A") == ["192.0.2.131"]


def test_mx_target_addresses_are_added(subject):
    """RFC 1035 §3.3.9: MX answers carry the A/AAAA of the exchange in additional."""
    r = subject.query("mx-in.example.", "MX")
    assert rrset(r, "additional", "mail.example.", "A") is not None
    assert rrset(r, "additional", "mail.example.", "AAAA") is not None


def test_srv_target_addresses_are_added(subject):
    """RFC 2782 (Usage rules): the target's addresses may go in additional; Knot adds them."""
    r = subject.query("_sip._tcp.example.", "SRV")
    assert rrset(r, "additional", "sip.example.", "A") is not None


def test_out_of_zone_query_is_refused(subject):
    """RFC 1035 §4.1.1 (REFUSED) : a name in no served zone gets REFUSED, no data."""
    r = subject.query("www.example.org.", "A")
    assert_rcode(r, dns.rcode.REFUSED)
    assert not r.answer and not r.authority


def test_status_opcode_is_not_implemented(subject):
    """RFC 1035 §4.1.1: opcode STATUS (2) is answered NOTIMP."""
    r = subject.query("www.example.", "A", opcode=dns.opcode.STATUS)
    assert_rcode(r, dns.rcode.NOTIMP)


def test_iquery_is_not_implemented(subject):
    """RFC 3425 §3: IQUERY is obsolete; servers answer NOTIMP."""
    r = subject.query("www.example.", "A", opcode=dns.opcode.IQUERY)
    assert_rcode(r, dns.rcode.NOTIMP)


def test_question_letter_case_is_echoed(subject):
    """RFC 4343 §4.1 / RFC 1035 §7.3: the question is copied as sent, case included."""
    r = subject.query("wWw.ExAmPlE.", "A")
    assert r.question[0].name.to_text() == "wWw.ExAmPlE."
    assert answer_texts(r, "www.example.", "A") == ["192.0.2.80"]


def test_any_over_udp_is_minimal(subject):
    """RFC 8482 §4.2: ANY may be answered with one RRset (Knot: one) over UDP."""
    r = subject.query("types.example.", "ANY")
    assert_rcode(r, dns.rcode.NOERROR)
    assert 1 <= len(r.answer)
    assert all(x.name.to_text() == "types.example." for x in r.answer)


def test_unknown_type_is_served_in_generic_form(subject):
    """RFC 3597 §5: TYPE65000 with \\# 4 0a000001 is served as its four octets."""
    r = subject.query("types.example.", "TYPE65000")
    ans = rrset(r, "answer", "types.example.", "TYPE65000")
    assert ans is not None and ans[0].to_digestable() == bytes.fromhex("0a000001")


def test_too_big_for_512_sets_tc_without_edns(subject):
    """RFC 1035 §4.2.1 and RFC 2181 §9: without EDNS a reply is at most 512 octets; what does not
    fit sets TC, and the answer is cut at an RRset boundary (the big TXT RRset goes whole or not)."""
    raw = subject.raw_udp(dnsq.make_query("big.example.", "TXT", edns=None).to_wire())
    assert raw is not None and len(raw) <= 512
    r = dns.message.from_wire(raw)
    assert r.flags & dns.flags.TC
    big = rrset(r, "answer", "big.example.", "TXT")
    assert big is None or len(big) == 40


def test_edns_payload_limits_the_reply(subject):
    """RFC 6891 §6.2.5: 1232 asked, the 3 kB RRset does not fit: TC; over TCP it comes whole."""
    raw = subject.raw_udp(dnsq.make_query("big.example.", "TXT", payload=1232).to_wire())
    assert len(raw) <= 1232 and dns.message.from_wire(raw).flags & dns.flags.TC
    r = subject.query("big.example.", "TXT", tcp=True)
    assert not r.flags & dns.flags.TC
    assert len(answer_texts(r, "big.example.", "TXT")) == 40


def test_edns_version_1_is_badvers(subject):
    """RFC 6891 §6.1.3: a version the server does not implement gets BADVERS, with an OPT of version 0."""
    r = subject.query("www.example.", "A", edns=1)
    assert_rcode(r, dns.rcode.BADVERS)
    assert r.edns == 0
    assert not r.answer


def test_unknown_edns_option_is_ignored(subject):
    """RFC 6891 §6.1.2: unknown options are ignored; the answer is as usual."""
    import dns.edns
    r = subject.query("www.example.", "A", options=[dns.edns.GenericOption(65001, b"\x01")])
    assert_rcode(r, dns.rcode.NOERROR)
    assert answer_texts(r, "www.example.", "A") == ["192.0.2.80"]


def test_no_dnssec_records_without_do(signed_subject):
    """RFC 4035 §3.2.1: without DO, no RRSIG/NSEC in any section of a signed zone's reply."""
    for qname in ("www.example.", "nope.example."):
        r = signed_subject.query(qname, "A", do=False)
        for section in (r.answer, r.authority, r.additional):
            assert not [x for x in section if x.rdtype in (dns.rdatatype.RRSIG, dns.rdatatype.NSEC)], r


def test_do_bit_brings_rrsigs(signed_subject):
    """RFC 4035 §3.1.1: with DO, each answer RRset comes with its RRSIGs; DO is echoed."""
    r = signed_subject.query("www.example.", "A", do=True)
    assert r.ednsflags & dns.flags.DO
    sig = rrset(r, "answer", "www.example.", "RRSIG")
    assert sig is not None and sig.covers == dns.rdatatype.A


def test_nxdomain_carries_nsec_proofs(signed_subject):
    """RFC 4035 §3.1.3.2: NXDOMAIN with DO proves the name and the wildcard absent with NSEC."""
    r = signed_subject.query("nope.example.", "A", do=True)
    assert_rcode(r, dns.rcode.NXDOMAIN)
    nsecs = [x for x in r.authority if x.rdtype == dns.rdatatype.NSEC]
    assert 1 <= len(nsecs) <= 2
    assert any(x.rdtype == dns.rdatatype.RRSIG and x.covers == dns.rdatatype.NSEC for x in r.authority)


def test_tcp_pipelined_queries_all_answered(subject):
    """RFC 7766 §6.2.1.1: several queries sent at once on one connection are all answered."""
    ids = list(range(100, 110))
    payload = b""
    for i in ids:
        w = dnsq.make_query("www.example.", "A", qid=i).to_wire()
        payload += struct.pack("!H", len(w)) + w
    with socket.create_connection(("127.0.0.1", subject.port), timeout=3) as s:
        s.sendall(payload)
        got = set()
        for _ in ids:
            n = struct.unpack("!H", dnsq._recv_exact(s, 2))[0]
            got.add(dns.message.from_wire(dnsq._recv_exact(s, n)).id)
    assert got == set(ids)


def test_tcp_message_split_across_segments(subject):
    """RFC 7766 §8: the length prefix and the message may arrive in pieces; the server reassembles."""
    w = dnsq.make_query("www.example.", "A", qid=77).to_wire()
    data = struct.pack("!H", len(w)) + w
    with socket.create_connection(("127.0.0.1", subject.port), timeout=3) as s:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for i in range(len(data)):
            s.send(data[i:i + 1])
        n = struct.unpack("!H", dnsq._recv_exact(s, 2))[0]
        r = dns.message.from_wire(dnsq._recv_exact(s, n))
    assert r.id == 77 and answer_texts(r, "www.example.", "A") == ["192.0.2.80"]
