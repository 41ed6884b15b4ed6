"""Bad input never crashes, hangs or slows the server beyond the bad traffic itself (issue 2,
"Bad input"): FORMERR where the header is readable, silence otherwise."""
import os
import random
import socket
import struct
import time

import dns.flags
import dns.message
import dns.rcode

from harness import dnsq
from harness.asserts import answer_texts, assert_rcode


def _good_answer(srv, tcp=False):
    r = srv.query("www.example.", "A", tcp=tcp, timeout=2)
    assert r is not None, "no answer to a good query after bad input"
    assert answer_texts(r, "www.example.", "A") == ["192.0.2.80"]


def test_garbage_udp_packets_do_not_stop_the_server(subject):
    """RFC 1035 §4.1.1 / issue 2: random datagrams of every size, then a good query is answered."""
    rng = random.Random(1)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        for size in [0, 1, 2, 11, 12, 13, 17, 64, 511, 512, 513, 1232, 4096, 65000]:
            for _ in range(5):
                s.sendto(bytes(rng.randrange(256) for _ in range(size)), ("127.0.0.1", subject.port))
    assert subject.alive()
    _good_answer(subject)


def test_formerr_when_the_header_is_readable(subject):
    """RFC 1035 §4.1.1 (FORMERR) and RFC 6891 §6.1.1: a query with two OPT records has a readable
    header and question but is malformed: FORMERR with the query's id."""
    opt = b"\x00" + struct.pack("!HHIH", 41, 1232, 0, 0)
    wire = struct.pack("!6H", 0x1234, 0, 1, 0, 0, 2) + b"\x03www\x07example\x00\x00\x01\x00\x01" + opt + opt
    raw = subject.raw_udp(wire)
    assert raw is not None, "no reply to a malformed query with a readable header"
    assert raw[:2] == b"\x12\x34"
    assert dnsq.rcode_of(raw) == dns.rcode.FORMERR
    assert dnsq.header(raw)[1] & 0x8000, "QR must be set"


def test_formerr_for_a_query_without_question(subject):
    """RFC 1035 §4.1.2: a standard query has one question; none at all is FORMERR."""
    raw = subject.raw_udp(struct.pack("!6H", 0x2345, 0, 0, 0, 0, 0))
    assert raw is not None and dnsq.rcode_of(raw) == dns.rcode.FORMERR


def test_silence_when_the_header_is_unreadable(subject):
    """Issue 2 / RFC 1035 §4.1.1: fewer than 12 octets cannot be answered (no header to copy)."""
    assert subject.raw_udp(b"\x42\x42\x00\x00\x00", timeout=0.5) is None
    _good_answer(subject)


def test_no_reply_to_a_response(subject):
    """RFC 1035 §4.1.1 (QR): a packet with QR=1 is a response; answering it could start a loop
    between two servers, so it is dropped."""
    wire = bytearray(dnsq.make_query("www.example.", "A", qid=0x3456).to_wire())
    wire[2] |= 0x80
    assert subject.raw_udp(bytes(wire), timeout=0.5) is None


def test_half_open_tcp_connections_do_not_block_others(subject):
    """RFC 7766 §6.2.3 / issue 2: idle and half-sent TCP connections do not keep other clients
    (UDP or TCP) from being answered promptly."""
    idle = []
    try:
        for i in range(20):
            s = socket.create_connection(("127.0.0.1", subject.port), timeout=2)
            if i % 2:
                s.send(b"\x00")          # half a length prefix, never completed
            else:
                s.send(b"\x00\x30\x12")  # a length and 1 of 48 octets
            idle.append(s)
        t0 = time.monotonic()
        _good_answer(subject)
        _good_answer(subject, tcp=True)
        assert time.monotonic() - t0 < 2.0
    finally:
        for s in idle:
            s.close()


def test_slow_loris_tcp_client_does_not_block_others(subject):
    """RFC 7766 §6.2.3: a client dribbling one octet at a time does not delay the others (the
    server may also close it early: RFC 7766 §6.2.3 lets it drop slow clients)."""
    w = dnsq.make_query("www.example.", "A", qid=99).to_wire()
    data = struct.pack("!H", len(w)) + w
    with socket.create_connection(("127.0.0.1", subject.port), timeout=2) as slow:
        for i in range(min(8, len(data) - 1)):
            try:
                slow.send(data[i:i + 1])
            except (BrokenPipeError, ConnectionResetError):
                break
            t0 = time.monotonic()
            _good_answer(subject, tcp=True)
            _good_answer(subject)
            assert time.monotonic() - t0 < 1.0
            time.sleep(0.2)


def test_flood_of_bad_packets_is_bounded_in_time(subject):
    """Issue 2: 10,000 malformed datagrams are absorbed quickly; the server keeps answering."""
    bad = [b"\x00" * 5, struct.pack("!6H", 1, 0x8000, 1, 0, 0, 0) + b"\x00\x00\x01\x00\x01",
           struct.pack("!6H", 2, 0, 1, 0, 0, 0) + b"\xc0\x0c\x00\x01\x00\x01", os.urandom(40)]
    t0 = time.monotonic()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.setblocking(False)
        sent = 0
        while sent < 10000 and time.monotonic() - t0 < 20:
            try:
                s.sendto(bad[sent % len(bad)], ("127.0.0.1", subject.port))
                sent += 1
            except BlockingIOError:
                time.sleep(0.001)
    assert sent == 10000
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:  # the backlog drains; then good queries are answered
        r = subject.query("www.example.", "A", timeout=0.5)
        if r is not None:
            break
    assert r is not None, "server stopped answering after the flood"
    assert time.monotonic() - t0 < 15
    assert subject.alive()
