#include "controld/config/settings.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <stdexcept>

namespace dnsfleet::controld::config {
namespace {

std::string errorOf(const std::string& text) {
    try {
        (void)parseSettings(text, "controld.toml");
    } catch (const std::runtime_error& e) {
        return e.what();
    }
    return "";
}

TEST(Settings, EmptyFileGivesTheDefaults) {
    const Settings settings = parseSettings("", "empty.toml");
    EXPECT_EQ(settings.dataDirectory, "/var/lib/dnsfleet-controld");
    EXPECT_EQ(settings.secretKeyFile, "/var/lib/dnsfleet-controld/secret.key");
    EXPECT_EQ(settings.api.listen, "127.0.0.1:8443");
    EXPECT_EQ(settings.eventRetention, std::chrono::hours(24 * 90));
    EXPECT_EQ(settings.nameServers.nameServers.size(), 2U);
}

TEST(Settings, ReadsEverySection) {
    const Settings settings = parseSettings(R"(
data-directory = "/srv/controld"
database-url = "postgresql://dnsfleet@127.0.0.1/dnsfleet"
event-retention-days = 30

[api]
listen = "[::1]:9443"
certificate = "/etc/controld/api.crt"
private-key = "/etc/controld/api.key"
portal-origin = "https://portal.example"
max-body-bytes = 1024
rate-limit-per-second = 2.5
rate-limit-burst = 10
threads = 4

[auth]
session-idle-seconds = 600
session-absolute-seconds = 7200
login-failures-before-delay = 3
password-reset-validity-seconds = 900
argon2-memory-bytes = 67108864
argon2-iterations = 3

[smtp]
url = "smtp://127.0.0.1:2525"
from = "noreply@example"
username = "mailer"
password = "s3cret"

[name-servers]
servers = ["a.ns.example.", "b.ns.example.", "c.ns.example."]
hostmaster = "hostmaster.example."
refresh = 7200
retry = 300
expire = 604800
minimum = 60
default-ttl = 600

[fleet]
transfer-listen = "127.0.0.1:5399"
catalog-zone = "catalog.example."
tsig-key-name = "k"
tsig-algorithm = "hmac-sha512"
tsig-secret = "c2VjcmV0"
sync-poll-interval-ms = 50
edge-query-timeout-ms = 250
)",
                                            "full.toml");
    EXPECT_EQ(settings.dataDirectory, "/srv/controld");
    EXPECT_EQ(settings.secretKeyFile, "/srv/controld/secret.key");
    EXPECT_EQ(settings.databaseUrl, "postgresql://dnsfleet@127.0.0.1/dnsfleet");
    EXPECT_EQ(settings.eventRetention, std::chrono::hours(24 * 30));
    EXPECT_EQ(settings.api.listen, "[::1]:9443");
    EXPECT_EQ(settings.api.certificate, "/etc/controld/api.crt");
    EXPECT_EQ(settings.api.privateKey, "/etc/controld/api.key");
    EXPECT_EQ(settings.api.portalOrigin, "https://portal.example");
    EXPECT_EQ(settings.api.maxBodyBytes, 1024U);
    EXPECT_DOUBLE_EQ(settings.api.rateLimitPerSecond, 2.5);
    EXPECT_DOUBLE_EQ(settings.api.rateLimitBurst, 10.0);
    EXPECT_EQ(settings.api.threads, 4U);
    EXPECT_EQ(settings.auth.sessionIdle, std::chrono::seconds(600));
    EXPECT_EQ(settings.auth.sessionAbsolute, std::chrono::seconds(7200));
    EXPECT_EQ(settings.auth.loginFailuresBeforeDelay, 3);
    EXPECT_EQ(settings.auth.passwordResetValidity, std::chrono::seconds(900));
    EXPECT_EQ(settings.auth.argon2MemoryBytes, 67108864U);
    EXPECT_EQ(settings.auth.argon2Iterations, 3U);
    EXPECT_EQ(settings.smtp.url, "smtp://127.0.0.1:2525");
    EXPECT_EQ(settings.smtp.from, "noreply@example");
    EXPECT_EQ(settings.smtp.username, "mailer");
    EXPECT_EQ(settings.smtp.password, "s3cret");
    EXPECT_EQ(settings.nameServers.nameServers,
              (std::vector<std::string>{"a.ns.example.", "b.ns.example.", "c.ns.example."}));
    EXPECT_EQ(settings.nameServers.hostmaster, "hostmaster.example.");
    EXPECT_EQ(settings.nameServers.refresh, 7200U);
    EXPECT_EQ(settings.nameServers.retry, 300U);
    EXPECT_EQ(settings.nameServers.expire, 604800U);
    EXPECT_EQ(settings.nameServers.minimum, 60U);
    EXPECT_EQ(settings.nameServers.defaultTtl, 600U);
    EXPECT_EQ(settings.fleet.transferListen, "127.0.0.1:5399");
    EXPECT_EQ(settings.fleet.catalogZone, "catalog.example.");
    EXPECT_EQ(settings.fleet.tsigKeyName, "k");
    EXPECT_EQ(settings.fleet.tsigAlgorithm, "hmac-sha512");
    EXPECT_EQ(settings.fleet.tsigSecret, "c2VjcmV0");
    EXPECT_EQ(settings.fleet.syncPollInterval, std::chrono::milliseconds(50));
    EXPECT_EQ(settings.fleet.edgeQueryTimeout, std::chrono::milliseconds(250));
}

TEST(Settings, ExplicitSecretKeyFileIsKept) {
    const Settings settings =
        parseSettings("secret-key-file = \"/etc/k\"\ndata-directory = \"/d\"\n", "x.toml");
    EXPECT_EQ(settings.secretKeyFile, "/etc/k");
}

TEST(Settings, UnknownKeysAreErrorsNamingFileLineAndKey) {
    EXPECT_EQ(errorOf("data-directory = \"/d\"\nlisten = \"x\"\n"),
              "controld.toml:2: listen: unknown key");
    EXPECT_EQ(errorOf("[api]\nlisten = \"127.0.0.1:1\"\n\nthread = 3\n"),
              "controld.toml:4: api.thread: unknown key");
    EXPECT_EQ(errorOf("[dns]\nx = 1\n"), "controld.toml:1: dns: unknown key");
}

TEST(Settings, WrongTypesAndRangesAreErrors) {
    EXPECT_EQ(errorOf("[api]\nthreads = \"four\"\n"),
              "controld.toml:2: api.threads: must be an integer");
    EXPECT_EQ(errorOf("[api]\nthreads = 0\n"),
              "controld.toml:2: api.threads: must be from 1 to 256");
    EXPECT_EQ(errorOf("[name-servers]\nservers = [\"a.\", 3]\n"),
              "controld.toml:2: name-servers.servers: must be an array of strings");
    EXPECT_EQ(errorOf("api = 3\n"), "controld.toml:1: api: must be a table ([api])");
    EXPECT_NE(errorOf("[api]\nrate-limit-per-second = -1\n").find("api.rate-limit-per-second"),
              std::string::npos);
    EXPECT_NE(errorOf("[api]\ncertificate = \"/c\"\n").find("api.certificate"), std::string::npos);
    EXPECT_NE(errorOf("[auth]\nargon2-iterations = 1\n").find("auth.argon2-iterations"),
              std::string::npos);
    EXPECT_NE(errorOf("[smtp]\nurl = \"http://x\"\n").find("smtp.url"), std::string::npos);
    EXPECT_NE(errorOf("database-url = \"mysql://x\"\n").find("database-url"), std::string::npos);
}

TEST(Settings, SyntaxErrorsNameFileAndLine) {
    const std::string error = errorOf("[api]\nlisten = \n");
    EXPECT_EQ(error.rfind("controld.toml:2: ", 0), 0U) << error;
}

TEST(Settings, LoadSettingsReadsAFileAndNamesIt) {
    const auto dir = std::filesystem::temp_directory_path() / "dnsfleet-settings-test";
    std::filesystem::create_directories(dir);
    const auto file = dir / "controld.toml";
    {
        std::ofstream out(file);
        out << "[api]\nthreads = 2\nbogus = 1\n";
    }
    try {
        (void)loadSettings(file);
        FAIL() << "an unknown key was accepted";
    } catch (const std::runtime_error& e) {
        EXPECT_EQ(std::string(e.what()), file.string() + ":3: api.bogus: unknown key");
    }
    {
        std::ofstream out(file);
        out << "[api]\nthreads = 2\n";
    }
    EXPECT_EQ(loadSettings(file).api.threads, 2U);
    EXPECT_THROW((void)loadSettings(dir / "missing.toml"), std::runtime_error);
    std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace dnsfleet::controld::config
