#pragma once
/// \file
/// dnsfleet-controld's configuration (TOML). Every setting has a default that runs a one-machine
/// installation; docs/controld.md lists them.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace dnsfleet::controld::config {

/// The HTTPS API (R-17: TLS only).
struct ApiSettings {
    std::string listen = "127.0.0.1:8443";  ///< address:port ([v6]:port)
    /// PEM files; when both are empty a self-signed certificate is generated on first start
    /// into the data directory and reused afterwards.
    std::filesystem::path certificate;
    std::filesystem::path privateKey;
    /// The portal's origin allowed by CORS ("" = none beyond same-origin).
    std::string portalOrigin;
    std::size_t maxBodyBytes = 4u << 20;
    /// Per contract: a token bucket of `rateLimitBurst` requests refilled at `rateLimitPerSecond`.
    double rateLimitPerSecond = 20.0;
    double rateLimitBurst = 100.0;
    /// Each open connection, idle keep-alive included, holds one thread (cpp-httplib's model).
    std::size_t threads = 64;
};

/// Sessions and logins.
struct AuthSettings {
    std::chrono::seconds sessionIdle{30 * 60};
    std::chrono::seconds sessionAbsolute{12 * 60 * 60};
    /// Failed logins per account (and per source address) before throttling starts.
    int loginFailuresBeforeDelay = 5;
    std::chrono::seconds passwordResetValidity{60 * 60};
    /// Password-reset requests per login, and per source address, within an hour that send a
    /// mail; beyond them the answer is the same and nothing is sent (no mail flood).
    int passwordResetsPerLogin = 3;
    int passwordResetsPerAddress = 20;
    /// Argon2id cost; the defaults are above OWASP's minimum (m=19 MiB, t=2, p=1).
    std::uint64_t argon2MemoryBytes = 19u << 20;
    std::uint64_t argon2Iterations = 2;
};

/// Outgoing mail (password reset, notices).
struct SmtpSettings {
    std::string url;  ///< smtp://host:port or smtps://host:port; empty = mail is only logged
    std::string from = "dnsfleet@localhost";
    std::string username;
    std::string password;  ///< kept encrypted at rest when stored in the database
};

/// What every zone's SOA and apex NS are made from.
struct NameServerSettings {
    std::vector<std::string> nameServers{"ns1.dnsfleet.test.", "ns2.dnsfleet.test."};
    std::string hostmaster = "hostmaster.dnsfleet.test.";
    std::uint32_t refresh = 3600;
    std::uint32_t retry = 600;
    std::uint32_t expire = 1209600;
    std::uint32_t minimum = 300;
    std::uint32_t defaultTtl = 3600;
};

/// The hidden primary of the fleet (management network, R-16).
struct FleetSettings {
    std::string transferListen = "127.0.0.1:5300";  ///< AXFR/IXFR/SOA for edges (TCP and UDP)
    std::string catalogZone = "catalog.dnsfleet.invalid.";
    std::string tsigKeyName = "dnsfleet-fleet";
    std::string tsigAlgorithm = "hmac-sha256";
    /// base64; generated on first start and stored (encrypted) when empty.
    std::string tsigSecret;
    std::chrono::milliseconds syncPollInterval{100};
    std::chrono::milliseconds edgeQueryTimeout{1000};
};

struct Settings {
    std::filesystem::path dataDirectory = "/var/lib/dnsfleet-controld";
    /// Empty: SQLite in dataDirectory/controld.db. Else a postgresql:// URL.
    std::string databaseUrl;
    /// The key that encrypts secrets at rest (TOTP seeds, TSIG secrets, SMTP password): a file
    /// outside the database, generated (0600) on first start. Default: dataDirectory/secret.key.
    std::filesystem::path secretKeyFile;
    std::chrono::hours eventRetention{24 * 90};
    ApiSettings api;
    AuthSettings auth;
    SmtpSettings smtp;
    NameServerSettings nameServers;
    FleetSettings fleet;
};

/// Reads a TOML file; errors name the file, line and key. Throws std::runtime_error.
[[nodiscard]] Settings loadSettings(const std::filesystem::path& file);
/// Parses TOML text (for tests). Throws std::runtime_error.
[[nodiscard]] Settings parseSettings(const std::string& text, const std::string& sourceName);

}  // namespace dnsfleet::controld::config
