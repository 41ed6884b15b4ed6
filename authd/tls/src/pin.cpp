#include "pin.hpp"

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <array>
#include <vector>

namespace dnsfleet::authd::tls {

namespace {
constexpr std::size_t kSha256Size = 32;
}

Result<std::string, std::string> spkiDigest(X509* cert) {
    X509_PUBKEY* key = X509_get_X509_PUBKEY(cert);
    const int length = i2d_X509_PUBKEY(key, nullptr);
    if (key == nullptr || length <= 0) return fail(std::string("certificate without a public key"));
    std::vector<unsigned char> der(static_cast<std::size_t>(length));
    unsigned char* out = der.data();
    if (i2d_X509_PUBKEY(key, &out) != length) {
        return fail(std::string("certificate public key does not encode"));
    }
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int digestLength = 0;
    if (EVP_Digest(der.data(), der.size(), digest.data(), &digestLength, EVP_sha256(), nullptr) !=
        1) {
        return fail(std::string("SHA-256 unavailable"));
    }
    return std::string(reinterpret_cast<const char*>(digest.data()), digestLength);  // NOLINT
}

Result<std::string, std::string> decodePin(std::string_view pin) {
    constexpr std::string_view kPrefix = "sha256//";
    if (pin.substr(0, kPrefix.size()) == kPrefix) pin.remove_prefix(kPrefix.size());
    // 32 octets are 44 base64 characters, the last one '=' padding.
    if (pin.size() != 44 || pin[43] != '=' || pin[42] == '=') {
        return fail("key pin '" + std::string(pin) +
                    "' is not the base64 of a 32-octet SHA-256 digest");
    }
    std::array<unsigned char, 48> decoded{};
    const int length = EVP_DecodeBlock(
        decoded.data(), reinterpret_cast<const unsigned char*>(pin.data()),  // NOLINT
        static_cast<int>(pin.size()));
    // EVP_DecodeBlock counts the padding as a zero octet: 33 for a 32-octet value.
    if (length != static_cast<int>(kSha256Size) + 1) {
        return fail("key pin '" + std::string(pin) + "' is not valid base64");
    }
    return std::string(reinterpret_cast<const char*>(decoded.data()), kSha256Size);  // NOLINT
}

std::string encodeBase64(std::string_view octets) {
    std::vector<unsigned char> out(4 * ((octets.size() + 2) / 3) + 1);
    const int length = EVP_EncodeBlock(
        out.data(), reinterpret_cast<const unsigned char*>(octets.data()),  // NOLINT
        static_cast<int>(octets.size()));
    return std::string(reinterpret_cast<const char*>(out.data()),  // NOLINT
                       static_cast<std::size_t>(length));
}

}  // namespace dnsfleet::authd::tls
