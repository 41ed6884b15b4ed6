#pragma once
/// \file
/// Random secrets handed to clients (session cookies, API tokens, reset links, CSRF tokens),
/// how they are stored (only their SHA-256, so that a database dump cannot be replayed), and
/// contract service codes.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace dnsfleet::controld::accounts {

/// Prefixes make a leaked token recognisable (secret scanners) and tell the kinds apart.
inline constexpr std::string_view kSessionTokenPrefix = "dfs_";
inline constexpr std::string_view kApiTokenPrefix = "dft_";
inline constexpr std::string_view kResetTokenPrefix = "dfr_";
/// 256 bits by default; never fewer than 128 (kMinTokenBytes).
inline constexpr std::size_t kDefaultTokenBytes = 32;
inline constexpr std::size_t kMinTokenBytes = 16;

/// `prefix` followed by `bytes` (at least kMinTokenBytes; fewer are raised to it) random bytes
/// in base64url without padding (RFC 4648 §5).
[[nodiscard]] std::string randomToken(std::string_view prefix = {},
                                      std::size_t bytes = kDefaultTokenBytes);

/// RFC 4648 §5 base64url without padding.
[[nodiscard]] std::string base64UrlEncode(std::span<const std::uint8_t> data);

/// Lower-case hex SHA-256 of `token` (with its prefix): what the database stores and looks up.
[[nodiscard]] std::string tokenHash(std::string_view token);

/// Equality in a time that depends only on the lengths, not on where the inputs differ.
[[nodiscard]] bool constantTimeEquals(std::string_view a, std::string_view b) noexcept;

/// The unambiguous alphabet of service codes: no 0/O, 1/I (read over the phone, typed).
/// 32 characters, so that a random byte maps onto it without bias.
inline constexpr std::string_view kServiceCodeAlphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
inline constexpr std::string_view kServiceCodePrefix = "DF-";
inline constexpr std::size_t kServiceCodeChars = 8;

/// A fresh random service code: "DF-" and kServiceCodeChars characters of kServiceCodeAlphabet.
/// Uniqueness is the database's job (UNIQUE column; retry on conflict).
[[nodiscard]] std::string newServiceCode();

/// The canonical (upper-case) service code when `text` is one, case-insensitively; else nullopt.
[[nodiscard]] std::optional<std::string> normalizeServiceCode(std::string_view text);

}  // namespace dnsfleet::controld::accounts
