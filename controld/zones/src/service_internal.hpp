#pragma once
// Helpers shared by the zone service's source files.
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "controld/authz/authz.hpp"
#include "controld/zones/zone_service.hpp"
#include "zone_store.hpp"

namespace dnsfleet::controld::zones::detail {

inline constexpr std::size_t kMaxLabels = 64;
inline constexpr std::string_view kLabelKeyCharacters =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._/-";

[[nodiscard]] Timestamp timeOf(const RequestContext& context);
/// The canonical name of a zone named in a request; an invalid name is simply not found.
[[nodiscard]] Outcome<std::string> zoneNameForLookup(std::string_view name);
/// The canonical name of the zone a request names, once the caller may exercise `permission`
/// on it (authorize() logs a denial); an invalid name is simply not found.
[[nodiscard]] Outcome<std::string> authorizedZoneName(storage::Database& db,
                                                      const RequestContext& context,
                                                      authz::Permission permission, Id contractId,
                                                      std::string_view zoneName);
/// Rolls `tx` back and fails with `error`: for the service's transactions that refuse.
[[nodiscard]] inline auto rollbackWith(storage::Transaction& tx, ServiceError error) {
    tx.rollback();
    return fail(std::move(error));
}
/// Runs `body(tx, zone)` in a transaction of `mode` on the zone a request names, once the
/// caller may exercise `permission` on it; a zone the contract does not hold is NotFound.
template <typename Body>
auto onZone(storage::Database& db, const RequestContext& context, authz::Permission permission,
            Id contractId, std::string_view zoneName, storage::Mode mode, Body&& body)
    -> decltype(body(std::declval<storage::Transaction&>(), std::declval<const Zone&>())) {
    auto name = authorizedZoneName(db, context, permission, contractId, zoneName);
    if (!name) return fail(std::move(name).error());
    return db.run(mode, [&](storage::Transaction& tx) {
        using Answer = decltype(body(tx, std::declval<const Zone&>()));
        const std::optional<Zone> zone = store::findZone(tx, contractId, *name);
        if (!zone) return Answer(rollbackWith(tx, notFound("no such zone")));
        return body(tx, *zone);
    });
}

/// "zone:example.com." — the event log's target.
[[nodiscard]] std::string target(std::string_view zoneName);
[[nodiscard]] std::vector<FieldError> checkMetadata(const std::optional<std::uint32_t>& defaultTtl,
                                                    const std::optional<std::string>& comment,
                                                    const std::optional<Labels>& labels,
                                                    const RecordLimits& limits);
/// The canonical mnemonic of a type given as text ("a", "TYPE1" → "A").
[[nodiscard]] std::optional<std::string> canonicalType(std::string_view type);

}  // namespace dnsfleet::controld::zones::detail
