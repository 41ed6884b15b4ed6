// Text primitives shared by the RDATA parsers, and a master-file-like tokenizer for callers
// that hold RDATA as one string (tests, tools, the control plane).

#include "dnswire/rdata_field.hpp"
#include "dnswire/rrtype.hpp"

namespace dnsfleet::dnswire {

namespace detail {

bool parseDecimal(std::string_view text, std::uint64_t max, std::uint64_t& value) noexcept {
    if (text.empty() || text.size() > 20) return false;
    std::uint64_t v = 0;
    for (const char c : text) {
        if (c < '0' || c > '9') return false;
        const auto digit = static_cast<std::uint64_t>(c - '0');
        if (v > (max - digit) / 10) return false;
        v = v * 10 + digit;
    }
    value = v;
    return true;
}

bool unescapeText(std::string_view text, std::vector<std::uint8_t>& out) {
    for (std::size_t i = 0; i < text.size(); ++i) {
        auto c = static_cast<std::uint8_t>(text[i]);
        if (c == '\\') {
            if (i + 1 >= text.size()) return false;
            const auto d1 = static_cast<std::uint8_t>(text[i + 1]);
            if (d1 >= '0' && d1 <= '9') {
                if (i + 3 >= text.size()) return false;
                const auto d2 = static_cast<std::uint8_t>(text[i + 2]);
                const auto d3 = static_cast<std::uint8_t>(text[i + 3]);
                if (d2 < '0' || d2 > '9' || d3 < '0' || d3 > '9') return false;
                const unsigned value = (d1 - '0') * 100U + (d2 - '0') * 10U + (d3 - '0');
                if (value > 255) return false;
                c = static_cast<std::uint8_t>(value);
                i += 3;
            } else {
                c = d1;
                i += 1;
            }
        }
        out.push_back(c);
    }
    return true;
}

}  // namespace detail

bool tokenizeRdata(std::string_view text, std::vector<RdataToken>& tokens) {
    std::size_t pos = 0;
    while (pos < text.size()) {
        const char c = text[pos];
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '(' || c == ')') {
            ++pos;
            continue;
        }
        if (c == ';') break;
        if (c == '"') {
            const std::size_t begin = ++pos;
            while (pos < text.size() && text[pos] != '"') {
                if (text[pos] == '\\' && pos + 1 < text.size()) ++pos;
                ++pos;
            }
            if (pos >= text.size()) return false;
            tokens.push_back({text.substr(begin, pos - begin), true});
            ++pos;
            continue;
        }
        const std::size_t begin = pos;
        while (pos < text.size()) {
            const char d = text[pos];
            if (d == ' ' || d == '\t' || d == '\r' || d == '\n' || d == '(' || d == ')' ||
                d == ';' || d == '"')
                break;
            if (d == '\\' && pos + 1 < text.size()) ++pos;
            ++pos;
        }
        tokens.push_back({text.substr(begin, pos - begin), false});
    }
    return true;
}

Result<void, std::string> rdataFromString(std::uint16_t type, std::string_view text,
                                          NameView origin, std::vector<std::uint8_t>& out) {
    thread_local std::vector<RdataToken> tokens;
    tokens.clear();
    if (!tokenizeRdata(text, tokens)) return fail(std::string("unterminated quoted string"));
    return rdataFromText(type, tokens, origin, out);
}

}  // namespace dnsfleet::dnswire
