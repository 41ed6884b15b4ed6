#include "zone_store.hpp"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <tuple>

#include "controld/zones/zone_json.hpp"

namespace dnsfleet::controld::zones::store {

namespace {

/// The labels of a canonical name, in order, without the final empty label.
std::vector<std::string_view> splitLabels(std::string_view name) {
    std::vector<std::string_view> labels;
    std::size_t start = 0;
    for (std::size_t i = 0; i < name.size(); ++i) {
        if (name[i] == '\\') {
            ++i;  // the escaped character (or the first digit of \DDD) belongs to the label
            continue;
        }
        if (name[i] == '.') {
            if (i > start) labels.push_back(name.substr(start, i - start));
            start = i + 1;
        }
    }
    if (start < name.size()) labels.push_back(name.substr(start));
    return labels;
}

Timestamp timeOf(const RequestContext& context) {
    return context.now != 0 ? context.now : nowUtc();
}

std::string key(std::string_view name, std::string_view type) {
    std::string out(name);
    out += ' ';
    out += type;
    return out;
}

}  // namespace

std::string reversedName(std::string_view canonical) {
    const std::vector<std::string_view> labels = splitLabels(canonical);
    std::string out;
    out.reserve(canonical.size());
    for (auto it = labels.rbegin(); it != labels.rend(); ++it) {
        out.append(*it);
        out += '.';
    }
    return out;
}

std::vector<std::string> ancestors(std::string_view canonical) {
    const std::vector<std::string_view> labels = splitLabels(canonical);
    std::vector<std::string> out;
    out.reserve(labels.size());
    for (std::size_t first = 1; first < labels.size(); ++first) {
        std::string name;
        for (std::size_t i = first; i < labels.size(); ++i) {
            name.append(labels[i]);
            name += '.';
        }
        out.push_back(std::move(name));
    }
    if (!labels.empty()) out.emplace_back(".");
    return out;
}

std::string absoluteOwner(std::string_view apex, std::string_view name) {
    if (name.empty() || name == "@") return std::string(apex);
    if (name.back() == '.' && !(name.size() >= 2 && name[name.size() - 2] == '\\')) {
        return std::string(name);
    }
    std::string out(name);
    if (apex != ".") out += '.';
    out.append(apex);
    return out;
}

bool inZone(std::string_view apex, std::string_view name) {
    if (apex == ".") return true;
    if (name == apex) return true;
    return name.size() > apex.size() && name.substr(name.size() - apex.size()) == apex &&
           name[name.size() - apex.size() - 1] == '.';
}

std::string_view zoneColumns() {
    return "id, contract_id, name, default_ttl, comment, labels, current_version, serial, "
           "created_at, updated_at";
}

Zone zoneFromRow(const storage::Row& row) {
    Zone zone;
    zone.id = row.integer(0);
    zone.contractId = row.integer(1);
    zone.name = row.text(2);
    zone.defaultTtl = static_cast<std::uint32_t>(row.integer(3));
    zone.comment = row.text(4);
    const nlohmann::json labels = nlohmann::json::parse(row.text(5), nullptr, false);
    if (labels.is_object()) {
        for (const auto& [k, v] : labels.items()) {
            if (v.is_string()) zone.labels[k] = v.get<std::string>();
        }
    }
    zone.version = row.integer(6);
    zone.serial = static_cast<std::uint32_t>(row.integer(7));
    zone.createdAt = row.integer(8);
    zone.updatedAt = row.integer(9);
    return zone;
}

std::optional<Zone> findZone(storage::Transaction& tx, Id contractId, std::string_view name) {
    const auto row = tx.queryOne(std::string("SELECT ") + std::string(zoneColumns()) +
                                     " FROM zones WHERE contract_id = $1 AND name = $2"
                                     " AND deleted_at IS NULL",
                                 {contractId, std::string(name)});
    if (!row) return std::nullopt;
    return zoneFromRow(*row);
}

std::optional<Zone> findZoneById(storage::Transaction& tx, Id zoneId) {
    const auto row = tx.queryOne(std::string("SELECT ") + std::string(zoneColumns()) +
                                     " FROM zones WHERE id = $1 AND deleted_at IS NULL",
                                 {zoneId});
    if (!row) return std::nullopt;
    return zoneFromRow(*row);
}

std::string labelsToText(const Labels& labels) {
    nlohmann::json out = nlohmann::json::object();
    for (const auto& [k, v] : labels)
        out[k] = v;
    return out.dump();
}

void writeLabels(storage::Transaction& tx, Id zoneId, const Labels& labels) {
    tx.execute("DELETE FROM zone_labels WHERE zone_id = $1", {zoneId});
    for (const auto& [k, v] : labels) {
        tx.execute("INSERT INTO zone_labels (zone_id, key, value) VALUES ($1, $2, $3)",
                   {zoneId, k, v});
    }
}

namespace {

/// Sorts `items` apex first (its SOA leading), then by reversed name and type, as a zone file
/// reads best. The reversed names are computed once per item, not once per comparison: a
/// 10k-RRset zone is sorted on every apply.
template <typename T, typename RrsetOf>
void sortInZoneOrder(std::string_view apex, std::vector<T>& items, RrsetOf rrsetOf) {
    struct SortKey {
        bool belowApex;
        std::string reversed;
        bool notSoa;
        std::string_view type;
        std::size_t index;
        bool operator<(const SortKey& other) const {
            return std::tie(belowApex, reversed, notSoa, type) <
                   std::tie(other.belowApex, other.reversed, other.notSoa, other.type);
        }
    };
    std::vector<SortKey> keys;
    keys.reserve(items.size());
    for (std::size_t i = 0; i < items.size(); ++i) {
        const Rrset& r = rrsetOf(items[i]);
        keys.push_back({r.name != apex, reversedName(r.name), r.type != "SOA", r.type, i});
    }
    std::sort(keys.begin(), keys.end());
    std::vector<T> sorted;
    sorted.reserve(items.size());
    for (const SortKey& k : keys)
        sorted.push_back(std::move(items[k.index]));
    items = std::move(sorted);
}

}  // namespace

void sortRrsets(std::string_view apex, std::vector<Rrset>& rrsets) {
    sortInZoneOrder(apex, rrsets, [](const Rrset& r) -> const Rrset& { return r; });
}

namespace {

constexpr std::string_view kRrsetColumns = "name, type, ttl, records, comment";

/// An RRset from the first five columns of `row` (kRrsetColumns).
Rrset rrsetFromRow(const storage::Row& row) {
    Rrset rrset;
    rrset.name = row.text(0);
    rrset.type = row.text(1);
    rrset.ttl = static_cast<std::uint32_t>(row.integer(2));
    rrset.records = recordsFromJson(nlohmann::json::parse(row.text(3), nullptr, false))
                        .value_or(std::vector<Record>{});
    rrset.comment = row.text(4);
    return rrset;
}

/// `text` with LIKE's wildcards and the escape character escaped (ESCAPE '\\').
std::string likeLiteral(std::string_view text) {
    std::string out;
    out.reserve(text.size() + 4);
    for (const char c : text) {
        if (c == '%' || c == '_' || c == '\\') out.push_back('\\');
        out.push_back(c);
    }
    return out;
}

}  // namespace

std::vector<LiveRrset> loadRrsets(storage::Transaction& tx, Id zoneId) {
    const storage::Rows rows = tx.query(std::string("SELECT ") + std::string(kRrsetColumns) +
                                            ", changed_in_version FROM rrsets WHERE zone_id = $1",
                                        {zoneId});
    std::vector<LiveRrset> out;
    out.reserve(rows.size());
    for (const storage::Row& row : rows) {
        out.push_back({rrsetFromRow(row), row.integer(5)});
    }
    std::string apex;
    for (const LiveRrset& live : out) {
        if (live.rrset.type == "SOA") apex = live.rrset.name;
    }
    sortInZoneOrder(apex, out, [](const LiveRrset& l) -> const Rrset& { return l.rrset; });
    return out;
}

std::vector<Rrset> loadRrsetsAt(storage::Transaction& tx, Id zoneId,
                                const std::set<std::string>& owners) {
    const std::string sql = std::string("SELECT ") + std::string(kRrsetColumns) +
                            " FROM rrsets WHERE zone_id = $1 AND name = $2";
    std::vector<Rrset> out;
    for (const std::string& owner : owners) {
        for (const storage::Row& row : tx.query(sql, {zoneId, owner}))
            out.push_back(rrsetFromRow(row));
    }
    return out;
}

std::vector<Rrset> loadRrsetsBelow(storage::Transaction& tx, Id zoneId, std::string_view owner) {
    // Names are canonical (lower-case), so LIKE's case folding on SQLite changes nothing.
    const std::string pattern = "%." + likeLiteral(owner == "." ? "" : owner);
    std::vector<Rrset> out;
    for (const storage::Row& row :
         tx.query(std::string("SELECT ") + std::string(kRrsetColumns) +
                      " FROM rrsets WHERE zone_id = $1 AND name LIKE $2 ESCAPE '\\'",
                  {zoneId, pattern})) {
        out.push_back(rrsetFromRow(row));
    }
    return out;
}

std::vector<Rrset> plain(const std::vector<LiveRrset>& live) {
    std::vector<Rrset> out;
    out.reserve(live.size());
    for (const LiveRrset& l : live)
        out.push_back(l.rrset);
    return out;
}

std::vector<RrsetChange> writeVersion(storage::Transaction& tx, const RequestContext& context,
                                      const Zone& zone, const std::vector<RrsetChange>& changes,
                                      const Rrset& soa, std::int64_t version, std::uint32_t serial,
                                      const std::string& description) {
    const auto upsert = [&](const Rrset& r) {
        tx.execute(
            "INSERT INTO rrsets (zone_id, name, type, ttl, records, comment, "
            "changed_in_version) VALUES ($1, $2, $3, $4, $5, $6, $7) "
            "ON CONFLICT (zone_id, name, type) DO UPDATE SET ttl = excluded.ttl, "
            "records = excluded.records, comment = excluded.comment, "
            "changed_in_version = excluded.changed_in_version",
            {zone.id, r.name, r.type, static_cast<std::int64_t>(r.ttl),
             recordsToJson(r.records).dump(), r.comment, version});
    };
    std::vector<RrsetChange> stored;
    stored.reserve(changes.size());
    for (const RrsetChange& change : changes) {
        const Rrset& any = change.after ? *change.after : *change.before;
        // The SOA changes with every version (written below); people read the diff for their
        // own records.
        if (any.type == "SOA") continue;
        if (change.after) {
            upsert(*change.after);
        } else {
            tx.execute("DELETE FROM rrsets WHERE zone_id = $1 AND name = $2 AND type = $3",
                       {zone.id, any.name, any.type});
        }
        stored.push_back(change);
    }
    upsert(soa);
    const Timestamp now = timeOf(context);
    const std::string author = context.actor.login.empty() ? "system" : context.actor.login;
    tx.execute(
        "INSERT INTO zone_versions (zone_id, version, serial, description, author, author_id, "
        "created_at, diff, zone_text, soa) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, '', $9)",
        {zone.id, version, static_cast<std::int64_t>(serial), description, author, context.actor.id,
         now, diffToJson(stored).dump(), rrsetToJson(soa).dump()});
    tx.execute("UPDATE zones SET current_version = $2, serial = $3, updated_at = $4 WHERE id = $1",
               {zone.id, version, static_cast<std::int64_t>(serial), now});
    return stored;
}

std::optional<std::vector<Rrset>> versionRrsets(storage::Transaction& tx, const Zone& zone,
                                                std::int64_t version) {
    const auto row =
        tx.queryOne("SELECT zone_text, soa FROM zone_versions WHERE zone_id = $1 AND version = $2",
                    {zone.id, version});
    if (!row) return std::nullopt;
    if (!row->text(0).empty()) {
        auto parsed = parseZoneText(zone.name, row->text(0), zone.defaultTtl);
        if (!parsed) return std::nullopt;
        sortRrsets(zone.name, *parsed);
        return std::move(*parsed);
    }
    std::optional<Rrset> soa;
    if (!row->isNull(1)) soa = rrsetFromJson(nlohmann::json::parse(row->text(1), nullptr, false));
    if (!soa) return std::nullopt;

    // Back from the live content: each later version's diff undone, newest first.
    std::map<std::string, Rrset> byKey;
    for (LiveRrset& live : loadRrsets(tx, zone.id))
        byKey.emplace(live.rrset.key(), std::move(live.rrset));
    for (const storage::Row& later :
         tx.query("SELECT diff FROM zone_versions WHERE zone_id = $1 AND version > $2"
                  " ORDER BY version DESC",
                  {zone.id, version})) {
        const auto diff = diffFromJson(nlohmann::json::parse(later.text(0), nullptr, false));
        if (!diff) return std::nullopt;
        for (const RrsetChange& change : *diff) {
            const Rrset& any = change.after ? *change.after : *change.before;
            if (change.before) {
                byKey.insert_or_assign(any.key(), *change.before);
            } else {
                byKey.erase(any.key());
            }
        }
    }
    std::vector<Rrset> out;
    out.reserve(byKey.size() + 1);
    out.push_back(std::move(*soa));
    for (auto& [k, r] : byKey) {
        if (r.type != "SOA") out.push_back(std::move(r));
    }
    sortRrsets(zone.name, out);
    return out;
}

std::optional<std::string> versionText(storage::Transaction& tx, const Zone& zone,
                                       std::int64_t version) {
    const auto stored =
        tx.queryOne("SELECT zone_text FROM zone_versions WHERE zone_id = $1 AND version = $2",
                    {zone.id, version});
    if (!stored) return std::nullopt;
    if (!stored->text(0).empty()) return stored->text(0);
    auto rrsets = versionRrsets(tx, zone, version);
    if (!rrsets) return std::nullopt;
    return renderZoneText(zone.name, *rrsets);
}

Draft loadDraft(storage::Transaction& tx, Id zoneId, Id accountId, std::int64_t liveVersion) {
    Draft draft;
    draft.liveVersion = liveVersion;
    const auto row = tx.queryOne(
        "SELECT base_version, created_at, updated_at FROM drafts"
        " WHERE zone_id = $1 AND account_id = $2",
        {zoneId, accountId});
    if (!row) return draft;
    draft.exists = true;
    draft.baseVersion = row->integer(0);
    draft.createdAt = row->integer(1);
    draft.updatedAt = row->integer(2);
    const storage::Rows rows = tx.query(
        "SELECT name, type, action, ttl, records, comment FROM draft_rrsets"
        " WHERE zone_id = $1 AND account_id = $2 ORDER BY name, type",
        {zoneId, accountId});
    draft.changes.reserve(rows.size());
    for (const storage::Row& r : rows) {
        StagedRrset staged;
        staged.action =
            r.text(2) == "delete" ? StagedRrset::Action::Delete : StagedRrset::Action::Put;
        staged.rrset.name = r.text(0);
        staged.rrset.type = r.text(1);
        staged.rrset.ttl = static_cast<std::uint32_t>(r.integer(3));
        staged.rrset.records = recordsFromJson(nlohmann::json::parse(r.text(4), nullptr, false))
                                   .value_or(std::vector<Record>{});
        staged.rrset.comment = r.text(5);
        draft.changes.push_back(std::move(staged));
    }
    return draft;
}

void deleteDraft(storage::Transaction& tx, Id zoneId, Id accountId) {
    tx.execute("DELETE FROM draft_rrsets WHERE zone_id = $1 AND account_id = $2",
               {zoneId, accountId});
    tx.execute("DELETE FROM drafts WHERE zone_id = $1 AND account_id = $2", {zoneId, accountId});
}

void ensureDraft(storage::Transaction& tx, Id zoneId, Id accountId, std::int64_t baseVersion,
                 Timestamp now) {
    tx.execute(
        "INSERT INTO drafts (zone_id, account_id, base_version, created_at, updated_at)"
        " VALUES ($1, $2, $3, $4, $4)"
        " ON CONFLICT (zone_id, account_id) DO UPDATE SET updated_at = excluded.updated_at",
        {zoneId, accountId, baseVersion, now});
}

void putStaged(storage::Transaction& tx, Id zoneId, Id accountId, const StagedRrset& staged) {
    const bool put = staged.action == StagedRrset::Action::Put;
    tx.execute(
        "INSERT INTO draft_rrsets (zone_id, account_id, name, type, action, ttl, records, "
        "comment) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "
        "ON CONFLICT (zone_id, account_id, name, type) DO UPDATE SET action = excluded.action, "
        "ttl = excluded.ttl, records = excluded.records, comment = excluded.comment",
        {zoneId, accountId, staged.rrset.name, staged.rrset.type,
         std::string(put ? "put" : "delete"), static_cast<std::int64_t>(staged.rrset.ttl),
         recordsToJson(staged.rrset.records).dump(), staged.rrset.comment});
}

void removeStaged(storage::Transaction& tx, Id zoneId, Id accountId, std::string_view name,
                  std::string_view type) {
    tx.execute(
        "DELETE FROM draft_rrsets WHERE zone_id = $1 AND account_id = $2 AND name = $3"
        " AND type = $4",
        {zoneId, accountId, std::string(name), std::string(type)});
}

std::vector<std::string> changedSince(storage::Transaction& tx, Id zoneId,
                                      std::int64_t baseVersion) {
    const storage::Rows rows = tx.query(
        "SELECT diff FROM zone_versions WHERE zone_id = $1 AND version > $2 ORDER BY version",
        {zoneId, baseVersion});
    std::set<std::string> keys;
    for (const storage::Row& row : rows) {
        const auto diff = diffFromJson(nlohmann::json::parse(row.text(0), nullptr, false));
        if (!diff) continue;
        for (const RrsetChange& change : *diff) {
            const Rrset& any = change.after ? *change.after : *change.before;
            keys.insert(key(any.name, any.type));
        }
    }
    return {keys.begin(), keys.end()};
}

}  // namespace dnsfleet::controld::zones::store
