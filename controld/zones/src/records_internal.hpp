#pragma once
// Helpers shared by the RRset checks and the zone text reader and writer (private to zones/).

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "controld/zones/records.hpp"

namespace dnsfleet::controld::zones::detail {

/// `text` without leading and trailing blanks (space, tab, CR).
[[nodiscard]] std::string_view trimBlanks(std::string_view text) noexcept;
/// True when `text` is well-formed UTF-8 (no overlong forms, no surrogates).
[[nodiscard]] bool validUtf8(std::string_view text) noexcept;
/// Why `comment` (already trimmed) cannot be stored, or nullopt when it can.
[[nodiscard]] std::optional<std::string> commentProblem(std::string_view comment,
                                                        std::size_t maxBytes);
/// The type code of a mnemonic or TYPEnnn that may appear in a zone; else nullopt and
/// `problem` says why.
[[nodiscard]] std::optional<std::uint16_t> zoneTypeCode(std::string_view text,
                                                        std::string& problem);
/// RFC 4034 §6.3 order of canonical RDATA.
[[nodiscard]] int compareRdata(std::span<const std::uint8_t> a,
                               std::span<const std::uint8_t> b) noexcept;

/// Indexes of `rrsets` in canonical DNS order (RFC 4034 §6.1 by owner, then by type code);
/// with `soaFirst`, SOA RRsets come before everything else. RRsets whose name or type does not
/// parse (not canonical input) sort last, in input order.
[[nodiscard]] std::vector<std::size_t> canonicalOrder(const std::vector<Rrset>& rrsets,
                                                      bool soaFirst);

}  // namespace dnsfleet::controld::zones::detail
