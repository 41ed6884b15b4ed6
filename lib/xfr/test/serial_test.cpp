// RFC 1982 serial number arithmetic with SERIAL_BITS = 32.

#include "xfr/serial.hpp"

#include <gtest/gtest.h>

namespace dnsfleet::xfr {
namespace {

TEST(Serial, EqualIsEqual) {
    EXPECT_EQ(compareSerial(0, 0), SerialOrder::Equal);
    EXPECT_EQ(compareSerial(0xFFFFFFFFU, 0xFFFFFFFFU), SerialOrder::Equal);
}

TEST(Serial, PlainOrderWithinHalfTheSpace) {
    EXPECT_EQ(compareSerial(2, 1), SerialOrder::Greater);
    EXPECT_EQ(compareSerial(1, 2), SerialOrder::Less);
    // §3.2: i1 < i2 when i2 - i1 < 2^31 (the largest step forward is 2^31 - 1).
    EXPECT_EQ(compareSerial(0x7FFFFFFFU, 0), SerialOrder::Greater);
    EXPECT_EQ(compareSerial(0, 0x7FFFFFFFU), SerialOrder::Less);
}

TEST(Serial, WrapsAround) {
    // §5.2's example spirit: 0 follows 4294967295, and 100 follows 4294967000.
    EXPECT_EQ(compareSerial(0, 0xFFFFFFFFU), SerialOrder::Greater);
    EXPECT_EQ(compareSerial(0xFFFFFFFFU, 0), SerialOrder::Less);
    EXPECT_EQ(compareSerial(100, 4294967000U), SerialOrder::Greater);
    EXPECT_EQ(compareSerial(0x80000001U, 0), SerialOrder::Less);  // 2^31 + 1 ahead = behind
    EXPECT_EQ(compareSerial(0, 0x80000001U), SerialOrder::Greater);
}

TEST(Serial, PairsHalfTheSpaceApartAreUndefined) {
    // §3.2: for i1 and i2 exactly 2^31 apart neither is greater, in both directions.
    EXPECT_EQ(compareSerial(0, 0x80000000U), SerialOrder::Undefined);
    EXPECT_EQ(compareSerial(0x80000000U, 0), SerialOrder::Undefined);
    EXPECT_EQ(compareSerial(12345, 12345 + 0x80000000U), SerialOrder::Undefined);
    EXPECT_FALSE(serialNewer(0x80000000U, 0));
    EXPECT_FALSE(serialNewer(0, 0x80000000U));
}

TEST(Serial, NewerMeansGreater) {
    EXPECT_TRUE(serialNewer(2024010102U, 2024010101U));
    EXPECT_FALSE(serialNewer(2024010101U, 2024010101U));
    EXPECT_FALSE(serialNewer(2024010100U, 2024010101U));
    EXPECT_TRUE(serialNewer(5, 0xFFFFFFF0U));
}

TEST(Serial, AdditionIsModuloAndBounded) {
    // §3.1: addition wraps modulo 2^32 and only 0..2^31-1 may be added.
    EXPECT_EQ(addSerial(0xFFFFFFFFU, 1), 0U);
    EXPECT_EQ(addSerial(10, 0x7FFFFFFFU), 10U + 0x7FFFFFFFU);
    EXPECT_EQ(addSerial(10, 0x80000000U), 10U);
    EXPECT_TRUE(serialNewer(addSerial(0xFFFFFF00U, 0x1000), 0xFFFFFF00U));
    static_assert(compareSerial(1, 0) == SerialOrder::Greater);
}

}  // namespace
}  // namespace dnsfleet::xfr
