#pragma once
/// \file
/// DNS over TCP (RFC 7766) on one thread with epoll: non-blocking sockets, length-prefixed
/// framing that copes with partial reads and writes, pipelined queries answered in order, an
/// idle timeout, and a cap on clients. A connection that stalls, half-opens or dribbles bytes
/// costs its socket and what it actually sent, nothing more: it is closed when it has sent no
/// complete query for the idle timeout, or evicted first (least recently active) when the cap
/// is reached.
///
/// With a ManagementHandler, NOTIFY and zone transfers are routed to it; a transfer streams
/// message by message as the client drains them (see TcpServer).
///
/// Listeners marked `tls` speak the same framing inside TLS 1.3 (XFR over TLS, RFC 9103; DNS
/// over TLS, RFC 7858): the handshake runs non-blocking in the same loop and must finish within
/// the idle timeout; requests from such connections carry Transport::Tls.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "authd/net/management.hpp"
#include "authd/net/snapshot.hpp"
#include "authd/net/socket.hpp"
#include "authd/query/processor.hpp"

namespace dnsfleet::authd::tls {
class TlsServerContext;
}  // namespace dnsfleet::authd::tls

namespace dnsfleet::authd::net {

struct TcpServerOptions {
    /// RFC 7766 §6.2.3: close a connection after this long without a complete query.
    std::chrono::milliseconds idleTimeout{10'000};
    /// Connections this thread keeps open at most.
    std::size_t maxClients = 1024;
    /// Responses queued for a client that is not reading, after which its further queries are
    /// left unread until it catches up (back-pressure instead of memory growth).
    std::size_t maxPendingOutput = std::size_t{2} * (65535 + 2);
    ProcessorOptions processor;
    /// Where NOTIFY and transfer requests go; null = the QueryProcessor answers them as any
    /// query. Not owned; must outlive the server and be safe to call from several threads.
    ManagementHandler* management = nullptr;
    /// Some listener is a management one: NOTIFY and transfers arriving on a public
    /// listener are then REFUSED without reaching `management`.
    bool managementListenersExist = false;
    /// Certificate and key for the listeners marked `tls`; without it, connections accepted on
    /// such a listener are closed at once (a TLS port never falls back to clear text).
    std::shared_ptr<tls::TlsServerContext> tls;
};

/// A listening socket and the side it serves.
struct TcpListener {
    FileDescriptor fd;
    /// A management listener: see TcpServerOptions::managementListenersExist.
    bool management = false;
    /// Connections speak TLS (TcpServerOptions::tls); their requests carry Transport::Tls, so
    /// that ACLs with require-tls accept them.
    bool tls = false;
};

struct TcpServerStats {
    std::atomic<std::uint64_t> accepted{0};
    std::atomic<std::uint64_t> answered{0};
    std::atomic<std::uint64_t> timedOut{0};
    std::atomic<std::uint64_t> evicted{0};
    /// Transfers started (the handler returned an OutgoingTransfer).
    std::atomic<std::uint64_t> transfers{0};
    /// Transfer messages queued.
    std::atomic<std::uint64_t> transferMessages{0};
    /// The longest output queue a streaming connection ever had, in octets: never more than
    /// max(maxPendingOutput, one maximal message), however slowly the client reads.
    std::atomic<std::size_t> peakTransferBacklog{0};
    /// TLS handshakes completed, and TLS connections that failed before or after (handshake
    /// refused, timed out, or a TLS error later).
    std::atomic<std::uint64_t> tlsHandshakes{0};
    std::atomic<std::uint64_t> tlsFailures{0};
};

/// Outgoing transfers: a connection whose request started a transfer streams it before it
/// reads further requests (RFC 7766 §7 allows answering in order). The next message is
/// produced only when the queue has room for a maximal one (back-pressure: a client that reads
/// slowly costs at most `maxPendingOutput`), and at most one message per connection per loop
/// turn, so that several transfers interleave and one large zone starves nobody. Sending
/// counts as activity for the idle timeout; a client that stops reading mid-transfer is closed
/// after it. Closing a connection destroys its transfer.

class TcpServer {
  public:
    /// Fails only when epoll or eventfd cannot be created.
    TcpServer(std::vector<TcpListener> listeners, const ZoneSnapshots& zones,
              const TcpServerOptions& options);
    /// Every listener public.
    TcpServer(std::vector<FileDescriptor> listeners, const ZoneSnapshots& zones,
              const TcpServerOptions& options);
    ~TcpServer();
    TcpServer(const TcpServer&) = delete;
    TcpServer& operator=(const TcpServer&) = delete;

    /// Serves until `stop()`. Closes every connection before returning.
    void run() noexcept;
    /// Asks `run()` to return; safe from any thread.
    void stop() noexcept;

    [[nodiscard]] const TcpServerStats& stats() const noexcept { return stats_; }
    /// Connections currently open (for tests).
    [[nodiscard]] std::size_t connections() const noexcept {
        return open_.load(std::memory_order_relaxed);
    }

  private:
    struct Connection;
    using Clock = std::chrono::steady_clock;

    void acceptFrom(std::size_t listener) noexcept;
    void onEvent(std::uint32_t slot, std::uint32_t events) noexcept;
    /// Advances a TLS handshake; false when the connection must be closed.
    [[nodiscard]] bool continueHandshake(std::uint32_t slot) noexcept;
    /// Reads from the socket, or through TLS; the octets read, 0 when nothing is available
    /// (sets peerClosed at the end of the stream), -1 when the connection failed.
    [[nodiscard]] std::ptrdiff_t receive(Connection& c, std::span<std::uint8_t> into) noexcept;
    /// Reads TLS connections whose library buffer holds decrypted octets that no epoll event
    /// will announce; true when one of them still has some.
    [[nodiscard]] bool drainTlsBuffers() noexcept;
    /// Answers the complete queries already received, as far as back-pressure allows.
    void answerBuffered(Connection& c) noexcept;
    /// Answers a NOTIFY or transfer request; may start a transfer on `c`.
    [[nodiscard]] std::size_t answerManagement(RequestKind kind, Connection& c,
                                               std::span<const std::uint8_t> request) noexcept;
    /// After reading, writing or producing: answers what waits, writes, closes a connection
    /// that is done, and updates the epoll interest.
    void settle(std::uint32_t slot) noexcept;
    /// Produces one message for each streaming connection with room in its queue; true when
    /// some connection could take another message at once.
    [[nodiscard]] bool produceTransfers() noexcept;
    [[nodiscard]] bool canProduce(const Connection& c) const noexcept;
    /// Writes queued responses; false when the connection failed.
    bool flush(Connection& c) noexcept;
    void updateInterest(Connection& c) noexcept;
    void close(std::uint32_t slot) noexcept;
    void closeIdle(Clock::time_point now) noexcept;
    [[nodiscard]] int waitTimeoutMs(Clock::time_point now) const noexcept;

    // The least recently active connection is at the head of this list: idle checks and
    // eviction look only there.
    void touch(std::uint32_t slot, Clock::time_point now) noexcept;
    void unlink(std::uint32_t slot) noexcept;

    std::vector<TcpListener> listeners_;
    ZoneReader zones_;
    TcpServerOptions options_;
    QueryProcessor processor_;
    FileDescriptor epoll_;
    FileDescriptor wake_;
    std::vector<Connection> slots_;
    std::vector<std::uint32_t> freeSlots_;
    /// Slots with a transfer (each at most once; reserved for every slot up front).
    std::vector<std::uint32_t> streaming_;
    /// TLS slots that may hold buffered plaintext while wanting input (each at most once).
    std::vector<std::uint32_t> tlsBuffered_;
    std::uint32_t head_;
    std::uint32_t tail_;
    std::vector<std::uint8_t> response_;
    std::atomic<std::size_t> open_{0};
    std::atomic<bool> stopping_{false};
    TcpServerStats stats_;
};

}  // namespace dnsfleet::authd::net
