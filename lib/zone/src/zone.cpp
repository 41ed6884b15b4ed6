#include "zone/zone.hpp"

#include <algorithm>
#include <cstring>

#include "name_index.hpp"
#include "nsec3_hash.hpp"

namespace dnsfleet::zone {

using dnswire::NameView;

const Node* Zone::find(NameView name) const noexcept {
    if (table_.empty()) return nullptr;
    const std::uint32_t index =
        detail::findName(table_, tableMask_, name, detail::nameHash32(name),
                         [this](std::uint32_t at) { return this->name(*nodeAt(at)); });
    return index == kNoIndex ? nullptr : nodeAt(index);
}

Lookup Zone::lookup(NameView name) const noexcept {
    Lookup out;
    out.match = find(name);
    out.encloser = out.match;
    if (out.match == nullptr) {
        // Closest encloser by stripping labels: the names between the query and the encloser
        // do not exist, and the apex always does.
        const std::size_t apexSize = apexNode().nameLength;
        NameView current = name;
        while (out.encloser == nullptr) {
            current = current.parent();
            if (current.size() <= apexSize) {
                out.encloser = &apexNode();
                break;
            }
            out.encloser = find(current);
        }
    }
    constexpr std::uint16_t kCutFlags =
        nodeflag::NonAuth | nodeflag::BelowDname | nodeflag::Delegation | nodeflag::HasDname;
    if ((out.encloser->flags & kCutFlags) != 0) {
        // Walk up to the apex; the topmost cut wins because it is the last one seen.
        for (const Node* node = out.encloser; node != nullptr; node = parent(*node)) {
            if (node->has(nodeflag::Delegation)) {
                out.cut = node;
                out.cutIsDname = false;
            } else if (node->has(nodeflag::HasDname) && node != out.match) {
                out.cut = node;
                out.cutIsDname = true;
            }
        }
    }
    if (out.match == nullptr && out.cut == nullptr && out.encloser->has(nodeflag::WildcardChild)) {
        const NameView encloser = this->name(*out.encloser);
        if (encloser.size() + 2 <= dnswire::kMaxNameLength) {
            std::array<std::uint8_t, dnswire::kMaxNameLength> wild{};
            wild[0] = 1;
            wild[1] = '*';
            std::memcpy(wild.data() + 2, encloser.data(), encloser.size());
            out.wildcard = find(NameView::fromTrusted(wild.data(), encloser.size() + 2));
        }
    }
    return out;
}

RRsetView Zone::rrset(const Node& node, std::uint16_t type) const noexcept {
    const RRset* first = rrsetAt(node.firstRRset);
    for (const RRset* r = first; r != first + node.rrsetCount; ++r) {
        if (r->type == type) return view(r);
    }
    return {};
}

const Node* Zone::nsecFor(NameView name) const noexcept {
    if (nsecChain_.empty()) return nullptr;
    // The last NSEC owner that sorts at or before the name; before the first one it wraps to
    // the last (whose NSEC points back to the apex).
    const auto it = std::upper_bound(
        nsecChain_.begin(), nsecChain_.end(), name, [this](NameView n, std::uint32_t index) {
            return dnswire::compareCanonical(n, this->name(*nodeAt(index))) < 0;
        });
    const std::uint32_t index = it == nsecChain_.begin() ? nsecChain_.back() : *(it - 1);
    return nodeAt(index);
}

void Zone::nsec3Hash(NameView name, std::array<std::uint8_t, 20>& out) const noexcept {
    detail::nsec3Sha1(name, {nsec3Params_.salt.data(), nsec3Params_.saltLength},
                      nsec3Params_.iterations, out);
}

const Node* Zone::nsec3For(const std::array<std::uint8_t, 20>& hash, bool& match) const noexcept {
    match = false;
    if (nsec3Hashes_.empty()) return nullptr;
    const auto it = std::upper_bound(nsec3Hashes_.begin(), nsec3Hashes_.end(), hash);
    const std::size_t index = it == nsec3Hashes_.begin()
                                  ? nsec3Hashes_.size() - 1
                                  : static_cast<std::size_t>(it - nsec3Hashes_.begin()) - 1;
    match = nsec3Hashes_[index] == hash;
    return nodeAt(nodes_[normalNodes_ + index]);
}

std::size_t Zone::memoryUsage() const noexcept {
    return sizeof(*this) + data_.capacity() + nodes_.capacity() * sizeof(std::uint32_t) +
           table_.capacity() * sizeof(std::uint64_t) +
           nsecChain_.capacity() * sizeof(std::uint32_t) +
           nsec3Hashes_.capacity() * sizeof(nsec3Hashes_[0]);
}

}  // namespace dnsfleet::zone
