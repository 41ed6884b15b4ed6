#pragma once
/// \file
/// Binary-to-text encodings of RDATA fields: hexadecimal, base64 (RFC 4648 §4, through
/// OpenSSL) and base32hex (RFC 4648 §7, used by NSEC3 and not offered by OpenSSL).
/// Decoders append to a caller-owned buffer so that a zone load reuses one allocation.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace dnsfleet::dnswire {

/// Appends upper-case hex digits of `data` (the form BIND and Knot print).
void appendHex(std::span<const std::uint8_t> data, std::string& out);
/// Decodes hex digits (either case) and appends the bytes. False on an odd count or a non-digit;
/// `out` may then hold a partial result.
[[nodiscard]] bool decodeHex(std::string_view text, std::vector<std::uint8_t>& out);

/// Appends the padded base64 form of `data`.
void appendBase64(std::span<const std::uint8_t> data, std::string& out);
/// Decodes padded base64 (RFC 4648 §4) and appends the bytes. False on a character outside the
/// alphabet, misplaced padding or a length that is not a multiple of 4.
[[nodiscard]] bool decodeBase64(std::string_view text, std::vector<std::uint8_t>& out);

/// Appends the lower-case, unpadded base32hex form of `data` (RFC 5155 §3.3), as Knot prints
/// NSEC3 next hashed owner names (they are labels of owner names, which Knot lower-cases).
void appendBase32Hex(std::span<const std::uint8_t> data, std::string& out);
/// Decodes unpadded base32hex (either case) and appends the bytes. False on a bad character or
/// on a length that leaves non-zero or impossible trailing bits.
[[nodiscard]] bool decodeBase32Hex(std::string_view text, std::vector<std::uint8_t>& out);

}  // namespace dnsfleet::dnswire
