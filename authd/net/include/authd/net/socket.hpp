#pragma once
/// \file
/// Opening the daemon's sockets. Everything is bound before privileges are dropped.

#include <cstdint>
#include <string>
#include <utility>

#include "authd/config/listen.hpp"
#include "common/result.hpp"

namespace dnsfleet::authd::net {

/// Owns a file descriptor.
class FileDescriptor {
  public:
    FileDescriptor() = default;
    explicit FileDescriptor(int fd) noexcept : fd_(fd) {}
    FileDescriptor(FileDescriptor&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
    FileDescriptor& operator=(FileDescriptor&& other) noexcept {
        if (this != &other) {
            reset();
            fd_ = std::exchange(other.fd_, -1);
        }
        return *this;
    }
    FileDescriptor(const FileDescriptor&) = delete;
    FileDescriptor& operator=(const FileDescriptor&) = delete;
    ~FileDescriptor() { reset(); }

    [[nodiscard]] int get() const noexcept { return fd_; }
    [[nodiscard]] bool valid() const noexcept { return fd_ >= 0; }
    void reset() noexcept;

  private:
    int fd_ = -1;
};

/// A bound UDP socket of one worker.
struct UdpSocket {
    FileDescriptor fd;
    int family = 0;
    /// Bound to 0.0.0.0 or ::, so answers must name the address each query arrived at.
    bool wildcard = false;
    /// A management listener: transfers and NOTIFY are taken here; a public socket
    /// refuses them when management listeners exist. Set by the caller after opening.
    bool management = false;
};

/// Opens a UDP socket bound to `address` with SO_REUSEPORT (so that each worker has its own
/// socket on the same address), IPV6_V6ONLY on IPv6, and packet-info reception when `address`
/// is a wildcard.
[[nodiscard]] Result<UdpSocket, std::string> openUdpSocket(const config::ListenAddress& address);

/// Opens a non-blocking listening TCP socket bound to `address`. With `reusePort`, several TCP
/// threads may each listen on the same address.
[[nodiscard]] Result<FileDescriptor, std::string> openTcpListener(
    const config::ListenAddress& address, bool reusePort);

/// The port a socket is bound to (to resolve port 0).
[[nodiscard]] std::uint16_t boundPort(int fd) noexcept;

/// Wakes a thread blocked in recvmmsg/poll on `fd` so that it notices it must stop.
void interruptSocket(int fd) noexcept;

}  // namespace dnsfleet::authd::net
