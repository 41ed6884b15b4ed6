#pragma once
// Helpers shared by the TSIG tests: building small messages, and rewriting a TSIG record the
// way a tampering peer would (without recomputing anything).

#include <gtest/gtest.h>

#include <cstdint>
#include <string_view>
#include <vector>

#include "dnswire/encoding.hpp"
#include "dnswire/message.hpp"
#include "dnswire/rrtype.hpp"
#include "dnswire/tsig.hpp"

namespace dnsfleet::dnswire::tsig_test {

inline constexpr std::uint64_t kNow = 1'750'000'000;

/// A message in a buffer with room for a TSIG record.
struct Message {
    std::vector<std::uint8_t> buffer = std::vector<std::uint8_t>(4096);
    std::size_t length = 0;

    [[nodiscard]] std::span<const std::uint8_t> wire() const { return {buffer.data(), length}; }
    [[nodiscard]] std::vector<std::uint8_t> bytes() const {
        return {buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(length)};
    }
};

inline Name name(std::string_view text) {
    auto n = Name::fromText(text);
    EXPECT_TRUE(n.has_value()) << text;
    return n ? *n : Name();
}

inline Message makeQuery(std::string_view qname, std::uint16_t qtype, std::uint16_t id) {
    Message m;
    Header h;
    h.id = id;
    auto b = MessageBuilder::start(h, m.buffer);
    EXPECT_TRUE(b.has_value());
    EXPECT_TRUE(b->addQuestion(name(qname), qtype, rrclass::IN).has_value());
    m.length = b->size();
    return m;
}

/// A response to `query` (same ID and question) with `records` A records in the answer.
inline Message makeResponse(const Message& query, int records, int seed = 0) {
    auto q = parseQuery(query.wire());
    EXPECT_TRUE(q.has_value());
    Message m;
    auto b = MessageBuilder::respondTo(*q, query.wire(), m.buffer);
    EXPECT_TRUE(b.has_value());
    for (int i = 0; i < records; ++i) {
        const std::uint8_t a[4] = {192, 0, 2, static_cast<std::uint8_t>(seed * 16 + i)};
        EXPECT_TRUE(b->addRecord(Section::Answer, q->qname, rrtype::A, rrclass::IN, 300, a));
    }
    m.length = b->size();
    return m;
}

inline TsigKey key(std::string_view keyName, std::string_view algorithm,
                   std::string_view secret = "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0IQ==") {
    auto k = makeTsigKey(keyName, algorithm, secret);
    EXPECT_TRUE(k.has_value()) << (k ? "" : k.error());
    return k ? *k : TsigKey{};
}

inline std::vector<std::uint8_t> fromHex(std::string_view hex) {
    std::vector<std::uint8_t> out;
    EXPECT_TRUE(decodeHex(hex, out));
    return out;
}

inline TsigRecord tsigOf(std::span<const std::uint8_t> wire) {
    auto found = findTsig(wire);
    EXPECT_TRUE(found.has_value());
    EXPECT_TRUE(found && found->has_value());
    return (found && *found) ? **found : TsigRecord{};
}

/// Replaces the message's TSIG record by `record` as written (owner and algorithm
/// uncompressed), without touching anything else: what a tampering peer sends.
inline std::vector<std::uint8_t> withTsig(std::span<const std::uint8_t> wire,
                                          const TsigRecord& record,
                                          std::span<const std::uint8_t> mac) {
    std::vector<std::uint8_t> out(wire.begin(),
                                  wire.begin() + static_cast<std::ptrdiff_t>(record.offset));
    const auto u16 = [&out](std::uint32_t v) {
        out.push_back(static_cast<std::uint8_t>(v >> 8));
        out.push_back(static_cast<std::uint8_t>(v));
    };
    const auto bytes = [&out](std::span<const std::uint8_t> b) {
        out.insert(out.end(), b.begin(), b.end());
    };
    bytes(record.keyName.wire());
    u16(rrtype::TSIG);
    u16(rrclass::ANY);
    u16(0);
    u16(0);
    const std::size_t rdlength = out.size();
    u16(0);
    bytes(record.algorithm.wire());
    u16(static_cast<std::uint32_t>(record.timeSigned >> 32));
    u16(static_cast<std::uint32_t>(record.timeSigned >> 16) & 0xFFFF);
    u16(static_cast<std::uint32_t>(record.timeSigned) & 0xFFFF);
    u16(record.fudge);
    u16(static_cast<std::uint32_t>(mac.size()));
    bytes(mac);
    u16(record.originalId);
    u16(record.error);
    u16(record.otherSize);
    bytes({record.other.data(), record.otherSize});
    const std::size_t size = out.size() - rdlength - 2;
    out[rdlength] = static_cast<std::uint8_t>(size >> 8);
    out[rdlength + 1] = static_cast<std::uint8_t>(size);
    return out;
}

}  // namespace dnsfleet::dnswire::tsig_test
