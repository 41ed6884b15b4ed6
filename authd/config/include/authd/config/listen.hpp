#pragma once
/// \file
/// Listen addresses: `127.0.0.1:5300`, `[::1]:5300`, `0.0.0.0`, `[::]` (port 53 by default).

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace dnsfleet::authd::config {

/// One address to listen on, ready for bind(2).
struct ListenAddress {
    sockaddr_storage address{};
    socklen_t length = 0;

    [[nodiscard]] int family() const noexcept { return address.ss_family; }
    [[nodiscard]] std::uint16_t port() const noexcept;
    void setPort(std::uint16_t port) noexcept;
    /// True for 0.0.0.0 and ::, where answers must name the address the query came to.
    [[nodiscard]] bool isWildcard() const noexcept;
    [[nodiscard]] const sockaddr* sockaddrPtr() const noexcept {
        return reinterpret_cast<const sockaddr*>(&address);  // NOLINT: the sockets API
    }
    /// `127.0.0.1:53` or `[::1]:53`.
    [[nodiscard]] std::string toString() const;

    friend bool operator==(const ListenAddress& a, const ListenAddress& b) noexcept {
        return a.toString() == b.toString();
    }
};

inline constexpr std::uint16_t kDefaultDnsPort = 53;

/// Parses `ADDR[:PORT]` with ADDR an IPv4 literal, or `[ADDR6][:PORT]` for IPv6 (a bare IPv6
/// literal without brackets is accepted when it has no port). Port 0 asks the kernel for a
/// free port (the daemon then uses that same port for every socket of the address).
/// \return the address, or a message saying what is wrong with `text`.
[[nodiscard]] Result<ListenAddress, std::string> parseListenAddress(std::string_view text);

}  // namespace dnsfleet::authd::config
