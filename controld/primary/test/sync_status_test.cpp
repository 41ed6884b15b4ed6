// Change ids move from PENDING to INSYNC only when every edge *answers* the zone's SOA query
// with the change's serial or a later one; an edge that does not answer keeps it PENDING.
#include <gtest/gtest.h>

#include "controld/primary/edges.hpp"
#include "controld/primary/fleet.hpp"
#include "fake_edge.hpp"
#include "fleet_fixture.hpp"
#include "sync_poller.hpp"

namespace dnsfleet::controld::primary {
namespace {

class SyncStatusTest : public testing::FleetTest {
  protected:
    void SetUp() override {
        FleetTest::SetUp();
        settings_.syncPollInterval = std::chrono::hours(1);  // the test drives the rounds
        settings_.edgeQueryTimeout = std::chrono::milliseconds(300);
        zone_ = createZone("example.com.", 5, "www A 192.0.2.1\n");
    }

    std::string change(std::uint32_t serial, Id zone = 0) {
        return db_->run(storage::Mode::Write, [&](storage::Transaction& tx) {
            return recordChange(tx, viewer(), contract_, zone != 0 ? zone : zone_, "example.com.",
                                serial);
        });
    }

    Edge edge(const std::string& name, const std::string& region, const std::string& address) {
        auto added = addEdge(*db_, staff(), name, region, address);
        EXPECT_TRUE(added) << (added ? "" : added.error().detail);
        return added ? *added : Edge{};
    }

    ChangeStatus status(const std::string& id) {
        auto found = changeStatus(*db_, viewer(), contract_, id);
        EXPECT_TRUE(found) << (found ? "" : found.error().detail);
        return found ? *found : ChangeStatus{};
    }

    /// A loopback port with nothing behind it.
    static std::string deadAddress() {
        Socket probe = bindUdp(*parseSocketAddress("127.0.0.1:0"));
        return localAddress(probe).toString();
    }

    config::FleetSettings settings_;
    Id zone_ = 0;
};

TEST_F(SyncStatusTest, PendingUntilTheEdgeAnswersTheNewSerial) {
    testing::FakeEdge fake;
    fake.setSerial(5);
    edge("edge-1", "eu", fake.address());
    const std::string id = change(6);
    ASSERT_EQ(id.front(), 'C');
    SyncPoller poller(*db_, settings_);

    EXPECT_EQ(poller.pollOnce(), 0U);
    auto pending = status(id);
    EXPECT_EQ(pending.status, "PENDING");
    EXPECT_FALSE(pending.insyncAt);
    ASSERT_EQ(pending.edges.size(), 1U);
    EXPECT_EQ(pending.edges[0].status, "PENDING");
    ASSERT_TRUE(pending.edges[0].serial);
    EXPECT_EQ(*pending.edges[0].serial, 5U);
    ASSERT_EQ(pending.regions.size(), 1U);
    EXPECT_EQ(pending.regions[0].status, "PENDING");

    fake.setSerial(6);
    EXPECT_EQ(poller.pollOnce(), 1U);
    auto insync = status(id);
    EXPECT_EQ(insync.status, "INSYNC");
    EXPECT_TRUE(insync.insyncAt);
    EXPECT_EQ(insync.zone, "example.com.");
    EXPECT_EQ(insync.serial, 6U);
    EXPECT_EQ(insync.edges[0].status, "INSYNC");
    EXPECT_EQ(insync.regions[0].region, "eu");
    EXPECT_EQ(insync.regions[0].status, "INSYNC");
}

TEST_F(SyncStatusTest, ALaterSerialCountsWithWrapAround) {
    testing::FakeEdge fake;
    fake.setSerial(3);  // 0xFFFFFFF0 + 19, wrapped (RFC 1982)
    edge("edge-1", "eu", fake.address());
    const std::string id = change(0xFFFFFFF0U);
    SyncPoller poller(*db_, settings_);
    EXPECT_EQ(poller.pollOnce(), 1U);
    EXPECT_EQ(status(id).status, "INSYNC");
}

TEST_F(SyncStatusTest, AnUnreachableEdgeKeepsTheChangePending) {
    testing::FakeEdge fake;
    fake.setSerial(7);
    edge("edge-1", "eu", fake.address());
    edge("edge-2", "us", deadAddress());
    const std::string id = change(7);
    SyncPoller poller(*db_, settings_);
    EXPECT_EQ(poller.pollOnce(), 0U);
    auto pending = status(id);
    EXPECT_EQ(pending.status, "PENDING");
    ASSERT_EQ(pending.edges.size(), 2U);
    EXPECT_EQ(pending.edges[0].name, "edge-1");
    EXPECT_EQ(pending.edges[0].status, "INSYNC");
    EXPECT_EQ(pending.edges[1].name, "edge-2");
    EXPECT_EQ(pending.edges[1].status, "UNREACHABLE");
    ASSERT_EQ(pending.regions.size(), 2U);
    EXPECT_EQ(pending.regions[0].status, "INSYNC");   // eu
    EXPECT_EQ(pending.regions[1].status, "PENDING");  // us
}

TEST_F(SyncStatusTest, RemovingTheDeadEdgeLetsTheChangeComplete) {
    testing::FakeEdge fake;
    fake.setSerial(7);
    edge("edge-1", "eu", fake.address());
    const Edge dead = edge("edge-2", "us", deadAddress());
    const std::string id = change(7);
    SyncPoller poller(*db_, settings_);
    EXPECT_EQ(poller.pollOnce(), 0U);
    ASSERT_TRUE(removeEdge(*db_, staff(), dead.id));
    EXPECT_EQ(poller.pollOnce(), 1U);
    EXPECT_EQ(status(id).status, "INSYNC");
}

TEST_F(SyncStatusTest, AnEdgeThatDoesNotServeTheZoneYetIsPending) {
    testing::FakeEdge fake;
    fake.setServed(false);
    edge("edge-1", "eu", fake.address());
    const std::string id = change(6);
    SyncPoller poller(*db_, settings_);
    EXPECT_EQ(poller.pollOnce(), 0U);
    auto pending = status(id);
    EXPECT_EQ(pending.edges[0].status, "PENDING");
    EXPECT_FALSE(pending.edges[0].serial);
}

TEST_F(SyncStatusTest, ADeletedZoneIsInSyncWhenTheEdgesStopServingIt) {
    testing::FakeEdge fake;
    fake.setSerial(5);
    edge("edge-1", "eu", fake.address());
    db_->run(storage::Mode::Write, [&](storage::Transaction& tx) {
        tx.execute("UPDATE zones SET deleted_at = 2 WHERE id = $1", {zone_});
    });
    const std::string id = change(99);
    SyncPoller poller(*db_, settings_);
    EXPECT_EQ(poller.pollOnce(), 0U);  // still served there
    fake.setServed(false);
    EXPECT_EQ(poller.pollOnce(), 1U);
    EXPECT_EQ(status(id).status, "INSYNC");
}

TEST_F(SyncStatusTest, WithoutEdgesAChangeIsInSyncAtOnce) {
    const std::string id = change(6);
    SyncPoller poller(*db_, settings_);
    EXPECT_EQ(poller.pollOnce(), 1U);
    EXPECT_EQ(status(id).status, "INSYNC");
}

TEST_F(SyncStatusTest, AnotherContractsChangeIsNotFound) {
    const std::string id = change(6);
    RequestContext other = viewer();
    other.actor.contractId = contract_ + 100;
    auto found = changeStatus(*db_, other, contract_, id);
    ASSERT_FALSE(found);
    EXPECT_EQ(found.error().code, ErrorCode::NotFound);
    auto unknown = changeStatus(*db_, viewer(), contract_, "C999999");
    ASSERT_FALSE(unknown);
    EXPECT_EQ(unknown.error().code, ErrorCode::NotFound);
    auto garbage = changeStatus(*db_, viewer(), contract_, "X1");
    ASSERT_FALSE(garbage);
    EXPECT_EQ(garbage.error().code, ErrorCode::NotFound);
}

TEST_F(SyncStatusTest, AZoneLimitedTokenReadsOnlyItsZonesChanges) {
    const Id otherZone = createZone("example.org.", 5, "www A 192.0.2.1\n");
    const std::string mine = change(6);
    const std::string others = db_->run(storage::Mode::Write, [&](storage::Transaction& tx) {
        return recordChange(tx, viewer(), contract_, otherZone, "example.org.", 6);
    });
    RequestContext token = viewer();
    token.actor.tokenId = 7;
    token.actor.tokenCanWrite = false;
    token.actor.tokenZones = {"Example.COM"};
    auto found = changeStatus(*db_, token, contract_, mine);
    ASSERT_TRUE(found) << found.error().detail;
    EXPECT_EQ(found->zone, "example.com.");
    auto refused = changeStatus(*db_, token, contract_, others);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, ErrorCode::Forbidden);
    EXPECT_EQ(refused.error().detail.find("example.org"), std::string::npos);
    // Without a zone list the token reads every change of its contract.
    token.actor.tokenZones.clear();
    EXPECT_TRUE(changeStatus(*db_, token, contract_, others));
}

TEST_F(SyncStatusTest, EdgesAreCheckedAndStaffOnly) {
    auto bad = addEdge(*db_, staff(), "", "eu", "localhost");
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().code, ErrorCode::Invalid);
    EXPECT_EQ(bad.error().fields.size(), 2U);
    edge("edge-1", "eu", "127.0.0.1:5301");
    auto taken = addEdge(*db_, staff(), "edge-1", "us", "127.0.0.1:5302");
    ASSERT_FALSE(taken);
    EXPECT_EQ(taken.error().code, ErrorCode::Conflict);
    auto denied = addEdge(*db_, viewer(), "edge-2", "us", "127.0.0.1:5302");
    ASSERT_FALSE(denied);
    auto listed = listEdges(*db_, staff());
    ASSERT_TRUE(listed);
    ASSERT_EQ(listed->size(), 1U);
    EXPECT_EQ((*listed)[0].address, "127.0.0.1:5301");
}

}  // namespace
}  // namespace dnsfleet::controld::primary
