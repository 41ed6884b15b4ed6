#include "controld/accounts/api_tokens.hpp"

#include <nlohmann/json.hpp>

#include "account_rows.hpp"
#include "controld/accounts/random_token.hpp"
#include "controld/audit/event_log.hpp"
#include "controld/authz/authz.hpp"

namespace dnsfleet::controld::accounts {
namespace {

constexpr std::string_view kTokenColumns =
    "id, name, scope, zones, created_at, expires_at, revoked_at, last_used_at";
constexpr std::size_t kMaxZones = 1000;

ApiToken tokenFromRow(const storage::Row& row) {
    ApiToken token;
    token.id = row.integer(0);
    token.name = row.text(1);
    token.scope = row.text(2);
    const auto zones = nlohmann::json::parse(row.text(3), nullptr, false);
    if (zones.is_array()) {
        token.zones.reserve(zones.size());
        for (const auto& zone : zones) {
            if (zone.is_string()) token.zones.push_back(zone.get<std::string>());
        }
    }
    token.createdAt = row.integer(4);
    token.expiresAt = row.optionalInteger(5);
    token.revokedAt = row.optionalInteger(6);
    token.lastUsedAt = row.optionalInteger(7);
    return token;
}

bool plausibleZoneName(std::string_view name) {
    if (name.empty() || name.size() > 253) return false;
    for (const char c : name) {
        const auto u = static_cast<unsigned char>(c);
        if (u >= 0x80 || (std::isalnum(u) == 0 && c != '-' && c != '_' && c != '.')) return false;
    }
    return name.find("..") == std::string_view::npos && name.front() != '.';
}

Id chainOf(const Actor& actor) {
    return actor.isStaff() ? 0 : actor.contractId;
}

}  // namespace

Outcome<CreatedApiToken> createApiToken(storage::Database& db, const RequestContext& context,
                                        const NewApiToken& request) {
    DNSFLEET_TRY(authz::authorize(db, context, authz::Permission::TokensOwn, 0));
    std::vector<FieldError> fields;
    if (request.name.empty() || request.name.size() > 100 ||
        request.name.find_first_of("\r\n") != std::string::npos) {
        fields.push_back({"/name", "must be 1 to 100 characters on one line"});
    }
    if (request.scope != "read" && request.scope != "write") {
        fields.push_back({"/scope", "must be read or write"});
    }
    if (request.zones.size() > kMaxZones) fields.push_back({"/zones", "at most 1000 zones"});
    std::vector<std::string> zones;
    zones.reserve(request.zones.size());
    for (std::size_t i = 0; i < request.zones.size(); ++i) {
        if (!plausibleZoneName(request.zones[i])) {
            fields.push_back({"/zones/" + std::to_string(i), "must be a zone name"});
            continue;
        }
        zones.push_back(authz::zoneKey(request.zones[i]));
    }
    if (request.expiresAt && *request.expiresAt <= context.now) {
        fields.push_back({"/expires_at", "must be in the future"});
    }
    // A token may only make tokens it could itself use: no wider scope, no more zones.
    if (context.actor.tokenId) {
        if (!context.actor.tokenCanWrite && request.scope == "write") {
            fields.push_back({"/scope", "a read-only token cannot create a write token"});
        }
        if (!context.actor.tokenZones.empty()) {
            bool covered = !zones.empty();
            for (const auto& zone : zones) {
                covered = covered && authz::tokenCoversZone(context.actor, zone);
            }
            if (!covered) fields.push_back({"/zones", "must be within the calling token's zones"});
        }
    }
    if (!fields.empty()) return fail(invalid("the token is not valid", std::move(fields)));

    CreatedApiToken created;
    created.secret = randomToken(kApiTokenPrefix);
    return db.run(storage::Mode::Write, [&](storage::Transaction& tx) -> Outcome<CreatedApiToken> {
        storage::Value expires;
        if (request.expiresAt) expires = *request.expiresAt;
        const Id id =
            tx.queryOne(
                  "INSERT INTO api_tokens (token_hash, account_id, name, scope, zones, "
                  "created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                  {tokenHash(created.secret), context.actor.id, request.name, request.scope,
                   nlohmann::json(zones).dump(), context.now, expires})
                ->integer(0);
        audit::append(tx, context,
                      {chainOf(context.actor),
                       "token.create",
                       "token:" + std::to_string(id),
                       "ok",
                       {{"name", request.name}, {"scope", request.scope}, {"zones", zones}}});
        created.token = tokenFromRow(*tx.queryOne(
            "SELECT " + std::string(kTokenColumns) + " FROM api_tokens WHERE id = $1", {id}));
        return created;
    });
}

Outcome<std::vector<ApiToken>> listApiTokens(storage::Database& db, const RequestContext& context) {
    DNSFLEET_TRY(authz::authorize(db, context, authz::Permission::TokensOwn, 0));
    return db.run(storage::Mode::Read, [&](storage::Transaction& tx) {
        const auto rows = tx.query("SELECT " + std::string(kTokenColumns) +
                                       " FROM api_tokens WHERE account_id = $1 ORDER BY id DESC",
                                   {context.actor.id});
        std::vector<ApiToken> tokens;
        tokens.reserve(rows.size());
        for (const auto& row : rows)
            tokens.push_back(tokenFromRow(row));
        return tokens;
    });
}

Outcome<void> revokeApiToken(storage::Database& db, const RequestContext& context, Id tokenId) {
    DNSFLEET_TRY(authz::authorize(db, context, authz::Permission::TokensOwn, 0));
    return db.run(storage::Mode::Write, [&](storage::Transaction& tx) -> Outcome<void> {
        const auto row =
            tx.queryOne("SELECT revoked_at FROM api_tokens WHERE id = $1 AND account_id = $2",
                        {tokenId, context.actor.id});
        if (!row) return fail(notFound("no such token"));
        if (!row->isNull(0)) return {};  // revoking twice is not an error
        tx.execute("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2", {context.now, tokenId});
        audit::append(tx, context,
                      {chainOf(context.actor), "token.revoke", "token:" + std::to_string(tokenId),
                       "ok", nlohmann::json::object()});
        return {};
    });
}

}  // namespace dnsfleet::controld::accounts
