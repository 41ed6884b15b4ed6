#pragma once
/// \file
/// The zone service: zones, their live RRsets, per-user drafts, apply, versions, restore,
/// import and export (issue 4 §4). Domain logic only, no HTTP types: every operation checks the
/// caller's rights with authz::authorize (the zone name goes along for API tokens limited to
/// some zones) and every change writes its audit event in the same transaction as the change.
///
/// Versions and serials: a zone starts at version 1 with SOA serial YYYYMMDD01 of its creation
/// day (UTC); every new version (apply, restore) adds 1 to the version and 1 to the serial in
/// RFC 1982 arithmetic, so the serial always increases for the edges, whatever the date.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "controld/config/settings.hpp"
#include "controld/core/context.hpp"
#include "controld/zones/records.hpp"
#include "storage/database.hpp"

namespace dnsfleet::controld::zones {

/// Labels of a zone: key → value.
using Labels = std::map<std::string, std::string>;

/// A zone as the API shows it.
struct Zone {
    Id id = 0;
    Id contractId = 0;
    std::string name;  ///< canonical ("example.com.")
    std::uint32_t defaultTtl = 0;
    std::string comment;
    Labels labels;
    std::int64_t version = 0;  ///< the live version; the API's ETag
    std::uint32_t serial = 0;  ///< the live SOA serial
    Timestamp createdAt = 0;
    Timestamp updatedAt = 0;
};

struct NewZone {
    std::string name;
    std::optional<std::uint32_t> defaultTtl;  ///< nullopt: settings.defaultTtl
    std::string comment;
    Labels labels;
};

/// What a PATCH changes; members left empty stay as they are.
struct ZoneUpdate {
    std::optional<std::string> comment;
    std::optional<Labels> labels;
    std::optional<std::uint32_t> defaultTtl;
};

struct ZoneQuery {
    std::optional<std::string> nameContains;  ///< case-insensitive substring of the name
    std::vector<std::pair<std::string, std::string>> labels;  ///< every one must match
    std::int64_t offset = 0;
    std::int64_t limit = 100;
};

struct ZonePage {
    std::vector<Zone> items;  ///< by name
    std::int64_t total = 0;   ///< matching zones, all pages
};

/// A new zone and the change id whose sync status the fleet reports.
struct CreatedZone {
    Zone zone;
    std::string changeId;
};

/// One live RRset and the version that last changed it.
struct LiveRrset {
    Rrset rrset;
    std::int64_t changedInVersion = 0;
};

struct LiveRrsets {
    std::int64_t version = 0;
    std::uint32_t serial = 0;
    std::vector<LiveRrset> rrsets;  ///< SOA first, then by name and type
};

/// Filters of the live RRset list; empty matches everything.
struct RrsetFilter {
    std::string name;  ///< absolute or relative to the zone, "@" for the apex
    std::string type;
};

/// One staged change of a draft.
struct StagedRrset {
    enum class Action { Put, Delete };
    Action action = Action::Put;
    Rrset rrset;  ///< for Delete only name and type are set
};

/// The caller's draft of one zone.
struct Draft {
    bool exists = false;           ///< false: nothing staged (the other members are empty)
    std::int64_t baseVersion = 0;  ///< the live version when the draft began
    std::int64_t liveVersion = 0;  ///< the live version now
    Timestamp createdAt = 0;
    Timestamp updatedAt = 0;
    std::vector<StagedRrset> changes;  ///< by name and type
};

/// The result of apply and restore.
struct Applied {
    std::int64_t version = 0;
    std::uint32_t serial = 0;
    std::string changeId;
    std::vector<RrsetChange> diff;
};

struct VersionSummary {
    std::int64_t version = 0;
    std::uint32_t serial = 0;
    std::string description;
    std::string author;
    Timestamp createdAt = 0;
    std::int64_t changeCount = 0;  ///< RRsets added, changed or removed
};

struct VersionPage {
    std::vector<VersionSummary> items;  ///< newest first
    std::int64_t total = 0;
};

struct VersionDetail {
    VersionSummary summary;
    std::vector<RrsetChange> diff;  ///< against the version before (SOA not included)
    std::string zoneText;           ///< the full zone file of this version
};

/// What an import staged.
struct ImportResult {
    Draft draft;
    std::int64_t staged = 0;     ///< RRsets put (new or different from live)
    std::int64_t deletions = 0;  ///< live RRsets absent from the file, staged for deletion
    std::int64_t unchanged = 0;  ///< RRsets of the file equal to live, not staged
    /// RRsets of the file that the platform generates and therefore ignored ("example.com. SOA").
    std::vector<std::string> ignored;
};

/// The zone service over one database. Thread-safe: holds no mutable state of its own.
class ZoneService {
  public:
    ZoneService(storage::Database& db, config::NameServerSettings settings,
                RecordLimits limits = {});

    // ---- zones ----
    /// Creates a zone at version 1 with the generated SOA and apex NS (ZoneManage). Conflict
    /// when the name, or a name above or below it, is a zone of another contract (the detail
    /// never says which contract); zones above or below one another within one contract are
    /// allowed.
    [[nodiscard]] Outcome<CreatedZone> create(const RequestContext& context, Id contractId,
                                              const NewZone& zone);
    [[nodiscard]] Outcome<ZonePage> list(const RequestContext& context, Id contractId,
                                         const ZoneQuery& query);
    [[nodiscard]] Outcome<Zone> get(const RequestContext& context, Id contractId,
                                    std::string_view zoneName);
    /// Changes comment, labels and default TTL (ZoneEdit); makes no new version.
    [[nodiscard]] Outcome<Zone> update(const RequestContext& context, Id contractId,
                                       std::string_view zoneName, const ZoneUpdate& update);
    /// Deletes the zone (ZoneManage): its live RRsets and drafts go, the row and its version
    /// history stay with `deleted_at` set so that the fleet removes it. Returns the change id.
    [[nodiscard]] Outcome<std::string> remove(const RequestContext& context, Id contractId,
                                              std::string_view zoneName);

    // ---- live data ----
    [[nodiscard]] Outcome<LiveRrsets> rrsets(const RequestContext& context, Id contractId,
                                             std::string_view zoneName,
                                             const RrsetFilter& filter = {});
    /// The live version as an RFC 1035 zone file.
    [[nodiscard]] Outcome<std::string> exportZoneText(const RequestContext& context, Id contractId,
                                                      std::string_view zoneName);

    // ---- the caller's draft ----
    [[nodiscard]] Outcome<Draft> draft(const RequestContext& context, Id contractId,
                                       std::string_view zoneName);
    /// Stages an RRset (checked with checkRrset now, so that errors show at once).
    [[nodiscard]] Outcome<Draft> stageRrset(const RequestContext& context, Id contractId,
                                            std::string_view zoneName, const RrsetInput& input);
    /// Stages the deletion of a live RRset, or unstages a staged new one. NotFound when the
    /// RRset is neither live nor staged.
    [[nodiscard]] Outcome<Draft> stageDeletion(const RequestContext& context, Id contractId,
                                               std::string_view zoneName, std::string_view name,
                                               std::string_view type);
    /// The draft's effect on the live version (what apply would change now).
    [[nodiscard]] Outcome<std::vector<RrsetChange>> draftDiff(const RequestContext& context,
                                                              Id contractId,
                                                              std::string_view zoneName);
    [[nodiscard]] Outcome<void> discardDraft(const RequestContext& context, Id contractId,
                                             std::string_view zoneName);
    /// Applies the caller's draft as a new version. `expectedVersion` is the If-Match version:
    /// nullopt → PreconditionRequired; not the live version → PreconditionFailed. RRsets of the
    /// draft that someone else changed since the draft's base version → Conflict naming them.
    [[nodiscard]] Outcome<Applied> apply(const RequestContext& context, Id contractId,
                                         std::string_view zoneName, const std::string& description,
                                         std::optional<std::int64_t> expectedVersion);

    // ---- versions ----
    [[nodiscard]] Outcome<VersionPage> versions(const RequestContext& context, Id contractId,
                                                std::string_view zoneName, std::int64_t offset,
                                                std::int64_t limit);
    [[nodiscard]] Outcome<VersionDetail> version(const RequestContext& context, Id contractId,
                                                 std::string_view zoneName, std::int64_t version);
    /// Makes the content of `version` the live content again, as a new version (the SOA and
    /// apex NS stay generated). If-Match rules as for apply.
    [[nodiscard]] Outcome<Applied> restore(const RequestContext& context, Id contractId,
                                           std::string_view zoneName, std::int64_t version,
                                           const std::string& description,
                                           std::optional<std::int64_t> expectedVersion);

    /// Replaces the caller's draft with the content of an RFC 1035 zone file: every RRset of
    /// the file that differs from live is staged, every live RRset absent from the file is
    /// staged for deletion; the file's SOA, apex NS and DNSSEC records are ignored (the platform
    /// generates them) and listed in `ignored`. Parse errors are field errors naming the line.
    [[nodiscard]] Outcome<ImportResult> importZoneText(const RequestContext& context, Id contractId,
                                                       std::string_view zoneName,
                                                       std::string_view text);

    /// After a restore from a backup: every live zone gets a new version with the same content
    /// and a serial kRepublishSerialStep ahead, the catalog's serial moves as far, each with
    /// its change id and a "zone.republish" event in the zone's contract. The edges may hold
    /// versions made after the backup, under serials the restored database has given out
    /// again; the step makes the restored content newer than any of them (RFC 1982), so that
    /// they transfer it instead of keeping what the restore undid. Not an API call: the
    /// `dnsfleet-controld republish` command runs it. Returns the number of zones.
    [[nodiscard]] std::size_t republishAll(const RequestContext& context,
                                           const std::string& description);

    [[nodiscard]] const config::NameServerSettings& settings() const noexcept { return settings_; }

  private:
    storage::Database& db_;
    config::NameServerSettings settings_;
    RecordLimits limits_;
};

/// How far republishAll moves serials: a quarter of the serial space, newer (RFC 1982 §3.2)
/// than the current serial plus any number of later versions below 2^30.
inline constexpr std::uint32_t kRepublishSerialStep = 1U << 30U;

/// The serial of a new zone created at `now`: YYYYMMDD01 of that UTC day.
[[nodiscard]] std::uint32_t initialSerial(Timestamp now);
/// The serial after `serial` (RFC 1982 §3.1: plus one, modulo 2^32).
[[nodiscard]] std::uint32_t nextSerial(std::uint32_t serial) noexcept;

}  // namespace dnsfleet::controld::zones
