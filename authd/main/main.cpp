// dnsfleet-authd: the authoritative DNS server. See docs/authd.md.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "authd/daemon/daemon.hpp"

namespace {

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

    CLI11_PARSE(app, argc, argv);

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
