#pragma once
/// \file
/// The daemon's configuration: a TOML file (`--config`) plus command-line flags.
///
/// ```toml
/// [server]
/// listen = ["127.0.0.1:53", "[::1]:53"]
/// threads = 0              # UDP workers; 0 = one per CPU the process may run on
/// [[zone]]
/// name = "example.com"
/// file = "zones/example.com.zone"   # relative to the config file's folder
/// ```
/// Every key, with its default, is in docs/authd.md. Unknown keys are errors, so that a typo
/// never silently leaves a default in force. The layout leaves room for `[[template]]`,
/// `[[remote]]` and `[[acl]]` tables and per-zone references to them.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "authd/config/listen.hpp"
#include "common/result.hpp"
#include "dnswire/name.hpp"

namespace dnsfleet::authd::config {

/// One zone to serve.
struct ZoneConfig {
    dnswire::Name apex;          ///< lower-cased
    std::filesystem::path file;  ///< absolute, or relative to the working directory
};

/// The `[server]` table.
struct ServerConfig {
    std::vector<ListenAddress> listen;
    /// UDP worker threads; 0 = one per CPU in the process's affinity mask.
    unsigned threads = 0;
    /// TCP threads (each with its own epoll loop and share of the clients).
    unsigned tcpWorkers = 1;
    /// Largest UDP response, whatever the client offers (RFC 6891 §6.2.5).
    std::uint16_t udpMaxPayload = 1232;
    /// A TCP connection with no complete query for this long is closed (RFC 7766 §6.2.3).
    std::chrono::milliseconds tcpIdleTimeout{10'000};
    /// Open TCP connections at most (all TCP threads together).
    std::size_t tcpMaxClients = 1024;
    /// Raw NSID octets (RFC 5001); empty = no NSID.
    std::string nsid;
    /// The user to switch to after binding when started as root; empty or "root" = stay root.
    std::string user = "nobody";
    std::string logLevel = "info";
    std::string logFormat = "text";
};

struct Config {
    /// The file it came from; empty when built from flags only.
    std::filesystem::path source;
    ServerConfig server;
    std::vector<ZoneConfig> zones;
};

/// Errors, each naming where and which key: `authd.toml:7:11: server.threads: must be ...`.
using Errors = std::vector<std::string>;

/// Parses configuration text. `source` is used in messages and to resolve relative zone paths.
[[nodiscard]] Result<Config, Errors> parseConfig(std::string_view text,
                                                 const std::filesystem::path& source);
/// Reads and parses a configuration file.
[[nodiscard]] Result<Config, Errors> loadConfig(const std::filesystem::path& file);

/// Values given on the command line. They override the file's scalar settings; `--listen`
/// replaces the file's listen list; `--zone` adds zones (or replaces the file of a zone of the
/// same name).
struct Overrides {
    std::vector<std::string> listen;
    std::vector<std::string> zones;  ///< `NAME=FILE`
    std::optional<unsigned> threads;
    std::optional<std::string> user;
    std::optional<std::string> nsid;
    std::optional<std::string> logLevel;
    std::optional<std::string> logFormat;
};

/// Applies command-line values to `config`; fails with every bad value.
[[nodiscard]] Result<void, Errors> applyOverrides(Config& config, const Overrides& overrides);

/// Parses `NAME=FILE` (the `--zone` flag).
[[nodiscard]] Result<ZoneConfig, std::string> parseZoneArgument(std::string_view text);

/// Decodes an NSID setting: a string is taken as its octets, `0x` followed by hex digits as
/// those octets (as in Knot's `nsid`). At most 128 octets.
[[nodiscard]] Result<std::string, std::string> parseNsid(std::string_view text);

/// Number of CPUs this process may run on (the affinity mask, so `taskset -c 0` gives 1).
[[nodiscard]] unsigned availableCpus() noexcept;

}  // namespace dnsfleet::authd::config
