#pragma once
// Test helpers shared by the management tests: a fake ManagementHandler whose transfers yield
// messages of known content, servers on 127.0.0.1 port 0, and blocking DNS-over-TCP clients.

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "authd/config/listen.hpp"
#include "authd/net/management.hpp"
#include "authd/net/socket.hpp"
#include "authd/net/tcp_server.hpp"
#include "authd/net/udp_worker.hpp"

namespace dnsfleet::authd::net::testing {

using Bytes = std::vector<std::uint8_t>;

inline constexpr std::uint16_t kTypeA = 1;
inline constexpr std::uint16_t kTypeSoa = 6;
inline constexpr std::uint16_t kTypeIxfr = 251;
inline constexpr std::uint16_t kTypeAxfr = 252;
inline constexpr std::uint8_t kOpQuery = 0;
inline constexpr std::uint8_t kOpNotify = 4;

/// A request written octet by octet from RFC 1035 §4.1, independent of the code under test.
inline Bytes request(std::uint16_t id, std::uint8_t opcode, std::uint16_t qtype,
                     const std::vector<std::string>& labels = {"example", "com"}, bool qr = false) {
    Bytes m{static_cast<std::uint8_t>(id >> 8), static_cast<std::uint8_t>(id & 0xff)};
    m.push_back(static_cast<std::uint8_t>((qr ? 0x80 : 0) | (opcode << 3)));
    m.push_back(0);
    m.insert(m.end(), {0, 1, 0, 0, 0, 0, 0, 0});  // QDCOUNT 1
    for (const auto& label : labels) {
        m.push_back(static_cast<std::uint8_t>(label.size()));
        m.insert(m.end(), label.begin(), label.end());
    }
    m.push_back(0);
    m.push_back(static_cast<std::uint8_t>(qtype >> 8));
    m.push_back(static_cast<std::uint8_t>(qtype & 0xff));
    m.insert(m.end(), {0, 1});  // class IN
    return m;
}

inline std::uint16_t idOf(const Bytes& m) {
    return static_cast<std::uint16_t>(m[0] << 8 | m[1]);
}
inline unsigned rcodeOf(const Bytes& m) {
    return m[3] & 0x0Fu;
}
inline bool qrOf(const Bytes& m) {
    return (m[2] & 0x80) != 0;
}

/// The octet `j` of message `k` of a fake transfer: the request ID first (so the client can
/// tell whose transfer it is), then k, then a pattern that shifts with k.
inline std::uint8_t transferOctet(std::uint16_t id, std::uint32_t k, std::size_t j) {
    if (j == 0) return static_cast<std::uint8_t>(id >> 8);
    if (j == 1) return static_cast<std::uint8_t>(id & 0xff);
    if (j < 6) return static_cast<std::uint8_t>(k >> (8 * (5 - j)));
    return static_cast<std::uint8_t>((std::size_t{k} * 7 + j) & 0xff);
}

inline bool isTransferMessage(const Bytes& m, std::uint16_t id, std::uint32_t k, std::size_t size) {
    if (m.size() != size) return false;
    for (std::size_t j = 0; j < size; ++j) {
        if (m[j] != transferOctet(id, k, j)) return false;
    }
    return true;
}

struct PeerSeen {
    sockaddr_storage address{};
    socklen_t length = 0;
    Transport transport = Transport::Udp;
    bool management = false;
};

/// Counts everything the network layer does with it.
class FakeHandler : public ManagementHandler {
  public:
    /// Messages of each transfer started from now on, and their size.
    std::atomic<std::size_t> messages{200};
    std::atomic<std::size_t> messageSize{60'000};
    /// Over UDP, return a transfer anyway (the worker must drop it and send nothing).
    bool transferOverUdp = false;

    std::atomic<int> notifies{0};
    std::atomic<int> transfers{0};
    std::atomic<int> destroyed{0};
    std::atomic<int> produced{0};

    class Transfer : public OutgoingTransfer {
      public:
        Transfer(FakeHandler& owner, std::uint16_t id)
            : owner_(owner), id_(id), count_(owner.messages), size_(owner.messageSize) {}
        ~Transfer() override { owner_.destroyed.fetch_add(1); }
        Transfer(const Transfer&) = delete;
        Transfer& operator=(const Transfer&) = delete;
        std::size_t next(std::span<std::uint8_t> out) noexcept override {
            if (k_ == count_) return 0;
            for (std::size_t j = 0; j < size_; ++j)
                out[j] = transferOctet(id_, static_cast<std::uint32_t>(k_), j);
            {
                std::lock_guard lock(owner_.mutex_);
                owner_.log_.push_back(id_);
            }
            ++k_;
            owner_.produced.fetch_add(1);
            return size_;
        }

      private:
        FakeHandler& owner_;
        std::uint16_t id_;
        std::size_t count_;
        std::size_t size_;
        std::size_t k_ = 0;
    };

    std::unique_ptr<OutgoingTransfer> startTransfer(std::span<const std::uint8_t> req,
                                                    const Peer& peer,
                                                    std::span<std::uint8_t> response,
                                                    std::size_t& responseLength) noexcept override {
        remember(peer);
        transfers.fetch_add(1);
        const auto id = static_cast<std::uint16_t>(req[0] << 8 | req[1]);
        if (peer.transport == Transport::Udp && !transferOverUdp) {
            responseLength = echo(req, response);
            return nullptr;
        }
        responseLength = 0;
        return std::make_unique<Transfer>(*this, id);
    }

    std::size_t notify(std::span<const std::uint8_t> req, const Peer& peer,
                       std::span<std::uint8_t> response) noexcept override {
        remember(peer);
        notifies.fetch_add(1);
        return echo(req, response);
    }

    PeerSeen lastPeer() {
        std::lock_guard lock(mutex_);
        return last_;
    }
    /// The request IDs of the transfers, in the order their messages were produced.
    std::vector<std::uint16_t> productionLog() {
        std::lock_guard lock(mutex_);
        return log_;
    }

  private:
    /// The request with QR and AA set: a recognisable answer.
    static std::size_t echo(std::span<const std::uint8_t> req, std::span<std::uint8_t> out) {
        std::memcpy(out.data(), req.data(), req.size());
        out[2] = static_cast<std::uint8_t>(out[2] | 0x84);
        return req.size();
    }
    void remember(const Peer& peer) {
        std::lock_guard lock(mutex_);
        last_ = PeerSeen{peer.address, peer.length, peer.transport, peer.management};
    }

    std::mutex mutex_;
    PeerSeen last_;
    std::vector<std::uint16_t> log_;
};

inline config::ListenAddress loopbackAnyPort() {
    auto address = config::parseListenAddress("127.0.0.1:0");
    EXPECT_TRUE(address.has_value());
    return *address;
}

inline std::uint16_t portOf(const sockaddr_storage& address) {
    sockaddr_in in{};
    std::memcpy(&in, &address, sizeof in);
    return ntohs(in.sin_port);
}

inline std::uint16_t localPort(int fd) {
    return boundPort(fd);
}

inline std::shared_ptr<const zone::ZoneSet> noZones() {
    return std::make_shared<const zone::ZoneSet>();
}

/// A TCP thread with one public and (optionally) one management listener.
class TcpHarness {
  public:
    TcpHarness(const TcpServerOptions& options, bool managementListener) : zones_(noZones()) {
        std::vector<TcpListener> listeners;
        auto pub = openTcpListener(loopbackAnyPort(), false);
        EXPECT_TRUE(pub.has_value());
        publicPort = boundPort(pub->get());
        listeners.push_back(TcpListener{std::move(*pub), false});
        if (managementListener) {
            auto mgmt = openTcpListener(loopbackAnyPort(), false);
            EXPECT_TRUE(mgmt.has_value());
            managementPort = boundPort(mgmt->get());
            listeners.push_back(TcpListener{std::move(*mgmt), true});
        }
        server = std::make_unique<TcpServer>(std::move(listeners), zones_, options);
        thread_ = std::thread([s = server.get()] { s->run(); });
    }
    ~TcpHarness() {
        server->stop();
        thread_.join();
    }
    TcpHarness(const TcpHarness&) = delete;
    TcpHarness& operator=(const TcpHarness&) = delete;

    std::unique_ptr<TcpServer> server;
    std::uint16_t publicPort = 0;
    std::uint16_t managementPort = 0;

  private:
    ZoneSnapshots zones_;
    std::thread thread_;
};

/// A blocking TCP client; `receiveBuffer` > 0 shrinks its receive window (a slow reader).
class TcpClient {
  public:
    explicit TcpClient(std::uint16_t port, int receiveBuffer = 0)
        : fd_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
        if (receiveBuffer > 0)
            (void)setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &receiveBuffer, sizeof receiveBuffer);
        timeval timeout{10, 0};
        (void)setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
        sockaddr_in to{};
        to.sin_family = AF_INET;
        to.sin_port = htons(port);
        to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        // NOLINTNEXTLINE(cppcoreguidelines-pro-type-reinterpret-cast): the sockets API
        connected_ = ::connect(fd_, reinterpret_cast<const sockaddr*>(&to), sizeof to) == 0;
    }
    ~TcpClient() { closeNow(); }
    TcpClient(const TcpClient&) = delete;
    TcpClient& operator=(const TcpClient&) = delete;

    [[nodiscard]] bool connected() const { return connected_; }
    [[nodiscard]] int fd() const { return fd_; }
    void closeNow() {
        if (fd_ >= 0) ::close(fd_);
        fd_ = -1;
    }

    /// Sends the messages, each with its length prefix, in one write (pipelined).
    bool send(const std::vector<Bytes>& messages) {
        Bytes wire;
        for (const auto& m : messages) {
            wire.push_back(static_cast<std::uint8_t>(m.size() >> 8));
            wire.push_back(static_cast<std::uint8_t>(m.size() & 0xff));
            wire.insert(wire.end(), m.begin(), m.end());
        }
        return ::send(fd_, wire.data(), wire.size(), MSG_NOSIGNAL) ==
               static_cast<ssize_t>(wire.size());
    }

    /// Reads one framed message; nothing on EOF, error or timeout. `chunk` caps each read.
    std::optional<Bytes> read(std::size_t chunk = 65536) {
        std::uint8_t prefix[2];
        if (!readExact(prefix, 2, chunk)) return std::nullopt;
        Bytes m(std::size_t{prefix[0]} << 8 | prefix[1]);
        if (!readExact(m.data(), m.size(), chunk)) return std::nullopt;
        return m;
    }

  private:
    bool readExact(std::uint8_t* out, std::size_t n, std::size_t chunk) {
        std::size_t got = 0;
        while (got < n) {
            const ssize_t r = ::recv(fd_, out + got, std::min(chunk, n - got), 0);
            if (r <= 0) return false;
            got += static_cast<std::size_t>(r);
        }
        return true;
    }

    int fd_;
    bool connected_ = false;
};

/// Polls `condition` for up to `limit`.
template <class F>
bool eventually(F condition, std::chrono::milliseconds limit = std::chrono::milliseconds(5000)) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
        if (condition()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return condition();
}

}  // namespace dnsfleet::authd::net::testing
