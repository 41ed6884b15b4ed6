#pragma once
// Pieces shared by tsig.cpp (records, keys) and tsig_session.cpp (signing and verifying): the
// incremental HMAC and the digest components of RFC 8945 §4.3.

#include <openssl/types.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "dnswire/tsig.hpp"

namespace dnsfleet::dnswire::tsig_detail {

/// An HMAC computed piece by piece over a per-thread OpenSSL context of the key's algorithm,
/// so that signing and verifying allocate nothing of ours per message.
class Hmac {
  public:
    /// Starts a MAC under `key`; false when OpenSSL refuses (or the secret is empty, which
    /// OpenSSL would take as "keep the previous key").
    [[nodiscard]] bool start(const TsigKey& key) noexcept;
    void add(std::span<const std::uint8_t> data) noexcept;
    void addU16(std::uint16_t value) noexcept;
    void addU32(std::uint32_t value) noexcept;
    /// A 48-bit time (RFC 8945 §4.3.3: Time Signed is 48 bits, most significant first).
    void addU48(std::uint64_t value) noexcept;
    /// Adds `mac` with its 16-bit length in front (the request MAC and the previous MAC,
    /// RFC 8945 §4.3.1 and §4.3.2).
    void addPrefixedMac(std::span<const std::uint8_t> mac) noexcept;
    /// Writes the full MAC into `out`; returns its size, 0 on failure.
    [[nodiscard]] std::size_t finish(std::array<std::uint8_t, 64>& out) noexcept;

  private:
    EVP_MAC_CTX* ctx_ = nullptr;
    bool ok_ = false;
};

/// Adds a message as the digest sees it: `id` in place of the ID, `arcount` in place of
/// ARCOUNT, the rest (header flags and counts, records up to the TSIG) unchanged.
void addMessage(Hmac& hmac, std::span<const std::uint8_t> message, std::uint16_t id,
                std::uint16_t arcount) noexcept;

/// The TSIG variables of RFC 8945 §4.3.3.
struct Variables {
    NameView keyName;
    NameView algorithm;
    std::uint64_t timeSigned = 0;
    std::uint16_t fudge = 0;
    std::uint16_t error = 0;
    std::span<const std::uint8_t> other;
};
/// Adds all variables, names in canonical (lower-case) form, class ANY and TTL 0.
void addVariables(Hmac& hmac, const Variables& variables) noexcept;
/// Adds only the timers (Time Signed, Fudge): later messages of a response (§4.3.1).
void addTimers(Hmac& hmac, std::uint64_t timeSigned, std::uint16_t fudge) noexcept;

/// Appends a TSIG record to the message of `length` octets in `buffer` and increments
/// ARCOUNT; returns the new length.
/// \retval WireError::BufferFull  no room for the record
/// \retval WireError::Truncated   `length` is shorter than a header or longer than `buffer`
/// \retval WireError::BadCount    ARCOUNT is already 65535
[[nodiscard]] WireResult<std::size_t> appendRecord(std::span<std::uint8_t> buffer,
                                                   std::size_t length, const Variables& variables,
                                                   std::span<const std::uint8_t> mac,
                                                   std::uint16_t originalId) noexcept;

/// The algorithm a TSIG record names, when it is one we offer (case-insensitive).
[[nodiscard]] std::optional<TsigAlgorithm> algorithmFromName(NameView name) noexcept;

/// Checks the MAC size against RFC 8945 §5.2.2.1 for `algorithm`: Ok, Malformed (longer than
/// the digest), BadTrunc (shorter than the larger of 10 octets and half the digest) or BadSig
/// (no MAC at all).
[[nodiscard]] TsigStatus checkMacSize(std::uint16_t macSize, TsigAlgorithm algorithm) noexcept;

/// True when `now` lies within Time Signed ± Fudge.
[[nodiscard]] bool withinFudge(std::uint64_t timeSigned, std::uint16_t fudge,
                               std::uint64_t now) noexcept;

/// Compares the first `size` octets of two MACs in constant time.
[[nodiscard]] bool sameMac(const std::array<std::uint8_t, 64>& computed,
                           const std::array<std::uint8_t, 64>& received, std::size_t size) noexcept;

/// Sets the header RCODE (its low four bits) of the message in `buffer`.
void setRcode(std::span<std::uint8_t> buffer, std::uint16_t rcode) noexcept;

/// The time values are 48 bits on the wire; anything above is cut, as the peer would see it.
inline constexpr std::uint64_t kTimeMask = 0xFFFF'FFFF'FFFFULL;

}  // namespace dnsfleet::dnswire::tsig_detail
