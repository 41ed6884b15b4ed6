#include "authd/net/tcp_server.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>

#include "authd/log.hpp"
#include "authd/net/tcp_framing.hpp"
#include "authd/tls/tls.hpp"

namespace dnsfleet::authd::net {
namespace {

constexpr std::uint32_t kNone = 0xffffffffu;
// epoll user data: connections carry their slot in the low 32 bits and a tag that changes with
// every reuse of the slot in the high bits, so that an event queued for a connection closed
// earlier in the same epoll batch is recognised as stale. Listeners and the wake-up eventfd
// are marked by the top bits.
constexpr std::uint64_t kListenerBit = 1ULL << 63;
constexpr std::uint64_t kWakeBit = 1ULL << 62;
constexpr std::size_t kEventsPerWait = 64;
/// Reads per readiness event, so that one busy client cannot starve the others.
constexpr int kReadsPerEvent = 4;
/// Connections accepted per readiness event of a listener.
constexpr int kAcceptsPerEvent = 64;

}  // namespace

struct TcpServer::Connection {
    FileDescriptor fd;
    TcpFrameReader input;
    TcpOutput output;
    Clock::time_point lastActive{};
    std::uint32_t prev = kNone;
    std::uint32_t next = kNone;
    std::uint32_t tag = 0;
    std::uint32_t interest = 0;  ///< the epoll events currently registered
    bool peerClosed = false;     ///< the client shut down its sending side
    bool streamListed = false;   ///< the slot is in streaming_
    Peer peer;
    /// The transfer being streamed; further requests wait until it ends.
    std::unique_ptr<OutgoingTransfer> transfer;
    /// Connections from a TLS listener: the TLS state, and where its handshake stands.
    std::optional<tls::TlsServerConnection> tls;
    bool handshaking = false;
    /// The client agreed on ALPN "dot" (RFC 9103 §7.1 makes it a condition of XoT).
    bool alpnDot = false;
    /// A TLS call failed: OpenSSL forbids close_notify after a fatal error.
    bool tlsBroken = false;
    /// The last TLS read moved octets, so the library may hold more decrypted ones that no
    /// epoll event will announce (the socket has already been drained of them).
    bool tlsMayHoldInput = false;
    bool tlsListed = false;      ///< the slot is in tlsBuffered_
    std::uint32_t tlsWants = 0;  ///< readiness a TLS call asked for beyond the usual ones
};

namespace {

std::vector<TcpListener> publicListeners(std::vector<FileDescriptor> fds) {
    std::vector<TcpListener> listeners;
    listeners.reserve(fds.size());
    for (auto& fd : fds)
        listeners.push_back(TcpListener{std::move(fd), false});
    return listeners;
}

}  // namespace

TcpServer::TcpServer(std::vector<FileDescriptor> listeners, const ZoneSnapshots& zones,
                     const TcpServerOptions& options)
    : TcpServer(publicListeners(std::move(listeners)), zones, options) {}

TcpServer::TcpServer(std::vector<TcpListener> listeners, const ZoneSnapshots& zones,
                     const TcpServerOptions& options)
    : listeners_(std::move(listeners)),
      zones_(zones),
      options_(options),
      processor_(options.processor),
      epoll_(::epoll_create1(EPOLL_CLOEXEC)),
      wake_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)),
      slots_(std::max<std::size_t>(options.maxClients, 1)),
      head_(kNone),
      tail_(kNone),
      response_(kMaxTcpMessage) {
    freeSlots_.reserve(slots_.size());
    streaming_.reserve(slots_.size());
    // Twice: while drainTlsBuffers() runs, a slot may be listed again before its old entry is
    // removed.
    tlsBuffered_.reserve(2 * slots_.size());
    for (std::size_t i = slots_.size(); i-- > 0;)
        freeSlots_.push_back(static_cast<std::uint32_t>(i));
    if (!epoll_.valid() || !wake_.valid()) {
        log::error("TCP: cannot create epoll or eventfd: {}", std::strerror(errno));
        return;
    }
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = kWakeBit;
    (void)::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, wake_.get(), &ev);
    for (std::size_t i = 0; i < listeners_.size(); ++i) {
        if (listeners_[i].tls && options_.tls == nullptr) {
            log::error("TCP: a TLS listener without a certificate; its connections are closed");
        }
        ev.events = EPOLLIN;
        ev.data.u64 = kListenerBit | i;
        (void)::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, listeners_[i].fd.get(), &ev);
    }
}

TcpServer::~TcpServer() = default;

void TcpServer::stop() noexcept {
    stopping_.store(true, std::memory_order_relaxed);
    const std::uint64_t one = 1;
    (void)!::write(wake_.get(), &one, sizeof one);
}

void TcpServer::run() noexcept {
    if (!epoll_.valid() || !wake_.valid()) return;
    std::array<epoll_event, kEventsPerWait> events{};
    bool streamReady = false;
    while (!stopping_.load(std::memory_order_relaxed)) {
        // A transfer that can take another message must not wait for an unrelated event.
        const int ready = ::epoll_wait(epoll_.get(), events.data(), static_cast<int>(events.size()),
                                       streamReady ? 0 : waitTimeoutMs(Clock::now()));
        streamReady = false;
        for (int i = 0; i < ready; ++i) {
            const std::uint64_t data = events[static_cast<std::size_t>(i)].data.u64;
            if ((data & kWakeBit) != 0) continue;
            if ((data & kListenerBit) != 0) {
                acceptFrom(static_cast<std::size_t>(data & ~kListenerBit));
                continue;
            }
            const auto slot = static_cast<std::uint32_t>(data & 0xffffffffu);
            const auto tag = static_cast<std::uint32_t>(data >> 32);
            if (slot < slots_.size() && slots_[slot].fd.valid() && slots_[slot].tag == tag) {
                onEvent(slot, events[static_cast<std::size_t>(i)].events);
            }
        }
        if (!tlsBuffered_.empty()) streamReady = drainTlsBuffers();
        streamReady = produceTransfers() || streamReady;
        closeIdle(Clock::now());
        (void)zones_.refresh();
    }
    for (std::uint32_t slot = 0; slot < slots_.size(); ++slot) {
        if (slots_[slot].fd.valid()) close(slot);
    }
}

int TcpServer::waitTimeoutMs(Clock::time_point now) const noexcept {
    // Never block longer than a second: an idle thread must still let go of a replaced zone
    // snapshot (see run()).
    if (head_ == kNone) return 1000;
    const auto deadline = slots_[head_].lastActive + options_.idleTimeout;
    if (deadline <= now) return 0;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now);
    return static_cast<int>(std::min<std::int64_t>(left.count() + 1, 1000));
}

void TcpServer::acceptFrom(std::size_t listener) noexcept {
    for (int i = 0; i < kAcceptsPerEvent; ++i) {
        const bool overTls = listeners_[listener].tls;
        Peer peer;
        peer.length = sizeof peer.address;
        peer.transport = overTls ? Transport::Tls : Transport::Tcp;
        peer.management = listeners_[listener].management;
        // NOLINTNEXTLINE(cppcoreguidelines-pro-type-reinterpret-cast): the sockets API
        auto* address = reinterpret_cast<sockaddr*>(&peer.address);
        const int fd = ::accept4(listeners_[listener].fd.get(), address, &peer.length,
                                 SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EMFILE || errno == ENFILE) {
                // Out of descriptors: make room by closing the least recently active client.
                if (head_ != kNone) {
                    stats_.evicted.fetch_add(1, std::memory_order_relaxed);
                    close(head_);
                    continue;
                }
            }
            return;  // EAGAIN (nothing more to accept) or a transient error
        }
        FileDescriptor client(fd);
        std::optional<tls::TlsServerConnection> secured;
        if (overTls) {
            // A TLS port never falls back to clear text: no context, no connection.
            if (options_.tls == nullptr) {
                stats_.tlsFailures.fetch_add(1, std::memory_order_relaxed);
                continue;
            }
            auto created = tls::TlsServerConnection::create(*options_.tls, fd);
            if (!created) {
                stats_.tlsFailures.fetch_add(1, std::memory_order_relaxed);
                log::warning("TLS: cannot start a connection: {}", created.error());
                continue;
            }
            secured.emplace(std::move(*created));
        }
        if (freeSlots_.empty()) {
            // At the cap: the least recently active connection makes way (RFC 7766 §6.2.2
            // lets a server close idle connections under pressure). A flood of new
            // connections thus churns the flood itself, not a busy client.
            stats_.evicted.fetch_add(1, std::memory_order_relaxed);
            close(head_);
        }
        const std::uint32_t slot = freeSlots_.back();
        freeSlots_.pop_back();
        Connection& c = slots_[slot];
        c.fd = std::move(client);
        c.input = TcpFrameReader();
        c.output = TcpOutput();
        c.peerClosed = false;
        c.peer = peer;
        c.transfer.reset();
        c.tls = std::move(secured);
        c.handshaking = overTls;
        c.alpnDot = false;
        c.tlsBroken = false;
        c.tlsMayHoldInput = false;
        c.tlsWants = 0;
        c.tag = (c.tag + 1) & 0x3fffffffu;
        const int one = 1;
        // Each response is written with one call; Nagle would only delay pipelined answers.
        (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        epoll_event ev{};
        ev.events = EPOLLIN | EPOLLRDHUP;
        ev.data.u64 = (std::uint64_t{c.tag} << 32) | slot;
        if (::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, fd, &ev) != 0) {
            c.tls.reset();
            c.fd.reset();
            freeSlots_.push_back(slot);
            continue;
        }
        c.interest = ev.events;
        touch(slot, Clock::now());
        open_.fetch_add(1, std::memory_order_relaxed);
        stats_.accepted.fetch_add(1, std::memory_order_relaxed);
    }
}

void TcpServer::onEvent(std::uint32_t slot, std::uint32_t events) noexcept {
    Connection& c = slots_[slot];
    // A hang-up while streaming: nobody will read the rest of the transfer.
    if ((events & EPOLLERR) != 0 || ((events & EPOLLHUP) != 0 && c.transfer != nullptr)) {
        close(slot);
        return;
    }
    if (c.tls) {
        if (c.handshaking) {
            if (!continueHandshake(slot)) {
                close(slot);
                return;
            }
            if (c.handshaking) {
                updateInterest(c);
                return;
            }
        }
        // A TLS read may need the socket writable and a write readable, and the handshake may
        // have been followed by a request already: try both directions whatever the event.
        events |= EPOLLIN | EPOLLOUT;
        c.tlsWants = 0;
    }
    if ((events & EPOLLOUT) != 0) {
        if (!flush(c)) {
            close(slot);
            return;
        }
        // Room again: answer what was held back, then maybe read more below.
        answerBuffered(c);
    }
    if ((events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP)) != 0 && !c.peerClosed) {
        for (int i = 0; i < kReadsPerEvent; ++i) {
            answerBuffered(c);
            if (c.transfer != nullptr || c.output.size() >= options_.maxPendingOutput) break;
            auto space = c.input.freeSpace();
            if (space.empty()) break;
            const std::ptrdiff_t n = receive(c, space);
            if (n > 0) {
                c.input.commit(static_cast<std::size_t>(n));
                continue;
            }
            if (n < 0) {
                close(slot);
                return;
            }
            break;
        }
    }
    settle(slot);
}

bool TcpServer::continueHandshake(std::uint32_t slot) noexcept {
    Connection& c = slots_[slot];
    switch (c.tls->handshake()) {
        case tls::TlsIo::Done:
            c.handshaking = false;
            c.alpnDot = c.tls->alpnIsDot();
            c.tlsWants = 0;
            stats_.tlsHandshakes.fetch_add(1, std::memory_order_relaxed);
            // The handshake counts as activity: the first request gets a full idle timeout.
            touch(slot, Clock::now());
            return true;
        case tls::TlsIo::WantRead:
            c.tlsWants = EPOLLIN;
            return true;
        case tls::TlsIo::WantWrite:
            c.tlsWants = EPOLLOUT;
            return true;
        case tls::TlsIo::Closed:
        case tls::TlsIo::Error:
            break;
    }
    c.tlsBroken = true;
    stats_.tlsFailures.fetch_add(1, std::memory_order_relaxed);
    // Debug only: anyone who can reach the port can fail a handshake.
    log::debug("TLS handshake with {} failed: {}",
               config::ListenAddress{c.peer.address, c.peer.length}.toString(),
               c.tls->lastError().empty() ? std::string("connection closed") : c.tls->lastError());
    return false;
}

std::ptrdiff_t TcpServer::receive(Connection& c, std::span<std::uint8_t> into) noexcept {
    if (!c.tls) {
        const ssize_t n = ::recv(c.fd.get(), into.data(), into.size(), 0);
        if (n > 0) return n;
        if (n == 0) {
            c.peerClosed = true;  // answer what is complete, then close (RFC 7766 §6.2.4)
            return 0;
        }
        return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : -1;
    }
    const tls::TlsIoResult result = c.tls->read(into);
    c.tlsMayHoldInput = result.state == tls::TlsIo::Done;
    switch (result.state) {
        case tls::TlsIo::Done:
            return static_cast<std::ptrdiff_t>(result.bytes);
        case tls::TlsIo::WantRead:
            return 0;
        case tls::TlsIo::WantWrite:
            c.tlsWants |= EPOLLOUT;
            return 0;
        case tls::TlsIo::Closed:
            c.peerClosed = true;
            return 0;
        case tls::TlsIo::Error:
            break;
    }
    c.tlsBroken = true;
    stats_.tlsFailures.fetch_add(1, std::memory_order_relaxed);
    return -1;
}

bool TcpServer::drainTlsBuffers() noexcept {
    // Entries listed again while this runs go to the end and are kept for the next turn.
    const std::size_t count = tlsBuffered_.size();
    for (std::size_t i = 0; i < count; ++i) {
        const std::uint32_t slot = tlsBuffered_[i];
        Connection& c = slots_[slot];
        c.tlsListed = false;
        if (c.fd.valid() && c.tls && !c.handshaking && c.tlsMayHoldInput &&
            (c.interest & EPOLLIN) != 0) {
            onEvent(slot, EPOLLIN);
        }
    }
    tlsBuffered_.erase(tlsBuffered_.begin(),
                       tlsBuffered_.begin() + static_cast<std::ptrdiff_t>(count));
    return !tlsBuffered_.empty();
}

void TcpServer::settle(std::uint32_t slot) noexcept {
    Connection& c = slots_[slot];
    // Answer and write until the socket is full or no complete query is left. Queries held
    // back by a full output queue (or a transfer) sit in the frame reader, not in the socket,
    // so no epoll event would ever come for them: they must be finished here. Bounded: the
    // reader holds at most one 64 KiB buffer of queries.
    for (;;) {
        answerBuffered(c);
        if (!flush(c)) {
            close(slot);
            return;
        }
        if (c.transfer != nullptr || !c.output.empty() || !c.input.hasMessage()) break;
    }
    // A client may half-close after its transfer request; the transfer still goes out.
    if (c.peerClosed && c.output.empty() && c.transfer == nullptr) {
        close(slot);
        return;
    }
    updateInterest(c);
}

void TcpServer::answerBuffered(Connection& c) noexcept {
    const zone::ZoneSet& zones = zones_.refresh();
    const QueryContext context{c.peer.transport};
    const std::uint32_t slot = static_cast<std::uint32_t>(&c - slots_.data());
    while (c.transfer == nullptr && c.output.size() < options_.maxPendingOutput) {
        auto message = c.input.next();
        if (!message) break;
        // Only a complete query counts as activity: bytes trickling in do not keep a
        // connection alive (a slow-loris client times out like an idle one).
        touch(slot, Clock::now());
        const RequestKind kind =
            options_.management != nullptr ? classifyRequest(*message) : RequestKind::Query;
        const std::size_t length = kind == RequestKind::Query
                                       ? processor_.process(zones, *message, response_, context)
                                       : answerManagement(kind, c, *message);
        if (length == 0) continue;  // unreadable header: no answer, as on UDP
        try {
            c.output.appendMessage({response_.data(), length});
        } catch (...) {
            // Out of memory for this client's queue: it loses its connection, nobody else.
            c.peerClosed = true;
            c.output = TcpOutput();
            return;
        }
        stats_.answered.fetch_add(1, std::memory_order_relaxed);
    }
}

std::size_t TcpServer::answerManagement(RequestKind kind, Connection& c,
                                        std::span<const std::uint8_t> request) noexcept {
    // the public side answers queries only. RFC 9103 §7.1: XoT needs ALPN "dot", so a
    // TLS client that negotiated none gets answers to queries but no transfer or NOTIFY.
    if ((!c.peer.management && options_.managementListenersExist) || (c.tls && !c.alpnDot)) {
        const std::size_t refused =
            refuseRequest(request, response_, options_.processor.maxUdpPayload);
        if (refused != 0) return refused;
        return processor_.process(zones_.get(), request, response_, QueryContext{c.peer.transport});
    }
    if (kind == RequestKind::Notify) {
        return std::min(options_.management->notify(request, c.peer, response_), response_.size());
    }
    std::size_t length = 0;
    auto transfer = options_.management->startTransfer(request, c.peer, response_, length);
    if (transfer == nullptr) return std::min(length, response_.size());
    c.transfer = std::move(transfer);
    stats_.transfers.fetch_add(1, std::memory_order_relaxed);
    if (!c.streamListed) {
        // Never reallocates: reserved for every slot, and a slot is listed at most once.
        streaming_.push_back(static_cast<std::uint32_t>(&c - slots_.data()));
        c.streamListed = true;
    }
    return 0;
}

bool TcpServer::canProduce(const Connection& c) const noexcept {
    // Room for a maximal message, so that the queue never grows past the limit; a limit
    // smaller than one message still lets one message at a time through.
    return c.output.empty() ||
           c.output.size() + kTcpLengthPrefix + kMaxTcpMessage <= options_.maxPendingOutput;
}

bool TcpServer::produceTransfers() noexcept {
    bool ready = false;
    std::size_t kept = 0;
    // Index loop: producing never adds to streaming_ for another slot, and a slot whose
    // transfer ended and restarted (a pipelined request) is still listed.
    for (std::size_t i = 0; i < streaming_.size(); ++i) {
        const std::uint32_t slot = streaming_[i];
        Connection& c = slots_[slot];
        if (c.fd.valid() && c.transfer != nullptr && canProduce(c)) {
            const std::size_t length = c.transfer->next(response_);
            if (length == 0) {
                c.transfer.reset();  // complete or failed: back to reading requests
            } else {
                try {
                    c.output.appendMessage({response_.data(), std::min(length, kMaxTcpMessage)});
                } catch (...) {
                    close(slot);  // out of memory for this client only
                }
                if (c.fd.valid()) {
                    stats_.transferMessages.fetch_add(1, std::memory_order_relaxed);
                    if (c.output.size() >
                        stats_.peakTransferBacklog.load(std::memory_order_relaxed))
                        stats_.peakTransferBacklog.store(c.output.size(),
                                                         std::memory_order_relaxed);
                }
            }
            if (c.fd.valid()) settle(slot);
        }
        if (c.fd.valid() && c.transfer != nullptr) {
            streaming_[kept++] = slot;
            if (canProduce(c)) ready = true;
        } else {
            c.streamListed = false;
        }
    }
    streaming_.resize(kept);
    return ready;
}

bool TcpServer::flush(Connection& c) noexcept {
    bool progressed = false;
    while (!c.output.empty()) {
        const auto pending = c.output.pending();
        if (c.tls) {
            // The queue only grows between retries, as SSL_write wants after WantWrite (the
            // buffer may move: SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER).
            const tls::TlsIoResult result = c.tls->write(pending);
            if (result.state == tls::TlsIo::Done) {
                c.output.consume(result.bytes);
                progressed = true;
                continue;
            }
            if (result.state == tls::TlsIo::WantWrite) break;  // EPOLLOUT: the queue is not empty
            if (result.state == tls::TlsIo::WantRead) {
                c.tlsWants |= EPOLLIN;
                break;
            }
            // Closed or failed while writing: no close_notify on a session in that state.
            c.tlsBroken = true;
            if (result.state == tls::TlsIo::Error)
                stats_.tlsFailures.fetch_add(1, std::memory_order_relaxed);
            return false;
        }
        // MSG_NOSIGNAL: a client that went away must not raise SIGPIPE.
        const ssize_t n = ::send(c.fd.get(), pending.data(), pending.size(), MSG_NOSIGNAL);
        if (n > 0) {
            c.output.consume(static_cast<std::size_t>(n));
            progressed = true;
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) break;
        return false;
    }
    if (progressed) touch(static_cast<std::uint32_t>(&c - slots_.data()), Clock::now());
    return true;
}

void TcpServer::updateInterest(Connection& c) noexcept {
    std::uint32_t wanted = c.tlsWants;
    const auto slot = static_cast<std::uint32_t>(&c - slots_.data());
    if (!c.handshaking) {
        // While a transfer streams, later requests stay in the socket (in-order answers).
        if (!c.peerClosed && c.transfer == nullptr && c.output.size() < options_.maxPendingOutput) {
            wanted |= EPOLLIN | EPOLLRDHUP;
        }
        if (!c.output.empty()) wanted |= EPOLLOUT;
        if (c.tlsMayHoldInput && (wanted & EPOLLIN) != 0 && !c.tlsListed) {
            tlsBuffered_.push_back(slot);
            c.tlsListed = true;
        }
    }
    if (wanted == c.interest) return;
    epoll_event ev{};
    ev.events = wanted;
    ev.data.u64 = (std::uint64_t{c.tag} << 32) | slot;
    if (::epoll_ctl(epoll_.get(), EPOLL_CTL_MOD, c.fd.get(), &ev) == 0) c.interest = wanted;
}

void TcpServer::close(std::uint32_t slot) noexcept {
    Connection& c = slots_[slot];
    if (!c.fd.valid()) return;
    unlink(slot);
    if (c.tls) {
        // close_notify when it can go without waiting; never after a fatal TLS error.
        if (!c.handshaking && !c.tlsBroken) (void)c.tls->shutdown();
        c.tls.reset();
        c.handshaking = false;
        c.tlsMayHoldInput = false;
    }
    c.fd.reset();  // close() also removes it from the epoll set
    c.transfer.reset();
    // Drop the buffers: a closed slot holds no memory for the client that is gone.
    c.input = TcpFrameReader();
    c.output = TcpOutput();
    freeSlots_.push_back(slot);
    open_.fetch_sub(1, std::memory_order_relaxed);
}

void TcpServer::closeIdle(Clock::time_point now) noexcept {
    while (head_ != kNone && slots_[head_].lastActive + options_.idleTimeout <= now) {
        stats_.timedOut.fetch_add(1, std::memory_order_relaxed);
        close(head_);
    }
}

void TcpServer::touch(std::uint32_t slot, Clock::time_point now) noexcept {
    unlink(slot);
    Connection& c = slots_[slot];
    c.lastActive = now;
    c.prev = tail_;
    c.next = kNone;
    if (tail_ != kNone) {
        slots_[tail_].next = slot;
    } else {
        head_ = slot;
    }
    tail_ = slot;
}

void TcpServer::unlink(std::uint32_t slot) noexcept {
    Connection& c = slots_[slot];
    const bool linked = c.prev != kNone || c.next != kNone || head_ == slot;
    if (!linked) return;
    if (c.prev != kNone) {
        slots_[c.prev].next = c.next;
    } else {
        head_ = c.next;
    }
    if (c.next != kNone) {
        slots_[c.next].prev = c.prev;
    } else {
        tail_ = c.prev;
    }
    c.prev = kNone;
    c.next = kNone;
}

}  // namespace dnsfleet::authd::net
