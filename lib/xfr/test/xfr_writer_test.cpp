// The outgoing transfer writer: AXFR (RFC 5936) and IXFR (RFC 1995) message streams, parsed back
// with the wire library's own message parser.

#include "xfr/xfr_writer.hpp"

#include <gtest/gtest.h>

#include <map>

#include "xfr/diff.hpp"
#include "xfr_fixture.hpp"

namespace dnsfleet::xfr {
namespace {

using namespace testing;  // NOLINT
namespace rrtype = dnswire::rrtype;

std::vector<std::string> middle(const std::vector<std::string>& records) {
    return {records.begin() + 1, records.end() - 1};
}

std::string signedZoneText() {
    return readFile(sourceDir() / "authd/query/test/data/nsec3.test.zone.signed");
}

TEST(XfrWriterAxfr, FramedBySoaAndCarriesEveryRecordOnce) {
    const auto zone = zoneFromText(hostsZone(20));
    auto writer = XfrWriter::axfr(zone);
    const Transfer t = runTransfer(writer, 65535, zone->apex(), rrtype::AXFR);
    ASSERT_GE(t.records.size(), 2U);
    // RFC 5936 §2.2: the first and the last record are the zone's SOA.
    EXPECT_EQ(t.types.front(), rrtype::SOA);
    EXPECT_EQ(t.types.back(), rrtype::SOA);
    EXPECT_EQ(t.records.front(), t.records.back());
    // Between them, every other record exactly once: SOA + 2 NS + 2 glue + 20 hosts.
    EXPECT_EQ(t.records.size(), 1U + 2 + 2 + 20 + 1);
    std::vector<std::string> sent = middle(t.records);
    sent.push_back(t.records.front());
    EXPECT_EQ(sorted(sent), sorted(texts(zoneRecords(*zone))));
    EXPECT_EQ(writer.records(), t.records.size());
    EXPECT_EQ(writer.messages(), t.messages.size());
    EXPECT_TRUE(writer.done());
}

// The oracle: what the zone file says, read by the parser alone, against what AXFR sends of the
// signed zone (RRSIGs of every covered type, the NSEC3 chain and its signatures).
TEST(XfrWriterAxfr, SignedZoneMatchesTheZoneFile) {
    const std::string text = signedZoneText();
    const auto zone = zoneFromText(text, "nsec3.test.");
    ASSERT_GT(zone->nsec3Nodes().size(), 0U);
    auto writer = XfrWriter::axfr(zone);
    const Transfer t = runTransfer(writer, 65535, zone->apex(), rrtype::AXFR);
    std::vector<std::string> sent = middle(t.records);
    sent.push_back(t.records.front());
    const auto fromFile = sorted(parsedTexts(text, "nsec3.test."));
    EXPECT_EQ(sorted(sent), fromFile);
    std::size_t rrsigs = 0;
    std::size_t nsec3 = 0;
    for (const std::uint16_t type : t.types) {
        rrsigs += type == rrtype::RRSIG ? 1U : 0U;
        nsec3 += type == rrtype::NSEC3 ? 1U : 0U;
    }
    EXPECT_GT(rrsigs, 10U);
    EXPECT_EQ(nsec3, zone->nsec3Nodes().size());
}

// RRSIGs covering different types at one name keep their own TTLs (they are one RRset in the
// zone model, but not on the wire).
TEST(XfrWriterAxfr, SignaturesKeepTheirTtlPerCoveredType) {
    const std::string text =
        "@ 3600 SOA ns1 hostmaster 1 3600 600 86400 300\n"
        "@ 3600 NS ns1\n"
        "ns1 60 A 192.0.2.1\n"
        "ns1 7200 AAAA 2001:db8::1\n"
        "ns1 60 RRSIG A 13 2 60 20300101000000 20200101000000 1 example. AAAA\n"
        "ns1 7200 RRSIG AAAA 13 2 7200 20300101000000 20200101000000 1 example. AAAA\n"
        "ns1 7200 RRSIG AAAA 13 2 7200 20300101000000 20200101000000 2 example. AAAA\n";
    const auto zone = zoneFromText(text);
    auto writer = XfrWriter::axfr(zone);
    const Transfer t = runTransfer(writer, 65535, zone->apex(), rrtype::AXFR);
    std::vector<std::string> sent = middle(t.records);
    sent.push_back(t.records.front());
    EXPECT_EQ(sorted(sent), sorted(parsedTexts(text, "example.")));
}

// Glue, occluded data below a cut, empty non-terminals, wildcards and DNAME: AXFR carries the
// zone's data as the file has it, whatever the answer engine would make of it.
TEST(XfrWriterAxfr, SendsGlueOccludedDataAndNothingForEmptyNonTerminals) {
    const std::string text =
        "$TTL 300\n@ SOA ns1 hm 9 3600 600 86400 300\n@ NS ns1\nns1 A 192.0.2.1\n"
        "deep.er.than.this A 192.0.2.7\n"  // ENTs er.than.this, than.this, this
        "sub NS ns.sub\nns.sub A 192.0.2.53\nhidden.below.sub TXT occluded\n"
        "*.wild MX 10 ns1\nd DNAME example.net.\n";
    const auto zone = zoneFromText(text);
    auto writer = XfrWriter::axfr(zone);
    const Transfer t = runTransfer(writer, 65535, zone->apex(), rrtype::AXFR);
    std::vector<std::string> sent = middle(t.records);
    sent.push_back(t.records.front());
    EXPECT_EQ(sorted(sent), sorted(parsedTexts(text, "example.")));
}

// The caller keeps room for its TSIG record; the writer never writes into it.
TEST(XfrWriterAxfr, RespectsReservedRoom) {
    const auto zone = zoneFromText(hostsZone(2000));
    auto writer = XfrWriter::axfr(zone);
    std::vector<std::uint8_t> buffer(65535);
    std::size_t messages = 0;
    for (int i = 0; i < 1000 && !writer.done(); ++i) {
        auto started = dnswire::MessageBuilder::start(dnswire::Header{}, buffer);
        ASSERT_TRUE(started);
        started->setLimit(8192);
        started->reserve(100);
        auto more = writer.fill(*started);
        ASSERT_TRUE(more);
        EXPECT_LE(started->size(), 8192U - 100U);
        ++messages;
    }
    EXPECT_TRUE(writer.done());
    EXPECT_GT(messages, 3U);
    EXPECT_EQ(writer.records(), zone->recordCount() + 1);
}

// A new version published mid-transfer (the caller drops its pointer) changes nothing in it.
TEST(XfrWriterAxfr, KeepsItsVersionAlive) {
    auto zone = zoneFromText(hostsZone(300));
    const auto expected = texts(zoneRecords(*zone));
    const dnswire::Name apex(zone->apex());
    auto writer = XfrWriter::axfr(zone);
    zone.reset();
    const Transfer t = runTransfer(writer, 2048, apex, rrtype::AXFR);
    std::vector<std::string> sent = middle(t.records);
    sent.push_back(t.records.front());
    EXPECT_EQ(sorted(sent), sorted(expected));
}

TEST(XfrWriterAxfr, ThousandRecordsSpanMessagesUnderTheLimitWithCompression) {
    // A realistic apex length: compression saves the apex in every owner.
    const auto zone = zoneFromText(hostsZone(1000), "transfers.example.com.");
    auto writer = XfrWriter::axfr(zone);
    constexpr std::size_t kLimit = 4096;
    const Transfer t = runTransfer(writer, kLimit, zone->apex(), rrtype::AXFR);
    EXPECT_GT(t.messages.size(), 3U);
    std::size_t total = 0;
    for (const auto& message : t.messages) {
        EXPECT_LE(message.size(), kLimit);
        total += message.size();
    }
    std::vector<std::string> sent = middle(t.records);
    sent.push_back(t.records.front());
    EXPECT_EQ(sorted(sent), sorted(texts(zoneRecords(*zone))));
    // Owners `hN.transfers.example.com.` compress to `hN` + a pointer: the messages hold far
    // less than the records written out in full.
    EXPECT_LT(total * 10, t.uncompressedBytes * 6) << total << " vs " << t.uncompressedBytes;
}

TEST(XfrWriterAxfr, LargeZoneUsesFullSizeMessages) {
    const auto zone = zoneFromText(hostsZone(30000));
    auto writer = XfrWriter::axfr(zone);
    const Transfer t = runTransfer(writer, 65535, zone->apex(), rrtype::AXFR);
    ASSERT_GE(t.messages.size(), 2U);
    for (std::size_t i = 0; i < t.messages.size(); ++i) {
        EXPECT_LE(t.messages[i].size(), 65535U);
        // Every message but the last is filled until the next record would not fit.
        if (i + 1 < t.messages.size()) {
            EXPECT_GT(t.messages[i].size(), 65535U - 100);
        }
    }
    EXPECT_EQ(t.records.size(), zone->recordCount() + 1);
}

TEST(XfrWriterAxfr, RecordLargerThanAnEmptyMessageIsBufferFull) {
    std::string big(250, 'x');
    const auto zone =
        zoneFromText(hostsZone(3) + "big TXT \"" + big + "\" \"" + big + "\" \"" + big + "\"\n");
    auto writer = XfrWriter::axfr(zone);
    std::vector<std::uint8_t> buffer(65535);
    bool sawBufferFull = false;
    for (int i = 0; i < 10 && !writer.done(); ++i) {
        auto started = dnswire::MessageBuilder::start(dnswire::Header{}, buffer);
        ASSERT_TRUE(started);
        started->setLimit(512);
        auto more = writer.fill(*started);
        if (!more) {
            EXPECT_EQ(more.error(), dnswire::WireError::BufferFull);
            sawBufferFull = true;
            break;
        }
    }
    EXPECT_TRUE(sawBufferFull);
}

// Compression state lives in the message: a fresh message never points into an old one.
TEST(XfrWriterAxfr, EveryMessageStandsAlone) {
    const auto zone = zoneFromText(hostsZone(500));
    auto writer = XfrWriter::axfr(zone);
    const Transfer t = runTransfer(writer, 1024, zone->apex(), rrtype::AXFR);
    // runTransfer parsed each message on its own: pointers into a previous message would have
    // failed there. Records were never split: each message's counts matched its contents.
    EXPECT_GT(t.messages.size(), 10U);
    EXPECT_EQ(t.records.size(), zone->recordCount() + 1);
}

struct Versions {
    std::shared_ptr<const zone::Zone> v1, v2, v3;
};

Versions threeVersions() {
    const std::string base = "$TTL 3600\n@ NS ns1\nns1 A 192.0.2.1\n";
    Versions v;
    v.v1 = zoneFromText("@ SOA ns1 hm 1 3600 600 86400 300\n" + base +
                        "a A 10.0.0.1\nb A 10.0.0.2\nc TXT \"old\"\n");
    v.v2 = zoneFromText("@ SOA ns1 hm 2 3600 600 86400 300\n" + base +
                        "a A 10.0.0.1\nc TXT \"new\"\nd A 10.0.0.4\n");
    v.v3 = zoneFromText("@ SOA ns1 hm 3 3600 600 86400 300\n" + base +
                        "a 60 A 10.0.0.1\nc TXT \"new\"\ne A 10.0.0.5\n");
    return v;
}

std::shared_ptr<const ZoneDiff> diffOf(const zone::Zone& a, const zone::Zone& b) {
    auto d = diffZones(a, b);
    if (!d) throw std::runtime_error(d.error());
    return std::make_shared<const ZoneDiff>(std::move(*d));
}

TEST(XfrWriterIxfr, SequenceFollowsRfc1995) {
    const Versions v = threeVersions();
    const auto d1 = diffOf(*v.v1, *v.v2);
    const auto d2 = diffOf(*v.v2, *v.v3);
    auto writer = XfrWriter::ixfr(v.v3, {d1, d2}, false);
    const Transfer t = runTransfer(writer, 65535, v.v3->apex(), rrtype::IXFR);
    // current SOA, (old SOA, removed..., new SOA, added...) per diff, current SOA.
    std::vector<std::string> expected;
    const auto soa3 = texts(zoneRecords(*v.v3)).front();
    expected.push_back(soa3);
    for (const auto& d : {d1, d2}) {
        for (const auto& r : texts(d->removed))
            expected.push_back(r);
        for (const auto& r : texts(d->added))
            expected.push_back(r);
    }
    expected.push_back(soa3);
    EXPECT_EQ(t.records, expected);
    // The diffs' SOAs carry serials 1, 2, 2, 3 in that order.
    std::vector<std::uint32_t> serials;
    for (std::size_t i = 0; i < t.records.size(); ++i) {
        if (t.types[i] == rrtype::SOA) {
            serials.push_back(static_cast<std::uint32_t>(
                std::stoul(t.records[i].substr(t.records[i].find(" hm.example. ") + 13))));
        }
    }
    EXPECT_EQ(serials, (std::vector<std::uint32_t>{3, 1, 2, 2, 3, 3}));
}

TEST(XfrWriterIxfr, CondensedSendsOnePair) {
    const Versions v = threeVersions();
    const auto d1 = diffOf(*v.v1, *v.v2);
    const auto d2 = diffOf(*v.v2, *v.v3);
    auto writer = XfrWriter::ixfr(v.v3, {d1, d2}, true);
    const Transfer t = runTransfer(writer, 65535, v.v3->apex(), rrtype::IXFR);
    const auto direct = diffOf(*v.v1, *v.v3);
    std::size_t soas = 0;
    for (const std::uint16_t type : t.types)
        soas += type == rrtype::SOA ? 1U : 0U;
    EXPECT_EQ(soas, 4U);  // current, old, new, current
    ASSERT_EQ(t.records.size(), direct->removed.size() + direct->added.size() + 2);
    const std::vector<std::string> removed(
        t.records.begin() + 1,
        t.records.begin() + 1 + static_cast<std::ptrdiff_t>(direct->removed.size()));
    const std::vector<std::string> added(
        t.records.begin() + 1 + static_cast<std::ptrdiff_t>(direct->removed.size()),
        t.records.end() - 1);
    EXPECT_EQ(sorted(removed), sorted(texts(direct->removed)));
    EXPECT_EQ(sorted(added), sorted(texts(direct->added)));
    EXPECT_EQ(removed.front(), texts(direct->removed).front());  // old SOA leads
    EXPECT_EQ(added.front(), texts(direct->added).front());      // new SOA leads
}

TEST(XfrWriterIxfr, UpToDateClientGetsOneSoa) {
    const Versions v = threeVersions();
    auto writer = XfrWriter::soaOnly(v.v3);
    const Transfer t = runTransfer(writer, 65535, v.v3->apex(), rrtype::IXFR);
    ASSERT_EQ(t.records.size(), 1U);
    EXPECT_EQ(t.types[0], rrtype::SOA);
    EXPECT_EQ(t.messages.size(), 1U);

    auto empty = XfrWriter::ixfr(v.v3, {}, true);
    const Transfer e = runTransfer(empty, 65535, v.v3->apex(), rrtype::IXFR);
    EXPECT_EQ(e.records, t.records);
}

TEST(XfrWriterIxfr, BrokenHistoryFallsBackToAxfr) {
    const Versions v = threeVersions();
    const auto d1 = diffOf(*v.v1, *v.v2);
    // d1 leads to serial 2, but the served version is 3: not a usable IXFR.
    auto writer = XfrWriter::ixfr(v.v3, {d1}, true);
    const Transfer t = runTransfer(writer, 65535, v.v3->apex(), rrtype::IXFR);
    std::vector<std::string> sent = middle(t.records);
    sent.push_back(t.records.front());
    EXPECT_EQ(sorted(sent), sorted(texts(zoneRecords(*v.v3))));
}

TEST(XfrWriterIxfr, LargeDiffSpansMessages) {
    const auto v1 = zoneFromText(hostsZone(3000, 1));
    std::string text = hostsZone(0, 2);
    for (std::size_t i = 1500; i < 4500; ++i)
        text += "h" + std::to_string(i) + " A 10.9." + std::to_string(i >> 8 & 0xFF) + "." +
                std::to_string(i & 0xFF) + "\n";
    const auto v2 = zoneFromText(text);
    const auto d = diffOf(*v1, *v2);
    auto writer = XfrWriter::ixfr(v2, {d}, true);
    const Transfer t = runTransfer(writer, 16384, v2->apex(), rrtype::IXFR);
    EXPECT_GT(t.messages.size(), 3U);
    for (const auto& m : t.messages)
        EXPECT_LE(m.size(), 16384U);
    EXPECT_EQ(t.records.size(), d->removed.size() + d->added.size() + 2);
    EXPECT_EQ(d->removed.size(), 3000U + 1);  // every old hN changed address
    EXPECT_EQ(d->added.size(), 3000U + 1);
}

}  // namespace
}  // namespace dnsfleet::xfr
