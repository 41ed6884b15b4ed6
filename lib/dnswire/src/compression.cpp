// Name compression (RFC 1035 §4.1.4) for MessageBuilder: the hot path of every answer.
//
// The table holds the start of every name written with at least one literal label. A new name is
// matched against each entry the way one would align two names by hand: drop the surplus leading
// labels of the longer one, then walk both in step and keep the last run of equal labels, which
// is their longest common suffix. That finds every suffix of every written name without storing
// each suffix, and costs a few label comparisons per entry for typical answers.

#include <algorithm>
#include <cstring>

#include "dnswire/message.hpp"

namespace dnsfleet::dnswire {

namespace {

// A pointer's 14-bit offset: names starting later cannot be pointed to.
constexpr std::size_t kMaxPointerTarget = 0x3FFF;

constexpr std::uint8_t lower(std::uint8_t c) noexcept {
    return (c >= 'A' && c <= 'Z') ? static_cast<std::uint8_t>(c + ('a' - 'A')) : c;
}

// Follows compression pointers at `pos`. Only used on names this builder wrote itself, whose
// pointers always lead backwards to a label, so no bound is needed.
std::size_t resolve(const std::uint8_t* message, std::size_t pos) noexcept {
    while ((message[pos] & 0xC0) == 0xC0)
        pos = (std::size_t{message[pos] & 0x3FU} << 8) | message[pos + 1];
    return pos;
}

// Case-insensitive label equality (RFC 1035 §2.3.3, RFC 4343); `a` and `b` point at length
// octets.
bool sameLabel(const std::uint8_t* a, const std::uint8_t* b) noexcept {
    if (a[0] != b[0]) return false;
    for (std::size_t i = 1; i <= a[0]; ++i) {
        if (a[i] != b[i] && lower(a[i]) != lower(b[i])) return false;
    }
    return true;
}

}  // namespace

bool MessageBuilder::writeName(NameView name, bool compress, bool remember,
                               std::size_t end) noexcept {
    std::array<std::uint8_t, kMaxLabels> offsets;  // NOLINT(cppcoreguidelines-pro-type-member-init)
    std::size_t labels = 0;
    const std::uint8_t* wire = name.data();
    for (std::size_t pos = 0; wire[pos] != 0; pos += 1U + wire[pos])
        offsets[labels++] = static_cast<std::uint8_t>(pos);

    std::size_t bestLabels = 0;  // labels of the longest suffix found in the message
    std::size_t bestTarget = 0;
    if (compress && labels > 0) {
        const std::uint8_t* message = buffer_.data();
        for (std::size_t e = 0; e < compressionEntries_ && bestLabels < labels; ++e) {
            const CompressionEntry entry = compression_[e];
            if (std::min<std::size_t>(entry.labels, labels) <= bestLabels) continue;
            std::size_t pos = entry.offset;
            std::size_t i = 0;
            if (entry.labels > labels) {
                for (std::size_t skip = entry.labels - labels; skip > 0; --skip) {
                    pos = resolve(message, pos);
                    pos += 1U + message[pos];
                }
            } else {
                i = labels - entry.labels;
            }
            bool inRun = false;
            std::size_t runStart = 0;
            std::size_t runTarget = 0;
            for (; i < labels; ++i) {
                pos = resolve(message, pos);
                if (sameLabel(wire + offsets[i], message + pos)) {
                    if (!inRun) {
                        inRun = true;
                        runStart = i;
                        runTarget = pos;
                    }
                } else {
                    inRun = false;
                }
                pos += 1U + message[pos];
            }
            if (inRun && labels - runStart > bestLabels && runTarget <= kMaxPointerTarget) {
                bestLabels = labels - runStart;
                bestTarget = runTarget;
            }
        }
    }

    const std::size_t literal = bestLabels > 0 ? offsets[labels - bestLabels] : name.size();
    const std::size_t needed = literal + (bestLabels > 0 ? 2 : 0);
    if (size_ > end || needed > end - size_) return false;

    const std::size_t start = size_;
    std::memcpy(buffer_.data() + size_, wire, literal);
    size_ += literal;
    if (bestLabels > 0) {
        storeU16(buffer_.data() + size_, static_cast<std::uint16_t>(0xC000U | bestTarget));
        size_ += 2;
    }
    if (remember && bestLabels < labels && start <= kMaxPointerTarget &&
        compressionEntries_ < kMaxCompressionEntries) {
        compression_[compressionEntries_++] = {static_cast<std::uint16_t>(start),
                                               static_cast<std::uint8_t>(labels)};
    }
    return true;
}

}  // namespace dnsfleet::dnswire
