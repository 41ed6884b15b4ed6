// Name compression (RFC 1035 §4.1.4) for MessageBuilder: the hot path of every answer and of
// every zone transfer.
//
// Both ways of searching find the longest suffix, at label boundaries and ignoring case, among
// every suffix of every name written at a pointable offset:
// - Small messages keep a short list of names. A new name is matched against each the way one
//   aligns two names by hand: drop the surplus leading labels of the longer one, then walk both
//   in step and keep the last run of equal labels. A few label comparisons per entry.
// - Once the list is full, an open-addressing hash index of suffixes takes over (built from the
//   list once). A name's suffix hashes are computed from the root leftwards, and the longest
//   suffix is looked up first, so a name costs one pass over its octets plus a few probes,
//   whatever the message holds. A name written as new labels plus a pointer adds only its new
//   suffixes: the rest are in the index already, under the name the pointer leads to.

#include <algorithm>
#include <cstring>

#include "dnswire/message.hpp"

namespace dnsfleet::dnswire {

namespace {

// A pointer's 14-bit offset: names starting later cannot be pointed to.
constexpr std::size_t kMaxPointerTarget = 0x3FFF;
constexpr std::uint32_t kOffsetMask = 0x3FFF;
constexpr std::uint32_t kTagMask = ~kOffsetMask;

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

// True when the name at `pos` in the message is exactly `labels[0..count)` (then the root).
bool sameSuffix(const std::uint8_t* message, std::size_t pos, const std::uint8_t* const* labels,
                std::size_t count) noexcept {
    for (std::size_t i = 0; i < count; ++i) {
        pos = resolve(message, pos);
        if (!sameLabel(labels[i], message + pos)) return false;
        pos += 1U + message[pos];
    }
    return message[resolve(message, pos)] == 0;
}

// hashes[i] = hash of the suffix starting at labels[i], case folded. Computed from the root so
// that each suffix extends the hash of the next shorter one.
void suffixHashes(const std::uint8_t* const* labels, std::size_t count,
                  std::uint32_t* hashes) noexcept {
    std::uint64_t h = 0x9E3779B97F4A7C15ULL;
    for (std::size_t i = count; i-- > 0;) {
        const std::uint8_t* label = labels[i];
        h = (h ^ label[0]) * 0x100000001B3ULL;
        for (std::size_t k = 1; k <= label[0]; ++k)
            h = (h ^ lower(label[k])) * 0x100000001B3ULL;
        // FNV mixes its low bits poorly; the slot index and the tag need them well mixed.
        std::uint64_t m = h ^ (h >> 33);
        m *= 0xFF51AFD7ED558CCDULL;
        m ^= m >> 33;
        hashes[i] = static_cast<std::uint32_t>(m);
    }
}

}  // namespace

std::size_t MessageBuilder::findIndexed(const std::uint8_t* const* labels, std::size_t count,
                                        const std::uint32_t* hashes,
                                        std::size_t& target) const noexcept {
    const std::uint8_t* message = buffer_.data();
    for (std::size_t i = 0; i < count; ++i) {
        const std::uint32_t tag = hashes[i] & kTagMask;
        for (std::size_t slot = hashes[i] & (kSuffixSlots - 1);;
             slot = (slot + 1) & (kSuffixSlots - 1)) {
            const std::uint32_t entry = suffixSlots_[slot];
            if (entry == 0) break;
            if ((entry & kTagMask) == tag &&
                sameSuffix(message, entry & kOffsetMask, labels + i, count - i)) {
                target = entry & kOffsetMask;
                return count - i;
            }
        }
    }
    return 0;
}

void MessageBuilder::insertSuffix(std::uint32_t hash, std::size_t offset) noexcept {
    std::size_t slot = hash & (kSuffixSlots - 1);
    while (suffixSlots_[slot] != 0)
        slot = (slot + 1) & (kSuffixSlots - 1);
    suffixSlots_[slot] = (hash & kTagMask) | static_cast<std::uint32_t>(offset);
    ++suffixCount_;
}

void MessageBuilder::indexSuffixes() noexcept {
    suffixSlots_.fill(0);
    suffixCount_ = 0;
    indexed_ = true;
    const std::uint8_t* message = buffer_.data();
    std::array<const std::uint8_t*, kMaxLabels>
        labels;                                    // NOLINT(cppcoreguidelines-pro-type-member-init)
    std::array<std::size_t, kMaxLabels> offsets;   // NOLINT(cppcoreguidelines-pro-type-member-init)
    std::array<std::uint32_t, kMaxLabels> hashes;  // NOLINT(cppcoreguidelines-pro-type-member-init)
    for (std::size_t e = 0; e < compressionEntries_; ++e) {
        std::size_t count = 0;
        for (std::size_t pos = resolve(message, compression_[e].offset); message[pos] != 0;
             pos = resolve(message, pos + 1U + message[pos])) {
            offsets[count] = pos;
            labels[count++] = message + pos;
        }
        suffixHashes(labels.data(), count, hashes.data());
        std::size_t target = 0;
        const std::size_t known = findIndexed(labels.data(), count, hashes.data(), target);
        for (std::size_t i = count - known; i-- > 0;) {
            if (offsets[i] <= kMaxPointerTarget && suffixCount_ < kMaxSuffixes)
                insertSuffix(hashes[i], offsets[i]);
        }
    }
}

bool MessageBuilder::writeName(NameView name, bool compress, bool remember,
                               std::size_t end) noexcept {
    std::array<std::uint8_t, kMaxLabels> offsets;  // NOLINT(cppcoreguidelines-pro-type-member-init)
    std::size_t labels = 0;
    const std::uint8_t* wire = name.data();
    for (std::size_t pos = 0; wire[pos] != 0; pos += 1U + wire[pos])
        offsets[labels++] = static_cast<std::uint8_t>(pos);

    if (!indexed_ && remember && compressionEntries_ == kMaxCompressionEntries && labels > 0)
        indexSuffixes();

    std::size_t bestLabels = 0;  // labels of the longest suffix found in the message
    std::size_t bestTarget = 0;
    std::size_t knownLabels = 0;  // the same, also when not compressing (indexed only)
    std::array<std::uint32_t, kMaxLabels> hashes;  // NOLINT(cppcoreguidelines-pro-type-member-init)
    if (indexed_ && labels > 0 && (compress || remember)) {
        std::array<const std::uint8_t*, kMaxLabels>
            starts;  // NOLINT(cppcoreguidelines-pro-type-member-init)
        for (std::size_t i = 0; i < labels; ++i)
            starts[i] = wire + offsets[i];
        suffixHashes(starts.data(), labels, hashes.data());
        knownLabels = findIndexed(starts.data(), labels, hashes.data(), bestTarget);
        if (compress) bestLabels = knownLabels;
    } else if (compress && labels > 0) {
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
    if (!remember) return true;
    if (indexed_) {
        // Shortest new suffix first, so that a full index still holds every suffix of what
        // it holds.
        for (std::size_t i = labels - knownLabels; i-- > 0;) {
            const std::size_t offset = start + offsets[i];
            if (offset <= kMaxPointerTarget && suffixCount_ < kMaxSuffixes)
                insertSuffix(hashes[i], offset);
        }
    } else if (bestLabels < labels && start <= kMaxPointerTarget &&
               compressionEntries_ < kMaxCompressionEntries) {
        compression_[compressionEntries_++] = {static_cast<std::uint16_t>(start),
                                               static_cast<std::uint8_t>(labels)};
    }
    return true;
}

}  // namespace dnsfleet::dnswire
