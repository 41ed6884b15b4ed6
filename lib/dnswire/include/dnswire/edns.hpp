#pragma once
/// \file
/// EDNS(0) (RFC 6891): what a query's OPT record asked for, and what the response's OPT says.
/// Options understood: NSID (5001), cookie (7873), tcp-keepalive (7828), padding (7830),
/// Extended DNS Errors (8914). Unknown options are ignored (RFC 6891 §6.1.2).

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "dnswire/error.hpp"

namespace dnsfleet::dnswire {

/// EDNS option codes.
namespace ednsopt {
inline constexpr std::uint16_t NSID = 3, CLIENT_SUBNET = 8, EXPIRE = 9, COOKIE = 10,
                               TCP_KEEPALIVE = 11, PADDING = 12, EDE = 15;
}

/// Extended DNS Error info codes (RFC 8914 §4) the server uses.
namespace ede {
inline constexpr std::uint16_t OTHER = 0, UNSUPPORTED_DNSKEY_ALG = 1, STALE_ANSWER = 3,
                               PROHIBITED = 18, NOT_AUTHORITATIVE = 20, NOT_SUPPORTED = 21,
                               NO_REACHABLE_AUTHORITY = 22, NETWORK_ERROR = 23, INVALID_DATA = 24;
}

inline constexpr std::size_t kClientCookieSize = 8;
inline constexpr std::size_t kMaxServerCookieSize = 32;
/// Octets of an OPT record with no options: root owner, type, class, TTL, RDLENGTH.
inline constexpr std::size_t kOptFixedSize = 11;

/// What an incoming OPT record asked for.
struct EdnsQuery {
    bool present = false;
    std::uint16_t udpSize = 512;  ///< the requester's UDP payload size (values < 512 read as 512)
    std::uint8_t version = 0;
    std::uint8_t extendedRcode = 0;  ///< upper 8 bits of RCODE (only meaningful in responses)
    bool dnssecOk = false;           ///< the DO bit (RFC 3225)
    bool nsid = false;               ///< NSID requested (any NSID option; payload ignored)
    bool keepalive = false;          ///< tcp-keepalive option present
    bool padding = false;            ///< padding option present
    bool cookie = false;             ///< cookie option present and well formed
    bool badCookieLength = false;    ///< cookie option present with an illegal length: FORMERR
    std::array<std::uint8_t, kClientCookieSize> clientCookie{};
    std::uint8_t serverCookieSize = 0;
    std::array<std::uint8_t, kMaxServerCookieSize> serverCookie{};
};

/// Parses the OPT record whose TTL field is `ttl`, class `rclass` (the payload size) and RDATA
/// `rdata`.
/// \retval WireError::BadOpt  an option overruns the RDATA
[[nodiscard]] WireResult<EdnsQuery> parseOpt(std::uint16_t rclass, std::uint32_t ttl,
                                             std::span<const std::uint8_t> rdata) noexcept;

/// What the response's OPT record carries.
struct EdnsResponse {
    std::uint16_t udpSize = 1232;
    std::uint8_t extendedRcode = 0;  ///< RCODE >> 4 (BADVERS = 16 gives 1)
    bool dnssecOk = false;           ///< echo of DO (RFC 3225 §3)
    std::string_view nsid;           ///< sent when non-empty
    /// tcp-keepalive timeout in units of 100 ms, sent when set (RFC 7828: TCP only)
    bool keepalive = false;
    std::uint16_t keepaliveTimeout = 0;
    /// Pad the whole message to a multiple of this many octets (RFC 8467: 468), 0 = no padding.
    std::uint16_t padBlock = 0;
    /// Cookie to send back: client cookie followed by the server cookie, when size > 0.
    std::span<const std::uint8_t> cookie;
    /// Extended DNS Error, sent when `edeSet` (RFC 8914); `edeText` may be empty.
    bool edeSet = false;
    std::uint16_t edeCode = 0;
    std::string_view edeText;
};

/// Octets the OPT record for `edns` takes before padding (for MessageBuilder::reserve).
[[nodiscard]] std::size_t optSize(const EdnsResponse& edns) noexcept;

}  // namespace dnsfleet::dnswire
