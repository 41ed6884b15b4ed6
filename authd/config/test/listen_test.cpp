#include "authd/config/listen.hpp"

#include <gtest/gtest.h>

namespace dnsfleet::authd::config {
namespace {

TEST(ListenAddress, ParsesIpv4WithPort) {
    auto a = parseListenAddress("127.0.0.1:5300");
    ASSERT_TRUE(a) << a.error();
    EXPECT_EQ(a->family(), AF_INET);
    EXPECT_EQ(a->port(), 5300);
    EXPECT_EQ(a->length, sizeof(sockaddr_in));
    EXPECT_EQ(a->toString(), "127.0.0.1:5300");
    EXPECT_FALSE(a->isWildcard());
}

TEST(ListenAddress, ParsesBracketedIpv6WithPort) {
    auto a = parseListenAddress("[::1]:5300");
    ASSERT_TRUE(a) << a.error();
    EXPECT_EQ(a->family(), AF_INET6);
    EXPECT_EQ(a->port(), 5300);
    EXPECT_EQ(a->length, sizeof(sockaddr_in6));
    EXPECT_EQ(a->toString(), "[::1]:5300");
}

TEST(ListenAddress, DefaultsToPort53) {
    auto v4 = parseListenAddress("192.0.2.1");
    ASSERT_TRUE(v4);
    EXPECT_EQ(v4->port(), 53);
    auto v6 = parseListenAddress("[2001:db8::1]");
    ASSERT_TRUE(v6);
    EXPECT_EQ(v6->port(), 53);
    auto bare = parseListenAddress("2001:db8::1");
    ASSERT_TRUE(bare);
    EXPECT_EQ(bare->family(), AF_INET6);
    EXPECT_EQ(bare->port(), 53);
}

TEST(ListenAddress, RecognisesWildcards) {
    EXPECT_TRUE(parseListenAddress("0.0.0.0:53")->isWildcard());
    EXPECT_TRUE(parseListenAddress("[::]:53")->isWildcard());
    EXPECT_FALSE(parseListenAddress("[::1]:53")->isWildcard());
}

TEST(ListenAddress, PortZeroIsAllowedAndCanBeSetLater) {
    auto a = parseListenAddress("127.0.0.1:0");
    ASSERT_TRUE(a);
    a->setPort(4242);
    EXPECT_EQ(a->toString(), "127.0.0.1:4242");
}

TEST(ListenAddress, RejectsMalformedInput) {
    for (const char* bad : {"", ":53", "127.0.0.1:", "127.0.0.1:65536", "127.0.0.1:-1",
                            "127.0.0.1:53x", "127.1:53", "localhost:53", "[::1", "[::1]53",
                            "[::1]:", "[]:53", "[127.0.0.1]:53", "256.0.0.1:53", "::1:53:x"}) {
        auto a = parseListenAddress(bad);
        EXPECT_FALSE(a) << "accepted '" << bad << "' as " << a->toString();
        if (!a) {
            EXPECT_FALSE(a.error().empty());
        }
    }
}

}  // namespace
}  // namespace dnsfleet::authd::config
