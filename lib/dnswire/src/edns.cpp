// EDNS(0): reading a query's OPT record (RFC 6891) and writing the response's, with the options
// of RFC 5001 (NSID), 7873 (cookies), 7828 (tcp-keepalive), 7830/8467 (padding), 8914 (EDE).

#include "dnswire/edns.hpp"

#include <algorithm>
#include <cstring>

#include "dnswire/message.hpp"
#include "dnswire/rrtype.hpp"

namespace dnsfleet::dnswire {

namespace {

constexpr std::size_t kOptionHeaderSize = 4;  // code, length
constexpr std::uint16_t kMinUdpSize = 512;
// RFC 7873 §4: a server cookie is 8 to 32 octets after the 8-octet client cookie.
constexpr std::size_t kMinFullCookie = kClientCookieSize + 8;
constexpr std::size_t kMaxFullCookie = kClientCookieSize + kMaxServerCookieSize;
constexpr std::uint32_t kDoBit = 0x8000;

void readCookie(std::span<const std::uint8_t> data, EdnsQuery& query) noexcept {
    if (query.cookie || query.badCookieLength) return;  // the first cookie option decides
    const std::size_t size = data.size();
    if (size != kClientCookieSize && (size < kMinFullCookie || size > kMaxFullCookie)) {
        query.badCookieLength = true;
        return;
    }
    query.cookie = true;
    std::memcpy(query.clientCookie.data(), data.data(), kClientCookieSize);
    query.serverCookieSize = static_cast<std::uint8_t>(size - kClientCookieSize);
    if (query.serverCookieSize > 0) {
        std::memcpy(query.serverCookie.data(), data.data() + kClientCookieSize,
                    query.serverCookieSize);
    }
}

// Writes one option header at `p` and returns where its data goes.
std::uint8_t* optionHeader(std::uint8_t* p, std::uint16_t code, std::size_t length) noexcept {
    storeU16(p, code);
    storeU16(p + 2, static_cast<std::uint16_t>(length));
    return p + kOptionHeaderSize;
}

std::uint8_t* copyBytes(std::uint8_t* p, const void* data, std::size_t size) noexcept {
    if (size > 0) std::memcpy(p, data, size);
    return p + size;
}

}  // namespace

WireResult<EdnsQuery> parseOpt(std::uint16_t rclass, std::uint32_t ttl,
                               std::span<const std::uint8_t> rdata) noexcept {
    EdnsQuery query;
    query.present = true;
    query.udpSize = std::max(rclass, kMinUdpSize);  // RFC 6891 §6.2.5
    query.extendedRcode = static_cast<std::uint8_t>(ttl >> 24);
    query.version = static_cast<std::uint8_t>(ttl >> 16);
    query.dnssecOk = (ttl & kDoBit) != 0;

    std::size_t pos = 0;
    while (pos < rdata.size()) {
        if (rdata.size() - pos < kOptionHeaderSize) return fail(WireError::BadOpt);
        const std::uint16_t code = loadU16(rdata.data() + pos);
        const std::uint16_t length = loadU16(rdata.data() + pos + 2);
        pos += kOptionHeaderSize;
        if (rdata.size() - pos < length) return fail(WireError::BadOpt);
        const auto data = rdata.subspan(pos, length);
        pos += length;
        switch (code) {
            case ednsopt::NSID:
                // RFC 5001 §2.3: the server ignores any payload a requestor put in the option.
                query.nsid = true;
                break;
            case ednsopt::COOKIE:
                readCookie(data, query);
                break;
            case ednsopt::TCP_KEEPALIVE:
                query.keepalive = true;
                break;
            case ednsopt::PADDING:
                query.padding = true;
                break;
            default:
                break;  // RFC 6891 §6.1.2: unknown options are ignored
        }
    }
    return query;
}

std::size_t optSize(const EdnsResponse& edns) noexcept {
    std::size_t size = kOptFixedSize;
    if (!edns.nsid.empty()) size += kOptionHeaderSize + edns.nsid.size();
    if (!edns.cookie.empty()) size += kOptionHeaderSize + edns.cookie.size();
    if (edns.keepalive) size += kOptionHeaderSize + 2;
    if (edns.edeSet) size += kOptionHeaderSize + 2 + edns.edeText.size();
    return size;
}

WireResult<void> MessageBuilder::addOpt(const EdnsResponse& edns) noexcept {
    const std::size_t base = optSize(edns);
    const std::size_t end = usableEnd();
    if (size_ > end || base > end - size_) return fail(WireError::BufferFull);

    // RFC 7830 §3 + RFC 8467 §4.1: pad the whole message to a multiple of the block. Like Knot,
    // a message that is already aligned carries no padding option, and the padding never
    // pushes the message over its limit.
    bool pad = false;
    std::size_t padding = 0;
    if (edns.padBlock > 0 && (size_ + base) % edns.padBlock != 0) {
        const std::size_t tail = (size_ + base + kOptionHeaderSize) % edns.padBlock;
        padding = tail == 0 ? 0 : edns.padBlock - tail;
        const std::size_t room = end - size_ - base;
        if (room >= kOptionHeaderSize) {
            pad = true;
            padding = std::min(padding, room - kOptionHeaderSize);
        }
    }
    const std::size_t rdlength =
        base - kOptFixedSize + (pad ? kOptionHeaderSize + padding : std::size_t{0});
    if (rdlength > 0xFFFF) return fail(WireError::BufferFull);

    std::uint8_t* p = buffer_.data() + size_;
    *p++ = 0;  // root owner
    storeU16(p, rrtype::OPT);
    storeU16(p + 2, edns.udpSize);
    const std::uint8_t extended = edns.extendedRcode != 0 ? edns.extendedRcode : extendedRcode_;
    storeU32(p + 4, (std::uint32_t{extended} << 24) | (edns.dnssecOk ? kDoBit : 0U));
    storeU16(p + 8, static_cast<std::uint16_t>(rdlength));
    p += kOptFixedSize - 1;  // type, class, TTL, RDLENGTH after the owner

    if (!edns.nsid.empty()) {
        p = optionHeader(p, ednsopt::NSID, edns.nsid.size());
        p = copyBytes(p, edns.nsid.data(), edns.nsid.size());
    }
    if (!edns.cookie.empty()) {
        p = optionHeader(p, ednsopt::COOKIE, edns.cookie.size());
        p = copyBytes(p, edns.cookie.data(), edns.cookie.size());
    }
    if (edns.keepalive) {
        p = optionHeader(p, ednsopt::TCP_KEEPALIVE, 2);
        storeU16(p, edns.keepaliveTimeout);
        p += 2;
    }
    if (edns.edeSet) {
        p = optionHeader(p, ednsopt::EDE, 2 + edns.edeText.size());
        storeU16(p, edns.edeCode);
        p = copyBytes(p + 2, edns.edeText.data(), edns.edeText.size());
    }
    if (pad) {
        p = optionHeader(p, ednsopt::PADDING, padding);
        if (padding > 0) std::memset(p, 0, padding);  // RFC 7830 §3: padding octets are zero
        p += padding;
    }
    size_ = static_cast<std::size_t>(p - buffer_.data());
    section_ = Section::Additional;
    ++counts_[3];
    writeCounts();
    return {};
}

}  // namespace dnsfleet::dnswire
