#pragma once
// The state one `dnsfleet` invocation shares between its commands: global flags, the resolved
// configuration, the API client, output streams and the error reporting of every request.

#include <filesystem>
#include <iosfwd>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "cli/client.hpp"
#include "cli/config.hpp"
#include "cli/run.hpp"

namespace dnsfleet::cli {

/// Flags every command accepts.
struct GlobalFlags {
    std::string configFile;
    std::string endpoint;
    std::string token;
    std::string caFile;
    std::string contract;
    bool insecure = false;
    bool json = false;
};

/// One column of a table: its heading and the member of each item it shows.
struct Column {
    std::string heading;
    std::string member;
};

class Session {
  public:
    Session(std::ostream& out, std::ostream& err, const Environment& env)
        : out_(out), err_(err), env_(env) {}

    GlobalFlags flags;

    std::ostream& out() { return out_; }
    std::ostream& err() { return err_; }
    const Environment& env() const { return env_; }

    /// Loads the file and applies flags and environment over it (flags > env > file).
    /// Returns an exit code (0 when fine).
    int resolve();
    [[nodiscard]] const Config& config() const { return effective_; }
    [[nodiscard]] const Config& fileConfig() const { return file_; }
    [[nodiscard]] const std::filesystem::path& path() const { return path_; }
    int save(const Config& config);

    /// The contract the command works on, or "" after printing a usage error.
    std::string contract();
    /// "/api/v1/contracts/<code>"; empty when no contract is known.
    std::string contractPath();

    /// Sends a request with the bearer token. Returns 0 for a 2xx answer (in `response`), else
    /// prints the problem and returns its exit code.
    int call(HttpRequest request, HttpResponse& response, bool withToken = true);
    int call(const std::string& method, const std::string& path, HttpResponse& response);
    int callJson(const std::string& method, const std::string& path, const nlohmann::json& body,
                 HttpResponse& response);

    /// Parses a JSON answer, or prints why not (returns false).
    bool parse(const HttpResponse& response, nlohmann::json& out);

    /// Prints the answer as-is for --json, else `items` (or the body itself) as a table.
    int printList(const HttpResponse& response, const std::vector<Column>& columns);
    /// Prints the answer as-is for --json, else one "key: value" line per member.
    int printObject(const HttpResponse& response);
    void printTable(const nlohmann::json& items, const std::vector<Column>& columns);
    void printDiff(const nlohmann::json& changes);

  private:
    std::ostream& out_;
    std::ostream& err_;
    const Environment& env_;
    std::filesystem::path path_;
    Config file_;
    Config effective_;
    std::unique_ptr<ApiClient> client_;
};

/// A cell's text: strings as they are, null as "-", arrays joined with ",".
std::string cellText(const nlohmann::json& value);

}  // namespace dnsfleet::cli
