#pragma once
/// \file
/// The first step of every contract-scoped route: {contract} (a service code) → the contract's
/// id, authorized for the operation. An unknown service code and another tenant's contract give
/// the same NotFound, so that codes cannot be probed; the second is logged as denied.
#include <optional>
#include <string_view>

#include "controld/authz/authz.hpp"
#include "controld/core/context.hpp"
#include "storage/database.hpp"

namespace dnsfleet::controld::authz {

/// Looks `serviceCode` up (exact match) and authorizes `permission` on it for the request's
/// actor (`zone` as for `authorize`). NotFound when the code is unknown or names another
/// tenant's contract; Forbidden when the role is not enough. Runs its own transactions: call it
/// before opening the operation's Write transaction.
[[nodiscard]] Outcome<Id> resolveContract(storage::Database& db, const RequestContext& context,
                                          std::string_view serviceCode, Permission permission,
                                          std::optional<std::string_view> zone = std::nullopt);

// serviceCode(tx, contractId), the reverse lookup, is declared in authz.hpp.

}  // namespace dnsfleet::controld::authz
