// Tampering shows: any change to any field of any entry, and any removed entry, breaks the
// chain at the first entry that no longer follows.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "audit_fixture.hpp"
#include "controld/audit/event_log.hpp"

namespace dnsfleet::controld::audit {
namespace {

using testing::AuditTest;

constexpr Timestamp kT0 = 1'780'000'000'000'000;
constexpr int kEntries = 6;

class ChainTamperTest : public AuditTest {
  protected:
    void SetUp() override {
        AuditTest::SetUp();
        for (int i = 0; i < kEntries; ++i) {
            appendAlone(*db_, userContext(1, kT0 + i), event(1, "zone.apply"));
            appendAlone(*db_, userContext(2, kT0 + i), event(2, "zone.apply"));
        }
        const Page page = listAll(1, oldestFirst());
        for (const Entry& e : page.entries)
            ids_.push_back(e.id);
        ASSERT_EQ(ids_.size(), static_cast<std::size_t>(kEntries));
        ASSERT_TRUE(verify(1).intact);
    }

    std::vector<Id> ids_;
};

struct Tamper {
    const char* column;
    std::string assignment;  // SQL that changes the column's value
};

const std::vector<Tamper> kTampers = {
    {"time", "time = time + 1"},
    {"actor", "actor = 'user:mallory'"},
    {"source_address", "source_address = '198.51.100.1'"},
    {"request_id", "request_id = request_id || 'x'"},
    {"action", "action = 'zone.delete'"},
    {"target", "target = 'zone:other.example.'"},
    {"result", "result = 'failed'"},
    {"details", "details = '{\"version\":4,\"zone\":\"example.com.\"}'"},
    {"details (same JSON, other text)", "details = '{\"zone\":\"example.com.\",\"version\":3}'"},
    {"hash", "hash = '" + std::string(64, 'a') + "'"},
};

TEST_F(ChainTamperTest, ChangingAnyFieldOfAnyEntryIsDetectedAtThatEntry) {
    for (const Tamper& tamper : kTampers) {
        for (std::size_t position = 0; position < ids_.size(); ++position) {
            const Id id = ids_[position];
            // Snapshot the row, change it behind the log's back, check, put it back.
            const auto original = db_->run(storage::Mode::Read, [&](storage::Transaction& tx) {
                return *tx.queryOne(
                    "SELECT time, actor, source_address, request_id, action, "
                    "target, result, details, hash FROM events WHERE id = $1",
                    {id});
            });
            ASSERT_EQ(
                execute(std::string("UPDATE events SET ") + tamper.assignment + " WHERE id = $1",
                        {id}),
                1);
            const Verification v = verify(1);
            EXPECT_FALSE(v.intact) << tamper.column << " at " << position;
            EXPECT_EQ(v.firstBadEntry, id) << tamper.column << " at " << position;
            EXPECT_EQ(v.checked, static_cast<std::int64_t>(position) + 1);
            execute(
                "UPDATE events SET time = $2, actor = $3, source_address = $4, "
                "request_id = $5, action = $6, target = $7, result = $8, details = $9, "
                "hash = $10 WHERE id = $1",
                {id, original.value(0), original.value(1), original.value(2), original.value(3),
                 original.value(4), original.value(5), original.value(6), original.value(7),
                 original.value(8)});
            ASSERT_TRUE(verify(1).intact) << "restored " << tamper.column;
        }
    }
    EXPECT_TRUE(verify(2).intact);  // the other contract's chain was never touched
}

TEST_F(ChainTamperTest, MovingAnEntryToAnotherContractBreaksBothChains) {
    execute("UPDATE events SET contract_id = 2 WHERE id = $1", {ids_[2]});
    const Verification one = verify(1);
    EXPECT_FALSE(one.intact);
    EXPECT_EQ(one.firstBadEntry, ids_[3]);
    EXPECT_FALSE(verify(2).intact);
}

TEST_F(ChainTamperTest, DeletingAnEntryInTheMiddleIsDetectedAtItsSuccessor) {
    execute("DELETE FROM events WHERE id = $1", {ids_[3]});
    const Verification v = verify(1);
    EXPECT_FALSE(v.intact);
    EXPECT_EQ(v.firstBadEntry, ids_[4]);
}

TEST_F(ChainTamperTest, DeletingTheFirstEntryIsDetected) {
    execute("DELETE FROM events WHERE id = $1", {ids_[0]});
    const Verification v = verify(1);
    EXPECT_FALSE(v.intact);
    EXPECT_EQ(v.firstBadEntry, ids_[1]);
}

TEST_F(ChainTamperTest, ForgedAnchorIsDetected) {
    execute("INSERT INTO event_anchors (contract_id, hash, removed_through_id) VALUES (1, $1, 0)",
            {std::string(64, 'b')});
    const Verification v = verify(1);
    EXPECT_FALSE(v.intact);
    EXPECT_EQ(v.firstBadEntry, ids_[0]);
}

TEST_F(ChainTamperTest, AppendingAfterTamperingDoesNotHealTheChain) {
    execute("UPDATE events SET action = 'zone.delete' WHERE id = $1", {ids_[1]});
    appendAlone(*db_, userContext(1, kT0 + 100), event(1, "zone.apply"));
    const Verification v = verify(1);
    EXPECT_FALSE(v.intact);
    EXPECT_EQ(v.firstBadEntry, ids_[1]);
}

}  // namespace
}  // namespace dnsfleet::controld::audit
