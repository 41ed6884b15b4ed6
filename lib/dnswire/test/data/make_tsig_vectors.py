#!/usr/bin/python3
"""TSIG interoperability oracle: dnspython signs and verifies, dnsfleet checks against it.

  make_tsig_vectors.py > tsig_vectors.inc
      Writes messages signed by dnspython (a request and its response for every algorithm,
      and a 5-message transfer with two unsigned messages in the middle) as C++ initialisers
      for tsig_test.cpp. The clock is pinned so that the output is reproducible; every
      transfer is verified here with dnspython's own reader before it is written.

  make_tsig_vectors.py --verify < lines
      Verifies messages signed by dnsfleet with dnspython. One job per line:
        request  KEYNAME ALGORITHM SECRET REQUEST_HEX
        response KEYNAME ALGORITHM SECRET REQUEST_HEX RESPONSE_HEX
        xfr      KEYNAME ALGORITHM SECRET REQUEST_HEX HEX,HEX,...
      Prints one line per job and exits 1 when any job fails.
"""

import base64
import sys
import time

import dns.message
import dns.name
import dns.rdataclass
import dns.rdatatype
import dns.rrset
import dns.tsig
import dns.tsigkeyring
import dns.version

PINNED_TIME = 1700000000

ALGORITHMS = {
    "hmac-sha1": dns.tsig.HMAC_SHA1,
    "hmac-sha224": dns.tsig.HMAC_SHA224,
    "hmac-sha256": dns.tsig.HMAC_SHA256,
    "hmac-sha384": dns.tsig.HMAC_SHA384,
    "hmac-sha512": dns.tsig.HMAC_SHA512,
}


def make_key(name, algorithm, secret):
    return dns.tsig.Key(dns.name.from_text(name), base64.b64decode(secret), ALGORITHMS[algorithm])


def keyring_of(key):
    return {key.name: key}


def secret_for(algorithm):
    # Distinct, fixed secrets; the SHA-512 one is longer than a SHA-256 block (hashed first).
    size = {"hmac-sha1": 20, "hmac-sha224": 28, "hmac-sha256": 32, "hmac-sha384": 48,
            "hmac-sha512": 80}[algorithm]
    return base64.b64encode(bytes((i * 7 + len(algorithm)) & 0xFF for i in range(size))).decode()


def signed_query(key, qname, qtype, qid):
    q = dns.message.make_query(qname, qtype)
    q.id = qid
    q.use_tsig(keyring_of(key), key.name, algorithm=key.algorithm)
    wire = q.to_wire()
    # Read back with the keyring: dnspython checks its own request and keeps its MAC.
    return wire, dns.message.from_wire(wire, keyring=keyring_of(key))


def soa(origin):
    return dns.rrset.from_text(origin, 3600, "IN", "SOA",
                               "ns1.%s hostmaster.%s 2024010101 7200 3600 1209600 300"
                               % (origin, origin))


def exchange(name, algorithm):
    key = make_key(name, algorithm, secret_for(algorithm))
    qwire, query = signed_query(key, "www.example.", "A", 0x1234)
    r = dns.message.make_response(query)
    r.answer.append(dns.rrset.from_text("www.example.", 300, "IN", "A", "192.0.2.1"))
    rwire = r.to_wire()
    dns.message.from_wire(rwire, keyring=keyring_of(key), request_mac=query.mac)
    return key, qwire, rwire


def transfer(name, algorithm, count, unsigned, per_message):
    """An AXFR in `count` messages; those whose index is in `unsigned` carry no TSIG."""
    key = make_key(name, algorithm, secret_for(algorithm))
    qwire, query = signed_query(key, "example.", "AXFR", 0x4321)
    plain_query = dns.message.make_query("example.", "AXFR")
    plain_query.id = query.id
    ctx = None
    wires = []
    for i in range(count):
        r = dns.message.make_response(plain_query if i in unsigned else query)
        if i in (0, count - 1):
            r.answer.append(soa("example."))
        for j in range(per_message):
            r.answer.append(dns.rrset.from_text("h%d-%d.example." % (i, j), 300, "IN", "A",
                                                "192.0.2.%d" % ((i * 10 + j) % 256)))
        if i in unsigned:
            wire = r.to_wire()
            ctx.update(wire)  # RFC 8945 §4.3.1: unsigned messages enter the next digest
        else:
            wire = r.to_wire(multi=True, tsig_ctx=ctx)
            ctx = r.tsig_ctx
        wires.append(wire)
    # dnspython's transfer reader must accept the sequence, as dns.query.xfr reads it.
    read_ctx = None
    for wire in wires:
        m = dns.message.from_wire(wire, keyring=keyring_of(key), request_mac=query.mac,
                                  xfr=True, multi=True, tsig_ctx=read_ctx)
        read_ctx = m.tsig_ctx
    assert m.had_tsig, "the transfer must end on a signed message"
    return key, qwire, wires


def print_transfer(prefix, name, algorithm, qwire, wires, comment):
    print("inline constexpr const char* k%sKeyName = \"%s\";" % (prefix, name))
    print("inline constexpr const char* k%sAlgorithm = \"%s\";" % (prefix, algorithm))
    print("inline constexpr const char* k%sSecret = \"%s\";" % (prefix, secret_for(algorithm)))
    print("inline constexpr const char* k%sRequest = %s;" % (prefix, cpp_bytes(qwire)))
    print("/// %s" % comment)
    print("inline constexpr const char* k%sMessages[] = {" % prefix)
    for wire in wires:
        print("    %s," % cpp_bytes(wire))
    print("};")


def cpp_bytes(wire):
    return '"' + wire.hex() + '"'


def generate():
    real_time = time.time
    time.time = lambda: PINNED_TIME  # dnspython signs with time.time()
    try:
        print("// Generated by make_tsig_vectors.py (dnspython %s); do not edit."
              % dns.version.version)
        print("// Messages signed by dnspython at time %d." % PINNED_TIME)
        print("inline constexpr std::uint64_t kVectorTime = %d;" % PINNED_TIME)
        print("struct ExchangeVector { const char* keyName; const char* algorithm;"
              " const char* secret; const char* request; const char* response; };")
        print("inline constexpr ExchangeVector kExchangeVectors[] = {")
        for algorithm in ALGORITHMS:
            # Mixed case in the key name: the digest must use its canonical (lower) case.
            name = "Key-%s.Example." % algorithm.upper()
            key, qwire, rwire = exchange(name, algorithm)
            print("    {%s, %s, %s,\n     %s,\n     %s}," % (
                '"' + name + '"', '"' + algorithm + '"', '"' + secret_for(algorithm) + '"',
                cpp_bytes(qwire), cpp_bytes(rwire)))
        print("};")
        key, qwire, wires = transfer("xfr-key.example.", "hmac-sha256", 5, {1, 2}, 3)
        print_transfer("Transfer", "xfr-key.example.", "hmac-sha256", qwire, wires,
                       "Messages 2 and 3 (index 1 and 2) are unsigned.")
        key, qwire, wires = transfer("long.example.", "hmac-sha1", 101, set(range(1, 100)), 1)
        print_transfer("Long", "long.example.", "hmac-sha1", qwire, wires,
                       "Only the first and the last of the 101 messages are signed: 99 unsigned"
                       " in a row, the most RFC 8945 §5.3.1 allows.")
    finally:
        time.time = real_time


def verify_job(fields):
    kind, name, algorithm, secret = fields[:4]
    key = make_key(name, algorithm, secret)
    keyring = keyring_of(key)
    request = dns.message.from_wire(bytes.fromhex(fields[4]), keyring=keyring)
    if not request.had_tsig:
        raise ValueError("request carries no TSIG")
    if kind == "request":
        return
    if kind == "response":
        r = dns.message.from_wire(bytes.fromhex(fields[5]), keyring=keyring,
                                  request_mac=request.mac)
        if not r.had_tsig:
            raise ValueError("response carries no TSIG")
        return
    if kind == "xfr":
        ctx = None
        last = None
        for part in fields[5].split(","):
            last = dns.message.from_wire(bytes.fromhex(part), keyring=keyring,
                                         request_mac=request.mac, xfr=True, multi=True,
                                         tsig_ctx=ctx)
            ctx = last.tsig_ctx
        if last is None or not last.had_tsig:
            raise ValueError("transfer does not end on a signed message")
        return
    raise ValueError("unknown job " + kind)


def verify():
    failures = 0
    for line in sys.stdin:
        fields = line.split()
        if not fields:
            continue
        try:
            verify_job(fields)
            print("ok %s %s" % (fields[0], fields[2]))
        except Exception as e:  # report every job, then fail
            failures += 1
            print("FAIL %s %s: %s: %s" % (fields[0], fields[2], type(e).__name__, e))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--verify":
        verify()
    else:
        generate()
