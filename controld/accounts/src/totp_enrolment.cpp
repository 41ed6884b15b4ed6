#include "controld/accounts/totp_enrolment.hpp"

#include "account_rows.hpp"
#include "controld/accounts/totp.hpp"
#include "controld/audit/event_log.hpp"
#include "controld/authz/authz.hpp"

namespace dnsfleet::controld::accounts {
namespace {

struct TotpState {
    std::string login;
    std::string passwordHash;
    std::optional<storage::Bytes> sealedSecret;
    bool enabled = false;
    std::int64_t lastStep = 0;
    bool mfaRequired = false;
};

std::optional<TotpState> loadState(storage::Database& db, Id accountId) {
    return db.run(storage::Mode::Read, [&](storage::Transaction& tx) -> std::optional<TotpState> {
        const auto row = tx.queryOne(
            "SELECT a.login, a.password_hash, a.totp_secret, a.totp_enabled, a.totp_last_step, "
            "c.mfa_required FROM accounts a LEFT JOIN contracts c ON c.id = a.contract_id "
            "WHERE a.id = $1 AND a.disabled = 0",
            {accountId});
        if (!row) return std::nullopt;
        TotpState state;
        state.login = row->text(0);
        state.passwordHash = row->text(1);
        if (!row->isNull(2)) state.sealedSecret = row->bytes(2);
        state.enabled = row->integer(3) != 0;
        state.lastStep = row->integer(4);
        state.mfaRequired = row->optionalInteger(5).value_or(0) != 0;
        return state;
    });
}

Id chainOf(const Actor& actor) {
    return actor.isStaff() ? 0 : actor.contractId;
}

ServiceError wrongCode() {
    return invalid("the one-time password is wrong or was used already",
                   {{"/otp", "wrong or already used"}});
}

/// The step `code` matched, once: the step is stored in the same transaction as the change.
Outcome<std::int64_t> checkCode(const SecretBox& secrets, const TotpState& state,
                                const std::string& code, Timestamp now) {
    if (!state.sealedSecret) return fail(conflict("no TOTP enrolment is under way"));
    auto secret = secrets.open(state.sealedSecret->data);
    if (!secret) return fail(std::move(secret).error());
    const auto step = totp::verify(*secret, code, now, state.lastStep);
    if (!step) return fail(wrongCode());
    return *step;
}

}  // namespace

Outcome<TotpEnrolment> beginTotpEnrolment(storage::Database& db, const RequestContext& context,
                                          const SecretBox& secrets) {
    DNSFLEET_TRY(authz::authorize(db, context, authz::Permission::TokensOwn, 0));
    const auto state = loadState(db, context.actor.id);
    if (!state) return fail(unauthenticated());
    if (state->enabled) return fail(conflict("TOTP is active already; disable it first"));
    const auto secret = totp::generateSecret();
    const auto sealed = secrets.seal(secret);
    // A new secret: steps used with the old one say nothing about its codes.
    db.run(storage::Mode::Write, [&](storage::Transaction& tx) {
        tx.execute(
            "UPDATE accounts SET totp_secret = $1, totp_enabled = 0, totp_last_step = 0 "
            "WHERE id = $2",
            {storage::Bytes{sealed}, context.actor.id});
        audit::append(tx, context,
                      {chainOf(context.actor), "auth.totp_enrol",
                       detail::userTarget(context.actor.id), "ok", nlohmann::json::object()});
    });
    return TotpEnrolment{totp::base32Encode(secret, false), totp::otpauthUri(state->login, secret)};
}

Outcome<void> confirmTotp(storage::Database& db, const RequestContext& context,
                          const SecretBox& secrets, const std::string& code) {
    DNSFLEET_TRY(authz::authorize(db, context, authz::Permission::TokensOwn, 0));
    const auto state = loadState(db, context.actor.id);
    if (!state) return fail(unauthenticated());
    if (state->enabled) return fail(conflict("TOTP is active already"));
    auto step = checkCode(secrets, *state, code, context.now);
    if (!step) return fail(std::move(step).error());
    return db.run(storage::Mode::Write, [&](storage::Transaction& tx) -> Outcome<void> {
        if (tx.execute("UPDATE accounts SET totp_enabled = 1, totp_last_step = $1 WHERE id = $2 "
                       "AND totp_enabled = 0 AND totp_last_step < $1",
                       {*step, context.actor.id}) != 1) {
            return fail(wrongCode());
        }
        if (context.actor.sessionId) {
            tx.execute("UPDATE sessions SET mfa_pending = 0 WHERE id = $1",
                       {*context.actor.sessionId});
        }
        audit::append(tx, context,
                      {chainOf(context.actor), "auth.totp_confirm",
                       detail::userTarget(context.actor.id), "ok", nlohmann::json::object()});
        return {};
    });
}

Outcome<void> disableTotp(storage::Database& db, const RequestContext& context,
                          const SecretBox& secrets, const PasswordHasher& hasher,
                          const std::optional<std::string>& code,
                          const std::optional<std::string>& password) {
    DNSFLEET_TRY(authz::authorize(db, context, authz::Permission::TokensOwn, 0));
    const auto state = loadState(db, context.actor.id);
    if (!state) return fail(unauthenticated());
    if (!state->enabled) return fail(conflict("TOTP is not active"));
    if (state->mfaRequired) {
        return fail(conflict("the contract requires a second factor; TOTP cannot be disabled"));
    }
    std::optional<std::int64_t> step;
    if (code) {
        auto matched = checkCode(secrets, *state, *code, context.now);
        if (!matched) return fail(std::move(matched).error());
        step = *matched;
    } else if (!password || !hasher.verify(state->passwordHash, *password)) {
        return fail(invalid("a current one-time password or the password is required",
                            {{password ? "/password" : "/otp", "wrong or missing"}}));
    }
    return db.run(storage::Mode::Write, [&](storage::Transaction& tx) -> Outcome<void> {
        if (step && tx.execute("UPDATE accounts SET totp_last_step = $1 WHERE id = $2 AND "
                               "totp_last_step < $1",
                               {*step, context.actor.id}) != 1) {
            return fail(wrongCode());
        }
        tx.execute("UPDATE accounts SET totp_enabled = 0, totp_secret = NULL WHERE id = $1",
                   {context.actor.id});
        audit::append(tx, context,
                      {chainOf(context.actor),
                       "auth.totp_disable",
                       detail::userTarget(context.actor.id),
                       "ok",
                       {{"proof", step ? "otp" : "password"}}});
        return {};
    });
}

}  // namespace dnsfleet::controld::accounts
