"""A primary that misbehaves on purpose, written with dnspython: it serves versions of one zone
over UDP and TCP and can cut a transfer in the middle, send an IXFR whose sequence does not
apply, or stream an AXFR of any size. Bounded: it serves on loopback from one thread per
connection and stops with the test.
"""
import socket
import socketserver
import struct
import threading

import dns.flags
import dns.message
import dns.name
import dns.opcode
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rrset
import dns.zone

from harness.servers import free_port


def zone_text(origin, serial, extra=(), refresh=2, retry=1, expire=3600):
    lines = ["$ORIGIN %s" % origin, "$TTL 300",
             "@ SOA ns1 hostmaster %d %d %d %d 300" % (serial, refresh, retry, expire),
             "@ NS ns1", "@ NS ns2", "ns1 A 192.0.2.1", "ns2 A 192.0.2.2"]
    return "\n".join(lines + list(extra)) + "\n"


def version_records(n_records, version):
    """`n_records` TXT records that all carry `version`, so a mix of two versions shows."""
    return ["r%d TXT \"v%d\"" % (i, version) for i in range(n_records)]


class FakePrimary:
    """Serves `versions` ({serial: zone text}); `current` is the serial it announces.

    mode: "normal", "cut" (close after `cut_after` messages), "inconsistent-ixfr" (IXFR whose
    deletions name a record that does not exist), "broken-chain" (IXFR whose first sequence
    starts at the wrong serial), "slow" (sleep `delay` seconds between messages).
    """

    def __init__(self, origin, versions, current, port=None):
        self.origin = dns.name.from_text(origin)
        self.versions = dict(versions)
        self.current = current
        self.mode = "normal"
        self.cut_after = 2
        # which transfers "cut" mode cuts (an IXFR can misbehave one way, its AXFR another)
        self.cut_types = {"AXFR", "IXFR"}
        self.delay = 0.0
        self.records_per_message = 200
        self.port = port or free_port()
        self.requests = []  # (qtype text, client serial or None)
        self._zones = {}
        self._tcp = None
        self._udp = None

    def zone(self, serial):
        if serial not in self._zones:
            self._zones[serial] = dns.zone.from_text(self.versions[serial], origin=self.origin,
                                                     relativize=False)
        return self._zones[serial]

    def add_version(self, serial, text):
        self.versions[serial] = text

    # ---- answers ----
    def _soa_rrset(self, serial):
        z = self.zone(serial)
        return z.find_rrset(self.origin, dns.rdatatype.SOA)

    def _all_rrsets(self, serial):
        z = self.zone(serial)
        soa = self._soa_rrset(serial)
        out = []
        for name, node in z.nodes.items():
            for rdataset in node.rdatasets:
                if rdataset.rdtype == dns.rdatatype.SOA:
                    continue
                for rd in rdataset:
                    out.append(dns.rrset.from_rdata(name, rdataset.ttl, rd))
        return soa, out

    def _records_of(self, serial):
        soa, rest = self._all_rrsets(serial)
        return {(r.name, r.rdtype, r[0].to_text()): r for r in rest}

    def transfer_messages(self, query):
        qtype = query.question[0].rdtype
        client = None
        for rrset in query.authority:
            if rrset.rdtype == dns.rdatatype.SOA:
                client = rrset[0].serial
        self.requests.append((dns.rdatatype.to_text(qtype), client))
        soa, rest = self._all_rrsets(self.current)
        if qtype == dns.rdatatype.IXFR and client is not None and client in self.versions \
                and client != self.current:
            old = self._records_of(client)
            new = self._records_of(self.current)
            removed = [old[k] for k in old if k not in new]
            added = [new[k] for k in new if k not in old]
            old_soa = self._soa_rrset(client)
            if "inconsistent-ixfr" in self.mode:
                removed.append(dns.rrset.from_text(self.origin, 300, "IN", "TXT", '"never there"'))
            if self.mode == "broken-chain":
                old_soa = dns.rrset.from_text(self.origin, 300, "IN", "SOA",
                                              "ns1.%s hostmaster.%s %d 2 1 3600 300"
                                              % (self.origin, self.origin, client + 777))
            records = [soa, old_soa] + removed + [soa] + added + [soa]
        elif qtype == dns.rdatatype.IXFR and client == self.current:
            records = [soa]
        else:
            records = [soa] + rest + [soa]
        msgs = []
        for i in range(0, len(records), self.records_per_message):
            r = dns.message.make_response(query)
            r.flags |= dns.flags.AA
            if i > 0:
                r.question = []
            for rr in records[i:i + self.records_per_message]:
                r.answer.append(rr)
            msgs.append(r)
        return msgs

    def answer(self, wire, tcp):
        query = dns.message.from_wire(wire)
        if query.opcode() == dns.opcode.NOTIFY:
            r = dns.message.make_response(query)
            return [r]
        q = query.question[0]
        if q.rdtype in (dns.rdatatype.AXFR, dns.rdatatype.IXFR) and tcp:
            return self.transfer_messages(query)
        r = dns.message.make_response(query)
        r.flags |= dns.flags.AA
        if q.rdtype == dns.rdatatype.SOA and q.name == self.origin:
            r.answer.append(self._soa_rrset(self.current))
        else:
            r.set_rcode(dns.rcode.REFUSED)
        return [r]

    # ---- servers ----
    def start(self):
        primary = self

        class Tcp(socketserver.BaseRequestHandler):
            def handle(self):
                s = self.request
                s.settimeout(10)
                try:
                    while True:
                        head = _recv_exact(s, 2)
                        if head is None:
                            return
                        wire = _recv_exact(s, struct.unpack("!H", head)[0])
                        if wire is None:
                            return
                        msgs = primary.answer(wire, True)
                        qtype = (dns.rdatatype.to_text(msgs[0].question[0].rdtype)
                                 if msgs and msgs[0].question else "")
                        cut = "cut" in primary.mode and qtype in primary.cut_types
                        for i, m in enumerate(msgs):
                            if cut and i == primary.cut_after:
                                s.shutdown(socket.SHUT_RDWR)
                                return
                            out = m.to_wire(max_size=65535)
                            s.sendall(struct.pack("!H", len(out)) + out)
                            if primary.mode == "slow" and primary.delay:
                                threading.Event().wait(primary.delay)
                except OSError:
                    return

        class Udp(socketserver.BaseRequestHandler):
            def handle(self):
                wire, sock = self.request
                for m in primary.answer(wire, False):
                    sock.sendto(m.to_wire(), self.client_address)

        class TcpServer(socketserver.ThreadingMixIn, socketserver.TCPServer):
            allow_reuse_address = True
            daemon_threads = True

        class UdpServer(socketserver.ThreadingMixIn, socketserver.UDPServer):
            allow_reuse_address = True
            daemon_threads = True

        self._tcp = TcpServer(("127.0.0.1", self.port), Tcp)
        self._udp = UdpServer(("127.0.0.1", self.port), Udp)
        for srv in (self._tcp, self._udp):
            threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.1},
                             daemon=True).start()
        return self

    def stop(self):
        for srv in (self._tcp, self._udp):
            if srv is not None:
                srv.shutdown()
                srv.server_close()
        self._tcp = self._udp = None


def _recv_exact(s, n):
    buf = b""
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            return None
        buf += chunk
    return buf
