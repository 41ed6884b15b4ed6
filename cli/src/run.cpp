#include "cli/run.hpp"

#include <unistd.h>

#include <exception>
#include <fstream>
#include <ostream>
#include <sstream>

#include "cli/exit_codes.hpp"
#include "commands.hpp"

namespace dnsfleet::cli {

std::string queryString(const std::vector<std::pair<std::string, std::string>>& pairs) {
    std::string query;
    for (const auto& [name, value] : pairs) {
        if (value.empty()) continue;
        query += query.empty() ? "?" : "&";
        query += encodeComponent(name) + "=" + encodeComponent(value);
    }
    return query;
}

std::string zonePath(Session& session, const std::string& zone) {
    const std::string base = session.contractPath();
    if (base.empty()) return {};
    return base + "/zones/" + encodeComponent(zone);
}

bool readInput(Session& session, const std::string& file, std::string& content) {
    std::ostringstream buffer;
    if (file == "-") {
        if (session.env().in == nullptr) {
            session.err() << "dnsfleet: no standard input\n";
            return false;
        }
        buffer << session.env().in->rdbuf();
    } else {
        std::ifstream stream(file, std::ios::binary);
        if (!stream) {
            session.err() << "dnsfleet: cannot read " << file << "\n";
            return false;
        }
        buffer << stream.rdbuf();
    }
    content = buffer.str();
    return true;
}

int zoneEtag(Session& session, const std::string& zone, std::string& etag) {
    const std::string path = zonePath(session, zone);
    if (path.empty()) return kExitUsage;
    HttpResponse response;
    if (int rc = session.call("GET", path, response)) return rc;
    etag = response.header("ETag");
    if (etag.empty()) {
        // The body names the version too; an ETag is how the API promises it, though.
        nlohmann::json body;
        if (!session.parse(response, body) || !body.contains("version")) return kExitServer;
        etag = "\"" + cellText(body["version"]) + "\"";
    }
    return kExitOk;
}

int run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
        const Environment& env) {
    Session session(out, err, env);
    CLI::App app{"dnsfleet: the command-line client of the dnsfleet control plane", "dnsfleet"};
    app.require_subcommand(1);
    app.fallthrough();
    app.set_version_flag("--version", std::string(DNSFLEET_VERSION));
    GlobalFlags& flags = session.flags;
    app.add_option("--config", flags.configFile,
                   "config file (default $DNSFLEET_CONFIG or ~/.config/dnsfleet/config.toml)");
    app.add_option("--endpoint", flags.endpoint, "API endpoint, https://host:port");
    app.add_option("--token", flags.token, "API token (default $DNSFLEET_TOKEN or the config)");
    app.add_option("--ca-file", flags.caFile, "PEM certificate(s) to trust for the endpoint");
    app.add_flag("--insecure", flags.insecure, "do not verify the server's certificate");
    app.add_option("--contract", flags.contract, "the contract's service code (DF-...)");
    app.add_flag("--json", flags.json, "print the API's JSON as-is");

    Action action;
    addAuthCommands(app, session, action);
    addAccountCommands(app, session, action);
    addZoneCommands(app, session, action);
    addDraftCommands(app, session, action);
    addEventCommands(app, session, action);

    std::vector<std::string> reversed(args.rbegin(), args.rend());
    try {
        app.parse(reversed);
    } catch (const CLI::ParseError& error) {
        const int rc = app.exit(error, out, err);
        return rc == 0 ? kExitOk : kExitUsage;
    }
    if (!action) {
        err << app.help();
        return kExitUsage;
    }
    if (int rc = session.resolve()) return rc;
    try {
        return action();
    } catch (const std::exception& error) {
        // e.g. a JSON member of an unexpected type: the answer is not what the API promises.
        err << "dnsfleet: unexpected answer from the server: " << error.what() << "\n";
        return kExitServer;
    }
}

}  // namespace dnsfleet::cli
