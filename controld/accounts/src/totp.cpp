#include "controld/accounts/totp.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sodium.h>

#include <algorithm>
#include <array>
#include <cstdlib>

namespace dnsfleet::controld::accounts::totp {
namespace {

constexpr std::string_view kBase32Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
constexpr std::int64_t kMicrosPerSecond = 1'000'000;

int base32Value(char c) noexcept {
    if (c >= 'A' && c <= 'Z') {
        return c - 'A';
    }
    if (c >= 'a' && c <= 'z') {
        return c - 'a';
    }
    if (c >= '2' && c <= '7') {
        return c - '2' + 26;
    }
    return -1;
}

bool isUnreserved(char c) noexcept {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~';
}

std::string percentEncode(std::string_view text) {
    static constexpr std::string_view kHex = "0123456789ABCDEF";
    std::string out;
    out.reserve(text.size() * 3);
    for (const char c : text) {
        if (isUnreserved(c)) {
            out.push_back(c);
        } else {
            const auto byte = static_cast<unsigned char>(c);
            out.push_back('%');
            out.push_back(kHex[byte >> 4U]);
            out.push_back(kHex[byte & 0x0FU]);
        }
    }
    return out;
}

int clampDigits(int digits) noexcept {
    return std::clamp(digits, 6, 9);
}

}  // namespace

std::vector<std::uint8_t> generateSecret() {
    if (sodium_init() < 0) {
        std::abort();
    }
    std::vector<std::uint8_t> secret(kSecretBytes);
    randombytes_buf(secret.data(), secret.size());
    return secret;
}

std::string base32Encode(std::span<const std::uint8_t> data, bool pad) {
    std::string out;
    out.reserve((data.size() + 4) / 5 * 8);
    std::uint32_t buffer = 0;
    unsigned bits = 0;
    for (const std::uint8_t byte : data) {
        buffer = (buffer << 8U) | byte;
        bits += 8;
        while (bits >= 5) {
            bits -= 5;
            out.push_back(kBase32Alphabet[(buffer >> bits) & 0x1FU]);
        }
    }
    if (bits > 0) {
        out.push_back(kBase32Alphabet[(buffer << (5 - bits)) & 0x1FU]);
    }
    if (pad) {
        while (out.size() % 8 != 0) {
            out.push_back('=');
        }
    }
    return out;
}

std::optional<std::vector<std::uint8_t>> base32Decode(std::string_view text) {
    std::vector<std::uint8_t> out;
    out.reserve(text.size() * 5 / 8);
    std::uint32_t buffer = 0;
    unsigned bits = 0;
    std::size_t symbols = 0;
    bool padding = false;
    for (const char c : text) {
        if (c == ' ') {
            continue;
        }
        if (c == '=') {
            padding = true;
            continue;
        }
        const int value = base32Value(c);
        if (value < 0 || padding) {
            return std::nullopt;  // a foreign character, or data after the padding
        }
        ++symbols;
        buffer = ((buffer << 5U) | static_cast<std::uint32_t>(value)) & 0xFFFFU;
        bits += 5;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<std::uint8_t>((buffer >> bits) & 0xFFU));
        }
    }
    // A final group of 1, 3 or 6 symbols cannot come from whole bytes (RFC 4648 §6).
    const std::size_t rest = symbols % 8;
    if (rest == 1 || rest == 3 || rest == 6) {
        return std::nullopt;
    }
    return out;
}

std::string otpauthUri(std::string_view login, std::span<const std::uint8_t> secret,
                       std::string_view issuer) {
    std::string uri = "otpauth://totp/";
    uri += percentEncode(issuer);
    uri += ':';
    uri += percentEncode(login);
    uri += "?secret=";
    uri += base32Encode(secret, false);
    uri += "&issuer=";
    uri += percentEncode(issuer);
    uri += "&algorithm=SHA1&digits=" + std::to_string(kDigits) +
           "&period=" + std::to_string(kStepSeconds);
    return uri;
}

std::int64_t timeStep(Timestamp now) noexcept {
    const std::int64_t stepMicros = kStepSeconds * kMicrosPerSecond;
    // Floor, not truncation, so that times before the epoch do not share step 0.
    std::int64_t step = now / stepMicros;
    if (now % stepMicros < 0) {
        --step;
    }
    return step;
}

std::string hotp(std::span<const std::uint8_t> secret, std::uint64_t counter, int digits) {
    digits = clampDigits(digits);
    std::array<unsigned char, 8> message{};
    for (std::size_t i = 0; i < message.size(); ++i) {
        message[message.size() - 1 - i] = static_cast<unsigned char>((counter >> (8 * i)) & 0xFFU);
    }
    std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
    unsigned int macLength = 0;
    if (HMAC(EVP_sha1(), secret.data(), static_cast<int>(secret.size()), message.data(),
             message.size(), mac.data(), &macLength) == nullptr ||
        macLength != 20) {
        return {};
    }
    // RFC 4226 §5.3 dynamic truncation.
    const std::size_t offset = mac[19] & 0x0FU;
    const std::uint32_t binary = ((static_cast<std::uint32_t>(mac[offset]) & 0x7FU) << 24U) |
                                 (static_cast<std::uint32_t>(mac[offset + 1]) << 16U) |
                                 (static_cast<std::uint32_t>(mac[offset + 2]) << 8U) |
                                 static_cast<std::uint32_t>(mac[offset + 3]);
    std::uint32_t modulus = 1;
    for (int i = 0; i < digits; ++i) {
        modulus *= 10;
    }
    std::string code = std::to_string(binary % modulus);
    code.insert(0, static_cast<std::size_t>(digits) - code.size(), '0');
    return code;
}

std::string codeAt(std::span<const std::uint8_t> secret, Timestamp now, int digits) {
    return hotp(secret, static_cast<std::uint64_t>(timeStep(now)), digits);
}

std::optional<std::int64_t> verify(std::span<const std::uint8_t> secret, std::string_view code,
                                   Timestamp now, std::optional<std::int64_t> lastUsedStep,
                                   int window, int digits) {
    digits = clampDigits(digits);
    window = std::clamp(window, 0, 10);
    if (code.size() != static_cast<std::size_t>(digits) ||
        !std::all_of(code.begin(), code.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return std::nullopt;
    }
    const std::int64_t current = timeStep(now);
    std::optional<std::int64_t> matched;
    // Every step of the window is computed and compared, matched or not, so that the time
    // taken does not tell which step (if any) matched.
    for (std::int64_t step = current - window; step <= current + window; ++step) {
        if (step < 0) {
            continue;
        }
        const std::string expected = hotp(secret, static_cast<std::uint64_t>(step), digits);
        const bool equal = expected.size() == code.size() &&
                           CRYPTO_memcmp(expected.data(), code.data(), code.size()) == 0;
        const bool fresh = !lastUsedStep || step > *lastUsedStep;
        if (equal && fresh && !matched) {
            matched = step;
        }
    }
    return matched;
}

}  // namespace dnsfleet::controld::accounts::totp
