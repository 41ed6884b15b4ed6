#pragma once
/// \file
/// The daemon's event log: one line per event (start, listen, zone loaded, reload, stop) to
/// stderr, as text or as JSON lines. Never called per query. spdlog does the writing; this front
/// keeps spdlog's headers out of the rest of the code and escapes messages for JSON.

#include <fmt/format.h>

#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace dnsfleet::authd::log {

enum class Level : int { Trace, Debug, Info, Warning, Error, Off };
enum class Format : int { Text, Json };

/// Parses `trace`, `debug`, `info`, `warning` (or `warn`), `error`, `off`.
[[nodiscard]] std::optional<Level> parseLevel(std::string_view text) noexcept;
/// Parses `text` or `json`.
[[nodiscard]] std::optional<Format> parseFormat(std::string_view text) noexcept;

/// Sets up the stderr sink. May be called again (a reload may change the level).
void configure(Level level, Format format);

/// True when events of `level` are written; lets callers skip building a message.
[[nodiscard]] bool enabled(Level level) noexcept;

/// Writes one event. Newlines in `message` are replaced so that one event stays one line.
void write(Level level, std::string_view message) noexcept;

/// Escapes `text` for use inside a JSON string (quotes, backslashes, control characters).
[[nodiscard]] std::string jsonEscape(std::string_view text);

template <class... Args>
void at(Level level, fmt::format_string<Args...> format, Args&&... args) {
    if (enabled(level)) {
        write(level, fmt::format(format, std::forward<Args>(args)...));
    }
}
template <class... Args>
void debug(fmt::format_string<Args...> format, Args&&... args) {
    at(Level::Debug, format, std::forward<Args>(args)...);
}
template <class... Args>
void info(fmt::format_string<Args...> format, Args&&... args) {
    at(Level::Info, format, std::forward<Args>(args)...);
}
template <class... Args>
void warning(fmt::format_string<Args...> format, Args&&... args) {
    at(Level::Warning, format, std::forward<Args>(args)...);
}
template <class... Args>
void error(fmt::format_string<Args...> format, Args&&... args) {
    at(Level::Error, format, std::forward<Args>(args)...);
}

}  // namespace dnsfleet::authd::log
