#pragma once
/// \file
/// A small HTTPS client for the control plane's REST API. cpp-httplib stays behind a pimpl so
/// that its configuration macros never leak into other translation units.

#include <chrono>
#include <map>
#include <memory>
#include <string>

#include "common/result.hpp"

namespace dnsfleet::cli {

/// How to reach the API.
struct ClientOptions {
    std::string endpoint;   ///< https://host[:port] (default port 443)
    std::string caFile;     ///< PEM trust anchors; empty: the system store
    bool insecure = false;  ///< do not verify the server's certificate
    std::chrono::seconds timeout{30};
};

/// One request; `path` is absolute (e.g. "/api/v1/zones"), already percent-encoded.
struct HttpRequest {
    std::string method;
    std::string path;
    std::map<std::string, std::string> headers;
    std::string body;
    std::string contentType;  ///< set with a body
};

/// The answer; header names are lower-case.
struct HttpResponse {
    int status = 0;
    std::map<std::string, std::string> headers;
    std::string body;

    /// The header `name` (any case), or "" when absent.
    [[nodiscard]] std::string header(const std::string& name) const;
};

/// Why a request got no answer: the endpoint is bad, the connection failed or TLS failed.
struct TransportError {
    std::string message;
};

/// Sends requests to one endpoint, reusing nothing between calls (the CLI sends few).
class ApiClient {
  public:
    /// Fails when the endpoint is not an https:// URL.
    [[nodiscard]] static Result<std::unique_ptr<ApiClient>, TransportError> create(
        const ClientOptions& options);
    ~ApiClient();
    ApiClient(const ApiClient&) = delete;
    ApiClient& operator=(const ApiClient&) = delete;
    ApiClient(ApiClient&&) = delete;
    ApiClient& operator=(ApiClient&&) = delete;

    /// Any HTTP status is a successful exchange; only transport failures are errors.
    [[nodiscard]] Result<HttpResponse, TransportError> send(const HttpRequest& request);

  private:
    struct Impl;
    explicit ApiClient(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

/// Percent-encodes one path segment or query value (RFC 3986 unreserved characters stay).
[[nodiscard]] std::string encodeComponent(const std::string& text);

}  // namespace dnsfleet::cli
