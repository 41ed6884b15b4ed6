#include "controld/accounts/random_token.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <sodium.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <vector>

namespace dnsfleet::controld::accounts {
namespace {

void randomBytes(std::uint8_t* out, std::size_t size) {
    // randombytes_buf cannot fail once sodium_init succeeded (it aborts instead of returning
    // weak bytes), so callers get no error path to forget.
    static const bool ready = sodium_init() >= 0;
    if (!ready) {
        std::abort();
    }
    randombytes_buf(out, size);
}

}  // namespace

std::string base64UrlEncode(std::span<const std::uint8_t> data) {
    std::string out((data.size() + 2) / 3 * 4 + 1, '\0');
    const int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data.data(),
                                        static_cast<int>(data.size()));
    out.resize(static_cast<std::size_t>(std::max(written, 0)));
    while (!out.empty() && out.back() == '=') {
        out.pop_back();
    }
    std::replace(out.begin(), out.end(), '+', '-');
    std::replace(out.begin(), out.end(), '/', '_');
    return out;
}

std::string randomToken(std::string_view prefix, std::size_t bytes) {
    std::vector<std::uint8_t> random(std::max(bytes, kMinTokenBytes));
    randomBytes(random.data(), random.size());
    std::string token(prefix);
    token += base64UrlEncode(random);
    sodium_memzero(random.data(), random.size());
    return token;
}

std::string tokenHash(std::string_view token) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int length = 0;
    if (EVP_Digest(token.data(), token.size(), digest.data(), &length, EVP_sha256(), nullptr) !=
        1) {
        std::abort();  // SHA-256 is always available in OpenSSL's default provider
    }
    static constexpr std::string_view kHex = "0123456789abcdef";
    std::string hex;
    hex.reserve(std::size_t{2} * length);
    for (unsigned int i = 0; i < length; ++i) {
        hex.push_back(kHex[digest[i] >> 4U]);
        hex.push_back(kHex[digest[i] & 0x0FU]);
    }
    return hex;
}

bool constantTimeEquals(std::string_view a, std::string_view b) noexcept {
    // Only the lengths leak; tokens and hashes have public, fixed lengths.
    return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string newServiceCode() {
    static_assert(kServiceCodeAlphabet.size() == 32, "one random byte must map without bias");
    std::array<std::uint8_t, kServiceCodeChars> random{};
    randomBytes(random.data(), random.size());
    std::string code(kServiceCodePrefix);
    for (const std::uint8_t byte : random) {
        code.push_back(kServiceCodeAlphabet[byte & 0x1FU]);
    }
    return code;
}

std::optional<std::string> normalizeServiceCode(std::string_view text) {
    if (text.size() != kServiceCodePrefix.size() + kServiceCodeChars) {
        return std::nullopt;
    }
    std::string code;
    code.reserve(text.size());
    for (const char c : text) {
        code.push_back(c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c);
    }
    if (code.compare(0, kServiceCodePrefix.size(), kServiceCodePrefix) != 0) {
        return std::nullopt;
    }
    for (std::size_t i = kServiceCodePrefix.size(); i < code.size(); ++i) {
        if (kServiceCodeAlphabet.find(code[i]) == std::string_view::npos) {
            return std::nullopt;
        }
    }
    return code;
}

}  // namespace dnsfleet::controld::accounts
