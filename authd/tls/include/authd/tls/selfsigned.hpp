#pragma once
/// \file
/// A throw-away self-signed certificate for tests: an EC P-256 key and an X.509 v3 certificate
/// naming one DNS name in its SAN, usable both as the server's certificate and as the client's
/// trust anchor (it is its own CA).

#include <filesystem>
#include <string>

#include "common/result.hpp"

namespace dnsfleet::authd::tls {

struct SelfSignedFiles {
    std::filesystem::path certFile;  ///< PEM certificate
    std::filesystem::path keyFile;   ///< PEM private key (PKCS#8), mode 0600
    std::string spkiPin;             ///< base64 SHA-256 of the SubjectPublicKeyInfo
};

/// Writes `<dir>/<dnsName>.crt` and `<dir>/<dnsName>.key`, valid from an hour ago for
/// `validDays` days.
[[nodiscard]] Result<SelfSignedFiles, std::string> writeSelfSigned(const std::filesystem::path& dir,
                                                                   const std::string& dnsName,
                                                                   int validDays = 30);

}  // namespace dnsfleet::authd::tls
