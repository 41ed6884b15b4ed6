#include "controld/core/context.hpp"

#include <gtest/gtest.h>

namespace dnsfleet::controld {
namespace {

TEST(Timestamp, FormatsUtcWithMicrosecondsOnlyWhenPresent) {
    EXPECT_EQ(formatTimestamp(0), "1970-01-01T00:00:00Z");
    EXPECT_EQ(formatTimestamp(1'795'000'000'000'000), "2026-11-18T11:06:40Z");
    EXPECT_EQ(formatTimestamp(1'795'000'000'000'001), "2026-11-18T11:06:40.000001Z");
    EXPECT_EQ(formatTimestamp(-1), "1969-12-31T23:59:59.999999Z");
}

TEST(Timestamp, ParsesWhatItFormatsAndConvertsOffsetsToUtc) {
    for (Timestamp t :
         {Timestamp{0}, Timestamp{1'795'000'000'123'456}, Timestamp{951'782'400'000'000}}) {
        EXPECT_EQ(parseTimestamp(formatTimestamp(t)), t) << formatTimestamp(t);
    }
    EXPECT_EQ(parseTimestamp("2026-11-18T17:26:40+09:00"), parseTimestamp("2026-11-18T08:26:40Z"));
    EXPECT_EQ(parseTimestamp("2026-11-18T03:26:40.5-05:00"),
              parseTimestamp("2026-11-18T08:26:40.500000Z"));
}

TEST(Timestamp, RejectsMalformedAndImpossibleDates) {
    for (const char* bad : {"", "2026-11-18", "2026-11-18T08:26:40", "2026-13-01T00:00:00Z",
                            "2026-02-29T00:00:00Z", "2026-11-18T24:00:00Z", "2026-11-18T08:26:40.Z",
                            "2026-11-18T08:26:40Zjunk", "2026-11-18T08:26:40+0900"}) {
        EXPECT_FALSE(parseTimestamp(bad).has_value()) << bad;
    }
    EXPECT_TRUE(parseTimestamp("2024-02-29T00:00:00Z").has_value());
}

TEST(Role, NamesRoundTrip) {
    for (Role role : {Role::Viewer, Role::Operator, Role::Admin, Role::Owner}) {
        EXPECT_EQ(parseRole(roleName(role)), role);
    }
    EXPECT_FALSE(parseRole("root").has_value());
}

TEST(ServiceError, MapsToHttpStatuses) {
    EXPECT_EQ(httpStatus(invalid("x").code), 400);
    EXPECT_EQ(httpStatus(notFound().code), 404);
    EXPECT_EQ(httpStatus(conflict("x").code), 409);
    EXPECT_EQ(httpStatus(ErrorCode::PreconditionFailed), 412);
    EXPECT_EQ(httpStatus(ErrorCode::TooManyRequests), 429);
}

}  // namespace
}  // namespace dnsfleet::controld
