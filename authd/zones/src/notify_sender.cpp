#include "authd/zones/notify_sender.hpp"

#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <optional>

#include "authd/log.hpp"
#include "authd/net/socket.hpp"
#include "dnswire/message.hpp"
#include "transfer_io.hpp"
#include "xfr/diff.hpp"
#include "xfr/messages.hpp"

namespace dnsfleet::authd::zones {

namespace {

using SteadyClock = std::chrono::steady_clock;

// A NOTIFY is a header, a question and one SOA; room for a TSIG on top.
constexpr std::size_t kNotifyBuffer = 1024 + dnswire::kTsigMaxSize;
// Datagrams read per process() call and socket, so a flood cannot hold the zone thread.
constexpr int kMaxReadsPerCall = 256;

bool sameEndpoint(const sockaddr_storage& a, const config::ListenAddress& b) noexcept {
    if (a.ss_family != b.address.ss_family) return false;
    if (a.ss_family == AF_INET) {
        sockaddr_in x{};
        sockaddr_in y{};
        std::memcpy(&x, &a, sizeof x);
        std::memcpy(&y, &b.address, sizeof y);
        return x.sin_port == y.sin_port && x.sin_addr.s_addr == y.sin_addr.s_addr;
    }
    if (a.ss_family == AF_INET6) {
        sockaddr_in6 x{};
        sockaddr_in6 y{};
        std::memcpy(&x, &a, sizeof x);
        std::memcpy(&y, &b.address, sizeof y);
        return x.sin6_port == y.sin6_port &&
               std::memcmp(&x.sin6_addr, &y.sin6_addr, sizeof x.sin6_addr) == 0;
    }
    return false;
}

}  // namespace

struct NotifySender::State {
    struct Pending {
        dnswire::Name apex;
        std::uint32_t serial = 0;
        config::ListenAddress address;
        std::string peer;  ///< address text for the log
        std::optional<dnswire::TsigKey> key;
        std::uint16_t id = 0;
        std::vector<std::uint8_t> message;  ///< unsigned; signed afresh for every attempt
        /// The exchange of the latest attempt: an answer must verify against it.
        std::optional<dnswire::TsigSession> session;
        unsigned sent = 0;
        SteadyClock::time_point due = SteadyClock::time_point::min();
        std::chrono::milliseconds interval{0};
    };

    NotifyOptions options;
    net::FileDescriptor v4;
    net::FileDescriptor v6;
    std::vector<Pending> pending;

    int socketFor(int family) {
        net::FileDescriptor& fd = family == AF_INET6 ? v6 : v4;
        if (!fd.valid()) {
            fd =
                net::FileDescriptor(::socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
            if (!fd.valid()) {
                log::warning("NOTIFY: cannot open a UDP socket: {}", std::strerror(errno));
            }
        }
        return fd.get();
    }

    void send(Pending& p, SteadyClock::time_point now);
    void receive(int fd);
    void answered(std::size_t index, std::span<const std::uint8_t> message,
                  const dnswire::Header& header);
};

void NotifySender::State::send(Pending& p, SteadyClock::time_point now) {
    std::array<std::uint8_t, kNotifyBuffer> buffer{};
    std::copy(p.message.begin(), p.message.end(), buffer.begin());
    std::size_t length = p.message.size();
    if (p.key) {
        // Signed afresh each time: a retry minutes later must still be inside the time window.
        p.session.emplace(*p.key, options.fudge);
        auto signedLength = p.session->signRequest(buffer, length, detail::epochSeconds());
        if (signedLength) length = *signedLength;
    }
    ++p.sent;
    p.interval =
        p.sent == 1 ? options.firstInterval : std::min(p.interval * 2, options.maxInterval);
    p.due = now + p.interval;
    const int fd = socketFor(p.address.family());
    if (fd < 0) return;
    if (::sendto(fd, buffer.data(), length, 0, p.address.sockaddrPtr(), p.address.length) < 0) {
        log::debug("NOTIFY {} serial {} to {}: send failed: {}", p.apex.toText(), p.serial, p.peer,
                   std::strerror(errno));
    }
}

void NotifySender::State::answered(std::size_t index, std::span<const std::uint8_t> message,
                                   const dnswire::Header& header) {
    Pending& p = pending[index];
    auto parser = dnswire::MessageParser::open(message);
    // A secondary echoes the question (RFC 1996 §4.7); an answer about another zone is not ours.
    if (parser && parser->header().qdcount > 0 &&
        !dnswire::equalNames(parser->qname().view(), p.apex.view())) {
        return;
    }
    if (p.session) {
        // The secondary refused our key or MAC (RFC 8945 §5.2: NOTAUTH with an unsigned TSIG
        // carrying the error): resending the same signature cannot succeed.
        auto tsig = dnswire::findTsig(message);
        if (tsig && tsig->has_value() && (*tsig)->error != 0) {
            log::warning("NOTIFY {} serial {} to {}: answered {} (TSIG {})", p.apex.toText(),
                         p.serial, p.peer, detail::rcodeText(header.rcode()),
                         detail::tsigErrorText((*tsig)->error));
            pending.erase(pending.begin() + static_cast<std::ptrdiff_t>(index));
            return;
        }
        dnswire::TsigSession attempt = *p.session;
        const dnswire::TsigStatus status = attempt.verifyResponse(message, detail::epochSeconds());
        if (status != dnswire::TsigStatus::Ok) {
            // Perhaps the answer to an earlier attempt (signed with another MAC), perhaps a
            // forgery: either way not the acknowledgement, so the retries go on.
            log::debug("NOTIFY {} serial {} to {}: answer with TSIG {} ignored", p.apex.toText(),
                       p.serial, p.peer, dnswire::describe(status));
            return;
        }
    }
    if (header.rcode() == dnswire::rcode::NOERROR) {
        log::info("NOTIFY {} serial {} to {}: acknowledged", p.apex.toText(), p.serial, p.peer);
    } else {
        // An error answer is still an answer: RFC 1996 §3.6 resends only until one arrives.
        log::warning("NOTIFY {} serial {} to {}: answered {}", p.apex.toText(), p.serial, p.peer,
                     detail::rcodeText(header.rcode()));
    }
    pending.erase(pending.begin() + static_cast<std::ptrdiff_t>(index));
}

void NotifySender::State::receive(int fd) {
    std::array<std::uint8_t, 65535> buffer{};
    for (int reads = 0; reads < kMaxReadsPerCall; ++reads) {
        sockaddr_storage from{};
        socklen_t fromLength = sizeof from;
        const ssize_t n = ::recvfrom(fd, buffer.data(), buffer.size(), 0,
                                     reinterpret_cast<sockaddr*>(&from),  // NOLINT: sockets API
                                     &fromLength);
        if (n < 0) {
            if (errno == EINTR) continue;
            return;  // EAGAIN: drained (errors such as ECONNREFUSED leave the retries running)
        }
        const std::span<const std::uint8_t> message(buffer.data(), static_cast<std::size_t>(n));
        auto header = dnswire::parseHeader(message);
        if (!header || !header->has(dnswire::flag::QR) ||
            header->opcode() != dnswire::opcode::NOTIFY) {
            continue;
        }
        for (std::size_t i = 0; i < pending.size(); ++i) {
            if (pending[i].id == header->id && pending[i].sent > 0 &&
                sameEndpoint(from, pending[i].address)) {
                answered(i, message, *header);
                break;
            }
        }
    }
}

NotifySender::NotifySender(NotifyOptions options) : state_(std::make_unique<State>()) {
    if (options.attempts == 0) options.attempts = 1;
    if (options.firstInterval.count() <= 0) options.firstInterval = std::chrono::milliseconds{1};
    if (options.maxInterval < options.firstInterval) options.maxInterval = options.firstInterval;
    state_->options = options;
}

NotifySender::~NotifySender() = default;

void NotifySender::notify(const zone::Zone& zone, const std::vector<NotifyTarget>& targets) {
    for (const NotifyTarget& target : targets) {
        State::Pending p;
        p.apex = dnswire::Name(zone.apex());
        p.serial = xfr::zoneSerial(zone);
        p.address = target.address;
        p.peer = target.address.toString();
        if (target.key != nullptr) p.key = *target.key;
        p.id = detail::randomId();
        std::array<std::uint8_t, kNotifyBuffer> buffer{};
        auto length = xfr::buildNotify(buffer, p.id, zone);
        if (!length) {
            log::warning("NOTIFY {} to {}: cannot build the message: {}", p.apex.toText(), p.peer,
                         dnswire::describe(length.error()));
            continue;
        }
        p.message.assign(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(*length));
        auto& list = state_->pending;
        auto same = std::find_if(list.begin(), list.end(), [&](const State::Pending& q) {
            return q.apex == p.apex && q.address == p.address;
        });
        // The newer version supersedes: the secondary only needs to hear of the latest.
        if (same != list.end()) {
            *same = std::move(p);
        } else {
            list.push_back(std::move(p));
        }
    }
}

std::vector<int> NotifySender::fds() const {
    std::vector<int> out;
    if (state_->v4.valid()) out.push_back(state_->v4.get());
    if (state_->v6.valid()) out.push_back(state_->v6.get());
    return out;
}

void NotifySender::process(std::chrono::steady_clock::time_point now) {
    if (state_->v4.valid()) state_->receive(state_->v4.get());
    if (state_->v6.valid()) state_->receive(state_->v6.get());
    auto& list = state_->pending;
    for (std::size_t i = 0; i < list.size();) {
        State::Pending& p = list[i];
        if (p.due > now) {
            ++i;
            continue;
        }
        if (p.sent >= state_->options.attempts) {
            log::warning("NOTIFY {} serial {} to {}: no answer after {} attempts, given up",
                         p.apex.toText(), p.serial, p.peer, p.sent);
            list.erase(list.begin() + static_cast<std::ptrdiff_t>(i));
            continue;
        }
        state_->send(p, now);
        ++i;
    }
}

std::chrono::steady_clock::time_point NotifySender::next() const noexcept {
    auto earliest = SteadyClock::time_point::max();
    for (const State::Pending& p : state_->pending)
        earliest = std::min(earliest, p.due);
    return earliest;
}

std::size_t NotifySender::pending() const noexcept {
    return state_->pending.size();
}

}  // namespace dnsfleet::authd::zones
