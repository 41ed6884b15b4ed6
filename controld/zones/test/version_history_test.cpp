// Versions keep no copy of the zone: each one's text is rebuilt from the live RRsets and the
// later diffs, and the fleet reads each version's step. An apply reads only the draft's owners
// and their neighbourhood, and still refuses what breaks the zone.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "controld/zones/fleet_reader.hpp"
#include "zone/parser.hpp"
#include "zone_service_fixture.hpp"

namespace dnsfleet::controld::zones {
namespace {

using testing::ZoneServiceTest;

class VersionHistoryTest : public ZoneServiceTest {
  protected:
    void stage(const std::vector<RrsetInput>& inputs,
               const std::vector<std::pair<std::string, std::string>>& deletions) {
        for (const RrsetInput& input : inputs) {
            auto staged = service_->stageRrset(alice(), own_, "example.com", input);
            EXPECT_TRUE(staged) << (staged ? "" : staged.error().detail);
        }
        for (const auto& [owner, type] : deletions) {
            auto staged = service_->stageDeletion(alice(), own_, "example.com", owner, type);
            EXPECT_TRUE(staged) << (staged ? "" : staged.error().detail);
        }
    }

    /// Stages `inputs` and `deletions` and applies them on top of `version`; returns the new
    /// version.
    std::int64_t applyAll(const std::vector<RrsetInput>& inputs, std::int64_t version,
                          const std::vector<std::pair<std::string, std::string>>& deletions = {}) {
        stage(inputs, deletions);
        auto applied = service_->apply(alice(), own_, "example.com", "change", version);
        EXPECT_TRUE(applied) << (applied ? "" : applied.error().detail);
        return applied ? applied->version : version;
    }

    /// The error of applying `inputs` at `version` (the draft is discarded afterwards).
    ServiceError refusal(const std::vector<RrsetInput>& inputs, std::int64_t version,
                         const std::vector<std::pair<std::string, std::string>>& deletions = {}) {
        stage(inputs, deletions);
        auto applied = service_->apply(alice(), own_, "example.com", "bad", version);
        EXPECT_TRUE(service_->discardDraft(alice(), own_, "example.com"));
        EXPECT_FALSE(applied);
        return applied ? ServiceError{} : applied.error();
    }

    static RrsetInput rrset(const std::string& name, const std::string& type,
                            std::vector<std::string> data, std::uint32_t ttl = 300) {
        RrsetInput input;
        input.name = name;
        input.type = type;
        input.ttl = ttl;
        for (std::string& d : data)
            input.records.push_back({std::move(d), ""});
        return input;
    }

    /// The records of zone text as "owner TTL type rdata" lines (a multiset), parsed with the
    /// zone library, as the fleet reads them.
    static std::multiset<std::string> records(const std::string& text) {
        std::multiset<std::string> out;
        zone::ParseOptions options;
        options.origin = *dnswire::Name::fromText("example.com.");
        auto parsed = zone::parseZoneText(
            text, "example.com.", options,
            [&](const zone::RecordView& r) -> Result<void, std::string> {
                std::string line = r.owner.toText() + " " + std::to_string(r.ttl) + " " +
                                   std::to_string(r.type) + " ";
                line.append(r.rdata.begin(), r.rdata.end());
                out.insert(std::move(line));
                return {};
            });
        EXPECT_TRUE(parsed);
        return out;
    }
};

TEST_F(VersionHistoryTest, EveryVersionsTextIsTheZoneAsItWasThen) {
    createZone("example.com");
    std::map<std::int64_t, std::string> seen;
    const auto remember = [&](std::int64_t version) {
        auto text = service_->exportZoneText(alice(), own_, "example.com");
        ASSERT_TRUE(text);
        seen[version] = *text;
    };
    remember(1);
    std::int64_t v = applyAll({a("www", "192.0.2.1", "web"), a("mail", "192.0.2.2")}, 1);
    remember(v);
    v = applyAll({a("www", "192.0.2.9"), rrset("www", "TXT", {"\"hello\""})}, v);
    remember(v);
    v = applyAll({a("api", "192.0.2.10")}, v, {{"mail", "A"}});
    remember(v);
    RrsetInput commented = a("api", "192.0.2.10", "record comment");
    commented.comment = "the API";
    v = applyAll({commented}, v);
    remember(v);
    auto restored = service_->restore(alice(), own_, "example.com", 2, "", v);
    ASSERT_TRUE(restored) << restored.error().detail;
    remember(restored->version);

    ASSERT_EQ(seen.size(), 6U);
    for (const auto& [version, text] : seen) {
        auto detail = service_->version(alice(), own_, "example.com", version);
        ASSERT_TRUE(detail) << version;
        EXPECT_EQ(detail->zoneText, text) << "version " << version;
    }
    // Restoring version 2 gave its content back (under a newer SOA).
    auto v2 = service_->version(alice(), own_, "example.com", 2);
    ASSERT_TRUE(v2);
    EXPECT_NE(v2->zoneText.find("192.0.2.1\t; web"), std::string::npos);
    EXPECT_NE(seen.rbegin()->second.find("192.0.2.1\t; web"), std::string::npos);
}

TEST_F(VersionHistoryTest, EachStepTurnsTheVersionBeforeIntoTheVersion) {
    const Zone zone = createZone("example.com");
    std::int64_t v =
        applyAll({rrset("www", "A", {"192.0.2.1", "192.0.2.2"}), a("ftp", "192.0.2.3")}, 1);
    v = applyAll({rrset("www", "A", {"192.0.2.2", "192.0.2.4"})}, v);  // one record kept
    v = applyAll({rrset("ftp", "A", {"192.0.2.3"}, 600)}, v);          // the TTL only
    v = applyAll({a("new", "192.0.2.5")}, v, {{"www", "A"}});
    ASSERT_EQ(v, 5);

    const primary::VersionReader reader = fleetVersionReader();
    db_->run(storage::Mode::Read, [&](storage::Transaction& tx) {
        EXPECT_FALSE(reader.step(tx, zone.id, 1));  // the first version has no step
        EXPECT_FALSE(reader.step(tx, zone.id, 6));
        for (std::int64_t version = 2; version <= v; ++version) {
            const auto before = reader.zoneText(tx, zone.id, version - 1);
            const auto after = reader.zoneText(tx, zone.id, version);
            const auto step = reader.step(tx, zone.id, version);
            ASSERT_TRUE(before && after && step) << version;
            std::multiset<std::string> rebuilt = records(*before);
            for (const std::string& removed : records(step->removed)) {
                const auto it = rebuilt.find(removed);
                ASSERT_NE(it, rebuilt.end()) << "version " << version << " removes " << removed;
                rebuilt.erase(it);
            }
            for (const std::string& added : records(step->added))
                rebuilt.insert(added);
            EXPECT_EQ(rebuilt, records(*after)) << "version " << version;
        }
    });
}

TEST_F(VersionHistoryTest, AnApplyStillRefusesWhatBreaksTheZoneAroundTheDraft) {
    createZone("example.com");
    std::int64_t v = applyAll({a("www", "192.0.2.1"), rrset("old", "DNAME", {"example.net."}),
                               a("x.sub", "192.0.2.2"), a("x.aXb", "192.0.2.3")},
                              1);
    // A CNAME beside live data at the same owner.
    ServiceError error = refusal({rrset("www", "CNAME", {"example.net."})}, v);
    EXPECT_EQ(error.code, ErrorCode::Invalid);
    EXPECT_NE(error.detail.find("CNAME beside other data"), std::string::npos) << error.detail;
    // A new name below a live DNAME.
    error = refusal({a("y.old", "192.0.2.4")}, v);
    EXPECT_NE(error.detail.find("below the DNAME"), std::string::npos) << error.detail;
    // A new DNAME above live names.
    error = refusal({rrset("sub", "DNAME", {"example.org."})}, v);
    EXPECT_NE(error.detail.find("x.sub.example.com. lies below the DNAME"), std::string::npos)
        << error.detail;
    // A name with a backslash in a label (SQL LIKE's escape character) still has its names below
    // found.
    v = applyAll({a("x.a\\\\b", "192.0.2.5")}, v);
    error = refusal({rrset("a\\\\b", "DNAME", {"example.org."})}, v);
    EXPECT_NE(error.detail.find("lies below the DNAME"), std::string::npos) << error.detail;
    // Only names truly below count: x.aXb is not below a_b ('_' is a wildcard to SQL LIKE).
    v = applyAll({rrset("a_b", "DNAME", {"example.org."})}, v);
    // An RRset that is both an ancestor of an owner and below a new DNAME is checked once.
    v = applyAll({a("y.deep", "192.0.2.6"), a("x.y.deep", "192.0.2.7")}, v);
    error = refusal({rrset("deep", "DNAME", {"example.org."})}, v, {{"x.y.deep", "A"}});
    EXPECT_EQ(error.detail.find("appears twice"), std::string::npos) << error.detail;
    EXPECT_NE(error.detail.find("y.deep.example.com. lies below the DNAME"), std::string::npos)
        << error.detail;
    // A DNAME whose names below go away in the same draft.
    v = applyAll({rrset("sub", "DNAME", {"example.org."})}, v, {{"x.sub", "A"}});
    EXPECT_EQ(v, 6);
}

TEST_F(VersionHistoryTest, VersionsStoredWithTheirTextBeforeMigrationSixStillRead) {
    const Zone zone = createZone("example.com");
    std::int64_t v = applyAll({a("www", "192.0.2.1")}, 1);
    auto text = service_->exportZoneText(alice(), own_, "example.com");
    ASSERT_TRUE(text);
    // Version 2 as a database from before migration 6 holds it: its text, no SOA column.
    db_->run(storage::Mode::Write, [&](storage::Transaction& tx) {
        tx.execute(
            "UPDATE zone_versions SET zone_text = $1, soa = NULL"
            " WHERE zone_id = $2 AND version = 2",
            {*text, zone.id});
    });
    v = applyAll({a("www", "192.0.2.2")}, v);
    v = applyAll({a("api", "192.0.2.3")}, v);
    auto v2 = service_->version(alice(), own_, "example.com", 2);
    ASSERT_TRUE(v2);
    EXPECT_EQ(v2->zoneText, *text);
    auto v3 = service_->version(alice(), own_, "example.com", 3);
    ASSERT_TRUE(v3);
    EXPECT_NE(v3->zoneText.find("192.0.2.2"), std::string::npos);
    EXPECT_EQ(v3->zoneText.find("192.0.2.3"), std::string::npos);

    const primary::VersionReader reader = fleetVersionReader();
    db_->run(storage::Mode::Read, [&](storage::Transaction& tx) {
        EXPECT_FALSE(reader.step(tx, zone.id, 3));  // no SOA for version 2: whole versions
        EXPECT_TRUE(reader.step(tx, zone.id, 4));
        EXPECT_EQ(reader.zoneText(tx, zone.id, 2), *text);
    });
    auto restored = service_->restore(alice(), own_, "example.com", 2, "", v);
    ASSERT_TRUE(restored) << restored.error().detail;
    auto live = service_->exportZoneText(alice(), own_, "example.com");
    ASSERT_TRUE(live);
    EXPECT_NE(live->find("192.0.2.1"), std::string::npos);
    EXPECT_EQ(live->find("192.0.2.3"), std::string::npos);
}

}  // namespace
}  // namespace dnsfleet::controld::zones
