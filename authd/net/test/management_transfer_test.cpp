// Outgoing transfers streamed over TCP: framing and order, back-pressure against slow readers,
// idle timeout, fair interleaving of concurrent transfers, and cleanup when the client leaves.

#include <gtest/gtest.h>

#include <algorithm>

#include "management_harness.hpp"

namespace dnsfleet::authd::net {
namespace {

using namespace testing;
using std::chrono::milliseconds;

constexpr std::size_t kMaximalFrame = 65535 + 2;

TcpServerOptions withHandler(FakeHandler& handler) {
    TcpServerOptions options;
    options.management = &handler;
    options.managementListenersExist = true;
    return options;
}

/// Reads `count` messages of the fake transfer for request `id`; the index of the first that
/// is missing or wrong, or `count`.
std::size_t readTransfer(TcpClient& client, std::uint16_t id, std::size_t count, std::size_t size,
                         std::size_t chunk = 65536) {
    for (std::size_t k = 0; k < count; ++k) {
        const auto m = client.read(chunk);
        if (!m || !isTransferMessage(*m, id, static_cast<std::uint32_t>(k), size)) return k;
    }
    return count;
}

TEST(TcpTransfer, StreamsEveryMessageInOrderThenAnswersPipelinedRequests) {
    FakeHandler handler;  // 200 messages of 60 000 octets: 12 MB
    TcpHarness tcp(withHandler(handler), /*managementListener=*/true);
    TcpClient client(tcp.managementPort);
    ASSERT_TRUE(client.connected());
    // The query and the NOTIFY behind the transfer wait until it is complete (RFC 7766 §7:
    // answers in order are allowed), then are answered.
    ASSERT_TRUE(client.send({request(0xA1, kOpQuery, kTypeAxfr), request(0xA2, kOpQuery, kTypeA),
                             request(0xA3, kOpNotify, kTypeSoa)}));
    EXPECT_EQ(readTransfer(client, 0xA1, 200, 60'000), 200u);
    const auto query = client.read();
    ASSERT_TRUE(query.has_value());
    EXPECT_EQ(idOf(*query), 0xA2);
    EXPECT_EQ(rcodeOf(*query), 5u);
    const auto notify = client.read();
    ASSERT_TRUE(notify.has_value());
    EXPECT_EQ(idOf(*notify), 0xA3);
    EXPECT_EQ(handler.produced.load(), 200);
    EXPECT_EQ(handler.destroyed.load(), 1);  // ended by next() returning 0, before the answers
    EXPECT_EQ(tcp.server->stats().transfers.load(), 1u);

    // The connection is reading requests again: a second transfer on it works too.
    handler.messages = 3;
    ASSERT_TRUE(client.send({request(0xA4, kOpQuery, kTypeIxfr)}));
    EXPECT_EQ(readTransfer(client, 0xA4, 3, 60'000), 3u);
}

TEST(TcpTransfer, MaximalMessagesKeepTheirFraming) {
    FakeHandler handler;
    handler.messages = 20;
    handler.messageSize = 65535;
    TcpHarness tcp(withHandler(handler), /*managementListener=*/true);
    TcpClient client(tcp.managementPort);
    ASSERT_TRUE(client.send({request(0xB1, kOpQuery, kTypeAxfr)}));
    EXPECT_EQ(readTransfer(client, 0xB1, 20, 65535), 20u);
}

TEST(TcpTransfer, SlowReaderGetsEverythingWhileTheQueueStaysBounded) {
    FakeHandler handler;  // 12 MB: more than the kernel buffers of both ends hold
    TcpServerOptions options = withHandler(handler);
    TcpHarness tcp(options, /*managementListener=*/true);
    TcpClient client(tcp.managementPort, /*receiveBuffer=*/16 * 1024);
    ASSERT_TRUE(client.send({request(0xC1, kOpQuery, kTypeAxfr)}));

    // The client does not read: production must stop once the socket and the queue are full,
    // well before the end (12 MB do not fit in the kernel's buffers and our queue).
    int producedWhileStalled = -1;
    EXPECT_TRUE(eventually([&] {
        const int before = handler.produced.load();
        std::this_thread::sleep_for(milliseconds(200));
        producedWhileStalled = handler.produced.load();
        return before == producedWhileStalled && before > 0;
    }));
    EXPECT_LT(producedWhileStalled, 200);

    // Then it reads in small pieces, pausing now and then; it still gets everything.
    for (std::size_t k = 0; k < 200; ++k) {
        const auto m = client.read(4096);
        ASSERT_TRUE(m.has_value()) << "message " << k;
        ASSERT_TRUE(isTransferMessage(*m, 0xC1, static_cast<std::uint32_t>(k), 60'000));
        if (k % 20 == 0) std::this_thread::sleep_for(milliseconds(10));
    }
    EXPECT_LE(tcp.server->stats().peakTransferBacklog.load(),
              std::max(options.maxPendingOutput, kMaximalFrame));
    EXPECT_GT(tcp.server->stats().peakTransferBacklog.load(), 0u);
}

TEST(TcpTransfer, SmallOutputLimitStillStreamsOneMessageAtATime) {
    FakeHandler handler;
    handler.messages = 50;
    TcpServerOptions options = withHandler(handler);
    options.maxPendingOutput = 1000;  // below one message
    TcpHarness tcp(options, /*managementListener=*/true);
    TcpClient client(tcp.managementPort);
    ASSERT_TRUE(client.send({request(0xC2, kOpQuery, kTypeAxfr)}));
    EXPECT_EQ(readTransfer(client, 0xC2, 50, 60'000), 50u);
    EXPECT_LE(tcp.server->stats().peakTransferBacklog.load(), 60'002u);
}

TEST(TcpTransfer, AStreamLongerThanTheIdleTimeoutIsNotCut) {
    FakeHandler handler;
    TcpServerOptions options = withHandler(handler);
    options.idleTimeout = milliseconds(150);
    TcpHarness tcp(options, /*managementListener=*/true);
    TcpClient client(tcp.managementPort, /*receiveBuffer=*/64 * 1024);
    ASSERT_TRUE(client.send({request(0xD1, kOpQuery, kTypeAxfr)}));
    const auto start = std::chrono::steady_clock::now();
    for (std::size_t k = 0; k < 200; ++k) {
        const auto m = client.read();
        ASSERT_TRUE(m.has_value()) << "cut at message " << k;
        ASSERT_TRUE(isTransferMessage(*m, 0xD1, static_cast<std::uint32_t>(k), 60'000));
        if (k % 4 == 0) std::this_thread::sleep_for(milliseconds(5));  // ~250 ms in all
    }
    EXPECT_GT(std::chrono::steady_clock::now() - start, options.idleTimeout);
    // Every message arrived: a connection closed mid-stream would have lost its queue. (Once
    // the transfer is complete the connection may time out while the client still drains the
    // kernel's buffers; that is an idle connection, and loses nothing.)
    EXPECT_EQ(handler.produced.load(), 200);
    EXPECT_TRUE(eventually([&] { return handler.destroyed.load() == 1; }));
}

TEST(TcpTransfer, AClientThatStopsReadingIsClosedAfterTheIdleTimeout) {
    FakeHandler handler;
    TcpServerOptions options = withHandler(handler);
    options.idleTimeout = milliseconds(200);
    TcpHarness tcp(options, /*managementListener=*/true);
    TcpClient client(tcp.managementPort, /*receiveBuffer=*/16 * 1024);
    ASSERT_TRUE(client.send({request(0xE1, kOpQuery, kTypeAxfr)}));
    ASSERT_TRUE(eventually([&] { return handler.produced.load() > 0; }));
    EXPECT_TRUE(eventually([&] { return tcp.server->connections() == 0; }));
    EXPECT_EQ(tcp.server->stats().timedOut.load(), 1u);
    EXPECT_EQ(handler.destroyed.load(), 1);
    EXPECT_LT(handler.produced.load(), 200);
}

TEST(TcpTransfer, ClosingTheClientMidTransferDestroysTheTransfer) {
    FakeHandler handler;
    TcpHarness tcp(withHandler(handler), /*managementListener=*/true);
    {
        TcpClient client(tcp.managementPort);
        ASSERT_TRUE(client.send({request(0xF1, kOpQuery, kTypeAxfr)}));
        EXPECT_EQ(readTransfer(client, 0xF1, 2, 60'000), 2u);
    }  // closed with unread data: the server sees a reset
    EXPECT_TRUE(eventually([&] { return handler.destroyed.load() == 1; }));
    EXPECT_TRUE(eventually([&] { return tcp.server->connections() == 0; }));
    EXPECT_LT(handler.produced.load(), 200);
    EXPECT_EQ(tcp.server->stats().timedOut.load(), 0u);  // noticed at once, not by timeout
}

std::ptrdiff_t firstIndexOf(const std::vector<std::uint16_t>& log, std::uint16_t id) {
    return std::find(log.begin(), log.end(), id) - log.begin();
}
std::ptrdiff_t lastIndexOf(const std::vector<std::uint16_t>& log, std::uint16_t id) {
    return log.rend() - std::find(log.rbegin(), log.rend(), id) - 1;
}

TEST(TcpTransfer, ConcurrentTransfersInterleave) {
    FakeHandler handler;
    TcpHarness tcp(withHandler(handler), /*managementListener=*/true);
    // The first client reads nothing until the second transfer has begun: it cannot have
    // received its 12 MB through a 16 KiB window, so both are in progress at once.
    TcpClient first(tcp.managementPort, /*receiveBuffer=*/16 * 1024);
    TcpClient second(tcp.managementPort);
    ASSERT_TRUE(first.send({request(0x0101, kOpQuery, kTypeAxfr)}));
    ASSERT_TRUE(eventually([&] { return handler.produced.load() > 0; }));
    ASSERT_TRUE(second.send({request(0x0202, kOpQuery, kTypeAxfr)}));
    ASSERT_TRUE(eventually([&] {
        const auto log = handler.productionLog();
        return std::find(log.begin(), log.end(), 0x0202) != log.end();
    }));
    std::size_t firstGot = 0;
    std::thread reader([&] { firstGot = readTransfer(first, 0x0101, 200, 60'000); });
    const std::size_t secondGot = readTransfer(second, 0x0202, 200, 60'000);
    reader.join();
    EXPECT_EQ(firstGot, 200u);
    EXPECT_EQ(secondGot, 200u);

    const auto log = handler.productionLog();
    ASSERT_EQ(log.size(), 400u);
    EXPECT_LT(firstIndexOf(log, 0x0202), lastIndexOf(log, 0x0101));
    // The end of a transfer is noticed when next() returns 0, after its last message was sent.
    EXPECT_TRUE(eventually([&] { return handler.destroyed.load() == 2; }));
}

TEST(TcpTransfer, ABigTransferDoesNotStarveASmallOne) {
    FakeHandler handler;
    handler.messages = 500;  // 30 MB, read as fast as the client can
    TcpHarness tcp(withHandler(handler), /*managementListener=*/true);
    TcpClient big(tcp.managementPort);
    ASSERT_TRUE(big.send({request(0x0B16, kOpQuery, kTypeAxfr)}));
    std::size_t bigGot = 0;
    std::thread reader([&] { bigGot = readTransfer(big, 0x0B16, 500, 60'000); });
    ASSERT_TRUE(eventually([&] { return handler.produced.load() > 0; }));
    handler.messages = 3;
    TcpClient small(tcp.managementPort);
    ASSERT_TRUE(small.send({request(0x0005, kOpQuery, kTypeIxfr)}));
    EXPECT_EQ(readTransfer(small, 0x0005, 3, 60'000), 3u);
    reader.join();
    EXPECT_EQ(bigGot, 500u);
    // The small transfer was produced while the big one still had most of its way to go.
    const auto log = handler.productionLog();
    EXPECT_LT(lastIndexOf(log, 0x0005), lastIndexOf(log, 0x0B16));
}

TEST(TcpTransfer, ManyConcurrentTransfersAllComplete) {
    FakeHandler handler;
    handler.messages = 30;
    handler.messageSize = 20'000;
    TcpHarness tcp(withHandler(handler), /*managementListener=*/true);
    constexpr std::size_t kClients = 8;
    std::vector<std::unique_ptr<TcpClient>> clients;
    for (std::size_t i = 0; i < kClients; ++i) {
        clients.push_back(std::make_unique<TcpClient>(tcp.managementPort));
        ASSERT_TRUE(clients.back()->send(
            {request(static_cast<std::uint16_t>(0x300 + i), kOpQuery, kTypeAxfr)}));
    }
    std::vector<std::size_t> got(kClients);
    std::vector<std::thread> readers;
    for (std::size_t i = 0; i < kClients; ++i) {
        readers.emplace_back([&, i] {
            got[i] = readTransfer(*clients[i], static_cast<std::uint16_t>(0x300 + i), 30, 20'000);
        });
    }
    for (auto& t : readers)
        t.join();
    for (std::size_t i = 0; i < kClients; ++i)
        EXPECT_EQ(got[i], 30u) << "client " << i;
    EXPECT_TRUE(eventually([&] { return handler.destroyed.load() == static_cast<int>(kClients); }));
}

TEST(TcpTransfer, StoppingTheServerMidTransferDestroysTheTransfer) {
    FakeHandler handler;
    {
        TcpHarness tcp(withHandler(handler), /*managementListener=*/true);
        TcpClient client(tcp.managementPort, /*receiveBuffer=*/16 * 1024);
        ASSERT_TRUE(client.send({request(0x51, kOpQuery, kTypeAxfr)}));
        ASSERT_TRUE(eventually([&] { return handler.produced.load() > 0; }));
    }
    EXPECT_EQ(handler.destroyed.load(), 1);
}

}  // namespace
}  // namespace dnsfleet::authd::net
