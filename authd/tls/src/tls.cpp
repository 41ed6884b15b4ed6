#include "authd/tls/tls.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <poll.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <string_view>
#include <utility>
#include <vector>

#include "pin.hpp"

namespace dnsfleet::authd::tls {

namespace {

using Clock = std::chrono::steady_clock;

// The ALPN wire list: one length-prefixed protocol name.
constexpr std::array<unsigned char, 4> kAlpnWire = {3, 'd', 'o', 't'};

/// `what`, then every queued OpenSSL error, one line.
std::string opensslError(std::string_view what) {
    std::string out(what);
    unsigned long code = 0;
    while ((code = ERR_get_error()) != 0) {
        std::array<char, 256> text{};
        ERR_error_string_n(code, text.data(), text.size());
        out += ": ";
        out += text.data();
    }
    return out;
}

// RFC 9103 §7.1: a client that offers ALPN must offer "dot"; anything else is refused with
// the no_application_protocol alert (RFC 7301 §3.2). A client that offers no ALPN at all never
// gets here.
int selectDot(SSL* /*ssl*/, const unsigned char** out, unsigned char* outlen,
              const unsigned char* in, unsigned int inlen, void* /*arg*/) {
    unsigned int pos = 0;
    while (pos < inlen) {
        const unsigned int length = in[pos];
        if (pos + 1 + length > inlen) break;
        if (length == kAlpnDot.size() &&
            std::memcmp(in + pos + 1, kAlpnDot.data(), kAlpnDot.size()) == 0) {
            *out = in + pos + 1;
            *outlen = static_cast<unsigned char>(length);
            return SSL_TLSEXT_ERR_OK;
        }
        pos += 1 + length;
    }
    return SSL_TLSEXT_ERR_ALERT_FATAL;
}

Result<void, std::string> setNonBlocking(int fd) {
    const int flags = ::fcntl(fd, F_GETFL);
    if (flags < 0 || ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) {
        return fail("fcntl O_NONBLOCK: " + std::string(std::strerror(errno)));
    }
    return {};
}

/// Waits until `fd` has `events` or the deadline passes.
Result<void, std::string> waitFor(int fd, short events, Clock::time_point deadline) {
    for (;;) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        if (left.count() <= 0) return fail(std::string("timed out"));
        pollfd p{fd, events, 0};
        const int n = ::poll(&p, 1, static_cast<int>(left.count()));
        if (n > 0) return {};
        if (n < 0 && errno != EINTR) return fail("poll: " + std::string(std::strerror(errno)));
    }
}

Clock::time_point deadlineIn(int timeoutMs) {
    return Clock::now() + std::chrono::milliseconds(timeoutMs < 0 ? 0 : timeoutMs);
}

/// After a failed SSL call: wait for what it needs, or fail with why it cannot go on.
Result<void, std::string> waitOrFail(SSL* ssl, int ret, int fd, Clock::time_point deadline,
                                     std::string_view what) {
    const int error = SSL_get_error(ssl, ret);
    if (error == SSL_ERROR_WANT_READ) {
        auto waited = waitFor(fd, POLLIN, deadline);
        if (!waited) return fail(std::string(what) + ": " + waited.error());
        return {};
    }
    if (error == SSL_ERROR_WANT_WRITE) {
        auto waited = waitFor(fd, POLLOUT, deadline);
        if (!waited) return fail(std::string(what) + ": " + waited.error());
        return {};
    }
    if (error == SSL_ERROR_ZERO_RETURN) return fail(std::string(what) + ": peer closed TLS");
    if (error == SSL_ERROR_SYSCALL && ERR_peek_error() == 0) {
        return fail(std::string(what) + ": " +
                    (errno == 0 ? std::string("connection closed") : std::strerror(errno)));
    }
    const long verify = SSL_get_verify_result(ssl);
    std::string message = opensslError(what);
    if (verify != X509_V_OK) {
        message += " (certificate: ";
        message += X509_verify_cert_error_string(verify);
        message += ")";
    }
    return fail(std::move(message));
}

bool isIpLiteral(const std::string& host) {
    std::array<unsigned char, 16> buffer{};
    return ::inet_pton(AF_INET, host.c_str(), buffer.data()) == 1 ||
           ::inet_pton(AF_INET6, host.c_str(), buffer.data()) == 1;
}

}  // namespace

Result<TlsServerContext, std::string> TlsServerContext::create(
    const std::filesystem::path& certFile, const std::filesystem::path& keyFile) {
    ERR_clear_error();
    std::shared_ptr<SSL_CTX> ctx(SSL_CTX_new(TLS_server_method()), SSL_CTX_free);
    if (!ctx) return fail(opensslError("SSL_CTX_new"));
    // RFC 9103 §5.1: XoT requires TLS 1.3.
    if (SSL_CTX_set_min_proto_version(ctx.get(), TLS1_3_VERSION) != 1) {
        return fail(opensslError("TLS 1.3 minimum"));
    }
    if (SSL_CTX_use_certificate_chain_file(ctx.get(), certFile.c_str()) != 1) {
        return fail(opensslError("certificate " + certFile.string()));
    }
    if (SSL_CTX_use_PrivateKey_file(ctx.get(), keyFile.c_str(), SSL_FILETYPE_PEM) != 1) {
        return fail(opensslError("private key " + keyFile.string()));
    }
    if (SSL_CTX_check_private_key(ctx.get()) != 1) {
        return fail(
            opensslError("key " + keyFile.string() + " does not match " + certFile.string()));
    }
    SSL_CTX_set_alpn_select_cb(ctx.get(), selectDot, nullptr);
    // The epoll loop writes what the socket takes and retries with a buffer that may have
    // moved (its output queue is compacted between calls).
    SSL_CTX_set_mode(ctx.get(),
                     SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    TlsServerContext context;
    context.ctx_ = std::move(ctx);
    return context;
}

Result<TlsClientContext, std::string> TlsClientContext::create(const TlsClientOptions& options) {
    if (!options.insecure && options.hostname.empty() && options.spkiPin.empty()) {
        return fail(
            std::string("TLS client needs a hostname or a key pin to authenticate the server"));
    }
    if (options.hostname.empty() && !options.caFile.empty()) {
        return fail(std::string("a CA file is only used to check a hostname; none is given"));
    }
    TlsClientContext context;
    context.options_ = options;
    if (!options.spkiPin.empty()) {
        auto digest = decodePin(options.spkiPin);
        if (!digest) return fail(std::move(digest).error());
        context.pinDigest_ = std::move(*digest);
    }

    ERR_clear_error();
    std::shared_ptr<SSL_CTX> ctx(SSL_CTX_new(TLS_client_method()), SSL_CTX_free);
    if (!ctx) return fail(opensslError("SSL_CTX_new"));
    if (SSL_CTX_set_min_proto_version(ctx.get(), TLS1_3_VERSION) != 1) {
        return fail(opensslError("TLS 1.3 minimum"));
    }
    // SSL_CTX_set_alpn_protos returns 0 on success, unlike the rest of the API.
    if (SSL_CTX_set_alpn_protos(ctx.get(), kAlpnWire.data(),
                                static_cast<unsigned int>(kAlpnWire.size())) != 0) {
        return fail(opensslError("ALPN"));
    }
    if (!options.insecure && !options.hostname.empty()) {
        const int loaded = options.caFile.empty() ? SSL_CTX_set_default_verify_paths(ctx.get())
                                                  : SSL_CTX_load_verify_locations(
                                                        ctx.get(), options.caFile.c_str(), nullptr);
        if (loaded != 1) {
            return fail(
                opensslError("CA file " + (options.caFile.empty() ? std::string("(system store)")
                                                                  : options.caFile.string())));
        }
        SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);
    } else {
        // A pin alone authenticates the key itself (RFC 7858 §4.2); the chain is not looked at.
        SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_NONE, nullptr);
    }
    context.ctx_ = std::move(ctx);
    return context;
}

Result<TlsClientContext, std::string> TlsClientContext::create(const std::string& expectedHostname,
                                                               const std::string& base64SpkiPin) {
    TlsClientOptions options;
    options.hostname = expectedHostname;
    options.spkiPin = base64SpkiPin;
    return create(options);
}

// ---- client stream ----

TlsStream::TlsStream(TlsStream&& other) noexcept
    : ssl_(std::exchange(other.ssl_, nullptr)), fd_(std::exchange(other.fd_, -1)) {}

TlsStream& TlsStream::operator=(TlsStream&& other) noexcept {
    if (this != &other) {
        if (ssl_ != nullptr) SSL_free(ssl_);
        ssl_ = std::exchange(other.ssl_, nullptr);
        fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
}

TlsStream::~TlsStream() {
    if (ssl_ == nullptr) return;
    // One non-blocking attempt at close_notify: a peer that is gone must not hold us up.
    ERR_clear_error();
    (void)SSL_shutdown(ssl_);
    ERR_clear_error();
    SSL_free(ssl_);
}

Result<TlsStream, std::string> connectTls(int connectedFd, const TlsClientContext& context,
                                          int timeoutMs) {
    const auto deadline = deadlineIn(timeoutMs);
    DNSFLEET_TRY(setNonBlocking(connectedFd));
    ERR_clear_error();
    SSL* raw = SSL_new(context.native());
    if (raw == nullptr) return fail(opensslError("SSL_new"));
    TlsStream stream(raw, connectedFd);
    if (SSL_set_fd(raw, connectedFd) != 1) return fail(opensslError("SSL_set_fd"));

    const TlsClientOptions& options = context.options();
    if (!options.insecure && !options.hostname.empty()) {
        if (isIpLiteral(options.hostname)) {
            X509_VERIFY_PARAM* param = SSL_get0_param(raw);
            if (X509_VERIFY_PARAM_set1_ip_asc(param, options.hostname.c_str()) != 1) {
                return fail(opensslError("expected address " + options.hostname));
            }
        } else {
            // SNI names the server we want; the check itself is SSL_set1_host's (RFC 6125).
            // (SSL_set_tlsext_host_name spelled out: the macro's C cast breaks our warnings.)
            if (SSL_ctrl(raw, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                         const_cast<char*>(options.hostname.c_str())) != 1 ||
                SSL_set1_host(raw, options.hostname.c_str()) != 1) {
                return fail(opensslError("expected hostname " + options.hostname));
            }
        }
    }

    for (;;) {
        ERR_clear_error();
        errno = 0;
        const int ret = SSL_connect(raw);
        if (ret == 1) break;
        DNSFLEET_TRY(waitOrFail(raw, ret, connectedFd, deadline, "TLS handshake"));
    }

    const unsigned char* alpn = nullptr;
    unsigned int alpnLength = 0;
    SSL_get0_alpn_selected(raw, &alpn, &alpnLength);
    if (alpnLength != kAlpnDot.size() || std::memcmp(alpn, kAlpnDot.data(), alpnLength) != 0) {
        return fail(std::string("TLS server did not select ALPN \"dot\" (RFC 9103 §7.1)"));
    }
    if (!options.insecure && !context.pinDigest().empty()) {
        X509* peer = SSL_get0_peer_certificate(raw);
        if (peer == nullptr) return fail(std::string("TLS server sent no certificate"));
        auto digest = spkiDigest(peer);
        if (!digest) return fail(std::move(digest).error());
        if (digest->size() != context.pinDigest().size() ||
            CRYPTO_memcmp(digest->data(), context.pinDigest().data(), digest->size()) != 0) {
            return fail("TLS server key does not match the pin (its pin is " +
                        encodeBase64(*digest) + ")");
        }
    }
    return stream;
}

Result<void, std::string> TlsStream::writeAll(std::span<const std::uint8_t> data, int timeoutMs) {
    const auto deadline = deadlineIn(timeoutMs);
    std::size_t done = 0;
    while (done < data.size()) {
        std::size_t written = 0;
        ERR_clear_error();
        errno = 0;
        const int ret = SSL_write_ex(ssl_, data.data() + done, data.size() - done, &written);
        if (ret == 1) {
            done += written;
            continue;
        }
        DNSFLEET_TRY(waitOrFail(ssl_, ret, fd_, deadline, "TLS write"));
    }
    return {};
}

Result<std::size_t, std::string> TlsStream::readSome(std::span<std::uint8_t> out, int timeoutMs) {
    const auto deadline = deadlineIn(timeoutMs);
    for (;;) {
        std::size_t got = 0;
        ERR_clear_error();
        errno = 0;
        const int ret = SSL_read_ex(ssl_, out.data(), out.size(), &got);
        if (ret == 1) return got;
        if (SSL_get_error(ssl_, ret) == SSL_ERROR_ZERO_RETURN) return std::size_t{0};
        DNSFLEET_TRY(waitOrFail(ssl_, ret, fd_, deadline, "TLS read"));
    }
}

Result<void, std::string> TlsStream::readExact(std::span<std::uint8_t> out, int timeoutMs) {
    const auto deadline = deadlineIn(timeoutMs);
    std::size_t done = 0;
    while (done < out.size()) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        if (left.count() <= 0) return fail(std::string("TLS read: timed out"));
        auto got = readSome(out.subspan(done), static_cast<int>(left.count()));
        if (!got) return fail(std::move(got).error());
        if (*got == 0) return fail(std::string("TLS read: peer closed before the end"));
        done += *got;
    }
    return {};
}

std::string TlsStream::protocol() const {
    return SSL_get_version(ssl_);
}

std::string TlsStream::alpn() const {
    const unsigned char* alpn = nullptr;
    unsigned int length = 0;
    SSL_get0_alpn_selected(ssl_, &alpn, &length);
    return alpn == nullptr ? std::string()
                           : std::string(reinterpret_cast<const char*>(alpn),  // NOLINT
                                         length);
}

// ---- server connection ----

Result<TlsServerConnection, std::string> TlsServerConnection::create(
    const TlsServerContext& context, int fd) {
    ERR_clear_error();
    SSL* raw = SSL_new(context.native());
    if (raw == nullptr) return fail(opensslError("SSL_new"));
    TlsServerConnection connection(raw);
    if (SSL_set_fd(raw, fd) != 1) return fail(opensslError("SSL_set_fd"));
    SSL_set_accept_state(raw);
    return connection;
}

TlsServerConnection::TlsServerConnection(TlsServerConnection&& other) noexcept
    : ssl_(std::exchange(other.ssl_, nullptr)), lastError_(std::move(other.lastError_)) {}

TlsServerConnection& TlsServerConnection::operator=(TlsServerConnection&& other) noexcept {
    if (this != &other) {
        if (ssl_ != nullptr) SSL_free(ssl_);
        ssl_ = std::exchange(other.ssl_, nullptr);
        lastError_ = std::move(other.lastError_);
    }
    return *this;
}

TlsServerConnection::~TlsServerConnection() {
    if (ssl_ != nullptr) SSL_free(ssl_);
}

TlsIo TlsServerConnection::classify(int ret) {
    const int error = SSL_get_error(ssl_, ret);
    switch (error) {
        case SSL_ERROR_WANT_READ:
            return TlsIo::WantRead;
        case SSL_ERROR_WANT_WRITE:
            return TlsIo::WantWrite;
        case SSL_ERROR_ZERO_RETURN:
            return TlsIo::Closed;
        case SSL_ERROR_SYSCALL:
            if (ERR_peek_error() == 0) {
                if (errno == 0) return TlsIo::Closed;
                lastError_ = std::strerror(errno);
                return TlsIo::Error;
            }
            break;
        default:
            break;
    }
    lastError_ = opensslError("TLS");
    return TlsIo::Error;
}

TlsIo TlsServerConnection::handshake() {
    ERR_clear_error();
    errno = 0;
    const int ret = SSL_do_handshake(ssl_);
    return ret == 1 ? TlsIo::Done : classify(ret);
}

TlsIoResult TlsServerConnection::read(std::span<std::uint8_t> out) {
    std::size_t got = 0;
    ERR_clear_error();
    errno = 0;
    const int ret = SSL_read_ex(ssl_, out.data(), out.size(), &got);
    if (ret == 1) return {TlsIo::Done, got};
    return {classify(ret), 0};
}

TlsIoResult TlsServerConnection::write(std::span<const std::uint8_t> data) {
    std::size_t written = 0;
    ERR_clear_error();
    errno = 0;
    const int ret = SSL_write_ex(ssl_, data.data(), data.size(), &written);
    if (ret == 1) return {TlsIo::Done, written};
    return {classify(ret), 0};
}

TlsIo TlsServerConnection::shutdown() {
    ERR_clear_error();
    errno = 0;
    const int ret = SSL_shutdown(ssl_);
    return ret >= 0 ? TlsIo::Done : classify(ret);
}

bool TlsServerConnection::alpnIsDot() const {
    const unsigned char* alpn = nullptr;
    unsigned int length = 0;
    SSL_get0_alpn_selected(ssl_, &alpn, &length);
    return length == kAlpnDot.size() && std::memcmp(alpn, kAlpnDot.data(), length) == 0;
}

std::string TlsServerConnection::protocol() const {
    return SSL_get_version(ssl_);
}

Result<std::string, std::string> spkiPinOfCertificate(const std::filesystem::path& certFile) {
    ERR_clear_error();
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_file(certFile.c_str(), "r"), BIO_free);
    if (!bio) return fail(opensslError("certificate " + certFile.string()));
    std::unique_ptr<X509, decltype(&X509_free)> cert(
        PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr), X509_free);
    if (!cert) return fail(opensslError("certificate " + certFile.string()));
    auto digest = spkiDigest(cert.get());
    if (!digest) return fail(std::move(digest).error());
    return encodeBase64(*digest);
}

}  // namespace dnsfleet::authd::tls
