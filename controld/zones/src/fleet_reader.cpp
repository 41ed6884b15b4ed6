// The fleet's reader of zone versions (see fleet_reader.hpp).
#include "controld/zones/fleet_reader.hpp"

#include <nlohmann/json.hpp>

#include "controld/zones/zone_json.hpp"
#include "zone_store.hpp"

namespace dnsfleet::controld::zones {

namespace {

std::optional<std::string> wholeText(storage::Transaction& tx, Id zoneId, std::int64_t version) {
    const auto zone = store::findZoneById(tx, zoneId);
    if (!zone) return std::nullopt;
    return store::versionText(tx, *zone, version);
}

/// Version `version`'s diff rendered twice: the RRsets before under the previous version's SOA,
/// the RRsets after under its own.
std::optional<primary::VersionStepText> stepText(storage::Transaction& tx, Id zoneId,
                                                 std::int64_t version) {
    const auto zone = tx.queryOne("SELECT name FROM zones WHERE id = $1", {zoneId});
    if (!zone) return std::nullopt;
    const std::string apex = zone->text(0);
    const storage::Rows rows = tx.query(
        "SELECT version, diff, soa FROM zone_versions WHERE zone_id = $1"
        " AND version IN ($2, $3) ORDER BY version",
        {zoneId, version - 1, version});
    if (rows.size() != 2 || rows[0].isNull(2) || rows[1].isNull(2)) return std::nullopt;
    const auto oldSoa = rrsetFromJson(nlohmann::json::parse(rows[0].text(2), nullptr, false));
    const auto newSoa = rrsetFromJson(nlohmann::json::parse(rows[1].text(2), nullptr, false));
    const auto diff = diffFromJson(nlohmann::json::parse(rows[1].text(1), nullptr, false));
    if (!oldSoa || !newSoa || !diff) return std::nullopt;
    std::vector<Rrset> before{*oldSoa};
    std::vector<Rrset> after{*newSoa};
    for (const RrsetChange& change : *diff) {
        if (change.before) before.push_back(*change.before);
        if (change.after) after.push_back(*change.after);
    }
    return primary::VersionStepText{renderZoneText(apex, before), renderZoneText(apex, after)};
}

}  // namespace

primary::VersionReader fleetVersionReader() {
    return {wholeText, stepText};
}

}  // namespace dnsfleet::controld::zones
