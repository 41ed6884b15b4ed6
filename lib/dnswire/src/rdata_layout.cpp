// Walking uncompressed RDATA by its type's layout: validation, embedded names, canonical form,
// and reading RDATA out of a (possibly compressed) message.

#include <cstring>

#include "dnswire/rdata_field.hpp"
#include "dnswire/rrtype.hpp"
#include "dnswire/wire.hpp"

namespace dnsfleet::dnswire {

namespace detail {

namespace {

constexpr bool isAlnum(std::uint8_t c) noexcept {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

WireResult<std::size_t> fixed(std::span<const std::uint8_t> rdata, std::size_t pos,
                              std::size_t size) noexcept {
    if (rdata.size() - pos < size) return fail(WireError::BadRdata);
    return pos + size;
}

WireResult<std::size_t> lengthPrefixed(std::span<const std::uint8_t> rdata,
                                       std::size_t pos) noexcept {
    if (pos >= rdata.size()) return fail(WireError::BadRdata);
    return fixed(rdata, pos + 1, rdata[pos]);
}

// RFC 4034 §4.1.2: windows in increasing order, 1..32 octets, trailing zero octets omitted
// (and so no empty window). Checking all three keeps the wire form unique, which the
// text round trip relies on.
WireResult<std::size_t> bitmapEnd(std::span<const std::uint8_t> rdata, std::size_t pos) noexcept {
    int previous = -1;
    while (pos < rdata.size()) {
        if (rdata.size() - pos < 2) return fail(WireError::BadRdata);
        const int window = rdata[pos];
        const std::size_t len = rdata[pos + 1];
        if (window <= previous || len == 0 || len > 32 || rdata.size() - pos - 2 < len)
            return fail(WireError::BadRdata);
        if (rdata[pos + 1 + len] == 0) return fail(WireError::BadRdata);
        previous = window;
        pos += 2 + len;
    }
    return pos;
}

// RFC 3123 §4: family 1 or 2, prefix within the address, AFDPART no longer than the address
// and without trailing zero octets.
WireResult<std::size_t> aplEnd(std::span<const std::uint8_t> rdata, std::size_t pos) noexcept {
    while (pos < rdata.size()) {
        if (rdata.size() - pos < 4) return fail(WireError::BadRdata);
        const std::uint16_t family = loadU16(rdata.data() + pos);
        const std::size_t prefix = rdata[pos + 2];
        const std::size_t len = rdata[pos + 3] & 0x7FU;
        const std::size_t max = family == 1 ? 4 : family == 2 ? 16 : 0;
        if (max == 0 || prefix > max * 8 || len > max || rdata.size() - pos - 4 < len)
            return fail(WireError::BadRdata);
        if (len > 0 && rdata[pos + 3 + len] == 0) return fail(WireError::BadRdata);
        pos += 4 + len;
    }
    return pos;
}

}  // namespace

WireResult<std::size_t> uncompressedNameEnd(std::span<const std::uint8_t> rdata,
                                            std::size_t pos) noexcept {
    const std::size_t start = pos;
    while (true) {
        if (pos >= rdata.size()) return fail(WireError::BadRdata);
        const std::uint8_t len = rdata[pos];
        if ((len & 0xC0) != 0) return fail(WireError::BadRdata);  // pointer or reserved type
        if (pos - start + 1U + len > kMaxNameLength) return fail(WireError::BadRdata);
        pos += 1U + len;
        if (len == 0) return pos;
    }
}

WireResult<std::size_t> fieldEnd(FieldKind kind, std::span<const std::uint8_t> rdata,
                                 std::size_t pos, std::uint8_t gatewayType) noexcept {
    switch (kind) {
        case FieldKind::U8:
        case FieldKind::Algorithm:
            return fixed(rdata, pos, 1);
        case FieldKind::U16:
        case FieldKind::TypeCode:
        case FieldKind::CertType:
            return fixed(rdata, pos, 2);
        case FieldKind::U32:
        case FieldKind::Ttl:
        case FieldKind::RrsigTime:
        case FieldKind::IPv4:
            return fixed(rdata, pos, 4);
        case FieldKind::IPv6:
            return fixed(rdata, pos, 16);
        case FieldKind::Eui48:
            return fixed(rdata, pos, 6);
        case FieldKind::Eui64:
        case FieldKind::Ilnp64:
            return fixed(rdata, pos, 8);
        case FieldKind::Name:
            return uncompressedNameEnd(rdata, pos);
        case FieldKind::CharString:
        case FieldKind::HexSalt:
            return lengthPrefixed(rdata, pos);
        case FieldKind::Base32Next:
            if (pos < rdata.size() && rdata[pos] == 0) return fail(WireError::BadRdata);
            return lengthPrefixed(rdata, pos);
        case FieldKind::CharStrings:
            if (pos >= rdata.size()) return fail(WireError::BadRdata);
            while (pos < rdata.size()) {
                auto next = lengthPrefixed(rdata, pos);
                if (!next) return next;
                pos = *next;
            }
            return pos;
        case FieldKind::Base64End:
        case FieldKind::HexEnd:
            if (pos >= rdata.size()) return fail(WireError::BadRdata);
            return rdata.size();
        case FieldKind::Base64EndOpt:
        case FieldKind::StringEnd:
            return rdata.size();
        case FieldKind::TypeBitmap:
            return bitmapEnd(rdata, pos);
        case FieldKind::Loc:
            DNSFLEET_TRY(validateLoc(rdata.subspan(pos)));
            return rdata.size();
        case FieldKind::SvcParams:
            DNSFLEET_TRY(validateSvcParams(rdata.subspan(pos)));
            return rdata.size();
        case FieldKind::CaaTag: {
            auto end = lengthPrefixed(rdata, pos);
            if (!end || *end == pos + 1) return fail(WireError::BadRdata);
            for (std::size_t i = pos + 1; i < *end; ++i) {
                if (!isAlnum(rdata[i])) return fail(WireError::BadRdata);
            }
            return end;
        }
        case FieldKind::Apl:
            return aplEnd(rdata, pos);
        case FieldKind::IpsecGateway:
            switch (gatewayType) {
                case 0:
                    return pos;
                case 1:
                    return fixed(rdata, pos, 4);
                case 2:
                    return fixed(rdata, pos, 16);
                case 3:
                    return uncompressedNameEnd(rdata, pos);
                default:
                    return fail(WireError::BadRdata);
            }
    }
    return fail(WireError::BadRdata);
}

}  // namespace detail

namespace {

// IPSECKEY's gateway type is its second octet (RFC 4025 §2.1); only the gateway field reads it.
std::uint8_t ipsecGatewayType(std::span<const std::uint8_t> rdata) noexcept {
    return rdata.size() > 1 ? rdata[1] : 0;
}

// Calls `visit(kind, begin, end)` for every field of known-layout RDATA after validating it.
template <class Visit>
WireResult<void> walk(const RRTypeInfo& info, std::span<const std::uint8_t> rdata,
                      Visit&& visit) noexcept {
    std::size_t pos = 0;
    for (const FieldKind kind : detail::layoutOf(info)) {
        auto end = detail::fieldEnd(kind, rdata, pos, ipsecGatewayType(rdata));
        if (!end) return fail(end.error());
        visit(kind, pos, *end);
        pos = *end;
    }
    if (pos != rdata.size()) return fail(WireError::BadRdata);
    return {};
}

bool hasLayout(const RRTypeInfo* info) noexcept {
    return info != nullptr && !info->fields.empty();
}

// RFC 3597 §4: receivers MUST decompress the RFC 1035 types and SHOULD also decompress RP,
// AFSDB, RT, SIG, PX, NXT, NAPTR and SRV, because old primaries (RFC 2052 SRV, RFC 2163 PX,
// RFC 2535 SIG) compressed them. We still never compress them on output: that is what
// `compressible` alone decides. NXT has no layout here, so it stays opaque.
bool decompressedOnInput(const RRTypeInfo& info) noexcept {
    if (info.compressible) return true;
    switch (info.code) {
        case rrtype::RP:
        case rrtype::AFSDB:
        case rrtype::RT:
        case rrtype::SIG:
        case rrtype::PX:
        case rrtype::NAPTR:
        case rrtype::SRV:
            return true;
        default:
            return false;
    }
}

}  // namespace

WireResult<void> validateRdata(std::uint16_t type, std::span<const std::uint8_t> rdata) noexcept {
    const RRTypeInfo* info = findType(type);
    if (!hasLayout(info)) return {};
    return walk(*info, rdata, [](FieldKind, std::size_t, std::size_t) {});
}

std::size_t rdataNames(std::uint16_t type, std::span<const std::uint8_t> rdata,
                       std::span<RdataName> names) noexcept {
    const RRTypeInfo* info = findType(type);
    if (!hasLayout(info)) return 0;
    std::size_t count = 0;
    auto found = walk(*info, rdata, [&](FieldKind kind, std::size_t begin, std::size_t end) {
        const bool isName = kind == FieldKind::Name ||
                            (kind == FieldKind::IpsecGateway && ipsecGatewayType(rdata) == 3);
        if (!isName || count >= names.size()) return;
        names[count++] = RdataName{static_cast<std::uint16_t>(begin),
                                   static_cast<std::uint8_t>(end - begin), info->compressible};
    });
    return found ? count : 0;
}

void canonicalizeRdata(std::uint16_t type, std::span<std::uint8_t> rdata) noexcept {
    const RRTypeInfo* info = findType(type);
    if (!hasLayout(info) || !info->canonicalLowercase) return;
    (void)walk(*info, rdata, [&](FieldKind kind, std::size_t begin, std::size_t end) {
        if (kind == FieldKind::Name) lowercaseWire(rdata.subspan(begin, end - begin));
    });
}

WireResult<void> rdataFromWire(std::uint16_t type, std::span<const std::uint8_t> packet,
                               std::size_t pos, std::size_t rdlength,
                               std::vector<std::uint8_t>& out) {
    if (pos > packet.size() || packet.size() - pos < rdlength) return fail(WireError::BadRdata);
    const std::size_t end = pos + rdlength;
    const auto rdata = packet.subspan(pos, rdlength);
    const RRTypeInfo* info = findType(type);
    if (!hasLayout(info) || !decompressedOnInput(*info)) {
        // Names here are never compressed (RFC 3597 §4), so a pointer is simply malformed.
        DNSFLEET_TRY(validateRdata(type, rdata));
        out.insert(out.end(), rdata.begin(), rdata.end());
        return {};
    }
    // These types hold names, integers, character-strings (NAPTR) and a trailing base64
    // signature (SIG); every field but the names is copied as it is, after its own check.
    const std::size_t start = out.size();
    for (const FieldKind kind : detail::layoutOf(*info)) {
        if (kind == FieldKind::Name) {
            auto name = Name::fromWire(packet.first(end), pos);
            if (!name) {
                out.resize(start);
                return fail(WireError::BadRdata);
            }
            out.insert(out.end(), name->wire().begin(), name->wire().end());
            continue;
        }
        auto fieldEnd = detail::fieldEnd(kind, packet.first(end), pos, 0);
        if (!fieldEnd) {
            out.resize(start);
            return fail(WireError::BadRdata);
        }
        out.insert(out.end(), packet.begin() + static_cast<std::ptrdiff_t>(pos),
                   packet.begin() + static_cast<std::ptrdiff_t>(*fieldEnd));
        pos = *fieldEnd;
    }
    if (pos != end || out.size() - start > 0xFFFF) {
        out.resize(start);
        return fail(WireError::BadRdata);
    }
    return {};
}

}  // namespace dnsfleet::dnswire
