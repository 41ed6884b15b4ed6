#pragma once
/// \file
/// API tokens: per user, shown once, stored as their SHA-256 only, with read or write
/// scope, an optional list of zones, an optional expiry, and revocation. A token acts as its
/// user, limited by its scope and zones (authz::allowed applies the limits).
#include <optional>
#include <string>
#include <vector>

#include "controld/core/context.hpp"
#include "storage/database.hpp"

namespace dnsfleet::controld::accounts {

struct ApiToken {
    Id id = 0;
    std::string name;
    std::string scope;               ///< read | write
    std::vector<std::string> zones;  ///< lower case, no final dot; empty = every zone
    Timestamp createdAt = 0;
    std::optional<Timestamp> expiresAt;
    std::optional<Timestamp> revokedAt;
    std::optional<Timestamp> lastUsedAt;
};

struct NewApiToken {
    std::string name;
    std::string scope = "read";
    std::vector<std::string> zones;
    std::optional<Timestamp> expiresAt;
};

struct CreatedApiToken {
    ApiToken token;
    std::string secret;  ///< "dft_..."; shown once, never stored
};

/// Creates a token for the caller's own account (permission TokensOwn).
[[nodiscard]] Outcome<CreatedApiToken> createApiToken(storage::Database& db,
                                                      const RequestContext& context,
                                                      const NewApiToken& request);

/// The caller's tokens, newest first, revoked ones included (never a secret).
[[nodiscard]] Outcome<std::vector<ApiToken>> listApiTokens(storage::Database& db,
                                                           const RequestContext& context);

/// Revokes one of the caller's tokens; NotFound for anyone else's.
[[nodiscard]] Outcome<void> revokeApiToken(storage::Database& db, const RequestContext& context,
                                           Id tokenId);

}  // namespace dnsfleet::controld::accounts
