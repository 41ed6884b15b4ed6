#include "zone/patch.hpp"

#include <algorithm>
#include <cstring>
#include <map>
#include <set>
#include <string>

#include "dnswire/rrtype.hpp"
#include "dnswire/wire.hpp"
#include "name_index.hpp"

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

// A node with one of these flags sits at or below a zone cut or a DNAME: names added there
// would be glue or occluded, which only the builder flags.
constexpr std::uint16_t kCutNodes =
    nodeflag::Delegation | nodeflag::NonAuth | nodeflag::HasDname | nodeflag::BelowDname;

// Appends the records of `changes` as the builder would receive them after the base's.
bool appendChanges(std::span<const RRsetChange* const> changes, std::vector<Item>& items,
                   std::uint32_t& order) {
    for (const RRsetChange* change : changes) {
        for (const PatchRecord& record : change->records) {
            if (record.rdata.size() > 0xFFFF) return false;
            const std::uint16_t covered = coveredBy(change->type, record.rdata);
            if (change->type == rrtype::RRSIG &&
                (record.rdata.size() < 2 || covered == rrtype::NSEC3))
                return false;  // the builder would move it to the NSEC3 part
            items.push_back(Item{change->type, covered, record.ttl, order++, record.rdata});
        }
    }
    return true;
}

// The builder's order within a node; byte-identical records collapse into the earliest.
void sortItems(std::vector<Item>& items) {
    std::sort(items.begin(), items.end(), builderOrder);
    items.erase(std::unique(items.begin(), items.end(), sameContent), items.end());
}

/// Lays out the blob of the node `name` (offsets relative to the blob's start) exactly as
/// ZoneBuilder::build() does: Node, name, RRset headers then RRSIG slice headers, RDATA. `head`
/// brings the flags, label count and parent; no items gives an empty non-terminal's blob.
bool layout(dnswire::NameView name, Node head, const std::vector<Item>& items,
            std::vector<std::uint8_t>& blob) {
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
    if (!own.empty()) std::memcpy(blob.data() + headers, own.data(), own.size() * sizeof(RRset));
    if (!slices.empty())
        std::memcpy(blob.data() + headers + own.size() * sizeof(RRset), slices.data(),
                    slices.size() * sizeof(RRset));

    head.nameOffset = sizeof(Node);
    head.nameLength = static_cast<std::uint8_t>(name.size());
    head.firstRRset = static_cast<std::uint32_t>(headers);
    head.rrsetCount = static_cast<std::uint16_t>(own.size());
    std::memcpy(blob.data(), &head, sizeof(Node));
    return true;
}

/// Old arena offset → new one. Each entry says that from an old offset on, everything moves by
/// a shift: the size changes of the blobs inserted, rebuilt or dropped before it.
class OffsetMap {
  public:
    /// `from` must not decrease from one call to the next; the last entry for an offset wins.
    void add(std::uint32_t from, std::uint32_t shift) {
        from_.push_back(from);
        shift_.push_back(shift);
    }
    [[nodiscard]] std::uint32_t shiftOf(std::uint32_t oldOffset) const noexcept {
        const auto upto = std::upper_bound(from_.begin(), from_.end(), oldOffset) - from_.begin();
        return upto == 0 ? 0U : shift_[static_cast<std::size_t>(upto) - 1];
    }
    [[nodiscard]] std::uint32_t map(std::uint32_t oldOffset) const noexcept {
        return oldOffset + shiftOf(oldOffset);  // modulo 2^32: shifts may be negative
    }
    [[nodiscard]] bool identity() const noexcept {
        return std::all_of(shift_.begin(), shift_.end(), [](std::uint32_t s) { return s == 0; });
    }

  private:
    std::vector<std::uint32_t> from_;   ///< old offsets, ascending
    std::vector<std::uint32_t> shift_;  ///< shift of everything from there on
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

// Removes the slot holding `offset` from a linear-probing table, moving later entries of the
// same probe run back so that every remaining name is still found (backward-shift deletion).
void eraseName(std::vector<std::uint64_t>& table, std::uint64_t mask, std::uint32_t hash,
               std::uint32_t offset) noexcept {
    std::uint64_t hole = hash & mask;
    while (table[hole] != 0 && static_cast<std::uint32_t>(table[hole]) != offset + 1)
        hole = (hole + 1) & mask;
    if (table[hole] == 0) return;
    for (std::uint64_t next = (hole + 1) & mask; table[next] != 0; next = (next + 1) & mask) {
        const std::uint64_t home = (table[next] >> 32) & mask;
        // The entry may fill the hole unless its home lies cyclically in (hole, next].
        const bool stays =
            hole <= next ? (home > hole && home <= next) : (home > hole || home <= next);
        if (stays) continue;
        table[hole] = table[next];
        hole = next;
    }
    table[hole] = 0;
}

std::string keyOf(dnswire::NameView name) {
    std::string key(reinterpret_cast<const char*>(name.data()), name.size());
    dnswire::lowercaseWire({reinterpret_cast<std::uint8_t*>(key.data()), key.size()});
    return key;
}

/// An existing node with at least one changed RRset.
struct Touched {
    std::size_t index = 0;  ///< in nodes_
    const Node* node = nullptr;
    std::vector<const RRsetChange*> changes;  ///< sorted by type
    std::vector<std::uint8_t> blob;           ///< offsets relative to the blob's start
    std::int64_t records = 0;                 ///< record count change
    bool emptied = false;  ///< every RRset removed: an empty non-terminal now, or gone
    bool gone = false;     ///< no descendant stays: the node leaves the zone
};

/// A node that appears: a new name with data, or an empty non-terminal above one.
struct Added {
    dnswire::Name name;                       ///< lower-cased
    std::vector<const RRsetChange*> changes;  ///< none for an empty non-terminal
    std::vector<std::uint8_t> blob;           ///< offsets relative to the blob's start
    std::size_t before = 0;                   ///< index (in nodes_) of the next old node
    std::uint32_t parentOld = kNoIndex;       ///< base offset of the parent, if it exists
    std::size_t parentAdded = 0;              ///< else the parent's index in Plan::added
};

struct Plan {
    std::vector<Touched> touched;      ///< by index
    std::vector<Added> added;          ///< canonical order
    std::vector<std::size_t> removed;  ///< indexes (in nodes_) of the nodes that go, ascending
    std::int64_t records = 0;          ///< record count change
};

enum class EditKind : std::uint8_t { Insert, Replace, Drop };

/// One change of the arena, at the old node `index` (an insert goes before it).
struct Edit {
    std::size_t index = 0;
    EditKind kind = EditKind::Insert;
    std::size_t which = 0;  ///< in Plan::added or Plan::touched
};

}  // namespace

class ZonePatcher {
  public:
    static std::optional<std::shared_ptr<const Zone>> patch(const Zone& base,
                                                            std::span<const RRsetChange> changes);

  private:
    static bool isUnsigned(const Zone& base) noexcept;
    static std::size_t indexOf(const Zone& base, const Node* node) noexcept;
    static std::optional<Plan> plan(const Zone& base, std::span<const RRsetChange> changes);
    static bool rebuild(const Zone& base, bool plain, Touched& touched);
    static bool addNames(const Zone& base, std::span<const RRsetChange* const> fresh, Plan& plan);
    static bool removeNames(const Zone& base, Plan& plan);
    static void fillTable(const Zone& base, const Plan& plan, const OffsetMap& map,
                          std::span<const std::uint32_t> addedAt, Zone& zone);
};

// Nodes come and go only in unsigned zones: a signed one has a chain (NSEC or NSEC3) and
// signatures to keep in step, which only the builder and the signer derive.
bool ZonePatcher::isUnsigned(const Zone& base) noexcept {
    const Node& apex = base.apexNode();
    return base.nsecChain_.empty() && base.normalNodes_ == base.nodes_.size() &&
           !base.rrset(apex, rrtype::NSEC3PARAM) && !base.rrset(apex, rrtype::RRSIG) &&
           !base.rrset(apex, rrtype::NSEC);
}

std::size_t ZonePatcher::indexOf(const Zone& base, const Node* node) noexcept {
    const auto offset =
        static_cast<std::uint32_t>(reinterpret_cast<const std::uint8_t*>(node) - base.data_.data());
    return static_cast<std::size_t>(
        std::lower_bound(base.nodes_.begin(), base.nodes_.end(), offset) - base.nodes_.begin());
}

std::optional<Plan> ZonePatcher::plan(const Zone& base, std::span<const RRsetChange> changes) {
    const bool plain = isUnsigned(base);
    const std::uint16_t refused =
        plain ? static_cast<std::uint16_t>(kRefusedNodes & ~nodeflag::EmptyNonTerminal)
              : kRefusedNodes;
    std::vector<std::pair<std::size_t, const RRsetChange*>> located;
    located.reserve(changes.size());
    std::vector<const RRsetChange*> fresh;  // at names the zone does not have
    for (const RRsetChange& change : changes) {
        if (structural(change.type)) return std::nullopt;
        const dnswire::NameView owner = change.owner.view();
        if (owner.isWildcard()) return std::nullopt;
        const Node* node = base.find(owner);
        if (node == nullptr) {
            if (change.records.empty()) continue;  // nothing was there, nothing will be
            if (!plain || change.type == rrtype::SOA || change.type == rrtype::RRSIG ||
                !dnswire::isSubdomain(owner, base.apex()))
                return std::nullopt;
            fresh.push_back(&change);
            continue;
        }
        if ((node->flags & refused) != 0) return std::nullopt;
        if (change.type == rrtype::SOA && !node->has(nodeflag::Apex)) return std::nullopt;
        located.emplace_back(indexOf(base, node), &change);
    }
    std::sort(located.begin(), located.end(), [](const auto& a, const auto& b) {
        if (a.first != b.first) return a.first < b.first;
        return a.second->type < b.second->type;
    });
    Plan out;
    for (std::size_t i = 0; i < located.size(); ++i) {
        const auto [index, change] = located[i];
        if (i > 0 && located[i - 1].first == index) {
            if (located[i - 1].second->type == change->type) return std::nullopt;
            out.touched.back().changes.push_back(change);
            continue;
        }
        Touched t;
        t.index = index;
        t.node = base.nodeAt(base.nodes_[index]);
        t.changes.push_back(change);
        out.touched.push_back(std::move(t));
    }
    for (Touched& t : out.touched) {
        if (!rebuild(base, plain, t)) return std::nullopt;
        out.records += t.records;
    }
    if (!fresh.empty() && !addNames(base, fresh, out)) return std::nullopt;
    if (!removeNames(base, out)) return std::nullopt;
    return out;
}

// The node's blob as ZoneBuilder::build() lays it out, from the base's untouched RRsets (with
// the TTLs ZoneBuilder::from() gives them) and the changed ones.
bool ZonePatcher::rebuild(const Zone& base, bool plain, Touched& touched) {
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
    if (!appendChanges(touched.changes, items, order)) return false;
    sortItems(items);
    Node head = node;  // name length, labels and parent (an old offset) stay
    if (items.empty()) {
        // An empty non-terminal if names stay below it, else gone (removeNames decides).
        if (!plain || node.has(nodeflag::Apex)) return false;
        touched.emptied = true;
        head.flags |= nodeflag::EmptyNonTerminal;
    } else {
        head.flags = static_cast<std::uint16_t>(head.flags & ~nodeflag::EmptyNonTerminal);
    }
    if (node.has(nodeflag::Apex)) {
        const auto soas = std::count_if(items.begin(), items.end(),
                                        [](const Item& i) { return i.type == rrtype::SOA; });
        const auto soa = std::find_if(items.begin(), items.end(),
                                      [](const Item& i) { return i.type == rrtype::SOA; });
        if (soas != 1 || soa->rdata.size() < 22) return false;
    }
    touched.records = static_cast<std::int64_t>(items.size()) - before;
    return layout(base.name(node), head, items, touched.blob);
}

// New names, with the empty non-terminals the builder would make between them and the zone.
bool ZonePatcher::addNames(const Zone& base, std::span<const RRsetChange* const> fresh,
                           Plan& plan) {
    std::vector<Added>& added = plan.added;
    std::map<std::string, std::size_t> byName;  // lower-cased wire form → index in `added`
    auto intern = [&](dnswire::NameView name) {
        const auto [it, inserted] = byName.try_emplace(keyOf(name), added.size());
        if (inserted) {
            Added node;
            node.name = dnswire::Name(name);
            node.name.toLower();
            added.push_back(std::move(node));
        }
        return it->second;
    };
    for (const RRsetChange* change : fresh) {
        Added& node = added[intern(change->owner.view())];
        for (const RRsetChange* other : node.changes) {
            if (other->type == change->type) return false;
        }
        node.changes.push_back(change);
    }
    const std::size_t named = added.size();
    for (std::size_t k = 0; k < named; ++k) {
        dnswire::Name child = added[k].name;
        while (true) {
            const dnswire::Name parent(child.view().parent());
            if (const Node* existing = base.find(parent)) {
                if ((existing->flags & kCutNodes) != 0) return false;  // glue or occluded
                break;
            }
            if (byName.count(keyOf(parent)) != 0) break;  // its ancestors are seen to
            intern(parent);
            child = parent;
        }
    }
    for (Added& node : added) {
        // A new wildcard would change its parent's flags, which the builder derives.
        if (node.name.view().isWildcard()) return false;
        std::vector<Item> items;
        std::uint32_t order = 0;
        if (!appendChanges(node.changes, items, order)) return false;
        sortItems(items);
        plan.records += static_cast<std::int64_t>(items.size());
        Node head;
        head.labels = static_cast<std::uint8_t>(node.name.labelCount());
        if (items.empty()) head.flags = nodeflag::EmptyNonTerminal;
        if (!layout(node.name.view(), head, items, node.blob)) return false;
    }

    std::sort(added.begin(), added.end(), [](const Added& a, const Added& b) {
        return dnswire::compareCanonical(a.name.view(), b.name.view()) < 0;
    });
    byName.clear();
    for (std::size_t k = 0; k < added.size(); ++k)
        byName.emplace(keyOf(added[k].name.view()), k);
    const auto normal = base.nodes_.begin() + static_cast<std::ptrdiff_t>(base.normalNodes_);
    for (Added& node : added) {
        const dnswire::NameView name = node.name.view();
        node.before = static_cast<std::size_t>(
            std::upper_bound(base.nodes_.begin(), normal, name,
                             [&base](dnswire::NameView n, std::uint32_t at) {
                                 return dnswire::compareCanonical(n, base.name(*base.nodeAt(at))) <
                                        0;
                             }) -
            base.nodes_.begin());
        const dnswire::NameView parent = name.parent();
        if (const Node* existing = base.find(parent)) {
            node.parentOld = base.nodes_[indexOf(base, existing)];
        } else {
            const auto it = byName.find(keyOf(parent));
            if (it == byName.end()) return false;
            node.parentAdded = it->second;
        }
    }
    return true;
}

// Emptied nodes with no descendant left leave the zone, and so do the empty non-terminals
// above them that nothing else keeps; the others become empty non-terminals themselves.
bool ZonePatcher::removeNames(const Zone& base, Plan& plan) {
    std::vector<std::size_t> emptied;
    for (const Touched& t : plan.touched) {
        if (t.emptied) emptied.push_back(t.index);
    }
    if (emptied.empty()) return true;
    std::set<std::size_t> gone;
    auto nameAt = [&base](std::size_t index) {
        return base.name(*base.nodeAt(base.nodes_[index]));
    };
    // Descendants follow a node in canonical order: the first node after it that stays, if
    // any, tells whether one does.
    auto keepsDescendants = [&](std::size_t index) {
        const dnswire::NameView name = nameAt(index);
        std::size_t next = index + 1;
        while (gone.count(next) != 0)
            ++next;
        if (next < base.normalNodes_ && dnswire::isSubdomain(nameAt(next), name)) return true;
        return std::any_of(plan.added.begin(), plan.added.end(), [name](const Added& a) {
            return dnswire::isSubdomain(a.name.view(), name);
        });
    };
    auto emptyAfter = [&](std::size_t index) {
        const auto t =
            std::lower_bound(plan.touched.begin(), plan.touched.end(), index,
                             [](const Touched& x, std::size_t i) { return x.index < i; });
        if (t != plan.touched.end() && t->index == index) return t->emptied;
        return base.nodeAt(base.nodes_[index])->has(nodeflag::EmptyNonTerminal);
    };
    // Deepest first: every node after one in canonical order is decided before it.
    for (auto it = emptied.rbegin(); it != emptied.rend(); ++it) {
        std::size_t index = *it;
        while (gone.count(index) == 0 && !keepsDescendants(index)) {
            // A wildcard leaving would change its parent's flags, which the builder derives.
            if (nameAt(index).isWildcard()) return false;
            gone.insert(index);
            const Node* parent = base.parent(*base.nodeAt(base.nodes_[index]));
            if (parent == nullptr || parent->has(nodeflag::Apex)) break;
            index = indexOf(base, parent);
            if (!emptyAfter(index)) break;
        }
    }
    for (Touched& t : plan.touched)
        t.gone = gone.count(t.index) != 0;
    plan.removed.assign(gone.begin(), gone.end());
    return true;
}

// The hash table of the new zone: the base's with the gone names erased, the offsets moved and
// the new names inserted, or built afresh when the builder would size it differently.
void ZonePatcher::fillTable(const Zone& base, const Plan& plan, const OffsetMap& map,
                            std::span<const std::uint32_t> addedAt, Zone& zone) {
    const std::size_t normal = zone.normalNodes_;
    const std::size_t size = detail::tableSizeFor(normal);
    if (size != base.table_.size()) {
        std::vector<std::uint64_t> table(size, 0);
        zone.tableMask_ = size - 1;
        for (std::size_t n = 0; n < normal; ++n) {
            detail::insertName(table, zone.tableMask_,
                               detail::nameHash32(zone.name(*zone.nodeAt(zone.nodes_[n]))),
                               zone.nodes_[n]);
        }
        zone.table_ = std::move(table);
        return;
    }
    zone.table_ = base.table_;
    zone.tableMask_ = base.tableMask_;
    for (const std::size_t index : plan.removed) {
        const std::uint32_t offset = base.nodes_[index];
        eraseName(zone.table_, zone.tableMask_, detail::nameHash32(base.name(*base.nodeAt(offset))),
                  offset);
    }
    if (!map.identity()) {
        for (std::uint64_t& slot : zone.table_) {
            if (slot == 0) continue;
            const auto offset = static_cast<std::uint32_t>(slot) - 1;
            slot = (slot & 0xFFFFFFFF00000000ULL) | (std::uint64_t{map.map(offset)} + 1);
        }
    }
    for (std::size_t k = 0; k < plan.added.size(); ++k) {
        detail::insertName(zone.table_, zone.tableMask_,
                           detail::nameHash32(plan.added[k].name.view()), addedAt[k]);
    }
}

std::optional<std::shared_ptr<const Zone>> ZonePatcher::patch(
    const Zone& base, std::span<const RRsetChange> changes) {
    auto planned = plan(base, changes);
    if (!planned) return std::nullopt;
    const Plan& plan = *planned;
    const std::vector<std::uint32_t>& nodes = base.nodes_;
    const std::size_t total = nodes.size();
    auto startOf = [&](std::size_t index) {
        return index < total ? nodes[index] : static_cast<std::uint32_t>(base.data_.size());
    };

    std::vector<Edit> edits;
    edits.reserve(plan.added.size() + plan.touched.size() + plan.removed.size());
    for (std::size_t k = 0; k < plan.added.size(); ++k)
        edits.push_back({plan.added[k].before, EditKind::Insert, k});
    for (std::size_t k = 0; k < plan.touched.size(); ++k) {
        if (!plan.touched[k].gone) edits.push_back({plan.touched[k].index, EditKind::Replace, k});
    }
    for (const std::size_t index : plan.removed)
        edits.push_back({index, EditKind::Drop, 0});
    // Inserts before the node they precede; among themselves they stay in canonical order.
    std::stable_sort(edits.begin(), edits.end(), [](const Edit& a, const Edit& b) {
        if (a.index != b.index) return a.index < b.index;
        return a.kind == EditKind::Insert && b.kind != EditKind::Insert;
    });

    OffsetMap map;
    std::uint32_t shift = 0;
    std::size_t size = base.data_.size();
    for (const Edit& edit : edits) {
        const std::uint32_t start = startOf(edit.index);
        const std::uint32_t end = startOf(edit.index + 1);
        if (edit.kind == EditKind::Insert) {
            const std::size_t added = plan.added[edit.which].blob.size();
            size += added;
            shift += static_cast<std::uint32_t>(added);
            map.add(start, shift);
        } else {
            const std::size_t now =
                edit.kind == EditKind::Replace ? plan.touched[edit.which].blob.size() : 0;
            size = size - (end - start) + now;
            shift += static_cast<std::uint32_t>(now) - (end - start);
            map.add(end, shift);
        }
    }
    if (size > 0xF0000000U) return std::nullopt;

    std::shared_ptr<Zone> zone(new Zone());
    std::vector<std::uint8_t>& data = zone->data_;
    data.reserve(size);
    std::vector<std::uint32_t> addedAt(plan.added.size(), 0);
    std::uint32_t cursor = 0;
    auto copyUpTo = [&](std::uint32_t until) {
        data.insert(data.end(), base.data_.begin() + cursor, base.data_.begin() + until);
    };
    for (const Edit& edit : edits) {
        copyUpTo(startOf(edit.index));
        if (edit.kind == EditKind::Insert) {
            const std::vector<std::uint8_t>& blob = plan.added[edit.which].blob;
            addedAt[edit.which] = static_cast<std::uint32_t>(data.size());
            data.insert(data.end(), blob.begin(), blob.end());
            cursor = startOf(edit.index);
        } else {
            if (edit.kind == EditKind::Replace) {
                const std::vector<std::uint8_t>& blob = plan.touched[edit.which].blob;
                data.insert(data.end(), blob.begin(), blob.end());
            }
            cursor = startOf(edit.index + 1);
        }
    }
    copyUpTo(static_cast<std::uint32_t>(base.data_.size()));

    // Offsets: new and rebuilt blobs start from 0, copied ones move by the shift before them.
    const bool moved = !map.identity();
    std::vector<std::uint32_t>& out = zone->nodes_;
    out.reserve(total + plan.added.size() - plan.removed.size());
    // Nothing moved (the usual one-record change): the offsets stay, only the rebuilt blobs
    // need theirs.
    const std::size_t first = !moved || edits.empty() ? total : edits.front().index;
    out.assign(nodes.begin(), nodes.begin() + static_cast<std::ptrdiff_t>(first));
    if (!moved) {
        for (const Edit& e : edits)
            relocate(data.data(), nodes[e.index], nodes[e.index], map);
    }
    auto edit = moved ? edits.begin() : edits.end();
    for (std::size_t i = first; i <= total; ++i) {
        bool rebuilt = false;
        bool dropped = false;
        for (; edit != edits.end() && edit->index == i; ++edit) {
            if (edit->kind == EditKind::Insert) {
                const Added& added = plan.added[edit->which];
                const std::uint32_t at = addedAt[edit->which];
                out.push_back(at);
                relocate(data.data(), at, at, map);
                Node node = loadNode(data.data() + at);
                node.parent = added.parentOld != kNoIndex ? map.map(added.parentOld)
                                                          : addedAt[added.parentAdded];
                std::memcpy(data.data() + at, &node, sizeof(Node));
            } else {
                (edit->kind == EditKind::Replace ? rebuilt : dropped) = true;
            }
        }
        if (i == total) break;
        if (dropped) continue;
        const std::uint32_t old = nodes[i];
        const std::uint32_t now = map.map(old);
        out.push_back(now);
        if (moved || rebuilt) relocate(data.data(), now, rebuilt ? now : map.shiftOf(old), map);
    }
    zone->normalNodes_ = base.normalNodes_ + plan.added.size() - plan.removed.size();

    fillTable(base, plan, map, addedAt, *zone);
    zone->nsecChain_.reserve(base.nsecChain_.capacity());  // as the builder's push_backs left it
    zone->nsecChain_ = base.nsecChain_;
    if (moved) {
        for (std::uint32_t& offset : zone->nsecChain_)
            offset = map.map(offset);
    }
    zone->nsec3Hashes_ = base.nsec3Hashes_;
    zone->nsec3Params_ = base.nsec3Params_;
    zone->recordCount_ =
        static_cast<std::size_t>(static_cast<std::int64_t>(base.recordCount_) + plan.records);

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
