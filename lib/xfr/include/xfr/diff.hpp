#pragma once
/// \file
/// Differences between versions of a zone, in the shape IXFR carries them (RFC 1995 §4): the
/// records removed, led by the old SOA, and the records added, led by the new SOA.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "common/result.hpp"
#include "xfr/record_list.hpp"
#include "zone/zone.hpp"

namespace dnsfleet::xfr {

/// One step from version `fromSerial` to version `toSerial`.
struct ZoneDiff {
    std::uint32_t fromSerial = 0;
    std::uint32_t toSerial = 0;
    RecordList removed;  ///< starts with the old SOA
    RecordList added;    ///< starts with the new SOA
    /// When the step was made (seconds since the epoch, UTC): journals drop old steps by age.
    std::int64_t createdAt = 0;

    /// Octets the diff holds (for journal size limits).
    [[nodiscard]] std::size_t bytes() const noexcept { return removed.bytes() + added.bytes(); }
};

/// The diff that turns `from` into `to` (two versions of the same zone; RRSIGs and NSEC3
/// records included). A record whose TTL changed is removed and added again, as IXFR must
/// carry it. Fails when the apexes differ. Control side: allocates.
[[nodiscard]] Result<ZoneDiff, std::string> diffZones(const zone::Zone& from, const zone::Zone& to,
                                                      std::int64_t now = 0);

/// Merges consecutive diffs (each one's toSerial is the next one's fromSerial) into one, as a
/// condensed IXFR sends them (RFC 1995 §5): a record added and later removed appears in
/// neither list, a record removed and later added back appears in neither when its TTL is
/// unchanged. Fails when the chain is broken or empty.
[[nodiscard]] Result<ZoneDiff, std::string> condense(
    std::span<const std::shared_ptr<const ZoneDiff>> diffs);

/// Limits on what an applied transfer may leave (0 = no limit).
struct SizeLimits {
    std::size_t maxRecords = 0;
    std::size_t maxBytes = 0;  ///< owner + fixed fields + RDATA octets, as RecordList counts
};

/// Applies `diffs` in order to `base` and builds the new version. Each diff must start at the
/// serial the previous one reached (the first at `base`'s serial), every removed record must
/// exist and every added record must not (RFC 1995 §4: otherwise the sequence is inconsistent
/// and the caller falls back to AXFR), the result must stay within `limits`, and no record may
/// lie outside the zone. Errors are one line for the log. Control side: allocates.
[[nodiscard]] Result<std::shared_ptr<const zone::Zone>, std::string> applyDiffs(
    const zone::Zone& base, std::span<const ZoneDiff* const> diffs, const SizeLimits& limits = {});

/// Every record of `zone`, SOA first, in the order AXFR sends them (for the on-disk snapshot).
[[nodiscard]] RecordList zoneRecords(const zone::Zone& zone);

/// The SOA serial of `zone` (RFC 1035 §3.3.13).
[[nodiscard]] std::uint32_t zoneSerial(const zone::Zone& zone) noexcept;
/// The serial inside SOA RDATA; 0 when the RDATA is too short.
[[nodiscard]] std::uint32_t soaSerialOf(std::span<const std::uint8_t> soaRdata) noexcept;

}  // namespace dnsfleet::xfr
