#pragma once
/// \file
/// The local control channel of dnsfleet-authd: a Unix stream socket (mode 0600, owned by the
/// server's user) that takes one command per line and answers one JSON document per line.
///
///     status [ZONE]      every zone (or one): serial, role, state, last transfer, next refresh
///     retransfer ZONE    pull the whole zone again with AXFR now
///     refresh ZONE       query the primaries' SOA now and transfer when newer
///     notify ZONE        send NOTIFY to the zone's secondaries now
///     reload             as SIGHUP
///
/// The answer is `{"ok": true, ...}` or `{"ok": false, "error": "..."}`. The command
/// `dnsfleet-authd ctl ...` is the client.

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "common/result.hpp"

namespace dnsfleet::authd::control {

/// Carries out control commands; implemented by the zone manager. Called on the control
/// thread, one command at a time.
class CommandHandler {
  public:
    virtual ~CommandHandler() = default;
    /// `words` is the command line split at spaces (`{"status", "example.com."}`). Returns one
    /// JSON document (without a newline).
    [[nodiscard]] virtual std::string handle(const std::vector<std::string>& words) = 0;
};

/// Listens on the socket and serves commands on its own thread until destroyed.
class ControlServer {
  public:
    /// Binds `path` (replacing a stale socket file left by a killed server, refusing when a
    /// live server answers on it) and starts the thread.
    [[nodiscard]] static Result<std::unique_ptr<ControlServer>, std::string> start(
        const std::filesystem::path& path, CommandHandler& handler);
    ~ControlServer();
    ControlServer(const ControlServer&) = delete;
    ControlServer& operator=(const ControlServer&) = delete;

  private:
    struct State;
    explicit ControlServer(std::unique_ptr<State> state);
    std::unique_ptr<State> state_;
};

/// Sends one command to the server at `path` and returns its answer (a JSON document).
/// Errors: nobody listens, the connection broke, the answer timed out.
[[nodiscard]] Result<std::string, std::string> sendCommand(const std::filesystem::path& path,
                                                           std::string_view command,
                                                           int timeoutMs = 30'000);

}  // namespace dnsfleet::authd::control
