// Retention: entries older than the cutoff go, the chain's new anchor is the hash of the
// last removed entry, and what remains still verifies.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "audit_fixture.hpp"
#include "controld/audit/event_log.hpp"

namespace dnsfleet::controld::audit {
namespace {

using testing::AuditTest;

constexpr Timestamp kDay = 86'400'000'000;
constexpr Timestamp kT0 = 1'780'000'000'000'000;

class RetentionTest : public AuditTest {
  protected:
    // Ten entries per contract, one a day.
    void SetUp() override {
        AuditTest::SetUp();
        for (int day = 0; day < 10; ++day) {
            appendAlone(*db_, userContext(1, kT0 + day * kDay), event(1, "zone.apply"));
            appendAlone(*db_, userContext(2, kT0 + day * kDay), event(2, "auth.login"));
        }
    }

    std::int64_t removeBefore(Timestamp cutoff) {
        return db_->run(storage::Mode::Write,
                        [&](storage::Transaction& tx) { return removeOlderThan(tx, cutoff); });
    }
};

TEST_F(RetentionTest, RemovesOldEntriesOfEveryContractAndKeepsTheRestVerifiable) {
    const Page before = listAll(1, oldestFirst());
    // Cutoff at day 4: days 0..3 go, in both contracts.
    EXPECT_EQ(removeBefore(kT0 + 4 * kDay), 8);

    const Page after = listAll(1, oldestFirst());
    ASSERT_EQ(after.total, 6);
    EXPECT_EQ(after.entries.front().time, kT0 + 4 * kDay);
    const Verification v = verify(1);
    EXPECT_TRUE(v.intact);
    EXPECT_EQ(v.checked, 6);
    EXPECT_EQ(v.anchor, before.entries[3].hash);  // the last removed entry's hash
    EXPECT_EQ(v.removedThroughId, before.entries[3].id);
    EXPECT_TRUE(verify(2).intact);
    EXPECT_EQ(listAll(2).total, 6);

    // The chain goes on from the remainder.
    appendAlone(*db_, userContext(1, kT0 + 11 * kDay), event(1, "zone.apply"));
    EXPECT_TRUE(verify(1).intact);
    EXPECT_EQ(verify(1).checked, 7);

    // A second run moves the anchor on.
    EXPECT_EQ(removeBefore(kT0 + 8 * kDay), 8);
    EXPECT_TRUE(verify(1).intact);
    EXPECT_EQ(verify(1).checked, 3);
}

TEST_F(RetentionTest, TamperingAfterRetentionIsStillDetected) {
    removeBefore(kT0 + 5 * kDay);
    const Page rest = listAll(1, oldestFirst());
    ASSERT_EQ(rest.total, 5);
    // Removing the first remaining entry as if retention had taken it breaks the chain.
    execute("DELETE FROM events WHERE id = $1", {rest.entries[0].id});
    const Verification v = verify(1);
    EXPECT_FALSE(v.intact);
    EXPECT_EQ(v.firstBadEntry, rest.entries[1].id);
}

TEST_F(RetentionTest, RemovingEverythingLeavesAnAnchorTheNextEntryFollows) {
    EXPECT_EQ(removeBefore(kT0 + 100 * kDay), 20);
    EXPECT_EQ(listAll(1).total, 0);
    const Verification empty = verify(1);
    EXPECT_TRUE(empty.intact);
    EXPECT_EQ(empty.checked, 0);
    EXPECT_NE(empty.anchor, std::string(64, '0'));
    appendAlone(*db_, userContext(1, kT0 + 101 * kDay), event(1, "zone.apply"));
    EXPECT_TRUE(verify(1).intact);
}

TEST_F(RetentionTest, NothingOldMeansNothingChanges) {
    EXPECT_EQ(removeBefore(kT0), 0);
    EXPECT_EQ(listAll(1).total, 10);
    EXPECT_EQ(verify(1).anchor, std::string(64, '0'));
}

TEST_F(RetentionTest, RetentionJobLogsWhatItRemovedInEachChain) {
    // "Now" is day 95 with 90 days of retention: days 0..4 are older than the cutoff.
    const std::int64_t removed = runRetention(*db_, kT0 + 95 * kDay, std::chrono::hours(24 * 90));
    EXPECT_EQ(removed, 10);
    for (const Id contract : {Id{1}, Id{2}}) {
        const Page page = listAll(contract);
        ASSERT_EQ(page.total, 6) << contract;  // 5 kept + the retention entry
        const Entry& newest = page.entries.front();
        EXPECT_EQ(newest.action, "events.retention");
        EXPECT_EQ(newest.actor, "system");
        EXPECT_EQ(newest.details["removed"], 5);
        EXPECT_TRUE(verify(contract).intact);
    }
    EXPECT_EQ(listAll(0).total, 0);  // the platform chain had nothing to remove
    EXPECT_EQ(runRetention(*db_, kT0 + 95 * kDay, std::chrono::hours(24 * 90)), 0);
}

}  // namespace
}  // namespace dnsfleet::controld::audit
