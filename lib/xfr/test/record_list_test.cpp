// RecordList: the arena of records diffs, transfers and the on-disk store pass around.

#include "xfr/record_list.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "dnswire/name.hpp"

namespace dnsfleet::xfr {
namespace {

dnswire::Name name(const char* text) {
    return *dnswire::Name::fromText(text);
}

RecordList sample() {
    RecordList list;
    const auto www = name("www.Example.");
    const auto apex = name("example.");
    const std::vector<std::uint8_t> a = {192, 0, 2, 1};
    const std::vector<std::uint8_t> empty;
    list.add({www, 1, 1, 300, a});
    list.add({apex, 10, 1, 0, empty});  // NULL with no RDATA
    list.add({www, 16, 1, 0xFFFFFFFFU, std::vector<std::uint8_t>{3, 'a', 'b', 'c'}});
    return list;
}

TEST(RecordList, KeepsRecordsInOrder) {
    const RecordList list = sample();
    ASSERT_EQ(list.size(), 3U);
    auto it = list.begin();
    EXPECT_EQ((*it).owner.toText(), "www.Example.");  // stored as given
    EXPECT_EQ((*it).type, 1);
    EXPECT_EQ((*it).ttl, 300U);
    EXPECT_EQ((*it).rdata.size(), 4U);
    ++it;
    EXPECT_EQ((*it).type, 10);
    EXPECT_TRUE((*it).rdata.empty());
    ++it;
    EXPECT_EQ((*it).ttl, 0xFFFFFFFFU);
    ++it;
    EXPECT_TRUE(it == list.end());
    EXPECT_EQ(list.front().type, 1);
    // owner + type, class, TTL, rdlength + RDATA, plus one length octet per owner
    EXPECT_EQ(list.bytes(), (1 + 13 + 10 + 4) + (1 + 9 + 10) + (1 + 13 + 10 + 4));
}

TEST(RecordList, RawRoundTrip) {
    const RecordList list = sample();
    RecordList copy;
    ASSERT_TRUE(copy.assignRaw(list.raw()));
    EXPECT_EQ(copy, list);
    EXPECT_EQ(copy.size(), 3U);

    RecordList empty;
    EXPECT_TRUE(empty.assignRaw({}));
    EXPECT_TRUE(empty.empty());
}

TEST(RecordList, AppendConcatenates) {
    RecordList list = sample();
    list.append(sample());
    EXPECT_EQ(list.size(), 6U);
    EXPECT_EQ(list.bytes(), 2 * sample().bytes());
    list.clear();
    EXPECT_TRUE(list.empty());
    EXPECT_EQ(list.bytes(), 0U);
}

TEST(RecordList, AssignRawRejectsGarbage) {
    const RecordList good = sample();
    const auto raw = std::vector<std::uint8_t>(good.raw().begin(), good.raw().end());
    auto rejects = [](const std::vector<std::uint8_t>& bytes) {
        RecordList list = sample();
        const bool ok = list.assignRaw(bytes);
        // A refused input leaves the list empty, never half-filled.
        return !ok && list.empty();
    };
    // Cut anywhere inside the last entry.
    for (std::size_t cut = good.raw().size() - 1; cut > good.raw().size() - 28; --cut)
        EXPECT_TRUE(rejects({raw.begin(), raw.begin() + static_cast<std::ptrdiff_t>(cut)})) << cut;
    // An owner length of zero.
    auto zeroOwner = raw;
    zeroOwner[0] = 0;
    EXPECT_TRUE(rejects(zeroOwner));
    // An owner that is not a name (a label running past its end).
    auto badName = raw;
    badName[1] = 40;
    EXPECT_TRUE(rejects(badName));
    // An owner whose declared length overruns the input.
    EXPECT_TRUE(rejects({200, 3, 'w', 'w', 'w', 0}));
    // An RDATA length pointing past the end.
    auto longRdata = raw;
    longRdata[1 + 13 + 8] = 0x7F;
    EXPECT_TRUE(rejects(longRdata));
    // Random noise.
    std::vector<std::uint8_t> noise(64);
    for (std::size_t i = 0; i < noise.size(); ++i)
        noise[i] = static_cast<std::uint8_t>(i * 37 + 11);
    EXPECT_TRUE(rejects(noise));
}

}  // namespace
}  // namespace dnsfleet::xfr
