#include "controld/http/gateway.hpp"

#include <openssl/rand.h>
#include <spdlog/spdlog.h>

#include <array>
#include <chrono>
#include <set>
#include <stdexcept>

namespace dnsfleet::controld::http {

namespace {

/// 429 with Retry-After: `wait` seconds until the request's bucket has a token again.
Response tooManyRequests(int wait, const Request& request) {
    ServiceError error;
    error.code = ErrorCode::TooManyRequests;
    error.detail = "too many requests";
    error.retryAfterSeconds = wait;
    return problem(error, request.context, request.path);
}

}  // namespace

std::string newRequestId() {
    std::array<unsigned char, 16> bytes{};
    if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
        throw std::runtime_error("RAND_bytes failed");
    }
    static constexpr std::string_view kHex = "0123456789abcdef";
    std::string id;
    id.reserve(bytes.size() * 2);
    for (const unsigned char byte : bytes) {
        id.push_back(kHex[byte >> 4U]);
        id.push_back(kHex[byte & 0xFU]);
    }
    return id;
}

Gateway::Gateway(const Router& router, Authenticator authenticate,
                 const config::ApiSettings& settings)
    : router_(router),
      authenticate_(std::move(authenticate)),
      portalOrigin_(settings.portalOrigin),
      limiter_(settings.rateLimitPerSecond, settings.rateLimitBurst) {}

Response Gateway::handle(Request& request) {
    const auto started = std::chrono::steady_clock::now();
    request.context.now = nowUtc();
    Response response;
    try {
        // Our own id, never the client's: log lines and events must not be forgeable.
        request.context.requestId = newRequestId();
        response = route(request);
    } catch (const std::exception& e) {
        spdlog::error("request {} {} {}: {}", request.context.requestId, request.method,
                      request.path, e.what());
        ServiceError error;
        error.code = ErrorCode::Internal;
        error.detail = "internal error; the request id identifies it in the log";
        response = problem(error, request.context, request.path);
    }
    finish(request, response);
    const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(
                            std::chrono::steady_clock::now() - started)
                            .count();
    spdlog::info("access {} {} {} {} {} {}B {}us {}", request.context.requestId,
                 request.context.sourceAddress.empty() ? "-" : request.context.sourceAddress,
                 request.context.actor.login.empty() ? "-" : request.context.actor.login,
                 request.method, request.path, response.status, response.body.size(), micros);
    return response;
}

Response Gateway::refuse(Request& request, ErrorCode code, std::string detail) {
    request.context.now = nowUtc();
    if (request.context.requestId.empty()) request.context.requestId = newRequestId();
    ServiceError error;
    error.code = code;
    error.detail = std::move(detail);
    Response response = problem(error, request.context, request.path);
    finish(request, response);
    spdlog::info("access {} {} - {} {} {} refused", request.context.requestId,
                 request.context.sourceAddress.empty() ? "-" : request.context.sourceAddress,
                 request.method, request.path, response.status);
    return response;
}

Response Gateway::route(Request& request) {
    if (request.method == "OPTIONS") return preflight(request);
    const RouteInfo* info = router_.match(request);
    std::string bucket = "address:" + request.context.sourceAddress;
    if (info != nullptr && info->authenticated) {
        Outcome<Actor> actor = authenticate_(request, request.context);
        if (!actor) {
            // Failed credentials count against the address, so guessing is rate limited too.
            if (const auto wait = limiter_.take(bucket, request.context.now)) {
                return tooManyRequests(*wait, request);
            }
            return problem(actor.error(), request.context, request.path);
        }
        request.context.actor = std::move(actor).value();
        const Actor& who = request.context.actor;
        bucket = who.isUser() ? "contract:" + std::to_string(who.contractId)
                              : "account:" + std::to_string(who.id);
    }
    if (const auto wait = limiter_.take(bucket, request.context.now)) {
        return tooManyRequests(*wait, request);
    }
    return router_.dispatch(request);
}

// OPTIONS: a CORS preflight from the portal gets the methods the path allows; anyone else
// gets the Allow list only, which a browser treats as a refusal.
Response Gateway::preflight(const Request& request) const {
    std::set<std::string> methods;
    for (const char* method : {"GET", "POST", "PUT", "PATCH", "DELETE"}) {
        Request probe;
        probe.method = method;
        probe.path = request.path;
        if (router_.match(probe) != nullptr) methods.insert(method);
    }
    if (methods.empty())
        return problem(notFound("no such resource"), request.context, request.path);
    std::string allow;
    for (const std::string& method : methods) {
        if (!allow.empty()) allow += ", ";
        allow += method;
    }
    Response response = noContent();
    response.setHeader("Allow", allow + ", OPTIONS");
    const auto origin = request.header("origin");
    if (origin && !portalOrigin_.empty() && *origin == portalOrigin_) {
        response.setHeader("Access-Control-Allow-Methods", allow);
        response.setHeader("Access-Control-Allow-Headers", kCorsAllowHeaders);
        response.setHeader("Access-Control-Max-Age", "600");
    }
    return response;
}

void Gateway::finish(const Request& request, Response& response) const {
    response.setHeader("X-Request-Id", request.context.requestId);
    response.setHeader("Strict-Transport-Security", "max-age=31536000");
    response.setHeader("X-Content-Type-Options", "nosniff");
    response.setHeader("Cache-Control", "no-store");
    response.setHeader("Referrer-Policy", "no-referrer");
    response.setHeader("X-Frame-Options", "DENY");
    response.setHeader("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'");
    const auto origin = request.header("origin");
    if (!portalOrigin_.empty()) response.setHeader("Vary", "Origin");
    if (origin && !portalOrigin_.empty() && *origin == portalOrigin_) {
        response.setHeader("Access-Control-Allow-Origin", portalOrigin_);
        response.setHeader("Access-Control-Allow-Credentials", "true");
        response.setHeader("Access-Control-Expose-Headers", "ETag, Retry-After, X-Request-Id");
    }
}

}  // namespace dnsfleet::controld::http
