#pragma once
// The primary's transfer server for the edges: SOA, AXFR and IXFR of the catalog and of every
// served zone over TCP, SOA (and IXFR answered with the SOA only) over UDP; every request must
// be signed with the fleet's TSIG key.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <list>
#include <mutex>
#include <span>
#include <thread>

#include "dnswire/tsig.hpp"
#include "sockets.hpp"
#include "zone_source.hpp"

namespace dnsfleet::controld::primary {

/// Receives each response message; returns false when the peer is gone.
using MessageSink = std::function<bool(std::span<const std::uint8_t>)>;

/// Answers one request (I/O-free apart from `zones`' database reads): writes one message to
/// `sink` for SOA queries and refusals, one or more for transfers. Nothing is written for
/// requests that are not worth an answer (responses, unreadable headers).
void answerRequest(ZoneSource& zones, const dnswire::TsigKeyring& keyring,
                   std::span<const std::uint8_t> request, bool stream, const std::string& peer,
                   const MessageSink& sink);

class TransferServer {
  public:
    /// Binds TCP and UDP on `listen` (port 0: a free port, the same for both) and starts the
    /// threads. Throws std::runtime_error when the address cannot be bound.
    TransferServer(ZoneSource& zones, dnswire::TsigKey key, const SocketAddress& listen);
    ~TransferServer();
    TransferServer(const TransferServer&) = delete;
    TransferServer& operator=(const TransferServer&) = delete;

    [[nodiscard]] const SocketAddress& address() const noexcept { return address_; }
    void stop();

    /// TCP connections served at once; more wait in the listen backlog.
    static constexpr std::size_t kMaxConnections = 16;

  private:
    void acceptLoop();
    void udpLoop();
    void serveConnection(Socket connection, SocketAddress peer);

    ZoneSource& zones_;
    dnswire::TsigKeyring keyring_;
    SocketAddress address_;
    Socket tcp_;
    Socket udp_;
    std::atomic<bool> stopping_{false};
    std::thread acceptThread_;
    std::thread udpThread_;
    std::mutex connectionsMutex_;
    std::condition_variable connectionDone_;
    std::size_t activeConnections_ = 0;
};

}  // namespace dnsfleet::controld::primary
