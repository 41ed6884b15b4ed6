#pragma once
/// \file
/// Loading the configured zones in parallel, at start-up and on reload. A zone whose file did
/// not change (same mtime and size) since the last load is reused as is; a zone that fails to
/// load keeps its previous version, if it had one.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "authd/config/config.hpp"
#include "zone/zone.hpp"
#include "zone/zoneset.hpp"

namespace dnsfleet::authd::zones {

/// What identifies a version of a zone file without reading it.
struct FileStamp {
    std::int64_t mtimeNs = 0;
    std::uintmax_t size = 0;
    friend bool operator==(const FileStamp&, const FileStamp&) = default;
};

/// The stamp of `path`, or nothing when it cannot be read (`stat` fails).
[[nodiscard]] std::optional<FileStamp> stampOf(const std::filesystem::path& path) noexcept;

/// A zone being served and the file version it came from.
struct ServedZone {
    config::ZoneConfig config;
    std::shared_ptr<const zone::Zone> zone;
    std::optional<FileStamp> stamp;
};

enum class LoadOutcome {
    Loaded,         ///< parsed and checked now
    Unchanged,      ///< the file did not change; the previous version is reused
    FailedKeptOld,  ///< failed; the previous version keeps serving
    Failed,         ///< failed; the zone is not served
};

struct ZoneLoadResult {
    ServedZone served;  ///< `zone` is null when the outcome is Failed
    LoadOutcome outcome = LoadOutcome::Failed;
    std::vector<std::string> errors;  ///< `file:line: message`
    std::chrono::microseconds elapsed{0};
};

/// Loads `zones` on up to `threads` threads, in the order given. `previous` (may be empty)
/// supplies versions to reuse or keep.
[[nodiscard]] std::vector<ZoneLoadResult> loadZones(const std::vector<config::ZoneConfig>& zones,
                                                    const std::vector<ServedZone>& previous,
                                                    unsigned threads);

/// The zones that are served after a load, and the ZoneSet built from them.
[[nodiscard]] std::vector<ServedZone> servedZones(const std::vector<ZoneLoadResult>& results);
[[nodiscard]] std::shared_ptr<const zone::ZoneSet> buildZoneSet(
    const std::vector<ServedZone>& served);

/// The SOA serial of a zone (RFC 1035 §3.3.13).
[[nodiscard]] std::uint32_t soaSerial(const zone::Zone& zone) noexcept;

}  // namespace dnsfleet::authd::zones
