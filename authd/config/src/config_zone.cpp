// The [[zone]] tables: name, file, template, the zone settings keys, and catalog zones.
#include <unordered_map>

#include "toml_read.hpp"

namespace dnsfleet::authd::config::detail {
namespace {

/// RFC 9432 §4.4.2: the group property is a TXT string, at most 255 octets.
constexpr std::size_t kMaxGroupLength = 255;

/// What one [[zone]] table says before its template is applied.
struct ZoneTable {
    ZoneConfig zone;
    SettingsOverlay overlay;
    bool templateSet = false;
    const toml::table* table = nullptr;
    std::string prefix;
};

std::optional<dnswire::Name> nameOf(const toml::node& node, std::string_view key,
                                    Reporter& report) {
    auto text = stringOf(node, key, report);
    if (!text) return std::nullopt;
    auto parsed = parseZoneName(*text);
    if (!parsed) {
        report.at(node.source(), key, parsed.error());
        return std::nullopt;
    }
    return *parsed;
}

/// Reads one table; false when it has errors that leave the zone unusable.
bool readZone(const toml::table& table, const std::filesystem::path& base, const Config& config,
              ZoneTable& out, Reporter& report) {
    const std::size_t errorsBefore = report.count();
    auto& zone = out.zone;
    bool named = false;
    const auto& prefix = out.prefix;
    for (const auto& [key, value] : table) {
        const auto k = key.str();
        const std::string name = fmt::format("{}.{}", prefix, k);
        if (k == "name") {
            if (auto apex = nameOf(value, name, report)) {
                zone.apex = *apex;
                named = true;
            }
        } else if (k == "file") {
            if (auto path = pathOf(value, name, base, report)) zone.file = *path;
        } else if (k == "template") {
            if (auto id = stringOf(value, name, report)) {
                if (config.findTemplate(*id) == nullptr) {
                    report.at(value.source(), name, fmt::format("unknown template '{}'", *id));
                } else {
                    zone.templateId = *id;
                    out.templateSet = true;
                }
            }
        } else if (k == "catalog-role") {
            if (auto role = stringOf(value, name, report)) {
                if (*role == "consume") {
                    zone.catalogRole = CatalogRole::Consume;
                } else if (*role == "produce") {
                    zone.catalogRole = CatalogRole::Produce;
                } else if (*role == "none") {
                    zone.catalogRole = CatalogRole::None;
                } else {
                    report.at(value.source(), name,
                              fmt::format("'{}' is not one of consume, produce, none", *role));
                }
            }
        } else if (k == "catalog-template") {
            auto ids = stringsOf(value, name, report);
            if (!ids) continue;
            for (const auto& id : *ids) {
                if (config.findTemplate(id.text) == nullptr) {
                    report.at(id.where, name, fmt::format("unknown template '{}'", id.text));
                } else {
                    zone.catalogTemplates.push_back(id.text);
                }
            }
        } else if (k == "catalog") {
            if (auto apex = nameOf(value, name, report)) zone.catalog = *apex;
        } else if (k == "catalog-group") {
            if (auto group = stringOf(value, name, report)) {
                if (group->empty() || group->size() > kMaxGroupLength) {
                    report.at(value.source(), name,
                              fmt::format("must be 1 to {} octets long", kMaxGroupLength));
                } else {
                    zone.catalogGroup = *group;
                }
            }
        } else if (!readSetting(k, value, name, config, out.overlay, report)) {
            report.at(key.source(), name, "unknown key");
        }
    }
    if (!table.contains("name")) report.at(table.source(), prefix, "missing key 'name'");
    return named && report.count() == errorsBefore;
}

/// Applies the template and checks what only makes sense with the whole zone known.
void resolveZone(const Config& config, ZoneTable& entry, Reporter& report) {
    auto& zone = entry.zone;
    const auto& where = entry.table->source();
    const auto& prefix = entry.prefix;
    if (!entry.templateSet && config.findTemplate("default") != nullptr) {
        zone.templateId = "default";
    }
    if (!zone.templateId.empty()) zone.settings = config.findTemplate(zone.templateId)->settings;
    applyOverlay(entry.overlay, zone.settings);
    checkSettings(zone.settings, where, prefix, report);

    const bool produced = zone.catalogRole == CatalogRole::Produce;
    if (produced && (!zone.file.empty() || zone.isSecondary())) {
        report.at(where, prefix,
                  "a produced catalog (catalog-role = \"produce\") is generated: it has no file "
                  "and no primaries");
    }
    if (!produced && zone.file.empty() && !zone.isSecondary()) {
        report.at(where, prefix,
                  "missing key 'file' (a zone needs a file, a primary, or catalog-role = "
                  "\"produce\")");
    }
    if (zone.catalogRole == CatalogRole::Consume && zone.catalogTemplates.empty()) {
        // Members take the "default" template when the catalog names none.
        if (config.findTemplate("default") != nullptr) {
            zone.catalogTemplates.emplace_back("default");
        } else {
            report.at(where, prefix,
                      "catalog-role = \"consume\" needs catalog-template (or a template with "
                      "id \"default\")");
        }
    }
    if (zone.catalogRole != CatalogRole::Consume && entry.table->contains("catalog-template")) {
        report.at(entry.table->get("catalog-template")->source(), prefix + ".catalog-template",
                  "only a consumed catalog (catalog-role = \"consume\") has member templates");
    }
    if (!zone.catalog && !zone.catalogGroup.empty()) {
        report.at(entry.table->get("catalog-group")->source(), prefix + ".catalog-group",
                  "needs catalog (the produced catalog this zone is a member of)");
    }
    if (zone.catalog && produced) {
        report.at(entry.table->get("catalog")->source(), prefix + ".catalog",
                  "a produced catalog cannot be a member of a catalog");
    }
}

}  // namespace

Result<dnswire::Name, std::string> parseZoneName(std::string_view text) {
    if (text.empty()) return fail(std::string("empty zone name"));
    auto name = dnswire::Name::fromText(text);
    if (!name) return fail(fmt::format("'{}' is not a valid domain name", text));
    dnswire::Name apex = *name;
    apex.toLower();
    return apex;
}

void readZones(const toml::node& node, const std::filesystem::path& base, Config& config,
               Reporter& report) {
    const auto* list = node.as_array();
    if (list == nullptr || !list->is_array_of_tables()) {
        report.at(node.source(), "zone", "expected an array of tables ([[zone]])");
        return;
    }
    std::unordered_map<std::string, std::size_t> seen;
    seen.reserve(list->size());
    config.zones.reserve(list->size());
    // Produced catalogs, by apex, and the members that name one, checked once all are read.
    std::unordered_map<std::string, bool> produced;
    struct Membership {
        std::string catalog;
        const toml::node* where;
        std::string key;
    };
    std::vector<Membership> memberships;
    std::size_t index = 0;
    for (const auto& item : *list) {
        ZoneTable entry;
        entry.table = item.as_table();
        entry.prefix = fmt::format("zone[{}]", index++);
        const bool readable = readZone(*entry.table, base, config, entry, report);
        // A produced catalog with errors still counts, so its members get no error of their own.
        if (entry.zone.catalogRole == CatalogRole::Produce && !entry.zone.apex.isRoot()) {
            produced.emplace(entry.zone.apex.toText(), true);
        }
        if (!readable) continue;
        const std::size_t errorsBefore = report.count();
        resolveZone(config, entry, report);
        auto [it, fresh] = seen.emplace(entry.zone.apex.toText(), index - 1);
        if (!fresh) {
            report.at(
                entry.table->source(), entry.prefix + ".name",
                fmt::format("zone '{}' is already defined in zone[{}]", it->first, it->second));
            continue;
        }
        if (report.count() != errorsBefore) continue;
        if (entry.zone.catalog) {
            memberships.push_back(Membership{entry.zone.catalog->toText(),
                                             entry.table->get("catalog"),
                                             entry.prefix + ".catalog"});
        }
        config.zones.push_back(std::move(entry.zone));
    }
    for (const auto& member : memberships) {
        if (produced.count(member.catalog) == 0) {
            report.at(
                member.where->source(), member.key,
                fmt::format("'{}' is not a zone with catalog-role = \"produce\"", member.catalog));
        }
    }
}

}  // namespace dnsfleet::authd::config::detail
