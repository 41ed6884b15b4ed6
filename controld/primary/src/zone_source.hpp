#pragma once
// What the primary serves, read from the database: the zones and their current versions, the
// catalog zone, parsed versions (cached, bounded) and the diffs between versions.
#include <algorithm>
#include <cstdint>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "common/result.hpp"
#include "controld/core/context.hpp"
#include "controld/primary/fleet.hpp"
#include "dnswire/name.hpp"
#include "storage/database.hpp"
#include "xfr/diff.hpp"
#include "zone/zone.hpp"

namespace dnsfleet::controld::primary {

/// One served zone's current version.
struct ServedZone {
    Id id = 0;
    dnswire::Name apex;  ///< lower-case
    std::int64_t version = 0;
    std::uint32_t serial = 0;
};

/// Everything served at one moment; replaced as a whole on reload.
struct Snapshot {
    /// Keyed by the apex's lower-case text with the final dot.
    std::map<std::string, ServedZone> zones;
    dnswire::Name catalogApex;
    std::uint32_t catalogSerial = 0;
    std::shared_ptr<const zone::Zone> catalog;
};

/// The lower-case text of a name with its final dot ("example.com."), the key of zones.
[[nodiscard]] std::string zoneKey(std::string_view name);

/// Parses stored zone text into a zone of `apex`; errors joined into one line.
[[nodiscard]] Result<std::shared_ptr<const zone::Zone>, std::string> parseZoneText(
    dnswire::NameView apex, std::string_view text);

class ZoneSource {
  public:
    /// `reader` reads versions from storage. Memory: one parsed version per zone (the newest
    /// asked for), at most `maxParsedVersions` in all, and at most `maxDiffs` diffs.
    ZoneSource(storage::Database& db, dnswire::Name catalogApex, VersionReader reader = {},
               std::size_t maxParsedVersions = 64, std::size_t maxDiffs = 64);

    /// Reads the zones and the catalog again; the catalog's serial is bumped (and stored) when
    /// its member set changed. Returns the new snapshot. Throws DatabaseError.
    std::shared_ptr<const Snapshot> reload();
    /// The last snapshot (never null after the first reload()).
    [[nodiscard]] std::shared_ptr<const Snapshot> snapshot() const;

    /// The parsed zone of `zoneId` at `version`: the cached version before it with the
    /// version's step applied when both are at hand (a one-record change to a big zone costs
    /// the change, not the zone), else the whole version read and parsed. Errors are for the
    /// log.
    Result<std::shared_ptr<const zone::Zone>, std::string> version(const ServedZone& zone,
                                                                   std::int64_t version);
    /// The current version of `zone`.
    Result<std::shared_ptr<const zone::Zone>, std::string> current(const ServedZone& zone) {
        return version(zone, zone.version);
    }
    /// The diff from the stored version whose serial is `fromSerial` to the current one, or
    /// nullptr when no stored version has that serial (the caller falls back to AXFR).
    Result<std::shared_ptr<const xfr::ZoneDiff>, std::string> diffFrom(const ServedZone& zone,
                                                                       std::uint32_t fromSerial);

    /// Parsed versions currently cached (for tests of the bound).
    [[nodiscard]] std::size_t cachedVersions() const;

  private:
    /// A few shared values, the least recently used dropped first; looked up linearly (it holds
    /// tens of entries). Not locked: the owner's mutex guards it.
    template <typename Key, typename Value>
    class Lru {
      public:
        explicit Lru(std::size_t capacity) : capacity_(capacity) {}
        [[nodiscard]] std::shared_ptr<const Value> find(const Key& key) {
            for (auto it = entries_.begin(); it != entries_.end(); ++it) {
                if (it->first == key) {
                    entries_.splice(entries_.begin(), entries_, it);
                    return entries_.front().second;
                }
            }
            return nullptr;
        }
        void put(const Key& key, std::shared_ptr<const Value> value) {
            entries_.emplace_front(key, std::move(value));
            while (entries_.size() > capacity_)
                entries_.pop_back();
        }
        /// The first entry (most recently used first) whose key satisfies `predicate`.
        template <typename Predicate>
        [[nodiscard]] std::optional<std::pair<Key, std::shared_ptr<const Value>>> findIf(
            Predicate predicate) const {
            for (const auto& entry : entries_) {
                if (predicate(entry.first)) return entry;
            }
            return std::nullopt;
        }
        /// Whether a key satisfies `predicate`.
        template <typename Predicate>
        [[nodiscard]] bool anyKey(Predicate predicate) const {
            return std::any_of(entries_.begin(), entries_.end(),
                               [&](const auto& entry) { return predicate(entry.first); });
        }
        /// Drops the entries whose key satisfies `predicate`.
        template <typename Predicate>
        void eraseIf(Predicate predicate) {
            entries_.remove_if([&](const auto& entry) { return predicate(entry.first); });
        }
        [[nodiscard]] std::size_t size() const noexcept { return entries_.size(); }

      private:
        std::size_t capacity_;
        std::list<std::pair<Key, std::shared_ptr<const Value>>> entries_;  ///< newest first
    };

    using VersionKey = std::pair<Id, std::int64_t>;
    using DiffKey = std::tuple<Id, std::int64_t, std::int64_t>;

    [[nodiscard]] std::shared_ptr<const zone::Zone> cachedVersion(const VersionKey& key);
    [[nodiscard]] std::shared_ptr<const xfr::ZoneDiff> cachedDiff(const DiffKey& key);
    void remember(const VersionKey& key, std::shared_ptr<const zone::Zone> zone);
    void remember(const DiffKey& key, std::shared_ptr<const xfr::ZoneDiff> diff);
    /// `version` made from the zone's cached older version and the steps after it; null when
    /// there is no such version or a step is missing or does not apply.
    std::shared_ptr<const zone::Zone> fromSteps(const ServedZone& zone, std::int64_t version);
    /// The diff version - 1 → version from the reader's step; null when there is none.
    Result<std::shared_ptr<const xfr::ZoneDiff>, std::string> stepDiff(const ServedZone& zone,
                                                                       std::int64_t version);
    /// Reads and parses the whole version.
    Result<std::shared_ptr<const zone::Zone>, std::string> wholeVersion(const ServedZone& zone,
                                                                        std::int64_t version);

    storage::Database& db_;
    VersionReader reader_;
    dnswire::Name catalogApex_;
    std::size_t maxDiffs_;

    mutable std::mutex mutex_;
    std::shared_ptr<const Snapshot> snapshot_;
    Lru<VersionKey, zone::Zone> parsed_;
    Lru<DiffKey, xfr::ZoneDiff> diffs_;
    /// Zones one of whose steps did not apply: a bug, logged once; their IXFR then comes from
    /// whole versions, never from a step the edges could not apply either.
    std::set<Id> distrusted_;
};

}  // namespace dnsfleet::controld::primary
