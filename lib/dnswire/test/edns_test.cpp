// EDNS(0): the query's OPT record (RFC 6891, 7873, 5001, 7828, 7830) and the response's OPT as
// MessageBuilder::addOpt renders it (RFC 6891 §6.1.3 extended RCODE, RFC 8467 block padding,
// RFC 8914 EDE).

#include "dnswire/edns.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "dnswire/message.hpp"
#include "dnswire/rrtype.hpp"

namespace dnsfleet::dnswire {
namespace {

std::vector<std::uint8_t> option(std::uint16_t code, std::vector<std::uint8_t> data) {
    std::vector<std::uint8_t> out = {
        static_cast<std::uint8_t>(code >> 8), static_cast<std::uint8_t>(code),
        static_cast<std::uint8_t>(data.size() >> 8), static_cast<std::uint8_t>(data.size())};
    out.insert(out.end(), data.begin(), data.end());
    return out;
}

std::vector<std::uint8_t> join(std::initializer_list<std::vector<std::uint8_t>> parts) {
    std::vector<std::uint8_t> out;
    for (const auto& p : parts)
        out.insert(out.end(), p.begin(), p.end());
    return out;
}

TEST(ParseOpt, FixedFields) {
    auto e = parseOpt(4096, 0x01008000, {});
    ASSERT_TRUE(e);
    EXPECT_TRUE(e->present);
    EXPECT_EQ(e->udpSize, 4096);
    EXPECT_EQ(e->extendedRcode, 1);
    EXPECT_EQ(e->version, 0);
    EXPECT_TRUE(e->dnssecOk);

    auto v1 = parseOpt(1232, 0x00010000, {});
    ASSERT_TRUE(v1);
    EXPECT_EQ(v1->version, 1);  // the caller answers BADVERS (RFC 6891 §6.1.3)
    EXPECT_FALSE(v1->dnssecOk);
}

TEST(ParseOpt, PayloadBelow512CountsAs512) {
    EXPECT_EQ(parseOpt(0, 0, {})->udpSize, 512);
    EXPECT_EQ(parseOpt(511, 0, {})->udpSize, 512);
    EXPECT_EQ(parseOpt(512, 0, {})->udpSize, 512);
    EXPECT_EQ(parseOpt(513, 0, {})->udpSize, 513);
    EXPECT_EQ(parseOpt(65535, 0, {})->udpSize, 65535);
}

TEST(ParseOpt, UnknownOptionsAreIgnored) {
    const auto rdata = join({option(65001, {1, 2, 3}), option(ednsopt::CLIENT_SUBNET, {0, 1}),
                             option(ednsopt::NSID, {})});
    auto e = parseOpt(1232, 0, rdata);
    ASSERT_TRUE(e);
    EXPECT_TRUE(e->nsid);
    EXPECT_FALSE(e->cookie);
}

TEST(ParseOpt, AnyNsidOptionIsARequest) {
    EXPECT_TRUE(parseOpt(1232, 0, option(ednsopt::NSID, {}))->nsid);
    // RFC 5001 §2.3: payload data in the query's option is ignored, not a reason to stay silent.
    EXPECT_TRUE(parseOpt(1232, 0, option(ednsopt::NSID, {'x'}))->nsid);
    EXPECT_FALSE(parseOpt(1232, 0, {})->nsid);
}

TEST(ParseOpt, ClientCookieAlone) {
    auto e = parseOpt(1232, 0, option(ednsopt::COOKIE, {1, 2, 3, 4, 5, 6, 7, 8}));
    ASSERT_TRUE(e);
    EXPECT_TRUE(e->cookie);
    EXPECT_FALSE(e->badCookieLength);
    EXPECT_EQ(e->clientCookie, (std::array<std::uint8_t, 8>{1, 2, 3, 4, 5, 6, 7, 8}));
    EXPECT_EQ(e->serverCookieSize, 0);
}

TEST(ParseOpt, ClientAndServerCookie) {
    for (std::size_t total : {16U, 24U, 40U}) {
        std::vector<std::uint8_t> data(total);
        for (std::size_t i = 0; i < total; ++i)
            data[i] = static_cast<std::uint8_t>(i);
        auto e = parseOpt(1232, 0, option(ednsopt::COOKIE, data));
        ASSERT_TRUE(e) << total;
        EXPECT_TRUE(e->cookie) << total;
        EXPECT_EQ(e->serverCookieSize, total - 8) << total;
        EXPECT_EQ(e->serverCookie[0], 8);
        EXPECT_EQ(e->serverCookie[total - 9], total - 1);
    }
}

TEST(ParseOpt, CookieOfIllegalLengthIsFlaggedForFormerr) {
    // RFC 7873 §5.2.2: not 8 and not 16..40 octets is FORMERR; the parse itself succeeds so the
    // server can still answer with the question and an OPT.
    for (std::size_t total : {0U, 1U, 7U, 9U, 15U, 41U, 64U}) {
        auto e = parseOpt(1232, 0, option(ednsopt::COOKIE, std::vector<std::uint8_t>(total)));
        ASSERT_TRUE(e) << total;
        EXPECT_TRUE(e->badCookieLength) << total;
        EXPECT_FALSE(e->cookie) << total;
    }
}

TEST(ParseOpt, KeepaliveAndPaddingArePresenceFlags) {
    auto e = parseOpt(1232, 0,
                      join({option(ednsopt::TCP_KEEPALIVE, {}), option(ednsopt::PADDING, {0, 0})}));
    ASSERT_TRUE(e);
    EXPECT_TRUE(e->keepalive);
    EXPECT_TRUE(e->padding);
}

TEST(ParseOpt, OptionsOverrunningTheRdataAreMalformed) {
    EXPECT_EQ(parseOpt(1232, 0, std::vector<std::uint8_t>{0, 3, 0}).error(),
              WireError::BadOpt);  // short header
    EXPECT_EQ(parseOpt(1232, 0, std::vector<std::uint8_t>{0, 3, 0, 2, 1}).error(),
              WireError::BadOpt);  // short data
    auto ok = join({option(ednsopt::NSID, {}), std::vector<std::uint8_t>{0, 10}});
    EXPECT_EQ(parseOpt(1232, 0, ok).error(), WireError::BadOpt);
}

// --- Rendering --------------------------------------------------------------------------------

struct RenderedOpt {
    std::uint16_t udpSize = 0;
    std::uint32_t ttl = 0;
    std::size_t recordSize = 0;
    std::multimap<std::uint16_t, std::vector<std::uint8_t>> options;
    std::vector<std::uint16_t> order;
};

// Finds the OPT record in a message and splits its options.
RenderedOpt readOpt(std::span<const std::uint8_t> wire) {
    RenderedOpt out;
    auto parser = MessageParser::open(wire);
    EXPECT_TRUE(parser);
    RecordRef rr;
    int found = 0;
    while (true) {
        auto more = parser->next(rr);
        EXPECT_TRUE(more);
        if (!more || !*more) break;
        if (rr.type != rrtype::OPT) continue;
        ++found;
        EXPECT_TRUE(rr.owner.isRoot());
        EXPECT_EQ(rr.section, Section::Additional);
        out.udpSize = rr.rclass;
        out.ttl = rr.ttl;
        out.recordSize = kOptFixedSize + rr.rdlength;
        std::size_t pos = rr.rdataOffset;
        const std::size_t end = pos + rr.rdlength;
        while (pos < end) {
            const std::uint16_t code = loadU16(&wire[pos]);
            const std::uint16_t len = loadU16(&wire[pos + 2]);
            EXPECT_LE(pos + 4 + len, end);
            out.options.emplace(code,
                                std::vector<std::uint8_t>(
                                    wire.begin() + static_cast<std::ptrdiff_t>(pos + 4),
                                    wire.begin() + static_cast<std::ptrdiff_t>(pos + 4 + len)));
            out.order.push_back(code);
            pos += 4U + len;
        }
    }
    EXPECT_EQ(found, 1);
    EXPECT_TRUE(parser->complete());
    return out;
}

struct Response {
    std::vector<std::uint8_t> query;
    std::vector<std::uint8_t> buffer = std::vector<std::uint8_t>(65535);
};

WireResult<MessageBuilder> respond(Response& r, std::size_t qnameLabelLength = 7) {
    r.query = {0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0};
    r.query.push_back(static_cast<std::uint8_t>(qnameLabelLength));
    r.query.insert(r.query.end(), qnameLabelLength, 'q');
    r.query.insert(r.query.end(), {0, 0, 1, 0, 1});
    auto q = parseQuery(r.query);
    EXPECT_TRUE(q);
    return MessageBuilder::respondTo(*q, r.query, r.buffer);
}

TEST(AddOpt, PlainOptWithDoAndPayload) {
    Response r;
    auto b = respond(r);
    ASSERT_TRUE(b);
    const std::size_t before = b->size();
    EdnsResponse edns;
    edns.udpSize = 1232;
    edns.dnssecOk = true;
    ASSERT_EQ(optSize(edns), kOptFixedSize);
    ASSERT_TRUE(b->addOpt(edns));
    EXPECT_EQ(b->size(), before + kOptFixedSize);
    EXPECT_EQ(b->count(Section::Additional), 1);
    const auto opt = readOpt(b->wire());
    EXPECT_EQ(opt.udpSize, 1232);
    EXPECT_EQ(opt.ttl, 0x00008000U);
    EXPECT_TRUE(opt.options.empty());
}

TEST(AddOpt, ExtendedRcodeGoesInTheTtlsUpperOctet) {
    Response r;
    auto b = respond(r);
    ASSERT_TRUE(b);
    b->setRcode(rcode::BADVERS);
    ASSERT_TRUE(b->addOpt(EdnsResponse{}));
    EXPECT_EQ(parseHeader(b->wire())->rcode(), 0);
    EXPECT_EQ(readOpt(b->wire()).ttl >> 24, 1U);  // 16 >> 4

    Response r2;
    auto b2 = respond(r2);
    ASSERT_TRUE(b2);
    EdnsResponse explicitRcode;
    explicitRcode.extendedRcode = 2;
    ASSERT_TRUE(b2->addOpt(explicitRcode));
    EXPECT_EQ(readOpt(b2->wire()).ttl, 0x02000000U);
}

TEST(AddOpt, EveryOptionRendered) {
    Response r;
    auto b = respond(r);
    ASSERT_TRUE(b);
    const std::array<std::uint8_t, 16> cookie = {1, 2,  3,  4,  5,  6,  7,  8,
                                                 9, 10, 11, 12, 13, 14, 15, 16};
    EdnsResponse edns;
    edns.nsid = "edge-1";
    edns.cookie = cookie;
    edns.keepalive = true;
    edns.keepaliveTimeout = 300;
    edns.edeSet = true;
    edns.edeCode = ede::PROHIBITED;
    edns.edeText = "no";
    const std::size_t before = b->size();
    ASSERT_TRUE(b->addOpt(edns));
    EXPECT_EQ(b->size() - before, optSize(edns));
    EXPECT_EQ(optSize(edns), kOptFixedSize + (4 + 6) + (4 + 16) + (4 + 2) + (4 + 2 + 2));
    const auto opt = readOpt(b->wire());
    ASSERT_EQ(opt.options.count(ednsopt::NSID), 1U);
    EXPECT_EQ(opt.options.find(ednsopt::NSID)->second,
              (std::vector<std::uint8_t>{'e', 'd', 'g', 'e', '-', '1'}));
    EXPECT_EQ(opt.options.find(ednsopt::COOKIE)->second,
              std::vector<std::uint8_t>(cookie.begin(), cookie.end()));
    EXPECT_EQ(opt.options.find(ednsopt::TCP_KEEPALIVE)->second, (std::vector<std::uint8_t>{1, 44}));
    EXPECT_EQ(opt.options.find(ednsopt::EDE)->second, (std::vector<std::uint8_t>{0, 18, 'n', 'o'}));
    EXPECT_EQ(opt.options.count(ednsopt::PADDING), 0U);
}

TEST(AddOpt, EdeWithoutText) {
    Response r;
    auto b = respond(r);
    ASSERT_TRUE(b);
    EdnsResponse edns;
    edns.edeSet = true;
    edns.edeCode = ede::NOT_AUTHORITATIVE;
    ASSERT_TRUE(b->addOpt(edns));
    EXPECT_EQ(readOpt(b->wire()).options.find(ednsopt::EDE)->second,
              (std::vector<std::uint8_t>{0, 20}));
}

TEST(AddOpt, PaddingMakesTheWholeMessageAMultipleOfTheBlock) {
    // RFC 8467 §4.1: responses padded to a multiple of 468 octets. Every question size, so that
    // every remainder (including a padding option of length 0) is met.
    for (std::size_t label = 1; label <= 63; ++label) {
        Response r;
        auto b = respond(r, label);
        ASSERT_TRUE(b);
        EdnsResponse edns;
        edns.padBlock = 468;
        edns.nsid = "x";
        ASSERT_TRUE(b->addOpt(edns));
        EXPECT_EQ(b->size() % 468, 0U) << label;
        const auto opt = readOpt(b->wire());
        ASSERT_EQ(opt.options.count(ednsopt::PADDING), 1U) << label;
        EXPECT_EQ(opt.order.back(), ednsopt::PADDING);  // last, so it covers everything
        for (auto octet : opt.options.find(ednsopt::PADDING)->second)
            EXPECT_EQ(octet, 0);
    }
}

TEST(AddOpt, SmallBlocksAndAlreadyAlignedMessages) {
    Response r;
    auto b = respond(r, 7);  // 12 + 13 = 25 octets, + 11 OPT = 36
    ASSERT_TRUE(b);
    EdnsResponse edns;
    edns.padBlock = 12;  // 36 is already a multiple: no padding option, as Knot does
    ASSERT_TRUE(b->addOpt(edns));
    EXPECT_EQ(b->size(), 36U);
    EXPECT_EQ(readOpt(b->wire()).options.count(ednsopt::PADDING), 0U);

    Response r2;
    auto b2 = respond(r2, 7);
    ASSERT_TRUE(b2);
    edns.padBlock = 40;  // 36 + 4 option header = 40: an empty padding option
    ASSERT_TRUE(b2->addOpt(edns));
    EXPECT_EQ(b2->size(), 40U);
    const auto opt = readOpt(b2->wire());
    ASSERT_EQ(opt.options.count(ednsopt::PADDING), 1U);
    EXPECT_TRUE(opt.options.find(ednsopt::PADDING)->second.empty());
}

TEST(AddOpt, PaddingStopsAtTheLimit) {
    Response r;
    auto b = respond(r, 7);
    ASSERT_TRUE(b);
    b->setLimit(100);
    EdnsResponse edns;
    edns.padBlock = 468;
    ASSERT_TRUE(b->addOpt(edns));
    EXPECT_EQ(b->size(), 100U);
    EXPECT_EQ(readOpt(b->wire()).options.find(ednsopt::PADDING)->second.size(), 100U - 36U - 4U);
}

TEST(AddOpt, UsesTheReservedSpaceAndRefusesWhenItDoesNotFit) {
    Response r;
    auto b = respond(r, 7);
    ASSERT_TRUE(b);
    EdnsResponse edns;
    edns.nsid = "abc";
    b->setLimit(25 + optSize(edns));
    b->reserve(optSize(edns));
    EXPECT_EQ(b->room(), 0U);
    b->unreserve(optSize(edns));
    ASSERT_TRUE(b->addOpt(edns));
    EXPECT_EQ(b->size(), b->limit());

    Response r2;
    auto b2 = respond(r2, 7);
    ASSERT_TRUE(b2);
    b2->setLimit(25 + optSize(edns) - 1);
    EXPECT_EQ(b2->addOpt(edns).error(), WireError::BufferFull);
    EXPECT_EQ(b2->size(), 25U);
    EXPECT_EQ(b2->count(Section::Additional), 0);
}

TEST(AddOpt, ParseQueryReadsWhatAddOptWrote) {
    // A query built with the builder (as a client would) and parsed as the server does.
    std::vector<std::uint8_t> buffer(512);
    Header h;
    h.id = 5;
    auto b = MessageBuilder::start(h, buffer);
    ASSERT_TRUE(b);
    ASSERT_TRUE(b->addQuestion(Name::fromText("example.")->view(), rrtype::A, rrclass::IN));
    const std::array<std::uint8_t, 8> cookie = {8, 7, 6, 5, 4, 3, 2, 1};
    EdnsResponse edns;
    edns.udpSize = 300;
    edns.dnssecOk = true;
    edns.cookie = cookie;
    ASSERT_TRUE(b->addOpt(edns));
    auto q = parseQuery(b->wire());
    ASSERT_TRUE(q);
    EXPECT_TRUE(q->edns.present);
    EXPECT_EQ(q->edns.udpSize, 512);
    EXPECT_TRUE(q->edns.dnssecOk);
    EXPECT_TRUE(q->edns.cookie);
    EXPECT_EQ(q->edns.clientCookie, cookie);
}

}  // namespace
}  // namespace dnsfleet::dnswire
