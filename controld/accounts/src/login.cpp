#include "controld/accounts/login.hpp"

#include <algorithm>

#include "account_rows.hpp"
#include "controld/accounts/ip_prefix.hpp"
#include "controld/accounts/random_token.hpp"
#include "controld/accounts/secret_box.hpp"
#include "controld/accounts/totp.hpp"
#include "controld/audit/event_log.hpp"
#include "session_store.hpp"

namespace dnsfleet::controld::accounts {
namespace {

constexpr std::int64_t kMicros = 1'000'000;
constexpr std::int64_t kMaxDelaySeconds = std::int64_t{15} * 60;

/// What a login needs to know about the account it names.
struct LoginAccount {
    User user;
    std::string passwordHash;
    std::optional<storage::Bytes> totpSecret;
    bool totpEnabled = false;
    std::int64_t totpLastStep = 0;
};

struct LoginState {
    std::optional<LoginAccount> account;
    std::optional<Contract> contract;
    std::int64_t retryAfter = 0;
};

std::string throttleLoginKey(std::string_view login) {
    return "login:" + detail::loginKey(login.substr(0, 256));
}
std::string throttleAddressKey(std::string_view address) {
    return "addr:" + std::string(address.substr(0, 64));
}

std::int64_t retryAfter(storage::Transaction& tx, const std::string& key, Timestamp now,
                        int threshold) {
    const auto row = tx.queryOne(
        "SELECT failures, last_failure_at FROM login_failures WHERE throttle_key = $1", {key});
    if (!row) return 0;
    const auto last = row->integer(1);
    if (now - last > kThrottleWindowSeconds * kMicros) return 0;
    const auto until = last + throttleDelaySeconds(row->integer(0), threshold) * kMicros;
    if (now >= until) return 0;
    return (until - now + kMicros - 1) / kMicros;
}

void recordFailure(storage::Transaction& tx, const std::string& key, Timestamp now) {
    detail::countEvent(tx, key, now, kThrottleWindowSeconds * kMicros);
}

LoginState loadLoginState(storage::Database& db, const RequestContext& context,
                          const LoginRequest& request, int threshold) {
    return db.run(storage::Mode::Read, [&](storage::Transaction& tx) {
        LoginState state;
        state.retryAfter = std::max(
            retryAfter(tx, throttleLoginKey(request.login), context.now, threshold),
            retryAfter(tx, throttleAddressKey(context.sourceAddress), context.now, threshold));
        const auto row = tx.queryOne(
            "SELECT " + std::string(detail::kUserColumns) +
                ", password_hash, totp_secret, totp_enabled, totp_last_step FROM accounts "
                "WHERE login_key = $1 AND disabled = 0",
            {detail::loginKey(request.login)});
        if (!row) return state;
        LoginAccount account;
        account.user = detail::userFromRow(*row);
        account.passwordHash = row->text(8);
        if (!row->isNull(9)) account.totpSecret = row->bytes(9);
        account.totpEnabled = row->integer(10) != 0;
        account.totpLastStep = row->integer(11);
        if (!account.user.staff) state.contract = detail::loadContract(tx, account.user.contractId);
        state.account = std::move(account);
        return state;
    });
}

/// Logs a failed attempt and counts it against the login and the source address.
ServiceError failLogin(storage::Database& db, const RequestContext& context,
                       const LoginRequest& request, const LoginState& state, std::string reason,
                       ServiceError error, bool count = true) {
    const Id chain =
        state.account && !state.account->user.staff ? state.account->user.contractId : 0;
    db.run(storage::Mode::Write, [&](storage::Transaction& tx) {
        if (count) {
            recordFailure(tx, throttleLoginKey(request.login), context.now);
            recordFailure(tx, throttleAddressKey(context.sourceAddress), context.now);
        }
        audit::append(tx, context,
                      {chain,
                       "auth.login",
                       "login:" + request.login.substr(0, 128),
                       "failed",
                       {{"login", request.login.substr(0, 128)}, {"reason", std::move(reason)}}});
    });
    return error;
}

ServiceError badCredentials() {
    return unauthenticated("wrong login or password");
}

}  // namespace

std::int64_t throttleDelaySeconds(std::int64_t failures, int threshold) noexcept {
    if (failures < threshold) return 0;
    const auto exponent = failures - threshold;
    if (exponent >= 10) return kMaxDelaySeconds;
    return std::min<std::int64_t>(std::int64_t{1} << exponent, kMaxDelaySeconds);
}

Outcome<LoginResult> login(storage::Database& db, const RequestContext& context,
                           const LoginServices& services, const LoginRequest& request) {
    if (request.login.empty() || request.password.empty()) {
        std::vector<FieldError> fields;
        if (request.login.empty()) fields.push_back({"/login", "is required"});
        if (request.password.empty()) fields.push_back({"/password", "is required"});
        return fail(invalid("login and password are required", std::move(fields)));
    }
    const auto state = loadLoginState(db, context, request, services.auth.loginFailuresBeforeDelay);
    if (state.retryAfter > 0) {
        // Answered before any password check, for known and unknown logins alike.
        ServiceError error{ErrorCode::TooManyRequests,
                           "too many failed logins; try again later",
                           {},
                           {},
                           static_cast<int>(state.retryAfter)};
        return fail(failLogin(db, context, request, state, "throttled", error, false));
    }
    if (!state.account) {
        services.hasher.dummyVerify(request.password);
        return fail(failLogin(db, context, request, state, "bad_credentials", badCredentials()));
    }
    const auto& account = *state.account;
    if (!services.hasher.verify(account.passwordHash, request.password)) {
        return fail(failLogin(db, context, request, state, "bad_credentials", badCredentials()));
    }
    if (state.contract && state.contract->state != "active") {
        return fail(failLogin(db, context, request, state, "contract_" + state.contract->state,
                              forbidden("the contract is not active"), false));
    }
    if (state.contract) {
        std::vector<IpPrefix> allowlist;
        allowlist.reserve(state.contract->ipAllowlist.size());
        for (const auto& text : state.contract->ipAllowlist) {
            if (auto prefix = parseIpPrefix(text)) allowlist.push_back(*prefix);
        }
        if (!allowlistPermits(allowlist, context.sourceAddress)) {
            return fail(failLogin(db, context, request, state, "ip_allowlist",
                                  forbidden("the source address is not allowed for this contract"),
                                  false));
        }
    }
    std::optional<std::int64_t> totpStep;
    if (account.totpEnabled) {
        if (!request.otp || request.otp->empty()) {
            return fail(failLogin(db, context, request, state, "otp_required",
                                  unauthenticated("a one-time password is required")));
        }
        if (services.secrets == nullptr || !account.totpSecret) {
            ServiceError error;
            error.detail = "TOTP secrets are not available";
            return fail(error);
        }
        auto secret = services.secrets->open(account.totpSecret->data);
        if (!secret) return fail(std::move(secret).error());
        totpStep = totp::verify(*secret, *request.otp, context.now, account.totpLastStep);
        if (!totpStep) {
            ServiceError error = unauthenticated("wrong or reused one-time password");
            error.fields.push_back({"/otp", "wrong or already used"});
            return fail(failLogin(db, context, request, state, "bad_otp", error));
        }
    }
    std::optional<std::string> rehashed;
    if (services.hasher.needsRehash(account.passwordHash)) {
        if (auto hash = services.hasher.hash(request.password)) rehashed = *hash;
    }
    const bool enrolmentRequired =
        state.contract && state.contract->mfaRequired && !account.totpEnabled;

    RequestContext asUser = context;
    asUser.actor.kind = account.user.staff ? Actor::Kind::Staff : Actor::Kind::User;
    asUser.actor.id = account.user.id;
    asUser.actor.login = account.user.login;
    asUser.actor.contractId = account.user.contractId;
    asUser.actor.role = account.user.role;

    auto result =
        db.run(storage::Mode::Write, [&](storage::Transaction& tx) -> Outcome<LoginResult> {
            if (totpStep) {
                // Two requests racing with one code: only the first moves the step forward.
                const auto moved = tx.execute(
                    "UPDATE accounts SET totp_last_step = $1 WHERE id = $2 AND totp_last_step < $1",
                    {*totpStep, account.user.id});
                if (moved != 1) return fail(unauthenticated("wrong or reused one-time password"));
            }
            if (rehashed) {
                tx.execute("UPDATE accounts SET password_hash = $1 WHERE id = $2",
                           {*rehashed, account.user.id});
            }
            tx.execute("DELETE FROM login_failures WHERE throttle_key = $1",
                       {throttleLoginKey(request.login)});
            const auto session =
                openSession(tx, account.user.id, enrolmentRequired, context, services.auth);
            asUser.actor.sessionId = session.id;
            audit::append(tx, asUser,
                          {account.user.staff ? 0 : account.user.contractId,
                           "auth.login",
                           detail::userTarget(account.user.id),
                           "ok",
                           {{"login", account.user.login},
                            {"session", session.id},
                            {"totp", totpStep.has_value()},
                            {"totp_enrolment_required", enrolmentRequired}}});
            LoginResult loginResult;
            loginResult.sessionToken = session.token;
            loginResult.csrfToken = session.csrfToken;
            loginResult.user = account.user;
            loginResult.totpEnrolmentRequired = enrolmentRequired;
            loginResult.expiresAt = session.expiresAt;
            return loginResult;
        });
    if (!result) {
        return fail(failLogin(db, context, request, state, "bad_otp", std::move(result).error()));
    }
    return result;
}

Outcome<void> logout(storage::Database& db, const RequestContext& context) {
    if (!context.actor.sessionId) return {};
    db.run(storage::Mode::Write, [&](storage::Transaction& tx) {
        tx.execute("DELETE FROM sessions WHERE id = $1", {*context.actor.sessionId});
        audit::append(tx, context,
                      {context.actor.isStaff() ? 0 : context.actor.contractId,
                       "auth.logout",
                       detail::userTarget(context.actor.id),
                       "ok",
                       {{"session", *context.actor.sessionId}}});
    });
    return {};
}

void endSessionByToken(storage::Database& db, const std::string& sessionToken) {
    db.run(storage::Mode::Write, [&](storage::Transaction& tx) {
        tx.execute("DELETE FROM sessions WHERE id_hash = $1", {tokenHash(sessionToken)});
    });
}

}  // namespace dnsfleet::controld::accounts
