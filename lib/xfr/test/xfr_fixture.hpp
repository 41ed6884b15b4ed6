#pragma once
// Helpers for the lib/xfr tests: zones from zone-file text, records as comparable text, and a
// transfer run through XfrWriter into real messages and parsed back with MessageParser.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "dnswire/message.hpp"
#include "dnswire/name.hpp"
#include "dnswire/rrtype.hpp"
#include "xfr/record_list.hpp"
#include "xfr/xfr_writer.hpp"
#include "zone/builder.hpp"
#include "zone/parser.hpp"
#include "zone/zone.hpp"

namespace dnsfleet::xfr::testing {

inline dnswire::Name name(const std::string& text) {
    auto n = dnswire::Name::fromText(text);
    if (!n) throw std::runtime_error("bad name " + text);
    return *n;
}

/// `owner TTL TYPE RDATA`, owner lower-cased: the identity a transfer must preserve.
inline std::string recordText(const zone::RecordView& record) {
    dnswire::Name owner(record.owner);
    owner.toLower();
    std::string text = owner.toText() + " " + std::to_string(record.ttl) + " " +
                       dnswire::typeToText(record.type) + " ";
    if (!dnswire::rdataToText(record.type, record.rdata, text))
        throw std::runtime_error("bad RDATA in " + text);
    return text;
}

inline std::vector<std::string> sorted(std::vector<std::string> texts) {
    std::sort(texts.begin(), texts.end());
    return texts;
}

inline std::vector<std::string> texts(const RecordList& records) {
    std::vector<std::string> out;
    for (auto it = records.begin(); it != records.end(); ++it)
        out.push_back(recordText(*it));
    return out;
}

/// The records a zone-file text holds, straight from the parser (no ZoneBuilder involved).
inline std::vector<std::string> parsedTexts(const std::string& text, const std::string& apex) {
    zone::ParseOptions options;
    options.origin = name(apex);
    options.allowInclude = false;
    std::vector<std::string> out;
    auto parsed = zone::parseZoneText(text, "test.zone", options, [&](const zone::RecordView& r) {
        out.push_back(recordText(r));
        return Result<void, std::string>();
    });
    if (!parsed) throw std::runtime_error(parsed.error().front().toString());
    return out;
}

inline std::shared_ptr<const zone::Zone> zoneFromText(const std::string& text,
                                                      const std::string& apex = "example.") {
    zone::ZoneBuilder builder(name(apex));
    zone::ParseOptions options;
    options.origin = name(apex);
    options.allowInclude = false;
    auto parsed = zone::parseZoneText(text, "test.zone", options,
                                      [&](const zone::RecordView& r) { return builder.add(r); });
    if (!parsed) throw std::runtime_error(parsed.error().front().toString());
    auto built = builder.build();
    if (!built) throw std::runtime_error(built.error().front());
    return *built;
}

/// A zone with SOA serial `serial`, two NS and `hosts` A records `hN`.
inline std::string hostsZone(std::size_t hosts, std::uint32_t serial = 1) {
    std::string text =
        "$TTL 3600\n@ SOA ns1 hostmaster " + std::to_string(serial) +
        " 3600 600 86400 300\n@ NS ns1\n@ NS ns2\nns1 A 192.0.2.1\nns2 A 192.0.2.2\n";
    for (std::size_t i = 0; i < hosts; ++i) {
        text += "h" + std::to_string(i) + " A 10." + std::to_string((i >> 16) & 0xFF) + "." +
                std::to_string((i >> 8) & 0xFF) + "." + std::to_string(i & 0xFF) + "\n";
    }
    return text;
}

inline std::string readFile(const std::filesystem::path& path) {
    std::FILE* f = std::fopen(path.c_str(), "rb");
    if (f == nullptr) throw std::runtime_error("cannot open " + path.string());
    std::string out;
    char buffer[4096];
    std::size_t n = 0;
    while ((n = std::fread(buffer, 1, sizeof buffer, f)) > 0)
        out.append(buffer, n);
    std::fclose(f);
    return out;
}

inline std::filesystem::path sourceDir() {
    const char* dir = std::getenv("DNSFLEET_SOURCE_DIR");
    if (dir != nullptr) return dir;
    return std::filesystem::path(__FILE__).parent_path().parent_path().parent_path().parent_path();
}

/// What a transfer produced: the messages, and every answer record in order as text.
struct Transfer {
    std::vector<std::vector<std::uint8_t>> messages;
    std::vector<std::string> records;
    std::vector<std::uint16_t> types;
    std::size_t uncompressedBytes = 0;  ///< owner + fixed fields + RDATA of every record
};

/// Runs `writer` to the end with messages of at most `limit` octets (the first carries the
/// question) and parses every message back. Fails the test on any writer or parse error.
inline Transfer runTransfer(XfrWriter& writer, std::size_t limit, dnswire::NameView apex,
                            std::uint16_t qtype) {
    Transfer out;
    std::vector<std::uint8_t> buffer(65535);
    for (int guard = 0; guard < 1000000 && !writer.done(); ++guard) {
        dnswire::Header header;
        header.id = 4242;
        header.flags = dnswire::flag::QR | dnswire::flag::AA;
        auto started = dnswire::MessageBuilder::start(header, buffer);
        if (!started) throw std::runtime_error("start failed");
        dnswire::MessageBuilder& message = *started;
        message.setLimit(limit);
        if (out.messages.empty() && !message.addQuestion(apex, qtype, dnswire::rrclass::IN))
            throw std::runtime_error("question does not fit");
        auto more = writer.fill(message);
        if (!more) throw std::runtime_error(std::string(dnswire::describe(more.error())));
        out.messages.emplace_back(message.wire().begin(), message.wire().end());
        if (!*more) break;
    }
    for (const auto& wire : out.messages) {
        auto parser = dnswire::MessageParser::open(wire);
        if (!parser) throw std::runtime_error("message does not parse");
        dnswire::RecordRef ref;
        std::vector<std::uint8_t> rdata;
        for (;;) {
            auto more = parser->next(ref);
            if (!more) throw std::runtime_error("record does not parse");
            if (!*more) break;
            rdata.clear();
            if (!dnswire::rdataFromWire(ref.type, wire, ref.rdataOffset, ref.rdlength, rdata))
                throw std::runtime_error("RDATA does not parse");
            zone::RecordView view{ref.owner, ref.type, ref.rclass, ref.ttl, rdata};
            out.records.push_back(recordText(view));
            out.types.push_back(ref.type);
            out.uncompressedBytes += ref.owner.size() + 10 + rdata.size();
        }
        if (!parser->complete()) throw std::runtime_error("message has trailing bytes");
    }
    return out;
}

}  // namespace dnsfleet::xfr::testing
