#pragma once
/// \file
/// Blocking socket I/O with deadlines for the transfer client (private to authd/zones): every
/// wait is a poll() bounded by a deadline, so a silent or slow primary costs at most the
/// configured timeout per message and never blocks a transfer thread forever.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "authd/config/listen.hpp"
#include "authd/net/socket.hpp"
#include "authd/tls/tls.hpp"
#include "common/result.hpp"

namespace dnsfleet::authd::zones::detail {

using Deadline = std::chrono::steady_clock::time_point;

/// A query ID from the system's CSPRNG (RFC 5452 §9.2: IDs must not be guessable).
[[nodiscard]] std::uint16_t randomId() noexcept;
/// Seconds since the epoch, for TSIG.
[[nodiscard]] std::uint64_t epochSeconds() noexcept;
/// `NOERROR`, `REFUSED`, ... or `RCODE 23` for codes without a name here.
[[nodiscard]] std::string rcodeText(std::uint16_t rcode);
/// `BADSIG`, `BADKEY`, `BADTIME`, `BADTRUNC`, or the number.
[[nodiscard]] std::string tsigErrorText(std::uint16_t error);

/// A socket of `type` (SOCK_STREAM/SOCK_DGRAM) for talking to `to`, non-blocking, bound to the
/// address of `via` when given (its port is ignored: the kernel picks one).
[[nodiscard]] Result<net::FileDescriptor, std::string> openSocket(
    const config::ListenAddress& to, int type, const std::optional<config::ListenAddress>& via);

/// How an I/O step ended when it did not succeed.
enum class IoFailure : std::uint8_t { Timeout, Closed, Error };
struct IoError {
    IoFailure failure = IoFailure::Error;
    int errnum = 0;
    std::string text;  ///< what TLS said, when it was TLS that failed
};

/// Connects `fd` (from openSocket) to `to` before `deadline`.
[[nodiscard]] Result<void, IoError> connectBefore(int fd, const config::ListenAddress& to,
                                                  Deadline deadline) noexcept;

/// A TCP connection that sends and receives length-prefixed DNS messages (RFC 1035 §4.2.2),
/// in the clear or inside TLS (RFC 9103).
class MessageStream {
  public:
    explicit MessageStream(net::FileDescriptor fd) noexcept : fd_(std::move(fd)) {}

    /// Runs the TLS handshake on the connected socket and checks the server (name, pin and
    /// ALPN "dot"); every message then goes through TLS.
    [[nodiscard]] Result<void, std::string> startTls(const tls::TlsClientContext& context,
                                                     Deadline deadline);

    /// Sends one message with its 2-octet length before `deadline`.
    [[nodiscard]] Result<void, IoError> send(std::span<const std::uint8_t> message,
                                             Deadline deadline);
    /// Receives the next message into an internal buffer. Closed means the peer closed the
    /// connection before a complete message arrived (cleanly between messages or not).
    [[nodiscard]] Result<std::span<const std::uint8_t>, IoError> receive(Deadline deadline);

  private:
    [[nodiscard]] Result<void, IoError> readExact(std::uint8_t* out, std::size_t size,
                                                  Deadline deadline);
    [[nodiscard]] Result<void, IoError> readExactTls(std::uint8_t* out, std::size_t size,
                                                     Deadline deadline);
    // Declared after the descriptor so that TLS is torn down before the socket closes.
    net::FileDescriptor fd_;
    std::optional<tls::TlsStream> tls_;
    std::vector<std::uint8_t> buffer_;
};

/// One line for the log: `<peer>: timed out after 10000 ms`, `<peer>: connection refused`.
[[nodiscard]] std::string describeIo(std::string_view peer, std::string_view what,
                                     const IoError& error, std::chrono::milliseconds timeout);

}  // namespace dnsfleet::authd::zones::detail
