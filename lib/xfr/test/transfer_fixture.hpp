#pragma once
// Helpers shared by the incoming-transfer tests: records written as presentation text, zones
// from zone-file text, and transfer responses built by hand with MessageBuilder (not with
// XfrWriter, so that the reader is checked against messages nobody's writer produced).

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "dnswire/message.hpp"
#include "dnswire/name.hpp"
#include "dnswire/rrtype.hpp"
#include "xfr/diff.hpp"
#include "xfr/record_list.hpp"
#include "zone/builder.hpp"
#include "zone/parser.hpp"

namespace dnsfleet::xfr::test {

inline dnswire::Name name(const std::string& text) {
    auto parsed = dnswire::Name::fromText(text);
    EXPECT_TRUE(parsed) << text;
    return parsed ? *parsed : dnswire::Name();
}

/// One record in presentation form: `owner TYPE rdata`, TTL 300, class IN.
struct Rec {
    std::string owner;
    std::string type;
    std::string rdata;
    std::uint32_t ttl = 300;
    std::uint16_t rclass = dnswire::rrclass::IN;
};

inline Rec soa(std::uint32_t serial, const std::string& apex = "example.com.") {
    return {apex, "SOA",
            "ns." + apex + " admin." + apex + " " + std::to_string(serial) + " 3600 600 86400 300"};
}

/// The wire form of a record (owner and RDATA), kept alive for a RecordView.
struct WireRec {
    dnswire::Name owner;
    std::uint16_t type = 0;
    std::uint16_t rclass = dnswire::rrclass::IN;
    std::uint32_t ttl = 0;
    std::vector<std::uint8_t> rdata;

    [[nodiscard]] zone::RecordView view() const { return {owner, type, rclass, ttl, rdata}; }
};

inline WireRec toWire(const Rec& rec) {
    WireRec out;
    out.owner = name(rec.owner);
    auto type = dnswire::typeFromText(rec.type);
    EXPECT_TRUE(type) << rec.type;
    out.type = type.value_or(0);
    out.rclass = rec.rclass;
    out.ttl = rec.ttl;
    auto converted = dnswire::rdataFromString(out.type, rec.rdata, dnswire::NameView(), out.rdata);
    EXPECT_TRUE(converted) << rec.owner << " " << rec.type << " " << rec.rdata << ": "
                           << (converted ? "" : converted.error());
    return out;
}

inline RecordList recordList(const std::vector<Rec>& records) {
    RecordList list;
    for (const Rec& rec : records)
        list.add(toWire(rec).view());
    return list;
}

inline std::shared_ptr<const zone::Zone> zoneFromText(const std::string& text,
                                                      const std::string& apex = "example.com.") {
    zone::ParseOptions options;
    options.origin = name(apex);
    options.allowInclude = false;
    zone::ZoneBuilder builder(options.origin);
    auto parsed = zone::parseZoneText(text, "test.zone", options,
                                      [&](const zone::RecordView& r) { return builder.add(r); });
    if (!parsed) {
        for (const auto& e : parsed.error())
            ADD_FAILURE() << e.toString();
        return nullptr;
    }
    auto built = builder.build();
    if (!built) {
        for (const auto& e : built.error())
            ADD_FAILURE() << e;
        return nullptr;
    }
    return *built;
}

/// The slow path by hand, what applyDiffs must equal: the base's records, every diff's
/// removals and additions in order, built by ZoneBuilder.
inline std::shared_ptr<const zone::Zone> rebuilt(const zone::Zone& base,
                                                 std::span<const ZoneDiff> diffs) {
    zone::ZoneBuilder builder = zone::ZoneBuilder::from(base);
    for (const ZoneDiff& d : diffs) {
        for (const zone::RecordView record : d.removed)
            builder.remove(record);
        for (const zone::RecordView record : d.added)
            EXPECT_TRUE(builder.add(record));
    }
    auto built = builder.build();
    EXPECT_TRUE(built);
    return built ? *built : nullptr;
}

/// What a transfer response message looks like; the defaults are a normal AXFR message.
struct MessageSpec {
    std::string qname = "example.com.";
    std::uint16_t qtype = dnswire::rrtype::AXFR;
    bool question = true;
    std::uint16_t rcode = dnswire::rcode::NOERROR;
    std::uint16_t id = 0x4242;
};

/// A response message carrying `records` in the answer section, built with MessageBuilder
/// (owners and RFC 1035 RDATA names compressed, as real primaries send them).
inline std::vector<std::uint8_t> response(const std::vector<Rec>& records,
                                          const MessageSpec& spec = {}) {
    static std::array<std::uint8_t, 65535> buffer;
    dnswire::Header header;
    header.id = spec.id;
    header.flags = dnswire::flag::QR | dnswire::flag::AA;
    auto builder = dnswire::MessageBuilder::start(header, buffer);
    EXPECT_TRUE(builder);
    builder->setRcode(spec.rcode);
    if (spec.question) {
        EXPECT_TRUE(builder->addQuestion(name(spec.qname), spec.qtype, dnswire::rrclass::IN));
    }
    for (const Rec& rec : records) {
        const WireRec wire = toWire(rec);
        EXPECT_TRUE(builder->addRecord(dnswire::Section::Answer, wire.owner, wire.type, wire.rclass,
                                       wire.ttl, wire.rdata))
            << rec.owner;
    }
    return {builder->wire().begin(), builder->wire().end()};
}

inline std::vector<std::uint8_t> ixfrResponse(const std::vector<Rec>& records,
                                              bool question = true) {
    MessageSpec spec;
    spec.qtype = dnswire::rrtype::IXFR;
    spec.question = question;
    return response(records, spec);
}

/// The text of every record of `zone` of `type` at `owner`, in presentation form.
inline std::vector<std::string> rdataAt(const zone::Zone& zone, const std::string& owner,
                                        const std::string& type) {
    std::vector<std::string> out;
    const zone::Node* node = zone.find(name(owner));
    if (node == nullptr) return out;
    const auto code = dnswire::typeFromText(type);
    for (const auto rdata : zone.rrset(*node, code.value_or(0))) {
        std::string text;
        EXPECT_TRUE(dnswire::rdataToText(code.value_or(0), rdata, text));
        out.push_back(text);
    }
    return out;
}

}  // namespace dnsfleet::xfr::test
