"""Query helpers: build a query with dnspython, send it over UDP or TCP on loopback, parse the reply.

Sockets are used directly (not dns.query) so that raw, malformed or oddly-flagged packets go out
exactly as built, and so that a reply dnspython cannot parse is still returned as bytes.
"""
import socket
import struct
import time

import dns.edns
import dns.flags
import dns.message
import dns.name
import dns.opcode
import dns.rdataclass
import dns.rdatatype

HOST = "127.0.0.1"
DEFAULT_TIMEOUT = 2.0


def make_query(qname, qtype="A", *, edns=0, payload=1232, do=False, cd=False, rd=False, ad=False,
               options=(), opcode=dns.opcode.QUERY, qclass="IN", qid=None):
    """A query message. `edns=None` sends no OPT; `edns=1` sends EDNS version 1.
    `qname` keeps its letter case exactly (dns.name.from_text does not fold case)."""
    name = qname if isinstance(qname, dns.name.Name) else dns.name.from_text(qname)
    use_edns = -1 if edns is None else edns
    q = dns.message.make_query(name, dns.rdatatype.from_text(qtype) if isinstance(qtype, str) else qtype,
                               rdclass=dns.rdataclass.from_text(qclass), use_edns=use_edns,
                               payload=payload, want_dnssec=do, options=list(options), id=qid)
    if edns is not None:
        # make_query treats use_edns=1 as True (version 0): set the version explicitly
        q.use_edns(edns, dns.flags.DO if do else 0, payload, options=list(options))
    q.flags = 0  # authoritative tests send RD=0 unless asked
    if rd:
        q.flags |= dns.flags.RD
    if cd:
        q.flags |= dns.flags.CD
    if ad:
        q.flags |= dns.flags.AD
    q.set_opcode(opcode)
    return q


def udp_exchange(port, wire, timeout=DEFAULT_TIMEOUT, host=HOST):
    """Sends raw bytes over UDP and returns the raw reply, or None when nothing comes back in time."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(timeout)
        s.connect((host, port))
        s.send(wire)
        deadline = time.monotonic() + timeout
        while True:
            try:
                data = s.recv(65535)
            except (socket.timeout, ConnectionRefusedError):
                return None
            # a stray late reply to an earlier query on a reused port is not ours
            if len(wire) < 2 or len(data) < 2 or data[:2] == wire[:2]:
                return data
            if time.monotonic() > deadline:
                return None


def _recv_exact(s, n):
    buf = b""
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            return None
        buf += chunk
    return buf


def tcp_exchange(port, wire, timeout=DEFAULT_TIMEOUT, host=HOST):
    """Sends one length-prefixed message over a fresh TCP connection; returns the reply bytes or None."""
    with socket.create_connection((host, port), timeout=timeout) as s:
        s.sendall(struct.pack("!H", len(wire)) + wire)
        try:
            head = _recv_exact(s, 2)
            if head is None:
                return None
            return _recv_exact(s, struct.unpack("!H", head)[0])
        except (socket.timeout, ConnectionResetError):
            return None


def parse(wire):
    """dnspython message from reply bytes (None stays None)."""
    if wire is None:
        return None
    return dns.message.from_wire(wire, ignore_trailing=False)


def query(port, qname, qtype="A", *, tcp=False, timeout=DEFAULT_TIMEOUT, **kw):
    """Sends a query (see make_query for the options) and returns the parsed reply or None."""
    q = make_query(qname, qtype, **kw)
    wire = q.to_wire()
    raw = tcp_exchange(port, wire, timeout) if tcp else udp_exchange(port, wire, timeout)
    return parse(raw)


def header(wire):
    """(id, flags, qdcount, ancount, nscount, arcount) of a raw message."""
    return struct.unpack("!6H", wire[:12])


def rcode_of(wire):
    return header(wire)[1] & 0xF


def wait_for_soa(port, zone, deadline, proc=None):
    """Polls until the server gives an authoritative NOERROR SOA for `zone`, or the deadline passes.
    Returns True when ready; stops early (False) when `proc` exits."""
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            return False
        try:
            r = query(port, zone, "SOA", timeout=0.2)
        except Exception:  # a half-started server may send junk; keep polling
            r = None
        if r is not None and r.rcode() == 0 and r.flags & dns.flags.AA and r.answer:
            return True
        time.sleep(0.05)
    return False
