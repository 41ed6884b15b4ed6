#pragma once
/// \file
/// Who may do what: the rights matrix, in one place (docs/controld/rights.md shows it as a
/// table). Every service operation asks `authorize` before it reads or changes anything.
#include <optional>
#include <string_view>

#include "controld/core/context.hpp"
#include "storage/database.hpp"

namespace dnsfleet::controld::authz {

/// Everything that is checked. Contract-scoped unless it says "platform".
enum class Permission {
    ContractRead,       ///< the contract's own record (service code, plan, state)
    ContractSecurity,   ///< IP allowlist, MFA policy (owner)
    OwnersManage,       ///< add/remove owners and admins (owner)
    UsersManage,        ///< add/remove users other than owners (admin, owner)
    UsersRead,          ///< list the contract's users (admin, owner)
    ZoneRead,           ///< zones, records, versions, drafts (viewer up; staff with a grant)
    ZoneEdit,           ///< drafts, apply, restore, import (operator up)
    ZoneManage,         ///< create and delete zones (admin up)
    EventsRead,         ///< the contract's event log and its export (admin up)
    TokensOwn,          ///< the caller's own API tokens and password/TOTP (every user)
    ChangesRead,        ///< change ids' sync status (viewer up)
    PlatformContracts,  ///< platform: create, change, cancel contracts (staff)
    PlatformEdges,      ///< platform: register and remove edge servers (staff)
    PlatformEvents,     ///< platform: the platform event log, chain verification (staff)
    PlatformGrants,     ///< platform: ask for a time-limited grant to read a contract's zone data
};

/// The pure rule: may `actor` do `permission` on `contractId` (0 for platform permissions)?
/// `zone` is checked against an API token's zone list; `hasGrant` tells whether staff holds a
/// live grant for the contract. No I/O.
[[nodiscard]] bool allowed(const Actor& actor, Permission permission, Id contractId,
                           std::optional<std::string_view> zone, bool hasGrant) noexcept;

/// Checks `permission` for the request's actor, looking up staff grants in the database. A
/// denial is written to the event log (action "access.denied", in its own transaction) and
/// returned: NotFound when the object lies in another contract (so that its existence does not
/// show), Forbidden otherwise.
[[nodiscard]] Outcome<void> authorize(storage::Database& db, const RequestContext& context,
                                      Permission permission, Id contractId,
                                      std::optional<std::string_view> zone = std::nullopt);

/// Grants staff member `staffId` read access to `contractId`'s zone data until `until`;
/// written to both the contract's and the platform's event log.
Id grantStaffAccess(storage::Transaction& tx, const RequestContext& context, Id contractId,
                    Timestamp until, const std::string& reason);

}  // namespace dnsfleet::controld::authz
