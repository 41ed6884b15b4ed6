#include <gtest/gtest.h>

#include "controld/main/daemon.hpp"

namespace dnsfleet::controld::daemon {
namespace {

TEST(CookieValue, FindsTheNamedCookie) {
    EXPECT_EQ(cookieValue("dnsfleet_session=abc", "dnsfleet_session"), "abc");
    EXPECT_EQ(cookieValue("theme=dark; dnsfleet_session=abc; x=y", "dnsfleet_session"), "abc");
    EXPECT_EQ(cookieValue("dnsfleet_session=\"q\"", "dnsfleet_session"), "q");
    EXPECT_EQ(cookieValue("xdnsfleet_session=abc", "dnsfleet_session"), std::nullopt);
    EXPECT_EQ(cookieValue("dnsfleet_sessionx=abc", "dnsfleet_session"), std::nullopt);
    EXPECT_EQ(cookieValue("", "dnsfleet_session"), std::nullopt);
    EXPECT_EQ(cookieValue("dnsfleet_session", "dnsfleet_session"), std::nullopt);
}

TEST(DatabaseUrl, DefaultsToSqliteInTheDataDirectory) {
    config::Settings settings;
    settings.dataDirectory = "/srv/c";
    EXPECT_EQ(databaseUrl(settings), "/srv/c/controld.db");
    settings.databaseUrl = "postgresql://u@127.0.0.1/d";
    EXPECT_EQ(databaseUrl(settings), "postgresql://u@127.0.0.1/d");
}

}  // namespace
}  // namespace dnsfleet::controld::daemon
