// Building responses: header and question echo, records decoded again, compression checked by a
// decoder written here independently of Name::fromWire, marks, limits and reservations.

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "dnswire/message.hpp"
#include "dnswire/rrtype.hpp"

namespace dnsfleet::dnswire {
namespace {

Name name(std::string_view text) {
    auto r = Name::fromText(text);
    EXPECT_TRUE(r) << text;
    return r ? *r : Name();
}

std::vector<std::uint8_t> rdata(std::uint16_t type, std::string_view text) {
    std::vector<std::uint8_t> out;
    auto r = rdataFromString(type, text, NameView(), out);
    EXPECT_TRUE(r) << text;
    return out;
}

// A query as a client would send it, parsed the way the server does.
struct TestQuery {
    std::vector<std::uint8_t> wire;
    Query query;
};

TestQuery makeQuery(std::string_view qname, std::uint16_t qtype, std::uint16_t flags = flag::RD) {
    TestQuery t;
    t.wire = {0xAB,
              0xCD,
              static_cast<std::uint8_t>(flags >> 8),
              static_cast<std::uint8_t>(flags & 0xFF),
              0,
              1,
              0,
              0,
              0,
              0,
              0,
              0};
    const Name n = name(qname);
    t.wire.insert(t.wire.end(), n.wire().begin(), n.wire().end());
    t.wire.push_back(static_cast<std::uint8_t>(qtype >> 8));
    t.wire.push_back(static_cast<std::uint8_t>(qtype));
    t.wire.push_back(0);
    t.wire.push_back(1);
    auto q = parseQuery(t.wire);
    EXPECT_TRUE(q);
    if (q) t.query = *q;
    return t;
}

// --- An independent decoder: the reference the builder's output is checked against. ---------

struct Decoded {
    std::string text;                ///< dotted, as written (case kept)
    std::vector<std::size_t> jumps;  ///< every pointer followed: its position and target
    bool ok = true;
};

// Expands the name at `pos`; every pointer must lead strictly backwards (RFC 1035 §4.1.4
// pointers "to a prior occurrence") and land inside the message.
Decoded decodeName(std::span<const std::uint8_t> m, std::size_t& pos) {
    Decoded d;
    std::size_t at = pos;
    bool jumped = false;
    for (int guard = 0; guard < 300; ++guard) {
        if (at >= m.size()) return d.ok = false, d;
        const std::uint8_t len = m[at];
        if ((len & 0xC0) == 0xC0) {
            if (at + 1 >= m.size()) return d.ok = false, d;
            const std::size_t target = ((len & 0x3FU) << 8) | m[at + 1];
            d.jumps.push_back(at);
            d.jumps.push_back(target);
            if (target >= at) return d.ok = false, d;
            if (!jumped) pos = at + 2;
            jumped = true;
            at = target;
            continue;
        }
        if (len == 0) {
            if (!jumped) pos = at + 1;
            if (d.text.empty()) d.text = ".";
            return d;
        }
        if (at + 1 + len > m.size()) return d.ok = false, d;
        d.text.append(reinterpret_cast<const char*>(m.data() + at + 1), len);
        d.text.push_back('.');
        at += 1U + len;
    }
    d.ok = false;
    return d;
}

struct DecodedRecord {
    std::string owner;
    std::uint16_t type = 0;
    std::uint32_t ttl = 0;
    std::size_t rdataOffset = 0;
    std::size_t rdlength = 0;
};

std::vector<DecodedRecord> decodeRecords(std::span<const std::uint8_t> m) {
    std::vector<DecodedRecord> out;
    const std::size_t qd = loadU16(&m[4]);
    const std::size_t total = std::size_t{loadU16(&m[6])} + loadU16(&m[8]) + loadU16(&m[10]);
    std::size_t pos = 12;
    for (std::size_t i = 0; i < qd; ++i) {
        EXPECT_TRUE(decodeName(m, pos).ok);
        pos += 4;
    }
    for (std::size_t i = 0; i < total; ++i) {
        DecodedRecord r;
        const Decoded owner = decodeName(m, pos);
        EXPECT_TRUE(owner.ok);
        r.owner = owner.text;
        r.type = loadU16(&m[pos]);
        r.ttl = loadU32(&m[pos + 4]);
        r.rdlength = loadU16(&m[pos + 8]);
        r.rdataOffset = pos + 10;
        pos = r.rdataOffset + r.rdlength;
        out.push_back(r);
    }
    EXPECT_EQ(pos, m.size());
    return out;
}

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; });
    return s;
}

// ----------------------------------------------------------------------------------------------

TEST(MessageBuilder, RespondToEchoesIdFlagsAndTheQuestionOctets) {
    const TestQuery q = makeQuery("wWw.ExAmPlE.", rrtype::AAAA, flag::RD | flag::CD | flag::AD);
    std::array<std::uint8_t, 512> buffer{};
    auto b = MessageBuilder::respondTo(q.query, q.wire, buffer);
    ASSERT_TRUE(b);
    const auto w = b->wire();
    ASSERT_EQ(w.size(), q.wire.size());
    EXPECT_EQ(w[0], 0xAB);
    EXPECT_EQ(w[1], 0xCD);
    auto h = parseHeader(w);
    ASSERT_TRUE(h);
    EXPECT_TRUE(h->has(flag::QR));
    EXPECT_TRUE(h->has(flag::RD));
    EXPECT_TRUE(h->has(flag::CD));
    EXPECT_FALSE(h->has(flag::AA));
    EXPECT_FALSE(h->has(flag::AD));  // AD is the server's to set, not an echo
    EXPECT_EQ(h->opcode(), opcode::QUERY);
    EXPECT_EQ(h->qdcount, 1);
    EXPECT_TRUE(std::equal(w.begin() + 12, w.end(), q.wire.begin() + 12));
}

TEST(MessageBuilder, RespondToWithoutAReadableQuestionWritesTheHeaderOnly) {
    Query q;
    q.header.id = 7;
    q.header.flags = static_cast<std::uint16_t>(opcode::NOTIFY << 11);
    std::array<std::uint8_t, 64> buffer{};
    auto b = MessageBuilder::respondTo(q, {}, buffer);
    ASSERT_TRUE(b);
    b->setRcode(rcode::FORMERR);
    auto h = parseHeader(b->wire());
    ASSERT_TRUE(h);
    EXPECT_EQ(b->size(), kHeaderSize);
    EXPECT_EQ(h->qdcount, 0);
    EXPECT_EQ(h->opcode(), opcode::NOTIFY);
    EXPECT_EQ(h->rcode(), rcode::FORMERR);
}

TEST(MessageBuilder, AQuestionWrittenWithAPointerIsEchoedInFull) {
    // Legal but odd: the qname "a" + pointer to a root octet inside the header (ARCOUNT's low
    // octet is 0). The echo must not point into the response's header, which differs.
    const std::vector<std::uint8_t> wire = {0, 9, 0, 0,   0,    1,  0, 0, 0, 0,
                                            0, 0, 1, 'a', 0xC0, 11, 0, 1, 0, 1};
    auto q = parseQuery(wire);
    ASSERT_TRUE(q);
    EXPECT_EQ(q->qname.toText(), "a.");
    std::array<std::uint8_t, 64> buffer{};
    auto b = MessageBuilder::respondTo(*q, wire, buffer);
    ASSERT_TRUE(b);
    auto parser = MessageParser::open(b->wire());
    ASSERT_TRUE(parser);
    EXPECT_EQ(parser->qname().toText(), "a.");
    EXPECT_EQ(b->size(), 12U + 3U + 4U);
}

TEST(MessageBuilder, RefusesBuffersTooSmallForTheQuestion) {
    const TestQuery q = makeQuery("www.example.", rrtype::A);
    std::array<std::uint8_t, 20> small{};
    EXPECT_EQ(MessageBuilder::respondTo(q.query, q.wire, small).error(), WireError::BufferFull);
    std::array<std::uint8_t, 11> tiny{};
    EXPECT_EQ(MessageBuilder::respondTo(q.query, q.wire, tiny).error(), WireError::BufferFull);
}

TEST(MessageBuilder, OwnerEqualToTheQuestionBecomesOnePointer) {
    const TestQuery q = makeQuery("WWW.example.com.", rrtype::A);
    std::array<std::uint8_t, 512> buffer{};
    auto b = MessageBuilder::respondTo(q.query, q.wire, buffer);
    ASSERT_TRUE(b);
    const auto a = rdata(rrtype::A, "192.0.2.1");
    ASSERT_TRUE(
        b->addRecord(Section::Answer, name("www.example.com."), rrtype::A, rrclass::IN, 300, a));
    // header + question (17 + 4) + pointer + fixed fields + 4 octets of address
    EXPECT_EQ(b->size(), 12U + 21U + 2U + 10U + 4U);
    const auto w = b->wire();
    EXPECT_EQ(w[33], 0xC0);
    EXPECT_EQ(w[34], 12);
    const auto records = decodeRecords(w);
    ASSERT_EQ(records.size(), 1U);
    // Knot does the same: the owner takes the question's letter case.
    EXPECT_EQ(records[0].owner, "WWW.example.com.");
}

TEST(MessageBuilder, RoundTripThroughMessageParser) {
    const TestQuery q = makeQuery("example.", rrtype::ANY);
    std::vector<std::uint8_t> buffer(4096);
    auto b = MessageBuilder::respondTo(q.query, q.wire, buffer);
    ASSERT_TRUE(b);
    struct Input {
        Section section;
        const char* owner;
        std::uint16_t type;
        const char* text;
    };
    const Input inputs[] = {
        {Section::Answer, "example.", rrtype::SOA,
         "ns1.example. hostmaster.example. 2024010101 7200 3600 1209600 300"},
        {Section::Answer, "example.", rrtype::NS, "ns1.example."},
        {Section::Answer, "example.", rrtype::NS, "ns2.other.test."},
        {Section::Answer, "example.", rrtype::MX, "10 mail.example."},
        {Section::Answer, "example.", rrtype::TXT, "\"hello\" \"world\""},
        {Section::Answer, "alias.example.", rrtype::CNAME, "www.example."},
        {Section::Answer, "_sip._tcp.example.", rrtype::SRV, "0 5 5060 sip.example."},
        {Section::Authority, "example.", rrtype::NS, "ns1.example."},
        {Section::Additional, "ns1.example.", rrtype::A, "192.0.2.53"},
        {Section::Additional, "mail.example.", rrtype::AAAA, "2001:db8::25"},
        {Section::Additional, "sip.example.", rrtype::A, "192.0.2.70"},
    };
    for (const Input& in : inputs) {
        ASSERT_TRUE(b->addRecord(in.section, name(in.owner), in.type, rrclass::IN, 3600,
                                 rdata(in.type, in.text)))
            << in.owner;
    }
    EXPECT_EQ(b->count(Section::Answer), 7);
    EXPECT_EQ(b->count(Section::Authority), 1);
    EXPECT_EQ(b->count(Section::Additional), 3);

    const auto wire = b->wire();
    auto parser = MessageParser::open(wire);
    ASSERT_TRUE(parser);
    EXPECT_EQ(parser->header().ancount, 7);
    RecordRef rr;
    for (const Input& in : inputs) {
        auto more = parser->next(rr);
        ASSERT_TRUE(more);
        ASSERT_TRUE(*more);
        EXPECT_EQ(rr.owner, name(in.owner));
        EXPECT_EQ(rr.type, in.type);
        EXPECT_EQ(rr.section, in.section);
        EXPECT_EQ(rr.ttl, 3600U);
        std::vector<std::uint8_t> got;
        ASSERT_TRUE(rdataFromWire(rr.type, wire, rr.rdataOffset, rr.rdlength, got));
        EXPECT_EQ(got, rdata(in.type, in.text)) << in.owner;
    }
    auto end = parser->next(rr);
    ASSERT_TRUE(end);
    EXPECT_FALSE(*end);
    EXPECT_TRUE(parser->complete());

    // The independent decoder agrees, and every pointer it followed led backwards.
    const auto records = decodeRecords(wire);
    ASSERT_EQ(records.size(), std::size(inputs));
    for (std::size_t i = 0; i < records.size(); ++i)
        EXPECT_EQ(lower(records[i].owner), inputs[i].owner);
    // Counted by hand: header 12, question 13, SOA 2+10+(6+13+20), NS 2+10+2, NS 2+10+16,
    // MX 2+10+9, TXT 2+10+12, CNAME 8+10+6, SRV 12+10+(6+13: target not compressed),
    // NS 14, A 16, AAAA 28, and the last A 16 (its owner points into the SRV target, as Knot's
    // would).
    EXPECT_EQ(wire.size(), 302U);
}

TEST(MessageBuilder, CompressesRdataNamesOnlyWhereRfc3597AllowsIt) {
    const TestQuery q = makeQuery("example.", rrtype::MX);
    std::vector<std::uint8_t> buffer(1024);
    auto b = MessageBuilder::respondTo(q.query, q.wire, buffer);
    ASSERT_TRUE(b);
    const auto mx = rdata(rrtype::MX, "10 mail.example.");
    ASSERT_TRUE(b->addRecord(Section::Answer, name("example."), rrtype::MX, 1, 60, mx));
    const auto srv = rdata(rrtype::SRV, "0 5 5060 mail.example.");
    ASSERT_TRUE(b->addRecord(Section::Answer, name("_s._tcp.example."), rrtype::SRV, 1, 60, srv));
    const auto records = decodeRecords(b->wire());
    ASSERT_EQ(records.size(), 2U);
    // MX: preference, "mail" and a pointer to "example." in the question.
    EXPECT_EQ(records[0].rdlength, 2U + 5U + 2U);
    // SRV (RFC 2782, RFC 3597 §4): the target is written out in full, octet for octet.
    ASSERT_EQ(records[1].rdlength, srv.size());
    EXPECT_TRUE(
        std::equal(srv.begin(), srv.end(),
                   b->wire().begin() + static_cast<std::ptrdiff_t>(records[1].rdataOffset)));
}

TEST(MessageBuilder, SuffixesMatchOnlyAtLabelBoundariesAndIgnoreCase) {
    const TestQuery q = makeQuery("Example.COM.", rrtype::NS);
    std::vector<std::uint8_t> buffer(1024);
    auto b = MessageBuilder::respondTo(q.query, q.wire, buffer);
    ASSERT_TRUE(b);
    // "xample.com" shares the octets "xample\3com" with the question but not a label boundary.
    const auto ns1 = rdata(rrtype::NS, "ns.xample.com.");
    ASSERT_TRUE(b->addRecord(Section::Answer, name("example.com."), rrtype::NS, 1, 60, ns1));
    const auto ns2 = rdata(rrtype::NS, "a.b.example.com.");
    ASSERT_TRUE(b->addRecord(Section::Answer, name("example.com."), rrtype::NS, 1, 60, ns2));
    const auto ns3 = rdata(rrtype::NS, "c.B.EXAMPLE.com.");
    ASSERT_TRUE(b->addRecord(Section::Answer, name("example.com."), rrtype::NS, 1, 60, ns3));
    const auto records = decodeRecords(b->wire());
    ASSERT_EQ(records.size(), 3U);
    std::vector<std::string> targets;
    for (const auto& r : records) {
        std::size_t pos = r.rdataOffset;
        const Decoded d = decodeName(b->wire(), pos);
        EXPECT_TRUE(d.ok);
        EXPECT_EQ(pos, r.rdataOffset + r.rdlength);
        targets.push_back(lower(d.text));
    }
    EXPECT_EQ(targets[0], "ns.xample.com.");
    EXPECT_EQ(targets[1], "a.b.example.com.");
    EXPECT_EQ(targets[2], "c.b.example.com.");
    // ns.xample + pointer to "COM"; a.b + pointer to the question; c + pointer to "b.example".
    EXPECT_EQ(records[0].rdlength, 3U + 7U + 2U);
    EXPECT_EQ(records[1].rdlength, 2U + 2U + 2U);
    EXPECT_EQ(records[2].rdlength, 2U + 2U);
}

TEST(MessageBuilder, RollbackRestoresCountsSizeAndCompressionTable) {
    const TestQuery q = makeQuery("example.", rrtype::A);
    std::vector<std::uint8_t> buffer(1024);
    auto b = MessageBuilder::respondTo(q.query, q.wire, buffer);
    ASSERT_TRUE(b);
    const auto a = rdata(rrtype::A, "192.0.2.1");
    ASSERT_TRUE(b->addRecord(Section::Answer, name("example."), rrtype::A, 1, 60, a));
    const auto mark = b->mark();
    const std::vector<std::uint8_t> before(b->wire().begin(), b->wire().end());

    ASSERT_TRUE(b->addRecord(Section::Answer, name("long.name.example."), rrtype::A, 1, 60, a));
    ASSERT_TRUE(
        b->addRecord(Section::Authority, name("x.long.name.example."), rrtype::A, 1, 60, a));
    b->rollback(mark);
    EXPECT_EQ(b->size(), before.size());
    EXPECT_TRUE(std::equal(before.begin(), before.end(), b->wire().begin()));
    EXPECT_EQ(b->count(Section::Answer), 1);
    EXPECT_EQ(b->count(Section::Authority), 0);

    // After the rollback "long.name.example." is gone: a name under it must not point there,
    // and the answer section is open again.
    ASSERT_TRUE(b->addRecord(Section::Answer, name("y.long.name.example."), rrtype::A, 1, 60, a));
    const auto records = decodeRecords(b->wire());
    ASSERT_EQ(records.size(), 2U);
    EXPECT_EQ(records[1].owner, "y.long.name.example.");
    EXPECT_EQ(b->size(), before.size() + 2 + 5 + 5 + 2 + 10 + 4);
}

TEST(MessageBuilder, RefusesRecordsOverTheLimitAndWritesNothing) {
    const TestQuery q = makeQuery("example.", rrtype::TXT);
    std::vector<std::uint8_t> buffer(4096);
    auto b = MessageBuilder::respondTo(q.query, q.wire, buffer);
    ASSERT_TRUE(b);
    b->setLimit(100);
    EXPECT_EQ(b->limit(), 100U);
    const auto txt = rdata(rrtype::TXT, "\"" + std::string(40, 'x') + "\"");  // 41 octets
    ASSERT_TRUE(b->addRecord(Section::Answer, name("example."), rrtype::TXT, 1, 60, txt));
    EXPECT_EQ(b->size(), 12U + 13U + 12U + 41U);  // 78
    const auto full = b->addRecord(Section::Answer, name("example."), rrtype::TXT, 1, 60, txt);
    ASSERT_FALSE(full);
    EXPECT_EQ(full.error(), WireError::BufferFull);
    EXPECT_EQ(b->size(), 78U);
    EXPECT_EQ(b->count(Section::Answer), 1);
    EXPECT_EQ(decodeRecords(b->wire()).size(), 1U);

    // Exactly at the limit is allowed: 78 + 12 + 10 = 100.
    const auto small = rdata(rrtype::TXT, "\"123456789\"");
    EXPECT_TRUE(b->addRecord(Section::Answer, name("example."), rrtype::TXT, 1, 60, small));
    EXPECT_EQ(b->size(), 100U);
    EXPECT_EQ(b->room(), 0U);

    // A limit above the buffer is capped by it.
    b->setLimit(100000);
    EXPECT_EQ(b->limit(), 4096U);
}

TEST(MessageBuilder, ReservedSpaceIsKeptUntilUnreserved) {
    const TestQuery q = makeQuery("example.", rrtype::A);
    std::vector<std::uint8_t> buffer(4096);
    auto b = MessageBuilder::respondTo(q.query, q.wire, buffer);
    ASSERT_TRUE(b);
    b->setLimit(12 + 13 + 16);  // the question and exactly one A record
    const auto a = rdata(rrtype::A, "192.0.2.1");
    b->reserve(kOptFixedSize);
    EXPECT_EQ(b->addRecord(Section::Answer, name("example."), rrtype::A, 1, 60, a).error(),
              WireError::BufferFull);
    b->unreserve(kOptFixedSize);
    EXPECT_TRUE(b->addRecord(Section::Answer, name("example."), rrtype::A, 1, 60, a));
    b->unreserve(1000);  // more than was reserved: harmless
    EXPECT_EQ(b->room(), 0U);
}

TEST(MessageBuilder, SectionsGoForwardOnly) {
    const TestQuery q = makeQuery("example.", rrtype::A);
    std::vector<std::uint8_t> buffer(512);
    auto b = MessageBuilder::respondTo(q.query, q.wire, buffer);
    ASSERT_TRUE(b);
    const auto a = rdata(rrtype::A, "192.0.2.1");
    ASSERT_TRUE(b->addRecord(Section::Authority, name("example."), rrtype::A, 1, 60, a));
    EXPECT_EQ(b->addRecord(Section::Answer, name("example."), rrtype::A, 1, 60, a).error(),
              WireError::BadCount);
    EXPECT_EQ(b->addRecord(Section::Question, name("example."), rrtype::A, 1, 60, a).error(),
              WireError::BadCount);
    EXPECT_EQ(b->addQuestion(name("example."), 1, 1).error(), WireError::BadCount);
    EXPECT_TRUE(b->addRecord(Section::Additional, name("example."), rrtype::A, 1, 60, a));
}

TEST(MessageBuilder, FlagsAndRcode) {
    const TestQuery q = makeQuery("example.", rrtype::A);
    std::vector<std::uint8_t> buffer(512);
    auto b = MessageBuilder::respondTo(q.query, q.wire, buffer);
    ASSERT_TRUE(b);
    b->setFlag(flag::AA);
    b->setFlag(flag::TC);
    b->setFlag(flag::TC, false);
    b->setRcode(rcode::NXDOMAIN);
    auto h = parseHeader(b->wire());
    ASSERT_TRUE(h);
    EXPECT_TRUE(h->has(flag::AA));
    EXPECT_FALSE(h->has(flag::TC));
    EXPECT_TRUE(h->has(flag::RD));
    EXPECT_EQ(h->rcode(), rcode::NXDOMAIN);
    b->setRcode(rcode::BADVERS);  // 16: only the low four bits (0) go in the header
    h = parseHeader(b->wire());
    EXPECT_EQ(h->rcode(), 0);
}

TEST(MessageBuilder, StartAndAddQuestionForOutgoingMessages) {
    std::vector<std::uint8_t> buffer(512);
    Header header;
    header.id = 99;
    header.flags = static_cast<std::uint16_t>(opcode::NOTIFY << 11) | flag::AA;
    header.ancount = 7;  // ignored: the builder counts
    auto b = MessageBuilder::start(header, buffer);
    ASSERT_TRUE(b);
    ASSERT_TRUE(b->addQuestion(name("Example.org."), rrtype::SOA, rrclass::IN));
    const auto soa = rdata(rrtype::SOA, "ns.example.org. h.example.org. 1 2 3 4 5");
    ASSERT_TRUE(b->addRecord(Section::Answer, name("example.org."), rrtype::SOA, 1, 60, soa));
    auto parser = MessageParser::open(b->wire());
    ASSERT_TRUE(parser);
    EXPECT_EQ(parser->header().id, 99);
    EXPECT_EQ(parser->header().opcode(), opcode::NOTIFY);
    EXPECT_EQ(parser->qname().toText(), "Example.org.");
    EXPECT_EQ(parser->header().ancount, 1);
    const auto records = decodeRecords(b->wire());
    ASSERT_EQ(records.size(), 1U);
    // SOA names are compressible: ns + ptr, h + ptr, then 20 octets of integers.
    EXPECT_EQ(records[0].rdlength, 5U + 4U + 20U);
}

TEST(MessageBuilder, ManyDistinctNamesStayCorrectPastTheCompressionTable) {
    // More names than the table holds: later names compress less but always decode right.
    const TestQuery q = makeQuery("example.", rrtype::NS);
    std::vector<std::uint8_t> buffer(65535);
    auto b = MessageBuilder::respondTo(q.query, q.wire, buffer);
    ASSERT_TRUE(b);
    std::vector<std::string> owners;
    for (int i = 0; i < 300; ++i) {
        owners.push_back("h" + std::to_string(i) + ".z" + std::to_string(i % 7) + ".example.");
        const auto ns = rdata(rrtype::NS, "ns" + std::to_string(i) + "." + owners.back());
        ASSERT_TRUE(b->addRecord(Section::Answer, name(owners.back()), rrtype::NS, 1, 60, ns));
    }
    const auto records = decodeRecords(b->wire());
    ASSERT_EQ(records.size(), owners.size());
    for (std::size_t i = 0; i < owners.size(); ++i) {
        EXPECT_EQ(records[i].owner, owners[i]);
        std::size_t pos = records[i].rdataOffset;
        const Decoded target = decodeName(b->wire(), pos);
        ASSERT_TRUE(target.ok);
        EXPECT_EQ(target.text, "ns" + std::to_string(i) + "." + owners[i]);
    }
}

TEST(MessageBuilder, PointersNeverTargetOffsetsBeyondFourteenBits) {
    // Past 16 KiB a name cannot be pointed to; later copies must be written out in full.
    const TestQuery q = makeQuery("example.", rrtype::TXT);
    std::vector<std::uint8_t> buffer(65535);
    auto b = MessageBuilder::respondTo(q.query, q.wire, buffer);
    ASSERT_TRUE(b);
    const auto txt = rdata(rrtype::TXT, "\"" + std::string(200, 'x') + "\"");
    while (b->size() < 0x4100) {
        ASSERT_TRUE(b->addRecord(Section::Answer, name("example."), rrtype::TXT, 1, 60, txt));
    }
    const auto ptr = rdata(rrtype::PTR, "far.away.example.");
    ASSERT_TRUE(b->addRecord(Section::Answer, name("far.away.example."), rrtype::PTR, 1, 60, ptr));
    ASSERT_TRUE(b->addRecord(Section::Answer, name("far.away.example."), rrtype::PTR, 1, 60, ptr));
    const auto records = decodeRecords(b->wire());
    EXPECT_EQ(records.back().owner, "far.away.example.");
    std::size_t pos = records.back().rdataOffset;
    EXPECT_EQ(decodeName(b->wire(), pos).text, "far.away.example.");
}

}  // namespace
}  // namespace dnsfleet::dnswire
