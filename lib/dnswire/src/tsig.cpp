// TSIG keys, algorithms and records (RFC 8945 §4), and the HMAC through OpenSSL's EVP_MAC.
// Signing and verifying sessions live in tsig_session.cpp.

#include "dnswire/tsig.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <algorithm>

#include "dnswire/encoding.hpp"
#include "dnswire/message.hpp"
#include "dnswire/rrtype.hpp"
#include "dnswire/wire.hpp"
#include "tsig_internal.hpp"

namespace dnsfleet::dnswire {

namespace {

struct AlgorithmInfo {
    TsigAlgorithm algorithm;
    std::string_view text;
    std::span<const std::uint8_t> wire;  ///< lower-case wire name, the digest's canonical form
    const char* digest;                  ///< OpenSSL's digest name
    std::size_t macSize;
};

constexpr std::uint8_t kSha1Wire[] = {9, 'h', 'm', 'a', 'c', '-', 's', 'h', 'a', '1', 0};
constexpr std::uint8_t kSha224Wire[] = {11,  'h', 'm', 'a', 'c', '-', 's',
                                        'h', 'a', '2', '2', '4', 0};
constexpr std::uint8_t kSha256Wire[] = {11,  'h', 'm', 'a', 'c', '-', 's',
                                        'h', 'a', '2', '5', '6', 0};
constexpr std::uint8_t kSha384Wire[] = {11,  'h', 'm', 'a', 'c', '-', 's',
                                        'h', 'a', '3', '8', '4', 0};
constexpr std::uint8_t kSha512Wire[] = {11,  'h', 'm', 'a', 'c', '-', 's',
                                        'h', 'a', '5', '1', '2', 0};

constexpr std::array<AlgorithmInfo, 5> kAlgorithms = {{
    {TsigAlgorithm::HmacSha1, "hmac-sha1", kSha1Wire, "SHA1", 20},
    {TsigAlgorithm::HmacSha224, "hmac-sha224", kSha224Wire, "SHA2-224", 28},
    {TsigAlgorithm::HmacSha256, "hmac-sha256", kSha256Wire, "SHA2-256", 32},
    {TsigAlgorithm::HmacSha384, "hmac-sha384", kSha384Wire, "SHA2-384", 48},
    {TsigAlgorithm::HmacSha512, "hmac-sha512", kSha512Wire, "SHA2-512", 64},
}};

const AlgorithmInfo& info(TsigAlgorithm algorithm) noexcept {
    return kAlgorithms[static_cast<std::size_t>(algorithm)];
}

bool equalsIgnoringCase(std::string_view a, std::string_view b) noexcept {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               const auto lower = [](char c) {
                   return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
               };
               return lower(x) == lower(y);
           });
}

// One HMAC context per algorithm and thread, created on first use and re-keyed per message:
// EVP_MAC_CTX is not thread-safe, and fetching HMAC and its digest for every message would
// cost more than the MAC itself.
struct MacContexts {
    EVP_MAC* mac = nullptr;
    std::array<EVP_MAC_CTX*, kAlgorithms.size()> contexts{};

    MacContexts() noexcept : mac(EVP_MAC_fetch(nullptr, "HMAC", nullptr)) {}
    ~MacContexts() {
        for (EVP_MAC_CTX* ctx : contexts)
            EVP_MAC_CTX_free(ctx);
        EVP_MAC_free(mac);
    }
    MacContexts(const MacContexts&) = delete;
    MacContexts& operator=(const MacContexts&) = delete;

    EVP_MAC_CTX* get(TsigAlgorithm algorithm) noexcept {
        EVP_MAC_CTX*& ctx = contexts[static_cast<std::size_t>(algorithm)];
        if (ctx != nullptr || mac == nullptr) return ctx;
        ctx = EVP_MAC_CTX_new(mac);
        if (ctx == nullptr) return nullptr;
        // OSSL_PARAM takes a non-const pointer but only reads the digest name.
        char* digest = const_cast<char*>(info(algorithm).digest);
        const OSSL_PARAM params[] = {
            OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
            OSSL_PARAM_construct_end()};
        if (EVP_MAC_CTX_set_params(ctx, params) != 1) {
            EVP_MAC_CTX_free(ctx);
            ctx = nullptr;
        }
        return ctx;
    }
};

EVP_MAC_CTX* macContext(TsigAlgorithm algorithm) noexcept {
    thread_local MacContexts contexts;
    return contexts.get(algorithm);
}

constexpr std::size_t kRecordFixedSize = 10;  // type, class, TTL, RDLENGTH

// Reads the TSIG RDATA of `rdlength` octets at `pos` (RFC 8945 §4.2).
WireResult<void> readTsigRdata(std::span<const std::uint8_t> message, std::size_t pos,
                               std::size_t rdlength, TsigRecord& out) noexcept {
    const std::size_t end = pos + rdlength;
    // The algorithm name should be uncompressed; a pointer back into the message is still read,
    // as the RFC 1035 reader in every peer does, but the name must end inside the RDATA.
    auto algorithm = Name::fromWire(message.first(end), pos);
    if (!algorithm)
        return fail(algorithm.error() == WireError::Truncated ? WireError::BadRdata
                                                              : algorithm.error());
    out.algorithm = *algorithm;
    WireReader reader(message.first(end), pos);
    auto timeHigh = reader.u16();
    auto timeLow = reader.u32();
    auto fudge = reader.u16();
    auto macSize = reader.u16();
    if (!timeHigh || !timeLow || !fudge || !macSize) return fail(WireError::BadRdata);
    out.timeSigned = (std::uint64_t{*timeHigh} << 32) | *timeLow;
    out.fudge = *fudge;
    // No digest we offer is longer than 64 octets; a longer MAC cannot be ours (FORMERR).
    if (*macSize > out.mac.size()) return fail(WireError::BadRdata);
    auto mac = reader.bytes(*macSize);
    if (!mac) return fail(WireError::BadRdata);
    out.macSize = *macSize;
    std::copy(mac->begin(), mac->end(), out.mac.begin());
    auto originalId = reader.u16();
    auto error = reader.u16();
    auto otherSize = reader.u16();
    if (!originalId || !error || !otherSize) return fail(WireError::BadRdata);
    out.originalId = *originalId;
    out.error = *error;
    // Other Data is empty except in BADTIME answers, where it holds a 48-bit time (§4.2).
    if (*otherSize > out.other.size()) return fail(WireError::BadRdata);
    auto other = reader.bytes(*otherSize);
    if (!other) return fail(WireError::BadRdata);
    out.otherSize = *otherSize;
    std::copy(other->begin(), other->end(), out.other.begin());
    if (!reader.atEnd()) return fail(WireError::BadRdata);
    return {};
}

}  // namespace

std::optional<TsigAlgorithm> parseTsigAlgorithm(std::string_view text) noexcept {
    if (!text.empty() && text.back() == '.') text.remove_suffix(1);
    for (const AlgorithmInfo& a : kAlgorithms) {
        if (equalsIgnoringCase(text, a.text)) return a.algorithm;
    }
    return std::nullopt;
}

NameView tsigAlgorithmName(TsigAlgorithm algorithm) noexcept {
    const auto wire = info(algorithm).wire;
    return NameView::fromTrusted(wire.data(), wire.size());
}

std::string_view tsigAlgorithmText(TsigAlgorithm algorithm) noexcept {
    return info(algorithm).text;
}

std::size_t tsigMacSize(TsigAlgorithm algorithm) noexcept {
    return info(algorithm).macSize;
}

Result<TsigKey, std::string> makeTsigKey(std::string_view name, std::string_view algorithm,
                                         std::string_view base64Secret) {
    TsigKey key;
    if (name.empty()) return fail(std::string("key name: empty"));
    auto parsed = Name::fromText(name);
    if (!parsed) {
        return fail("key name '" + std::string(name) +
                    "': " + std::string(describe(parsed.error())));
    }
    key.name = *parsed;
    key.name.toLower();

    auto alg = parseTsigAlgorithm(algorithm);
    if (!alg) {
        return fail("algorithm '" + std::string(algorithm) +
                    "': unknown (hmac-sha1, hmac-sha224, hmac-sha256, hmac-sha384 or hmac-sha512)");
    }
    key.algorithm = *alg;

    if (base64Secret.empty()) return fail(std::string("secret: empty"));
    if (!decodeBase64(base64Secret, key.secret)) return fail(std::string("secret: not base64"));
    if (key.secret.empty()) return fail(std::string("secret: empty"));
    return key;
}

void TsigKeyring::add(TsigKey key) {
    key.name.toLower();
    for (TsigKey& existing : keys_) {
        if (existing.name == key.name) {
            existing = std::move(key);
            return;
        }
    }
    keys_.push_back(std::move(key));
}

const TsigKey* TsigKeyring::find(NameView name) const noexcept {
    for (const TsigKey& key : keys_) {
        if (equalNames(key.name, name)) return &key;
    }
    return nullptr;
}

std::string_view describe(TsigStatus status) noexcept {
    switch (status) {
        case TsigStatus::Ok:
            return "TSIG verified";
        case TsigStatus::Unsigned:
            return "no TSIG where one is required";
        case TsigStatus::BadKey:
            return "unknown TSIG key or algorithm (BADKEY)";
        case TsigStatus::BadSig:
            return "TSIG MAC does not verify (BADSIG)";
        case TsigStatus::BadTime:
            return "TSIG time outside the fudge window (BADTIME)";
        case TsigStatus::BadTrunc:
            return "TSIG MAC truncated below the minimum (BADTRUNC)";
        case TsigStatus::Malformed:
            return "malformed TSIG record (FORMERR)";
    }
    return "unknown TSIG status";
}

std::uint16_t tsigErrorCode(TsigStatus status) noexcept {
    switch (status) {
        case TsigStatus::BadSig:
            return 16;
        case TsigStatus::BadKey:
            return 17;
        case TsigStatus::BadTime:
            return 18;
        case TsigStatus::BadTrunc:
            return 22;
        case TsigStatus::Ok:
        case TsigStatus::Unsigned:
        case TsigStatus::Malformed:
            return 0;
    }
    return 0;
}

WireResult<std::optional<TsigRecord>> findTsig(std::span<const std::uint8_t> message) noexcept {
    auto header = parseHeader(message);
    if (!header) return fail(header.error());
    std::size_t pos = kHeaderSize;
    for (std::size_t i = 0; i < header->qdcount; ++i) {
        DNSFLEET_TRY(Name::fromWire(message, pos));
        if (message.size() - pos < 4) return fail(WireError::Truncated);
        pos += 4;
    }
    const std::size_t beforeAdditional = std::size_t{header->ancount} + header->nscount;
    const std::size_t records = beforeAdditional + header->arcount;
    for (std::size_t i = 0; i < records; ++i) {
        const std::size_t start = pos;
        auto owner = Name::fromWire(message, pos);
        if (!owner) return fail(owner.error());
        if (message.size() - pos < kRecordFixedSize) return fail(WireError::Truncated);
        const std::uint8_t* p = message.data() + pos;
        const std::uint16_t type = loadU16(p);
        const std::uint16_t rclass = loadU16(p + 2);
        const std::uint16_t rdlength = loadU16(p + 8);
        pos += kRecordFixedSize;
        if (message.size() - pos < rdlength) return fail(WireError::Truncated);
        if (type != rrtype::TSIG) {
            pos += rdlength;
            continue;
        }
        // RFC 8945 §5.1: the last record of the additional section, nothing after it, class ANY.
        if (i + 1 != records || i < beforeAdditional) return fail(WireError::BadRdata);
        if (pos + rdlength != message.size()) return fail(WireError::BadRdata);
        if (rclass != rrclass::ANY) return fail(WireError::BadRdata);
        TsigRecord record;
        record.keyName = *owner;
        record.offset = start;
        DNSFLEET_TRY(readTsigRdata(message, pos, rdlength, record));
        return std::optional<TsigRecord>(record);
    }
    return std::optional<TsigRecord>();
}

namespace tsig_detail {

bool Hmac::start(const TsigKey& key) noexcept {
    ctx_ = macContext(key.algorithm);
    ok_ = ctx_ != nullptr && !key.secret.empty() &&
          EVP_MAC_init(ctx_, key.secret.data(), key.secret.size(), nullptr) == 1;
    return ok_;
}

void Hmac::add(std::span<const std::uint8_t> data) noexcept {
    if (ok_ && !data.empty()) ok_ = EVP_MAC_update(ctx_, data.data(), data.size()) == 1;
}

void Hmac::addU16(std::uint16_t value) noexcept {
    std::array<std::uint8_t, 2> b{};
    storeU16(b.data(), value);
    add(b);
}

void Hmac::addU32(std::uint32_t value) noexcept {
    std::array<std::uint8_t, 4> b{};
    storeU32(b.data(), value);
    add(b);
}

void Hmac::addU48(std::uint64_t value) noexcept {
    addU16(static_cast<std::uint16_t>(value >> 32));
    addU32(static_cast<std::uint32_t>(value));
}

void Hmac::addPrefixedMac(std::span<const std::uint8_t> mac) noexcept {
    addU16(static_cast<std::uint16_t>(mac.size()));
    add(mac);
}

std::size_t Hmac::finish(std::array<std::uint8_t, 64>& out) noexcept {
    std::size_t size = 0;
    if (!ok_ || EVP_MAC_final(ctx_, out.data(), &size, out.size()) != 1) size = 0;
    ok_ = false;
    return size;
}

void addMessage(Hmac& hmac, std::span<const std::uint8_t> message, std::uint16_t id,
                std::uint16_t arcount) noexcept {
    hmac.addU16(id);
    hmac.add(message.subspan(2, 8));  // flags, QDCOUNT, ANCOUNT, NSCOUNT
    hmac.addU16(arcount);
    hmac.add(message.subspan(kHeaderSize));
}

void addVariables(Hmac& hmac, const Variables& v) noexcept {
    // Names enter the digest in canonical form (§4.3.3): lower case, uncompressed.
    Name keyName(v.keyName);
    keyName.toLower();
    Name algorithm(v.algorithm);
    algorithm.toLower();
    hmac.add(keyName.wire());
    hmac.addU16(rrclass::ANY);
    hmac.addU32(0);  // TTL
    hmac.add(algorithm.wire());
    hmac.addU48(v.timeSigned);
    hmac.addU16(v.fudge);
    hmac.addU16(v.error);
    hmac.addU16(static_cast<std::uint16_t>(v.other.size()));
    hmac.add(v.other);
}

void addTimers(Hmac& hmac, std::uint64_t timeSigned, std::uint16_t fudge) noexcept {
    hmac.addU48(timeSigned);
    hmac.addU16(fudge);
}

WireResult<std::size_t> appendRecord(std::span<std::uint8_t> buffer, std::size_t length,
                                     const Variables& v, std::span<const std::uint8_t> mac,
                                     std::uint16_t originalId) noexcept {
    if (length < kHeaderSize || length > buffer.size()) return fail(WireError::Truncated);
    const std::uint16_t arcount = loadU16(buffer.data() + 10);
    if (arcount == 0xFFFF) return fail(WireError::BadCount);
    Name keyName(v.keyName);
    keyName.toLower();
    Name algorithm(v.algorithm);
    algorithm.toLower();

    WireWriter w(buffer, length);
    // Owner and algorithm are written uncompressed (RFC 8945 §4.2): peers digest them as sent.
    DNSFLEET_TRY(w.bytes(keyName.wire()));
    DNSFLEET_TRY(w.u16(rrtype::TSIG));
    DNSFLEET_TRY(w.u16(rrclass::ANY));
    DNSFLEET_TRY(w.u32(0));
    const std::size_t rdlengthAt = w.position();
    DNSFLEET_TRY(w.u16(0));
    DNSFLEET_TRY(w.bytes(algorithm.wire()));
    DNSFLEET_TRY(w.u16(static_cast<std::uint16_t>(v.timeSigned >> 32)));
    DNSFLEET_TRY(w.u32(static_cast<std::uint32_t>(v.timeSigned)));
    DNSFLEET_TRY(w.u16(v.fudge));
    DNSFLEET_TRY(w.u16(static_cast<std::uint16_t>(mac.size())));
    DNSFLEET_TRY(w.bytes(mac));
    DNSFLEET_TRY(w.u16(originalId));
    DNSFLEET_TRY(w.u16(v.error));
    DNSFLEET_TRY(w.u16(static_cast<std::uint16_t>(v.other.size())));
    DNSFLEET_TRY(w.bytes(v.other));
    w.patchU16(rdlengthAt, static_cast<std::uint16_t>(w.position() - rdlengthAt - 2));
    storeU16(buffer.data() + 10, static_cast<std::uint16_t>(arcount + 1));
    return w.position();
}

std::optional<TsigAlgorithm> algorithmFromName(NameView name) noexcept {
    for (const AlgorithmInfo& a : kAlgorithms) {
        if (equalNames(name, tsigAlgorithmName(a.algorithm))) return a.algorithm;
    }
    return std::nullopt;
}

TsigStatus checkMacSize(std::uint16_t macSize, TsigAlgorithm algorithm) noexcept {
    const std::size_t full = tsigMacSize(algorithm);
    if (macSize > full) return TsigStatus::Malformed;  // §5.2.2.1 rule 1: FORMERR
    if (macSize == 0) return TsigStatus::BadSig;       // nothing to verify
    if (macSize < std::max<std::size_t>(10, full / 2)) return TsigStatus::BadTrunc;
    return TsigStatus::Ok;
}

bool withinFudge(std::uint64_t timeSigned, std::uint16_t fudge, std::uint64_t now) noexcept {
    now &= kTimeMask;
    const std::uint64_t skew = now > timeSigned ? now - timeSigned : timeSigned - now;
    return skew <= fudge;
}

bool sameMac(const std::array<std::uint8_t, 64>& computed,
             const std::array<std::uint8_t, 64>& received, std::size_t size) noexcept {
    return CRYPTO_memcmp(computed.data(), received.data(), size) == 0;
}

void setRcode(std::span<std::uint8_t> buffer, std::uint16_t rcode) noexcept {
    const std::uint16_t flags = loadU16(buffer.data() + 2);
    storeU16(buffer.data() + 2, static_cast<std::uint16_t>((flags & 0xFFF0U) | (rcode & 0x000FU)));
}

}  // namespace tsig_detail

}  // namespace dnsfleet::dnswire
