// SVCB and HTTPS SvcParams (RFC 9460 §2.1, §7, Appendix A): `key=value` text with per-key
// value syntax, wire form sorted by key.

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>

#include "dnswire/encoding.hpp"
#include "dnswire/rdata_field.hpp"
#include "dnswire/wire.hpp"

namespace dnsfleet::dnswire::detail {

namespace {

using TextResult = Result<void, std::string>;

enum Key : std::uint16_t {
    kMandatory = 0,
    kAlpn = 1,
    kNoDefaultAlpn = 2,
    kPort = 3,
    kIpv4Hint = 4,
    kEch = 5,
    kIpv6Hint = 6,
    kDohPath = 7,  // RFC 9461
    kInvalidKey = 65535,
};

constexpr std::string_view kKeyNames[] = {"mandatory", "alpn", "no-default-alpn", "port",
                                          "ipv4hint",  "ech",  "ipv6hint",        "dohpath"};

bool keyFromText(std::string_view text, std::uint16_t& key) noexcept {
    for (std::size_t i = 0; i < std::size(kKeyNames); ++i) {
        if (text == kKeyNames[i]) {
            key = static_cast<std::uint16_t>(i);
            return true;
        }
    }
    std::uint64_t value = 0;
    if (text.size() > 3 && text.substr(0, 3) == "key" &&
        parseDecimal(text.substr(3), kInvalidKey - 1, value)) {
        key = static_cast<std::uint16_t>(value);
        return true;
    }
    return false;
}

void appendKey(std::uint16_t key, std::string& out) {
    if (key < std::size(kKeyNames)) {
        out.append(kKeyNames[key]);
        return;
    }
    out.append("key");
    appendDecimal(key, out);
}

// Checks one value; `params` is the whole SvcParams, for the mandatory cross-check.
bool validValue(std::uint16_t key, std::span<const std::uint8_t> v,
                std::span<const std::uint8_t> params) noexcept {
    switch (key) {
        case kMandatory: {
            if (v.empty() || v.size() % 2 != 0) return false;
            int previous = -1;
            for (std::size_t i = 0; i < v.size(); i += 2) {
                const std::uint16_t listed = loadU16(v.data() + i);
                // RFC 9460 §8: strictly increasing, never "mandatory" itself, and every
                // listed key present in the RR.
                if (listed == kMandatory || static_cast<int>(listed) <= previous) return false;
                previous = listed;
                bool present = false;
                for (std::size_t p = 0; p + 4 <= params.size();) {
                    if (loadU16(params.data() + p) == listed) present = true;
                    p += 4U + loadU16(params.data() + p + 2);
                }
                if (!present) return false;
            }
            return true;
        }
        case kAlpn: {
            if (v.empty()) return false;
            for (std::size_t i = 0; i < v.size(); i += 1U + v[i]) {
                if (v[i] == 0 || v.size() - i - 1 < v[i]) return false;
            }
            return true;
        }
        case kNoDefaultAlpn:
            return v.empty();
        case kPort:
            return v.size() == 2;
        case kIpv4Hint:
            return !v.empty() && v.size() % 4 == 0;
        case kEch:
            return !v.empty();
        case kIpv6Hint:
            return !v.empty() && v.size() % 16 == 0;
        case kDohPath:
            return !v.empty();
        case kInvalidKey:
            return false;
        default:
            return true;
    }
}

// Characters that would end or split a bare token in a master file.
bool needsEscapeBare(std::uint8_t c) noexcept {
    return c <= 0x20 || c >= 0x7F || c == '"' || c == ';' || c == '(' || c == ')' || c == '\\';
}

void appendDdd(std::uint8_t c, std::string& out) {
    out.push_back('\\');
    out.push_back(static_cast<char>('0' + c / 100));
    out.push_back(static_cast<char>('0' + (c / 10) % 10));
    out.push_back(static_cast<char>('0' + c % 10));
}

// alpn as Knot prints it: bare, items separated by commas; a comma or backslash inside an item
// gets the value-list escape (RFC 9460 Appendix A.1), itself escaped for the master file.
void appendAlpn(std::span<const std::uint8_t> v, std::string& out) {
    for (std::size_t i = 0; i < v.size(); i += 1U + v[i]) {
        if (i > 0) out.push_back(',');
        for (const std::uint8_t c : v.subspan(i + 1, v[i])) {
            if (c == ',' || c == '\\') out.append("\\\\");
            if (c == ',') {
                out.push_back(',');
            } else if (c == '\\') {
                out.append("\\\\");
            } else if (needsEscapeBare(c)) {
                appendDdd(c, out);
            } else {
                out.push_back(static_cast<char>(c));
            }
        }
    }
}

// Splits a decoded value list at unescaped commas; `\,` and `\\` stand for themselves.
template <class Item>
bool forEachListItem(std::span<const std::uint8_t> value, std::vector<std::uint8_t>& item,
                     Item&& onItem) {
    item.clear();
    for (std::size_t i = 0; i < value.size(); ++i) {
        std::uint8_t c = value[i];
        if (c == '\\') {
            if (i + 1 >= value.size()) return false;
            c = value[++i];
        } else if (c == ',') {
            if (!onItem(item)) return false;
            item.clear();
            continue;
        }
        item.push_back(c);
    }
    return onItem(item);
}

struct Param {
    std::uint16_t key;
    std::size_t offset;  // into the value buffer
    std::size_t length;
};

// Encodes the text value of `key` (already unescaped at the master-file level) into `wire`.
TextResult encodeValue(std::uint16_t key, bool hasValue, std::span<const std::uint8_t> value,
                       std::vector<std::uint8_t>& wire) {
    thread_local std::vector<std::uint8_t> item;
    const auto text = std::string_view(reinterpret_cast<const char*>(value.data()), value.size());
    std::string name;
    appendKey(key, name);
    const auto bad = [&name, &text]() -> TextResult {
        name.insert(0, "bad ");
        name.append(" value");
        return fail(quoted(name, text));
    };
    if (!hasValue && key != kNoDefaultAlpn && key < std::size(kKeyNames))
        return fail(name.append(" needs a value"));
    switch (key) {
        case kMandatory: {
            const std::size_t start = wire.size();
            const bool ok =
                forEachListItem(value, item, [&wire](const std::vector<std::uint8_t>& i) {
                    std::uint16_t listed = 0;
                    if (!keyFromText({reinterpret_cast<const char*>(i.data()), i.size()}, listed))
                        return false;
                    wire.push_back(static_cast<std::uint8_t>(listed >> 8));
                    wire.push_back(static_cast<std::uint8_t>(listed));
                    return true;
                });
            if (!ok) return bad();
            // Sorted on the wire (RFC 9460 §8); a duplicate is an error.
            std::vector<std::uint16_t> keys;
            for (std::size_t i = start; i < wire.size(); i += 2)
                keys.push_back(loadU16(wire.data() + i));
            std::sort(keys.begin(), keys.end());
            if (std::adjacent_find(keys.begin(), keys.end()) != keys.end())
                return fail(quoted("duplicate key in mandatory", text));
            for (std::size_t i = 0; i < keys.size(); ++i)
                storeU16(wire.data() + start + 2 * i, keys[i]);
            return {};
        }
        case kAlpn: {
            const bool ok =
                forEachListItem(value, item, [&wire](const std::vector<std::uint8_t>& i) {
                    if (i.empty() || i.size() > 255) return false;
                    wire.push_back(static_cast<std::uint8_t>(i.size()));
                    wire.insert(wire.end(), i.begin(), i.end());
                    return true;
                });
            return ok ? TextResult() : bad();
        }
        case kNoDefaultAlpn:
            if (hasValue) return fail(std::string("no-default-alpn takes no value"));
            return {};
        case kPort: {
            std::uint64_t port = 0;
            if (!parseDecimal(text, 0xFFFF, port)) return bad();
            wire.push_back(static_cast<std::uint8_t>(port >> 8));
            wire.push_back(static_cast<std::uint8_t>(port));
            return {};
        }
        case kIpv4Hint:
        case kIpv6Hint: {
            const int family = key == kIpv4Hint ? AF_INET : AF_INET6;
            const bool ok = forEachListItem(value, item, [&](const std::vector<std::uint8_t>& i) {
                char buffer[64];
                std::uint8_t address[16];
                if (i.empty() || i.size() >= sizeof buffer) return false;
                std::memcpy(buffer, i.data(), i.size());
                buffer[i.size()] = '\0';
                if (inet_pton(family, buffer, address) != 1) return false;
                wire.insert(wire.end(), address, address + (family == AF_INET ? 4 : 16));
                return true;
            });
            return ok ? TextResult() : bad();
        }
        case kEch:
            if (value.empty() || !decodeBase64(text, wire)) return bad();
            return {};
        default:
            wire.insert(wire.end(), value.begin(), value.end());
            return {};
    }
}

}  // namespace

WireResult<void> validateSvcParams(std::span<const std::uint8_t> params) noexcept {
    std::size_t pos = 0;
    int previous = -1;
    while (pos < params.size()) {
        if (params.size() - pos < 4) return fail(WireError::BadRdata);
        const std::uint16_t key = loadU16(params.data() + pos);
        const std::size_t len = loadU16(params.data() + pos + 2);
        // RFC 9460 §2.2: keys strictly increasing, so no duplicates either.
        if (static_cast<int>(key) <= previous || params.size() - pos - 4 < len)
            return fail(WireError::BadRdata);
        if (!validValue(key, params.subspan(pos + 4, len), params))
            return fail(WireError::BadRdata);
        previous = key;
        pos += 4 + len;
    }
    return {};
}

TextResult svcParamsFromText(std::span<const RdataToken> tokens, std::vector<std::uint8_t>& out) {
    thread_local std::vector<Param> params;
    thread_local std::vector<std::uint8_t> values;
    thread_local std::vector<std::uint8_t> raw;
    params.clear();
    values.clear();
    for (std::size_t t = 0; t < tokens.size(); ++t) {
        const std::string_view token = tokens[t].text;
        const std::size_t eq = token.find('=');
        const std::string_view keyText = token.substr(0, eq);
        std::string_view valueText;
        const bool hasValue = eq != std::string_view::npos;
        if (hasValue) {
            valueText = token.substr(eq + 1);
            // `key="value"`: master-file tokenizers split the quoted part off as its own token.
            if (valueText.empty() && t + 1 < tokens.size() && tokens[t + 1].quoted) {
                valueText = tokens[++t].text;
            } else if (valueText.size() >= 2 && valueText.front() == '"' &&
                       valueText.back() == '"') {
                valueText = valueText.substr(1, valueText.size() - 2);
            }
        }
        std::uint16_t key = 0;
        if (!keyFromText(keyText, key)) return fail(quoted("unknown SvcParamKey", keyText));
        raw.clear();
        if (!unescapeText(valueText, raw)) return fail(quoted("bad escape in", valueText));
        const std::size_t offset = values.size();
        DNSFLEET_TRY(encodeValue(key, hasValue, raw, values));
        if (values.size() - offset > 0xFFFF) return fail(quoted("SvcParam value too long:", token));
        params.push_back({key, offset, values.size() - offset});
    }
    std::sort(params.begin(), params.end(),
              [](const Param& a, const Param& b) { return a.key < b.key; });
    for (std::size_t i = 1; i < params.size(); ++i) {
        if (params[i].key == params[i - 1].key) {
            std::string message = "duplicate SvcParamKey ";
            appendKey(params[i].key, message);
            return fail(std::move(message));
        }
    }
    const std::size_t start = out.size();
    for (const Param& p : params) {
        out.push_back(static_cast<std::uint8_t>(p.key >> 8));
        out.push_back(static_cast<std::uint8_t>(p.key));
        out.push_back(static_cast<std::uint8_t>(p.length >> 8));
        out.push_back(static_cast<std::uint8_t>(p.length));
        out.insert(out.end(), values.begin() + static_cast<std::ptrdiff_t>(p.offset),
                   values.begin() + static_cast<std::ptrdiff_t>(p.offset + p.length));
    }
    if (!validateSvcParams(std::span<const std::uint8_t>(out).subspan(start)))
        return fail(std::string(
            "mandatory lists \"mandatory\" or a key that is missing from the SvcParams"));
    return {};
}

void svcParamsToText(std::span<const std::uint8_t> params, std::string& out) {
    std::size_t pos = 0;
    while (pos + 4 <= params.size()) {
        const std::uint16_t key = loadU16(params.data() + pos);
        const std::size_t len = loadU16(params.data() + pos + 2);
        const auto v = params.subspan(pos + 4, len);
        pos += 4 + len;
        out.push_back(' ');
        appendKey(key, out);
        if (key == kNoDefaultAlpn || (key >= std::size(kKeyNames) && v.empty())) continue;
        out.push_back('=');
        switch (key) {
            case kMandatory:
                for (std::size_t i = 0; i < v.size(); i += 2) {
                    if (i > 0) out.push_back(',');
                    appendKey(loadU16(v.data() + i), out);
                }
                break;
            case kAlpn:
                appendAlpn(v, out);
                break;
            case kPort:
                appendDecimal(loadU16(v.data()), out);
                break;
            case kIpv4Hint:
            case kIpv6Hint: {
                const bool v4 = key == kIpv4Hint;
                const std::size_t size = v4 ? 4 : 16;
                for (std::size_t i = 0; i < v.size(); i += size) {
                    if (i > 0) out.push_back(',');
                    char buffer[INET6_ADDRSTRLEN];
                    if (inet_ntop(v4 ? AF_INET : AF_INET6, v.data() + i, buffer, sizeof buffer))
                        out.append(buffer);
                }
                break;
            }
            case kEch:
                appendBase64(v, out);
                break;
            default:
                out.push_back('"');
                appendEscaped(v, out);
                out.push_back('"');
                break;
        }
    }
}

}  // namespace dnsfleet::dnswire::detail
