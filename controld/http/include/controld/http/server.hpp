#pragma once
/// \file
/// The HTTPS server of the API: cpp-httplib over OpenSSL, TLS 1.2 or newer only, every
/// request handed to a `Gateway`. cpp-httplib stays out of this header.
#include <filesystem>
#include <memory>
#include <string>

#include "controld/config/settings.hpp"
#include "controld/http/gateway.hpp"

namespace dnsfleet::controld::http {

/// The PEM files the server uses.
struct TlsFiles {
    std::filesystem::path certificate;
    std::filesystem::path privateKey;
};

/// The configured certificate, or a self-signed one in `<data directory>/tls/` (created on
/// first start, valid for a year, for "localhost", 127.0.0.1, ::1 and the listen host).
/// Throws std::runtime_error when it cannot be written.
[[nodiscard]] TlsFiles ensureCertificate(const config::Settings& settings);

/// Host and port of "127.0.0.1:8443" / "[::1]:8443". Throws std::runtime_error when malformed.
struct ListenAddress {
    std::string host;
    int port = 0;
};
[[nodiscard]] ListenAddress parseListen(const std::string& listen);

class Server {
  public:
    /// Loads the certificate and binds the listen address. Throws std::runtime_error.
    Server(Gateway& gateway, const config::ApiSettings& settings, const TlsFiles& tls);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    /// Serves on a thread of its own until stop().
    void start();
    /// Stops accepting and waits for the serving thread. Idempotent.
    void stop();
    /// The bound port (useful with port 0).
    [[nodiscard]] int port() const noexcept;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace dnsfleet::controld::http
