// libFuzzer target for the zone-file parser: arbitrary bytes as a zone file, $INCLUDE off.
// Besides "no crash, no leak, no hang", every record the parser accepts must print and read
// back to the same record (the printer's promise), which also exercises the RDATA converters
// in both directions.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "zone/parser.hpp"
#include "zone/printer.hpp"

namespace {

using dnsfleet::Result;
using dnsfleet::zone::ParseOptions;
using dnsfleet::zone::RecordView;

struct Owned {
    std::vector<std::uint8_t> owner;
    std::uint16_t type = 0;
    std::uint16_t rclass = 0;
    std::uint32_t ttl = 0;
    std::vector<std::uint8_t> rdata;

    bool operator==(const Owned&) const = default;
};

Owned own(const RecordView& r) {
    return {{r.owner.wire().begin(), r.owner.wire().end()},
            r.type,
            r.rclass,
            r.ttl,
            {r.rdata.begin(), r.rdata.end()}};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const ParseOptions options = [] {
        ParseOptions o;
        o.origin = *dnsfleet::dnswire::Name::fromText("example.com.");
        o.allowInclude = false;
        o.maxErrors = 50;
        return o;
    }();
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    std::string printed;
    std::size_t records = 0;
    (void)dnsfleet::zone::parseZoneText(text, "fuzz.zone", options, [&](const RecordView& r) {
        // Bounded: a 1 MB input holds at most ~100k records; round-trip the first ones only.
        if (++records > 64) return Result<void, std::string>();
        printed.clear();
        dnsfleet::zone::printRecord(r, printed);
        const Owned original = own(r);
        std::size_t again = 0;
        auto reread =
            dnsfleet::zone::parseZoneText(printed, "printed", options, [&](const RecordView& back) {
                ++again;
                if (!(own(back) == original)) std::abort();  // printed form reads differently
                return Result<void, std::string>();
            });
        if (!reread || again != 1) std::abort();  // the printer wrote something unreadable
        return Result<void, std::string>();
    });
    return 0;
}
