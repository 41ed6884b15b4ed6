#include "xfr/diff.hpp"

#include <algorithm>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "dnswire/name.hpp"
#include "dnswire/rrtype.hpp"
#include "dnswire/wire.hpp"
#include "zone_cursor.hpp"

namespace dnsfleet::xfr {

namespace {

using dnswire::NameView;
namespace rrtype = dnswire::rrtype;

zone::RecordView soaRecord(const zone::Zone& zone) noexcept {
    const zone::RRsetView soa = zone.soa();
    return {zone.apex(), rrtype::SOA, dnswire::rrclass::IN, soa.ttl(), soa.first()};
}

// The order the zone stores RDATA in (octet-wise, a prefix first), which is also RFC 4034
// §6.3's canonical RR order for uncompressed RDATA.
int compareRdata(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) noexcept {
    const std::size_t common = std::min(a.size(), b.size());
    if (common > 0) {
        const int c = std::memcmp(a.data(), b.data(), common);
        if (c != 0) return c;
    }
    if (a.size() == b.size()) return 0;
    return a.size() < b.size() ? -1 : 1;
}

// Compares the records under two cursors in the order both zones store them. The owner
// comparison is cached per node pair: a node's records are compared against the same other
// node many times in a row.
class MergeOrder {
  public:
    int compare(const detail::ZoneCursor& a, const detail::ZoneCursor& b) noexcept {
        if (&a.node() != nodeA_ || &b.node() != nodeB_ || a.inNsec3() != nsec3A_ ||
            b.inNsec3() != nsec3B_) {
            nodeA_ = &a.node();
            nodeB_ = &b.node();
            nsec3A_ = a.inNsec3();
            nsec3B_ = b.inNsec3();
            if (nsec3A_ != nsec3B_) {
                nodeOrder_ = nsec3A_ ? 1 : -1;
            } else {
                // NSEC3 owners are sorted by hash; base32hex keeps the order of the values it
                // encodes, so the canonical order of their names is the same order.
                nodeOrder_ = dnswire::compareCanonical(a.current().owner, b.current().owner);
            }
        }
        if (nodeOrder_ != 0) return nodeOrder_;
        const zone::RecordView& x = a.current();
        const zone::RecordView& y = b.current();
        if (x.type != y.type) return x.type < y.type ? -1 : 1;
        return compareRdata(x.rdata, y.rdata);
    }

  private:
    const zone::Node* nodeA_ = nullptr;
    const zone::Node* nodeB_ = nullptr;
    bool nsec3A_ = false;
    bool nsec3B_ = false;
    int nodeOrder_ = 0;
};

// Skips one uncompressed name inside `rdata` from `pos`; false when it runs past the end.
bool skipName(std::span<const std::uint8_t> rdata, std::size_t& pos) noexcept {
    while (pos < rdata.size()) {
        const std::size_t length = rdata[pos];
        if (length == 0) {
            ++pos;
            return true;
        }
        if (length > dnswire::kMaxLabelLength) return false;
        pos += 1 + length;
    }
    return false;
}

}  // namespace

std::uint32_t soaSerialOf(std::span<const std::uint8_t> soaRdata) noexcept {
    std::size_t pos = 0;
    if (!skipName(soaRdata, pos) || !skipName(soaRdata, pos)) return 0;
    if (pos + 4 > soaRdata.size()) return 0;
    return dnswire::loadU32(soaRdata.data() + pos);
}

std::uint32_t zoneSerial(const zone::Zone& zone) noexcept {
    return soaSerialOf(zone.soa().first());
}

RecordList zoneRecords(const zone::Zone& zone) {
    RecordList records;
    records.add(soaRecord(zone));
    for (detail::ZoneCursor cursor(zone, true); !cursor.atEnd(); cursor.advance())
        records.add(cursor.current());
    return records;
}

Result<ZoneDiff, std::string> diffZones(const zone::Zone& from, const zone::Zone& to,
                                        std::int64_t now) {
    if (!dnswire::equalNames(from.apex(), to.apex()))
        return fail("cannot diff different zones: " + from.apex().toText() + " and " +
                    to.apex().toText());
    ZoneDiff diff;
    diff.fromSerial = zoneSerial(from);
    diff.toSerial = zoneSerial(to);
    diff.createdAt = now;
    diff.removed.add(soaRecord(from));
    diff.added.add(soaRecord(to));

    // Both zones keep their records sorted the same way, so one merge pass finds every
    // difference: linear in the size of the zones, no index, no per-record allocation.
    detail::ZoneCursor a(from, true);
    detail::ZoneCursor b(to, true);
    MergeOrder order;
    while (!a.atEnd() || !b.atEnd()) {
        int c = 0;
        if (a.atEnd()) {
            c = 1;
        } else if (b.atEnd()) {
            c = -1;
        } else {
            c = order.compare(a, b);
        }
        if (c < 0) {
            diff.removed.add(a.current());
            a.advance();
        } else if (c > 0) {
            diff.added.add(b.current());
            b.advance();
        } else {
            // IXFR has no "change the TTL": the record goes and comes back with the new one.
            if (a.current().ttl != b.current().ttl) {
                diff.removed.add(a.current());
                diff.added.add(b.current());
            }
            a.advance();
            b.advance();
        }
    }
    return diff;
}

namespace {

// What a chain of diffs did to one record (owner, type, RDATA), compared with the version the
// chain starts from.
struct NetChange {
    std::string key;                          // [owner length][lower-cased owner][type][RDATA]
    std::optional<std::uint32_t> removedTtl;  // it was in the first version, with this TTL
    std::optional<std::uint32_t> addedTtl;    // it is in the last version, with this TTL
};

void makeKey(const zone::RecordView& record, std::string& key) {
    key.clear();
    key.push_back(static_cast<char>(record.owner.size()));
    key.append(reinterpret_cast<const char*>(record.owner.data()), record.owner.size());
    dnswire::lowercaseWire(
        {reinterpret_cast<std::uint8_t*>(key.data()) + 1, record.owner.size()});  // NOLINT
    key.push_back(static_cast<char>(record.type >> 8));
    key.push_back(static_cast<char>(record.type & 0xFF));
    key.append(reinterpret_cast<const char*>(record.rdata.data()), record.rdata.size());
}

zone::RecordView recordOfKey(const std::string& key, std::uint32_t ttl) noexcept {
    const auto* p = reinterpret_cast<const std::uint8_t*>(key.data());
    const std::size_t ownerLength = p[0];
    zone::RecordView record;
    record.owner = NameView::fromTrusted(p + 1, ownerLength);
    record.type = dnswire::loadU16(p + 1 + ownerLength);
    record.rclass = dnswire::rrclass::IN;
    record.ttl = ttl;
    record.rdata = {p + 3 + ownerLength, key.size() - 3 - ownerLength};
    return record;
}

}  // namespace

Result<ZoneDiff, std::string> condense(std::span<const std::shared_ptr<const ZoneDiff>> diffs) {
    if (diffs.empty()) return fail(std::string("no diffs to condense"));
    for (std::size_t i = 0; i < diffs.size(); ++i) {
        if (!diffs[i] || diffs[i]->removed.empty() || diffs[i]->added.empty())
            return fail("diff " + std::to_string(i) + " has no SOA");
        if (i > 0 && diffs[i - 1]->toSerial != diffs[i]->fromSerial)
            return fail("diffs do not chain: serial " + std::to_string(diffs[i - 1]->toSerial) +
                        " is followed by a diff from " + std::to_string(diffs[i]->fromSerial));
    }

    std::vector<NetChange> changes;
    std::unordered_map<std::string_view, std::size_t> index;
    std::string key;
    // Keys are views into changes[i].key; reserve so that no string moves while indexed.
    std::size_t total = 0;
    for (const auto& d : diffs)
        total += d->removed.size() + d->added.size();
    changes.reserve(total);
    auto entry = [&](const zone::RecordView& record) -> NetChange& {
        makeKey(record, key);
        const auto found = index.find(key);
        if (found != index.end()) return changes[found->second];
        changes.push_back(NetChange{key, std::nullopt, std::nullopt});
        index.emplace(changes.back().key, changes.size() - 1);
        return changes.back();
    };

    for (const auto& d : diffs) {
        // The first record of each list is the SOA that frames it, not a change.
        auto removed = d->removed.begin();
        for (++removed; removed != d->removed.end(); ++removed) {
            const zone::RecordView record = *removed;
            NetChange& change = entry(record);
            if (change.addedTtl) {
                change.addedTtl.reset();  // added earlier in the chain: never existed before it
            } else if (!change.removedTtl) {
                change.removedTtl = record.ttl;
            }
        }
        auto added = d->added.begin();
        for (++added; added != d->added.end(); ++added) {
            const zone::RecordView record = *added;
            entry(record).addedTtl = record.ttl;
        }
    }

    ZoneDiff out;
    out.fromSerial = diffs.front()->fromSerial;
    out.toSerial = diffs.back()->toSerial;
    out.createdAt = diffs.back()->createdAt;
    out.removed.add(diffs.front()->removed.front());
    out.added.add(diffs.back()->added.front());
    for (const NetChange& change : changes) {
        if (change.removedTtl && change.addedTtl && *change.removedTtl == *change.addedTtl)
            continue;  // removed and put back unchanged
        if (change.removedTtl) out.removed.add(recordOfKey(change.key, *change.removedTtl));
    }
    for (const NetChange& change : changes) {
        if (change.removedTtl && change.addedTtl && *change.removedTtl == *change.addedTtl)
            continue;
        if (change.addedTtl) out.added.add(recordOfKey(change.key, *change.addedTtl));
    }
    return out;
}

}  // namespace dnsfleet::xfr
