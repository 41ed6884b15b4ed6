#include "zone/loader.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "dnswire/rrtype.hpp"
#include "zone_fixture.hpp"

namespace dnsfleet::zone {
namespace {

using testing::name;
namespace t = dnswire::rrtype;

std::filesystem::path writeZone(const std::string& fileName, const std::string& text) {
    const auto dir = std::filesystem::temp_directory_path() / "dnsfleet_loader_test";
    std::filesystem::create_directories(dir);
    auto path = dir / fileName;
    std::ofstream(path) << text;
    return path;
}

constexpr const char* kHead =
    "$ORIGIN example.\n"
    "$TTL 3600\n"
    "@ SOA ns1 hostmaster 1 3600 600 86400 300\n"
    "@ NS ns1\n"
    "ns1 A 192.0.2.1\n";

TEST(Loader, LoadsAZoneFile) {
    const auto path = writeZone("good.zone", std::string(kHead) +
                                                 "www 300 A 192.0.2.10\n"
                                                 "a.b 300 TXT \"x\"\n");
    auto zone = loadZoneFile(name("example."), path);
    ASSERT_TRUE(zone) << zone.error().front();
    const Zone& z = **zone;
    const Node* www = z.find(name("www.example."));
    ASSERT_NE(www, nullptr);
    EXPECT_EQ(z.rrset(*www, t::A).ttl(), 300U);
    EXPECT_TRUE(z.find(name("b.example."))->has(nodeflag::EmptyNonTerminal));
    EXPECT_EQ(z.negativeTtl(), 300U);
}

TEST(Loader, ReportsParseErrorsWithFileAndLine) {
    const auto path = writeZone("bad.zone", std::string(kHead) + "www A 999.1.1.1\n");
    auto zone = loadZoneFile(name("example."), path);
    ASSERT_FALSE(zone);
    const std::string expected = path.string() + ":6:";
    EXPECT_EQ(zone.error().front().rfind(expected, 0), 0U) << zone.error().front();
}

TEST(Loader, ReportsZoneChecksWithTheZoneName) {
    const auto path =
        writeZone("nosoa.zone", "$ORIGIN example.\n@ 3600 NS ns1\nns1 3600 A 192.0.2.1\n");
    auto zone = loadZoneFile(name("example."), path);
    ASSERT_FALSE(zone);
    EXPECT_EQ(zone.error().front(), "zone example.: missing SOA record at the zone apex");
}

TEST(Loader, WarnsAboutOutOfZoneDataAndDropsIt) {
    const auto path = writeZone("ooz.zone", std::string(kHead) + "www.example.org. A 1.2.3.4\n");
    std::vector<std::string> warnings;
    auto zone = loadZoneFile(name("example."), path, &warnings);
    ASSERT_TRUE(zone);
    ASSERT_EQ(warnings.size(), 1U);
    EXPECT_EQ(warnings[0], "zone example.: out-of-zone data ignored: www.example.org.");
}

TEST(Loader, CnameBesideDataFailsTheZone) {
    const auto path = writeZone("cname.zone", std::string(kHead) +
                                                  "x CNAME www\n"
                                                  "x A 192.0.2.1\n");
    auto zone = loadZoneFile(name("example."), path);
    ASSERT_FALSE(zone);
    EXPECT_EQ(zone.error().front(), "zone example.: CNAME beside other data at x.example.");
}

}  // namespace
}  // namespace dnsfleet::zone
