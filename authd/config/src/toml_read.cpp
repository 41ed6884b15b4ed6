#include "toml_read.hpp"

#include <algorithm>

#include "authd/config/units.hpp"

namespace dnsfleet::authd::config::detail {

void Reporter::at(const toml::source_region& where, std::string_view key,
                  std::string_view message) {
    if (where.begin.line != 0) {
        errors_.push_back(Entry{where.begin.line, where.begin.column,
                                fmt::format("{}:{}:{}: {}: {}", source_, where.begin.line,
                                            where.begin.column, key, message)});
    } else {
        errors_.push_back(Entry{0, 0, fmt::format("{}: {}: {}", source_, key, message)});
    }
}

Errors Reporter::take() {
    std::stable_sort(errors_.begin(), errors_.end(), [](const Entry& a, const Entry& b) {
        return a.line != b.line ? a.line < b.line : a.column < b.column;
    });
    Errors result;
    result.reserve(errors_.size());
    for (auto& entry : errors_)
        result.push_back(std::move(entry.message));
    errors_.clear();
    return result;
}

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

std::optional<bool> boolOf(const toml::node& node, std::string_view key, Reporter& report) {
    const auto* value = node.as_boolean();
    if (value == nullptr) {
        report.at(node.source(), key,
                  fmt::format("expected true or false, found {}", typeName(node)));
        return std::nullopt;
    }
    return value->get();
}

std::optional<std::vector<Located>> stringsOf(const toml::node& node, std::string_view key,
                                              Reporter& report) {
    std::vector<Located> result;
    bool ok = true;
    auto add = [&](const toml::node& item) {
        if (const auto* text = item.as_string()) {
            result.push_back(Located{text->get(), item.source()});
        } else {
            report.at(
                item.source(), key,
                fmt::format("expected a string or an array of strings, found {}", typeName(item)));
            ok = false;
        }
    };
    if (const auto* list = node.as_array()) {
        for (const auto& item : *list)
            add(item);
    } else {
        add(node);
    }
    if (!ok) return std::nullopt;
    return result;
}

std::optional<std::size_t> sizeOf(const toml::node& node, std::string_view key, std::size_t min,
                                  std::size_t max, Reporter& report) {
    std::size_t value = 0;
    if (const auto* integer = node.as_integer()) {
        if (integer->get() < 0) {
            report.at(node.source(), key, fmt::format("a size cannot be negative"));
            return std::nullopt;
        }
        value = static_cast<std::size_t>(integer->get());
    } else if (const auto* text = node.as_string()) {
        auto parsed = parseSize(text->get());
        if (!parsed) {
            report.at(node.source(), key, parsed.error());
            return std::nullopt;
        }
        value = *parsed;
    } else {
        report.at(node.source(), key,
                  fmt::format("expected a size (an integer, or a string such as \"64M\"), "
                              "found {}",
                              typeName(node)));
        return std::nullopt;
    }
    if (value < min || value > max) {
        report.at(node.source(), key,
                  fmt::format("must be between {} and {} octets, not {}", min, max, value));
        return std::nullopt;
    }
    return value;
}

std::optional<std::chrono::milliseconds> durationOf(const toml::node& node, std::string_view key,
                                                    std::chrono::milliseconds min,
                                                    std::chrono::milliseconds max,
                                                    Reporter& report) {
    std::chrono::milliseconds value{0};
    if (const auto* integer = node.as_integer()) {
        const std::int64_t seconds = integer->get();
        if (seconds < 0 || seconds > max.count() / 1000 + 1) {
            report.at(node.source(), key,
                      fmt::format("must be between {} and {} seconds, not {}", min.count() / 1000,
                                  max.count() / 1000, seconds));
            return std::nullopt;
        }
        value = std::chrono::seconds(seconds);
    } else if (const auto* text = node.as_string()) {
        auto parsed = parseDuration(text->get());
        if (!parsed) {
            report.at(node.source(), key, parsed.error());
            return std::nullopt;
        }
        value = *parsed;
    } else {
        report.at(node.source(), key,
                  fmt::format("expected a duration (seconds, or a string such as \"12h\"), "
                              "found {}",
                              typeName(node)));
        return std::nullopt;
    }
    if (value < min || value > max) {
        const bool inSeconds = min.count() % 1000 == 0 && max.count() % 1000 == 0;
        if (inSeconds) {
            report.at(node.source(), key,
                      fmt::format("must be between {} and {} seconds", min.count() / 1000,
                                  max.count() / 1000));
        } else {
            report.at(
                node.source(), key,
                fmt::format("must be between {} and {} milliseconds", min.count(), max.count()));
        }
        return std::nullopt;
    }
    return value;
}

std::optional<std::chrono::seconds> secondsOf(const toml::node& node, std::string_view key,
                                              std::chrono::seconds max, Reporter& report) {
    auto value = durationOf(node, key, std::chrono::milliseconds(0), max, report);
    if (!value) return std::nullopt;
    if (value->count() % 1000 != 0) {
        report.at(node.source(), key, "must be a whole number of seconds");
        return std::nullopt;
    }
    return std::chrono::duration_cast<std::chrono::seconds>(*value);
}

std::optional<std::filesystem::path> pathOf(const toml::node& node, std::string_view key,
                                            const std::filesystem::path& base, Reporter& report) {
    auto text = stringOf(node, key, report);
    if (!text) return std::nullopt;
    if (text->empty()) {
        report.at(node.source(), key, "empty path");
        return std::nullopt;
    }
    std::filesystem::path path(*text);
    return path.is_absolute() ? path : base / path;
}

std::optional<std::vector<ListenAddress>> addressesOf(const toml::node& node, std::string_view key,
                                                      Reporter& report) {
    auto texts = stringsOf(node, key, report);
    if (!texts) return std::nullopt;
    std::vector<ListenAddress> result;
    bool ok = true;
    for (const auto& text : *texts) {
        auto parsed = parseListenAddress(text.text);
        if (!parsed) {
            report.at(text.where, key, parsed.error());
            ok = false;
        } else {
            result.push_back(*parsed);
        }
    }
    if (!ok) return std::nullopt;
    return result;
}

}  // namespace dnsfleet::authd::config::detail
