// dnsfleet-controld: the control plane's daemon and its maintenance commands.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <exception>
#include <iostream>

#include "controld/main/daemon.hpp"

namespace {

int runCommand(int argc, char** argv) {
    using namespace dnsfleet::controld;
    spdlog::set_default_logger(spdlog::stderr_color_mt("controld"));
    spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%fZ %l %v", spdlog::pattern_time_type::utc);

    CLI::App app{"dnsfleet-controld: the dnsfleet control plane (REST API over TLS)"};
    app.set_version_flag("--version", DNSFLEET_VERSION);
    std::string configFile;
    app.add_option("--config", configFile, "the TOML configuration file")->check(CLI::ExistingFile);
    app.fallthrough();

    CLI::App* initCommand =
        app.add_subcommand("init", "create the data directory, database and first staff account");
    std::string staffLogin;
    std::string passwordFile;
    initCommand->add_option("--staff-login", staffLogin, "the first staff account")->required();
    initCommand
        ->add_option("--staff-password-file", passwordFile,
                     "a file whose first line is its password")
        ->required()
        ->check(CLI::ExistingFile);
    CLI::App* migrateCommand = app.add_subcommand("migrate", "apply pending schema migrations");
    CLI::App* backupCommand = app.add_subcommand("backup", "write a consistent database copy");
    std::string backupFile;
    backupCommand->add_option("--to", backupFile, "the backup file")->required();
    CLI::App* republishCommand = app.add_subcommand(
        "republish", "after a restore: every zone and the catalog under newer serials");
    std::string republishReason = "re-published after a restore from a backup";
    republishCommand->add_option("--reason", republishReason,
                                 "the description of the new versions");
    CLI::App* fleetKeyCommand = app.add_subcommand(
        "fleet-key", "print the fleet TSIG key as a dnsfleet-authd [[key]] stanza");
    CLI::App* routesCommand = app.add_subcommand("routes", "list the API's routes");
    bool asJson = false;
    routesCommand->add_flag("--json", asJson,
                            "as JSON (method, pattern, authenticated, permission)");
    app.require_subcommand(0, 1);
    CLI11_PARSE(app, argc, argv);

    try {
        config::Settings settings;
        if (!configFile.empty()) {
            settings = config::loadSettings(configFile);
        } else if (!routesCommand->parsed()) {
            std::cerr << "dnsfleet-controld: --config FILE is required\n";
            return 2;
        }
        if (routesCommand->parsed()) return daemon::printRoutes(settings, asJson, std::cout);
        if (initCommand->parsed()) return daemon::init(settings, staffLogin, passwordFile);
        if (fleetKeyCommand->parsed()) return daemon::fleetKey(settings, std::cout);
        if (migrateCommand->parsed()) return daemon::migrate(settings);
        if (backupCommand->parsed()) return daemon::backup(settings, backupFile);
        if (republishCommand->parsed()) return daemon::republish(settings, republishReason);
        return daemon::run(settings);
    } catch (const std::exception& e) {
        spdlog::critical("{}", e.what());
        return 1;
    }
}

}  // namespace

int main(int argc, char** argv) {
    // The commands report their own errors; this only keeps an exception thrown while setting
    // up logging or parsing from ending the process without a word.
    try {
        return runCommand(argc, argv);
    } catch (const std::exception& e) {
        std::cerr << "dnsfleet-controld: " << e.what() << "\n";
    } catch (...) {
        std::cerr << "dnsfleet-controld: unexpected error\n";
    }
    return 1;
}
