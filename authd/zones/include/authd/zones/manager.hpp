#pragma once
/// \file
/// The zone manager: every zone the server serves — from files, pulled from primaries, members
/// of consumed catalogs, catalogs it produces — and the work around them: refresh timers,
/// transfers in (on transfer threads), the on-disk copy, IXFR journals, NOTIFY out, and the
/// answers to transfer requests, NOTIFY and control commands.
///
/// All changes to zone state happen on one event thread; the network threads read an
/// immutable per-zone view (zone, journal, ACL) under a short lock, and the query path only
/// ever sees the published ZoneSet.

#include <cstddef>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "authd/config/config.hpp"
#include "authd/control/control.hpp"
#include "authd/net/management.hpp"
#include "authd/net/snapshot.hpp"

namespace dnsfleet::authd::zones {

struct ManagerOptions {
    /// Threads that parse zone files and read the store at start and on reload.
    unsigned loadThreads = 1;
    /// Transfers in that may run at once.
    unsigned transferThreads = 4;
};

class ZoneManager final : public net::ManagementHandler, public control::CommandHandler {
  public:
    ZoneManager(config::Config cfg, net::ZoneSnapshots& published, ManagerOptions options);
    ~ZoneManager() override;
    ZoneManager(const ZoneManager&) = delete;
    ZoneManager& operator=(const ZoneManager&) = delete;

    /// Opens the store (when secondary zones or catalogs are configured), loads the zone files
    /// and every stored zone, and publishes them: what is on disk is served before any primary
    /// is contacted. Returns false when the store cannot be opened (logged).
    [[nodiscard]] bool start();
    /// Starts the event thread and the transfer threads: refreshes, NOTIFY, expiry.
    void run();
    /// Stops the threads (waits for running transfers to end or time out).
    void stop();
    /// Applies a new configuration and re-reads changed zone files (SIGHUP). Blocks until done.
    void reload(config::Config fresh);
    /// What the `reload` control command calls (the daemon re-reads its configuration).
    void setReloadHook(std::function<void()> hook);

    /// Zones served now (for the start-up log line).
    [[nodiscard]] std::size_t servedCount() const;

    // net::ManagementHandler
    [[nodiscard]] std::unique_ptr<net::OutgoingTransfer> startTransfer(
        std::span<const std::uint8_t> request, const net::Peer& peer,
        std::span<std::uint8_t> response, std::size_t& responseLength) noexcept override;
    [[nodiscard]] std::size_t notify(std::span<const std::uint8_t> request, const net::Peer& peer,
                                     std::span<std::uint8_t> response) noexcept override;

    // control::CommandHandler
    [[nodiscard]] std::string handle(const std::vector<std::string>& words) override;

    struct Impl;

  private:
    std::unique_ptr<Impl> impl_;
};

}  // namespace dnsfleet::authd::zones
