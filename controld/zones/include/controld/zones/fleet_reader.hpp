#pragma once
/// \file
/// How the fleet reads the zones' versions: whole versions rebuilt from the live RRsets and the
/// later diffs, and each version's step (its diff under the two SOAs) for IXFR and for building
/// the next served version from the previous one.
#include "controld/primary/fleet.hpp"

namespace dnsfleet::controld::zones {

/// The reader dnsfleet-controld gives primary::Fleet::start().
[[nodiscard]] primary::VersionReader fleetVersionReader();

}  // namespace dnsfleet::controld::zones
