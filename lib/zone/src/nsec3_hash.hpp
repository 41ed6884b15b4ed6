#pragma once
// NSEC3 owner hashing (RFC 5155 §5) for the zone library.

#include <array>
#include <cstdint>
#include <span>

#include "dnswire/name.hpp"

namespace dnsfleet::zone::detail {

/// SHA-1 of the lower-cased wire name followed by the salt, then `iterations` more rounds of
/// SHA-1 over (previous digest || salt). Uses a stack context: no allocation per call.
void nsec3Sha1(dnswire::NameView name, std::span<const std::uint8_t> salt, std::uint16_t iterations,
               std::array<std::uint8_t, 20>& out) noexcept;

}  // namespace dnsfleet::zone::detail
