// The fleet routes, dispatched through the router against a real SQLite database: staff
// register, list and remove edges (each on the platform's event log); contract users read a
// change's sync status, and nobody reads another contract's change.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "controld/api/api.hpp"
#include "controld/audit/event_log.hpp"
#include "controld/primary/fleet.hpp"
#include "controld/testing/fixtures.hpp"
#include "routes_fixture.hpp"

namespace dnsfleet::controld::api {
namespace {

class FleetRoutesTest : public testing::RoutesTest {
  protected:
    void SetUp() override { addRoutes(addFleetRoutes, "DF-FLEET001", "DF-FLEET002"); }
    static RequestContext staff() { return controld::testing::staffContext(nowUtc(), 7); }
    RequestContext user(Id contract, Role role = Role::Viewer) const {
        RequestContext c = staff();
        c.actor.kind = Actor::Kind::User;
        c.actor.id = 9;
        c.actor.login = "viewer@example.com";
        c.actor.contractId = contract;
        c.actor.role = role;
        return c;
    }

    /// A change of zone "example.com." in `contract`, as the zones service records it.
    std::string change(Id contract) {
        return db_->run(storage::Mode::Write, [&](storage::Transaction& tx) {
            return primary::recordChange(tx, user(contract), contract, 4242, "example.com.", 17);
        });
    }
};

TEST_F(FleetRoutesTest, StaffRegistersListsAndRemovesEdges) {
    auto created = call("POST", "/api/v1/edges", staff(),
                        R"({"name": "edge-ams", "region": "eu", "address": "127.0.0.1:5301"})");
    ASSERT_EQ(created.status, 201) << created.body;
    const auto edge = nlohmann::json::parse(created.body);
    EXPECT_EQ(edge["name"], "edge-ams");
    EXPECT_EQ(edge["region"], "eu");
    EXPECT_EQ(edge["address"], "127.0.0.1:5301");
    const std::string path = "/api/v1/edges/" + std::to_string(edge["id"].get<Id>());

    auto listed = call("GET", "/api/v1/edges", staff());
    ASSERT_EQ(listed.status, 200);
    EXPECT_EQ(nlohmann::json::parse(listed.body)["total"], 1);
    EXPECT_EQ(call("GET", path, staff()).status, 200);

    EXPECT_EQ(call("POST", "/api/v1/edges", staff(),
                   R"({"name": "edge-ams", "region": "us", "address": "127.0.0.1:5302"})")
                  .status,
              409);
    EXPECT_EQ(call("DELETE", path, staff()).status, 204);
    EXPECT_EQ(call("GET", path, staff()).status, 404);
    EXPECT_EQ(call("DELETE", path, staff()).status, 404);

    const auto events = db_->run(storage::Mode::Read, [](storage::Transaction& tx) {
        return audit::list(tx, 0, audit::Filter{});
    });
    std::vector<std::string> actions;
    for (const auto& entry : events.entries)
        actions.push_back(entry.action + " " + entry.target);
    EXPECT_NE(std::find(actions.begin(), actions.end(), "edge.register edge:edge-ams"),
              actions.end());
    EXPECT_NE(std::find(actions.begin(), actions.end(), "edge.remove edge:edge-ams"),
              actions.end());
}

TEST_F(FleetRoutesTest, BadEdgesAreRefusedWithFieldErrors) {
    auto bad = call("POST", "/api/v1/edges", staff(),
                    R"({"name": "edge 1", "region": "eu", "address": "nowhere"})");
    ASSERT_EQ(bad.status, 400) << bad.body;
    EXPECT_NE(bad.body.find("/address"), std::string::npos);
    EXPECT_NE(bad.body.find("/name"), std::string::npos);
    EXPECT_EQ(call("POST", "/api/v1/edges", staff(),
                   R"({"name": "e", "region": "eu", "address": "127.0.0.1:1", "x": 1})")
                  .status,
              400);
    EXPECT_EQ(
        call("POST", "/api/v1/edges", staff(), R"({"name": 5, "region": "eu", "address": "1"})")
            .status,
        400);
    EXPECT_EQ(call("GET", "/api/v1/edges", staff()).status, 200);
    EXPECT_EQ(nlohmann::json::parse(call("GET", "/api/v1/edges", staff()).body)["total"], 0);
}

TEST_F(FleetRoutesTest, ContractUsersManageNoEdges) {
    for (const Role role : {Role::Viewer, Role::Owner}) {
        EXPECT_EQ(call("GET", "/api/v1/edges", user(own_, role)).status, 403);
        EXPECT_EQ(call("POST", "/api/v1/edges", user(own_, role),
                       R"({"name": "e", "region": "eu", "address": "127.0.0.1:1"})")
                      .status,
                  403);
    }
}

TEST_F(FleetRoutesTest, AChangeShowsItsStatusToItsOwnContractOnly) {
    const std::string id = change(own_);
    auto found = call("GET", "/api/v1/contracts/DF-FLEET001/changes/" + id, user(own_));
    ASSERT_EQ(found.status, 200) << found.body;
    const auto body = nlohmann::json::parse(found.body);
    EXPECT_EQ(body["id"], id);
    EXPECT_EQ(body["zone"], "example.com.");
    EXPECT_EQ(body["serial"], 17);
    EXPECT_EQ(body["status"], "PENDING");
    EXPECT_TRUE(body["edges"].is_array());
    EXPECT_FALSE(body.contains("insync_at"));

    EXPECT_EQ(call("GET", "/api/v1/contracts/DF-FLEET002/changes/" + id, user(other_)).status, 404);
    EXPECT_EQ(call("GET", "/api/v1/contracts/DF-FLEET001/changes/" + id, user(other_)).status, 404);
    EXPECT_EQ(call("GET", "/api/v1/contracts/DF-FLEET001/changes/C99999", user(own_)).status, 404);
    EXPECT_EQ(call("GET", "/api/v1/contracts/DF-NOPE0000/changes/" + id, user(own_)).status, 404);
}

}  // namespace
}  // namespace dnsfleet::controld::api
