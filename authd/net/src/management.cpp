#include "authd/net/management.hpp"

#include <algorithm>

#include "dnswire/message.hpp"

namespace dnsfleet::authd::net {
namespace {

constexpr std::uint16_t kIxfr = 251;
constexpr std::uint16_t kSoa = 6;
constexpr std::uint16_t kAxfr = 252;
/// RFC 1035 §3.1: a name is at most 255 octets on the wire, the root label included.
constexpr std::size_t kMaxNameWire = 255;

std::uint16_t read16(std::span<const std::uint8_t> bytes, std::size_t at) noexcept {
    return static_cast<std::uint16_t>((bytes[at] << 8) | bytes[at + 1]);
}

}  // namespace

RequestKind classifyRequest(std::span<const std::uint8_t> request) noexcept {
    if (request.size() < dnswire::kHeaderSize) return RequestKind::Query;
    const std::uint16_t flags = read16(request, 2);
    // A response is never routed anywhere: the QueryProcessor drops it, so that two servers
    // cannot bounce messages at each other.
    if ((flags & dnswire::flag::QR) != 0) return RequestKind::Query;
    const auto opcode = static_cast<std::uint8_t>((flags >> 11) & 0x0F);
    if (opcode != dnswire::opcode::QUERY && opcode != dnswire::opcode::NOTIFY) {
        return RequestKind::Query;
    }
    if (read16(request, 4) != 1) return RequestKind::Query;

    // Walk the question name. A compression pointer in the first name of a message could only
    // point into the header: such a request is malformed and left to the QueryProcessor.
    std::size_t pos = dnswire::kHeaderSize;
    for (;;) {
        if (pos >= request.size()) return RequestKind::Query;
        const std::uint8_t length = request[pos];
        if ((length & 0xC0) != 0) return RequestKind::Query;
        pos += 1 + std::size_t{length};
        if (pos - dnswire::kHeaderSize > kMaxNameWire) return RequestKind::Query;
        if (length == 0) break;
    }
    if (request.size() - std::min(pos, request.size()) < 4) return RequestKind::Query;
    const std::uint16_t qtype = read16(request, pos);

    if (opcode == dnswire::opcode::NOTIFY) return RequestKind::Notify;
    if (qtype == kAxfr || qtype == kIxfr) return RequestKind::Transfer;
    // A secondary's refresh asks the SOA signed with the zone's key, and must get a signed
    // answer (RFC 8945 §5.3): only the management side holds the keys. Only queries that carry
    // additional records pay for the full parse that finds the TSIG.
    if (qtype == kSoa && opcode == dnswire::opcode::QUERY && read16(request, 10) != 0) {
        dnswire::Query query;
        if (dnswire::parseQueryInto(request, query) && query.tsigOffset != 0) {
            return RequestKind::Transfer;
        }
    }
    return RequestKind::Query;
}

std::size_t refuseRequest(std::span<const std::uint8_t> request, std::span<std::uint8_t> response,
                          std::uint16_t maxUdpPayload) noexcept {
    const auto query = dnswire::parseQuery(request);
    if (!query || query->header.has(dnswire::flag::QR)) return 0;
    auto started = dnswire::MessageBuilder::respondTo(*query, request, response);
    if (!started) return 0;
    dnswire::MessageBuilder& builder = *started;
    builder.setFlag(dnswire::flag::CD, false);  // as the QueryProcessor: RD echoed, CD not
    builder.setRcode(dnswire::rcode::REFUSED);
    if (query->edns.present) {
        dnswire::EdnsResponse edns;
        edns.udpSize = maxUdpPayload;
        edns.dnssecOk = query->edns.dnssecOk;
        if (!builder.addOpt(edns)) return 0;
    }
    return builder.size();
}

}  // namespace dnsfleet::authd::net
