#include "authd/config/config.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <string>

namespace dnsfleet::authd::config {
namespace {

std::string joined(const Errors& errors) {
    std::string all;
    for (const auto& e : errors)
        all += e + "\n";
    return all;
}

bool anyContains(const Errors& errors, std::string_view needle) {
    for (const auto& e : errors) {
        if (e.find(needle) != std::string::npos) return true;
    }
    return false;
}

TEST(Config, EmptyFileGivesTheDefaults) {
    auto c = parseConfig("", "authd.toml");
    ASSERT_TRUE(c) << joined(c.error());
    EXPECT_TRUE(c->server.listen.empty());
    EXPECT_EQ(c->server.threads, 0u);
    EXPECT_EQ(c->server.udpMaxPayload, 1232);
    EXPECT_EQ(c->server.tcpIdleTimeout, std::chrono::seconds(10));
    EXPECT_EQ(c->server.tcpMaxClients, 1024u);
    EXPECT_EQ(c->server.user, "nobody");
    EXPECT_TRUE(c->zones.empty());
}

TEST(Config, ReadsEveryServerKeyAndTheZoneList) {
    const char* text = R"(
[server]
listen = ["127.0.0.1:5300", "[::1]:5301"]
threads = 3
tcp-workers = 2
udp-max-payload = 4096
tcp-idle-timeout = 30
tcp-max-clients = 50
nsid = "ns1.example"
user = "dnsfleet"
log-level = "debug"
log-format = "json"

[[zone]]
name = "Example.COM"
file = "zones/example.com.zone"

[[zone]]
name = "example.net."
file = "/var/lib/zones/example.net.zone"
)";
    auto c = parseConfig(text, "/etc/dnsfleet/authd.toml");
    ASSERT_TRUE(c) << joined(c.error());
    ASSERT_EQ(c->server.listen.size(), 2u);
    EXPECT_EQ(c->server.listen[0].toString(), "127.0.0.1:5300");
    EXPECT_EQ(c->server.listen[1].toString(), "[::1]:5301");
    EXPECT_EQ(c->server.threads, 3u);
    EXPECT_EQ(c->server.tcpWorkers, 2u);
    EXPECT_EQ(c->server.udpMaxPayload, 4096);
    EXPECT_EQ(c->server.tcpIdleTimeout, std::chrono::seconds(30));
    EXPECT_EQ(c->server.tcpMaxClients, 50u);
    EXPECT_EQ(c->server.nsid, "ns1.example");
    EXPECT_EQ(c->server.user, "dnsfleet");
    EXPECT_EQ(c->server.logLevel, "debug");
    EXPECT_EQ(c->server.logFormat, "json");
    ASSERT_EQ(c->zones.size(), 2u);
    EXPECT_EQ(c->zones[0].apex.toText(), "example.com.");  // lower-cased
    // relative paths are relative to the configuration file's folder
    EXPECT_EQ(c->zones[0].file, "/etc/dnsfleet/zones/example.com.zone");
    EXPECT_EQ(c->zones[1].apex.toText(), "example.net.");
    EXPECT_EQ(c->zones[1].file, "/var/lib/zones/example.net.zone");
}

TEST(Config, SyntaxErrorsNameFileAndLine) {
    auto c = parseConfig("[server]\nthreads = = 2\n", "bad.toml");
    ASSERT_FALSE(c);
    ASSERT_EQ(c.error().size(), 1u);
    EXPECT_EQ(c.error()[0].rfind("bad.toml:2:", 0), 0u) << c.error()[0];
}

TEST(Config, WrongTypesAndRangesNameTheKeyAndLine) {
    const char* text =
        "[server]\n"
        "threads = \"four\"\n"
        "udp-max-payload = 100\n"
        "tcp-idle-timeout = 0\n"
        "log-level = \"loud\"\n"
        "listen = [\"127.0.0.1:99999\"]\n";
    auto c = parseConfig(text, "a.toml");
    ASSERT_FALSE(c);
    const auto& e = c.error();
    EXPECT_EQ(e.size(), 5u) << joined(e);
    EXPECT_TRUE(anyContains(e, "a.toml:2:11: server.threads: expected an integer")) << joined(e);
    EXPECT_TRUE(anyContains(e, "a.toml:3:19: server.udp-max-payload: must be between 512"))
        << joined(e);
    EXPECT_TRUE(anyContains(e, "server.tcp-idle-timeout: must be between 1")) << joined(e);
    EXPECT_TRUE(anyContains(e, "server.log-level: 'loud'")) << joined(e);
    EXPECT_TRUE(anyContains(e, "server.listen: '127.0.0.1:99999': bad port")) << joined(e);
}

TEST(Config, UnknownKeysAreErrorsSoThatTyposAreNoticed) {
    auto c = parseConfig("[server]\nthread = 2\n[zones]\n", "t.toml");
    ASSERT_FALSE(c);
    EXPECT_TRUE(anyContains(c.error(), "t.toml:2:1: server.thread: unknown key"))
        << joined(c.error());
    EXPECT_TRUE(anyContains(c.error(), "zones: unknown key")) << joined(c.error());
}

TEST(Config, ZoneEntriesNeedNameAndFileAndAValidUniqueName) {
    const char* text = R"(
[[zone]]
name = "a.example"
[[zone]]
file = "b.zone"
[[zone]]
name = "bad..name"
file = "c.zone"
[[zone]]
name = "d.example"
file = "d.zone"
[[zone]]
name = "D.example."
file = "d2.zone"
[[zone]]
name = "e.example"
file = "e.zone"
master = "192.0.2.1"
)";
    auto c = parseConfig(text, "z.toml");
    ASSERT_FALSE(c);
    const auto& e = c.error();
    EXPECT_TRUE(anyContains(e, "zone[0]: missing key 'file'")) << joined(e);
    EXPECT_TRUE(anyContains(e, "zone[1]: missing key 'name'")) << joined(e);
    EXPECT_TRUE(anyContains(e, "zone[2].name: 'bad..name' is not a valid domain name"))
        << joined(e);
    EXPECT_TRUE(anyContains(e, "zone[4].name: zone 'd.example.' is already defined in zone[3]"))
        << joined(e);
    EXPECT_TRUE(anyContains(e, "zone[5].master: unknown key")) << joined(e);
    EXPECT_EQ(e.size(), 5u) << joined(e);
}

TEST(Config, ZoneMustBeAnArrayOfTables) {
    auto c = parseConfig("zone = \"example.com\"\n", "z.toml");
    ASSERT_FALSE(c);
    EXPECT_TRUE(anyContains(c.error(), "zone: expected an array of tables")) << joined(c.error());
}

TEST(Config, NsidTakesTextOrHex) {
    EXPECT_EQ(*parseNsid("ns1"), "ns1");
    EXPECT_EQ(*parseNsid("0x6e7331"), "ns1");
    EXPECT_EQ(*parseNsid("0X00ff"), std::string("\x00\xff", 2));
    EXPECT_FALSE(parseNsid("0x123"));
    EXPECT_FALSE(parseNsid("0xzz"));
    EXPECT_FALSE(parseNsid(std::string(129, 'a')));
}

TEST(Config, ZoneArgumentIsNameEqualsFile) {
    auto z = parseZoneArgument("Example.com.=/tmp/x.zone");
    ASSERT_TRUE(z) << z.error();
    EXPECT_EQ(z->apex.toText(), "example.com.");
    EXPECT_EQ(z->file, "/tmp/x.zone");
    EXPECT_FALSE(parseZoneArgument("example.com"));
    EXPECT_FALSE(parseZoneArgument("=x.zone"));
    EXPECT_FALSE(parseZoneArgument("example.com="));
}

TEST(Config, FlagsOverrideScalarsReplaceListenAndAddZones) {
    auto c = parseConfig(R"(
[server]
listen = ["127.0.0.1:53"]
threads = 4
user = "dns"
[[zone]]
name = "a.example"
file = "/z/a.zone"
)",
                         "/etc/authd.toml");
    ASSERT_TRUE(c) << joined(c.error());
    Overrides o;
    o.listen = {"[::1]:5300", "127.0.0.1:5300"};
    o.zones = {"b.example=/z/b.zone", "A.example=/other/a.zone"};
    o.threads = 1;
    o.nsid = "0x6869";
    auto applied = applyOverrides(*c, o);
    ASSERT_TRUE(applied) << joined(applied.error());
    ASSERT_EQ(c->server.listen.size(), 2u);
    EXPECT_EQ(c->server.listen[0].toString(), "[::1]:5300");
    EXPECT_EQ(c->server.threads, 1u);
    EXPECT_EQ(c->server.user, "dns");  // not given on the command line: the file's value stays
    EXPECT_EQ(c->server.nsid, "hi");
    ASSERT_EQ(c->zones.size(), 2u);
    EXPECT_EQ(c->zones[0].file, "/other/a.zone");
    EXPECT_EQ(c->zones[1].apex.toText(), "b.example.");
}

TEST(Config, BadFlagsAreAllReported) {
    Config c;
    Overrides o;
    o.listen = {"nowhere"};
    o.zones = {"x"};
    o.logLevel = "chatty";
    auto applied = applyOverrides(c, o);
    ASSERT_FALSE(applied);
    EXPECT_EQ(applied.error().size(), 3u) << joined(applied.error());
}

TEST(Config, LoadConfigReportsAMissingFile) {
    auto c = loadConfig("/nonexistent/dnsfleet/authd.toml");
    ASSERT_FALSE(c);
    EXPECT_TRUE(anyContains(c.error(), "/nonexistent/dnsfleet/authd.toml: cannot open"));
}

TEST(Config, HoldsAHundredThousandZones) {
    std::string text;
    text.reserve(std::size_t{100'000} * 48);
    for (int i = 0; i < 100'000; ++i) {
        text += "[[zone]]\nname = \"z" + std::to_string(i) + ".example\"\nfile = \"z" +
                std::to_string(i) + ".zone\"\n";
    }
    auto c = parseConfig(text, "/srv/big.toml");
    ASSERT_TRUE(c) << joined(c.error());
    ASSERT_EQ(c->zones.size(), 100'000u);
    EXPECT_EQ(c->zones[99'999].apex.toText(), "z99999.example.");
    EXPECT_EQ(c->zones[99'999].file, "/srv/z99999.zone");
}

}  // namespace
}  // namespace dnsfleet::authd::config
