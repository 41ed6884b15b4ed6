#include "controld/zones/zone_json.hpp"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <set>

namespace dnsfleet::controld::zones {

nlohmann::json recordsToJson(const std::vector<Record>& records) {
    nlohmann::json out = nlohmann::json::array();
    for (const Record& record : records) {
        out.push_back({{"data", record.data}, {"comment", record.comment}});
    }
    return out;
}

std::optional<std::vector<Record>> recordsFromJson(const nlohmann::json& json) {
    if (!json.is_array()) return std::nullopt;
    std::vector<Record> records;
    records.reserve(json.size());
    for (const nlohmann::json& item : json) {
        if (!item.is_object() || !item.contains("data") || !item["data"].is_string()) {
            return std::nullopt;
        }
        Record record;
        record.data = item["data"].get<std::string>();
        if (item.contains("comment") && item["comment"].is_string()) {
            record.comment = item["comment"].get<std::string>();
        }
        records.push_back(std::move(record));
    }
    return records;
}

nlohmann::json rrsetToJson(const Rrset& rrset) {
    return {{"name", rrset.name},
            {"type", rrset.type},
            {"ttl", rrset.ttl},
            {"records", recordsToJson(rrset.records)},
            {"comment", rrset.comment}};
}

std::optional<Rrset> rrsetFromJson(const nlohmann::json& json) {
    if (!json.is_object()) return std::nullopt;
    const auto name = json.find("name");
    const auto type = json.find("type");
    const auto ttl = json.find("ttl");
    const auto records = json.find("records");
    if (name == json.end() || !name->is_string() || type == json.end() || !type->is_string() ||
        ttl == json.end() || !ttl->is_number_unsigned() || records == json.end()) {
        return std::nullopt;
    }
    const auto ttlValue = ttl->get<std::uint64_t>();
    if (ttlValue > std::numeric_limits<std::uint32_t>::max()) return std::nullopt;
    auto parsed = recordsFromJson(*records);
    if (!parsed) return std::nullopt;
    Rrset rrset;
    rrset.name = name->get<std::string>();
    rrset.type = type->get<std::string>();
    rrset.ttl = static_cast<std::uint32_t>(ttlValue);
    rrset.records = std::move(*parsed);
    if (json.contains("comment") && json["comment"].is_string()) {
        rrset.comment = json["comment"].get<std::string>();
    }
    return rrset;
}

namespace {

/// The records of `from` whose data is not among the records of `other`.
nlohmann::json recordsNotIn(const std::optional<Rrset>& from, const std::optional<Rrset>& other) {
    nlohmann::json out = nlohmann::json::array();
    if (!from) return out;
    std::set<std::string> otherData;
    if (other) {
        for (const Record& record : other->records)
            otherData.insert(record.data);
    }
    for (const Record& record : from->records) {
        if (otherData.count(record.data) == 0) {
            out.push_back({{"data", record.data}, {"comment", record.comment}});
        }
    }
    return out;
}

}  // namespace

nlohmann::json changeToJson(const RrsetChange& change) {
    const Rrset& any = change.after ? *change.after : *change.before;
    const char* action = !change.before ? "added" : !change.after ? "removed" : "changed";
    return {{"name", any.name},
            {"type", any.type},
            {"action", action},
            {"before", change.before ? rrsetToJson(*change.before) : nlohmann::json(nullptr)},
            {"after", change.after ? rrsetToJson(*change.after) : nlohmann::json(nullptr)},
            {"added_records", recordsNotIn(change.after, change.before)},
            {"removed_records", recordsNotIn(change.before, change.after)}};
}

nlohmann::json diffToJson(const std::vector<RrsetChange>& diff) {
    nlohmann::json out = nlohmann::json::array();
    for (const RrsetChange& change : diff) {
        if (change.before || change.after) out.push_back(changeToJson(change));
    }
    return out;
}

std::optional<std::vector<RrsetChange>> diffFromJson(const nlohmann::json& json) {
    if (!json.is_array()) return std::nullopt;
    std::vector<RrsetChange> diff;
    diff.reserve(json.size());
    for (const nlohmann::json& item : json) {
        if (!item.is_object()) return std::nullopt;
        RrsetChange change;
        for (const char* side : {"before", "after"}) {
            const auto it = item.find(side);
            if (it == item.end() || it->is_null()) continue;
            auto rrset = rrsetFromJson(*it);
            if (!rrset) return std::nullopt;
            (std::string_view(side) == "before" ? change.before : change.after) = std::move(*rrset);
        }
        if (!change.before && !change.after) return std::nullopt;
        diff.push_back(std::move(change));
    }
    return diff;
}

}  // namespace dnsfleet::controld::zones
