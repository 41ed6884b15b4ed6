#pragma once
/// \file
/// SOA serial arithmetic (RFC 1982 with SERIAL_BITS = 32): serials wrap, so "newer" means "less
/// than 2^31 ahead", and two serials exactly 2^31 apart have no defined order.

#include <cstdint>

namespace dnsfleet::xfr {

/// The order of two serials under RFC 1982 §3.2.
enum class SerialOrder : std::uint8_t { Less, Equal, Greater, Undefined };

/// Compares serial `a` with serial `b` (RFC 1982 §3.2).
[[nodiscard]] constexpr SerialOrder compareSerial(std::uint32_t a, std::uint32_t b) noexcept {
    if (a == b) return SerialOrder::Equal;
    const std::uint32_t ahead = a - b;  // modulo 2^32
    if (ahead == 0x80000000U) return SerialOrder::Undefined;
    return ahead < 0x80000000U ? SerialOrder::Greater : SerialOrder::Less;
}

/// True when `candidate` is newer than `current` (a refresh must transfer it).
[[nodiscard]] constexpr bool serialNewer(std::uint32_t candidate, std::uint32_t current) noexcept {
    return compareSerial(candidate, current) == SerialOrder::Greater;
}

/// `serial` increased by `by` (RFC 1982 §3.1: at most 2^31 - 1).
[[nodiscard]] constexpr std::uint32_t addSerial(std::uint32_t serial, std::uint32_t by) noexcept {
    return serial + (by & 0x7FFFFFFFU);
}

}  // namespace dnsfleet::xfr
