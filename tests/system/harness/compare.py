"""Normalising two DNS replies into comparable facts, and listing how they differ.

A reply becomes a dict of fields: rcode (with the EDNS extended bits), opcode, flags (QR AA TC RD
RA AD CD), the question (letter case kept: the server must echo it), each section as a SET of
RRsets (owner case-insensitive, class, type, TTL, rdata in canonical form; RRSIGs compared fully),
and the OPT record's presence, version, DO bit, payload and option codes.
"""
import dns.flags
import dns.message
import dns.rdatatype
import dns.rcode

FLAG_NAMES = ("QR", "AA", "TC", "RD", "RA", "AD", "CD")
SECTIONS = ("answer", "authority", "additional")


class RRsetKey:
    """An RRset as compared: owner (lower case), type, TTL and the RDATA in canonical wire form
    (RFC 4034 §6.2: names inside RDATA lower-cased), so letter case never makes a difference.
    The presentation form rides along only for reading a failure."""

    __slots__ = ("ident", "texts")

    def __init__(self, rrset):
        rtype = dns.rdatatype.to_text(rrset.rdtype)
        if rrset.rdtype == dns.rdatatype.RRSIG:
            rtype = "RRSIG(%s)" % dns.rdatatype.to_text(rrset.covers)
        pairs = sorted((rd.to_digestable().hex(), rd.to_text()) for rd in rrset)
        self.ident = (rrset.name.to_text().lower(), rtype, rrset.ttl, tuple(h for h, _ in pairs))
        self.texts = tuple(t for _, t in pairs)

    def __eq__(self, other):
        return isinstance(other, RRsetKey) and self.ident == other.ident

    def __hash__(self):
        return hash(self.ident)

    def __lt__(self, other):
        return self.ident < other.ident

    def __repr__(self):
        name, rtype, ttl, _ = self.ident
        return "; ".join("%s %d %s %s" % (name, ttl, rtype, t) for t in self.texts)


def _flags(value):
    return tuple(f for f in FLAG_NAMES if value & getattr(dns.flags, f))


def normalize(wire):
    """Facts of a raw reply (None = no reply)."""
    if wire is None:
        return {"reply": "none"}
    out = {"reply": "yes"}
    try:
        msg = dns.message.from_wire(wire)
    except Exception as e:  # compare what the header says, and that it did not parse
        if len(wire) < 12:
            return {"reply": "short(%d bytes)" % len(wire)}
        flags = int.from_bytes(wire[2:4], "big")
        out.update(rcode=dns.rcode.to_text(flags & 0xF), flags=_flags(flags),
                   parse="unparseable: %s" % type(e).__name__)
        return out
    out["rcode"] = dns.rcode.to_text(msg.rcode())
    # the header's counts catch what sets cannot: a record sent twice, or an extra OPT
    out["counts"] = tuple(int.from_bytes(wire[i:i + 2], "big") for i in (4, 6, 8, 10))
    out["opcode"] = msg.opcode()
    out["flags"] = _flags(msg.flags)
    out["question"] = tuple((q.name.to_text(), dns.rdatatype.to_text(q.rdtype), q.rdclass)
                            for q in msg.question)
    for sec in SECTIONS:
        out[sec] = frozenset(RRsetKey(r) for r in getattr(msg, sec))
    if msg.edns < 0:
        out["opt"] = None
    else:
        out["opt"] = {"version": msg.edns, "do": bool(msg.ednsflags & dns.flags.DO),
                      "options": tuple(sorted(int(o.otype) for o in msg.options))}
        out["payload"] = msg.payload
        nsid = [o for o in msg.options if int(o.otype) == 3]
        if nsid:
            out["nsid"] = nsid[0].to_wire().hex() if hasattr(nsid[0], "to_wire") else repr(nsid[0])
    return out


class Difference:
    """One field that differs; for a section, the RRsets only in the reference / only in the subject."""

    def __init__(self, field, reference, subject):
        self.field, self.reference, self.subject = field, reference, subject

    def __str__(self):
        if isinstance(self.reference, frozenset) and isinstance(self.subject, frozenset):
            lines = ["%s differs:" % self.field]
            lines += ["    only in reference: %s" % repr(k) for k in sorted(self.reference - self.subject)]
            lines += ["    only in subject:   %s" % repr(k) for k in sorted(self.subject - self.reference)]
            return "\n".join(lines)
        return "%s differs: reference=%r subject=%r" % (self.field, self.reference, self.subject)


def diff(reference, subject):
    """Differences between two normalised replies, field by field."""
    out = []
    if reference.get("reply") != subject.get("reply") or reference.get("parse") != subject.get("parse"):
        # one side did not answer (or sent junk): the other fields would only repeat that
        fields = [f for f in ("reply", "parse", "rcode", "flags") if reference.get(f) != subject.get(f)]
        return [Difference(f, reference.get(f), subject.get(f)) for f in fields]
    for field in sorted(set(reference) | set(subject)):
        a, b = reference.get(field), subject.get(field)
        if a != b:
            out.append(Difference(field, a, b))
    return out
