#pragma once
// Private: opening sessions (login, and a fresh one after a password change).
#include <string>

#include "controld/config/settings.hpp"
#include "controld/core/context.hpp"
#include "storage/database.hpp"

namespace dnsfleet::controld::accounts {

struct OpenedSession {
    Id id = 0;
    std::string token;  ///< the cookie's value (only its hash is stored)
    std::string csrfToken;
    Timestamp expiresAt = 0;
};

/// Inserts a new session for `accountId` with the idle and absolute timeouts of `auth`, and
/// drops the account's expired sessions on the way.
[[nodiscard]] OpenedSession openSession(storage::Transaction& tx, Id accountId, bool mfaPending,
                                        const RequestContext& context,
                                        const config::AuthSettings& auth);

}  // namespace dnsfleet::controld::accounts
