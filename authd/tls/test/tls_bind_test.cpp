// Our XoT client against BIND 9.18 as the primary (RFC 9103): BIND serves a zone on a TLS
// listener with a certificate we made; the client authenticates it by name or by pin,
// negotiates ALPN "dot" and pulls the zone with AXFR over the TLS stream. BIND is the oracle:
// it is the XoT primary the issue names, and it insists on TLS 1.3-capable clients with "dot".

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
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

std::uint32_t soaSerialAt(std::uint16_t port);

/// named in the foreground in a temp dir, on a free loopback port for plain DNS, and either
/// the primary of example. on a TLS port (`primary`) or its secondary pulling it over TLS
/// from whoever listens on `tlsPort`, checking the name xot.test against our certificate.
class Named {
  public:
    bool start(bool primary) {
        std::string pattern =
            (std::filesystem::temp_directory_path() / "dnsfleet-xot-bind-XXXXXX").string();
        if (::mkdtemp(pattern.data()) == nullptr) return false;
        dir = pattern;
        if (cert.certFile.empty()) {
            auto files = writeSelfSigned(dir, "xot.test");
            if (!files) {
                ADD_FAILURE() << files.error();
                return false;
            }
            cert = *files;
        }
        std::ofstream(dir / "example.zone") << "$TTL 300\n"
                                               "example. SOA ns.example. h.example. 5 3600 600 "
                                               "86400 300\n"
                                               "example. NS ns.example.\n"
                                               "ns.example. A 192.0.2.1\n"
                                               "www.example. AAAA 2001:db8::1\n";
        dnsPort = freePort();
        if (tlsPort == 0) tlsPort = freePort();
        const std::string d = dir.string();
        std::ofstream conf(dir / "named.conf");
        conf << "options { directory \"" << d << "\"; pid-file \"" << d << "/named.pid\";\n"
             << "  listen-on port " << dnsPort << " { 127.0.0.1; };\n";
        if (primary) conf << "  listen-on port " << tlsPort << " tls xot { 127.0.0.1; };\n";
        conf << "  listen-on-v6 { none; }; recursion no; dnssec-validation no; notify no;\n"
             << "  allow-transfer { 127.0.0.1; }; };\n"
             << "controls { };\n";
        if (primary) {
            conf << "tls xot { cert-file \"" << cert.certFile.string() << "\"; key-file \""
                 << cert.keyFile.string() << "\"; };\n"
                 << "zone \"example.\" { type primary; file \"" << d << "/example.zone\"; };\n";
        } else {
            // BIND 9.18's tls statement: a CA file and the name to expect, no pin.
            conf << "tls to-primary { ca-file \"" << cert.certFile.string()
                 << "\"; remote-hostname \"xot.test\"; };\n"
                 << "zone \"example.\" { type secondary; primaries { 127.0.0.1 port " << tlsPort
                 << " tls to-primary; }; };\n";
        }
        conf.close();

        const std::string confPath = (dir / "named.conf").string();
        const std::string log = (dir / "named.log").string();
        pid = ::fork();
        if (pid == 0) {
            const int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
            ::dup2(out, 1);
            ::dup2(out, 2);
            ::setsid();
            ::execlp("named", "named", "-g", "-c", confPath.c_str(), static_cast<char*>(nullptr));
            ::_exit(127);
        }
        // Ready when its listener takes connections (bounded wait).
        const std::uint16_t readyPort = primary ? tlsPort : dnsPort;
        for (int i = 0; i < 150; ++i) {
            const int fd = connectTcp(readyPort);
            if (fd >= 0) {
                ::close(fd);
                // A primary listens before its zone is loaded (and answers SERVFAIL until then).
                if (!primary || soaSerialAt(dnsPort) == 5) return true;
            }
            int status = 0;
            if (::waitpid(pid, &status, WNOHANG) == pid) {
                pid = -1;
                break;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        ADD_FAILURE() << "named did not listen on port " << readyPort << ":\n" << logText();
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
        bind_ = new Named();  // NOLINT(cppcoreguidelines-owning-memory)
        started_ = bind_->start(true);
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

    static Named* bind_;
    static bool started_;
};

Named* BindXot::bind_ = nullptr;
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

// ---- BIND as the secondary of our TLS server ----------------------------------------

constexpr std::uint32_t kOurSerial = 7;

void appendU16(std::vector<std::uint8_t>& out, std::size_t value) {
    out.push_back(static_cast<std::uint8_t>((value >> 8) & 0xFF));
    out.push_back(static_cast<std::uint8_t>(value & 0xFF));
}

void appendU32(std::vector<std::uint8_t>& out, std::uint32_t value) {
    appendU16(out, value >> 16);
    appendU16(out, value & 0xFFFF);
}

/// One answer record; `owner` and names in `rdata` point at the question name (offset 12).
void appendRecord(std::vector<std::uint8_t>& out, std::vector<std::uint8_t> owner,
                  std::uint16_t type, const std::vector<std::uint8_t>& rdata) {
    out.insert(out.end(), owner.begin(), owner.end());
    appendU16(out, type);
    appendU16(out, 1);
    appendU32(out, 300);
    appendU16(out, rdata.size());
    out.insert(out.end(), rdata.begin(), rdata.end());
}

/// The framed answer of a minimal primary of example.: SOA for a SOA query, the whole zone
/// for AXFR and IXFR (an IXFR may always be answered with the full zone, RFC 1995 §4).
std::vector<std::uint8_t> answer(const std::vector<std::uint8_t>& query) {
    const std::size_t questionEnd = skipName(query, 12) + 4;
    if (query.size() < 12 || questionEnd > query.size()) return {};
    const auto qtype =
        static_cast<std::uint16_t>(query[questionEnd - 4] << 8 | query[questionEnd - 3]);
    const std::vector<std::uint8_t> apex = {0xC0, 12};
    const std::vector<std::uint8_t> ns = {2, 'n', 's', 0xC0, 12};
    std::vector<std::uint8_t> soa = ns;
    soa.insert(soa.end(), {1, 'h', 0xC0, 12});
    for (const std::uint32_t field : {kOurSerial, 3600U, 600U, 86400U, 300U}) {
        appendU32(soa, field);
    }

    std::vector<std::uint8_t> m = {query[0], query[1], 0x84, 0x00};
    const bool transfer = qtype == 252 || qtype == 251;
    appendU16(m, 1);
    appendU16(m, transfer ? 4 : 1);
    appendU16(m, 0);
    appendU16(m, 0);
    m.insert(m.end(), query.begin() + 12, query.begin() + static_cast<long>(questionEnd));
    appendRecord(m, apex, 6, soa);
    if (transfer) {
        appendRecord(m, apex, 2, ns);
        appendRecord(m, ns, 1, {192, 0, 2, 7});
        appendRecord(m, apex, 6, soa);
    }
    std::vector<std::uint8_t> framed;
    appendU16(framed, m.size());
    framed.insert(framed.end(), m.begin(), m.end());
    return framed;
}

struct PrimaryLog {
    int connections = 0;
    int queries = 0;
    int notDot = 0;
    std::string protocols;
    std::string errors;
};

/// Serves one accepted connection the way the epoll loop will (non-blocking, wait for what
/// the connection asks for): handshake, then length-prefixed queries until the peer closes.
void serveDns(const TlsServerContext& context, int fd, PrimaryLog& log) {
    auto connection = TlsServerConnection::create(context, fd);
    if (!connection) {
        log.errors += connection.error() + "\n";
        return;
    }
    const auto wait = [fd](TlsIo want) {
        pollfd p{fd, static_cast<short>(want == TlsIo::WantWrite ? POLLOUT : POLLIN), 0};
        return ::poll(&p, 1, kTimeoutMs) > 0;
    };
    TlsIo state = TlsIo::WantRead;
    while ((state = connection->handshake()) == TlsIo::WantRead || state == TlsIo::WantWrite) {
        if (!wait(state)) break;
    }
    if (state != TlsIo::Done) {
        log.errors += "handshake: " + connection->lastError() + "\n";
        return;
    }
    log.protocols += connection->protocol() + " ";
    if (!connection->alpnIsDot()) ++log.notDot;

    std::vector<std::uint8_t> in;
    std::array<std::uint8_t, 4096> buffer{};
    for (;;) {
        const TlsIoResult got = connection->read(buffer);
        if (got.state == TlsIo::WantRead || got.state == TlsIo::WantWrite) {
            if (!wait(got.state)) return;
            continue;
        }
        if (got.state != TlsIo::Done) return;
        in.insert(in.end(), buffer.begin(), buffer.begin() + static_cast<long>(got.bytes));
        while (in.size() >= 2 && in.size() >= 2U + static_cast<std::size_t>(in[0] << 8 | in[1])) {
            const std::size_t length = static_cast<std::size_t>(in[0] << 8 | in[1]);
            const std::vector<std::uint8_t> query(in.begin() + 2,
                                                  in.begin() + 2 + static_cast<long>(length));
            in.erase(in.begin(), in.begin() + 2 + static_cast<long>(length));
            ++log.queries;
            const std::vector<std::uint8_t> out = answer(query);
            std::size_t sent = 0;
            while (sent < out.size()) {
                const TlsIoResult put = connection->write(std::span(out).subspan(sent));
                if (put.state == TlsIo::Done) {
                    sent += put.bytes;
                } else if ((put.state == TlsIo::WantRead || put.state == TlsIo::WantWrite) &&
                           wait(put.state)) {
                    continue;
                } else {
                    return;
                }
            }
        }
    }
}

/// The SOA serial named answers for example. over UDP, or 0.
std::uint32_t soaSerialAt(std::uint16_t port) {
    const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(port);
    std::vector<std::uint8_t> query = {0x43, 0x21, 0,   0,   0,   1,   0,   0, 0, 0, 0, 0, 7,
                                       'e',  'x',  'a', 'm', 'p', 'l', 'e', 0, 0, 6, 0, 1};
    ::sendto(fd, query.data(), query.size(), 0, reinterpret_cast<sockaddr*>(&addr),  // NOLINT
             sizeof addr);
    pollfd p{fd, POLLIN, 0};
    std::vector<std::uint8_t> m(4096);
    std::uint32_t serial = 0;
    if (::poll(&p, 1, 500) > 0) {
        const ssize_t n = ::recv(fd, m.data(), m.size(), 0);
        m.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
        const std::size_t answers = m.size() >= 12 ? static_cast<std::size_t>(m[6] << 8 | m[7]) : 0;
        if (answers > 0 && (m[3] & 0x0F) == 0) {
            std::size_t pos = skipName(m, 12) + 4;  // question
            pos = skipName(m, pos) + 10;            // answer owner, fixed fields
            pos = skipName(m, skipName(m, pos));    // MNAME, RNAME
            if (pos + 4 <= m.size()) {
                serial = static_cast<std::uint32_t>(m[pos]) << 24 |
                         static_cast<std::uint32_t>(m[pos + 1]) << 16 |
                         static_cast<std::uint32_t>(m[pos + 2]) << 8 | m[pos + 3];
            }
        }
    }
    ::close(fd);
    return serial;
}

TEST(BindSecondaryXot, PullsTheZoneFromOurTlsServer) {
    std::signal(SIGPIPE, SIG_IGN);
    std::string pattern =
        (std::filesystem::temp_directory_path() / "dnsfleet-xot-ours-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    const std::filesystem::path dir = pattern;
    auto files = writeSelfSigned(dir, "xot.test");
    ASSERT_TRUE(files) << files.error();
    auto context = TlsServerContext::create(files->certFile, files->keyFile);
    ASSERT_TRUE(context) << context.error();

    const int listenFd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::bind(listenFd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);  // NOLINT
    ASSERT_EQ(::listen(listenFd, 8), 0);
    socklen_t length = sizeof addr;
    ::getsockname(listenFd, reinterpret_cast<sockaddr*>(&addr), &length);  // NOLINT

    std::atomic<bool> stop{false};
    PrimaryLog log;
    std::thread server([&] {
        while (!stop.load()) {
            pollfd p{listenFd, POLLIN, 0};
            if (::poll(&p, 1, 100) <= 0) continue;
            const int fd = ::accept4(listenFd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
            if (fd < 0) continue;
            ++log.connections;
            serveDns(*context, fd, log);
            ::close(fd);
        }
    });

    Named named;
    named.cert = *files;
    named.tlsPort = ntohs(addr.sin_port);
    const bool started = named.start(false);
    std::uint32_t serial = 0;
    for (int i = 0; started && i < 100 && serial != kOurSerial; ++i) {
        serial = soaSerialAt(named.dnsPort);
        if (serial != kOurSerial) std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    const std::string namedLog = named.logText();
    named.stop();
    stop = true;
    server.join();
    ::close(listenFd);
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);

    ASSERT_TRUE(started);
    EXPECT_EQ(serial, kOurSerial) << "our server: " << log.connections << " connections, "
                                  << log.queries << " queries, errors: " << log.errors
                                  << "\nnamed:\n"
                                  << namedLog;
    EXPECT_GE(log.connections, 1);
    EXPECT_EQ(log.notDot, 0) << "BIND did not negotiate ALPN dot";
    EXPECT_NE(log.protocols.find("TLSv1.3"), std::string::npos) << log.protocols;
}

}  // namespace
}  // namespace dnsfleet::authd::tls
