#include "dnswire/rdata_time.hpp"

#include <cstdio>

namespace dnsfleet::dnswire {

namespace {

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
constexpr std::int64_t daysFromCivil(std::int64_t y, unsigned m, unsigned d) noexcept {
    y -= m <= 2 ? 1 : 0;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const auto yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

constexpr bool isLeap(std::int64_t y) noexcept {
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

constexpr unsigned daysInMonth(std::int64_t y, unsigned m) noexcept {
    constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && isLeap(y) ? 29 : kDays[m - 1];
}

unsigned digits(std::string_view text, std::size_t at, std::size_t n) noexcept {
    unsigned v = 0;
    for (std::size_t i = 0; i < n; ++i)
        v = v * 10 + static_cast<unsigned>(text[at + i] - '0');
    return v;
}

}  // namespace

bool parseRrsigTime(std::string_view text, std::uint32_t& value) noexcept {
    if (text.empty()) return false;
    for (const char c : text) {
        if (c < '0' || c > '9') return false;
    }
    if (text.size() != 14) {
        // RFC 4034 §3.2: anything but exactly 14 digits is a plain number of seconds.
        if (text.size() > 10) return false;
        std::uint64_t v = 0;
        for (const char c : text)
            v = v * 10 + static_cast<std::uint64_t>(c - '0');
        if (v > 0xFFFFFFFFULL) return false;
        value = static_cast<std::uint32_t>(v);
        return true;
    }
    const std::int64_t year = digits(text, 0, 4);
    const unsigned month = digits(text, 4, 2);
    const unsigned day = digits(text, 6, 2);
    const unsigned hour = digits(text, 8, 2);
    const unsigned minute = digits(text, 10, 2);
    const unsigned second = digits(text, 12, 2);
    if (year < 1970 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) ||
        hour > 23 || minute > 59 || second > 59)
        return false;
    const std::int64_t seconds = daysFromCivil(year, month, day) * 86400 +
                                 std::int64_t{hour} * 3600 + std::int64_t{minute} * 60 + second;
    value = static_cast<std::uint32_t>(static_cast<std::uint64_t>(seconds) & 0xFFFFFFFFULL);
    return true;
}

void appendRrsigTime(std::uint32_t value, std::string& out) {
    // civil_from_days, for days counted from 1970-01-01.
    const std::int64_t days = value / 86400;
    const unsigned secs = value % 86400;
    const std::int64_t z = days + 719468;
    const std::int64_t era = z / 146097;
    const auto doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    const unsigned d = doy - (153 * mp + 2) / 5 + 1;
    const unsigned m = mp < 10 ? mp + 3 : mp - 9;
    const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2 ? 1 : 0);
    char buffer[24];
    const int n =
        std::snprintf(buffer, sizeof buffer, "%04lld%02u%02u%02u%02u%02u",
                      static_cast<long long>(y), m, d, secs / 3600, (secs / 60) % 60, secs % 60);
    out.append(buffer, static_cast<std::size_t>(n));
}

}  // namespace dnsfleet::dnswire
