#pragma once
/// \file
/// The crash-safe on-disk copy of secondary zones (LMDB): for each zone, a snapshot of one
/// complete version plus the journal of diffs applied since. Every write is one LMDB
/// transaction, so a kill -9 at any moment leaves the last committed version readable, and a
/// failed write (a full disk) changes nothing on disk and is reported, never fatal. On start
/// the daemon serves what the store holds before it contacts any primary.
///
/// The format carries a version number (the `meta` database's `format` key); a store written
/// by a newer, incompatible format is refused rather than misread.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "dnswire/name.hpp"
#include "xfr/diff.hpp"
#include "xfr/record_list.hpp"
#include "zone/zone.hpp"

namespace dnsfleet::authd::store {

/// The on-disk format version this code writes and reads.
inline constexpr std::uint32_t kFormatVersion = 1;

/// What the store holds for one zone.
struct StoredZone {
    dnswire::Name apex;
    std::uint32_t serial = 0;            ///< the serial of the newest version
    xfr::RecordList snapshot;            ///< a complete version, SOA first
    std::vector<xfr::ZoneDiff> journal;  ///< diffs from the snapshot's serial to `serial`
    std::int64_t lastTransfer = 0;       ///< when the newest version arrived (epoch seconds)
};

/// What the daemon needs of a stored zone at start: the version to serve, the journal that
/// led to it (to seed the IXFR history it serves onwards) and when it last arrived (for the
/// refresh and expire timers). Read in one transaction, the zone built once.
struct RestoredZone {
    std::shared_ptr<const zone::Zone> zone;
    std::uint32_t serial = 0;
    std::vector<xfr::ZoneDiff> journal;  ///< oldest first; leads from the snapshot to `serial`
    std::int64_t lastTransfer = 0;
};

class ZoneStore {
  public:
    /// Opens (creating when missing) the store in `directory` with a map of `mapSize` octets.
    /// Errors: the directory cannot be created, the environment cannot be opened, the format
    /// version is unknown.
    [[nodiscard]] static Result<std::unique_ptr<ZoneStore>, std::string> open(
        const std::filesystem::path& directory, std::size_t mapSize);

    ZoneStore(const ZoneStore&) = delete;
    ZoneStore& operator=(const ZoneStore&) = delete;
    ~ZoneStore();

    /// The apexes of every stored zone.
    [[nodiscard]] Result<std::vector<dnswire::Name>, std::string> zones() const;
    /// Reads one zone (snapshot and journal) in one read transaction.
    [[nodiscard]] Result<StoredZone, std::string> read(dnswire::NameView apex) const;
    /// Reads a zone and builds the version it leads to (snapshot with the journal applied by
    /// xfr::applyDiffs). A stored zone that does not agree with itself (counts, serial chain,
    /// malformed records) is an error, never a partial zone.
    [[nodiscard]] Result<std::shared_ptr<const zone::Zone>, std::string> load(
        dnswire::NameView apex) const;
    /// load() plus the journal and the time of the last transfer, from the same transaction.
    [[nodiscard]] Result<RestoredZone, std::string> restore(dnswire::NameView apex) const;

    /// Stores a complete version (after an AXFR): replaces the zone's snapshot and clears its
    /// journal, in one transaction. `records` must start with the apex SOA (as AXFR and
    /// xfr::zoneRecords give them). Any failure (e.g. "store: MDB_MAP_FULL: ...") leaves the
    /// previously stored version intact.
    [[nodiscard]] Result<void, std::string> storeFull(dnswire::NameView apex,
                                                      const xfr::RecordList& records,
                                                      std::int64_t now);
    /// Appends diffs (after an IXFR) in one transaction. When the journal grows past
    /// `compactAfterBytes` of diffs, the snapshot is rewritten from `result` (the version the
    /// diffs lead to) and the journal cleared, in the same transaction (0: always compact).
    /// Fails, changing nothing, when the zone is not stored, when the first diff does not
    /// start at the stored serial or the diffs do not chain, or when `result`'s serial is not
    /// the last diff's: a journal that does not chain could never be loaded again.
    [[nodiscard]] Result<void, std::string> appendDiffs(dnswire::NameView apex,
                                                        std::span<const xfr::ZoneDiff> diffs,
                                                        const zone::Zone& result,
                                                        std::size_t compactAfterBytes,
                                                        std::int64_t now);
    /// Forgets a zone (removed from the configuration or the catalog, or expired). Forgetting
    /// a zone that is not stored succeeds.
    [[nodiscard]] Result<void, std::string> remove(dnswire::NameView apex);

    /// Octets the store's file uses on disk.
    [[nodiscard]] std::size_t fileSize() const noexcept;

  private:
    struct Env;
    explicit ZoneStore(std::unique_ptr<Env> env);
    std::unique_ptr<Env> env_;
};

}  // namespace dnsfleet::authd::store
