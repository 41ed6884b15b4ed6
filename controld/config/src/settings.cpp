#include "controld/config/settings.hpp"

#include <toml++/toml.h>

#include <cmath>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>
#include <stdexcept>

namespace dnsfleet::controld::config {

namespace {

// Reads one table: every read marks its key, and `finish` reports the keys nobody read, so
// that a misspelt setting is an error instead of a silently ignored line.
class Section {
  public:
    Section(const toml::table& table, std::string prefix, const std::string& source)
        : table_(table), prefix_(std::move(prefix)), source_(source) {}

    [[noreturn]] void error(const toml::node* node, const std::string& key,
                            const std::string& message) const {
        std::ostringstream out;
        out << source_;
        if (node != nullptr && node->source().begin.line > 0) {
            out << ":" << node->source().begin.line;
        }
        out << ": " << qualified(key) << ": " << message;
        throw std::runtime_error(out.str());
    }

    const toml::node* take(const std::string& key) {
        seen_.insert(key);
        return table_.get(key);
    }

    void string(const std::string& key, std::string& out) {
        const toml::node* node = take(key);
        if (node == nullptr) return;
        const auto* value = node->as_string();
        if (value == nullptr) error(node, key, "must be a string");
        out = value->get();
    }

    void path(const std::string& key, std::filesystem::path& out) {
        std::string text;
        string(key, text);
        if (!text.empty()) out = text;
    }

    template <class Integer>
    void integer(const std::string& key, Integer& out, std::int64_t min, std::int64_t max) {
        const toml::node* node = take(key);
        if (node == nullptr) return;
        const auto* value = node->as_integer();
        if (value == nullptr) error(node, key, "must be an integer");
        const std::int64_t number = value->get();
        if (number < min || number > max) {
            error(node, key, "must be from " + std::to_string(min) + " to " + std::to_string(max));
        }
        out = static_cast<Integer>(number);
    }

    void number(const std::string& key, double& out, double min) {
        const toml::node* node = take(key);
        if (node == nullptr) return;
        double value = 0;
        if (const auto* floating = node->as_floating_point()) {
            value = floating->get();
        } else if (const auto* whole = node->as_integer()) {
            value = static_cast<double>(whole->get());
        } else {
            error(node, key, "must be a number");
        }
        if (!std::isfinite(value) || value < min) {
            error(node, key, "must be a number of at least " + std::to_string(min));
        }
        out = value;
    }

    template <class Duration>
    void duration(const std::string& key, Duration& out, std::int64_t min, std::int64_t max) {
        std::int64_t count = out.count();
        integer(key, count, min, max);
        out = Duration(count);
    }

    void strings(const std::string& key, std::vector<std::string>& out) {
        const toml::node* node = take(key);
        if (node == nullptr) return;
        const auto* array = node->as_array();
        if (array == nullptr) error(node, key, "must be an array of strings");
        std::vector<std::string> values;
        values.reserve(array->size());
        for (const toml::node& element : *array) {
            const auto* text = element.as_string();
            if (text == nullptr) error(&element, key, "must be an array of strings");
            values.push_back(text->get());
        }
        out = std::move(values);
    }

    /// A sub-table, or nullptr when absent.
    const toml::table* table(const std::string& key) {
        const toml::node* node = take(key);
        if (node == nullptr) return nullptr;
        const auto* sub = node->as_table();
        if (sub == nullptr) error(node, key, "must be a table ([" + qualified(key) + "])");
        return sub;
    }

    void finish() const {
        for (const auto& [key, node] : table_) {
            const std::string name(key.str());
            if (seen_.count(name) == 0) error(&node, name, "unknown key");
        }
    }

    [[nodiscard]] const std::string& source() const { return source_; }
    [[nodiscard]] std::string qualified(const std::string& key) const {
        return prefix_.empty() ? key : prefix_ + "." + key;
    }

  private:
    const toml::table& table_;
    std::string prefix_;
    const std::string& source_;
    std::set<std::string> seen_;
};

constexpr std::int64_t kMaxInt = std::numeric_limits<std::int32_t>::max();
constexpr std::int64_t kMaxU32 = std::numeric_limits<std::uint32_t>::max();

void readApi(Section& section, ApiSettings& api) {
    section.string("listen", api.listen);
    section.path("certificate", api.certificate);
    section.path("private-key", api.privateKey);
    section.string("portal-origin", api.portalOrigin);
    section.integer("max-body-bytes", api.maxBodyBytes, 1, std::int64_t{1} << 30);
    section.number("rate-limit-per-second", api.rateLimitPerSecond, 0.001);
    section.number("rate-limit-burst", api.rateLimitBurst, 1.0);
    section.integer("threads", api.threads, 1, 256);
    if (api.certificate.empty() != api.privateKey.empty()) {
        section.error(nullptr, "certificate",
                      "certificate and private-key must be given together (or both left out "
                      "for a generated self-signed certificate)");
    }
}

void readAuth(Section& section, AuthSettings& auth) {
    section.duration("session-idle-seconds", auth.sessionIdle, 60, kMaxInt);
    section.duration("session-absolute-seconds", auth.sessionAbsolute, 60, kMaxInt);
    section.integer("login-failures-before-delay", auth.loginFailuresBeforeDelay, 1, 1000);
    section.duration("password-reset-validity-seconds", auth.passwordResetValidity, 60, kMaxInt);
    section.integer("password-resets-per-login", auth.passwordResetsPerLogin, 1, 1000);
    section.integer("password-resets-per-address", auth.passwordResetsPerAddress, 1, 100000);
    // OWASP's minimum for Argon2id (m=19 MiB, t=2); accounts refuses less as well.
    section.integer("argon2-memory-bytes", auth.argon2MemoryBytes, std::int64_t{19} << 20,
                    std::int64_t{4} << 30);
    section.integer("argon2-iterations", auth.argon2Iterations, 2, 100);
}

void readSmtp(Section& section, SmtpSettings& smtp) {
    section.string("url", smtp.url);
    section.string("from", smtp.from);
    section.string("username", smtp.username);
    section.string("password", smtp.password);
    if (!smtp.url.empty() && smtp.url.rfind("smtp://", 0) != 0 &&
        smtp.url.rfind("smtps://", 0) != 0) {
        section.error(nullptr, "url", "must start with smtp:// or smtps://");
    }
}

void readNameServers(Section& section, NameServerSettings& ns) {
    section.strings("servers", ns.nameServers);
    section.string("hostmaster", ns.hostmaster);
    section.integer("refresh", ns.refresh, 1, kMaxU32);
    section.integer("retry", ns.retry, 1, kMaxU32);
    section.integer("expire", ns.expire, 1, kMaxU32);
    section.integer("minimum", ns.minimum, 0, kMaxU32);
    section.integer("default-ttl", ns.defaultTtl, 0, kMaxInt);
    if (ns.nameServers.empty()) section.error(nullptr, "servers", "must name a name server");
}

void readFleet(Section& section, FleetSettings& fleet) {
    section.string("transfer-listen", fleet.transferListen);
    section.string("catalog-zone", fleet.catalogZone);
    section.string("tsig-key-name", fleet.tsigKeyName);
    section.string("tsig-algorithm", fleet.tsigAlgorithm);
    section.string("tsig-secret", fleet.tsigSecret);
    section.duration("sync-poll-interval-ms", fleet.syncPollInterval, 1, 60'000);
    section.duration("edge-query-timeout-ms", fleet.edgeQueryTimeout, 1, 60'000);
}

template <class Read, class Target>
void readSection(Section& top, const std::string& name, Read read, Target& target) {
    if (const toml::table* table = top.table(name)) {
        Section section(*table, name, top.source());
        read(section, target);
        section.finish();
    }
}

}  // namespace

Settings parseSettings(const std::string& text, const std::string& sourceName) {
    toml::table root;
    try {
        root = toml::parse(text, sourceName);
    } catch (const toml::parse_error& e) {
        std::ostringstream out;
        out << sourceName << ":" << e.source().begin.line << ": " << e.description();
        throw std::runtime_error(out.str());
    }
    Settings settings;
    Section top(root, "", sourceName);
    top.path("data-directory", settings.dataDirectory);
    top.string("database-url", settings.databaseUrl);
    top.path("secret-key-file", settings.secretKeyFile);
    std::int64_t retentionDays = settings.eventRetention.count() / 24;
    top.integer("event-retention-days", retentionDays, 1, std::int64_t{100} * 366);
    settings.eventRetention = std::chrono::hours(retentionDays * 24);
    readSection(top, "api", readApi, settings.api);
    readSection(top, "auth", readAuth, settings.auth);
    readSection(top, "smtp", readSmtp, settings.smtp);
    readSection(top, "name-servers", readNameServers, settings.nameServers);
    readSection(top, "fleet", readFleet, settings.fleet);
    top.finish();
    // A SQLite path, sqlite:PATH or a PostgreSQL URL (docs/controld/storage.md); any other
    // scheme would otherwise be taken for a file name.
    const std::string& url = settings.databaseUrl;
    if (url.find("://") != std::string::npos && url.rfind("postgresql://", 0) != 0 &&
        url.rfind("postgres://", 0) != 0 && url.rfind("sqlite:", 0) != 0) {
        top.error(nullptr, "database-url", "must be a postgresql:// URL or a SQLite path");
    }
    if (settings.secretKeyFile.empty())
        settings.secretKeyFile = settings.dataDirectory / "secret.key";
    return settings;
}

Settings loadSettings(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw std::runtime_error(file.string() + ": cannot be read");
    std::ostringstream text;
    text << in.rdbuf();
    return parseSettings(text.str(), file.string());
}

}  // namespace dnsfleet::controld::config
