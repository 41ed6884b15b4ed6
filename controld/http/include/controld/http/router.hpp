#pragma once
/// \file
/// The API's HTTP layer without sockets: requests, responses and a router. The server adapter
/// (server.hpp, cpp-httplib over TLS) fills a `Request`, the middleware authenticates it, and
/// `Router::dispatch` calls the handler; handlers are plain functions and are unit-tested by
/// dispatching hand-made requests. Nothing below this layer sees HTTP types.
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "controld/core/context.hpp"

namespace dnsfleet::controld::http {

struct Request {
    std::string method;  ///< "GET", "POST", ...
    /// The path as sent (percent-encoded), without the query string; the router splits it at
    /// '/' and then decodes each segment, so that "%2F" inside a parameter stays in it.
    std::string path;
    std::multimap<std::string, std::string> query;
    /// Header names lower-case.
    std::multimap<std::string, std::string> headers;
    std::string body;
    /// Path parameters of the matched route ("{zone}" → params["zone"]), percent-decoded.
    std::map<std::string, std::string> params;
    /// Filled by the server and the authentication middleware before the handler runs.
    RequestContext context;

    [[nodiscard]] std::optional<std::string> header(std::string_view lowerName) const;
    [[nodiscard]] std::optional<std::string> queryParam(std::string_view name) const;
    [[nodiscard]] const std::string& param(const std::string& name) const;
};

struct Response {
    int status = 200;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string contentType = "application/json";
    std::string body;

    void setHeader(std::string name, std::string value);
};

/// A JSON response.
[[nodiscard]] Response json(int status, const nlohmann::json& body);
/// 204 No Content.
[[nodiscard]] Response noContent();
/// An RFC 9457 problem document (application/problem+json) for `error`, with the request id,
/// `errors` (field, message) for validation failures, `conflicts` when present, and Retry-After
/// on 429. `instance` is the request path (the router passes it; handlers may leave it out).
[[nodiscard]] Response problem(const ServiceError& error, const RequestContext& context,
                               std::string_view instance = {});

/// Parses a JSON object body: 415 unless the content type is JSON, 400 with the line/column of a
/// syntax error, 400 when it is not an object, repeats a member name or nests deeper than 64
/// levels. The size limit is enforced by the server.
[[nodiscard]] Outcome<nlohmann::json> parseJsonBody(const Request& request);

/// Checks a body object's members: every key must be in `allowed` (unknown members are an error
/// naming them), every key in `required` present. Field errors use JSON pointers ("/name").
[[nodiscard]] Outcome<void> checkMembers(const nlohmann::json& body,
                                         std::initializer_list<std::string_view> required,
                                         std::initializer_list<std::string_view> allowed);

/// Pagination query parameters: `page` (1-based, default 1) and `per_page` (1..1000, default
/// 100), with field errors when malformed.
struct PageRequest {
    std::int64_t page = 1;
    std::int64_t perPage = 100;
    [[nodiscard]] std::int64_t offset() const noexcept { return (page - 1) * perPage; }
};
[[nodiscard]] Outcome<PageRequest> pageRequest(const Request& request);
/// `{"items": items, "total": total, "page": p, "per_page": n}`.
[[nodiscard]] nlohmann::json pageBody(nlohmann::json items, std::int64_t total,
                                      const PageRequest& page);

/// A handler returns the response or an error that becomes a problem document.
using Handler = std::function<Outcome<Response>(Request&)>;

/// How a route is reached.
struct RouteInfo {
    std::string method;
    std::string pattern;        ///< "/api/v1/contracts/{contract}/zones/{zone}"
    bool authenticated = true;  ///< false: login, password reset, health
    /// For the role and tenant matrices: the permission the route needs, as its name
    /// ("ZoneEdit"); "" for routes every authenticated caller may use.
    std::string permission;
};

/// Method + path pattern → handler. Patterns are literal segments and `{name}` segments (one
/// path segment each). 404 and 405 (with Allow) are problem documents.
class Router {
  public:
    void add(RouteInfo info, Handler handler);
    /// Finds the route, fills request.params, runs the handler; never throws (an exception
    /// from a handler becomes a logged 500).
    [[nodiscard]] Response dispatch(Request& request) const;
    /// The route `request` would reach (without running it), or nullptr.
    [[nodiscard]] const RouteInfo* match(const Request& request) const;
    [[nodiscard]] std::vector<RouteInfo> routes() const;

  private:
    struct Route {
        RouteInfo info;
        std::vector<std::string> segments;
        Handler handler;
    };
    std::vector<Route> routes_;
};

}  // namespace dnsfleet::controld::http
