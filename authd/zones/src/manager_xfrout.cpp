// The zone manager's answers to the network threads: outgoing AXFR/IXFR (ACL, TSIG, journal)
// and incoming NOTIFY (from a primary of the zone, TSIG-checked when it has a key).

#include <arpa/inet.h>
#include <netinet/in.h>

#include <chrono>
#include <cstring>
#include <vector>

#include "authd/log.hpp"
#include "dnswire/message.hpp"
#include "dnswire/rrtype.hpp"
#include "dnswire/tsig.hpp"
#include "manager_impl.hpp"
#include "xfr/messages.hpp"
#include "xfr/serial.hpp"
#include "xfr/xfr_writer.hpp"

namespace dnsfleet::authd::zones {
namespace {

using dnswire::MessageBuilder;
namespace rcode = dnswire::rcode;

std::string peerText(const net::Peer& peer) {
    config::ListenAddress address;
    std::memcpy(&address.address, &peer.address, sizeof peer.address);
    address.length = peer.length;
    return address.toString();
}

/// True when `a` and `b` are the same IP address (ports ignored; IPv4-mapped IPv6 equals IPv4).
bool sameHost(const sockaddr_storage& a, const sockaddr_storage& b) {
    auto v4 = [](const sockaddr_storage& s, in_addr& out) {
        if (s.ss_family == AF_INET) {
            out = reinterpret_cast<const sockaddr_in&>(s).sin_addr;  // NOLINT: sockets API
            return true;
        }
        if (s.ss_family == AF_INET6) {
            const auto& a6 = reinterpret_cast<const sockaddr_in6&>(s).sin6_addr;  // NOLINT
            if (IN6_IS_ADDR_V4MAPPED(&a6)) {
                std::memcpy(&out, a6.s6_addr + 12, 4);
                return true;
            }
        }
        return false;
    };
    in_addr x{}, y{};
    if (v4(a, x) && v4(b, y)) return x.s_addr == y.s_addr;
    if (a.ss_family == AF_INET6 && b.ss_family == AF_INET6) {
        return std::memcmp(&reinterpret_cast<const sockaddr_in6&>(a).sin6_addr,  // NOLINT
                           &reinterpret_cast<const sockaddr_in6&>(b).sin6_addr,  // NOLINT
                           sizeof(in6_addr)) == 0;
    }
    return false;
}

/// A response with only the question and `code`, optionally carrying a TSIG error.
std::size_t refusal(const dnswire::Query& query, std::span<const std::uint8_t> request,
                    std::span<std::uint8_t> response, std::uint16_t code,
                    const dnswire::TsigRequestCheck* tsig = nullptr) {
    auto builder = MessageBuilder::respondTo(query, request, response);
    if (!builder) return 0;
    builder->setRcode(code);
    builder->setLimit(response.size());
    if (query.edns.present) {
        // RFC 6891 §7: a request with OPT gets OPT back, refusals included (as Knot does).
        dnswire::EdnsResponse edns;
        edns.dnssecOk = query.edns.dnssecOk;
        static_cast<void>(builder->addOpt(edns));
    }
    std::size_t length = builder->size();
    if (tsig != nullptr && tsig->record && tsig->status != dnswire::TsigStatus::Ok) {
        auto signedLength =
            dnswire::appendTsigError(response, length, *tsig->record, tsig->status, tsig->key,
                                     static_cast<std::uint64_t>(epochNow()));
        if (signedLength) length = *signedLength;
    }
    return length;
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

/// Streams one transfer: one message per next(), each signed when the request was.
class StreamingTransfer final : public net::OutgoingTransfer {
  public:
    StreamingTransfer(xfr::XfrWriter writer, std::vector<std::uint8_t> request,
                      dnswire::Query query, std::optional<dnswire::TsigSession> tsig,
                      std::string description)
        : writer_(std::move(writer)),
          request_(std::move(request)),
          query_(query),
          tsig_(std::move(tsig)),
          description_(std::move(description)),
          started_(std::chrono::steady_clock::now()) {}

    ~StreamingTransfer() override {
        const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::steady_clock::now() - started_)
                            .count();
        if (writer_.done() && !failed_) {
            log::info("{}: sent, {} records in {} messages, {} octets, {} ms", description_,
                      writer_.records(), writer_.messages(), octets_, ms);
        } else {
            log::warning("{}: ended early after {} messages ({} ms)", description_,
                         writer_.messages(), ms);
        }
    }

    std::size_t next(std::span<std::uint8_t> out) noexcept override {
        if (writer_.done() || failed_) return 0;
        auto started = first_ ? MessageBuilder::respondTo(query_, request_, out)
                              : MessageBuilder::start(header(), out);
        if (!started) return fail("no room for the message header");
        auto& builder = *started;
        builder.setFlag(dnswire::flag::AA);
        builder.setLimit(65535);
        if (tsig_) builder.reserve(dnswire::kTsigMaxSize);
        auto filled = writer_.fill(builder);
        if (!filled) return fail(std::string(dnswire::describe(filled.error())));
        std::size_t length = builder.size();
        if (tsig_) {
            builder.unreserve(dnswire::kTsigMaxSize);
            auto signedLength =
                tsig_->signResponse(out, length, static_cast<std::uint64_t>(epochNow()));
            if (!signedLength) return fail("no room for the TSIG record");
            length = *signedLength;
        }
        first_ = false;
        octets_ += length;
        return length;
    }

  private:
    [[nodiscard]] dnswire::Header header() const noexcept {
        dnswire::Header h;
        h.id = query_.header.id;
        h.flags = static_cast<std::uint16_t>(dnswire::flag::QR | dnswire::flag::AA);
        return h;
    }
    std::size_t fail(const std::string& why) noexcept {
        failed_ = true;
        log::error("{}: failed: {}", description_, why);
        return 0;
    }

    xfr::XfrWriter writer_;
    std::vector<std::uint8_t> request_;
    dnswire::Query query_;
    std::optional<dnswire::TsigSession> tsig_;
    std::string description_;
    std::chrono::steady_clock::time_point started_;
    std::size_t octets_ = 0;
    bool first_ = true;
    bool failed_ = false;
};

/// The answer to a signed SOA query (a secondary's refresh), signed with the request's key:
/// the network layer routes such queries here because only this side holds the keys.
std::size_t signedSoaAnswer(const dnswire::Query& query, std::span<const std::uint8_t> request,
                            std::span<std::uint8_t> response, const zone::Zone& zone,
                            dnswire::TsigRequestCheck& tsig) {
    auto builder = MessageBuilder::respondTo(query, request, response);
    if (!builder) return 0;
    builder->setFlag(dnswire::flag::AA);
    builder->setLimit(response.size());
    const auto soa = zone.soa();
    if (!builder->addRecord(dnswire::Section::Answer, zone.apex(), dnswire::rrtype::SOA, 1,
                            soa.ttl(), soa.first())) {
        return 0;
    }
    if (query.edns.present) {
        dnswire::EdnsResponse edns;
        edns.dnssecOk = query.edns.dnssecOk;
        if (!builder->addOpt(edns)) return 0;
    }
    std::size_t length = builder->size();
    if (tsig.session) {
        auto signedLength =
            tsig.session->signResponse(response, length, static_cast<std::uint64_t>(epochNow()));
        if (!signedLength) return 0;
        length = *signedLength;
    }
    return length;
}

}  // namespace

std::unique_ptr<net::OutgoingTransfer> ZoneManager::startTransfer(
    std::span<const std::uint8_t> request, const net::Peer& peer, std::span<std::uint8_t> response,
    std::size_t& responseLength) noexcept {
    responseLength = 0;
    try {
        auto& m = *impl_;
        dnswire::Query query;
        if (!dnswire::parseQueryInto(request, query) || query.questionEnd == 0) {
            if (query.questionEnd != 0)
                responseLength = refusal(query, request, response, rcode::FORMERR);
            return nullptr;
        }
        const char* kind = query.qtype == dnswire::rrtype::AXFR   ? "AXFR"
                           : query.qtype == dnswire::rrtype::IXFR ? "IXFR"
                                                                  : "SOA query";
        const std::string who = peerText(peer);
        const std::string zoneName = query.qname.toText();
        std::shared_ptr<const dnswire::TsigKeyring> ring;
        {
            std::lock_guard lock(m.accessMutex);
            ring = m.accessKeyring;
        }
        const auto now = static_cast<std::uint64_t>(epochNow());
        dnswire::TsigRequestCheck tsig;
        if (query.tsigOffset != 0) {
            tsig = dnswire::verifyTsigRequest(request, *ring, now, m.cfg.server.tsigFudge);
            if (tsig.status != dnswire::TsigStatus::Ok) {
                log::warning("{} of {} from {} refused: TSIG {} (key {})", kind, zoneName, who,
                             dnswire::describe(tsig.status),
                             tsig.record ? tsig.record->keyName.toText() : std::string("?"));
                responseLength = refusal(query, request, response, rcode::NOTAUTH, &tsig);
                return nullptr;
            }
        }
        const auto access = m.findAccess(query.qname);
        if (!access || !access->zone || !dnswire::equalNames(access->zone->apex(), query.qname)) {
            log::info("{} of {} from {} refused: not a zone served here", kind, zoneName, who);
            responseLength = refusal(query, request, response, rcode::NOTAUTH, &tsig);
            return nullptr;
        }
        if (query.qtype == dnswire::rrtype::SOA) {
            responseLength = signedSoaAnswer(query, request, response, *access->zone, tsig);
            return nullptr;
        }
        if (query.qtype == dnswire::rrtype::AXFR && peer.transport == Transport::Udp) {
            // AXFR needs a stream (RFC 5936 §4.2); Knot answers NOTIMP over UDP, before any ACL.
            responseLength = refusal(query, request, response, rcode::NOTIMP, &tsig);
            return nullptr;
        }
        const dnswire::Name* keyName = tsig.status == dnswire::TsigStatus::Ok && tsig.key != nullptr
                                           ? &tsig.key->name
                                           : nullptr;
        const auto verdict =
            checkAcl(access->acl, config::AclAction::Transfer,
                     reinterpret_cast<const sockaddr*>(&peer.address),  // NOLINT: sockets API
                     keyName, peer.transport == Transport::Tls);
        if (verdict != AclVerdict::Allowed) {
            log::warning("{} of {} from {}{} refused: {}", kind, zoneName, who,
                         keyName ? " (key " + keyName->toText() + ")" : std::string(),
                         verdict == AclVerdict::NeedsTls ? "the ACL requires TLS"
                         : verdict == AclVerdict::Denied ? "denied by the ACL"
                                                         : "no ACL rule allows it");
            // NOTAUTH, as Knot DNS answers a transfer its ACL does not allow; REFUSED where
            // only the transport is wrong (plain TCP where the ACL wants XoT, RFC 9103 §9).
            responseLength =
                refusal(query, request, response,
                        verdict == AclVerdict::NeedsTls ? rcode::REFUSED : rcode::NOTAUTH, &tsig);
            return nullptr;
        }
        std::optional<xfr::XfrWriter> writer;
        std::string what = kind;
        if (query.qtype == dnswire::rrtype::AXFR) {
            writer = xfr::XfrWriter::axfr(access->zone);
        } else {
            const auto clientSerial = ixfrClientSerial(request);
            if (!clientSerial) {
                log::warning("IXFR of {} from {} refused: no SOA in the authority section",
                             zoneName, who);
                responseLength = refusal(query, request, response, rcode::FORMERR, &tsig);
                return nullptr;
            }
            const std::uint32_t current = soaSerial(*access->zone);
            if (!xfr::serialNewer(current, *clientSerial) || peer.transport == Transport::Udp) {
                // Up to date, or over UDP where we answer with the SOA only and the client
                // comes back over TCP (RFC 1995 §2).
                writer = xfr::XfrWriter::soaOnly(access->zone);
                what = "IXFR (SOA only, client at " + std::to_string(*clientSerial) + ")";
            } else if (auto diffs =
                           access->journal ? access->journal->since(*clientSerial) : std::nullopt) {
                what = "IXFR from " + std::to_string(*clientSerial);
                writer = xfr::XfrWriter::ixfr(access->zone, std::move(*diffs), access->condensed);
            } else {
                what =
                    "IXFR from " + std::to_string(*clientSerial) + " as AXFR (not in the journal)";
                writer = xfr::XfrWriter::axfr(access->zone);
            }
        }
        const std::string description = what + " of " + zoneName + " serial " +
                                        std::to_string(soaSerial(*access->zone)) + " to " + who +
                                        (peer.transport == Transport::Tls ? " over TLS" : "");
        auto transfer = std::make_unique<StreamingTransfer>(
            std::move(*writer), std::vector<std::uint8_t>(request.begin(), request.end()), query,
            std::move(tsig.session), description);
        if (peer.transport == Transport::Udp) {
            // A single message: the network layer sends it and keeps no stream.
            responseLength = transfer->next(response);
            return nullptr;
        }
        log::info("{}: started", description);
        return transfer;
    } catch (const std::exception& e) {
        log::error("transfer request failed: {}", e.what());
        return nullptr;
    }
}

std::size_t ZoneManager::notify(std::span<const std::uint8_t> request, const net::Peer& peer,
                                std::span<std::uint8_t> response) noexcept {
    try {
        auto& m = *impl_;
        const std::string who = peerText(peer);
        auto parsed = xfr::parseNotify(request);
        if (!parsed) {
            auto answer = xfr::buildNotifyResponse(request, response, rcode::FORMERR);
            return answer ? *answer : 0;
        }
        const std::string zoneName = parsed->apex.toText();
        std::shared_ptr<const dnswire::TsigKeyring> ring;
        {
            std::lock_guard lock(m.accessMutex);
            ring = m.accessKeyring;
        }
        const auto now = static_cast<std::uint64_t>(epochNow());
        auto tsig = dnswire::verifyTsigRequest(request, *ring, now, m.cfg.server.tsigFudge);
        dnswire::Query query;
        const bool parsedQuery =
            dnswire::parseQueryInto(request, query).has_value() && query.questionEnd != 0;
        auto answerWith = [&](std::uint16_t code) -> std::size_t {
            if (code != rcode::NOERROR && parsedQuery) {
                // A refusal carries no AA and echoes OPT, as Knot's does.
                return refusal(query, request, response, code, &tsig);
            }
            auto answer = xfr::buildNotifyResponse(request, response, code);
            if (!answer) return 0;
            std::size_t length = *answer;
            if (tsig.status == dnswire::TsigStatus::Ok && tsig.session) {
                auto signedLength = tsig.session->signResponse(response, length, now);
                if (signedLength) length = *signedLength;
            } else if (tsig.record && tsig.status != dnswire::TsigStatus::Ok) {
                auto signedLength = dnswire::appendTsigError(response, length, *tsig.record,
                                                             tsig.status, tsig.key, now);
                if (signedLength) length = *signedLength;
            }
            return length;
        };
        if (tsig.status != dnswire::TsigStatus::Ok &&
            tsig.status != dnswire::TsigStatus::Unsigned) {
            log::warning("NOTIFY for {} from {} refused: TSIG {}", zoneName, who,
                         dnswire::describe(tsig.status));
            return answerWith(rcode::NOTAUTH);
        }
        const auto access = m.findAccess(parsed->apex);
        if (!access || !access->secondary) {
            log::info("NOTIFY for {} from {} refused: not a secondary zone here", zoneName, who);
            return answerWith(rcode::NOTAUTH);
        }
        const dnswire::Name* keyName = tsig.status == dnswire::TsigStatus::Ok && tsig.key != nullptr
                                           ? &tsig.key->name
                                           : nullptr;
        bool allowed = false;
        for (std::size_t i = 0; i < access->primaries.size(); ++i) {
            if (!sameHost(access->primaries[i].address, peer.address)) continue;
            const auto& wanted = access->primaryKeys[i];
            if (!wanted || (keyName != nullptr && dnswire::equalNames(*wanted, *keyName))) {
                allowed = true;
                break;
            }
        }
        if (!allowed) {
            allowed = checkAcl(access->acl, config::AclAction::Notify,
                               reinterpret_cast<const sockaddr*>(&peer.address),  // NOLINT
                               keyName, peer.transport == Transport::Tls) == AclVerdict::Allowed;
        }
        if (!allowed) {
            log::warning("NOTIFY for {} from {}{} refused: not from a primary of the zone{}",
                         zoneName, who,
                         keyName ? " (key " + keyName->toText() + ")" : std::string(),
                         keyName == nullptr ? " or not signed with its key" : "");
            return answerWith(rcode::NOTAUTH);
        }
        log::info("NOTIFY for {} from {}{}", zoneName, who,
                  parsed->serial ? ", serial " + std::to_string(*parsed->serial) : std::string());
        m.post([&m, key = apexKey(parsed->apex)] { m.onNotifyReceived(key); });
        return answerWith(rcode::NOERROR);
    } catch (const std::exception& e) {
        log::error("NOTIFY handling failed: {}", e.what());
        return 0;
    }
}

}  // namespace dnsfleet::authd::zones
