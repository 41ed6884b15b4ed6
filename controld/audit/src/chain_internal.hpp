#pragma once
// Helpers shared by the writing and the reading side of the event log.
#include <string>

#include "controld/audit/event_log.hpp"

namespace dnsfleet::controld::audit {

/// The details object as stored and hashed: compact JSON with sorted keys.
[[nodiscard]] std::string canonicalDetails(const nlohmann::json& details);

/// The hash the next entry of `contractId`'s chain follows: the last entry's, else the anchor's,
/// else the genesis hash.
[[nodiscard]] std::string previousHash(storage::Transaction& tx, Id contractId);

}  // namespace dnsfleet::controld::audit
