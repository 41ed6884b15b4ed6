#include "controld/accounts/password_flows.hpp"

#include <spdlog/spdlog.h>

#include "account_rows.hpp"
#include "controld/accounts/random_token.hpp"
#include "controld/audit/event_log.hpp"
#include "controld/authz/authz.hpp"

namespace dnsfleet::controld::accounts {
namespace {

constexpr std::int64_t kMicros = 1'000'000;
constexpr std::int64_t kResetWindowMicros = std::int64_t{60} * 60 * kMicros;

Id chainOf(const User& user) {
    return user.staff ? 0 : user.contractId;
}

RequestContext asAccount(const RequestContext& context, const User& user) {
    RequestContext c = context;
    c.actor.kind = user.staff ? Actor::Kind::Staff : Actor::Kind::User;
    c.actor.id = user.id;
    c.actor.login = user.login;
    c.actor.contractId = user.contractId;
    c.actor.role = user.role;
    return c;
}

}  // namespace

Outcome<void> changePassword(storage::Database& db, const RequestContext& context,
                             const PasswordHasher& hasher, const std::string& currentPassword,
                             const std::string& newPassword) {
    DNSFLEET_TRY(authz::authorize(db, context, authz::Permission::TokensOwn, 0));
    const auto account = db.run(storage::Mode::Read, [&](storage::Transaction& tx) {
        return tx.queryOne(
            "SELECT login, password_hash FROM accounts WHERE id = $1 AND "
            "disabled = 0",
            {context.actor.id});
    });
    if (!account) return fail(unauthenticated());
    if (!hasher.verify(account->text(1), currentPassword)) {
        audit::appendAlone(db, context,
                           {context.actor.isStaff() ? 0 : context.actor.contractId,
                            "auth.password_change",
                            detail::userTarget(context.actor.id),
                            "failed",
                            {{"reason", "wrong_current_password"}}});
        return fail(invalid("the current password is wrong",
                            {{"/current_password", "is not the current password"}}));
    }
    DNSFLEET_TRY(checkPasswordPolicy(newPassword, account->text(0), "/new_password"));
    auto hash = hasher.hash(newPassword);
    if (!hash) return fail(std::move(hash).error());
    db.run(storage::Mode::Write, [&](storage::Transaction& tx) {
        tx.execute("UPDATE accounts SET password_hash = $1 WHERE id = $2",
                   {*hash, context.actor.id});
        const auto ended = detail::endSessions(tx, context.actor.id, context.actor.sessionId);
        audit::append(tx, context,
                      {context.actor.isStaff() ? 0 : context.actor.contractId,
                       "auth.password_change",
                       detail::userTarget(context.actor.id),
                       "ok",
                       {{"other_sessions_ended", ended}}});
    });
    return {};
}

namespace {

/// Counts the request against its login and its source address; true (and logged) when either
/// is over its hourly limit. Unknown logins count like known ones, so that the limit shows
/// nothing about which accounts exist.
bool resetRateExceeded(storage::Database& db, const RequestContext& context,
                       const config::AuthSettings& auth, const std::string& login) {
    return db.run(storage::Mode::Write, [&](storage::Transaction& tx) {
        const std::int64_t perLogin = detail::countEvent(
            tx, "reset-login:" + detail::loginKey(login), context.now, kResetWindowMicros);
        const std::int64_t perAddress =
            detail::countEvent(tx, "reset-addr:" + context.sourceAddress.substr(0, 64), context.now,
                               kResetWindowMicros);
        const bool exceeded =
            perLogin > auth.passwordResetsPerLogin || perAddress > auth.passwordResetsPerAddress;
        if (exceeded) {
            audit::append(tx, context,
                          {0,
                           "auth.password_reset",
                           "login:" + login.substr(0, 128),
                           "failed",
                           {{"login", login.substr(0, 128)}, {"reason", "rate_limited"}}});
        }
        return exceeded;
    });
}

}  // namespace

Outcome<void> requestPasswordReset(storage::Database& db, const RequestContext& context,
                                   const config::AuthSettings& auth, Mailer& mailer,
                                   const std::string& login, const std::string& resetUrlBase) {
    if (login.empty() || login.size() > 256) {
        return fail(invalid("the login is not valid", {{"/login", "must be 1 to 256 characters"}}));
    }
    if (resetRateExceeded(db, context, auth, login)) return {};
    const auto row = db.run(storage::Mode::Read, [&](storage::Transaction& tx) {
        return tx.queryOne("SELECT " + std::string(detail::kUserColumns) +
                               " FROM accounts WHERE login_key = $1 AND disabled = 0",
                           {detail::loginKey(login)});
    });
    if (!row) {
        audit::appendAlone(db, context,
                           {0,
                            "auth.password_reset",
                            "login:" + login.substr(0, 128),
                            "failed",
                            {{"login", login.substr(0, 128)}, {"reason", "unknown_login"}}});
        return {};
    }
    const User user = detail::userFromRow(*row);
    if (user.email.empty()) {
        // Nowhere to send a token (a bootstrap staff account): the same answer, nothing stored.
        audit::appendAlone(db, context,
                           {chainOf(user),
                            "auth.password_reset",
                            detail::userTarget(user.id),
                            "failed",
                            {{"login", user.login}, {"reason", "no_email"}}});
        return {};
    }
    const std::string token = randomToken(kResetTokenPrefix);
    const Timestamp expires =
        context.now + static_cast<std::int64_t>(auth.passwordResetValidity.count()) * kMicros;
    db.run(storage::Mode::Write, [&](storage::Transaction& tx) {
        // Only the newest link works: an older mail that leaks later is worthless.
        tx.execute(
            "UPDATE password_resets SET used_at = $1 WHERE account_id = $2 AND "
            "used_at IS NULL",
            {context.now, user.id});
        tx.execute(
            "INSERT INTO password_resets (token_hash, account_id, created_at, expires_at) "
            "VALUES ($1, $2, $3, $4)",
            {tokenHash(token), user.id, context.now, expires});
        audit::append(tx, context,
                      {chainOf(user),
                       "auth.password_reset",
                       detail::userTarget(user.id),
                       "ok",
                       {{"login", user.login}, {"expires_at", formatTimestamp(expires)}}});
    });
    Mail mail;
    mail.to = user.email;
    mail.subject = "dnsfleet password reset";
    mail.body = "Someone (hopefully you) asked to reset the password of the dnsfleet login " +
                user.login + ".\n\nTo choose a new password, use this token within " +
                std::to_string(auth.passwordResetValidity.count() / 60) + " minutes:\n\n" +
                resetUrlBase + token +
                "\n\nIf you did not ask for this, ignore this mail; your password stays as it "
                "is.\n";
    if (auto sent = mailer.send(mail); !sent) {
        spdlog::warn("password reset mail for account {} not sent: {}", user.id,
                     sent.error().detail);
    }
    return {};
}

Outcome<void> confirmPasswordReset(storage::Database& db, const RequestContext& context,
                                   const PasswordHasher& hasher, const std::string& token,
                                   const std::string& newPassword) {
    const auto badToken = [] {
        return fail(invalid("the reset token is not valid",
                            {{"/token", "unknown, already used or expired"}}));
    };
    if (token.empty() || token.size() > 256) return badToken();
    struct Reset {
        Id id = 0;
        User user;
    };
    const auto reset = db.run(storage::Mode::Read, [&](storage::Transaction& tx) {
        std::optional<Reset> found;
        const auto row = tx.queryOne(
            "SELECT id, account_id FROM password_resets WHERE token_hash = $1 AND used_at IS NULL "
            "AND expires_at > $2",
            {tokenHash(token), context.now});
        if (!row) return found;
        if (auto user = detail::loadUser(tx, row->integer(1)))
            found = Reset{row->integer(0), *user};
        return found;
    });
    if (!reset) {
        audit::appendAlone(
            db, context,
            {0, "auth.password_reset_confirm", "", "failed", {{"reason", "invalid_token"}}});
        return badToken();
    }
    const Id resetId = reset->id;
    const User& user = reset->user;
    DNSFLEET_TRY(checkPasswordPolicy(newPassword, user.login, "/new_password"));
    auto hash = hasher.hash(newPassword);
    if (!hash) return fail(std::move(hash).error());
    const auto asUser = asAccount(context, user);
    return db.run(storage::Mode::Write, [&](storage::Transaction& tx) -> Outcome<void> {
        // Single use even when two confirmations race.
        if (tx.execute("UPDATE password_resets SET used_at = $1 WHERE id = $2 AND used_at IS NULL",
                       {context.now, resetId}) != 1) {
            return badToken();
        }
        tx.execute("UPDATE accounts SET password_hash = $1 WHERE id = $2", {*hash, user.id});
        const auto ended = detail::endSessions(tx, user.id);
        // A reset proves control of the mailbox: forget the failures that may have led here.
        tx.execute("DELETE FROM login_failures WHERE throttle_key = $1",
                   {"login:" + detail::loginKey(user.login)});
        audit::append(tx, asUser,
                      {chainOf(user),
                       "auth.password_reset_confirm",
                       detail::userTarget(user.id),
                       "ok",
                       {{"sessions_ended", ended}}});
        return {};
    });
}

}  // namespace dnsfleet::controld::accounts
