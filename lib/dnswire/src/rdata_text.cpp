// RDATA presentation text → uncompressed wire, driven by the registry layouts. The zone loader
// calls this once per record, so it appends to the caller's buffer and keeps its scratch space
// in thread-local buffers instead of allocating per call.

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cstring>

#include "dnswire/encoding.hpp"
#include "dnswire/rdata_field.hpp"
#include "dnswire/rdata_time.hpp"
#include "dnswire/rrtype.hpp"
#include "dnswire/wire.hpp"

namespace dnsfleet::dnswire {

namespace {

using TextResult = Result<void, std::string>;

struct Mnemonic {
    std::string_view text;
    std::uint16_t value;
};

// RFC 8624 / IANA DNS Security Algorithm Numbers mnemonics, which BIND and Knot accept.
constexpr Mnemonic kAlgorithms[] = {{"RSAMD5", 1},
                                    {"DH", 2},
                                    {"DSA", 3},
                                    {"RSASHA1", 5},
                                    {"DSA-NSEC3-SHA1", 6},
                                    {"RSASHA1-NSEC3-SHA1", 7},
                                    {"RSASHA256", 8},
                                    {"RSASHA512", 10},
                                    {"ECC-GOST", 12},
                                    {"ECDSAP256SHA256", 13},
                                    {"ECDSAP384SHA384", 14},
                                    {"ED25519", 15},
                                    {"ED448", 16},
                                    {"INDIRECT", 252},
                                    {"PRIVATEDNS", 253},
                                    {"PRIVATEOID", 254}};

// RFC 4398 §2.1 certificate types.
constexpr Mnemonic kCertTypes[] = {{"PKIX", 1},  {"SPKI", 2}, {"PGP", 3},    {"IPKIX", 4},
                                   {"ISPKI", 5}, {"IPGP", 6}, {"ACPKIX", 7}, {"IACPKIX", 8},
                                   {"URI", 253}, {"OID", 254}};

bool equalsUpper(std::string_view text, std::string_view upperText) noexcept {
    if (text.size() != upperText.size()) return false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - ('a' - 'A'));
        if (c != upperText[i]) return false;
    }
    return true;
}

// Thread-local scratch: concatenated tokens and bitmap type lists. They keep their capacity
// across calls, so a zone load allocates them once per thread.
std::string& scratchText() {
    thread_local std::string text;
    text.clear();
    return text;
}

bool parseIPv4(std::string_view text, std::uint8_t* out) noexcept {
    std::size_t part = 0;
    unsigned value = 0;
    std::size_t digits = 0;
    for (const char c : text) {
        if (c == '.') {
            if (digits == 0 || part == 3) return false;
            out[part++] = static_cast<std::uint8_t>(value);
            value = 0;
            digits = 0;
            continue;
        }
        if (c < '0' || c > '9' || digits == 3) return false;
        value = value * 10 + static_cast<unsigned>(c - '0');
        ++digits;
        if (value > 255) return false;
    }
    if (digits == 0 || part != 3) return false;
    out[3] = static_cast<std::uint8_t>(value);
    return true;
}

bool parseIPv6(std::string_view text, std::uint8_t* out) noexcept {
    char buffer[64];
    if (text.size() >= sizeof buffer) return false;
    std::memcpy(buffer, text.data(), text.size());
    buffer[text.size()] = '\0';
    return inet_pton(AF_INET6, buffer, out) == 1;
}

// A TTL with optional units (`3600`, `1h`, `1w2d`), as BIND and Knot accept in SOA timers.
bool parseTtl(std::string_view text, std::uint32_t& value) noexcept {
    if (text.empty()) return false;
    std::uint64_t total = 0;
    std::uint64_t current = 0;
    bool digits = false;
    bool units = false;
    for (const char c : text) {
        if (c >= '0' && c <= '9') {
            current = current * 10 + static_cast<std::uint64_t>(c - '0');
            if (current > 0xFFFFFFFFULL) return false;
            digits = true;
            continue;
        }
        std::uint64_t unit = 0;
        switch (c) {
            case 's':
            case 'S':
                unit = 1;
                break;
            case 'm':
            case 'M':
                unit = 60;
                break;
            case 'h':
            case 'H':
                unit = 3600;
                break;
            case 'd':
            case 'D':
                unit = 86400;
                break;
            case 'w':
            case 'W':
                unit = 604800;
                break;
            default:
                return false;
        }
        if (!digits) return false;
        total += current * unit;
        if (total > 0xFFFFFFFFULL) return false;
        current = 0;
        digits = false;
        units = true;
    }
    if (digits) {
        if (units) return false;  // `1h30` is ambiguous; BIND rejects it too
        total = current;
    }
    value = static_cast<std::uint32_t>(total);
    return true;
}

bool parseMnemonicOrNumber(std::string_view text, std::span<const Mnemonic> table,
                           std::uint64_t max, std::uint64_t& value) noexcept {
    if (detail::parseDecimal(text, max, value)) return true;
    for (const auto& m : table) {
        if (equalsUpper(text, m.text)) {
            value = m.value;
            return true;
        }
    }
    return false;
}

bool parseHexGroups(std::string_view text, char separator, std::size_t groups,
                    std::size_t digitsPerGroup, bool exactDigits, std::vector<std::uint8_t>& out) {
    std::size_t group = 0;
    std::size_t start = 0;
    while (group < groups) {
        const std::size_t stop = group + 1 == groups ? text.size() : text.find(separator, start);
        if (stop == std::string_view::npos) return false;
        const std::string_view part = text.substr(start, stop - start);
        if (part.empty() || part.size() > digitsPerGroup) return false;
        if (exactDigits && part.size() != digitsPerGroup) return false;
        char padded[4] = {'0', '0', '0', '0'};
        std::memcpy(padded + (digitsPerGroup - part.size()), part.data(), part.size());
        if (!decodeHex({padded, digitsPerGroup}, out)) return false;
        start = stop + 1;
        ++group;
    }
    return true;
}

// Appends the wire form of a presentation name. Names without escapes (nearly all of them in a
// zone) are encoded straight into `out`; the rest go through Name::fromText.
WireResult<void> appendName(std::string_view text, NameView origin,
                            std::vector<std::uint8_t>& out) {
    if (text.find('\\') != std::string_view::npos || text == "@" || text == "." || text.empty()) {
        auto name = Name::fromText(text, origin);
        if (!name) return fail(name.error());
        out.insert(out.end(), name->wire().begin(), name->wire().end());
        return {};
    }
    const bool absolute = text.back() == '.';
    if (absolute) text.remove_suffix(1);
    const std::size_t total = text.size() + 1 + (absolute ? 1 : origin.size());
    if (total > kMaxNameLength) return fail(WireError::NameTooLong);
    const std::size_t start = out.size();
    out.resize(start + total);
    std::uint8_t* p = out.data() + start;
    std::size_t labelStart = 0;
    for (std::size_t i = 0; i <= text.size(); ++i) {
        if (i < text.size() && text[i] != '.') continue;
        const std::size_t len = i - labelStart;
        if (len == 0 || len > kMaxLabelLength) {
            out.resize(start);
            return fail(len == 0 ? WireError::EmptyLabel : WireError::LabelTooLong);
        }
        *p++ = static_cast<std::uint8_t>(len);
        std::memcpy(p, text.data() + labelStart, len);
        p += len;
        labelStart = i + 1;
    }
    if (absolute) {
        *p = 0;
    } else {
        std::memcpy(p, origin.data(), origin.size());
    }
    return {};
}

// The record types that make up most of a zone skip the layout walk. Returns false (with
// `out` unchanged) when the text is not the simple case, and the general parser then runs,
// so errors are still reported in one place.
bool fastPath(std::uint16_t type, std::span<const RdataToken> tokens, NameView origin,
              std::vector<std::uint8_t>& out) {
    if (tokens.empty() || tokens[0].text == "\\#") return false;
    const std::size_t start = out.size();
    switch (type) {
        case rrtype::A: {
            std::uint8_t a[4];
            if (tokens.size() != 1 || !parseIPv4(tokens[0].text, a)) return false;
            out.insert(out.end(), a, a + 4);
            return true;
        }
        case rrtype::AAAA: {
            std::uint8_t a[16];
            if (tokens.size() != 1 || !parseIPv6(tokens[0].text, a)) return false;
            out.insert(out.end(), a, a + 16);
            return true;
        }
        case rrtype::NS:
        case rrtype::CNAME:
        case rrtype::PTR:
        case rrtype::DNAME:
            return tokens.size() == 1 && appendName(tokens[0].text, origin, out);
        case rrtype::MX: {
            std::uint64_t preference = 0;
            if (tokens.size() != 2 || !detail::parseDecimal(tokens[0].text, 0xFFFF, preference))
                return false;
            out.push_back(static_cast<std::uint8_t>(preference >> 8));
            out.push_back(static_cast<std::uint8_t>(preference));
            if (appendName(tokens[1].text, origin, out)) return true;
            out.resize(start);
            return false;
        }
        case rrtype::TXT:
            for (const RdataToken& token : tokens) {
                const std::size_t lengthAt = out.size();
                out.push_back(0);
                if (!detail::unescapeText(token.text, out) || out.size() - lengthAt - 1 > 255) {
                    out.resize(start);
                    return false;
                }
                out[lengthAt] = static_cast<std::uint8_t>(out.size() - lengthAt - 1);
            }
            if (out.size() - start <= 0xFFFF) return true;
            out.resize(start);
            return false;
        default:
            return false;
    }
}

class TextParser {
  public:
    TextParser(std::span<const RdataToken> tokens, NameView origin, std::vector<std::uint8_t>& out)
        : tokens_(tokens), origin_(origin), out_(out), start_(out.size()) {}

    TextResult parse(const RRTypeInfo& info);
    TextResult parseGeneric(std::uint16_t type);

  private:
    TextResult field(FieldKind kind);
    TextResult bitmap();
    TextResult apl();
    TextResult ipsecGateway();

    bool more() const noexcept { return next_ < tokens_.size(); }
    TextResult take(RdataToken& token, std::string_view what) {
        if (!more()) return fail(std::string("missing ").append(what));
        token = tokens_[next_++];
        return {};
    }
    // The remaining tokens concatenated (base64 and hex may be split over several).
    std::string_view rest() {
        std::string& text = scratchText();
        while (more())
            text.append(tokens_[next_++].text);
        return text;
    }
    void put16(std::uint16_t v) {
        out_.push_back(static_cast<std::uint8_t>(v >> 8));
        out_.push_back(static_cast<std::uint8_t>(v));
    }
    void put32(std::uint32_t v) {
        put16(static_cast<std::uint16_t>(v >> 16));
        put16(static_cast<std::uint16_t>(v));
    }

    std::span<const RdataToken> tokens_;
    std::size_t next_ = 0;
    NameView origin_;
    std::vector<std::uint8_t>& out_;
    std::size_t start_;
};

TextResult TextParser::parse(const RRTypeInfo& info) {
    for (const FieldKind kind : detail::layoutOf(info)) {
        DNSFLEET_TRY(field(kind));
    }
    if (more())
        return fail(detail::quoted("unexpected text", tokens_[next_].text, " after the RDATA"));
    if (out_.size() - start_ > 0xFFFF) return fail(std::string("RDATA longer than 65535 octets"));
    // The field parsers check their own syntax; this catches combinations only the wire layout
    // rules out (an empty quoted token where octets must follow, ...), so that text can never
    // produce RDATA that rdataFromWire would refuse.
    if (!validateRdata(info.code, std::span<const std::uint8_t>(out_).subspan(start_))) {
        std::string message = "RDATA does not match the format of ";
        appendTypeText(info.code, message);
        return fail(std::move(message));
    }
    return {};
}

TextResult TextParser::field(FieldKind kind) {
    RdataToken token;
    std::uint64_t value = 0;
    switch (kind) {
        case FieldKind::U8:
        case FieldKind::U16:
        case FieldKind::U32: {
            DNSFLEET_TRY(take(token, "integer"));
            const std::uint64_t max = kind == FieldKind::U8    ? 0xFF
                                      : kind == FieldKind::U16 ? 0xFFFF
                                                               : 0xFFFFFFFF;
            if (!detail::parseDecimal(token.text, max, value))
                return fail(detail::quoted("bad integer", token.text,
                                           kind == FieldKind::U8    ? " (0..255)"
                                           : kind == FieldKind::U16 ? " (0..65535)"
                                                                    : " (0..4294967295)"));
            if (kind == FieldKind::U8) {
                out_.push_back(static_cast<std::uint8_t>(value));
            } else if (kind == FieldKind::U16) {
                put16(static_cast<std::uint16_t>(value));
            } else {
                put32(static_cast<std::uint32_t>(value));
            }
            return {};
        }
        case FieldKind::Ttl: {
            DNSFLEET_TRY(take(token, "time value"));
            std::uint32_t ttl = 0;
            if (!parseTtl(token.text, ttl))
                return fail(detail::quoted("bad time value", token.text));
            put32(ttl);
            return {};
        }
        case FieldKind::TypeCode: {
            DNSFLEET_TRY(take(token, "type"));
            const auto type = typeFromText(token.text);
            if (!type) return fail(detail::quoted("unknown type", token.text));
            put16(*type);
            return {};
        }
        case FieldKind::Algorithm:
            DNSFLEET_TRY(take(token, "algorithm"));
            if (!parseMnemonicOrNumber(token.text, kAlgorithms, 0xFF, value))
                return fail(detail::quoted("bad algorithm", token.text));
            out_.push_back(static_cast<std::uint8_t>(value));
            return {};
        case FieldKind::CertType:
            DNSFLEET_TRY(take(token, "certificate type"));
            if (!parseMnemonicOrNumber(token.text, kCertTypes, 0xFFFF, value))
                return fail(detail::quoted("bad certificate type", token.text));
            put16(static_cast<std::uint16_t>(value));
            return {};
        case FieldKind::IPv4: {
            DNSFLEET_TRY(take(token, "IPv4 address"));
            std::uint8_t a[4];
            if (!parseIPv4(token.text, a))
                return fail(detail::quoted("bad IPv4 address", token.text));
            out_.insert(out_.end(), a, a + 4);
            return {};
        }
        case FieldKind::IPv6: {
            DNSFLEET_TRY(take(token, "IPv6 address"));
            std::uint8_t a[16];
            if (!parseIPv6(token.text, a))
                return fail(detail::quoted("bad IPv6 address", token.text));
            out_.insert(out_.end(), a, a + 16);
            return {};
        }
        case FieldKind::Name: {
            DNSFLEET_TRY(take(token, "domain name"));
            auto name = appendName(token.text, origin_, out_);
            if (!name) {
                return fail(detail::quoted("bad domain name", token.text, ": ")
                                .append(describe(name.error())));
            }
            return {};
        }
        case FieldKind::CharString:
        case FieldKind::CharStrings:
            do {
                DNSFLEET_TRY(take(token, "character string"));
                const std::size_t lengthAt = out_.size();
                out_.push_back(0);
                if (!detail::unescapeText(token.text, out_))
                    return fail(detail::quoted("bad escape in", token.text));
                const std::size_t length = out_.size() - lengthAt - 1;
                if (length > 255)
                    return fail(
                        detail::quoted("character string longer than 255 octets:", token.text));
                out_[lengthAt] = static_cast<std::uint8_t>(length);
            } while (kind == FieldKind::CharStrings && more());
            return {};
        case FieldKind::Base64End:
        case FieldKind::Base64EndOpt: {
            const std::size_t before = out_.size();
            const std::string_view text = rest();
            if (!decodeBase64(text, out_)) return fail(detail::quoted("bad base64 data", text));
            if (kind == FieldKind::Base64End && out_.size() == before)
                return fail(std::string("missing base64 data"));
            return {};
        }
        case FieldKind::HexEnd: {
            const std::size_t before = out_.size();
            const std::string_view text = rest();
            if (!decodeHex(text, out_)) return fail(detail::quoted("bad hex data", text));
            if (out_.size() == before) return fail(std::string("missing hex data"));
            return {};
        }
        case FieldKind::HexSalt: {
            DNSFLEET_TRY(take(token, "salt"));
            const std::size_t lengthAt = out_.size();
            out_.push_back(0);
            if (token.text != "-") {
                if (!decodeHex(token.text, out_) || out_.size() - lengthAt - 1 > 255)
                    return fail(detail::quoted("bad salt", token.text));
            }
            out_[lengthAt] = static_cast<std::uint8_t>(out_.size() - lengthAt - 1);
            return {};
        }
        case FieldKind::Base32Next: {
            DNSFLEET_TRY(take(token, "next hashed owner name"));
            const std::size_t lengthAt = out_.size();
            out_.push_back(0);
            if (!decodeBase32Hex(token.text, out_) || out_.size() == lengthAt + 1 ||
                out_.size() - lengthAt - 1 > 255)
                return fail(detail::quoted("bad base32hex hash", token.text));
            out_[lengthAt] = static_cast<std::uint8_t>(out_.size() - lengthAt - 1);
            return {};
        }
        case FieldKind::TypeBitmap:
            return bitmap();
        case FieldKind::RrsigTime: {
            DNSFLEET_TRY(take(token, "signature time"));
            std::uint32_t time = 0;
            if (!parseRrsigTime(token.text, time))
                return fail(detail::quoted("bad signature time", token.text));
            put32(time);
            return {};
        }
        case FieldKind::Loc: {
            auto loc = detail::locFromText(tokens_.subspan(next_), out_);
            next_ = tokens_.size();
            return loc;
        }
        case FieldKind::SvcParams: {
            auto params = detail::svcParamsFromText(tokens_.subspan(next_), out_);
            next_ = tokens_.size();
            return params;
        }
        case FieldKind::CaaTag: {
            DNSFLEET_TRY(take(token, "CAA tag"));
            const bool ok = !token.text.empty() && token.text.size() <= 255 &&
                            std::all_of(token.text.begin(), token.text.end(), [](char c) {
                                return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
                                       (c >= 'A' && c <= 'Z');
                            });
            if (!ok) return fail(detail::quoted("bad CAA tag", token.text));
            out_.push_back(static_cast<std::uint8_t>(token.text.size()));
            out_.insert(out_.end(), token.text.begin(), token.text.end());
            return {};
        }
        case FieldKind::StringEnd:
            DNSFLEET_TRY(take(token, "string"));
            if (!detail::unescapeText(token.text, out_))
                return fail(detail::quoted("bad escape in", token.text));
            return {};
        case FieldKind::Apl:
            return apl();
        case FieldKind::Eui48:
        case FieldKind::Eui64: {
            DNSFLEET_TRY(take(token, "EUI address"));
            const std::size_t groups = kind == FieldKind::Eui48 ? 6 : 8;
            if (token.text.size() != groups * 3 - 1 ||
                !parseHexGroups(token.text, '-', groups, 2, true, out_))
                return fail(detail::quoted("bad EUI address", token.text));
            return {};
        }
        case FieldKind::Ilnp64:
            DNSFLEET_TRY(take(token, "locator"));
            if (!parseHexGroups(token.text, ':', 4, 4, false, out_))
                return fail(detail::quoted("bad 64-bit locator", token.text));
            return {};
        case FieldKind::IpsecGateway:
            return ipsecGateway();
    }
    return fail(std::string("unsupported field"));
}

TextResult TextParser::bitmap() {
    thread_local std::vector<std::uint16_t> types;
    types.clear();
    while (more()) {
        const RdataToken& token = tokens_[next_++];
        const auto type = typeFromText(token.text);
        if (!type) return fail(detail::quoted("unknown type", token.text, " in the type bitmap"));
        types.push_back(*type);
    }
    std::sort(types.begin(), types.end());
    types.erase(std::unique(types.begin(), types.end()), types.end());
    std::size_t i = 0;
    while (i < types.size()) {
        const auto window = static_cast<std::uint8_t>(types[i] >> 8);
        std::array<std::uint8_t, 32> bits{};
        std::size_t used = 0;
        for (; i < types.size() && (types[i] >> 8) == window; ++i) {
            const std::size_t low = types[i] & 0xFFU;
            bits[low / 8] |= static_cast<std::uint8_t>(0x80U >> (low % 8));
            used = low / 8 + 1;
        }
        out_.push_back(window);
        out_.push_back(static_cast<std::uint8_t>(used));
        out_.insert(out_.end(), bits.begin(), bits.begin() + static_cast<std::ptrdiff_t>(used));
    }
    return {};
}

// RFC 3123 §5: `[!]afi:address/prefix`, trailing zero octets of the address not sent.
TextResult TextParser::apl() {
    while (more()) {
        const std::string_view text = tokens_[next_++].text;
        std::string_view item = text;
        const bool negate = !item.empty() && item.front() == '!';
        if (negate) item.remove_prefix(1);
        const std::size_t colon = item.find(':');
        const std::size_t slash = item.rfind('/');
        if (colon == std::string_view::npos || slash == std::string_view::npos || slash < colon)
            return fail(detail::quoted("bad APL item", text));
        std::uint64_t family = 0;
        std::uint64_t prefix = 0;
        const std::string_view address = item.substr(colon + 1, slash - colon - 1);
        std::uint8_t bytes[16];
        std::size_t size = 0;
        if (!detail::parseDecimal(item.substr(0, colon), 0xFFFF, family) ||
            !detail::parseDecimal(item.substr(slash + 1), 255, prefix))
            return fail(detail::quoted("bad APL item", text));
        if (family == 1 && parseIPv4(address, bytes)) {
            size = 4;
        } else if (family == 2 && parseIPv6(address, bytes)) {
            size = 16;
        } else {
            return fail(detail::quoted("bad APL item", text));
        }
        if (prefix > size * 8) return fail(detail::quoted("APL prefix too long in", text));
        while (size > 0 && bytes[size - 1] == 0)
            --size;
        put16(static_cast<std::uint16_t>(family));
        out_.push_back(static_cast<std::uint8_t>(prefix));
        out_.push_back(static_cast<std::uint8_t>((negate ? 0x80U : 0U) | size));
        out_.insert(out_.end(), bytes, bytes + size);
    }
    return {};
}

// RFC 4025 §3: the gateway's form follows the gateway type already written at offset 1.
TextResult TextParser::ipsecGateway() {
    RdataToken token;
    DNSFLEET_TRY(take(token, "gateway"));
    const std::uint8_t gatewayType = out_.size() > start_ + 1 ? out_[start_ + 1] : 0xFF;
    std::uint8_t a[16];
    switch (gatewayType) {
        case 0:
            if (token.text != ".") return fail("gateway type 0 needs '.' as gateway");
            return {};
        case 1:
            if (!parseIPv4(token.text, a))
                return fail(detail::quoted("bad IPv4 gateway", token.text));
            out_.insert(out_.end(), a, a + 4);
            return {};
        case 2:
            if (!parseIPv6(token.text, a))
                return fail(detail::quoted("bad IPv6 gateway", token.text));
            out_.insert(out_.end(), a, a + 16);
            return {};
        case 3: {
            auto name = Name::fromText(token.text, origin_);
            if (!name) return fail(detail::quoted("bad gateway name", token.text));
            out_.insert(out_.end(), name->wire().begin(), name->wire().end());
            return {};
        }
        default:
            return fail(std::string("unknown gateway type ").append(std::to_string(gatewayType)));
    }
}

// RFC 3597 §5: `\# <length> <hex>...`, the hex possibly split over tokens.
TextResult TextParser::parseGeneric(std::uint16_t type) {
    ++next_;  // the `\#`
    RdataToken token;
    DNSFLEET_TRY(take(token, "generic RDATA length"));
    std::uint64_t length = 0;
    if (!detail::parseDecimal(token.text, 0xFFFF, length))
        return fail(detail::quoted("bad generic RDATA length", token.text));
    const std::string_view hex = rest();
    if (!decodeHex(hex, out_)) return fail(detail::quoted("bad generic RDATA hex", hex));
    if (out_.size() - start_ != length) {
        std::string message = "generic RDATA length ";
        detail::appendDecimal(length, message);
        message.append(" does not match its ");
        detail::appendDecimal(out_.size() - start_, message);
        message.append(" octets");
        return fail(std::move(message));
    }
    const auto rdata = std::span<const std::uint8_t>(out_).subspan(start_);
    if (!validateRdata(type, rdata)) {
        std::string message = "generic RDATA does not match the format of ";
        appendTypeText(type, message);
        return fail(std::move(message));
    }
    return {};
}

}  // namespace

Result<void, std::string> rdataFromText(std::uint16_t type, std::span<const RdataToken> tokens,
                                        NameView origin, std::vector<std::uint8_t>& out) {
    if (fastPath(type, tokens, origin, out)) return {};
    const std::size_t start = out.size();
    TextParser parser(tokens, origin, out);
    TextResult result;
    if (!tokens.empty() && !tokens[0].quoted && tokens[0].text == "\\#") {
        result = parser.parseGeneric(type);
    } else if (const RRTypeInfo* info = findType(type); info != nullptr && !info->fields.empty()) {
        result = parser.parse(*info);
    } else {
        std::string message = "type ";
        appendTypeText(type, message);
        message.append(" needs the generic RDATA form \\# LENGTH HEX");
        result = fail(std::move(message));
    }
    if (!result) out.resize(start);
    return result;
}

}  // namespace dnsfleet::dnswire
