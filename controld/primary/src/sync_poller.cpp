// The sync poller (see sync_poller.hpp).
#include "sync_poller.hpp"

#include <openssl/rand.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <array>
#include <map>
#include <set>
#include <vector>

#include "dnswire/message.hpp"
#include "dnswire/rrtype.hpp"
#include "sockets.hpp"
#include "sync_rules.hpp"
#include "xfr/messages.hpp"

namespace dnsfleet::controld::primary {
namespace {

using Clock = std::chrono::steady_clock;

struct PendingChange {
    Id id = 0;
    Id zoneId = 0;
    std::string zone;  ///< zoneKey form
    std::uint32_t serial = 0;
};

struct EdgeRow {
    Id id = 0;
    std::optional<SocketAddress> address;
};

/// One SOA query of one zone to one edge.
struct Probe {
    std::size_t edge = 0;
    std::string zone;
    Id zoneId = 0;
    dnswire::Name apex;
    std::uint16_t id = 0;
    bool answered = false;
    EdgeObservation seen;
};

}  // namespace

SyncPoller::SyncPoller(storage::Database& db, const config::FleetSettings& settings)
    : db_(db),
      interval_(std::max(settings.syncPollInterval, std::chrono::milliseconds(10))),
      timeout_(std::max(settings.edgeQueryTimeout, std::chrono::milliseconds(10))),
      thread_([this] { loop(); }) {}

SyncPoller::~SyncPoller() {
    stop();
}

void SyncPoller::wake() {
    {
        std::lock_guard lock(mutex_);
        woken_ = true;
    }
    wake_.notify_all();
}

void SyncPoller::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void SyncPoller::loop() {
    std::unique_lock lock(mutex_);
    std::chrono::milliseconds wait = interval_;
    while (!stopping_) {
        const bool woken = woken_;
        woken_ = false;
        lock.unlock();
        Round round;
        try {
            round = pollRound();
        } catch (const std::exception& e) {
            spdlog::error("fleet: sync poll: {}", e.what());
        }
        lock.lock();
        if (round.pending == 0) {
            wait = interval_;
        } else {
            wait = woken ? std::min(kFirstRecheck, interval_) : std::min(wait * 2, interval_);
        }
        wake_.wait_for(lock, wait, [this] { return stopping_ || woken_; });
    }
}

std::size_t SyncPoller::pollOnce() {
    return pollRound().insync;
}

SyncPoller::Round SyncPoller::pollRound() {
    std::vector<PendingChange> changes;
    std::vector<EdgeRow> edges;
    std::set<Id> live;  // zones that still exist: their changes need the serial, not absence
    db_.run(storage::Mode::Read, [&](storage::Transaction& tx) {
        changes.clear();
        edges.clear();
        for (const auto& row :
             tx.query("SELECT id, zone_id, zone_name, serial FROM changes WHERE insync_at IS NULL "
                      "ORDER BY id LIMIT $1",
                      {static_cast<std::int64_t>(kMaxChangesPerRound)})) {
            changes.push_back({row.integer(0), row.integer(1), zoneKey(row.text(2)),
                               static_cast<std::uint32_t>(row.integer(3))});
        }
        if (changes.empty()) return;
        live.clear();
        for (const auto& change : changes) {
            if (tx.queryOne("SELECT id FROM zones WHERE id = $1 AND deleted_at IS NULL",
                            {change.zoneId}))
                live.insert(change.zoneId);
        }
        for (const auto& row : tx.query("SELECT id, address FROM edges ORDER BY id"))
            edges.push_back({row.integer(0), parseSocketAddress(row.text(1))});
    });
    if (changes.empty()) return {};

    // One probe per (edge, zone), sent all at once, answered within the timeout.
    std::vector<Probe> probes;
    std::map<std::string, Id> zoneIds;
    for (const auto& change : changes)
        zoneIds.emplace(change.zone, change.zoneId);
    probes.reserve(std::min(kMaxQueriesPerRound, zoneIds.size() * edges.size()));
    for (const auto& [zone, zoneId] : zoneIds) {
        auto apex = dnswire::Name::fromText(zone);
        if (!apex) continue;
        for (std::size_t e = 0; e < edges.size() && probes.size() < kMaxQueriesPerRound; ++e) {
            if (!edges[e].address) continue;  // never reachable: stays UNREACHABLE
            Probe probe;
            probe.edge = e;
            probe.zone = zone;
            probe.zoneId = zoneId;
            probe.apex = *apex;
            probes.push_back(std::move(probe));
        }
    }
    Socket v4 = udpClient(AF_INET);
    Socket v6 = udpClient(AF_INET6);
    std::uint16_t nextId = 0;
    RAND_bytes(reinterpret_cast<unsigned char*>(&nextId), sizeof nextId);  // NOLINT: byte view
    std::map<std::uint16_t, std::size_t> byId;
    for (std::size_t i = 0; i < probes.size(); ++i) {
        auto& probe = probes[i];
        probe.id = nextId++;
        byId[probe.id] = i;
        std::array<std::uint8_t, 512> query{};
        auto length = xfr::buildRequest(query, probe.id, probe.apex, dnswire::rrtype::SOA);
        if (!length) continue;
        const auto& to = *edges[probe.edge].address;
        const Socket& socket = to.family() == AF_INET6 ? v6 : v4;
        static_cast<void>(::sendto(socket.fd(), query.data(), *length, 0, to.get(), to.length));
    }
    const auto deadline = Clock::now() + timeout_;
    std::size_t open = probes.size();
    std::array<std::uint8_t, 4096> buffer{};
    while (open > 0) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        if (left.count() <= 0) break;
        std::array<pollfd, 2> fds{};
        fds[0] = {v4.fd(), POLLIN, 0};
        fds[1] = {v6.fd(), POLLIN, 0};
        if (::poll(fds.data(), fds.size(), static_cast<int>(left.count())) <= 0) continue;
        for (const auto& fd : fds) {
            if ((fd.revents & POLLIN) == 0) continue;
            SocketAddress from;
            from.length = sizeof from.storage;
            const ssize_t n =
                ::recvfrom(fd.fd, buffer.data(), buffer.size(), 0, from.get(), &from.length);
            if (n <= 0) continue;
            const std::span<const std::uint8_t> answer(buffer.data(), static_cast<std::size_t>(n));
            const auto header = dnswire::parseHeader(answer);
            if (!header) continue;
            const auto found = byId.find(header->id);
            if (found == byId.end()) continue;
            auto& probe = probes[found->second];
            if (probe.answered || !(*edges[probe.edge].address == from)) continue;
            probe.answered = true;
            --open;
            probe.seen.reachable = true;
            if (auto serial = xfr::readSoaResponse(answer, probe.id, probe.apex)) {
                probe.seen.served = true;
                probe.seen.serial = *serial;
            }
        }
    }

    // What each edge answered, and the changes every edge is in sync with.
    std::map<std::pair<std::size_t, std::string>, EdgeObservation> seen;
    for (const auto& probe : probes)
        seen[{probe.edge, probe.zone}] = probe.seen;
    const Timestamp now = nowUtc();
    std::size_t done = 0;
    db_.run(storage::Mode::Write, [&](storage::Transaction& tx) {
        done = 0;
        for (const auto& probe : probes) {
            if (probe.seen.reachable) {
                tx.execute(
                    "INSERT INTO edge_sync (edge_id, zone_id, serial, served, reachable, "
                    "checked_at) VALUES ($1, $2, $3, $4, 1, $5) ON CONFLICT (edge_id, zone_id) DO "
                    "UPDATE SET serial = excluded.serial, served = excluded.served, reachable = 1, "
                    "checked_at = excluded.checked_at",
                    {edges[probe.edge].id, probe.zoneId,
                     probe.seen.serial
                         ? storage::Value(static_cast<std::int64_t>(*probe.seen.serial))
                         : storage::Value(),
                     std::int64_t{probe.seen.served ? 1 : 0}, now});
            } else {
                tx.execute(
                    "INSERT INTO edge_sync (edge_id, zone_id, serial, served, reachable, "
                    "checked_at) VALUES ($1, $2, NULL, 0, 0, $3) ON CONFLICT (edge_id, zone_id) DO "
                    "UPDATE SET reachable = 0, checked_at = excluded.checked_at",
                    {edges[probe.edge].id, probe.zoneId, now});
            }
        }
        for (const auto& change : changes) {
            const bool served = live.count(change.zoneId) != 0;
            bool all = true;
            for (std::size_t e = 0; e < edges.size() && all; ++e) {
                const auto found = seen.find({e, change.zone});
                all = found != seen.end() && edgeInSync(found->second, change.serial, served);
            }
            if (!all) continue;
            tx.execute("UPDATE changes SET insync_at = $1 WHERE id = $2 AND insync_at IS NULL",
                       {now, change.id});
            ++done;
        }
    });
    return {done, changes.size() - done};
}

}  // namespace dnsfleet::controld::primary
