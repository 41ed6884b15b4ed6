// The protocol envelope around answers: what is dropped, FORMERR/NOTIMP/REFUSED, EDNS.
// Expectations follow RFC 1035/6891 and what Knot DNS 3.2.6 sent for the same bytes.

#include <gtest/gtest.h>

#include "query_fixture.hpp"
#include "zone/zoneset.hpp"

namespace dnsfleet::authd {
namespace {

using namespace testing;
using zone::testing::aRdata;
using zone::testing::baseZone;
using zone::testing::buildZone;
namespace t = dnswire::rrtype;
namespace rc = dnswire::rcode;
namespace fl = dnswire::flag;

const zone::ZoneSet& zones() {
    static const zone::ZoneSet set = [] {
        auto zone = buildZone(baseZone({{"www.example.", t::A, 300, aRdata(192, 0, 2, 10)}}));
        if (!zone) throw std::runtime_error(zone.error().front());
        return zone::ZoneSet({*zone});
    }();
    return set;
}

QuerySpec www() {
    QuerySpec spec;
    spec.qname = "www.example.";
    spec.qtype = t::A;
    return spec;
}

TEST(Processor, DropsWhatCannotBeAnswered) {
    auto query = makeQuery(www());
    // Shorter than a header.
    EXPECT_TRUE(ask(zones(), std::vector<std::uint8_t>(query.begin(), query.begin() + 11)).empty);
    // A response: answering it could start a loop between two servers.
    auto response = query;
    response[2] |= 0x80;
    EXPECT_TRUE(ask(zones(), response).empty);
    // QDCOUNT 1 but no question: Knot stays silent.
    EXPECT_TRUE(ask(zones(), std::vector<std::uint8_t>(query.begin(), query.begin() + 12)).empty);
    // Two questions: silent as well.
    auto two = query;
    two[5] = 2;
    two.insert(two.end(), query.begin() + 12, query.end());
    EXPECT_TRUE(ask(zones(), two).empty);
}

TEST(Processor, FormErrWithoutQuestionWhenQdcountIsZero) {
    auto query = makeQuery(www());
    query.resize(12);
    query[5] = 0;
    const auto r = ask(zones(), query);
    ASSERT_FALSE(r.empty);
    EXPECT_EQ(r.rcode(), rc::FORMERR);
    EXPECT_EQ(r.header.qdcount, 0);
    EXPECT_EQ(r.header.id, 0x1234);
}

TEST(Processor, FormErrWithoutQuestionCarriesOptWhenTheQueryHadOne) {
    // RFC 6891 §7: OPT in every response to a query with OPT; Knot 3.2 echoes DO and answers
    // BADVERS first for an unknown version.
    std::vector<std::uint8_t> query = {0x12, 0x34, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    const std::vector<std::uint8_t> opt = {0, 0, 41, 0x04, 0xD0, 0, 0, 0x80, 0, 0, 0};
    query.insert(query.end(), opt.begin(), opt.end());
    const auto r = ask(zones(), query);
    ASSERT_FALSE(r.empty);
    EXPECT_EQ(r.rcode(), rc::FORMERR);
    EXPECT_EQ(r.header.qdcount, 0);
    ASSERT_TRUE(r.opt);
    EXPECT_EQ(r.optUdpSize, 1232);
    EXPECT_EQ(r.optTtl & 0x8000U, 0x8000U);
    auto v1 = query;
    v1[12 + 6] = 1;  // EDNS version 1
    const auto bad = ask(zones(), v1);
    EXPECT_EQ(bad.rcode(), rc::BADVERS);
    EXPECT_TRUE(bad.opt);
    // Two OPT records are malformed: the bare header as before.
    auto two = query;
    two[11] = 2;
    two.insert(two.end(), opt.begin(), opt.end());
    const auto twice = ask(zones(), two);
    EXPECT_EQ(twice.rcode(), rc::FORMERR);
    EXPECT_FALSE(twice.opt);
}

TEST(Processor, FormErrEchoesAReadableQuestion) {
    auto query = makeQuery(www());
    query.push_back(0);  // trailing garbage
    const auto r = ask(zones(), query);
    ASSERT_FALSE(r.empty);
    EXPECT_EQ(r.rcode(), rc::FORMERR);
    EXPECT_EQ(r.header.qdcount, 1);
    EXPECT_EQ(r.qname, "www.example.");
    EXPECT_FALSE(r.has(fl::AA));
}

TEST(Processor, UnknownOpcodesAreNotImplementedAndNotifyIsNotAuthorized) {
    for (const unsigned opcode : {1U, 2U, 3U, 6U, 15U}) {
        auto spec = www();
        spec.flags = static_cast<std::uint16_t>(opcode << 11);
        const auto r = ask(zones(), spec);
        EXPECT_EQ(r.rcode(), rc::NOTIMP) << opcode;
        EXPECT_EQ(r.header.opcode(), opcode);
        EXPECT_EQ(r.header.qdcount, 1);
    }
    auto notify = www();
    notify.flags = static_cast<std::uint16_t>(dnswire::opcode::NOTIFY << 11);
    EXPECT_EQ(ask(zones(), notify).rcode(), rc::NOTAUTH);
}

TEST(Processor, CopiesRdButNotCdAndNeverSetsAdOrRa) {
    auto spec = www();
    spec.flags = fl::RD | fl::CD | fl::AD;
    const auto r = ask(zones(), spec);
    EXPECT_TRUE(r.has(fl::RD));
    EXPECT_FALSE(r.has(fl::CD));
    EXPECT_FALSE(r.has(fl::AD));
    EXPECT_FALSE(r.has(fl::RA));
    EXPECT_TRUE(r.has(fl::AA));
}

TEST(Processor, RefusesNamesOutsideEveryZoneWithExtendedError) {
    auto spec = www();
    spec.qname = "www.example.org.";
    const auto plain = ask(zones(), spec);
    EXPECT_EQ(plain.rcode(), rc::REFUSED);
    EXPECT_FALSE(plain.has(fl::AA));
    EXPECT_FALSE(plain.opt);
    spec.edns = true;
    const auto withEdns = ask(zones(), spec);
    EXPECT_EQ(withEdns.rcode(), rc::REFUSED);
    ASSERT_TRUE(withEdns.opt);
    // One option: EDE (15), length 2, info code 20 (Not Authoritative).
    const std::vector<std::uint8_t> ede = {0, 15, 0, 2, 0, 20};
    EXPECT_EQ(withEdns.optRdata, ede);
}

TEST(Processor, OnlyClassInIsServed) {
    auto spec = www();
    spec.qclass = dnswire::rrclass::CH;
    EXPECT_EQ(ask(zones(), spec).rcode(), rc::REFUSED);
    spec.qclass = dnswire::rrclass::ANY;
    const auto any = ask(zones(), spec);
    EXPECT_EQ(any.rcode(), rc::NOERROR);
    EXPECT_EQ(any.answer.size(), 1U);
}

TEST(Processor, MetaQueryTypes) {
    auto spec = www();
    spec.qtype = 0;
    EXPECT_EQ(ask(zones(), spec).rcode(), rc::NOTIMP);
    spec.qname = "example.";
    spec.qtype = t::AXFR;
    EXPECT_EQ(ask(zones(), spec).rcode(), rc::NOTIMP);
    spec.qtype = t::IXFR;
    EXPECT_EQ(ask(zones(), spec).rcode(), rc::NOTAUTH);
}

TEST(Processor, EdnsAnswersWithOptAndEchoesDo) {
    auto spec = www();
    spec.edns = true;
    spec.dnssecOk = true;
    spec.udpSize = 4096;
    const auto r = ask(zones(), spec);
    ASSERT_TRUE(r.opt);
    EXPECT_EQ(r.optUdpSize, 1232);
    EXPECT_EQ(r.optTtl & 0x8000U, 0x8000U);
    EXPECT_TRUE(r.optRdata.empty());
    EXPECT_EQ(r.answer.size(), 1U);
}

TEST(Processor, BadVersForEdnsVersionAboveZero) {
    auto spec = www();
    spec.edns = true;
    spec.version = 1;
    const auto r = ask(zones(), spec);
    ASSERT_TRUE(r.opt);
    EXPECT_EQ(r.rcode(), rc::BADVERS);
    EXPECT_FALSE(r.has(fl::AA));
    EXPECT_TRUE(r.answer.empty());
}

TEST(Processor, NsidOnlyWhenConfiguredAndAsked) {
    auto spec = www();
    spec.edns = true;
    spec.options = {0, 3, 0, 0};
    ProcessorOptions options;
    options.nsid = "edge1";
    const auto r = ask(zones(), spec, Transport::Udp, options);
    const std::vector<std::uint8_t> nsid = {0, 3, 0, 5, 'e', 'd', 'g', 'e', '1'};
    EXPECT_EQ(r.optRdata, nsid);
    EXPECT_TRUE(ask(zones(), spec).optRdata.empty());
}

TEST(Processor, KeepaliveOnlyOverTcpAndPaddingOnlyOverTls) {
    auto spec = www();
    spec.edns = true;
    spec.options = {0, 11, 0, 0, 0, 12, 0, 0};
    EXPECT_TRUE(ask(zones(), spec, Transport::Udp).optRdata.empty());
    const auto tcp = ask(zones(), spec, Transport::Tcp);
    const std::vector<std::uint8_t> keepalive = {0, 11, 0, 2, 0, 100};
    EXPECT_EQ(tcp.optRdata, keepalive);
    const auto tls = ask(zones(), spec, Transport::Tls);
    EXPECT_EQ(tls.size % 468, 0U);
}

}  // namespace
}  // namespace dnsfleet::authd

namespace dnsfleet::authd {
namespace {

TEST(Processor, SurvivesMutatedQueriesAndKeepsToTheSizeLimit) {
    // A cheap deterministic fuzz: flip, truncate and extend valid queries. The response must
    // stay under the UDP limit and always parse (or be dropped).
    std::vector<std::vector<std::uint8_t>> seeds;
    for (const std::uint16_t qtype : {t::A, t::ANY, t::NS, t::SOA, t::DS}) {
        auto spec = www();
        spec.qtype = qtype;
        seeds.push_back(makeQuery(spec));
        spec.edns = true;
        spec.dnssecOk = true;
        spec.options = {0, 3, 0, 0, 0, 10, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8};
        seeds.push_back(makeQuery(spec));
    }
    std::uint64_t state = 0x9e3779b97f4a7c15ULL;
    auto next = [&state] {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        return state;
    };
    QueryProcessor processor(ProcessorOptions{});
    std::vector<std::uint8_t> buffer(65535);
    for (int i = 0; i < 20000; ++i) {
        auto packet = seeds[next() % seeds.size()];
        const std::uint64_t edits = 1 + next() % 4;
        for (std::uint64_t e = 0; e < edits; ++e) {
            switch (next() % 3) {
                case 0:
                    packet[next() % packet.size()] = static_cast<std::uint8_t>(next());
                    break;
                case 1:
                    packet.resize(next() % (packet.size() + 1));
                    break;
                default:
                    packet.push_back(static_cast<std::uint8_t>(next()));
                    break;
            }
            if (packet.empty()) break;
        }
        const std::size_t n = processor.process(zones(), packet, buffer, QueryContext{});
        ASSERT_LE(n, 1232U);
        if (n > 0) {
            auto parsed = dnswire::MessageParser::open({buffer.data(), n});
            ASSERT_TRUE(parsed) << "iteration " << i;
            EXPECT_TRUE(parsed->header().has(fl::QR));
        }
    }
}

}  // namespace
}  // namespace dnsfleet::authd
