// The running primary: the transfer server, the NOTIFY sender (which also reloads what the
// database holds) and the sync poller that moves change ids from PENDING to INSYNC.
#include "controld/primary/fleet.hpp"

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

#include "dnswire/message.hpp"
#include "dnswire/rrtype.hpp"
#include "dnswire/tsig.hpp"
#include "sockets.hpp"
#include "sync_poller.hpp"
#include "transfer_server.hpp"
#include "xfr/messages.hpp"
#include "zone_source.hpp"

namespace dnsfleet::controld::primary {
namespace {

using Clock = std::chrono::steady_clock;

std::uint64_t epochSeconds() {
    return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                          std::chrono::system_clock::now().time_since_epoch())
                                          .count());
}

std::uint16_t randomId() {
    std::uint16_t id = 0;
    RAND_bytes(reinterpret_cast<unsigned char*>(&id), sizeof id);  // NOLINT: byte view
    return id;
}

/// The fleet key from the settings; a missing secret gets a random one (edges cannot transfer
/// until both sides are configured with the same key, which the log says).
dnswire::TsigKey fleetKey(const config::FleetSettings& fleet) {
    std::string secret = fleet.tsigSecret;
    if (secret.empty()) {
        std::array<unsigned char, 32> random{};
        RAND_bytes(random.data(), static_cast<int>(random.size()));
        std::array<unsigned char, 64> encoded{};
        const int n =
            EVP_EncodeBlock(encoded.data(), random.data(), static_cast<int>(random.size()));
        secret.assign(reinterpret_cast<const char*>(encoded.data()),  // NOLINT: byte view
                      static_cast<std::size_t>(n));
        spdlog::warn("fleet: no TSIG secret configured; edges cannot transfer until one is set");
    }
    auto key = dnswire::makeTsigKey(fleet.tsigKeyName, fleet.tsigAlgorithm, secret);
    if (!key) throw std::runtime_error("fleet TSIG key: " + key.error());
    return std::move(*key);
}

/// One NOTIFY waiting for its answer or its next attempt.
struct PendingNotify {
    SocketAddress edge;
    std::string edgeName;
    dnswire::Name apex;
    int attempts = 0;
    Clock::time_point nextAt;
    std::uint16_t id = 0;
    std::optional<dnswire::TsigSession> session;
};

constexpr int kMaxNotifyAttempts = 8;
constexpr auto kMaxNotifyBackoff = std::chrono::seconds(30);

class FleetImpl final : public Fleet {
  public:
    FleetImpl(storage::Database& db, const config::Settings& settings, VersionReader reader)
        : db_(db),
          settings_(settings.fleet),
          key_(fleetKey(settings.fleet)),
          zones_(db, catalogApex(settings.fleet.catalogZone), std::move(reader)) {
        const auto listen = parseSocketAddress(settings_.transferListen);
        if (!listen)
            throw std::runtime_error("fleet.transfer-listen is not address:port: " +
                                     settings_.transferListen);
        zones_.reload();
        loadEdges();
        queuePendingAtStart();
        server_ = std::make_unique<TransferServer>(zones_, key_, *listen);
        poller_ = std::make_unique<SyncPoller>(db_, settings_);
        notifyThread_ = std::thread([this] { notifyLoop(); });
        spdlog::info("fleet: serving transfers on {} (catalog {})", server_->address().toString(),
                     zones_.snapshot()->catalogApex.toText());
    }
    ~FleetImpl() override { stop(); }
    FleetImpl(const FleetImpl&) = delete;
    FleetImpl& operator=(const FleetImpl&) = delete;

    void versionsChanged() override {
        {
            std::lock_guard lock(mutex_);
            reloadWanted_ = true;
        }
        wake_.notify_all();
        poller_->wake();
    }
    void edgesChanged() override {
        {
            std::lock_guard lock(mutex_);
            edgesWanted_ = true;
        }
        wake_.notify_all();
        poller_->wake();
    }
    void stop() override {
        {
            std::lock_guard lock(mutex_);
            if (stopping_) return;
            stopping_ = true;
        }
        wake_.notify_all();
        if (notifyThread_.joinable()) notifyThread_.join();
        if (poller_) poller_->stop();
        if (server_) server_->stop();
    }

  private:
    static dnswire::Name catalogApex(const std::string& text) {
        auto name = dnswire::Name::fromText(zoneKey(text));
        if (!name) throw std::runtime_error("fleet.catalog-zone is not a domain name: " + text);
        return *name;
    }

    struct EdgeAddress {
        Id id = 0;
        std::string name;
        SocketAddress address;
    };

    void loadEdges() {
        std::vector<EdgeAddress> edges;
        db_.run(storage::Mode::Read, [&](storage::Transaction& tx) {
            for (const auto& row : tx.query("SELECT id, name, address FROM edges ORDER BY id")) {
                auto address = parseSocketAddress(row.text(2));
                if (!address) continue;
                edges.push_back({row.integer(0), row.text(1), *address});
            }
        });
        edges_ = std::move(edges);
    }

    /// Queues a NOTIFY of `apex` for every edge (or only `onlyEdges`), replacing older ones.
    void queueNotify(const dnswire::Name& apex, const std::set<Id>* onlyEdges = nullptr) {
        const auto now = Clock::now();
        for (const auto& edge : edges_) {
            if (onlyEdges != nullptr && onlyEdges->count(edge.id) == 0) continue;
            PendingNotify pending;
            pending.edge = edge.address;
            pending.edgeName = edge.name;
            pending.apex = apex;
            pending.nextAt = now;
            notifies_[{edge.id, apex.toText()}] = std::move(pending);
        }
    }

    /// What changed while controld was down reaches the edges now rather than at their next
    /// SOA refresh: a NOTIFY of the catalog and of every zone with a PENDING change.
    void queuePendingAtStart() {
        const auto snapshot = zones_.snapshot();
        std::set<std::string> pending;
        db_.run(storage::Mode::Read, [&](storage::Transaction& tx) {
            pending.clear();
            for (const auto& row :
                 tx.query("SELECT DISTINCT zone_name FROM changes WHERE insync_at IS NULL"))
                pending.insert(zoneKey(row.text(0)));
        });
        for (const std::string& zone : pending) {
            const auto found = snapshot->zones.find(zone);
            if (found != snapshot->zones.end()) queueNotify(found->second.apex);
        }
        queueNotify(snapshot->catalogApex);
    }

    void reloadAndQueue() {
        const auto before = zones_.snapshot();
        const auto after = zones_.reload();
        for (const auto& [key, zone] : after->zones) {
            const auto old = before->zones.find(key);
            if (old == before->zones.end() || old->second.version != zone.version ||
                old->second.serial != zone.serial) {
                queueNotify(zone.apex);
            }
        }
        if (after->catalogSerial != before->catalogSerial) queueNotify(after->catalogApex);
    }

    void refreshEdges() {
        std::set<Id> known;
        for (const auto& edge : edges_)
            known.insert(edge.id);
        loadEdges();
        std::set<Id> added;
        std::set<Id> present;
        for (const auto& edge : edges_) {
            present.insert(edge.id);
            if (known.count(edge.id) == 0) added.insert(edge.id);
        }
        for (auto it = notifies_.begin(); it != notifies_.end();) {
            it = present.count(it->first.first) == 0 ? notifies_.erase(it) : std::next(it);
        }
        // A new edge learns of the catalog at once rather than at its first refresh.
        if (!added.empty()) queueNotify(zones_.snapshot()->catalogApex, &added);
    }

    void sendDue(Socket& v4, Socket& v6) {
        const auto now = Clock::now();
        const auto snapshot = zones_.snapshot();
        for (auto it = notifies_.begin(); it != notifies_.end();) {
            auto& pending = it->second;
            if (pending.nextAt > now) {
                ++it;
                continue;
            }
            if (pending.attempts >= kMaxNotifyAttempts) {
                spdlog::warn("fleet: NOTIFY of {} to {} not acknowledged after {} attempts",
                             pending.apex.toText(), pending.edgeName, pending.attempts);
                it = notifies_.erase(it);
                continue;
            }
            std::shared_ptr<const zone::Zone> zone;
            if (dnswire::equalNames(pending.apex, snapshot->catalogApex)) {
                zone = snapshot->catalog;
            } else if (const auto found = snapshot->zones.find(pending.apex.toText());
                       found != snapshot->zones.end()) {
                auto loaded = zones_.current(found->second);
                if (loaded) zone = *loaded;
            }
            if (!zone) {  // the zone went away meanwhile
                it = notifies_.erase(it);
                continue;
            }
            std::array<std::uint8_t, 2048> buffer{};
            pending.id = randomId();
            auto built = xfr::buildNotify(buffer, pending.id, *zone);
            pending.session.emplace(key_);
            auto signedLength =
                built ? pending.session->signRequest(buffer, *built, epochSeconds()) : built;
            if (signedLength) {
                const Socket& socket = pending.edge.family() == AF_INET6 ? v6 : v4;
                static_cast<void>(::sendto(socket.fd(), buffer.data(), *signedLength, 0,
                                           pending.edge.get(), pending.edge.length));
            }
            ++pending.attempts;
            const auto backoff = std::min<std::chrono::milliseconds>(
                std::chrono::milliseconds(500) * (1 << std::min(pending.attempts, 10)),
                kMaxNotifyBackoff);
            pending.nextAt = now + backoff;
            ++it;
        }
    }

    void readAnswers(Socket& socket) {
        std::array<std::uint8_t, 4096> buffer{};
        for (;;) {
            SocketAddress from;
            from.length = sizeof from.storage;
            const ssize_t n =
                ::recvfrom(socket.fd(), buffer.data(), buffer.size(), 0, from.get(), &from.length);
            if (n <= 0) return;
            const std::span<const std::uint8_t> answer(buffer.data(), static_cast<std::size_t>(n));
            const auto header = dnswire::parseHeader(answer);
            if (!header || !header->has(dnswire::flag::QR) ||
                header->opcode() != dnswire::opcode::NOTIFY) {
                continue;
            }
            for (auto it = notifies_.begin(); it != notifies_.end(); ++it) {
                auto& pending = it->second;
                if (pending.id != header->id || !(pending.edge == from) || !pending.session)
                    continue;
                const auto status = pending.session->verifyResponse(answer, epochSeconds());
                if (status == dnswire::TsigStatus::Ok &&
                    header->rcode() == dnswire::rcode::NOERROR) {
                    spdlog::debug("fleet: NOTIFY of {} acknowledged by {}", pending.apex.toText(),
                                  pending.edgeName);
                    notifies_.erase(it);
                } else {
                    spdlog::warn("fleet: NOTIFY of {} to {}: rcode {}, TSIG {}",
                                 pending.apex.toText(), pending.edgeName, header->rcode(),
                                 dnswire::describe(status));
                    pending.session.reset();
                }
                break;
            }
        }
    }

    void notifyLoop() {
        Socket v4 = udpClient(AF_INET);
        Socket v6 = udpClient(AF_INET6);
        std::unique_lock lock(mutex_);
        while (!stopping_) {
            const bool reload = std::exchange(reloadWanted_, false);
            const bool edges = std::exchange(edgesWanted_, false);
            lock.unlock();
            try {
                if (edges) refreshEdges();
                if (reload) reloadAndQueue();
                sendDue(v4, v6);
            } catch (const std::exception& e) {
                spdlog::error("fleet: {}", e.what());
            }
            // Answers arrive within the wait below; a short wait while NOTIFYs are out.
            const auto wait =
                notifies_.empty() ? std::chrono::milliseconds(1000) : std::chrono::milliseconds(20);
            std::array<pollfd, 2> fds{};
            fds[0] = {v4.fd(), POLLIN, 0};
            fds[1] = {v6.fd(), POLLIN, 0};
            if (!notifies_.empty() && ::poll(fds.data(), fds.size(), 20) > 0) {
                readAnswers(v4);
                readAnswers(v6);
            }
            lock.lock();
            wake_.wait_for(lock, wait,
                           [this] { return stopping_ || reloadWanted_ || edgesWanted_; });
        }
    }

    storage::Database& db_;
    config::FleetSettings settings_;
    dnswire::TsigKey key_;
    ZoneSource zones_;
    std::unique_ptr<TransferServer> server_;
    std::unique_ptr<SyncPoller> poller_;
    std::thread notifyThread_;

    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    bool reloadWanted_ = false;
    bool edgesWanted_ = false;

    // Owned by the notify thread.
    std::vector<EdgeAddress> edges_;
    std::map<std::pair<Id, std::string>, PendingNotify> notifies_;
};

}  // namespace

std::unique_ptr<Fleet> Fleet::start(storage::Database& db, const config::Settings& settings,
                                    VersionReader reader) {
    return std::make_unique<FleetImpl>(db, settings, std::move(reader));
}

}  // namespace dnsfleet::controld::primary
