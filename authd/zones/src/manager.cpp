#include "authd/zones/manager.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <ctime>
#include <future>
#include <unordered_set>

#include "authd/log.hpp"
#include "manager_impl.hpp"
#include "xfr/diff.hpp"

namespace dnsfleet::authd::zones {

std::string apexKey(dnswire::NameView apex) {
    dnswire::Name lower(apex);
    lower.toLower();
    return lower.toText();
}

std::int64_t epochNow() noexcept {
    return static_cast<std::int64_t>(std::time(nullptr));
}

namespace {

ZoneRole roleOf(const config::ZoneConfig& config) {
    if (config.catalogRole == config::CatalogRole::Produce) return ZoneRole::ProducedCatalog;
    return config.isSecondary() ? ZoneRole::Secondary : ZoneRole::Primary;
}

bool needsStore(const config::Config& cfg) {
    return std::any_of(cfg.zones.begin(), cfg.zones.end(),
                       [](const config::ZoneConfig& z) { return z.isSecondary(); });
}

}  // namespace

// ---- the per-zone view the network threads read ----

void ZoneManager::Impl::loadKeyring() {
    auto ring = std::make_shared<dnswire::TsigKeyring>();
    for (const auto& key : cfg.keys)
        ring->add(key);
    keyring = ring;
    std::lock_guard lock(accessMutex);
    accessKeyring = keyring;
}

void ZoneManager::Impl::updateAccess(const std::string& key, const ManagedZone& z) {
    auto view = std::make_shared<ZoneAccess>();
    view->zone = z.expired ? nullptr : z.zone;
    view->journal = z.journal;
    view->acl = resolveAcl(cfg, z.config.settings.acl);
    view->secondary = z.config.isSecondary();
    view->condensed = z.config.settings.ixfrCondensed;
    for (const auto& id : z.config.settings.primaries) {
        const auto* remote = cfg.findRemote(id);
        if (remote == nullptr) continue;
        std::optional<dnswire::Name> keyName;
        if (!remote->key.empty()) {
            if (const auto* k = cfg.findKey(remote->key)) keyName = k->name;
        }
        for (const auto& address : remote->addresses) {
            view->primaries.push_back(address);
            view->primaryKeys.push_back(keyName);
        }
    }
    std::lock_guard lock(accessMutex);
    access[key] = std::move(view);
}

void ZoneManager::Impl::removeAccess(const std::string& key) {
    std::lock_guard lock(accessMutex);
    access.erase(key);
}

std::shared_ptr<const ZoneAccess> ZoneManager::Impl::findAccess(dnswire::NameView apex) const {
    const std::string key = apexKey(apex);
    std::lock_guard lock(accessMutex);
    auto it = access.find(key);
    return it == access.end() ? nullptr : it->second;
}

void ZoneManager::Impl::publish() {
    std::vector<std::shared_ptr<const zone::Zone>> served;
    served.reserve(zones.size());
    for (const auto& [key, z] : zones) {
        if (z.zone && !z.expired) served.push_back(z.zone);
    }
    published.publish(std::make_shared<const zone::ZoneSet>(std::move(served)));
    dirty = false;
}

// ---- versions and NOTIFY ----

std::vector<NotifyTarget> ZoneManager::Impl::notifyTargets(const ManagedZone& z) const {
    std::vector<NotifyTarget> targets;
    for (const auto& id : z.config.settings.notify) {
        const auto* remote = cfg.findRemote(id);
        if (remote == nullptr) continue;
        const dnswire::TsigKey* key = nullptr;
        if (!remote->key.empty()) {
            if (const auto* configured = cfg.findKey(remote->key))
                key = keyring->find(configured->name);
        }
        for (const auto& address : remote->addresses)
            targets.push_back(NotifyTarget{address, key});
    }
    return targets;
}

void ZoneManager::Impl::sendNotify(const ManagedZone& z) {
    if (!z.zone || z.expired) return;
    auto targets = notifyTargets(z);
    if (!targets.empty()) notifier.notify(*z.zone, targets);
}

void ZoneManager::Impl::newVersion(ManagedZone& z, std::shared_ptr<const zone::Zone> next,
                                   std::shared_ptr<const xfr::Journal> journal) {
    z.zone = std::move(next);
    z.journal = std::move(journal);
    z.expired = false;
    dirty = true;
    updateAccess(apexKey(z.config.apex), z);
    sendNotify(z);
    if (z.config.catalogRole == config::CatalogRole::Consume) consumeCatalog(z);
}

// ---- threads ----

void ZoneManager::Impl::post(std::function<void()> task) {
    {
        std::lock_guard lock(taskMutex);
        tasks.push_back(std::move(task));
    }
    const std::uint64_t one = 1;
    [[maybe_unused]] const auto n = ::write(wake.get(), &one, sizeof one);
}

void ZoneManager::Impl::runOnEvents(const std::function<void()>& task) {
    if (!eventThread.joinable() || std::this_thread::get_id() == eventThread.get_id()) {
        task();
        return;
    }
    std::promise<void> done;
    auto finished = done.get_future();
    post([&task, &done] {
        task();
        done.set_value();
    });
    finished.wait();
}

void ZoneManager::Impl::eventLoop() {
    std::vector<pollfd> fds;
    while (!stopping.load()) {
        const auto now = Clock::now();
        auto next = std::min(nextTimer(), notifier.next());
        int timeoutMs = 1000;
        if (next <= now) {
            timeoutMs = 0;
        } else if (next != Clock::time_point::max()) {
            const auto wait =
                std::chrono::duration_cast<std::chrono::milliseconds>(next - now).count() + 1;
            timeoutMs = static_cast<int>(std::min<std::int64_t>(wait, 1000));
        }
        fds.clear();
        fds.push_back(pollfd{wake.get(), POLLIN, 0});
        for (int fd : notifier.fds())
            fds.push_back(pollfd{fd, POLLIN, 0});
        const int ready = ::poll(fds.data(), fds.size(), timeoutMs);
        if (ready < 0 && errno != EINTR) {
            log::error("zone events: poll failed: {}", std::strerror(errno));
            break;
        }
        if (fds[0].revents & POLLIN) {
            std::uint64_t count = 0;
            [[maybe_unused]] const auto n = ::read(wake.get(), &count, sizeof count);
        }
        std::deque<std::function<void()>> batch;
        {
            std::lock_guard lock(taskMutex);
            batch.swap(tasks);
        }
        for (auto& task : batch)
            task();
        notifier.process(Clock::now());
        checkTimers(Clock::now());
        if (dirty) publish();
    }
}

void ZoneManager::Impl::workerLoop() {
    for (;;) {
        PullJob job;
        {
            std::unique_lock lock(jobMutex);
            jobReady.wait(lock, [this] { return stopping.load() || !jobs.empty(); });
            if (stopping.load()) return;
            job = std::move(jobs.front());
            jobs.pop_front();
        }
        PullOutcome outcome;
        outcome.key = job.key;
        std::string errors;
        for (const auto& primary : job.primaries) {
            auto pulled = pullZone(primary, job.apex, job.current, job.options);
            if (pulled) {
                outcome.ok = true;
                outcome.from = primary.address.toString();
                outcome.result = std::move(*pulled);
                break;
            }
            if (!errors.empty()) errors += "; ";
            errors += pulled.error();
        }
        if (job.primaries.empty()) errors = "no primary address configured";
        if (!outcome.ok) outcome.error = errors;
        // What is served must be on disk first: a version that cannot be stored is not served.
        if (outcome.ok && store && outcome.result.kind != xfr::XfrKind::UpToDate) {
            Result<void, std::string> stored;
            if (outcome.result.kind == xfr::XfrKind::Full) {
                stored = store->storeFull(job.apex, outcome.result.full, epochNow());
            } else {
                stored = store->appendDiffs(job.apex, outcome.result.diffs, *outcome.result.zone,
                                            job.compactAfterBytes, epochNow());
            }
            if (!stored) {
                outcome.ok = false;
                outcome.error = "serial " + std::to_string(outcome.result.serial) +
                                " received but not stored: " + stored.error();
            }
        }
        post([this, o = std::move(outcome)]() mutable { applyPull(std::move(o)); });
    }
}

bool ZoneManager::Impl::openStoreIfNeeded() {
    if (store || !needsStore(cfg)) return true;
    auto opened = store::ZoneStore::open(cfg.server.storage, cfg.server.storageMapSize);
    if (!opened) {
        log::error("cannot open the zone store in {}: {}", cfg.server.storage.string(),
                   opened.error());
        return false;
    }
    store = std::move(*opened);
    log::info("zone store: {}", cfg.server.storage.string());
    return true;
}

// ---- start, reload, stop ----

ZoneManager::ZoneManager(config::Config cfg, net::ZoneSnapshots& published, ManagerOptions options)
    : impl_(std::make_unique<Impl>(std::move(cfg), published, options)) {
    impl_->wake = net::FileDescriptor(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
}

ZoneManager::~ZoneManager() {
    stop();
}

void ZoneManager::setReloadHook(std::function<void()> hook) {
    impl_->reloadHook = std::move(hook);
}

std::size_t ZoneManager::servedCount() const {
    return impl_->published.current()->size();
}

bool ZoneManager::start() {
    auto& m = *impl_;
    m.loadKeyring();
    if (!m.openStoreIfNeeded()) return false;
    std::vector<config::ZoneConfig> fileZones;
    for (const auto& zc : m.cfg.zones) {
        ManagedZone z;
        z.config = zc;
        z.role = roleOf(zc);
        if (z.role == ZoneRole::Primary && !zc.file.empty()) fileZones.push_back(zc);
        m.zones.emplace(apexKey(zc.apex), std::move(z));
    }
    const auto results = loadZones(fileZones, {}, std::max(1u, m.options.loadThreads));
    for (const auto& r : results) {
        auto& z = m.zones[apexKey(r.served.config.apex)];
        for (const auto& e : r.errors)
            log::error("zone {}: {}", r.served.config.apex.toText(), e);
        if (r.served.zone) {
            z.zone = r.served.zone;
            z.stamp = r.served.stamp;
            log::info("zone {} loaded from {}: serial {}, {} records",
                      r.served.config.apex.toText(), r.served.config.file.string(),
                      soaSerial(*z.zone), z.zone->recordCount());
        } else {
            log::error("zone {} failed to load; not served", r.served.config.apex.toText());
        }
    }
    std::vector<ManagedZone*> secondaries;
    for (auto& [key, z] : m.zones) {
        if (z.role == ZoneRole::Secondary) secondaries.push_back(&z);
    }
    m.loadStoredZones(secondaries);
    // Catalogs read from disk bring their members, which are then read from disk too.
    for (auto& [key, z] : m.zones) {
        if (z.config.catalogRole == config::CatalogRole::Consume && z.zone) m.consumeCatalog(z);
    }
    std::vector<ManagedZone*> members;
    for (auto& [key, z] : m.zones) {
        if (z.role == ZoneRole::CatalogMember && !z.zone) members.push_back(&z);
    }
    m.loadStoredZones(members);
    m.rebuildProducedCatalogs();
    for (auto& [key, z] : m.zones)
        m.updateAccess(key, z);
    m.publish();
    return true;
}

void ZoneManager::run() {
    auto& m = *impl_;
    const unsigned threads = std::max(1u, m.options.transferThreads);
    for (unsigned i = 0; i < threads; ++i)
        m.workers.emplace_back([&m] { m.workerLoop(); });
    m.eventThread = std::thread([&m] { m.eventLoop(); });
    // Versions read from disk or files are announced once the threads run.
    m.post([&m] {
        for (auto& [key, z] : m.zones) {
            if (z.role == ZoneRole::Primary || z.role == ZoneRole::ProducedCatalog) m.sendNotify(z);
        }
    });
}

void ZoneManager::stop() {
    auto& m = *impl_;
    if (m.stopping.exchange(true)) return;
    const std::uint64_t one = 1;
    if (m.wake.valid()) {
        [[maybe_unused]] const auto n = ::write(m.wake.get(), &one, sizeof one);
    }
    { std::lock_guard lock(m.jobMutex); }
    m.jobReady.notify_all();
    if (m.eventThread.joinable()) m.eventThread.join();
    for (auto& w : m.workers)
        w.join();
    m.workers.clear();
}

void ZoneManager::reload(config::Config fresh) {
    auto& m = *impl_;
    m.runOnEvents([&m, &fresh] { m.reloadOnEvents(std::move(fresh)); });
}

void ZoneManager::Impl::reloadOnEvents(config::Config fresh) {
    cfg = std::move(fresh);
    loadKeyring();
    if (!openStoreIfNeeded()) log::error("reload: secondary zones cannot be kept on disk");
    std::unordered_set<std::string> configured;
    std::vector<std::string> created;
    std::vector<config::ZoneConfig> fileZones;
    std::vector<ServedZone> previous;
    for (const auto& zc : cfg.zones) {
        const std::string key = apexKey(zc.apex);
        configured.insert(key);
        auto it = zones.find(key);
        const ZoneRole role = roleOf(zc);
        if (it == zones.end() || it->second.role != role ||
            it->second.role == ZoneRole::CatalogMember) {
            ManagedZone z;
            z.config = zc;
            z.role = role;
            if (it != zones.end()) zones.erase(it);
            it = zones.emplace(key, std::move(z)).first;
            created.push_back(key);
            log::info("zone {} added", zc.apex.toText());
        } else {
            it->second.config = zc;
        }
        if (role == ZoneRole::Primary && !zc.file.empty()) {
            fileZones.push_back(zc);
            if (it->second.zone)
                previous.push_back(ServedZone{zc, it->second.zone, it->second.stamp});
        }
    }
    // Zones gone from the configuration (catalog members stay: their catalog decides).
    for (auto it = zones.begin(); it != zones.end();) {
        if (it->second.role != ZoneRole::CatalogMember && configured.count(it->first) == 0) {
            log::info("zone {} removed", it->second.config.apex.toText());
            if (store && it->second.role == ZoneRole::Secondary) {
                auto removed = store->remove(it->second.config.apex);
                if (!removed) log::error("zone {}: {}", it->first, removed.error());
            }
            removeAccess(it->first);
            it = zones.erase(it);
            dirty = true;
        } else {
            ++it;
        }
    }
    const auto results = loadZones(fileZones, previous, std::max(1u, options.loadThreads));
    for (const auto& r : results) {
        auto& z = zones[apexKey(r.served.config.apex)];
        for (const auto& e : r.errors)
            log::error("zone {}: {}", r.served.config.apex.toText(), e);
        if (r.outcome == LoadOutcome::Loaded) {
            auto journal = z.journal;
            if (z.zone) {
                auto diff = xfr::diffZones(*z.zone, *r.served.zone, epochNow());
                if (diff && diff->fromSerial != diff->toSerial) {
                    const auto& s = z.config.settings;
                    journal = journal->append(
                        std::make_shared<const xfr::ZoneDiff>(std::move(*diff)),
                        xfr::JournalLimits{s.journalMaxBytes, s.journalMaxDepth, s.journalMaxAge},
                        epochNow());
                } else if (diff && diff->fromSerial == diff->toSerial &&
                           (diff->removed.size() > 1 || diff->added.size() > 1)) {
                    log::warning(
                        "zone {}: the file changed but the SOA serial {} did not; "
                        "secondaries will not see the change",
                        r.served.config.apex.toText(), diff->toSerial);
                }
            }
            z.stamp = r.served.stamp;
            log::info("zone {} loaded from {}: serial {}, {} records",
                      r.served.config.apex.toText(), r.served.config.file.string(),
                      soaSerial(*r.served.zone), r.served.zone->recordCount());
            newVersion(z, r.served.zone, journal);
        } else if (r.outcome == LoadOutcome::FailedKeptOld) {
            log::error("zone {} failed to load; serial {} keeps serving",
                       r.served.config.apex.toText(), soaSerial(*z.zone));
        }
    }
    std::vector<ManagedZone*> newSecondaries;
    for (const auto& key : created) {
        auto it = zones.find(key);
        if (it != zones.end() && it->second.role == ZoneRole::Secondary) {
            newSecondaries.push_back(&it->second);
        }
    }
    loadStoredZones(newSecondaries);
    rebuildProducedCatalogs();
    for (auto& [key, z] : zones)
        updateAccess(key, z);
    publish();
}

// ---- control ----

std::string ZoneManager::handle(const std::vector<std::string>& words) {
    std::string answer;
    impl_->runOnEvents([&] { answer = impl_->command(words); });
    return answer;
}

}  // namespace dnsfleet::authd::zones
