// The zone routes dispatched through the router against a real SQLite database: status codes,
// ETag and If-Match (428 without, 412 stale), 409 with the conflicting RRsets, problem
// documents that name the field, 404 for another contract's zone, and the pagination shape.
#include <gtest/gtest.h>

#include <memory>
#include <set>
#include <string>

#include "controld/api/api.hpp"
#include "controld/testing/fixtures.hpp"
#include "routes_fixture.hpp"

namespace dnsfleet::controld::api {
namespace {

using controld::testing::header;
using nlohmann::json;

const std::string kOwn = "/api/v1/contracts/DF-ZROUTE01/zones";
const std::string kOther = "/api/v1/contracts/DF-ZROUTE02/zones";

class ZoneRoutesTest : public testing::RoutesTest {
  protected:
    void SetUp() override { addRoutes(addZoneRoutes, "DF-ZROUTE01", "DF-ZROUTE02"); }

    [[nodiscard]] RequestContext user(Role role = Role::Admin, Id id = 10,
                                      const std::string& login = "alice") const {
        return controld::testing::userContext(own_, role, controld::testing::kT0, id, login);
    }
    [[nodiscard]] RequestContext stranger() const {
        return controld::testing::userContext(other_, Role::Owner, controld::testing::kT0, 20,
                                              "mallory");
    }

    http::Response call(const std::string& method, const std::string& target,
                        const RequestContext& context, const std::string& body = "",
                        const std::optional<std::string>& ifMatch = std::nullopt) {
        http::Request request = controld::testing::request(method, target, context, body);
        if (ifMatch) request.headers.emplace("if-match", *ifMatch);
        return send(std::move(request));
    }

    /// Creates `name` in the own contract (201 expected).
    void createZone(const std::string& name, const std::string& extra = "") {
        const auto created =
            call("POST", kOwn, user(), R"({"name": ")" + name + "\"" + extra + "}");
        ASSERT_EQ(created.status, 201) << created.body;
    }

    /// Stages "<owner> A <address>" in the caller's draft of example.com.
    void stageA(const RequestContext& context, const std::string& owner,
                const std::string& address) {
        const auto staged = call("PUT", kOwn + "/example.com/draft/rrsets/" + owner + "/A", context,
                                 R"({"ttl": 300, "records": [{"data": ")" + address + R"("}]})");
        ASSERT_EQ(staged.status, 200) << staged.body;
    }

    /// The field names of a problem document's errors.
    static std::set<std::string> fields(const http::Response& response) {
        std::set<std::string> out;
        const json body = json::parse(response.body);
        for (const auto& error : body.value("errors", json::array())) {
            out.insert(error.at("field").get<std::string>());
        }
        return out;
    }

    static void expectProblem(const http::Response& response, int status) {
        EXPECT_EQ(response.status, status) << response.body;
        EXPECT_EQ(response.contentType, "application/problem+json");
        const json body = json::parse(response.body);
        EXPECT_EQ(body.at("status"), status);
        EXPECT_TRUE(body.at("type").is_string());
        EXPECT_TRUE(body.at("title").is_string());
    }
};

TEST_F(ZoneRoutesTest, CreateAnswers201WithETagAndLocationThenGetAnswersTheSameVersion) {
    const auto created = call("POST", kOwn, user(),
                              R"({"name": "Example.COM", "comment": "web", "default_ttl": 600,
                                  "labels": {"env": "prod"}})");
    ASSERT_EQ(created.status, 201) << created.body;
    const json zone = json::parse(created.body);
    EXPECT_EQ(zone["name"], "example.com.");
    EXPECT_EQ(zone["contract"], "DF-ZROUTE01");
    EXPECT_EQ(zone["version"], 1);
    EXPECT_EQ(zone["default_ttl"], 600);
    EXPECT_EQ(zone["labels"]["env"], "prod");
    EXPECT_EQ(zone["change"]["status"], "PENDING");
    EXPECT_EQ(header(created, "ETag"), "\"1\"");
    EXPECT_EQ(header(created, "Location"), kOwn + "/example.com.");

    const auto got = call("GET", kOwn + "/example.com", user(Role::Viewer));
    ASSERT_EQ(got.status, 200) << got.body;
    EXPECT_EQ(header(got, "ETag"), "\"1\"");
    EXPECT_EQ(json::parse(got.body)["comment"], "web");

    // The live RRsets carry the same version.
    const auto live = call("GET", kOwn + "/example.com/rrsets", user(Role::Viewer));
    ASSERT_EQ(live.status, 200);
    EXPECT_EQ(header(live, "ETag"), "\"1\"");
    const json rrsets = json::parse(live.body);
    EXPECT_EQ(rrsets["version"], 1);
    EXPECT_TRUE(rrsets["items"].is_array());

    expectProblem(call("POST", kOwn, user(), R"({"name": "example.com"})"), 409);
}

TEST_F(ZoneRoutesTest, ListsArePaginatedWithTotalAndFilters) {
    for (const char* name : {"a.example", "b.example", "c.example", "d.test"}) {
        createZone(name, std::string(name) == "d.test" ? R"(, "labels": {"env": "lab"})" : "");
    }
    const auto page = call("GET", kOwn + "?per_page=2&page=2", user(Role::Viewer));
    ASSERT_EQ(page.status, 200) << page.body;
    const json body = json::parse(page.body);
    EXPECT_EQ(body["total"], 4);
    EXPECT_EQ(body["page"], 2);
    EXPECT_EQ(body["per_page"], 2);
    ASSERT_EQ(body["items"].size(), 2U);

    const json byName = json::parse(call("GET", kOwn + "?name=example", user()).body);
    EXPECT_EQ(byName["total"], 3);
    const json byLabel = json::parse(call("GET", kOwn + "?label=env:lab", user()).body);
    ASSERT_EQ(byLabel["total"], 1);
    EXPECT_EQ(byLabel["items"][0]["name"], "d.test.");

    const auto badPage = call("GET", kOwn + "?per_page=0", user());
    expectProblem(badPage, 400);
    EXPECT_EQ(fields(badPage).count("per_page"), 1U) << badPage.body;
    const auto badLabel = call("GET", kOwn + "?label=nocolon", user());
    expectProblem(badLabel, 400);
    EXPECT_EQ(fields(badLabel), std::set<std::string>{"label"});

    // Another contract's list is not visible, and the own list holds none of its zones.
    EXPECT_EQ(call("GET", kOther, user()).status, 404);
    EXPECT_EQ(json::parse(call("GET", kOther, stranger()).body)["total"], 0);
}

TEST_F(ZoneRoutesTest, ApplyNeedsIfMatch428WithoutAnd412WhenStale) {
    createZone("example.com");
    stageA(user(), "www", "192.0.2.1");
    const std::string apply = kOwn + "/example.com/draft/apply";
    const std::string description = R"({"description": "www"})";

    expectProblem(call("POST", apply, user(), description), 428);
    expectProblem(call("POST", apply, user(), description, "\"7\""), 412);
    expectProblem(call("POST", apply, user(), description, "\"garbage\""), 412);

    const auto applied = call("POST", apply, user(), description, "\"1\"");
    ASSERT_EQ(applied.status, 200) << applied.body;
    const json result = json::parse(applied.body);
    EXPECT_EQ(result["version"], 2);
    EXPECT_EQ(result["change"]["status"], "PENDING");
    EXPECT_FALSE(result["change"]["id"].get<std::string>().empty());
    EXPECT_EQ(header(applied, "ETag"), "\"2\"");
    EXPECT_EQ(header(call("GET", kOwn + "/example.com", user()), "ETag"), "\"2\"");

    // The draft is gone with the apply; the version history has both versions.
    const json draft = json::parse(call("GET", kOwn + "/example.com/draft", user()).body);
    EXPECT_FALSE(draft["exists"].get<bool>());
    const auto versions = call("GET", kOwn + "/example.com/versions?per_page=1", user());
    ASSERT_EQ(versions.status, 200);
    const json history = json::parse(versions.body);
    EXPECT_EQ(history["total"], 2);
    EXPECT_EQ(history["per_page"], 1);
    ASSERT_EQ(history["items"].size(), 1U);
    EXPECT_EQ(history["items"][0]["version"], 2);
    EXPECT_EQ(history["items"][0]["description"], "www");

    // Restoring version 1 wants the live version too.
    const std::string restore = kOwn + "/example.com/versions/1/restore";
    expectProblem(call("POST", restore, user()), 428);
    expectProblem(call("POST", restore, user(), "", "\"1\""), 412);
    const auto restored = call("POST", restore, user(), "", "\"2\"");
    ASSERT_EQ(restored.status, 200) << restored.body;
    EXPECT_EQ(json::parse(restored.body)["version"], 3);
    EXPECT_EQ(call("GET", kOwn + "/example.com/versions/99", user()).status, 404);
    EXPECT_EQ(call("GET", kOwn + "/example.com/versions/x", user()).status, 404);
}

TEST_F(ZoneRoutesTest, AStaleDraftIsRefusedWith409ListingTheConflictingRrsets) {
    createZone("example.com");
    const RequestContext alice = user(Role::Operator, 10, "alice");
    const RequestContext bob = user(Role::Operator, 11, "bob");
    const RequestContext carol = user(Role::Operator, 12, "carol");
    stageA(alice, "www", "192.0.2.1");
    stageA(alice, "mail", "192.0.2.25");
    stageA(carol, "ftp", "192.0.2.21");
    stageA(bob, "www", "192.0.2.2");
    const std::string apply = kOwn + "/example.com/draft/apply";
    ASSERT_EQ(call("POST", apply, bob, R"({"description": "bob"})", "\"1\"").status, 200);

    const auto refused = call("POST", apply, alice, R"({"description": "alice"})", "\"2\"");
    expectProblem(refused, 409);
    const json problem = json::parse(refused.body);
    EXPECT_EQ(problem["conflicts"], json::array({"www.example.com. A"})) << refused.body;

    // Carol's draft touches other RRsets: it applies on top of bob's version.
    const auto diff = call("GET", kOwn + "/example.com/draft/diff", carol);
    ASSERT_EQ(diff.status, 200);
    EXPECT_EQ(json::parse(diff.body)["changes"].size(), 1U);
    const auto applied = call("POST", apply, carol, R"({"description": "carol"})", "\"2\"");
    ASSERT_EQ(applied.status, 200) << applied.body;
    EXPECT_EQ(json::parse(applied.body)["version"], 3);
}

TEST_F(ZoneRoutesTest, BadBodiesGetProblemDocumentsNamingTheField) {
    createZone("example.com");
    const std::string rrset = kOwn + "/example.com/draft/rrsets/www/A";

    const auto unknown = call("PUT", rrset, user(), R"({"records": [], "bogus": 1})");
    expectProblem(unknown, 400);
    EXPECT_EQ(fields(unknown), std::set<std::string>{"/bogus"});

    const auto types =
        call("PUT", rrset, user(), R"({"ttl": "300", "records": [{"data": 5, "x": "y"}]})");
    expectProblem(types, 400);
    EXPECT_EQ(fields(types), (std::set<std::string>{"/ttl", "/records/0/data", "/records/0/x"}));

    const auto rdata = call("PUT", rrset, user(), R"({"records": [{"data": "not-an-address"}]})");
    expectProblem(rdata, 400);
    EXPECT_FALSE(fields(rdata).empty()) << rdata.body;

    const auto name = call("POST", kOwn, user(), R"({"name": 5})");
    expectProblem(name, 400);
    EXPECT_EQ(fields(name), std::set<std::string>{"/name"});

    const auto patch =
        call("PATCH", kOwn + "/example.com", user(), R"({"default_ttl": -1, "labels": {"a": 1}})");
    expectProblem(patch, 400);
    EXPECT_EQ(fields(patch), (std::set<std::string>{"/default_ttl", "/labels/a"}));

    const auto description =
        call("POST", kOwn + "/example.com/draft/apply", user(), R"({"description": 1})", "\"1\"");
    expectProblem(description, 400);
    EXPECT_EQ(fields(description), std::set<std::string>{"/description"});

    const auto syntax = call("POST", kOwn, user(), R"({"name": )");
    expectProblem(syntax, 400);
    EXPECT_EQ(fields(syntax), std::set<std::string>{""});
    const auto array = call("POST", kOwn, user(), "[1]");
    expectProblem(array, 400);
    EXPECT_EQ(fields(array), std::set<std::string>{""});

    expectProblem(send(controld::testing::request("POST", kOwn, user(), "name=x", "text/plain")),
                  415);

    // Nothing of that was staged or created.
    const json draft = json::parse(call("GET", kOwn + "/example.com/draft", user()).body);
    EXPECT_FALSE(draft["exists"].get<bool>());
    EXPECT_EQ(json::parse(call("GET", kOwn, user()).body)["total"], 1);
}

TEST_F(ZoneRoutesTest, AnotherContractsZoneIsNotFoundWhateverTheRoute) {
    const auto theirs = call("POST", kOther, stranger(), R"({"name": "other.org"})");
    ASSERT_EQ(theirs.status, 201) << theirs.body;

    for (const auto& [method, suffix] :
         std::vector<std::pair<std::string, std::string>>{{"GET", ""},
                                                          {"DELETE", ""},
                                                          {"GET", "/rrsets"},
                                                          {"GET", "/draft"},
                                                          {"DELETE", "/draft"},
                                                          {"GET", "/versions"},
                                                          {"GET", "/export"}}) {
        // Through the own contract's path and through theirs: the same 404.
        const std::string zone = "/other.org" + suffix;
        expectProblem(call(method, kOwn + zone, user(Role::Owner)), 404);
        expectProblem(call(method, kOther + zone, user(Role::Owner)), 404);
    }
    expectProblem(call("PUT", kOther + "/other.org/draft/rrsets/www/A", user(Role::Owner),
                       R"({"records": [{"data": "192.0.2.1"}]})"),
                  404);
    // The name is taken, but the answer does not say by whom.
    const auto taken = call("POST", kOwn, user(), R"({"name": "other.org"})");
    expectProblem(taken, 409);
    EXPECT_EQ(taken.body.find("DF-ZROUTE02"), std::string::npos);
    EXPECT_EQ(taken.body.find("mallory"), std::string::npos);
    // Still theirs, untouched.
    EXPECT_EQ(call("GET", kOther + "/other.org", stranger()).status, 200);
}

TEST_F(ZoneRoutesTest, ViewersReadButDoNotEditAndImportWantsAZoneFile) {
    createZone("example.com");
    EXPECT_EQ(call("GET", kOwn + "/example.com/draft", user(Role::Viewer)).status, 200);
    expectProblem(call("PUT", kOwn + "/example.com/draft/rrsets/www/A", user(Role::Viewer),
                       R"({"records": [{"data": "192.0.2.1"}]})"),
                  403);
    expectProblem(call("DELETE", kOwn + "/example.com", user(Role::Operator)), 403);

    const std::string import = kOwn + "/example.com/import";
    expectProblem(send(controld::testing::request("POST", import, user(), "{}")), 415);
    const auto bad = send(controld::testing::request(
        "POST", import, user(), "www 300 IN A 192.0.2.1\nbad 300 IN A not-an-address\n",
        "text/dns"));
    expectProblem(bad, 400);
    const auto good = send(
        controld::testing::request("POST", import, user(), "www 300 IN A 192.0.2.1\n", "text/dns"));
    ASSERT_EQ(good.status, 200) << good.body;
    EXPECT_EQ(json::parse(good.body)["staged"], 1);

    const auto exported = call("GET", kOwn + "/example.com/export", user(Role::Viewer));
    ASSERT_EQ(exported.status, 200);
    EXPECT_EQ(exported.contentType, "text/dns");
    EXPECT_NE(exported.body.find("SOA"), std::string::npos);
}

}  // namespace
}  // namespace dnsfleet::controld::api
