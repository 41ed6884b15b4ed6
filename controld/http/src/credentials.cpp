#include "controld/http/credentials.hpp"

#include <algorithm>
#include <cctype>

namespace dnsfleet::controld::http {

std::optional<std::string> cookieValue(std::string_view header, std::string_view name) {
    std::size_t pos = 0;
    while (pos < header.size()) {
        std::size_t end = header.find(';', pos);
        if (end == std::string_view::npos) end = header.size();
        std::string_view pair = header.substr(pos, end - pos);
        while (!pair.empty() && pair.front() == ' ')
            pair.remove_prefix(1);
        const std::size_t equals = pair.find('=');
        if (equals != std::string_view::npos && pair.substr(0, equals) == name) {
            std::string_view value = pair.substr(equals + 1);
            while (!value.empty() && value.back() == ' ')
                value.remove_suffix(1);
            if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
                value = value.substr(1, value.size() - 2);
            }
            return std::string(value);
        }
        pos = end + 1;
    }
    return std::nullopt;
}

RequestCredentials credentialsOf(const Request& request, std::string_view cookieName,
                                 std::string_view csrfHeader) {
    RequestCredentials credentials;
    for (auto [it, end] = request.headers.equal_range("cookie"); it != end; ++it) {
        if (auto value = cookieValue(it->second, cookieName)) {
            credentials.sessionCookie = std::move(value);
            break;
        }
    }
    if (const auto authorization = request.header("authorization")) {
        constexpr std::string_view kBearer = "bearer ";
        const auto sameLetter = [](char a, char b) {
            return std::tolower(static_cast<unsigned char>(a)) ==
                   std::tolower(static_cast<unsigned char>(b));
        };
        if (authorization->size() > kBearer.size() &&
            std::equal(kBearer.begin(), kBearer.end(), authorization->begin(), sameLetter)) {
            credentials.bearerToken = authorization->substr(kBearer.size());
        }
    }
    credentials.csrfToken = request.header(csrfHeader);
    credentials.unsafeMethod =
        request.method != "GET" && request.method != "HEAD" && request.method != "OPTIONS";
    return credentials;
}

}  // namespace dnsfleet::controld::http
