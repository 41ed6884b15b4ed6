#pragma once
/// \file
/// The CLI's configuration file (TOML), e.g. ~/.config/dnsfleet/config.toml:
///
///     endpoint = "https://controld.example.net:8443"
///     ca-file = "/etc/dnsfleet/controld.crt"
///     insecure = false
///     token = "dft_..."
///     contract = "DF-0000ABCD"

#include <filesystem>
#include <map>
#include <string>

#include "common/result.hpp"

namespace dnsfleet::cli {

/// What the file holds; empty strings mean "not set".
struct Config {
    std::string endpoint;   ///< https://host:port
    std::string caFile;     ///< PEM certificate(s) to trust instead of the system store
    bool insecure = false;  ///< skip certificate verification (tests, never production)
    std::string token;      ///< the API token (Authorization: Bearer)
    std::string contract;   ///< default contract (service code)
};

/// The config file to use: `flag` if set, else $DNSFLEET_CONFIG, else
/// $XDG_CONFIG_HOME/dnsfleet/config.toml, else $HOME/.config/dnsfleet/config.toml.
[[nodiscard]] std::filesystem::path configPath(const std::string& flag,
                                               const std::map<std::string, std::string>& env);

/// Reads `path`; a missing file is an empty configuration, a malformed one an error.
[[nodiscard]] Result<Config, std::string> loadConfig(const std::filesystem::path& path);

/// Writes `path` atomically with mode 0600 (it holds a secret), creating its directory (0700).
[[nodiscard]] Result<bool, std::string> saveConfig(const std::filesystem::path& path,
                                                   const Config& config);

}  // namespace dnsfleet::cli
