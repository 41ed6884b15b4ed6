#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "cli/config.hpp"
#include "fake_api.hpp"

namespace dnsfleet::cli {
namespace {

using testing::TempDir;

TEST(ConfigTest, SaveThenLoadRoundTripsWithMode0600) {
    TempDir dir;
    const auto file = dir.path() / "sub" / "config.toml";
    Config config;
    config.endpoint = "https://controld.example:8443";
    config.caFile = "/etc/ca.pem";
    config.insecure = true;
    config.token = "dft_x";
    config.contract = "DF-00000001";
    ASSERT_TRUE(saveConfig(file, config));
    struct stat info {};
    ASSERT_EQ(::stat(file.c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 0777U, 0600U);
    ASSERT_EQ(::stat(file.parent_path().c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 0077U, 0U);

    auto loaded = loadConfig(file);
    ASSERT_TRUE(loaded) << loaded.error();
    EXPECT_EQ(loaded->endpoint, config.endpoint);
    EXPECT_EQ(loaded->caFile, config.caFile);
    EXPECT_TRUE(loaded->insecure);
    EXPECT_EQ(loaded->token, config.token);
    EXPECT_EQ(loaded->contract, config.contract);
}

TEST(ConfigTest, RewritingAWorldReadableFileMakesIt0600) {
    TempDir dir;
    const auto file = dir.path() / "config.toml";
    std::ofstream(file) << "endpoint = \"https://a\"\n";
    ASSERT_EQ(::chmod(file.c_str(), 0644), 0);
    Config config;
    config.token = "secret";
    ASSERT_TRUE(saveConfig(file, config));
    struct stat info {};
    ASSERT_EQ(::stat(file.c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 0777U, 0600U);
}

TEST(ConfigTest, MissingFileIsEmpty) {
    TempDir dir;
    auto loaded = loadConfig(dir.path() / "none.toml");
    ASSERT_TRUE(loaded);
    EXPECT_TRUE(loaded->endpoint.empty());
    EXPECT_FALSE(loaded->insecure);
}

TEST(ConfigTest, MalformedFilesAreErrors) {
    TempDir dir;
    const auto file = dir.path() / "c.toml";
    for (const char* text :
         {"endpoint = [\n", "endpoint = 5\n", "insecure = \"yes\"\n", "tokn = \"typo\"\n"}) {
        std::ofstream(file, std::ios::trunc) << text;
        auto loaded = loadConfig(file);
        EXPECT_FALSE(loaded) << text;
        if (!loaded) {
            EXPECT_NE(loaded.error().find(file.string()), std::string::npos);
        }
    }
}

TEST(ConfigTest, PathPrecedence) {
    std::map<std::string, std::string> env = {{"HOME", "/home/u"}};
    EXPECT_EQ(configPath("", env), "/home/u/.config/dnsfleet/config.toml");
    env["XDG_CONFIG_HOME"] = "/xdg";
    EXPECT_EQ(configPath("", env), "/xdg/dnsfleet/config.toml");
    env["DNSFLEET_CONFIG"] = "/env.toml";
    EXPECT_EQ(configPath("", env), "/env.toml");
    EXPECT_EQ(configPath("/flag.toml", env), "/flag.toml");
}

}  // namespace
}  // namespace dnsfleet::cli
