#pragma once
// Record data the transfer benchmarks build their zones from.
#include <array>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "dnswire/name.hpp"
#include "dnswire/rrtype.hpp"

namespace dnsfleet::bench {

/// RDATA of `type` from its presentation `text`; a benchmark's own data never fails to parse.
inline std::vector<std::uint8_t> rdata(std::uint16_t type, const std::string& text,
                                       dnswire::NameView origin) {
    std::vector<std::uint8_t> out;
    if (!dnswire::rdataFromString(type, text, origin, out)) std::abort();
    return out;
}

/// A distinct IPv4 address (in 10/8) for host number `i`.
inline std::array<std::uint8_t, 4> address(std::size_t i) {
    return {10, static_cast<std::uint8_t>(i >> 16), static_cast<std::uint8_t>(i >> 8),
            static_cast<std::uint8_t>(i)};
}

}  // namespace dnsfleet::bench
