#include "authd/net/socket.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace dnsfleet::authd::net {
namespace {

std::string describe(const char* what, const config::ListenAddress& address) {
    return fmt::format("{} {}: {}", what, address.toString(), std::strerror(errno));
}

bool enable(int fd, int level, int option) noexcept {
    const int one = 1;
    return setsockopt(fd, level, option, &one, sizeof one) == 0;
}

}  // namespace

void FileDescriptor::reset() noexcept {
    if (fd_ >= 0) {
        ::close(fd_);
        fd_ = -1;
    }
}

Result<UdpSocket, std::string> openUdpSocket(const config::ListenAddress& address) {
    UdpSocket sock;
    sock.family = address.family();
    sock.wildcard = address.isWildcard();
    sock.fd = FileDescriptor(::socket(sock.family, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    if (!sock.fd.valid()) return fail(describe("cannot create a UDP socket for", address));
    const int fd = sock.fd.get();
    if (!enable(fd, SOL_SOCKET, SO_REUSEPORT)) {
        return fail(describe("cannot set SO_REUSEPORT on", address));
    }
    if (sock.family == AF_INET6) {
        // An IPv6 socket must not also take IPv4 traffic: 0.0.0.0 and :: are listened on
        // separately, and a mapped address would break answering from the right address.
        if (!enable(fd, IPPROTO_IPV6, IPV6_V6ONLY)) {
            return fail(describe("cannot set IPV6_V6ONLY on", address));
        }
        if (sock.wildcard && !enable(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO)) {
            return fail(describe("cannot set IPV6_RECVPKTINFO on", address));
        }
    } else if (sock.wildcard && !enable(fd, IPPROTO_IP, IP_PKTINFO)) {
        return fail(describe("cannot set IP_PKTINFO on", address));
    }
    // Ignore path-MTU updates: a forged ICMP "fragmentation needed" must not make us cut our
    // answers into small fragments (a known cache-poisoning aid). udp-max-payload keeps answers
    // below common MTUs anyway.
    if (sock.family == AF_INET) {
        const int pmtu = IP_PMTUDISC_OMIT;
        (void)setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &pmtu, sizeof pmtu);
    } else {
        const int pmtu = IPV6_PMTUDISC_OMIT;
        (void)setsockopt(fd, IPPROTO_IPV6, IPV6_MTU_DISCOVER, &pmtu, sizeof pmtu);
    }
    if (::bind(fd, address.sockaddrPtr(), address.length) != 0) {
        return fail(describe("cannot bind UDP", address));
    }
    return sock;
}

Result<FileDescriptor, std::string> openTcpListener(const config::ListenAddress& address,
                                                    bool reusePort) {
    FileDescriptor sock(::socket(address.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!sock.valid()) return fail(describe("cannot create a TCP socket for", address));
    const int fd = sock.get();
    if (!enable(fd, SOL_SOCKET, SO_REUSEADDR)) {
        return fail(describe("cannot set SO_REUSEADDR on", address));
    }
    if (reusePort && !enable(fd, SOL_SOCKET, SO_REUSEPORT)) {
        return fail(describe("cannot set SO_REUSEPORT on", address));
    }
    if (address.family() == AF_INET6 && !enable(fd, IPPROTO_IPV6, IPV6_V6ONLY)) {
        return fail(describe("cannot set IPV6_V6ONLY on", address));
    }
    if (::bind(fd, address.sockaddrPtr(), address.length) != 0) {
        return fail(describe("cannot bind TCP", address));
    }
    if (::listen(fd, SOMAXCONN) != 0) return fail(describe("cannot listen on TCP", address));
    return sock;
}

std::uint16_t boundPort(int fd) noexcept {
    sockaddr_storage local{};
    socklen_t length = sizeof local;
    // NOLINTNEXTLINE(cppcoreguidelines-pro-type-reinterpret-cast): the sockets API
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &length) != 0) return 0;
    if (local.ss_family == AF_INET6) {
        // NOLINTNEXTLINE(cppcoreguidelines-pro-type-reinterpret-cast)
        return ntohs(reinterpret_cast<const sockaddr_in6*>(&local)->sin6_port);
    }
    // NOLINTNEXTLINE(cppcoreguidelines-pro-type-reinterpret-cast)
    return ntohs(reinterpret_cast<const sockaddr_in*>(&local)->sin_port);
}

void interruptSocket(int fd) noexcept {
    // On Linux, shutdown() of a UDP socket wakes a blocked recvmmsg() and poll(); it returns
    // at once from then on, so the worker sees its stop flag.
    (void)::shutdown(fd, SHUT_RDWR);
}

}  // namespace dnsfleet::authd::net
