#pragma once
/// \file
/// Passwords: Argon2id hashes (libsodium), the password policy, and a verification that takes
/// as long for an unknown login as for a wrong password, so that response times do not tell
/// which logins exist.
#include <cstdint>
#include <string>
#include <string_view>

#include "controld/config/settings.hpp"
#include "controld/core/context.hpp"

namespace dnsfleet::controld::accounts {

/// OWASP's minimum Argon2id cost (m = 19 MiB, t = 2, p = 1); lower settings are refused.
inline constexpr std::uint64_t kMinArgon2MemoryBytes = 19u << 20;
inline constexpr std::uint64_t kMinArgon2Iterations = 2;
/// The policy's bounds: at least 12 characters (Unicode code points), at most 1024 bytes (the
/// upper bound keeps one login attempt from costing unbounded hashing time).
inline constexpr std::size_t kMinPasswordChars = 12;
inline constexpr std::size_t kMaxPasswordBytes = 1024;

/// Hashes and verifies passwords at one configured Argon2id cost.
class PasswordHasher {
  public:
    /// A hasher with the cost of `settings` (argon2MemoryBytes, argon2Iterations).
    /// \retval ErrorCode::Invalid  the cost is below kMinArgon2MemoryBytes/kMinArgon2Iterations
    ///                             or above what libsodium accepts
    [[nodiscard]] static Outcome<PasswordHasher> create(const config::AuthSettings& settings);

    /// The encoded hash ("$argon2id$v=19$m=...,t=...,p=1$salt$hash") with a fresh random salt.
    /// \retval ErrorCode::Invalid   the password is longer than kMaxPasswordBytes
    /// \retval ErrorCode::Internal  out of memory while hashing
    [[nodiscard]] Outcome<std::string> hash(std::string_view password) const;

    /// True when `password` matches `encodedHash` (any Argon2 hash libsodium can read, whatever
    /// its cost). False for a mismatch, a malformed hash or an over-long password.
    [[nodiscard]] bool verify(std::string_view encodedHash, std::string_view password) const;

    /// True when `encodedHash` was made with another algorithm or cost than this hasher's:
    /// after a successful verify, the caller stores `hash(password)` instead.
    [[nodiscard]] bool needsRehash(std::string_view encodedHash) const;

    /// Spends the time of one `verify` against a hash of this hasher's cost and always fails:
    /// called for unknown logins so that they take as long as a wrong password.
    void dummyVerify(std::string_view password) const;

    [[nodiscard]] std::uint64_t memoryBytes() const noexcept { return memoryBytes_; }
    [[nodiscard]] std::uint64_t iterations() const noexcept { return iterations_; }

  private:
    PasswordHasher(std::uint64_t memoryBytes, std::uint64_t iterations, std::string dummyHash);

    std::uint64_t memoryBytes_;
    std::uint64_t iterations_;
    std::string dummyHash_;  ///< a hash of a random password at this cost
};

/// The password policy: at least kMinPasswordChars characters, at most kMaxPasswordBytes bytes,
/// not the login itself (compared case-insensitively).
/// \param field  the JSON pointer reported in the field error ("/password", "/new_password")
/// \retval ErrorCode::Invalid  with one FieldError on `field` per broken rule
[[nodiscard]] Outcome<void> checkPasswordPolicy(std::string_view password, std::string_view login,
                                                std::string_view field = "/password");

}  // namespace dnsfleet::controld::accounts
