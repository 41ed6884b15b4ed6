#include "zone/patch.hpp"

#include <algorithm>
#include <cstring>

#include "dnswire/rrtype.hpp"
#include "dnswire/wire.hpp"

namespace dnsfleet::zone {

namespace {

namespace rrtype = dnswire::rrtype;

constexpr std::size_t alignUp(std::size_t n) noexcept {
    return (n + 3U) & ~std::size_t{3};
}

// Changes to these types move zone cuts, CNAME/DNAME rules or the NSEC/NSEC3 chains, which
// only the builder re-derives.
bool structural(std::uint16_t type) noexcept {
    switch (type) {
        case rrtype::NS:
        case rrtype::CNAME:
        case rrtype::DNAME:
        case rrtype::DS:
        case rrtype::NSEC:
        case rrtype::NSEC3:
        case rrtype::NSEC3PARAM:
        case rrtype::OPT:
        case 0:
            return true;
        default:
            return type >= 128 && type <= 255;  // meta types: the builder refuses them
    }
}

// A node with one of these flags sits where a change could alter cuts or checks.
constexpr std::uint16_t kRefusedNodes =
    nodeflag::Delegation | nodeflag::NonAuth | nodeflag::HasDname | nodeflag::BelowDname |
    nodeflag::HasCname | nodeflag::EmptyNonTerminal | nodeflag::Nsec3Owner;

Node loadNode(const std::uint8_t* at) noexcept {
    Node node;
    std::memcpy(&node, at, sizeof(Node));
    return node;
}

RRset loadRRset(const std::uint8_t* at) noexcept {
    RRset rrset;
    std::memcpy(&rrset, at, sizeof(RRset));
    return rrset;
}

std::uint16_t coveredBy(std::uint16_t type, std::span<const std::uint8_t> rdata) noexcept {
    if (type != rrtype::RRSIG || rdata.size() < 2) return 0;
    return dnswire::loadU16(rdata.data());
}

/// One record of a node being rebuilt, in the builder's terms.
struct Item {
    std::uint16_t type = 0;
    std::uint16_t covered = 0;
    std::uint32_t ttl = 0;
    std::uint32_t order = 0;  ///< order of addition: the earliest gives the RRset's TTL
    std::span<const std::uint8_t> rdata;
};

bool sameContent(const Item& a, const Item& b) noexcept {
    return a.type == b.type && a.covered == b.covered && a.rdata.size() == b.rdata.size() &&
           std::equal(a.rdata.begin(), a.rdata.end(), b.rdata.begin());
}

// The builder's record order within a node: type, covered type, RDATA octets (unsigned,
// shorter first on a tie, as std::string_view compares), then order of addition.
bool builderOrder(const Item& a, const Item& b) noexcept {
    if (a.type != b.type) return a.type < b.type;
    if (a.covered != b.covered) return a.covered < b.covered;
    const std::size_t common = std::min(a.rdata.size(), b.rdata.size());
    const int c = common == 0 ? 0 : std::memcmp(a.rdata.data(), b.rdata.data(), common);
    if (c != 0) return c < 0;
    if (a.rdata.size() != b.rdata.size()) return a.rdata.size() < b.rdata.size();
    return a.order < b.order;
}

/// Old arena offset → new one: every blob moves by the size changes of the rebuilt blobs
/// before it.
class OffsetMap {
  public:
    void add(std::uint32_t oldOffset, std::uint32_t shiftAfter) {
        at_.push_back(oldOffset);
        shift_.push_back(shiftAfter);
    }
    [[nodiscard]] std::uint32_t shiftOf(std::uint32_t oldOffset) const noexcept {
        const auto before = std::lower_bound(at_.begin(), at_.end(), oldOffset) - at_.begin();
        return before == 0 ? 0U : shift_[static_cast<std::size_t>(before) - 1];
    }
    [[nodiscard]] std::uint32_t map(std::uint32_t oldOffset) const noexcept {
        return oldOffset + shiftOf(oldOffset);  // modulo 2^32: shifts may be negative
    }
    [[nodiscard]] bool identity() const noexcept {
        return std::all_of(shift_.begin(), shift_.end(), [](std::uint32_t s) { return s == 0; });
    }

  private:
    std::vector<std::uint32_t> at_;     ///< old offsets of the rebuilt blobs, ascending
    std::vector<std::uint32_t> shift_;  ///< shift of everything after each of them
};

/// Moves the offsets inside the blob at `at` (new arena) by `shift`; its parent (an old
/// offset) goes through `map`.
void relocate(std::uint8_t* arena, std::uint32_t at, std::uint32_t shift, const OffsetMap& map) {
    Node node = loadNode(arena + at);
    const std::uint32_t oldFirst = node.firstRRset;
    node.nameOffset += shift;  // unsigned arithmetic: a negative shift wraps as it should
    node.firstRRset += shift;
    if (node.parent != kNoIndex) node.parent = map.map(node.parent);
    std::size_t headers = 0;
    if (node.rrsetCount != 0) {
        // Own headers and signature slices run from firstRRset up to the first RDATA.
        const RRset first = loadRRset(arena + node.firstRRset);
        headers = (first.rdataOffset - oldFirst) / sizeof(RRset);
    }
    std::memcpy(arena + at, &node, sizeof(Node));
    for (std::size_t h = 0; h < headers; ++h) {
        std::uint8_t* place = arena + node.firstRRset + h * sizeof(RRset);
        RRset rrset = loadRRset(place);
        rrset.rdataOffset += shift;
        if (rrset.signatures != kNoIndex) rrset.signatures += shift;
        std::memcpy(place, &rrset, sizeof(RRset));
    }
}

/// A node with at least one changed RRset.
struct Touched {
    std::size_t index = 0;  ///< in nodes_
    const Node* node = nullptr;
    std::vector<const RRsetChange*> changes;  ///< sorted by type
    std::vector<std::uint8_t> blob;           ///< offsets relative to the blob's start
    std::int64_t records = 0;                 ///< record count change
};

}  // namespace

class ZonePatcher {
  public:
    static std::optional<std::shared_ptr<const Zone>> patch(const Zone& base,
                                                            std::span<const RRsetChange> changes);

  private:
    static std::optional<std::vector<Touched>> group(const Zone& base,
                                                     std::span<const RRsetChange> changes);
    static bool rebuild(const Zone& base, Touched& touched);
};

std::optional<std::vector<Touched>> ZonePatcher::group(const Zone& base,
                                                       std::span<const RRsetChange> changes) {
    std::vector<std::pair<std::uint32_t, const RRsetChange*>> located;
    located.reserve(changes.size());
    for (const RRsetChange& change : changes) {
        if (structural(change.type)) return std::nullopt;
        const dnswire::NameView owner = change.owner.view();
        if (owner.isWildcard()) return std::nullopt;
        const Node* node = base.find(owner);
        if (node == nullptr || (node->flags & kRefusedNodes) != 0) return std::nullopt;
        if (change.type == rrtype::SOA && !node->has(nodeflag::Apex)) return std::nullopt;
        const auto offset = static_cast<std::uint32_t>(reinterpret_cast<const std::uint8_t*>(node) -
                                                       base.data_.data());
        located.emplace_back(offset, &change);
    }
    std::sort(located.begin(), located.end(), [](const auto& a, const auto& b) {
        if (a.first != b.first) return a.first < b.first;
        return a.second->type < b.second->type;
    });
    std::vector<Touched> touched;
    for (std::size_t i = 0; i < located.size(); ++i) {
        const auto [offset, change] = located[i];
        if (i > 0 && located[i - 1].first == offset) {
            if (located[i - 1].second->type == change->type) return std::nullopt;
            touched.back().changes.push_back(change);
            continue;
        }
        Touched t;
        t.index = static_cast<std::size_t>(
            std::lower_bound(base.nodes_.begin(), base.nodes_.end(), offset) - base.nodes_.begin());
        t.node = base.nodeAt(offset);
        t.changes.push_back(change);
        touched.push_back(std::move(t));
    }
    return touched;
}

// Lays the node's blob out as ZoneBuilder::build() does, from the base's untouched RRsets (with
// the TTLs ZoneBuilder::from() gives them) and the changed ones.
bool ZonePatcher::rebuild(const Zone& base, Touched& touched) {
    const Node& node = *touched.node;
    auto changed = [&touched](std::uint16_t type) {
        return std::any_of(touched.changes.begin(), touched.changes.end(),
                           [type](const RRsetChange* c) { return c->type == type; });
    };
    std::vector<Item> items;
    std::uint32_t order = 0;
    std::int64_t before = 0;
    for (const RRset& rrset : base.rrsets(node)) {
        before += rrset.count;
        if (changed(rrset.type)) continue;
        for (const auto rdata : base.view(&rrset)) {
            items.push_back(Item{rrset.type, coveredBy(rrset.type, rdata),
                                 exportedTtl(base, node, rrset, rdata), order++, rdata});
        }
    }
    for (const RRsetChange* change : touched.changes) {
        for (const PatchRecord& record : change->records) {
            if (record.rdata.size() > 0xFFFF) return false;
            const std::uint16_t covered = coveredBy(change->type, record.rdata);
            if (change->type == rrtype::RRSIG &&
                (record.rdata.size() < 2 || covered == rrtype::NSEC3))
                return false;  // the builder would move it to the NSEC3 part
            items.push_back(Item{change->type, covered, record.ttl, order++, record.rdata});
        }
    }
    std::sort(items.begin(), items.end(), builderOrder);
    items.erase(std::unique(items.begin(), items.end(), sameContent), items.end());
    if (items.empty()) return false;  // the node would disappear (or become a non-terminal)
    if (node.has(nodeflag::Apex)) {
        const auto soas = std::count_if(items.begin(), items.end(),
                                        [](const Item& i) { return i.type == rrtype::SOA; });
        const auto soa = std::find_if(items.begin(), items.end(),
                                      [](const Item& i) { return i.type == rrtype::SOA; });
        if (soas != 1 || soa->rdata.size() < 22) return false;
    }
    touched.records = static_cast<std::int64_t>(items.size()) - before;

    // Group into RRsets and signature slices exactly as the builder does.
    std::vector<RRset> own;
    std::vector<RRset> slices;
    for (const Item& item : items) {
        if (own.empty() || own.back().type != item.type) {
            RRset rrset;
            rrset.type = item.type;
            rrset.ttl = item.ttl;
            rrset.rdataOffset = item.order;  // for now: the earliest addition
            own.push_back(rrset);
        }
        RRset& rrset = own.back();
        if (rrset.count == 0xFFFF) return false;
        ++rrset.count;
        if (item.order < rrset.rdataOffset) {
            rrset.rdataOffset = item.order;
            rrset.ttl = item.ttl;
        }
        if (item.type == rrtype::RRSIG) {
            if (slices.empty() || slices.back().signatures != item.covered) {
                RRset slice;
                slice.type = rrtype::RRSIG;
                slice.ttl = item.ttl;
                slice.signatures = item.covered;  // for now: the covered type
                slices.push_back(slice);
            }
            ++slices.back().count;
        }
    }

    const dnswire::NameView name = base.name(node);
    std::vector<std::uint8_t>& blob = touched.blob;
    blob.assign(sizeof(Node), 0);
    blob.insert(blob.end(), name.data(), name.data() + name.size());
    blob.resize(alignUp(blob.size()), 0);
    const std::size_t headers = blob.size();
    blob.resize(headers + (own.size() + slices.size()) * sizeof(RRset), 0);
    std::size_t slice = 0;
    std::size_t at = 0;
    for (RRset& rrset : own) {
        rrset.rdataOffset = static_cast<std::uint32_t>(blob.size());
        for (std::uint16_t k = 0; k < rrset.count; ++k, ++at) {
            const Item& item = items[at];
            if (item.type == rrtype::RRSIG && (k == 0 || item.covered != items[at - 1].covered))
                slices[slice++].rdataOffset = static_cast<std::uint32_t>(blob.size());
            blob.push_back(static_cast<std::uint8_t>(item.rdata.size() >> 8));
            blob.push_back(static_cast<std::uint8_t>(item.rdata.size()));
            blob.insert(blob.end(), item.rdata.begin(), item.rdata.end());
        }
    }
    blob.resize(alignUp(blob.size()), 0);
    for (RRset& rrset : own) {
        for (std::size_t k = 0; k < slices.size(); ++k) {
            if (rrset.type != rrtype::RRSIG && rrset.type == slices[k].signatures)
                rrset.signatures =
                    static_cast<std::uint32_t>(headers + (own.size() + k) * sizeof(RRset));
        }
    }
    for (RRset& rrsig : slices)
        rrsig.signatures = kNoIndex;
    std::memcpy(blob.data() + headers, own.data(), own.size() * sizeof(RRset));
    if (!slices.empty())
        std::memcpy(blob.data() + headers + own.size() * sizeof(RRset), slices.data(),
                    slices.size() * sizeof(RRset));

    Node head = node;  // flags, name length, labels and parent (an old offset) stay
    head.nameOffset = sizeof(Node);
    head.firstRRset = static_cast<std::uint32_t>(headers);
    head.rrsetCount = static_cast<std::uint16_t>(own.size());
    std::memcpy(blob.data(), &head, sizeof(Node));
    return true;
}

std::optional<std::shared_ptr<const Zone>> ZonePatcher::patch(
    const Zone& base, std::span<const RRsetChange> changes) {
    auto grouped = group(base, changes);
    if (!grouped) return std::nullopt;
    std::vector<Touched>& touched = *grouped;
    std::int64_t records = static_cast<std::int64_t>(base.recordCount_);
    OffsetMap map;
    std::uint32_t shift = 0;
    std::size_t size = base.data_.size();
    for (Touched& t : touched) {
        if (!rebuild(base, t)) return std::nullopt;
        records += t.records;
        const std::size_t end =
            t.index + 1 < base.nodes_.size() ? base.nodes_[t.index + 1] : base.data_.size();
        const std::size_t old = end - base.nodes_[t.index];
        size = size - old + t.blob.size();
        shift += static_cast<std::uint32_t>(t.blob.size()) - static_cast<std::uint32_t>(old);
        map.add(base.nodes_[t.index], shift);
    }
    if (size > 0xF0000000U) return std::nullopt;

    std::shared_ptr<Zone> zone(new Zone());
    std::vector<std::uint8_t>& data = zone->data_;
    data.reserve(size);
    std::size_t cursor = 0;
    for (const Touched& t : touched) {
        const std::uint32_t at = base.nodes_[t.index];
        data.insert(data.end(), base.data_.begin() + static_cast<std::ptrdiff_t>(cursor),
                    base.data_.begin() + at);
        data.insert(data.end(), t.blob.begin(), t.blob.end());
        cursor = t.index + 1 < base.nodes_.size() ? base.nodes_[t.index + 1] : base.data_.size();
    }
    data.insert(data.end(), base.data_.begin() + static_cast<std::ptrdiff_t>(cursor),
                base.data_.end());

    // Offsets: rebuilt blobs start from 0, the blobs after them move by the size changes.
    const bool moved = !map.identity();
    zone->nodes_ = base.nodes_;
    if (moved) {
        auto next = touched.begin();
        for (std::size_t i = touched.front().index; i < base.nodes_.size(); ++i) {
            const std::uint32_t old = base.nodes_[i];
            zone->nodes_[i] = map.map(old);
            const bool rebuilt = next != touched.end() && next->index == i;
            if (rebuilt) ++next;
            relocate(data.data(), zone->nodes_[i], rebuilt ? zone->nodes_[i] : map.shiftOf(old),
                     map);
        }
    } else {
        for (const Touched& t : touched)
            relocate(data.data(), base.nodes_[t.index], base.nodes_[t.index], map);
    }

    zone->table_ = base.table_;
    zone->tableMask_ = base.tableMask_;
    zone->nsecChain_.reserve(base.nsecChain_.capacity());  // as the builder's push_backs left it
    zone->nsecChain_ = base.nsecChain_;
    if (moved) {
        for (std::uint64_t& slot : zone->table_) {
            if (slot == 0) continue;
            const auto offset = static_cast<std::uint32_t>(slot) - 1;
            slot = (slot & 0xFFFFFFFF00000000ULL) | (std::uint64_t{map.map(offset)} + 1);
        }
        for (std::uint32_t& offset : zone->nsecChain_)
            offset = map.map(offset);
    }
    zone->nsec3Hashes_ = base.nsec3Hashes_;
    zone->nsec3Params_ = base.nsec3Params_;
    zone->normalNodes_ = base.normalNodes_;
    zone->recordCount_ = static_cast<std::size_t>(records);

    const RRsetView soa = zone->rrset(zone->apexNode(), rrtype::SOA);
    zone->soa_ = soa.raw();
    const auto rdata = soa.first();
    const std::uint32_t minimum = dnswire::loadU32(rdata.data() + rdata.size() - 4);
    zone->negativeTtl_ = std::min(soa.ttl(), minimum);
    return std::shared_ptr<const Zone>(std::move(zone));
}

std::optional<std::shared_ptr<const Zone>> patchZone(const Zone& base,
                                                     std::span<const RRsetChange> changes) {
    if (changes.empty()) return std::nullopt;
    return ZonePatcher::patch(base, changes);
}

std::uint32_t exportedTtl(const Zone& zone, const Node& node, const RRset& rrset,
                          std::span<const std::uint8_t> rdata) noexcept {
    if (rrset.type != rrtype::RRSIG) return rrset.ttl;
    const std::uint16_t covered = coveredBy(rrset.type, rdata);
    std::uint32_t ttl = rrset.ttl;
    for (const RRset& other : zone.rrsets(node)) {
        if (other.type == covered && other.signatures != kNoIndex)
            ttl = zone.signatures(other).ttl();
    }
    return ttl;
}

}  // namespace dnsfleet::zone
