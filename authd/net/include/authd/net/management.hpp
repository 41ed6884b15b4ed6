#pragma once
/// \file
/// What the network layer hands to the zone management side: requests that are not plain
/// queries. Zone transfers (AXFR/IXFR) and NOTIFY are decided by the side that knows the zones'
/// ACLs, keys, journals and primaries; the network layer only carries the bytes and streams
/// the messages of a transfer as the client drains them.

#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "authd/query/processor.hpp"

namespace dnsfleet::authd::net {

/// Who sent a request, and where it arrived.
struct Peer {
    sockaddr_storage address{};
    socklen_t length = 0;
    Transport transport = Transport::Udp;
    /// It arrived on a management listener. When management listeners are configured,
    /// transfers and NOTIFY on the public listeners are refused.
    bool management = false;
};

/// The messages of one outgoing transfer, produced one at a time; owned by the connection.
class OutgoingTransfer {
  public:
    virtual ~OutgoingTransfer() = default;
    /// Writes the next message (signed when the request was) into `out` (room for 65535
    /// octets) and returns its length; 0 when the transfer is complete or failed (the
    /// connection then goes back to reading requests).
    [[nodiscard]] virtual std::size_t next(std::span<std::uint8_t> out) noexcept = 0;
};

/// Implemented by the zone management side (authd/zones); called from the network threads.
class ManagementHandler {
  public:
    virtual ~ManagementHandler() = default;

    /// An AXFR or IXFR request. Either returns the transfer to stream, or writes a single
    /// response into `response` (REFUSED, NOTAUTH, a TSIG error, an IXFR answered by one SOA
    /// over UDP, ...), sets `responseLength` (0 = drop) and returns null.
    ///
    /// `request` is valid only during the call: a transfer keeps a copy of what it needs.
    /// Over UDP, `response` is as large as the server's UDP payload limit, and a returned
    /// transfer is dropped unanswered (a transfer needs a stream); over TCP it holds 65535
    /// octets and `responseLength` is ignored when a transfer is returned.
    [[nodiscard]] virtual std::unique_ptr<OutgoingTransfer> startTransfer(
        std::span<const std::uint8_t> request, const Peer& peer, std::span<std::uint8_t> response,
        std::size_t& responseLength) noexcept = 0;

    /// A NOTIFY request: writes the answer into `response` and returns its length (0 = drop).
    /// `request` is valid only during the call.
    [[nodiscard]] virtual std::size_t notify(std::span<const std::uint8_t> request,
                                             const Peer& peer,
                                             std::span<std::uint8_t> response) noexcept = 0;
};

/// How the network layer routes a request.
enum class RequestKind : std::uint8_t {
    Query,  ///< answered by the QueryProcessor
    /// AXFR or IXFR, or an SOA query signed with TSIG (a secondary's refresh, which needs a
    /// signed answer): ManagementHandler::startTransfer
    Transfer,
    Notify,  ///< opcode NOTIFY: ManagementHandler::notify
};

/// Looks at the header and the question only (cheap, allocation-free). Malformed requests are
/// `Query`: the QueryProcessor answers them FORMERR or drops them as before.
/// A request is a Transfer or Notify when it is not a response (QR clear), has exactly one
/// readable question (uncompressed labels, at most 255 octets, type and class present) and
/// either has opcode NOTIFY, or opcode QUERY with QTYPE AXFR (252) or IXFR (251).
[[nodiscard]] RequestKind classifyRequest(std::span<const std::uint8_t> request) noexcept;

/// Writes REFUSED to `request` into `response` (the question echoed, an OPT record when the
/// request had one) and returns its length; 0 when the request does not parse (the
/// QueryProcessor then answers it FORMERR, as any malformed query). Used on public listeners
/// for transfers and NOTIFY when management listeners exist. Allocation-free.
[[nodiscard]] std::size_t refuseRequest(std::span<const std::uint8_t> request,
                                        std::span<std::uint8_t> response,
                                        std::uint16_t maxUdpPayload) noexcept;

}  // namespace dnsfleet::authd::net
