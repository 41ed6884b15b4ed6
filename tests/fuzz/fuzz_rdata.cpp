// Fuzzes the RR type registry: RDATA of the type named by the first two input octets is read
// as if from a message (the two octets stand in for the message before it, so compression
// pointers have somewhere to point), then printed and parsed back. Accepted RDATA must print,
// and its text must give back the very same octets: zone printing and transfers depend on it.

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <string>
#include <vector>

#include "dnswire/rrtype.hpp"

using namespace dnsfleet::dnswire;

namespace {

[[noreturn]] void mismatch(const char* what, std::uint16_t type, const std::string& text) {
    std::fprintf(stderr, "%s for type %u: %s\n", what, type, text.c_str());
    std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2) return 0;
    const auto type = static_cast<std::uint16_t>((data[0] << 8) | data[1]);
    const std::span<const std::uint8_t> packet(data, size);

    std::vector<std::uint8_t> wire;
    if (!rdataFromWire(type, packet, 2, size - 2, wire)) return 0;
    if (!validateRdata(type, wire)) mismatch("rdataFromWire accepted invalid RDATA", type, "");

    std::array<RdataName, 4> names{};
    const std::size_t count = rdataNames(type, wire, names);
    for (std::size_t i = 0; i < count; ++i) {
        if (names[i].offset + names[i].length > wire.size())
            mismatch("rdataNames points outside the RDATA", type, "");
    }

    std::string text;
    if (!rdataToText(type, wire, text)) mismatch("valid RDATA does not print", type, "");

    std::vector<std::uint8_t> again;
    auto parsed = rdataFromString(type, text, NameView(), again);
    if (!parsed) mismatch("printed RDATA does not parse", type, text + " -> " + parsed.error());
    if (again != wire) mismatch("text round trip changed the RDATA", type, text);

    std::vector<std::uint8_t> canonical = wire;
    canonicalizeRdata(type, canonical);
    if (!validateRdata(type, canonical)) mismatch("canonical form is invalid", type, text);
    return 0;
}
