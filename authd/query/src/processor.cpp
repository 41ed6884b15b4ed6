#include "authd/query/processor.hpp"

#include <algorithm>
#include <optional>
#include <utility>

#include "answer.hpp"
#include "dnswire/message.hpp"
#include "dnswire/rrtype.hpp"

namespace dnsfleet::authd {

using dnswire::Header;
using dnswire::MessageBuilder;
namespace rcode = dnswire::rcode;
namespace flag = dnswire::flag;
namespace rrtype = dnswire::rrtype;

namespace {

// RFC 8467 §4.1 recommends 468-octet blocks for responses.
constexpr std::uint16_t kPaddingBlock = 468;

// The OPT record of a well-formed message without a question (the one OPT, owner root, in the
// additional section); nothing when there is none or the message is malformed.
std::optional<dnswire::EdnsQuery> questionlessOpt(std::span<const std::uint8_t> packet) noexcept {
    auto parser = dnswire::MessageParser::open(packet);
    if (!parser) return std::nullopt;
    std::optional<dnswire::EdnsQuery> edns;
    dnswire::RecordRef record;
    while (true) {
        const auto more = parser->next(record);
        if (!more) return std::nullopt;
        if (!*more) break;
        if (record.type != rrtype::OPT) continue;
        if (record.section != dnswire::Section::Additional || edns || !record.owner.isRoot())
            return std::nullopt;
        auto parsed = dnswire::parseOpt(record.rclass, record.ttl,
                                        packet.subspan(record.rdataOffset, record.rdlength));
        if (!parsed) return std::nullopt;
        edns = *parsed;
    }
    if (!parser->complete()) return std::nullopt;
    return edns;
}

// Knot answers FORMERR only when it can tell what was asked: with no question at all it sends
// a header, with a readable question it echoes it, and otherwise (more than one question, or a
// question it cannot read) it stays silent. We do the same.
std::size_t formErr(const Header& header, std::span<const std::uint8_t> packet,
                    std::span<std::uint8_t> response, const ProcessorOptions& options) noexcept {
    Header reply;
    reply.id = header.id;
    reply.flags = static_cast<std::uint16_t>(flag::QR | (header.flags & (0x7800U | flag::RD)) |
                                             rcode::FORMERR);
    if (header.qdcount == 0) {
        auto builder = MessageBuilder::start(reply, response);
        if (!builder) return 0;
        // RFC 6891 §7: a responder that speaks EDNS puts OPT in every response to a query that
        // had one, errors included; Knot does, echoing DO and checking the version first.
        if (const auto edns = questionlessOpt(packet)) {
            dnswire::EdnsResponse opt;
            opt.udpSize = options.maxUdpPayload;
            opt.dnssecOk = edns->dnssecOk;
            if (edns->nsid) opt.nsid = options.nsid;
            if (edns->version != 0) {
                opt.extendedRcode = static_cast<std::uint8_t>(rcode::BADVERS >> 4);
                builder->setRcode(rcode::BADVERS);
            }
            if (!builder->addOpt(opt)) return 0;
        }
        return builder->size();
    }
    if (header.qdcount != 1) return 0;
    dnswire::Query query;
    query.header = header;
    std::size_t pos = dnswire::kHeaderSize;
    auto qname = dnswire::Name::fromWire(packet, pos);
    if (!qname || pos + 4 > packet.size()) return 0;
    query.qname = *qname;
    query.qtype = dnswire::loadU16(packet.data() + pos);
    query.qclass = dnswire::loadU16(packet.data() + pos + 2);
    query.questionEnd = pos + 4;
    auto builder = MessageBuilder::respondTo(query, packet, response);
    if (!builder) return 0;
    builder->setFlag(flag::CD, false);
    builder->setRcode(rcode::FORMERR);
    return builder->size();
}

}  // namespace

QueryProcessor::QueryProcessor(ProcessorOptions options) : options_(std::move(options)) {}

std::size_t QueryProcessor::process(const zone::ZoneSet& zones,
                                    std::span<const std::uint8_t> packet,
                                    std::span<std::uint8_t> response,
                                    const QueryContext& context) noexcept {
    const auto header = dnswire::parseHeader(packet);
    // Never answer a response: two servers would bounce errors at each other forever.
    if (!header || header->has(flag::QR)) return 0;
    const auto parsed = dnswire::parseQuery(packet);
    if (!parsed) return formErr(*header, packet, response, options_);
    const dnswire::Query& query = *parsed;

    auto started = MessageBuilder::respondTo(query, packet, response);
    if (!started) return 0;
    MessageBuilder& builder = *started;
    // Knot echoes RD but not CD.
    builder.setFlag(flag::CD, false);

    const bool udp = context.transport == Transport::Udp;
    std::size_t limit = 65535;
    if (udp) {
        // RFC 6891 §6.2.5: the smaller of what the client can take and what we send; 512
        // without EDNS (RFC 1035 §4.2.1).
        limit = query.edns.present
                    ? std::min<std::size_t>(std::max<std::uint16_t>(query.edns.udpSize, 512),
                                            options_.maxUdpPayload)
                    : 512;
    }
    builder.setLimit(std::min(limit, response.size()));

    dnswire::EdnsResponse edns;
    std::size_t optBytes = 0;
    if (query.edns.present) {
        edns.udpSize = options_.maxUdpPayload;
        edns.dnssecOk = query.edns.dnssecOk;
        if (query.edns.nsid) edns.nsid = options_.nsid;
        if (query.edns.keepalive && context.transport != Transport::Udp &&
            options_.tcpKeepalive100ms != 0) {
            edns.keepalive = true;
            edns.keepaliveTimeout = options_.tcpKeepalive100ms;
        }
        if (query.edns.padding && context.transport == Transport::Tls)
            edns.padBlock = kPaddingBlock;
        optBytes = dnswire::optSize(edns);
        builder.reserve(optBytes);
    }

    auto finish = [&]() -> std::size_t {
        if (query.edns.present) {
            builder.unreserve(optBytes);
            if (!builder.addOpt(edns)) return 0;
        }
        return builder.size();
    };
    auto refuse = [&](std::uint16_t code) -> std::size_t {
        builder.setRcode(code);
        return finish();
    };

    if (query.edns.version != 0) {
        // RFC 6891 §6.1.3: BADVERS is 16, its upper bits travel in the OPT record.
        edns.extendedRcode = static_cast<std::uint8_t>(rcode::BADVERS >> 4);
        return refuse(rcode::BADVERS);
    }
    const std::uint8_t opcode = query.header.opcode();
    if (opcode != dnswire::opcode::QUERY) {
        // NOTIFY is accepted only from configured primaries, none yet: NOTAUTH like Knot
        // without an ACL. Everything else is not implemented (RFC 1035 §4.1.1).
        return refuse(opcode == dnswire::opcode::NOTIFY ? rcode::NOTAUTH : rcode::NOTIMP);
    }
    // Only IN data is served; class ANY reads as IN (as Knot). CH identity queries are refused
    // on purpose: they leak the host name and version to anyone.
    if (query.qclass != dnswire::rrclass::IN && query.qclass != dnswire::rrclass::ANY)
        return refuse(rcode::REFUSED);
    if (query.qtype == 0) return refuse(rcode::NOTIMP);
    if (query.qtype == rrtype::AXFR || query.qtype == rrtype::IXFR) {
        // Transfers are not served yet; Knot answers AXFR over UDP with NOTIMP and a refused
        // transfer with NOTAUTH.
        return refuse(udp && query.qtype == rrtype::AXFR ? rcode::NOTIMP : rcode::NOTAUTH);
    }

    const zone::Zone* zone = zones.find(query.qname);
    if (zone != nullptr && query.qtype == rrtype::DS && !query.qname.isRoot() &&
        dnswire::equalNames(zone->apex(), query.qname)) {
        // The DS RRset of a zone lives in its parent (RFC 4035 §3.1.4.1): when we serve the
        // parent too, it answers, as Knot does.
        if (const zone::Zone* parent = zones.find(query.qname.view().parent())) zone = parent;
    }
    if (zone == nullptr) {
        // Knot says why in an Extended DNS Error when the client speaks EDNS (RFC 8914 §4.21).
        if (query.edns.present) {
            builder.unreserve(optBytes);
            edns.edeSet = true;
            edns.edeCode = dnswire::ede::NOT_AUTHORITATIVE;
            optBytes = dnswire::optSize(edns);
            builder.reserve(optBytes);
        }
        return refuse(rcode::REFUSED);
    }

    detail::Question question;
    question.qname = query.qname.view();
    question.qtype = query.qtype;
    question.dnssec = query.edns.present && query.edns.dnssecOk;
    detail::Answerer(*zone, builder, question).run();
    return finish();
}

}  // namespace dnsfleet::authd
