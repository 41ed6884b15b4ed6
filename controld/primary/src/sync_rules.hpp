#pragma once
// When an edge counts as in sync with a change: it answered the zone's SOA query with the
// change's serial or a later one (RFC 1982); for a zone that is no longer served, it answered
// that it does not serve the zone any more.
#include <cstdint>
#include <optional>

#include "xfr/serial.hpp"

namespace dnsfleet::controld::primary {

/// What the sync poller last learnt from one edge about one zone.
struct EdgeObservation {
    bool reachable = false;
    bool served = false;                  ///< answered authoritatively with an SOA
    std::optional<std::uint32_t> serial;  ///< the SOA serial when served
};

[[nodiscard]] inline bool edgeInSync(const EdgeObservation& seen, std::uint32_t changeSerial,
                                     bool zoneStillServed) noexcept {
    if (!zoneStillServed) return seen.reachable && !seen.served;
    if (!seen.served || !seen.serial) return false;
    const auto order = xfr::compareSerial(*seen.serial, changeSerial);
    return order == xfr::SerialOrder::Equal || order == xfr::SerialOrder::Greater;
}

}  // namespace dnsfleet::controld::primary
