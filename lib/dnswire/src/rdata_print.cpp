// Uncompressed wire RDATA → presentation text in the form Knot DNS and BIND print, such that
// rdataFromText() reads it back to the same octets.

#include <arpa/inet.h>

#include <cstdio>

#include "dnswire/encoding.hpp"
#include "dnswire/rdata_field.hpp"
#include "dnswire/rdata_time.hpp"
#include "dnswire/rrtype.hpp"
#include "dnswire/wire.hpp"

namespace dnsfleet::dnswire {

namespace detail {

void appendDecimal(std::uint64_t value, std::string& out) {
    char buffer[24];
    std::size_t n = 0;
    do {
        buffer[n++] = static_cast<char>('0' + value % 10);
        value /= 10;
    } while (value != 0);
    while (n > 0)
        out.push_back(buffer[--n]);
}

std::string quoted(std::string_view what, std::string_view text, std::string_view after) {
    std::string out;
    out.reserve(what.size() + text.size() + after.size() + 3);
    out.append(what).append(" '").append(text).push_back('\'');
    out.append(after);
    return out;
}

void appendEscaped(std::span<const std::uint8_t> data, std::string& out) {
    for (const std::uint8_t c : data) {
        if (c < 0x20 || c >= 0x7F) {
            out.push_back('\\');
            out.push_back(static_cast<char>('0' + c / 100));
            out.push_back(static_cast<char>('0' + (c / 10) % 10));
            out.push_back(static_cast<char>('0' + c % 10));
            continue;
        }
        if (c == '"' || c == '\\') out.push_back('\\');
        out.push_back(static_cast<char>(c));
    }
}

}  // namespace detail

namespace {

void appendQuoted(std::span<const std::uint8_t> data, std::string& out) {
    out.push_back('"');
    detail::appendEscaped(data, out);
    out.push_back('"');
}

void appendIPv4(const std::uint8_t* p, std::string& out) {
    for (int i = 0; i < 4; ++i) {
        if (i > 0) out.push_back('.');
        detail::appendDecimal(p[i], out);
    }
}

void appendIPv6(const std::uint8_t* p, std::string& out) {
    char buffer[INET6_ADDRSTRLEN];
    if (inet_ntop(AF_INET6, p, buffer, sizeof buffer) != nullptr) out.append(buffer);
}

void appendHexGroups(std::span<const std::uint8_t> data, std::size_t bytesPerGroup, char separator,
                     std::string& out) {
    static constexpr char kDigits[] =
        "0123456789ABCDEF";  // Knot prints EUI and locators upper-case
    for (std::size_t i = 0; i < data.size(); ++i) {
        if (i > 0 && i % bytesPerGroup == 0) out.push_back(separator);
        out.push_back(kDigits[data[i] >> 4]);
        out.push_back(kDigits[data[i] & 0x0F]);
    }
}

void appendBitmap(std::span<const std::uint8_t> bitmap, std::string& out) {
    std::size_t pos = 0;
    while (pos + 2 <= bitmap.size()) {
        const unsigned window = bitmap[pos];
        const std::size_t len = bitmap[pos + 1];
        for (std::size_t i = 0; i < len; ++i) {
            const std::uint8_t bits = bitmap[pos + 2 + i];
            for (unsigned b = 0; b < 8; ++b) {
                if ((bits & (0x80U >> b)) == 0) continue;
                out.push_back(' ');
                appendTypeText(static_cast<std::uint16_t>(std::size_t{window} * 256 + i * 8 + b),
                               out);
            }
        }
        pos += 2 + len;
    }
}

void appendApl(std::span<const std::uint8_t> items, std::string& out) {
    std::size_t pos = 0;
    while (pos + 4 <= items.size()) {
        const std::uint16_t family = loadU16(items.data() + pos);
        const std::size_t len = items[pos + 3] & 0x7FU;
        std::uint8_t address[16] = {};
        for (std::size_t i = 0; i < len; ++i)
            address[i] = items[pos + 4 + i];
        out.push_back(' ');
        if ((items[pos + 3] & 0x80U) != 0) out.push_back('!');
        detail::appendDecimal(family, out);
        out.push_back(':');
        if (family == 1) {
            appendIPv4(address, out);
        } else {
            appendIPv6(address, out);
        }
        out.push_back('/');
        detail::appendDecimal(items[pos + 2], out);
        pos += 4 + len;
    }
}

// Appends one validated field, preceded by a space. Fields that can be empty print nothing.
void appendField(FieldKind kind, std::span<const std::uint8_t> f, std::uint8_t gatewayType,
                 std::string& out) {
    switch (kind) {
        case FieldKind::TypeBitmap:
            appendBitmap(f, out);
            return;
        case FieldKind::Apl:
            appendApl(f, out);
            return;
        case FieldKind::SvcParams:
            detail::svcParamsToText(f, out);
            return;
        case FieldKind::Base64EndOpt:
            if (f.empty()) return;
            break;
        default:
            break;
    }
    out.push_back(' ');
    switch (kind) {
        case FieldKind::U8:
        case FieldKind::Algorithm:
            detail::appendDecimal(f[0], out);
            return;
        case FieldKind::U16:
        case FieldKind::CertType:
            detail::appendDecimal(loadU16(f.data()), out);
            return;
        case FieldKind::U32:
        case FieldKind::Ttl:
            detail::appendDecimal(loadU32(f.data()), out);
            return;
        case FieldKind::TypeCode:
            appendTypeText(loadU16(f.data()), out);
            return;
        case FieldKind::IPv4:
            appendIPv4(f.data(), out);
            return;
        case FieldKind::IPv6:
            appendIPv6(f.data(), out);
            return;
        case FieldKind::Name:
            NameView::fromTrusted(f.data(), f.size()).appendText(out);
            return;
        case FieldKind::CharString:
            appendQuoted(f.subspan(1), out);
            return;
        case FieldKind::CharStrings: {
            std::size_t pos = 0;
            while (pos < f.size()) {
                if (pos > 0) out.push_back(' ');
                appendQuoted(f.subspan(pos + 1, f[pos]), out);
                pos += 1U + f[pos];
            }
            return;
        }
        case FieldKind::Base64End:
        case FieldKind::Base64EndOpt:
            appendBase64(f, out);
            return;
        case FieldKind::HexEnd:
            appendHex(f, out);
            return;
        case FieldKind::HexSalt:
            if (f[0] == 0) {
                out.push_back('-');
            } else {
                appendHex(f.subspan(1), out);
            }
            return;
        case FieldKind::Base32Next:
            appendBase32Hex(f.subspan(1), out);
            return;
        case FieldKind::RrsigTime:
            appendRrsigTime(loadU32(f.data()), out);
            return;
        case FieldKind::Loc:
            detail::locToText(f, out);
            return;
        case FieldKind::CaaTag:
            out.append(reinterpret_cast<const char*>(f.data() + 1), f.size() - 1);
            return;
        case FieldKind::StringEnd:
            appendQuoted(f, out);
            return;
        case FieldKind::Eui48:
        case FieldKind::Eui64:
            appendHexGroups(f, 1, '-', out);
            return;
        case FieldKind::Ilnp64:
            appendHexGroups(f, 2, ':', out);
            return;
        case FieldKind::IpsecGateway:
            if (gatewayType == 0) {
                out.push_back('.');
            } else if (gatewayType == 1) {
                appendIPv4(f.data(), out);
            } else if (gatewayType == 2) {
                appendIPv6(f.data(), out);
            } else {
                NameView::fromTrusted(f.data(), f.size()).appendText(out);
            }
            return;
        case FieldKind::TypeBitmap:
        case FieldKind::Apl:
        case FieldKind::SvcParams:
            return;  // printed above
    }
}

void appendGeneric(std::span<const std::uint8_t> rdata, std::string& out) {
    out.append("\\# ");
    detail::appendDecimal(rdata.size(), out);
    if (!rdata.empty()) {
        out.push_back(' ');
        appendHex(rdata, out);
    }
}

}  // namespace

WireResult<void> rdataToText(std::uint16_t type, std::span<const std::uint8_t> rdata,
                             std::string& out) {
    const RRTypeInfo* info = findType(type);
    if (info == nullptr || info->fields.empty()) {
        appendGeneric(rdata, out);
        return {};
    }
    const std::size_t start = out.size();
    const std::uint8_t gatewayType = rdata.size() > 1 ? rdata[1] : 0;
    std::size_t pos = 0;
    for (const FieldKind kind : detail::layoutOf(*info)) {
        auto end = detail::fieldEnd(kind, rdata, pos, gatewayType);
        if (!end) {
            out.resize(start);
            return fail(end.error());
        }
        appendField(kind, rdata.subspan(pos, *end - pos), gatewayType, out);
        pos = *end;
    }
    if (pos != rdata.size()) {
        out.resize(start);
        return fail(WireError::BadRdata);
    }
    // Every field wrote a leading space; drop the first one.
    if (out.size() > start && out[start] == ' ') out.erase(start, 1);
    return {};
}

}  // namespace dnsfleet::dnswire
