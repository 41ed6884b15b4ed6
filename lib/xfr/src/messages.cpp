#include "xfr/messages.hpp"

#include "dnswire/rrtype.hpp"
#include "dnswire/wire.hpp"

namespace dnsfleet::xfr {

namespace {

using dnswire::Section;
using dnswire::WireError;
namespace rrtype = dnswire::rrtype;
namespace rrclass = dnswire::rrclass;

constexpr std::uint16_t opcodeBits(std::uint8_t opcode) noexcept {
    return static_cast<std::uint16_t>(opcode << 11);
}

// The serial of SOA RDATA as it sits in a message (its names may be compressed).
dnswire::WireResult<std::uint32_t> serialInMessage(std::span<const std::uint8_t> packet,
                                                   const dnswire::RecordRef& record) noexcept {
    const std::size_t end = record.rdataOffset + record.rdlength;
    // Names may only point backwards, so the packet cut at the end of the RDATA still holds
    // everything they need, and nothing lets them run past the RDATA.
    const std::span<const std::uint8_t> upToEnd = packet.first(end);
    std::size_t pos = record.rdataOffset;
    for (int i = 0; i < 2; ++i) {
        auto name = dnswire::Name::fromWire(upToEnd, pos);
        if (!name) return fail(name.error());
    }
    // serial, refresh, retry, expire, minimum
    if (end - pos != 20) return fail(WireError::BadRdata);
    return dnswire::loadU32(packet.data() + pos);
}

}  // namespace

dnswire::WireResult<std::size_t> buildNotify(std::span<std::uint8_t> buffer, std::uint16_t id,
                                             const zone::Zone& zone) noexcept {
    dnswire::Header header;
    header.id = id;
    header.flags = opcodeBits(dnswire::opcode::NOTIFY) | dnswire::flag::AA;
    auto started = dnswire::MessageBuilder::start(header, buffer);
    if (!started) return fail(started.error());
    dnswire::MessageBuilder& message = *started;
    DNSFLEET_TRY(message.addQuestion(zone.apex(), rrtype::SOA, rrclass::IN));
    const zone::RRsetView soa = zone.soa();
    DNSFLEET_TRY(message.addRecord(Section::Answer, zone.apex(), rrtype::SOA, rrclass::IN,
                                   soa.ttl(), soa.first()));
    return message.size();
}

dnswire::WireResult<NotifyRequest> parseNotify(std::span<const std::uint8_t> message) noexcept {
    auto opened = dnswire::MessageParser::open(message);
    if (!opened) return fail(opened.error());
    dnswire::MessageParser& parser = *opened;
    const dnswire::Header& header = parser.header();
    if (header.opcode() != dnswire::opcode::NOTIFY || header.has(dnswire::flag::QR))
        return fail(WireError::BadCount);
    // RFC 1996 §3.7 names the zone by an SOA question; nothing else identifies it.
    if (header.qdcount != 1 || parser.qtype() != rrtype::SOA || parser.qclass() != rrclass::IN)
        return fail(WireError::BadCount);

    NotifyRequest request;
    request.apex = parser.qname();
    request.apex.toLower();
    dnswire::RecordRef record;
    for (;;) {
        auto more = parser.next(record);
        if (!more) return fail(more.error());
        if (!*more) break;
        if (request.serial || record.section != Section::Answer || record.type != rrtype::SOA ||
            !dnswire::equalNames(record.owner, request.apex))
            continue;
        auto serial = serialInMessage(message, record);
        if (!serial) return fail(serial.error());
        request.serial = *serial;
    }
    return request;
}

dnswire::WireResult<std::size_t> buildNotifyResponse(std::span<const std::uint8_t> request,
                                                     std::span<std::uint8_t> response,
                                                     std::uint16_t rcode) noexcept {
    if (request.size() < dnswire::kHeaderSize) return fail(WireError::Truncated);
    // A request whose question cannot be read still gets an answer (FORMERR, header only),
    // so the primary stops retrying; parseQueryInto keeps what it could read.
    dnswire::Query query;
    (void)dnswire::parseQueryInto(request, query);
    auto started = dnswire::MessageBuilder::respondTo(query, request, response);
    if (!started) return fail(started.error());
    dnswire::MessageBuilder& message = *started;
    message.setFlag(dnswire::flag::AA);
    message.setRcode(rcode);
    return message.size();
}

dnswire::WireResult<std::size_t> buildRequest(std::span<std::uint8_t> buffer, std::uint16_t id,
                                              dnswire::NameView apex, std::uint16_t qtype,
                                              std::span<const std::uint8_t> currentSoa,
                                              std::uint32_t currentSoaTtl) noexcept {
    dnswire::Header header;
    header.id = id;
    header.flags = opcodeBits(dnswire::opcode::QUERY);
    auto started = dnswire::MessageBuilder::start(header, buffer);
    if (!started) return fail(started.error());
    dnswire::MessageBuilder& message = *started;
    DNSFLEET_TRY(message.addQuestion(apex, qtype, rrclass::IN));
    if (qtype == rrtype::IXFR && !currentSoa.empty()) {
        // RFC 1995 §3: the version the client has, as an SOA in the authority section.
        DNSFLEET_TRY(message.addRecord(Section::Authority, apex, rrtype::SOA, rrclass::IN,
                                       currentSoaTtl, currentSoa));
    }
    return message.size();
}

dnswire::WireResult<std::uint32_t> readSoaResponse(std::span<const std::uint8_t> response,
                                                   std::uint16_t id,
                                                   dnswire::NameView apex) noexcept {
    auto opened = dnswire::MessageParser::open(response);
    if (!opened) return fail(opened.error());
    dnswire::MessageParser& parser = *opened;
    const dnswire::Header& header = parser.header();
    // Anything that is not the authoritative answer to our own question is not evidence of
    // the primary's serial (RFC 1996 §3.11 / RFC 1034 §4.3.5: only an AA answer counts).
    const bool matches =
        header.id == id && header.has(dnswire::flag::QR) && header.has(dnswire::flag::AA) &&
        header.opcode() == dnswire::opcode::QUERY && header.rcode() == dnswire::rcode::NOERROR &&
        header.qdcount == 1 && parser.qtype() == rrtype::SOA && parser.qclass() == rrclass::IN &&
        dnswire::equalNames(parser.qname(), apex);
    if (!matches) return fail(WireError::BadCount);
    dnswire::RecordRef record;
    for (;;) {
        auto more = parser.next(record);
        if (!more) return fail(more.error());
        if (!*more || record.section != Section::Answer) break;
        if (record.type == rrtype::SOA && record.rclass == rrclass::IN &&
            dnswire::equalNames(record.owner, apex))
            return serialInMessage(response, record);
    }
    return fail(WireError::BadCount);
}

}  // namespace dnsfleet::xfr
