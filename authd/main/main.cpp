// dnsfleet-authd: the authoritative DNS server. See docs/authd.md.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "authd/config/config.hpp"
#include "authd/control/control.hpp"
#include "authd/daemon/daemon.hpp"

namespace {

// Exit codes of `ctl`, so that scripts can tell a refused command from a server that is down.
constexpr int kCtlOk = 0;
constexpr int kCtlRefused = 1;
constexpr int kCtlUnreachable = 2;
constexpr const char* kDefaultControlSocket = "/var/lib/dnsfleet-authd/control.sock";

/// `dnsfleet-authd ctl WORDS...`: sends one command to a running server and prints its JSON
/// answer.
int runCtl(const std::string& socketOption, const std::string& configFile,
           const std::vector<std::string>& words, unsigned timeoutSeconds) {
    std::filesystem::path socket = socketOption;
    if (socket.empty() && !configFile.empty()) {
        auto config = dnsfleet::authd::config::loadConfig(configFile);
        if (!config) {
            for (const auto& error : config.error())
                std::fprintf(stderr, "%s\n", error.c_str());
            return kCtlUnreachable;
        }
        socket = config->server.controlSocket;
        if (socket.empty()) {
            std::fprintf(stderr,
                         "dnsfleet-authd ctl: %s turns the control channel off "
                         "(server.control-socket = \"\")\n",
                         configFile.c_str());
            return kCtlUnreachable;
        }
    }
    if (socket.empty()) socket = kDefaultControlSocket;
    std::string line;
    for (const auto& word : words) {
        if (!line.empty()) line.push_back(' ');
        line += word;
    }
    auto answer = dnsfleet::authd::control::sendCommand(
        socket, line, static_cast<int>(std::min(timeoutSeconds, 3600U) * 1000U));
    if (!answer) {
        std::fprintf(stderr, "dnsfleet-authd ctl: %s\n", answer.error().c_str());
        return kCtlUnreachable;
    }
    std::printf("%s\n", answer->c_str());
    const auto json = nlohmann::json::parse(*answer, nullptr, false);
    if (json.is_discarded() || !json.is_object() || !json.contains("ok") ||
        !json["ok"].is_boolean()) {
        std::fprintf(stderr,
                     "dnsfleet-authd ctl: the server's answer is not a JSON object "
                     "with \"ok\"\n");
        return kCtlUnreachable;
    }
    return json["ok"].get<bool>() ? kCtlOk : kCtlRefused;
}

// Reads a zone list: one `NAME FILE` per line (tab or spaces; the `zones.list` that
// ../shared/bench/gen_zone.py writes), `#` comments and blank lines ignored. Relative files are
// taken from the list's own folder. Appends `NAME=FILE` entries to `zones`.
bool readZoneList(const std::string& listFile, std::vector<std::string>& zones) {
    std::ifstream in(listFile);
    if (!in) {
        std::fprintf(stderr, "dnsfleet-authd: cannot read zone list %s\n", listFile.c_str());
        return false;
    }
    const auto base = std::filesystem::path(listFile).parent_path();
    std::string line;
    std::size_t lineNumber = 0;
    while (std::getline(in, line)) {
        ++lineNumber;
        std::istringstream fields(line);
        std::string name;
        std::string file;
        if (!(fields >> name) || name[0] == '#') continue;
        std::string extra;
        if (!(fields >> file) || (fields >> extra)) {
            std::fprintf(stderr, "dnsfleet-authd: %s:%zu: expected 'NAME FILE'\n", listFile.c_str(),
                         lineNumber);
            return false;
        }
        std::filesystem::path path(file);
        if (path.is_relative()) path = base / path;
        zones.push_back(name + "=" + path.string());
    }
    return true;
}

int runMain(int argc, char** argv) {
    using dnsfleet::authd::daemon::CommandLine;
    CLI::App app{"dnsfleet-authd: authoritative DNS server"};
    CommandLine commandLine;
    std::string configFile;
    unsigned threads = 0;
    std::string user;
    std::string nsid;
    std::string logLevel;
    std::string logFormat;
    auto& overrides = commandLine.overrides;

    app.add_option("-c,--config", configFile, "TOML configuration file")->check(CLI::ExistingFile);
    app.add_option("-l,--listen", overrides.listen,
                   "ADDR:PORT to listen on, UDP and TCP (repeatable; [::1]:53 for IPv6); "
                   "replaces server.listen");
    app.add_option("-z,--zone", overrides.zones, "NAME=FILE zone to serve (repeatable)");
    std::vector<std::string> zoneLists;
    app.add_option("--zone-list", zoneLists,
                   "file with one 'NAME FILE' zone per line to serve (repeatable)")
        ->check(CLI::ExistingFile);
    auto* threadsOption =
        app.add_option("-t,--threads", threads, "UDP worker threads (0 = one per CPU)");
    app.add_flag("--check", commandLine.check,
                 "validate the configuration and every zone file, print errors, exit 0 or 1");
    auto* userOption = app.add_option(
        "-u,--user", user, "user to switch to after binding when started as root (default nobody)");
    auto* nsidOption = app.add_option("--nsid", nsid, "NSID to send (text, or 0x followed by hex)");
    auto* levelOption =
        app.add_option("--log-level", logLevel, "trace, debug, info, warning, error or off");
    auto* formatOption = app.add_option("--log-format", logFormat, "text or json");
    app.set_version_flag("-V,--version", std::string("dnsfleet-authd ") + DNSFLEET_VERSION);

    auto* ctl = app.add_subcommand(
        "ctl",
        "send a command to the running server's control socket and print its JSON "
        "answer (exit 0: ok, 1: the command failed, 2: no server reached)");
    std::string ctlSocket;
    std::vector<std::string> ctlWords;
    unsigned ctlTimeout = 30;
    ctl->add_option("--socket", ctlSocket,
                    "control socket (default: server.control-socket of --config, else "
                    "/var/lib/dnsfleet-authd/control.sock)");
    ctl->add_option("--timeout", ctlTimeout, "seconds to wait for the answer (default 30)");
    ctl->add_option("command", ctlWords,
                    "status [ZONE] | retransfer ZONE | refresh ZONE | notify ZONE | reload")
        ->required();
    // `dnsfleet-authd ctl --config FILE status` as well as `dnsfleet-authd --config FILE ctl`.
    ctl->fallthrough();

    CLI11_PARSE(app, argc, argv);

    if (*ctl) return runCtl(ctlSocket, configFile, ctlWords, ctlTimeout);

    for (const auto& list : zoneLists) {
        if (!readZoneList(list, overrides.zones)) return 1;
    }
    if (!configFile.empty()) commandLine.configFile = configFile;
    if (threadsOption->count() != 0) overrides.threads = threads;
    if (userOption->count() != 0) overrides.user = user;
    if (nsidOption->count() != 0) overrides.nsid = nsid;
    if (levelOption->count() != 0) overrides.logLevel = logLevel;
    if (formatOption->count() != 0) overrides.logFormat = logFormat;
    if (!commandLine.configFile && overrides.zones.empty() && !commandLine.check &&
        overrides.listen.empty()) {
        std::fprintf(stderr, "%s", app.help().c_str());
        return 1;
    }
    return dnsfleet::authd::daemon::run(commandLine);
}

}  // namespace

int main(int argc, char** argv) {
    try {
        return runMain(argc, argv);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "dnsfleet-authd: fatal: %s\n", e.what());
    } catch (...) {
        std::fprintf(stderr, "dnsfleet-authd: fatal: unknown exception\n");
    }
    return 1;
}
