#include "controld/accounts/ip_prefix.hpp"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

namespace dnsfleet::controld::accounts {
namespace {

struct Address {
    bool v6 = false;
    std::array<std::uint8_t, 16> bytes{};
};

std::optional<Address> parseAddress(std::string_view text) {
    if (text.empty() || text.size() > 64) return std::nullopt;
    const std::string zeroTerminated(text);
    Address address;
    if (inet_pton(AF_INET, zeroTerminated.c_str(), address.bytes.data()) == 1) return address;
    if (inet_pton(AF_INET6, zeroTerminated.c_str(), address.bytes.data()) != 1) {
        return std::nullopt;
    }
    // A dual-stack listener reports IPv4 clients as ::ffff:a.b.c.d; they must meet IPv4 rules.
    static constexpr std::array<std::uint8_t, 12> kMapped{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (std::memcmp(address.bytes.data(), kMapped.data(), kMapped.size()) == 0) {
        std::memmove(address.bytes.data(), address.bytes.data() + 12, 4);
        std::memset(address.bytes.data() + 4, 0, 12);
        return address;
    }
    address.v6 = true;
    return address;
}

bool bitsMatch(const std::array<std::uint8_t, 16>& a, const std::array<std::uint8_t, 16>& b,
               int length) {
    const auto fullBytes = static_cast<std::size_t>(length / 8);
    if (std::memcmp(a.data(), b.data(), fullBytes) != 0) return false;
    const int rest = length % 8;
    if (rest == 0) return true;
    const auto mask = static_cast<std::uint8_t>(0xff << (8 - rest));
    return (a[fullBytes] & mask) == (b[fullBytes] & mask);
}

}  // namespace

std::string IpPrefix::text() const {
    std::array<char, INET6_ADDRSTRLEN> buffer{};
    inet_ntop(v6 ? AF_INET6 : AF_INET, address.data(), buffer.data(),
              static_cast<socklen_t>(buffer.size()));
    return std::string(buffer.data()) + "/" + std::to_string(length);
}

std::optional<IpPrefix> parseIpPrefix(std::string_view text) {
    const auto slash = text.find('/');
    const auto address = parseAddress(text.substr(0, slash));
    if (!address) return std::nullopt;
    // A mapped address is accepted as a host, but a prefix must be written in its own family.
    IpPrefix prefix;
    prefix.v6 = address->v6;
    prefix.address = address->bytes;
    const int maxLength = prefix.v6 ? 128 : 32;
    prefix.length = maxLength;
    if (slash != std::string_view::npos) {
        const std::string_view lengthText = text.substr(slash + 1);
        int length = -1;
        const auto [end, ec] =
            std::from_chars(lengthText.data(), lengthText.data() + lengthText.size(), length);
        if (ec != std::errc() || end != lengthText.data() + lengthText.size() || length < 0 ||
            length > maxLength || lengthText.empty() || lengthText.size() > 3) {
            return std::nullopt;
        }
        prefix.length = length;
    }
    std::array<std::uint8_t, 16> network{};
    const auto fullBytes = static_cast<std::size_t>(prefix.length / 8);
    std::memcpy(network.data(), prefix.address.data(), fullBytes);
    if (prefix.length % 8 != 0) {
        const auto mask = static_cast<std::uint8_t>(0xff << (8 - prefix.length % 8));
        network[fullBytes] = static_cast<std::uint8_t>(prefix.address[fullBytes] & mask);
    }
    if (network != prefix.address) return std::nullopt;
    return prefix;
}

bool prefixContains(const IpPrefix& prefix, std::string_view address) {
    const auto parsed = parseAddress(address);
    if (!parsed || parsed->v6 != prefix.v6) return false;
    return bitsMatch(parsed->bytes, prefix.address, prefix.length);
}

bool allowlistPermits(const std::vector<IpPrefix>& allowlist, std::string_view address) {
    if (allowlist.empty()) return true;
    for (const auto& prefix : allowlist) {
        if (prefixContains(prefix, address)) return true;
    }
    return false;
}

}  // namespace dnsfleet::controld::accounts
