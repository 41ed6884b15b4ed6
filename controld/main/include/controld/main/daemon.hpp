#pragma once
/// \file
/// dnsfleet-controld's commands, callable from main() and from tests.
#include <filesystem>
#include <memory>
#include <ostream>
#include <string>

#include "controld/accounts/secret_box.hpp"
#include "controld/config/settings.hpp"
#include "controld/http/gateway.hpp"
#include "storage/database.hpp"

namespace dnsfleet::controld::daemon {

/// The credentials of a request in the form accounts::authenticate takes them, authenticated
/// against `db`.
[[nodiscard]] http::Authenticator databaseAuthenticator(storage::Database& db);

/// The value of cookie `name` in a Cookie header ("a=1; dnsfleet_session=xyz"), if present.
[[nodiscard]] std::optional<std::string> cookieValue(std::string_view header,
                                                     std::string_view name);

/// The database `settings` name: database-url, else SQLite in the data directory.
[[nodiscard]] std::string databaseUrl(const config::Settings& settings);
/// Opens the database (creating the data directory first). Throws.
[[nodiscard]] std::unique_ptr<storage::Database> openDatabase(const config::Settings& settings);

/// `init`: data directory, secret key, database schema, TLS certificate and the first staff
/// account (its password read from `passwordFile`, first line). Returns the exit code.
int init(const config::Settings& settings, const std::string& staffLogin,
         const std::filesystem::path& passwordFile);
/// `migrate`: applies pending migrations and prints the schema version.
int migrate(const config::Settings& settings);
/// `backup --to FILE`: a consistent copy of the database while it may be in use.
int backup(const config::Settings& settings, const std::string& destination);
/// `republish [--reason TEXT]`: after a restore from a backup, before controld starts again,
/// every zone and the catalog under a serial newer than any the edges hold
/// (zones::ZoneService::republishAll).
int republish(const config::Settings& settings, const std::string& reason);
/// `routes [--json]`: every route of the API, for the OpenAPI check and people.
int printRoutes(const config::Settings& settings, bool asJson, std::ostream& out);
/// Where the generated fleet TSIG secret is kept (sealed with the secret key, mode 0600).
[[nodiscard]] std::filesystem::path fleetKeyFile(const config::Settings& settings);
/// The fleet TSIG secret (base64): fleet.tsig-secret when configured, else the one generated at
/// the first start and kept in fleetKeyFile(), so that edges configured once keep working
/// across restarts. Throws when the file cannot be created or opened.
[[nodiscard]] std::string loadOrCreateFleetSecret(const config::Settings& settings,
                                                  const accounts::SecretBox& secrets);
/// `settings` with fleet.tsigSecret filled in by loadOrCreateFleetSecret().
[[nodiscard]] config::Settings withFleetSecret(const config::Settings& settings,
                                               const accounts::SecretBox& secrets);
/// The `[[key]]` stanza of dnsfleet-authd's configuration for the fleet key of `settings`.
void printFleetKey(const config::Settings& settings, std::ostream& out);
/// `fleet-key`: prints the `[[key]]` stanza edges need (creating the key when missing).
int fleetKey(const config::Settings& settings, std::ostream& out);
/// Serves until SIGTERM or SIGINT. Returns the exit code.
int run(const config::Settings& settings);

}  // namespace dnsfleet::controld::daemon
