#pragma once
/// \file
/// Prints records in master-file form that parseZoneText() reads back to the same records.

#include <string>

#include "zone/record.hpp"

namespace dnsfleet::zone {

/// Appends `record` as one line `owner TTL CLASS TYPE RDATA\n` with absolute names. RDATA that
/// does not match its type's layout is printed in the generic `\# LEN HEX` form (RFC 3597).
void printRecord(const RecordView& record, std::string& out);

}  // namespace dnsfleet::zone
