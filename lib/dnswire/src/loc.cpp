// LOC (RFC 1876): 16 octets of version, size, precisions and coordinates, with a text form of
// degrees, minutes, seconds and metres.

#include <cstdlib>
#include <initializer_list>

#include "dnswire/rdata_field.hpp"
#include "dnswire/wire.hpp"

namespace dnsfleet::dnswire::detail {

namespace {

constexpr std::int64_t kEquator = std::int64_t{1} << 31;  // RFC 1876 §2: 2^31 is 0°
constexpr std::int64_t kMsPerDegree = std::int64_t{3600} * 1000;
constexpr std::int64_t kAltitudeBase = 10000000;  // altitude is in cm above -100000 m

using TextResult = Result<void, std::string>;

// Builds an error message by appending; GCC 12 at -O3 raises a false -Wrestrict on chained
// `"literal" + std::string` concatenations.
std::string message(std::initializer_list<std::string_view> parts) {
    std::string out;
    for (const auto part : parts)
        out.append(part);
    return out;
}

// RFC 1876 §2: a size or precision octet is a mantissa and a power of ten, both 0..9.
// A zero mantissa with a non-zero exponent has no text form, so it is refused too.
bool validSize(std::uint8_t octet) noexcept {
    const unsigned mantissa = octet >> 4;
    const unsigned exponent = octet & 0x0F;
    return mantissa <= 9 && exponent <= 9 && (mantissa != 0 || exponent == 0);
}

std::int64_t sizeToCm(std::uint8_t octet) noexcept {
    std::int64_t value = octet >> 4;
    for (unsigned i = 0; i < (octet & 0x0FU); ++i)
        value *= 10;
    return value;
}

// Truncates to one significant digit as BIND, Knot and dnspython do (15 m is stored as 10 m).
std::uint8_t cmToSize(std::int64_t cm) noexcept {
    unsigned exponent = 0;
    while (cm >= 10) {
        cm /= 10;
        ++exponent;
    }
    return static_cast<std::uint8_t>((static_cast<unsigned>(cm) << 4) | exponent);
}

// A decimal with at most `fraction` fractional digits, scaled by 10^fraction.
bool parseFixed(std::string_view text, unsigned fraction, bool allowSign, std::int64_t max,
                std::int64_t& value) noexcept {
    bool negative = false;
    if (allowSign && !text.empty() && (text.front() == '-' || text.front() == '+')) {
        negative = text.front() == '-';
        text.remove_prefix(1);
    }
    const std::size_t dot = text.find('.');
    const std::string_view whole = text.substr(0, dot);
    std::string_view part =
        dot == std::string_view::npos ? std::string_view() : text.substr(dot + 1);
    if (whole.empty() || part.size() > fraction || (dot != std::string_view::npos && part.empty()))
        return false;
    std::uint64_t w = 0;
    if (!parseDecimal(whole, static_cast<std::uint64_t>(max), w)) return false;
    std::int64_t v = static_cast<std::int64_t>(w);
    for (unsigned i = 0; i < fraction; ++i) {
        v *= 10;
        if (i < part.size()) {
            const char c = part[i];
            if (c < '0' || c > '9') return false;
            v += c - '0';
        }
    }
    if (v > max) return false;
    value = negative ? -v : v;
    return true;
}

bool parseMetres(std::string_view text, bool allowSign, std::int64_t maxCm,
                 std::int64_t& cm) noexcept {
    if (!text.empty() && (text.back() == 'm' || text.back() == 'M')) text.remove_suffix(1);
    return parseFixed(text, 2, allowSign, maxCm, cm);
}

// `d [m [s]] H` where H is one of the two hemisphere letters; returns milliseconds of arc,
// negative for the second letter.
TextResult parseCoordinate(std::span<const RdataToken> tokens, std::size_t& next, char positive,
                           char negative, std::int64_t maxDegrees, std::int64_t& ms) {
    std::int64_t parts[3] = {0, 0, 0};
    std::size_t count = 0;
    const char* what = positive == 'N' ? "latitude" : "longitude";
    while (true) {
        if (next >= tokens.size()) return fail(message({"missing ", what}));
        const std::string_view text = tokens[next++].text;
        if (text.size() == 1) {
            const char c = static_cast<char>(text[0] & ~0x20);  // upper case
            if (c == positive || c == negative) {
                if (count == 0) return fail(message({"missing degrees of ", what}));
                const std::int64_t total = parts[0] * kMsPerDegree + parts[1] * 60000 + parts[2];
                if (total > maxDegrees * kMsPerDegree)
                    return fail(message({what, " out of range"}));
                ms = c == positive ? total : -total;
                return {};
            }
        }
        bool ok = false;
        if (count == 0) ok = parseFixed(text, 0, false, maxDegrees, parts[0]);
        if (count == 1) ok = parseFixed(text, 0, false, 59, parts[1]);
        if (count == 2) ok = parseFixed(text, 3, false, 59999, parts[2]);
        if (!ok) return fail(message({"bad ", what, " part '", text, "'"}));
        ++count;
    }
}

void appendCoordinate(std::uint32_t raw, char positive, char negative, std::string& out) {
    std::int64_t v = static_cast<std::int64_t>(raw) - kEquator;
    const char hemisphere = v < 0 ? negative : positive;
    v = std::llabs(v);
    appendDecimal(static_cast<std::uint64_t>(v / kMsPerDegree), out);
    out.push_back(' ');
    appendDecimal(static_cast<std::uint64_t>((v / 60000) % 60), out);
    out.push_back(' ');
    appendDecimal(static_cast<std::uint64_t>((v / 1000) % 60), out);
    if (v % 1000 != 0) {
        const auto frac = static_cast<unsigned>(v % 1000);
        out.push_back('.');
        out.push_back(static_cast<char>('0' + frac / 100));
        out.push_back(static_cast<char>('0' + (frac / 10) % 10));
        out.push_back(static_cast<char>('0' + frac % 10));
    }
    out.push_back(' ');
    out.push_back(hemisphere);
}

// Metres as Knot prints them: whole metres bare, otherwise with two decimals.
void appendMetres(std::int64_t cm, std::string& out) {
    if (cm < 0) out.push_back('-');
    const auto v = static_cast<std::uint64_t>(std::llabs(cm));
    appendDecimal(v / 100, out);
    if (v % 100 != 0) {
        out.push_back('.');
        out.push_back(static_cast<char>('0' + (v % 100) / 10));
        out.push_back(static_cast<char>('0' + v % 10));
    }
    out.push_back('m');
}

}  // namespace

WireResult<void> validateLoc(std::span<const std::uint8_t> rdata) noexcept {
    if (rdata.size() != 16 || rdata[0] != 0) return fail(WireError::BadRdata);
    if (!validSize(rdata[1]) || !validSize(rdata[2]) || !validSize(rdata[3]))
        return fail(WireError::BadRdata);
    const std::int64_t lat = static_cast<std::int64_t>(loadU32(rdata.data() + 4)) - kEquator;
    const std::int64_t lon = static_cast<std::int64_t>(loadU32(rdata.data() + 8)) - kEquator;
    if (std::llabs(lat) > 90 * kMsPerDegree || std::llabs(lon) > 180 * kMsPerDegree)
        return fail(WireError::BadRdata);
    return {};
}

TextResult locFromText(std::span<const RdataToken> tokens, std::vector<std::uint8_t>& out) {
    std::size_t next = 0;
    std::int64_t lat = 0;
    std::int64_t lon = 0;
    DNSFLEET_TRY(parseCoordinate(tokens, next, 'N', 'S', 90, lat));
    DNSFLEET_TRY(parseCoordinate(tokens, next, 'E', 'W', 180, lon));
    if (next >= tokens.size()) return fail(std::string("missing altitude"));
    std::int64_t altitude = 0;
    // RFC 1876 §3: -100000.00 .. 42849672.95 m, which is exactly the 32-bit range.
    if (!parseMetres(tokens[next].text, true, 4284967295, altitude) || altitude < -kAltitudeBase)
        return fail(message({"bad altitude '", tokens[next].text, "'"}));
    ++next;
    // Defaults of RFC 1876 §3: size 1 m, horizontal precision 10 km, vertical 10 m.
    std::int64_t sizes[3] = {100, 1000000, 1000};
    static constexpr const char* kNames[3] = {"size", "horizontal precision", "vertical precision"};
    for (std::size_t i = 0; i < 3 && next < tokens.size(); ++i, ++next) {
        if (!parseMetres(tokens[next].text, false, 9000000000, sizes[i]))
            return fail(message({"bad ", kNames[i], " '", tokens[next].text, "'"}));
    }
    if (next < tokens.size()) return fail(message({"unexpected text '", tokens[next].text, "'"}));
    out.push_back(0);
    for (const std::int64_t cm : sizes)
        out.push_back(cmToSize(cm));
    const auto put32 = [&out](std::uint32_t v) {
        out.push_back(static_cast<std::uint8_t>(v >> 24));
        out.push_back(static_cast<std::uint8_t>(v >> 16));
        out.push_back(static_cast<std::uint8_t>(v >> 8));
        out.push_back(static_cast<std::uint8_t>(v));
    };
    put32(static_cast<std::uint32_t>(kEquator + lat));
    put32(static_cast<std::uint32_t>(kEquator + lon));
    put32(static_cast<std::uint32_t>(altitude + kAltitudeBase));
    return {};
}

void locToText(std::span<const std::uint8_t> rdata, std::string& out) {
    appendCoordinate(loadU32(rdata.data() + 4), 'N', 'S', out);
    out.push_back(' ');
    appendCoordinate(loadU32(rdata.data() + 8), 'E', 'W', out);
    out.push_back(' ');
    appendMetres(static_cast<std::int64_t>(loadU32(rdata.data() + 12)) - kAltitudeBase, out);
    for (std::size_t i = 1; i <= 3; ++i) {
        out.push_back(' ');
        appendMetres(sizeToCm(rdata[i]), out);
    }
}

}  // namespace dnsfleet::dnswire::detail
