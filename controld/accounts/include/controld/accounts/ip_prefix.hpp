#pragma once
/// \file
/// Address prefixes of a contract's source-IP allowlist ("192.0.2.0/24", "2001:db8::/32", or a
/// bare address for a single host).
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dnsfleet::controld::accounts {

struct IpPrefix {
    bool v6 = false;
    std::array<std::uint8_t, 16> address{};  ///< v4 uses the first 4 bytes
    int length = 0;                          ///< prefix length in bits

    /// The canonical text: the network address (host bits cleared) and the length.
    [[nodiscard]] std::string text() const;
};

/// Parses "address/length" or a bare address. Host bits set beyond the length are refused
/// (192.0.2.1/24 is most likely a typo for a single host or for the network).
[[nodiscard]] std::optional<IpPrefix> parseIpPrefix(std::string_view text);

/// True when `address` (an IPv4 or IPv6 address as text; IPv4-mapped IPv6 addresses count as
/// IPv4) lies in `prefix`. False for text that is not an address.
[[nodiscard]] bool prefixContains(const IpPrefix& prefix, std::string_view address);

/// True when `allowlist` is empty (no restriction) or one of its prefixes contains `address`.
[[nodiscard]] bool allowlistPermits(const std::vector<IpPrefix>& allowlist,
                                    std::string_view address);

}  // namespace dnsfleet::controld::accounts
