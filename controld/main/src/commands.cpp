#include <sys/stat.h>

#include <fstream>
#include <iostream>
#include <stdexcept>

#include "controld/accounts/secret_box.hpp"
#include "controld/accounts/users.hpp"
#include "controld/api/api.hpp"
#include "controld/http/server.hpp"
#include "controld/main/daemon.hpp"
#include "controld/zones/zone_service.hpp"

namespace dnsfleet::controld::daemon {

namespace {

// `routes` builds the router without a database: adding routes must not touch it.
class NoDatabase final : public storage::Database {
  public:
    [[nodiscard]] storage::Backend backend() const noexcept override {
        return storage::Backend::Sqlite;
    }
    [[nodiscard]] storage::Transaction begin(storage::Mode /*mode*/) override {
        throw std::logic_error("no database in this command");
    }
    void backup(const std::string& /*destination*/) override {
        throw std::logic_error("no database in this command");
    }
};

std::string readPassword(const std::filesystem::path& file) {
    std::ifstream in(file);
    if (!in) throw std::runtime_error(file.string() + ": cannot be read");
    std::string password;
    std::getline(in, password);
    if (!password.empty() && password.back() == '\r') password.pop_back();
    return password;
}

}  // namespace

std::string databaseUrl(const config::Settings& settings) {
    if (!settings.databaseUrl.empty()) return settings.databaseUrl;
    return std::filesystem::absolute(settings.dataDirectory / "controld.db").string();
}

std::unique_ptr<storage::Database> openDatabase(const config::Settings& settings) {
    std::filesystem::create_directories(settings.dataDirectory);
    // The directory holds the database, the secret key and the TLS key: owner only.
    ::chmod(settings.dataDirectory.c_str(), 0700);
    storage::Options options;
    options.url = databaseUrl(settings);
    options.poolSize = std::max<std::size_t>(2, settings.api.threads);
    return storage::Database::open(options);
}

int init(const config::Settings& settings, const std::string& staffLogin,
         const std::filesystem::path& passwordFile) {
    const std::string password = readPassword(passwordFile);
    auto db = openDatabase(settings);
    const std::int64_t version = db->migrate();
    std::filesystem::create_directories(settings.secretKeyFile.parent_path());
    const auto secrets = accounts::SecretBox::loadOrCreate(settings.secretKeyFile);
    if (!secrets) {
        std::cerr << "dnsfleet-controld: " << secrets.error().detail << "\n";
        return 1;
    }
    (void)http::ensureCertificate(settings);
    (void)loadOrCreateFleetSecret(settings, *secrets);
    const auto created = accounts::bootstrapStaff(*db, staffLogin, password, settings.auth);
    if (!created) {
        std::cerr << "dnsfleet-controld: staff account: " << created.error().detail << "\n";
        for (const FieldError& field : created.error().fields) {
            std::cerr << "  " << field.field << ": " << field.message << "\n";
        }
        return 1;
    }
    std::cout << "schema version " << version << "; "
              << (*created ? "staff account " + staffLogin + " created"
                           : std::string("a staff account existed already; nothing changed"))
              << "\n";
    return 0;
}

int fleetKey(const config::Settings& settings, std::ostream& out) {
    std::filesystem::create_directories(settings.secretKeyFile.parent_path());
    const auto secrets = accounts::SecretBox::loadOrCreate(settings.secretKeyFile);
    if (!secrets) {
        std::cerr << "dnsfleet-controld: " << secrets.error().detail << "\n";
        return 1;
    }
    printFleetKey(withFleetSecret(settings, *secrets), out);
    return 0;
}

int migrate(const config::Settings& settings) {
    auto db = openDatabase(settings);
    std::cout << "schema version " << db->migrate() << "\n";
    return 0;
}

int backup(const config::Settings& settings, const std::string& destination) {
    auto db = openDatabase(settings);
    db->backup(destination);
    std::cout << "backup written to " << destination << "\n";
    return 0;
}

int republish(const config::Settings& settings, const std::string& reason) {
    auto db = openDatabase(settings);
    db->migrate();
    RequestContext context;
    context.requestId = "republish";
    context.actor.kind = Actor::Kind::System;
    context.now = nowUtc();
    zones::ZoneService zones(*db, settings.nameServers);
    const std::size_t count = zones.republishAll(context, reason);
    std::cout << count << " zones re-published; the catalog serial moved ahead\n";
    return 0;
}

int printRoutes(const config::Settings& settings, bool asJson, std::ostream& out) {
    NoDatabase db;
    api::Services services{db, settings};
    const http::Router router = api::buildRouter(services);
    if (asJson) {
        nlohmann::json routes = nlohmann::json::array();
        for (const http::RouteInfo& route : router.routes()) {
            routes.push_back({{"method", route.method},
                              {"pattern", route.pattern},
                              {"authenticated", route.authenticated},
                              {"permission", route.permission}});
        }
        out << routes.dump(2) << "\n";
        return 0;
    }
    for (const http::RouteInfo& route : router.routes()) {
        out << route.method << " " << route.pattern << (route.authenticated ? "" : " (public)")
            << (route.permission.empty() ? "" : " [" + route.permission + "]") << "\n";
    }
    return 0;
}

}  // namespace dnsfleet::controld::daemon
