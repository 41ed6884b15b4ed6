#pragma once
/// \file
/// controld as the hidden primary of the fleet: a catalog zone of every served
/// zone, AXFR and IXFR (from the versions' diffs) under TSIG on the management address, NOTIFY
/// to every registered edge on each new version, and the sync status of change ids (an edge is
/// in sync when it *answers* the zone's SOA query with the new serial or a later one).
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "controld/config/settings.hpp"
#include "controld/core/context.hpp"
#include "storage/database.hpp"

namespace dnsfleet::controld::primary {

/// Records, inside the transaction that creates a zone's new version (apply, restore, create,
/// delete), the change whose sync status the API reports; returns its id ("C" + digits).
/// `serial` is the new SOA serial (for a deleted zone: the catalog's new serial).
[[nodiscard]] std::string recordChange(storage::Transaction& tx, const RequestContext& context,
                                       Id contractId, Id zoneId, std::string_view zoneName,
                                       std::uint32_t serial);

/// Moves the catalog zone's serial `step` ahead (RFC 1982 addition) and forgets which members
/// it was built from, so that the next reload publishes the member list under a serial the
/// edges take as newer than any they hold. For the re-publication after a restore from a
/// backup, whose catalog serial may be older than the one the edges last transferred.
void advanceCatalogSerial(storage::Transaction& tx, std::uint32_t step);

/// What one version changed since the version before it, as two RFC 1035 zone-text fragments
/// with absolute owner names: the records it removed (the old SOA first) and the records it
/// added (the new SOA first). An RRset that changed may appear whole on both sides.
struct VersionStepText {
    std::string removed;
    std::string added;
};

/// How the fleet reads zone versions from the zones' storage; the zones library provides it
/// (zones::fleetVersionReader()). A function left empty falls back to the zone_versions.zone_text
/// column, which only versions written before migration 0006 (and test fixtures) fill: the
/// daemon must pass the zones library's reader.
struct VersionReader {
    /// The whole zone text of version `version` of zone `zoneId`; nullopt when unknown.
    std::function<std::optional<std::string>(storage::Transaction&, Id zoneId,
                                             std::int64_t version)>
        zoneText;
    /// What version `version` changed since `version` - 1; nullopt when unknown (the fleet then
    /// reads the whole version).
    std::function<std::optional<VersionStepText>(storage::Transaction&, Id zoneId,
                                                 std::int64_t version)>
        step;
};

/// The running primary: transfer server, NOTIFY sender and sync poller.
class Fleet {
  public:
    virtual ~Fleet() = default;

    /// Starts serving on settings.fleet.transferListen and sends NOTIFY for the catalog and for
    /// every zone with a PENDING change (versions made while controld was down, or before a
    /// crash lost their NOTIFY). Throws std::runtime_error when the address cannot be bound.
    /// `reader` reads the versions served (see VersionReader).
    [[nodiscard]] static std::unique_ptr<Fleet> start(storage::Database& db,
                                                      const config::Settings& settings,
                                                      VersionReader reader = {});

    /// Called after a transaction that made new zone versions committed: reloads what changed
    /// from the database (zones, versions, catalog), then sends NOTIFY to every edge.
    /// Non-blocking.
    virtual void versionsChanged() = 0;
    /// Called after edges were added or removed.
    virtual void edgesChanged() = 0;
    virtual void stop() = 0;
};

}  // namespace dnsfleet::controld::primary
