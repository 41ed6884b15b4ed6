// Routing of NOTIFY and zone transfers to the management side, and the public/management
// listener split, over real sockets on 127.0.0.1. Transfer streaming over TCP is in
// management_transfer_test.cpp.

#include "authd/net/management.hpp"

#include <gtest/gtest.h>
#include <poll.h>

#include "dnswire/tsig.hpp"
#include "management_harness.hpp"

namespace dnsfleet::authd::net {
namespace {

using namespace testing;

// --- classifyRequest -----------------------------------------------------------------------

TEST(ClassifyRequest, AxfrAndIxfrQueriesAreTransfers) {
    EXPECT_EQ(classifyRequest(request(1, kOpQuery, kTypeAxfr)), RequestKind::Transfer);
    EXPECT_EQ(classifyRequest(request(1, kOpQuery, kTypeIxfr)), RequestKind::Transfer);
}

/// `wire` signed with a throwaway key (the classifier only looks for the TSIG record).
Bytes signedWith(Bytes wire) {
    auto key = dnswire::makeTsigKey("refresh-key.", "hmac-sha256", "c2VjcmV0IHNlY3JldCBzZWNyZXQ=");
    EXPECT_TRUE(key.has_value());
    dnswire::TsigSession session(*key);
    const std::size_t length = wire.size();
    wire.resize(length + dnswire::kTsigMaxSize);
    auto signedLength = session.signRequest(wire, length, 1'764'115'200);
    EXPECT_TRUE(signedLength.has_value());
    wire.resize(*signedLength);
    return wire;
}

TEST(ClassifyRequest, SignedSoaQueriesGoToTheManagementSide) {
    // A secondary's refresh is an SOA query signed with the zone's key; only the management
    // side can sign the answer (RFC 8945 §5.3).
    EXPECT_EQ(classifyRequest(request(1, kOpQuery, kTypeSoa)), RequestKind::Query);
    EXPECT_EQ(classifyRequest(signedWith(request(1, kOpQuery, kTypeSoa))), RequestKind::Transfer);
    EXPECT_EQ(classifyRequest(signedWith(request(1, kOpQuery, kTypeA))), RequestKind::Query);
}

TEST(ClassifyRequest, NotifyOpcodeIsNotifyWhateverTheType) {
    EXPECT_EQ(classifyRequest(request(1, kOpNotify, kTypeSoa)), RequestKind::Notify);
    // RFC 1996 §3.7 allows other QTYPEs in a NOTIFY; the management side judges them.
    EXPECT_EQ(classifyRequest(request(1, kOpNotify, kTypeA)), RequestKind::Notify);
    EXPECT_EQ(classifyRequest(request(1, kOpNotify, kTypeAxfr)), RequestKind::Notify);
}

TEST(ClassifyRequest, OrdinaryQueriesAndOtherOpcodesAreQueries) {
    EXPECT_EQ(classifyRequest(request(1, kOpQuery, kTypeA)), RequestKind::Query);
    EXPECT_EQ(classifyRequest(request(1, kOpQuery, kTypeSoa)), RequestKind::Query);
    EXPECT_EQ(classifyRequest(request(1, 5, kTypeSoa)), RequestKind::Query);   // UPDATE
    EXPECT_EQ(classifyRequest(request(1, 2, kTypeAxfr)), RequestKind::Query);  // STATUS
}

TEST(ClassifyRequest, ResponsesAreNeverRouted) {
    EXPECT_EQ(classifyRequest(request(1, kOpQuery, kTypeAxfr, {"example"}, true)),
              RequestKind::Query);
    EXPECT_EQ(classifyRequest(request(1, kOpNotify, kTypeSoa, {"example"}, true)),
              RequestKind::Query);
}

TEST(ClassifyRequest, MalformedRequestsAreLeftToTheQueryProcessor) {
    const Bytes axfr = request(1, kOpQuery, kTypeAxfr);
    EXPECT_EQ(classifyRequest({}), RequestKind::Query);
    EXPECT_EQ(classifyRequest(std::span(axfr).first(11)), RequestKind::Query);  // short header
    // Cut inside the name, and inside the type/class.
    EXPECT_EQ(classifyRequest(std::span(axfr).first(15)), RequestKind::Query);
    EXPECT_EQ(classifyRequest(std::span(axfr).first(axfr.size() - 1)), RequestKind::Query);
    EXPECT_EQ(classifyRequest(std::span(axfr).first(axfr.size() - 3)), RequestKind::Query);

    Bytes noQuestion = axfr;
    noQuestion[5] = 0;  // QDCOUNT 0
    EXPECT_EQ(classifyRequest(noQuestion), RequestKind::Query);
    Bytes twoQuestions = axfr;
    twoQuestions[5] = 2;
    EXPECT_EQ(classifyRequest(twoQuestions), RequestKind::Query);

    // A compression pointer as the question name can only point into the header.
    const Bytes pointer{0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xC0, 0x0C, 0, 252, 0, 1};
    EXPECT_EQ(classifyRequest(pointer), RequestKind::Query);

    // 128 labels of one octet: 257 octets of name, over the limit of 255.
    std::vector<std::string> labels(128, "a");
    EXPECT_EQ(classifyRequest(request(1, kOpQuery, kTypeAxfr, labels)), RequestKind::Query);
    labels.resize(127);  // 255 octets: the longest legal name
    EXPECT_EQ(classifyRequest(request(1, kOpQuery, kTypeAxfr, labels)), RequestKind::Transfer);
}

// --- UDP -----------------------------------------------------------------------------------

class UdpHarness {
  public:
    UdpHarness(FakeHandler* handler, bool managementSocket, bool managementListenersExist)
        : zones_(noZones()) {
        auto sock = openUdpSocket(loopbackAnyPort());
        EXPECT_TRUE(sock.has_value());
        sock->management = managementSocket;
        port = boundPort(sock->fd.get());
        std::vector<UdpSocket> sockets;
        sockets.push_back(std::move(*sock));
        UdpWorkerOptions options;
        options.management = handler;
        options.managementListenersExist = managementListenersExist;
        worker_ = std::make_unique<UdpWorker>(std::move(sockets), zones_, options, stopping_);
        thread_ = std::thread([w = worker_.get()] { w->run(); });
    }
    ~UdpHarness() {
        stopping_.store(true);
        worker_->interrupt();
        thread_.join();
    }
    UdpHarness(const UdpHarness&) = delete;
    UdpHarness& operator=(const UdpHarness&) = delete;

    /// Sends `message` from a fresh socket; returns the answer (nothing after 500 ms) and the
    /// client's port.
    std::pair<std::optional<Bytes>, std::uint16_t> exchange(const Bytes& message) const {
        FileDescriptor fd(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
        sockaddr_in to{};
        to.sin_family = AF_INET;
        to.sin_port = htons(port);
        to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        // NOLINTNEXTLINE(cppcoreguidelines-pro-type-reinterpret-cast): the sockets API
        const auto* address = reinterpret_cast<const sockaddr*>(&to);
        EXPECT_EQ(::sendto(fd.get(), message.data(), message.size(), 0, address, sizeof to),
                  static_cast<ssize_t>(message.size()));
        const std::uint16_t clientPort = boundPort(fd.get());
        pollfd p{fd.get(), POLLIN, 0};
        if (::poll(&p, 1, 500) != 1) return {std::nullopt, clientPort};
        Bytes answer(65535);
        const ssize_t n = ::recv(fd.get(), answer.data(), answer.size(), 0);
        if (n <= 0) return {std::nullopt, clientPort};
        answer.resize(static_cast<std::size_t>(n));
        return {answer, clientPort};
    }

    std::uint16_t port = 0;

  private:
    ZoneSnapshots zones_;
    std::atomic<bool> stopping_{false};
    std::unique_ptr<UdpWorker> worker_;
    std::thread thread_;
};

TEST(UdpManagement, NotifyReachesTheHandlerWithThePeerAddress) {
    FakeHandler handler;
    UdpHarness udp(&handler, /*managementSocket=*/true, /*managementListenersExist=*/true);
    const Bytes notify = request(0x4242, kOpNotify, kTypeSoa);
    const auto [answer, clientPort] = udp.exchange(notify);
    ASSERT_TRUE(answer.has_value());
    EXPECT_EQ(idOf(*answer), 0x4242);
    EXPECT_TRUE(qrOf(*answer));
    EXPECT_EQ(answer->size(), notify.size());  // exactly what the handler wrote
    EXPECT_EQ(handler.notifies.load(), 1);
    const PeerSeen peer = handler.lastPeer();
    EXPECT_EQ(peer.address.ss_family, AF_INET);
    EXPECT_EQ(peer.length, sizeof(sockaddr_in));
    EXPECT_EQ(portOf(peer.address), clientPort);
    EXPECT_EQ(peer.transport, Transport::Udp);
    EXPECT_TRUE(peer.management);
}

TEST(UdpManagement, WithoutManagementListenersThePublicSocketTakesNotify) {
    FakeHandler handler;
    UdpHarness udp(&handler, /*managementSocket=*/false, /*managementListenersExist=*/false);
    const auto [answer, clientPort] = udp.exchange(request(7, kOpNotify, kTypeSoa));
    ASSERT_TRUE(answer.has_value());
    EXPECT_EQ(handler.notifies.load(), 1);
    EXPECT_FALSE(handler.lastPeer().management);
    EXPECT_EQ(portOf(handler.lastPeer().address), clientPort);
}

TEST(UdpManagement, PublicSocketRefusesNotifyAndTransfersWhenManagementListenersExist) {
    FakeHandler handler;
    UdpHarness udp(&handler, /*managementSocket=*/false, /*managementListenersExist=*/true);
    for (const Bytes& req :
         {request(9, kOpNotify, kTypeSoa), request(10, kOpQuery, kTypeIxfr, {"example"})}) {
        const auto [answer, clientPort] = udp.exchange(req);
        ASSERT_TRUE(answer.has_value());
        EXPECT_EQ(idOf(*answer), idOf(req));
        EXPECT_TRUE(qrOf(*answer));
        EXPECT_EQ(rcodeOf(*answer), 5u);  // REFUSED
        // The question is echoed (RFC 1035 §4.1.1: QDCOUNT 1, same name, type and class).
        ASSERT_EQ(answer->size(), req.size());
        EXPECT_TRUE(std::equal(req.begin() + 12, req.end(), answer->begin() + 12));
    }
    EXPECT_EQ(handler.notifies.load(), 0);
    EXPECT_EQ(handler.transfers.load(), 0);
}

TEST(UdpManagement, RefusalKeepsEdnsWhenTheRequestHadIt) {
    FakeHandler handler;
    UdpHarness udp(&handler, /*managementSocket=*/false, /*managementListenersExist=*/true);
    Bytes ixfr = request(15, kOpQuery, kTypeIxfr);
    ixfr[11] = 1;  // ARCOUNT 1: an OPT record, root owner, 4096 octets, DO set (RFC 6891 §6.1.2)
    ixfr.insert(ixfr.end(), {0, 0, 41, 0x10, 0x00, 0, 0, 0x80, 0, 0, 0});
    const auto [answer, clientPort] = udp.exchange(ixfr);
    ASSERT_TRUE(answer.has_value());
    EXPECT_EQ(rcodeOf(*answer), 5u);
    ASSERT_EQ(answer->size(), ixfr.size());
    EXPECT_EQ((*answer)[11], 1);  // the OPT record came back
    EXPECT_EQ((*answer)[ixfr.size() - 11 + 2], 41);
    EXPECT_EQ((*answer)[ixfr.size() - 11 + 7] & 0x80, 0x80);  // DO echoed (RFC 3225 §3)
    EXPECT_EQ(handler.transfers.load(), 0);
}

TEST(UdpManagement, OrdinaryQueriesStillGoToTheQueryProcessor) {
    FakeHandler handler;
    UdpHarness udp(&handler, /*managementSocket=*/true, /*managementListenersExist=*/true);
    const auto [answer, clientPort] = udp.exchange(request(11, kOpQuery, kTypeA));
    ASSERT_TRUE(answer.has_value());
    EXPECT_EQ(rcodeOf(*answer), 5u);  // no zone is served: REFUSED by the QueryProcessor
    EXPECT_EQ(handler.notifies.load() + handler.transfers.load(), 0);
}

TEST(UdpManagement, IxfrOverUdpGetsTheHandlersSingleAnswer) {
    FakeHandler handler;
    UdpHarness udp(&handler, /*managementSocket=*/true, /*managementListenersExist=*/false);
    const Bytes ixfr = request(12, kOpQuery, kTypeIxfr);
    const auto [answer, clientPort] = udp.exchange(ixfr);
    ASSERT_TRUE(answer.has_value());
    EXPECT_EQ(answer->size(), ixfr.size());
    EXPECT_EQ(handler.transfers.load(), 1);
    EXPECT_EQ(handler.lastPeer().transport, Transport::Udp);
}

TEST(UdpManagement, ATransferStartedOverUdpIsDroppedUnanswered) {
    FakeHandler handler;
    handler.transferOverUdp = true;
    UdpHarness udp(&handler, /*managementSocket=*/true, /*managementListenersExist=*/false);
    const auto [answer, clientPort] = udp.exchange(request(13, kOpQuery, kTypeAxfr));
    EXPECT_FALSE(answer.has_value());
    EXPECT_EQ(handler.transfers.load(), 1);
    EXPECT_EQ(handler.destroyed.load(), 1);
    EXPECT_EQ(handler.produced.load(), 0);
}

TEST(UdpManagement, WithoutAHandlerTransfersAreAnsweredAsBefore) {
    UdpHarness udp(nullptr, /*managementSocket=*/false, /*managementListenersExist=*/true);
    const auto [answer, clientPort] = udp.exchange(request(14, kOpQuery, kTypeAxfr));
    ASSERT_TRUE(answer.has_value());
    EXPECT_EQ(rcodeOf(*answer), 4u);  // NOTIMP: AXFR over UDP, as Knot
}

// --- TCP: NOTIFY and the listener split ----------------------------------------------------

TcpServerOptions withHandler(FakeHandler& handler, bool managementListenersExist) {
    TcpServerOptions options;
    options.management = &handler;
    options.managementListenersExist = managementListenersExist;
    return options;
}

TEST(TcpManagement, NotifyReachesTheHandlerWithThePeerAddress) {
    FakeHandler handler;
    TcpHarness tcp(withHandler(handler, true), /*managementListener=*/true);
    TcpClient client(tcp.managementPort);
    ASSERT_TRUE(client.connected());
    const Bytes notify = request(0x1234, kOpNotify, kTypeSoa);
    ASSERT_TRUE(client.send({notify}));
    const auto answer = client.read();
    ASSERT_TRUE(answer.has_value());
    EXPECT_EQ(idOf(*answer), 0x1234);
    EXPECT_EQ(answer->size(), notify.size());
    EXPECT_EQ(handler.notifies.load(), 1);
    const PeerSeen peer = handler.lastPeer();
    EXPECT_EQ(peer.address.ss_family, AF_INET);
    EXPECT_EQ(portOf(peer.address), localPort(client.fd()));
    EXPECT_EQ(peer.transport, Transport::Tcp);
    EXPECT_TRUE(peer.management);
}

TEST(TcpManagement, PublicListenerRefusesTransfersAndNotifyWhenManagementListenersExist) {
    FakeHandler handler;
    TcpHarness tcp(withHandler(handler, true), /*managementListener=*/true);
    TcpClient client(tcp.publicPort);
    ASSERT_TRUE(client.connected());
    const Bytes axfr = request(21, kOpQuery, kTypeAxfr);
    const Bytes notify = request(22, kOpNotify, kTypeSoa);
    const Bytes query = request(23, kOpQuery, kTypeA);
    ASSERT_TRUE(client.send({axfr, notify, query}));
    for (const Bytes* req : {&axfr, &notify, &query}) {
        const auto answer = client.read();
        ASSERT_TRUE(answer.has_value());
        EXPECT_EQ(idOf(*answer), idOf(*req));
        EXPECT_EQ(rcodeOf(*answer), 5u);  // REFUSED (the query: no zone served)
    }
    EXPECT_EQ(handler.transfers.load(), 0);
    EXPECT_EQ(handler.notifies.load(), 0);

    // The same transfer on the management listener reaches the handler.
    handler.messages = 1;
    handler.messageSize = 100;
    TcpClient management(tcp.managementPort);
    ASSERT_TRUE(management.send({axfr}));
    const auto first = management.read();
    ASSERT_TRUE(first.has_value());
    EXPECT_TRUE(isTransferMessage(*first, 21, 0, 100));
    EXPECT_EQ(handler.transfers.load(), 1);
    EXPECT_TRUE(handler.lastPeer().management);
}

TEST(TcpManagement, WithoutManagementListenersThePublicListenerTakesTransfers) {
    FakeHandler handler;
    handler.messages = 2;
    handler.messageSize = 300;
    TcpHarness tcp(withHandler(handler, false), /*managementListener=*/false);
    TcpClient client(tcp.publicPort);
    ASSERT_TRUE(client.send({request(31, kOpQuery, kTypeIxfr)}));
    for (std::uint32_t k = 0; k < 2; ++k) {
        const auto m = client.read();
        ASSERT_TRUE(m.has_value());
        EXPECT_TRUE(isTransferMessage(*m, 31, k, 300));
    }
    EXPECT_FALSE(handler.lastPeer().management);
    EXPECT_EQ(handler.lastPeer().transport, Transport::Tcp);
}

TEST(TcpManagement, WithoutAHandlerTransfersAreAnsweredAsBefore) {
    TcpHarness tcp(TcpServerOptions{}, /*managementListener=*/true);
    TcpClient client(tcp.managementPort);
    ASSERT_TRUE(client.send({request(41, kOpQuery, kTypeAxfr)}));
    const auto answer = client.read();
    ASSERT_TRUE(answer.has_value());
    EXPECT_EQ(rcodeOf(*answer), 9u);  // NOTAUTH, the QueryProcessor's refusal of a transfer
}

}  // namespace
}  // namespace dnsfleet::authd::net
