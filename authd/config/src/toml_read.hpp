#pragma once
// Reading typed values out of toml++ nodes, with every problem reported as
// `file:line:col: table.key: message`. Private to the config library.

#include <fmt/format.h>
#include <toml++/toml.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "authd/config/config.hpp"

namespace dnsfleet::authd::config::detail {

/// Collects errors with the position of the node they concern.
class Reporter {
  public:
    explicit Reporter(std::string source) : source_(std::move(source)) {}

    void at(const toml::source_region& where, std::string_view key, std::string_view message);
    [[nodiscard]] std::size_t count() const noexcept { return errors_.size(); }
    /// The errors in the order of the file (tables are read in dependency order, and toml++
    /// keeps a table's keys sorted by name, so they were found in another order).
    [[nodiscard]] Errors take();

  private:
    struct Entry {
        std::uint32_t line;
        std::uint32_t column;
        std::string message;
    };
    std::string source_;
    std::vector<Entry> errors_;
};

/// A string value with where it was written, for messages about what it refers to.
struct Located {
    std::string text;
    toml::source_region where;
};

[[nodiscard]] std::string typeName(const toml::node& node);

/// An integer within [min, max].
[[nodiscard]] std::optional<std::int64_t> integerIn(const toml::node& node, std::string_view key,
                                                    std::int64_t min, std::int64_t max,
                                                    Reporter& report);
[[nodiscard]] std::optional<std::string> stringOf(const toml::node& node, std::string_view key,
                                                  Reporter& report);
[[nodiscard]] std::optional<bool> boolOf(const toml::node& node, std::string_view key,
                                         Reporter& report);
/// One string, or an array of strings (`"a"` is the same as `["a"]`).
[[nodiscard]] std::optional<std::vector<Located>> stringsOf(const toml::node& node,
                                                            std::string_view key, Reporter& report);
/// A size: an integer (octets) or a string with a K/M/G/T suffix, within [min, max].
[[nodiscard]] std::optional<std::size_t> sizeOf(const toml::node& node, std::string_view key,
                                                std::size_t min, std::size_t max, Reporter& report);
/// A duration: an integer (seconds) or a string such as "7d", "12h", "1h30m", "500ms", within
/// [min, max].
[[nodiscard]] std::optional<std::chrono::milliseconds> durationOf(const toml::node& node,
                                                                  std::string_view key,
                                                                  std::chrono::milliseconds min,
                                                                  std::chrono::milliseconds max,
                                                                  Reporter& report);
/// A duration in whole seconds.
[[nodiscard]] std::optional<std::chrono::seconds> secondsOf(const toml::node& node,
                                                            std::string_view key,
                                                            std::chrono::seconds max,
                                                            Reporter& report);
/// A non-empty path; a relative one is taken from `base` (the configuration file's folder).
[[nodiscard]] std::optional<std::filesystem::path> pathOf(const toml::node& node,
                                                          std::string_view key,
                                                          const std::filesystem::path& base,
                                                          Reporter& report);

/// A list of addresses `ADDR[:PORT]` / `[ADDR6]:PORT` (one string or an array).
[[nodiscard]] std::optional<std::vector<ListenAddress>> addressesOf(const toml::node& node,
                                                                    std::string_view key,
                                                                    Reporter& report);

/// Reports each entry of `table` whose key `isKnown` rejects as an unknown key.
template <class IsKnown>
void reportUnknownKeys(const toml::table& table, std::string_view prefix, IsKnown isKnown,
                       Reporter& report) {
    for (const auto& [key, node] : table) {
        if (!isKnown(key.str())) {
            report.at(key.source(), fmt::format("{}.{}", prefix, key.str()), "unknown key");
        }
    }
}

// ---- the transfer tables (config_xfr.cpp) ----

/// Zone settings written in a `[[template]]` or `[[zone]]`: the values and which keys set them,
/// so that a zone overrides its template key by key.
struct SettingsOverlay {
    ZoneSettings values;
    std::uint32_t set = 0;  ///< one bit per settings key
};

/// Reads `key` into `overlay` when it is a zone settings key (checking that the remotes and
/// ACLs it names exist in `config`). Returns false when `key` is not a settings key.
bool readSetting(std::string_view key, const toml::node& node, std::string_view name,
                 const Config& config, SettingsOverlay& overlay, Reporter& report);
/// Applies the keys set in `overlay` over `settings`.
void applyOverlay(const SettingsOverlay& overlay, ZoneSettings& settings);
/// Checks that every min/max pair of `settings` is in order.
void checkSettings(const ZoneSettings& settings, const toml::source_region& where,
                   std::string_view prefix, Reporter& report);

void readKeys(const toml::node& node, Config& config, Reporter& report);
void readRemotes(const toml::node& node, const std::filesystem::path& base, Config& config,
                 Reporter& report);
void readAcls(const toml::node& node, Config& config, Reporter& report);
void readTemplates(const toml::node& node, Config& config, Reporter& report);

// ---- [server] (config_server.cpp) and [[zone]] (config_zone.cpp) ----

void readServer(const toml::table& table, const std::filesystem::path& base, ServerConfig& server,
                Reporter& report);
void readZones(const toml::node& node, const std::filesystem::path& base, Config& config,
               Reporter& report);
[[nodiscard]] Result<dnswire::Name, std::string> parseZoneName(std::string_view text);

}  // namespace dnsfleet::authd::config::detail
