// Zones themselves: create (with the cross-contract name rule), list, get, update, delete, and
// the live data (RRsets, export). Drafts, apply, versions and import are in draft_service.cpp.
#include "controld/zones/zone_service.hpp"

#include <ctime>
#include <set>

#include "controld/audit/event_log.hpp"
#include "controld/authz/authz.hpp"
#include "controld/primary/fleet.hpp"
#include "dnswire/rrtype.hpp"
#include "service_internal.hpp"
#include "zone_store.hpp"

namespace dnsfleet::controld::zones {

using authz::Permission;

std::uint32_t initialSerial(Timestamp now) {
    const auto seconds = static_cast<std::time_t>(now / 1'000'000);
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    const auto year = static_cast<std::uint32_t>(utc.tm_year + 1900);
    const auto month = static_cast<std::uint32_t>(utc.tm_mon + 1);
    const auto day = static_cast<std::uint32_t>(utc.tm_mday);
    return ((year * 100U + month) * 100U + day) * 100U + 1U;
}

std::uint32_t nextSerial(std::uint32_t serial) noexcept {
    return serial + 1U;
}

ZoneService::ZoneService(storage::Database& db, config::NameServerSettings settings,
                         RecordLimits limits)
    : db_(db), settings_(std::move(settings)), limits_(limits) {}

namespace detail {

Timestamp timeOf(const RequestContext& context) {
    return context.now != 0 ? context.now : nowUtc();
}

Outcome<std::string> zoneNameForLookup(std::string_view name) {
    auto canonical = canonicalZoneName(name);
    if (!canonical) return fail(notFound("no such zone"));
    return std::move(*canonical);
}

Outcome<std::string> authorizedZoneName(storage::Database& db, const RequestContext& context,
                                        authz::Permission permission, Id contractId,
                                        std::string_view zoneName) {
    auto name = zoneNameForLookup(zoneName);
    if (!name) return name;
    DNSFLEET_TRY(authz::authorize(db, context, permission, contractId, *name));
    return name;
}

std::string target(std::string_view zoneName) {
    return "zone:" + std::string(zoneName);
}

std::vector<FieldError> checkMetadata(const std::optional<std::uint32_t>& defaultTtl,
                                      const std::optional<std::string>& comment,
                                      const std::optional<Labels>& labels,
                                      const RecordLimits& limits) {
    std::vector<FieldError> errors;
    if (defaultTtl && (*defaultTtl < limits.minTtl || *defaultTtl > limits.maxTtl)) {
        errors.push_back({"/default_ttl", "must be between " + std::to_string(limits.minTtl) +
                                              " and " + std::to_string(limits.maxTtl)});
    }
    if (comment && comment->size() > limits.maxCommentBytes) {
        errors.push_back(
            {"/comment", "longer than " + std::to_string(limits.maxCommentBytes) + " bytes"});
    }
    if (labels) {
        if (labels->size() > kMaxLabels) {
            errors.push_back({"/labels", "more than " + std::to_string(kMaxLabels) + " labels"});
        }
        for (const auto& [k, v] : *labels) {
            const bool keyOk = !k.empty() && k.size() <= 63 &&
                               k.find_first_not_of(kLabelKeyCharacters) == std::string::npos;
            if (!keyOk) {
                errors.push_back(
                    {"/labels/" + k, "label keys are 1-63 characters of A-Z a-z 0-9 . _ / -"});
            } else if (v.size() > 255) {
                errors.push_back({"/labels/" + k, "longer than 255 bytes"});
            }
        }
    }
    return errors;
}

std::optional<std::string> canonicalType(std::string_view type) {
    const auto code = dnswire::typeFromText(type);
    if (!code) return std::nullopt;
    return dnswire::typeToText(*code);
}

}  // namespace detail

using detail::target;
using detail::timeOf;

Outcome<CreatedZone> ZoneService::create(const RequestContext& context, Id contractId,
                                         const NewZone& input) {
    auto canonical = canonicalZoneName(input.name);
    if (!canonical) {
        ServiceError error = std::move(canonical).error();
        if (error.fields.empty()) error.fields.push_back({"/name", error.detail});
        for (FieldError& field : error.fields)
            field.field = "/name";
        return fail(std::move(error));
    }
    const std::string name = std::move(*canonical);
    DNSFLEET_TRY(authz::authorize(db_, context, Permission::ZoneManage, contractId, name));

    auto fields = detail::checkMetadata(input.defaultTtl, input.comment, input.labels, limits_);
    if (!fields.empty()) return fail(invalid("the zone is not valid", std::move(fields)));

    return db_.run(storage::Mode::Write, [&](storage::Transaction& tx) -> Outcome<CreatedZone> {
        if (store::findZone(tx, contractId, name)) {
            return detail::rollbackWith(tx, conflict("the zone " + name + " already exists"));
        }
        // Another contract's zone at this name, above it or below it: refused, and the answer
        // is the same in all three cases so that it shows nothing about who holds what.
        const std::string taken = "the zone " + name +
                                  " cannot be created: this name, or a name above or below it, "
                                  "is not available";
        std::vector<std::string> above = store::ancestors(name);
        above.push_back(name);
        std::string sql =
            "SELECT 1 FROM zones WHERE deleted_at IS NULL AND contract_id <> $1 AND name IN (";
        std::vector<storage::Value> params{contractId};
        params.reserve(above.size() + 1);
        for (std::size_t i = 0; i < above.size(); ++i) {
            if (i > 0) sql += ", ";
            sql += "$" + std::to_string(i + 2);
            params.emplace_back(above[i]);
        }
        sql += ") LIMIT 1";
        if (tx.queryOne(sql, params)) return detail::rollbackWith(tx, conflict(taken));
        const std::string reversed = store::reversedName(name);
        const bool below =
            name == "."
                ? tx.queryOne(
                        "SELECT 1 FROM zones WHERE deleted_at IS NULL AND contract_id <> $1"
                        " LIMIT 1",
                        {contractId})
                      .has_value()
                : tx.queryOne(
                        "SELECT 1 FROM zones WHERE deleted_at IS NULL AND contract_id <> $1"
                        " AND reversed_name > $2 AND reversed_name < $3 LIMIT 1",
                        {contractId, reversed, reversed.substr(0, reversed.size() - 1) + "/"})
                      .has_value();
        if (below) return detail::rollbackWith(tx, conflict(taken));

        const Timestamp now = timeOf(context);
        const std::uint32_t serial = initialSerial(now);
        const std::uint32_t ttl = input.defaultTtl.value_or(settings_.defaultTtl);
        const storage::Rows inserted = tx.query(
            "INSERT INTO zones (contract_id, name, reversed_name, default_ttl, comment, labels, "
            "current_version, serial, created_at, updated_at) "
            "VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $8, $8) RETURNING id",
            {contractId, name, reversed, static_cast<std::int64_t>(ttl), input.comment,
             store::labelsToText(input.labels), static_cast<std::int64_t>(serial), now});
        const Id zoneId = inserted[0].integer(0);
        store::writeLabels(tx, zoneId, input.labels);
        auto zone = store::findZoneById(tx, zoneId);
        const std::vector<Rrset> content{makeApexNs(name, settings_)};
        store::writeVersion(tx, context, *zone, diffRrsets({}, content),
                            makeSoa(name, settings_, serial), 1, serial, "zone created");
        audit::append(tx, context,
                      {contractId,
                       "zone.create",
                       target(name),
                       "ok",
                       {{"default_ttl", ttl}, {"serial", serial}}});
        CreatedZone created;
        created.changeId = primary::recordChange(tx, context, contractId, zoneId, name, serial);
        created.zone = *store::findZoneById(tx, zoneId);
        return created;
    });
}

Outcome<ZonePage> ZoneService::list(const RequestContext& context, Id contractId,
                                    const ZoneQuery& query) {
    DNSFLEET_TRY(authz::authorize(db_, context, Permission::ZoneRead, contractId));
    std::string where = " FROM zones z WHERE z.contract_id = $1 AND z.deleted_at IS NULL";
    std::vector<storage::Value> params{contractId};
    if (query.nameContains && !query.nameContains->empty()) {
        std::string pattern = "%";
        for (const char c : *query.nameContains) {
            if (c == '%' || c == '_' || c == '\\') pattern += '\\';
            pattern += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        }
        pattern += '%';
        params.emplace_back(pattern);
        where += " AND z.name LIKE $" + std::to_string(params.size()) + " ESCAPE '\\'";
    }
    // A zone-limited API token lists only its own zones (docs/controld/rights.md); authorize()
    // let it through without a zone because listings name none.
    if (context.actor.tokenId && !context.actor.tokenZones.empty()) {
        std::string in;
        for (const std::string& tokenZone : context.actor.tokenZones) {
            auto canonical = canonicalZoneName(tokenZone);
            if (!canonical) continue;  // matches no zone
            params.emplace_back(std::move(*canonical));
            in += (in.empty() ? "$" : ", $") + std::to_string(params.size());
        }
        where += in.empty() ? " AND 1 = 0" : " AND z.name IN (" + in + ")";
    }
    for (const auto& [k, v] : query.labels) {
        params.emplace_back(k);
        params.emplace_back(v);
        where += " AND EXISTS (SELECT 1 FROM zone_labels l WHERE l.zone_id = z.id AND l.key = $" +
                 std::to_string(params.size() - 1) + " AND l.value = $" +
                 std::to_string(params.size()) + ")";
    }
    return db_.run(storage::Mode::Read, [&](storage::Transaction& tx) -> Outcome<ZonePage> {
        ZonePage page;
        page.total = tx.query("SELECT COUNT(*)" + where, params)[0].integer(0);
        std::vector<storage::Value> pageParams = params;
        pageParams.emplace_back(query.limit);
        pageParams.emplace_back(query.offset);
        const storage::Rows rows =
            tx.query("SELECT " + std::string(store::zoneColumns()) + where +
                         " ORDER BY z.name LIMIT $" + std::to_string(pageParams.size() - 1) +
                         " OFFSET $" + std::to_string(pageParams.size()),
                     pageParams);
        page.items.reserve(rows.size());
        for (const storage::Row& row : rows)
            page.items.push_back(store::zoneFromRow(row));
        return page;
    });
}

Outcome<Zone> ZoneService::get(const RequestContext& context, Id contractId,
                               std::string_view zoneName) {
    auto name =
        detail::authorizedZoneName(db_, context, Permission::ZoneRead, contractId, zoneName);
    if (!name) return fail(std::move(name).error());
    return db_.run(storage::Mode::Read, [&](storage::Transaction& tx) -> Outcome<Zone> {
        auto zone = store::findZone(tx, contractId, *name);
        if (!zone) return fail(notFound("no such zone"));
        return std::move(*zone);
    });
}

Outcome<Zone> ZoneService::update(const RequestContext& context, Id contractId,
                                  std::string_view zoneName, const ZoneUpdate& update) {
    auto name =
        detail::authorizedZoneName(db_, context, Permission::ZoneEdit, contractId, zoneName);
    if (!name) return fail(std::move(name).error());
    auto fields = detail::checkMetadata(update.defaultTtl, update.comment, update.labels, limits_);
    if (!fields.empty()) return fail(invalid("the zone is not valid", std::move(fields)));
    return db_.run(storage::Mode::Write, [&](storage::Transaction& tx) -> Outcome<Zone> {
        auto zone = store::findZone(tx, contractId, *name);
        if (!zone) return detail::rollbackWith(tx, notFound("no such zone"));
        nlohmann::json changed = nlohmann::json::object();
        if (update.comment) {
            zone->comment = *update.comment;
            changed["comment"] = *update.comment;
        }
        if (update.defaultTtl) {
            zone->defaultTtl = *update.defaultTtl;
            changed["default_ttl"] = *update.defaultTtl;
        }
        if (update.labels) {
            zone->labels = *update.labels;
            changed["labels"] = *update.labels;
            store::writeLabels(tx, zone->id, zone->labels);
        }
        zone->updatedAt = timeOf(context);
        tx.execute(
            "UPDATE zones SET comment = $2, default_ttl = $3, labels = $4, updated_at = $5"
            " WHERE id = $1",
            {zone->id, zone->comment, static_cast<std::int64_t>(zone->defaultTtl),
             store::labelsToText(zone->labels), zone->updatedAt});
        audit::append(tx, context, {contractId, "zone.update", target(*name), "ok", changed});
        return std::move(*zone);
    });
}

Outcome<std::string> ZoneService::remove(const RequestContext& context, Id contractId,
                                         std::string_view zoneName) {
    auto name =
        detail::authorizedZoneName(db_, context, Permission::ZoneManage, contractId, zoneName);
    if (!name) return fail(std::move(name).error());
    return db_.run(storage::Mode::Write, [&](storage::Transaction& tx) -> Outcome<std::string> {
        auto zone = store::findZone(tx, contractId, *name);
        if (!zone) return detail::rollbackWith(tx, notFound("no such zone"));
        tx.execute("DELETE FROM rrsets WHERE zone_id = $1", {zone->id});
        tx.execute("DELETE FROM draft_rrsets WHERE zone_id = $1", {zone->id});
        tx.execute("DELETE FROM drafts WHERE zone_id = $1", {zone->id});
        tx.execute("DELETE FROM zone_labels WHERE zone_id = $1", {zone->id});
        tx.execute("UPDATE zones SET deleted_at = $2, updated_at = $2 WHERE id = $1",
                   {zone->id, timeOf(context)});
        audit::append(tx, context,
                      {contractId,
                       "zone.delete",
                       target(*name),
                       "ok",
                       {{"version", zone->version}, {"serial", zone->serial}}});
        return primary::recordChange(tx, context, contractId, zone->id, *name, zone->serial);
    });
}

Outcome<LiveRrsets> ZoneService::rrsets(const RequestContext& context, Id contractId,
                                        std::string_view zoneName, const RrsetFilter& filter) {
    auto name =
        detail::authorizedZoneName(db_, context, Permission::ZoneRead, contractId, zoneName);
    if (!name) return fail(std::move(name).error());
    return db_.run(storage::Mode::Read, [&](storage::Transaction& tx) -> Outcome<LiveRrsets> {
        auto zone = store::findZone(tx, contractId, *name);
        if (!zone) return fail(notFound("no such zone"));
        std::optional<std::string> owner;
        if (!filter.name.empty()) {
            auto canonicalOwner = canonicalZoneName(store::absoluteOwner(*name, filter.name));
            if (!canonicalOwner) {
                return fail(invalid("the name filter is not a domain name",
                                    {{"name", "not a domain name"}}));
            }
            owner = std::move(*canonicalOwner);
        }
        std::optional<std::string> type;
        if (!filter.type.empty()) {
            type = detail::canonicalType(filter.type);
            if (!type) return fail(invalid("unknown type", {{"type", "unknown RR type"}}));
        }
        LiveRrsets out;
        out.version = zone->version;
        out.serial = zone->serial;
        for (LiveRrset& live : store::loadRrsets(tx, zone->id)) {
            if (owner && live.rrset.name != *owner) continue;
            if (type && live.rrset.type != *type) continue;
            out.rrsets.push_back(std::move(live));
        }
        return out;
    });
}

Outcome<std::string> ZoneService::exportZoneText(const RequestContext& context, Id contractId,
                                                 std::string_view zoneName) {
    auto name =
        detail::authorizedZoneName(db_, context, Permission::ZoneRead, contractId, zoneName);
    if (!name) return fail(std::move(name).error());
    return db_.run(storage::Mode::Read, [&](storage::Transaction& tx) -> Outcome<std::string> {
        auto zone = store::findZone(tx, contractId, *name);
        if (!zone) return fail(notFound("no such zone"));
        // The live version is the live RRsets: rendered from them, not rebuilt from history.
        std::vector<Rrset> live = store::plain(store::loadRrsets(tx, zone->id));
        return renderZoneText(zone->name, live);
    });
}

}  // namespace dnsfleet::controld::zones
