// Drafts (staged per user), apply, versions, restore and import: the part of the zone service
// that makes new versions.
#include <map>
#include <set>

#include "controld/audit/event_log.hpp"
#include "controld/authz/authz.hpp"
#include "controld/primary/fleet.hpp"
#include "controld/zones/zone_json.hpp"
#include "controld/zones/zone_service.hpp"
#include "service_internal.hpp"
#include "zone_store.hpp"

namespace dnsfleet::controld::zones {

using authz::Permission;
using detail::target;
using detail::timeOf;

namespace {

/// Types the platform writes itself: an imported file's copies are ignored.
bool generatedType(std::string_view apex, const Rrset& rrset) {
    static const std::set<std::string, std::less<>> dnssec{"RRSIG",  "NSEC", "NSEC3",  "NSEC3PARAM",
                                                           "DNSKEY", "CDS",  "CDNSKEY"};
    if (rrset.type == "SOA") return true;
    if (rrset.type == "NS" && rrset.name == apex) return true;
    return dnssec.count(rrset.type) != 0;
}

/// The names whose RRsets `draft` changes.
std::set<std::string> draftOwners(const Draft& draft) {
    std::set<std::string> owners;
    for (const StagedRrset& staged : draft.changes)
        owners.insert(staged.rrset.name);
    return owners;
}

/// `live` with the draft's changes applied.
std::vector<Rrset> merge(const std::vector<Rrset>& live, const Draft& draft) {
    std::map<std::string, Rrset> byKey;
    for (const Rrset& r : live)
        byKey[r.key()] = r;
    for (const StagedRrset& staged : draft.changes) {
        if (staged.action == StagedRrset::Action::Delete) {
            byKey.erase(staged.rrset.key());
        } else {
            byKey[staged.rrset.key()] = staged.rrset;
        }
    }
    std::vector<Rrset> out;
    out.reserve(byKey.size());
    for (auto& [k, r] : byKey)
        out.push_back(std::move(r));
    return out;
}

/// Whether `changes` holds anything but the SOA.
bool changesContent(const std::vector<RrsetChange>& changes) {
    for (const RrsetChange& change : changes) {
        const Rrset& any = change.after ? *change.after : *change.before;
        if (any.type != "SOA") return true;
    }
    return false;
}

ServiceError unreadableVersion(std::int64_t number) {
    return {
        ErrorCode::Internal, "version " + std::to_string(number) + " cannot be read", {}, {}, 0};
}

ServiceError preconditionError(std::optional<std::int64_t> expected, std::int64_t live) {
    if (!expected) {
        return {ErrorCode::PreconditionRequired,
                "send If-Match with the zone version this change is based on (now \"" +
                    std::to_string(live) + "\")",
                {},
                {},
                0};
    }
    return {ErrorCode::PreconditionFailed,
            "the zone is at version " + std::to_string(live) + ", not " +
                std::to_string(*expected) + ": reload it and try again",
            {},
            {},
            0};
}

Outcome<void> checkDescription(const std::string& description, const RecordLimits& limits) {
    if (description.size() > limits.maxCommentBytes) {
        return fail(invalid("the description is too long", {{"/description", "too long"}}));
    }
    return {};
}

/// Writes version zone.version + 1: `changes` (RRset changes, the SOA not among them) under a
/// fresh SOA with `serial`, and records the change the fleet must pick up.
Applied writeNextVersion(storage::Transaction& tx, const RequestContext& context, Id contractId,
                         const Zone& zone, const std::vector<RrsetChange>& changes,
                         const config::NameServerSettings& settings, const std::string& description,
                         std::uint32_t serial) {
    Applied applied;
    applied.version = zone.version + 1;
    applied.serial = serial;
    applied.diff = store::writeVersion(tx, context, zone, changes,
                                       makeSoa(zone.name, settings, applied.serial),
                                       applied.version, applied.serial, description);
    applied.changeId =
        primary::recordChange(tx, context, contractId, zone.id, zone.name, applied.serial);
    return applied;
}

/// What the zone-wide checks must see for a draft touching `owners`, once `after` (every
/// RRset at those owners as the draft leaves them) is applied with `changes`: `after` itself,
/// the RRsets at the owners' ancestors inside the zone (a DNAME above), and the names below
/// every DNAME the draft adds or changes. Everything else was checked when it was applied and
/// the draft leaves it alone.
std::vector<Rrset> checkNeighbourhood(storage::Transaction& tx, const Zone& zone,
                                      const std::set<std::string>& owners,
                                      const std::vector<Rrset>& after,
                                      const std::vector<RrsetChange>& changes) {
    std::vector<Rrset> out;
    std::set<std::string> seen;  // an ancestor of one owner can lie below another's DNAME
    const auto add = [&](Rrset rrset) {
        if (seen.insert(rrset.key()).second) out.push_back(std::move(rrset));
    };
    for (const Rrset& r : after)
        add(r);
    std::set<std::string> above;
    for (const std::string& owner : owners) {
        for (std::string& ancestor : store::ancestors(owner)) {
            if (store::inZone(zone.name, ancestor) && owners.count(ancestor) == 0)
                above.insert(std::move(ancestor));
        }
    }
    for (Rrset& r : store::loadRrsetsAt(tx, zone.id, above))
        add(std::move(r));
    for (const RrsetChange& change : changes) {
        if (!change.after || change.after->type != "DNAME") continue;
        for (Rrset& child : store::loadRrsetsBelow(tx, zone.id, change.after->name)) {
            if (owners.count(child.name) == 0) add(std::move(child));
        }
    }
    return out;
}

RrsetInput toInput(const Rrset& rrset) {
    RrsetInput input;
    input.name = rrset.name;
    input.type = rrset.type;
    input.ttl = rrset.ttl;
    input.comment = rrset.comment;
    input.records.reserve(rrset.records.size());
    for (const Record& record : rrset.records)
        input.records.push_back({record.data, record.comment});
    return input;
}

}  // namespace

Outcome<Draft> ZoneService::draft(const RequestContext& context, Id contractId,
                                  std::string_view zoneName) {
    return detail::onZone(db_, context, Permission::ZoneRead, contractId, zoneName,
                          storage::Mode::Read,
                          [&](storage::Transaction& tx, const Zone& zone) -> Outcome<Draft> {
                              return store::loadDraft(tx, zone.id, context.actor.id, zone.version);
                          });
}

Outcome<Draft> ZoneService::stageRrset(const RequestContext& context, Id contractId,
                                       std::string_view zoneName, const RrsetInput& input) {
    return detail::onZone(
        db_, context, Permission::ZoneEdit, contractId, zoneName, storage::Mode::Write,
        [&](storage::Transaction& tx, const Zone& zone) -> Outcome<Draft> {
            auto checked = checkRrset(zone.name, input, zone.defaultTtl, limits_);
            if (!checked) return detail::rollbackWith(tx, std::move(checked).error());
            store::ensureDraft(tx, zone.id, context.actor.id, zone.version, timeOf(context));
            store::putStaged(tx, zone.id, context.actor.id, {StagedRrset::Action::Put, *checked});
            audit::append(tx, context,
                          {contractId,
                           "zone.draft.put",
                           target(zone.name),
                           "ok",
                           {{"rrset", checked->key()}, {"records", checked->records.size()}}});
            return store::loadDraft(tx, zone.id, context.actor.id, zone.version);
        });
}

Outcome<Draft> ZoneService::stageDeletion(const RequestContext& context, Id contractId,
                                          std::string_view zoneName, std::string_view owner,
                                          std::string_view type) {
    return detail::onZone(
        db_, context, Permission::ZoneEdit, contractId, zoneName, storage::Mode::Write,
        [&](storage::Transaction& tx, const Zone& zone) -> Outcome<Draft> {
            auto canonicalOwner = canonicalZoneName(store::absoluteOwner(zone.name, owner));
            if (!canonicalOwner || !store::inZone(zone.name, *canonicalOwner)) {
                return detail::rollbackWith(
                    tx, invalid("the name is not in the zone", {{"name", "not in the zone"}}));
            }
            const auto canonicalType = detail::canonicalType(type);
            if (!canonicalType)
                return detail::rollbackWith(tx,
                                            invalid("unknown type", {{"type", "unknown RR type"}}));
            Rrset key;
            key.name = *canonicalOwner;
            key.type = *canonicalType;
            if (key.type == "SOA" || (key.type == "NS" && key.name == zone.name)) {
                return detail::rollbackWith(
                    tx, invalid("the SOA and the apex NS are generated by the platform",
                                {{"type", "generated by the platform"}}));
            }
            const bool live = tx.queryOne(
                                    "SELECT 1 FROM rrsets WHERE zone_id = $1 AND name = $2"
                                    " AND type = $3",
                                    {zone.id, key.name, key.type})
                                  .has_value();
            const Draft before = store::loadDraft(tx, zone.id, context.actor.id, zone.version);
            bool staged = false;
            for (const StagedRrset& s : before.changes) {
                staged = staged || (s.rrset.name == key.name && s.rrset.type == key.type);
            }
            if (!live && !staged)
                return detail::rollbackWith(tx, notFound("no RRset " + key.key()));
            store::ensureDraft(tx, zone.id, context.actor.id, zone.version, timeOf(context));
            if (live) {
                store::putStaged(tx, zone.id, context.actor.id, {StagedRrset::Action::Delete, key});
            } else {
                store::removeStaged(tx, zone.id, context.actor.id, key.name, key.type);
            }
            audit::append(
                tx, context,
                {contractId, "zone.draft.delete", target(zone.name), "ok", {{"rrset", key.key()}}});
            return store::loadDraft(tx, zone.id, context.actor.id, zone.version);
        });
}

Outcome<std::vector<RrsetChange>> ZoneService::draftDiff(const RequestContext& context,
                                                         Id contractId, std::string_view zoneName) {
    return detail::onZone(
        db_, context, Permission::ZoneRead, contractId, zoneName, storage::Mode::Read,
        [&](storage::Transaction& tx, const Zone& zone) -> Outcome<std::vector<RrsetChange>> {
            const Draft draft = store::loadDraft(tx, zone.id, context.actor.id, zone.version);
            const std::vector<Rrset> live = store::loadRrsetsAt(tx, zone.id, draftOwners(draft));
            return diffRrsets(live, merge(live, draft));
        });
}

Outcome<void> ZoneService::discardDraft(const RequestContext& context, Id contractId,
                                        std::string_view zoneName) {
    return detail::onZone(
        db_, context, Permission::ZoneEdit, contractId, zoneName, storage::Mode::Write,
        [&](storage::Transaction& tx, const Zone& zone) -> Outcome<void> {
            const Draft draft = store::loadDraft(tx, zone.id, context.actor.id, zone.version);
            store::deleteDraft(tx, zone.id, context.actor.id);
            audit::append(tx, context,
                          {contractId,
                           "zone.draft.discard",
                           target(zone.name),
                           "ok",
                           {{"staged", draft.changes.size()}}});
            return {};
        });
}

Outcome<Applied> ZoneService::apply(const RequestContext& context, Id contractId,
                                    std::string_view zoneName, const std::string& description,
                                    std::optional<std::int64_t> expectedVersion) {
    return detail::onZone(
        db_, context, Permission::ZoneEdit, contractId, zoneName, storage::Mode::Write,
        [&](storage::Transaction& tx, const Zone& zone) -> Outcome<Applied> {
            if (auto checked = checkDescription(description, limits_); !checked) {
                return detail::rollbackWith(tx, std::move(checked).error());
            }
            if (!expectedVersion || *expectedVersion != zone.version) {
                return detail::rollbackWith(tx, preconditionError(expectedVersion, zone.version));
            }
            const Draft draft = store::loadDraft(tx, zone.id, context.actor.id, zone.version);
            if (draft.changes.empty())
                return detail::rollbackWith(tx, invalid("the draft is empty: nothing to apply"));
            // Only the draft's owners are read: an apply costs what it changes, not the zone.
            const std::set<std::string> owners = draftOwners(draft);
            const std::vector<Rrset> live = store::loadRrsetsAt(tx, zone.id, owners);

            // Someone else changed an RRset this draft changes: refuse, unless the live RRset is
            // now exactly what the draft wants (both made the same change).
            std::map<std::string, const Rrset*> liveByKey;
            for (const Rrset& r : live)
                liveByKey[r.key()] = &r;
            const std::vector<std::string> changed =
                store::changedSince(tx, zone.id, draft.baseVersion);
            const std::set<std::string> changedKeys(changed.begin(), changed.end());
            std::vector<std::string> conflicts;
            for (const StagedRrset& staged : draft.changes) {
                const std::string key = staged.rrset.key();
                if (changedKeys.count(key) == 0) continue;
                const auto it = liveByKey.find(key);
                const bool same = staged.action == StagedRrset::Action::Delete
                                      ? it == liveByKey.end()
                                      : it != liveByKey.end() && *it->second == staged.rrset;
                if (!same) conflicts.push_back(key);
            }
            if (!conflicts.empty()) {
                return detail::rollbackWith(
                    tx, conflict("RRsets of the draft were changed by someone else since "
                                 "version " +
                                     std::to_string(draft.baseVersion) +
                                     ": review them, stage them again or discard the draft",
                                 conflicts));
            }

            const std::vector<Rrset> merged = merge(live, draft);
            const std::vector<RrsetChange> changes = diffRrsets(live, merged);
            if (!changesContent(changes)) {
                return detail::rollbackWith(
                    tx, invalid("the draft changes nothing in the live version"));
            }
            auto zoneCheck =
                checkZone(zone.name, checkNeighbourhood(tx, zone, owners, merged, changes));
            if (!zoneCheck) return detail::rollbackWith(tx, std::move(zoneCheck).error());

            const Applied applied =
                writeNextVersion(tx, context, contractId, zone, changes, settings_, description,
                                 nextSerial(zone.serial));
            store::deleteDraft(tx, zone.id, context.actor.id);
            audit::append(tx, context,
                          {contractId,
                           "zone.apply",
                           target(zone.name),
                           "ok",
                           {{"version", applied.version},
                            {"serial", applied.serial},
                            {"change", applied.changeId},
                            {"description", description},
                            {"rrsets_changed", applied.diff.size()}}});
            return applied;
        });
}

Outcome<VersionPage> ZoneService::versions(const RequestContext& context, Id contractId,
                                           std::string_view zoneName, std::int64_t offset,
                                           std::int64_t limit) {
    return detail::onZone(
        db_, context, Permission::ZoneRead, contractId, zoneName, storage::Mode::Read,
        [&](storage::Transaction& tx, const Zone& zone) -> Outcome<VersionPage> {
            VersionPage page;
            page.total =
                tx.query("SELECT COUNT(*) FROM zone_versions WHERE zone_id = $1", {zone.id})[0]
                    .integer(0);
            const storage::Rows rows = tx.query(
                "SELECT version, serial, description, author, created_at, diff FROM zone_versions"
                " WHERE zone_id = $1 ORDER BY version DESC LIMIT $2 OFFSET $3",
                {zone.id, limit, offset});
            page.items.reserve(rows.size());
            for (const storage::Row& row : rows) {
                VersionSummary summary;
                summary.version = row.integer(0);
                summary.serial = static_cast<std::uint32_t>(row.integer(1));
                summary.description = row.text(2);
                summary.author = row.text(3);
                summary.createdAt = row.integer(4);
                const nlohmann::json diff = nlohmann::json::parse(row.text(5), nullptr, false);
                summary.changeCount = diff.is_array() ? static_cast<std::int64_t>(diff.size()) : 0;
                page.items.push_back(std::move(summary));
            }
            return page;
        });
}

Outcome<VersionDetail> ZoneService::version(const RequestContext& context, Id contractId,
                                            std::string_view zoneName, std::int64_t number) {
    return detail::onZone(
        db_, context, Permission::ZoneRead, contractId, zoneName, storage::Mode::Read,
        [&](storage::Transaction& tx, const Zone& zone) -> Outcome<VersionDetail> {
            const auto row = tx.queryOne(
                "SELECT version, serial, description, author, created_at, diff"
                " FROM zone_versions WHERE zone_id = $1 AND version = $2",
                {zone.id, number});
            if (!row) return fail(notFound("no version " + std::to_string(number)));
            VersionDetail detail;
            detail.summary.version = row->integer(0);
            detail.summary.serial = static_cast<std::uint32_t>(row->integer(1));
            detail.summary.description = row->text(2);
            detail.summary.author = row->text(3);
            detail.summary.createdAt = row->integer(4);
            detail.diff = diffFromJson(nlohmann::json::parse(row->text(5), nullptr, false))
                              .value_or(std::vector<RrsetChange>{});
            detail.summary.changeCount = static_cast<std::int64_t>(detail.diff.size());
            auto text = store::versionText(tx, zone, number);
            if (!text) return fail(unreadableVersion(number));
            detail.zoneText = std::move(*text);
            return detail;
        });
}

Outcome<Applied> ZoneService::restore(const RequestContext& context, Id contractId,
                                      std::string_view zoneName, std::int64_t number,
                                      const std::string& description,
                                      std::optional<std::int64_t> expectedVersion) {
    return detail::onZone(
        db_, context, Permission::ZoneEdit, contractId, zoneName, storage::Mode::Write,
        [&](storage::Transaction& tx, const Zone& zone) -> Outcome<Applied> {
            if (auto checked = checkDescription(description, limits_); !checked) {
                return detail::rollbackWith(tx, std::move(checked).error());
            }
            const bool exists =
                tx.queryOne("SELECT 1 FROM zone_versions WHERE zone_id = $1 AND version = $2",
                            {zone.id, number})
                    .has_value();
            if (!exists)
                return detail::rollbackWith(tx, notFound("no version " + std::to_string(number)));
            if (!expectedVersion || *expectedVersion != zone.version) {
                return detail::rollbackWith(tx, preconditionError(expectedVersion, zone.version));
            }
            auto old = store::versionRrsets(tx, zone, number);
            if (!old) return detail::rollbackWith(tx, unreadableVersion(number));
            const std::vector<Rrset> live = store::plain(store::loadRrsets(tx, zone.id));
            // The content of the old version, under today's generated SOA and apex NS.
            std::vector<Rrset> content;
            content.reserve(old->size() + 1);
            for (const Rrset& r : live) {
                if (r.type == "NS" && r.name == zone.name) content.push_back(r);
            }
            for (Rrset& r : *old) {
                if (!generatedType(zone.name, r)) content.push_back(std::move(r));
            }
            std::vector<Rrset> liveWithoutSoa;
            for (const Rrset& r : live) {
                if (r.type != "SOA") liveWithoutSoa.push_back(r);
            }
            const std::vector<RrsetChange> changes = diffRrsets(liveWithoutSoa, content);
            if (!changesContent(changes)) {
                return detail::rollbackWith(tx,
                                            invalid("version " + std::to_string(number) +
                                                    " has the same content as the live version"));
            }
            const std::string text =
                description.empty() ? "restore of version " + std::to_string(number) : description;
            const Applied applied = writeNextVersion(tx, context, contractId, zone, changes,
                                                     settings_, text, nextSerial(zone.serial));
            audit::append(tx, context,
                          {contractId,
                           "zone.restore",
                           target(zone.name),
                           "ok",
                           {{"restored_version", number},
                            {"version", applied.version},
                            {"serial", applied.serial},
                            {"change", applied.changeId},
                            {"description", text}}});
            return applied;
        });
}

std::size_t ZoneService::republishAll(const RequestContext& context,
                                      const std::string& description) {
    return db_.run(storage::Mode::Write, [&](storage::Transaction& tx) {
        std::vector<Zone> zones;
        for (const storage::Row& row :
             tx.query(std::string("SELECT ") + std::string(store::zoneColumns()) +
                      " FROM zones WHERE deleted_at IS NULL ORDER BY id")) {
            zones.push_back(store::zoneFromRow(row));
        }
        for (const Zone& zone : zones) {
            const std::uint32_t serial = zone.serial + kRepublishSerialStep;  // modulo 2^32
            const Applied applied = writeNextVersion(tx, context, zone.contractId, zone, {},
                                                     settings_, description, serial);
            audit::append(tx, context,
                          {zone.contractId,
                           "zone.republish",
                           target(zone.name),
                           "ok",
                           {{"version", applied.version},
                            {"serial", applied.serial},
                            {"previous_serial", zone.serial},
                            {"change", applied.changeId},
                            {"description", description}}});
        }
        primary::advanceCatalogSerial(tx, kRepublishSerialStep);
        return zones.size();
    });
}

Outcome<ImportResult> ZoneService::importZoneText(const RequestContext& context, Id contractId,
                                                  std::string_view zoneName,
                                                  std::string_view text) {
    return detail::onZone(
        db_, context, Permission::ZoneEdit, contractId, zoneName, storage::Mode::Write,
        [&](storage::Transaction& tx, const Zone& zone) -> Outcome<ImportResult> {
            auto parsed = parseZoneText(zone.name, text, zone.defaultTtl);
            if (!parsed) {
                ServiceError error = std::move(parsed).error();
                error.code = ErrorCode::Invalid;
                if (error.fields.empty()) error.fields.push_back({"body", error.detail});
                return detail::rollbackWith(tx, std::move(error));
            }
            ImportResult result;
            std::vector<Rrset> wanted;
            std::vector<FieldError> errors;
            for (const Rrset& r : *parsed) {
                if (generatedType(zone.name, r)) {
                    result.ignored.push_back(r.key());
                    continue;
                }
                // The file's RRsets pass the same checks as RRsets staged one by one.
                auto checked = checkRrset(zone.name, toInput(r), zone.defaultTtl, limits_);
                if (!checked) {
                    for (const FieldError& e : checked.error().fields) {
                        errors.push_back({r.key() + e.field, e.message});
                    }
                    if (checked.error().fields.empty()) {
                        errors.push_back({r.key(), checked.error().detail});
                    }
                    continue;
                }
                wanted.push_back(std::move(*checked));
            }
            if (!errors.empty())
                return detail::rollbackWith(tx,
                                            invalid("the zone file has errors", std::move(errors)));

            const std::vector<Rrset> live = store::plain(store::loadRrsets(tx, zone.id));
            std::vector<Rrset> whole = wanted;
            for (const Rrset& r : live) {
                if (r.type == "SOA" || (r.type == "NS" && r.name == zone.name)) whole.push_back(r);
            }
            store::sortRrsets(zone.name, whole);
            auto zoneCheck = checkZone(zone.name, whole);
            if (!zoneCheck) return detail::rollbackWith(tx, std::move(zoneCheck).error());

            std::map<std::string, const Rrset*> liveByKey;
            for (const Rrset& r : live)
                liveByKey[r.key()] = &r;
            std::set<std::string> inFile;
            store::deleteDraft(tx, zone.id, context.actor.id);
            store::ensureDraft(tx, zone.id, context.actor.id, zone.version, timeOf(context));
            for (const Rrset& r : wanted) {
                inFile.insert(r.key());
                const auto it = liveByKey.find(r.key());
                if (it != liveByKey.end() && *it->second == r) {
                    ++result.unchanged;
                    continue;
                }
                store::putStaged(tx, zone.id, context.actor.id, {StagedRrset::Action::Put, r});
                ++result.staged;
            }
            for (const Rrset& r : live) {
                if (generatedType(zone.name, r) || inFile.count(r.key()) != 0) continue;
                Rrset key;
                key.name = r.name;
                key.type = r.type;
                store::putStaged(tx, zone.id, context.actor.id, {StagedRrset::Action::Delete, key});
                ++result.deletions;
            }
            if (result.staged + result.deletions == 0) {
                store::deleteDraft(tx, zone.id, context.actor.id);
            }
            audit::append(tx, context,
                          {contractId,
                           "zone.import",
                           target(zone.name),
                           "ok",
                           {{"staged", result.staged},
                            {"deletions", result.deletions},
                            {"ignored", result.ignored}}});
            result.draft = store::loadDraft(tx, zone.id, context.actor.id, zone.version);
            return result;
        });
}

}  // namespace dnsfleet::controld::zones
