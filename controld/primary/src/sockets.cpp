// POSIX socket helpers (see sockets.hpp).
#include "sockets.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace dnsfleet::controld::primary {

const sockaddr* SocketAddress::get() const noexcept {
    return reinterpret_cast<const sockaddr*>(&storage);  // NOLINT: sockets API
}
sockaddr* SocketAddress::get() noexcept {
    return reinterpret_cast<sockaddr*>(&storage);  // NOLINT: sockets API
}

std::string SocketAddress::toString() const {
    char host[NI_MAXHOST] = {};
    char port[NI_MAXSERV] = {};
    if (getnameinfo(get(), length, host, sizeof host, port, sizeof port,
                    NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
        return "?";
    }
    return family() == AF_INET6 ? "[" + std::string(host) + "]:" + port
                                : std::string(host) + ":" + port;
}

bool SocketAddress::operator==(const SocketAddress& other) const noexcept {
    return length == other.length && std::memcmp(&storage, &other.storage, length) == 0;
}

std::optional<SocketAddress> parseSocketAddress(std::string_view text) {
    std::string host;
    std::string port;
    if (!text.empty() && text.front() == '[') {
        const auto close = text.find(']');
        if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':')
            return std::nullopt;
        host = std::string(text.substr(1, close - 1));
        port = std::string(text.substr(close + 2));
    } else {
        const auto colon = text.rfind(':');
        if (colon == std::string_view::npos || text.find(':') != colon) return std::nullopt;
        host = std::string(text.substr(0, colon));
        port = std::string(text.substr(colon + 1));
    }
    if (host.empty() || port.empty() || port.size() > 5) return std::nullopt;
    for (const char c : port) {
        if (c < '0' || c > '9') return std::nullopt;
    }
    if (std::stoul(port) > 65535) return std::nullopt;
    addrinfo hints{};
    hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_DGRAM;
    addrinfo* found = nullptr;
    if (getaddrinfo(host.c_str(), port.c_str(), &hints, &found) != 0 || found == nullptr)
        return std::nullopt;
    SocketAddress address;
    std::memcpy(&address.storage, found->ai_addr, found->ai_addrlen);
    address.length = found->ai_addrlen;
    freeaddrinfo(found);
    return address;
}

Socket& Socket::operator=(Socket&& other) noexcept {
    if (this != &other) {
        close();
        fd_ = other.release();
    }
    return *this;
}

Socket::~Socket() {
    close();
}

int Socket::release() noexcept {
    const int fd = fd_;
    fd_ = -1;
    return fd;
}

void Socket::close() noexcept {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
}

namespace {

[[noreturn]] void fail(const std::string& what, const SocketAddress& address) {
    throw std::runtime_error(what + " " + address.toString() + ": " + std::strerror(errno));
}

Socket boundSocket(const SocketAddress& address, int type) {
    Socket socket(::socket(address.family(), type | SOCK_CLOEXEC, 0));
    if (!socket.valid()) fail("cannot open a socket for", address);
    const int on = 1;
    static_cast<void>(setsockopt(socket.fd(), SOL_SOCKET, SO_REUSEADDR, &on, sizeof on));
    if (address.family() == AF_INET6)
        static_cast<void>(setsockopt(socket.fd(), IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on));
    if (::bind(socket.fd(), address.get(), address.length) != 0) fail("cannot bind", address);
    return socket;
}

}  // namespace

Socket bindUdp(const SocketAddress& address) {
    return boundSocket(address, SOCK_DGRAM);
}

Socket listenTcp(const SocketAddress& address, int backlog) {
    Socket socket = boundSocket(address, SOCK_STREAM);
    if (::listen(socket.fd(), backlog) != 0) fail("cannot listen on", address);
    return socket;
}

Socket udpClient(int family) {
    Socket socket(::socket(family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    if (!socket.valid())
        throw std::runtime_error(std::string("cannot open a UDP socket: ") + std::strerror(errno));
    return socket;
}

SocketAddress localAddress(const Socket& socket) {
    SocketAddress address;
    address.length = sizeof address.storage;
    if (getsockname(socket.fd(), address.get(), &address.length) != 0) address.length = 0;
    return address;
}

bool waitFor(int fd, bool write, std::chrono::milliseconds timeout) noexcept {
    pollfd p{};
    p.fd = fd;
    p.events = write ? POLLOUT : POLLIN;
    for (;;) {
        const int n = ::poll(&p, 1, static_cast<int>(timeout.count()));
        if (n < 0 && errno == EINTR) continue;
        return n > 0 && (p.revents & (write ? POLLOUT : POLLIN)) != 0;
    }
}

bool readExactly(int fd, std::span<std::uint8_t> out, std::chrono::milliseconds timeout) noexcept {
    std::size_t done = 0;
    while (done < out.size()) {
        if (!waitFor(fd, false, timeout)) return false;
        const ssize_t n = ::recv(fd, out.data() + done, out.size() - done, 0);
        if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
        if (n <= 0) return false;
        done += static_cast<std::size_t>(n);
    }
    return true;
}

bool writeAll(int fd, std::span<const std::uint8_t> data,
              std::chrono::milliseconds timeout) noexcept {
    std::size_t done = 0;
    while (done < data.size()) {
        if (!waitFor(fd, true, timeout)) return false;
        const ssize_t n = ::send(fd, data.data() + done, data.size() - done, MSG_NOSIGNAL);
        if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
        if (n <= 0) return false;
        done += static_cast<std::size_t>(n);
    }
    return true;
}

}  // namespace dnsfleet::controld::primary
