// The transfer server over real sockets: SOA, AXFR, IXFR (from stored versions) and the catalog
// zone, signed with the fleet key; unsigned requests and other keys are refused with NOTAUTH.
#include "transfer_server.hpp"

#include <gtest/gtest.h>
#include <sys/socket.h>

#include <chrono>
#include <set>
#include <string>
#include <vector>

#include "dnswire/message.hpp"
#include "dnswire/rrtype.hpp"
#include "dnswire/tsig.hpp"
#include "fleet_fixture.hpp"
#include "sockets.hpp"
#include "xfr/catalog.hpp"
#include "xfr/messages.hpp"
#include "xfr/serial.hpp"
#include "zone_source.hpp"

namespace dnsfleet::controld::primary {
namespace {

constexpr auto kTimeout = std::chrono::milliseconds(3000);
constexpr const char* kSecret = "Rabpr5CTWXVfBbJTka9A8MbV9q0mc67AidZL79gNvlA=";

std::uint64_t now() {
    return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                          std::chrono::system_clock::now().time_since_epoch())
                                          .count());
}

dnswire::TsigKey key(const char* name = "dnsfleet-fleet", const char* secret = kSecret) {
    return *dnswire::makeTsigKey(name, "hmac-sha256", secret);
}

/// What came back: every record's owner, type and RDATA in text, and the header of the first
/// message, and whether every message verified.
struct Reply {
    dnswire::Header header;
    std::vector<std::string> records;
    std::size_t messages = 0;
    bool verified = true;
    std::optional<dnswire::TsigRecord> firstTsig;
};

class TransferServerTest : public testing::FleetTest {
  protected:
    void SetUp() override {
        FleetTest::SetUp();
        zone_ = createZone("example.com.", 10, "www A 192.0.2.1\nmail A 192.0.2.2\n");
        addVersion(zone_, "example.com.", 11, "www A 192.0.2.1\nmail A 192.0.2.3\n");
        createZone("example.org.", 1, "");
        source_ = std::make_unique<ZoneSource>(*db_, *dnswire::Name::fromText("catalog.test."));
        source_->reload();
        server_ =
            std::make_unique<TransferServer>(*source_, key(), *parseSocketAddress("127.0.0.1:0"));
    }
    void TearDown() override {
        server_.reset();
        source_.reset();
        FleetTest::TearDown();
    }

    /// Sends one request over TCP (or UDP), signed with `signer` when given, and reads every
    /// message of the answer (a transfer ends with the second SOA).
    Reply ask(const std::string& zone, std::uint16_t qtype, std::optional<dnswire::TsigKey> signer,
              bool tcp = true, std::optional<std::uint32_t> ixfrFrom = std::nullopt) {
        std::array<std::uint8_t, 1024> request{};
        const auto apex = *dnswire::Name::fromText(zone);
        std::vector<std::uint8_t> soa;
        if (ixfrFrom) {
            const auto ns = *dnswire::Name::fromText("ns1.dnsfleet.test.");
            soa.insert(soa.end(), ns.wire().begin(), ns.wire().end());
            soa.insert(soa.end(), ns.wire().begin(), ns.wire().end());
            for (const std::uint32_t v : {*ixfrFrom, 3600U, 600U, 1209600U, 300U}) {
                for (int shift = 24; shift >= 0; shift -= 8)
                    soa.push_back(static_cast<std::uint8_t>(v >> static_cast<unsigned>(shift)));
            }
        }
        std::size_t length = *xfr::buildRequest(request, 0x4242, apex, qtype, soa, 300);
        std::optional<dnswire::TsigSession> session;
        if (signer) {
            session.emplace(*signer);
            length = *session->signRequest(request, length, now());
        }
        Reply reply;
        const auto& to = server_->address();
        Socket socket(::socket(AF_INET, (tcp ? SOCK_STREAM : SOCK_DGRAM) | SOCK_CLOEXEC, 0));
        EXPECT_EQ(::connect(socket.fd(), to.get(), to.length), 0);
        std::vector<std::uint8_t> message(65535);
        if (tcp) {
            const std::array<std::uint8_t, 2> prefix{static_cast<std::uint8_t>(length >> 8U),
                                                     static_cast<std::uint8_t>(length & 0xFFU)};
            EXPECT_TRUE(writeAll(socket.fd(), prefix, kTimeout));
        }
        EXPECT_TRUE(writeAll(socket.fd(), std::span(request.data(), length), kTimeout));
        int soas = 0;
        for (;;) {
            std::size_t size = 0;
            if (tcp) {
                std::array<std::uint8_t, 2> prefix{};
                if (!readExactly(socket.fd(), prefix, kTimeout)) break;
                size = (std::size_t{prefix[0]} << 8U) | prefix[1];
                message.resize(size);
                if (!readExactly(socket.fd(), message, kTimeout)) break;
            } else {
                if (!waitFor(socket.fd(), false, kTimeout)) break;
                const ssize_t n = ::recv(socket.fd(), message.data(), message.size(), 0);
                if (n <= 0) break;
                size = static_cast<std::size_t>(n);
            }
            const std::span<const std::uint8_t> wire(message.data(), size);
            if (reply.messages == 0) {
                reply.header = *dnswire::parseHeader(wire);
                reply.firstTsig = *dnswire::findTsig(wire);
            }
            ++reply.messages;
            if (session && session->verifyResponse(wire, now()) != dnswire::TsigStatus::Ok)
                reply.verified = false;
            auto parser = dnswire::MessageParser::open(wire);
            dnswire::RecordRef record;
            while (parser && parser->next(record).value_or(false)) {
                if (record.section != dnswire::Section::Answer) continue;
                std::vector<std::uint8_t> rdata;
                static_cast<void>(dnswire::rdataFromWire(record.type, wire, record.rdataOffset,
                                                         record.rdlength, rdata));
                std::string text;
                static_cast<void>(dnswire::rdataToText(record.type, rdata, text));
                reply.records.push_back(record.owner.toText() + " " + std::to_string(record.type) +
                                        " " + text);
                if (record.type == dnswire::rrtype::SOA) ++soas;
            }
            const bool transfer = qtype == dnswire::rrtype::AXFR || qtype == dnswire::rrtype::IXFR;
            if (!tcp || !transfer || reply.header.rcode() != 0 || soas >= 2 ||
                (qtype == dnswire::rrtype::IXFR && reply.records.size() == 1)) {
                break;
            }
        }
        return reply;
    }

    static bool has(const Reply& reply, const std::string& prefix) {
        for (const auto& r : reply.records) {
            if (r.rfind(prefix, 0) == 0) return true;
        }
        return false;
    }

    Id zone_ = 0;
    std::unique_ptr<ZoneSource> source_;
    std::unique_ptr<TransferServer> server_;
};

TEST_F(TransferServerTest, SoaOverUdpAndTcpIsSigned) {
    for (const bool tcp : {false, true}) {
        const Reply reply = ask("example.com.", dnswire::rrtype::SOA, key(), tcp);
        EXPECT_EQ(reply.header.rcode(), dnswire::rcode::NOERROR);
        EXPECT_TRUE(reply.header.has(dnswire::flag::AA));
        EXPECT_TRUE(reply.verified);
        ASSERT_EQ(reply.records.size(), 1U);
        EXPECT_NE(reply.records[0].find(" 11 3600 "), std::string::npos) << reply.records[0];
    }
}

TEST_F(TransferServerTest, AxfrSendsTheCurrentVersion) {
    const Reply reply = ask("example.com.", dnswire::rrtype::AXFR, key());
    EXPECT_EQ(reply.header.rcode(), dnswire::rcode::NOERROR);
    EXPECT_TRUE(reply.verified);
    EXPECT_TRUE(has(reply, "mail.example.com. 1 192.0.2.3"));
    EXPECT_FALSE(has(reply, "mail.example.com. 1 192.0.2.2"));
    EXPECT_TRUE(has(reply, "www.example.com. 1 192.0.2.1"));
    EXPECT_EQ(reply.records.size(), 5U);  // SOA, NS, www, mail, SOA
}

TEST_F(TransferServerTest, IxfrFromAStoredVersionSendsTheDiff) {
    const Reply reply = ask("example.com.", dnswire::rrtype::IXFR, key(), true, 10U);
    EXPECT_EQ(reply.header.rcode(), dnswire::rcode::NOERROR);
    EXPECT_TRUE(reply.verified);
    // SOA 11, SOA 10, removed mail .2, SOA 11, added mail .3, SOA 11
    ASSERT_EQ(reply.records.size(), 6U);
    EXPECT_TRUE(has(reply, "mail.example.com. 1 192.0.2.2"));
    EXPECT_TRUE(has(reply, "mail.example.com. 1 192.0.2.3"));
    EXPECT_FALSE(has(reply, "www.example.com."));
}

TEST_F(TransferServerTest, IxfrFromAnUnknownSerialFallsBackToTheWholeZone) {
    const Reply reply = ask("example.com.", dnswire::rrtype::IXFR, key(), true, 3U);
    EXPECT_EQ(reply.header.rcode(), dnswire::rcode::NOERROR);
    EXPECT_EQ(reply.records.size(), 5U);
    EXPECT_TRUE(has(reply, "www.example.com. 1 192.0.2.1"));
}

TEST_F(TransferServerTest, IxfrFromTheCurrentSerialGetsTheSoaOnly) {
    const Reply reply = ask("example.com.", dnswire::rrtype::IXFR, key(), true, 11U);
    ASSERT_EQ(reply.records.size(), 1U);
}

TEST_F(TransferServerTest, TheCatalogListsEveryZone) {
    const Reply reply = ask("catalog.test.", dnswire::rrtype::AXFR, key());
    EXPECT_EQ(reply.header.rcode(), dnswire::rcode::NOERROR);
    EXPECT_TRUE(reply.verified);
    std::set<std::string> members;
    for (const auto& r : reply.records) {
        if (r.find(".zones.catalog.test. 12 ") != std::string::npos)
            members.insert(r.substr(r.rfind(' ') + 1));
    }
    EXPECT_EQ(members, (std::set<std::string>{"example.com.", "example.org."}));
    EXPECT_TRUE(has(reply, "version.catalog.test. 16 \"2\""));
    const std::string id = xfr::catalogMemberId(*dnswire::Name::fromText("example.com."));
    EXPECT_TRUE(has(reply, id + ".zones.catalog.test. 12 example.com."));
}

TEST_F(TransferServerTest, TheCatalogSerialMovesOnlyWhenMembersChange) {
    const auto first = source_->snapshot()->catalogSerial;
    addVersion(zone_, "example.com.", 12, "");
    EXPECT_EQ(source_->reload()->catalogSerial, first);
    createZone("example.net.", 1, "");
    const auto second = source_->reload()->catalogSerial;
    EXPECT_TRUE(xfr::serialNewer(second, first));
    const Reply reply = ask("catalog.test.", dnswire::rrtype::SOA, key());
    ASSERT_EQ(reply.records.size(), 1U);
    EXPECT_NE(reply.records[0].find(" " + std::to_string(second) + " "), std::string::npos);
    // Deleted zones leave the catalog.
    db_->run(storage::Mode::Write, [&](storage::Transaction& tx) {
        tx.execute("UPDATE zones SET deleted_at = 5 WHERE name = 'example.net.'");
    });
    EXPECT_TRUE(xfr::serialNewer(source_->reload()->catalogSerial, second));
    EXPECT_EQ(ask("example.net.", dnswire::rrtype::SOA, key()).header.rcode(),
              dnswire::rcode::NOTAUTH);
}

TEST_F(TransferServerTest, UnsignedAndWronglySignedRequestsAreRefused) {
    const Reply unsignedReply = ask("example.com.", dnswire::rrtype::AXFR, std::nullopt);
    EXPECT_EQ(unsignedReply.header.rcode(), dnswire::rcode::NOTAUTH);
    EXPECT_TRUE(unsignedReply.records.empty());

    const Reply otherKey = ask("example.com.", dnswire::rrtype::AXFR, key("other-key"));
    EXPECT_EQ(otherKey.header.rcode(), dnswire::rcode::NOTAUTH);
    ASSERT_TRUE(otherKey.firstTsig);
    EXPECT_EQ(otherKey.firstTsig->error, dnswire::rcode::BADKEY);

    const Reply badSecret = ask("example.com.", dnswire::rrtype::SOA,
                                key("dnsfleet-fleet", "c2VjcmV0c2VjcmV0c2VjcmV0"), false);
    EXPECT_EQ(badSecret.header.rcode(), dnswire::rcode::NOTAUTH);
    ASSERT_TRUE(badSecret.firstTsig);
    EXPECT_EQ(badSecret.firstTsig->error, dnswire::rcode::BADSIG);
    EXPECT_TRUE(badSecret.records.empty());
}

TEST_F(TransferServerTest, UnknownZonesAndAxfrOverUdpAreRefused) {
    EXPECT_EQ(ask("example.net.", dnswire::rrtype::AXFR, key()).header.rcode(),
              dnswire::rcode::NOTAUTH);
    EXPECT_EQ(ask("example.com.", dnswire::rrtype::AXFR, key(), false).header.rcode(),
              dnswire::rcode::NOTIMP);
}

TEST_F(TransferServerTest, ParsedVersionsStayWithinTheBound) {
    ZoneSource small(*db_, *dnswire::Name::fromText("catalog.test."), {}, 2, 1);
    const auto snapshot = small.reload();
    for (int serial = 12; serial < 18; ++serial)
        addVersion(zone_, "example.com.", static_cast<std::uint32_t>(serial), "");
    const auto reloaded = small.reload();
    const auto& served = reloaded->zones.at("example.com.");
    for (std::int64_t version = 1; version <= served.version; ++version)
        ASSERT_TRUE(small.version(served, version));
    EXPECT_LE(small.cachedVersions(), 2U);
    auto diff = small.diffFrom(served, 10);
    ASSERT_TRUE(diff);
    ASSERT_TRUE(*diff);
    EXPECT_EQ((*diff)->fromSerial, 10U);
    EXPECT_EQ((*diff)->toSerial, 17U);
}

}  // namespace
}  // namespace dnsfleet::controld::primary
