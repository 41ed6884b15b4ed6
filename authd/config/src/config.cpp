#include "authd/config/config.hpp"

#include <sched.h>
#include <toml++/toml.h>

#include <cctype>
#include <fstream>
#include <sstream>
#include <thread>
#include <unordered_map>

#include "authd/log.hpp"

namespace dnsfleet::authd::config {
namespace {

constexpr std::size_t kMaxNsidLength = 128;

/// Collects errors with the position of the node they concern.
class Reporter {
  public:
    explicit Reporter(std::string source) : source_(std::move(source)) {}

    void at(const toml::source_region& where, std::string_view key, std::string_view message) {
        if (where.begin.line != 0) {
            errors_.push_back(fmt::format("{}:{}:{}: {}: {}", source_, where.begin.line,
                                          where.begin.column, key, message));
        } else {
            errors_.push_back(fmt::format("{}: {}: {}", source_, key, message));
        }
    }
    Errors& errors() { return errors_; }

  private:
    std::string source_;
    Errors errors_;
};

std::string typeName(const toml::node& node) {
    switch (node.type()) {
        case toml::node_type::string:
            return "a string";
        case toml::node_type::integer:
            return "an integer";
        case toml::node_type::floating_point:
            return "a number";
        case toml::node_type::boolean:
            return "a boolean";
        case toml::node_type::array:
            return "an array";
        case toml::node_type::table:
            return "a table";
        default:
            return "a date or time";
    }
}

/// Reads an integer key within [min, max].
std::optional<std::int64_t> integerIn(const toml::node& node, std::string_view key,
                                      std::int64_t min, std::int64_t max, Reporter& report) {
    const auto* value = node.as_integer();
    if (value == nullptr) {
        report.at(node.source(), key, fmt::format("expected an integer, found {}", typeName(node)));
        return std::nullopt;
    }
    const std::int64_t v = value->get();
    if (v < min || v > max) {
        report.at(node.source(), key,
                  fmt::format("must be between {} and {}, not {}", min, max, v));
        return std::nullopt;
    }
    return v;
}

std::optional<std::string> stringOf(const toml::node& node, std::string_view key,
                                    Reporter& report) {
    const auto* value = node.as_string();
    if (value == nullptr) {
        report.at(node.source(), key, fmt::format("expected a string, found {}", typeName(node)));
        return std::nullopt;
    }
    return value->get();
}

void readListen(const toml::node& node, ServerConfig& server, Reporter& report) {
    auto add = [&](const toml::node& item) {
        auto text = stringOf(item, "server.listen", report);
        if (!text) return;
        auto parsed = parseListenAddress(*text);
        if (!parsed) {
            report.at(item.source(), "server.listen", parsed.error());
            return;
        }
        server.listen.push_back(*parsed);
    };
    if (const auto* list = node.as_array()) {
        for (const auto& item : *list)
            add(item);
    } else {
        add(node);  // a single address may be written without brackets
    }
}

void readServer(const toml::table& table, ServerConfig& server, Reporter& report) {
    for (const auto& [key, node] : table) {
        const std::string name = fmt::format("server.{}", key.str());
        const auto k = key.str();
        if (k == "listen") {
            readListen(node, server, report);
        } else if (k == "threads") {
            if (auto v = integerIn(node, name, 0, 1024, report))
                server.threads = static_cast<unsigned>(*v);
        } else if (k == "tcp-workers") {
            if (auto v = integerIn(node, name, 1, 256, report))
                server.tcpWorkers = static_cast<unsigned>(*v);
        } else if (k == "udp-max-payload") {
            if (auto v = integerIn(node, name, 512, 65535, report)) {
                server.udpMaxPayload = static_cast<std::uint16_t>(*v);
            }
        } else if (k == "tcp-idle-timeout") {
            if (auto v = integerIn(node, name, 1, 3600, report)) {
                server.tcpIdleTimeout = std::chrono::seconds(*v);
            }
        } else if (k == "tcp-max-clients") {
            if (auto v = integerIn(node, name, 1, 1'000'000, report)) {
                server.tcpMaxClients = static_cast<std::size_t>(*v);
            }
        } else if (k == "nsid") {
            if (auto v = stringOf(node, name, report)) {
                auto nsid = parseNsid(*v);
                if (nsid) {
                    server.nsid = *nsid;
                } else {
                    report.at(node.source(), name, nsid.error());
                }
            }
        } else if (k == "user") {
            if (auto v = stringOf(node, name, report)) server.user = *v;
        } else if (k == "log-level") {
            if (auto v = stringOf(node, name, report)) {
                if (log::parseLevel(*v)) {
                    server.logLevel = *v;
                } else {
                    report.at(node.source(), name,
                              fmt::format("'{}' is not one of trace, debug, info, warning, "
                                          "error, off",
                                          *v));
                }
            }
        } else if (k == "log-format") {
            if (auto v = stringOf(node, name, report)) {
                if (log::parseFormat(*v)) {
                    server.logFormat = *v;
                } else {
                    report.at(node.source(), name,
                              fmt::format("'{}' is not one of text, json", *v));
                }
            }
        } else {
            report.at(key.source(), name, "unknown key");
        }
    }
}

Result<dnswire::Name, std::string> parseZoneName(std::string_view text) {
    if (text.empty()) return fail(std::string("empty zone name"));
    auto name = dnswire::Name::fromText(text);
    if (!name) return fail(fmt::format("'{}' is not a valid domain name", text));
    dnswire::Name apex = *name;
    apex.toLower();
    return apex;
}

void readZones(const toml::node& node, const std::filesystem::path& base, Config& config,
               Reporter& report) {
    const auto* list = node.as_array();
    if (list == nullptr || !list->is_array_of_tables()) {
        report.at(node.source(), "zone", "expected an array of tables ([[zone]])");
        return;
    }
    std::unordered_map<std::string, std::size_t> seen;
    seen.reserve(list->size());
    std::size_t index = 0;
    for (const auto& item : *list) {
        const auto& table = *item.as_table();
        const std::string prefix = fmt::format("zone[{}]", index++);
        std::optional<dnswire::Name> apex;
        std::optional<std::filesystem::path> file;
        for (const auto& [key, value] : table) {
            const auto k = key.str();
            const std::string name = fmt::format("{}.{}", prefix, k);
            if (k == "name") {
                if (auto text = stringOf(value, name, report)) {
                    auto parsed = parseZoneName(*text);
                    if (!parsed) {
                        report.at(value.source(), name, parsed.error());
                    } else {
                        apex = *parsed;
                    }
                }
            } else if (k == "file") {
                if (auto text = stringOf(value, name, report)) {
                    if (text->empty()) {
                        report.at(value.source(), name, "empty file name");
                    } else {
                        std::filesystem::path path(*text);
                        file = path.is_absolute() ? path : base / path;
                    }
                }
            } else {
                report.at(key.source(), name, "unknown key");
            }
        }
        if (!table.contains("name")) report.at(table.source(), prefix, "missing key 'name'");
        if (!table.contains("file")) report.at(table.source(), prefix, "missing key 'file'");
        if (!apex || !file) continue;
        auto [it, fresh] = seen.emplace(apex->toText(), index - 1);
        if (!fresh) {
            report.at(
                table.source(), prefix + ".name",
                fmt::format("zone '{}' is already defined in zone[{}]", it->first, it->second));
            continue;
        }
        config.zones.push_back(ZoneConfig{*apex, *file});
    }
}

}  // namespace

Result<Config, Errors> parseConfig(std::string_view text, const std::filesystem::path& source) {
    const std::string sourceName = source.empty() ? std::string("<config>") : source.string();
    Reporter report(sourceName);
    toml::table root;
    try {
        root = toml::parse(text, sourceName);
    } catch (const toml::parse_error& error) {
        report.at(error.source(), "syntax", error.description());
        return fail(std::move(report.errors()));
    }

    Config config;
    config.source = source;
    const auto base = source.has_parent_path() ? source.parent_path() : std::filesystem::path();
    for (const auto& [key, node] : root) {
        const auto k = key.str();
        if (k == "server") {
            if (const auto* table = node.as_table()) {
                readServer(*table, config.server, report);
            } else {
                report.at(node.source(), "server", "expected a table ([server])");
            }
        } else if (k == "zone") {
            readZones(node, base, config, report);
        } else {
            report.at(key.source(), k, "unknown key (known: server, zone)");
        }
    }
    if (!report.errors().empty()) return fail(std::move(report.errors()));
    return config;
}

Result<Config, Errors> loadConfig(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) return fail(Errors{file.string() + ": cannot open the configuration file"});
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) return fail(Errors{file.string() + ": cannot read the configuration file"});
    return parseConfig(text.str(), file);
}

Result<ZoneConfig, std::string> parseZoneArgument(std::string_view text) {
    const auto equals = text.find('=');
    if (equals == std::string_view::npos || equals == 0 || equals + 1 == text.size()) {
        return fail(fmt::format("--zone '{}': expected NAME=FILE", text));
    }
    auto apex = parseZoneName(text.substr(0, equals));
    if (!apex) return fail(fmt::format("--zone '{}': {}", text, apex.error()));
    return ZoneConfig{*apex, std::filesystem::path(text.substr(equals + 1))};
}

Result<std::string, std::string> parseNsid(std::string_view text) {
    std::string octets;
    if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
        const auto hex = text.substr(2);
        if (hex.size() % 2 != 0)
            return fail(std::string("hex NSID needs an even number of digits"));
        auto digit = [](char c) -> int {
            if (c >= '0' && c <= '9') return c - '0';
            if (c >= 'a' && c <= 'f') return c - 'a' + 10;
            if (c >= 'A' && c <= 'F') return c - 'A' + 10;
            return -1;
        };
        for (std::size_t i = 0; i < hex.size(); i += 2) {
            const int hi = digit(hex[i]);
            const int lo = digit(hex[i + 1]);
            if (hi < 0 || lo < 0) return fail(fmt::format("'{}' is not valid hex", text));
            octets.push_back(static_cast<char>(hi * 16 + lo));
        }
    } else {
        octets.assign(text);
    }
    if (octets.size() > kMaxNsidLength) {
        return fail(fmt::format("NSID longer than {} octets", kMaxNsidLength));
    }
    return octets;
}

Result<void, Errors> applyOverrides(Config& config, const Overrides& overrides) {
    Errors errors;
    if (!overrides.listen.empty()) {
        std::vector<ListenAddress> listen;
        for (const auto& text : overrides.listen) {
            auto parsed = parseListenAddress(text);
            if (parsed) {
                listen.push_back(*parsed);
            } else {
                errors.push_back(fmt::format("--listen {}", parsed.error()));
            }
        }
        config.server.listen = std::move(listen);
    }
    if (!overrides.zones.empty()) {
        std::unordered_map<std::string, std::size_t> byName;
        for (std::size_t i = 0; i < config.zones.size(); ++i) {
            byName.emplace(config.zones[i].apex.toText(), i);
        }
        for (const auto& text : overrides.zones) {
            auto parsed = parseZoneArgument(text);
            if (!parsed) {
                errors.push_back(parsed.error());
                continue;
            }
            auto [it, fresh] = byName.emplace(parsed->apex.toText(), config.zones.size());
            if (fresh) {
                config.zones.push_back(*parsed);
            } else {
                config.zones[it->second].file = parsed->file;
            }
        }
    }
    if (overrides.threads) {
        if (*overrides.threads > 1024) {
            errors.push_back("--threads: must be between 0 and 1024");
        } else {
            config.server.threads = *overrides.threads;
        }
    }
    if (overrides.user) config.server.user = *overrides.user;
    if (overrides.nsid) {
        auto nsid = parseNsid(*overrides.nsid);
        if (nsid) {
            config.server.nsid = *nsid;
        } else {
            errors.push_back(fmt::format("--nsid: {}", nsid.error()));
        }
    }
    if (overrides.logLevel) {
        if (log::parseLevel(*overrides.logLevel)) {
            config.server.logLevel = *overrides.logLevel;
        } else {
            errors.push_back(fmt::format(
                "--log-level: '{}' is not one of trace, debug, info, warning, error, off",
                *overrides.logLevel));
        }
    }
    if (overrides.logFormat) {
        if (log::parseFormat(*overrides.logFormat)) {
            config.server.logFormat = *overrides.logFormat;
        } else {
            errors.push_back(
                fmt::format("--log-format: '{}' is not one of text, json", *overrides.logFormat));
        }
    }
    if (!errors.empty()) return fail(std::move(errors));
    return {};
}

unsigned availableCpus() noexcept {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) == 0) {
        const int count = CPU_COUNT(&set);
        if (count > 0) return static_cast<unsigned>(count);
    }
    const unsigned hw = std::thread::hardware_concurrency();
    return hw == 0 ? 1 : hw;
}

}  // namespace dnsfleet::authd::config
