#pragma once
// The sync poller: for every PENDING change, asks each registered edge for the zone's SOA and
// marks the change INSYNC once every edge answers with the change's serial or a later one.
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "controld/config/settings.hpp"
#include "storage/database.hpp"
#include "zone_source.hpp"

namespace dnsfleet::controld::primary {

class SyncPoller {
  public:
    SyncPoller(storage::Database& db, const config::FleetSettings& settings);
    ~SyncPoller();
    SyncPoller(const SyncPoller&) = delete;
    SyncPoller& operator=(const SyncPoller&) = delete;

    /// Polls at once rather than after the interval.
    void wake();
    void stop();

    /// One round (public for tests): returns how many changes became INSYNC.
    std::size_t pollOnce();

    /// The first recheck after a wake: an edge answers a small change a few milliseconds after
    /// the NOTIFY, so waiting the whole interval would only delay INSYNC. While changes stay
    /// pending the wait doubles up to the interval.
    static constexpr std::chrono::milliseconds kFirstRecheck{5};

    /// Changes and queries handled per round; the rest waits for the next round.
    static constexpr std::size_t kMaxChangesPerRound = 1000;
    static constexpr std::size_t kMaxQueriesPerRound = 4096;

  private:
    struct Round {
        std::size_t insync = 0;   ///< changes that became INSYNC
        std::size_t pending = 0;  ///< changes still PENDING after the round
    };
    Round pollRound();
    void loop();

    storage::Database& db_;
    std::chrono::milliseconds interval_;
    std::chrono::milliseconds timeout_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool woken_ = false;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace dnsfleet::controld::primary
