#include "controld/core/context.hpp"

#include <array>
#include <chrono>
#include <cstdio>
#include <ctime>

namespace dnsfleet::controld {

Timestamp nowUtc() noexcept {
    using namespace std::chrono;
    return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

std::string formatTimestamp(Timestamp t) {
    constexpr Timestamp kMicros = 1'000'000;
    Timestamp seconds = t / kMicros;
    Timestamp micros = t % kMicros;
    if (micros < 0) {
        micros += kMicros;
        --seconds;
    }
    const auto asTime = static_cast<std::time_t>(seconds);
    std::tm parts{};
    gmtime_r(&asTime, &parts);
    std::array<char, 40> text{};
    std::size_t length = std::strftime(text.data(), text.size(), "%Y-%m-%dT%H:%M:%S", &parts);
    if (micros != 0) {
        const int written = std::snprintf(text.data() + length, text.size() - length, ".%06lld",
                                          static_cast<long long>(micros));
        if (written > 0) length += static_cast<std::size_t>(written);
    }
    return std::string(text.data(), length) + "Z";
}

namespace {

bool digits(std::string_view text, std::size_t pos, std::size_t count, int& out) {
    if (pos + count > text.size()) return false;
    out = 0;
    for (std::size_t i = pos; i < pos + count; ++i) {
        if (text[i] < '0' || text[i] > '9') return false;
        out = out * 10 + (text[i] - '0');
    }
    return true;
}

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
std::int64_t daysFromCivil(int year, int month, int day) {
    year -= month <= 2 ? 1 : 0;
    const int era = (year >= 0 ? year : year - 399) / 400;
    const int yearOfEra = year - era * 400;
    const int dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
    const int dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear;
    return static_cast<std::int64_t>(era) * 146097 + dayOfEra - 719468;
}

bool leapYear(int year) {
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

}  // namespace

std::optional<Timestamp> parseTimestamp(std::string_view text) {
    int year = 0;
    int month = 0;
    int day = 0;
    int hour = 0;
    int minute = 0;
    int second = 0;
    if (!digits(text, 0, 4, year) || text.size() < 19 || text[4] != '-' ||
        !digits(text, 5, 2, month) || text[7] != '-' || !digits(text, 8, 2, day) ||
        (text[10] != 'T' && text[10] != 't' && text[10] != ' ') || !digits(text, 11, 2, hour) ||
        text[13] != ':' || !digits(text, 14, 2, minute) || text[16] != ':' ||
        !digits(text, 17, 2, second)) {
        return std::nullopt;
    }
    static constexpr std::array<int, 12> kDays{31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month < 1 || month > 12 || day < 1 || day > kDays[static_cast<std::size_t>(month - 1)] ||
        (month == 2 && day == 29 && !leapYear(year)) || hour > 23 || minute > 59 || second > 60) {
        return std::nullopt;
    }
    std::size_t pos = 19;
    Timestamp micros = 0;
    if (pos < text.size() && text[pos] == '.') {
        ++pos;
        Timestamp scale = 100'000;
        const std::size_t start = pos;
        while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
            micros += (text[pos] - '0') * scale;
            scale /= 10;
            ++pos;
        }
        if (pos == start) return std::nullopt;
    }
    Timestamp offsetSeconds = 0;
    if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z')) {
        ++pos;
    } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
        int offsetHours = 0;
        int offsetMinutes = 0;
        if (!digits(text, pos + 1, 2, offsetHours) || pos + 3 >= text.size() ||
            text[pos + 3] != ':' || !digits(text, pos + 4, 2, offsetMinutes) || offsetHours > 23 ||
            offsetMinutes > 59) {
            return std::nullopt;
        }
        offsetSeconds = (Timestamp{offsetHours} * 3600 + Timestamp{offsetMinutes} * 60) *
                        (text[pos] == '-' ? -1 : 1);
        pos += 6;
    } else {
        return std::nullopt;
    }
    if (pos != text.size()) return std::nullopt;
    const Timestamp seconds = daysFromCivil(year, month, day) * 86400 + Timestamp{hour} * 3600 +
                              Timestamp{minute} * 60 + second;
    return (seconds - offsetSeconds) * 1'000'000 + micros;
}

std::string_view roleName(Role role) noexcept {
    switch (role) {
        case Role::Viewer:
            return "viewer";
        case Role::Operator:
            return "operator";
        case Role::Admin:
            return "admin";
        case Role::Owner:
            return "owner";
    }
    return "viewer";
}

std::optional<Role> parseRole(std::string_view name) noexcept {
    for (Role role : {Role::Viewer, Role::Operator, Role::Admin, Role::Owner}) {
        if (roleName(role) == name) return role;
    }
    return std::nullopt;
}

int httpStatus(ErrorCode code) noexcept {
    switch (code) {
        case ErrorCode::Invalid:
            return 400;
        case ErrorCode::Unauthenticated:
            return 401;
        case ErrorCode::Forbidden:
            return 403;
        case ErrorCode::NotFound:
            return 404;
        case ErrorCode::MethodNotAllowed:
            return 405;
        case ErrorCode::Conflict:
            return 409;
        case ErrorCode::PreconditionFailed:
            return 412;
        case ErrorCode::PayloadTooLarge:
            return 413;
        case ErrorCode::UnsupportedMediaType:
            return 415;
        case ErrorCode::PreconditionRequired:
            return 428;
        case ErrorCode::TooManyRequests:
            return 429;
        case ErrorCode::Internal:
            return 500;
        case ErrorCode::Unavailable:
            return 503;
    }
    return 500;
}

std::string_view errorTitle(ErrorCode code) noexcept {
    switch (code) {
        case ErrorCode::Invalid:
            return "Invalid request";
        case ErrorCode::Unauthenticated:
            return "Authentication required";
        case ErrorCode::Forbidden:
            return "Forbidden";
        case ErrorCode::NotFound:
            return "Not found";
        case ErrorCode::MethodNotAllowed:
            return "Method not allowed";
        case ErrorCode::Conflict:
            return "Conflict";
        case ErrorCode::PreconditionFailed:
            return "Precondition failed";
        case ErrorCode::PayloadTooLarge:
            return "Payload too large";
        case ErrorCode::UnsupportedMediaType:
            return "Unsupported media type";
        case ErrorCode::PreconditionRequired:
            return "Precondition required";
        case ErrorCode::TooManyRequests:
            return "Too many requests";
        case ErrorCode::Internal:
            return "Internal error";
        case ErrorCode::Unavailable:
            return "Service unavailable";
    }
    return "Internal error";
}

ServiceError invalid(std::string detail, std::vector<FieldError> fields) {
    return ServiceError{ErrorCode::Invalid, std::move(detail), std::move(fields), {}, 0};
}
ServiceError notFound(std::string detail) {
    return ServiceError{ErrorCode::NotFound, std::move(detail), {}, {}, 0};
}
ServiceError forbidden(std::string detail) {
    return ServiceError{ErrorCode::Forbidden, std::move(detail), {}, {}, 0};
}
ServiceError conflict(std::string detail, std::vector<std::string> conflicts) {
    return ServiceError{ErrorCode::Conflict, std::move(detail), {}, std::move(conflicts), 0};
}
ServiceError unauthenticated(std::string detail) {
    return ServiceError{ErrorCode::Unauthenticated, std::move(detail), {}, {}, 0};
}

}  // namespace dnsfleet::controld
