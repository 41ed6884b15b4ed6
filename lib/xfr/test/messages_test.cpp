// NOTIFY (RFC 1996), its answer, transfer requests (RFC 1995 §3, RFC 5936) and the SOA check.

#include "xfr/messages.hpp"

#include <gtest/gtest.h>

#include "xfr_fixture.hpp"

namespace dnsfleet::xfr {
namespace {

using namespace testing;  // NOLINT
namespace rrtype = dnswire::rrtype;
using dnswire::WireError;

std::shared_ptr<const zone::Zone> sampleZone() {
    return zoneFromText(
        "@ 3600 SOA ns1 hostmaster 2024112601 3600 600 86400 300\n@ NS ns1\n"
        "ns1 A 192.0.2.1\n");
}

std::span<const std::uint8_t> wireOf(const std::vector<std::uint8_t>& buffer, std::size_t n) {
    return {buffer.data(), n};
}

TEST(Notify, BuildsWhatRfc1996Describes) {
    const auto zone = sampleZone();
    std::vector<std::uint8_t> buffer(512);
    auto n = buildNotify(buffer, 0x1234, *zone);
    ASSERT_TRUE(n);
    auto parser = dnswire::MessageParser::open(wireOf(buffer, *n));
    ASSERT_TRUE(parser);
    const dnswire::Header& h = parser->header();
    EXPECT_EQ(h.id, 0x1234);
    EXPECT_EQ(h.opcode(), dnswire::opcode::NOTIFY);
    EXPECT_FALSE(h.has(dnswire::flag::QR));
    EXPECT_TRUE(h.has(dnswire::flag::AA));  // §3.7 as Knot and BIND send it
    EXPECT_EQ(h.qdcount, 1);
    EXPECT_EQ(h.ancount, 1);
    EXPECT_EQ(parser->qname().toText(), "example.");
    EXPECT_EQ(parser->qtype(), rrtype::SOA);

    auto notify = parseNotify(wireOf(buffer, *n));
    ASSERT_TRUE(notify);
    EXPECT_EQ(notify->apex.toText(), "example.");
    ASSERT_TRUE(notify->serial);
    EXPECT_EQ(*notify->serial, 2024112601U);
}

TEST(Notify, TooSmallBufferIsBufferFull) {
    const auto zone = sampleZone();
    std::vector<std::uint8_t> buffer(40);
    auto n = buildNotify(buffer, 1, *zone);
    ASSERT_FALSE(n);
    EXPECT_EQ(n.error(), WireError::BufferFull);
}

// Written by hand as BIND sends it: mixed-case question, SOA owner and RDATA names compressed.
TEST(Notify, ParsesACompressedNotifyFromAnotherServer) {
    const std::vector<std::uint8_t> wire = {
        0xAB, 0xCD, 0x24, 0x00, 0, 1, 0, 1, 0, 0, 0, 0,       // NOTIFY, AA, 1 question,
                                                              // 1 answer
        7, 'E', 'x', 'a', 'm', 'p', 'l', 'e', 0, 0, 6, 0, 1,  // Example. SOA IN
        0xC0, 12, 0, 6, 0, 1, 0, 0, 0x0E, 0x10, 0, 30,        // SOA, TTL 3600, rdlength
                                                              // 30
        2, 'n', 's', 0xC0, 12,                                // ns.Example.
        2, 'h', 'm', 0xC0, 12,                                // hm.Example.
        0, 0, 0, 42, 0, 0, 0x0E, 0x10, 0, 0, 2, 0x58, 0, 1, 0x51, 0x80, 0, 0, 1, 0x2C};
    auto notify = parseNotify(wire);
    ASSERT_TRUE(notify);
    EXPECT_EQ(notify->apex.toText(), "example.");
    ASSERT_TRUE(notify->serial);
    EXPECT_EQ(*notify->serial, 42U);

    // Without the answer: still a NOTIFY, no serial hint.
    std::vector<std::uint8_t> bare(wire.begin(), wire.begin() + 25);
    bare[7] = 0;
    auto plain = parseNotify(bare);
    ASSERT_TRUE(plain);
    EXPECT_FALSE(plain->serial);

    // An SOA whose RDATA is a byte short is malformed, not a serial.
    std::vector<std::uint8_t> shortSoa(wire.begin(), wire.end() - 1);
    shortSoa[12 + 9 + 4 + 2 + 8 + 1] = 29;
    EXPECT_FALSE(parseNotify(shortSoa));
}

TEST(Notify, RefusesWhatIsNotANotify) {
    const auto zone = sampleZone();
    std::vector<std::uint8_t> buffer(512);
    // A plain SOA query.
    auto q = buildRequest(buffer, 7, zone->apex(), rrtype::SOA);
    ASSERT_TRUE(q);
    EXPECT_FALSE(parseNotify(wireOf(buffer, *q)));
    // A NOTIFY answer (QR set).
    auto n = buildNotify(buffer, 7, *zone);
    ASSERT_TRUE(n);
    std::vector<std::uint8_t> answer(buffer.begin(),
                                     buffer.begin() + static_cast<std::ptrdiff_t>(*n));
    answer[2] |= 0x80;
    EXPECT_FALSE(parseNotify(answer));
    // A NOTIFY whose question is not SOA.
    std::vector<std::uint8_t> typeA(buffer.begin(),
                                    buffer.begin() + static_cast<std::ptrdiff_t>(*n));
    typeA[12 + 9 + 1] = 1;
    auto a = parseNotify(typeA);
    ASSERT_FALSE(a);
    EXPECT_EQ(a.error(), WireError::BadCount);
    // Truncated.
    EXPECT_FALSE(parseNotify(wireOf(buffer, 11)));
}

TEST(NotifyResponse, EchoesTheQuestionWithQrAndAa) {
    const auto zone = sampleZone();
    std::vector<std::uint8_t> request(512);
    auto n = buildNotify(request, 0x5151, *zone);
    ASSERT_TRUE(n);
    std::vector<std::uint8_t> response(512);
    auto r = buildNotifyResponse(wireOf(request, *n), response, dnswire::rcode::NOERROR);
    ASSERT_TRUE(r);
    auto parser = dnswire::MessageParser::open(wireOf(response, *r));
    ASSERT_TRUE(parser);
    const dnswire::Header& h = parser->header();
    EXPECT_EQ(h.id, 0x5151);
    EXPECT_EQ(h.opcode(), dnswire::opcode::NOTIFY);
    EXPECT_TRUE(h.has(dnswire::flag::QR));
    EXPECT_TRUE(h.has(dnswire::flag::AA));
    EXPECT_EQ(h.rcode(), dnswire::rcode::NOERROR);
    EXPECT_EQ(h.qdcount, 1);
    EXPECT_EQ(h.ancount, 0);
    EXPECT_EQ(parser->qname().toText(), "example.");
    EXPECT_EQ(parser->qtype(), rrtype::SOA);

    auto refused = buildNotifyResponse(wireOf(request, *n), response, dnswire::rcode::NOTAUTH);
    ASSERT_TRUE(refused);
    EXPECT_EQ(dnswire::parseHeader(wireOf(response, *refused))->rcode(), dnswire::rcode::NOTAUTH);
}

TEST(NotifyResponse, UnreadableQuestionGetsAHeaderOnlyAnswer) {
    // QDCOUNT 1 but no question bytes.
    const std::vector<std::uint8_t> broken = {0, 9, 0x20, 0, 0, 1, 0, 0, 0, 0, 0, 0};
    std::vector<std::uint8_t> response(512);
    auto r = buildNotifyResponse(broken, response, dnswire::rcode::FORMERR);
    ASSERT_TRUE(r);
    EXPECT_EQ(*r, dnswire::kHeaderSize);
    const auto h = dnswire::parseHeader(wireOf(response, *r));
    EXPECT_EQ(h->id, 9);
    EXPECT_EQ(h->rcode(), dnswire::rcode::FORMERR);
    EXPECT_EQ(h->opcode(), dnswire::opcode::NOTIFY);
    EXPECT_EQ(h->qdcount, 0);

    const std::vector<std::uint8_t> tiny = {0, 9, 0x20};
    auto t = buildNotifyResponse(tiny, response, dnswire::rcode::FORMERR);
    ASSERT_FALSE(t);
    EXPECT_EQ(t.error(), WireError::Truncated);
}

TEST(Request, AxfrAndIxfrQueries) {
    const auto zone = sampleZone();
    std::vector<std::uint8_t> buffer(512);
    auto axfr = buildRequest(buffer, 11, zone->apex(), rrtype::AXFR);
    ASSERT_TRUE(axfr);
    auto q = dnswire::parseQuery(wireOf(buffer, *axfr));
    ASSERT_TRUE(q);
    EXPECT_EQ(q->header.id, 11);
    EXPECT_EQ(q->qtype, rrtype::AXFR);
    EXPECT_EQ(q->header.opcode(), dnswire::opcode::QUERY);
    EXPECT_FALSE(q->header.has(dnswire::flag::QR));
    EXPECT_EQ(q->header.nscount, 0);

    // RFC 1995 §3: the client's SOA goes in the authority section.
    const auto soa = zone->soa();
    auto ixfr = buildRequest(buffer, 12, zone->apex(), rrtype::IXFR, soa.first(), soa.ttl());
    ASSERT_TRUE(ixfr);
    auto parser = dnswire::MessageParser::open(wireOf(buffer, *ixfr));
    ASSERT_TRUE(parser);
    EXPECT_EQ(parser->qtype(), rrtype::IXFR);
    EXPECT_EQ(parser->header().nscount, 1);
    dnswire::RecordRef ref;
    ASSERT_TRUE(parser->next(ref));
    EXPECT_EQ(ref.section, dnswire::Section::Authority);
    EXPECT_EQ(ref.type, rrtype::SOA);
    EXPECT_EQ(ref.ttl, 3600U);
    std::vector<std::uint8_t> rdata;
    ASSERT_TRUE(
        dnswire::rdataFromWire(ref.type, parser->packet(), ref.rdataOffset, ref.rdlength, rdata));
    EXPECT_EQ(soaSerialOf(rdata), 2024112601U);
    auto more = parser->next(ref);
    ASSERT_TRUE(more);
    EXPECT_FALSE(*more);
    EXPECT_TRUE(parser->complete());
}

// An SOA answer as a primary would send it, built with the wire library's responder.
std::vector<std::uint8_t> soaAnswer(std::uint16_t id, const zone::Zone& zone, bool aa,
                                    std::uint16_t rcode, bool withSoa) {
    std::vector<std::uint8_t> request(512);
    auto n = buildRequest(request, id, zone.apex(), rrtype::SOA);
    auto q = dnswire::parseQuery(wireOf(request, *n));
    std::vector<std::uint8_t> buffer(512);
    auto b = dnswire::MessageBuilder::respondTo(*q, wireOf(request, *n), buffer);
    if (aa) b->setFlag(dnswire::flag::AA);
    b->setRcode(rcode);
    if (withSoa) {
        const auto soa = zone.soa();
        if (!b->addRecord(dnswire::Section::Answer, zone.apex(), rrtype::SOA, 1, soa.ttl(),
                          soa.first()))
            throw std::runtime_error("addRecord");
    }
    return {b->wire().begin(), b->wire().end()};
}

TEST(SoaResponse, ReadsTheSerialOfAMatchingAnswer) {
    const auto zone = sampleZone();
    const auto good = soaAnswer(77, *zone, true, dnswire::rcode::NOERROR, true);
    auto serial = readSoaResponse(good, 77, zone->apex());
    ASSERT_TRUE(serial);
    EXPECT_EQ(*serial, 2024112601U);
    // The name compares without regard to case.
    EXPECT_TRUE(readSoaResponse(good, 77, name("EXAMPLE.")));
}

TEST(SoaResponse, RefusesAnswersThatDoNotMatch) {
    const auto zone = sampleZone();
    const auto good = soaAnswer(77, *zone, true, dnswire::rcode::NOERROR, true);
    EXPECT_FALSE(readSoaResponse(good, 78, zone->apex()));          // another ID
    EXPECT_FALSE(readSoaResponse(good, 77, name("example.net.")));  // another zone
    EXPECT_FALSE(readSoaResponse(soaAnswer(77, *zone, false, 0, true), 77, zone->apex()));  // no AA
    EXPECT_FALSE(readSoaResponse(soaAnswer(77, *zone, true, dnswire::rcode::REFUSED, false), 77,
                                 zone->apex()));
    auto empty = readSoaResponse(soaAnswer(77, *zone, true, 0, false), 77, zone->apex());
    ASSERT_FALSE(empty);
    EXPECT_EQ(empty.error(), WireError::BadCount);
    EXPECT_FALSE(readSoaResponse({good.data(), good.size() - 3}, 77, zone->apex()));  // cut
    // Our own request is not an answer (QR clear).
    std::vector<std::uint8_t> request(512);
    auto n = buildRequest(request, 77, zone->apex(), rrtype::SOA);
    EXPECT_FALSE(readSoaResponse(wireOf(request, *n), 77, zone->apex()));
}

}  // namespace
}  // namespace dnsfleet::xfr
