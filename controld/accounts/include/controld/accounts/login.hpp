#pragma once
/// \file
/// Logging in and out. A login checks the password (unknown logins cost and answer
/// the same as wrong passwords), throttles guessing per login and per source address, asks for
/// a TOTP code when the account has one, and opens a new session: a 128-bit random id that only
/// the client holds (the database keeps its SHA-256), a CSRF token, an idle and an absolute
/// timeout. Every success and failure goes to the event log, never with the password.
#include <optional>
#include <string>

#include "controld/accounts/password.hpp"
#include "controld/accounts/users.hpp"
#include "controld/config/settings.hpp"
#include "controld/core/context.hpp"
#include "storage/database.hpp"

namespace dnsfleet::controld::accounts {

class SecretBox;

struct LoginRequest {
    std::string login;
    std::string password;
    std::optional<std::string> otp;  ///< the TOTP code, when the account has TOTP
};

struct LoginResult {
    std::string sessionToken;  ///< the cookie's value; shown only here
    std::string csrfToken;     ///< to send as X-CSRF-Token on unsafe requests
    User user;
    /// The contract requires MFA and the account has no TOTP yet: the session may only enrol
    /// (POST /auth/totp, POST /auth/totp/confirm), see /me and log out until it is confirmed.
    bool totpEnrolmentRequired = false;
    Timestamp expiresAt = 0;  ///< the absolute timeout
};

/// What login needs besides the database.
struct LoginServices {
    const config::AuthSettings& auth;
    const PasswordHasher& hasher;
    const SecretBox* secrets = nullptr;  ///< for accounts with TOTP
};

/// Checks the credentials and opens a session.
/// \retval ErrorCode::Unauthenticated  wrong login or password (one answer for both); with a
///                                     field error on "/otp" when the code is missing or wrong
/// \retval ErrorCode::TooManyRequests  throttled; `retryAfterSeconds` says for how long
/// \retval ErrorCode::Forbidden        the source address is outside the contract's allowlist,
///                                     or the contract is not active
[[nodiscard]] Outcome<LoginResult> login(storage::Database& db, const RequestContext& context,
                                         const LoginServices& services,
                                         const LoginRequest& request);

/// Ends the caller's session (the cookie of `context.actor`). Token callers have none to end.
[[nodiscard]] Outcome<void> logout(storage::Database& db, const RequestContext& context);

/// Ends the session whose cookie value is `sessionToken`, if any (a login rotates the session:
/// the client's previous one ends).
void endSessionByToken(storage::Database& db, const std::string& sessionToken);

/// How long a login or source address must wait after `failures` recent failures, with
/// `threshold` free attempts: 0 below the threshold, then 1, 2, 4, ... seconds up to 15 minutes.
[[nodiscard]] std::int64_t throttleDelaySeconds(std::int64_t failures, int threshold) noexcept;

/// Failures older than this are forgotten.
inline constexpr std::int64_t kThrottleWindowSeconds = std::int64_t{15} * 60;

}  // namespace dnsfleet::controld::accounts
