#pragma once
// The zone service's SQL, kept apart from its rules: rows ⇄ structs, the live RRsets, and the
// writing of one new version (shared by create, apply and restore).
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "controld/zones/zone_service.hpp"
#include "storage/database.hpp"

namespace dnsfleet::controld::zones::store {

/// The labels of a canonical name, last first ("www.example.com." → "com.example.www."); the
/// root is "". A backslash escape stays inside its label.
[[nodiscard]] std::string reversedName(std::string_view canonical);
/// The names strictly above `canonical`, root included ("a.b." → "b.", ".").
[[nodiscard]] std::vector<std::string> ancestors(std::string_view canonical);
/// `name` relative to `apex` made absolute ("@" → apex, "www" → "www.<apex>").
[[nodiscard]] std::string absoluteOwner(std::string_view apex, std::string_view name);
/// Whether canonical `name` is `apex` or below it.
[[nodiscard]] bool inZone(std::string_view apex, std::string_view name);

/// The zone of `contractId` called `name` (canonical), when it exists and is not deleted.
[[nodiscard]] std::optional<Zone> findZone(storage::Transaction& tx, Id contractId,
                                           std::string_view name);
/// The zone by id (live only).
[[nodiscard]] std::optional<Zone> findZoneById(storage::Transaction& tx, Id zoneId);
/// The column list findZone reads, for other queries that build a Zone.
[[nodiscard]] std::string_view zoneColumns();
[[nodiscard]] Zone zoneFromRow(const storage::Row& row);

[[nodiscard]] std::string labelsToText(const Labels& labels);
void writeLabels(storage::Transaction& tx, Id zoneId, const Labels& labels);

/// The live RRsets, apex first, then by reversed name and type.
[[nodiscard]] std::vector<LiveRrset> loadRrsets(storage::Transaction& tx, Id zoneId);
[[nodiscard]] std::vector<Rrset> plain(const std::vector<LiveRrset>& live);
/// Orders RRsets as loadRrsets does (apex SOA first).
void sortRrsets(std::string_view apex, std::vector<Rrset>& rrsets);

/// The live RRsets owned by one of `owners` (canonical names), in no particular order: what an
/// apply reads, so that its cost follows the draft and not the zone.
[[nodiscard]] std::vector<Rrset> loadRrsetsAt(storage::Transaction& tx, Id zoneId,
                                              const std::set<std::string>& owners);
/// The live RRsets owned by names strictly below `owner` (for a DNAME being added).
[[nodiscard]] std::vector<Rrset> loadRrsetsBelow(storage::Transaction& tx, Id zoneId,
                                                 std::string_view owner);

/// Writes version `version` (serial `serial`): the RRset `changes` (a SOA among them is
/// ignored), the new `soa`, the zone_versions row (diff without the SOA, the SOA apart; the
/// zone text is rebuilt on demand, see versionRrsets), the zone's current version and serial.
/// Returns the diff as stored. Audit event and change id are the caller's.
std::vector<RrsetChange> writeVersion(storage::Transaction& tx, const RequestContext& context,
                                      const Zone& zone, const std::vector<RrsetChange>& changes,
                                      const Rrset& soa, std::int64_t version, std::uint32_t serial,
                                      const std::string& description);

/// The whole content of version `version` (SOA and apex NS included), in zone order: the
/// stored text when the version has one (versions older than migration 6), otherwise the live
/// RRsets with the later versions' diffs undone, under the version's own SOA. nullopt when the
/// version does not exist or cannot be read back.
[[nodiscard]] std::optional<std::vector<Rrset>> versionRrsets(storage::Transaction& tx,
                                                              const Zone& zone,
                                                              std::int64_t version);
/// The RFC 1035 zone text of version `version`; nullopt as versionRrsets.
[[nodiscard]] std::optional<std::string> versionText(storage::Transaction& tx, const Zone& zone,
                                                     std::int64_t version);

/// The caller's draft of zone `zoneId` (exists = false when there is none).
[[nodiscard]] Draft loadDraft(storage::Transaction& tx, Id zoneId, Id accountId,
                              std::int64_t liveVersion);
/// Removes the draft and its staged RRsets.
void deleteDraft(storage::Transaction& tx, Id zoneId, Id accountId);
/// Creates the draft row at `baseVersion` unless it exists; touches updated_at otherwise.
void ensureDraft(storage::Transaction& tx, Id zoneId, Id accountId, std::int64_t baseVersion,
                 Timestamp now);
void putStaged(storage::Transaction& tx, Id zoneId, Id accountId, const StagedRrset& staged);
void removeStaged(storage::Transaction& tx, Id zoneId, Id accountId, std::string_view name,
                  std::string_view type);

/// The keys ("name TYPE") of the RRsets changed by versions after `baseVersion`.
[[nodiscard]] std::vector<std::string> changedSince(storage::Transaction& tx, Id zoneId,
                                                    std::int64_t baseVersion);

}  // namespace dnsfleet::controld::zones::store
