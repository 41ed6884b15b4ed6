// The zone manager's catalog zones (RFC 9432): members of consumed catalogs become secondary
// zones with a template's settings; produced catalogs list the zones that name them.

#include <algorithm>
#include <set>
#include <unordered_map>

#include "authd/log.hpp"
#include "manager_impl.hpp"
#include "xfr/catalog.hpp"
#include "xfr/diff.hpp"
#include "xfr/serial.hpp"

namespace dnsfleet::authd::zones {

const config::TemplateConfig* ZoneManager::Impl::memberTemplate(
    const ManagedZone& catalog, const std::vector<std::string>& groups) const {
    const auto& allowed = catalog.config.catalogTemplates;
    // RFC 9432 §4.4.2: the group property names the consumer's own settings for the member.
    for (const auto& group : groups) {
        if (std::find(allowed.begin(), allowed.end(), group) != allowed.end()) {
            if (const auto* t = cfg.findTemplate(group)) return t;
        }
    }
    if (!allowed.empty()) return cfg.findTemplate(allowed.front());
    return cfg.findTemplate("default");
}

void ZoneManager::Impl::consumeCatalog(ManagedZone& catalog) {
    if (!catalog.zone || catalog.expired) return;
    std::vector<std::string> warnings;
    auto read = xfr::readCatalog(*catalog.zone, &warnings);
    const std::string catalogName = catalog.config.apex.toText();
    for (const auto& w : warnings)
        log::warning("catalog {}: {}", catalogName, w);
    if (!read) {
        log::error("catalog {}: {}; its members stay as they were", catalogName, read.error());
        return;
    }
    std::unordered_map<std::string, const xfr::CatalogMember*> wanted;
    for (const auto& member : read->members)
        wanted.emplace(apexKey(member.zone), &member);

    // Members this catalog no longer lists (RFC 9432 §5.3: the zone is removed).
    for (auto it = zones.begin(); it != zones.end();) {
        auto& z = it->second;
        if (z.role == ZoneRole::CatalogMember && z.memberOf &&
            dnswire::equalNames(*z.memberOf, catalog.config.apex) && wanted.count(it->first) == 0) {
            log::info("zone {} removed: no longer a member of catalog {}", it->first, catalogName);
            if (store) {
                auto removed = store->remove(z.config.apex);
                if (!removed) log::error("zone {}: {}", it->first, removed.error());
            }
            removeAccess(it->first);
            it = zones.erase(it);
            dirty = true;
        } else {
            ++it;
        }
    }

    std::vector<ManagedZone*> added;
    for (const auto& member : read->members) {
        const std::string key = apexKey(member.zone);
        const auto* tmpl = memberTemplate(catalog, member.groups);
        auto settingsFor = [&] {
            config::ZoneSettings settings = tmpl ? tmpl->settings : config::ZoneSettings{};
            // Without primaries of its own, a member is pulled from the catalog's primaries, as
            // BIND does by default.
            if (settings.primaries.empty()) settings.primaries = catalog.config.settings.primaries;
            return settings;
        };
        auto it = zones.find(key);
        if (it == zones.end()) {
            ManagedZone z;
            z.config.apex = member.zone;
            z.config.apex.toLower();
            z.config.templateId = tmpl ? tmpl->id : std::string();
            z.config.settings = settingsFor();
            z.role = ZoneRole::CatalogMember;
            z.memberOf = catalog.config.apex;
            z.memberId = member.id;
            it = zones.emplace(key, std::move(z)).first;
            added.push_back(&it->second);
            log::info("zone {} added: member {} of catalog {}", key, member.id, catalogName);
            continue;
        }
        auto& z = it->second;
        if (z.role != ZoneRole::CatalogMember) {
            log::warning("catalog {} lists {}, which is configured here; the configuration wins",
                         catalogName, key);
            continue;
        }
        if (!z.memberOf || !dnswire::equalNames(*z.memberOf, catalog.config.apex)) {
            // RFC 9432 §5.4: another catalog owns it; it moves only when that catalog's
            // member entry points here with a coo property.
            if (z.config.catalog && dnswire::equalNames(*z.config.catalog, catalog.config.apex)) {
                log::info("zone {} changes owner: now a member of catalog {}", key, catalogName);
                z.memberOf = catalog.config.apex;
                z.memberId = member.id;
                z.config.catalog.reset();
                z.config.settings = settingsFor();
                updateAccess(key, z);
            } else {
                log::warning("catalog {} lists {}, a member of catalog {}; ignored", catalogName,
                             key, z.memberOf ? z.memberOf->toText() : std::string("?"));
            }
            continue;
        }
        // The change-of-ownership target is kept in config.catalog of a member.
        if (member.changeOwner) {
            z.config.catalog = *member.changeOwner;
        } else {
            z.config.catalog.reset();
        }
        if (z.memberId != member.id) {
            // §5.6: a new unique id resets the member: its data is fetched anew.
            log::info("zone {}: member id changed ({} -> {}): transferred anew", key, z.memberId,
                      member.id);
            z.memberId = member.id;
            z.forceAxfr = true;
            z.schedule.onNotify(Clock::now());
        }
        z.config.settings = settingsFor();
        updateAccess(key, z);
    }
    loadStoredZones(added);
    for (auto* z : added)
        updateAccess(apexKey(z->config.apex), *z);
    dirty = true;
}

void ZoneManager::Impl::rebuildProducedCatalogs() {
    for (auto& [key, catalog] : zones) {
        if (catalog.role != ZoneRole::ProducedCatalog) continue;
        std::vector<xfr::CatalogMember> members;
        for (const auto& [memberKey, z] : zones) {
            if (z.role == ZoneRole::CatalogMember || z.role == ZoneRole::ProducedCatalog) continue;
            if (!z.config.catalog || !dnswire::equalNames(*z.config.catalog, catalog.config.apex))
                continue;
            xfr::CatalogMember member;
            member.zone = z.config.apex;
            if (!z.config.catalogGroup.empty()) member.groups.push_back(z.config.catalogGroup);
            members.push_back(std::move(member));
        }
        if (catalog.zone) {
            auto current = xfr::readCatalog(*catalog.zone);
            if (current) {
                std::set<std::pair<std::string, std::vector<std::string>>> before, after;
                for (const auto& m : current->members)
                    before.emplace(apexKey(m.zone), m.groups);
                for (const auto& m : members)
                    after.emplace(apexKey(m.zone), m.groups);
                if (before == after) continue;
            }
        }
        const std::uint32_t serial = catalog.zone ? xfr::addSerial(soaSerial(*catalog.zone), 1)
                                                  : static_cast<std::uint32_t>(epochNow());
        auto built = xfr::buildCatalog(catalog.config.apex, serial, members);
        if (!built) {
            log::error("catalog {}: cannot be built: {}", key, built.error());
            continue;
        }
        auto journal = catalog.journal;
        if (catalog.zone) {
            auto diff = xfr::diffZones(*catalog.zone, **built, epochNow());
            if (diff) {
                const auto& s = catalog.config.settings;
                journal = journal->append(
                    std::make_shared<const xfr::ZoneDiff>(std::move(*diff)),
                    xfr::JournalLimits{s.journalMaxBytes, s.journalMaxDepth, s.journalMaxAge},
                    epochNow());
            }
        }
        log::info("catalog {}: serial {}, {} members", key, serial, members.size());
        newVersion(catalog, std::move(*built), journal);
    }
}

}  // namespace dnsfleet::authd::zones
