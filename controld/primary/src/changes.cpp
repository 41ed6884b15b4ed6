// Change ids: one row per new zone version, written in the transaction that makes the version.
#include <string>

#include "controld/primary/fleet.hpp"

namespace dnsfleet::controld::primary {

std::string recordChange(storage::Transaction& tx, const RequestContext& context, Id contractId,
                         Id zoneId, std::string_view zoneName, std::uint32_t serial) {
    const Timestamp created = context.now != 0 ? context.now : nowUtc();
    const storage::Rows rows = tx.query(
        "INSERT INTO changes (contract_id, zone_id, zone_name, serial, created_at) "
        "VALUES ($1, $2, $3, $4, $5) RETURNING id",
        {contractId, zoneId, std::string(zoneName), static_cast<std::int64_t>(serial), created});
    return "C" + std::to_string(rows[0].integer(0));
}

}  // namespace dnsfleet::controld::primary
