#include "dnswire/name.hpp"

#include <algorithm>
#include <cstring>

namespace dnsfleet::dnswire {

namespace {

constexpr std::uint8_t lower(std::uint8_t c) noexcept {
    return (c >= 'A' && c <= 'Z') ? static_cast<std::uint8_t>(c + ('a' - 'A')) : c;
}

// Offsets of each label's length octet, leftmost first; returns the count (root excluded).
std::size_t labelOffsets(NameView name, std::array<std::uint8_t, kMaxLabels>& offsets) noexcept {
    std::size_t count = 0;
    std::size_t pos = 0;
    const std::uint8_t* p = name.data();
    while (pos < name.size() && p[pos] != 0) {
        offsets[count++] = static_cast<std::uint8_t>(pos);
        pos += 1U + p[pos];
    }
    return count;
}

// Compares two labels in canonical order: case-folded octets, shorter label first on a tie.
int compareLabels(const std::uint8_t* a, const std::uint8_t* b) noexcept {
    const std::size_t la = a[0];
    const std::size_t lb = b[0];
    const std::size_t n = std::min(la, lb);
    for (std::size_t i = 1; i <= n; ++i) {
        const std::uint8_t ca = lower(a[i]);
        const std::uint8_t cb = lower(b[i]);
        if (ca != cb) return ca < cb ? -1 : 1;
    }
    if (la == lb) return 0;
    return la < lb ? -1 : 1;
}

bool needsEscape(std::uint8_t c) noexcept {
    switch (c) {
        case '.':
        case ';':
        case '(':
        case ')':
        case '"':
        case '\\':
        case '@':
        case '$':
            return true;
        default:
            return false;
    }
}

}  // namespace

std::size_t NameView::labelCount() const noexcept {
    std::size_t count = 0;
    std::size_t pos = 0;
    while (pos < size_ && data_[pos] != 0) {
        ++count;
        pos += 1U + data_[pos];
    }
    return count;
}

std::span<const std::uint8_t> NameView::firstLabel() const noexcept {
    return {data_ + 1, data_[0]};
}

bool NameView::isWildcard() const noexcept {
    return size_ >= 2 && data_[0] == 1 && data_[1] == '*';
}

NameView NameView::parent() const noexcept {
    if (isRoot()) return *this;
    const std::size_t skip = 1U + data_[0];
    return fromTrusted(data_ + skip, size_ - skip);
}

NameView NameView::stripLabels(std::size_t n) const noexcept {
    NameView view = *this;
    for (std::size_t i = 0; i < n && !view.isRoot(); ++i)
        view = view.parent();
    return view;
}

void NameView::appendText(std::string& out) const {
    if (isRoot()) {
        out.push_back('.');
        return;
    }
    std::size_t pos = 0;
    while (pos < size_ && data_[pos] != 0) {
        const std::size_t len = data_[pos];
        for (std::size_t i = 1; i <= len; ++i) {
            const std::uint8_t c = data_[pos + i];
            if (c <= 0x20 || c >= 0x7f) {
                char buf[5];
                buf[0] = '\\';
                buf[1] = static_cast<char>('0' + c / 100);
                buf[2] = static_cast<char>('0' + (c / 10) % 10);
                buf[3] = static_cast<char>('0' + c % 10);
                out.append(buf, 4);
            } else {
                if (needsEscape(c)) out.push_back('\\');
                out.push_back(static_cast<char>(c));
            }
        }
        out.push_back('.');
        pos += 1 + len;
    }
}

std::string NameView::toText() const {
    std::string out;
    out.reserve(size_ + 8U);
    appendText(out);
    return out;
}

bool equalNames(NameView a, NameView b) noexcept {
    if (a.size() != b.size()) return false;
    const std::uint8_t* pa = a.data();
    const std::uint8_t* pb = b.data();
    // Length octets are never letters, so folding the whole buffer is safe.
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (lower(pa[i]) != lower(pb[i])) return false;
    }
    return true;
}

int compareCanonical(NameView a, NameView b) noexcept {
    std::array<std::uint8_t, kMaxLabels> offA{};
    std::array<std::uint8_t, kMaxLabels> offB{};
    std::size_t na = labelOffsets(a, offA);
    std::size_t nb = labelOffsets(b, offB);
    // RFC 4034 §6.1: compare from the rightmost label towards the left.
    while (na > 0 && nb > 0) {
        --na;
        --nb;
        const int c = compareLabels(a.data() + offA[na], b.data() + offB[nb]);
        if (c != 0) return c;
    }
    if (na == nb) return 0;
    return na < nb ? -1 : 1;
}

bool isSubdomain(NameView name, NameView ancestor) noexcept {
    if (name.size() < ancestor.size()) return false;
    // Walk label boundaries of `name` until the remaining suffix has the ancestor's length;
    // comparing raw tails would match inside a label.
    NameView tail = name;
    while (tail.size() > ancestor.size())
        tail = tail.parent();
    return tail.size() == ancestor.size() && equalNames(tail, ancestor);
}

std::size_t commonLabels(NameView a, NameView b) noexcept {
    std::array<std::uint8_t, kMaxLabels> offA{};
    std::array<std::uint8_t, kMaxLabels> offB{};
    std::size_t na = labelOffsets(a, offA);
    std::size_t nb = labelOffsets(b, offB);
    std::size_t common = 0;
    while (na > 0 && nb > 0) {
        --na;
        --nb;
        if (compareLabels(a.data() + offA[na], b.data() + offB[nb]) != 0) break;
        ++common;
    }
    return common;
}

std::uint64_t hashName(NameView name) noexcept {
    // FNV-1a over case-folded octets: cheap, no tables, good enough spread for open addressing
    // once mixed by the final avalanche.
    std::uint64_t h = 0xcbf29ce484222325ULL;
    for (std::size_t i = 0; i < name.size(); ++i) {
        h ^= lower(name.data()[i]);
        h *= 0x100000001b3ULL;
    }
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    return h;
}

void lowercaseWire(std::span<std::uint8_t> wire) noexcept {
    for (auto& c : wire)
        c = lower(c);
}

Name::Name(NameView view) noexcept : size_(static_cast<std::uint8_t>(view.size())) {
    std::memcpy(wire_.data(), view.data(), view.size());
}

WireResult<Name> Name::fromWire(std::span<const std::uint8_t> packet, std::size_t& pos) noexcept {
    Name name;
    std::size_t out = 0;
    std::size_t cursor = pos;
    std::size_t endAfter = 0;  // where `pos` lands: after the first pointer or the root
    bool jumped = false;
    // Every pointer must point strictly before the label that holds it, so the walk can never
    // revisit a byte: that bounds the loop without counting hops.
    std::size_t limit = packet.size();
    while (true) {
        if (cursor >= packet.size()) return fail(WireError::Truncated);
        const std::uint8_t len = packet[cursor];
        if ((len & 0xC0) == 0xC0) {
            if (cursor + 1 >= packet.size()) return fail(WireError::Truncated);
            const std::size_t target = (std::size_t{len & 0x3FU} << 8) | packet[cursor + 1];
            if (target >= cursor || target >= limit) return fail(WireError::BadPointer);
            if (!jumped) {
                endAfter = cursor + 2;
                jumped = true;
            }
            limit = target;
            cursor = target;
            continue;
        }
        if ((len & 0xC0) != 0) return fail(WireError::BadLabelType);
        if (cursor + 1U + len > packet.size()) return fail(WireError::Truncated);
        if (out + 1U + len > kMaxNameLength) return fail(WireError::NameTooLong);
        std::memcpy(name.wire_.data() + out, packet.data() + cursor, 1U + len);
        out += 1U + len;
        cursor += 1U + len;
        if (len == 0) break;
    }
    name.size_ = static_cast<std::uint8_t>(out);
    pos = jumped ? endAfter : cursor;
    return name;
}

WireResult<Name> Name::fromUncompressed(std::span<const std::uint8_t> wire) noexcept {
    std::size_t pos = 0;
    while (true) {
        if (pos >= wire.size()) return fail(WireError::Truncated);
        const std::uint8_t len = wire[pos];
        if ((len & 0xC0) == 0xC0) return fail(WireError::BadPointer);
        if ((len & 0xC0) != 0) return fail(WireError::BadLabelType);
        if (pos + 1U + len > kMaxNameLength) return fail(WireError::NameTooLong);
        pos += 1U + len;
        if (len == 0) break;
    }
    if (pos != wire.size()) return fail(WireError::TrailingData);
    Name name;
    std::memcpy(name.wire_.data(), wire.data(), pos);
    name.size_ = static_cast<std::uint8_t>(pos);
    return name;
}

WireResult<Name> Name::fromText(std::string_view text, NameView origin) noexcept {
    if (text.empty()) return fail(WireError::EmptyLabel);
    if (text == "@") return Name(origin);
    if (text == ".") return Name();

    Name name;
    std::size_t out = 0;     // bytes written
    std::size_t lenPos = 0;  // position of the current label's length octet
    std::size_t labelLen = 0;
    bool absolute = false;
    name.wire_[0] = 0;
    out = 1;

    for (std::size_t i = 0; i < text.size(); ++i) {
        auto c = static_cast<std::uint8_t>(text[i]);
        if (c == '.') {
            if (labelLen == 0) return fail(WireError::EmptyLabel);
            name.wire_[lenPos] = static_cast<std::uint8_t>(labelLen);
            if (i + 1 == text.size()) {
                absolute = true;
                break;
            }
            if (out >= kMaxNameLength) return fail(WireError::NameTooLong);
            lenPos = out++;
            labelLen = 0;
            continue;
        }
        if (c == '\\') {
            if (i + 1 >= text.size()) return fail(WireError::BadEscape);
            const auto d1 = static_cast<std::uint8_t>(text[i + 1]);
            if (d1 >= '0' && d1 <= '9') {
                if (i + 3 >= text.size()) return fail(WireError::BadEscape);
                const auto d2 = static_cast<std::uint8_t>(text[i + 2]);
                const auto d3 = static_cast<std::uint8_t>(text[i + 3]);
                if (d2 < '0' || d2 > '9' || d3 < '0' || d3 > '9') return fail(WireError::BadEscape);
                const unsigned value = (d1 - '0') * 100U + (d2 - '0') * 10U + (d3 - '0');
                if (value > 255) return fail(WireError::BadEscape);
                c = static_cast<std::uint8_t>(value);
                i += 3;
            } else {
                c = d1;
                i += 1;
            }
        }
        if (labelLen == kMaxLabelLength) return fail(WireError::LabelTooLong);
        if (out >= kMaxNameLength) return fail(WireError::NameTooLong);
        name.wire_[out++] = c;
        ++labelLen;
    }

    if (!absolute) {
        name.wire_[lenPos] = static_cast<std::uint8_t>(labelLen);
        // Relative: append the origin (which carries the root label).
        if (out + origin.size() > kMaxNameLength) return fail(WireError::NameTooLong);
        std::memcpy(name.wire_.data() + out, origin.data(), origin.size());
        out += origin.size();
    } else {
        if (out + 1 > kMaxNameLength) return fail(WireError::NameTooLong);
        name.wire_[out++] = 0;
    }
    name.size_ = static_cast<std::uint8_t>(out);
    return name;
}

WireResult<Name> Name::concat(NameView suffix) const noexcept {
    const std::size_t prefix = size_ - 1U;  // drop our root label
    if (prefix + suffix.size() > kMaxNameLength) return fail(WireError::NameTooLong);
    Name result;
    std::memcpy(result.wire_.data(), wire_.data(), prefix);
    std::memcpy(result.wire_.data() + prefix, suffix.data(), suffix.size());
    result.size_ = static_cast<std::uint8_t>(prefix + suffix.size());
    return result;
}

}  // namespace dnsfleet::dnswire
