#include "authd/zones/zone_loading.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <thread>

namespace dnsfleet::authd::zones {
namespace {

namespace fs = std::filesystem;

class ZoneLoading : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() /
               ("authd-zone-loading-" + std::to_string(::getpid()) + "-" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir_);
        fs::create_directories(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }

    fs::path writeZone(const std::string& apex, std::uint32_t serial, int hosts) {
        fs::path path = dir_ / (apex + "zone");
        std::ofstream out(path);
        out << "$ORIGIN " << apex << "\n$TTL 300\n@ SOA ns1 admin " << serial
            << " 3600 600 86400 60\n@ NS ns1\nns1 A 192.0.2.1\n";
        for (int i = 0; i < hosts; ++i)
            out << "h" << i << " A 192.0.2." << (i % 250 + 1) << "\n";
        return path;
    }
    fs::path writeBroken(const std::string& apex) {
        fs::path path = dir_ / (apex + "zone");
        std::ofstream out(path);
        out << "$ORIGIN " << apex << "\n@ 300 SOA ns1 admin 1 3600 600 86400 60\n@ 300 NS ns1\n"
            << "bad 300 A 999.1.2.3\n";
        return path;
    }
    static config::ZoneConfig zoneConfig(const std::string& apex, const fs::path& file) {
        config::ZoneConfig zone;
        zone.apex = *dnswire::Name::fromText(apex);
        zone.file = file;
        return zone;
    }

    fs::path dir_;
};

TEST_F(ZoneLoading, LoadsEveryZoneInParallelAndKeepsTheConfiguredOrder) {
    std::vector<config::ZoneConfig> zones;
    for (int i = 0; i < 50; ++i) {
        const std::string apex = "z" + std::to_string(i) + ".example.";
        zones.push_back(zoneConfig(apex, writeZone(apex, static_cast<std::uint32_t>(i + 1), 3)));
    }
    auto results = loadZones(zones, {}, 4);
    ASSERT_EQ(results.size(), zones.size());
    for (std::size_t i = 0; i < results.size(); ++i) {
        ASSERT_EQ(results[i].outcome, LoadOutcome::Loaded) << i;
        EXPECT_EQ(results[i].served.config.apex, zones[i].apex);
        EXPECT_EQ(soaSerial(*results[i].served.zone), i + 1);
        EXPECT_EQ(results[i].served.zone->recordCount(), 6u);
    }
    auto set = buildZoneSet(servedZones(results));
    EXPECT_EQ(set->size(), 50u);
}

TEST_F(ZoneLoading, ABrokenZoneIsReportedWithFileAndLineAndTheOthersLoad) {
    std::vector<config::ZoneConfig> zones{
        zoneConfig("good.example.", writeZone("good.example.", 7, 1)),
        zoneConfig("bad.example.", writeBroken("bad.example.")),
        zoneConfig("missing.example.", dir_ / "missing.zone"),
    };
    auto results = loadZones(zones, {}, 2);
    EXPECT_EQ(results[0].outcome, LoadOutcome::Loaded);
    EXPECT_EQ(results[1].outcome, LoadOutcome::Failed);
    ASSERT_FALSE(results[1].errors.empty());
    EXPECT_NE(results[1].errors[0].find("bad.example.zone:4:"), std::string::npos)
        << results[1].errors[0];
    EXPECT_EQ(results[2].outcome, LoadOutcome::Failed);
    EXPECT_FALSE(results[2].errors.empty());
    const auto served = servedZones(results);
    ASSERT_EQ(served.size(), 1u);
    EXPECT_EQ(served[0].config.apex.toText(), "good.example.");
}

TEST_F(ZoneLoading, ReloadReusesUnchangedFilesAndReloadsChangedOnes) {
    const auto a = writeZone("a.example.", 1, 1);
    const auto b = writeZone("b.example.", 1, 1);
    std::vector<config::ZoneConfig> zones{zoneConfig("a.example.", a), zoneConfig("b.example.", b)};
    auto first = servedZones(loadZones(zones, {}, 2));
    ASSERT_EQ(first.size(), 2u);

    writeZone("b.example.", 2, 2);  // another size, so the change shows even within one mtime tick
    auto second = loadZones(zones, first, 2);
    EXPECT_EQ(second[0].outcome, LoadOutcome::Unchanged);
    EXPECT_EQ(second[0].served.zone, first[0].zone);  // the very same snapshot
    EXPECT_EQ(second[1].outcome, LoadOutcome::Loaded);
    EXPECT_EQ(soaSerial(*second[1].served.zone), 2u);
}

TEST_F(ZoneLoading, AFailedReloadKeepsTheOldVersionServing) {
    const auto path = writeZone("k.example.", 5, 1);
    std::vector<config::ZoneConfig> zones{zoneConfig("k.example.", path)};
    auto first = servedZones(loadZones(zones, {}, 1));
    ASSERT_EQ(first.size(), 1u);
    {
        std::ofstream out(path, std::ios::app);
        out << "broken line with no type at all ???\n";
    }
    auto second = loadZones(zones, first, 1);
    EXPECT_EQ(second[0].outcome, LoadOutcome::FailedKeptOld);
    EXPECT_FALSE(second[0].errors.empty());
    EXPECT_EQ(second[0].served.zone, first[0].zone);
    EXPECT_EQ(soaSerial(*second[0].served.zone), 5u);
    // The kept version remembers the stamp of the file it came from, so the next reload
    // tries the (still broken) file again instead of calling it unchanged.
    EXPECT_EQ(second[0].served.stamp, first[0].stamp);
}

TEST_F(ZoneLoading, ZonesMissingFromTheNewListAreNotServed) {
    std::vector<config::ZoneConfig> zones{zoneConfig("x.example.", writeZone("x.example.", 1, 0)),
                                          zoneConfig("y.example.", writeZone("y.example.", 1, 0))};
    auto first = servedZones(loadZones(zones, {}, 2));
    zones.pop_back();
    auto second = servedZones(loadZones(zones, first, 2));
    ASSERT_EQ(second.size(), 1u);
    EXPECT_EQ(second[0].config.apex.toText(), "x.example.");
}

}  // namespace
}  // namespace dnsfleet::authd::zones
