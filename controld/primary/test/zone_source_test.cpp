// The zone source builds a new version from the cached version before it and the version's
// step (what an apply changed), so that a one-record change to a big zone does not make the
// fleet read and parse the whole zone; a step that does not fit falls back to the whole text.
#include "zone_source.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "dnswire/rrtype.hpp"
#include "fleet_fixture.hpp"

namespace dnsfleet::controld::primary {
namespace {

/// "owner type TTL rdata-hex" per record, in the list's order.
std::vector<std::string> describe(const xfr::RecordList& records) {
    std::vector<std::string> out;
    for (const zone::RecordView r : records) {
        std::string line = r.owner.toText() + " " + dnswire::typeToText(r.type) + " " +
                           std::to_string(r.ttl) + " ";
        static constexpr char kHex[] = "0123456789abcdef";
        for (const std::uint8_t octet : r.rdata) {
            line.push_back(kHex[octet >> 4U]);
            line.push_back(kHex[octet & 0x0FU]);
        }
        out.push_back(std::move(line));
    }
    return out;
}

class ZoneSourceTest : public testing::FleetTest {
  protected:
    static constexpr const char* kApex = "example.com.";

    void SetUp() override {
        FleetTest::SetUp();
        zone_ = createZone(kApex, 10, "www A 192.0.2.1\nmail A 192.0.2.2\n");
        addVersion(zone_, kApex, 11, "www A 192.0.2.1\nmail A 192.0.2.3\nnew A 192.0.2.4\n");
    }

    /// A reader that counts whole reads and answers the steps in `steps` (zone text: the
    /// records on both sides, here the NS and the TTL line, cancel out).
    VersionReader reader(std::map<std::int64_t, VersionStepText> steps) {
        VersionReader out;
        out.zoneText = [this](storage::Transaction& tx, Id id,
                              std::int64_t version) -> std::optional<std::string> {
            ++wholeReads_;
            const auto row = tx.queryOne(
                "SELECT zone_text FROM zone_versions WHERE zone_id = $1 AND version = $2",
                {id, version});
            if (!row) return std::nullopt;
            return row->text(0);
        };
        out.step = [steps = std::move(steps)](
                       storage::Transaction&, Id,
                       std::int64_t version) -> std::optional<VersionStepText> {
            const auto found = steps.find(version);
            if (found == steps.end()) return std::nullopt;
            return found->second;
        };
        return out;
    }

    /// A zone source whose version 2 step removes `removed` and adds what version 2 added.
    ZoneSource sourceRemoving(const std::string& removed) {
        return {*db_, *dnswire::Name::fromText("catalog.test."),
                reader({{2,
                         {zoneText(kApex, 10, removed),
                          zoneText(kApex, 11, "mail A 192.0.2.3\nnew A 192.0.2.4\n")}}})};
    }

    /// Version 2 as the whole text gives it.
    std::vector<std::string> wholeVersionTwo() {
        auto whole = parseZoneText(
            *dnswire::Name::fromText(kApex),
            zoneText(kApex, 11, "www A 192.0.2.1\nmail A 192.0.2.3\nnew A 192.0.2.4\n"));
        EXPECT_TRUE(whole);
        return whole ? describe(xfr::zoneRecords(**whole)) : std::vector<std::string>{};
    }

    Id zone_ = 0;
    int wholeReads_ = 0;
};

TEST_F(ZoneSourceTest, AVersionIsTheVersionBeforeWithItsStepApplied) {
    ZoneSource source = sourceRemoving("mail A 192.0.2.2\n");
    const ServedZone served = source.reload()->zones.at(kApex);
    ASSERT_TRUE(source.version(served, 1));
    EXPECT_EQ(wholeReads_, 1);
    auto current = source.current(served);
    ASSERT_TRUE(current) << current.error();
    EXPECT_EQ(wholeReads_, 1);  // built from version 1 and the step
    EXPECT_EQ(describe(xfr::zoneRecords(**current)), wholeVersionTwo());
    // Only the newest version stays parsed; an older one is read again and does not push the
    // current one out.
    EXPECT_EQ(source.cachedVersions(), 1U);
    ASSERT_TRUE(source.version(served, 1));
    EXPECT_EQ(wholeReads_, 2);
    ASSERT_TRUE(source.current(served));
    EXPECT_EQ(wholeReads_, 2);

    // The IXFR from version 1 is the step without what both sides hold.
    auto diff = source.diffFrom(served, 10);
    ASSERT_TRUE(diff) << diff.error();
    ASSERT_TRUE(*diff);
    EXPECT_EQ((*diff)->fromSerial, 10U);
    EXPECT_EQ((*diff)->toSerial, 11U);
    const auto removed = describe((*diff)->removed);
    const auto added = describe((*diff)->added);
    ASSERT_EQ(removed.size(), 2U);
    EXPECT_EQ(removed[0].rfind("example.com. SOA 300 ", 0), 0U);
    EXPECT_EQ(removed[1], "mail.example.com. A 300 c0000202");
    ASSERT_EQ(added.size(), 3U);
    EXPECT_EQ(added[0].rfind("example.com. SOA 300 ", 0), 0U);
    EXPECT_EQ(added[1], "mail.example.com. A 300 c0000203");
    EXPECT_EQ(added[2], "new.example.com. A 300 c0000204");
}

TEST_F(ZoneSourceTest, VersionsMadeInABurstAreBuiltFromEveryStepSinceTheCachedOne) {
    addVersion(zone_, kApex, 12, "www A 192.0.2.1\nnew A 192.0.2.4\n");
    ZoneSource source(
        *db_, *dnswire::Name::fromText("catalog.test."),
        reader({{2,
                 {zoneText(kApex, 10, "mail A 192.0.2.2\n"),
                  zoneText(kApex, 11, "mail A 192.0.2.3\nnew A 192.0.2.4\n")}},
                {3, {zoneText(kApex, 11, "mail A 192.0.2.3\n"), zoneText(kApex, 12, "")}}}));
    const ServedZone served = source.reload()->zones.at(kApex);
    ASSERT_EQ(served.version, 3);
    ASSERT_TRUE(source.version(served, 1));
    auto current = source.current(served);
    ASSERT_TRUE(current) << current.error();
    EXPECT_EQ(wholeReads_, 1);
    auto whole = parseZoneText(*dnswire::Name::fromText(kApex),
                               zoneText(kApex, 12, "www A 192.0.2.1\nnew A 192.0.2.4\n"));
    ASSERT_TRUE(whole);
    EXPECT_EQ(describe(xfr::zoneRecords(**current)), describe(xfr::zoneRecords(**whole)));
}

TEST_F(ZoneSourceTest, AStepThatDoesNotApplyFallsBackToTheWholeVersion) {
    // The step removes a record version 1 does not have.
    ZoneSource source = sourceRemoving("gone A 192.0.2.9\n");
    const ServedZone served = source.reload()->zones.at(kApex);
    ASSERT_TRUE(source.version(served, 1));
    auto current = source.current(served);
    ASSERT_TRUE(current) << current.error();
    EXPECT_EQ(wholeReads_, 2);
    EXPECT_EQ(describe(xfr::zoneRecords(**current)), wholeVersionTwo());
    // Nor is it sent to the edges: their IXFR comes from the two whole versions.
    auto diff = source.diffFrom(served, 10);
    ASSERT_TRUE(diff) << diff.error();
    ASSERT_TRUE(*diff);
    const auto removed = describe((*diff)->removed);
    ASSERT_EQ(removed.size(), 2U);
    EXPECT_EQ(removed[1], "mail.example.com. A 300 c0000202");
}

TEST_F(ZoneSourceTest, WithoutTheVersionBeforeTheWholeVersionIsRead) {
    ZoneSource source = sourceRemoving("mail A 192.0.2.2\n");
    const ServedZone served = source.reload()->zones.at(kApex);
    auto current = source.current(served);
    ASSERT_TRUE(current) << current.error();
    EXPECT_EQ(wholeReads_, 1);
    EXPECT_EQ(describe(xfr::zoneRecords(**current)), wholeVersionTwo());
}

}  // namespace
}  // namespace dnsfleet::controld::primary
