#pragma once
/// \file
/// A resource record as zone-file parsing, transfers and the zone builder hand it around.

#include <cstdint>
#include <span>

#include "dnswire/name.hpp"

namespace dnsfleet::zone {

/// One record, borrowed: the owner and RDATA views stay valid only during the call that
/// receives it. RDATA is uncompressed wire form.
struct RecordView {
    dnswire::NameView owner;
    std::uint16_t type = 0;
    std::uint16_t rclass = 1;
    std::uint32_t ttl = 0;
    std::span<const std::uint8_t> rdata;
};

}  // namespace dnsfleet::zone
