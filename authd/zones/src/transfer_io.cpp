#include "transfer_io.hpp"

#include <fcntl.h>
#include <openssl/rand.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>

namespace dnsfleet::authd::zones::detail {

std::uint16_t randomId() noexcept {
    std::uint16_t id = 0;
    if (RAND_bytes(reinterpret_cast<unsigned char*>(&id), sizeof id) == 1) {  // NOLINT
        return id;
    }
    // RAND_bytes fails only when the CSPRNG cannot be seeded; std::random_device reads
    // /dev/urandom on Linux, still unpredictable to an off-path attacker.
    static thread_local std::mt19937 fallback{std::random_device{}()};
    return static_cast<std::uint16_t>(fallback());
}

std::uint64_t epochSeconds() noexcept {
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    return static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::seconds>(now).count());
}

std::string rcodeText(std::uint16_t rcode) {
    static constexpr const char* kNames[] = {"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN",
                                             "NOTIMP",  "REFUSED", "YXDOMAIN", "YXRRSET",
                                             "NXRRSET", "NOTAUTH", "NOTZONE"};
    if (rcode < std::size(kNames)) return kNames[rcode];
    return "RCODE " + std::to_string(rcode);
}

std::string tsigErrorText(std::uint16_t error) {
    switch (error) {
        case 16:
            return "BADSIG";
        case 17:
            return "BADKEY";
        case 18:
            return "BADTIME";
        case 22:
            return "BADTRUNC";
        default:
            return "error " + std::to_string(error);
    }
}

namespace {

int remainingMs(Deadline deadline) noexcept {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return 0;
    return left.count() > 1'000'000 ? 1'000'000 : static_cast<int>(left.count());
}

// Waits for `events` on `fd`; Timeout when the deadline passes first.
Result<void, IoError> waitFor(int fd, short events, Deadline deadline) noexcept {
    for (int interrupted = 0; interrupted < 1000; ++interrupted) {
        pollfd p{fd, events, 0};
        const int ready = ::poll(&p, 1, remainingMs(deadline));
        if (ready > 0) return {};
        if (ready == 0) return fail(IoError{IoFailure::Timeout, 0, {}});
        if (errno != EINTR) return fail(IoError{IoFailure::Error, errno, {}});
    }
    return fail(IoError{IoFailure::Error, EINTR, {}});
}

}  // namespace

Result<net::FileDescriptor, std::string> openSocket(
    const config::ListenAddress& to, int type, const std::optional<config::ListenAddress>& via) {
    net::FileDescriptor fd(::socket(to.family(), type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!fd.valid()) {
        return fail(to.toString() + ": socket: " + std::strerror(errno));
    }
    if (via) {
        if (via->family() != to.family()) {
            return fail(to.toString() + ": source address " + via->toString() +
                        " is of another address family");
        }
        config::ListenAddress source = *via;
        source.setPort(0);
        if (::bind(fd.get(), source.sockaddrPtr(), source.length) != 0) {
            return fail(to.toString() + ": bind to " + via->toString() + ": " +
                        std::strerror(errno));
        }
    }
    return fd;
}

Result<void, IoError> connectBefore(int fd, const config::ListenAddress& to,
                                    Deadline deadline) noexcept {
    if (::connect(fd, to.sockaddrPtr(), to.length) == 0) return {};
    if (errno != EINPROGRESS && errno != EINTR) return fail(IoError{IoFailure::Error, errno, {}});
    DNSFLEET_TRY(waitFor(fd, POLLOUT, deadline));
    int error = 0;
    socklen_t length = sizeof error;
    if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0) {
        return fail(IoError{IoFailure::Error, errno, {}});
    }
    if (error != 0) return fail(IoError{IoFailure::Error, error, {}});
    return {};
}

Result<void, std::string> MessageStream::startTls(const tls::TlsClientContext& context,
                                                  Deadline deadline) {
    auto stream = tls::connectTls(fd_.get(), context, remainingMs(deadline));
    if (!stream) return fail(std::move(stream).error());
    tls_.emplace(std::move(*stream));
    return {};
}

namespace {

// TLS reports failures as text; the transfer client needs to tell a timeout and a close from
// the rest to word its log line.
IoError tlsFailure(std::string text) {
    IoError error;
    if (text.find("timed out") != std::string::npos) {
        error.failure = IoFailure::Timeout;
    } else if (text.find("closed") != std::string::npos) {
        error.failure = IoFailure::Closed;
    }
    error.text = std::move(text);
    return error;
}

}  // namespace

Result<void, IoError> MessageStream::send(std::span<const std::uint8_t> message,
                                          Deadline deadline) {
    if (message.size() > 65535) return fail(IoError{IoFailure::Error, EMSGSIZE, {}});
    std::uint8_t prefix[2] = {static_cast<std::uint8_t>(message.size() >> 8),
                              static_cast<std::uint8_t>(message.size())};
    // Prefix and message in one write where possible: some servers read the length and the
    // message with one recv (RFC 7766 §8).
    std::vector<std::uint8_t> frame;
    frame.reserve(message.size() + 2);
    frame.insert(frame.end(), prefix, prefix + 2);
    frame.insert(frame.end(), message.begin(), message.end());
    if (tls_) {
        auto written = tls_->writeAll(frame, remainingMs(deadline));
        if (!written) return fail(tlsFailure(std::move(written).error()));
        return {};
    }
    std::size_t sent = 0;
    for (std::size_t rounds = 0; sent < frame.size() && rounds < 100'000; ++rounds) {
        const ssize_t n = ::send(fd_.get(), frame.data() + sent, frame.size() - sent, MSG_NOSIGNAL);
        if (n > 0) {
            sent += static_cast<std::size_t>(n);
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
            DNSFLEET_TRY(waitFor(fd_.get(), POLLOUT, deadline));
            continue;
        }
        return fail(IoError{IoFailure::Error, n < 0 ? errno : EPIPE, {}});
    }
    if (sent < frame.size()) return fail(IoError{IoFailure::Timeout, 0, {}});
    return {};
}

Result<void, IoError> MessageStream::readExactTls(std::uint8_t* out, std::size_t size,
                                                  Deadline deadline) {
    std::size_t got = 0;
    for (std::size_t rounds = 0; got < size && rounds < 1'000'000; ++rounds) {
        auto n = tls_->readSome({out + got, size - got}, remainingMs(deadline));
        if (!n) return fail(tlsFailure(std::move(n).error()));
        if (*n == 0) return fail(IoError{IoFailure::Closed, 0, {}});
        got += *n;
    }
    if (got < size) return fail(IoError{IoFailure::Timeout, 0, {}});
    return {};
}

Result<void, IoError> MessageStream::readExact(std::uint8_t* out, std::size_t size,
                                               Deadline deadline) {
    if (tls_) return readExactTls(out, size, deadline);
    std::size_t got = 0;
    for (std::size_t rounds = 0; got < size && rounds < 1'000'000; ++rounds) {
        const ssize_t n = ::recv(fd_.get(), out + got, size - got, 0);
        if (n > 0) {
            got += static_cast<std::size_t>(n);
            continue;
        }
        if (n == 0) return fail(IoError{IoFailure::Closed, 0, {}});
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
            DNSFLEET_TRY(waitFor(fd_.get(), POLLIN, deadline));
            continue;
        }
        return fail(IoError{IoFailure::Error, errno, {}});
    }
    if (got < size) return fail(IoError{IoFailure::Timeout, 0, {}});
    return {};
}

Result<std::span<const std::uint8_t>, IoError> MessageStream::receive(Deadline deadline) {
    std::uint8_t prefix[2] = {};
    DNSFLEET_TRY(readExact(prefix, 2, deadline));
    const std::size_t size = (std::size_t{prefix[0]} << 8) | prefix[1];
    buffer_.resize(size);
    DNSFLEET_TRY(readExact(buffer_.data(), size, deadline));
    return std::span<const std::uint8_t>(buffer_);
}

std::string describeIo(std::string_view peer, std::string_view what, const IoError& error,
                       std::chrono::milliseconds timeout) {
    std::string line(peer);
    line += ": ";
    switch (error.failure) {
        case IoFailure::Timeout:
            line += "timed out after " + std::to_string(timeout.count()) + " ms";
            break;
        case IoFailure::Closed:
            line += "connection closed";
            break;
        case IoFailure::Error:
            line += std::strerror(error.errnum);
            break;
    }
    if (!what.empty()) {
        line += " (";
        line += what;
        line += ")";
    }
    return line;
}

}  // namespace dnsfleet::authd::zones::detail
