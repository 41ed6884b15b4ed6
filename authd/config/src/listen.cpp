#include "authd/config/listen.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>

#include <charconv>
#include <cstring>

namespace dnsfleet::authd::config {
namespace {

// The sockets API is written in terms of casts between sockaddr types; keep them in one place.
sockaddr_in* asV4(sockaddr_storage& s) noexcept {
    return reinterpret_cast<sockaddr_in*>(
        &s);  // NOLINT(cppcoreguidelines-pro-type-reinterpret-cast)
}
const sockaddr_in* asV4(const sockaddr_storage& s) noexcept {
    return reinterpret_cast<const sockaddr_in*>(
        &s);  // NOLINT(cppcoreguidelines-pro-type-reinterpret-cast)
}
sockaddr_in6* asV6(sockaddr_storage& s) noexcept {
    return reinterpret_cast<sockaddr_in6*>(
        &s);  // NOLINT(cppcoreguidelines-pro-type-reinterpret-cast)
}
const sockaddr_in6* asV6(const sockaddr_storage& s) noexcept {
    return reinterpret_cast<const sockaddr_in6*>(
        &s);  // NOLINT(cppcoreguidelines-pro-type-reinterpret-cast)
}

std::string problem(std::string_view text, std::string_view message) {
    return fmt::format("'{}': {}", text, message);
}

Result<std::uint16_t, std::string> parsePort(std::string_view text) {
    unsigned value = 0;
    const auto* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (text.empty() || ec != std::errc() || ptr != end || value > 65535) {
        return fail(fmt::format("bad port '{}'", text));
    }
    return static_cast<std::uint16_t>(value);
}

}  // namespace

std::uint16_t ListenAddress::port() const noexcept {
    if (family() == AF_INET6) return ntohs(asV6(address)->sin6_port);
    return ntohs(asV4(address)->sin_port);
}

void ListenAddress::setPort(std::uint16_t port) noexcept {
    if (family() == AF_INET6) {
        asV6(address)->sin6_port = htons(port);
    } else {
        asV4(address)->sin_port = htons(port);
    }
}

bool ListenAddress::isWildcard() const noexcept {
    if (family() == AF_INET6) {
        return IN6_IS_ADDR_UNSPECIFIED(&asV6(address)->sin6_addr);
    }
    return asV4(address)->sin_addr.s_addr == htonl(INADDR_ANY);
}

std::string ListenAddress::toString() const {
    char text[INET6_ADDRSTRLEN] = {};
    if (family() == AF_INET6) {
        inet_ntop(AF_INET6, &asV6(address)->sin6_addr, text, sizeof text);
        return fmt::format("[{}]:{}", text, port());
    }
    inet_ntop(AF_INET, &asV4(address)->sin_addr, text, sizeof text);
    return fmt::format("{}:{}", text, port());
}

Result<ListenAddress, std::string> parseListenAddress(std::string_view text) {
    std::string host;
    std::uint16_t port = kDefaultDnsPort;
    bool v6 = false;
    if (!text.empty() && text.front() == '[') {
        const auto close = text.find(']');
        if (close == std::string_view::npos) {
            return fail(problem(text, "missing ']' after the IPv6 address"));
        }
        host.assign(text.substr(1, close - 1));
        const auto rest = text.substr(close + 1);
        if (!rest.empty()) {
            if (rest.front() != ':') {
                return fail(problem(text, "expected ':PORT' after ']'"));
            }
            auto parsed = parsePort(rest.substr(1));
            if (!parsed) return fail(problem(text, parsed.error()));
            port = *parsed;
        }
        v6 = true;
    } else {
        const auto colon = text.find(':');
        if (colon != std::string_view::npos &&
            text.find(':', colon + 1) != std::string_view::npos) {
            host.assign(text);  // a bare IPv6 literal; no port possible without brackets
            v6 = true;
        } else if (colon != std::string_view::npos) {
            host.assign(text.substr(0, colon));
            auto parsed = parsePort(text.substr(colon + 1));
            if (!parsed) return fail(problem(text, parsed.error()));
            port = *parsed;
        } else {
            host.assign(text);
        }
    }
    if (host.empty()) return fail(problem(text, "empty address"));

    ListenAddress result;
    if (v6) {
        auto* sa = asV6(result.address);
        sa->sin6_family = AF_INET6;
        if (inet_pton(AF_INET6, host.c_str(), &sa->sin6_addr) != 1) {
            return fail(problem(text, "not an IPv6 address"));
        }
        result.length = sizeof(sockaddr_in6);
    } else {
        auto* sa = asV4(result.address);
        sa->sin_family = AF_INET;
        // inet_pton, unlike inet_aton, refuses the ambiguous short forms such as "127.1".
        if (inet_pton(AF_INET, host.c_str(), &sa->sin_addr) != 1) {
            return fail(problem(text, "not an IPv4 address (write IPv6 addresses as [ADDR]:PORT)"));
        }
        result.length = sizeof(sockaddr_in);
    }
    result.setPort(port);
    return result;
}

}  // namespace dnsfleet::authd::config
