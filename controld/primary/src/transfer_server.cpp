// The transfer server: requests from the edges, TSIG-checked, answered from the zone source.
#include "transfer_server.hpp"

#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <array>
#include <chrono>
#include <condition_variable>
#include <optional>
#include <vector>

#include "dnswire/message.hpp"
#include "dnswire/rrtype.hpp"
#include "xfr/serial.hpp"
#include "xfr/xfr_writer.hpp"

namespace dnsfleet::controld::primary {
namespace {

using dnswire::MessageBuilder;
namespace rcode = dnswire::rcode;

constexpr auto kIdle = std::chrono::milliseconds(10000);
constexpr auto kStopCheck = std::chrono::milliseconds(200);

std::uint64_t epochSeconds() {
    return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                          std::chrono::system_clock::now().time_since_epoch())
                                          .count());
}

/// A response with the question and `code` only, with the TSIG error when the check failed.
void refuse(const dnswire::Query& query, std::span<const std::uint8_t> request, std::uint16_t code,
            dnswire::TsigRequestCheck& tsig, const MessageSink& sink) {
    std::array<std::uint8_t, 1024> buffer{};
    auto builder = MessageBuilder::respondTo(query, request, buffer);
    if (!builder) return;
    builder->setRcode(code);
    builder->setLimit(buffer.size());
    if (query.edns.present) {
        dnswire::EdnsResponse edns;
        edns.dnssecOk = query.edns.dnssecOk;
        static_cast<void>(builder->addOpt(edns));
    }
    std::size_t length = builder->size();
    if (tsig.record && tsig.status != dnswire::TsigStatus::Ok) {
        auto withTsig = dnswire::appendTsigError(buffer, length, *tsig.record, tsig.status,
                                                 tsig.key, epochSeconds());
        if (withTsig) length = *withTsig;
    } else if (tsig.session && tsig.status == dnswire::TsigStatus::Ok) {
        auto signedLength = tsig.session->signResponse(buffer, length, epochSeconds());
        if (signedLength) length = *signedLength;
    }
    sink(std::span<const std::uint8_t>(buffer.data(), length));
}

/// The serial in the authority-section SOA of an IXFR request (RFC 1995 §3).
std::optional<std::uint32_t> ixfrClientSerial(std::span<const std::uint8_t> request) {
    auto parser = dnswire::MessageParser::open(request);
    if (!parser) return std::nullopt;
    dnswire::RecordRef record;
    for (;;) {
        auto next = parser->next(record);
        if (!next || !*next) return std::nullopt;
        if (record.section == dnswire::Section::Authority && record.type == dnswire::rrtype::SOA) {
            std::vector<std::uint8_t> rdata;
            if (!dnswire::rdataFromWire(record.type, request, record.rdataOffset, record.rdlength,
                                        rdata)) {
                return std::nullopt;
            }
            return xfr::soaSerialOf(rdata);
        }
    }
}

/// Writes every message of `writer`, each signed.
bool stream(xfr::XfrWriter& writer, const dnswire::Query& query,
            std::span<const std::uint8_t> request, dnswire::TsigSession& session,
            const MessageSink& sink, std::size_t limit) {
    std::vector<std::uint8_t> buffer(65535);
    bool first = true;
    while (!writer.done()) {
        std::optional<MessageBuilder> builder;
        if (first) {
            auto started = MessageBuilder::respondTo(query, request, buffer);
            if (!started) return false;
            builder.emplace(*started);
        } else {
            dnswire::Header header;
            header.id = query.header.id;
            header.flags = dnswire::flag::QR;
            auto started = MessageBuilder::start(header, buffer);
            if (!started) return false;
            builder.emplace(*started);
        }
        builder->setFlag(dnswire::flag::AA);
        builder->setLimit(limit);
        builder->reserve(dnswire::kTsigMaxSize);
        auto filled = writer.fill(*builder);
        if (!filled) return false;
        builder->unreserve(dnswire::kTsigMaxSize);
        auto signedLength = session.signResponse(buffer, builder->size(), epochSeconds());
        if (!signedLength) return false;
        if (!sink(std::span<const std::uint8_t>(buffer.data(), *signedLength))) return false;
        first = false;
    }
    return true;
}

}  // namespace

void answerRequest(ZoneSource& zones, const dnswire::TsigKeyring& keyring,
                   std::span<const std::uint8_t> request, bool streamed, const std::string& peer,
                   const MessageSink& sink) {
    dnswire::Query query;
    if (!dnswire::parseQueryInto(request, query) || query.questionEnd == 0) {
        dnswire::TsigRequestCheck none;
        if (query.questionEnd != 0 && !query.header.has(dnswire::flag::QR))
            refuse(query, request, rcode::FORMERR, none, sink);
        return;
    }
    if (query.header.has(dnswire::flag::QR)) return;  // a stray response
    const std::string zoneName = query.qname.toText();
    dnswire::TsigRequestCheck tsig;
    if (query.tsigOffset != 0) tsig = dnswire::verifyTsigRequest(request, keyring, epochSeconds());
    if (tsig.status != dnswire::TsigStatus::Ok) {
        spdlog::warn("fleet: request for {} from {} refused: TSIG {}", zoneName, peer,
                     dnswire::describe(tsig.status));
        refuse(query, request, rcode::NOTAUTH, tsig, sink);
        return;
    }
    if (query.header.opcode() != dnswire::opcode::QUERY) {
        refuse(query, request, rcode::NOTIMP, tsig, sink);
        return;
    }
    const auto snapshot = zones.snapshot();
    std::shared_ptr<const zone::Zone> current;
    const ServedZone* served = nullptr;
    if (snapshot && dnswire::equalNames(query.qname, snapshot->catalogApex)) {
        current = snapshot->catalog;
    } else if (snapshot) {
        const auto found = snapshot->zones.find(zoneKey(zoneName));
        if (found != snapshot->zones.end()) {
            served = &found->second;
            auto loaded = zones.current(*served);
            if (!loaded) {
                spdlog::error("fleet: {}: {}", zoneName, loaded.error());
                refuse(query, request, rcode::SERVFAIL, tsig, sink);
                return;
            }
            current = *loaded;
        }
    }
    if (!current) {
        refuse(query, request, rcode::NOTAUTH, tsig, sink);
        return;
    }
    // Over UDP only the SOA goes out: small, but the TSIG reservation needs room.
    const std::size_t limit = streamed ? 65535 : 1232;
    std::optional<xfr::XfrWriter> writer;
    if (query.qtype == dnswire::rrtype::SOA) {
        writer = xfr::XfrWriter::soaOnly(current);
    } else if (query.qtype == dnswire::rrtype::AXFR) {
        if (!streamed) {
            refuse(query, request, rcode::NOTIMP, tsig, sink);
            return;
        }
        writer = xfr::XfrWriter::axfr(current);
    } else if (query.qtype == dnswire::rrtype::IXFR) {
        const auto clientSerial = ixfrClientSerial(request);
        if (!clientSerial) {
            refuse(query, request, rcode::FORMERR, tsig, sink);
            return;
        }
        const std::uint32_t serial = xfr::zoneSerial(*current);
        if (!xfr::serialNewer(serial, *clientSerial) || !streamed) {
            writer = xfr::XfrWriter::soaOnly(current);
        } else if (served != nullptr) {
            auto diff = zones.diffFrom(*served, *clientSerial);
            if (diff && *diff) {
                writer = xfr::XfrWriter::ixfr(current, {*diff});
            } else {
                if (!diff) spdlog::warn("fleet: IXFR of {}: {}", zoneName, diff.error());
                writer = xfr::XfrWriter::axfr(current);
            }
        } else {
            writer = xfr::XfrWriter::axfr(current);  // the catalog keeps no history
        }
    } else {
        refuse(query, request, rcode::NOTIMP, tsig, sink);
        return;
    }
    if (query.qtype != dnswire::rrtype::SOA) {
        spdlog::info("fleet: {} of {} serial {} to {}",
                     dnswire::rrtype::SOA == query.qtype    ? "SOA"
                     : query.qtype == dnswire::rrtype::AXFR ? "AXFR"
                                                            : "IXFR",
                     zoneName, xfr::zoneSerial(*current), peer);
    }
    if (!stream(*writer, query, request, *tsig.session, sink, limit))
        spdlog::warn("fleet: answer for {} to {} ended early", zoneName, peer);
}

TransferServer::TransferServer(ZoneSource& zones, dnswire::TsigKey key, const SocketAddress& listen)
    : zones_(zones) {
    keyring_.add(std::move(key));
    tcp_ = listenTcp(listen);
    address_ = localAddress(tcp_);
    udp_ = bindUdp(address_);  // the same port as TCP, also when `listen` asked for port 0
    acceptThread_ = std::thread([this] { acceptLoop(); });
    udpThread_ = std::thread([this] { udpLoop(); });
}

TransferServer::~TransferServer() {
    stop();
}

void TransferServer::stop() {
    stopping_ = true;
    if (acceptThread_.joinable()) acceptThread_.join();
    if (udpThread_.joinable()) udpThread_.join();
    std::unique_lock lock(connectionsMutex_);
    connectionDone_.wait(lock, [this] { return activeConnections_ == 0; });
}

void TransferServer::acceptLoop() {
    while (!stopping_) {
        {
            std::unique_lock lock(connectionsMutex_);
            if (!connectionDone_.wait_for(
                    lock, kStopCheck, [this] { return activeConnections_ < kMaxConnections; })) {
                continue;
            }
        }
        if (!waitFor(tcp_.fd(), false, kStopCheck)) continue;
        SocketAddress peer;
        peer.length = sizeof peer.storage;
        Socket connection(::accept4(tcp_.fd(), peer.get(), &peer.length, SOCK_CLOEXEC));
        if (!connection.valid()) continue;
        {
            std::lock_guard lock(connectionsMutex_);
            ++activeConnections_;
        }
        std::thread([this, c = std::move(connection), peer]() mutable {
            serveConnection(std::move(c), peer);
            std::lock_guard lock(connectionsMutex_);
            --activeConnections_;
            connectionDone_.notify_all();
        }).detach();
    }
}

void TransferServer::serveConnection(Socket connection, SocketAddress peer) {
    const std::string who = peer.toString();
    std::vector<std::uint8_t> request;
    const auto idleUntil = [] { return std::chrono::steady_clock::now() + kIdle; };
    auto deadline = idleUntil();
    while (!stopping_ && std::chrono::steady_clock::now() < deadline) {
        if (!waitFor(connection.fd(), false, kStopCheck)) continue;
        std::array<std::uint8_t, 2> prefix{};
        if (!readExactly(connection.fd(), prefix, kIdle)) return;
        const std::size_t length = (std::size_t{prefix[0]} << 8U) | prefix[1];
        request.resize(length);
        if (length == 0 || !readExactly(connection.fd(), request, kIdle)) return;
        bool open = true;
        answerRequest(zones_, keyring_, request, true, who,
                      [&](std::span<const std::uint8_t> message) {
                          const std::array<std::uint8_t, 2> size{
                              static_cast<std::uint8_t>(message.size() >> 8U),
                              static_cast<std::uint8_t>(message.size() & 0xFFU)};
                          open = open && !stopping_ && writeAll(connection.fd(), size, kIdle) &&
                                 writeAll(connection.fd(), message, kIdle);
                          return open;
                      });
        if (!open) return;
        deadline = idleUntil();
    }
}

void TransferServer::udpLoop() {
    std::vector<std::uint8_t> request(65535);
    while (!stopping_) {
        if (!waitFor(udp_.fd(), false, kStopCheck)) continue;
        SocketAddress peer;
        peer.length = sizeof peer.storage;
        const ssize_t n =
            ::recvfrom(udp_.fd(), request.data(), request.size(), 0, peer.get(), &peer.length);
        if (n <= 0) continue;
        answerRequest(zones_, keyring_,
                      std::span<const std::uint8_t>(request.data(), static_cast<std::size_t>(n)),
                      false, peer.toString(), [&](std::span<const std::uint8_t> message) {
                          return ::sendto(udp_.fd(), message.data(), message.size(), 0, peer.get(),
                                          peer.length) >= 0;
                      });
    }
}

}  // namespace dnsfleet::controld::primary
