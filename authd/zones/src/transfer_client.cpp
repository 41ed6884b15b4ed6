#include "authd/zones/transfer_client.hpp"

#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <optional>

#include "dnswire/message.hpp"
#include "dnswire/rrtype.hpp"
#include "transfer_io.hpp"
#include "xfr/messages.hpp"
#include "xfr/serial.hpp"

namespace dnsfleet::authd::zones {

namespace {

using detail::Deadline;
using detail::IoFailure;
using SteadyClock = std::chrono::steady_clock;

// A request is a header, one question and at most one SOA in the authority section, plus TSIG.
constexpr std::size_t kRequestBuffer = 512 + dnswire::kTsigMaxSize;
// Bounds the receive loop when a primary streams messages that carry no records.
constexpr std::size_t kMaxMessages = std::size_t{1} << 22;

struct Peer {
    const PrimaryEndpoint& endpoint;
    std::string text;  ///< `127.0.0.1:53`, the start of every error line

    explicit Peer(const PrimaryEndpoint& e) : endpoint(e), text(e.address.toString()) {}
};

// Checks a response's TSIG; on failure, one line naming what went wrong. A TSIG error the
// primary put in its answer (it did not accept our key or MAC) is reported as the primary's.
Result<void, std::string> checkTsig(const Peer& peer, dnswire::TsigSession& session,
                                    std::span<const std::uint8_t> message, bool first) {
    auto record = dnswire::findTsig(message);
    if (record && record->has_value() && (*record)->error != 0) {
        return fail(peer.text + ": TSIG " + detail::tsigErrorText((*record)->error) +
                    " (the primary refused key " + session.key().name.toText() + ")");
    }
    // The session accepts unsigned messages only between signed ones (RFC 8945 §5.3.1) and
    // says Ok for those; anything else is a failure.
    const dnswire::TsigStatus status = session.verifyResponse(message, detail::epochSeconds());
    if (status == dnswire::TsigStatus::Ok) return {};
    if (status == dnswire::TsigStatus::Unsigned && first) {
        const auto header = dnswire::parseHeader(message);
        if (header && header->rcode() != dnswire::rcode::NOERROR) {
            return fail(peer.text + ": " + detail::rcodeText(header->rcode()) +
                        " (unsigned answer to a signed request)");
        }
    }
    return fail(peer.text + ": TSIG " + std::string(dnswire::describe(status)) +
                " in the response");
}

// The request for `qtype`, signed when the endpoint has a key. Returns its length.
Result<std::size_t, std::string> buildSignedRequest(const Peer& peer,
                                                    std::optional<dnswire::TsigSession>& session,
                                                    std::span<std::uint8_t> buffer,
                                                    std::uint16_t id, dnswire::NameView apex,
                                                    std::uint16_t qtype, const zone::Zone* current,
                                                    std::uint16_t fudge) {
    std::span<const std::uint8_t> soa;
    std::uint32_t soaTtl = 0;
    if (current != nullptr && qtype == dnswire::rrtype::IXFR) {
        soa = current->soa().first();
        soaTtl = current->soa().ttl();
    }
    auto length = xfr::buildRequest(buffer, id, apex, qtype, soa, soaTtl);
    if (!length) {
        return fail(peer.text + ": cannot build the request: " +
                    std::string(dnswire::describe(length.error())));
    }
    if (peer.endpoint.key == nullptr) return *length;
    session.emplace(*peer.endpoint.key, fudge);
    auto signedLength = session->signRequest(buffer, *length, detail::epochSeconds());
    if (!signedLength) {
        return fail(peer.text + ": cannot sign the request: " +
                    std::string(dnswire::describe(signedLength.error())));
    }
    return *signedLength;
}

// A TCP connection to the primary, inside TLS (RFC 9103) when the endpoint asks for it.
Result<detail::MessageStream, std::string> connectTo(const Peer& peer,
                                                     std::chrono::milliseconds timeout) {
    std::optional<tls::TlsClientContext> tlsContext;
    if (peer.endpoint.tls) {
        // Built before connecting, so a configuration without a name or pin fails at once.
        auto context = tls::TlsClientContext::create(
            tls::TlsClientOptions{.hostname = peer.endpoint.tlsHostname,
                                  .caFile = peer.endpoint.tlsCaFile,
                                  .spkiPin = peer.endpoint.tlsPin,
                                  .insecure = false});
        if (!context) return fail(peer.text + ": TLS: " + context.error());
        tlsContext.emplace(std::move(*context));
    }
    auto fd = detail::openSocket(peer.endpoint.address, SOCK_STREAM, peer.endpoint.via);
    if (!fd) return fail(std::move(fd).error());
    const Deadline deadline = SteadyClock::now() + timeout;
    auto connected = detail::connectBefore(fd->get(), peer.endpoint.address, deadline);
    if (!connected) {
        return fail(detail::describeIo(peer.text, "connect", connected.error(), timeout));
    }
    detail::MessageStream stream(std::move(*fd));
    if (tlsContext) {
        auto secured = stream.startTls(*tlsContext, deadline);
        if (!secured) return fail(peer.text + ": TLS: " + secured.error());
    }
    return stream;
}

// Checks ID, QR and opcode of a response to our request `id`.
Result<dnswire::Header, std::string> checkHeader(const Peer& peer,
                                                 std::span<const std::uint8_t> message,
                                                 std::uint16_t id) {
    auto header = dnswire::parseHeader(message);
    if (!header) return fail(peer.text + ": a response shorter than a DNS header");
    if (header->id != id) return fail(peer.text + ": response ID mismatch");
    if (!header->has(dnswire::flag::QR) || header->opcode() != dnswire::opcode::QUERY) {
        return fail(peer.text + ": not a response to our query");
    }
    return *header;
}

// The SOA serial over TCP: used when the UDP answer was truncated.
Result<std::uint32_t, std::string> soaOverTcp(const Peer& peer, dnswire::NameView apex,
                                              std::chrono::milliseconds timeout,
                                              std::uint16_t fudge) {
    auto stream = connectTo(peer, timeout);
    if (!stream) return fail(std::move(stream).error());
    std::array<std::uint8_t, kRequestBuffer> buffer{};
    std::optional<dnswire::TsigSession> session;
    const std::uint16_t id = detail::randomId();
    auto length =
        buildSignedRequest(peer, session, buffer, id, apex, dnswire::rrtype::SOA, nullptr, fudge);
    if (!length) return fail(std::move(length).error());
    auto sent = stream->send({buffer.data(), *length}, SteadyClock::now() + timeout);
    if (!sent) return fail(detail::describeIo(peer.text, "SOA query", sent.error(), timeout));
    auto response = stream->receive(SteadyClock::now() + timeout);
    if (!response) {
        return fail(detail::describeIo(peer.text, "SOA query", response.error(), timeout));
    }
    auto header = checkHeader(peer, *response, id);
    if (!header) return fail(std::move(header).error());
    if (session) DNSFLEET_TRY(checkTsig(peer, *session, *response, true));
    if (header->rcode() != dnswire::rcode::NOERROR) {
        return fail(peer.text + ": SOA query answered " + detail::rcodeText(header->rcode()));
    }
    auto serial = xfr::readSoaResponse(*response, id, apex);
    if (!serial) return fail(peer.text + ": no authoritative SOA in the answer");
    return *serial;
}

// One SOA query over UDP; nothing when it timed out (the caller retries), TCP when truncated.
Result<std::optional<std::uint32_t>, std::string> soaOverUdpOnce(const Peer& peer,
                                                                 dnswire::NameView apex,
                                                                 std::chrono::milliseconds wait,
                                                                 std::chrono::milliseconds timeout,
                                                                 std::uint16_t fudge) {
    auto fd = detail::openSocket(peer.endpoint.address, SOCK_DGRAM, peer.endpoint.via);
    if (!fd) return fail(std::move(fd).error());
    // A connected UDP socket only receives from the primary, and an ICMP port unreachable
    // turns into ECONNREFUSED at once instead of a wait for the timeout.
    if (::connect(fd->get(), peer.endpoint.address.sockaddrPtr(), peer.endpoint.address.length) !=
        0) {
        return fail(peer.text + ": " + std::strerror(errno));
    }
    std::array<std::uint8_t, kRequestBuffer> buffer{};
    std::optional<dnswire::TsigSession> session;
    const std::uint16_t id = detail::randomId();
    auto length =
        buildSignedRequest(peer, session, buffer, id, apex, dnswire::rrtype::SOA, nullptr, fudge);
    if (!length) return fail(std::move(length).error());
    if (::send(fd->get(), buffer.data(), *length, 0) < 0) {
        return fail(peer.text + ": " + std::strerror(errno));
    }
    const Deadline deadline = SteadyClock::now() + wait;
    std::array<std::uint8_t, 65535> response{};
    // Stray datagrams (a late answer to an earlier query) are skipped until the deadline.
    for (int datagrams = 0; datagrams < 64; ++datagrams) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now());
        if (left.count() <= 0) return std::optional<std::uint32_t>{};
        pollfd p{fd->get(), POLLIN, 0};
        const int ready = ::poll(&p, 1, static_cast<int>(left.count()));
        if (ready == 0) return std::optional<std::uint32_t>{};
        if (ready < 0) {
            if (errno == EINTR) continue;
            return fail(peer.text + ": " + std::strerror(errno));
        }
        const ssize_t n = ::recv(fd->get(), response.data(), response.size(), 0);
        if (n < 0) {
            if (errno == EAGAIN || errno == EINTR) continue;
            return fail(peer.text + ": " + std::strerror(errno));
        }
        const std::span<const std::uint8_t> message(response.data(), static_cast<std::size_t>(n));
        auto header = dnswire::parseHeader(message);
        if (!header || header->id != id || !header->has(dnswire::flag::QR)) continue;
        if (header->has(dnswire::flag::TC)) {
            auto overTcp = soaOverTcp(peer, apex, timeout, fudge);
            if (!overTcp) return fail(std::move(overTcp).error());
            return std::optional<std::uint32_t>(*overTcp);
        }
        if (session) DNSFLEET_TRY(checkTsig(peer, *session, message, true));
        if (header->rcode() != dnswire::rcode::NOERROR) {
            return fail(peer.text + ": SOA query answered " + detail::rcodeText(header->rcode()));
        }
        auto serial = xfr::readSoaResponse(message, id, apex);
        if (!serial) return fail(peer.text + ": no authoritative SOA in the answer");
        return std::optional<std::uint32_t>(*serial);
    }
    return std::optional<std::uint32_t>{};
}

Result<std::uint32_t, std::string> soaSerial(const Peer& peer, dnswire::NameView apex,
                                             std::chrono::milliseconds timeout,
                                             std::uint16_t fudge) {
    if (peer.endpoint.tls) {
        // RFC 9103 §9.1 leaves the SOA query's transport open; a primary that wants XoT is
        // asked over the same TLS connection type, never in the clear.
        return soaOverTcp(peer, apex, timeout, fudge);
    }
    // Two tries share the timeout, so an unreachable primary costs `timeout`, not twice it.
    const std::chrono::milliseconds first = timeout / 2;
    for (const std::chrono::milliseconds wait : {first, timeout - first}) {
        auto answer = soaOverUdpOnce(peer, apex, wait, timeout, fudge);
        if (!answer) return fail(std::move(answer).error());
        if (answer->has_value()) return **answer;
    }
    return fail(peer.text + ": timed out after " + std::to_string(timeout.count()) +
                " ms (SOA query)");
}

enum class Outcome : std::uint8_t { Done, FallBack };

// One transfer on one connection. FallBack: the primary does not do IXFR (or its IXFR does not
// apply), so AXFR must follow on a new connection.
Result<Outcome, std::string> transfer(const Peer& peer, dnswire::NameView apex, std::uint16_t qtype,
                                      const std::shared_ptr<const zone::Zone>& current,
                                      const PullOptions& options, PullResult& result) {
    const bool ixfr = qtype == dnswire::rrtype::IXFR;
    const char* what = ixfr ? "IXFR" : "AXFR";
    auto stream = connectTo(peer, options.timeout);
    if (!stream) return fail(std::move(stream).error());

    std::array<std::uint8_t, kRequestBuffer> buffer{};
    std::optional<dnswire::TsigSession> session;
    const std::uint16_t id = detail::randomId();
    auto length =
        buildSignedRequest(peer, session, buffer, id, apex, qtype, current.get(), options.fudge);
    if (!length) return fail(std::move(length).error());
    auto sent = stream->send({buffer.data(), *length}, SteadyClock::now() + options.timeout);
    if (!sent) return fail(detail::describeIo(peer.text, what, sent.error(), options.timeout));

    std::optional<std::uint32_t> ourSerial;
    if (ixfr) ourSerial = xfr::zoneSerial(*current);
    xfr::XfrReader reader(apex, qtype, ourSerial, options.limits);
    std::size_t messages = 0;
    std::size_t bytes = 0;
    for (;;) {
        if (messages >= kMaxMessages) {
            return fail(peer.text + ": " + what + " longer than " + std::to_string(kMaxMessages) +
                        " messages");
        }
        auto message = stream->receive(SteadyClock::now() + options.timeout);
        if (!message) {
            if (message.error().failure == IoFailure::Closed) {
                return fail(peer.text + ": connection closed after " + std::to_string(messages) +
                            " messages of the " + what);
            }
            return fail(detail::describeIo(peer.text, what, message.error(), options.timeout));
        }
        auto header = checkHeader(peer, *message, id);
        if (!header) return fail(std::move(header).error());
        const bool first = messages == 0;
        ++messages;
        bytes += message->size();
        const std::uint16_t rcode = header->rcode();
        // RFC 1995 §2 / RFC 5936 §4: a primary that does not do IXFR says so with one of these;
        // AXFR is the way to the zone then. Checked before TSIG because old primaries answer
        // these unsigned; the AXFR that follows is verified in full, so a forged one only
        // costs a larger transfer.
        if (ixfr && first &&
            (rcode == dnswire::rcode::NOTIMP || rcode == dnswire::rcode::FORMERR ||
             rcode == dnswire::rcode::REFUSED)) {
            result.fallbackReason = "IXFR answered RCODE " + std::to_string(rcode);
            return Outcome::FallBack;
        }
        if (session) DNSFLEET_TRY(checkTsig(peer, *session, *message, first));
        auto progress = reader.feed(*message);
        if (!progress) return fail(peer.text + ": " + what + ": " + progress.error());
        if (*progress == xfr::XfrReader::Progress::Done) break;
    }
    if (session && !session->lastVerified()) {
        return fail(peer.text + ": " + what + " does not end on a signed message");
    }
    auto built = reader.finish(current);
    if (!built) {
        // RFC 1995 §4: an IXFR whose sequences do not apply to our version is not an error of
        // the zone; a full transfer repairs it.
        if (ixfr && reader.kind() == xfr::XfrKind::Incremental) {
            result.fallbackReason = built.error();
            return Outcome::FallBack;
        }
        return fail(peer.text + ": " + what + ": " + built.error());
    }
    result.kind = reader.kind();
    result.zone = std::move(*built);
    result.serial = reader.kind() == xfr::XfrKind::UpToDate && current ? xfr::zoneSerial(*current)
                                                                       : reader.serial();
    result.messages += messages;
    result.bytes += bytes;
    result.full.clear();
    result.diffs.clear();
    if (result.kind == xfr::XfrKind::Full) result.full = reader.fullRecords();
    if (result.kind == xfr::XfrKind::Incremental) result.diffs = reader.diffs();
    return Outcome::Done;
}

}  // namespace

Result<PullResult, std::string> pullZone(const PrimaryEndpoint& primary, dnswire::NameView apex,
                                         const std::shared_ptr<const zone::Zone>& current,
                                         const PullOptions& options) {
    const Peer peer(primary);
    PullResult result;
    // With nothing held there is nothing to compare: the transfer itself is the question.
    if (current && !options.skipSoaQuery) {
        auto remote = soaSerial(peer, apex, options.timeout, options.fudge);
        if (!remote) return fail(std::move(remote).error());
        const std::uint32_t ours = xfr::zoneSerial(*current);
        // RFC 1982: only a serial strictly ahead of ours is a newer version; an older or
        // undefined one (2^31 apart) is not transferred (RFC 1034 §4.3.5).
        if (!xfr::serialNewer(*remote, ours)) {
            result.kind = xfr::XfrKind::UpToDate;
            result.zone = current;
            result.serial = ours;
            return result;
        }
    }
    const bool tryIxfr = current && !options.axfrOnly && !options.forceAxfr;
    if (tryIxfr) {
        auto outcome = transfer(peer, apex, dnswire::rrtype::IXFR, current, options, result);
        if (!outcome) return fail(std::move(outcome).error());
        if (*outcome == Outcome::Done) return result;
        result.fellBackToAxfr = true;
    }
    auto outcome = transfer(peer, apex, dnswire::rrtype::AXFR, current, options, result);
    if (!outcome) {
        if (result.fellBackToAxfr) {
            return fail(std::move(outcome).error() + " (the AXFR after: " + result.fallbackReason +
                        ")");
        }
        return fail(std::move(outcome).error());
    }
    if (*outcome == Outcome::FallBack) {
        return fail(peer.text + ": AXFR refused");  // not reached: only IXFR falls back
    }
    return result;
}

Result<std::uint32_t, std::string> querySerial(const PrimaryEndpoint& primary,
                                               dnswire::NameView apex,
                                               std::chrono::milliseconds timeout,
                                               std::uint16_t fudge) {
    const Peer peer(primary);
    return soaSerial(peer, apex, timeout, fudge);
}

}  // namespace dnsfleet::authd::zones
