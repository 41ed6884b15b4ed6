#pragma once
/// \file
/// The JSON shapes of RRsets and diffs, shared by the database (rrsets.records, the versions'
/// diff column) and the API, so that a version's stored diff is exactly what the API shows.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "controld/zones/records.hpp"

namespace dnsfleet::controld::zones {

/// `[{"data": "...", "comment": "..."}]`
[[nodiscard]] nlohmann::json recordsToJson(const std::vector<Record>& records);
/// The inverse of recordsToJson; nullopt when `json` is not of that shape.
[[nodiscard]] std::optional<std::vector<Record>> recordsFromJson(const nlohmann::json& json);

/// `{"name", "type", "ttl", "records", "comment"}`
[[nodiscard]] nlohmann::json rrsetToJson(const Rrset& rrset);
[[nodiscard]] std::optional<Rrset> rrsetFromJson(const nlohmann::json& json);

/// One change: `{"name", "type", "action": "added"|"removed"|"changed", "before", "after",
/// "added_records", "removed_records"}` where before/after are RRsets or null and the record
/// lists compare by data (a record whose comment alone changed is in neither).
[[nodiscard]] nlohmann::json changeToJson(const RrsetChange& change);
[[nodiscard]] nlohmann::json diffToJson(const std::vector<RrsetChange>& diff);
/// The inverse of diffToJson (reads before/after only); nullopt when malformed.
[[nodiscard]] std::optional<std::vector<RrsetChange>> diffFromJson(const nlohmann::json& json);

}  // namespace dnsfleet::controld::zones
