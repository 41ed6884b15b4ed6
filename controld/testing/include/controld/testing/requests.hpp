#pragma once
/// \file
/// Requests as the gateway hands them to the router, for the route tests: the query string
/// split off the target, a JSON (or other) body with its content type, the caller's context.
#include <string>

#include "controld/core/context.hpp"
#include "controld/http/router.hpp"

namespace dnsfleet::controld::testing {

/// `method` on `target` ("/api/v1/...?a=1&b=2") by `context`; a non-empty `body` is sent as
/// `contentType`.
[[nodiscard]] http::Request request(const std::string& method, const std::string& target,
                                    const RequestContext& context, const std::string& body = "",
                                    const std::string& contentType = "application/json");

/// The value of response header `name` (as the handler spelled it), if set.
[[nodiscard]] std::optional<std::string> header(const http::Response& response,
                                                const std::string& name);

}  // namespace dnsfleet::controld::testing
