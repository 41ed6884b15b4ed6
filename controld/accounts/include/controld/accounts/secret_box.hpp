#pragma once
/// \file
/// Secrets at rest (TOTP seeds, TSIG secrets, the SMTP password): authenticated encryption with
/// libsodium's secretbox (XSalsa20-Poly1305) under a key kept in a file OUTSIDE the database, so
/// that a stolen database dump alone reveals no secret.
///
/// Sealed format: 1 version byte (kVersion) | 24-byte random nonce | ciphertext with 16-byte MAC.
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "controld/core/context.hpp"

namespace dnsfleet::controld::accounts {

class SecretBox {
  public:
    static constexpr std::size_t kKeyBytes = 32;
    static constexpr std::uint8_t kVersion = 1;

    /// Reads the key file at `path`, or creates it (mode 0600, O_EXCL, a fresh random key) when
    /// it does not exist. The parent directory must exist.
    /// \retval ErrorCode::Internal  the file is readable or writable by group or others, is not
    ///                              a regular file, is not exactly kKeyBytes long, or cannot be
    ///                              read or created (the detail names the path and the reason)
    [[nodiscard]] static Outcome<SecretBox> loadOrCreate(const std::filesystem::path& path);

    /// A box with a given key (tests, key rotation tools).
    [[nodiscard]] static SecretBox fromKey(std::span<const std::uint8_t, kKeyBytes> key);

    /// Encrypts `plaintext` with a fresh random nonce.
    [[nodiscard]] std::vector<std::uint8_t> seal(std::span<const std::uint8_t> plaintext) const;
    [[nodiscard]] std::vector<std::uint8_t> seal(std::string_view plaintext) const;

    /// Decrypts what `seal` produced.
    /// \retval ErrorCode::Internal  unknown version, too short, tampered with, or sealed under
    ///                              another key (one detail for all: "cannot decrypt secret")
    [[nodiscard]] Outcome<std::vector<std::uint8_t>> open(
        std::span<const std::uint8_t> sealed) const;
    /// `open` for secrets that are text.
    [[nodiscard]] Outcome<std::string> openText(std::span<const std::uint8_t> sealed) const;

    SecretBox(SecretBox&& other) noexcept;
    SecretBox& operator=(SecretBox&& other) noexcept;
    SecretBox(const SecretBox&) = delete;
    SecretBox& operator=(const SecretBox&) = delete;
    /// Zeroes and unlocks the key's memory.
    ~SecretBox();

  private:
    SecretBox();
    void release() noexcept;

    /// kKeyBytes from sodium_malloc: locked (never swapped out), guarded, zeroed when freed.
    std::uint8_t* key_ = nullptr;
};

}  // namespace dnsfleet::controld::accounts
