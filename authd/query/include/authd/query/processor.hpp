#pragma once
/// \file
/// The query pipeline: an I/O-free state machine that turns one query message into one
/// response message, the way Knot's nameserver layer does. The network code owns the buffers and
/// the sockets; this owns only the answer. Nothing here allocates or throws per query.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "zone/zoneset.hpp"

namespace dnsfleet::authd {

/// Server-wide answer settings (from the configuration).
struct ProcessorOptions {
    /// Largest UDP response we send, whatever the client offers (RFC 6891 §6.2.5; the DNS flag
    /// day 2020 value 1232 avoids IP fragmentation).
    std::uint16_t maxUdpPayload = 1232;
    /// Sent back when a query carries an empty NSID option (RFC 5001); empty = never.
    std::string nsid;
    /// The tcp-keepalive timeout advertised on TCP (RFC 7828), in units of 100 ms.
    std::uint16_t tcpKeepalive100ms = 100;
};

/// How a query arrived.
/// How a query arrived. Padding (RFC 8467) is only sent on encrypted transports, as Knot does.
enum class Transport : std::uint8_t { Udp, Tcp, Tls };

/// Per-query facts the network layer knows.
struct QueryContext {
    Transport transport = Transport::Udp;
};

/// Answers queries from the zones in a ZoneSet. One instance per worker thread; not shared.
class QueryProcessor {
  public:
    explicit QueryProcessor(ProcessorOptions options);

    /// Writes the response to `query` into `response` and returns its length; returns 0 when
    /// the query must be dropped (header unreadable, or it is itself a response).
    /// `response` must hold at least 65535 octets for TCP and maxUdpPayload for UDP.
    [[nodiscard]] std::size_t process(const zone::ZoneSet& zones,
                                      std::span<const std::uint8_t> query,
                                      std::span<std::uint8_t> response,
                                      const QueryContext& context) noexcept;

  private:
    ProcessorOptions options_;
};

}  // namespace dnsfleet::authd
