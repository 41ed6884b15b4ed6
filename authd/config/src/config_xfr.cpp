// The transfer tables: [[key]], [[remote]], [[acl]], [[template]] and the zone settings keys
// that templates and zones share.
#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <unordered_map>

#include "toml_read.hpp"

namespace dnsfleet::authd::config {
namespace detail {
namespace {

constexpr std::chrono::seconds kMaxTimer{std::int64_t{10} * 366 * 24 * 3600};

/// Yields each table of an array of tables (`[[name]]`), reporting anything else.
template <class Visit>
void forEachTable(const toml::node& node, std::string_view name, Reporter& report, Visit visit) {
    const auto* list = node.as_array();
    if (list == nullptr || !list->is_array_of_tables()) {
        report.at(node.source(), name, fmt::format("expected an array of tables ([[{}]])", name));
        return;
    }
    std::size_t index = 0;
    for (const auto& item : *list) {
        visit(*item.as_table(), fmt::format("{}[{}]", name, index), index);
        ++index;
    }
}

/// Reads the `id` of a table: a non-empty string, unique among the tables of its kind.
std::optional<std::string> readId(const toml::table& table, const std::string& prefix,
                                  std::unordered_map<std::string, std::string>& seen,
                                  Reporter& report) {
    const auto* node = table.get("id");
    if (node == nullptr) {
        report.at(table.source(), prefix, "missing key 'id'");
        return std::nullopt;
    }
    auto id = stringOf(*node, prefix + ".id", report);
    if (!id) return std::nullopt;
    if (id->empty()) {
        report.at(node->source(), prefix + ".id", "empty id");
        return std::nullopt;
    }
    auto [it, fresh] = seen.emplace(*id, prefix);
    if (!fresh) {
        report.at(node->source(), prefix + ".id",
                  fmt::format("'{}' is already defined in {}", *id, it->second));
        return std::nullopt;
    }
    return id;
}

/// Reads a list of ids and checks that each names an existing table (`exists(id)`); the ids
/// are stored as `canonical(id)`.
template <class Exists>
std::optional<std::vector<std::string>> references(const toml::node& node, std::string_view name,
                                                   std::string_view kind, Exists exists,
                                                   Reporter& report) {
    auto ids = stringsOf(node, name, report);
    if (!ids) return std::nullopt;
    std::vector<std::string> result;
    bool ok = true;
    for (const auto& id : *ids) {
        auto canonical = exists(id.text);
        if (!canonical) {
            report.at(id.where, name, fmt::format("unknown {} '{}'", kind, id.text));
            ok = false;
        } else {
            result.push_back(std::move(*canonical));
        }
    }
    if (!ok) return std::nullopt;
    return result;
}

std::optional<std::string> keyReference(const Config& config, std::string_view id) {
    const auto* key = config.findKey(id);
    if (key == nullptr) return std::nullopt;
    return key->name.toText();
}

auto remoteExists(const Config& config) {
    return [&config](std::string_view id) -> std::optional<std::string> {
        if (config.findRemote(id) == nullptr) return std::nullopt;
        return std::string(id);
    };
}

auto aclExists(const Config& config) {
    return [&config](std::string_view id) -> std::optional<std::string> {
        if (config.findAcl(id) == nullptr) return std::nullopt;
        return std::string(id);
    };
}

/// Base64 of a SHA-256 digest, decoded with OpenSSL (EVP_DecodeBlock keeps the padding
/// octets, so a 32-octet digest decodes to 33).
bool isSha256Pin(const std::string& pin) {
    if (pin.size() != 44) return false;
    std::array<unsigned char, 48> out{};
    const int n = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(pin.data()),
                                  static_cast<int>(pin.size()));
    return n == 33 && pin[43] == '=' && pin[42] != '=';
}

/// makeTsigKey's messages start with the field they concern: put them at that field.
void reportKeyError(const toml::table& table, const std::string& prefix, std::string_view message,
                    Reporter& report) {
    constexpr std::string_view kSecret = "secret: ";
    if (message.substr(0, kSecret.size()) == kSecret && table.contains("secret")) {
        report.at(table.get("secret")->source(), prefix + ".secret",
                  message.substr(kSecret.size()));
    } else if (message.substr(0, 8) == "key name" && table.contains("id")) {
        report.at(table.get("id")->source(), prefix + ".id", message);
    } else {
        report.at(table.source(), prefix, message);
    }
}

using SettingReader = void (*)(const toml::node&, std::string_view, const Config&, ZoneSettings&,
                               Reporter&, bool&);
using SettingCopier = void (*)(const ZoneSettings&, ZoneSettings&);

struct SettingKey {
    std::string_view name;
    SettingReader read;
    SettingCopier copy;
};

template <auto Member>
void copyMember(const ZoneSettings& from, ZoneSettings& to) {
    to.*Member = from.*Member;
}

template <auto Member>
void readBool(const toml::node& node, std::string_view name, const Config& /*config*/,
              ZoneSettings& out, Reporter& report, bool& ok) {
    auto v = boolOf(node, name, report);
    ok = v.has_value();
    if (v) out.*Member = *v;
}

template <auto Member>
void readTimer(const toml::node& node, std::string_view name, const Config& /*config*/,
               ZoneSettings& out, Reporter& report, bool& ok) {
    auto v = secondsOf(node, name, kMaxTimer, report);
    ok = v.has_value();
    if (v) out.*Member = *v;
}

template <auto Member>
void readSize(const toml::node& node, std::string_view name, const Config& /*config*/,
              ZoneSettings& out, Reporter& report, bool& ok) {
    auto v = sizeOf(node, name, 0, std::size_t{1} << 50, report);
    ok = v.has_value();
    if (v) out.*Member = *v;
}

template <auto Member>
void readRemoteIds(const toml::node& node, std::string_view name, const Config& config,
                   ZoneSettings& out, Reporter& report, bool& ok) {
    auto v = references(node, name, "remote", remoteExists(config), report);
    ok = v.has_value();
    if (v) out.*Member = std::move(*v);
}

void readAclIds(const toml::node& node, std::string_view name, const Config& config,
                ZoneSettings& out, Reporter& report, bool& ok) {
    auto v = references(node, name, "acl", aclExists(config), report);
    ok = v.has_value();
    if (v) out.acl = std::move(*v);
}

void readMaxRecords(const toml::node& node, std::string_view name, const Config& /*config*/,
                    ZoneSettings& out, Reporter& report, bool& ok) {
    auto v = integerIn(node, name, 0, std::int64_t{1} << 40, report);
    ok = v.has_value();
    if (v) out.maxRecords = static_cast<std::size_t>(*v);
}

void readJournalDepth(const toml::node& node, std::string_view name, const Config& /*config*/,
                      ZoneSettings& out, Reporter& report, bool& ok) {
    auto v = integerIn(node, name, 1, 1'000'000, report);
    ok = v.has_value();
    if (v) out.journalMaxDepth = static_cast<std::size_t>(*v);
}

const std::array<SettingKey, 16> kSettingKeys = {{
    {"primary", &readRemoteIds<&ZoneSettings::primaries>, &copyMember<&ZoneSettings::primaries>},
    {"notify", &readRemoteIds<&ZoneSettings::notify>, &copyMember<&ZoneSettings::notify>},
    {"acl", &readAclIds, &copyMember<&ZoneSettings::acl>},
    {"max-records", &readMaxRecords, &copyMember<&ZoneSettings::maxRecords>},
    {"max-bytes", &readSize<&ZoneSettings::maxBytes>, &copyMember<&ZoneSettings::maxBytes>},
    {"journal-max-bytes", &readSize<&ZoneSettings::journalMaxBytes>,
     &copyMember<&ZoneSettings::journalMaxBytes>},
    {"journal-max-depth", &readJournalDepth, &copyMember<&ZoneSettings::journalMaxDepth>},
    {"journal-max-age", &readTimer<&ZoneSettings::journalMaxAge>,
     &copyMember<&ZoneSettings::journalMaxAge>},
    {"ixfr-condensed", &readBool<&ZoneSettings::ixfrCondensed>,
     &copyMember<&ZoneSettings::ixfrCondensed>},
    {"refresh-min", &readTimer<&ZoneSettings::refreshMin>, &copyMember<&ZoneSettings::refreshMin>},
    {"refresh-max", &readTimer<&ZoneSettings::refreshMax>, &copyMember<&ZoneSettings::refreshMax>},
    {"retry-min", &readTimer<&ZoneSettings::retryMin>, &copyMember<&ZoneSettings::retryMin>},
    {"retry-max", &readTimer<&ZoneSettings::retryMax>, &copyMember<&ZoneSettings::retryMax>},
    {"expire-min", &readTimer<&ZoneSettings::expireMin>, &copyMember<&ZoneSettings::expireMin>},
    {"expire-max", &readTimer<&ZoneSettings::expireMax>, &copyMember<&ZoneSettings::expireMax>},
    {"axfr-only", &readBool<&ZoneSettings::axfrOnly>, &copyMember<&ZoneSettings::axfrOnly>},
}};

void checkOrder(std::chrono::seconds min, std::chrono::seconds max, std::string_view what,
                const toml::source_region& where, std::string_view prefix, Reporter& report) {
    if (min.count() != 0 && max.count() != 0 && min > max) {
        report.at(where, prefix,
                  fmt::format("{}-min ({}s) is above {}-max ({}s)", what, min.count(), what,
                              max.count()));
    }
}

}  // namespace

bool readSetting(std::string_view key, const toml::node& node, std::string_view name,
                 const Config& config, SettingsOverlay& overlay, Reporter& report) {
    for (std::size_t i = 0; i < kSettingKeys.size(); ++i) {
        if (kSettingKeys[i].name != key) continue;
        bool ok = false;
        kSettingKeys[i].read(node, name, config, overlay.values, report, ok);
        if (ok) overlay.set |= std::uint32_t{1} << i;
        return true;
    }
    return false;
}

void applyOverlay(const SettingsOverlay& overlay, ZoneSettings& settings) {
    for (std::size_t i = 0; i < kSettingKeys.size(); ++i) {
        if ((overlay.set & (std::uint32_t{1} << i)) != 0) {
            kSettingKeys[i].copy(overlay.values, settings);
        }
    }
}

void checkSettings(const ZoneSettings& settings, const toml::source_region& where,
                   std::string_view prefix, Reporter& report) {
    checkOrder(settings.refreshMin, settings.refreshMax, "refresh", where, prefix, report);
    checkOrder(settings.retryMin, settings.retryMax, "retry", where, prefix, report);
    checkOrder(settings.expireMin, settings.expireMax, "expire", where, prefix, report);
}

void readKeys(const toml::node& node, Config& config, Reporter& report) {
    std::unordered_map<std::string, std::string> seen;
    forEachTable(
        node, "key", report,
        [&](const toml::table& table, const std::string& prefix, std::size_t /*index*/) {
            reportUnknownKeys(
                table, prefix,
                [](std::string_view k) { return k == "id" || k == "algorithm" || k == "secret"; },
                report);
            std::string algorithm = "hmac-sha256";
            std::optional<std::string> secret;
            bool ok = true;
            if (const auto* n = table.get("algorithm")) {
                auto v = stringOf(*n, prefix + ".algorithm", report);
                ok = ok && v.has_value();
                if (v) algorithm = *v;
                if (v && !dnswire::parseTsigAlgorithm(*v)) {
                    report.at(n->source(), prefix + ".algorithm",
                              fmt::format("unknown algorithm '{}' (hmac-sha1, hmac-sha224, "
                                          "hmac-sha256, hmac-sha384, hmac-sha512)",
                                          *v));
                    ok = false;
                }
            }
            if (const auto* n = table.get("secret")) {
                secret = stringOf(*n, prefix + ".secret", report);
                ok = ok && secret.has_value();
            } else {
                report.at(table.source(), prefix, "missing key 'secret'");
                ok = false;
            }
            const auto* idNode = table.get("id");
            if (idNode == nullptr) {
                report.at(table.source(), prefix, "missing key 'id'");
                return;
            }
            auto id = stringOf(*idNode, prefix + ".id", report);
            if (!id) return;
            auto key = ok ? dnswire::makeTsigKey(*id, algorithm, *secret)
                          : Result<dnswire::TsigKey, std::string>(fail(std::string()));
            if (!key) {
                if (!key.error().empty()) reportKeyError(table, prefix, key.error(), report);
                // Keep a key of that name (the configuration is refused anyway), so that the
                // remotes and ACLs naming it are not reported as naming an unknown key.
                auto name = dnswire::Name::fromText(*id);
                if (!name) return;
                key = dnswire::TsigKey{*name, dnswire::TsigAlgorithm::HmacSha256, {}};
                key->name.toLower();
            }
            // Key names compare as domain names: "K1" and "k1." are the same key.
            auto [it, fresh] = seen.emplace(key->name.toText(), prefix);
            if (!fresh) {
                report.at(idNode->source(), prefix + ".id",
                          fmt::format("'{}' is already defined in {}", *id, it->second));
                return;
            }
            config.keys.push_back(std::move(*key));
        });
}

void readRemotes(const toml::node& node, const std::filesystem::path& base, Config& config,
                 Reporter& report) {
    std::unordered_map<std::string, std::string> seen;
    forEachTable(
        node, "remote", report,
        [&](const toml::table& table, const std::string& prefix, std::size_t /*index*/) {
            RemoteConfig remote;
            const toml::node* tlsOnlyKey = nullptr;
            for (const auto& [key, value] : table) {
                const auto k = key.str();
                const std::string name = fmt::format("{}.{}", prefix, k);
                if (k == "id") {
                    continue;  // readId below
                } else if (k == "address") {
                    if (auto v = addressesOf(value, name, report)) {
                        remote.addresses = std::move(*v);
                        if (remote.addresses.empty()) report.at(value.source(), name, "no address");
                    }
                } else if (k == "key") {
                    if (auto v = stringOf(value, name, report)) {
                        if (auto canonical = keyReference(config, *v)) {
                            remote.key = std::move(*canonical);
                        } else {
                            report.at(value.source(), name, fmt::format("unknown key '{}'", *v));
                        }
                    }
                } else if (k == "tls") {
                    if (auto v = boolOf(value, name, report)) remote.tls = *v;
                } else if (k == "tls-hostname") {
                    tlsOnlyKey = &value;
                    if (auto v = stringOf(value, name, report)) remote.tlsHostname = *v;
                } else if (k == "tls-pin") {
                    tlsOnlyKey = &value;
                    if (auto v = stringOf(value, name, report)) {
                        if (isSha256Pin(*v)) {
                            remote.tlsPin = *v;
                        } else {
                            report.at(value.source(), name,
                                      "expected the base64 SHA-256 digest of the certificate's "
                                      "public key (44 characters)");
                        }
                    }
                } else if (k == "tls-ca-file") {
                    tlsOnlyKey = &value;
                    if (auto v = pathOf(value, name, base, report)) remote.tlsCaFile = *v;
                } else if (k == "via") {
                    if (auto v = stringOf(value, name, report)) {
                        // A source address has no port unless one is written: the kernel picks.
                        const bool hasPort = v->find("]:") != std::string::npos ||
                                             std::count(v->begin(), v->end(), ':') == 1;
                        auto parsed = parseListenAddress(*v);
                        if (!parsed) {
                            report.at(value.source(), name, parsed.error());
                        } else {
                            if (!hasPort) parsed->setPort(0);
                            remote.via = *parsed;
                        }
                    }
                } else {
                    report.at(key.source(), name, "unknown key");
                }
            }
            if (!table.contains("address"))
                report.at(table.source(), prefix, "missing key 'address'");
            if (tlsOnlyKey != nullptr && !remote.tls) {
                report.at(tlsOnlyKey->source(), prefix,
                          "tls-hostname and tls-pin need tls = true (tls-ca-file too)");
            }
            // The CA file anchors the name check; a pin alone needs no chain.
            if (!remote.tlsCaFile.empty() && remote.tlsHostname.empty()) {
                report.at(table.get("tls-ca-file")->source(), prefix + ".tls-ca-file",
                          "needs tls-hostname: the CA file is what the name is checked against");
            }
            // XoT without checking the certificate would let anyone on the path serve the zone.
            if (remote.tls && tlsOnlyKey == nullptr) {
                report.at(table.get("tls")->source(), prefix + ".tls",
                          "needs tls-hostname or tls-pin to check the remote's certificate");
            }
            // A remote with errors is kept (the configuration is refused anyway) so that the zones
            // naming it are not also reported as naming an unknown remote.
            auto id = readId(table, prefix, seen, report);
            if (!id) return;
            remote.id = std::move(*id);
            config.remotes.push_back(std::move(remote));
        });
}

void readAcls(const toml::node& node, Config& config, Reporter& report) {
    std::unordered_map<std::string, std::string> seen;
    forEachTable(
        node, "acl", report,
        [&](const toml::table& table, const std::string& prefix, std::size_t /*index*/) {
            AclConfig acl;
            for (const auto& [key, value] : table) {
                const auto k = key.str();
                const std::string name = fmt::format("{}.{}", prefix, k);
                if (k == "id") {
                    continue;
                } else if (k == "address") {
                    auto texts = stringsOf(value, name, report);
                    if (!texts) continue;
                    for (const auto& text : *texts) {
                        auto prefixParsed = parseAddressPrefix(text.text);
                        if (!prefixParsed) {
                            report.at(text.where, name, prefixParsed.error());
                        } else {
                            acl.addresses.push_back(*prefixParsed);
                        }
                    }
                } else if (k == "key") {
                    auto keys = references(
                        value, name, "key",
                        [&](std::string_view id) { return keyReference(config, id); }, report);
                    if (keys) acl.keys = std::move(*keys);
                } else if (k == "action") {
                    auto texts = stringsOf(value, name, report);
                    if (!texts) continue;
                    acl.actions.clear();
                    for (const auto& text : *texts) {
                        if (text.text == "transfer") {
                            acl.actions.push_back(AclAction::Transfer);
                        } else if (text.text == "notify") {
                            acl.actions.push_back(AclAction::Notify);
                        } else {
                            report.at(
                                text.where, name,
                                fmt::format("'{}' is not one of transfer, notify", text.text));
                        }
                    }
                    if (texts->empty()) report.at(value.source(), name, "no action");
                } else if (k == "deny") {
                    if (auto v = boolOf(value, name, report)) acl.deny = *v;
                } else if (k == "require-tls") {
                    if (auto v = boolOf(value, name, report)) acl.requireTls = *v;
                } else {
                    report.at(key.source(), name, "unknown key");
                }
            }
            auto id = readId(table, prefix, seen, report);
            if (!id) return;
            acl.id = std::move(*id);
            config.acls.push_back(std::move(acl));
        });
}

void readTemplates(const toml::node& node, Config& config, Reporter& report) {
    std::unordered_map<std::string, std::string> seen;
    forEachTable(node, "template", report,
                 [&](const toml::table& table, const std::string& prefix, std::size_t /*index*/) {
                     SettingsOverlay overlay;
                     for (const auto& [key, value] : table) {
                         const auto k = key.str();
                         if (k == "id") continue;
                         const std::string name = fmt::format("{}.{}", prefix, k);
                         if (!readSetting(k, value, name, config, overlay, report)) {
                             report.at(key.source(), name, "unknown key");
                         }
                     }
                     auto id = readId(table, prefix, seen, report);
                     if (!id) return;
                     TemplateConfig result;
                     result.id = std::move(*id);
                     applyOverlay(overlay, result.settings);
                     checkSettings(result.settings, table.source(), prefix, report);
                     config.templates.push_back(std::move(result));
                 });
}

}  // namespace detail

const dnswire::TsigKey* Config::findKey(std::string_view id) const noexcept {
    auto name = dnswire::Name::fromText(id);
    if (!name) return nullptr;
    for (const auto& key : keys) {
        if (key.name == *name) return &key;
    }
    return nullptr;
}

const RemoteConfig* Config::findRemote(std::string_view id) const noexcept {
    for (const auto& remote : remotes) {
        if (remote.id == id) return &remote;
    }
    return nullptr;
}

const AclConfig* Config::findAcl(std::string_view id) const noexcept {
    for (const auto& acl : acls) {
        if (acl.id == id) return &acl;
    }
    return nullptr;
}

const TemplateConfig* Config::findTemplate(std::string_view id) const noexcept {
    for (const auto& entry : templates) {
        if (entry.id == id) return &entry;
    }
    return nullptr;
}

}  // namespace dnsfleet::authd::config
