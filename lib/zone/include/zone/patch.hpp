#pragma once
/// \file
/// The next version of a zone from the previous one plus a small change, without rebuilding
/// it: the unchanged node blobs are copied as they are and only their arena offsets are
/// shifted. It is the fast path of IXFR (a record changed, a name added or removed in a big
/// zone); whenever a change could alter the zone's cuts, chains or checks it declines, and the
/// caller builds the zone with ZoneBuilder instead.

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "dnswire/name.hpp"
#include "zone/zone.hpp"

namespace dnsfleet::zone {

/// One record of a changed RRset.
struct PatchRecord {
    std::uint32_t ttl = 0;
    std::vector<std::uint8_t> rdata;
};

/// The complete new content of the RRset `type` at `owner`; no records = the RRset is removed.
/// Records come in the order ZoneBuilder would have received them (records kept from the
/// previous version first, then the added ones in order of addition), because ZoneBuilder
/// gives an RRset the TTL of its earliest-added record, and byte-identical records collapse
/// into the first. For RRSIG the RRset is all the node's signatures, each record with its own
/// TTL (the TTL of a signature slice is that of its first record in RDATA order).
struct RRsetChange {
    dnswire::Name owner;
    std::uint16_t type = 0;
    std::vector<PatchRecord> records;
};

/// The zone `base` with `changes` applied, identical to what ZoneBuilder::from(base), the same
/// changes and build() give, except that nodes the changes do not touch keep their bytes (the
/// builder re-derives the TTL of an RRSIG RRset from its first record; the fast path leaves
/// untouched nodes exactly as they were). In an unsigned zone (no NSEC, NSEC3PARAM or RRSIG at
/// the apex, no NSEC3) names may also appear, with the empty non-terminals the builder would
/// make above them, and disappear when their last RRset goes, with the empty non-terminals
/// left without names below them; a name whose last RRset goes while names stay below it
/// becomes an empty non-terminal, and one gets data. A change at a name the zone does not have
/// that leaves it empty changes nothing. Returns nullopt ("take the slow path") when a change
/// touches NS, CNAME, DNAME, DS, NSEC, NSEC3, NSEC3PARAM or a signature over NSEC3, a SOA other
/// than one apex SOA, a wildcard owner, a node at or below a delegation or DNAME or beside a
/// CNAME, a meta type, or names the same RRset twice; when a node would appear or go in a
/// signed zone; when a new name is at or below a delegation or DNAME, carries SOA or RRSIG, or
/// would make a wildcard appear or go. Control side: allocates; O(zone size) in memcpy plus
/// O(nodes) offset fixes when a blob changes size.
[[nodiscard]] std::optional<std::shared_ptr<const Zone>> patchZone(
    const Zone& base, std::span<const RRsetChange> changes);

/// The TTL ZoneBuilder::from() gives one record of `rrset` at `node`: the RRset's TTL, and
/// for an RRSIG the TTL of the signature slice of the type it covers (the RRSIG RRset's own
/// TTL when that type has no RRset here). Callers that build RRsetChange from a zone use it.
[[nodiscard]] std::uint32_t exportedTtl(const Zone& zone, const Node& node, const RRset& rrset,
                                        std::span<const std::uint8_t> rdata) noexcept;

}  // namespace dnsfleet::zone
