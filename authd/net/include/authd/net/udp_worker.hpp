#pragma once
/// \file
/// A UDP worker thread: its own sockets (one per listen address, SO_REUSEPORT), its own
/// QueryProcessor and its own preallocated buffers. It blocks in recvmmsg, answers the batch,
/// and sends the answers with one sendmmsg. Nothing is allocated per packet.

#include <sys/socket.h>
#include <sys/uio.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "authd/net/management.hpp"
#include "authd/net/snapshot.hpp"
#include "authd/net/socket.hpp"
#include "authd/query/processor.hpp"

namespace dnsfleet::authd::net {

struct UdpWorkerOptions {
    /// Datagrams received (and answered) per system call.
    std::size_t batch = 64;
    ProcessorOptions processor;
    /// Where NOTIFY and transfer requests go; null = the QueryProcessor answers them as any
    /// query. Not owned; must outlive the worker and be safe to call from several threads.
    ManagementHandler* management = nullptr;
    /// Some listener is a management one: NOTIFY and transfers arriving on a public
    /// socket are then REFUSED without reaching `management`.
    bool managementListenersExist = false;
};

/// Counters a worker keeps (read by the control thread at exit; relaxed atomics).
struct UdpWorkerStats {
    std::atomic<std::uint64_t> received{0};
    std::atomic<std::uint64_t> answered{0};
    std::atomic<std::uint64_t> dropped{0};
};

class UdpWorker {
  public:
    /// Largest query accepted; a longer datagram is dropped (MSG_TRUNC).
    static constexpr std::size_t kMaxQuery = 4096;

    UdpWorker(std::vector<UdpSocket> sockets, const ZoneSnapshots& zones,
              const UdpWorkerOptions& options, const std::atomic<bool>& stopping);
    ~UdpWorker();
    UdpWorker(const UdpWorker&) = delete;
    UdpWorker& operator=(const UdpWorker&) = delete;

    /// Serves until `stopping` is set and the sockets are interrupted.
    void run() noexcept;

    /// Wakes the worker (from another thread) so that it sees `stopping`.
    void interrupt() noexcept;

    [[nodiscard]] const UdpWorkerStats& stats() const noexcept { return stats_; }

  private:
    struct Buffers;

    /// Receives one batch on `sock` and answers it. `flags` is MSG_WAITFORONE (block for the
    /// first datagram) or MSG_DONTWAIT (after poll said the socket is readable).
    void serveBatch(const UdpSocket& sock, int flags) noexcept;
    /// Answers a NOTIFY or transfer request that arrived on `sock` from `from`.
    [[nodiscard]] std::size_t answerManagement(RequestKind kind, const UdpSocket& sock,
                                               const msghdr& from,
                                               std::span<const std::uint8_t> request,
                                               std::span<std::uint8_t> response) noexcept;
    void runOneSocket() noexcept;
    void runManySockets() noexcept;

    std::vector<UdpSocket> sockets_;
    ZoneReader zones_;
    UdpWorkerOptions options_;
    const std::atomic<bool>* stopping_;
    QueryProcessor processor_;
    std::unique_ptr<Buffers> buffers_;
    UdpWorkerStats stats_;
};

}  // namespace dnsfleet::authd::net
