#include "authd/net/udp_worker.hpp"

#include <netinet/in.h>
#include <poll.h>
#include <sys/time.h>

#include <algorithm>
#include <cstring>

#include "authd/log.hpp"

namespace dnsfleet::authd::net {
namespace {

/// Room for one IP_PKTINFO or IPV6_PKTINFO control message, aligned for cmsghdr.
union ControlBuffer {
    cmsghdr align;
    char bytes[CMSG_SPACE(sizeof(in6_pktinfo))];
};

/// Finds the destination address of a received datagram and writes the control message that
/// makes the answer leave from that same address. Returns the control length (0 = none).
std::size_t answerFromDestination(msghdr& received, ControlBuffer& out) noexcept {
    for (cmsghdr* c = CMSG_FIRSTHDR(&received); c != nullptr; c = CMSG_NXTHDR(&received, c)) {
        if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
            in_pktinfo info{};
            std::memcpy(&info, CMSG_DATA(c), sizeof info);
            // Source = the address the query was sent to; the routing table picks the
            // interface (ifindex 0), as the answer may leave by another one.
            info.ipi_spec_dst = info.ipi_addr;
            info.ipi_ifindex = 0;
            std::memset(&out, 0, sizeof out);
            cmsghdr* reply = &out.align;
            reply->cmsg_level = IPPROTO_IP;
            reply->cmsg_type = IP_PKTINFO;
            reply->cmsg_len = CMSG_LEN(sizeof info);
            std::memcpy(CMSG_DATA(reply), &info, sizeof info);
            return CMSG_SPACE(sizeof info);
        }
        if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
            in6_pktinfo info{};
            std::memcpy(&info, CMSG_DATA(c), sizeof info);
            // The interface index is kept: a link-local source needs it.
            std::memset(&out, 0, sizeof out);
            cmsghdr* reply = &out.align;
            reply->cmsg_level = IPPROTO_IPV6;
            reply->cmsg_type = IPV6_PKTINFO;
            reply->cmsg_len = CMSG_LEN(sizeof info);
            std::memcpy(CMSG_DATA(reply), &info, sizeof info);
            return CMSG_SPACE(sizeof info);
        }
    }
    return 0;
}

}  // namespace

/// Everything a worker touches per packet, allocated once when the worker is created.
struct UdpWorker::Buffers {
    Buffers(std::size_t batch, std::size_t payloadSize)
        : payload(payloadSize),
          rx(batch * kMaxQuery),
          tx(batch * payloadSize),
          peers(batch),
          rxControl(batch),
          txControl(batch),
          rxIov(batch),
          txIov(batch),
          rxMsgs(batch),
          txMsgs(batch) {
        for (std::size_t i = 0; i < batch; ++i) {
            rxIov[i] = {rx.data() + i * kMaxQuery, kMaxQuery};
            rxMsgs[i].msg_hdr.msg_iov = &rxIov[i];
            rxMsgs[i].msg_hdr.msg_iovlen = 1;
        }
    }

    std::size_t payload;
    std::vector<std::uint8_t> rx;
    std::vector<std::uint8_t> tx;
    std::vector<sockaddr_storage> peers;
    std::vector<ControlBuffer> rxControl;
    std::vector<ControlBuffer> txControl;
    std::vector<iovec> rxIov;
    std::vector<iovec> txIov;
    std::vector<mmsghdr> rxMsgs;
    std::vector<mmsghdr> txMsgs;
};

UdpWorker::UdpWorker(std::vector<UdpSocket> sockets, const ZoneSnapshots& zones,
                     const UdpWorkerOptions& options, const std::atomic<bool>& stopping)
    : sockets_(std::move(sockets)),
      zones_(zones),
      options_(options),
      stopping_(&stopping),
      processor_(options.processor),
      buffers_(
          std::make_unique<Buffers>(std::max<std::size_t>(options.batch, 1),
                                    std::max<std::size_t>(options.processor.maxUdpPayload, 512))) {
    options_.batch = std::max<std::size_t>(options_.batch, 1);
    // A bound on how long a worker can miss its stop flag, should the interrupt be lost.
    timeval timeout{1, 0};
    for (const auto& sock : sockets_) {
        (void)setsockopt(sock.fd.get(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    }
}

UdpWorker::~UdpWorker() = default;

void UdpWorker::interrupt() noexcept {
    for (const auto& sock : sockets_)
        interruptSocket(sock.fd.get());
}

void UdpWorker::run() noexcept {
    if (sockets_.size() == 1) {
        runOneSocket();
    } else if (!sockets_.empty()) {
        runManySockets();
    }
}

void UdpWorker::runOneSocket() noexcept {
    const UdpSocket& sock = sockets_.front();
    while (!stopping_->load(std::memory_order_relaxed))
        serveBatch(sock, MSG_WAITFORONE);
}

void UdpWorker::runManySockets() noexcept {
    // Preallocated once; poll() only tells which sockets have datagrams waiting.
    std::vector<pollfd> fds(sockets_.size());
    for (std::size_t i = 0; i < sockets_.size(); ++i)
        fds[i] = {sockets_[i].fd.get(), POLLIN, 0};
    while (!stopping_->load(std::memory_order_relaxed)) {
        const int ready = ::poll(fds.data(), fds.size(), 1000);
        if (ready <= 0) continue;
        for (std::size_t i = 0; i < fds.size(); ++i) {
            if ((fds[i].revents & POLLIN) != 0) serveBatch(sockets_[i], MSG_DONTWAIT);
        }
    }
}

std::size_t UdpWorker::answerManagement(RequestKind kind, const UdpSocket& sock, const msghdr& from,
                                        std::span<const std::uint8_t> request,
                                        std::span<std::uint8_t> response) noexcept {
    if (!sock.management && options_.managementListenersExist) {
        // the public side answers queries only.
        const std::size_t refused =
            refuseRequest(request, response, options_.processor.maxUdpPayload);
        if (refused != 0) return refused;
        return processor_.process(zones_.get(), request, response, QueryContext{Transport::Udp});
    }
    Peer peer;
    peer.length = std::min<socklen_t>(from.msg_namelen, sizeof peer.address);
    std::memcpy(&peer.address, from.msg_name, peer.length);
    peer.transport = Transport::Udp;
    peer.management = sock.management;
    if (kind == RequestKind::Notify) return options_.management->notify(request, peer, response);
    std::size_t length = 0;
    auto transfer = options_.management->startTransfer(request, peer, response, length);
    // A transfer needs a stream; over UDP only a single answer (an IXFR that fits, an error)
    // is sent. Should the handler start one anyway, it is dropped here and nothing is sent.
    if (transfer != nullptr) return 0;
    return std::min(length, response.size());
}

void UdpWorker::serveBatch(const UdpSocket& sock, int flags) noexcept {
    Buffers& b = *buffers_;
    const std::size_t batch = options_.batch;
    for (std::size_t i = 0; i < batch; ++i) {
        msghdr& h = b.rxMsgs[i].msg_hdr;
        h.msg_name = &b.peers[i];
        h.msg_namelen = sizeof(sockaddr_storage);
        h.msg_control = sock.wildcard ? &b.rxControl[i] : nullptr;
        h.msg_controllen = sock.wildcard ? sizeof(ControlBuffer) : 0;
        h.msg_flags = 0;
    }
    const int received =
        ::recvmmsg(sock.fd.get(), b.rxMsgs.data(), static_cast<unsigned>(batch), flags, nullptr);
    if (received <= 0) {
        // Timeout, interrupt or a transient error: the loop decides. An idle worker still lets
        // go of a replaced snapshot here, so that old zones are not kept alive by silence.
        (void)zones_.refresh();
        return;
    }

    // Once per batch, never per query: pick up a newer zone snapshot if one was published.
    const zone::ZoneSet& zones = zones_.refresh();
    const QueryContext context{Transport::Udp};
    const auto count = static_cast<std::size_t>(received);
    stats_.received.fetch_add(count, std::memory_order_relaxed);

    std::size_t answers = 0;
    for (std::size_t i = 0; i < count; ++i) {
        msghdr& in = b.rxMsgs[i].msg_hdr;
        if ((in.msg_flags & MSG_TRUNC) != 0) continue;  // longer than any sane query
        std::span<const std::uint8_t> query(b.rx.data() + i * kMaxQuery, b.rxMsgs[i].msg_len);
        std::span<std::uint8_t> response(b.tx.data() + i * b.payload, b.payload);
        // classifyRequest reads a few header octets only; the plain query path stays as cheap
        // and as allocation-free as without a management handler.
        const RequestKind kind =
            options_.management != nullptr ? classifyRequest(query) : RequestKind::Query;
        const std::size_t length = kind == RequestKind::Query
                                       ? processor_.process(zones, query, response, context)
                                       : answerManagement(kind, sock, in, query, response);
        if (length == 0) continue;

        b.txIov[answers] = {response.data(), length};
        msghdr& out = b.txMsgs[answers].msg_hdr;
        out.msg_name = in.msg_name;
        out.msg_namelen = in.msg_namelen;
        out.msg_iov = &b.txIov[answers];
        out.msg_iovlen = 1;
        out.msg_flags = 0;
        out.msg_control = nullptr;
        out.msg_controllen = 0;
        if (sock.wildcard) {
            const std::size_t control = answerFromDestination(in, b.txControl[answers]);
            if (control != 0) {
                out.msg_control = &b.txControl[answers];
                out.msg_controllen = control;
            }
        }
        ++answers;
    }

    std::size_t sent = 0;
    while (sent < answers) {
        const int n = ::sendmmsg(sock.fd.get(), b.txMsgs.data() + sent,
                                 static_cast<unsigned>(answers - sent), 0);
        if (n > 0) {
            sent += static_cast<std::size_t>(n);
        } else {
            // The first datagram could not be sent (unreachable peer, ...): skip it so that
            // one bad destination never blocks the others. Bounded: each pass advances.
            ++sent;
            stats_.dropped.fetch_add(1, std::memory_order_relaxed);
        }
    }
    stats_.answered.fetch_add(answers, std::memory_order_relaxed);
}

}  // namespace dnsfleet::authd::net
