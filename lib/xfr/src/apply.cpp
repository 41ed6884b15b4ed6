// Applying IXFR sequences to a zone, strictly: RFC 1995 §4 leaves a secondary no way to repair
// a sequence that removes what it does not have or adds what it already has, so such a
// sequence is an error and the caller transfers the whole zone instead.
//
// The new version is made by zone::patchZone when the net change allows it (a few RRsets of
// existing names, no cut or chain moved): it copies the unchanged node blobs, so a one-record
// change costs a copy of the arena instead of a full rebuild. Otherwise the diffs are replayed
// into a ZoneBuilder started from the base, as before.

#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "dnswire/rrtype.hpp"
#include "dnswire/wire.hpp"
#include "xfr/diff.hpp"
#include "zone/builder.hpp"
#include "zone/patch.hpp"

namespace dnsfleet::xfr {

namespace {

namespace rrtype = dnswire::rrtype;
using dnswire::NameView;

/// One record of an RRset as the diffs so far have left it.
struct Entry {
    std::string stored;     ///< RDATA as the zone (or the diff that added it) holds it
    std::string canonical;  ///< for matching: embedded names lower-cased (RFC 4034 §6.2)
    std::uint32_t ttl = 0;  ///< as ZoneBuilder would receive it (see zone::exportedTtl)
    bool present = true;
};

std::string canonicalOf(std::uint16_t type, std::span<const std::uint8_t> rdata) {
    std::string out(reinterpret_cast<const char*>(rdata.data()), rdata.size());
    dnswire::canonicalizeRdata(type, {reinterpret_cast<std::uint8_t*>(out.data()), out.size()});
    return out;
}

std::span<const std::uint8_t> bytesOf(const std::string& s) noexcept {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

/// Octets a record takes in a RecordList (what SizeLimits::maxBytes counts).
std::size_t listBytes(NameView owner, std::size_t rdlength) noexcept {
    return 1 + owner.size() + 10 + rdlength;
}

// NSEC3 records and their signatures live apart from the normal names (zone.hpp).
bool onNsec3Chain(const zone::RecordView& record) noexcept {
    if (record.type == rrtype::NSEC3) return true;
    return record.type == rrtype::RRSIG && record.rdata.size() >= 2 &&
           dnswire::loadU16(record.rdata.data()) == rrtype::NSEC3;
}

std::string describe(const zone::RecordView& record) {
    std::string text = record.owner.toText();
    text += ' ';
    dnswire::appendTypeText(record.type, text);
    std::string rdata;
    if (dnswire::rdataToText(record.type, record.rdata, rdata)) {
        text += ' ';
        text += rdata;
    }
    return text;
}

bool isApexSoa(const RecordList& list, NameView apex) noexcept {
    return !list.empty() && list.front().type == rrtype::SOA &&
           dnswire::equalNames(list.front().owner, apex);
}

/// The RRsets the diffs touch, loaded from the base zone on first use: a one-record diff
/// looks at one RRset, however big the zone.
class Touched {
  public:
    explicit Touched(const zone::Zone& base) : base_(base) {}

    std::vector<Entry>& rrset(const zone::RecordView& record) {
        const bool nsec3 = onNsec3Chain(record);
        std::string key;
        key.push_back(nsec3 ? '\1' : '\0');
        key.push_back(static_cast<char>(record.type >> 8));
        key.push_back(static_cast<char>(record.type & 0xFF));
        const std::size_t ownerAt = key.size();
        key.append(reinterpret_cast<const char*>(record.owner.data()), record.owner.size());
        dnswire::lowercaseWire(
            {reinterpret_cast<std::uint8_t*>(key.data() + ownerAt), record.owner.size()});
        auto [it, fresh] = sets_.try_emplace(std::move(key));
        if (fresh) load(record, nsec3, it->second);
        return it->second;
    }

  private:
    void load(const zone::RecordView& record, bool nsec3, std::vector<Entry>& out) {
        const zone::Node* node = nsec3 ? nsec3Node(record.owner) : base_.find(record.owner);
        if (node == nullptr) return;
        const zone::RRsetView rrset = base_.rrset(*node, record.type);
        for (const auto rdata : rrset) {
            out.push_back(
                Entry{std::string(reinterpret_cast<const char*>(rdata.data()), rdata.size()),
                      canonicalOf(record.type, rdata),
                      zone::exportedTtl(base_, *node, *rrset.raw(), rdata), true});
        }
    }

    const zone::Node* nsec3Node(NameView owner) {
        if (!nsec3Indexed_) {
            // Zone::find() does not see NSEC3 owners; one pass over the chain, only when a
            // diff touches it (a re-signed zone's IXFR does).
            for (const zone::Node& node : base_.nsec3Nodes()) {
                const NameView name = base_.name(node);
                nsec3Index_.emplace(
                    std::string(reinterpret_cast<const char*>(name.data()), name.size()), &node);
            }
            nsec3Indexed_ = true;
        }
        std::string key(reinterpret_cast<const char*>(owner.data()), owner.size());
        dnswire::lowercaseWire({reinterpret_cast<std::uint8_t*>(key.data()), key.size()});
        const auto it = nsec3Index_.find(key);
        return it == nsec3Index_.end() ? nullptr : it->second;
    }

  public:
    /// The net change: each touched RRset's records in the order ZoneBuilder would have
    /// received the survivors (the base's first, then additions in order); nullopt when one is
    /// on the NSEC3 chain, which only the builder places.
    [[nodiscard]] std::optional<std::vector<zone::RRsetChange>> changes() const {
        std::vector<zone::RRsetChange> out;
        out.reserve(sets_.size());
        for (const auto& [key, entries] : sets_) {
            if (key[0] != '\0') return std::nullopt;
            zone::RRsetChange change;
            change.type = static_cast<std::uint16_t>((static_cast<unsigned char>(key[1]) << 8) |
                                                     static_cast<unsigned char>(key[2]));
            change.owner = dnswire::Name(NameView::fromTrusted(
                reinterpret_cast<const std::uint8_t*>(key.data() + 3), key.size() - 3));
            for (const Entry& entry : entries) {
                if (!entry.present) continue;
                const auto bytes = bytesOf(entry.stored);
                change.records.push_back(
                    zone::PatchRecord{entry.ttl, {bytes.begin(), bytes.end()}});
            }
            out.push_back(std::move(change));
        }
        return out;
    }

  private:
    const zone::Zone& base_;
    std::unordered_map<std::string, std::vector<Entry>> sets_;
    std::unordered_map<std::string, const zone::Node*> nsec3Index_;
    bool nsec3Indexed_ = false;
};

std::size_t zoneBytes(const zone::Zone& zone) {
    std::size_t total = 0;
    auto count = [&](const zone::NodeList& nodes) {
        for (const zone::Node& node : nodes) {
            const NameView owner = zone.name(node);
            for (const zone::RRset& rrset : zone.rrsets(node)) {
                for (const auto rdata : zone.view(&rrset))
                    total += listBytes(owner, rdata.size());
            }
        }
    };
    count(zone.nodes());
    count(zone.nsec3Nodes());
    return total;
}

/// Checks the sequences one record at a time against the RRsets they touch, keeping the record
/// count and size of the version reached and a log of the operations for the slow path.
class Applier {
  public:
    Applier(const zone::Zone& base, const SizeLimits& limits)
        : base_(base),
          limits_(limits),
          touched_(base),
          serial_(zoneSerial(base)),
          records_(base.recordCount()),
          bytes_(limits.maxBytes != 0 ? zoneBytes(base) : 0) {}

    Result<void, std::string> apply(const ZoneDiff& diff) {
        const NameView apex = base_.apex();
        if (!isApexSoa(diff.removed, apex) || !isApexSoa(diff.added, apex)) {
            return fail(std::string("IXFR inconsistent: a sequence does not begin with the SOA"));
        }
        const std::uint32_t from = soaSerialOf(diff.removed.front().rdata);
        const std::uint32_t to = soaSerialOf(diff.added.front().rdata);
        if (from != serial_ || diff.fromSerial != serial_) {
            return fail("IXFR inconsistent: a sequence starts at serial " + std::to_string(from) +
                        ", the zone is at " + std::to_string(serial_));
        }
        if (diff.toSerial != to) {
            return fail("IXFR inconsistent: a sequence ends at serial " + std::to_string(to) +
                        ", not " + std::to_string(diff.toSerial));
        }
        // The old SOA is matched by its serial alone (checked above): the SOA is a singleton,
        // and a primary that edited the SOA's other fields without a new serial would
        // otherwise make every later IXFR fail.
        for (Entry& soa : touched_.rrset(diff.removed.front())) {
            if (!soa.present) continue;
            drop(zone::RecordView{apex, rrtype::SOA, dnswire::rrclass::IN, 0, bytesOf(soa.stored)},
                 soa);
        }
        bool first = true;
        for (const zone::RecordView record : diff.removed) {
            if (first) {
                first = false;
                continue;
            }
            DNSFLEET_TRY(remove(record));
        }
        for (const zone::RecordView record : diff.added)
            DNSFLEET_TRY(add(record));
        serial_ = to;
        return checkLimits();
    }

    Result<std::shared_ptr<const zone::Zone>, std::string> build() {
        if (const auto changes = touched_.changes()) {
            if (auto patched = zone::patchZone(base_, *changes)) return std::move(*patched);
        }
        zone::ZoneBuilder builder = zone::ZoneBuilder::from(base_);
        std::size_t op = 0;
        for (const zone::RecordView record : log_) {
            if (removal_[op++]) {
                builder.remove(record);
            } else if (auto added = builder.add(record); !added) {
                return fail(describe(record) + ": " + added.error());
            }
        }
        auto built = builder.build();
        if (!built) {
            return fail("IXFR result does not build: " +
                        (built.error().empty() ? std::string("?") : built.error().front()));
        }
        return std::move(*built);
    }

  private:
    Result<void, std::string> remove(const zone::RecordView& record) {
        const std::string canonical = canonicalOf(record.type, record.rdata);
        for (Entry& entry : touched_.rrset(record)) {
            if (entry.present && entry.canonical == canonical) {
                drop(zone::RecordView{record.owner, record.type, dnswire::rrclass::IN, record.ttl,
                                      bytesOf(entry.stored)},
                     entry);
                return {};
            }
        }
        return fail("IXFR inconsistent: removing a record that does not exist: " +
                    describe(record));
    }

    void drop(const zone::RecordView& record, Entry& entry) {
        // The zone's own octets, not the diff's: the builder matches removals byte for byte.
        log_.add(record);
        removal_.push_back(true);
        entry.present = false;
        --records_;
        if (limits_.maxBytes != 0) bytes_ -= listBytes(record.owner, record.rdata.size());
    }

    Result<void, std::string> add(const zone::RecordView& record) {
        if (record.rclass != dnswire::rrclass::IN) {
            return fail("record of class " + dnswire::classToText(record.rclass) + ": " +
                        describe(record));
        }
        if (!dnswire::isSubdomain(record.owner, base_.apex())) {
            return fail("record outside the zone: " + record.owner.toText());
        }
        std::string canonical = canonicalOf(record.type, record.rdata);
        std::vector<Entry>& rrset = touched_.rrset(record);
        for (const Entry& entry : rrset) {
            if (entry.present && entry.canonical == canonical) {
                return fail("IXFR inconsistent: adding a record that already exists: " +
                            describe(record));
            }
        }
        // What ZoneBuilder::add() would refuse, refused now, while the diff is at hand.
        if (record.type == rrtype::OPT || (record.type >= 128 && record.type <= 255))
            return fail(describe(record) + ": meta type in zone data");
        if (record.rdata.size() > 0xFFFF) return fail(describe(record) + ": RDATA too long");
        log_.add(record);
        removal_.push_back(false);
        rrset.push_back(Entry{
            std::string(reinterpret_cast<const char*>(record.rdata.data()), record.rdata.size()),
            std::move(canonical), record.ttl, true});
        ++records_;
        if (limits_.maxBytes != 0) bytes_ += listBytes(record.owner, record.rdata.size());
        return {};
    }

    // Every version the sequences pass through is checked, not only the last: each was a
    // version of the primary's zone, which the limits are about.
    Result<void, std::string> checkLimits() const {
        if (limits_.maxRecords != 0 && records_ > limits_.maxRecords) {
            return fail("over the limit of " + std::to_string(limits_.maxRecords) + " records");
        }
        if (limits_.maxBytes != 0 && bytes_ > limits_.maxBytes) {
            return fail("over the limit of " + std::to_string(limits_.maxBytes) + " bytes");
        }
        return {};
    }

    const zone::Zone& base_;
    SizeLimits limits_;
    Touched touched_;
    RecordList log_;             ///< every add and removal in order, for the slow path
    std::vector<bool> removal_;  ///< parallel to log_
    std::uint32_t serial_;
    std::size_t records_;
    std::size_t bytes_;
};

}  // namespace

Result<std::shared_ptr<const zone::Zone>, std::string> applyDiffs(
    const zone::Zone& base, std::span<const ZoneDiff* const> diffs, const SizeLimits& limits) {
    Applier applier(base, limits);
    for (const ZoneDiff* diff : diffs)
        DNSFLEET_TRY(applier.apply(*diff));
    return applier.build();
}

}  // namespace dnsfleet::xfr
