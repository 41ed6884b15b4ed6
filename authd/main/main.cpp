// dnsfleet-authd: the authoritative DNS server. See docs/authd.md.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>

#include "authd/daemon/daemon.hpp"

namespace {

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
