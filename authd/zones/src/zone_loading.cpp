#include "authd/zones/zone_loading.hpp"

#include <fmt/format.h>
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <thread>
#include <unordered_map>

#include "zone/loader.hpp"

namespace dnsfleet::authd::zones {
namespace {

ZoneLoadResult loadOne(const config::ZoneConfig& config, const ServedZone* old) {
    const auto start = std::chrono::steady_clock::now();
    ZoneLoadResult result;
    result.served.config = config;
    // Stamp before reading: a file changed while we read it then looks changed next time.
    result.served.stamp = stampOf(config.file);
    if (old != nullptr && old->zone && old->stamp && result.served.stamp &&
        old->config.file == config.file && *old->stamp == *result.served.stamp) {
        result.served.zone = old->zone;
        result.outcome = LoadOutcome::Unchanged;
    } else {
        try {
            auto loaded = zone::loadZoneFile(config.apex, config.file);
            if (loaded) {
                result.served.zone = std::move(*loaded);
                result.outcome = LoadOutcome::Loaded;
            } else {
                result.errors = std::move(loaded).error();
            }
        } catch (const std::exception& e) {
            result.errors.push_back(fmt::format("{}: {}", config.file.string(), e.what()));
        }
        if (result.errors.empty() && !result.served.zone) {
            result.errors.push_back(config.file.string() + ": the zone could not be loaded");
        }
        if (!result.errors.empty()) {
            if (old != nullptr && old->zone) {
                result.served.zone = old->zone;
                result.served.stamp = old->stamp;
                result.outcome = LoadOutcome::FailedKeptOld;
            } else {
                result.outcome = LoadOutcome::Failed;
            }
        }
    }
    result.elapsed = std::chrono::duration_cast<std::chrono::microseconds>(
        std::chrono::steady_clock::now() - start);
    return result;
}

}  // namespace

std::optional<FileStamp> stampOf(const std::filesystem::path& path) noexcept {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return std::nullopt;
    return FileStamp{static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 +
                         static_cast<std::int64_t>(st.st_mtim.tv_nsec),
                     static_cast<std::uintmax_t>(st.st_size)};
}

std::vector<ZoneLoadResult> loadZones(const std::vector<config::ZoneConfig>& zones,
                                      const std::vector<ServedZone>& previous, unsigned threads) {
    std::unordered_map<std::string, const ServedZone*> byName;
    byName.reserve(previous.size());
    for (const auto& p : previous)
        byName.emplace(p.config.apex.toText(), &p);
    std::vector<const ServedZone*> old(zones.size(), nullptr);
    for (std::size_t i = 0; i < zones.size(); ++i) {
        auto it = byName.find(zones[i].apex.toText());
        if (it != byName.end()) old[i] = it->second;
    }

    std::vector<ZoneLoadResult> results(zones.size());
    std::atomic<std::size_t> nextIndex{0};
    auto work = [&] {
        for (;;) {
            const std::size_t i = nextIndex.fetch_add(1, std::memory_order_relaxed);
            if (i >= zones.size()) return;
            results[i] = loadOne(zones[i], old[i]);
        }
    };
    const std::size_t helpers =
        std::min<std::size_t>(std::max(threads, 1u), std::max<std::size_t>(zones.size(), 1)) - 1;
    std::vector<std::thread> pool;
    pool.reserve(helpers);
    for (std::size_t t = 0; t < helpers; ++t)
        pool.emplace_back(work);
    work();  // this thread takes its share too
    for (auto& t : pool)
        t.join();
    return results;
}

std::vector<ServedZone> servedZones(const std::vector<ZoneLoadResult>& results) {
    std::vector<ServedZone> served;
    served.reserve(results.size());
    for (const auto& r : results) {
        if (r.served.zone) served.push_back(r.served);
    }
    return served;
}

std::shared_ptr<const zone::ZoneSet> buildZoneSet(const std::vector<ServedZone>& served) {
    std::vector<std::shared_ptr<const zone::Zone>> zones;
    zones.reserve(served.size());
    for (const auto& s : served)
        zones.push_back(s.zone);
    return std::make_shared<const zone::ZoneSet>(std::move(zones));
}

std::uint32_t soaSerial(const zone::Zone& zone) noexcept {
    const auto soa = zone.soa();
    if (!soa || soa.size() == 0) return 0;
    const auto rdata = soa.first();
    // MNAME and RNAME are uncompressed names in a zone's own storage; skip both.
    std::size_t pos = 0;
    for (int name = 0; name < 2; ++name) {
        while (pos < rdata.size() && rdata[pos] != 0)
            pos += std::size_t{rdata[pos]} + 1;
        ++pos;
    }
    if (pos + 4 > rdata.size()) return 0;
    return (std::uint32_t{rdata[pos]} << 24) | (std::uint32_t{rdata[pos + 1]} << 16) |
           (std::uint32_t{rdata[pos + 2]} << 8) | std::uint32_t{rdata[pos + 3]};
}

}  // namespace dnsfleet::authd::zones
