#include "controld/http/rate_limiter.hpp"

#include <gtest/gtest.h>

namespace dnsfleet::controld::http {
namespace {

constexpr Timestamp kSecond = 1'000'000;

TEST(RateLimiter, BurstThenRefill) {
    RateLimiter limiter(2.0, 4.0);
    const Timestamp start = 1000 * kSecond;
    for (int i = 0; i < 4; ++i)
        EXPECT_FALSE(limiter.take("a", start)) << i;
    const auto wait = limiter.take("a", start);
    ASSERT_TRUE(wait);
    EXPECT_EQ(*wait, 1);
    EXPECT_FALSE(limiter.take("b", start));  // another key, another bucket
    // Half a second gives one token at 2/s.
    EXPECT_FALSE(limiter.take("a", start + kSecond / 2));
    EXPECT_TRUE(limiter.take("a", start + kSecond / 2));
    // A long pause refills only up to the burst.
    for (int i = 0; i < 4; ++i)
        EXPECT_FALSE(limiter.take("a", start + 100 * kSecond)) << i;
    EXPECT_TRUE(limiter.take("a", start + 100 * kSecond));
}

TEST(RateLimiter, RetryAfterReflectsASlowRate) {
    RateLimiter limiter(0.1, 1.0);
    EXPECT_FALSE(limiter.take("a", 0));
    const auto wait = limiter.take("a", 0);
    ASSERT_TRUE(wait);
    EXPECT_EQ(*wait, 10);
}

TEST(RateLimiter, ManyKeysStayBoundedAndKeepLimitingActiveOnes) {
    RateLimiter limiter(1.0, 2.0, 100);
    EXPECT_FALSE(limiter.take("busy", 0));
    EXPECT_FALSE(limiter.take("busy", 0));
    for (int i = 0; i < 1000; ++i)
        (void)limiter.take("k" + std::to_string(i), 0);
    // Forgetting full buckets never lets a key exceed its burst: "busy" may have been evicted
    // only as one of the oldest, and then it starts over with a full bucket.
    int allowed = 0;
    for (int i = 0; i < 5; ++i)
        allowed += limiter.take("busy", 0) ? 0 : 1;
    EXPECT_LE(allowed, 2);
}

}  // namespace
}  // namespace dnsfleet::controld::http
