// The zone manager's secondary side: zones read back from disk, refresh timers, pulls on the
// transfer threads, and what a finished pull changes.

#include <algorithm>
#include <atomic>
#include <thread>

#include "authd/log.hpp"
#include "manager_impl.hpp"
#include "xfr/diff.hpp"

namespace dnsfleet::authd::zones {

SoaTimers ZoneManager::Impl::timersOf(const ManagedZone& z) const {
    SoaTimers timers;
    if (z.zone) {
        const auto soa = z.zone->soa();
        if (soa && soa.size() > 0) {
            const auto rdata = soa.first();
            if (auto t = soaTimers(rdata.data(), rdata.size())) timers = *t;
        }
    }
    const auto& s = z.config.settings;
    timers.refresh = clampTimer(timers.refresh, s.refreshMin, s.refreshMax);
    timers.retry = clampTimer(timers.retry, s.retryMin, s.retryMax);
    timers.expire = clampTimer(timers.expire, s.expireMin, s.expireMax);
    return timers;
}

void ZoneManager::Impl::startSecondary(ManagedZone& z, std::shared_ptr<const zone::Zone> stored,
                                       std::int64_t storedAt) {
    const auto now = Clock::now();
    z.schedule = RefreshSchedule(now);
    if (!stored) return;
    z.zone = std::move(stored);
    z.lastTransfer = storedAt;
    // The expire clock runs from the last time a primary confirmed the version, which for a
    // version from disk is when it was stored: a server down for longer than expire comes back
    // with the zone already expired.
    const auto age = std::chrono::seconds(std::max<std::int64_t>(0, epochNow() - storedAt));
    z.schedule.onVersion(timersOf(z), now - age, now);
    if (z.schedule.due(now) == RefreshAction::Expire) {
        z.expired = true;
        log::warning(
            "zone {}: the copy on disk (serial {}) is older than its SOA expire; not "
            "served until a primary answers",
            z.config.apex.toText(), soaSerial(*z.zone));
    }
}

void ZoneManager::Impl::loadStoredZones(std::vector<ManagedZone*>& secondaries) {
    if (secondaries.empty()) return;
    if (!store) {
        for (auto* z : secondaries)
            startSecondary(*z, nullptr, 0);
        return;
    }
    struct Loaded {
        std::shared_ptr<const zone::Zone> zone;
        std::int64_t at = 0;
        std::string error;
    };
    std::vector<Loaded> loaded(secondaries.size());
    std::atomic<std::size_t> next{0};
    auto work = [&] {
        for (;;) {
            const std::size_t i = next.fetch_add(1);
            if (i >= secondaries.size()) return;
            const auto apex = secondaries[i]->config.apex;
            auto read = store->read(apex);
            if (!read) continue;  // not stored yet
            auto zone = store->load(apex);
            if (zone) {
                loaded[i].zone = std::move(*zone);
                loaded[i].at = read->lastTransfer;
            } else {
                loaded[i].error = zone.error();
            }
        }
    };
    const unsigned threads = std::min<unsigned>(std::max(1u, options.loadThreads),
                                                static_cast<unsigned>(secondaries.size()));
    std::vector<std::thread> pool;
    for (unsigned t = 1; t < threads; ++t)
        pool.emplace_back(work);
    work();
    for (auto& t : pool)
        t.join();
    for (std::size_t i = 0; i < secondaries.size(); ++i) {
        auto& z = *secondaries[i];
        if (!loaded[i].error.empty()) {
            log::error("zone {}: the copy on disk cannot be read: {}", z.config.apex.toText(),
                       loaded[i].error);
        }
        if (loaded[i].zone) {
            log::info("zone {} read from disk: serial {}, {} records", z.config.apex.toText(),
                      soaSerial(*loaded[i].zone), loaded[i].zone->recordCount());
        }
        startSecondary(z, std::move(loaded[i].zone), loaded[i].at);
    }
}

Clock::time_point ZoneManager::Impl::nextTimer() const {
    auto next = Clock::time_point::max();
    for (const auto& [key, z] : zones) {
        if (z.role != ZoneRole::Secondary && z.role != ZoneRole::CatalogMember) continue;
        if (z.pulling) continue;
        next = std::min(next, z.schedule.next());
    }
    return next;
}

void ZoneManager::Impl::checkTimers(Clock::time_point now) {
    for (auto& [key, z] : zones) {
        if (z.role != ZoneRole::Secondary && z.role != ZoneRole::CatalogMember) continue;
        if (z.pulling) continue;
        switch (z.schedule.due(now)) {
            case RefreshAction::Refresh:
                startPull(z);
                break;
            case RefreshAction::Expire:
                if (!z.expired) expire(z);
                break;
            case RefreshAction::None:
                break;
        }
    }
}

void ZoneManager::Impl::expire(ManagedZone& z) {
    z.expired = true;
    dirty = true;
    updateAccess(apexKey(z.config.apex), z);
    log::error(
        "zone {} expired: no primary confirmed serial {} within the SOA expire; no longer "
        "served",
        z.config.apex.toText(), z.zone ? soaSerial(*z.zone) : 0);
}

void ZoneManager::Impl::startPull(ManagedZone& z) {
    PullJob job;
    job.key = apexKey(z.config.apex);
    job.apex = z.config.apex;
    job.keyring = keyring;
    job.current = z.expired ? nullptr : z.zone;
    const auto& s = z.config.settings;
    job.options.timeout = cfg.server.xfrTimeout;
    job.options.limits = xfr::SizeLimits{s.maxRecords, s.maxBytes};
    job.options.axfrOnly = s.axfrOnly;
    job.options.fudge = cfg.server.tsigFudge;
    job.options.forceAxfr = z.forceAxfr;
    // Catalog zones need not answer queries (Knot refuses them, as RFC 9432 §7 allows): the
    // IXFR itself says whether there is something new.
    job.options.skipSoaQuery = z.forceAxfr || z.config.catalogRole == config::CatalogRole::Consume;
    job.compactAfterBytes = s.journalMaxBytes;
    for (const auto& id : s.primaries) {
        const auto* remote = cfg.findRemote(id);
        if (remote == nullptr) continue;
        const dnswire::TsigKey* key = nullptr;
        if (!remote->key.empty()) {
            if (const auto* configured = cfg.findKey(remote->key))
                key = keyring->find(configured->name);
        }
        for (const auto& address : remote->addresses) {
            PrimaryEndpoint endpoint;
            endpoint.address = address;
            endpoint.key = key;
            endpoint.tls = remote->tls;
            endpoint.tlsHostname = remote->tlsHostname;
            endpoint.tlsPin = remote->tlsPin;
            endpoint.tlsCaFile = remote->tlsCaFile;
            endpoint.via = remote->via;
            job.primaries.push_back(std::move(endpoint));
        }
    }
    z.forceAxfr = false;
    z.pulling = true;
    z.schedule.onStarted();
    {
        std::lock_guard lock(jobMutex);
        jobs.push_back(std::move(job));
    }
    jobReady.notify_one();
}

void ZoneManager::Impl::applyPull(PullOutcome outcome) {
    auto it = zones.find(outcome.key);
    if (it == zones.end()) return;  // removed while it was being pulled
    auto& z = it->second;
    z.pulling = false;
    const auto now = Clock::now();
    const std::string name = z.config.apex.toText();
    if (!outcome.result.fallbackReason.empty()) {
        log::warning("zone {}: IXFR from {} given up for AXFR: {}", name,
                     outcome.from.empty() ? std::string("the primary") : outcome.from,
                     outcome.result.fallbackReason);
    }
    if (!outcome.ok) {
        z.lastResult = "failed: " + outcome.error;
        z.schedule.onFailure(now);
        log::error("zone {}: refresh failed: {}; {}", name, outcome.error,
                   z.zone && !z.expired
                       ? "serial " + std::to_string(soaSerial(*z.zone)) + " keeps serving"
                       : std::string("nothing served yet"));
        return;
    }
    auto& r = outcome.result;
    z.lastTransfer = epochNow();
    if (r.kind == xfr::XfrKind::UpToDate) {
        z.lastResult = "up to date at serial " + std::to_string(r.serial);
        z.schedule.onSuccess(timersOf(z), now);
        if (z.expired) {
            z.expired = false;
            dirty = true;
            updateAccess(outcome.key, z);
        }
        log::debug("zone {}: serial {} is current at {}", name, r.serial, outcome.from);
        return;
    }
    auto journal = z.journal;
    const auto& s = z.config.settings;
    const xfr::JournalLimits limits{s.journalMaxBytes, s.journalMaxDepth, s.journalMaxAge};
    if (r.kind == xfr::XfrKind::Full) {
        journal = std::make_shared<const xfr::Journal>();
    } else {
        for (auto& diff : r.diffs)
            journal = journal->append(std::make_shared<const xfr::ZoneDiff>(std::move(diff)),
                                      limits, epochNow());
    }
    ++z.transfers;
    z.lastResult = std::string(r.kind == xfr::XfrKind::Full ? "AXFR" : "IXFR") + " of serial " +
                   std::to_string(r.serial) + " from " + outcome.from +
                   (r.fellBackToAxfr ? " (IXFR fell back to AXFR)" : "");
    log::info("zone {}: {}, {} records, {} messages", name, z.lastResult,
              r.zone ? r.zone->recordCount() : 0, r.messages);
    newVersion(z, r.zone, journal);
    z.schedule.onVersion(timersOf(z), now, now);
}

void ZoneManager::Impl::onNotifyReceived(const std::string& key) {
    auto it = zones.find(key);
    if (it == zones.end()) return;
    it->second.schedule.onNotify(Clock::now());
}

}  // namespace dnsfleet::authd::zones
