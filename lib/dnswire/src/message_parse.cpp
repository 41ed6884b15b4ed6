// Reading messages from the network: the header, queries for the server, and a record iterator
// for everything else. Every read is bounds-checked; nothing allocates.

#include "dnswire/message.hpp"
#include "dnswire/rrtype.hpp"

namespace dnsfleet::dnswire {

namespace {

constexpr std::size_t kRecordFixedSize = 10;  // type, class, TTL, RDLENGTH

Header loadHeader(const std::uint8_t* p) noexcept {
    Header h;
    h.id = loadU16(p);
    h.flags = loadU16(p + 2);
    h.qdcount = loadU16(p + 4);
    h.ancount = loadU16(p + 6);
    h.nscount = loadU16(p + 8);
    h.arcount = loadU16(p + 10);
    return h;
}

// The fixed part of a record after its owner, with its RDATA bounds checked.
struct RecordFields {
    std::uint16_t type = 0;
    std::uint16_t rclass = 0;
    std::uint32_t ttl = 0;
    std::uint16_t rdlength = 0;
    std::size_t rdataOffset = 0;
};

WireResult<RecordFields> readRecordFields(std::span<const std::uint8_t> packet,
                                          std::size_t& pos) noexcept {
    if (packet.size() - pos < kRecordFixedSize) return fail(WireError::Truncated);
    const std::uint8_t* p = packet.data() + pos;
    RecordFields f;
    f.type = loadU16(p);
    f.rclass = loadU16(p + 2);
    f.ttl = loadU32(p + 4);
    f.rdlength = loadU16(p + 8);
    f.rdataOffset = pos + kRecordFixedSize;
    if (packet.size() - f.rdataOffset < f.rdlength) return fail(WireError::Truncated);
    pos = f.rdataOffset + f.rdlength;
    return f;
}

}  // namespace

WireResult<Header> parseHeader(std::span<const std::uint8_t> packet) noexcept {
    if (packet.size() < kHeaderSize) return fail(WireError::Truncated);
    return loadHeader(packet.data());
}

WireResult<void> parseQueryInto(std::span<const std::uint8_t> packet, Query& out) noexcept {
    out.questionEnd = 0;
    out.tsigOffset = 0;
    out.edns = EdnsQuery{};
    if (packet.size() < kHeaderSize) return fail(WireError::Truncated);
    out.header = loadHeader(packet.data());
    if (out.header.qdcount != 1) return fail(WireError::BadCount);

    std::size_t pos = kHeaderSize;
    auto qname = Name::fromWire(packet, pos);
    if (!qname) return fail(qname.error());
    if (packet.size() - pos < 4) return fail(WireError::Truncated);
    out.qname = *qname;
    out.qtype = loadU16(packet.data() + pos);
    out.qclass = loadU16(packet.data() + pos + 2);
    pos += 4;
    out.questionEnd = pos;

    // NOTIFY and UPDATE carry records in these sections; a query's are only checked for shape.
    const std::size_t skipped = std::size_t{out.header.ancount} + out.header.nscount;
    for (std::size_t i = 0; i < skipped; ++i) {
        DNSFLEET_TRY(Name::fromWire(packet, pos));
        auto fields = readRecordFields(packet, pos);
        if (!fields) return fail(fields.error());
        // RFC 6891 §6.1.1: OPT lives in the additional section only.
        if (fields->type == rrtype::OPT) return fail(WireError::BadOpt);
    }

    const std::size_t additional = out.header.arcount;
    for (std::size_t i = 0; i < additional; ++i) {
        const std::size_t recordStart = pos;
        // The usual owner here is OPT's root: one octet, not worth decoding into a Name.
        bool rootOwner = pos < packet.size() && packet[pos] == 0;
        if (rootOwner) {
            ++pos;
        } else {
            auto owner = Name::fromWire(packet, pos);
            if (!owner) return fail(owner.error());
            rootOwner = owner->isRoot();  // a pointer to a root label
        }
        auto fields = readRecordFields(packet, pos);
        if (!fields) return fail(fields.error());
        if (out.tsigOffset != 0) return fail(WireError::BadRdata);  // TSIG was not last
        if (fields->type == rrtype::OPT) {
            if (out.edns.present || !rootOwner) return fail(WireError::BadOpt);
            auto edns = parseOpt(fields->rclass, fields->ttl,
                                 packet.subspan(fields->rdataOffset, fields->rdlength));
            if (!edns) return fail(edns.error());
            out.edns = *edns;
        } else if (fields->type == rrtype::TSIG) {
            out.tsigOffset = recordStart;
        }
    }
    if (pos != packet.size()) return fail(WireError::TrailingData);
    return {};
}

WireResult<Query> parseQuery(std::span<const std::uint8_t> packet) noexcept {
    Query query;
    DNSFLEET_TRY(parseQueryInto(packet, query));
    return query;
}

WireResult<MessageParser> MessageParser::open(std::span<const std::uint8_t> packet) noexcept {
    MessageParser parser;
    if (packet.size() < kHeaderSize) return fail(WireError::Truncated);
    parser.packet_ = packet;
    parser.header_ = loadHeader(packet.data());
    std::size_t pos = kHeaderSize;
    for (std::size_t i = 0; i < parser.header_.qdcount; ++i) {
        auto name = Name::fromWire(packet, pos);
        if (!name) return fail(name.error());
        if (packet.size() - pos < 4) return fail(WireError::Truncated);
        if (i == 0) {
            parser.qname_ = *name;
            parser.qtype_ = loadU16(packet.data() + pos);
            parser.qclass_ = loadU16(packet.data() + pos + 2);
        }
        pos += 4;
    }
    parser.pos_ = pos;
    return parser;
}

WireResult<bool> MessageParser::next(RecordRef& out) noexcept {
    const std::size_t answers = header_.ancount;
    const std::size_t authority = answers + header_.nscount;
    const std::size_t total = authority + header_.arcount;
    if (index_ >= total) return false;

    std::size_t pos = pos_;
    auto owner = Name::fromWire(packet_, pos);
    if (!owner) return fail(owner.error());
    auto fields = readRecordFields(packet_, pos);
    if (!fields) return fail(fields.error());

    out.owner = *owner;
    out.type = fields->type;
    out.rclass = fields->rclass;
    out.ttl = fields->ttl;
    out.rdataOffset = fields->rdataOffset;
    out.rdlength = fields->rdlength;
    out.section = index_ < answers     ? Section::Answer
                  : index_ < authority ? Section::Authority
                                       : Section::Additional;
    pos_ = pos;
    ++index_;
    return true;
}

bool MessageParser::complete() const noexcept {
    const std::size_t total = std::size_t{header_.ancount} + header_.nscount + header_.arcount;
    return index_ == total && pos_ == packet_.size();
}

}  // namespace dnsfleet::dnswire
