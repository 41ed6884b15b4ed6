#include <cstdint>
#include <string>
#include <string_view>

#include "zone/parser.hpp"

namespace dnsfleet::zone {

namespace {

std::uint64_t unitSeconds(char unit) noexcept {
    switch (unit) {
        case 's':
        case 'S':
            return 1;
        case 'm':
        case 'M':
            return 60;
        case 'h':
        case 'H':
            return 3600;
        case 'd':
        case 'D':
            return 86400;
        case 'w':
        case 'W':
            return 604800;
        default:
            return 0;
    }
}

}  // namespace

Result<std::uint32_t, std::string> parseTtl(std::string_view text) {
    auto bad = [&] { return fail("bad TTL '" + std::string(text.substr(0, 64)) + "'"); };
    if (text.empty() || text[0] < '0' || text[0] > '9') return bad();
    constexpr std::uint64_t kMax = 0xFFFFFFFFULL;
    if (text.size() <= 9) {
        // The common case: a plain number that cannot overflow.
        std::uint32_t value = 0;
        bool plain = true;
        for (const char c : text) {
            if (c < '0' || c > '9') {
                plain = false;
                break;
            }
            value = value * 10 + static_cast<std::uint32_t>(c - '0');
        }
        if (plain) return value;
    }
    std::uint64_t total = 0;
    std::uint64_t number = 0;
    bool digits = false;
    bool sawUnit = false;
    for (const char c : text) {
        if (c >= '0' && c <= '9') {
            number = number * 10 + static_cast<std::uint64_t>(c - '0');
            if (number > kMax) return fail(std::string("TTL out of range (at most 4294967295)"));
            digits = true;
            continue;
        }
        const std::uint64_t unit = unitSeconds(c);
        if (unit == 0 || !digits) return bad();
        total += number * unit;
        if (total > kMax) return fail(std::string("TTL out of range (at most 4294967295)"));
        number = 0;
        digits = false;
        sawUnit = true;
    }
    if (digits) {
        // Knot refuses `1h30`: once units are used, every number needs one.
        if (sawUnit) return bad();
        total = number;
    }
    return static_cast<std::uint32_t>(total);
}

}  // namespace dnsfleet::zone
