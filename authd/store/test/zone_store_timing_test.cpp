// Start-up and commit costs of the store, printed for the README and docs/benchmarks.md.
// No timing assertions: the machine is shared, so a bound here would only make the suite
// flaky. What it asserts is that the big cases work at all.

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>

#include "authd/store/zone_store.hpp"
#include "test_zones.hpp"

namespace dnsfleet::authd::store {
namespace {

using namespace storetest;  // NOLINT(google-build-using-namespace)

constexpr std::size_t kMapSize = std::size_t{4} << 30;

TEST_F(ZoneStoreTest, LoadOf100kNamesIsTimed) {
    const auto v1 = version(1, "h", 100000, 1);
    {
        auto store = openStore(kMapSize);
        const auto start = Clock::now();
        ASSERT_TRUE(store->storeFull(apex_, v1, 0));
        std::printf("storeFull, 100k names (%zu octets): %.1f ms\n", v1.bytes(),
                    millisecondsSince(start));
    }
    // As a restarted daemon: open, then load.
    auto start = Clock::now();
    auto store = openStore(kMapSize);
    const double openMs = millisecondsSince(start);
    start = Clock::now();
    auto loaded = store->load(apex_);
    const double loadMs = millisecondsSince(start);
    ASSERT_TRUE(loaded) << loaded.error();
    EXPECT_EQ((*loaded)->recordCount(), v1.size());
    std::printf("open: %.1f ms, load of 100k names (snapshot only): %.1f ms\n", openMs, loadMs);

    // With a journal entry that replaces 1000 names: the snapshot is built, then the diff
    // applied to it.
    const auto small = version(1, "h", 1000, 1);
    const auto next = version(2, "n", 1000, 2);
    auto v2 = version(2, "n", 1000, 2);
    for (std::uint32_t i = 1000; i < 100000; ++i)
        addA(v2, "h" + std::to_string(i) + ".example.", (1U << 24) | i);
    const auto diff = replaceHosts(small, next, 1, 2);
    const auto zone2 = build(v2);
    ASSERT_TRUE(store->appendDiffs(apex_, std::span(&diff, 1), *zone2, 1 << 30, 0));
    start = Clock::now();
    auto restored = store->restore(apex_);
    const double restoreMs = millisecondsSince(start);
    ASSERT_TRUE(restored) << restored.error();
    // Spot checks rather than a full comparison: the 100k-record sort would dominate the
    // test's time under the sanitizers (zone_store_test compares whole versions).
    const zone::Zone& z = *restored->zone;
    EXPECT_EQ(z.recordCount(), v2.size());
    EXPECT_EQ(restored->serial, 2U);
    EXPECT_EQ(z.find(name("h999.example.")), nullptr);
    EXPECT_NE(z.find(name("n999.example.")), nullptr);
    EXPECT_NE(z.find(name("h1000.example.")), nullptr);
    std::printf("restore of 100k names + a 2000-record journal entry: %.1f ms\n", restoreMs);
}

TEST_F(ZoneStoreTest, CommitCostIsTimed) {
    auto store = openStore(kMapSize);
    constexpr std::uint32_t kCommits = 50;
    std::vector<xfr::RecordList> versions;
    std::vector<xfr::ZoneDiff> diffs;
    std::vector<std::shared_ptr<const zone::Zone>> zones;
    for (std::uint32_t i = 0; i <= kCommits; ++i) {
        versions.push_back(version(i + 1, "v" + std::to_string(i) + "-", 10, 1));
        zones.push_back(build(versions.back()));
    }
    for (std::uint32_t i = 0; i < kCommits; ++i)
        diffs.push_back(replaceHosts(versions[i], versions[i + 1], i + 1, i + 2));

    auto start = Clock::now();
    for (std::uint32_t i = 0; i < kCommits; ++i)
        ASSERT_TRUE(store->storeFull(apex_, versions[0], i));
    std::printf("storeFull of a 13-record zone: %.2f ms per commit\n",
                millisecondsSince(start) / kCommits);

    start = Clock::now();
    for (std::uint32_t i = 0; i < kCommits; ++i)
        ASSERT_TRUE(store->appendDiffs(apex_, std::span(&diffs[i], 1), *zones[i + 1], 1 << 30, i));
    std::printf("appendDiffs of a 22-record diff: %.2f ms per commit\n",
                millisecondsSince(start) / kCommits);

    start = Clock::now();
    auto restored = store->restore(apex_);
    ASSERT_TRUE(restored) << restored.error();
    EXPECT_EQ(restored->journal.size(), kCommits);
    EXPECT_EQ(recordSet(*restored->zone), recordSet(versions.back()));
    std::printf("restore with a %u-entry journal: %.2f ms\n", kCommits, millisecondsSince(start));
}

TEST_F(ZoneStoreTest, ManyChunksAreStoredReplacedAndReadBack) {
    // 200k records (~6 MB, several snapshot chunks) on every run; the 1M-record figures in the
    // README come from DNSFLEET_STORE_RECORDS=1000000.
    const char* wanted = std::getenv("DNSFLEET_STORE_RECORDS");
    const auto records = static_cast<std::uint32_t>(
        wanted != nullptr ? std::strtoul(wanted, nullptr, 10) : 200000UL);
    auto store = openStore(kMapSize);
    const auto big = version(1, "h", records, 1);
    auto start = Clock::now();
    ASSERT_TRUE(store->storeFull(apex_, big, 0));
    std::printf("storeFull of %u records (%zu octets): %.1f ms, file %zu octets\n", records,
                big.bytes(), millisecondsSince(start), store->fileSize());
    start = Clock::now();
    ASSERT_TRUE(store->storeFull(apex_, big, 0));
    std::printf("storeFull of %u records again (replacing them): %.1f ms\n", records,
                millisecondsSince(start));
    start = Clock::now();
    auto stored = store->read(apex_);
    ASSERT_TRUE(stored) << stored.error();
    EXPECT_EQ(stored->snapshot, big);
    std::printf("read of %u records: %.1f ms, file %zu octets\n", records, millisecondsSince(start),
                store->fileSize());
}

}  // namespace
}  // namespace dnsfleet::authd::store
