// Fuzzes the incoming zone-transfer reader as a secondary meets it. The input is one mode
// octet (bit 0: IXFR from serial 1, else AXFR) and then messages, each behind a 2-octet length
// as on TCP (RFC 7766 §8). They go to an XfrReader for example.com. with small limits; when
// the reader says Done, finish() builds the new version against a fixed base zone.
//
// What must hold whatever the bytes: no crash or sanitizer report; an error is final; Done
// means a new version is either built or refused, never half made; a built version is
// example.com. at the serial the reader announced and within the limits.
//
// Seeds (tests/fuzz/corpus/xfr/) were written with dnspython: AXFR in one and in three
// messages, an AXFR without its closing SOA, IXFR with two sequences in two messages, an
// AXFR-style IXFR, an up-to-date SOA, NOTIMP/NOTAUTH answers, and an SRV whose target an
// RFC 2052 primary compressed (patched into a dnspython message).

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <span>
#include <string>

#include "dnswire/name.hpp"
#include "dnswire/rrtype.hpp"
#include "xfr/diff.hpp"
#include "xfr/xfr_reader.hpp"
#include "zone/builder.hpp"
#include "zone/parser.hpp"

using namespace dnsfleet;

namespace {

[[noreturn]] void broken(const char* what, const std::string& detail = {}) {
    std::fprintf(stderr, "fuzz_xfr: %s %s\n", what, detail.c_str());
    std::abort();
}

const dnswire::Name& apex() {
    static const dnswire::Name name = *dnswire::Name::fromText("example.com.");
    return name;
}

// The version at serial 1 that the IXFR seeds lead away from.
std::shared_ptr<const zone::Zone> baseZone() {
    static const std::shared_ptr<const zone::Zone> base = [] {
        zone::ParseOptions options;
        options.origin = apex();
        options.allowInclude = false;
        zone::ZoneBuilder builder(apex());
        const char* text =
            "$TTL 300\n"
            "@ SOA ns admin 1 3600 600 86400 300\n"
            "@ NS ns\n"
            "ns A 192.0.2.53\n"
            "www A 192.0.2.1\n"
            "old A 192.0.2.99\n";
        auto parsed = zone::parseZoneText(
            text, "base.zone", options, [&](const zone::RecordView& r) { return builder.add(r); });
        if (!parsed) broken("base zone does not parse");
        auto built = builder.build();
        if (!built) broken("base zone does not build");
        return std::shared_ptr<const zone::Zone>(*built);
    }();
    return base;
}

constexpr std::size_t kMaxRecords = 64;
constexpr std::size_t kMaxBytes = 8192;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    const bool ixfr = (data[0] & 1) != 0;
    xfr::SizeLimits limits;
    limits.maxRecords = kMaxRecords;
    limits.maxBytes = kMaxBytes;
    xfr::XfrReader reader(apex(), ixfr ? dnswire::rrtype::IXFR : dnswire::rrtype::AXFR,
                          ixfr ? std::optional<std::uint32_t>(1) : std::nullopt, limits);
    const std::span<const std::uint8_t> input(data + 1, size - 1);
    std::size_t pos = 0;
    bool done = false;
    bool failed = false;
    std::string firstError;
    while (input.size() - pos >= 2) {
        const std::size_t length = (std::size_t{input[pos]} << 8) | input[pos + 1];
        pos += 2;
        if (input.size() - pos < length) break;
        auto progress = reader.feed(input.subspan(pos, length));
        pos += length;
        if (!progress) {
            if (failed && progress.error() != firstError) broken("error changed", progress.error());
            if (!failed) firstError = progress.error();
            failed = true;
            continue;
        }
        if (failed) broken("a message was accepted after an error");
        if (done) broken("a message was accepted after Done");
        done = *progress == xfr::XfrReader::Progress::Done;
    }
    if (!done || failed) {
        if (reader.finish(baseZone())) broken("finish() succeeded without a complete transfer");
        return 0;
    }
    auto zone = reader.finish(baseZone());
    if (!zone) return 0;
    const zone::Zone& built = **zone;
    if (!dnswire::equalNames(built.apex(), apex())) broken("built zone has another apex");
    if (xfr::zoneSerial(built) != reader.serial() && reader.kind() != xfr::XfrKind::UpToDate)
        broken("built zone serial differs from the transfer's");
    if (reader.kind() == xfr::XfrKind::UpToDate && zone->get() != baseZone().get())
        broken("up to date but not the current version");
    if (built.recordCount() > kMaxRecords && reader.kind() != xfr::XfrKind::UpToDate)
        broken("built zone over the record limit");
    return 0;
}
