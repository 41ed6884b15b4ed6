#pragma once
/// \file
/// The credentials a request carries, read once for the gateway's authenticator and the routes
/// that authenticate by themselves: what they are worth is for accounts::authenticate.
#include <optional>
#include <string>
#include <string_view>

#include "controld/http/router.hpp"

namespace dnsfleet::controld::http {

struct RequestCredentials {
    std::optional<std::string> sessionCookie;  ///< the named cookie's value
    std::optional<std::string> bearerToken;    ///< from "Authorization: Bearer ..." (any case)
    std::optional<std::string> csrfToken;      ///< the named CSRF header
    bool unsafeMethod = false;                 ///< anything but GET, HEAD and OPTIONS
};

/// The value of cookie `name` in a Cookie header ("a=1; dnsfleet_session=xyz"), if present;
/// a quoted value loses its quotes (RFC 6265 allows them).
[[nodiscard]] std::optional<std::string> cookieValue(std::string_view header,
                                                     std::string_view name);

/// The session cookie `cookieName` (from any Cookie header), the bearer token, the CSRF header
/// `csrfHeader` (lower-case) and whether the method changes state.
[[nodiscard]] RequestCredentials credentialsOf(const Request& request, std::string_view cookieName,
                                               std::string_view csrfHeader);

}  // namespace dnsfleet::controld::http
