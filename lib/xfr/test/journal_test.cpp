// The IXFR journal: a chain of diffs, bounded by size, depth and age, never losing the newest.

#include "xfr/journal.hpp"

#include <gtest/gtest.h>

namespace dnsfleet::xfr {
namespace {

// A diff from `from` to `to` carrying `filler` octets of RDATA, made at `createdAt`.
std::shared_ptr<const ZoneDiff> step(std::uint32_t from, std::uint32_t to,
                                     std::int64_t createdAt = 0, std::size_t filler = 10) {
    auto diff = std::make_shared<ZoneDiff>();
    diff->fromSerial = from;
    diff->toSerial = to;
    diff->createdAt = createdAt;
    static const std::uint8_t owner[] = {7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0};
    const std::vector<std::uint8_t> rdata(filler, 0xAB);
    zone::RecordView record{dnswire::NameView::fromTrusted(owner, sizeof owner), 16, 1, 60, rdata};
    diff->removed.add(record);
    diff->added.add(record);
    return diff;
}

std::vector<std::uint32_t> serialsOf(const std::vector<std::shared_ptr<const ZoneDiff>>& diffs) {
    std::vector<std::uint32_t> out;
    out.reserve(diffs.size());
    for (const auto& d : diffs)
        out.push_back(d->fromSerial);
    return out;
}

TEST(Journal, ChainsDiffsAndAnswersSince) {
    auto j = std::make_shared<const Journal>();
    EXPECT_TRUE(j->empty());
    EXPECT_FALSE(j->since(1));  // nothing known: AXFR
    const JournalLimits unlimited{0, 0, std::chrono::seconds(0)};
    for (std::uint32_t s = 1; s < 5; ++s)
        j = j->append(step(s, s + 1), unlimited, 0);
    EXPECT_EQ(j->depth(), 4U);
    EXPECT_EQ(j->firstSerial(), 1U);
    EXPECT_EQ(j->lastSerial(), 5U);
    EXPECT_EQ(serialsOf(*j->since(1)), (std::vector<std::uint32_t>{1, 2, 3, 4}));
    EXPECT_EQ(serialsOf(*j->since(3)), (std::vector<std::uint32_t>{3, 4}));
    const auto upToDate = j->since(5);
    ASSERT_TRUE(upToDate);
    EXPECT_TRUE(upToDate->empty());
    EXPECT_FALSE(j->since(0));   // older than the history
    EXPECT_FALSE(j->since(99));  // never existed
    EXPECT_EQ(j->bytes(), 4 * step(1, 2)->bytes());
}

TEST(Journal, AppendLeavesTheOldJournalAsItWas) {
    const JournalLimits limits{0, 2, std::chrono::seconds(0)};
    auto a = std::make_shared<const Journal>()->append(step(1, 2), limits, 0);
    auto b = a->append(step(2, 3), limits, 0);
    auto c = b->append(step(3, 4), limits, 0);
    EXPECT_EQ(a->depth(), 1U);
    EXPECT_EQ(b->depth(), 2U);
    EXPECT_EQ(c->depth(), 2U);
    EXPECT_EQ(c->firstSerial(), 2U);
    EXPECT_EQ(b->firstSerial(), 1U);
    EXPECT_EQ(b->diffs()[1], c->diffs()[0]);  // shared, not copied
}

TEST(Journal, GapStartsANewHistory) {
    const JournalLimits limits;
    auto j = std::make_shared<const Journal>()->append(step(1, 2), limits, 0);
    j = j->append(step(2, 3), limits, 0);
    j = j->append(step(7, 8), limits, 0);  // serial 3 → 7 happened without a diff
    EXPECT_EQ(j->depth(), 1U);
    EXPECT_EQ(j->firstSerial(), 7U);
    EXPECT_FALSE(j->since(2));
    EXPECT_EQ(j->bytes(), step(7, 8)->bytes());
}

TEST(Journal, ByteLimitDropsTheOldestButKeepsTheNewest) {
    const std::size_t one = step(1, 2, 0, 100)->bytes();
    const JournalLimits limits{one * 3, 0, std::chrono::seconds(0)};
    auto j = std::make_shared<const Journal>();
    for (std::uint32_t s = 1; s <= 5; ++s)
        j = j->append(step(s, s + 1, 0, 100), limits, 0);
    EXPECT_EQ(j->depth(), 3U);
    EXPECT_EQ(j->firstSerial(), 3U);
    EXPECT_LE(j->bytes(), one * 3);
    // A single diff over the limit is still kept: the newest step is always servable.
    j = j->append(step(6, 7, 0, 10000), limits, 0);
    EXPECT_EQ(j->depth(), 1U);
    EXPECT_EQ(j->lastSerial(), 7U);
    EXPECT_GT(j->bytes(), one * 3);
}

TEST(Journal, DepthLimit) {
    const JournalLimits limits{0, 3, std::chrono::seconds(0)};
    auto j = std::make_shared<const Journal>();
    for (std::uint32_t s = 10; s < 20; ++s)
        j = j->append(step(s, s + 1), limits, 0);
    EXPECT_EQ(j->depth(), 3U);
    EXPECT_EQ(j->firstSerial(), 17U);
    EXPECT_EQ(j->lastSerial(), 20U);
}

TEST(Journal, AgeLimit) {
    const JournalLimits limits{0, 0, std::chrono::seconds(3600)};
    auto j = std::make_shared<const Journal>();
    j = j->append(step(1, 2, 1000), limits, 1000);
    j = j->append(step(2, 3, 3000), limits, 3000);
    j = j->append(step(3, 4, 4700), limits, 4700);  // the first is 3700 s old now
    EXPECT_EQ(j->firstSerial(), 2U);
    j = j->append(step(4, 5, 100000), limits, 100000);
    EXPECT_EQ(j->depth(), 1U);  // all older ones expired; the newest stays
    EXPECT_EQ(j->firstSerial(), 4U);
}

TEST(Journal, SerialsWrapAround) {
    const JournalLimits limits;
    auto j = std::make_shared<const Journal>();
    j = j->append(step(0xFFFFFFFEU, 0xFFFFFFFFU), limits, 0);
    j = j->append(step(0xFFFFFFFFU, 0), limits, 0);
    j = j->append(step(0, 1), limits, 0);
    EXPECT_EQ(j->depth(), 3U);
    EXPECT_EQ(j->since(0xFFFFFFFFU)->size(), 2U);
}

}  // namespace
}  // namespace dnsfleet::xfr
