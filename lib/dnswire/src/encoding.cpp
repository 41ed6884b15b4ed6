#include "dnswire/encoding.hpp"

#include <openssl/evp.h>

#include <array>

namespace dnsfleet::dnswire {

namespace {

constexpr char kHexDigits[] = "0123456789ABCDEF";
constexpr char kBase32Hex[] = "0123456789abcdefghijklmnopqrstuv";  // Knot prints lower case

constexpr int hexValue(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

constexpr int base32HexValue(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'v') return c - 'a' + 10;
    if (c >= 'A' && c <= 'V') return c - 'A' + 10;
    return -1;
}

constexpr bool isBase64Char(char c) noexcept {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
           c == '/';
}

}  // namespace

void appendHex(std::span<const std::uint8_t> data, std::string& out) {
    const std::size_t start = out.size();
    out.resize(start + 2 * data.size());
    char* p = out.data() + start;
    for (const std::uint8_t b : data) {
        *p++ = kHexDigits[b >> 4];
        *p++ = kHexDigits[b & 0x0F];
    }
}

bool decodeHex(std::string_view text, std::vector<std::uint8_t>& out) {
    if (text.size() % 2 != 0) return false;
    for (std::size_t i = 0; i < text.size(); i += 2) {
        const int hi = hexValue(text[i]);
        const int lo = hexValue(text[i + 1]);
        if (hi < 0 || lo < 0) return false;
        out.push_back(static_cast<std::uint8_t>((hi << 4) | lo));
    }
    return true;
}

void appendBase64(std::span<const std::uint8_t> data, std::string& out) {
    if (data.empty()) return;
    const std::size_t start = out.size();
    const std::size_t encoded = 4 * ((data.size() + 2) / 3);
    out.resize(start + encoded + 1);  // EVP_EncodeBlock writes a terminating NUL
    const int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data() + start),
                                        data.data(), static_cast<int>(data.size()));
    out.resize(start + static_cast<std::size_t>(written));
}

bool decodeBase64(std::string_view text, std::vector<std::uint8_t>& out) {
    // EVP_DecodeBlock accepts padding anywhere and counts it as data, so the shape is checked
    // here and the padding subtracted afterwards.
    if (text.size() % 4 != 0) return false;
    if (text.empty()) return true;
    std::size_t padding = 0;
    if (text.back() == '=') ++padding;
    if (text.size() >= 2 && text[text.size() - 2] == '=') ++padding;
    if (padding == 1 && text.back() != '=') return false;
    for (std::size_t i = 0; i + padding < text.size(); ++i) {
        if (!isBase64Char(text[i])) return false;
    }
    const std::size_t start = out.size();
    out.resize(start + 3 * (text.size() / 4));
    const int decoded =
        EVP_DecodeBlock(out.data() + start, reinterpret_cast<const unsigned char*>(text.data()),
                        static_cast<int>(text.size()));
    if (decoded < 0) {
        out.resize(start);
        return false;
    }
    out.resize(start + static_cast<std::size_t>(decoded) - padding);
    return true;
}

void appendBase32Hex(std::span<const std::uint8_t> data, std::string& out) {
    std::uint32_t buffer = 0;
    int bits = 0;
    for (const std::uint8_t b : data) {
        buffer = (buffer << 8) | b;
        bits += 8;
        while (bits >= 5) {
            bits -= 5;
            out.push_back(kBase32Hex[(buffer >> bits) & 0x1F]);
        }
    }
    if (bits > 0) out.push_back(kBase32Hex[(buffer << (5 - bits)) & 0x1F]);
}

bool decodeBase32Hex(std::string_view text, std::vector<std::uint8_t>& out) {
    // Unpadded lengths that end inside a byte in a way no encoder produces are rejected, and the
    // leftover bits must be zero, so that decode(encode(x)) is the only text for x.
    switch (text.size() % 8) {
        case 1:
        case 3:
        case 6:
            return false;
        default:
            break;
    }
    std::uint32_t buffer = 0;
    int bits = 0;
    for (const char c : text) {
        const int v = base32HexValue(c);
        if (v < 0) return false;
        buffer = (buffer << 5) | static_cast<std::uint32_t>(v);
        bits += 5;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<std::uint8_t>(buffer >> bits));
        }
    }
    return (buffer & ((1U << bits) - 1U)) == 0;
}

}  // namespace dnsfleet::dnswire
