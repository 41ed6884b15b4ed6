// login and logout: the session exchange, the token and the config file they leave behind.
#include <gtest/gtest.h>
#include <sys/stat.h>

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

class LoginTest : public ::testing::Test {
  protected:
    void SetUp() override {
        api.on("POST", "/api/v1/auth/login",
               Reply{200,
                     R"({"user":{"login":"alice"},"csrf_token":"csrf-1"})",
                     "application/json",
                     {{"Set-Cookie", "dnsfleet_session=sess-1; HttpOnly; Secure; Path=/"}}});
        api.on("POST", "/api/v1/tokens", [](const Recorded& r) {
            // Only the session may create the token: the cookie and its CSRF token.
            if (r.header("cookie") != "dnsfleet_session=sess-1" ||
                r.header("x-csrf-token") != "csrf-1") {
                return Reply{401, R"({"title":"Unauthorized","status":401})",
                             "application/problem+json"};
            }
            return Reply{201, R"({"id":42,"name":"cli@testhost","token":"dft_secret"})"};
        });
        api.on("GET", "/api/v1/auth/me", [](const Recorded& r) {
            if (r.header("authorization") != "Bearer dft_secret") {
                return Reply{401, R"({"title":"Unauthorized","status":401})",
                             "application/problem+json"};
            }
            return Reply{200, R"({"kind":"user","login":"alice","contract":"DF-0000ABCD",
                                  "role":"owner","token":{"id":42,"scope":"write"}})"};
        });
        api.on("POST", "/api/v1/auth/logout", Reply{204, ""});
        api.on("DELETE", "/api/v1/tokens/42", Reply{204, ""});
    }

    [[nodiscard]] std::filesystem::path configFile() const {
        return home.path() / ".config" / "dnsfleet" / "config.toml";
    }

    Outcome cli(const std::vector<std::string>& args, const std::string& password = "") {
        return testing::runCli(args, home.path(), {}, password);
    }

    FakeApi api;
    TempDir home;
};

TEST_F(LoginTest, LoginCreatesAWriteTokenAndStoresItWithMode0600) {
    const Outcome result = cli({"--endpoint", api.endpoint(), "--ca-file", api.caFile(), "login",
                                "--login", "alice", "--otp", "123456"},
                               "pw-from-prompt");
    ASSERT_EQ(result.code, kExitOk) << result.err;

    std::vector<Recorded> sent = api.requests();
    ASSERT_GE(sent.size(), 3U);
    EXPECT_EQ(sent[0].path, "/api/v1/auth/login");
    EXPECT_TRUE(sent[0].header("authorization").empty());
    EXPECT_EQ(
        nlohmann::json::parse(sent[0].body),
        (nlohmann::json{{"login", "alice"}, {"password", "pw-from-prompt"}, {"otp", "123456"}}));
    EXPECT_EQ(sent[1].path, "/api/v1/tokens");
    EXPECT_EQ(nlohmann::json::parse(sent[1].body),
              (nlohmann::json{{"name", "cli@testhost"}, {"scope", "write"}}));

    auto stored = loadConfig(configFile());
    ASSERT_TRUE(stored) << stored.error();
    EXPECT_EQ(stored->token, "dft_secret");
    EXPECT_EQ(stored->contract, "DF-0000ABCD");
    EXPECT_EQ(stored->endpoint, api.endpoint());
    EXPECT_EQ(stored->caFile, api.caFile());
    struct stat info {};
    ASSERT_EQ(::stat(configFile().c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 0777U, 0600U);
    EXPECT_EQ(result.out.find("dft_secret"), std::string::npos);  // never echoed
}

TEST_F(LoginTest, PasswordFileAndNoPassword) {
    const auto file = home.path() / "pw";
    std::ofstream(file) << "from-file\n";
    ASSERT_EQ(cli({"--endpoint", api.endpoint(), "--ca-file", api.caFile(), "login", "--login",
                   "alice", "--password-file", file.string()})
                  .code,
              kExitOk);
    EXPECT_EQ(nlohmann::json::parse(api.requests().front().body)["password"], "from-file");

    // Without a terminal or a file there is no password: a usage error, nothing sent.
    const auto before = api.requests().size();
    EXPECT_EQ(cli({"login", "--login", "alice"}).code, kExitUsage);
    EXPECT_EQ(api.requests().size(), before);
}

TEST_F(LoginTest, BadPasswordIsExitThreeAndStoresNothing) {
    api.on("POST", "/api/v1/auth/login",
           Reply{401, R"({"title":"Unauthorized","status":401,"detail":"bad login or password"})",
                 "application/problem+json"});
    const Outcome result =
        cli({"--endpoint", api.endpoint(), "--ca-file", api.caFile(), "login", "--login", "alice"},
            "wrong");
    EXPECT_EQ(result.code, kExitAuth);
    EXPECT_NE(result.err.find("bad login or password"), std::string::npos);
    EXPECT_FALSE(std::filesystem::exists(configFile()));
}

TEST_F(LoginTest, LogoutRevokesTheTokenAndForgetsIt) {
    ASSERT_EQ(
        cli({"--endpoint", api.endpoint(), "--ca-file", api.caFile(), "login", "--login", "alice"},
            "pw")
            .code,
        kExitOk);
    const Outcome result = cli({"logout"});
    ASSERT_EQ(result.code, kExitOk) << result.err;
    bool revoked = false;
    for (const Recorded& r : api.requests()) {
        if (r.method == "DELETE" && r.path == "/api/v1/tokens/42") {
            revoked = true;
            EXPECT_EQ(r.header("authorization"), "Bearer dft_secret");
        }
    }
    EXPECT_TRUE(revoked);
    auto stored = loadConfig(configFile());
    ASSERT_TRUE(stored);
    EXPECT_TRUE(stored->token.empty());
    EXPECT_EQ(stored->endpoint, api.endpoint());        // the rest stays
    EXPECT_EQ(cli({"zones", "list"}).code, kExitAuth);  // no token any more
}

}  // namespace
}  // namespace dnsfleet::cli
