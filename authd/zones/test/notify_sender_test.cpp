// NotifySender against a scripted UDP secondary (for exact retry counts and timing) and against
// a real knotd serving secondary zones (the answer a real secondary gives).

#include "authd/zones/notify_sender.hpp"

#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <functional>
#include <thread>

#include "dnswire/message.hpp"
#include "dnswire/rrtype.hpp"
#include "knot_fixture.hpp"
#include "zone/loader.hpp"

namespace dnsfleet::authd::zones {
namespace {

using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;

const std::vector<std::uint8_t> kSecret = {'n', 'o', 't', 'i', 'f', 'y', '-', 's', 'e', 'c', 'r',
                                           'e', 't', '-', 'o', 'f', '-', '3', '2', '-', 'o', 'c',
                                           't', 'e', 't', 's', '-', 'l', 'o', 'n', 'g', '!'};

std::shared_ptr<const zone::Zone> makeZone(const std::filesystem::path& dir, const char* origin,
                                           int serial) {
    const auto path = dir / (std::string(origin) + std::to_string(serial) + ".zone");
    std::ofstream(path) << "$ORIGIN " << origin << "\n$TTL 300\n@ SOA ns hostmaster " << serial
                        << " 3600 600 86400 300\n@ NS ns\nns A 192.0.2.1\n";
    auto name = dnswire::Name::fromText(origin);
    EXPECT_TRUE(name.has_value());
    auto zone = zone::loadZoneFile(*name, path);
    EXPECT_TRUE(zone.has_value());
    return zone.has_value() ? *zone : nullptr;
}

std::uint32_t readU32(const std::uint8_t* p) {
    return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
           std::uint32_t{p[3]};
}

// A secondary that answers as the test says: from which datagram on, with which RCODE, and
// optionally with a wrong ID.
class ScriptedSecondary {
  public:
    ScriptedSecondary() {
        fd_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
        address_ = knottest::loopback(0);
        EXPECT_EQ(::bind(fd_, address_.sockaddrPtr(), address_.length), 0);
        socklen_t length = sizeof address_.address;
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address_.address), &length);  // NOLINT
        address_.length = length;
    }
    ~ScriptedSecondary() { ::close(fd_); }
    ScriptedSecondary(const ScriptedSecondary&) = delete;
    ScriptedSecondary& operator=(const ScriptedSecondary&) = delete;

    int answerFrom = 1;  ///< answer the n-th datagram and every later one; 0 = never
    std::uint16_t rcode = 0;
    bool wrongId = false;

    struct Received {
        SteadyClock::time_point at;
        std::uint16_t id = 0;
        std::uint8_t opcode = 0;
        std::uint32_t serial = 0;  ///< of the SOA in the answer section
        std::string qname;
    };
    std::vector<Received> received;

    [[nodiscard]] int fd() const { return fd_; }
    [[nodiscard]] const config::ListenAddress& address() const { return address_; }

    void serve() {
        std::array<std::uint8_t, 4096> buffer{};
        for (int i = 0; i < 100; ++i) {
            sockaddr_storage from{};
            socklen_t fromLength = sizeof from;
            const ssize_t n =
                ::recvfrom(fd_, buffer.data(), buffer.size(), 0, reinterpret_cast<sockaddr*>(&from),
                           &fromLength);  // NOLINT
            if (n < 0) return;
            const std::span<const std::uint8_t> message(buffer.data(), static_cast<std::size_t>(n));
            auto parser = dnswire::MessageParser::open(message);
            ASSERT_TRUE(parser.has_value());
            Received r;
            r.at = SteadyClock::now();
            r.id = parser->header().id;
            r.opcode = parser->header().opcode();
            r.qname = parser->qname().toText();
            dnswire::RecordRef record;
            auto more = parser->next(record);
            if (more.has_value() && *more && record.type == dnswire::rrtype::SOA &&
                record.rdlength >= 20) {
                r.serial = readU32(message.data() + record.rdataOffset + record.rdlength - 20);
            }
            received.push_back(r);
            if (answerFrom == 0 || static_cast<int>(received.size()) < answerFrom) continue;
            // The request echoed with QR set: what a secondary's answer looks like to the sender.
            std::vector<std::uint8_t> answer(message.begin(), message.end());
            if (wrongId) answer[1] = static_cast<std::uint8_t>(answer[1] + 1);
            answer[2] = static_cast<std::uint8_t>(answer[2] | 0x80);
            answer[3] = static_cast<std::uint8_t>((answer[3] & 0xF0) | (rcode & 0x0F));
            ::sendto(fd_, answer.data(), answer.size(), 0,
                     reinterpret_cast<sockaddr*>(&from),  // NOLINT
                     fromLength);
        }
    }

  private:
    int fd_ = -1;
    config::ListenAddress address_;
};

// Runs the sender's event loop (as the zone thread would) until `done` or `limit`.
void drive(NotifySender& sender, ScriptedSecondary* secondary, const std::function<bool()>& done,
           std::chrono::milliseconds limit) {
    const auto deadline = SteadyClock::now() + limit;
    while (SteadyClock::now() < deadline && !done()) {
        sender.process(SteadyClock::now());
        std::vector<pollfd> fds;
        for (int fd : sender.fds())
            fds.push_back(pollfd{fd, POLLIN, 0});
        if (secondary != nullptr) fds.push_back(pollfd{secondary->fd(), POLLIN, 0});
        const auto untilNext = sender.next() - SteadyClock::now();
        const auto wait =
            std::clamp(std::chrono::duration_cast<std::chrono::milliseconds>(untilNext), 0ms, 20ms);
        ::poll(fds.data(), fds.size(), static_cast<int>(wait.count()));
        if (secondary != nullptr) secondary->serve();
    }
    sender.process(SteadyClock::now());
}

class NotifySenderTest : public ::testing::Test {
  protected:
    void SetUp() override {
        char pattern[] = "/tmp/dnsfleet-notify-XXXXXX";
        dir_ = ::mkdtemp(pattern);
        v1_ = makeZone(dir_, "example.", 1);
        v2_ = makeZone(dir_, "example.", 2);
        ASSERT_NE(v1_, nullptr);
        ASSERT_NE(v2_, nullptr);
    }
    void TearDown() override {
        std::error_code ignored;
        std::filesystem::remove_all(dir_, ignored);
    }
    static NotifyOptions quick(unsigned attempts) {
        NotifyOptions o;
        o.firstInterval = 50ms;
        o.maxInterval = 200ms;
        o.attempts = attempts;
        return o;
    }

    std::filesystem::path dir_;
    std::shared_ptr<const zone::Zone> v1_;
    std::shared_ptr<const zone::Zone> v2_;
};

TEST_F(NotifySenderTest, RetriesWithBackoffUntilAnswered) {
    ScriptedSecondary secondary;
    secondary.answerFrom = 3;
    NotifySender sender(quick(10));
    sender.notify(*v1_, {NotifyTarget{secondary.address(), nullptr}});
    EXPECT_EQ(sender.pending(), 1U);
    drive(
        sender, &secondary, [&] { return sender.pending() == 0; }, 3000ms);
    EXPECT_EQ(sender.pending(), 0U);
    ASSERT_EQ(secondary.received.size(), 3U);
    for (const auto& r : secondary.received) {
        EXPECT_EQ(r.opcode, dnswire::opcode::NOTIFY);
        EXPECT_EQ(r.qname, "example.");
        EXPECT_EQ(r.serial, 1U);
        EXPECT_EQ(r.id, secondary.received[0].id);
    }
    // 50 ms, then 100 ms (doubling).
    const auto gap1 = secondary.received[1].at - secondary.received[0].at;
    const auto gap2 = secondary.received[2].at - secondary.received[1].at;
    EXPECT_GE(gap1, 45ms);
    EXPECT_LT(gap1, 95ms);
    EXPECT_GE(gap2, 95ms);
    EXPECT_LT(gap2, 180ms);
    EXPECT_EQ(sender.next(), SteadyClock::time_point::max());
}

TEST_F(NotifySenderTest, GivesUpAfterTheConfiguredAttempts) {
    ScriptedSecondary secondary;
    secondary.answerFrom = 0;
    NotifySender sender(quick(4));
    sender.notify(*v1_, {NotifyTarget{secondary.address(), nullptr}});
    drive(
        sender, &secondary, [&] { return sender.pending() == 0; }, 3000ms);
    EXPECT_EQ(sender.pending(), 0U);
    EXPECT_EQ(secondary.received.size(), 4U);
}

TEST_F(NotifySenderTest, AnswerWithAnotherIdIsNotAnAcknowledgement) {
    ScriptedSecondary secondary;
    secondary.wrongId = true;
    NotifySender sender(quick(3));
    sender.notify(*v1_, {NotifyTarget{secondary.address(), nullptr}});
    drive(
        sender, &secondary, [&] { return sender.pending() == 0; }, 3000ms);
    EXPECT_EQ(secondary.received.size(), 3U);  // every attempt was made
}

TEST_F(NotifySenderTest, ErrorAnswerEndsTheRetries) {
    ScriptedSecondary secondary;
    secondary.rcode = dnswire::rcode::REFUSED;
    NotifySender sender(quick(5));
    sender.notify(*v1_, {NotifyTarget{secondary.address(), nullptr}});
    drive(
        sender, &secondary, [&] { return sender.pending() == 0; }, 3000ms);
    EXPECT_EQ(sender.pending(), 0U);
    // RFC 1996 §3.6 resends only until a response arrives, whatever it says.
    drive(
        sender, &secondary, [] { return false; }, 200ms);
    EXPECT_EQ(secondary.received.size(), 1U);
}

TEST_F(NotifySenderTest, NewerVersionReplacesThePendingOne) {
    ScriptedSecondary secondary;
    ScriptedSecondary other;
    secondary.answerFrom = 0;
    other.answerFrom = 0;
    NotifySender sender(quick(2));
    sender.notify(
        *v1_, {NotifyTarget{secondary.address(), nullptr}, NotifyTarget{other.address(), nullptr}});
    sender.notify(*v2_, {NotifyTarget{secondary.address(), nullptr}});
    EXPECT_EQ(sender.pending(), 2U);  // one per zone and target
    const auto deadline = SteadyClock::now() + 2000ms;
    while (sender.pending() > 0 && SteadyClock::now() < deadline) {
        sender.process(SteadyClock::now());
        std::this_thread::sleep_for(5ms);
        secondary.serve();
        other.serve();
    }
    ASSERT_EQ(secondary.received.size(), 2U);
    for (const auto& r : secondary.received)
        EXPECT_EQ(r.serial, 2U);
    ASSERT_EQ(other.received.size(), 2U);
    for (const auto& r : other.received)
        EXPECT_EQ(r.serial, 1U);
}

class NotifyKnotTest : public NotifySenderTest {
  protected:
    void SetUp() override {
        NotifySenderTest::SetUp();
        if (!knottest::knotInstalled())
            FAIL() << "knotd not installed (scripts/install-deps.sh test installs it)";
        // Knot's primary for these zones is a port nobody listens on: it still answers NOTIFY
        // (and then fails its refresh), which is all the sender needs.
        const std::string conf =
            "key:\n  - id: notify-key.\n    algorithm: hmac-sha256\n    secret: " +
            knottest::base64(kSecret) + "\nremote:\n  - id: nowhere\n    address: 127.0.0.1@" +
            std::to_string(knottest::freePort()) +
            "\nacl:\n  - id: open\n    address: 127.0.0.0/8\n    action: notify\n"
            "  - id: keyed\n    address: 127.0.0.0/8\n    key: notify-key.\n    action: notify\n"
            "template:\n  - id: default\n    storage: \"" +
            knot_.dir().string() +
            "\"\n    semantic-checks: off\n"
            "zone:\n  - domain: example.\n    master: nowhere\n    acl: open\n"
            "  - domain: keyed.example.\n    master: nowhere\n    acl: keyed\n";
        ASSERT_TRUE(knot_.start(conf));
        keyed_ = makeZone(dir_, "keyed.example.", 5);
        ASSERT_NE(keyed_, nullptr);
        // Knot is up once it answers on its port (a refused SOA query counts).
        for (int i = 0; i < 100 && knot_.log().find("server started") == std::string::npos; ++i) {
            std::this_thread::sleep_for(50ms);
        }
    }

    knottest::KnotServer knot_;
    dnswire::TsigKey key_ = knottest::tsigKey("notify-key.", kSecret);
    std::shared_ptr<const zone::Zone> keyed_;
};

TEST_F(NotifyKnotTest, KnotAcknowledgesANotify) {
    NotifySender sender(quick(5));
    sender.notify(*v1_, {NotifyTarget{knot_.address(), nullptr}});
    drive(
        sender, nullptr, [&] { return sender.pending() == 0; }, 3000ms);
    EXPECT_EQ(sender.pending(), 0U) << knot_.log();
    EXPECT_NE(knot_.log().find("[example.] notify, incoming"), std::string::npos) << knot_.log();
}

TEST_F(NotifyKnotTest, KnotAcknowledgesASignedNotify) {
    NotifySender sender(quick(5));
    sender.notify(*keyed_, {NotifyTarget{knot_.address(), &key_}});
    drive(
        sender, nullptr, [&] { return sender.pending() == 0; }, 3000ms);
    EXPECT_EQ(sender.pending(), 0U) << knot_.log();
    EXPECT_NE(knot_.log().find("[keyed.example.] notify, incoming"), std::string::npos)
        << knot_.log();
}

TEST_F(NotifyKnotTest, KnotRejectsAWrongKeyAndTheSenderStops) {
    const dnswire::TsigKey wrong = knottest::tsigKey("notify-key.", {9, 9, 9, 9, 9, 9, 9, 9});
    NotifyOptions options = quick(3);
    options.firstInterval = 500ms;  // giving up would take 0.5 + 1 + 2 s
    NotifySender sender(options);
    const auto start = SteadyClock::now();
    sender.notify(*keyed_, {NotifyTarget{knot_.address(), &wrong}});
    drive(
        sender, nullptr, [&] { return sender.pending() == 0; }, 5000ms);
    EXPECT_EQ(sender.pending(), 0U);
    // Knot's BADSIG answer (NOTAUTH, unsigned) ends the retries: resending cannot fix a key.
    EXPECT_LT(SteadyClock::now() - start, 400ms) << knot_.log();
}

}  // namespace
}  // namespace dnsfleet::authd::zones
