#include "authd/tls/selfsigned.hpp"

#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <memory>

#include "pin.hpp"

namespace dnsfleet::authd::tls {

namespace {

std::string opensslError(const std::string& what) {
    std::string out = what;
    unsigned long code = 0;
    while ((code = ERR_get_error()) != 0) {
        std::array<char, 256> text{};
        ERR_error_string_n(code, text.data(), text.size());
        out += ": ";
        out += text.data();
    }
    return out;
}

Result<void, std::string> addExtension(X509* cert, int nid, const std::string& value) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
    if (ext == nullptr) return fail(opensslError("extension " + value));
    const int added = X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
    if (added != 1) return fail(opensslError("extension " + value));
    return {};
}

/// Opens `path` for writing with `mode` (the key must never be readable by others, not even
/// for a moment) and hands it to `write`.
template <class Write>
Result<void, std::string> writePem(const std::filesystem::path& path, mode_t mode, Write write) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0) return fail(path.string() + ": " + std::strerror(errno));
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_fd(fd, BIO_CLOSE), BIO_free);
    if (!bio) {
        ::close(fd);
        return fail(opensslError(path.string()));
    }
    if (write(bio.get()) != 1 || BIO_flush(bio.get()) != 1) {
        return fail(opensslError(path.string()));
    }
    return {};
}

}  // namespace

Result<SelfSignedFiles, std::string> writeSelfSigned(const std::filesystem::path& dir,
                                                     const std::string& dnsName, int validDays) {
    ERR_clear_error();
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_EC_gen("P-256"), EVP_PKEY_free);
    if (!key) return fail(opensslError("EC P-256 key"));
    std::unique_ptr<X509, decltype(&X509_free)> cert(X509_new(), X509_free);
    if (!cert) return fail(opensslError("X509_new"));

    X509_set_version(cert.get(), 2);  // v3, for the extensions
    ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), static_cast<long>(std::time(nullptr)));
    // An hour of slack for clocks that are a little behind.
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), 86400L * validDays);
    if (X509_set_pubkey(cert.get(), key.get()) != 1) return fail(opensslError("public key"));
    X509_NAME* subject = X509_get_subject_name(cert.get());
    if (X509_NAME_add_entry_by_txt(
            subject, "CN", MBSTRING_ASC,
            reinterpret_cast<const unsigned char*>(dnsName.c_str()),  // NOLINT
            -1, -1, 0) != 1 ||
        X509_set_issuer_name(cert.get(), subject) != 1) {
        return fail(opensslError("subject " + dnsName));
    }
    // Its own CA, so that the one file serves as the server's certificate and the client's
    // trust anchor; the name a client checks is the SAN (RFC 6125 §6.4.4: not the CN).
    DNSFLEET_TRY(addExtension(cert.get(), NID_basic_constraints, "critical,CA:TRUE"));
    DNSFLEET_TRY(addExtension(cert.get(), NID_key_usage, "critical,digitalSignature,keyCertSign"));
    DNSFLEET_TRY(addExtension(cert.get(), NID_ext_key_usage, "serverAuth"));
    DNSFLEET_TRY(addExtension(cert.get(), NID_subject_alt_name, "DNS:" + dnsName));
    DNSFLEET_TRY(addExtension(cert.get(), NID_subject_key_identifier, "hash"));
    if (X509_sign(cert.get(), key.get(), EVP_sha256()) <= 0) return fail(opensslError("sign"));

    SelfSignedFiles files;
    files.certFile = dir / (dnsName + ".crt");
    files.keyFile = dir / (dnsName + ".key");
    DNSFLEET_TRY(writePem(files.keyFile, 0600, [&](BIO* bio) {
        return PEM_write_bio_PrivateKey(bio, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
    }));
    DNSFLEET_TRY(writePem(files.certFile, 0644,
                          [&](BIO* bio) { return PEM_write_bio_X509(bio, cert.get()); }));
    auto digest = spkiDigest(cert.get());
    if (!digest) return fail(std::move(digest).error());
    files.spkiPin = encodeBase64(*digest);
    return files;
}

}  // namespace dnsfleet::authd::tls
