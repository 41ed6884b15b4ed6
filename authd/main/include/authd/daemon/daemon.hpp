#pragma once
/// \file
/// The dnsfleet-authd process: configuration, zone loading, sockets, privilege drop, worker
/// threads, and the control loop that turns SIGHUP into a reload and SIGTERM/SIGINT into a
/// clean stop.

#include <filesystem>
#include <optional>

#include "authd/config/config.hpp"

namespace dnsfleet::authd::daemon {

/// What the command line asked for.
struct CommandLine {
    std::optional<std::filesystem::path> configFile;
    config::Overrides overrides;
    /// Validate the configuration and every zone file, print errors, and exit.
    bool check = false;
};

/// Runs the daemon (or the check) and returns the process exit code.
[[nodiscard]] int run(const CommandLine& commandLine);

/// `--check`: prints every error as `file:line: message` to stderr; 0 when all is well.
[[nodiscard]] int check(const CommandLine& commandLine);

}  // namespace dnsfleet::authd::daemon
