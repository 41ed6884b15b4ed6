#pragma once
/// \file
/// What happens to every request between the socket and the router, without sockets: request
/// id, authentication, rate limiting, CORS, security headers and the access log. The TLS server
/// (server.hpp) only converts between cpp-httplib and these types, so this part is unit-tested
/// with hand-made requests and an injected authenticator.
#include <functional>
#include <string>

#include "controld/config/settings.hpp"
#include "controld/http/rate_limiter.hpp"
#include "controld/http/router.hpp"

namespace dnsfleet::controld::http {

/// Turns a request's credentials (cookie, bearer token, CSRF header) into an actor; the daemon
/// binds accounts::authenticate to its database here.
using Authenticator = std::function<Outcome<Actor>(const Request&, const RequestContext&)>;

/// The headers a cross-origin portal may send (preflight answer).
inline constexpr const char* kCorsAllowHeaders =
    "Authorization, Content-Type, If-Match, X-CSRF-Token";

class Gateway {
  public:
    Gateway(const Router& router, Authenticator authenticate, const config::ApiSettings& settings);

    /// Runs one request. The caller fills method, path, query, headers, body and
    /// context.sourceAddress; everything else (request id, time, actor) is set here. Never throws.
    [[nodiscard]] Response handle(Request& request);

    /// A problem response for a request the server refused before it reached the gateway
    /// (body too large, malformed HTTP), with the same headers as every other response.
    [[nodiscard]] Response refuse(Request& request, ErrorCode code, std::string detail);

  private:
    [[nodiscard]] Response route(Request& request);
    [[nodiscard]] Response preflight(const Request& request) const;
    void finish(const Request& request, Response& response) const;

    const Router& router_;
    Authenticator authenticate_;
    std::string portalOrigin_;
    RateLimiter limiter_;
};

/// A fresh random request id (32 hex digits).
[[nodiscard]] std::string newRequestId();

}  // namespace dnsfleet::controld::http
