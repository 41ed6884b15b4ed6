#pragma once
// Helpers shared by the RRset checks and the zone text reader/writer (private to zones/).

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

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

}  // namespace dnsfleet::controld::zones::detail
