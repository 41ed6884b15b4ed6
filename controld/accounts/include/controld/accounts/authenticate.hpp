#pragma once
/// \file
/// Turning a request's credentials into an `Actor`: a session cookie or an API token (bearer).
/// Used by the HTTP middleware for every authenticated route; the contract's source-IP
/// allowlist is applied here, for portal and API alike.
#include <optional>
#include <string>

#include "controld/core/context.hpp"
#include "storage/database.hpp"

namespace dnsfleet::controld::accounts {

/// The session cookie's name.
inline constexpr const char* kSessionCookie = "dnsfleet_session";
/// The header a cookie-authenticated unsafe request (POST, PUT, PATCH, DELETE) must carry with
/// the session's CSRF token (returned at login); bearer tokens need none.
inline constexpr const char* kCsrfHeader = "x-csrf-token";

struct Credentials {
    std::optional<std::string> sessionCookie;  ///< the cookie's value
    std::optional<std::string> bearerToken;    ///< from "Authorization: Bearer ..."
    std::optional<std::string> csrfToken;      ///< the X-CSRF-Token header
    bool unsafeMethod = false;                 ///< POST, PUT, PATCH or DELETE
    /// Accept a session that still has to enrol TOTP (its contract requires MFA). Only the
    /// enrolment routes (POST /auth/totp, /auth/totp/confirm), /auth/me and /auth/logout set
    /// it; everywhere else such a session is Forbidden until enrolment is confirmed.
    bool allowTotpEnrolment = false;
};

/// Who the credentials belong to. Unauthenticated for none, unknown, expired or revoked
/// credentials (one answer for all); Forbidden when the source address is outside the
/// contract's allowlist or a cookie request lacks its CSRF token (both logged as denied).
/// Touches the session's idle timer (at most every few seconds) or the token's last use.
[[nodiscard]] Outcome<Actor> authenticate(storage::Database& db, const Credentials& credentials,
                                          const RequestContext& context);

}  // namespace dnsfleet::controld::accounts
