#pragma once
/// \file
/// Pulling a zone from one primary (blocking; run on the transfer threads, never on the query
/// path): an SOA query, then IXFR (when we hold a version) or AXFR over TCP, every message
/// checked for its TSIG and fed to an xfr::XfrReader. IXFR falls back to AXFR when the primary
/// answers NOTIMP/REFUSED/FORMERR to it or its sequence does not apply. TLS (RFC 9103) when the
/// remote asks for it.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "authd/config/config.hpp"
#include "common/result.hpp"
#include "dnswire/tsig.hpp"
#include "xfr/diff.hpp"
#include "xfr/record_list.hpp"
#include "xfr/xfr_reader.hpp"
#include "zone/zone.hpp"

namespace dnsfleet::authd::zones {

/// Where and how to pull from.
struct PrimaryEndpoint {
    config::ListenAddress address;
    const dnswire::TsigKey* key = nullptr;  ///< sign requests and require signed answers
    bool tls = false;
    std::string tlsHostname;
    std::string tlsPin;
    /// Trust anchors of the `tlsHostname` check; empty = the system's store.
    std::filesystem::path tlsCaFile;
    std::optional<config::ListenAddress> via;
};

struct PullOptions {
    std::chrono::milliseconds timeout{10'000};  ///< per message, and for connecting
    xfr::SizeLimits limits;
    bool axfrOnly = false;
    std::uint16_t fudge = 300;
    /// Skip the SOA query (a NOTIFY or a forced retransfer says there is something to fetch).
    bool skipSoaQuery = false;
    /// Transfer with AXFR even when a version is held (a forced retransfer).
    bool forceAxfr = false;
};

/// What a pull achieved.
struct PullResult {
    xfr::XfrKind kind = xfr::XfrKind::UpToDate;
    std::shared_ptr<const zone::Zone> zone;  ///< the new version (the current one when UpToDate)
    std::uint32_t serial = 0;
    xfr::RecordList full;              ///< Full: every record (for the store)
    std::vector<xfr::ZoneDiff> diffs;  ///< Incremental: the diffs (for the store and journal)
    std::size_t messages = 0;
    std::size_t bytes = 0;
    bool fellBackToAxfr = false;
    /// Why the IXFR was given up (for the log), when fellBackToAxfr.
    std::string fallbackReason;
};

/// Pulls `apex` from `primary`. `current` is the version we serve (null when none). Errors are
/// one line for the log: `127.0.0.1:53: timed out`, `TSIG BADSIG from 127.0.0.1:53`, `IXFR
/// inconsistent: ...`, ...
[[nodiscard]] Result<PullResult, std::string> pullZone(
    const PrimaryEndpoint& primary, dnswire::NameView apex,
    const std::shared_ptr<const zone::Zone>& current, const PullOptions& options);

/// Only the SOA serial of `apex` at `primary` (UDP, then TCP when truncated); also used to
/// see whether an edge serves a serial yet.
[[nodiscard]] Result<std::uint32_t, std::string> querySerial(const PrimaryEndpoint& primary,
                                                             dnswire::NameView apex,
                                                             std::chrono::milliseconds timeout,
                                                             std::uint16_t fudge = 300);

}  // namespace dnsfleet::authd::zones
