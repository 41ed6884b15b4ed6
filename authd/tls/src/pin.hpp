#pragma once
// Key pins (RFC 7858 §4.2): base64 of the SHA-256 of a certificate's DER SubjectPublicKeyInfo.

#include <openssl/types.h>

#include <string>
#include <string_view>

#include "common/result.hpp"

namespace dnsfleet::authd::tls {

/// The 32-octet SHA-256 of `cert`'s SubjectPublicKeyInfo.
[[nodiscard]] Result<std::string, std::string> spkiDigest(X509* cert);
/// Decodes a pin given as bare base64 or as `sha256//base64`; it must be 32 octets.
[[nodiscard]] Result<std::string, std::string> decodePin(std::string_view pin);
[[nodiscard]] std::string encodeBase64(std::string_view octets);

}  // namespace dnsfleet::authd::tls
