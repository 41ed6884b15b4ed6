#pragma once
// Builds zones from hand-made RDATA, so the model can be tested without the zone-file parser.

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "dnswire/name.hpp"
#include "dnswire/rrtype.hpp"
#include "dnswire/wire.hpp"
#include "zone/builder.hpp"

namespace dnsfleet::zone::testing {

inline dnswire::Name name(const std::string& text) {
    auto n = dnswire::Name::fromText(text);
    if (!n) throw std::runtime_error("bad name " + text);
    return *n;
}

inline std::vector<std::uint8_t> nameRdata(const std::string& text) {
    const auto n = name(text);
    return {n.wire().begin(), n.wire().end()};
}

inline void putU16(std::vector<std::uint8_t>& out, std::uint16_t v) {
    out.push_back(static_cast<std::uint8_t>(v >> 8));
    out.push_back(static_cast<std::uint8_t>(v));
}
inline void putU32(std::vector<std::uint8_t>& out, std::uint32_t v) {
    putU16(out, static_cast<std::uint16_t>(v >> 16));
    putU16(out, static_cast<std::uint16_t>(v));
}

inline std::vector<std::uint8_t> aRdata(std::uint8_t a, std::uint8_t b, std::uint8_t c,
                                        std::uint8_t d) {
    return {a, b, c, d};
}

inline std::vector<std::uint8_t> soaRdata(std::uint32_t minimum = 300) {
    auto out = nameRdata("ns1.example.");
    const auto rname = nameRdata("hostmaster.example.");
    out.insert(out.end(), rname.begin(), rname.end());
    for (std::uint32_t v : {2024010101U, 3600U, 600U, 86400U, minimum})
        putU32(out, v);
    return out;
}

inline std::vector<std::uint8_t> mxRdata(std::uint16_t pref, const std::string& host) {
    std::vector<std::uint8_t> out;
    putU16(out, pref);
    const auto n = nameRdata(host);
    out.insert(out.end(), n.begin(), n.end());
    return out;
}

/// A minimal RRSIG RDATA covering `covered` (signature bytes are dummies).
inline std::vector<std::uint8_t> rrsigRdata(std::uint16_t covered, std::uint8_t labels,
                                            std::uint32_t originalTtl) {
    std::vector<std::uint8_t> out;
    putU16(out, covered);
    out.push_back(13);
    out.push_back(labels);
    putU32(out, originalTtl);
    putU32(out, 2000000000U);
    putU32(out, 1600000000U);
    putU16(out, 12345);
    const auto signer = nameRdata("example.");
    out.insert(out.end(), signer.begin(), signer.end());
    for (int i = 0; i < 8; ++i)
        out.push_back(static_cast<std::uint8_t>(i));
    return out;
}

struct Rec {
    std::string owner;
    std::uint16_t type;
    std::uint32_t ttl;
    std::vector<std::uint8_t> rdata;
};

inline void addAll(ZoneBuilder& builder, const std::vector<Rec>& records) {
    for (const auto& r : records) {
        const auto owner = name(r.owner);
        auto ok = builder.add(RecordView{owner, r.type, 1, r.ttl, r.rdata});
        if (!ok) throw std::runtime_error(ok.error());
    }
}

/// SOA and NS at the apex of `example.`, plus `extra`.
inline std::vector<Rec> baseZone(std::vector<Rec> extra = {}) {
    namespace t = dnswire::rrtype;
    std::vector<Rec> records = {
        {"example.", t::SOA, 3600, soaRdata()},
        {"example.", t::NS, 3600, nameRdata("ns1.example.")},
        {"example.", t::NS, 3600, nameRdata("ns2.example.")},
        {"ns1.example.", t::A, 3600, aRdata(192, 0, 2, 1)},
        {"ns2.example.", t::A, 3600, aRdata(192, 0, 2, 2)},
    };
    records.insert(records.end(), extra.begin(), extra.end());
    return records;
}

inline Result<std::shared_ptr<const Zone>, std::vector<std::string>> buildZone(
    const std::vector<Rec>& records, std::vector<std::string>* warnings = nullptr,
    const std::string& apex = "example.") {
    ZoneBuilder builder(name(apex));
    addAll(builder, records);
    return builder.build(warnings);
}

}  // namespace dnsfleet::zone::testing
