// The API's self-signed certificate for a first start without a configured one.
#include <arpa/inet.h>
#include <fcntl.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <memory>
#include <stdexcept>

#include "controld/http/server.hpp"

namespace dnsfleet::controld::http {

namespace {

[[noreturn]] void opensslFailure(const std::string& what) {
    std::string text = what;
    unsigned long code = 0;
    while ((code = ERR_get_error()) != 0) {
        std::array<char, 256> buffer{};
        ERR_error_string_n(code, buffer.data(), buffer.size());
        text += ": ";
        text += buffer.data();
    }
    throw std::runtime_error(text);
}

void addExtension(X509* cert, int nid, const std::string& value) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
    if (ext == nullptr) opensslFailure("certificate extension " + value);
    const int added = X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
    if (added != 1) opensslFailure("certificate extension " + value);
}

template <class Write>
void writePem(const std::filesystem::path& path, mode_t mode, Write write) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0) throw std::runtime_error(path.string() + ": " + std::strerror(errno));
    const std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_fd(fd, BIO_CLOSE), BIO_free);
    if (!bio) {
        ::close(fd);
        opensslFailure(path.string());
    }
    if (write(bio.get()) != 1 || BIO_flush(bio.get()) != 1) opensslFailure(path.string());
}

bool isIpAddress(const std::string& host) {
    std::array<unsigned char, 16> buffer{};
    return inet_pton(AF_INET, host.c_str(), buffer.data()) == 1 ||
           inet_pton(AF_INET6, host.c_str(), buffer.data()) == 1;
}

void writeSelfSigned(const std::filesystem::path& certFile, const std::filesystem::path& keyFile,
                     const std::string& host) {
    ERR_clear_error();
    const std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_EC_gen("P-256"),
                                                                  EVP_PKEY_free);
    if (!key) opensslFailure("EC P-256 key");
    const std::unique_ptr<X509, decltype(&X509_free)> cert(X509_new(), X509_free);
    if (!cert) opensslFailure("X509_new");
    X509_set_version(cert.get(), 2);
    std::array<unsigned char, 16> serial{};
    if (RAND_bytes(serial.data(), static_cast<int>(serial.size())) != 1) opensslFailure("serial");
    serial[0] &= 0x7FU;  // positive
    BIGNUM* number = BN_bin2bn(serial.data(), static_cast<int>(serial.size()), nullptr);
    if (number == nullptr ||
        BN_to_ASN1_INTEGER(number, X509_get_serialNumber(cert.get())) == nullptr) {
        BN_free(number);
        opensslFailure("serial");
    }
    BN_free(number);
    // An hour of slack for clocks that are a little behind; a year, then an operator renews.
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), 86400L * 365);
    if (X509_set_pubkey(cert.get(), key.get()) != 1) opensslFailure("public key");
    const std::string commonName = host.empty() || isIpAddress(host) ? "localhost" : host;
    X509_NAME* subject = X509_get_subject_name(cert.get());
    if (X509_NAME_add_entry_by_txt(
            subject, "CN", MBSTRING_ASC,
            reinterpret_cast<const unsigned char*>(commonName.c_str()),  // NOLINT
            -1, -1, 0) != 1 ||
        X509_set_issuer_name(cert.get(), subject) != 1) {
        opensslFailure("subject");
    }
    std::string names = "DNS:localhost,IP:127.0.0.1,IP:::1";
    if (!host.empty() && host != "localhost" && host != "127.0.0.1" && host != "::1" &&
        host != "0.0.0.0" && host != "::") {
        names += (isIpAddress(host) ? ",IP:" : ",DNS:") + host;
    }
    // Its own CA, so that clients can trust exactly this file (requests' verify=).
    addExtension(cert.get(), NID_basic_constraints, "critical,CA:TRUE");
    addExtension(cert.get(), NID_key_usage, "critical,digitalSignature,keyCertSign");
    addExtension(cert.get(), NID_ext_key_usage, "serverAuth");
    addExtension(cert.get(), NID_subject_alt_name, names);
    addExtension(cert.get(), NID_subject_key_identifier, "hash");
    if (X509_sign(cert.get(), key.get(), EVP_sha256()) <= 0) opensslFailure("sign");
    writePem(keyFile, 0600, [&](BIO* bio) {
        return PEM_write_bio_PrivateKey(bio, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
    });
    writePem(certFile, 0644, [&](BIO* bio) { return PEM_write_bio_X509(bio, cert.get()); });
}

}  // namespace

TlsFiles ensureCertificate(const config::Settings& settings) {
    if (!settings.api.certificate.empty()) {
        return {settings.api.certificate, settings.api.privateKey};
    }
    const std::filesystem::path dir = settings.dataDirectory / "tls";
    TlsFiles files{dir / "api.crt", dir / "api.key"};
    if (std::filesystem::exists(files.certificate) && std::filesystem::exists(files.privateKey)) {
        return files;
    }
    std::filesystem::create_directories(dir);
    writeSelfSigned(files.certificate, files.privateKey, parseListen(settings.api.listen).host);
    return files;
}

}  // namespace dnsfleet::controld::http
