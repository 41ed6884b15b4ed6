#pragma once
/// \file
/// The RRSIG time fields (RFC 4034 §3.2): 32-bit seconds since 1970, printed as
/// `YYYYMMDDHHmmSS` in UTC. The wire value wraps (serial arithmetic, RFC 1982), so every
/// 32-bit value has exactly one date between 1970 and 2106.

#include <cstdint>
#include <string>
#include <string_view>

namespace dnsfleet::dnswire {

/// Parses `YYYYMMDDHHmmSS` (exactly 14 digits) or a decimal number of seconds.
/// Dates after 2106 wrap modulo 2^32 as RFC 4034 §3.1.5 describes.
[[nodiscard]] bool parseRrsigTime(std::string_view text, std::uint32_t& value) noexcept;

/// Appends `value` as `YYYYMMDDHHmmSS`.
void appendRrsigTime(std::uint32_t value, std::string& out);

}  // namespace dnsfleet::dnswire
