// API tokens, password change and reset, TOTP enrolment: the flows behind /tokens and /auth.
#include <gtest/gtest.h>

#include <array>

#include "accounts_fixture.hpp"
#include "controld/accounts/api_tokens.hpp"
#include "controld/accounts/authenticate.hpp"
#include "controld/accounts/login.hpp"
#include "controld/accounts/password_flows.hpp"
#include "controld/accounts/random_token.hpp"
#include "controld/accounts/secret_box.hpp"
#include "controld/accounts/totp.hpp"
#include "controld/accounts/totp_enrolment.hpp"

namespace dnsfleet::controld::accounts {
namespace {

using testing::kPassword;

constexpr Timestamp kSecond = 1'000'000;
constexpr const char* kNewPassword = "a much better passphrase 42";

class CapturingMailer final : public Mailer {
  public:
    Outcome<void> send(const Mail& mail) override {
        sent.push_back(mail);
        return {};
    }
    std::vector<Mail> sent;
};

SecretBox testBox() {
    std::array<std::uint8_t, SecretBox::kKeyBytes> key{};
    key.fill(7);
    return SecretBox::fromKey(key);
}

class FlowTest : public testing::AccountsTest {
  protected:
    void SetUp() override {
        AccountsTest::SetUp();
        contract_ = makeContract("alice");
        owner_ = asActor(contract_.owner);
    }

    Outcome<LoginResult> attempt(const std::string& login, const std::string& password,
                                 std::optional<std::string> otp = std::nullopt) {
        const LoginServices services{auth_, *hasher_, &box_};
        return accounts::login(*db_, context(Actor{}), services, {login, password, std::move(otp)});
    }

    Outcome<Actor> bearer(const std::string& token) {
        Credentials credentials;
        credentials.bearerToken = token;
        return authenticate(*db_, credentials, context(Actor{}));
    }

    Outcome<Actor> cookie(const std::string& session) {
        Credentials credentials;
        credentials.sessionCookie = session;
        return authenticate(*db_, credentials, context(Actor{}));
    }

    /// The reset token from the last mail.
    static std::string tokenIn(const Mail& mail) {
        const auto at = mail.body.find(kResetTokenPrefix);
        EXPECT_NE(at, std::string::npos);
        const auto end = mail.body.find('\n', at);
        return mail.body.substr(at, end - at);
    }

    SecretBox box_ = testBox();
    CreatedContract contract_;
    Actor owner_;
};

TEST_F(FlowTest, ApiTokenIsShownOnceStoredHashedAndCarriesScopeAndZones) {
    NewApiToken request{"ci", "read", {"Example.COM.", "example.net"}, now_ + 3600 * kSecond};
    auto created = createApiToken(*db_, context(owner_), request);
    ASSERT_TRUE(created.has_value()) << created.error().detail;
    EXPECT_EQ(created->secret.rfind(kApiTokenPrefix, 0), 0U);
    EXPECT_EQ(created->token.zones, (std::vector<std::string>{"example.com", "example.net"}));
    const auto stored = db_->run(storage::Mode::Read, [](storage::Transaction& tx) {
        return tx.queryOne("SELECT token_hash FROM api_tokens")->text(0);
    });
    EXPECT_EQ(stored, tokenHash(created->secret));

    auto actor = bearer(created->secret);
    ASSERT_TRUE(actor.has_value());
    EXPECT_EQ(actor->id, contract_.owner.id);
    EXPECT_EQ(actor->tokenId, created->token.id);
    EXPECT_FALSE(actor->tokenCanWrite);
    EXPECT_EQ(actor->tokenZones.size(), 2U);

    auto listed = listApiTokens(*db_, context(owner_));
    ASSERT_TRUE(listed.has_value());
    ASSERT_EQ(listed->size(), 1U);
    EXPECT_EQ(listed->front().name, "ci");

    // The expiry ends it.
    now_ += 3600 * kSecond;
    EXPECT_FALSE(bearer(created->secret).has_value());
}

TEST_F(FlowTest, RevokedTokensStopWorkingAndOthersTokensAreNotFound) {
    auto created = createApiToken(*db_, context(owner_), {"deploy", "write", {}, std::nullopt});
    ASSERT_TRUE(created.has_value());
    const auto other = makeContract("bob");
    auto foreign = revokeApiToken(*db_, context(asActor(other.owner)), created->token.id);
    ASSERT_FALSE(foreign.has_value());
    EXPECT_EQ(foreign.error().code, ErrorCode::NotFound);
    ASSERT_TRUE(bearer(created->secret).has_value());
    ASSERT_TRUE(revokeApiToken(*db_, context(owner_), created->token.id));
    auto revoked = bearer(created->secret);
    ASSERT_FALSE(revoked.has_value());
    EXPECT_EQ(revoked.error().code, ErrorCode::Unauthenticated);
    EXPECT_TRUE(listApiTokens(*db_, context(owner_))->front().revokedAt.has_value());
}

TEST_F(FlowTest, TokenValidationAndTokensCannotWidenThemselves) {
    auto bad = createApiToken(*db_, context(owner_), {"", "admin", {"bad zone"}, now_ - 1});
    ASSERT_FALSE(bad.has_value());
    EXPECT_EQ(bad.error().fields.size(), 4U);

    auto readToken = createApiToken(*db_, context(owner_), {"ro", "read", {}, std::nullopt});
    ASSERT_TRUE(readToken.has_value());
    auto asToken = bearer(readToken->secret);
    ASSERT_TRUE(asToken.has_value());
    auto widened = createApiToken(*db_, context(*asToken), {"rw", "write", {}, std::nullopt});
    EXPECT_FALSE(widened.has_value());
}

TEST_F(FlowTest, RemovingAUserRevokesItsTokens) {
    const auto viewer = makeUser(owner_, contract_.contract.id, "vera", Role::Viewer);
    auto token = createApiToken(*db_, context(asActor(viewer)), {"t", "read", {}, std::nullopt});
    ASSERT_TRUE(token.has_value());
    ASSERT_TRUE(bearer(token->secret).has_value());
    ASSERT_TRUE(removeUser(*db_, context(owner_), contract_.contract.id, viewer.id));
    EXPECT_FALSE(bearer(token->secret).has_value());
    const auto revoked = db_->run(storage::Mode::Read, [](storage::Transaction& tx) {
        return tx.queryOne("SELECT COUNT(*) FROM api_tokens WHERE revoked_at IS NOT NULL")
            ->integer(0);
    });
    EXPECT_EQ(revoked, 1);
}

TEST_F(FlowTest, PasswordChangeNeedsTheCurrentOneAndEndsOtherSessions) {
    auto first = attempt("alice", kPassword);
    auto second = attempt("alice", kPassword);
    ASSERT_TRUE(first && second);
    auto actor = cookie(second->sessionToken);
    ASSERT_TRUE(actor.has_value());

    auto wrong = changePassword(*db_, context(*actor), *hasher_, "not my password!!", kNewPassword);
    ASSERT_FALSE(wrong.has_value());
    EXPECT_EQ(wrong.error().fields.at(0).field, "/current_password");
    auto weak = changePassword(*db_, context(*actor), *hasher_, kPassword, "short");
    ASSERT_FALSE(weak.has_value());
    EXPECT_EQ(weak.error().fields.at(0).field, "/new_password");

    ASSERT_TRUE(changePassword(*db_, context(*actor), *hasher_, kPassword, kNewPassword));
    EXPECT_FALSE(cookie(first->sessionToken).has_value());
    EXPECT_TRUE(cookie(second->sessionToken).has_value());
    EXPECT_FALSE(attempt("alice", kPassword).has_value());
    EXPECT_TRUE(attempt("alice", kNewPassword).has_value());
}

TEST_F(FlowTest, PasswordResetMailsASingleUseTokenAndEndsSessions) {
    CapturingMailer mailer;
    auto session = attempt("alice", kPassword);
    ASSERT_TRUE(session.has_value());

    ASSERT_TRUE(requestPasswordReset(*db_, context(Actor{}), auth_, mailer, "nobody"));
    EXPECT_TRUE(mailer.sent.empty());
    ASSERT_TRUE(requestPasswordReset(*db_, context(Actor{}), auth_, mailer, "ALICE"));
    ASSERT_EQ(mailer.sent.size(), 1U);
    EXPECT_EQ(mailer.sent[0].to, "alice@example.com");
    const auto token = tokenIn(mailer.sent[0]);

    auto weak = confirmPasswordReset(*db_, context(Actor{}), *hasher_, token, "short");
    ASSERT_FALSE(weak.has_value());
    EXPECT_EQ(weak.error().fields.at(0).field, "/new_password");
    ASSERT_TRUE(confirmPasswordReset(*db_, context(Actor{}), *hasher_, token, kNewPassword));
    EXPECT_FALSE(cookie(session->sessionToken).has_value());
    EXPECT_TRUE(attempt("alice", kNewPassword).has_value());

    auto again = confirmPasswordReset(*db_, context(Actor{}), *hasher_, token, kPassword);
    ASSERT_FALSE(again.has_value());
    EXPECT_EQ(again.error().fields.at(0).field, "/token");
}

TEST_F(FlowTest, PasswordResetTokensExpireAndOnlyTheNewestWorks) {
    CapturingMailer mailer;
    ASSERT_TRUE(requestPasswordReset(*db_, context(Actor{}), auth_, mailer, "alice"));
    ASSERT_TRUE(requestPasswordReset(*db_, context(Actor{}), auth_, mailer, "alice"));
    ASSERT_EQ(mailer.sent.size(), 2U);
    EXPECT_FALSE(confirmPasswordReset(*db_, context(Actor{}), *hasher_, tokenIn(mailer.sent[0]),
                                      kNewPassword));
    now_ += auth_.passwordResetValidity.count() * kSecond;
    EXPECT_FALSE(confirmPasswordReset(*db_, context(Actor{}), *hasher_, tokenIn(mailer.sent[1]),
                                      kNewPassword));
}

TEST_F(FlowTest, PasswordResetsAreLimitedPerLoginWithTheSameAnswer) {
    CapturingMailer mailer;
    auth_.passwordResetsPerLogin = 2;
    for (int i = 0; i < 4; ++i) {
        address_ = "192.0.2." + std::to_string(20 + i);  // each from another address
        EXPECT_TRUE(requestPasswordReset(*db_, context(Actor{}), auth_, mailer, "alice")) << i;
    }
    EXPECT_EQ(mailer.sent.size(), 2U);
    // Unknown logins count alike (nothing shows which logins exist), other logins do not.
    EXPECT_TRUE(requestPasswordReset(*db_, context(Actor{}), auth_, mailer, "Nobody"));
    EXPECT_TRUE(requestPasswordReset(*db_, context(Actor{}), auth_, mailer, "nobody"));
    EXPECT_TRUE(requestPasswordReset(*db_, context(Actor{}), auth_, mailer, "NOBODY"));
    makeUser(owner_, contract_.contract.id, "carol", Role::Viewer);
    EXPECT_TRUE(requestPasswordReset(*db_, context(Actor{}), auth_, mailer, "carol"));
    EXPECT_EQ(mailer.sent.size(), 3U);
    // alice: 2 over the limit; nobody: 2 unknown, then 1 over the limit.
    EXPECT_EQ(events("auth.password_reset", "failed"), 5);
    // An hour later the login may ask again.
    now_ += 3601 * kSecond;
    EXPECT_TRUE(requestPasswordReset(*db_, context(Actor{}), auth_, mailer, "alice"));
    EXPECT_EQ(mailer.sent.size(), 4U);
}

TEST_F(FlowTest, PasswordResetsAreLimitedPerSourceAddress) {
    CapturingMailer mailer;
    auth_.passwordResetsPerAddress = 3;
    for (const char* login : {"alice", "dave", "erin"}) {
        if (std::string(login) != "alice")
            makeUser(owner_, contract_.contract.id, login, Role::Viewer);
    }
    for (const char* login : {"alice", "dave", "erin", "alice", "dave"}) {
        EXPECT_TRUE(requestPasswordReset(*db_, context(Actor{}), auth_, mailer, login)) << login;
    }
    EXPECT_EQ(mailer.sent.size(), 3U);
    address_ = "198.51.100.1";
    EXPECT_TRUE(requestPasswordReset(*db_, context(Actor{}), auth_, mailer, "erin"));
    EXPECT_EQ(mailer.sent.size(), 4U);
}

TEST_F(FlowTest, SuspendingAContractEndsItsSessionsAndRefusesItsTokens) {
    makeContract("bob");
    auto session = attempt("alice", kPassword);
    auto otherSession = attempt("bob", kPassword);
    ASSERT_TRUE(session && otherSession);
    auto token = createApiToken(*db_, context(owner_), {"ci", "read", {}, std::nullopt});
    ASSERT_TRUE(token.has_value());
    ASSERT_TRUE(cookie(session->sessionToken).has_value());
    ASSERT_TRUE(bearer(token->secret).has_value());

    ContractChange suspend;
    suspend.state = "suspended";
    ASSERT_TRUE(updateContract(*db_, context(staff()), contract_.contract.serviceCode, suspend));
    EXPECT_FALSE(cookie(session->sessionToken).has_value());
    auto refused = bearer(token->secret);
    ASSERT_FALSE(refused.has_value());
    EXPECT_EQ(refused.error().code, ErrorCode::Unauthenticated);
    const auto sessions = db_->run(storage::Mode::Read, [&](storage::Transaction& tx) {
        return tx
            .queryOne(
                "SELECT COUNT(*) FROM sessions s JOIN accounts a ON a.id = s.account_id "
                "WHERE a.contract_id = $1",
                {contract_.contract.id})
            ->integer(0);
    });
    EXPECT_EQ(sessions, 0);
    // Another contract's people are not touched.
    EXPECT_TRUE(cookie(otherSession->sessionToken).has_value());

    // Reactivated: the token (never revoked) works again; the ended session stays ended.
    ContractChange resume;
    resume.state = "active";
    ASSERT_TRUE(updateContract(*db_, context(staff()), contract_.contract.serviceCode, resume));
    EXPECT_TRUE(bearer(token->secret).has_value());
    EXPECT_FALSE(cookie(session->sessionToken).has_value());
}

TEST_F(FlowTest, TotpEnrolmentConfirmLoginAndReplay) {
    auto enrolment = beginTotpEnrolment(*db_, context(owner_), box_);
    ASSERT_TRUE(enrolment.has_value());
    EXPECT_NE(enrolment->otpauthUri.find("otpauth://totp/"), std::string::npos);
    const auto secret = totp::base32Decode(enrolment->secret).value();
    // The sealed secret is not the secret.
    const auto stored = db_->run(storage::Mode::Read, [](storage::Transaction& tx) {
        return tx.queryOne("SELECT totp_secret FROM accounts WHERE login_key = 'alice'")->bytes(0);
    });
    EXPECT_NE(stored.data, secret);

    // Not active before confirmation.
    EXPECT_TRUE(attempt("alice", kPassword).has_value());
    auto wrong = confirmTotp(*db_, context(owner_), box_, "000000");
    if (totp::codeAt(secret, now_) != "000000") {
        ASSERT_FALSE(wrong.has_value());
    }
    ASSERT_TRUE(confirmTotp(*db_, context(owner_), box_, totp::codeAt(secret, now_)));

    now_ += 60 * kSecond;
    auto withoutCode = attempt("alice", kPassword);
    ASSERT_FALSE(withoutCode.has_value());
    EXPECT_EQ(withoutCode.error().code, ErrorCode::Unauthenticated);
    const auto code = totp::codeAt(secret, now_);
    EXPECT_TRUE(attempt("alice", kPassword, code).has_value());
    auto replay = attempt("alice", kPassword, code);
    ASSERT_FALSE(replay.has_value());
    EXPECT_EQ(replay.error().code, ErrorCode::Unauthenticated);

    now_ += 30 * kSecond;
    EXPECT_FALSE(disableTotp(*db_, context(owner_), box_, *hasher_, std::nullopt,
                             std::string("wrong password!!")));
    ASSERT_TRUE(disableTotp(*db_, context(owner_), box_, *hasher_, totp::codeAt(secret, now_),
                            std::nullopt));
    EXPECT_TRUE(attempt("alice", kPassword).has_value());
}

TEST_F(FlowTest, MandatoryMfaEnrolmentTurnsTheSessionIntoAFullOne) {
    ASSERT_TRUE(setSecurity(*db_, context(owner_), contract_.contract.serviceCode, {{}, true}));
    auto session = attempt("alice", kPassword);
    ASSERT_TRUE(session.has_value());
    ASSERT_TRUE(session->totpEnrolmentRequired);
    Credentials enrolmentOnly;
    enrolmentOnly.sessionCookie = session->sessionToken;
    enrolmentOnly.allowTotpEnrolment = true;
    auto actor = authenticate(*db_, enrolmentOnly, context(Actor{}));
    ASSERT_TRUE(actor.has_value());
    auto enrolment = beginTotpEnrolment(*db_, context(*actor), box_);
    ASSERT_TRUE(enrolment.has_value());
    const auto secret = totp::base32Decode(enrolment->secret).value();
    ASSERT_TRUE(confirmTotp(*db_, context(*actor), box_, totp::codeAt(secret, now_)));
    EXPECT_TRUE(cookie(session->sessionToken).has_value());
    // While the contract requires it, TOTP stays on.
    now_ += 30 * kSecond;
    auto disabled = disableTotp(*db_, context(*actor), box_, *hasher_, totp::codeAt(secret, now_),
                                std::nullopt);
    ASSERT_FALSE(disabled.has_value());
    EXPECT_EQ(disabled.error().code, ErrorCode::Conflict);
}

}  // namespace
}  // namespace dnsfleet::controld::accounts
