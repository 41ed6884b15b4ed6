#pragma once
// Helpers shared by the zone service's source files.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "controld/zones/zone_service.hpp"

namespace dnsfleet::controld::zones::detail {

inline constexpr std::size_t kMaxLabels = 64;
inline constexpr std::string_view kLabelKeyCharacters =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._/-";

[[nodiscard]] Timestamp timeOf(const RequestContext& context);
/// The canonical name of a zone named in a request; an invalid name is simply not found.
[[nodiscard]] Outcome<std::string> zoneNameForLookup(std::string_view name);
/// "zone:example.com." — the event log's target.
[[nodiscard]] std::string target(std::string_view zoneName);
[[nodiscard]] std::vector<FieldError> checkMetadata(const std::optional<std::uint32_t>& defaultTtl,
                                                    const std::optional<std::string>& comment,
                                                    const std::optional<Labels>& labels,
                                                    const RecordLimits& limits);
/// The canonical mnemonic of a type given as text ("a", "TYPE1" → "A").
[[nodiscard]] std::optional<std::string> canonicalType(std::string_view type);

}  // namespace dnsfleet::controld::zones::detail
