// Parsing: the header, queries as the server sees them (every malformation of RFC 1035 §4.1 and
// RFC 6891 §6.1.1 a client can send), and the generic record iterator.

#include "dnswire/message.hpp"

#include <gtest/gtest.h>

#include <string_view>
#include <vector>

#include "dnswire/rrtype.hpp"

namespace dnsfleet::dnswire {
namespace {

// Hand-assembles packets so that every test says exactly which octets it sends.
struct Packet {
    std::vector<std::uint8_t> bytes;

    Packet& u8(unsigned v) {
        bytes.push_back(static_cast<std::uint8_t>(v));
        return *this;
    }
    Packet& u16(unsigned v) { return u8(v >> 8).u8(v & 0xFF); }
    Packet& u32(std::uint32_t v) { return u16(v >> 16).u16(v & 0xFFFF); }
    Packet& raw(std::string_view s) {
        bytes.insert(bytes.end(), s.begin(), s.end());
        return *this;
    }
    // Dotted text without escapes, written uncompressed: "www.Example.com".
    Packet& name(std::string_view text) {
        while (!text.empty()) {
            const auto dot = text.find('.');
            const auto label = text.substr(0, dot);
            u8(static_cast<unsigned>(label.size())).raw(label);
            text = dot == std::string_view::npos ? std::string_view() : text.substr(dot + 1);
        }
        return u8(0);
    }
    Packet& header(unsigned id, unsigned flags, unsigned qd, unsigned an, unsigned ns,
                   unsigned ar) {
        return u16(id).u16(flags).u16(qd).u16(an).u16(ns).u16(ar);
    }
    // An OPT record: root owner (unless `owner` is given), payload size, TTL, options.
    Packet& opt(unsigned payload = 1232, std::uint32_t ttl = 0,
                const std::vector<std::uint8_t>& rdata = {}) {
        u8(0).u16(rrtype::OPT).u16(payload).u32(ttl).u16(static_cast<unsigned>(rdata.size()));
        bytes.insert(bytes.end(), rdata.begin(), rdata.end());
        return *this;
    }
    Packet& a(std::uint32_t ttl = 300) {
        return u16(rrtype::A).u16(rrclass::IN).u32(ttl).u16(4).u32(0xC0000201);
    }
    std::span<const std::uint8_t> span() const { return bytes; }
};

Packet query(std::string_view qname = "www.Example.com", unsigned ar = 0) {
    Packet p;
    p.header(0xBEEF, flag::RD, 1, 0, 0, ar).name(qname).u16(rrtype::A).u16(rrclass::IN);
    return p;
}

TEST(ParseHeader, ReadsEveryFieldAndNeedsTwelveOctets) {
    Packet p;
    p.header(0x1234, 0x8000 | (5U << 11) | flag::AA | 3, 1, 2, 3, 4);
    auto h = parseHeader(p.span());
    ASSERT_TRUE(h);
    EXPECT_EQ(h->id, 0x1234);
    EXPECT_EQ(h->opcode(), opcode::UPDATE);
    EXPECT_EQ(h->rcode(), rcode::NXDOMAIN);
    EXPECT_TRUE(h->has(flag::QR));
    EXPECT_TRUE(h->has(flag::AA));
    EXPECT_FALSE(h->has(flag::TC));
    EXPECT_EQ(h->qdcount, 1);
    EXPECT_EQ(h->ancount, 2);
    EXPECT_EQ(h->nscount, 3);
    EXPECT_EQ(h->arcount, 4);
    EXPECT_EQ(parseHeader(p.span().first(11)).error(), WireError::Truncated);
    EXPECT_EQ(parseHeader({}).error(), WireError::Truncated);
}

TEST(ParseQuery, KeepsTheQuestionAsSent) {
    const Packet p = query("wWw.ExAmple.COM");
    auto q = parseQuery(p.span());
    ASSERT_TRUE(q);
    EXPECT_EQ(q->header.id, 0xBEEF);
    EXPECT_EQ(q->qname.toText(), "wWw.ExAmple.COM.");
    EXPECT_EQ(q->qtype, rrtype::A);
    EXPECT_EQ(q->qclass, rrclass::IN);
    EXPECT_EQ(q->questionEnd, p.bytes.size());
    EXPECT_FALSE(q->edns.present);
    EXPECT_EQ(q->tsigOffset, 0U);
}

TEST(ParseQuery, RootQuestion) {
    Packet p;
    p.header(1, 0, 1, 0, 0, 0).u8(0).u16(rrtype::NS).u16(rrclass::IN);
    auto q = parseQuery(p.span());
    ASSERT_TRUE(q);
    EXPECT_TRUE(q->qname.isRoot());
}

TEST(ParseQuery, EveryTruncationIsAnErrorAndTheHeaderSurvivesIt) {
    const Packet p = query("www.example.com", 1).opt(4096, 0x8000);
    ASSERT_TRUE(parseQuery(p.span()));
    for (std::size_t n = 0; n < p.bytes.size(); ++n) {
        Query q;
        auto r = parseQueryInto(p.span().first(n), q);
        ASSERT_FALSE(r) << n;
        EXPECT_EQ(r.error(), WireError::Truncated) << n;
        if (n >= kHeaderSize) {
            EXPECT_EQ(q.header.id, 0xBEEF) << n;
        }
        // The question is complete after 12 + 17 + 4 octets; only then can it be echoed.
        EXPECT_EQ(q.questionEnd != 0, n >= kHeaderSize + 17 + 4) << n;
    }
}

TEST(ParseQuery, QuestionCountMustBeOne) {
    Packet none;
    none.header(1, 0, 0, 0, 0, 0);
    EXPECT_EQ(parseQuery(none.span()).error(), WireError::BadCount);
    Packet two;
    two.header(1, 0, 2, 0, 0, 0).name("a.example").u16(1).u16(1).name("b.example").u16(1).u16(1);
    EXPECT_EQ(parseQuery(two.span()).error(), WireError::BadCount);
}

TEST(ParseQuery, PointerLoopsAndForwardPointersInTheQname) {
    Packet self;  // a pointer to itself
    self.header(1, 0, 1, 0, 0, 0).u16(0xC00C).u16(1).u16(1);
    EXPECT_EQ(parseQuery(self.span()).error(), WireError::BadPointer);

    Packet loop;  // two labels pointing at each other: "a" -> ptr 16 ... ptr 12
    loop.header(1, 0, 1, 0, 0, 0).u8(1).raw("a").u16(0xC010).u16(0xC00C).u16(1).u16(1);
    EXPECT_EQ(parseQuery(loop.span()).error(), WireError::BadPointer);

    Packet forward;  // points at a valid name placed after the question
    forward.header(1, 0, 1, 0, 0, 0).u16(0xC012).u16(1).u16(1).name("example");
    EXPECT_EQ(parseQuery(forward.span()).error(), WireError::BadPointer);

    Packet outside;
    outside.header(1, 0, 1, 0, 0, 0).u16(0xFFFF).u16(1).u16(1);
    EXPECT_EQ(parseQuery(outside.span()).error(), WireError::BadPointer);
}

TEST(ParseQuery, ReservedLabelTypes) {
    for (unsigned type : {0x40U, 0x80U}) {
        Packet p;
        p.header(1, 0, 1, 0, 0, 0).u8(type | 1).raw("a").u8(0).u16(1).u16(1);
        EXPECT_EQ(parseQuery(p.span()).error(), WireError::BadLabelType) << type;
    }
}

TEST(ParseQuery, NamesOverTwoHundredFiftyFiveOctets) {
    const std::string label(63, 'x');
    // Four 63-octet labels make 256 octets with the root: one too many.
    Packet p;
    p.header(1, 0, 1, 0, 0, 0);
    for (int i = 0; i < 4; ++i)
        p.u8(63).raw(label);
    p.u8(0).u16(1).u16(1);
    EXPECT_EQ(parseQuery(p.span()).error(), WireError::NameTooLong);

    // 255 exactly is fine: three 63-octet labels and one of 61.
    Packet ok;
    ok.header(1, 0, 1, 0, 0, 0);
    for (int i = 0; i < 3; ++i)
        ok.u8(63).raw(label);
    ok.u8(61).raw(std::string(61, 'y')).u8(0).u16(1).u16(1);
    auto q = parseQuery(ok.span());
    ASSERT_TRUE(q);
    EXPECT_EQ(q->qname.size(), 255U);
}

TEST(ParseQuery, ReadsTheOptRecord) {
    const Packet p = query("example", 1).opt(4096, 0x8000);
    auto q = parseQuery(p.span());
    ASSERT_TRUE(q);
    EXPECT_TRUE(q->edns.present);
    EXPECT_EQ(q->edns.udpSize, 4096);
    EXPECT_TRUE(q->edns.dnssecOk);
    EXPECT_EQ(q->edns.version, 0);
}

TEST(ParseQuery, AtMostOneOptWithARootOwnerInTheAdditionalSection) {
    EXPECT_EQ(parseQuery(query("example", 2).opt().opt().span()).error(), WireError::BadOpt);

    Packet named = query("example", 1);
    named.name("example").u16(rrtype::OPT).u16(1232).u32(0).u16(0);
    EXPECT_EQ(parseQuery(named.span()).error(), WireError::BadOpt);

    Packet inAnswer;
    inAnswer.header(1, 0, 1, 1, 0, 0).name("example").u16(1).u16(1).opt();
    EXPECT_EQ(parseQuery(inAnswer.span()).error(), WireError::BadOpt);

    // An option running past the RDATA.
    const Packet overrun = query("example", 1).opt(1232, 0, {0, 10, 0, 20, 1, 2, 3, 4});
    EXPECT_EQ(parseQuery(overrun.span()).error(), WireError::BadOpt);
}

TEST(ParseQuery, OptOwnerMayBeAPointerToTheRoot) {
    // Knot accepts it: the owner is the root name however it is spelled.
    Packet p = query("example", 1);
    const unsigned rootAt = static_cast<unsigned>(p.bytes.size()) - 5;  // the qname's last octet
    p.u16(0xC000 | rootAt).u16(rrtype::OPT).u16(1232).u32(0).u16(0);
    auto q = parseQuery(p.span());
    ASSERT_TRUE(q);
    EXPECT_TRUE(q->edns.present);
}

TEST(ParseQuery, CountsLargerThanTheMessage) {
    Packet ar = query("example", 1);
    EXPECT_EQ(parseQuery(ar.span()).error(), WireError::Truncated);
    Packet an;
    an.header(1, 0, 1, 5, 0, 0).name("example").u16(1).u16(1).name("example").a();
    EXPECT_EQ(parseQuery(an.span()).error(), WireError::Truncated);
    Packet rdlen;  // RDLENGTH promises more than there is
    rdlen.header(1, 0, 1, 0, 1, 0).name("example").u16(1).u16(1).name("example");
    rdlen.u16(1).u16(1).u32(0).u16(9).u32(1);
    EXPECT_EQ(parseQuery(rdlen.span()).error(), WireError::Truncated);
}

TEST(ParseQuery, TrailingDataIsAnErrorAfterARecognisableQuestion) {
    // Knot DNS 3.2 answers FORMERR (with the question) to a query with bytes after its
    // records; parseQueryInto leaves the question readable for that answer.
    Packet p = query("example");
    p.u8(0);
    Query q;
    auto r = parseQueryInto(p.span(), q);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), WireError::TrailingData);
    EXPECT_NE(q.questionEnd, 0U);
    EXPECT_EQ(q.qname.toText(), "example.");
}

TEST(ParseQuery, RecordsInAnswerAndAuthorityAreCheckedButSkipped) {
    // A NOTIFY carries the SOA in the answer section, possibly compressed against the question.
    Packet notify;
    notify.header(7, 4U << 11, 1, 1, 0, 0).name("example").u16(rrtype::SOA).u16(1);
    notify.u16(0xC00C).u16(rrtype::SOA).u16(1).u32(0).u16(4).u32(2024);
    auto q = parseQuery(notify.span());
    ASSERT_TRUE(q);
    EXPECT_EQ(q->header.opcode(), opcode::NOTIFY);

    Packet badName;
    badName.header(7, 0, 1, 1, 0, 0).name("example").u16(1).u16(1).u8(0x41).raw("a").u8(0).a();
    EXPECT_EQ(parseQuery(badName.span()).error(), WireError::BadLabelType);
}

TEST(ParseQuery, TsigMustBeTheLastRecord) {
    Packet last = query("example", 2).opt();
    const std::size_t tsigAt = last.bytes.size();
    last.name("key.example").u16(rrtype::TSIG).u16(rrclass::ANY).u32(0).u16(0);
    auto q = parseQuery(last.span());
    ASSERT_TRUE(q);
    EXPECT_EQ(q->tsigOffset, tsigAt);
    EXPECT_TRUE(q->edns.present);

    Packet early = query("example", 2);
    early.name("key.example").u16(rrtype::TSIG).u16(rrclass::ANY).u32(0).u16(0).opt();
    EXPECT_EQ(parseQuery(early.span()).error(), WireError::BadRdata);
}

TEST(MessageParser, WalksEverySectionInOrder) {
    Packet p;
    p.header(9, flag::QR | flag::AA, 1, 2, 1, 1).name("example").u16(1).u16(1);
    p.u16(0xC00C).a(60);
    p.u8(3).raw("www").u16(0xC00C).a(61);
    p.u16(0xC00C).u16(rrtype::NS).u16(1).u32(62).u16(6).u8(3).raw("ns1").u16(0xC00C);
    p.opt();
    auto parser = MessageParser::open(p.span());
    ASSERT_TRUE(parser);
    EXPECT_EQ(parser->qname().toText(), "example.");
    EXPECT_EQ(parser->qtype(), rrtype::A);

    struct Seen {
        std::string owner;
        std::uint16_t type;
        std::uint32_t ttl;
        Section section;
    };
    std::vector<Seen> seen;
    RecordRef rr;
    while (true) {
        auto more = parser->next(rr);
        ASSERT_TRUE(more);
        if (!*more) break;
        seen.push_back({rr.owner.toText(), rr.type, rr.ttl, rr.section});
    }
    ASSERT_EQ(seen.size(), 4U);
    EXPECT_EQ(seen[0].owner, "example.");
    EXPECT_EQ(seen[0].section, Section::Answer);
    EXPECT_EQ(seen[1].owner, "www.example.");
    EXPECT_EQ(seen[1].ttl, 61U);
    EXPECT_EQ(seen[2].type, rrtype::NS);
    EXPECT_EQ(seen[2].section, Section::Authority);
    EXPECT_EQ(seen[3].type, rrtype::OPT);
    EXPECT_EQ(seen[3].section, Section::Additional);
    EXPECT_TRUE(parser->complete());
}

TEST(MessageParser, ReportsShortMessagesAndLeftovers) {
    Packet p;
    p.header(9, flag::QR, 1, 2, 0, 0).name("example").u16(1).u16(1).u16(0xC00C).a();
    auto parser = MessageParser::open(p.span());
    ASSERT_TRUE(parser);
    RecordRef rr;
    ASSERT_TRUE(parser->next(rr));
    auto second = parser->next(rr);
    ASSERT_FALSE(second);
    EXPECT_EQ(second.error(), WireError::Truncated);
    EXPECT_FALSE(parser->complete());

    Packet extra;
    extra.header(9, flag::QR, 1, 0, 0, 0).name("example").u16(1).u16(1).u8(0);
    auto withExtra = MessageParser::open(extra.span());
    ASSERT_TRUE(withExtra);
    auto end = withExtra->next(rr);
    ASSERT_TRUE(end);
    EXPECT_FALSE(*end);
    EXPECT_FALSE(withExtra->complete());

    Packet noQuestion;
    noQuestion.header(9, flag::QR, 0, 0, 0, 0);
    auto empty = MessageParser::open(noQuestion.span());
    ASSERT_TRUE(empty);
    EXPECT_TRUE(empty->qname().isRoot());
    EXPECT_TRUE(empty->complete());
    EXPECT_EQ(MessageParser::open(noQuestion.span().first(5)).error(), WireError::Truncated);
}

}  // namespace
}  // namespace dnsfleet::dnswire
