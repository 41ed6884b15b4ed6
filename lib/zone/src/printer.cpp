#include "zone/printer.hpp"

#include <string>

#include "dnswire/rrtype.hpp"

namespace dnsfleet::zone {

namespace {

void appendGeneric(std::span<const std::uint8_t> rdata, std::string& out) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    out += "\\# ";
    out += std::to_string(rdata.size());
    if (!rdata.empty()) out += ' ';
    for (const std::uint8_t byte : rdata) {
        out += kHex[byte >> 4];
        out += kHex[byte & 0x0F];
    }
}

}  // namespace

void printRecord(const RecordView& record, std::string& out) {
    record.owner.appendText(out);
    out += ' ';
    out += std::to_string(record.ttl);
    out += ' ';
    if (record.rclass == dnswire::rrclass::IN) {
        out += "IN";
    } else {
        out += dnswire::classToText(record.rclass);
    }
    out += ' ';
    dnswire::appendTypeText(record.type, out);
    out += ' ';
    const std::size_t rdataStart = out.size();
    if (!dnswire::rdataToText(record.type, record.rdata, out)) {
        // RDATA that does not fit its type's layout still prints, opaquely (RFC 3597 §5), so
        // that nothing a transfer delivered is lost when the zone is written out.
        out.resize(rdataStart);
        appendGeneric(record.rdata, out);
    }
    out += '\n';
}

}  // namespace dnsfleet::zone
