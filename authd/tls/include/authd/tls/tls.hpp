#pragma once
/// \file
/// TLS for zone transfers over TLS (XoT, RFC 9103), on OpenSSL 3.
///
/// Both sides speak TLS 1.3 only (RFC 9103 §5.1 requires it for XoT) and negotiate the ALPN
/// token "dot" (§7.1). A client authenticates the primary by its certificate's name (chain
/// checked against a CA file or the system store, then the name against the SAN), by a pin of
/// its key (SHA-256 of the DER SubjectPublicKeyInfo, base64, the RFC 7858 §4.2 pin form that
/// kdig's `--tls-pin` and Unbound use), or by both; BIND 9.18's `tls` statement offers
/// `remote-hostname` and `ca-file` only, so a name is what interoperates with BIND.
///
/// Sockets are the caller's: the stream and the connection borrow a connected fd and never
/// close it. Writes go through write(2), so the process must ignore SIGPIPE (authd does).

#include <openssl/types.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>

#include "common/result.hpp"

namespace dnsfleet::authd::tls {

/// The ALPN protocol of DNS over TLS, which XoT uses as well (RFC 9103 §7.1).
inline constexpr std::string_view kAlpnDot = "dot";

/// A server's certificate and key, TLS 1.3 only, ALPN "dot". Copies share one SSL_CTX.
class TlsServerContext {
  public:
    /// Loads a PEM certificate chain and its PEM private key and checks that they match.
    [[nodiscard]] static Result<TlsServerContext, std::string> create(
        const std::filesystem::path& certFile, const std::filesystem::path& keyFile);

    [[nodiscard]] SSL_CTX* native() const noexcept { return ctx_.get(); }

  private:
    std::shared_ptr<SSL_CTX> ctx_;
};

/// How a client checks the server it connects to.
struct TlsClientOptions {
    /// The name the server's certificate must carry (SAN DNS, RFC 6125); also sent as SNI.
    /// The certificate chain is then verified against `caFile`, or the system store.
    std::string hostname;
    /// PEM trust anchors for `hostname` checks; empty uses the system's default store.
    std::filesystem::path caFile;
    /// Base64 SHA-256 of the server key's DER SubjectPublicKeyInfo, bare or as `sha256//...`.
    /// Alone it authenticates the server without any chain; with `hostname`, both must hold.
    std::string spkiPin;
    /// No authentication at all (encryption only, RFC 9103 opportunistic TLS). For tests; a
    /// configuration should name a hostname or a pin.
    bool insecure = false;
};

/// Client settings, TLS 1.3 only, offering ALPN "dot". Copies share one SSL_CTX.
class TlsClientContext {
  public:
    /// Fails when neither a hostname nor a pin is given and `insecure` is not set, when the pin
    /// is not 32 octets of base64, or when the CA file does not load.
    [[nodiscard]] static Result<TlsClientContext, std::string> create(
        const TlsClientOptions& options);
    /// `create({.hostname = expectedHostname, .spkiPin = base64SpkiPin})` with the system store.
    [[nodiscard]] static Result<TlsClientContext, std::string> create(
        const std::string& expectedHostname, const std::string& base64SpkiPin);

    [[nodiscard]] SSL_CTX* native() const noexcept { return ctx_.get(); }
    [[nodiscard]] const TlsClientOptions& options() const noexcept { return options_; }
    /// The decoded pin (32 octets), empty without one.
    [[nodiscard]] const std::string& pinDigest() const noexcept { return pinDigest_; }

  private:
    std::shared_ptr<SSL_CTX> ctx_;
    TlsClientOptions options_;
    std::string pinDigest_;
};

/// One blocking TLS client connection over a borrowed, connected socket. Every call takes a
/// timeout for the whole call; the socket is switched to non-blocking and polled.
class TlsStream {
  public:
    TlsStream(TlsStream&&) noexcept;
    TlsStream& operator=(TlsStream&&) noexcept;
    TlsStream(const TlsStream&) = delete;
    TlsStream& operator=(const TlsStream&) = delete;
    /// Sends close_notify if it can without waiting, then frees the TLS state (not the fd).
    ~TlsStream();

    /// Writes all of `data` or fails (timeout, peer gone, TLS error).
    [[nodiscard]] Result<void, std::string> writeAll(std::span<const std::uint8_t> data,
                                                     int timeoutMs);
    /// Reads exactly `out.size()` octets or fails; a close before that is an error.
    [[nodiscard]] Result<void, std::string> readExact(std::span<std::uint8_t> out, int timeoutMs);
    /// Reads what is available (at least one octet), waiting up to `timeoutMs`; 0 means the
    /// peer closed the TLS session cleanly.
    [[nodiscard]] Result<std::size_t, std::string> readSome(std::span<std::uint8_t> out,
                                                            int timeoutMs);

    /// "TLSv1.3".
    [[nodiscard]] std::string protocol() const;
    /// The negotiated ALPN protocol ("dot").
    [[nodiscard]] std::string alpn() const;

  private:
    friend Result<TlsStream, std::string> connectTls(int, const TlsClientContext&, int);
    TlsStream(SSL* ssl, int fd) noexcept : ssl_(ssl), fd_(fd) {}
    SSL* ssl_ = nullptr;
    int fd_ = -1;
};

/// Runs the client handshake on `connectedFd` within `timeoutMs`, then checks the server:
/// chain and name when a hostname is set, key pin when a pin is set, and ALPN "dot" selected.
[[nodiscard]] Result<TlsStream, std::string> connectTls(int connectedFd,
                                                        const TlsClientContext& context,
                                                        int timeoutMs);

/// What a non-blocking TLS step needs before it can go on.
enum class TlsIo : std::uint8_t {
    Done,       ///< finished (or, for read/write, some octets moved)
    WantRead,   ///< call again when the socket is readable
    WantWrite,  ///< call again when the socket is writable
    Closed,     ///< the peer closed the session (close_notify or EOF)
    Error,      ///< a TLS or socket error; see lastError()
};

struct TlsIoResult {
    TlsIo state = TlsIo::Error;
    std::size_t bytes = 0;  ///< octets read or written when `state` is Done
};

/// The server side of one connection, for an epoll loop: every call returns at once and says
/// which readiness to wait for. The fd must already be non-blocking.
class TlsServerConnection {
  public:
    [[nodiscard]] static Result<TlsServerConnection, std::string> create(
        const TlsServerContext& context, int fd);

    TlsServerConnection(TlsServerConnection&&) noexcept;
    TlsServerConnection& operator=(TlsServerConnection&&) noexcept;
    TlsServerConnection(const TlsServerConnection&) = delete;
    TlsServerConnection& operator=(const TlsServerConnection&) = delete;
    ~TlsServerConnection();

    /// Advances the handshake; Done once it is complete.
    [[nodiscard]] TlsIo handshake();
    /// Reads decrypted octets into `out`.
    [[nodiscard]] TlsIoResult read(std::span<std::uint8_t> out);
    /// Writes from `data`; may write fewer octets than given (partial writes are enabled, and
    /// the buffer may move between retries).
    [[nodiscard]] TlsIoResult write(std::span<const std::uint8_t> data);
    /// Sends close_notify; Done once sent (the peer's reply is not awaited).
    [[nodiscard]] TlsIo shutdown();

    /// True when the client agreed on ALPN "dot"; RFC 9103 §7.1 transfers need it. A client
    /// that offers ALPN without "dot" is refused in the handshake; one that offers no ALPN
    /// completes the handshake with this false, and the caller decides.
    [[nodiscard]] bool alpnIsDot() const;
    [[nodiscard]] std::string protocol() const;
    /// The last error, one line for the log.
    [[nodiscard]] const std::string& lastError() const noexcept { return lastError_; }

  private:
    TlsServerConnection(SSL* ssl) noexcept : ssl_(ssl) {}
    TlsIo classify(int ret);
    SSL* ssl_ = nullptr;
    std::string lastError_;
};

/// The RFC 7858 pin of a certificate: base64 SHA-256 of its DER SubjectPublicKeyInfo.
[[nodiscard]] Result<std::string, std::string> spkiPinOfCertificate(
    const std::filesystem::path& certFile);

}  // namespace dnsfleet::authd::tls
