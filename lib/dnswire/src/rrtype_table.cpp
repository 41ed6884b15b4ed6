// The registry table: one row per type. Adding a type is adding a row here (and, for a new
// field kind, teaching rdata_layout.cpp, rdata_text.cpp and rdata_print.cpp that kind); see
// docs/dev/adding-an-rr-type.md.

#include <algorithm>
#include <array>

#include "dnswire/rdata_field.hpp"
#include "dnswire/rrtype.hpp"

namespace dnsfleet::dnswire {

namespace {

constexpr std::uint8_t k(FieldKind kind) noexcept {
    return static_cast<std::uint8_t>(kind);
}

constexpr std::uint8_t U8 = k(FieldKind::U8), U16 = k(FieldKind::U16), U32 = k(FieldKind::U32),
                       TTL = k(FieldKind::Ttl), TYPE = k(FieldKind::TypeCode),
                       ALG = k(FieldKind::Algorithm), CERTTYPE = k(FieldKind::CertType),
                       IP4 = k(FieldKind::IPv4), IP6 = k(FieldKind::IPv6),
                       NAME = k(FieldKind::Name), STR = k(FieldKind::CharString),
                       STRS = k(FieldKind::CharStrings), B64 = k(FieldKind::Base64End),
                       B64OPT = k(FieldKind::Base64EndOpt), HEX = k(FieldKind::HexEnd),
                       SALT = k(FieldKind::HexSalt), NEXT32 = k(FieldKind::Base32Next),
                       BITMAP = k(FieldKind::TypeBitmap), TIME = k(FieldKind::RrsigTime),
                       LOC = k(FieldKind::Loc), SVC = k(FieldKind::SvcParams),
                       CAATAG = k(FieldKind::CaaTag), STREND = k(FieldKind::StringEnd),
                       APL = k(FieldKind::Apl), EUI48 = k(FieldKind::Eui48),
                       EUI64 = k(FieldKind::Eui64), ILNP = k(FieldKind::Ilnp64),
                       GW = k(FieldKind::IpsecGateway);

// Layouts, named after the first type that uses them.
constexpr std::uint8_t kA[] = {IP4};
constexpr std::uint8_t kNs[] = {NAME};
constexpr std::uint8_t kSoa[] = {NAME, NAME, U32, TTL, TTL, TTL, TTL};
constexpr std::uint8_t kMinfo[] = {NAME, NAME};
constexpr std::uint8_t kHinfo[] = {STR, STR};
constexpr std::uint8_t kMx[] = {U16, NAME};
constexpr std::uint8_t kTxt[] = {STRS};
constexpr std::uint8_t kPx[] = {U16, NAME, NAME};
constexpr std::uint8_t kAaaa[] = {IP6};
constexpr std::uint8_t kLoc[] = {LOC};
constexpr std::uint8_t kSrv[] = {U16, U16, U16, NAME};
constexpr std::uint8_t kNaptr[] = {U16, U16, STR, STR, STR, NAME};
constexpr std::uint8_t kCert[] = {CERTTYPE, U16, ALG, B64};
constexpr std::uint8_t kDs[] = {U16, ALG, U8, HEX};
constexpr std::uint8_t kSshfp[] = {U8, U8, HEX};
constexpr std::uint8_t kIpseckey[] = {U8, U8, U8, GW, B64OPT};
constexpr std::uint8_t kRrsig[] = {TYPE, ALG, U8, TTL, TIME, TIME, U16, NAME, B64};
constexpr std::uint8_t kNsec[] = {NAME, BITMAP};
constexpr std::uint8_t kDnskey[] = {U16, U8, ALG, B64};
constexpr std::uint8_t kB64[] = {B64};
constexpr std::uint8_t kNsec3[] = {U8, U8, U16, SALT, NEXT32, BITMAP};
constexpr std::uint8_t kNsec3param[] = {U8, U8, U16, SALT};
constexpr std::uint8_t kTlsa[] = {U8, U8, U8, HEX};
constexpr std::uint8_t kCsync[] = {U32, U16, BITMAP};
constexpr std::uint8_t kZonemd[] = {U32, U8, U8, HEX};
constexpr std::uint8_t kSvcb[] = {U16, NAME, SVC};
constexpr std::uint8_t kApl[] = {APL};
constexpr std::uint8_t kNid[] = {U16, ILNP};
constexpr std::uint8_t kL32[] = {U16, IP4};
constexpr std::uint8_t kEui48[] = {EUI48};
constexpr std::uint8_t kEui64[] = {EUI64};
constexpr std::uint8_t kUri[] = {U16, U16, STREND};
constexpr std::uint8_t kCaa[] = {U8, CAATAG, STREND};

enum Flags : unsigned {
    // RFC 3597 §4: RFC 1035 types only. This decides output compression; on input a few later
    // types are decompressed as well (decompressedOnInput() in rdata_layout.cpp).
    kCompress = 1,
    kLower = 2,      // RFC 4034 §6.2 as corrected by RFC 6840 §5.1
    kSingleton = 4,  // one RR per name
    kMeta = 8,
};

constexpr RRTypeInfo row(std::uint16_t code, std::string_view mnemonic, unsigned flags,
                         std::span<const std::uint8_t> fields = {}) {
    RRTypeInfo info;
    info.code = code;
    info.mnemonic = mnemonic;
    info.compressible = (flags & kCompress) != 0;
    info.canonicalLowercase = (flags & kLower) != 0;
    info.singleton = (flags & kSingleton) != 0;
    info.meta = (flags & kMeta) != 0;
    info.fields = fields;
    return info;
}

constexpr unsigned kRfc1035 = kCompress | kLower;

// Rows without fields are types known by mnemonic only: their RDATA uses the generic form.
constexpr std::array kTable = {
    row(rrtype::A, "A", 0, kA),
    row(rrtype::NS, "NS", kRfc1035, kNs),
    row(rrtype::MD, "MD", kRfc1035, kNs),
    row(rrtype::MF, "MF", kRfc1035, kNs),
    row(rrtype::CNAME, "CNAME", kRfc1035 | kSingleton, kNs),
    row(rrtype::SOA, "SOA", kRfc1035 | kSingleton, kSoa),
    row(rrtype::MB, "MB", kRfc1035, kNs),
    row(rrtype::MG, "MG", kRfc1035, kNs),
    row(rrtype::MR, "MR", kRfc1035, kNs),
    row(rrtype::NULL_, "NULL", 0),
    row(rrtype::WKS, "WKS", 0),
    row(rrtype::PTR, "PTR", kRfc1035, kNs),
    row(rrtype::HINFO, "HINFO", 0, kHinfo),
    row(rrtype::MINFO, "MINFO", kRfc1035, kMinfo),
    row(rrtype::MX, "MX", kRfc1035, kMx),
    row(rrtype::TXT, "TXT", 0, kTxt),
    row(rrtype::RP, "RP", kLower, kMinfo),
    row(rrtype::AFSDB, "AFSDB", kLower, kMx),
    row(rrtype::RT, "RT", kLower, kMx),
    row(rrtype::SIG, "SIG", kLower, kRrsig),
    row(rrtype::KEY, "KEY", 0, kDnskey),
    row(rrtype::PX, "PX", kLower, kPx),
    row(rrtype::AAAA, "AAAA", 0, kAaaa),
    row(rrtype::LOC, "LOC", 0, kLoc),
    row(rrtype::NXT, "NXT", kLower),
    row(rrtype::SRV, "SRV", kLower, kSrv),
    row(rrtype::NAPTR, "NAPTR", kLower, kNaptr),
    row(rrtype::KX, "KX", kLower, kMx),
    row(rrtype::CERT, "CERT", 0, kCert),
    row(rrtype::A6, "A6", kLower),
    row(rrtype::DNAME, "DNAME", kLower | kSingleton, kNs),
    row(rrtype::OPT, "OPT", kMeta),
    row(rrtype::APL, "APL", 0, kApl),
    row(rrtype::DS, "DS", 0, kDs),
    row(rrtype::SSHFP, "SSHFP", 0, kSshfp),
    row(rrtype::IPSECKEY, "IPSECKEY", 0, kIpseckey),
    row(rrtype::RRSIG, "RRSIG", kLower, kRrsig),
    row(rrtype::NSEC, "NSEC", 0, kNsec),
    row(rrtype::DNSKEY, "DNSKEY", 0, kDnskey),
    row(rrtype::DHCID, "DHCID", 0, kB64),
    row(rrtype::NSEC3, "NSEC3", 0, kNsec3),
    row(rrtype::NSEC3PARAM, "NSEC3PARAM", 0, kNsec3param),
    row(rrtype::TLSA, "TLSA", 0, kTlsa),
    row(rrtype::SMIMEA, "SMIMEA", 0, kTlsa),
    row(rrtype::HIP, "HIP", 0),
    row(rrtype::CDS, "CDS", 0, kDs),
    row(rrtype::CDNSKEY, "CDNSKEY", 0, kDnskey),
    row(rrtype::OPENPGPKEY, "OPENPGPKEY", 0, kB64),
    row(rrtype::CSYNC, "CSYNC", 0, kCsync),
    row(rrtype::ZONEMD, "ZONEMD", 0, kZonemd),
    row(rrtype::SVCB, "SVCB", 0, kSvcb),
    row(rrtype::HTTPS, "HTTPS", 0, kSvcb),
    row(rrtype::SPF, "SPF", 0, kTxt),
    row(rrtype::NID, "NID", 0, kNid),
    row(rrtype::L32, "L32", 0, kL32),
    row(rrtype::L64, "L64", 0, kNid),
    row(rrtype::LP, "LP", 0, kMx),
    row(rrtype::EUI48, "EUI48", 0, kEui48),
    row(rrtype::EUI64, "EUI64", 0, kEui64),
    row(rrtype::TKEY, "TKEY", kMeta),
    row(rrtype::TSIG, "TSIG", kMeta),
    row(rrtype::IXFR, "IXFR", kMeta),
    row(rrtype::AXFR, "AXFR", kMeta),
    row(rrtype::MAILB, "MAILB", kMeta),
    row(rrtype::MAILA, "MAILA", kMeta),
    row(rrtype::ANY, "ANY", kMeta),
    row(rrtype::URI, "URI", 0, kUri),
    row(rrtype::CAA, "CAA", 0, kCaa),
    row(rrtype::TA, "TA", 0, kDs),
    row(rrtype::DLV, "DLV", 0, kDs),
};

constexpr std::size_t kDirect = 512;  // codes below this are found by one index look-up
constexpr std::uint8_t kNone = 0xFF;
static_assert(kTable.size() < kNone);

constexpr std::array<std::uint8_t, kDirect> makeDirectIndex() {
    std::array<std::uint8_t, kDirect> index{};
    for (auto& i : index)
        i = kNone;
    for (std::size_t i = 0; i < kTable.size(); ++i) {
        if (kTable[i].code < kDirect) index[kTable[i].code] = static_cast<std::uint8_t>(i);
    }
    return index;
}

constexpr std::array<std::uint8_t, kDirect> kDirectIndex = makeDirectIndex();

constexpr char upper(char c) noexcept {
    return (c >= 'a' && c <= 'z') ? static_cast<char>(c - ('a' - 'A')) : c;
}

// -1/0/1 comparing `text` case-insensitively with the upper-case `mnemonic`.
int compareMnemonic(std::string_view text, std::string_view mnemonic) noexcept {
    const std::size_t n = std::min(text.size(), mnemonic.size());
    for (std::size_t i = 0; i < n; ++i) {
        const char a = upper(text[i]);
        if (a != mnemonic[i]) return a < mnemonic[i] ? -1 : 1;
    }
    if (text.size() == mnemonic.size()) return 0;
    return text.size() < mnemonic.size() ? -1 : 1;
}

// Rows sorted by mnemonic for typeFromText's binary search (the zone parser asks per record).
const std::array<std::uint8_t, kTable.size()>& byMnemonic() {
    static const std::array<std::uint8_t, kTable.size()> sorted = [] {
        std::array<std::uint8_t, kTable.size()> order{};
        for (std::size_t i = 0; i < order.size(); ++i)
            order[i] = static_cast<std::uint8_t>(i);
        std::sort(order.begin(), order.end(), [](std::uint8_t a, std::uint8_t b) {
            return kTable[a].mnemonic < kTable[b].mnemonic;
        });
        return order;
    }();
    return sorted;
}

// Parses the digits of `TYPEnnn` / `CLASSnnn` after the prefix.
std::optional<std::uint16_t> numberAfter(std::string_view text, std::string_view prefix) noexcept {
    if (text.size() <= prefix.size() || compareMnemonic(text.substr(0, prefix.size()), prefix) != 0)
        return std::nullopt;
    std::uint64_t value = 0;
    if (!detail::parseDecimal(text.substr(prefix.size()), 0xFFFF, value)) return std::nullopt;
    return static_cast<std::uint16_t>(value);
}

struct ClassName {
    std::uint16_t code;
    std::string_view mnemonic;
};
constexpr ClassName kClasses[] = {{rrclass::IN, "IN"},
                                  {rrclass::CH, "CH"},
                                  {rrclass::HS, "HS"},
                                  {rrclass::NONE, "NONE"},
                                  {rrclass::ANY, "ANY"}};

}  // namespace

const RRTypeInfo* findType(std::uint16_t code) noexcept {
    if (code < kDirect) {
        const std::uint8_t i = kDirectIndex[code];
        return i == kNone ? nullptr : &kTable[i];
    }
    for (const auto& info : kTable) {
        if (info.code == code) return &info;
    }
    return nullptr;
}

std::optional<std::uint16_t> typeFromText(std::string_view text) noexcept {
    const auto& order = byMnemonic();
    std::size_t lo = 0;
    std::size_t hi = order.size();
    while (lo < hi) {
        const std::size_t mid = (lo + hi) / 2;
        const RRTypeInfo& info = kTable[order[mid]];
        const int c = compareMnemonic(text, info.mnemonic);
        if (c == 0) return info.code;
        if (c < 0) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    return numberAfter(text, "TYPE");
}

void appendTypeText(std::uint16_t code, std::string& out) {
    if (const RRTypeInfo* info = findType(code)) {
        out.append(info->mnemonic);
        return;
    }
    out.append("TYPE");
    detail::appendDecimal(code, out);
}

std::string typeToText(std::uint16_t code) {
    std::string out;
    appendTypeText(code, out);
    return out;
}

std::optional<std::uint16_t> classFromText(std::string_view text) noexcept {
    for (const auto& c : kClasses) {
        if (compareMnemonic(text, c.mnemonic) == 0) return c.code;
    }
    return numberAfter(text, "CLASS");
}

std::string classToText(std::uint16_t code) {
    for (const auto& c : kClasses) {
        if (c.code == code) return std::string(c.mnemonic);
    }
    std::string out = "CLASS";
    detail::appendDecimal(code, out);
    return out;
}

}  // namespace dnsfleet::dnswire
