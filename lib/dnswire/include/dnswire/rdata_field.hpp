#pragma once
/// \file
/// The field kinds that RR type rows are made of, and the per-kind codecs that the registry's
/// text and wire converters share. Most callers want rrtype.hpp instead; this header is public
/// so that tools (and tests) can inspect a type's layout.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "dnswire/error.hpp"
#include "dnswire/rrtype.hpp"

namespace dnsfleet::dnswire {

/// One field of an RDATA layout. A layout is a sequence of these; kinds marked "to the end"
/// must be last.
enum class FieldKind : std::uint8_t {
    U8,            ///< 8-bit unsigned integer
    U16,           ///< 16-bit unsigned integer
    U32,           ///< 32-bit unsigned integer
    Ttl,           ///< 32-bit seconds; text also takes TTL units (`1h30m`, `2w`)
    TypeCode,      ///< 16-bit RR type, printed as its mnemonic (RRSIG type covered)
    Algorithm,     ///< 8-bit DNSSEC algorithm; text also takes mnemonics (`RSASHA256`)
    CertType,      ///< 16-bit CERT type; text also takes mnemonics (`PKIX`), RFC 4398 §2.1
    IPv4,          ///< 4 octets, dotted quad
    IPv6,          ///< 16 octets, RFC 4291 text
    Name,          ///< an uncompressed domain name (compression is a property of the type)
    CharString,    ///< one <character-string>: a length octet and up to 255 octets
    CharStrings,   ///< one or more <character-string>s to the end (TXT, SPF)
    Base64End,     ///< one or more octets to the end, base64 text possibly split over tokens
    Base64EndOpt,  ///< like Base64End but may be empty (IPSECKEY public key)
    HexEnd,        ///< one or more octets to the end, hex text possibly split over tokens
    HexSalt,       ///< a length octet and that many octets, hex text or `-` (NSEC3 salt)
    Base32Next,    ///< a length octet and that many octets, base32hex text (NSEC3 next owner)
    TypeBitmap,    ///< NSEC type bitmap windows to the end (RFC 4034 §4.1.2), may be empty
    RrsigTime,     ///< 32-bit time, text `YYYYMMDDHHmmSS` or seconds (RFC 4034 §3.2)
    Loc,           ///< the whole LOC RDATA (RFC 1876)
    SvcParams,     ///< SVCB/HTTPS SvcParams to the end (RFC 9460)
    CaaTag,        ///< a length octet and 1..255 ASCII letters or digits (RFC 8659 §4.1)
    StringEnd,     ///< octets to the end printed as one quoted string (CAA value, URI target)
    Apl,           ///< APL items to the end (RFC 3123)
    Eui48,         ///< 6 octets, `xx-xx-xx-xx-xx-xx` (RFC 7043)
    Eui64,         ///< 8 octets, `xx-xx-xx-xx-xx-xx-xx-xx` (RFC 7043)
    Ilnp64,        ///< 8 octets, `xxxx:xxxx:xxxx:xxxx` (RFC 6742 NID, L64)
    IpsecGateway,  ///< gateway whose form the preceding gateway-type octet selects (RFC 4025)
};

namespace detail {

/// The layout of a row as field kinds.
[[nodiscard]] inline std::span<const FieldKind> layoutOf(const RRTypeInfo& info) noexcept {
    return {reinterpret_cast<const FieldKind*>(info.fields.data()), info.fields.size()};
}

/// Where the field of `kind` that starts at `pos` of uncompressed `rdata` ends, after checking
/// its content. `gatewayType` is the IPSECKEY gateway-type octet read before the gateway.
[[nodiscard]] WireResult<std::size_t> fieldEnd(FieldKind kind, std::span<const std::uint8_t> rdata,
                                               std::size_t pos, std::uint8_t gatewayType) noexcept;

/// The position after an uncompressed name starting at `pos`; pointers are errors.
[[nodiscard]] WireResult<std::size_t> uncompressedNameEnd(std::span<const std::uint8_t> rdata,
                                                          std::size_t pos) noexcept;

/// Checks LOC RDATA (version 0, sizes with digits 0..9, coordinates in range).
[[nodiscard]] WireResult<void> validateLoc(std::span<const std::uint8_t> rdata) noexcept;
/// Parses the RFC 1876 §3 text form and appends the 16 octets of RDATA.
[[nodiscard]] Result<void, std::string> locFromText(std::span<const RdataToken> tokens,
                                                    std::vector<std::uint8_t>& out);
/// Appends the text form of valid LOC RDATA.
void locToText(std::span<const std::uint8_t> rdata, std::string& out);

/// Checks SvcParams (keys strictly ascending, each value well formed, mandatory keys present).
[[nodiscard]] WireResult<void> validateSvcParams(std::span<const std::uint8_t> params) noexcept;
/// Parses `key[=value]` tokens, sorts them by key and appends their wire form.
[[nodiscard]] Result<void, std::string> svcParamsFromText(std::span<const RdataToken> tokens,
                                                          std::vector<std::uint8_t>& out);
/// Appends the text form of valid SvcParams, each preceded by a space.
void svcParamsToText(std::span<const std::uint8_t> params, std::string& out);

/// Decodes the escapes of one <character-string> token (`\X`, `\DDD`) and appends the octets.
/// False on a bad escape.
[[nodiscard]] bool unescapeText(std::string_view text, std::vector<std::uint8_t>& out);
/// Appends `data` with `"`, `\` and non-printable octets escaped, without quotes.
void appendEscaped(std::span<const std::uint8_t> data, std::string& out);
/// Parses a decimal integer not above `max`.
[[nodiscard]] bool parseDecimal(std::string_view text, std::uint64_t max,
                                std::uint64_t& value) noexcept;
/// `what 'text'after`, the shape of every text error message. Built by appending: GCC 12 at
/// -O3 raises a false -Wrestrict on chained `"literal" + std::string` concatenation.
[[nodiscard]] std::string quoted(std::string_view what, std::string_view text,
                                 std::string_view after = {});
/// Appends `value` in decimal.
void appendDecimal(std::uint64_t value, std::string& out);

}  // namespace detail
}  // namespace dnsfleet::dnswire
