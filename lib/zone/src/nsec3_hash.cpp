// OpenSSL 3 marks the SHA1_* functions deprecated in favour of EVP, but EVP_Digest allocates a
// context per call and the query path must not allocate: the low-level API hashes on the stack.
#define OPENSSL_SUPPRESS_DEPRECATED 1

#include "nsec3_hash.hpp"

#include <openssl/sha.h>

namespace dnsfleet::zone::detail {

void nsec3Sha1(dnswire::NameView name, std::span<const std::uint8_t> salt, std::uint16_t iterations,
               std::array<std::uint8_t, 20>& out) noexcept {
    std::array<std::uint8_t, dnswire::kMaxNameLength> lower{};
    for (std::size_t i = 0; i < name.size(); ++i) {
        const std::uint8_t c = name.data()[i];
        lower[i] = (c >= 'A' && c <= 'Z') ? static_cast<std::uint8_t>(c + 32) : c;
    }
    SHA_CTX ctx;
    SHA1_Init(&ctx);
    SHA1_Update(&ctx, lower.data(), name.size());
    SHA1_Update(&ctx, salt.data(), salt.size());
    SHA1_Final(out.data(), &ctx);
    for (std::uint16_t i = 0; i < iterations; ++i) {
        SHA1_Init(&ctx);
        SHA1_Update(&ctx, out.data(), out.size());
        SHA1_Update(&ctx, salt.data(), salt.size());
        SHA1_Final(out.data(), &ctx);
    }
}

}  // namespace dnsfleet::zone::detail
