// The event log routes, dispatched through the router against a real SQLite database.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <set>
#include <sstream>
#include <string>

#include "controld/api/api.hpp"
#include "controld/audit/event_log.hpp"
#include "controld/authz/authz.hpp"
#include "controld/testing/fixtures.hpp"
#include "routes_fixture.hpp"

namespace dnsfleet::controld::api {
namespace {

constexpr Timestamp kT0 = 1'780'000'000'000'000;  // 2026-05-28T20:26:40Z
constexpr Timestamp kHour = 3'600'000'000;

class EventRoutesTest : public testing::RoutesTest {
  protected:
    void SetUp() override {
        addRoutes(addEventRoutes, "DF-EVENTS01", "DF-EVENTS02");
        // Ten hours of history: zone applies, logins (one failed), a denial.
        for (int i = 0; i < 10; ++i) {
            audit::Event event;
            event.contractId = own_;
            event.action = i % 3 == 0 ? "auth.login" : "zone.apply";
            event.result = i == 3 ? "failed" : "ok";
            event.target = "zone:example.com.";
            event.details = {{"n", i}};
            audit::appendAlone(*db_, context(Role::Admin, kT0 + i * kHour), event);
        }
        audit::Event foreign;
        foreign.contractId = other_;
        foreign.action = "zone.create";
        foreign.result = "ok";
        audit::appendAlone(*db_, context(Role::Admin, kT0), foreign);
        audit::Event platform;
        platform.contractId = 0;
        platform.action = "edge.create";
        platform.result = "ok";
        audit::appendAlone(*db_, staffContext(), platform);
    }
    RequestContext context(Role role, Timestamp now = kT0 + 20 * kHour) const {
        return controld::testing::userContext(own_, role, now, 2);
    }
    static RequestContext staffContext() { return controld::testing::staffContext(kT0); }

    http::Response get(const std::string& target, const RequestContext& ctx) {
        return call("GET", target, ctx);
    }
};

TEST_F(EventRoutesTest, AdminListsOwnLogNewestFirstWithTotal) {
    const http::Response response =
        get("/api/v1/contracts/DF-EVENTS01/events?per_page=4&page=2", context(Role::Admin));
    ASSERT_EQ(response.status, 200) << response.body;
    const nlohmann::json body = nlohmann::json::parse(response.body);
    EXPECT_EQ(body["total"], 10);
    EXPECT_EQ(body["page"], 2);
    ASSERT_EQ(body["items"].size(), 4U);
    // Newest first: page 2 holds the 5th to 8th newest, n = 5..2.
    EXPECT_EQ(body["items"][0]["details"]["n"], 5);
    EXPECT_EQ(body["items"][3]["details"]["n"], 2);
    const nlohmann::json& first = body["items"][0];
    EXPECT_EQ(first["time"], formatTimestamp(kT0 + 5 * kHour));
    for (const char* key :
         {"id", "actor", "source_address", "request_id", "action", "target", "result", "hash"}) {
        EXPECT_TRUE(first.contains(key)) << key;
    }
}

TEST_F(EventRoutesTest, FiltersByTimeActionAndResult) {
    const std::string base = "/api/v1/contracts/DF-EVENTS01/events?";
    auto total = [&](const std::string& query) {
        const http::Response r = get(base + query, context(Role::Owner));
        EXPECT_EQ(r.status, 200) << query << " " << r.body;
        return nlohmann::json::parse(r.body)["total"].get<int>();
    };
    EXPECT_EQ(total("action=auth"), 4);  // n = 0, 3, 6, 9
    EXPECT_EQ(total("action=auth.login&result=failed"), 1);
    EXPECT_EQ(total("action=zone.apply"), 6);
    EXPECT_EQ(total("action=zone.ap"), 0);  // prefixes end at a dot
    EXPECT_EQ(total("from=" + formatTimestamp(kT0 + 2 * kHour) +
                    "&to=" + formatTimestamp(kT0 + 4 * kHour)),
              3);
    // A numeric offset is converted to UTC: 22:26:40+02:00 is 20:26:40Z, the time of n = 0.
    EXPECT_EQ(total("to=2026-05-28T22:26:40+02:00"), 1);
}

TEST_F(EventRoutesTest, MalformedFiltersAreFieldErrors) {
    const http::Response response = get(
        "/api/v1/contracts/DF-EVENTS01/events?from=yesterday&result=maybe&action=ZONE%25&page=0",
        context(Role::Admin));
    ASSERT_EQ(response.status, 400) << response.body;
    const nlohmann::json body = nlohmann::json::parse(response.body);
    std::set<std::string> fields;
    for (const auto& error : body["errors"])
        fields.insert(error["field"].get<std::string>());
    EXPECT_TRUE(fields.count("from") == 1 && fields.count("result") == 1 &&
                fields.count("action") == 1)
        << response.body;

    const http::Response reversed = get(
        "/api/v1/contracts/DF-EVENTS01/events?from=2026-05-02T00:00:00Z&to=2026-05-01T00:00:00Z",
        context(Role::Admin));
    EXPECT_EQ(reversed.status, 400);
}

TEST_F(EventRoutesTest, RolesBelowAdminAreForbiddenAndOtherTenantsSeeNothing) {
    EXPECT_EQ(get("/api/v1/contracts/DF-EVENTS01/events", context(Role::Operator)).status, 403);
    EXPECT_EQ(get("/api/v1/contracts/DF-EVENTS01/events/export", context(Role::Viewer)).status,
              403);
    EXPECT_EQ(get("/api/v1/contracts/DF-EVENTS02/events", context(Role::Owner)).status, 404);
    EXPECT_EQ(get("/api/v1/contracts/DF-EVENTS02/events/verify", context(Role::Owner)).status, 404);
    EXPECT_EQ(get("/api/v1/contracts/DF-NOSUCH00/events", context(Role::Owner)).status, 404);
    // Staff read a contract's log only as platform evidence, not through the customer route.
    EXPECT_EQ(get("/api/v1/contracts/DF-EVENTS01/events", staffContext()).status, 403);
    // The denials are in the caller's own log.
    const http::Response own =
        get("/api/v1/contracts/DF-EVENTS01/events?action=access.denied", context(Role::Admin));
    EXPECT_EQ(nlohmann::json::parse(own.body)["total"], 4);
}

TEST_F(EventRoutesTest, ExportIsNdjsonInChainOrderThatReproducesTheHashes) {
    const http::Response response =
        get("/api/v1/contracts/DF-EVENTS01/events/export", context(Role::Admin));
    ASSERT_EQ(response.status, 200) << response.body;
    EXPECT_EQ(response.contentType, "application/x-ndjson");
    std::istringstream lines(response.body);
    std::string line;
    std::string previous(64, '0');
    int count = 0;
    while (std::getline(lines, line)) {
        const nlohmann::json entry = nlohmann::json::parse(line);
        EXPECT_EQ(entry["details"]["n"], count);
        // Recompute the chain from the exported fields alone.
        audit::Entry e;
        e.contractId = entry["contract_id"];
        e.time = *parseTimestamp(entry["time"].get<std::string>());
        e.actor = entry["actor"];
        e.sourceAddress = entry["source_address"];
        e.requestId = entry["request_id"];
        e.action = entry["action"];
        e.target = entry["target"];
        e.result = entry["result"];
        const std::string hash = audit::chainHash(previous, e, entry["details"].dump());
        EXPECT_EQ(hash, entry["hash"]) << line;
        previous = hash;
        ++count;
    }
    EXPECT_EQ(count, 10);

    const http::Response filtered = get(
        "/api/v1/contracts/DF-EVENTS01/events/export?action=auth&from=" + formatTimestamp(kT0 + 1),
        context(Role::Admin));
    ASSERT_EQ(filtered.status, 200);
    EXPECT_EQ(std::count(filtered.body.begin(), filtered.body.end(), '\n'), 3);
}

TEST_F(EventRoutesTest, VerifyReportsTheFirstTamperedEntry) {
    const http::Response intact =
        get("/api/v1/contracts/DF-EVENTS01/events/verify", context(Role::Admin));
    ASSERT_EQ(intact.status, 200);
    nlohmann::json body = nlohmann::json::parse(intact.body);
    EXPECT_EQ(body["intact"], true);
    EXPECT_EQ(body["checked"], 10);
    EXPECT_TRUE(body["first_bad_entry"].is_null());

    const Id victim = db_->run(storage::Mode::Write, [&](storage::Transaction& tx) {
        const Id id = tx.queryOne(
                            "SELECT id FROM events WHERE contract_id = $1 "
                            "ORDER BY id LIMIT 1 OFFSET 4",
                            {own_})
                          ->integer(0);
        tx.execute("UPDATE events SET result = 'ok' WHERE id = $1", {id});
        tx.execute("UPDATE events SET actor = 'user:mallory' WHERE id = $1", {id});
        return id;
    });
    body = nlohmann::json::parse(
        get("/api/v1/contracts/DF-EVENTS01/events/verify", context(Role::Admin)).body);
    EXPECT_EQ(body["intact"], false);
    EXPECT_EQ(body["first_bad_entry"], victim);
    EXPECT_EQ(body["checked"], 5);
}

TEST_F(EventRoutesTest, StaffReadAndVerifyThePlatformChainOnly) {
    const http::Response list = get("/api/v1/events", staffContext());
    ASSERT_EQ(list.status, 200) << list.body;
    const nlohmann::json body = nlohmann::json::parse(list.body);
    EXPECT_EQ(body["total"], 1);
    EXPECT_EQ(body["items"][0]["action"], "edge.create");
    EXPECT_EQ(body["items"][0]["actor"], "staff:ops");
    EXPECT_EQ(nlohmann::json::parse(get("/api/v1/events/verify", staffContext()).body)["intact"],
              true);
    EXPECT_EQ(get("/api/v1/events/export", staffContext()).status, 200);
    EXPECT_EQ(get("/api/v1/events", context(Role::Owner)).status, 403);
    EXPECT_EQ(get("/api/v1/events/verify", context(Role::Owner)).status, 403);
}

TEST_F(EventRoutesTest, EveryRouteNamesARealPermission) {
    int count = 0;
    for (const http::RouteInfo& route : router_.routes()) {
        EXPECT_TRUE(route.authenticated) << route.pattern;
        EXPECT_TRUE(authz::parsePermission(route.permission).has_value()) << route.pattern;
        ++count;
    }
    EXPECT_EQ(count, 6);
}

}  // namespace
}  // namespace dnsfleet::controld::api
