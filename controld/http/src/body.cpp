#include <algorithm>
#include <cctype>
#include <charconv>
#include <set>
#include <string>

#include "controld/http/router.hpp"

namespace dnsfleet::controld::http {

namespace {

constexpr std::size_t kMaxJsonDepth = 64;

bool isJsonMediaType(std::string_view contentType) {
    const std::size_t semicolon = contentType.find(';');
    std::string type(contentType.substr(0, semicolon));
    while (!type.empty() && std::isspace(static_cast<unsigned char>(type.back())) != 0) {
        type.pop_back();
    }
    std::transform(type.begin(), type.end(), type.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (type == "application/json") return true;
    // Structured syntax suffix (RFC 6839): application/merge-patch+json and the like.
    return type.rfind("application/", 0) == 0 && type.size() > 5 &&
           type.compare(type.size() - 5, 5, "+json") == 0;
}

// Line and column (1-based) of byte `offset` in `text`, for syntax errors people can find.
std::pair<std::size_t, std::size_t> lineColumn(std::string_view text, std::size_t offset) {
    std::size_t line = 1;
    std::size_t column = 1;
    for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
        if (text[i] == '\n') {
            ++line;
            column = 1;
        } else {
            ++column;
        }
    }
    return {line, column};
}

std::optional<std::int64_t> parseInteger(std::string_view text) {
    std::int64_t value = 0;
    const auto* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (ec != std::errc() || ptr != end || text.empty()) return std::nullopt;
    return value;
}

}  // namespace

Outcome<nlohmann::json> parseJsonBody(const Request& request) {
    const std::optional<std::string> contentType = request.header("content-type");
    if (!contentType || !isJsonMediaType(*contentType)) {
        ServiceError error;
        error.code = ErrorCode::UnsupportedMediaType;
        error.detail = "the body must be application/json";
        return fail(std::move(error));
    }
    // Duplicate member names are rejected: parsers disagree on which one wins, and a check
    // could then see another value than the code acting on it.
    std::vector<std::set<std::string>> keysPerObject;
    std::string duplicate;
    bool tooDeep = false;
    const auto callback = [&](int depth, nlohmann::json::parse_event_t event,
                              nlohmann::json& parsed) {
        switch (event) {
            case nlohmann::json::parse_event_t::object_start:
                keysPerObject.emplace_back();
                break;
            case nlohmann::json::parse_event_t::object_end:
                if (!keysPerObject.empty()) keysPerObject.pop_back();
                break;
            case nlohmann::json::parse_event_t::key:
                if (!keysPerObject.empty() &&
                    !keysPerObject.back().insert(parsed.get<std::string>()).second &&
                    duplicate.empty()) {
                    duplicate = parsed.get<std::string>();
                }
                break;
            default:
                break;
        }
        if (depth > static_cast<int>(kMaxJsonDepth)) tooDeep = true;
        return true;
    };
    nlohmann::json body;
    try {
        body = nlohmann::json::parse(request.body, callback);
    } catch (const nlohmann::json::parse_error& e) {
        const auto [line, column] =
            lineColumn(request.body, e.byte == 0 ? 0 : static_cast<std::size_t>(e.byte - 1));
        return fail(invalid("the body is not valid JSON (line " + std::to_string(line) +
                                ", column " + std::to_string(column) + ")",
                            {{"", "syntax error at line " + std::to_string(line) + ", column " +
                                      std::to_string(column)}}));
    }
    if (tooDeep) {
        return fail(
            invalid("the body nests deeper than " + std::to_string(kMaxJsonDepth) + " levels",
                    {{"", "nests too deep"}}));
    }
    if (!duplicate.empty()) {
        return fail(invalid("the body repeats a member", {{"/" + duplicate, "duplicate member"}}));
    }
    if (!body.is_object()) {
        return fail(invalid("the body must be a JSON object", {{"", "must be a JSON object"}}));
    }
    return body;
}

Outcome<void> checkMembers(const nlohmann::json& body,
                           std::initializer_list<std::string_view> required,
                           std::initializer_list<std::string_view> allowed) {
    if (!body.is_object()) {
        return fail(invalid("the body must be a JSON object", {{"", "must be a JSON object"}}));
    }
    std::vector<FieldError> errors;
    for (const auto& [key, value] : body.items()) {
        const bool known = std::find(allowed.begin(), allowed.end(), key) != allowed.end() ||
                           std::find(required.begin(), required.end(), key) != required.end();
        if (!known) errors.push_back({"/" + key, "unknown member"});
    }
    for (const std::string_view key : required) {
        if (!body.contains(std::string(key))) {
            errors.push_back({"/" + std::string(key), "required"});
        }
    }
    if (!errors.empty()) return fail(invalid("the body has unknown or missing members", errors));
    return {};
}

Outcome<PageRequest> pageRequest(const Request& request) {
    PageRequest page;
    std::vector<FieldError> errors;
    if (const auto text = request.queryParam("page")) {
        const auto value = parseInteger(*text);
        if (!value || *value < 1) {
            errors.push_back({"page", "must be an integer of at least 1"});
        } else {
            page.page = *value;
        }
    }
    if (const auto text = request.queryParam("per_page")) {
        const auto value = parseInteger(*text);
        if (!value || *value < 1 || *value > 1000) {
            errors.push_back({"per_page", "must be an integer from 1 to 1000"});
        } else {
            page.perPage = *value;
        }
    }
    // Keeps offset() far from overflow.
    if (errors.empty() && page.page > 1'000'000'000) {
        errors.push_back({"page", "is too large"});
    }
    if (!errors.empty()) return fail(invalid("malformed pagination parameters", errors));
    return page;
}

nlohmann::json pageBody(nlohmann::json items, std::int64_t total, const PageRequest& page) {
    return {{"items", std::move(items)},
            {"total", total},
            {"page", page.page},
            {"per_page", page.perPage}};
}

}  // namespace dnsfleet::controld::http
