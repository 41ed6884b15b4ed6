#include "controld/accounts/authenticate.hpp"

#include <nlohmann/json.hpp>

#include "controld/accounts/ip_prefix.hpp"
#include "controld/accounts/random_token.hpp"
#include "controld/audit/event_log.hpp"
#include "controld/authz/authz.hpp"

namespace dnsfleet::controld::accounts {
namespace {

constexpr std::int64_t kMicros = 1'000'000;
/// The idle timer and a token's last use are written at most this often: one write per request
/// would serialize every read of the API behind the single SQLite writer.
constexpr std::int64_t kTouchIntervalMicros = 5 * kMicros;
constexpr std::int64_t kTokenTouchIntervalMicros = 60 * kMicros;

/// The account and contract columns both lookups end with, from `first` on.
constexpr std::string_view kAccountColumns =
    "a.id, a.kind, a.login, a.contract_id, a.role, c.ip_allowlist, c.state";
constexpr std::string_view kAccountJoin =
    " JOIN accounts a ON a.id = {}.account_id LEFT JOIN contracts c ON c.id = a.contract_id";

std::string join(std::string_view alias) {
    std::string text(kAccountJoin);
    text.replace(text.find("{}"), 2, alias);
    return text;
}

struct Principal {
    Actor actor;
    std::vector<IpPrefix> allowlist;
    bool contractActive = true;
};

Principal principalFromRow(const storage::Row& row, std::size_t first) {
    Principal principal;
    Actor& actor = principal.actor;
    actor.id = row.integer(first);
    actor.kind = row.text(first + 1) == "staff" ? Actor::Kind::Staff : Actor::Kind::User;
    actor.login = row.text(first + 2);
    actor.contractId = row.optionalInteger(first + 3).value_or(0);
    if (const auto role = row.optionalText(first + 4)) {
        actor.role = parseRole(*role).value_or(Role::Viewer);
    }
    if (const auto allowlist = row.optionalText(first + 5)) {
        const auto prefixes = nlohmann::json::parse(*allowlist, nullptr, false);
        if (prefixes.is_array()) {
            for (const auto& text : prefixes) {
                if (!text.is_string()) continue;
                if (auto prefix = parseIpPrefix(text.get<std::string>())) {
                    principal.allowlist.push_back(*prefix);
                }
            }
        }
    }
    // Suspended and cancelled contracts alike: their sessions end when the state changes, and
    // a token (or a session that raced the change) is refused from then on.
    principal.contractActive = row.optionalText(first + 6).value_or("active") == "active";
    return principal;
}

ServiceError deny(storage::Database& db, const RequestContext& context, const Actor& actor,
                  const std::string& reason, ServiceError error) {
    RequestContext asActor = context;
    asActor.actor = actor;
    // The target is what the rule protects: the contract whose allowlist or session refused.
    const std::string target =
        actor.isStaff() ? "platform" : db.run(storage::Mode::Read, [&](storage::Transaction& tx) {
            return authz::contractTarget(tx, actor.contractId);
        });
    audit::appendAlone(db, asActor,
                       {actor.isStaff() ? 0 : actor.contractId,
                        "access.denied",
                        target,
                        "denied",
                        {{"reason", reason}, {"source_address", context.sourceAddress}}});
    return error;
}

/// The checks every authenticated request of a contract passes; staff are platform
/// people, not subject to a contract's allowlist.
Outcome<void> checkContractRules(storage::Database& db, const RequestContext& context,
                                 const Principal& principal) {
    if (principal.actor.isStaff()) return {};
    if (!principal.contractActive) return fail(unauthenticated());
    if (!allowlistPermits(principal.allowlist, context.sourceAddress)) {
        return fail(deny(db, context, principal.actor, "ip_allowlist",
                         forbidden("the source address is not allowed for this contract")));
    }
    return {};
}

Outcome<Actor> bySession(storage::Database& db, const Credentials& credentials,
                         const RequestContext& context) {
    const auto hash = tokenHash(*credentials.sessionCookie);
    const auto row = db.run(storage::Mode::Read, [&](storage::Transaction& tx) {
        return tx.queryOne(
            "SELECT s.id, s.csrf_token, s.mfa_pending, s.last_seen_at, "
            "s.idle_seconds, s.expires_at, " +
                std::string(kAccountColumns) + " FROM sessions s" + join("s") +
                " WHERE s.id_hash = $1 AND a.disabled = 0",
            {hash});
    });
    if (!row) return fail(unauthenticated());
    const Id sessionId = row->integer(0);
    const auto lastSeen = row->integer(3);
    const bool idleExpired = context.now - lastSeen > row->integer(4) * kMicros;
    if (idleExpired || context.now >= row->integer(5)) {
        db.run(storage::Mode::Write, [&](storage::Transaction& tx) {
            tx.execute("DELETE FROM sessions WHERE id = $1", {sessionId});
        });
        return fail(unauthenticated());
    }
    auto principal = principalFromRow(*row, 6);
    principal.actor.sessionId = sessionId;
    DNSFLEET_TRY(checkContractRules(db, context, principal));
    if (credentials.unsafeMethod &&
        (!credentials.csrfToken || !constantTimeEquals(*credentials.csrfToken, row->text(1)))) {
        return fail(deny(db, context, principal.actor, "csrf",
                         forbidden("the X-CSRF-Token header is missing or wrong")));
    }
    if (row->integer(2) != 0 && !credentials.allowTotpEnrolment) {
        return fail(forbidden(
            "the contract requires a second factor: enrol TOTP with POST /api/v1/auth/totp and "
            "confirm it with POST /api/v1/auth/totp/confirm first"));
    }
    if (context.now - lastSeen >= kTouchIntervalMicros) {
        db.run(storage::Mode::Write, [&](storage::Transaction& tx) {
            tx.execute("UPDATE sessions SET last_seen_at = $1 WHERE id = $2 AND last_seen_at < $1",
                       {context.now, sessionId});
        });
    }
    return principal.actor;
}

Outcome<Actor> byToken(storage::Database& db, const Credentials& credentials,
                       const RequestContext& context) {
    const auto hash = tokenHash(*credentials.bearerToken);
    const auto row = db.run(storage::Mode::Read, [&](storage::Transaction& tx) {
        return tx.queryOne(
            "SELECT t.id, t.scope, t.zones, t.expires_at, t.revoked_at, "
            "t.last_used_at, " +
                std::string(kAccountColumns) + " FROM api_tokens t" + join("t") +
                " WHERE t.token_hash = $1 AND a.disabled = 0",
            {hash});
    });
    if (!row) return fail(unauthenticated());
    const Id tokenId = row->integer(0);
    const auto expiresAt = row->optionalInteger(3);
    if (!row->isNull(4) || (expiresAt && context.now >= *expiresAt)) {
        return fail(unauthenticated());
    }
    auto principal = principalFromRow(*row, 6);
    Actor& actor = principal.actor;
    actor.tokenId = tokenId;
    actor.tokenCanWrite = row->text(1) == "write";
    const auto zones = nlohmann::json::parse(row->text(2), nullptr, false);
    if (zones.is_array()) {
        actor.tokenZones.reserve(zones.size());
        for (const auto& zone : zones) {
            if (zone.is_string()) actor.tokenZones.push_back(zone.get<std::string>());
        }
    }
    DNSFLEET_TRY(checkContractRules(db, context, principal));
    const auto lastUsed = row->optionalInteger(5);
    if (!lastUsed || context.now - *lastUsed >= kTokenTouchIntervalMicros) {
        db.run(storage::Mode::Write, [&](storage::Transaction& tx) {
            tx.execute("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2",
                       {context.now, tokenId});
        });
    }
    return actor;
}

}  // namespace

Outcome<Actor> authenticate(storage::Database& db, const Credentials& credentials,
                            const RequestContext& context) {
    if (credentials.bearerToken) return byToken(db, credentials, context);
    if (credentials.sessionCookie) return bySession(db, credentials, context);
    return fail(unauthenticated());
}

}  // namespace dnsfleet::controld::accounts
