// Login, throttling, sessions and authenticate(): the cookie's lifetime, CSRF, the contract's
// IP allowlist, and the event log of each attempt.
#include <gtest/gtest.h>

#include "accounts_fixture.hpp"
#include "controld/accounts/authenticate.hpp"
#include "controld/accounts/login.hpp"
#include "controld/accounts/random_token.hpp"

namespace dnsfleet::controld::accounts {
namespace {

using testing::kPassword;

constexpr Timestamp kSecond = 1'000'000;

class LoginTest : public testing::AccountsTest {
  protected:
    void SetUp() override {
        AccountsTest::SetUp();
        auth_.loginFailuresBeforeDelay = 3;
        contract_ = makeContract("alice");
    }

    Outcome<LoginResult> attempt(const std::string& login, const std::string& password,
                                 std::optional<std::string> otp = std::nullopt) {
        const LoginServices services{auth_, *hasher_, nullptr};
        return accounts::login(*db_, context(Actor{}), services, {login, password, std::move(otp)});
    }

    Outcome<Actor> withCookie(const std::string& cookie, bool unsafe = false,
                              std::optional<std::string> csrf = std::nullopt) {
        Credentials credentials;
        credentials.sessionCookie = cookie;
        credentials.unsafeMethod = unsafe;
        credentials.csrfToken = std::move(csrf);
        return authenticate(*db_, credentials, context(Actor{}));
    }

    CreatedContract contract_;
};

TEST_F(LoginTest, RightPasswordOpensASessionThatAuthenticates) {
    auto result = attempt("Alice", kPassword);  // logins are case-insensitive
    ASSERT_TRUE(result.has_value()) << result.error().detail;
    EXPECT_EQ(result->user.id, contract_.owner.id);
    EXPECT_EQ(result->sessionToken.rfind(kSessionTokenPrefix, 0), 0U);
    EXPECT_FALSE(result->csrfToken.empty());
    EXPECT_FALSE(result->totpEnrolmentRequired);
    EXPECT_EQ(result->expiresAt, now_ + auth_.sessionAbsolute.count() * kSecond);

    // Only the hash is stored.
    const auto stored = db_->run(storage::Mode::Read, [](storage::Transaction& tx) {
        return tx.queryOne("SELECT id_hash FROM sessions")->text(0);
    });
    EXPECT_EQ(stored, tokenHash(result->sessionToken));

    auto actor = withCookie(result->sessionToken);
    ASSERT_TRUE(actor.has_value());
    EXPECT_EQ(actor->kind, Actor::Kind::User);
    EXPECT_EQ(actor->id, contract_.owner.id);
    EXPECT_EQ(actor->contractId, contract_.contract.id);
    EXPECT_EQ(actor->role, Role::Owner);
    EXPECT_TRUE(actor->sessionId.has_value());
    EXPECT_EQ(events("auth.login", "ok"), 1);
}

TEST_F(LoginTest, EveryLoginGetsANewSessionId) {
    auto first = attempt("alice", kPassword);
    auto second = attempt("alice", kPassword);
    ASSERT_TRUE(first && second);
    EXPECT_NE(first->sessionToken, second->sessionToken);
    EXPECT_NE(first->csrfToken, second->csrfToken);
    endSessionByToken(*db_, first->sessionToken);
    EXPECT_FALSE(withCookie(first->sessionToken).has_value());
    EXPECT_TRUE(withCookie(second->sessionToken).has_value());
}

TEST_F(LoginTest, UnknownLoginAndWrongPasswordGetTheSameAnswer) {
    auto wrong = attempt("alice", "not the password at all");
    auto unknown = attempt("nobody", "not the password at all");
    ASSERT_FALSE(wrong.has_value());
    ASSERT_FALSE(unknown.has_value());
    EXPECT_EQ(wrong.error().code, ErrorCode::Unauthenticated);
    EXPECT_EQ(wrong.error().code, unknown.error().code);
    EXPECT_EQ(wrong.error().detail, unknown.error().detail);
    EXPECT_EQ(wrong.error().fields.size(), unknown.error().fields.size());
    EXPECT_EQ(events("auth.login", "failed"), 2);
}

TEST_F(LoginTest, FailuresAreLoggedWithTheLoginButNeverThePassword) {
    ASSERT_FALSE(attempt("alice", "Secret-Guess-123456"));
    const auto details = db_->run(storage::Mode::Read, [](storage::Transaction& tx) {
        return tx.queryOne("SELECT details, contract_id FROM events WHERE action = 'auth.login'")
            ->text(0);
    });
    EXPECT_NE(details.find("alice"), std::string::npos);
    EXPECT_EQ(details.find("Secret-Guess"), std::string::npos);
}

TEST_F(LoginTest, ThrottlingStartsAfterTheConfiguredFailuresForKnownAndUnknownLogins) {
    for (const std::string login : {"alice", "nobody"}) {
        address_ = login == "alice" ? "192.0.2.1" : "192.0.2.2";
        for (int i = 0; i < auth_.loginFailuresBeforeDelay; ++i) {
            auto r = attempt(login, "wrong password, sorry");
            ASSERT_FALSE(r.has_value());
            EXPECT_EQ(r.error().code, ErrorCode::Unauthenticated) << login << " attempt " << i;
        }
        // Even the right password waits now: a throttled answer says nothing about it.
        auto throttled = attempt(login, login == "alice" ? kPassword : "wrong password, sorry");
        ASSERT_FALSE(throttled.has_value());
        EXPECT_EQ(throttled.error().code, ErrorCode::TooManyRequests) << login;
        EXPECT_EQ(throttled.error().retryAfterSeconds, 1) << login;
    }
    // After the delay the right password works and clears the login's counter.
    address_ = "192.0.2.1";
    now_ += 2 * kSecond;
    EXPECT_TRUE(attempt("alice", kPassword).has_value());
    EXPECT_EQ(events("auth.login", "failed"), 8);
}

TEST_F(LoginTest, ThrottlingIsPerSourceAddressToo) {
    for (int i = 0; i < auth_.loginFailuresBeforeDelay; ++i) {
        ASSERT_FALSE(attempt("user" + std::to_string(i), "wrong password, sorry"));
    }
    auto other = attempt("alice", kPassword);
    ASSERT_FALSE(other.has_value());
    EXPECT_EQ(other.error().code, ErrorCode::TooManyRequests);
    address_ = "192.0.2.99";
    EXPECT_TRUE(attempt("alice", kPassword).has_value());
}

TEST_F(LoginTest, ThrottleDelayGrowsAndIsCapped) {
    EXPECT_EQ(throttleDelaySeconds(2, 3), 0);
    EXPECT_EQ(throttleDelaySeconds(3, 3), 1);
    EXPECT_EQ(throttleDelaySeconds(4, 3), 2);
    EXPECT_EQ(throttleDelaySeconds(6, 3), 8);
    EXPECT_EQ(throttleDelaySeconds(1000, 3), 15 * 60);
}

TEST_F(LoginTest, IdleAndAbsoluteTimeoutsEndTheSession) {
    auto session = attempt("alice", kPassword);
    ASSERT_TRUE(session.has_value());
    // Activity within the idle timeout keeps it alive...
    const auto idle = auth_.sessionIdle.count() * kSecond;
    for (int i = 0; i < 3; ++i) {
        now_ += idle - kSecond;
        ASSERT_TRUE(withCookie(session->sessionToken).has_value()) << i;
    }
    // ...and silence beyond it ends it.
    now_ += idle + kSecond;
    EXPECT_FALSE(withCookie(session->sessionToken).has_value());

    auto second = attempt("alice", kPassword);
    ASSERT_TRUE(second.has_value());
    const auto end = second->expiresAt;
    while (now_ + idle / 2 < end) {
        now_ += idle / 2;
        ASSERT_TRUE(withCookie(second->sessionToken).has_value());
    }
    now_ = end;
    auto expired = withCookie(second->sessionToken);
    ASSERT_FALSE(expired.has_value());
    EXPECT_EQ(expired.error().code, ErrorCode::Unauthenticated);
}

TEST_F(LoginTest, UnsafeCookieRequestsNeedTheCsrfToken) {
    auto session = attempt("alice", kPassword);
    ASSERT_TRUE(session.has_value());
    auto missing = withCookie(session->sessionToken, true);
    ASSERT_FALSE(missing.has_value());
    EXPECT_EQ(missing.error().code, ErrorCode::Forbidden);
    auto wrong = withCookie(session->sessionToken, true, std::string("x") + session->csrfToken);
    ASSERT_FALSE(wrong.has_value());
    EXPECT_EQ(wrong.error().code, ErrorCode::Forbidden);
    EXPECT_TRUE(withCookie(session->sessionToken, true, session->csrfToken).has_value());
    EXPECT_TRUE(withCookie(session->sessionToken, false).has_value());
    EXPECT_EQ(events("access.denied", "denied"), 2);
}

TEST_F(LoginTest, UnknownCredentialsAreUnauthenticated) {
    EXPECT_EQ(withCookie("dfs_nonsense").error().code, ErrorCode::Unauthenticated);
    Credentials none;
    EXPECT_EQ(authenticate(*db_, none, context(Actor{})).error().code, ErrorCode::Unauthenticated);
    Credentials bearer;
    bearer.bearerToken = "dft_nonsense";
    EXPECT_EQ(authenticate(*db_, bearer, context(Actor{})).error().code,
              ErrorCode::Unauthenticated);
}

TEST_F(LoginTest, TheContractAllowlistAppliesToEveryRequestButNotToStaff) {
    auto owner = attempt("alice", kPassword);
    ASSERT_TRUE(owner.has_value());
    auto staffSession = attempt("ops", kPassword);
    ASSERT_TRUE(staffSession.has_value());
    ASSERT_TRUE(setSecurity(*db_, context(asActor(contract_.owner)), contract_.contract.serviceCode,
                            {{"192.0.2.0/28"}, false}));

    EXPECT_TRUE(withCookie(owner->sessionToken).has_value());
    address_ = "198.51.100.7";
    auto outside = withCookie(owner->sessionToken);
    ASSERT_FALSE(outside.has_value());
    EXPECT_EQ(outside.error().code, ErrorCode::Forbidden);
    EXPECT_EQ(events("access.denied", "denied"), 1);
    auto loginOutside = attempt("alice", kPassword);
    ASSERT_FALSE(loginOutside.has_value());
    EXPECT_EQ(loginOutside.error().code, ErrorCode::Forbidden);
    // IPv4 clients of a dual-stack listener arrive as mapped addresses.
    address_ = "::ffff:192.0.2.3";
    EXPECT_TRUE(withCookie(owner->sessionToken).has_value());
    // Staff are platform people: no contract's allowlist applies to them.
    address_ = "203.0.113.1";
    auto staffActor = withCookie(staffSession->sessionToken);
    ASSERT_TRUE(staffActor.has_value());
    EXPECT_EQ(staffActor->kind, Actor::Kind::Staff);
}

TEST_F(LoginTest, LogoutEndsTheSession) {
    auto session = attempt("alice", kPassword);
    ASSERT_TRUE(session.has_value());
    auto actor = withCookie(session->sessionToken);
    ASSERT_TRUE(actor.has_value());
    ASSERT_TRUE(logout(*db_, context(*actor)));
    EXPECT_FALSE(withCookie(session->sessionToken).has_value());
    EXPECT_EQ(events("auth.logout", "ok"), 1);
}

TEST_F(LoginTest, RemovingAUserEndsItsSessions) {
    const auto viewer =
        makeUser(asActor(contract_.owner), contract_.contract.id, "vera", Role::Viewer);
    auto session = attempt("vera", kPassword);
    ASSERT_TRUE(session.has_value());
    ASSERT_TRUE(withCookie(session->sessionToken).has_value());
    ASSERT_TRUE(
        removeUser(*db_, context(asActor(contract_.owner)), contract_.contract.id, viewer.id));
    EXPECT_FALSE(withCookie(session->sessionToken).has_value());
    EXPECT_EQ(attempt("vera", kPassword).error().code, ErrorCode::Unauthenticated);
}

TEST_F(LoginTest, MfaRequiredWithoutTotpGivesAnEnrolmentOnlySession) {
    ASSERT_TRUE(setSecurity(*db_, context(asActor(contract_.owner)), contract_.contract.serviceCode,
                            {{}, true}));
    auto session = attempt("alice", kPassword);
    ASSERT_TRUE(session.has_value());
    EXPECT_TRUE(session->totpEnrolmentRequired);
    auto elsewhere = withCookie(session->sessionToken);
    ASSERT_FALSE(elsewhere.has_value());
    EXPECT_EQ(elsewhere.error().code, ErrorCode::Forbidden);
    Credentials enrolment;
    enrolment.sessionCookie = session->sessionToken;
    enrolment.allowTotpEnrolment = true;
    EXPECT_TRUE(authenticate(*db_, enrolment, context(Actor{})).has_value());
}

}  // namespace
}  // namespace dnsfleet::controld::accounts
