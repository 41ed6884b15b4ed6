"""DNS over TCP (RFC 7766) edge cases against dnsfleet-authd: framing split anywhere, pipelining,
idle timeout, slow clients, the client cap, large answers, and garbage. One server for the
module with a short idle timeout (2 s) and a small client cap (8) so that the limits show fast."""
import os
import random
import socket
import struct
import time

import dns.flags
import dns.message
import dns.rcode
import pytest

from harness import dnsq

from .daemon import Daemon, free_port, make_workdir, remove_workdir, write, zone_text

IDLE = 2
CAP = 8
BIG_TXT = "\n".join('big TXT "%s"' % ("%03d" % i * 60) for i in range(40))


@pytest.fixture(scope="module")
def server():
    workdir = make_workdir()
    port = free_port()
    write(os.path.join(workdir, "t.zone"), zone_text("t.test.", extra=BIG_TXT))
    cfg = write(os.path.join(workdir, "authd.toml"), "\n".join([
        "[server]", 'listen = ["127.0.0.1:%d"]' % port, "threads = 1",
        "tcp-idle-timeout = %d" % IDLE, "tcp-max-clients = %d" % CAP,
        "[[zone]]", 'name = "t.test"', 'file = "t.zone"']) + "\n")
    d = Daemon(["--config", cfg], workdir).start()
    d.wait_soa(port, "t.test.")
    d.port = port
    yield d
    d.stop()
    remove_workdir(workdir)


def framed(wire):
    return struct.pack("!H", len(wire)) + wire


def query_wire(name, qtype="A", qid=None):
    return dnsq.make_query(name, qtype, qid=qid).to_wire()


def connect(port, timeout=5):
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def read_message(s):
    head = dnsq._recv_exact(s, 2)
    if head is None:
        return None
    return dns.message.from_wire(dnsq._recv_exact(s, struct.unpack("!H", head)[0]))


def closed_by_server(s, within):
    """True when the server closes `s` (EOF or reset) within `within` seconds."""
    s.settimeout(within)
    try:
        return s.recv(1) == b""
    except ConnectionResetError:
        return True
    except socket.timeout:
        return False


def test_length_prefix_and_message_split_byte_by_byte(server):
    """RFC 7766 §8: the server must cope with the length and the message arriving in pieces,
    including a length prefix split across two segments."""
    with connect(server.port) as s:
        data = framed(query_wire("www.t.test.", qid=4242))
        for b in data:
            s.send(bytes([b]))
            time.sleep(0.005)
        r = read_message(s)
    assert r is not None and r.id == 4242
    assert r.answer[0][0].address == "192.0.2.10"


def test_pipelined_queries_are_all_answered_in_order(server):
    """RFC 7766 §6.2.1.1: several queries sent back to back on one connection are all answered;
    this server answers them in the order received."""
    names = ["www.t.test.", "ns.t.test.", "t.test.", "nx.t.test.", "www.t.test."]
    with connect(server.port) as s:
        s.sendall(b"".join(framed(query_wire(n, qid=100 + i)) for i, n in enumerate(names)))
        replies = [read_message(s) for _ in names]
    assert [r.id for r in replies] == [100 + i for i in range(len(names))]
    assert replies[3].rcode() == dns.rcode.NXDOMAIN


def test_many_pipelined_queries_from_a_client_that_reads_late(server):
    """A client that pushes 3000 queries as fast as it can and reads only when it cannot send
    gets every answer, in order: the server stops reading while its output queue is full
    (back-pressure) instead of dropping or buffering without bound."""
    count = 3000
    # built before connecting: building takes longer than the 2 s idle timeout on a busy machine
    payload = b"".join(framed(query_wire("big.t.test.", "TXT", qid=i)) for i in range(count))
    with connect(server.port, timeout=20) as s:
        s.setblocking(False)
        sent = 0
        got = []
        buf = b""
        deadline = time.monotonic() + 60
        while len(got) < count and time.monotonic() < deadline:
            if sent < len(payload):
                try:
                    sent += s.send(payload[sent:sent + 65536])
                    continue
                except BlockingIOError:
                    pass
            # read only when sending is stuck or done: the server must hold its answers back
            # (and stop reading) meanwhile, then catch up
            try:
                chunk = s.recv(1 << 20)
            except BlockingIOError:
                time.sleep(0.001)
                continue
            if not chunk:
                break
            buf += chunk
            while len(buf) >= 2 and len(buf) >= 2 + struct.unpack("!H", buf[:2])[0]:
                n = struct.unpack("!H", buf[:2])[0]
                got.append(struct.unpack("!H", buf[2:4])[0])
                buf = buf[2 + n:]
    assert got == list(range(count))


def test_large_answer_over_tcp_is_not_truncated(server):
    """An answer too large for UDP gets TC=1 over UDP and comes whole over TCP (RFC 7766 §5)."""
    udp = dnsq.query(server.port, "big.t.test.", "TXT", payload=1232)
    assert udp.flags & dns.flags.TC
    tcp = dnsq.query(server.port, "big.t.test.", "TXT", tcp=True)
    assert not tcp.flags & dns.flags.TC
    assert len(tcp.answer[0]) == 40


def test_half_closed_client_still_gets_its_answer(server):
    """A client may shut down its sending side after the query (RFC 7766 §6.2.4 expects the
    server to answer and then close)."""
    with connect(server.port) as s:
        s.sendall(framed(query_wire("www.t.test.", qid=7)))
        s.shutdown(socket.SHUT_WR)
        r = read_message(s)
        assert r is not None and r.id == 7
        assert closed_by_server(s, 5)


def test_idle_connection_is_closed_after_the_idle_timeout(server):
    """RFC 7766 §6.2.3: a server closes connections that stay idle; here after tcp-idle-timeout."""
    with connect(server.port) as s:
        start = time.monotonic()
        assert closed_by_server(s, IDLE + 3)
        elapsed = time.monotonic() - start
    assert IDLE - 0.5 <= elapsed <= IDLE + 2.5, elapsed


def test_slow_loris_client_is_closed_like_an_idle_one(server):
    """A client that dribbles a byte now and then without ever completing a query is not kept
    alive by those bytes: only complete queries count as activity."""
    with connect(server.port) as s:
        s.sendall(b"\xff\xff")  # announces a 65535-octet message
        start = time.monotonic()
        closed = False
        while time.monotonic() - start < IDLE + 4:
            try:
                s.send(b"x")
            except (BrokenPipeError, ConnectionResetError):
                closed = True
                break
            if closed_by_server(s, 0.3):
                closed = True
                break
        assert closed
        assert time.monotonic() - start <= IDLE + 3


def test_client_cap_closes_the_least_recently_active_connection(server):
    """At tcp-max-clients, a new connection makes the least recently active one close
    (RFC 7766 §6.2.2 lets the server shed idle connections), and the new one is served."""
    conns = []
    try:
        for _ in range(CAP):
            c = connect(server.port)
            conns.append(c)
            time.sleep(0.02)
        # the last CAP-1 make a query so that the first one is the least recently active
        for i, c in enumerate(conns[1:]):
            c.sendall(framed(query_wire("www.t.test.", qid=i)))
            assert read_message(c) is not None
        newest = connect(server.port)
        conns.append(newest)
        newest.sendall(framed(query_wire("www.t.test.", qid=999)))
        r = read_message(newest)
        assert r is not None and r.id == 999
        assert closed_by_server(conns[0], 2)
        # the active ones still work
        conns[-2].sendall(framed(query_wire("ns.t.test.", qid=5)))
        assert read_message(conns[-2]).id == 5
    finally:
        for c in conns:
            c.close()


def test_garbage_on_tcp_and_udp_does_not_stop_the_server(server):
    """Random frames over TCP and a flood of random datagrams: no crash, and a normal query
    afterwards is answered at once."""
    rnd = random.Random(1234)
    with connect(server.port) as s:
        for _ in range(200):
            body = bytes(rnd.getrandbits(8) for _ in range(rnd.randrange(0, 64)))
            s.sendall(framed(body))
        s.sendall(framed(query_wire("www.t.test.", qid=77)))
        s.settimeout(5)
        # replies to garbage with a readable header may come first (FORMERR); ours is last
        deadline = time.monotonic() + 5
        found = False
        while time.monotonic() < deadline:
            head = dnsq._recv_exact(s, 2)
            if head is None:
                break
            body = dnsq._recv_exact(s, struct.unpack("!H", head)[0])
            if len(body) >= 2 and struct.unpack("!H", body[:2])[0] == 77:
                found = True
                break
        assert found
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
        for _ in range(5000):
            u.sendto(bytes(rnd.getrandbits(8) for _ in range(rnd.randrange(0, 40))),
                     ("127.0.0.1", server.port))
    time.sleep(0.2)
    r = dnsq.query(server.port, "www.t.test.", "A")
    assert r is not None and r.rcode() == dns.rcode.NOERROR
    assert server.proc.poll() is None
