#pragma once
// The zone manager's private state, shared by its source files (manager*.cpp).

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "authd/config/config.hpp"
#include "authd/net/management.hpp"
#include "authd/net/snapshot.hpp"
#include "authd/net/socket.hpp"
#include "authd/store/zone_store.hpp"
#include "authd/zones/acl.hpp"
#include "authd/zones/manager.hpp"
#include "authd/zones/notify_sender.hpp"
#include "authd/zones/refresh.hpp"
#include "authd/zones/transfer_client.hpp"
#include "authd/zones/zone_loading.hpp"
#include "dnswire/tsig.hpp"
#include "xfr/journal.hpp"
#include "zone/zone.hpp"

namespace dnsfleet::authd::zones {

/// What the network threads need to answer a transfer request or a NOTIFY for one zone.
struct ZoneAccess {
    std::shared_ptr<const zone::Zone> zone;
    std::shared_ptr<const xfr::Journal> journal;
    std::vector<AclRule> acl;
    /// The primaries (a NOTIFY must come from one of their addresses) and their keys.
    std::vector<config::ListenAddress> primaries;
    std::vector<std::optional<dnswire::Name>> primaryKeys;
    bool secondary = false;
    bool condensed = true;
};

enum class ZoneRole : std::uint8_t { Primary, Secondary, CatalogMember, ProducedCatalog };

/// One zone as the event thread keeps it.
struct ManagedZone {
    config::ZoneConfig config;
    ZoneRole role = ZoneRole::Primary;
    std::shared_ptr<const zone::Zone> zone;
    std::shared_ptr<const xfr::Journal> journal = std::make_shared<const xfr::Journal>();
    std::optional<FileStamp> stamp;
    RefreshSchedule schedule{Clock::now()};
    bool pulling = false;
    bool forceAxfr = false;
    bool expired = false;
    std::int64_t lastTransfer = 0;  ///< epoch seconds
    std::string lastResult;         ///< one line about the last refresh
    std::uint64_t transfers = 0;
    /// For catalog members: the consumed catalog that owns the zone and the member's id.
    std::optional<dnswire::Name> memberOf;
    std::string memberId;
};

/// A transfer in, handed to a transfer thread.
struct PullJob {
    std::string key;
    dnswire::Name apex;
    std::vector<PrimaryEndpoint> primaries;
    std::shared_ptr<const dnswire::TsigKeyring> keyring;  ///< keeps the endpoints' keys alive
    std::shared_ptr<const zone::Zone> current;
    PullOptions options;
    std::size_t compactAfterBytes = 0;
};

/// What a transfer thread reports back.
struct PullOutcome {
    std::string key;
    bool ok = false;
    std::string error;  ///< every primary's failure, or the store's
    std::string from;   ///< the primary that answered
    PullResult result;
};

std::string apexKey(dnswire::NameView apex);
std::int64_t epochNow() noexcept;

struct ZoneManager::Impl {
    Impl(config::Config c, net::ZoneSnapshots& p, ManagerOptions o)
        : cfg(std::move(c)), published(p), options(o), notifier(NotifyOptions{}) {}

    config::Config cfg;
    net::ZoneSnapshots& published;
    ManagerOptions options;
    std::unique_ptr<store::ZoneStore> store;
    std::shared_ptr<const dnswire::TsigKeyring> keyring;
    std::map<std::string, ManagedZone> zones;  ///< event thread only (and start/reload)
    std::function<void()> reloadHook;

    // What the network threads read.
    mutable std::mutex accessMutex;
    std::unordered_map<std::string, std::shared_ptr<const ZoneAccess>> access;
    std::shared_ptr<const dnswire::TsigKeyring> accessKeyring;

    // The event thread and its queue of tasks.
    std::thread eventThread;
    net::FileDescriptor wake;
    std::mutex taskMutex;
    std::deque<std::function<void()>> tasks;
    std::atomic<bool> stopping{false};
    bool dirty = false;  ///< the ZoneSet must be published again

    // Transfer threads.
    std::vector<std::thread> workers;
    std::mutex jobMutex;
    std::condition_variable jobReady;
    std::deque<PullJob> jobs;

    NotifySender notifier;

    // manager.cpp
    void loadKeyring();
    void publish();
    void updateAccess(const std::string& key, const ManagedZone& z);
    void removeAccess(const std::string& key);
    [[nodiscard]] std::shared_ptr<const ZoneAccess> findAccess(dnswire::NameView apex) const;
    void post(std::function<void()> task);
    void runOnEvents(const std::function<void()>& task);  ///< post and wait
    void eventLoop();
    void workerLoop();
    void newVersion(ManagedZone& z, std::shared_ptr<const zone::Zone> next,
                    std::shared_ptr<const xfr::Journal> journal);
    [[nodiscard]] std::vector<NotifyTarget> notifyTargets(const ManagedZone& z) const;
    void sendNotify(const ManagedZone& z);
    void reloadOnEvents(config::Config fresh);
    [[nodiscard]] bool openStoreIfNeeded();

    // manager_secondary.cpp
    void startSecondary(ManagedZone& z, std::shared_ptr<const zone::Zone> stored,
                        std::int64_t storedAt);
    void loadStoredZones(std::vector<ManagedZone*>& secondaries);
    void checkTimers(Clock::time_point now);
    [[nodiscard]] Clock::time_point nextTimer() const;
    void startPull(ManagedZone& z);
    void applyPull(PullOutcome outcome);
    [[nodiscard]] SoaTimers timersOf(const ManagedZone& z) const;
    void onNotifyReceived(const std::string& key);
    void expire(ManagedZone& z);

    // manager_catalog.cpp
    void consumeCatalog(ManagedZone& catalog);
    void rebuildProducedCatalogs();
    [[nodiscard]] const config::TemplateConfig* memberTemplate(
        const ManagedZone& catalog, const std::vector<std::string>& groups) const;

    // manager_control.cpp
    [[nodiscard]] std::string status(const std::vector<std::string>& words) const;
    [[nodiscard]] std::string command(const std::vector<std::string>& words);
};

}  // namespace dnsfleet::authd::zones
