// The zone manager's control commands: status, retransfer, refresh, notify, reload.

#include <ctime>
#include <nlohmann/json.hpp>

#include "authd/log.hpp"
#include "manager_impl.hpp"

namespace dnsfleet::authd::zones {
namespace {

using nlohmann::json;

std::string utcTime(std::int64_t epoch) {
    if (epoch == 0) return {};
    const std::time_t t = static_cast<std::time_t>(epoch);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return text;
}

const char* roleName(ZoneRole role) {
    switch (role) {
        case ZoneRole::Primary:
            return "primary";
        case ZoneRole::Secondary:
            return "secondary";
        case ZoneRole::CatalogMember:
            return "catalog-member";
        case ZoneRole::ProducedCatalog:
            return "catalog";
    }
    return "?";
}

std::string failure(const std::string& message) {
    return json{{"ok", false}, {"error", message}}.dump();
}

std::int64_t secondsUntil(Clock::time_point when, Clock::time_point now) {
    if (when == Clock::time_point::max()) return -1;
    if (when <= now) return 0;
    return std::chrono::duration_cast<std::chrono::seconds>(when - now).count();
}

}  // namespace

std::string ZoneManager::Impl::status(const std::vector<std::string>& words) const {
    const auto now = Clock::now();
    json list = json::array();
    auto describe = [&](const std::string& key, const ManagedZone& z) {
        json entry{{"zone", key}, {"role", roleName(z.role)}};
        entry["serial"] = z.zone ? json(soaSerial(*z.zone)) : json(nullptr);
        std::string state = "ok";
        if (!z.zone) state = "no version";
        if (z.expired) state = "expired";
        if (z.pulling) state = "transferring";
        entry["state"] = state;
        entry["records"] = z.zone ? z.zone->recordCount() : 0;
        entry["journal_depth"] = z.journal ? z.journal->depth() : 0;
        if (z.role == ZoneRole::Secondary || z.role == ZoneRole::CatalogMember) {
            entry["last_transfer"] = utcTime(z.lastTransfer);
            entry["last_result"] = z.lastResult;
            entry["transfers"] = z.transfers;
            entry["next_refresh_in"] = z.pulling ? 0 : secondsUntil(z.schedule.next(), now);
            entry["expires_in"] = secondsUntil(z.schedule.expiresAt(), now);
            entry["primaries"] = z.config.settings.primaries;
        }
        if (z.memberOf) {
            entry["catalog"] = z.memberOf->toText();
            entry["member_id"] = z.memberId;
        }
        list.push_back(std::move(entry));
    };
    if (words.size() > 1) {
        auto name = dnswire::Name::fromText(words[1]);
        if (!name) return failure("not a zone name: " + words[1]);
        const std::string key = apexKey(*name);
        auto it = zones.find(key);
        if (it == zones.end()) return failure("no such zone: " + key);
        describe(key, it->second);
    } else {
        for (const auto& [key, z] : zones)
            describe(key, z);
    }
    return json{{"ok", true}, {"zones", std::move(list)}}.dump();
}

std::string ZoneManager::Impl::command(const std::vector<std::string>& words) {
    if (words.empty()) return failure("empty command");
    const std::string& verb = words[0];
    if (verb == "status") return status(words);
    if (verb == "reload") {
        if (!reloadHook) return failure("reload is not available");
        reloadHook();
        return json{{"ok", true}}.dump();
    }
    if (verb != "retransfer" && verb != "refresh" && verb != "notify") {
        return failure("unknown command: " + verb +
                       " (status [ZONE], retransfer ZONE, refresh ZONE, notify ZONE, reload)");
    }
    if (words.size() != 2) return failure(verb + " takes one zone name");
    auto name = dnswire::Name::fromText(words[1]);
    if (!name) return failure("not a zone name: " + words[1]);
    const std::string key = apexKey(*name);
    auto it = zones.find(key);
    if (it == zones.end()) return failure("no such zone: " + key);
    auto& z = it->second;
    if (verb == "notify") {
        sendNotify(z);
        log::info("zone {}: NOTIFY sent on request", key);
        return json{{"ok", true}, {"zone", key}}.dump();
    }
    if (z.role != ZoneRole::Secondary && z.role != ZoneRole::CatalogMember) {
        return failure(key + " is not a secondary zone");
    }
    if (verb == "retransfer") z.forceAxfr = true;
    z.schedule.onNotify(Clock::now());
    log::info("zone {}: {} requested", key, verb);
    return json{{"ok", true}, {"zone", key}}.dump();
}

}  // namespace dnsfleet::authd::zones
