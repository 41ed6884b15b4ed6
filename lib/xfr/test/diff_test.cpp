// Zone diffs as IXFR carries them (RFC 1995 §4), and condensing a chain of them (§5).

#include "xfr/diff.hpp"

#include <gtest/gtest.h>

#include <chrono>

#include "xfr_fixture.hpp"

namespace dnsfleet::xfr {
namespace {

using namespace testing;  // NOLINT
namespace rrtype = dnswire::rrtype;

std::string soaLine(std::uint32_t serial) {
    return "@ 3600 SOA ns1 hm " + std::to_string(serial) + " 3600 600 86400 300\n";
}
const std::string kBase = "$TTL 3600\n@ NS ns1\nns1 A 192.0.2.1\n";

std::shared_ptr<const ZoneDiff> diffOf(const zone::Zone& a, const zone::Zone& b,
                                       std::int64_t now = 0) {
    auto d = diffZones(a, b, now);
    if (!d) throw std::runtime_error(d.error());
    return std::make_shared<const ZoneDiff>(std::move(*d));
}

// Applies a diff the way a secondary does, with the zone builder (not applyDiffs, which is
// tested on its own): remove the old records, add the new ones.
std::shared_ptr<const zone::Zone> applyWithBuilder(const zone::Zone& base, const ZoneDiff& diff) {
    auto builder = zone::ZoneBuilder::from(base);
    for (auto it = diff.removed.begin(); it != diff.removed.end(); ++it)
        builder.remove(*it);
    for (auto it = diff.added.begin(); it != diff.added.end(); ++it) {
        if (!builder.add(*it)) throw std::runtime_error("add failed");
    }
    auto built = builder.build();
    if (!built) throw std::runtime_error(built.error().front());
    return *built;
}

TEST(SoaSerial, ReadsTheSerialAfterTheTwoNames) {
    const auto zone = zoneFromText(soaLine(2024112501) + kBase);
    EXPECT_EQ(zoneSerial(*zone), 2024112501U);
    const std::vector<std::uint8_t> shortRdata = {0, 0, 1, 2, 3};
    EXPECT_EQ(soaSerialOf(shortRdata), 0U);
    const std::vector<std::uint8_t> runaway = {5, 'a', 'b'};
    EXPECT_EQ(soaSerialOf(runaway), 0U);
    const std::vector<std::uint8_t> minimal = {0, 0, 0xDE, 0xAD, 0xBE, 0xEF};
    EXPECT_EQ(soaSerialOf(minimal), 0xDEADBEEFU);
}

TEST(ZoneRecords, SoaFirstThenEveryRecord) {
    const std::string text = soaLine(7) + kBase + "www A 192.0.2.80\nwww AAAA 2001:db8::80\n";
    const auto zone = zoneFromText(text);
    const RecordList records = zoneRecords(*zone);
    EXPECT_EQ(records.front().type, rrtype::SOA);
    EXPECT_EQ(records.size(), zone->recordCount());
    EXPECT_EQ(sorted(texts(records)), sorted(parsedTexts(text, "example.")));
}

TEST(DiffZones, AddedRemovedAndTtlChanges) {
    const auto v1 = zoneFromText(soaLine(1) + kBase + "a A 10.0.0.1\nb A 10.0.0.2\nt 60 TXT x\n");
    const auto v2 = zoneFromText(soaLine(2) + kBase + "a A 10.0.0.1\nc A 10.0.0.3\nt 120 TXT x\n");
    auto diff = diffZones(*v1, *v2, 1234);
    ASSERT_TRUE(diff) << diff.error();
    EXPECT_EQ(diff->fromSerial, 1U);
    EXPECT_EQ(diff->toSerial, 2U);
    EXPECT_EQ(diff->createdAt, 1234);
    const auto removed = texts(diff->removed);
    const auto added = texts(diff->added);
    // Old SOA leads the removals, new SOA the additions; a TTL change is a removal + addition.
    EXPECT_EQ(removed, (std::vector<std::string>{
                           "example. 3600 SOA ns1.example. hm.example. 1 3600 600 86400 300",
                           "b.example. 3600 A 10.0.0.2", "t.example. 60 TXT \"x\""}));
    EXPECT_EQ(added, (std::vector<std::string>{
                         "example. 3600 SOA ns1.example. hm.example. 2 3600 600 86400 300",
                         "c.example. 3600 A 10.0.0.3", "t.example. 120 TXT \"x\""}));
    EXPECT_EQ(diff->bytes(), diff->removed.bytes() + diff->added.bytes());
}

TEST(DiffZones, IdenticalZonesDifferOnlyInFraming) {
    const auto v1 = zoneFromText(soaLine(5) + kBase + "a A 10.0.0.1\n");
    const auto v2 = zoneFromText(soaLine(5) + kBase + "a A 10.0.0.1\n");
    auto diff = diffZones(*v1, *v2);
    ASSERT_TRUE(diff);
    EXPECT_EQ(diff->removed.size(), 1U);
    EXPECT_EQ(diff->added.size(), 1U);
}

TEST(DiffZones, DifferentApexesFail) {
    const auto a = zoneFromText(soaLine(1) + kBase, "example.");
    const auto b = zoneFromText(soaLine(1) + kBase, "example.net.");
    EXPECT_FALSE(diffZones(*a, *b));
}

// The signed zone: changing one signature, a signature TTL and an NSEC3 record shows up as
// exactly those records; applying the diff rebuilds the new version.
TEST(DiffZones, SignedZoneChangesAreExact) {
    const std::string text = readFile(sourceDir() / "authd/query/test/data/nsec3.test.zone.signed");
    const auto v1 = zoneFromText(text, "nsec3.test.");
    std::string edited = text;
    // Bump the serial, drop the MX RRSIG, change the NSEC3 TTL of one hash.
    const auto soaAt = edited.find("hostmaster.nsec3.test. 1 ");
    ASSERT_NE(soaAt, std::string::npos);
    edited.replace(soaAt, 25, "hostmaster.nsec3.test. 2 ");
    const auto mxSig = edited.find("nsec3.test.\t3600\tIN\tRRSIG\tMX");
    ASSERT_NE(mxSig, std::string::npos);
    edited.erase(mxSig, edited.find('\n', mxSig) + 1 - mxSig);
    const auto nsec3 = edited.find("0madr2c2o78cqsoquiejtbeh6gfgb0ff.nsec3.test.\t300\tIN\tNSEC3");
    ASSERT_NE(nsec3, std::string::npos);
    edited.replace(nsec3, 48, "0madr2c2o78cqsoquiejtbeh6gfgb0ff.nsec3.test.\t301");
    const auto v2 = zoneFromText(edited, "nsec3.test.");

    const auto diff = diffOf(*v1, *v2);
    std::vector<std::uint16_t> removedTypes;
    for (auto it = diff->removed.begin(); it != diff->removed.end(); ++it)
        removedTypes.push_back((*it).type);
    std::vector<std::uint16_t> addedTypes;
    for (auto it = diff->added.begin(); it != diff->added.end(); ++it)
        addedTypes.push_back((*it).type);
    EXPECT_EQ(removedTypes,
              (std::vector<std::uint16_t>{rrtype::SOA, rrtype::RRSIG, rrtype::NSEC3}));
    EXPECT_EQ(addedTypes, (std::vector<std::uint16_t>{rrtype::SOA, rrtype::NSEC3}));

    const auto applied = applyWithBuilder(*v1, *diff);
    EXPECT_EQ(sorted(texts(zoneRecords(*applied))), sorted(texts(zoneRecords(*v2))));
}

TEST(DiffZones, ApplyingTheDiffGivesTheNewVersion) {
    const auto v1 = zoneFromText(hostsZone(500, 10) + "sub NS ns.sub\nns.sub A 192.0.2.53\n");
    std::string text = hostsZone(0, 11);
    for (std::size_t i = 0; i < 500; i += 2)  // keep the even hosts, move the odd ones
        text += "h" + std::to_string(i) + " A 10.0." + std::to_string(i >> 8) + "." +
                std::to_string(i & 0xFF) + "\n";
    for (std::size_t i = 1; i < 500; i += 2)
        text += "h" + std::to_string(i) + " 7200 A 10.0." + std::to_string(i >> 8) + "." +
                std::to_string(i & 0xFF) + "\n";
    text += "new MX 10 h0\n";
    const auto v2 = zoneFromText(text);
    const auto diff = diffOf(*v1, *v2);
    EXPECT_EQ(diff->removed.size(), 1U + 250 + 2);  // SOA, odd hosts' old TTL, delegation
    EXPECT_EQ(diff->added.size(), 1U + 250 + 1);    // SOA, odd hosts' new TTL, MX
    const auto applied = applyWithBuilder(*v1, *diff);
    EXPECT_EQ(sorted(texts(zoneRecords(*applied))), sorted(texts(zoneRecords(*v2))));
}

TEST(DiffZones, OneChangeInALargeZoneIsOneRecordAndFast) {
    const auto v1 = zoneFromText(hostsZone(50000, 1));
    const auto v2 = zoneFromText(hostsZone(50000, 2) + "zzz A 192.0.2.99\n");
    const auto start = std::chrono::steady_clock::now();
    const auto diff = diffOf(*v1, *v2);
    const auto elapsed = std::chrono::steady_clock::now() - start;
    EXPECT_EQ(diff->removed.size(), 1U);
    EXPECT_EQ(diff->added.size(), 2U);
    // Linear merge: well under a second even in a debug build with sanitizers.
    EXPECT_LT(std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count(), 3000);
    RecordProperty(
        "diff_ms",
        static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count()));
}

struct Chain {
    std::vector<std::shared_ptr<const zone::Zone>> versions;
    std::vector<std::shared_ptr<const ZoneDiff>> diffs;
};

// v1 → v2 → v3 → v4 with records that come and go, come back, and change TTL.
Chain fourVersions() {
    Chain c;
    c.versions.push_back(zoneFromText(soaLine(1) + kBase +
                                      "keep A 10.0.0.1\ngone A 10.0.0.2\nback A 10.0.0.3\n"
                                      "ttl A 10.0.0.4\nflip 300 A 10.0.0.5\n"));
    c.versions.push_back(zoneFromText(soaLine(2) + kBase +
                                      "keep A 10.0.0.1\nttl A 10.0.0.4\ntemp A 10.0.0.6\n"
                                      "flip 300 A 10.0.0.5\n"));
    c.versions.push_back(zoneFromText(soaLine(3) + kBase +
                                      "keep A 10.0.0.1\nback A 10.0.0.3\nttl 60 A 10.0.0.4\n"
                                      "flip 600 A 10.0.0.5\n"));
    c.versions.push_back(zoneFromText(soaLine(4) + kBase +
                                      "keep A 10.0.0.1\nback A 10.0.0.3\nttl 60 A 10.0.0.4\n"
                                      "new A 10.0.0.7\nflip 300 A 10.0.0.5\n"));
    for (std::size_t i = 0; i + 1 < c.versions.size(); ++i)
        c.diffs.push_back(diffOf(*c.versions[i], *c.versions[i + 1], static_cast<std::int64_t>(i)));
    return c;
}

TEST(Condense, EqualsTheDirectDiff) {
    const Chain c = fourVersions();
    auto merged = condense(c.diffs);
    ASSERT_TRUE(merged) << merged.error();
    const auto direct = diffOf(*c.versions.front(), *c.versions.back());
    EXPECT_EQ(merged->fromSerial, 1U);
    EXPECT_EQ(merged->toSerial, 4U);
    EXPECT_EQ(texts(merged->removed).front(), texts(direct->removed).front());
    EXPECT_EQ(texts(merged->added).front(), texts(direct->added).front());
    EXPECT_EQ(sorted(texts(merged->removed)), sorted(texts(direct->removed)));
    EXPECT_EQ(sorted(texts(merged->added)), sorted(texts(direct->added)));
    // temp came and went, back went and came back, flip's TTL went there and back: none of
    // them is in the condensed diff.
    for (const auto& r : texts(merged->removed)) {
        EXPECT_EQ(r.find("temp"), std::string::npos) << r;
        EXPECT_EQ(r.find("back"), std::string::npos) << r;
        EXPECT_EQ(r.find("flip"), std::string::npos) << r;
    }
}

TEST(Condense, AppliedEqualsTheLastVersion) {
    const Chain c = fourVersions();
    auto merged = condense(c.diffs);
    ASSERT_TRUE(merged);
    const auto applied = applyWithBuilder(*c.versions.front(), *merged);
    EXPECT_EQ(sorted(texts(zoneRecords(*applied))), sorted(texts(zoneRecords(*c.versions.back()))));
}

TEST(Condense, OneDiffIsItself) {
    const Chain c = fourVersions();
    auto merged = condense(std::span(c.diffs).first(1));
    ASSERT_TRUE(merged);
    EXPECT_EQ(sorted(texts(merged->removed)), sorted(texts(c.diffs[0]->removed)));
    EXPECT_EQ(sorted(texts(merged->added)), sorted(texts(c.diffs[0]->added)));
}

TEST(Condense, RefusesBrokenOrEmptyChains) {
    const Chain c = fourVersions();
    EXPECT_FALSE(condense({}));
    const std::vector<std::shared_ptr<const ZoneDiff>> gap = {c.diffs[0], c.diffs[2]};
    EXPECT_FALSE(condense(gap));
}

}  // namespace
}  // namespace dnsfleet::xfr
