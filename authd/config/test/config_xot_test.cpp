// `tls-ca-file` of a [[remote]]: the trust anchors of the tls-hostname check of XFR over TLS
// (RFC 9103), read relative to the configuration file like every other path.
#include <gtest/gtest.h>

#include <string>

#include "authd/config/config.hpp"

namespace dnsfleet::authd::config {
namespace {

bool anyContains(const Errors& errors, std::string_view needle) {
    for (const auto& e : errors) {
        if (e.find(needle) != std::string::npos) return true;
    }
    return false;
}

std::string joined(const Errors& errors) {
    std::string all;
    for (const auto& e : errors)
        all += e + "\n";
    return all;
}

TEST(ConfigXot, CaFileIsReadRelativeToTheConfigurationFile) {
    auto c = parseConfig(R"(
[server]
listen = "127.0.0.1:5300"
[[remote]]
id = "relative"
address = "192.0.2.1:853"
tls = true
tls-hostname = "primary.example"
tls-ca-file = "certs/primary.pem"
[[remote]]
id = "absolute"
address = "192.0.2.2:853"
tls = true
tls-hostname = "primary.example"
tls-ca-file = "/etc/ssl/primary.pem"
[[remote]]
id = "system-store"
address = "192.0.2.3:853"
tls = true
tls-hostname = "primary.example"
)",
                         "/etc/dnsfleet/authd.toml");
    ASSERT_TRUE(c) << joined(c.error());
    ASSERT_EQ(c->remotes.size(), 3u);
    EXPECT_EQ(c->remotes[0].tlsCaFile, std::filesystem::path("/etc/dnsfleet/certs/primary.pem"));
    EXPECT_EQ(c->remotes[1].tlsCaFile, std::filesystem::path("/etc/ssl/primary.pem"));
    EXPECT_TRUE(c->remotes[2].tlsCaFile.empty());
}

TEST(ConfigXot, CaFileNeedsTlsAndAHostname) {
    auto c = parseConfig(R"(
[server]
listen = "127.0.0.1:5300"
[[remote]]
id = "no-tls"
address = "192.0.2.1"
tls-ca-file = "ca.pem"
[[remote]]
id = "pin-only"
address = "192.0.2.2:853"
tls = true
tls-pin = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
tls-ca-file = "ca.pem"
[[remote]]
id = "empty"
address = "192.0.2.3:853"
tls = true
tls-hostname = "primary.example"
tls-ca-file = ""
)",
                         "x.toml");
    ASSERT_FALSE(c);
    const Errors& e = c.error();
    EXPECT_TRUE(anyContains(e, "remote[0]: tls-hostname and tls-pin need tls = true")) << joined(e);
    EXPECT_TRUE(anyContains(e, "x.toml:13:15: remote[1].tls-ca-file: needs tls-hostname"))
        << joined(e);
    EXPECT_TRUE(anyContains(e, "remote[2].tls-ca-file: empty path")) << joined(e);
}

}  // namespace
}  // namespace dnsfleet::authd::config
