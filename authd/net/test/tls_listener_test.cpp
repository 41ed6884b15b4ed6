// TLS listeners of the TCP server (XoT, RFC 9103; the same stream framing as RFC 7766 inside
// TLS 1.3): a client that checks the server by name or by key pin sends queries and transfers
// through the handshake; requests carry Transport::Tls; ALPN "dot" is a condition of transfers
// (RFC 9103 §7.1); a TLS port never answers in clear text; a stalled handshake is closed after
// the idle timeout.

#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include <csignal>
#include <filesystem>
#include <random>

#include "authd/tls/selfsigned.hpp"
#include "authd/tls/tls.hpp"
#include "management_harness.hpp"

namespace dnsfleet::authd::net {
namespace {

using namespace testing;
using std::chrono::milliseconds;

constexpr int kTimeoutMs = 10'000;
constexpr char kServerName[] = "authd.test";

class TempDir {
  public:
    TempDir() {
        std::random_device random;
        path_ = std::filesystem::temp_directory_path() /
                ("dnsfleet-tls-listener-" + std::to_string(random()));
        std::filesystem::create_directories(path_);
    }
    ~TempDir() {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    [[nodiscard]] const std::filesystem::path& path() const { return path_; }

  private:
    std::filesystem::path path_;
};

/// A TCP thread with one TLS listener (management or public) and one plain public listener.
class TlsHarness {
  public:
    TlsHarness(TcpServerOptions options, bool withContext, bool management = true)
        : zones_(noZones()) {
        std::signal(SIGPIPE, SIG_IGN);  // TLS writes go through write(2), as in the daemon
        auto files = tls::writeSelfSigned(dir_.path(), kServerName);
        EXPECT_TRUE(files.has_value()) << (files ? "" : files.error());
        files_ = *files;
        if (withContext) {
            auto context = tls::TlsServerContext::create(files_.certFile, files_.keyFile);
            EXPECT_TRUE(context.has_value()) << (context ? "" : context.error());
            options.tls = std::make_shared<tls::TlsServerContext>(std::move(*context));
        }
        std::vector<TcpListener> listeners;
        auto secured = openTcpListener(loopbackAnyPort(), false);
        auto plain = openTcpListener(loopbackAnyPort(), false);
        EXPECT_TRUE(secured.has_value() && plain.has_value());
        tlsPort = boundPort(secured->get());
        plainPort = boundPort(plain->get());
        listeners.push_back(TcpListener{std::move(*secured), management, true});
        listeners.push_back(TcpListener{std::move(*plain), false, false});
        server = std::make_unique<TcpServer>(std::move(listeners), zones_, options);
        thread_ = std::thread([s = server.get()] { s->run(); });
    }
    ~TlsHarness() {
        server->stop();
        thread_.join();
    }
    TlsHarness(const TlsHarness&) = delete;
    TlsHarness& operator=(const TlsHarness&) = delete;

    [[nodiscard]] const tls::SelfSignedFiles& files() const { return files_; }

    std::unique_ptr<TcpServer> server;
    std::uint16_t tlsPort = 0;
    std::uint16_t plainPort = 0;

  private:
    TempDir dir_;
    tls::SelfSignedFiles files_;
    ZoneSnapshots zones_;
    std::thread thread_;
};

TcpServerOptions withHandler(FakeHandler& handler) {
    TcpServerOptions options;
    options.management = &handler;
    options.managementListenersExist = true;
    return options;
}

Bytes framed(const std::vector<Bytes>& messages) {
    Bytes wire;
    for (const auto& m : messages) {
        wire.push_back(static_cast<std::uint8_t>(m.size() >> 8));
        wire.push_back(static_cast<std::uint8_t>(m.size() & 0xff));
        wire.insert(wire.end(), m.begin(), m.end());
    }
    return wire;
}

/// A client that checks the server by name (against its own self-signed certificate as CA)
/// and pin, the way the transfer client does.
class TlsClient {
  public:
    TlsClient(std::uint16_t port, const tls::TlsClientOptions& options) : tcp_(port) {
        if (!tcp_.connected()) return;
        auto context = tls::TlsClientContext::create(options);
        if (!context) {
            error_ = context.error();
            return;
        }
        auto stream = tls::connectTls(tcp_.fd(), *context, kTimeoutMs);
        if (!stream) {
            error_ = stream.error();
            return;
        }
        stream_.emplace(std::move(*stream));
    }

    [[nodiscard]] bool secured() const { return stream_.has_value(); }
    [[nodiscard]] const std::string& error() const { return error_; }
    tls::TlsStream& stream() { return *stream_; }

    bool send(const std::vector<Bytes>& messages) {
        return stream_->writeAll(framed(messages), kTimeoutMs).has_value();
    }
    std::optional<Bytes> read() {
        std::array<std::uint8_t, 2> prefix{};
        if (!stream_->readExact(prefix, kTimeoutMs)) return std::nullopt;
        Bytes m(std::size_t{prefix[0]} << 8 | prefix[1]);
        if (!stream_->readExact(m, kTimeoutMs)) return std::nullopt;
        return m;
    }

  private:
    TcpClient tcp_;  // declared first: the stream borrows its socket
    std::optional<tls::TlsStream> stream_;
    std::string error_;
};

tls::TlsClientOptions byName(const tls::SelfSignedFiles& files) {
    return {.hostname = kServerName, .caFile = files.certFile, .spkiPin = {}, .insecure = false};
}

TEST(TlsListener, QueryAndTransferOverTlsCarryTheTlsTransport) {
    FakeHandler handler;
    handler.messages = 40;  // 40 × 60 000 octets: each message spans several TLS records
    TlsHarness harness(withHandler(handler), /*withContext=*/true);
    TlsClient client(harness.tlsPort, byName(harness.files()));
    ASSERT_TRUE(client.secured()) << client.error();
    EXPECT_EQ(client.stream().protocol(), "TLSv1.3");
    EXPECT_EQ(client.stream().alpn(), "dot");

    // A query first (no zones: REFUSED from the query processor), then a transfer.
    ASSERT_TRUE(client.send({request(0x1001, kOpQuery, kTypeA)}));
    const auto answer = client.read();
    ASSERT_TRUE(answer.has_value());
    EXPECT_EQ(idOf(*answer), 0x1001);
    EXPECT_TRUE(qrOf(*answer));
    EXPECT_EQ(rcodeOf(*answer), 5u);

    ASSERT_TRUE(client.send({request(0x1002, kOpQuery, kTypeAxfr)}));
    for (std::uint32_t k = 0; k < 40; ++k) {
        const auto m = client.read();
        ASSERT_TRUE(m.has_value()) << "message " << k;
        ASSERT_TRUE(isTransferMessage(*m, 0x1002, k, 60'000)) << "message " << k;
    }
    const PeerSeen peer = handler.lastPeer();
    EXPECT_EQ(peer.transport, Transport::Tls);
    EXPECT_TRUE(peer.management);

    // The connection reads requests again after the transfer: a NOTIFY is answered.
    ASSERT_TRUE(client.send({request(0x1003, kOpNotify, kTypeSoa)}));
    const auto notify = client.read();
    ASSERT_TRUE(notify.has_value());
    EXPECT_EQ(idOf(*notify), 0x1003);
    EXPECT_EQ(handler.notifies.load(), 1);
    EXPECT_EQ(harness.server->stats().tlsHandshakes.load(), 1u);
}

TEST(TlsListener, ServerCheckedByPinAlone) {
    FakeHandler handler;
    handler.messages = 2;
    TlsHarness harness(withHandler(handler), true);
    TlsClient client(
        harness.tlsPort,
        {.hostname = {}, .caFile = {}, .spkiPin = harness.files().spkiPin, .insecure = false});
    ASSERT_TRUE(client.secured()) << client.error();
    ASSERT_TRUE(client.send({request(0x2001, kOpQuery, kTypeIxfr)}));
    EXPECT_TRUE(client.read().has_value());
    EXPECT_TRUE(client.read().has_value());
}

TEST(TlsListener, ManyPipelinedQueriesInOneTlsRecordAreAllAnswered) {
    // 300 queries of ~29 octets arrive in a few TLS records, far more than the connection's
    // first 512-octet read: the rest waits decrypted inside OpenSSL, where no epoll event
    // announces it. Every query must still be answered, in order.
    TlsHarness harness(TcpServerOptions{}, true);
    TlsClient client(harness.tlsPort, byName(harness.files()));
    ASSERT_TRUE(client.secured()) << client.error();
    std::vector<Bytes> queries;
    for (std::uint16_t id = 0; id < 300; ++id)
        queries.push_back(request(id, kOpQuery, kTypeA));
    ASSERT_TRUE(client.send(queries));
    for (std::uint16_t id = 0; id < 300; ++id) {
        const auto m = client.read();
        ASSERT_TRUE(m.has_value()) << "answer " << id;
        EXPECT_EQ(idOf(*m), id);
    }
}

TEST(TlsListener, WithoutAlpnDotQueriesAreAnsweredButTransfersRefused) {
    FakeHandler handler;
    TlsHarness harness(withHandler(handler), true);
    TcpClient tcp(harness.tlsPort);
    ASSERT_TRUE(tcp.connected());
    // A plain OpenSSL client that offers no ALPN at all (a DoT stub might): RFC 9103 §7.1
    // makes "dot" a condition of XoT.
    std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> ctx(SSL_CTX_new(TLS_client_method()),
                                                          SSL_CTX_free);
    ASSERT_TRUE(ctx);
    SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_NONE, nullptr);
    std::unique_ptr<SSL, decltype(&SSL_free)> ssl(SSL_new(ctx.get()), SSL_free);
    ASSERT_TRUE(ssl);
    SSL_set_fd(ssl.get(), tcp.fd());
    ASSERT_EQ(SSL_connect(ssl.get()), 1);
    const Bytes wire =
        framed({request(0x3001, kOpQuery, kTypeA), request(0x3002, kOpQuery, kTypeAxfr),
                request(0x3003, kOpNotify, kTypeSoa)});
    ASSERT_EQ(SSL_write(ssl.get(), wire.data(), static_cast<int>(wire.size())),
              static_cast<int>(wire.size()));
    auto readMessage = [&]() -> std::optional<Bytes> {
        std::array<std::uint8_t, 2> prefix{};
        std::size_t got = 0;
        if (SSL_read_ex(ssl.get(), prefix.data(), 2, &got) != 1 || got != 2) return std::nullopt;
        Bytes m(std::size_t{prefix[0]} << 8 | prefix[1]);
        std::size_t have = 0;
        while (have < m.size()) {
            if (SSL_read_ex(ssl.get(), m.data() + have, m.size() - have, &got) != 1)
                return std::nullopt;
            have += got;
        }
        return m;
    };
    for (const std::uint16_t id :
         {std::uint16_t{0x3001}, std::uint16_t{0x3002}, std::uint16_t{0x3003}}) {
        const auto m = readMessage();
        ASSERT_TRUE(m.has_value()) << id;
        EXPECT_EQ(idOf(*m), id);
        EXPECT_EQ(rcodeOf(*m), 5u) << id;  // REFUSED: no zone for the query, no XoT without dot
    }
    EXPECT_EQ(handler.transfers.load(), 0);
    EXPECT_EQ(handler.notifies.load(), 0);
}

TEST(TlsListener, ClearTextOnATlsPortGetsNoAnswer) {
    FakeHandler handler;
    TlsHarness harness(withHandler(handler), true);
    TcpClient plain(harness.tlsPort);
    ASSERT_TRUE(plain.connected());
    ASSERT_TRUE(plain.send({request(0x4001, kOpQuery, kTypeAxfr)}));
    EXPECT_FALSE(plain.read().has_value());  // the handshake fails, the connection closes
    EXPECT_TRUE(eventually([&] { return harness.server->stats().tlsFailures.load() == 1; }));
    EXPECT_EQ(handler.transfers.load(), 0);
    // The plain listener of the same thread is unaffected.
    TcpClient other(harness.plainPort);
    ASSERT_TRUE(other.send({request(0x4002, kOpQuery, kTypeA)}));
    const auto m = other.read();
    ASSERT_TRUE(m.has_value());
    EXPECT_EQ(idOf(*m), 0x4002);
}

TEST(TlsListener, WithoutCertificateConnectionsAreClosed) {
    TlsHarness harness(TcpServerOptions{}, /*withContext=*/false);
    TlsClient client(harness.tlsPort, byName(harness.files()));
    EXPECT_FALSE(client.secured());
    EXPECT_TRUE(eventually([&] { return harness.server->stats().tlsFailures.load() >= 1; }));
    EXPECT_EQ(harness.server->stats().tlsHandshakes.load(), 0u);
}

TEST(TlsListener, StalledHandshakeClosedAfterIdleTimeout) {
    TcpServerOptions options;
    options.idleTimeout = milliseconds(300);
    TlsHarness harness(options, true);
    TcpClient silent(harness.tlsPort);  // connects, never says hello
    ASSERT_TRUE(silent.connected());
    ASSERT_TRUE(eventually([&] { return harness.server->connections() == 1; }));
    EXPECT_TRUE(eventually([&] { return harness.server->connections() == 0; }, milliseconds(3000)));
    EXPECT_EQ(harness.server->stats().timedOut.load(), 1u);
    EXPECT_FALSE(silent.read().has_value());
}

TEST(TlsListener, PublicTlsListenerRefusesTransfersWhenManagementListenersExist) {
    FakeHandler handler;
    TlsHarness harness(withHandler(handler), true, /*management=*/false);
    TlsClient client(harness.tlsPort, byName(harness.files()));
    ASSERT_TRUE(client.secured()) << client.error();
    ASSERT_TRUE(client.send({request(0x5001, kOpQuery, kTypeAxfr)}));
    const auto m = client.read();
    ASSERT_TRUE(m.has_value());
    EXPECT_EQ(rcodeOf(*m), 5u);
    EXPECT_EQ(handler.transfers.load(), 0);
}

}  // namespace
}  // namespace dnsfleet::authd::net
