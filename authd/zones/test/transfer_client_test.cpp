// pullZone and querySerial against a real knotd on loopback: Knot is the primary we must
// interoperate with, so it is the oracle for AXFR, IXFR, TSIG and the SOA query.

#include "authd/zones/transfer_client.hpp"

#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "dnswire/message.hpp"
#include "dnswire/rrtype.hpp"
#include "knot_fixture.hpp"
#include "xfr/diff.hpp"

namespace dnsfleet::authd::zones {
namespace {

using namespace std::chrono_literals;
using knottest::KnotServer;

const std::vector<std::uint8_t> kSecret = {'s', 'e', 'c', 'r', 'e', 't', '-', 'o', 'f', '-', '3',
                                           '2', '-', 'o', 'c', 't', 'e', 't', 's', '-', 'f', 'o',
                                           'r', '-', 'h', 'm', 'a', 'c', '2', '5', '6', '!'};

std::string zoneText(const char* origin, int serial, const char* wwwAddress, bool extra = false) {
    std::string text = std::string("$ORIGIN ") + origin + "\n$TTL 300\n" + "@ SOA ns hostmaster " +
                       std::to_string(serial) + " 3600 600 86400 300\n" +
                       "@ NS ns\nns A 192.0.2.1\nwww A " + wwwAddress + "\n";
    if (extra) text += "new A 192.0.2.9\n";
    return text;
}

dnswire::Name name(const char* text) {
    auto parsed = dnswire::Name::fromText(text);
    return parsed.has_value() ? *parsed : dnswire::Name{};
}

// The addresses of `owner`'s A RRset in `zone`, as text.
std::vector<std::string> addresses(const zone::Zone& zone, const char* owner) {
    std::vector<std::string> out;
    const zone::Node* node = zone.find(name(owner));
    if (node == nullptr) return out;
    for (std::span<const std::uint8_t> rdata : zone.rrset(*node, dnswire::rrtype::A)) {
        if (rdata.size() == 4) {
            out.push_back(std::to_string(rdata[0]) + "." + std::to_string(rdata[1]) + "." +
                          std::to_string(rdata[2]) + "." + std::to_string(rdata[3]));
        }
    }
    return out;
}

class TransferClientTest : public ::testing::Test {
  protected:
    void SetUp() override {
        if (!knottest::knotInstalled())
            FAIL() << "knotd not installed (scripts/install-deps.sh test installs it)";
        knot_.writeFile("example.zone", zoneText("example.", 1, "192.0.2.2"));
        knot_.writeFile("keyed.zone", zoneText("keyed.example.", 7, "192.0.2.7"));
        const std::string conf =
            "key:\n  - id: xfr-key.\n    algorithm: hmac-sha256\n    secret: " +
            knottest::base64(kSecret) +
            "\nacl:\n  - id: open\n    address: 127.0.0.0/8\n    action: transfer\n"
            "  - id: keyed\n    address: 127.0.0.0/8\n    key: xfr-key.\n    action: transfer\n"
            "template:\n  - id: default\n    storage: \"" +
            knot_.dir().string() +
            "\"\n    zonefile-sync: -1\n    zonefile-load: difference\n"
            "    journal-content: changes\n    semantic-checks: off\n"
            "zone:\n  - domain: example.\n    file: example.zone\n    acl: open\n"
            "  - domain: keyed.example.\n    file: keyed.zone\n    acl: keyed\n";
        ASSERT_TRUE(knot_.start(conf));
        primary_.address = knot_.address();
        keyedPrimary_.address = knot_.address();
        keyedPrimary_.key = &key_;
        ASSERT_TRUE(waitForSerial(primary_, "example.", 1)) << knot_.log();
        ASSERT_TRUE(waitForSerial(keyedPrimary_, "keyed.example.", 7)) << knot_.log();
    }

    // Knot answers once it has loaded the zone; bounded at 10 s.
    static bool waitForSerial(const PrimaryEndpoint& primary, const char* apex,
                              std::uint32_t serial) {
        for (int i = 0; i < 100; ++i) {
            auto got = querySerial(primary, name(apex), 200ms);
            if (got.has_value() && *got == serial) return true;
            std::this_thread::sleep_for(100ms);
        }
        return false;
    }

    PullOptions options() const {
        PullOptions o;
        o.timeout = 3000ms;
        return o;
    }

    KnotServer knot_;
    dnswire::TsigKey key_ = knottest::tsigKey("xfr-key.", kSecret);
    PrimaryEndpoint primary_;
    PrimaryEndpoint keyedPrimary_;
};

TEST_F(TransferClientTest, AxfrOfAZoneWeDoNotHaveYet) {
    auto pulled = pullZone(primary_, name("example."), nullptr, options());
    ASSERT_TRUE(pulled.has_value()) << pulled.error();
    EXPECT_EQ(pulled->kind, xfr::XfrKind::Full);
    EXPECT_EQ(pulled->serial, 1U);
    EXPECT_FALSE(pulled->fellBackToAxfr);
    EXPECT_GE(pulled->messages, 1U);
    EXPECT_GT(pulled->bytes, 0U);
    // SOA, NS, ns A, www A: the closing SOA is not repeated.
    EXPECT_EQ(pulled->full.size(), 4U);
    EXPECT_EQ(pulled->full.front().type, dnswire::rrtype::SOA);
    ASSERT_NE(pulled->zone, nullptr);
    EXPECT_EQ(xfr::zoneSerial(*pulled->zone), 1U);
    EXPECT_EQ(addresses(*pulled->zone, "www.example."), std::vector<std::string>{"192.0.2.2"});
}

TEST_F(TransferClientTest, SameSerialIsUpToDateWithoutATransfer) {
    auto first = pullZone(primary_, name("example."), nullptr, options());
    ASSERT_TRUE(first.has_value()) << first.error();
    auto again = pullZone(primary_, name("example."), first->zone, options());
    ASSERT_TRUE(again.has_value()) << again.error();
    EXPECT_EQ(again->kind, xfr::XfrKind::UpToDate);
    EXPECT_EQ(again->zone, first->zone);
    EXPECT_EQ(again->serial, 1U);
    std::istringstream log(knot_.log());
    std::size_t transfers = 0;
    for (std::string line; std::getline(log, line);) {
        if (line.find("XFR, outgoing") != std::string::npos &&
            line.find("started") != std::string::npos) {
            ++transfers;
        }
    }
    EXPECT_EQ(transfers, 1U) << "only the first pull may transfer";
}

TEST_F(TransferClientTest, IxfrAfterAnEditAtThePrimary) {
    auto v1 = pullZone(primary_, name("example."), nullptr, options());
    ASSERT_TRUE(v1.has_value()) << v1.error();

    knot_.writeFile("example.zone", zoneText("example.", 2, "192.0.2.3", true));
    ASSERT_TRUE(knot_.knotc({"zone-reload", "example."}));
    ASSERT_TRUE(waitForSerial(primary_, "example.", 2)) << knot_.log();

    auto v2 = pullZone(primary_, name("example."), v1->zone, options());
    ASSERT_TRUE(v2.has_value()) << v2.error();
    EXPECT_EQ(v2->kind, xfr::XfrKind::Incremental) << knot_.log();
    EXPECT_FALSE(v2->fellBackToAxfr);
    EXPECT_EQ(v2->serial, 2U);
    ASSERT_EQ(v2->diffs.size(), 1U);
    EXPECT_EQ(v2->diffs[0].fromSerial, 1U);
    EXPECT_EQ(v2->diffs[0].toSerial, 2U);
    // Removed: old SOA, www 192.0.2.2. Added: new SOA, www 192.0.2.3, new 192.0.2.9.
    EXPECT_EQ(v2->diffs[0].removed.size(), 2U);
    EXPECT_EQ(v2->diffs[0].added.size(), 3U);
    ASSERT_NE(v2->zone, nullptr);
    EXPECT_EQ(xfr::zoneSerial(*v2->zone), 2U);
    EXPECT_EQ(addresses(*v2->zone, "www.example."), std::vector<std::string>{"192.0.2.3"});
    EXPECT_EQ(addresses(*v2->zone, "new.example."), std::vector<std::string>{"192.0.2.9"});
    EXPECT_NE(knot_.log().find("IXFR, outgoing"), std::string::npos);

    // A forced retransfer takes the whole zone even though IXFR would do.
    PullOptions force = options();
    force.forceAxfr = true;
    force.skipSoaQuery = true;
    auto full = pullZone(primary_, name("example."), v1->zone, force);
    ASSERT_TRUE(full.has_value()) << full.error();
    EXPECT_EQ(full->kind, xfr::XfrKind::Full);
    EXPECT_EQ(full->full.size(), 5U);
    EXPECT_EQ(full->serial, 2U);
}

TEST_F(TransferClientTest, AxfrOnlyNeverAsksForIxfr) {
    auto v1 = pullZone(primary_, name("example."), nullptr, options());
    ASSERT_TRUE(v1.has_value()) << v1.error();
    knot_.writeFile("example.zone", zoneText("example.", 2, "192.0.2.3"));
    ASSERT_TRUE(knot_.knotc({"zone-reload", "example."}));
    ASSERT_TRUE(waitForSerial(primary_, "example.", 2)) << knot_.log();
    PullOptions axfrOnly = options();
    axfrOnly.axfrOnly = true;
    auto v2 = pullZone(primary_, name("example."), v1->zone, axfrOnly);
    ASSERT_TRUE(v2.has_value()) << v2.error();
    EXPECT_EQ(v2->kind, xfr::XfrKind::Full);
    EXPECT_EQ(knot_.log().find("IXFR, outgoing"), std::string::npos);
}

TEST_F(TransferClientTest, QuerySerialFollowsThePrimary) {
    auto serial = querySerial(primary_, name("example."), 2000ms);
    ASSERT_TRUE(serial.has_value()) << serial.error();
    EXPECT_EQ(*serial, 1U);
    auto keyed = querySerial(keyedPrimary_, name("keyed.example."), 2000ms);
    ASSERT_TRUE(keyed.has_value()) << keyed.error();
    EXPECT_EQ(*keyed, 7U);
    // Knot does not serve this zone: REFUSED, as one line naming the primary.
    auto unknown = querySerial(primary_, name("other.test."), 2000ms);
    ASSERT_FALSE(unknown.has_value());
    EXPECT_NE(unknown.error().find(knot_.address().toString()), std::string::npos);
    EXPECT_NE(unknown.error().find("REFUSED"), std::string::npos) << unknown.error();
}

TEST_F(TransferClientTest, TsigWithTheRightKeyTransfers) {
    auto pulled = pullZone(keyedPrimary_, name("keyed.example."), nullptr, options());
    ASSERT_TRUE(pulled.has_value()) << pulled.error();
    EXPECT_EQ(pulled->kind, xfr::XfrKind::Full);
    EXPECT_EQ(pulled->serial, 7U);
    EXPECT_EQ(pulled->full.size(), 4U);
}

TEST_F(TransferClientTest, UnsignedRequestIsRefusedWhereAKeyIsRequired) {
    auto pulled = pullZone(primary_, name("keyed.example."), nullptr, options());
    ASSERT_FALSE(pulled.has_value());
    // Knot 3.2 answers NOTAUTH when its ACL wants a key the request lacks.
    EXPECT_NE(pulled.error().find("NOTAUTH"), std::string::npos) << pulled.error();
}

TEST_F(TransferClientTest, WrongSecretIsBadSig) {
    const dnswire::TsigKey wrong = knottest::tsigKey("xfr-key.", {1, 2, 3, 4, 5, 6, 7, 8});
    PrimaryEndpoint primary = keyedPrimary_;
    primary.key = &wrong;
    auto pulled = pullZone(primary, name("keyed.example."), nullptr, options());
    ASSERT_FALSE(pulled.has_value());
    EXPECT_NE(pulled.error().find("TSIG BADSIG"), std::string::npos) << pulled.error();
    EXPECT_EQ(pulled.error().find('\n'), std::string::npos);
}

TEST_F(TransferClientTest, UnknownKeyIsBadKey) {
    const dnswire::TsigKey unknown = knottest::tsigKey("other-key.", kSecret);
    PrimaryEndpoint primary = keyedPrimary_;
    primary.key = &unknown;
    auto pulled = pullZone(primary, name("keyed.example."), nullptr, options());
    ASSERT_FALSE(pulled.has_value());
    EXPECT_NE(pulled.error().find("TSIG BADKEY"), std::string::npos) << pulled.error();
}

TEST_F(TransferClientTest, ViaSetsTheSourceAddress) {
    PrimaryEndpoint primary = primary_;
    // Port 53 by default in the config; only the address is used, the kernel picks the port.
    auto source = config::parseListenAddress("127.0.0.2");
    ASSERT_TRUE(source.has_value());
    primary.via = *source;
    auto pulled = pullZone(primary, name("example."), nullptr, options());
    ASSERT_TRUE(pulled.has_value()) << pulled.error();
    EXPECT_NE(knot_.log().find("AXFR, outgoing, remote 127.0.0.2@"), std::string::npos)
        << knot_.log();
}

TEST_F(TransferClientTest, IxfrThatDoesNotApplyFallsBackToAxfr) {
    // Our copy claims serial 1 but holds another www address than Knot's serial 1, so the
    // IXFR's removal of www 192.0.2.2 names a record we do not have (RFC 1995 §4).
    KnotServer other;
    other.writeFile("example.zone", zoneText("example.", 1, "192.0.2.99"));
    ASSERT_TRUE(other.start("template:\n  - id: default\n    storage: \"" + other.dir().string() +
                            "\"\nacl:\n  - id: open\n    address: 127.0.0.0/8\n"
                            "    action: transfer\nzone:\n  - domain: example.\n"
                            "    file: example.zone\n    acl: open\n"));
    PrimaryEndpoint otherPrimary;
    otherPrimary.address = other.address();
    ASSERT_TRUE(waitForSerial(otherPrimary, "example.", 1)) << other.log();
    auto diverged = pullZone(otherPrimary, name("example."), nullptr, options());
    ASSERT_TRUE(diverged.has_value()) << diverged.error();

    knot_.writeFile("example.zone", zoneText("example.", 2, "192.0.2.3", true));
    ASSERT_TRUE(knot_.knotc({"zone-reload", "example."}));
    ASSERT_TRUE(waitForSerial(primary_, "example.", 2)) << knot_.log();

    auto pulled = pullZone(primary_, name("example."), diverged->zone, options());
    ASSERT_TRUE(pulled.has_value()) << pulled.error();
    EXPECT_TRUE(pulled->fellBackToAxfr);
    EXPECT_EQ(pulled->kind, xfr::XfrKind::Full);
    EXPECT_EQ(pulled->serial, 2U);
    EXPECT_EQ(addresses(*pulled->zone, "www.example."), std::vector<std::string>{"192.0.2.3"});
}

// A primary that answers IXFR with NOTIMP (as some old ones do) and hands AXFR to knotd.
class NoIxfrPrimary {
  public:
    explicit NoIxfrPrimary(config::ListenAddress upstream) : upstream_(upstream) {
        listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
        address_ = knottest::loopback(0);
        EXPECT_EQ(::bind(listener_, address_.sockaddrPtr(), address_.length), 0);
        socklen_t length = sizeof address_.address;
        ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address_.address),
                      &length);  // NOLINT
        address_.length = length;
        ::listen(listener_, 8);
        thread_ = std::thread([this] { run(); });
    }
    ~NoIxfrPrimary() {
        stop_ = true;
        thread_.join();
        ::close(listener_);
    }
    NoIxfrPrimary(const NoIxfrPrimary&) = delete;
    NoIxfrPrimary& operator=(const NoIxfrPrimary&) = delete;

    [[nodiscard]] const config::ListenAddress& address() const { return address_; }
    std::atomic<int> ixfrRequests{0};
    std::atomic<int> axfrRequests{0};

  private:
    static bool readFrame(int fd, std::vector<std::uint8_t>& frame) {
        std::uint8_t prefix[2];
        if (::recv(fd, prefix, 2, MSG_WAITALL) != 2) return false;
        frame.resize(static_cast<std::size_t>(prefix[0] << 8 | prefix[1]));
        return ::recv(fd, frame.data(), frame.size(), MSG_WAITALL) ==
               static_cast<ssize_t>(frame.size());
    }

    void serve(int client) {
        std::vector<std::uint8_t> request;
        if (!readFrame(client, request)) return;
        auto parser = dnswire::MessageParser::open(request);
        if (!parser) return;
        if (parser->qtype() == dnswire::rrtype::IXFR) {
            ++ixfrRequests;
            // Header and question only, QR and NOTIMP set.
            std::vector<std::uint8_t> answer(
                request.begin(),
                request.begin() + 12 + static_cast<long>(parser->qname().size()) + 4);
            answer[2] = static_cast<std::uint8_t>(answer[2] | 0x80);
            answer[3] = static_cast<std::uint8_t>((answer[3] & 0xF0) | dnswire::rcode::NOTIMP);
            for (std::size_t i = 6; i < 12; ++i)
                answer[i] = 0;
            const std::uint8_t prefix[2] = {static_cast<std::uint8_t>(answer.size() >> 8),
                                            static_cast<std::uint8_t>(answer.size())};
            ::send(client, prefix, 2, MSG_NOSIGNAL);
            ::send(client, answer.data(), answer.size(), MSG_NOSIGNAL);
            return;
        }
        ++axfrRequests;
        const int up = ::socket(AF_INET, SOCK_STREAM, 0);
        if (::connect(up, upstream_.sockaddrPtr(), upstream_.length) != 0) {
            ::close(up);
            return;
        }
        const std::uint8_t prefix[2] = {static_cast<std::uint8_t>(request.size() >> 8),
                                        static_cast<std::uint8_t>(request.size())};
        ::send(up, prefix, 2, MSG_NOSIGNAL);
        ::send(up, request.data(), request.size(), MSG_NOSIGNAL);
        // Relay Knot's answer until either side closes or all is quiet for 2 s.
        std::array<std::uint8_t, 4096> buffer{};
        for (int rounds = 0; rounds < 10000; ++rounds) {
            pollfd fds[2] = {{up, POLLIN, 0}, {client, POLLIN, 0}};
            if (::poll(fds, 2, 2000) <= 0) break;
            if ((fds[1].revents & (POLLIN | POLLHUP)) != 0) break;  // the client is done
            const ssize_t n = ::recv(up, buffer.data(), buffer.size(), 0);
            if (n <= 0) break;
            ::send(client, buffer.data(), static_cast<std::size_t>(n), MSG_NOSIGNAL);
        }
        ::close(up);
    }

    void run() {
        for (int accepted = 0; accepted < 16 && !stop_;) {
            pollfd p{listener_, POLLIN, 0};
            if (::poll(&p, 1, 50) <= 0) continue;
            const int client = ::accept(listener_, nullptr, nullptr);
            if (client < 0) continue;
            ++accepted;
            serve(client);
            ::close(client);
        }
    }

    config::ListenAddress upstream_;
    config::ListenAddress address_;
    int listener_ = -1;
    std::atomic<bool> stop_{false};
    std::thread thread_;
};

TEST_F(TransferClientTest, IxfrAnsweredNotImpFallsBackToAxfrOnANewConnection) {
    auto v1 = pullZone(primary_, name("example."), nullptr, options());
    ASSERT_TRUE(v1.has_value()) << v1.error();
    knot_.writeFile("example.zone", zoneText("example.", 2, "192.0.2.3", true));
    ASSERT_TRUE(knot_.knotc({"zone-reload", "example."}));
    ASSERT_TRUE(waitForSerial(primary_, "example.", 2)) << knot_.log();

    NoIxfrPrimary oldPrimary(knot_.address());
    PrimaryEndpoint endpoint;
    endpoint.address = oldPrimary.address();
    PullOptions o = options();
    o.skipSoaQuery = true;  // the scripted primary speaks TCP only (a NOTIFY said serial 2)
    auto pulled = pullZone(endpoint, name("example."), v1->zone, o);
    ASSERT_TRUE(pulled.has_value()) << pulled.error();
    EXPECT_TRUE(pulled->fellBackToAxfr);
    EXPECT_EQ(pulled->kind, xfr::XfrKind::Full);
    EXPECT_EQ(pulled->serial, 2U);
    EXPECT_EQ(oldPrimary.ixfrRequests.load(), 1);
    EXPECT_EQ(oldPrimary.axfrRequests.load(), 1);
}

TEST(TransferClientDown, PrimaryThatIsDownFailsQuickly) {
    PrimaryEndpoint primary;
    primary.address = knottest::loopback(knottest::freePort());  // nothing listens there
    const auto start = std::chrono::steady_clock::now();
    PullOptions o;
    o.timeout = 5000ms;
    auto pulled = pullZone(primary, name("example."), nullptr, o);
    ASSERT_FALSE(pulled.has_value());
    EXPECT_NE(pulled.error().find(primary.address.toString() + ": "), std::string::npos);
    EXPECT_NE(pulled.error().find("refused"), std::string::npos) << pulled.error();
    auto serial = querySerial(primary, name("example."), 5000ms);
    ASSERT_FALSE(serial.has_value());
    EXPECT_NE(serial.error().find("refused"), std::string::npos) << serial.error();
    EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
}

TEST(TransferClientDown, SilentPrimaryTimesOutAfterTheTimeout) {
    // A bound UDP socket that never answers: the SOA query has nobody to refuse it.
    const int silent = ::socket(AF_INET, SOCK_DGRAM, 0);
    ASSERT_GE(silent, 0);
    PrimaryEndpoint primary;
    primary.address = knottest::loopback(0);
    ASSERT_EQ(::bind(silent, primary.address.sockaddrPtr(), primary.address.length), 0);
    sockaddr_storage bound{};
    socklen_t length = sizeof bound;
    ::getsockname(silent, reinterpret_cast<sockaddr*>(&bound), &length);  // NOLINT
    primary.address.address = bound;
    primary.address.length = length;

    const auto start = std::chrono::steady_clock::now();
    auto serial = querySerial(primary, name("example."), 400ms);
    const auto took = std::chrono::steady_clock::now() - start;
    ::close(silent);
    ASSERT_FALSE(serial.has_value());
    EXPECT_EQ(serial.error(), primary.address.toString() + ": timed out after 400 ms (SOA query)");
    EXPECT_GE(took, 390ms);
    EXPECT_LT(took, 1500ms);
}

TEST(TransferClientTls, XotWithoutANameOrPinIsRefusedBeforeConnecting) {
    PrimaryEndpoint primary;
    primary.address = knottest::loopback(knottest::freePort());
    primary.tls = true;
    auto pulled = pullZone(primary, name("example."), nullptr, PullOptions{});
    ASSERT_FALSE(pulled.has_value());
    EXPECT_EQ(pulled.error().rfind(primary.address.toString() + ": TLS: ", 0), 0U)
        << pulled.error();
}

}  // namespace
}  // namespace dnsfleet::authd::zones
