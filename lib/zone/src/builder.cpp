#include "zone/builder.hpp"

#include <algorithm>
#include <cstring>
#include <numeric>
#include <string_view>

#include "dnswire/rrtype.hpp"
#include "dnswire/wire.hpp"
#include "name_index.hpp"
#include "nsec3_hash.hpp"

namespace dnsfleet::zone {

namespace {

using dnswire::NameView;
namespace rrtype = dnswire::rrtype;

struct PendingName {
    std::uint32_t offset = 0;
    std::uint8_t length = 0;
    bool hasNormal = false;
    bool hasNsec3 = false;
    bool inZone = false;
    bool isNode = false;
    std::uint32_t parent = kNoIndex;  // name id of the parent (in-zone names below the apex)
    std::uint32_t node = kNoIndex;    // final node index
};

// One add or remove, in call order. Removals are resolved at build time so that an IXFR diff
// (remove old, add new) can be applied without an index over a million records.
struct Pending {
    std::uint32_t name = 0;
    std::uint32_t ttl = 0;
    std::uint32_t rdataOffset = 0;
    std::uint32_t order = 0;
    std::uint16_t type = 0;
    std::uint16_t covered = 0;  // RRSIG: the type it covers; groups a node's RRSIGs by type
    std::uint16_t rdlength = 0;
    bool nsec3 = false;  // belongs to the NSEC3 chain (NSEC3, or RRSIG covering NSEC3)
    bool removal = false;
};

std::uint16_t coveredType(std::uint16_t type, std::span<const std::uint8_t> rdata) noexcept {
    if (type != rrtype::RRSIG || rdata.size() < 2) return 0;
    return dnswire::loadU16(rdata.data());
}

// A byte string whose memcmp order is the canonical name order of RFC 4034 §6.1: labels from
// the right, lower-cased, each ended by 0x00; octets 0x00 and 0x01 are escaped as 0x01 0x0N so
// that the terminator sorts below every octet of a longer label.
void appendCanonicalKey(NameView name, std::vector<std::uint8_t>& out) {
    std::array<std::uint8_t, dnswire::kMaxLabels> offsets{};
    std::size_t count = 0;
    for (std::size_t pos = 0; name.data()[pos] != 0; pos += 1U + name.data()[pos])
        offsets[count++] = static_cast<std::uint8_t>(pos);
    while (count > 0) {
        const std::uint8_t* label = name.data() + offsets[--count];
        for (std::size_t i = 1; i <= label[0]; ++i) {
            std::uint8_t c = label[i];
            if (c >= 'A' && c <= 'Z') c = static_cast<std::uint8_t>(c + 32);
            if (c <= 1) out.push_back(1);
            out.push_back(c);
        }
        out.push_back(0);
    }
}

int base32hexValue(std::uint8_t c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'v') return c - 'a' + 10;
    if (c >= 'A' && c <= 'V') return c - 'A' + 10;
    return -1;
}

// Decodes the first label of an NSEC3 owner (base32hex, RFC 4648 §7) into a SHA-1 hash.
bool decodeNsec3Label(NameView owner, std::array<std::uint8_t, 20>& out) noexcept {
    const auto label = owner.firstLabel();
    if (label.size() != 32) return false;
    std::uint64_t acc = 0;
    int bits = 0;
    std::size_t n = 0;
    for (const std::uint8_t c : label) {
        const int v = base32hexValue(c);
        if (v < 0) return false;
        acc = (acc << 5) | static_cast<std::uint64_t>(v);
        bits += 5;
        if (bits >= 8) {
            bits -= 8;
            out[n++] = static_cast<std::uint8_t>(acc >> bits);
        }
    }
    return n == 20;
}

constexpr std::size_t alignUp(std::size_t n) noexcept {
    return (n + 3U) & ~std::size_t{3};
}

}  // namespace

struct ZoneBuilder::State {
    std::vector<std::uint8_t> names;
    std::vector<PendingName> nameList;
    std::vector<std::uint64_t> table = std::vector<std::uint64_t>(16, 0);
    std::uint64_t mask = 15;
    std::vector<Pending> records;
    std::vector<std::uint8_t> rdata;

    [[nodiscard]] NameView nameOf(std::uint32_t id) const noexcept {
        return NameView::fromTrusted(names.data() + nameList[id].offset, nameList[id].length);
    }

    std::uint32_t intern(NameView name) {
        const std::uint32_t hash = detail::nameHash32(name);
        const std::uint32_t found = detail::findName(
            table, mask, name, hash, [this](std::uint32_t id) { return nameOf(id); });
        if (found != kNoIndex) return found;
        const auto id = static_cast<std::uint32_t>(nameList.size());
        PendingName entry;
        entry.offset = static_cast<std::uint32_t>(names.size());
        entry.length = static_cast<std::uint8_t>(name.size());
        names.insert(names.end(), name.data(), name.data() + name.size());
        dnswire::lowercaseWire({names.data() + entry.offset, name.size()});
        nameList.push_back(entry);
        if (detail::tableSizeFor(nameList.size()) > table.size()) rehash();
        detail::insertName(table, mask, hash, id);
        return id;
    }

    void rehash() {
        const std::size_t size = detail::tableSizeFor(nameList.size() * 2);
        std::vector<std::uint64_t> fresh(size, 0);
        const std::uint64_t freshMask = size - 1;
        for (const std::uint64_t entry : table) {
            if (entry == 0) continue;
            detail::insertName(fresh, freshMask, static_cast<std::uint32_t>(entry >> 32),
                               static_cast<std::uint32_t>(entry) - 1);
        }
        table = std::move(fresh);
        mask = freshMask;
    }

    void push(const RecordView& record, bool removal) {
        Pending p;
        p.name = intern(record.owner);
        p.ttl = record.ttl;
        p.rdataOffset = static_cast<std::uint32_t>(rdata.size());
        p.order = static_cast<std::uint32_t>(records.size());
        p.type = record.type;
        p.covered = coveredType(record.type, record.rdata);
        p.rdlength = static_cast<std::uint16_t>(record.rdata.size());
        p.nsec3 = record.type == rrtype::NSEC3 || p.covered == rrtype::NSEC3;
        p.removal = removal;
        rdata.insert(rdata.end(), record.rdata.begin(), record.rdata.end());
        records.push_back(p);
    }
};

ZoneBuilder::ZoneBuilder(NameView apex) : apex_(apex), state_(std::make_unique<State>()) {
    apex_.toLower();
}
ZoneBuilder::ZoneBuilder(ZoneBuilder&&) noexcept = default;
ZoneBuilder& ZoneBuilder::operator=(ZoneBuilder&&) noexcept = default;
ZoneBuilder::~ZoneBuilder() = default;

ZoneBuilder ZoneBuilder::from(const Zone& previous) {
    ZoneBuilder builder(previous.apex());
    auto addAll = [&](const NodeList& nodes) {
        for (const Node& node : nodes) {
            for (const RRset& rrset : previous.rrsets(node)) {
                for (const auto rdata : previous.view(&rrset)) {
                    // RRSIG TTLs may differ per covered type; take them from the slices.
                    std::uint32_t ttl = rrset.ttl;
                    if (rrset.type == rrtype::RRSIG) {
                        const std::uint16_t covered = coveredType(rrset.type, rdata);
                        for (const RRset& other : previous.rrsets(node)) {
                            if (other.type == covered && other.signatures != kNoIndex)
                                ttl = previous.signatures(other).ttl();
                        }
                    }
                    builder.state_->push(RecordView{previous.name(node), rrset.type, 1, ttl, rdata},
                                         false);
                }
            }
        }
    };
    addAll(previous.nodes());
    addAll(previous.nsec3Nodes());
    return builder;
}

Result<void, std::string> ZoneBuilder::add(const RecordView& record) {
    if (record.rclass != dnswire::rrclass::IN) return fail(std::string("class is not IN"));
    // RFC 6895 §3.1: OPT and the range 128-255 are meta types and QTYPEs, never zone data.
    if (record.type == rrtype::OPT || (record.type >= 128 && record.type <= 255))
        return fail(std::string("meta type in zone data"));
    if (record.rdata.size() > 0xFFFF) return fail(std::string("RDATA too long"));
    state_->push(record, false);
    return {};
}

void ZoneBuilder::remove(const RecordView& record) {
    state_->push(record, true);
}

std::size_t ZoneBuilder::recordCount() const noexcept {
    return state_->records.size();
}

// Everything after this point runs once per load, so clarity beats cleverness; the hot loops
// are still linear or n log n over flat arrays.
Result<std::shared_ptr<const Zone>, std::vector<std::string>> ZoneBuilder::build(
    std::vector<std::string>* warnings) {
    State& s = *state_;
    std::vector<std::string> errors;
    auto warn = [&](std::string text) {
        if (warnings != nullptr) warnings->push_back(std::move(text));
    };
    const NameView apex = apex_.view();

    // 1. Resolve adds and removals in call order; identical records collapse into one.
    auto rdataOf = [&s](const Pending& p) {
        return std::string_view(reinterpret_cast<const char*>(s.rdata.data() + p.rdataOffset),
                                p.rdlength);
    };
    // Bucket by name first (linear, keeps call order), then sort each name's few records:
    // one big comparison sort over a million records would spend its time in cache misses.
    std::vector<std::uint32_t> order(s.records.size());
    {
        std::vector<std::uint32_t> bucket(s.nameList.size() + 1, 0);
        for (const Pending& p : s.records)
            ++bucket[p.name + 1];
        std::partial_sum(bucket.begin(), bucket.end(), bucket.begin());
        std::vector<std::uint32_t> fill(bucket.begin(), bucket.end() - 1);
        for (std::uint32_t r = 0; r < s.records.size(); ++r)
            order[fill[s.records[r].name]++] = r;
        auto byContent = [&](std::uint32_t a, std::uint32_t b) {
            const Pending& x = s.records[a];
            const Pending& y = s.records[b];
            if (x.nsec3 != y.nsec3) return y.nsec3;
            if (x.type != y.type) return x.type < y.type;
            if (x.covered != y.covered) return x.covered < y.covered;
            const int c = rdataOf(x).compare(rdataOf(y));
            if (c != 0) return c < 0;
            return x.order < y.order;
        };
        for (std::size_t n = 0; n + 1 < bucket.size(); ++n) {
            if (bucket[n + 1] - bucket[n] > 1)
                std::sort(order.begin() + bucket[n], order.begin() + bucket[n + 1], byContent);
        }
    }
    std::vector<std::uint32_t> live;
    live.reserve(order.size());
    for (std::size_t i = 0; i < order.size();) {
        std::size_t j = i + 1;
        const Pending& first = s.records[order[i]];
        while (j < order.size()) {
            const Pending& p = s.records[order[j]];
            if (p.name != first.name || p.nsec3 != first.nsec3 || p.type != first.type ||
                p.covered != first.covered || rdataOf(p) != rdataOf(first))
                break;
            ++j;
        }
        // The last operation decides; the earliest surviving add gives the TTL.
        std::uint32_t keep = kNoIndex;
        for (std::size_t k = i; k < j; ++k) {
            const Pending& p = s.records[order[k]];
            if (p.removal) {
                keep = kNoIndex;
            } else if (keep == kNoIndex) {
                keep = order[k];
            }
        }
        if (keep != kNoIndex) live.push_back(keep);
        i = j;
    }
    order.clear();
    order.shrink_to_fit();

    // Knot keeps the first SOA of the apex and ignores the others; so do we.
    {
        const std::uint32_t apexName = s.intern(apex);
        std::uint32_t first = kNoIndex;
        std::size_t soas = 0;
        for (const std::uint32_t r : live) {
            const Pending& p = s.records[r];
            if (p.name != apexName || p.type != rrtype::SOA) continue;
            ++soas;
            if (first == kNoIndex || p.order < s.records[first].order) first = r;
        }
        if (soas > 1) {
            warn("multiple SOA records at the zone apex, the first one is used");
            live.erase(std::remove_if(live.begin(), live.end(),
                                      [&](std::uint32_t r) {
                                          const Pending& p = s.records[r];
                                          return p.name == apexName && p.type == rrtype::SOA &&
                                                 r != first;
                                      }),
                       live.end());
        }
    }

    // 2. Which names are in the zone, and which carry normal data or NSEC3 chain data.
    std::vector<bool> reported(s.nameList.size(), false);
    for (const std::uint32_t r : live) {
        const Pending& p = s.records[r];
        PendingName& n = s.nameList[p.name];
        if (!n.inZone && !reported[p.name]) {
            reported[p.name] = true;
            n.inZone = dnswire::isSubdomain(s.nameOf(p.name), apex);
            if (!n.inZone) warn("out-of-zone data ignored: " + s.nameOf(p.name).toText());
        }
        if (!n.inZone) continue;
        (p.nsec3 ? n.hasNsec3 : n.hasNormal) = true;
    }
    const std::uint32_t apexId = s.intern(apex);
    s.nameList[apexId].inZone = true;

    // 3. Every normal name's ancestors up to the apex exist as nodes (empty non-terminals).
    const std::size_t originalNames = s.nameList.size();
    for (std::uint32_t id = 0; id < originalNames; ++id) {
        if (!s.nameList[id].hasNormal && id != apexId) continue;
        std::uint32_t child = id;
        while (!s.nameList[child].isNode) {
            s.nameList[child].isNode = true;
            if (child == apexId) break;
            const dnswire::Name parentName(s.nameOf(child).parent());
            const std::uint32_t parent = s.intern(parentName);
            s.nameList[child].parent = parent;
            s.nameList[parent].inZone = true;
            child = parent;
        }
    }

    // 4. Canonical order of the normal nodes: sort precomputed keys. Every key starts with the
    // apex's part, so it is skipped; the next 8 octets, as a big-endian integer, settle almost
    // every comparison without leaving the (contiguous) sort array.
    std::vector<std::uint32_t> nodeNames;
    {
        std::vector<std::uint8_t> apexKey;
        appendCanonicalKey(apex, apexKey);
        const std::size_t skip = apexKey.size();
        std::vector<std::uint32_t> keyOffsets;
        std::vector<std::uint8_t> keys;
        struct Item {
            std::uint64_t prefix;
            std::uint32_t index;
        };
        std::vector<Item> items;
        for (std::uint32_t id = 0; id < s.nameList.size(); ++id) {
            if (!s.nameList[id].isNode) continue;
            const std::size_t at = keys.size();
            appendCanonicalKey(s.nameOf(id), keys);
            keys.erase(keys.begin() + static_cast<std::ptrdiff_t>(at),
                       keys.begin() + static_cast<std::ptrdiff_t>(at + skip));
            std::uint64_t prefix = 0;
            for (std::size_t i = 0; i < 8; ++i)
                prefix = (prefix << 8) | (at + i < keys.size() ? keys[at + i] : 0U);
            items.push_back({prefix, static_cast<std::uint32_t>(nodeNames.size())});
            nodeNames.push_back(id);
            keyOffsets.push_back(static_cast<std::uint32_t>(at));
        }
        keyOffsets.push_back(static_cast<std::uint32_t>(keys.size()));
        auto key = [&](std::uint32_t i) {
            return std::string_view(reinterpret_cast<const char*>(keys.data() + keyOffsets[i]),
                                    keyOffsets[i + 1] - keyOffsets[i]);
        };
        // Zero padding cannot tie wrongly: a real key never holds two 0x00 in a row.
        std::sort(items.begin(), items.end(), [&](const Item& a, const Item& b) {
            if (a.prefix != b.prefix) return a.prefix < b.prefix;
            return key(a.index) < key(b.index);
        });
        std::vector<std::uint32_t> sorted(items.size());
        for (std::size_t i = 0; i < items.size(); ++i)
            sorted[i] = nodeNames[items[i].index];
        nodeNames = std::move(sorted);
    }

    // NSEC3 owners, ordered by their hash.
    std::vector<std::pair<std::array<std::uint8_t, 20>, std::uint32_t>> nsec3Names;
    for (std::uint32_t id = 0; id < s.nameList.size(); ++id) {
        if (!s.nameList[id].hasNsec3) continue;
        std::array<std::uint8_t, 20> hash{};
        if (s.nameOf(id).parent().size() != apex.size() || !decodeNsec3Label(s.nameOf(id), hash)) {
            warn("NSEC3 record ignored, owner is not a hash below the apex: " +
                 s.nameOf(id).toText());
            continue;
        }
        nsec3Names.emplace_back(hash, id);
    }
    std::sort(nsec3Names.begin(), nsec3Names.end());

    // 5. Records in node order: counting sort by node keeps the (type, covered, rdata) order.
    std::shared_ptr<Zone> zone(new Zone());
    const std::size_t totalNodes = nodeNames.size() + nsec3Names.size();
    // Nodes are assembled here with parent *indexes*, and copied to the head of their blobs
    // (with parent offsets) once every flag is known.
    std::vector<Node> nodes(totalNodes);
    std::vector<std::uint32_t> nodeOffset(totalNodes, 0);
    zone->normalNodes_ = nodeNames.size();
    for (std::uint32_t i = 0; i < nodeNames.size(); ++i)
        s.nameList[nodeNames[i]].node = i;
    std::vector<std::uint32_t> nsec3NodeOf(s.nameList.size(), kNoIndex);
    for (std::uint32_t i = 0; i < nsec3Names.size(); ++i)
        nsec3NodeOf[nsec3Names[i].second] = static_cast<std::uint32_t>(nodeNames.size() + i);
    auto nodeOfRecord = [&](const Pending& p) -> std::uint32_t {
        if (!s.nameList[p.name].inZone) return kNoIndex;
        return p.nsec3 ? nsec3NodeOf[p.name] : s.nameList[p.name].node;
    };
    std::vector<std::uint32_t> start(totalNodes + 1, 0);
    for (const std::uint32_t r : live) {
        const std::uint32_t node = nodeOfRecord(s.records[r]);
        if (node != kNoIndex) ++start[node + 1];
    }
    std::partial_sum(start.begin(), start.end(), start.begin());
    std::vector<std::uint32_t> byNode(start.back());
    {
        std::vector<std::uint32_t> fill(start.begin(), start.end() - 1);
        for (const std::uint32_t r : live) {
            const std::uint32_t node = nodeOfRecord(s.records[r]);
            if (node != kNoIndex) byNode[fill[node]++] = r;
        }
    }
    live = {};

    // 6. Emit one blob per node: its name, its RRset headers followed by the RRSIG slices, then
    // the RDATA of its records. A lookup then touches the hash slot, the node and one blob.
    std::size_t blobBytes = 0;
    std::size_t rrsetCount = 0;
    for (std::uint32_t n = 0; n < totalNodes; ++n) {
        const std::uint32_t id =
            n >= nodeNames.size() ? nsec3Names[n - nodeNames.size()].second : nodeNames[n];
        blobBytes += sizeof(Node) + alignUp(s.nameList[id].length);
        for (std::uint32_t i = start[n]; i < start[n + 1]; ++i) {
            const Pending& p = s.records[byNode[i]];
            blobBytes += 2U + p.rdlength;
            const bool newType = i == start[n] || s.records[byNode[i - 1]].type != p.type;
            const bool newSlice = p.type == rrtype::RRSIG &&
                                  (newType || s.records[byNode[i - 1]].covered != p.covered);
            rrsetCount += (newType ? 1U : 0U) + (newSlice ? 1U : 0U);
        }
        blobBytes = alignUp(blobBytes);
    }
    blobBytes += rrsetCount * sizeof(RRset);
    if (blobBytes > 0xFFFFFFF0ULL) {
        errors.emplace_back("zone too large");
        return fail(std::move(errors));
    }
    zone->data_.reserve(blobBytes);
    zone->recordCount_ = byNode.size();

    std::vector<RRset> own;
    std::vector<RRset> slices;
    for (std::uint32_t n = 0; n < totalNodes; ++n) {
        const bool isNsec3 = n >= nodeNames.size();
        const std::uint32_t id = isNsec3 ? nsec3Names[n - nodeNames.size()].second : nodeNames[n];
        const NameView name = s.nameOf(id);
        Node& node = nodes[n];
        std::vector<std::uint8_t>& data = zone->data_;
        data.resize(alignUp(data.size()), 0);
        nodeOffset[n] = static_cast<std::uint32_t>(data.size());
        data.resize(data.size() + sizeof(Node), 0);
        node.nameOffset = static_cast<std::uint32_t>(data.size());
        node.nameLength = static_cast<std::uint8_t>(name.size());
        node.labels = static_cast<std::uint8_t>(name.labelCount());
        data.insert(data.end(), name.data(), name.data() + name.size());
        data.resize(alignUp(data.size()), 0);
        if (isNsec3) {
            node.flags = nodeflag::Nsec3Owner;
            node.parent = 0;
        } else if (id == apexId) {
            node.flags = nodeflag::Apex;
        } else {
            node.parent = s.nameList[s.nameList[id].parent].node;
        }

        // Group the node's records (sorted by type, covered type, RDATA) into RRsets first, so
        // that the headers can precede the RDATA.
        own.clear();
        slices.clear();
        for (std::uint32_t i = start[n]; i < start[n + 1]; ++i) {
            const Pending& p = s.records[byNode[i]];
            if (own.empty() || own.back().type != p.type) {
                RRset rrset;
                rrset.type = p.type;
                rrset.ttl = p.ttl;
                rrset.rdataOffset = p.order;  // temporarily: the earliest add, for the TTL
                own.push_back(rrset);
            }
            RRset& rrset = own.back();
            if (rrset.count == 0xFFFF) {
                errors.push_back("too many records in one RRset at " + name.toText());
                continue;
            }
            ++rrset.count;
            if (p.order < rrset.rdataOffset) {
                rrset.rdataOffset = p.order;
                rrset.ttl = p.ttl;
            }
            if (p.type == rrtype::RRSIG) {
                if (slices.empty() || slices.back().signatures != p.covered) {
                    RRset slice;
                    slice.type = rrtype::RRSIG;
                    slice.ttl = p.ttl;
                    slice.signatures = p.covered;  // temporarily: the covered type
                    slices.push_back(slice);
                }
                ++slices.back().count;
            }
        }
        node.firstRRset = static_cast<std::uint32_t>(data.size());
        node.rrsetCount = static_cast<std::uint16_t>(own.size());
        const std::size_t headers = data.size();
        data.resize(headers + (own.size() + slices.size()) * sizeof(RRset), 0);
        std::size_t slice = 0;
        std::uint32_t record = start[n];
        for (RRset& rrset : own) {
            rrset.rdataOffset = static_cast<std::uint32_t>(data.size());
            for (std::uint16_t k = 0; k < rrset.count; ++k, ++record) {
                const Pending& p = s.records[byNode[record]];
                if (p.type == rrtype::RRSIG &&
                    (k == 0 || p.covered != s.records[byNode[record - 1]].covered)) {
                    slices[slice++].rdataOffset = static_cast<std::uint32_t>(data.size());
                }
                data.push_back(static_cast<std::uint8_t>(p.rdlength >> 8));
                data.push_back(static_cast<std::uint8_t>(p.rdlength));
                data.insert(data.end(), s.rdata.begin() + p.rdataOffset,
                            s.rdata.begin() + p.rdataOffset + p.rdlength);
            }
            while (record < start[n + 1] && s.records[byNode[record]].type == rrset.type)
                ++record;  // records beyond 65535 were refused above
        }
        data.resize(alignUp(data.size()), 0);
        for (RRset& rrset : own) {
            for (std::size_t k = 0; k < slices.size(); ++k) {
                if (rrset.type != rrtype::RRSIG && rrset.type == slices[k].signatures)
                    rrset.signatures =
                        static_cast<std::uint32_t>(headers + (own.size() + k) * sizeof(RRset));
            }
        }
        for (RRset& rrsig : slices)
            rrsig.signatures = kNoIndex;
        // memcpy creates the RRset objects in the byte arena (implicit-lifetime types).
        if (!own.empty())
            std::memcpy(data.data() + headers, own.data(), own.size() * sizeof(RRset));
        if (!slices.empty())
            std::memcpy(data.data() + headers + own.size() * sizeof(RRset), slices.data(),
                        slices.size() * sizeof(RRset));

        if (own.empty() && !isNsec3 && id != apexId) node.flags |= nodeflag::EmptyNonTerminal;
        std::size_t cnames = 0;
        bool other = false;
        for (const RRset& rrset : own) {
            switch (rrset.type) {
                case rrtype::NS:
                    if (!node.has(nodeflag::Apex) && !isNsec3) node.flags |= nodeflag::Delegation;
                    other = true;
                    break;
                case rrtype::CNAME:
                    node.flags |= nodeflag::HasCname;
                    cnames = rrset.count;
                    break;
                case rrtype::DNAME:
                    node.flags |= nodeflag::HasDname;
                    other = true;
                    break;
                case rrtype::NSEC:
                    node.flags |= nodeflag::HasNsec;
                    break;
                case rrtype::RRSIG:
                    break;
                default:
                    other = true;
                    break;
            }
        }
        if (cnames > 1) errors.push_back("multiple CNAME records at " + name.toText());
        if (cnames > 0 && other) errors.push_back("CNAME beside other data at " + name.toText());
    }
    zone->data_.shrink_to_fit();

    // 7. Flags that depend on ancestors (parents precede children in canonical order).
    for (std::size_t n = 1; n < nodeNames.size(); ++n) {
        Node& node = nodes[n];
        const Node& parent = nodes[node.parent];
        if (parent.has(nodeflag::Delegation) || parent.has(nodeflag::NonAuth))
            node.flags |= nodeflag::NonAuth;
        if (parent.has(nodeflag::HasDname) || parent.has(nodeflag::BelowDname))
            node.flags |= nodeflag::BelowDname;
        if (zone->name(node).isWildcard()) nodes[node.parent].flags |= nodeflag::WildcardChild;
        if (parent.has(nodeflag::HasDname))
            errors.push_back("records below DNAME at " + zone->name(parent).toText());
    }
    for (std::size_t n = 0; n < nodeNames.size(); ++n) {
        const Node& node = nodes[n];
        if (node.has(nodeflag::HasNsec) && !node.has(nodeflag::NonAuth) &&
            !node.has(nodeflag::BelowDname))
            zone->nsecChain_.push_back(nodeOffset[n]);
    }
    // Drop repeated DNAME-children errors (one per DNAME is enough).
    std::sort(errors.begin(), errors.end());
    errors.erase(std::unique(errors.begin(), errors.end()), errors.end());

    // 8. Apex checks (RFC 1034 §4.2.1, as strict as Knot's mandatory semantic checks).
    const Node& apexNode = nodes[0];
    const RRsetView soa = zone->rrset(apexNode, rrtype::SOA);
    if (!soa) {
        errors.emplace_back("missing SOA record at the zone apex");
    } else if (soa.first().size() < 22) {
        errors.emplace_back("malformed SOA record");
    } else {
        zone->soa_ = soa.raw();
        const auto rdata = soa.first();
        const std::uint32_t minimum = dnswire::loadU32(rdata.data() + rdata.size() - 4);
        zone->negativeTtl_ = std::min(soa.ttl(), minimum);
    }
    // Knot only warns about this one and serves the zone.
    if (!zone->rrset(apexNode, rrtype::NS)) warn("missing NS record at the zone apex");

    // 9. NSEC3 parameters and hashes.
    const RRsetView param = zone->rrset(apexNode, rrtype::NSEC3PARAM);
    if (param && !nsec3Names.empty()) {
        for (const auto rdata : param) {
            // RFC 5155 §4.1: flags must be zero for a server to use the parameters.
            if (rdata.size() < 5 || rdata[1] != 0 || rdata.size() != 5U + rdata[4]) continue;
            Nsec3Params& p = zone->nsec3Params_;
            p.present = true;
            p.algorithm = rdata[0];
            p.iterations = dnswire::loadU16(rdata.data() + 2);
            p.saltLength = rdata[4];
            std::copy(rdata.begin() + 5, rdata.end(), p.salt.begin());
            break;
        }
    }
    zone->nsec3Hashes_.reserve(nsec3Names.size());
    for (const auto& entry : nsec3Names)
        zone->nsec3Hashes_.push_back(entry.first);

    // 10. The hash table over the normal nodes.
    const std::size_t tableSize = detail::tableSizeFor(nodeNames.size());
    zone->table_.assign(tableSize, 0);
    zone->tableMask_ = tableSize - 1;
    for (std::uint32_t n = 0; n < nodeNames.size(); ++n) {
        detail::insertName(zone->table_, zone->tableMask_, detail::nameHash32(zone->name(nodes[n])),
                           nodeOffset[n]);
    }

    // 11. Nodes to the head of their blobs, parents as offsets.
    for (std::size_t n = 0; n < totalNodes; ++n) {
        Node node = nodes[n];
        if (node.parent != kNoIndex) node.parent = nodeOffset[node.parent];
        std::memcpy(zone->data_.data() + nodeOffset[n], &node, sizeof(Node));
    }
    zone->nodes_ = std::move(nodeOffset);

    state_ = std::make_unique<State>();
    if (!errors.empty()) return fail(std::move(errors));
    return std::shared_ptr<const Zone>(std::move(zone));
}

}  // namespace dnsfleet::zone
