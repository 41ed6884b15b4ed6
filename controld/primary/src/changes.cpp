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

void advanceCatalogSerial(storage::Transaction& tx, std::uint32_t step) {
    const auto row = tx.queryOne("SELECT serial FROM fleet_catalog WHERE id = 1");
    if (!row) return;  // no catalog published yet: the first reload starts from the clock
    const auto advanced = static_cast<std::uint32_t>(row->integer(0)) + step;  // modulo 2^32
    tx.execute("UPDATE fleet_catalog SET serial = $1, members_digest = '' WHERE id = 1",
               {static_cast<std::int64_t>(advanced)});
}

}  // namespace dnsfleet::controld::primary
