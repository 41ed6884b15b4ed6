#include "authd/config/units.hpp"

#include <fmt/format.h>

#include <cctype>
#include <cstdint>
#include <limits>

namespace dnsfleet::authd::config {
namespace {

bool isDigit(char c) noexcept {
    return c >= '0' && c <= '9';
}
char lower(char c) noexcept {
    return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
}

/// Reads the digits at `pos`; false on none or on overflow.
bool readNumber(std::string_view text, std::size_t& pos, std::uint64_t& value) noexcept {
    const std::size_t start = pos;
    value = 0;
    while (pos < text.size() && isDigit(text[pos])) {
        const auto digit = static_cast<std::uint64_t>(text[pos] - '0');
        if (value > (std::numeric_limits<std::uint64_t>::max() - digit) / 10) return false;
        value = value * 10 + digit;
        ++pos;
    }
    return pos > start;
}

bool multiply(std::uint64_t& value, std::uint64_t factor) noexcept {
    if (factor != 0 && value > std::numeric_limits<std::uint64_t>::max() / factor) return false;
    value *= factor;
    return true;
}

}  // namespace

Result<std::size_t, std::string> parseSize(std::string_view text) {
    const auto bad = [&] {
        return fail(fmt::format(
            "'{}' is not a size (octets, or a number with a K, M, G or T suffix)", text));
    };
    std::size_t pos = 0;
    std::uint64_t value = 0;
    if (!readNumber(text, pos, value)) {
        if (pos == 0) return bad();
        return fail(fmt::format("'{}' is too large", text));
    }
    std::string suffix;
    for (; pos < text.size(); ++pos)
        suffix.push_back(lower(text[pos]));
    std::uint64_t factor = 1;
    if (!suffix.empty() && suffix != "b") {
        const char unit = suffix[0];
        const auto rest = std::string_view(suffix).substr(1);
        if (!(rest.empty() || rest == "b" || rest == "ib")) return bad();
        switch (unit) {
            case 'k':
                factor = std::uint64_t{1} << 10;
                break;
            case 'm':
                factor = std::uint64_t{1} << 20;
                break;
            case 'g':
                factor = std::uint64_t{1} << 30;
                break;
            case 't':
                factor = std::uint64_t{1} << 40;
                break;
            default:
                return bad();
        }
    }
    if (!multiply(value, factor) || value > std::numeric_limits<std::size_t>::max()) {
        return fail(fmt::format("'{}' is too large", text));
    }
    return static_cast<std::size_t>(value);
}

Result<std::chrono::milliseconds, std::string> parseDuration(std::string_view text) {
    const auto bad = [&] {
        return fail(fmt::format(
            "'{}' is not a duration (seconds, or parts such as 7d, 12h, 30m, 45s, 500ms)", text));
    };
    // Ten years in milliseconds is far below 2^63, so sums of checked parts cannot overflow
    // the representation once each part is capped.
    constexpr std::uint64_t kMaxMs = std::uint64_t{10} * 366 * 24 * 3600 * 1000;
    std::size_t pos = 0;
    std::uint64_t total = 0;
    bool any = false;
    while (pos < text.size()) {
        std::uint64_t value = 0;
        const std::size_t start = pos;
        if (!readNumber(text, pos, value)) {
            if (pos == start) return bad();
            return fail(fmt::format("'{}' is longer than ten years", text));
        }
        std::string unit;
        while (pos < text.size() && !isDigit(text[pos]))
            unit.push_back(lower(text[pos++]));
        std::uint64_t factor = 0;
        if (unit.empty()) {
            if (any) return bad();  // "1h30" is ambiguous
            factor = 1000;
        } else if (unit == "ms") {
            factor = 1;
        } else if (unit == "s") {
            factor = 1000;
        } else if (unit == "m") {
            factor = 60'000;
        } else if (unit == "h") {
            factor = 3'600'000;
        } else if (unit == "d") {
            factor = 86'400'000;
        } else if (unit == "w") {
            factor = 604'800'000;
        } else {
            return bad();
        }
        if (!multiply(value, factor) || value > kMaxMs || total + value > kMaxMs) {
            return fail(fmt::format("'{}' is longer than ten years", text));
        }
        total += value;
        any = true;
    }
    if (!any) return bad();
    return std::chrono::milliseconds(static_cast<std::int64_t>(total));
}

}  // namespace dnsfleet::authd::config
