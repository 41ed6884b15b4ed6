// pullZone and querySerial over TLS (XoT, RFC 9103) from BIND 9.18, the XoT primary the issue
// names for interoperability (Knot 3.2 in Debian has no XoT).

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "authd/tls/selfsigned.hpp"
#include "authd/zones/transfer_client.hpp"
#include "knot_fixture.hpp"

namespace dnsfleet::authd::zones {
namespace {

using namespace std::chrono_literals;

constexpr const char* kNamed = "/usr/sbin/named";

dnswire::Name name(const char* text) {
    auto parsed = dnswire::Name::fromText(text);
    return parsed.has_value() ? *parsed : dnswire::Name{};
}

bool accepts(std::uint16_t port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    const config::ListenAddress address = knottest::loopback(port);
    const bool ok = ::connect(fd, address.sockaddrPtr(), address.length) == 0;
    ::close(fd);
    return ok;
}

// named as the primary of example. with a plain listener and an XoT listener (cert for
// xot.test), started once for the suite.
class BindXotPrimary : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        std::signal(SIGPIPE, SIG_IGN);  // TLS writes use write(2), as in the daemon
        if (::access(kNamed, X_OK) != 0) return;
        char pattern[] = "/tmp/dnsfleet-zones-xot-XXXXXX";
        if (::mkdtemp(pattern) == nullptr) return;
        dir_ = pattern;
        auto cert = tls::writeSelfSigned(dir_, "xot.test");
        if (!cert) return;
        pin_ = cert->spkiPin;
        std::ofstream(dir_ / "example.zone")
            << "$TTL 300\nexample. SOA ns.example. h.example. 42 3600 600 86400 300\n"
               "example. NS ns.example.\nns.example. A 192.0.2.1\nwww.example. A 192.0.2.2\n";
        dnsPort_ = knottest::freePort();
        tlsPort_ = knottest::freePort();
        const std::string d = dir_.string();
        std::ofstream(dir_ / "named.conf")
            << "options { directory \"" << d << "\"; pid-file \"" << d << "/named.pid\";\n"
            << "  listen-on port " << dnsPort_ << " { 127.0.0.1; };\n"
            << "  listen-on port " << tlsPort_ << " tls xot { 127.0.0.1; };\n"
            << "  listen-on-v6 { none; }; recursion no; dnssec-validation no; notify no;\n"
            << "  allow-transfer { 127.0.0.1; }; };\ncontrols { };\n"
            << "tls xot { cert-file \"" << cert->certFile.string() << "\"; key-file \""
            << cert->keyFile.string() << "\"; };\n"
            << "zone \"example.\" { type primary; file \"" << d << "/example.zone\"; };\n";
        pid_ = ::fork();
        if (pid_ == 0) {
            const int out =
                ::open((dir_ / "named.log").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
            ::dup2(out, 1);
            ::dup2(out, 2);
            const std::string conf = (dir_ / "named.conf").string();
            ::execl(kNamed, kNamed, "-g", "-c", conf.c_str(), static_cast<char*>(nullptr));
            ::_exit(127);
        }
        // named listens before it has loaded its zones (a query then gets SERVFAIL): wait for
        // both the port and "all zones loaded" in its log.
        for (int i = 0; i < 300 && !(accepts(tlsPort_) && zonesLoaded()); ++i)
            std::this_thread::sleep_for(100ms);
    }
    static bool zonesLoaded() { return log().find("all zones loaded") != std::string::npos; }
    static void TearDownTestSuite() {
        if (pid_ > 0) {
            ::kill(pid_, SIGTERM);
            for (int i = 0; i < 50 && ::waitpid(pid_, nullptr, WNOHANG) == 0; ++i) {
                std::this_thread::sleep_for(100ms);
            }
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, nullptr, 0);
            pid_ = -1;
        }
        std::error_code ignored;
        if (!dir_.empty()) std::filesystem::remove_all(dir_, ignored);
    }
    void SetUp() override {
        if (::access(kNamed, X_OK) != 0)
            FAIL() << "named not installed (scripts/install-deps.sh test installs it)";
        ASSERT_TRUE(accepts(tlsPort_) && zonesLoaded()) << log();
    }
    static std::string log() {
        std::ifstream in(dir_ / "named.log");
        std::ostringstream text;
        text << in.rdbuf();
        return text.str();
    }
    static PrimaryEndpoint xot() {
        PrimaryEndpoint primary;
        primary.address = knottest::loopback(tlsPort_);
        primary.tls = true;
        primary.tlsPin = pin_;
        return primary;
    }

    static inline std::filesystem::path dir_;
    static inline std::string pin_;
    static inline std::uint16_t dnsPort_ = 0;
    static inline std::uint16_t tlsPort_ = 0;
    static inline pid_t pid_ = -1;
};

TEST_F(BindXotPrimary, AxfrOverTlsWithThePinnedKey) {
    PullOptions options;
    options.timeout = 5000ms;
    auto pulled = pullZone(xot(), name("example."), nullptr, options);
    ASSERT_TRUE(pulled.has_value()) << pulled.error() << "\n" << log();
    EXPECT_EQ(pulled->kind, xfr::XfrKind::Full);
    EXPECT_EQ(pulled->serial, 42U);
    EXPECT_EQ(pulled->full.size(), 4U);
    ASSERT_NE(pulled->zone, nullptr);
}

TEST_F(BindXotPrimary, SoaQueryGoesOverTlsToo) {
    auto serial = querySerial(xot(), name("example."), 5000ms);
    ASSERT_TRUE(serial.has_value()) << serial.error();
    EXPECT_EQ(*serial, 42U);
}

TEST_F(BindXotPrimary, WrongPinIsRefusedBeforeAnyQuery) {
    PrimaryEndpoint primary = xot();
    primary.tlsPin = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
    auto pulled = pullZone(primary, name("example."), nullptr, PullOptions{});
    ASSERT_FALSE(pulled.has_value());
    EXPECT_NE(pulled.error().find(": TLS: "), std::string::npos) << pulled.error();
    EXPECT_NE(pulled.error().find("pin"), std::string::npos) << pulled.error();
}

TEST_F(BindXotPrimary, PlainTcpToTheTlsPortIsNoTransfer) {
    PrimaryEndpoint primary = xot();
    primary.tls = false;
    PullOptions options;
    options.timeout = 1000ms;
    auto pulled = pullZone(primary, name("example."), nullptr, options);
    EXPECT_FALSE(pulled.has_value());
}

}  // namespace
}  // namespace dnsfleet::authd::zones
