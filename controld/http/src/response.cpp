#include <string>

#include "controld/http/router.hpp"

namespace dnsfleet::controld::http {

namespace {

// A dnsfleet URI per error code, so that clients can tell kinds apart without parsing titles;
// documented in openapi.yaml (Problem.type).
std::string problemType(ErrorCode code) {
    switch (code) {
        case ErrorCode::Invalid:
            return "urn:dnsfleet:problem:invalid";
        case ErrorCode::Unauthenticated:
            return "urn:dnsfleet:problem:unauthenticated";
        case ErrorCode::Forbidden:
            return "urn:dnsfleet:problem:forbidden";
        case ErrorCode::NotFound:
            return "urn:dnsfleet:problem:not-found";
        case ErrorCode::MethodNotAllowed:
            return "urn:dnsfleet:problem:method-not-allowed";
        case ErrorCode::Conflict:
            return "urn:dnsfleet:problem:conflict";
        case ErrorCode::PreconditionFailed:
            return "urn:dnsfleet:problem:precondition-failed";
        case ErrorCode::PayloadTooLarge:
            return "urn:dnsfleet:problem:payload-too-large";
        case ErrorCode::UnsupportedMediaType:
            return "urn:dnsfleet:problem:unsupported-media-type";
        case ErrorCode::PreconditionRequired:
            return "urn:dnsfleet:problem:precondition-required";
        case ErrorCode::TooManyRequests:
            return "urn:dnsfleet:problem:too-many-requests";
        case ErrorCode::Internal:
        case ErrorCode::Unavailable:
            break;
    }
    return "about:blank";
}

}  // namespace

Response json(int status, const nlohmann::json& body) {
    Response response;
    response.status = status;
    response.contentType = "application/json";
    // Replace rather than throw on invalid UTF-8 that slipped into stored data.
    response.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return response;
}

Response noContent() {
    Response response;
    response.status = 204;
    response.contentType.clear();
    return response;
}

Response problem(const ServiceError& error, const RequestContext& context,
                 std::string_view instance) {
    const int status = httpStatus(error.code);
    nlohmann::json document = {
        {"type", problemType(error.code)},
        {"title", std::string(errorTitle(error.code))},
        {"status", status},
    };
    if (!error.detail.empty()) document["detail"] = error.detail;
    if (!instance.empty()) document["instance"] = std::string(instance);
    if (!context.requestId.empty()) document["request_id"] = context.requestId;
    if (!error.fields.empty()) {
        nlohmann::json errors = nlohmann::json::array();
        for (const FieldError& field : error.fields) {
            errors.push_back({{"field", field.field}, {"message", field.message}});
        }
        document["errors"] = std::move(errors);
    }
    if (!error.conflicts.empty()) document["conflicts"] = error.conflicts;
    Response response = json(status, document);
    response.contentType = "application/problem+json";
    if (error.code == ErrorCode::TooManyRequests) {
        response.setHeader("Retry-After", std::to_string(std::max(1, error.retryAfterSeconds)));
    }
    return response;
}

}  // namespace dnsfleet::controld::http
