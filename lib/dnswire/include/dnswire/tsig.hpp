#pragma once
/// \file
/// TSIG (RFC 8945): shared-secret signatures on requests, responses and every message of a
/// multi-message transfer. I/O-free; the caller passes the time (seconds since the epoch), so
/// verification is testable and the time window is checked against one clock.
///
/// Signing appends the TSIG record as the last record of the additional section and increments
/// ARCOUNT in place; verification strips it (restoring the original ID and ARCOUNT in the
/// digest, RFC 8945 §4.3) and compares MACs in constant time.
///
/// Signing and verifying allocate nothing of ours per message (OpenSSL keeps one HMAC context
/// per algorithm and thread); a session copies its key once, and a client session buffers the
/// unsigned messages of a transfer until the next signed one.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "dnswire/error.hpp"
#include "dnswire/name.hpp"

namespace dnsfleet::dnswire {

/// The HMAC algorithms (RFC 8945 §6). HMAC-MD5 is not offered.
enum class TsigAlgorithm : std::uint8_t {
    HmacSha1,
    HmacSha224,
    HmacSha256,
    HmacSha384,
    HmacSha512
};

/// `hmac-sha256` etc. as written in Knot's and BIND's configuration (case-insensitive, a
/// trailing dot allowed).
[[nodiscard]] std::optional<TsigAlgorithm> parseTsigAlgorithm(std::string_view text) noexcept;
/// The algorithm's name in wire form, as the TSIG record carries it (`hmac-sha256.`).
[[nodiscard]] NameView tsigAlgorithmName(TsigAlgorithm algorithm) noexcept;
/// The configuration spelling, `hmac-sha256`.
[[nodiscard]] std::string_view tsigAlgorithmText(TsigAlgorithm algorithm) noexcept;
/// Octets of the full MAC.
[[nodiscard]] std::size_t tsigMacSize(TsigAlgorithm algorithm) noexcept;

/// A shared secret: the three fields Knot (`key: id, algorithm, secret`) and BIND (`key "name"
/// { algorithm; secret; }`) use, so a key copies between them unchanged.
struct TsigKey {
    Name name;  ///< lower-cased
    TsigAlgorithm algorithm = TsigAlgorithm::HmacSha256;
    std::vector<std::uint8_t> secret;
};

/// Builds a key from its configuration fields. Errors name the field: a bad name, an unknown
/// algorithm, a secret that is not base64 or is empty.
[[nodiscard]] Result<TsigKey, std::string> makeTsigKey(std::string_view name,
                                                       std::string_view algorithm,
                                                       std::string_view base64Secret);

/// The keys a server knows, found by name.
class TsigKeyring {
  public:
    /// Adds `key`; a key of the same name is replaced.
    void add(TsigKey key);
    [[nodiscard]] const TsigKey* find(NameView name) const noexcept;
    [[nodiscard]] std::size_t size() const noexcept { return keys_.size(); }
    [[nodiscard]] const std::vector<TsigKey>& keys() const noexcept { return keys_; }

  private:
    std::vector<TsigKey> keys_;
};

/// Why a TSIG check failed (or that it passed).
enum class TsigStatus : std::uint8_t {
    Ok,
    Unsigned,   ///< the message carries no TSIG
    BadKey,     ///< unknown key name, or an algorithm other than the key's (RFC 8945 §5.2.1)
    BadSig,     ///< the MAC does not verify (§5.2.2)
    BadTime,    ///< outside the time window (§5.2.3)
    BadTrunc,   ///< a truncated MAC shorter than allowed (§5.2.2.1)
    Malformed,  ///< the TSIG record itself cannot be read (FORMERR)
};
[[nodiscard]] std::string_view describe(TsigStatus status) noexcept;
/// The TSIG error code to answer with (BADSIG 16, BADKEY 17, BADTIME 18, BADTRUNC 22).
[[nodiscard]] std::uint16_t tsigErrorCode(TsigStatus status) noexcept;

inline constexpr std::uint16_t kTsigDefaultFudge = 300;
/// Largest TSIG record we append: owner, fixed fields, algorithm name, 64-octet MAC, 6 octets
/// of other data. Reserve this much in a message that will be signed.
inline constexpr std::size_t kTsigMaxSize = 255 + 10 + 255 + 16 + 64 + 6;

/// The TSIG record at the end of a message.
struct TsigRecord {
    Name keyName;
    Name algorithm;
    std::uint64_t timeSigned = 0;  ///< 48 bits
    std::uint16_t fudge = 0;
    std::array<std::uint8_t, 64> mac{};
    std::uint16_t macSize = 0;
    std::uint16_t originalId = 0;
    std::uint16_t error = 0;
    std::array<std::uint8_t, 6> other{};
    std::uint16_t otherSize = 0;
    std::size_t offset = 0;  ///< where the TSIG record starts in the message
};

/// Finds the TSIG record (it must be the last record of the additional section, RFC 8945
/// §5.1). Returns an empty optional when the message has none. The owner and algorithm name
/// may be compressed (dnspython compresses the owner).
/// \retval WireError::BadRdata   a TSIG record that is not last (or is followed by bytes), not
///                               of class ANY, or whose RDATA is malformed, has a MAC over 64
///                               octets or Other Data over 6
/// \retval WireError::Truncated  the message ends early
/// Name errors of Name::fromWire are passed on.
[[nodiscard]] WireResult<std::optional<TsigRecord>> findTsig(
    std::span<const std::uint8_t> message) noexcept;

struct TsigRequestCheck;
class TsigKeyring;

/// One signed exchange: a request and its response messages. The MAC of each message covers
/// the previous one (RFC 8945 §4.3.1 and §5.3.1), so a session is used for exactly one
/// exchange, in message order.
class TsigSession {
  public:
    explicit TsigSession(TsigKey key, std::uint16_t fudge = kTsigDefaultFudge);

    // ---- client side ----
    /// Appends a TSIG record to the request of `length` octets in `buffer` (ARCOUNT updated).
    /// Returns the new length, and starts a new exchange (the response chain begins from this
    /// request's MAC).
    /// \retval WireError::BufferFull  no room for the record; the message is unchanged
    /// \retval WireError::Truncated   `length` is under 12 or beyond `buffer`
    /// \retval WireError::BadCount    ARCOUNT is already 65535
    /// \retval WireError::BadRdata    the key cannot sign (an empty secret)
    [[nodiscard]] WireResult<std::size_t> signRequest(std::span<std::uint8_t> buffer,
                                                      std::size_t length,
                                                      std::uint64_t now) noexcept;
    /// Verifies the next message of the response. A message without TSIG is accepted only
    /// between signed ones and at most 99 in a row (RFC 8945 §5.3.1); its octets still count in
    /// the next signed message's digest. After a failure the session is spent and returns the
    /// same status for every later message. A TSIG error from the server maps to the status
    /// of the same name (BADTIME answers are verified first: they are signed).
    /// Unsigned: the first message is unsigned, or a 100th unsigned one in a row came.
    [[nodiscard]] TsigStatus verifyResponse(std::span<const std::uint8_t> message,
                                            std::uint64_t now) noexcept;
    /// True when the last message given to verifyResponse() was signed and verified (a
    /// transfer must end on such a message).
    [[nodiscard]] bool lastVerified() const noexcept { return lastVerified_; }

    // ---- server side (a session made by verifyTsigRequest) ----
    /// Appends a TSIG record to the next response message (all messages of a transfer are
    /// signed). Returns the new length; errors as signRequest, and after one the session is
    /// unchanged (the caller may retry with a smaller message).
    [[nodiscard]] WireResult<std::size_t> signResponse(std::span<std::uint8_t> buffer,
                                                       std::size_t length,
                                                       std::uint64_t now) noexcept;

    [[nodiscard]] const TsigKey& key() const noexcept { return key_; }

  private:
    friend TsigRequestCheck verifyTsigRequest(std::span<const std::uint8_t>, const TsigKeyring&,
                                              std::uint64_t, std::uint16_t);
    /// Ends the session with `status` (every later message gets it too).
    TsigStatus spend(TsigStatus status) noexcept;
    /// Remembers the MAC the next message's digest starts with.
    void chain(std::span<const std::uint8_t> mac) noexcept;

    TsigKey key_;
    std::uint16_t fudge_;
    /// The request's MAC until the first response, then the last signed message's MAC.
    std::array<std::uint8_t, 64> previousMac_{};
    std::uint16_t previousMacSize_ = 0;
    std::size_t unsignedInARow_ = 0;
    /// False until the first response message: it is digested with all TSIG variables, the
    /// later ones with the timers only (RFC 8945 §4.3.1).
    bool responseStarted_ = false;
    bool lastVerified_ = false;
    bool spent_ = false;
    TsigStatus failure_{};
    /// Octets of unsigned messages since the last signed one (they enter the next digest).
    std::vector<std::uint8_t> pending_;
};

/// The outcome of checking a request's TSIG.
struct TsigRequestCheck {
    TsigStatus status = TsigStatus::Unsigned;
    const TsigKey* key = nullptr;        ///< the key named by the request, when the keyring has it
    std::optional<TsigRecord> record;    ///< the request's TSIG, when it had one
    std::optional<TsigSession> session;  ///< set up to sign the response(s); only on Ok
};

/// Checks a request against `keyring` (RFC 8945 §5.2: key, then MAC, then time). The time
/// window is the request's own Fudge (covered by its MAC), as Knot and BIND check it; `fudge`
/// is what the session's responses carry. A MAC cut below max(10, half the digest) octets is
/// BadTrunc, an empty one BadSig, one longer than the digest Malformed (§5.2.2.1). The session
/// holds its own copy of the key.
[[nodiscard]] TsigRequestCheck verifyTsigRequest(std::span<const std::uint8_t> message,
                                                 const TsigKeyring& keyring, std::uint64_t now,
                                                 std::uint16_t fudge = kTsigDefaultFudge);

/// Turns `response` (of `length` octets, already built with the request's question) into the
/// error answer for a request whose TSIG failed (RFC 8945 §5.2): RCODE NOTAUTH and a TSIG
/// record carrying the error. BADKEY, BADSIG and BADTRUNC answers are unsigned (empty MAC,
/// §5.3.2); a BADTIME answer is signed with `key` and carries the server's time in Other Data,
/// the request's Time Signed and Fudge echoed (§5.2.3). Malformed sets RCODE FORMERR and adds
/// no TSIG; Ok and Unsigned change nothing. Returns the new length.
/// \retval WireError::BufferFull  no room for the TSIG record
[[nodiscard]] WireResult<std::size_t> appendTsigError(std::span<std::uint8_t> response,
                                                      std::size_t length, const TsigRecord& request,
                                                      TsigStatus status, const TsigKey* key,
                                                      std::uint64_t now) noexcept;

}  // namespace dnsfleet::dnswire
