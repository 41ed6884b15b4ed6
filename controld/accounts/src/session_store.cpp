#include "session_store.hpp"

#include "controld/accounts/random_token.hpp"

namespace dnsfleet::controld::accounts {

OpenedSession openSession(storage::Transaction& tx, Id accountId, bool mfaPending,
                          const RequestContext& context, const config::AuthSettings& auth) {
    constexpr std::int64_t kMicros = 1'000'000;
    tx.execute("DELETE FROM sessions WHERE account_id = $1 AND expires_at <= $2",
               {accountId, context.now});
    OpenedSession session;
    // 128 bits are enough against guessing (OWASP); the prefix makes a leaked cookie obvious.
    session.token = randomToken(kSessionTokenPrefix, kMinTokenBytes);
    session.csrfToken = randomToken({}, kDefaultTokenBytes);
    session.expiresAt =
        context.now + static_cast<std::int64_t>(auth.sessionAbsolute.count()) * kMicros;
    session.id =
        tx.queryOne(
              "INSERT INTO sessions (id_hash, account_id, csrf_token, mfa_pending, "
              "source_address, created_at, last_seen_at, idle_seconds, expires_at) VALUES "
              "($1, $2, $3, $4, $5, $6, $6, $7, $8) RETURNING id",
              {tokenHash(session.token), accountId, session.csrfToken,
               static_cast<std::int64_t>(mfaPending ? 1 : 0), context.sourceAddress, context.now,
               static_cast<std::int64_t>(auth.sessionIdle.count()), session.expiresAt})
            ->integer(0);
    return session;
}

}  // namespace dnsfleet::controld::accounts
