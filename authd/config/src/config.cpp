#include "authd/config/config.hpp"

#include <sched.h>

#include <algorithm>
#include <array>
#include <fstream>
#include <sstream>
#include <thread>
#include <unordered_map>

#include "authd/log.hpp"
#include "toml_read.hpp"

namespace dnsfleet::authd::config {
namespace {

using detail::Reporter;

constexpr std::size_t kMaxNsidLength = 128;

/// Top-level tables, read in this order so that every reference points back to a table
/// already read (zones name templates, templates name remotes and ACLs, those name keys).
constexpr std::array<std::string_view, 6> kTables = {"key",      "remote", "acl",
                                                     "template", "server", "zone"};

}  // namespace

Result<Config, Errors> parseConfig(std::string_view text, const std::filesystem::path& source) {
    const std::string sourceName = source.empty() ? std::string("<config>") : source.string();
    Reporter report(sourceName);
    toml::table root;
    try {
        root = toml::parse(text, sourceName);
    } catch (const toml::parse_error& error) {
        report.at(error.source(), "syntax", error.description());
        return fail(report.take());
    }

    Config config;
    config.source = source;
    const auto base = source.has_parent_path() ? source.parent_path() : std::filesystem::path();
    for (const auto& [key, node] : root) {
        const auto k = key.str();
        if (std::find(kTables.begin(), kTables.end(), k) == kTables.end()) {
            report.at(key.source(), k,
                      "unknown key (known: server, key, remote, acl, template, zone)");
        }
    }
    if (const auto* node = root.get("key")) detail::readKeys(*node, config, report);
    if (const auto* node = root.get("remote")) detail::readRemotes(*node, base, config, report);
    if (const auto* node = root.get("acl")) detail::readAcls(*node, config, report);
    if (const auto* node = root.get("template")) detail::readTemplates(*node, config, report);
    const toml::table kNoServerTable;
    const toml::table* serverTable = &kNoServerTable;
    if (const auto* node = root.get("server")) {
        serverTable = node->as_table();
        if (serverTable == nullptr) {
            report.at(node->source(), "server", "expected a table ([server])");
            serverTable = &kNoServerTable;
        }
    }
    detail::readServer(*serverTable, base, config.server, report);
    if (const auto* node = root.get("zone")) detail::readZones(*node, base, config, report);
    if (report.count() != 0) return fail(report.take());
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
    auto apex = detail::parseZoneName(text.substr(0, equals));
    if (!apex) return fail(fmt::format("--zone '{}': {}", text, apex.error()));
    ZoneConfig zone;
    zone.apex = *apex;
    zone.file = std::filesystem::path(text.substr(equals + 1));
    return zone;
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
                // A zone from the command line is configured like a [[zone]] that names no
                // template: it takes the "default" template's settings.
                if (const auto* defaults = config.findTemplate("default")) {
                    parsed->templateId = defaults->id;
                    parsed->settings = defaults->settings;
                }
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
