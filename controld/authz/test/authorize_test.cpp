// authorize(), grants and resolveContract against a real (SQLite) database: denials are logged
// in the right chain with the right details, and the answers hide other tenants.
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>

#include "controld/audit/event_log.hpp"
#include "controld/authz/authz.hpp"
#include "controld/authz/contract_scope.hpp"
#include "controld/testing/fixtures.hpp"
#include "storage/database.hpp"

namespace dnsfleet::controld::authz {
namespace {

constexpr Timestamp kNow = 1'780'000'000'000'000;
constexpr Timestamp kMinute = 60'000'000;

class AuthorizeTest : public ::testing::Test {
  protected:
    void SetUp() override {
        own_ = controld::testing::insertContract(*db_, "DF-OWN00001");
        other_ = controld::testing::insertContract(*db_, "DF-OTHER001");
    }
    RequestContext user(Role role) const {
        RequestContext context = controld::testing::userContext(own_, role, kNow, 3);
        context.sourceAddress = "192.0.2.1";
        return context;
    }

    static RequestContext staff() { return controld::testing::staffContext(kNow); }

    audit::Page log(Id contractId) {
        return db_->run(storage::Mode::Read, [&](storage::Transaction& tx) {
            return audit::list(tx, contractId, audit::Filter{});
        });
    }

    controld::testing::TestDatabase database_{"dnsfleet-authz"};
    storage::Database* db_ = &database_.db();
    Id own_ = 0;
    Id other_ = 0;
};

TEST_F(AuthorizeTest, AllowedRequestWritesNothing) {
    EXPECT_TRUE(authorize(*db_, user(Role::Operator), Permission::ZoneEdit, own_, "example.com"));
    EXPECT_EQ(log(own_).total, 0);
    EXPECT_EQ(log(0).total, 0);
}

TEST_F(AuthorizeTest, RoleDenialIsForbiddenAndLoggedInTheUsersContract) {
    const Outcome<void> result =
        authorize(*db_, user(Role::Viewer), Permission::ZoneEdit, own_, "example.com");
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, ErrorCode::Forbidden);
    const audit::Page page = log(own_);
    ASSERT_EQ(page.total, 1);
    const audit::Entry& e = page.entries[0];
    EXPECT_EQ(e.action, "access.denied");
    EXPECT_EQ(e.result, "denied");
    EXPECT_EQ(e.actor, "user:alice");
    EXPECT_EQ(e.sourceAddress, "192.0.2.1");
    EXPECT_EQ(e.target, "zone:example.com");
    EXPECT_EQ(e.details["permission"], "ZoneEdit");
    EXPECT_EQ(e.details["contract_id"], own_);
    EXPECT_EQ(e.details["reason"], "role");
    EXPECT_EQ(e.details["role"], "viewer");
    EXPECT_EQ(log(0).total, 0);
}

TEST_F(AuthorizeTest, AnotherTenantsContractIsNotFoundAndLoggedInTheCallersOwnLog) {
    const Outcome<void> result = authorize(*db_, user(Role::Owner), Permission::ZoneRead, other_);
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, ErrorCode::NotFound);
    EXPECT_EQ(log(other_).total, 0);  // the other tenant's log learns nothing of it
    const audit::Page page = log(own_);
    ASSERT_EQ(page.total, 1);
    EXPECT_EQ(page.entries[0].details["reason"], "tenant");
    EXPECT_EQ(page.entries[0].details["contract_id"], other_);
    // Named as the API names it: the prober typed this service code itself.
    EXPECT_EQ(page.entries[0].target, "contract:DF-OTHER001");
}

TEST_F(AuthorizeTest, StaffDenialGoesToThePlatformLog) {
    const Outcome<void> result = authorize(*db_, staff(), Permission::UsersManage, own_);
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, ErrorCode::Forbidden);
    EXPECT_EQ(log(own_).total, 0);
    const audit::Page page = log(0);
    ASSERT_EQ(page.total, 1);
    EXPECT_EQ(page.entries[0].actor, "staff:ops");
    EXPECT_EQ(page.entries[0].target, "contract:DF-OWN00001");
    EXPECT_EQ(page.entries[0].details["reason"], "role");
}

TEST_F(AuthorizeTest, UsersNeverGetPlatformPermissions) {
    const Outcome<void> result = authorize(*db_, user(Role::Owner), Permission::PlatformEdges, 0);
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, ErrorCode::Forbidden);
    EXPECT_EQ(log(own_).entries.at(0).target, "platform");
}

TEST_F(AuthorizeTest, StaffReadZonesOnlyWithALiveGrant) {
    const RequestContext ops = staff();
    const Outcome<void> before = authorize(*db_, ops, Permission::ZoneRead, own_);
    ASSERT_FALSE(before);
    EXPECT_EQ(before.error().code, ErrorCode::Forbidden);
    EXPECT_EQ(log(0).entries.at(0).details["reason"], "no_grant");

    const Id grant = db_->run(storage::Mode::Write, [&](storage::Transaction& tx) {
        return grantStaffAccess(tx, ops, own_, kNow + 30 * kMinute, "ticket 4711");
    });
    EXPECT_GT(grant, 0);
    EXPECT_TRUE(authorize(*db_, ops, Permission::ZoneRead, own_));
    EXPECT_TRUE(authorize(*db_, ops, Permission::ChangesRead, own_));
    EXPECT_FALSE(authorize(*db_, ops, Permission::ZoneEdit, own_));    // a grant is read-only
    EXPECT_FALSE(authorize(*db_, ops, Permission::ZoneRead, other_));  // and for one contract

    // Both logs record the grant.
    const audit::Entry inContract = log(own_).entries.at(0);
    EXPECT_EQ(inContract.action, "grant.create");
    EXPECT_EQ(inContract.details["reason"], "ticket 4711");
    EXPECT_EQ(inContract.details["grant_id"], grant);
    bool inPlatform = false;
    for (const audit::Entry& e : log(0).entries)
        inPlatform = inPlatform || e.action == "grant.create";
    EXPECT_TRUE(inPlatform);

    // Expired: denied again.
    RequestContext later = ops;
    later.now = kNow + 31 * kMinute;
    EXPECT_FALSE(authorize(*db_, later, Permission::ZoneRead, own_));

    const std::vector<Grant> grants = db_->run(
        storage::Mode::Read, [&](storage::Transaction& tx) { return listGrants(tx, own_); });
    ASSERT_EQ(grants.size(), 1U);
    EXPECT_EQ(grants[0].staffId, 1);
    EXPECT_EQ(grants[0].expiresAt, kNow + 30 * kMinute);
    const audit::Verification chain = db_->run(storage::Mode::Read, [&](storage::Transaction& tx) {
        return audit::verifyChain(tx, own_);
    });
    EXPECT_TRUE(chain.intact);
}

TEST_F(AuthorizeTest, ReadScopeTokenCannotChangeAnything) {
    RequestContext context = user(Role::Owner);
    context.actor.tokenId = 9;
    context.actor.tokenCanWrite = false;
    EXPECT_TRUE(authorize(*db_, context, Permission::ZoneRead, own_, "example.com"));
    const Outcome<void> result =
        authorize(*db_, context, Permission::ZoneEdit, own_, "example.com");
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, ErrorCode::Forbidden);
    const audit::Entry e = log(own_).entries.at(0);
    EXPECT_EQ(e.actor, "token:9:alice");
    EXPECT_EQ(e.details["reason"], "token_scope");
}

TEST_F(AuthorizeTest, AnonymousIsUnauthenticatedAndLoggedOnThePlatform) {
    RequestContext context;
    context.now = kNow;
    const Outcome<void> result = authorize(*db_, context, Permission::ZoneRead, own_);
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, ErrorCode::Unauthenticated);
    EXPECT_EQ(log(0).entries.at(0).actor, "anonymous");
}

TEST_F(AuthorizeTest, ResolveContractFindsOwnAndHidesOthers) {
    const Outcome<Id> own =
        resolveContract(*db_, user(Role::Viewer), "DF-OWN00001", Permission::ZoneRead);
    ASSERT_TRUE(own);
    EXPECT_EQ(*own, own_);

    const Outcome<Id> unknown =
        resolveContract(*db_, user(Role::Viewer), "DF-NOPE0000", Permission::ZoneRead);
    ASSERT_FALSE(unknown);
    EXPECT_EQ(unknown.error().code, ErrorCode::NotFound);
    EXPECT_EQ(log(own_).total, 0);  // nothing to deny: nothing is there

    const Outcome<Id> foreign =
        resolveContract(*db_, user(Role::Owner), "DF-OTHER001", Permission::ZoneRead);
    ASSERT_FALSE(foreign);
    EXPECT_EQ(foreign.error().code, ErrorCode::NotFound);
    EXPECT_EQ(foreign.error().detail, unknown.error().detail);  // indistinguishable
    EXPECT_EQ(log(own_).total, 1);

    const Outcome<Id> weak =
        resolveContract(*db_, user(Role::Viewer), "DF-OWN00001", Permission::EventsRead);
    ASSERT_FALSE(weak);
    EXPECT_EQ(weak.error().code, ErrorCode::Forbidden);

    const Outcome<Id> staffRead =
        resolveContract(*db_, staff(), "DF-OTHER001", Permission::ContractRead);
    ASSERT_TRUE(staffRead);
    EXPECT_EQ(*staffRead, other_);

    const std::optional<std::string> code = db_->run(
        storage::Mode::Read, [&](storage::Transaction& tx) { return serviceCode(tx, other_); });
    EXPECT_EQ(code, "DF-OTHER001");
}

}  // namespace
}  // namespace dnsfleet::controld::authz
