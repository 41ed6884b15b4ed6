#include "controld/http/router.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <exception>
#include <set>

namespace dnsfleet::controld::http {

namespace {

std::vector<std::string> splitPath(std::string_view path) {
    std::vector<std::string> segments;
    if (path.empty() || path.front() != '/') return segments;
    std::size_t start = 1;
    while (true) {
        const std::size_t slash = path.find('/', start);
        segments.emplace_back(path.substr(
            start, slash == std::string_view::npos ? std::string_view::npos : slash - start));
        if (slash == std::string_view::npos) break;
        start = slash + 1;
    }
    return segments;
}

bool isParam(std::string_view segment) {
    return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

int hexValue(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// A malformed escape ("%zz", "%4") makes the segment unusable: nullopt, and the path is a 404.
std::optional<std::string> percentDecode(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '%') {
            out.push_back(text[i]);
            continue;
        }
        if (i + 2 >= text.size()) return std::nullopt;
        const int high = hexValue(text[i + 1]);
        const int low = hexValue(text[i + 2]);
        if (high < 0 || low < 0) return std::nullopt;
        out.push_back(static_cast<char>(high * 16 + low));
        i += 2;
    }
    return out;
}

// Among several routes that match one path, literal segments win over parameters, earliest
// segment first ("/events/verify" before "/events/{id}").
bool moreSpecific(const std::vector<std::string>& a, const std::vector<std::string>& b) {
    for (std::size_t i = 0; i < a.size() && i < b.size(); ++i) {
        const bool aLiteral = !isParam(a[i]);
        const bool bLiteral = !isParam(b[i]);
        if (aLiteral != bLiteral) return aLiteral;
    }
    return false;
}

bool caseInsensitiveEqual(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

}  // namespace

std::optional<std::string> Request::header(std::string_view lowerName) const {
    const auto it = headers.find(std::string(lowerName));
    if (it == headers.end()) return std::nullopt;
    return it->second;
}

std::optional<std::string> Request::queryParam(std::string_view name) const {
    const auto it = query.find(std::string(name));
    if (it == query.end()) return std::nullopt;
    return it->second;
}

const std::string& Request::param(const std::string& name) const {
    static const std::string kEmpty;
    const auto it = params.find(name);
    return it == params.end() ? kEmpty : it->second;
}

void Response::setHeader(std::string name, std::string value) {
    for (auto& [existing, existingValue] : headers) {
        if (caseInsensitiveEqual(existing, name)) {
            existingValue = std::move(value);
            return;
        }
    }
    headers.emplace_back(std::move(name), std::move(value));
}

void Router::add(RouteInfo info, Handler handler) {
    Route route;
    route.segments = splitPath(info.pattern);
    route.info = std::move(info);
    route.handler = std::move(handler);
    routes_.push_back(std::move(route));
}

namespace {

struct PathMatch {
    bool matches = false;
    std::map<std::string, std::string> params;
};

PathMatch matchSegments(const std::vector<std::string>& pattern,
                        const std::vector<std::optional<std::string>>& decoded) {
    PathMatch result;
    if (pattern.size() != decoded.size()) return result;
    for (std::size_t i = 0; i < pattern.size(); ++i) {
        if (!decoded[i]) return result;
        if (isParam(pattern[i])) {
            if (decoded[i]->empty()) return result;
            result.params[pattern[i].substr(1, pattern[i].size() - 2)] = *decoded[i];
        } else if (pattern[i] != *decoded[i]) {
            return result;
        }
    }
    result.matches = true;
    return result;
}

std::vector<std::optional<std::string>> decodePath(std::string_view path) {
    const std::vector<std::string> raw = splitPath(path);
    std::vector<std::optional<std::string>> decoded;
    decoded.reserve(raw.size());
    for (const std::string& segment : raw)
        decoded.push_back(percentDecode(segment));
    return decoded;
}

}  // namespace

const RouteInfo* Router::match(const Request& request) const {
    const auto decoded = decodePath(request.path);
    const Route* best = nullptr;
    for (const Route& route : routes_) {
        if (route.info.method != request.method) continue;
        if (!matchSegments(route.segments, decoded).matches) continue;
        if (best == nullptr || moreSpecific(route.segments, best->segments)) best = &route;
    }
    return best == nullptr ? nullptr : &best->info;
}

Response Router::dispatch(Request& request) const {
    const auto decoded = decodePath(request.path);
    const Route* best = nullptr;
    std::set<std::string> allowed;
    for (const Route& route : routes_) {
        if (!matchSegments(route.segments, decoded).matches) continue;
        allowed.insert(route.info.method);
        if (route.info.method != request.method) continue;
        if (best == nullptr || moreSpecific(route.segments, best->segments)) best = &route;
    }
    if (best == nullptr) {
        if (allowed.empty()) {
            return problem(notFound("no such resource"), request.context, request.path);
        }
        std::string allow;
        for (const std::string& method : allowed) {
            if (!allow.empty()) allow += ", ";
            allow += method;
        }
        ServiceError error;
        error.code = ErrorCode::MethodNotAllowed;
        error.detail = "method " + request.method + " is not allowed here";
        Response response = problem(error, request.context, request.path);
        response.setHeader("Allow", allow);
        return response;
    }
    request.params = matchSegments(best->segments, decoded).params;
    try {
        Outcome<Response> outcome = best->handler(request);
        if (!outcome) {
            if (outcome.error().code == ErrorCode::Internal) {
                spdlog::error("request {} {} {}: internal error: {}", request.context.requestId,
                              request.method, request.path, outcome.error().detail);
                ServiceError hidden;
                hidden.code = ErrorCode::Internal;
                hidden.detail = "internal error; the request id identifies it in the log";
                return problem(hidden, request.context, request.path);
            }
            return problem(outcome.error(), request.context, request.path);
        }
        return std::move(outcome).value();
    } catch (const std::exception& e) {
        spdlog::error("request {} {} {}: exception: {}", request.context.requestId, request.method,
                      request.path, e.what());
    } catch (...) {
        spdlog::error("request {} {} {}: unknown exception", request.context.requestId,
                      request.method, request.path);
    }
    ServiceError error;
    error.code = ErrorCode::Internal;
    error.detail = "internal error; the request id identifies it in the log";
    return problem(error, request.context, request.path);
}

std::vector<RouteInfo> Router::routes() const {
    std::vector<RouteInfo> infos;
    infos.reserve(routes_.size());
    for (const Route& route : routes_)
        infos.push_back(route.info);
    return infos;
}

}  // namespace dnsfleet::controld::http
