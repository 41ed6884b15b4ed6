#pragma once
/// \file
/// The RR type registry: one table row per type says how its RDATA is laid out, and every
/// conversion (text ⇄ wire, compressed wire → canonical, name discovery for compression and
/// additional-section processing) walks that layout. Adding a type is adding a row.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "dnswire/error.hpp"
#include "dnswire/name.hpp"

namespace dnsfleet::dnswire {

/// Well-known type codes.
namespace rrtype {
inline constexpr std::uint16_t A = 1, NS = 2, MD = 3, MF = 4, CNAME = 5, SOA = 6, MB = 7, MG = 8,
                               MR = 9, NULL_ = 10, WKS = 11, PTR = 12, HINFO = 13, MINFO = 14,
                               MX = 15, TXT = 16, RP = 17, AFSDB = 18, X25 = 19, ISDN = 20, RT = 21,
                               NSAP = 22, SIG = 24, KEY = 25, PX = 26, GPOS = 27, AAAA = 28,
                               LOC = 29, NXT = 30, SRV = 33, NAPTR = 35, KX = 36, CERT = 37,
                               A6 = 38, DNAME = 39, OPT = 41, APL = 42, DS = 43, SSHFP = 44,
                               IPSECKEY = 45, RRSIG = 46, NSEC = 47, DNSKEY = 48, DHCID = 49,
                               NSEC3 = 50, NSEC3PARAM = 51, TLSA = 52, SMIMEA = 53, HIP = 55,
                               CDS = 59, CDNSKEY = 60, OPENPGPKEY = 61, CSYNC = 62, ZONEMD = 63,
                               SVCB = 64, HTTPS = 65, SPF = 99, NID = 104, L32 = 105, L64 = 106,
                               LP = 107, EUI48 = 108, EUI64 = 109, TKEY = 249, TSIG = 250,
                               IXFR = 251, AXFR = 252, MAILB = 253, MAILA = 254, ANY = 255,
                               URI = 256, CAA = 257, AVC = 258, DOA = 259, AMTRELAY = 260,
                               TA = 32768, DLV = 32769;
}  // namespace rrtype

/// Class codes.
namespace rrclass {
inline constexpr std::uint16_t IN = 1, CH = 3, HS = 4, NONE = 254, ANY = 255;
}  // namespace rrclass

/// Everything the rest of the system needs to know about a type without parsing its RDATA.
struct RRTypeInfo {
    std::uint16_t code = 0;
    std::string_view mnemonic;  ///< upper-case presentation mnemonic, e.g. "NSEC3PARAM"
    /// RDATA names may be compressed on output and must be decompressed on input
    /// (RFC 3597 §4: only the types of RFC 1035 — NS, CNAME, SOA, MX, PTR, ...).
    bool compressible = false;
    /// RDATA names are lower-cased in the canonical form (RFC 4034 §6.2 as corrected by
    /// RFC 6840 §5.1).
    bool canonicalLowercase = false;
    /// Only one RR of this type may exist at a name (CNAME, DNAME, SOA).
    bool singleton = false;
    /// A meta type or QTYPE that never appears in a zone (OPT, TSIG, AXFR, ANY, ...).
    bool meta = false;
    /// Fields of the RDATA in order; empty for types known only by number.
    std::span<const std::uint8_t> fields;  ///< values of the private FieldKind enumeration
};

/// The registry row of `code`, or nullptr for a type the registry does not describe (such
/// RDATA is still carried opaquely, RFC 3597).
[[nodiscard]] const RRTypeInfo* findType(std::uint16_t code) noexcept;
/// Parses a type mnemonic (case-insensitive) or `TYPEnnn`.
[[nodiscard]] std::optional<std::uint16_t> typeFromText(std::string_view text) noexcept;
/// The mnemonic of `code`, or `TYPEnnn`.
[[nodiscard]] std::string typeToText(std::uint16_t code);
/// Appends the mnemonic of `code`, or `TYPEnnn`, to `out` (no temporary string).
void appendTypeText(std::uint16_t code, std::string& out);
/// Parses `IN`, `CH`, `HS`, `NONE`, `ANY` or `CLASSnnn`.
[[nodiscard]] std::optional<std::uint16_t> classFromText(std::string_view text) noexcept;
/// The mnemonic of `code`, or `CLASSnnn`.
[[nodiscard]] std::string classToText(std::uint16_t code);

/// One token of RDATA text as the zone-file tokenizer found it. Escapes are still in the
/// text (`\.`, `\DDD`); quotes are removed and `quoted` says they were there.
struct RdataToken {
    std::string_view text;
    bool quoted = false;
};

/// Converts RDATA presentation tokens of `type` into uncompressed wire RDATA appended to `out`.
/// Relative names are completed with `origin`. The generic form `\# LEN HEX` (RFC 3597 §5) is
/// accepted for every type and must match the type's format where the type is known; types
/// known only by number (or without a layout, such as NULL) need it.
/// Accepts what BIND and Knot accept in zone files: base64 and hex split over several tokens,
/// TTL units (`1h`, `2w`) in SOA timers, algorithm and certificate-type mnemonics, RRSIG times
/// as `YYYYMMDDHHmmSS` or seconds, SvcParams in any order (sorted on the wire).
/// Allocates nothing per call once `out` and the thread's scratch buffers have grown.
/// \return an English message naming the bad field on error; `out` is then left unchanged.
[[nodiscard]] Result<void, std::string> rdataFromText(std::uint16_t type,
                                                      std::span<const RdataToken> tokens,
                                                      NameView origin,
                                                      std::vector<std::uint8_t>& out);

/// Splits one line of RDATA presentation text into tokens the way a master file does: blanks
/// separate, `"..."` is one token with `quoted` set, escapes stay in the text, parentheses are
/// ignored. The tokens point into `text`. For tests, tools and the control plane; the zone-file
/// parser has its own tokenizer.
/// \return false on an unterminated quoted string.
[[nodiscard]] bool tokenizeRdata(std::string_view text, std::vector<RdataToken>& tokens);

/// Convenience: tokenizeRdata() then rdataFromText().
[[nodiscard]] Result<void, std::string> rdataFromString(std::uint16_t type, std::string_view text,
                                                        NameView origin,
                                                        std::vector<std::uint8_t>& out);

/// Appends the presentation form of uncompressed wire RDATA to `out`, as Knot DNS prints it
/// (base64 as one token, hex upper-case, strings quoted with `\DDD` escapes). Types the
/// registry does not know are printed in the generic `\# LEN HEX` form. rdataFromText() reads
/// the result back to the same octets.
/// \retval WireError::BadRdata  the RDATA does not match its type's layout
[[nodiscard]] WireResult<void> rdataToText(std::uint16_t type, std::span<const std::uint8_t> rdata,
                                           std::string& out);

/// Reads the RDATA of `type` that starts at `pos` in `packet` and is `rdlength` long,
/// decompressing embedded names (only for types where compression is allowed), validating the
/// layout, and appending the uncompressed form to `out`. Used for messages from the network.
/// \retval WireError::BadRdata  the RDATA does not match its type's layout or length
[[nodiscard]] WireResult<void> rdataFromWire(std::uint16_t type,
                                             std::span<const std::uint8_t> packet, std::size_t pos,
                                             std::size_t rdlength, std::vector<std::uint8_t>& out);

/// Checks that uncompressed RDATA matches the layout of `type` (names valid, lengths
/// consistent, nothing left over). Types the registry does not describe are always valid.
[[nodiscard]] WireResult<void> validateRdata(std::uint16_t type,
                                             std::span<const std::uint8_t> rdata) noexcept;

/// Where one embedded domain name sits inside uncompressed RDATA.
struct RdataName {
    std::uint16_t offset = 0;   ///< byte offset inside the RDATA
    std::uint8_t length = 0;    ///< wire length of the name
    bool compressible = false;  ///< may be written as a compression pointer
};

/// Lists the domain names embedded in uncompressed RDATA of `type`, in order, into `names`.
/// Returns the count (at most `names.size()`). The renderer uses it to compress, and the answer
/// engine to find additional-section targets (MX exchange, SRV target, NS host).
[[nodiscard]] std::size_t rdataNames(std::uint16_t type, std::span<const std::uint8_t> rdata,
                                     std::span<RdataName> names) noexcept;

/// Rewrites uncompressed RDATA of `type` into its canonical form (RFC 4034 §6.2: embedded names
/// of the listed types lower-cased) in place.
void canonicalizeRdata(std::uint16_t type, std::span<std::uint8_t> rdata) noexcept;

}  // namespace dnsfleet::dnswire
