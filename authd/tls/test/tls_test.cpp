// XoT's TLS layer on loopback: a server thread driving TlsServerConnection the way an epoll
// loop would (non-blocking socket, wait for what it asks), and the blocking client stream.
// What is checked is what RFC 9103 asks of the connection: TLS 1.3 only (§5.1), ALPN "dot"
// (§7.1), and the server authenticated by name or by key pin.

#include "authd/tls/tls.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "authd/tls/selfsigned.hpp"

namespace dnsfleet::authd::tls {
namespace {

constexpr int kTimeoutMs = 5000;

class Listener {
  public:
    Listener() {
        fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);  // NOLINT
        EXPECT_EQ(::listen(fd_, 8), 0);
        socklen_t length = sizeof addr;
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &length);  // NOLINT
        port_ = ntohs(addr.sin_port);
    }
    ~Listener() { ::close(fd_); }
    Listener(const Listener&) = delete;
    Listener& operator=(const Listener&) = delete;
    [[nodiscard]] int fd() const { return fd_; }

    /// A new client socket connected to the listener.
    [[nodiscard]] int connectClient() const {
        const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        addr.sin_port = htons(port_);
        EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);  // NOLINT
        return fd;
    }

  private:
    int fd_ = -1;
    std::uint16_t port_ = 0;
};

/// What the server side saw.
struct ServerOutcome {
    bool handshake = false;
    bool alpnDot = false;
    std::string protocol;
    std::string error;
    std::size_t echoed = 0;
};

bool waitReady(int fd, TlsIo want) {
    pollfd p{fd, static_cast<short>(want == TlsIo::WantWrite ? POLLOUT : POLLIN), 0};
    return ::poll(&p, 1, kTimeoutMs) > 0;
}

/// Accepts one connection and serves it like the epoll loop will: handshake, then echo every
/// octet back until the client closes.
ServerOutcome serveOne(const TlsServerContext& context, int listenFd) {
    ServerOutcome outcome;
    const int fd = ::accept4(listenFd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
        outcome.error = "accept failed";
        return outcome;
    }
    auto connection = TlsServerConnection::create(context, fd);
    if (!connection) {
        outcome.error = connection.error();
        ::close(fd);
        return outcome;
    }
    TlsIo state = TlsIo::WantRead;
    while ((state = connection->handshake()) == TlsIo::WantRead || state == TlsIo::WantWrite) {
        if (!waitReady(fd, state)) break;
    }
    if (state != TlsIo::Done) {
        outcome.error =
            connection->lastError().empty() ? "handshake did not finish" : connection->lastError();
        ::close(fd);
        return outcome;
    }
    outcome.handshake = true;
    outcome.alpnDot = connection->alpnIsDot();
    outcome.protocol = connection->protocol();

    std::vector<std::uint8_t> buffer(16384);
    for (;;) {
        const TlsIoResult got = connection->read(buffer);
        if (got.state == TlsIo::WantRead || got.state == TlsIo::WantWrite) {
            if (!waitReady(fd, got.state)) break;
            continue;
        }
        if (got.state != TlsIo::Done) {
            if (got.state == TlsIo::Error) outcome.error = connection->lastError();
            break;
        }
        std::size_t sent = 0;
        while (sent < got.bytes) {
            const TlsIoResult put =
                connection->write(std::span(buffer).subspan(sent, got.bytes - sent));
            if (put.state == TlsIo::Done) {
                sent += put.bytes;
            } else if (put.state == TlsIo::WantRead || put.state == TlsIo::WantWrite) {
                if (!waitReady(fd, put.state)) break;
            } else {
                outcome.error = connection->lastError();
                break;
            }
        }
        outcome.echoed += sent;
    }
    (void)connection->shutdown();
    ::close(fd);
    return outcome;
}

class TlsTest : public ::testing::Test {
  protected:
    void SetUp() override {
        // Writes go through write(2): a client that went away must not kill the test.
        std::signal(SIGPIPE, SIG_IGN);
        std::string pattern =
            (std::filesystem::temp_directory_path() / "dnsfleet-tls-XXXXXX").string();
        ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
        dir_ = pattern;
        auto files = writeSelfSigned(dir_, "xot.test");
        ASSERT_TRUE(files) << files.error();
        files_ = *files;
        auto other = writeSelfSigned(dir_, "other.test");
        ASSERT_TRUE(other) << other.error();
        other_ = *other;
        auto context = TlsServerContext::create(files_.certFile, files_.keyFile);
        ASSERT_TRUE(context) << context.error();
        server_ = *context;
    }
    void TearDown() override {
        std::error_code ignored;
        std::filesystem::remove_all(dir_, ignored);
    }

    /// Serves one connection in a thread, connects a client with `options`, and returns the
    /// client's outcome; the server's is in `served` after the client stream is gone.
    Result<TlsStream, std::string> connectWith(const TlsClientOptions& options) {
        auto client = TlsClientContext::create(options);
        if (!client) return fail(client.error());
        served_ =
            std::async(std::launch::async, [this] { return serveOne(server_, listener_.fd()); });
        clientFd_ = listener_.connectClient();
        return connectTls(clientFd_, *client, kTimeoutMs);
    }
    ServerOutcome served() {
        if (clientFd_ >= 0) {
            ::shutdown(clientFd_, SHUT_RDWR);
        }
        ServerOutcome outcome = served_.get();
        ::close(clientFd_);
        clientFd_ = -1;
        return outcome;
    }

    std::filesystem::path dir_;
    SelfSignedFiles files_;
    SelfSignedFiles other_;
    TlsServerContext server_;
    Listener listener_;
    std::future<ServerOutcome> served_;
    int clientFd_ = -1;
};

TEST_F(TlsTest, HandshakeWithTheRightHostname) {
    TlsClientOptions options;
    options.hostname = "xot.test";
    options.caFile = files_.certFile;
    {
        auto stream = connectWith(options);
        ASSERT_TRUE(stream) << stream.error();
        EXPECT_EQ(stream->protocol(), "TLSv1.3");
        EXPECT_EQ(stream->alpn(), "dot");
    }
    const ServerOutcome outcome = served();
    EXPECT_TRUE(outcome.handshake) << outcome.error;
    EXPECT_TRUE(outcome.alpnDot);
    EXPECT_EQ(outcome.protocol, "TLSv1.3");
}

TEST_F(TlsTest, WrongHostnameIsRefused) {
    TlsClientOptions options;
    options.hostname = "other.test";
    options.caFile = files_.certFile;
    auto stream = connectWith(options);
    ASSERT_FALSE(stream);
    EXPECT_NE(stream.error().find("hostname mismatch"), std::string::npos) << stream.error();
    EXPECT_FALSE(served().echoed);
}

TEST_F(TlsTest, CertificateFromAnUntrustedIssuerIsRefused) {
    TlsClientOptions options;
    options.hostname = "xot.test";
    options.caFile = other_.certFile;  // trusts other.test's key, not xot.test's
    auto stream = connectWith(options);
    ASSERT_FALSE(stream);
    EXPECT_NE(stream.error().find("certificate"), std::string::npos) << stream.error();
    (void)served();
}

TEST_F(TlsTest, RightPinIsAccepted) {
    for (const std::string& pin : {files_.spkiPin, "sha256//" + files_.spkiPin}) {
        TlsClientOptions options;
        options.spkiPin = pin;
        {
            auto stream = connectWith(options);
            ASSERT_TRUE(stream) << stream.error();
        }
        EXPECT_TRUE(served().handshake);
    }
}

TEST_F(TlsTest, WrongPinIsRefused) {
    TlsClientOptions options;
    options.spkiPin = other_.spkiPin;
    auto stream = connectWith(options);
    ASSERT_FALSE(stream);
    EXPECT_NE(stream.error().find("does not match the pin"), std::string::npos) << stream.error();
    (void)served();
}

TEST_F(TlsTest, HostnameAndPinMustBothHold) {
    TlsClientOptions options;
    options.hostname = "xot.test";
    options.caFile = files_.certFile;
    options.spkiPin = other_.spkiPin;
    EXPECT_FALSE(connectWith(options));
    (void)served();
}

TEST_F(TlsTest, PinMatchesTheOpensslCommandLine) {
    // The pin form of RFC 7858 §4.2 as OpenSSL's own tools compute it.
    const std::string command = "openssl x509 -in '" + files_.certFile.string() +
                                "' -pubkey -noout | openssl pkey -pubin -outform der | "
                                "openssl dgst -sha256 -binary | openssl base64 -A";
    FILE* pipe = ::popen(command.c_str(), "r");
    ASSERT_NE(pipe, nullptr);
    std::string printed;
    char buffer[128];
    while (std::fgets(buffer, sizeof buffer, pipe) != nullptr)
        printed += buffer;
    ASSERT_EQ(::pclose(pipe), 0);
    EXPECT_EQ(printed, files_.spkiPin);
    auto pin = spkiPinOfCertificate(files_.certFile);
    ASSERT_TRUE(pin) << pin.error();
    EXPECT_EQ(*pin, printed);
}

/// A handshake from a client context we set up by hand; true when it completes.
bool rawClientHandshake(const Listener& listener, SSL_CTX* ctx) {
    const int fd = listener.connectClient();
    timeval timeout{5, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    SSL* ssl = SSL_new(ctx);
    SSL_set_fd(ssl, fd);
    const bool ok = SSL_connect(ssl) == 1;
    SSL_free(ssl);
    ::close(fd);
    return ok;
}

TEST_F(TlsTest, Tls12ClientIsRefused) {
    // RFC 9103 §5.1: XoT needs TLS 1.3; a client that can do no better than 1.2 gets nothing.
    served_ = std::async(std::launch::async, [this] { return serveOne(server_, listener_.fd()); });
    SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_max_proto_version(ctx, TLS1_2_VERSION);
    const unsigned char alpn[] = {3, 'd', 'o', 't'};
    SSL_CTX_set_alpn_protos(ctx, alpn, sizeof alpn);
    EXPECT_FALSE(rawClientHandshake(listener_, ctx));
    SSL_CTX_free(ctx);
    const ServerOutcome outcome = served_.get();
    EXPECT_FALSE(outcome.handshake);
    EXPECT_NE(outcome.error.find("protocol"), std::string::npos) << outcome.error;
}

TEST_F(TlsTest, ClientOfferingAnotherAlpnIsRefused) {
    served_ = std::async(std::launch::async, [this] { return serveOne(server_, listener_.fd()); });
    SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
    const unsigned char alpn[] = {2, 'h', '2'};
    SSL_CTX_set_alpn_protos(ctx, alpn, sizeof alpn);
    EXPECT_FALSE(rawClientHandshake(listener_, ctx));
    SSL_CTX_free(ctx);
    EXPECT_FALSE(served_.get().handshake);
}

TEST_F(TlsTest, ClientWithoutAlpnIsMarkedNotDot) {
    served_ = std::async(std::launch::async, [this] { return serveOne(server_, listener_.fd()); });
    SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
    EXPECT_TRUE(rawClientHandshake(listener_, ctx));
    SSL_CTX_free(ctx);
    const ServerOutcome outcome = served_.get();
    EXPECT_TRUE(outcome.handshake);
    EXPECT_FALSE(outcome.alpnDot);
}

TEST_F(TlsTest, DataRoundTrip) {
    TlsClientOptions options;
    options.spkiPin = files_.spkiPin;
    std::vector<std::uint8_t> sent(std::size_t{256} * 1024);
    for (std::size_t i = 0; i < sent.size(); ++i) {
        sent[i] = static_cast<std::uint8_t>((i * 7919U) >> 3);
    }
    std::vector<std::uint8_t> received(sent.size());
    {
        auto stream = connectWith(options);
        ASSERT_TRUE(stream) << stream.error();
        // Write and read in turns so that neither side's socket buffer has to hold it all.
        constexpr std::size_t kChunk = std::size_t{32} * 1024;
        for (std::size_t at = 0; at < sent.size(); at += kChunk) {
            auto wrote = stream->writeAll(std::span(sent).subspan(at, kChunk), kTimeoutMs);
            ASSERT_TRUE(wrote) << wrote.error();
            auto read = stream->readExact(std::span(received).subspan(at, kChunk), kTimeoutMs);
            ASSERT_TRUE(read) << read.error();
        }
    }
    EXPECT_EQ(received, sent);
    const ServerOutcome outcome = served();
    EXPECT_EQ(outcome.echoed, sent.size());
}

TEST_F(TlsTest, TimeoutOnASilentServer) {
    // The kernel completes the TCP connection from the backlog; nobody ever speaks TLS.
    auto client = TlsClientContext::create("xot.test", files_.spkiPin);
    ASSERT_TRUE(client) << client.error();
    const int fd = listener_.connectClient();
    const auto start = std::chrono::steady_clock::now();
    auto stream = connectTls(fd, *client, 300);
    const auto elapsed = std::chrono::steady_clock::now() - start;
    ::close(fd);
    ASSERT_FALSE(stream);
    EXPECT_NE(stream.error().find("timed out"), std::string::npos) << stream.error();
    EXPECT_GE(elapsed, std::chrono::milliseconds(290));
    EXPECT_LT(elapsed, std::chrono::seconds(3));
}

TEST_F(TlsTest, ReadTimesOutWhenTheServerSaysNothing) {
    TlsClientOptions options;
    options.spkiPin = files_.spkiPin;
    auto stream = connectWith(options);
    ASSERT_TRUE(stream) << stream.error();
    std::array<std::uint8_t, 4> out{};
    auto read = stream->readExact(out, 200);
    ASSERT_FALSE(read);
    EXPECT_NE(read.error().find("timed out"), std::string::npos) << read.error();
    (void)served();
}

TEST(TlsClientContext, NeedsAWayToAuthenticateTheServer) {
    EXPECT_FALSE(TlsClientContext::create(TlsClientOptions{}));
    TlsClientOptions insecure;
    insecure.insecure = true;
    EXPECT_TRUE(TlsClientContext::create(insecure));
    TlsClientOptions caWithoutName;
    caWithoutName.caFile = "/nonexistent.pem";
    caWithoutName.spkiPin = std::string(43, 'A') + "=";
    EXPECT_FALSE(TlsClientContext::create(caWithoutName));
}

TEST(TlsClientContext, MalformedPinsAreRefused) {
    for (const char* pin : {"abc", "sha256//abc", "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!=",
                            "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}) {
        EXPECT_FALSE(TlsClientContext::create("", pin)) << pin;
    }
    EXPECT_TRUE(TlsClientContext::create("", std::string(43, 'A') + "="));
}

TEST(TlsServerContext, MissingOrMismatchedFilesAreErrors) {
    EXPECT_FALSE(TlsServerContext::create("/nonexistent.crt", "/nonexistent.key"));
}

}  // namespace
}  // namespace dnsfleet::authd::tls
