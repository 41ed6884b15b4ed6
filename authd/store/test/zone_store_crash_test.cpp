// Crash safety: a writer killed with SIGKILL at random moments never leaves a store that
// loads a mix of versions or fails to load. The child process does nothing but write; the
// parent kills it, opens the store as a restarted daemon would, and checks what it finds.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <random>
#include <thread>

#include "authd/store/zone_store.hpp"
#include "test_zones.hpp"

namespace dnsfleet::authd::store {
namespace {

using namespace storetest;  // NOLINT(google-build-using-namespace)

constexpr std::size_t kMapSize = 256 * kMiB;

/// Cycles through every kind of write, each leaving version A (serial 1) or B (serial 2):
/// 0 a full A, 1 a journal A→B, 2 a full A again, 3 a compacted A→B, 4 a full B. Starts at
/// `phase` (1 and 3 need A stored). Exits only when killed, on a failed write (status 3) or
/// after a time bound (status 0).
[[noreturn]] void writeForever(const fs::path& dir, const dnswire::Name& apex,
                               const xfr::RecordList& a, const xfr::RecordList& b,
                               const xfr::ZoneDiff& aToB, const zone::Zone& zoneB,
                               std::uint64_t phase) {
    auto store = ZoneStore::open(dir, kMapSize);
    if (!store) ::_exit(2);
    const auto stop = Clock::now() + std::chrono::seconds(10);
    for (std::uint64_t i = phase; Clock::now() < stop; ++i) {
        Result<void, std::string> written;
        switch (i % 5) {
            case 0:
                written = (*store)->storeFull(apex, a, 1);
                break;
            case 1:
                written = (*store)->appendDiffs(apex, std::span(&aToB, 1), zoneB, 1 << 30, 2);
                break;
            case 2:
                written = (*store)->storeFull(apex, a, 3);
                break;
            case 3:
                written = (*store)->appendDiffs(apex, std::span(&aToB, 1), zoneB, 0, 4);
                break;
            default:
                written = (*store)->storeFull(apex, b, 5);
                break;
        }
        if (!written) {
            std::fprintf(stderr, "child: %s\n", written.error().c_str());
            ::_exit(3);
        }
    }
    ::_exit(0);
}

TEST_F(ZoneStoreTest, KillNineAtAnyMomentLeavesOneCompleteVersion) {
    const auto a = version(1, "a", 500, 1);
    const auto b = version(2, "b", 400, 2);
    const auto aToB = replaceHosts(a, b, 1, 2);
    const auto zoneB = build(b);
    ASSERT_TRUE(zoneB);
    {
        auto store = openStore(kMapSize);
        ASSERT_TRUE(store->storeFull(apex_, a, 0));
    }
    const auto setA = recordSet(a);
    const auto setB = recordSet(b);

    const auto seed = static_cast<std::uint32_t>(Clock::now().time_since_epoch().count());
    std::mt19937 random(seed);
    std::uniform_int_distribution<int> delayMicros(0, 60000);
    std::uniform_int_distribution<std::uint64_t> anyPhase(0, 4);
    std::uint32_t storedSerial = 1;
    const auto deadline = Clock::now() + std::chrono::seconds(18);
    int rounds = 0;
    int sawA = 0;
    int sawB = 0;
    int sawJournal = 0;
    while (rounds < 40 && Clock::now() < deadline) {
        const pid_t child = ::fork();
        ASSERT_GE(child, 0);
        // Start the writer at a random kind of write, so that every kind is interrupted
        // often, not only the first ones of a cycle.
        std::uint64_t phase = anyPhase(random);
        if (storedSerial == 2 && (phase == 1 || phase == 3)) phase = 0;
        if (child == 0) writeForever(dir_, apex_, a, b, aToB, *zoneB, phase);
        std::this_thread::sleep_for(std::chrono::microseconds(delayMicros(random)));
        ::kill(child, SIGKILL);
        int status = 0;
        ASSERT_EQ(::waitpid(child, &status, 0), child);
        ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
            << "the writer ended on its own (status " << status << ") in round " << rounds;

        auto store = ZoneStore::open(dir_, kMapSize);
        ASSERT_TRUE(store) << "round " << rounds << ": " << store.error();
        auto restored = (*store)->restore(apex_);
        ASSERT_TRUE(restored) << "round " << rounds << ": " << restored.error();
        const auto found = recordSet(*restored->zone);
        if (found == setA) {
            EXPECT_EQ(restored->serial, 1U);
            ++sawA;
        } else if (found == setB) {
            EXPECT_EQ(restored->serial, 2U);
            ++sawB;
        } else {
            FAIL() << "round " << rounds << " (seed " << seed << "): a mix of versions, "
                   << found.size() << " records";
        }
        if (!restored->journal.empty()) ++sawJournal;
        storedSerial = restored->serial;
        ++rounds;
    }
    EXPECT_GE(rounds, 30);
    std::printf("kill -9 rounds: %d (seed %u): version A %d times, B %d (from a journal %d)\n",
                rounds, seed, sawA, sawB, sawJournal);
}

}  // namespace
}  // namespace dnsfleet::authd::store
