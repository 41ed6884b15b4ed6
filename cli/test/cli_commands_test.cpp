// The commands against a fake API: the requests they send, their output and exit codes.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "cli/config.hpp"
#include "cli/exit_codes.hpp"
#include "fake_api.hpp"

namespace dnsfleet::cli {
namespace {

using testing::FakeApi;
using testing::Outcome;
using testing::Recorded;
using testing::Reply;
using testing::TempDir;

const std::string kBase = "/api/v1/contracts/DF-00000001";

class CommandsTest : public ::testing::Test {
  protected:
    void SetUp() override {
        Config config;
        config.endpoint = api.endpoint();
        config.caFile = api.caFile();
        config.token = "file-token";
        config.contract = "DF-00000001";
        ASSERT_TRUE(saveConfig(configFile(), config));
    }

    [[nodiscard]] std::filesystem::path configFile() const {
        return home.path() / ".config" / "dnsfleet" / "config.toml";
    }

    Outcome cli(const std::vector<std::string>& args,
                std::map<std::string, std::string> variables = {},
                const std::string& password = "") {
        return testing::runCli(args, home.path(), std::move(variables), password);
    }

    /// The only request sent to `method path`; fails the test when there is not exactly one.
    Recorded only(const std::string& method, const std::string& path) {
        std::vector<Recorded> found;
        for (const Recorded& r : api.requests()) {
            if (r.method == method && r.path == path) found.push_back(r);
        }
        EXPECT_EQ(found.size(), 1U) << method << " " << path;
        return found.empty() ? Recorded{} : found.front();
    }

    FakeApi api;
    TempDir home;
};

TEST_F(CommandsTest, ZonesListSendsTokenAndQueryAndPrintsAlignedTable) {
    api.on("GET", kBase + "/zones",
           Reply{200,
                 R"({"items":[{"name":"example.com.","version":3,"serial":2024010103,
                     "default_ttl":3600,"updated_at":"2026-01-01T00:00:00Z","comment":""},
                    {"name":"a-much-longer-name.example.","version":12,"serial":7,
                     "default_ttl":300,"updated_at":"2026-01-02T00:00:00Z","comment":"x"}],
                    "total":2,"page":2,"per_page":5})"});
    const Outcome result =
        cli({"zones", "list", "--page", "2", "--per-page", "5", "--name", "ex ample"});
    ASSERT_EQ(result.code, kExitOk) << result.err;

    const Recorded sent = only("GET", kBase + "/zones");
    EXPECT_EQ(sent.header("authorization"), "Bearer file-token");
    EXPECT_EQ(sent.target, kBase + "/zones?page=2&per_page=5&name=ex%20ample");

    std::istringstream lines(result.out);
    std::string heading;
    std::string first;
    std::string second;
    std::getline(lines, heading);
    std::getline(lines, first);
    std::getline(lines, second);
    EXPECT_EQ(heading.rfind("NAME", 0), 0U);
    EXPECT_EQ(first.rfind("example.com.", 0), 0U);
    EXPECT_EQ(second.rfind("a-much-longer-name.example.", 0), 0U);
    // Aligned: the second column starts at the same offset in every line.
    const auto column = heading.find("VERSION");
    ASSERT_NE(column, std::string::npos);
    EXPECT_EQ(first.substr(column, 1), "3");
    EXPECT_EQ(second.substr(column, 2), "12");
    EXPECT_EQ(heading.find('\033'), std::string::npos);  // no colours when not a terminal
    EXPECT_NE(result.out.find("2 of 2, page 2"), std::string::npos);
}

TEST_F(CommandsTest, JsonPrintsTheApiAnswerAsIs) {
    const std::string body = R"({"items":[{"name":"example.com."}],"total":1})";
    api.on("GET", kBase + "/zones", Reply{200, body});
    const Outcome result = cli({"zones", "list", "--json"});
    ASSERT_EQ(result.code, kExitOk) << result.err;
    EXPECT_EQ(nlohmann::json::parse(result.out), nlohmann::json::parse(body));
}

TEST_F(CommandsTest, FlagsOverrideEnvironmentWhichOverridesTheFile) {
    api.on("GET", "/api/v1/contracts/DF-FLAG/zones", Reply{200, R"({"items":[]})"});
    api.on("GET", kBase + "/zones", Reply{200, R"({"items":[]})"});

    ASSERT_EQ(cli({"zones", "list"}, {{"DNSFLEET_TOKEN", "env-token"}}).code, kExitOk);
    ASSERT_EQ(cli({"--token", "flag-token", "--contract", "DF-FLAG", "zones", "list"},
                  {{"DNSFLEET_TOKEN", "env-token"}})
                  .code,
              kExitOk);
    const auto requests = api.requests();
    ASSERT_EQ(requests.size(), 2U);
    EXPECT_EQ(requests[0].header("authorization"), "Bearer env-token");
    EXPECT_EQ(requests[1].header("authorization"), "Bearer flag-token");
    EXPECT_EQ(requests[1].path, "/api/v1/contracts/DF-FLAG/zones");
}

TEST_F(CommandsTest, ConfigFileFromEnvironmentAndFlag) {
    Config other;
    other.endpoint = api.endpoint();
    other.caFile = api.caFile();
    other.token = "other-token";
    other.contract = "DF-00000001";
    const auto otherFile = home.path() / "other.toml";
    ASSERT_TRUE(saveConfig(otherFile, other));
    api.on("GET", kBase + "/zones", Reply{200, R"({"items":[]})"});

    ASSERT_EQ(cli({"zones", "list"}, {{"DNSFLEET_CONFIG", otherFile.string()}}).code, kExitOk);
    ASSERT_EQ(cli({"--config", otherFile.string(), "zones", "list"},
                  {{"DNSFLEET_CONFIG", "/nonexistent/x.toml"}})
                  .code,
              kExitOk);
    for (const Recorded& r : api.requests()) {
        EXPECT_EQ(r.header("authorization"), "Bearer other-token");
    }
    EXPECT_EQ(api.requests().size(), 2U);
}

TEST_F(CommandsTest, DraftSetSendsTheRrset) {
    api.on("PUT", kBase + "/zones/example.com/draft/rrsets/*.www/TXT", Reply{200, "{}"});
    const Outcome result = cli({"draft", "set", "example.com", "*.www", "TXT", "--ttl", "300",
                                "\"v=spf1 -all\"", "\"second\"", "--comment", "why"});
    ASSERT_EQ(result.code, kExitOk) << result.err;
    const Recorded sent = only("PUT", kBase + "/zones/example.com/draft/rrsets/*.www/TXT");
    EXPECT_EQ(sent.target, kBase + "/zones/example.com/draft/rrsets/%2A.www/TXT");
    EXPECT_EQ(sent.header("content-type"), "application/json");
    const auto body = nlohmann::json::parse(sent.body);
    EXPECT_EQ(body["ttl"], 300);
    EXPECT_EQ(body["comment"], "why");
    ASSERT_EQ(body["records"].size(), 2U);
    EXPECT_EQ(body["records"][0]["data"], "\"v=spf1 -all\"");
    EXPECT_EQ(body["records"][1]["data"], "\"second\"");
}

TEST_F(CommandsTest, DraftApplySendsTheZonesEtagAsIfMatch) {
    api.on("GET", kBase + "/zones/example.com",
           Reply{200,
                 R"({"name":"example.com.","version":7})",
                 "application/json",
                 {{"ETag", "\"7\""}}});
    api.on("POST", kBase + "/zones/example.com/draft/apply",
           Reply{200,
                 R"({"version":8,"serial":2026010101,"change":{"id":"C42","status":"PENDING"},
                     "diff":[{"name":"www.example.com.","type":"A","action":"changed",
                              "added_records":[{"data":"192.0.2.2"}],
                              "removed_records":[{"data":"192.0.2.1"}]}]})"});
    const Outcome result = cli({"draft", "apply", "example.com", "--description", "new web"});
    ASSERT_EQ(result.code, kExitOk) << result.err;
    const Recorded sent = only("POST", kBase + "/zones/example.com/draft/apply");
    EXPECT_EQ(sent.header("if-match"), "\"7\"");
    EXPECT_EQ(sent.header("authorization"), "Bearer file-token");
    EXPECT_EQ(nlohmann::json::parse(sent.body), (nlohmann::json{{"description", "new web"}}));
    EXPECT_NE(result.out.find("version 8"), std::string::npos);
    EXPECT_NE(result.out.find("C42"), std::string::npos);
    EXPECT_NE(result.out.find("- 192.0.2.1"), std::string::npos);
    EXPECT_NE(result.out.find("+ 192.0.2.2"), std::string::npos);
}

TEST_F(CommandsTest, StaleApplyIsAConflictAndPrintsTheProblem) {
    api.on("GET", kBase + "/zones/example.com",
           Reply{200, R"({"version":7})", "application/json", {{"ETag", "\"7\""}}});
    api.on("POST", kBase + "/zones/example.com/draft/apply",
           Reply{409,
                 R"({"title":"Conflict","status":409,"detail":"the draft conflicts",
                     "conflicts":["www.example.com. A"]})",
                 "application/problem+json",
                 {{"X-Request-Id", "req-123"}}});
    const Outcome result = cli({"draft", "apply", "example.com", "--description", "d"});
    EXPECT_EQ(result.code, kExitConflict);
    EXPECT_NE(result.err.find("Conflict"), std::string::npos);
    EXPECT_NE(result.err.find("the draft conflicts"), std::string::npos);
    EXPECT_NE(result.err.find("www.example.com. A"), std::string::npos);
    EXPECT_NE(result.err.find("req-123"), std::string::npos);
}

TEST_F(CommandsTest, RestoreSendsIfMatch) {
    api.on("GET", kBase + "/zones/example.com",
           Reply{200, R"({"version":9})", "application/json", {{"ETag", "\"9\""}}});
    api.on("POST", kBase + "/zones/example.com/versions/3/restore",
           Reply{200, R"({"version":10,"serial":11})"});
    const Outcome result = cli({"restore", "example.com", "3", "--description", "back"});
    ASSERT_EQ(result.code, kExitOk) << result.err;
    const Recorded sent = only("POST", kBase + "/zones/example.com/versions/3/restore");
    EXPECT_EQ(sent.header("if-match"), "\"9\"");
    EXPECT_EQ(nlohmann::json::parse(sent.body)["description"], "back");
    EXPECT_NE(result.out.find("new version 10"), std::string::npos);
}

struct ErrorCase {
    int status;
    int exitCode;
};

class ErrorClassTest : public CommandsTest, public ::testing::WithParamInterface<ErrorCase> {};

TEST_P(ErrorClassTest, StatusMapsToItsExitCodeAndTheProblemIsPrinted) {
    const ErrorCase c = GetParam();
    nlohmann::json problem = {{"title", "Title " + std::to_string(c.status)},
                              {"status", c.status},
                              {"detail", "detail text"},
                              {"errors", {{{"field", "name"}, {"message", "is not a zone name"}}}}};
    api.on("POST", kBase + "/zones",
           Reply{c.status,
                 problem.dump(),
                 "application/problem+json",
                 {{"X-Request-Id", "rid-" + std::to_string(c.status)}}});
    const Outcome result = cli({"zones", "create", "bad..name"});
    EXPECT_EQ(result.code, c.exitCode);
    EXPECT_NE(result.err.find("Title " + std::to_string(c.status)), std::string::npos)
        << result.err;
    EXPECT_NE(result.err.find("detail text"), std::string::npos);
    EXPECT_NE(result.err.find("name: is not a zone name"), std::string::npos);
    EXPECT_NE(result.err.find("rid-" + std::to_string(c.status)), std::string::npos);
    EXPECT_TRUE(result.out.empty());
}

INSTANTIATE_TEST_SUITE_P(
    AllClasses, ErrorClassTest,
    ::testing::Values(ErrorCase{400, kExitValidation}, ErrorCase{422, kExitValidation},
                      ErrorCase{401, kExitAuth}, ErrorCase{403, kExitForbidden},
                      ErrorCase{404, kExitNotFound}, ErrorCase{409, kExitConflict},
                      ErrorCase{412, kExitConflict}, ErrorCase{429, kExitRateLimited},
                      ErrorCase{500, kExitServer}, ErrorCase{503, kExitServer}));

TEST_F(CommandsTest, ZoneCreateSendsNameTtlAndComment) {
    api.on("POST", kBase + "/zones", Reply{201, R"({"name":"example.org.","version":1})"});
    const Outcome result =
        cli({"zones", "create", "example.org", "--ttl", "600", "--comment", "test zone"});
    ASSERT_EQ(result.code, kExitOk) << result.err;
    EXPECT_EQ(
        nlohmann::json::parse(only("POST", kBase + "/zones").body),
        (nlohmann::json{{"name", "example.org"}, {"default_ttl", 600}, {"comment", "test zone"}}));
    EXPECT_NE(result.out.find("example.org."), std::string::npos);
}

TEST_F(CommandsTest, RecordsPrintsOneRowPerRecord) {
    api.on("GET", kBase + "/zones/example.com/rrsets",
           Reply{200, R"({"version":2,"serial":5,"items":[
               {"name":"www.example.com.","type":"A","ttl":300,
                "records":[{"data":"192.0.2.1"},{"data":"192.0.2.2"}]}],"total":1})"});
    const Outcome result = cli({"records", "example.com", "--type", "A"});
    ASSERT_EQ(result.code, kExitOk) << result.err;
    EXPECT_EQ(only("GET", kBase + "/zones/example.com/rrsets").target,
              kBase + "/zones/example.com/rrsets?type=A");
    EXPECT_NE(result.out.find("www.example.com.  300  A     192.0.2.1"), std::string::npos)
        << result.out;
    EXPECT_NE(result.out.find("www.example.com.  300  A     192.0.2.2"), std::string::npos);
}

TEST_F(CommandsTest, ImportSendsTheZoneFileAsTextDns) {
    const auto file = home.path() / "zone.txt";
    const std::string text = "$ORIGIN example.com.\nwww 300 IN A 192.0.2.1\n";
    std::ofstream(file) << text;
    api.on("POST", kBase + "/zones/example.com/import",
           Reply{200, R"({"staged":1,"deletions":0,"unchanged":2,"ignored":1})"});
    const Outcome result = cli({"import", "example.com", file.string()});
    ASSERT_EQ(result.code, kExitOk) << result.err;
    const Recorded sent = only("POST", kBase + "/zones/example.com/import");
    EXPECT_EQ(sent.body, text);
    EXPECT_EQ(sent.header("content-type"), "text/dns");
    EXPECT_NE(result.out.find("1 RRsets changed"), std::string::npos);
}

TEST_F(CommandsTest, ExportWritesTheZoneFile) {
    const std::string text = "example.com. 3600 IN SOA ns. host. 1 2 3 4 5\n";
    api.on("GET", kBase + "/zones/example.com/export", Reply{200, text, "text/dns"});
    const auto file = home.path() / "out.zone";
    ASSERT_EQ(cli({"export", "example.com", file.string()}).code, kExitOk);
    std::ifstream in(file);
    std::stringstream read;
    read << in.rdbuf();
    EXPECT_EQ(read.str(), text);
    const Outcome toStdout = cli({"export", "example.com"});
    EXPECT_EQ(toStdout.out, text);
}

TEST_F(CommandsTest, UsersSetRoleResolvesALogin) {
    api.on("GET", kBase + "/users",
           Reply{200, R"({"items":[{"id":4,"login":"alice"},{"id":5,"login":"bob"}]})"});
    api.on("PATCH", kBase + "/users/5", Reply{200, R"({"id":5,"login":"bob","role":"admin"})"});
    const Outcome result = cli({"users", "set-role", "bob", "admin"});
    ASSERT_EQ(result.code, kExitOk) << result.err;
    EXPECT_EQ(nlohmann::json::parse(only("PATCH", kBase + "/users/5").body),
              (nlohmann::json{{"role", "admin"}}));
    EXPECT_EQ(cli({"users", "remove", "carol"}).code, kExitNotFound);
}

TEST_F(CommandsTest, EventsListFiltersAndExportIsNdjson) {
    api.on("GET", kBase + "/events",
           Reply{200, R"({"items":[{"id":1,"time":"t","actor":"alice","action":"zone.create",
                                    "target":"example.com.","result":"ok"}],"total":1})"});
    api.on("GET", kBase + "/events/export",
           Reply{200, "{\"id\":1}\n{\"id\":2}\n", "application/x-ndjson"});
    const Outcome list =
        cli({"events", "list", "--from", "2026-01-01T00:00:00Z", "--action", "zone.create"});
    ASSERT_EQ(list.code, kExitOk) << list.err;
    EXPECT_EQ(only("GET", kBase + "/events").target,
              kBase + "/events?from=2026-01-01T00%3A00%3A00Z&action=zone.create");
    EXPECT_NE(list.out.find("zone.create"), std::string::npos);
    const Outcome exported = cli({"events", "export"});
    EXPECT_EQ(exported.out, "{\"id\":1}\n{\"id\":2}\n");
}

TEST_F(CommandsTest, ChangesWaitPollsUntilInSync) {
    int calls = 0;
    api.on("GET", kBase + "/changes/C42", [&calls](const Recorded&) {
        ++calls;
        nlohmann::json body = {{"id", "C42"},
                               {"zone", "example.com."},
                               {"serial", 8},
                               {"status", calls < 3 ? "PENDING" : "INSYNC"},
                               {"edges", nlohmann::json::array()}};
        return Reply{200, body.dump()};
    });
    const Outcome result = cli({"changes", "show", "C42", "--wait", "--interval", "0.02"});
    ASSERT_EQ(result.code, kExitOk) << result.err;
    EXPECT_EQ(calls, 3);
    EXPECT_NE(result.out.find("INSYNC"), std::string::npos);
}

TEST_F(CommandsTest, ChangesWaitGivesUpAtTheTimeout) {
    api.on("GET", kBase + "/changes/C1",
           Reply{200, R"({"id":"C1","status":"PENDING","edges":[{"name":"e1","region":"eu",
                          "status":"UNREACHABLE"}]})"});
    const Outcome result =
        cli({"changes", "show", "C1", "--wait", "--timeout", "0.2", "--interval", "0.05"});
    EXPECT_EQ(result.code, kExitServer);
    EXPECT_NE(result.out.find("UNREACHABLE"), std::string::npos);
    EXPECT_GE(api.requests().size(), 2U);
    EXPECT_LE(api.requests().size(), 6U);
}

TEST_F(CommandsTest, WrongCaIsATlsErrorExitTwo) {
    TempDir other;
    auto files = authd::tls::writeSelfSigned(other.path(), "localhost");
    ASSERT_TRUE(files) << files.error();
    const Outcome result = cli({"--ca-file", files->certFile.string(), "zones", "list"});
    EXPECT_EQ(result.code, kExitConnection);
    EXPECT_NE(result.err.find("certificate"), std::string::npos) << result.err;
    EXPECT_TRUE(api.requests().empty());
}

TEST_F(CommandsTest, UsageErrors) {
    EXPECT_EQ(cli({"zones", "frobnicate"}).code, kExitUsage);
    EXPECT_EQ(cli({"draft", "apply", "example.com"}).code, kExitUsage);  // no --description
    EXPECT_EQ(cli({}).code, kExitUsage);
    Config noContract;
    noContract.endpoint = api.endpoint();
    noContract.caFile = api.caFile();
    noContract.token = "t";
    ASSERT_TRUE(saveConfig(configFile(), noContract));
    EXPECT_EQ(cli({"zones", "list"}).code, kExitUsage);
    EXPECT_TRUE(api.requests().empty());
}

TEST_F(CommandsTest, BrokenConfigAndMissingEndpointAreExitTwo) {
    std::ofstream(configFile()) << "endpoint = [\n";
    EXPECT_EQ(cli({"zones", "list"}).code, kExitConnection);
    std::ofstream(configFile(), std::ios::trunc) << "token = \"t\"\ncontract = \"DF-1\"\n";
    const Outcome result = cli({"zones", "list"});
    EXPECT_EQ(result.code, kExitConnection);
    EXPECT_NE(result.err.find("endpoint"), std::string::npos);
}

TEST_F(CommandsTest, AnswerOfTheWrongShapeIsAServerError) {
    api.on("GET", kBase + "/zones/example.com/draft",
           Reply{200, R"({"exists":"yes","changes":[]})"});
    const Outcome shape = cli({"draft", "show", "example.com"});
    EXPECT_EQ(shape.code, kExitServer) << shape.out;
    api.on("GET", kBase + "/zones", Reply{200, "<html>not json</html>", "text/html"});
    const Outcome notJson = cli({"zones", "list"});
    EXPECT_EQ(notJson.code, kExitServer);
    EXPECT_NE(notJson.err.find("not JSON"), std::string::npos);
}

}  // namespace
}  // namespace dnsfleet::cli
