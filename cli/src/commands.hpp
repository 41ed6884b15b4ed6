#pragma once
// Each command group registers its subcommands on the CLI11 app. Parsing only records which
// command to run (`Action`); run() executes it once the configuration is resolved.

#include <CLI/CLI.hpp>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "session.hpp"

namespace dnsfleet::cli {

using Action = std::function<int()>;

/// Makes `sub` select `body` as the command to run.
inline void onRun(CLI::App* sub, Action& action, Action body) {
    sub->callback([&action, body = std::move(body)]() { action = body; });
}

/// "?a=1&b=2" from the non-empty pairs, values percent-encoded; "" when all are empty.
std::string queryString(const std::vector<std::pair<std::string, std::string>>& pairs);

/// "/api/v1/contracts/<code>/zones/<zone>", or "" (after a usage message) without a contract.
std::string zonePath(Session& session, const std::string& zone);

/// Reads a whole file (or standard input for "-"); false after printing why not.
bool readInput(Session& session, const std::string& file, std::string& content);

/// The ETag of the zone's live version, for If-Match; returns an exit code.
int zoneEtag(Session& session, const std::string& zone, std::string& etag);

void addAuthCommands(CLI::App& app, Session& session, Action& action);
void addAccountCommands(CLI::App& app, Session& session, Action& action);
void addZoneCommands(CLI::App& app, Session& session, Action& action);
void addDraftCommands(CLI::App& app, Session& session, Action& action);
void addEventCommands(CLI::App& app, Session& session, Action& action);

}  // namespace dnsfleet::cli
