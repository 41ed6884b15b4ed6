// The accounts routes dispatched through a Router against a real SQLite database: login and
// the cookie, CSRF, contracts and users, tokens, password reset, mandatory TOTP enrolment.
#include <gtest/gtest.h>

#include <array>

#include "controld/accounts/authenticate.hpp"
#include "controld/accounts/mailer.hpp"
#include "controld/accounts/secret_box.hpp"
#include "controld/accounts/totp.hpp"
#include "controld/accounts/users.hpp"
#include "controld/api/api.hpp"
#include "controld/api/credentials.hpp"
#include "controld/testing/fixtures.hpp"
#include "controld/testing/requests.hpp"

namespace dnsfleet::controld::api {
namespace {

using nlohmann::json;

constexpr const char* kPassword = "correct horse battery staple";

class CapturingMailer final : public accounts::Mailer {
  public:
    Outcome<void> send(const accounts::Mail& mail) override {
        sent.push_back(mail);
        return {};
    }
    std::vector<accounts::Mail> sent;
};

/// A client: what a browser (cookie + CSRF token) or a script (bearer token) sends.
struct Client {
    std::string cookie;
    std::string csrf;
    std::string bearer;
};

class AccountRoutesTest : public ::testing::Test {
  protected:
    void SetUp() override {
        ASSERT_TRUE(accounts::bootstrapStaff(*db_, "ops", kPassword, settings_.auth).value());
        std::array<std::uint8_t, accounts::SecretBox::kKeyBytes> key{};
        key.fill(3);
        box_.emplace(accounts::SecretBox::fromKey(key));
        services_ = std::make_unique<Services>(Services{*db_, settings_, &mailer_, &*box_});
        addAccountRoutes(router_, *services_);
    }

    void TearDown() override { services_.reset(); }

    /// Runs a request as the gateway would: authenticate (for authenticated routes), dispatch.
    http::Response call(const std::string& method, const std::string& path, const Client& client,
                        const std::optional<json>& body = std::nullopt) {
        RequestContext context;
        context.requestId = "req-1";
        context.sourceAddress = address_;
        context.now = nowUtc();
        http::Request request =
            controld::testing::request(method, path, context, body ? body->dump() : "");
        if (!client.cookie.empty()) {
            request.headers.emplace("cookie",
                                    std::string(accounts::kSessionCookie) + "=" + client.cookie);
        }
        if (!client.csrf.empty()) request.headers.emplace(accounts::kCsrfHeader, client.csrf);
        if (!client.bearer.empty())
            request.headers.emplace("authorization", "Bearer " + client.bearer);
        const http::RouteInfo* info = router_.match(request);
        if (info != nullptr && info->authenticated) {
            auto actor = accounts::authenticate(*db_, credentialsOf(request), request.context);
            if (!actor) return http::problem(actor.error(), request.context);
            request.context.actor = *actor;
        }
        return router_.dispatch(request);
    }

    static std::optional<std::string> header(const http::Response& response,
                                             const std::string& name) {
        return controld::testing::header(response, name);
    }

    Client login(const std::string& user, const std::string& password = kPassword) {
        const auto response =
            call("POST", "/api/v1/auth/login", {}, json{{"login", user}, {"password", password}});
        EXPECT_EQ(response.status, 200) << response.body;
        const auto cookie = header(response, "Set-Cookie").value_or("");
        const auto start = cookie.find('=') + 1;
        return {cookie.substr(start, cookie.find(';') - start),
                json::parse(response.body).value("csrf_token", ""), ""};
    }

    /// A contract made by staff; returns its service code.
    std::string makeContract(const Client& staff, const std::string& owner) {
        const auto response = call(
            "POST", "/api/v1/contracts", staff,
            json{{"plan", "standard"},
                 {"description", "of " + owner},
                 {"labels", {{"env", "test"}}},
                 {"owner",
                  {{"login", owner}, {"email", owner + "@example.com"}, {"password", kPassword}}}});
        EXPECT_EQ(response.status, 201) << response.body;
        return json::parse(response.body).value("service_code", "");
    }

    controld::testing::TestDatabase database_{"dnsfleet-routes"};
    storage::Database* db_ = &database_.db();
    config::Settings settings_;
    CapturingMailer mailer_;
    std::optional<accounts::SecretBox> box_;
    std::unique_ptr<Services> services_;
    http::Router router_;
    std::string address_ = "192.0.2.10";
};

TEST_F(AccountRoutesTest, LoginSetsAHardenedCookieAndReturnsTheCsrfToken) {
    const auto response =
        call("POST", "/api/v1/auth/login", {}, json{{"login", "ops"}, {"password", kPassword}});
    ASSERT_EQ(response.status, 200) << response.body;
    const auto cookie = header(response, "Set-Cookie");
    ASSERT_TRUE(cookie.has_value());
    EXPECT_EQ(cookie->rfind("dnsfleet_session=dfs_", 0), 0U);
    for (const char* attribute : {"; HttpOnly", "; Secure", "; SameSite=Strict", "; Path=/api"}) {
        EXPECT_NE(cookie->find(attribute), std::string::npos) << attribute;
    }
    const auto body = json::parse(response.body);
    EXPECT_FALSE(body.at("csrf_token").get<std::string>().empty());
    EXPECT_EQ(body.at("user").at("login"), "ops");
    EXPECT_FALSE(body.at("user").contains("password_hash"));
}

TEST_F(AccountRoutesTest, WrongPasswordIsAProblemDocumentAndBadBodiesAre400Or415) {
    const auto wrong = call("POST", "/api/v1/auth/login", {},
                            json{{"login", "ops"}, {"password", "not the password!"}});
    EXPECT_EQ(wrong.status, 401);
    EXPECT_EQ(wrong.contentType, "application/problem+json");
    const auto unknownMember = call("POST", "/api/v1/auth/login", {},
                                    json{{"login", "ops"}, {"password", kPassword}, {"x", 1}});
    EXPECT_EQ(unknownMember.status, 400);
    const auto wrongType =
        call("POST", "/api/v1/auth/login", {}, json{{"login", 5}, {"password", kPassword}});
    EXPECT_EQ(wrongType.status, 400);
    http::Request plain;
    plain.method = "POST";
    plain.path = "/api/v1/auth/login";
    plain.body = "login=ops";
    plain.headers.emplace("content-type", "application/x-www-form-urlencoded");
    EXPECT_EQ(router_.dispatch(plain).status, 415);
}

TEST_F(AccountRoutesTest, MeLogoutAndCsrf) {
    const auto staff = login("ops");
    const auto me = call("GET", "/api/v1/auth/me", staff);
    ASSERT_EQ(me.status, 200) << me.body;
    EXPECT_EQ(json::parse(me.body).at("kind"), "staff");

    Client noCsrf = staff;
    noCsrf.csrf.clear();
    EXPECT_EQ(call("POST", "/api/v1/auth/logout", noCsrf).status, 403);
    const auto out = call("POST", "/api/v1/auth/logout", staff);
    EXPECT_EQ(out.status, 204);
    EXPECT_NE(header(out, "Set-Cookie").value_or("").find("Max-Age=0"), std::string::npos);
    EXPECT_EQ(call("GET", "/api/v1/auth/me", staff).status, 401);
}

TEST_F(AccountRoutesTest, ContractsAndUsersThroughTheApi) {
    const auto staff = login("ops");
    const auto code = makeContract(staff, "alice");
    const auto other = makeContract(staff, "bob");
    ASSERT_FALSE(code.empty());

    const auto list = call("GET", "/api/v1/contracts?label=env:test&per_page=1", staff);
    ASSERT_EQ(list.status, 200) << list.body;
    EXPECT_EQ(json::parse(list.body).at("total"), 2);
    EXPECT_EQ(json::parse(list.body).at("items").size(), 1U);

    const auto alice = login("alice");
    const auto own = call("GET", "/api/v1/contracts/" + code, alice);
    EXPECT_EQ(own.status, 200);
    EXPECT_EQ(call("GET", "/api/v1/contracts/" + other, alice).status, 404);
    EXPECT_EQ(call("GET", "/api/v1/contracts/" + other + "/users", alice).status, 404);
    EXPECT_EQ(call("PATCH", "/api/v1/contracts/" + code, alice, json{{"plan", "premium"}}).status,
              403);
    EXPECT_EQ(call("PATCH", "/api/v1/contracts/" + code, staff, json{{"plan", "premium"}}).status,
              200);

    const auto added =
        call("POST", "/api/v1/contracts/" + code + "/users", alice,
             json{{"login", "olga"}, {"email", "olga@example.com"}, {"role", "operator"}});
    ASSERT_EQ(added.status, 201) << added.body;
    const auto olga = json::parse(added.body);
    EXPECT_FALSE(olga.at("password").get<std::string>().empty());  // generated, shown once
    const auto userPath =
        "/api/v1/contracts/" + code + "/users/" + std::to_string(olga.at("id").get<Id>());
    const auto patched = call("PATCH", userPath, alice, json{{"role", "viewer"}});
    ASSERT_EQ(patched.status, 200) << patched.body;
    EXPECT_EQ(json::parse(patched.body).at("role"), "viewer");
    EXPECT_EQ(call("GET", "/api/v1/contracts/" + code + "/users", alice).status, 200);
    EXPECT_EQ(call("DELETE", userPath, alice).status, 204);
    EXPECT_EQ(call("GET", userPath, alice).status, 404);

    const auto security =
        call("PUT", "/api/v1/contracts/" + code + "/security", alice,
             json{{"ip_allowlist", {"192.0.2.0/24", "10.0.0.1/8"}}, {"mfa_required", false}});
    ASSERT_EQ(security.status, 400);
    EXPECT_EQ(json::parse(security.body).at("errors").at(0).at("field"), "/ip_allowlist/1");
}

TEST_F(AccountRoutesTest, ApiTokensAreShownOnceAndRevocable) {
    const auto staff = login("ops");
    const auto code = makeContract(staff, "alice");
    const auto alice = login("alice");
    const auto created = call("POST", "/api/v1/tokens", alice,
                              json{{"name", "ci"}, {"scope", "read"}, {"zones", {"example.com."}}});
    ASSERT_EQ(created.status, 201) << created.body;
    const auto token = json::parse(created.body);
    const Client script{"", "", token.at("token").get<std::string>()};
    const auto me = call("GET", "/api/v1/auth/me", script);
    ASSERT_EQ(me.status, 200);
    EXPECT_EQ(json::parse(me.body).at("token").at("scope"), "read");
    EXPECT_EQ(json::parse(me.body).at("contract"), code);

    const auto listed = call("GET", "/api/v1/tokens", alice);
    ASSERT_EQ(listed.status, 200);
    EXPECT_EQ(listed.body.find(token.at("token").get<std::string>()), std::string::npos);

    const auto path = "/api/v1/tokens/" + std::to_string(token.at("id").get<Id>());
    EXPECT_EQ(call("DELETE", path, alice).status, 204);
    EXPECT_EQ(call("GET", "/api/v1/auth/me", script).status, 401);
    EXPECT_EQ(call("DELETE", "/api/v1/tokens/abc", alice).status, 404);
}

TEST_F(AccountRoutesTest, PasswordResetAnswersTheSameForUnknownLogins) {
    const auto unknown = call("POST", "/api/v1/auth/password-reset", {}, json{{"login", "nobody"}});
    const auto known = call("POST", "/api/v1/auth/password-reset", {}, json{{"login", "ops"}});
    EXPECT_EQ(unknown.status, 202);
    EXPECT_EQ(known.status, 202);
    EXPECT_EQ(unknown.body, known.body);
    ASSERT_EQ(mailer_.sent.size(), 0U);  // ops has no e-mail address: nothing to send to
}

TEST_F(AccountRoutesTest, PasswordResetByMailThenLogin) {
    const auto staff = login("ops");
    makeContract(staff, "alice");
    ASSERT_EQ(call("POST", "/api/v1/auth/password-reset", {}, json{{"login", "alice"}}).status,
              202);
    ASSERT_EQ(mailer_.sent.size(), 1U);
    const auto& body = mailer_.sent[0].body;
    const auto at = body.find("dfr_");
    ASSERT_NE(at, std::string::npos);
    const auto token = body.substr(at, body.find('\n', at) - at);
    const auto confirmed = call("POST", "/api/v1/auth/password-reset/confirm", {},
                                json{{"token", token}, {"new_password", "brand new passphrase 7"}});
    EXPECT_EQ(confirmed.status, 204) << confirmed.body;
    login("alice", "brand new passphrase 7");
}

TEST_F(AccountRoutesTest, PasswordResetsOverTheLimitGetTheSame202AndNoMail) {
    const auto staff = login("ops");
    makeContract(staff, "alice");
    std::vector<std::string> bodies;
    for (int i = 0; i < settings_.auth.passwordResetsPerLogin + 2; ++i) {
        const auto response =
            call("POST", "/api/v1/auth/password-reset", {}, json{{"login", "alice"}});
        EXPECT_EQ(response.status, 202);
        bodies.push_back(response.body);
    }
    EXPECT_EQ(bodies.front(), bodies.back());
    EXPECT_EQ(mailer_.sent.size(), static_cast<std::size_t>(settings_.auth.passwordResetsPerLogin));
}

TEST_F(AccountRoutesTest, SuspendingAContractLogsItsUsersOutAndRefusesTheirTokens) {
    const auto staff = login("ops");
    const auto code = makeContract(staff, "alice");
    const auto alice = login("alice");
    const auto token =
        call("POST", "/api/v1/tokens", alice, json{{"name", "ci"}, {"scope", "read"}});
    ASSERT_EQ(token.status, 201) << token.body;
    Client script;
    script.bearer = json::parse(token.body).at("token").get<std::string>();
    ASSERT_EQ(call("GET", "/api/v1/auth/me", alice).status, 200);
    ASSERT_EQ(call("GET", "/api/v1/auth/me", script).status, 200);

    const auto suspended =
        call("PATCH", "/api/v1/contracts/" + code, staff, json{{"state", "suspended"}});
    ASSERT_EQ(suspended.status, 200) << suspended.body;
    EXPECT_EQ(call("GET", "/api/v1/auth/me", alice).status, 401);
    EXPECT_EQ(call("GET", "/api/v1/auth/me", script).status, 401);
    EXPECT_EQ(call("GET", "/api/v1/contracts/" + code, staff).status, 200);
}

TEST_F(AccountRoutesTest, MandatoryMfaEnrolmentFlow) {
    const auto staff = login("ops");
    const auto code = makeContract(staff, "alice");
    const auto alice = login("alice");
    ASSERT_EQ(call("PUT", "/api/v1/contracts/" + code + "/security", alice,
                   json{{"ip_allowlist", json::array()}, {"mfa_required", true}})
                  .status,
              200);
    const auto response =
        call("POST", "/api/v1/auth/login", {}, json{{"login", "alice"}, {"password", kPassword}});
    ASSERT_EQ(response.status, 200);
    EXPECT_TRUE(json::parse(response.body).at("totp_enrolment_required").get<bool>());
    const auto pending = login("alice");
    EXPECT_EQ(call("GET", "/api/v1/contracts/" + code, pending).status, 403);

    const auto enrol = call("POST", "/api/v1/auth/totp", pending);
    ASSERT_EQ(enrol.status, 200) << enrol.body;
    const auto secret =
        accounts::totp::base32Decode(json::parse(enrol.body).at("secret").get<std::string>());
    ASSERT_TRUE(secret.has_value());
    const auto confirm = call("POST", "/api/v1/auth/totp/confirm", pending,
                              json{{"otp", accounts::totp::codeAt(*secret, nowUtc())}});
    ASSERT_EQ(confirm.status, 204) << confirm.body;
    EXPECT_EQ(call("GET", "/api/v1/contracts/" + code, pending).status, 200);
    // Enrolment without any credentials is refused.
    EXPECT_EQ(call("POST", "/api/v1/auth/totp", {}).status, 401);
}

TEST_F(AccountRoutesTest, EveryRouteIsUnderApiV1AndNamesItsPermission) {
    const auto routes = router_.routes();
    EXPECT_GE(routes.size(), 24U);
    for (const auto& route : routes) {
        EXPECT_EQ(route.pattern.rfind("/api/v1/", 0), 0U) << route.pattern;
        const bool open = route.pattern.find("/auth/") != std::string::npos;
        if (!open) {
            EXPECT_FALSE(route.permission.empty()) << route.method << " " << route.pattern;
        }
    }
}

}  // namespace
}  // namespace dnsfleet::controld::api
