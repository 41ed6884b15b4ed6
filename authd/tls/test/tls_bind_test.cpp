// Our XoT client against BIND 9.18 as the primary (RFC 9103): BIND serves a zone on a TLS
// listener with a certificate we made; the client authenticates it by name or by pin,
// negotiates ALPN "dot" and pulls the zone with AXFR over the TLS stream. BIND is the oracle:
// it is the XoT primary the issue names, and it insists on TLS 1.3-capable clients with "dot".

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "authd/tls/selfsigned.hpp"
#include "authd/tls/tls.hpp"

namespace dnsfleet::authd::tls {
namespace {

constexpr int kTimeoutMs = 5000;

std::uint16_t freePort() {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);  // NOLINT
    socklen_t length = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &length);  // NOLINT
    ::close(fd);
    return ntohs(addr.sin_port);
}

int connectTcp(std::uint16_t port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(port);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {  // NOLINT
        ::close(fd);
        return -1;
    }
    return fd;
}

/// named in the foreground on two free loopback ports (plain DNS and TLS), in a temp dir.
class BindPrimary {
  public:
    bool start() {
        std::string pattern =
            (std::filesystem::temp_directory_path() / "dnsfleet-xot-bind-XXXXXX").string();
        if (::mkdtemp(pattern.data()) == nullptr) return false;
        dir = pattern;
        auto files = writeSelfSigned(dir, "xot.test");
        if (!files) {
            ADD_FAILURE() << files.error();
            return false;
        }
        cert = *files;
        std::ofstream(dir / "example.zone") << "$TTL 300\n"
                                               "example. SOA ns.example. h.example. 5 3600 600 "
                                               "86400 300\n"
                                               "example. NS ns.example.\n"
                                               "ns.example. A 192.0.2.1\n"
                                               "www.example. AAAA 2001:db8::1\n";
        dnsPort = freePort();
        tlsPort = freePort();
        const std::string d = dir.string();
        std::ofstream(dir / "named.conf")
            << "options { directory \"" << d << "\"; pid-file \"" << d << "/named.pid\";\n"
            << "  listen-on port " << dnsPort << " { 127.0.0.1; };\n"
            << "  listen-on port " << tlsPort << " tls xot { 127.0.0.1; };\n"
            << "  listen-on-v6 { none; }; recursion no; dnssec-validation no;\n"
            << "  allow-transfer { 127.0.0.1; }; };\n"
            << "controls { };\n"
            << "tls xot { cert-file \"" << cert.certFile.string() << "\"; key-file \""
            << cert.keyFile.string() << "\"; };\n"
            << "zone \"example.\" { type primary; file \"" << d << "/example.zone\"; };\n";

        const std::string conf = (dir / "named.conf").string();
        const std::string log = (dir / "named.log").string();
        pid = ::fork();
        if (pid == 0) {
            const int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
            ::dup2(out, 1);
            ::dup2(out, 2);
            ::setsid();
            ::execlp("named", "named", "-g", "-c", conf.c_str(), static_cast<char*>(nullptr));
            ::_exit(127);
        }
        // Ready when the TLS listener takes connections (bounded wait).
        for (int i = 0; i < 150; ++i) {
            const int fd = connectTcp(tlsPort);
            if (fd >= 0) {
                ::close(fd);
                return true;
            }
            int status = 0;
            if (::waitpid(pid, &status, WNOHANG) == pid) {
                pid = -1;
                break;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        ADD_FAILURE() << "named did not listen on TLS port " << tlsPort << ":\n" << logText();
        return false;
    }

    void stop() {
        if (pid > 0) {
            ::kill(-pid, SIGTERM);
            for (int i = 0; i < 50 && ::waitpid(pid, nullptr, WNOHANG) == 0; ++i) {
                std::this_thread::sleep_for(std::chrono::milliseconds(100));
            }
            ::kill(-pid, SIGKILL);
            ::waitpid(pid, nullptr, 0);
            pid = -1;
        }
        std::error_code ignored;
        if (!dir.empty()) std::filesystem::remove_all(dir, ignored);
    }

    [[nodiscard]] std::string logText() const {
        std::ifstream in(dir / "named.log");
        std::stringstream text;
        text << in.rdbuf();
        return text.str();
    }

    std::filesystem::path dir;
    SelfSignedFiles cert;
    std::uint16_t dnsPort = 0;
    std::uint16_t tlsPort = 0;
    pid_t pid = -1;
};

std::vector<std::uint8_t> axfrQuery() {
    std::vector<std::uint8_t> message = {0x12, 0x34, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0};
    for (const char* label : {"example"}) {
        const std::string text(label);
        message.push_back(static_cast<std::uint8_t>(text.size()));
        message.insert(message.end(), text.begin(), text.end());
    }
    message.insert(message.end(), {0, 0, 252, 0, 1});  // root, AXFR, IN
    std::vector<std::uint8_t> framed = {static_cast<std::uint8_t>(message.size() >> 8),
                                        static_cast<std::uint8_t>(message.size() & 0xFF)};
    framed.insert(framed.end(), message.begin(), message.end());
    return framed;
}

std::size_t skipName(const std::vector<std::uint8_t>& m, std::size_t pos) {
    while (pos < m.size()) {
        const std::uint8_t length = m[pos];
        if ((length & 0xC0) == 0xC0) return pos + 2;
        if (length == 0) return pos + 1;
        pos += 1U + length;
    }
    return m.size();
}

/// Pulls example. by AXFR over `stream`: the record types in order, or an empty list with
/// a failure recorded.
std::vector<std::uint16_t> axfr(TlsStream& stream) {
    std::vector<std::uint16_t> types;
    auto wrote = stream.writeAll(axfrQuery(), kTimeoutMs);
    EXPECT_TRUE(wrote) << wrote.error();
    int soas = 0;
    for (int messages = 0; messages < 10 && soas < 2; ++messages) {
        std::array<std::uint8_t, 2> prefix{};
        auto got = stream.readExact(prefix, kTimeoutMs);
        if (!got) {
            ADD_FAILURE() << got.error();
            return {};
        }
        std::vector<std::uint8_t> m(static_cast<std::size_t>(prefix[0] << 8 | prefix[1]));
        got = stream.readExact(m, kTimeoutMs);
        if (!got || m.size() < 12) {
            ADD_FAILURE() << "short AXFR message";
            return {};
        }
        EXPECT_EQ(m[3] & 0x0F, 0) << "rcode";
        const std::size_t questions = static_cast<std::size_t>(m[4] << 8 | m[5]);
        const std::size_t answers = static_cast<std::size_t>(m[6] << 8 | m[7]);
        std::size_t pos = 12;
        for (std::size_t q = 0; q < questions; ++q)
            pos = skipName(m, pos) + 4;
        for (std::size_t a = 0; a < answers && pos + 10 <= m.size(); ++a) {
            pos = skipName(m, pos);
            if (pos + 10 > m.size()) break;
            const auto type = static_cast<std::uint16_t>(m[pos] << 8 | m[pos + 1]);
            types.push_back(type);
            if (type == 6) ++soas;
            pos += 10U + static_cast<std::size_t>(m[pos + 8] << 8 | m[pos + 9]);
        }
    }
    return types;
}

class BindXot : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        std::signal(SIGPIPE, SIG_IGN);
        bind_ = new BindPrimary();  // NOLINT(cppcoreguidelines-owning-memory)
        started_ = bind_->start();
    }
    static void TearDownTestSuite() {
        bind_->stop();
        delete bind_;  // NOLINT(cppcoreguidelines-owning-memory)
        bind_ = nullptr;
    }
    void SetUp() override { ASSERT_TRUE(started_); }

    static Result<TlsStream, std::string> connect(const TlsClientOptions& options, int& fd) {
        auto context = TlsClientContext::create(options);
        if (!context) return fail(context.error());
        fd = connectTcp(bind_->tlsPort);
        if (fd < 0) return fail(std::string("TCP connect to named failed"));
        return connectTls(fd, *context, kTimeoutMs);
    }

    static BindPrimary* bind_;
    static bool started_;
};

BindPrimary* BindXot::bind_ = nullptr;
bool BindXot::started_ = false;

// SOA, the zone's other records in whatever order BIND sends them, SOA (RFC 5936 §2.2).
void expectWholeZone(const std::vector<std::uint16_t>& types) {
    ASSERT_EQ(types.size(), 5U);
    EXPECT_EQ(types.front(), 6);
    EXPECT_EQ(types.back(), 6);
    std::vector<std::uint16_t> middle(types.begin() + 1, types.end() - 1);
    std::sort(middle.begin(), middle.end());
    EXPECT_EQ(middle, (std::vector<std::uint16_t>{1, 2, 28}));
}

TEST_F(BindXot, AxfrWithTheServerNameChecked) {
    TlsClientOptions options;
    options.hostname = "xot.test";
    options.caFile = bind_->cert.certFile;
    int fd = -1;
    {
        auto stream = connect(options, fd);
        ASSERT_TRUE(stream) << stream.error() << "\n" << bind_->logText();
        EXPECT_EQ(stream->protocol(), "TLSv1.3");
        EXPECT_EQ(stream->alpn(), "dot");
        expectWholeZone(axfr(*stream));
    }
    ::close(fd);
}

TEST_F(BindXot, AxfrWithTheKeyPinned) {
    TlsClientOptions options;
    options.spkiPin = bind_->cert.spkiPin;
    int fd = -1;
    {
        auto stream = connect(options, fd);
        ASSERT_TRUE(stream) << stream.error();
        expectWholeZone(axfr(*stream));
    }
    ::close(fd);
}

TEST_F(BindXot, WrongNameIsRefusedBeforeAnyQuery) {
    TlsClientOptions options;
    options.hostname = "primary.example";
    options.caFile = bind_->cert.certFile;
    int fd = -1;
    auto stream = connect(options, fd);
    EXPECT_FALSE(stream);
    ::close(fd);
}

}  // namespace
}  // namespace dnsfleet::authd::tls
