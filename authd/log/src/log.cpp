#include "authd/log.hpp"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <memory>
#include <mutex>

namespace dnsfleet::authd::log {
namespace {

std::atomic<int> gLevel{static_cast<int>(Level::Info)};
std::atomic<int> gFormat{static_cast<int>(Format::Text)};
std::once_flag gLoggerOnce;
std::shared_ptr<spdlog::logger> gLogger;

spdlog::level::level_enum toSpdlog(Level level) noexcept {
    switch (level) {
        case Level::Trace:
            return spdlog::level::trace;
        case Level::Debug:
            return spdlog::level::debug;
        case Level::Info:
            return spdlog::level::info;
        case Level::Warning:
            return spdlog::level::warn;
        case Level::Error:
            return spdlog::level::err;
        case Level::Off:
            break;
    }
    return spdlog::level::off;
}

spdlog::logger& logger() {
    std::call_once(gLoggerOnce, [] {
        // The plain (non-colour) stderr sink: logs usually go to a file or journald, where
        // escape codes are noise.
        gLogger = std::make_shared<spdlog::logger>(
            "authd", std::make_shared<spdlog::sinks::stderr_sink_mt>());
        gLogger->set_level(spdlog::level::trace);
        gLogger->flush_on(spdlog::level::trace);
    });
    return *gLogger;
}

void applyPattern(Format format) {
    // Times are UTC everywhere inside (architecture invariant 6).
    if (format == Format::Json) {
        logger().set_pattern(R"({"time":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l","msg":"%v"})",
                             spdlog::pattern_time_type::utc);
    } else {
        logger().set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %l: %v", spdlog::pattern_time_type::utc);
    }
}

}  // namespace

std::optional<Level> parseLevel(std::string_view text) noexcept {
    if (text == "trace") return Level::Trace;
    if (text == "debug") return Level::Debug;
    if (text == "info") return Level::Info;
    if (text == "warning" || text == "warn") return Level::Warning;
    if (text == "error") return Level::Error;
    if (text == "off") return Level::Off;
    return std::nullopt;
}

std::optional<Format> parseFormat(std::string_view text) noexcept {
    if (text == "text") return Format::Text;
    if (text == "json") return Format::Json;
    return std::nullopt;
}

void configure(Level level, Format format) {
    gLevel.store(static_cast<int>(level), std::memory_order_relaxed);
    gFormat.store(static_cast<int>(format), std::memory_order_relaxed);
    applyPattern(format);
}

bool enabled(Level level) noexcept {
    return level != Level::Off && static_cast<int>(level) >= gLevel.load(std::memory_order_relaxed);
}

std::string jsonEscape(std::string_view text) {
    std::string out;
    out.reserve(text.size() + 8);
    for (char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (u < 0x20) {
            out += fmt::format("\\u{:04x}", static_cast<unsigned>(u));
        } else {
            out += c;
        }
    }
    return out;
}

void write(Level level, std::string_view message) noexcept {
    try {
        std::string line;
        if (static_cast<Format>(gFormat.load(std::memory_order_relaxed)) == Format::Json) {
            line = jsonEscape(message);
        } else {
            line.assign(message);
            for (char& c : line) {
                if (c == '\n' || c == '\r') c = ' ';
            }
        }
        logger().log(toSpdlog(level), "{}", line);
    } catch (...) {
        // Logging must never take the daemon down; a lost log line is the lesser harm.
    }
}

}  // namespace dnsfleet::authd::log
