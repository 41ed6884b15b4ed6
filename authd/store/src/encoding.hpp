#pragma once
/// \file
/// The store's on-disk encoding (format 1, see authd/store/README.md): keys, the zone header,
/// snapshot chunks and journal entries. Every value starts with a version octet so that a
/// later format can change one kind of value without rewriting the others. Decoders check
/// every length: LMDB keeps what we wrote, but a file copied from elsewhere or damaged on disk
/// must fail with a message, never be read out of bounds.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "dnswire/name.hpp"
#include "xfr/diff.hpp"
#include "zone/record.hpp"

namespace dnsfleet::authd::store::encoding {

/// The version octet that leads every value this code writes.
inline constexpr std::uint8_t kValueVersion = 1;
/// The `meta` database's key for the format version (value: u32, big-endian).
inline constexpr std::string_view kFormatKey = "format";
/// Snapshot chunks hold whole records and are cut after this many octets (see README: one
/// huge value needs one run of contiguous free pages, which a used file may not have).
inline constexpr std::size_t kChunkTarget = std::size_t{1} << 20;

/// What the `zones` database holds per zone.
struct ZoneHeader {
    std::uint32_t serial = 0;          ///< the newest version (snapshot + journal)
    std::uint32_t snapshotSerial = 0;  ///< the version the snapshot holds
    std::uint32_t snapshotChunks = 0;
    std::uint64_t snapshotRecords = 0;
    std::uint64_t journalFirst = 0;  ///< sequence number of the oldest journal entry
    std::uint64_t journalNext = 0;   ///< sequence number the next entry gets
    std::uint64_t journalBytes = 0;  ///< sum of the entries' ZoneDiff::bytes()
    std::int64_t lastTransfer = 0;

    [[nodiscard]] std::uint64_t journalCount() const noexcept { return journalNext - journalFirst; }
};

[[nodiscard]] std::vector<std::uint8_t> encodeFormat(std::uint32_t version);
[[nodiscard]] Result<std::uint32_t, std::string> decodeFormat(std::span<const std::uint8_t> value);

[[nodiscard]] std::vector<std::uint8_t> encodeHeader(const ZoneHeader& header);
[[nodiscard]] Result<ZoneHeader, std::string> decodeHeader(std::span<const std::uint8_t> value);

/// The `zones` key: the apex in lower-cased wire form. Wire names are prefix-free (a name
/// ends at its first zero octet), so `apex + suffix` keys of two zones never collide.
[[nodiscard]] std::vector<std::uint8_t> zoneKey(dnswire::NameView apex);
/// `apex + u32 chunk number` (big-endian, so chunks sort in order).
[[nodiscard]] std::vector<std::uint8_t> chunkKey(dnswire::NameView apex, std::uint32_t chunk);
/// `apex + u64 sequence number` (big-endian, so entries sort oldest first).
[[nodiscard]] std::vector<std::uint8_t> journalKey(dnswire::NameView apex, std::uint64_t seq);

/// Cuts RecordList::raw() octets (trusted: our own list) into chunks of whole records of
/// about kChunkTarget octets (or `target`, for tests).
[[nodiscard]] std::vector<std::span<const std::uint8_t>> splitRecords(
    std::span<const std::uint8_t> raw, std::size_t target = kChunkTarget);
/// The records of a snapshot chunk value (after its version octet).
[[nodiscard]] Result<std::span<const std::uint8_t>, std::string> chunkRecords(
    std::span<const std::uint8_t> value);

/// Walks RecordList-format octets from disk, checking every length and owner name, and
/// calls `visit(record)` (returning Result<void, std::string>) for each record. Returns the
/// number of records, or the first error.
template <class Visit>
[[nodiscard]] Result<std::size_t, std::string> forEachRecord(std::span<const std::uint8_t> raw,
                                                             Visit&& visit);

/// The encoded size of a journal entry.
[[nodiscard]] std::size_t diffSize(const xfr::ZoneDiff& diff) noexcept;
/// Writes a journal entry into `out` (exactly diffSize() octets, e.g. LMDB's MDB_RESERVE).
void encodeDiff(const xfr::ZoneDiff& diff, std::span<std::uint8_t> out) noexcept;
[[nodiscard]] Result<xfr::ZoneDiff, std::string> decodeDiff(std::span<const std::uint8_t> value);

/// The serial in SOA RDATA (two uncompressed names, then SERIAL), or nothing when the RDATA
/// is too short or malformed.
[[nodiscard]] Result<std::uint32_t, std::string> soaSerial(std::span<const std::uint8_t> rdata);

// --- implementation of the template ---------------------------------------------------------

/// The length of the valid uncompressed name at the start of `wire`, or 0.
[[nodiscard]] std::size_t nameLength(std::span<const std::uint8_t> wire) noexcept;

template <class Visit>
Result<std::size_t, std::string> forEachRecord(std::span<const std::uint8_t> raw, Visit&& visit) {
    constexpr std::size_t kFixed = 2 + 2 + 4 + 2;  // type, class, TTL, rdlength
    std::size_t pos = 0;
    std::size_t count = 0;
    while (pos < raw.size()) {
        const std::size_t ownerLength = raw[pos];
        if (ownerLength == 0 || pos + 1 + ownerLength + kFixed > raw.size() ||
            nameLength(raw.subspan(pos + 1, ownerLength)) != ownerLength) {
            return fail("record " + std::to_string(count) + ": malformed owner");
        }
        const std::uint8_t* fixed = raw.data() + pos + 1 + ownerLength;
        const std::size_t rdlength = (std::size_t{fixed[8]} << 8) | fixed[9];
        const std::size_t end = pos + 1 + ownerLength + kFixed + rdlength;
        if (end > raw.size()) return fail("record " + std::to_string(count) + ": truncated");
        zone::RecordView record;
        record.owner = dnswire::NameView::fromTrusted(raw.data() + pos + 1, ownerLength);
        record.type = static_cast<std::uint16_t>((fixed[0] << 8) | fixed[1]);
        record.rclass = static_cast<std::uint16_t>((fixed[2] << 8) | fixed[3]);
        record.ttl = (std::uint32_t{fixed[4]} << 24) | (std::uint32_t{fixed[5]} << 16) |
                     (std::uint32_t{fixed[6]} << 8) | std::uint32_t{fixed[7]};
        record.rdata = raw.subspan(pos + 1 + ownerLength + kFixed, rdlength);
        auto visited = visit(record);
        if (!visited) return fail("record " + std::to_string(count) + ": " + visited.error());
        pos = end;
        ++count;
    }
    return count;
}

}  // namespace dnsfleet::authd::store::encoding
