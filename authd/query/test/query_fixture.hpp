#pragma once
// Builds query packets by hand and reads responses back with dnswire::MessageParser, so that
// tests state the answer they expect as the RFCs and Knot define it.

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "../../../lib/zone/test/zone_fixture.hpp"
#include "authd/query/processor.hpp"
#include "dnswire/message.hpp"
#include "dnswire/rrtype.hpp"
#include "dnswire/wire.hpp"

namespace dnsfleet::authd::testing {

using zone::testing::name;
using zone::testing::putU16;
using zone::testing::putU32;

struct QuerySpec {
    std::string qname;
    std::uint16_t qtype = dnswire::rrtype::A;
    std::uint16_t qclass = dnswire::rrclass::IN;
    std::uint16_t flags = 0;  ///< header flags word (opcode, RD, ...)
    bool edns = false;
    bool dnssecOk = false;
    std::uint16_t udpSize = 1232;
    std::uint8_t version = 0;
    std::vector<std::uint8_t> options;  ///< raw EDNS options
};

inline std::vector<std::uint8_t> makeQuery(const QuerySpec& spec) {
    std::vector<std::uint8_t> out;
    putU16(out, 0x1234);
    putU16(out, spec.flags);
    putU16(out, 1);
    putU16(out, 0);
    putU16(out, 0);
    putU16(out, spec.edns ? 1 : 0);
    const auto q = name(spec.qname);
    out.insert(out.end(), q.wire().begin(), q.wire().end());
    putU16(out, spec.qtype);
    putU16(out, spec.qclass);
    if (spec.edns) {
        out.push_back(0);
        putU16(out, dnswire::rrtype::OPT);
        putU16(out, spec.udpSize);
        putU32(out, (std::uint32_t{spec.version} << 16) | (spec.dnssecOk ? 0x8000U : 0U));
        putU16(out, static_cast<std::uint16_t>(spec.options.size()));
        out.insert(out.end(), spec.options.begin(), spec.options.end());
    }
    return out;
}

struct Rr {
    std::string owner;  ///< presentation form, case kept
    std::uint16_t type = 0;
    std::uint32_t ttl = 0;
    std::vector<std::uint8_t> rdata;  ///< as on the wire (names may be compressed)
    std::string target;               ///< CNAME/NS/DNAME target, decompressed, when applicable
};

struct Response {
    bool empty = true;  ///< nothing was sent
    dnswire::Header header;
    std::size_t size = 0;
    std::string qname;
    std::vector<Rr> answer, authority, additional;
    bool opt = false;
    std::uint16_t optUdpSize = 0;
    std::uint32_t optTtl = 0;
    std::vector<std::uint8_t> optRdata;

    [[nodiscard]] std::uint16_t rcode() const {
        return static_cast<std::uint16_t>(header.rcode() | ((optTtl >> 24) << 4));
    }
    [[nodiscard]] bool has(std::uint16_t bit) const { return header.has(bit); }
    [[nodiscard]] std::size_t count(const std::vector<Rr>& section, std::uint16_t type) const {
        std::size_t n = 0;
        for (const auto& rr : section)
            n += rr.type == type ? 1U : 0U;
        return n;
    }
};

inline Response parseResponse(std::span<const std::uint8_t> wire) {
    Response r;
    if (wire.empty()) return r;
    r.empty = false;
    r.size = wire.size();
    auto parser = dnswire::MessageParser::open(wire);
    if (!parser) {
        ADD_FAILURE() << "response does not parse";
        return r;
    }
    r.header = parser->header();
    r.qname = parser->qname().toText();
    dnswire::RecordRef ref;
    while (true) {
        auto more = parser->next(ref);
        if (!more) {
            ADD_FAILURE() << "record does not parse";
            break;
        }
        if (!*more) break;
        Rr rr;
        rr.owner = ref.owner.toText();
        rr.type = ref.type;
        rr.ttl = ref.ttl;
        rr.rdata.assign(wire.begin() + static_cast<std::ptrdiff_t>(ref.rdataOffset),
                        wire.begin() + static_cast<std::ptrdiff_t>(ref.rdataOffset + ref.rdlength));
        namespace t = dnswire::rrtype;
        if (ref.type == t::CNAME || ref.type == t::NS || ref.type == t::DNAME) {
            std::size_t pos = ref.rdataOffset;
            auto target = dnswire::Name::fromWire(wire, pos);
            if (target) rr.target = target->toText();
        }
        if (ref.type == t::OPT) {
            r.opt = true;
            r.optUdpSize = ref.rclass;
            r.optTtl = ref.ttl;
            r.optRdata = rr.rdata;
            continue;
        }
        switch (ref.section) {
            case dnswire::Section::Answer:
                r.answer.push_back(rr);
                break;
            case dnswire::Section::Authority:
                r.authority.push_back(rr);
                break;
            default:
                r.additional.push_back(rr);
                break;
        }
    }
    EXPECT_TRUE(parser->complete());
    return r;
}

inline Response ask(const zone::ZoneSet& zones, const std::vector<std::uint8_t>& query,
                    Transport transport = Transport::Udp, ProcessorOptions options = {}) {
    QueryProcessor processor(std::move(options));
    std::vector<std::uint8_t> buffer(65535);
    QueryContext context;
    context.transport = transport;
    const std::size_t n = processor.process(zones, query, buffer, context);
    return parseResponse({buffer.data(), n});
}

inline Response ask(const zone::ZoneSet& zones, const QuerySpec& spec,
                    Transport transport = Transport::Udp, ProcessorOptions options = {}) {
    return ask(zones, makeQuery(spec), transport, std::move(options));
}

}  // namespace dnsfleet::authd::testing
