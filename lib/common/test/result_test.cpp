#include "common/result.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace dnsfleet {
namespace {

enum class Err { Bad, Worse };

Result<int, Err> half(int x) {
    if (x % 2 != 0) return fail(Err::Bad);
    return x / 2;
}

Result<int, Err> quarter(int x) {
    auto h = half(x);
    DNSFLEET_TRY(h);
    return half(*h);
}

TEST(Result, HoldsValueOrError) {
    auto ok = half(8);
    ASSERT_TRUE(ok.has_value());
    EXPECT_EQ(*ok, 4);
    auto bad = half(3);
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error(), Err::Bad);
    EXPECT_EQ(bad.value_or(-1), -1);
}

TEST(Result, TryPropagatesTheFirstError) {
    EXPECT_EQ(*quarter(8), 2);
    EXPECT_EQ(quarter(6).error(), Err::Bad);
    EXPECT_EQ(quarter(5).error(), Err::Bad);
}

TEST(Result, OwnsNonTrivialValuesAndErrors) {
    Result<std::string, std::string> a = std::string(100, 'x');
    Result<std::string, std::string> b = fail(std::string("no"));
    Result<std::string, std::string> c = a;
    c = b;
    EXPECT_EQ(c.error(), "no");
    b = std::move(a);
    EXPECT_EQ(b->size(), 100U);
    Result<std::unique_ptr<int>, Err> moved = std::make_unique<int>(7);
    auto taken = std::move(moved).value();
    EXPECT_EQ(*taken, 7);
}

TEST(Result, VoidResultCarriesOnlyErrors) {
    Result<void, Err> ok;
    EXPECT_TRUE(ok);
    Result<void, Err> bad = fail(Err::Worse);
    EXPECT_FALSE(bad);
    EXPECT_EQ(bad.error(), Err::Worse);
}

}  // namespace
}  // namespace dnsfleet
