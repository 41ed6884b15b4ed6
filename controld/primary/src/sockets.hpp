#pragma once
// Small POSIX socket helpers for the transfer server, the NOTIFY sender and the sync poller:
// numeric addresses only (edges are registered by address), every wait bounded by a timeout.
#include <sys/socket.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace dnsfleet::controld::primary {

/// A socket address with its length.
struct SocketAddress {
    sockaddr_storage storage{};
    socklen_t length = 0;

    [[nodiscard]] const sockaddr* get() const noexcept;
    [[nodiscard]] sockaddr* get() noexcept;
    [[nodiscard]] int family() const noexcept { return storage.ss_family; }
    [[nodiscard]] std::string toString() const;
    /// Same address and port.
    [[nodiscard]] bool operator==(const SocketAddress& other) const noexcept;
};

/// Parses "192.0.2.1:53", "[2001:db8::1]:53" (numeric hosts only; a port is required).
[[nodiscard]] std::optional<SocketAddress> parseSocketAddress(std::string_view text);

/// An owned file descriptor.
class Socket {
  public:
    Socket() = default;
    explicit Socket(int fd) noexcept : fd_(fd) {}
    Socket(Socket&& other) noexcept : fd_(other.release()) {}
    Socket& operator=(Socket&& other) noexcept;
    Socket(const Socket&) = delete;
    Socket& operator=(const Socket&) = delete;
    ~Socket();

    [[nodiscard]] int fd() const noexcept { return fd_; }
    [[nodiscard]] bool valid() const noexcept { return fd_ >= 0; }
    int release() noexcept;
    void close() noexcept;

  private:
    int fd_ = -1;
};

/// A UDP socket bound to `address` (port 0: any free port). Throws std::runtime_error.
[[nodiscard]] Socket bindUdp(const SocketAddress& address);
/// A listening TCP socket bound to `address`. Throws std::runtime_error.
[[nodiscard]] Socket listenTcp(const SocketAddress& address, int backlog = 64);
/// An unbound UDP socket of `family` for sending queries.
[[nodiscard]] Socket udpClient(int family);
/// The address a socket is bound to.
[[nodiscard]] SocketAddress localAddress(const Socket& socket);

/// Waits until `fd` is readable (or writable with `write`); false on timeout or error.
[[nodiscard]] bool waitFor(int fd, bool write, std::chrono::milliseconds timeout) noexcept;
/// Reads exactly `out.size()` octets from a stream within `timeout` per read.
[[nodiscard]] bool readExactly(int fd, std::span<std::uint8_t> out,
                               std::chrono::milliseconds timeout) noexcept;
/// Writes all of `data` within `timeout` per write.
[[nodiscard]] bool writeAll(int fd, std::span<const std::uint8_t> data,
                            std::chrono::milliseconds timeout) noexcept;

}  // namespace dnsfleet::controld::primary
