#pragma once
/// \file
/// Time-based one-time passwords (RFC 6238 over RFC 4226 HOTP, HMAC-SHA1, 30 s steps, 6 digits:
/// what every authenticator app reads from an otpauth:// URI), and RFC 4648 base32.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "controld/core/context.hpp"

namespace dnsfleet::controld::accounts::totp {

inline constexpr std::int64_t kStepSeconds = 30;
inline constexpr int kDigits = 6;
/// 160 bits: the HMAC-SHA1 block-size-friendly length RFC 4226 §4 recommends.
inline constexpr std::size_t kSecretBytes = 20;
inline constexpr std::string_view kIssuer = "dnsfleet";

/// A fresh random secret of kSecretBytes bytes.
[[nodiscard]] std::vector<std::uint8_t> generateSecret();

/// RFC 4648 §6 base32, upper case, with '=' padding when `pad` (otpauth URIs use none).
[[nodiscard]] std::string base32Encode(std::span<const std::uint8_t> data, bool pad = true);
/// Decodes RFC 4648 base32; accepts lower case, missing padding and spaces (people type these
/// secrets by hand). nullopt for any other character or an impossible length.
[[nodiscard]] std::optional<std::vector<std::uint8_t>> base32Decode(std::string_view text);

/// `otpauth://totp/dnsfleet:<login>?secret=<base32>&issuer=dnsfleet&algorithm=SHA1&digits=6&period=30`
/// with label and parameters percent-encoded (RFC 3986 unreserved characters stay as they are).
[[nodiscard]] std::string otpauthUri(std::string_view login, std::span<const std::uint8_t> secret,
                                     std::string_view issuer = kIssuer);

/// The RFC 6238 time step of `now`: floor(seconds since the epoch / kStepSeconds).
[[nodiscard]] std::int64_t timeStep(Timestamp now) noexcept;

/// RFC 4226 HOTP of `counter`, `digits` (6 to 9) long with leading zeros.
[[nodiscard]] std::string hotp(std::span<const std::uint8_t> secret, std::uint64_t counter,
                               int digits = kDigits);
/// The TOTP code valid at `now`.
[[nodiscard]] std::string codeAt(std::span<const std::uint8_t> secret, Timestamp now,
                                 int digits = kDigits);

/// Checks `code` against the steps around `now` (±`window` steps, for clock drift) and returns
/// the step it matched. The caller stores that step and passes it as `lastUsedStep` next time:
/// steps at or before it are refused, so that an observed code cannot be replayed.
/// Comparison is constant-time. nullopt for a wrong, malformed or reused code.
[[nodiscard]] std::optional<std::int64_t> verify(std::span<const std::uint8_t> secret,
                                                 std::string_view code, Timestamp now,
                                                 std::optional<std::int64_t> lastUsedStep = {},
                                                 int window = 1, int digits = kDigits);

}  // namespace dnsfleet::controld::accounts::totp
