// The allowlist's address prefixes.
#include <gtest/gtest.h>

#include "controld/accounts/ip_prefix.hpp"

namespace dnsfleet::controld::accounts {
namespace {

TEST(IpPrefix, ParsesPrefixesAndBareAddresses) {
    EXPECT_EQ(parseIpPrefix("192.0.2.0/24")->text(), "192.0.2.0/24");
    EXPECT_EQ(parseIpPrefix("192.0.2.7")->text(), "192.0.2.7/32");
    EXPECT_EQ(parseIpPrefix("2001:DB8::/32")->text(), "2001:db8::/32");
    EXPECT_EQ(parseIpPrefix("0.0.0.0/0")->text(), "0.0.0.0/0");
    EXPECT_EQ(parseIpPrefix("::/0")->text(), "::/0");
}

TEST(IpPrefix, RefusesMalformedPrefixesAndHostBits) {
    for (const char* bad :
         {"", "192.0.2.0/", "192.0.2.0/33", "192.0.2.1/24", "2001:db8::/129", "example.com",
          "192.0.2.0/24/1", "192.0.2.0/+8", "192.0.2.0/ 8", "10.0.0.0/08x", "2001:db8::1/64"}) {
        EXPECT_FALSE(parseIpPrefix(bad).has_value()) << bad;
    }
}

TEST(IpPrefix, ContainsAddressesOfItsFamilyOnly) {
    const auto v4 = *parseIpPrefix("192.0.2.0/25");
    EXPECT_TRUE(prefixContains(v4, "192.0.2.0"));
    EXPECT_TRUE(prefixContains(v4, "192.0.2.127"));
    EXPECT_FALSE(prefixContains(v4, "192.0.2.128"));
    EXPECT_TRUE(prefixContains(v4, "::ffff:192.0.2.5"));
    EXPECT_FALSE(prefixContains(v4, "2001:db8::1"));
    EXPECT_FALSE(prefixContains(v4, "not an address"));
    const auto v6 = *parseIpPrefix("2001:db8:8000::/33");
    EXPECT_TRUE(prefixContains(v6, "2001:db8:8000::1"));
    EXPECT_FALSE(prefixContains(v6, "2001:db8:7fff::1"));
}

TEST(IpPrefix, EmptyAllowlistPermitsEveryone) {
    EXPECT_TRUE(allowlistPermits({}, "203.0.113.9"));
    const std::vector<IpPrefix> list{*parseIpPrefix("198.51.100.0/24"),
                                     *parseIpPrefix("2001:db8::/32")};
    EXPECT_TRUE(allowlistPermits(list, "2001:db8::5"));
    EXPECT_FALSE(allowlistPermits(list, "203.0.113.9"));
    EXPECT_FALSE(allowlistPermits(list, ""));
}

}  // namespace
}  // namespace dnsfleet::controld::accounts
