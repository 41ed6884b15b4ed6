#pragma once
// A fake edge server: a UDP socket on loopback answering SOA queries for any zone with a
// serial the test chooses (or REFUSED when the zone is "not served").
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <string>
#include <thread>

#include "dnswire/message.hpp"
#include "dnswire/rrtype.hpp"
#include "sockets.hpp"

namespace dnsfleet::controld::primary::testing {

class FakeEdge {
  public:
    FakeEdge() {
        SocketAddress any = *parseSocketAddress("127.0.0.1:0");
        socket_ = bindUdp(any);
        address_ = localAddress(socket_).toString();
        thread_ = std::thread([this] { run(); });
    }
    ~FakeEdge() {
        stop_ = true;
        thread_.join();
    }
    FakeEdge(const FakeEdge&) = delete;
    FakeEdge& operator=(const FakeEdge&) = delete;

    [[nodiscard]] const std::string& address() const { return address_; }
    void setSerial(std::uint32_t serial) { serial_ = serial; }
    void setServed(bool served) { served_ = served; }
    [[nodiscard]] int queries() const { return queries_; }

  private:
    void run() {
        std::array<std::uint8_t, 4096> request{};
        while (!stop_) {
            if (!waitFor(socket_.fd(), false, std::chrono::milliseconds(50))) continue;
            SocketAddress peer;
            peer.length = sizeof peer.storage;
            const ssize_t n = ::recvfrom(socket_.fd(), request.data(), request.size(), 0,
                                         peer.get(), &peer.length);
            if (n <= 0) continue;
            ++queries_;
            const std::span<const std::uint8_t> wire(request.data(), static_cast<std::size_t>(n));
            auto query = dnswire::parseQuery(wire);
            if (!query) continue;
            std::array<std::uint8_t, 512> buffer{};
            auto builder = dnswire::MessageBuilder::respondTo(*query, wire, buffer);
            if (!builder) continue;
            builder->setLimit(buffer.size());
            if (served_) {
                builder->setFlag(dnswire::flag::AA);
                std::vector<std::uint8_t> rdata;
                const auto ns = *dnswire::Name::fromText("ns1.test.");
                rdata.insert(rdata.end(), ns.wire().begin(), ns.wire().end());
                rdata.insert(rdata.end(), ns.wire().begin(), ns.wire().end());
                const std::uint32_t serial = serial_;
                for (const std::uint32_t v : {serial, 3600U, 600U, 1209600U, 300U}) {
                    for (int shift = 24; shift >= 0; shift -= 8)
                        rdata.push_back(
                            static_cast<std::uint8_t>(v >> static_cast<unsigned>(shift)));
                }
                static_cast<void>(builder->addRecord(dnswire::Section::Answer, query->qname,
                                                     dnswire::rrtype::SOA, 1, 300, rdata));
            } else {
                builder->setRcode(dnswire::rcode::REFUSED);
            }
            static_cast<void>(
                ::sendto(socket_.fd(), buffer.data(), builder->size(), 0, peer.get(), peer.length));
        }
    }

    Socket socket_;
    std::string address_;
    std::atomic<std::uint32_t> serial_{0};
    std::atomic<bool> served_{true};
    std::atomic<bool> stop_{false};
    std::atomic<int> queries_{0};
    std::thread thread_;
};

}  // namespace dnsfleet::controld::primary::testing
