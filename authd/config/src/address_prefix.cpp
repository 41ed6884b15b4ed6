#include <arpa/inet.h>
#include <fmt/format.h>

#include <charconv>
#include <cstring>

#include "authd/config/config.hpp"

namespace dnsfleet::authd::config {
namespace {

constexpr std::array<std::uint8_t, 12> kV4MappedPrefix = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

bool isV4Mapped(const std::uint8_t* bytes) noexcept {
    return std::memcmp(bytes, kV4MappedPrefix.data(), kV4MappedPrefix.size()) == 0;
}

/// True when the first `bits` bits of `a` and `b` are equal.
bool samePrefix(const std::uint8_t* a, const std::uint8_t* b, unsigned bits) noexcept {
    const unsigned whole = bits / 8;
    if (std::memcmp(a, b, whole) != 0) return false;
    const unsigned rest = bits % 8;
    if (rest == 0) return true;
    const auto mask = static_cast<std::uint8_t>(0xff00U >> rest);
    return ((a[whole] ^ b[whole]) & mask) == 0;
}

}  // namespace

bool AddressPrefix::contains(const sockaddr* address) const noexcept {
    if (address == nullptr) return false;
    std::array<std::uint8_t, 16> source{};
    if (address->sa_family == AF_INET) {
        if (family != AF_INET) return false;
        sockaddr_in v4{};
        std::memcpy(&v4, address, sizeof v4);
        std::memcpy(source.data(), &v4.sin_addr, 4);
        return samePrefix(source.data(), bytes.data(), length);
    }
    if (address->sa_family == AF_INET6) {
        sockaddr_in6 v6{};
        std::memcpy(&v6, address, sizeof v6);
        std::memcpy(source.data(), &v6.sin6_addr, 16);
        if (family == AF_INET6) return samePrefix(source.data(), bytes.data(), length);
        // A dual-stack socket sees IPv4 clients as ::ffff:a.b.c.d; they are IPv4 clients.
        if (family == AF_INET && isV4Mapped(source.data())) {
            return samePrefix(source.data() + 12, bytes.data(), length);
        }
    }
    return false;
}

Result<AddressPrefix, std::string> parseAddressPrefix(std::string_view text) {
    const auto slash = text.find('/');
    const std::string host(text.substr(0, slash));
    if (host.empty()) return fail(fmt::format("'{}': empty address", text));
    AddressPrefix prefix;
    unsigned maxBits = 32;
    if (host.find(':') != std::string::npos) {
        if (inet_pton(AF_INET6, host.c_str(), prefix.bytes.data()) != 1) {
            return fail(fmt::format("'{}': not an IPv6 address", text));
        }
        prefix.family = AF_INET6;
        maxBits = 128;
    } else {
        if (inet_pton(AF_INET, host.c_str(), prefix.bytes.data()) != 1) {
            return fail(fmt::format("'{}': not an IPv4 or IPv6 address", text));
        }
        prefix.family = AF_INET;
    }
    unsigned bits = maxBits;
    if (slash != std::string_view::npos) {
        const auto digits = text.substr(slash + 1);
        const auto* end = digits.data() + digits.size();
        auto [ptr, ec] = std::from_chars(digits.data(), end, bits);
        if (digits.empty() || ec != std::errc() || ptr != end) {
            return fail(fmt::format("'{}': the prefix length must be a number of bits", text));
        }
        if (bits > maxBits) {
            return fail(
                fmt::format("'{}': a prefix length of {} bits is longer than the {}-bit "
                            "address",
                            text, bits, maxBits));
        }
    }
    // Host bits beyond the prefix are cleared, as Knot does: 192.0.2.1/24 means 192.0.2.0/24.
    for (unsigned i = bits; i < 128; ++i) {
        prefix.bytes[i / 8] = static_cast<std::uint8_t>(prefix.bytes[i / 8] & ~(0x80U >> (i % 8)));
    }
    // ::ffff:192.0.2.0/120 is an IPv4 prefix written the IPv6 way: keep one form so that both
    // plain IPv4 sources and mapped ones match it.
    if (prefix.family == AF_INET6 && bits >= 96 && isV4Mapped(prefix.bytes.data())) {
        std::array<std::uint8_t, 16> v4{};
        std::memcpy(v4.data(), prefix.bytes.data() + 12, 4);
        prefix.bytes = v4;
        prefix.family = AF_INET;
        bits -= 96;
    }
    prefix.length = static_cast<std::uint8_t>(bits);
    return prefix;
}

}  // namespace dnsfleet::authd::config
