#pragma once
/// \file
/// Who may do what: the rights matrix, in one place (docs/controld/rights.md shows it as a
/// table). Every service operation asks `authorize` before it reads or changes anything.
#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

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

/// Every permission, in declaration order (for the exhaustive tests and the docs check).
inline constexpr std::array<Permission, 15> kAllPermissions = {
    Permission::ContractRead,  Permission::ContractSecurity, Permission::OwnersManage,
    Permission::UsersManage,   Permission::UsersRead,        Permission::ZoneRead,
    Permission::ZoneEdit,      Permission::ZoneManage,       Permission::EventsRead,
    Permission::TokensOwn,     Permission::ChangesRead,      Permission::PlatformContracts,
    Permission::PlatformEdges, Permission::PlatformEvents,   Permission::PlatformGrants,
};

/// The enumerator's name ("ZoneEdit"), as RouteInfo::permission and docs/controld/rights.md
/// write it.
[[nodiscard]] std::string_view permissionName(Permission permission) noexcept;
[[nodiscard]] std::optional<Permission> parsePermission(std::string_view name) noexcept;

/// The columns of the rights matrix: the four contract roles and staff without and with a live
/// grant for the contract.
enum class Holder { Viewer, Operator, Admin, Owner, Staff, StaffWithGrant };
inline constexpr std::array<Holder, 6> kAllHolders = {Holder::Viewer, Holder::Operator,
                                                      Holder::Admin,  Holder::Owner,
                                                      Holder::Staff,  Holder::StaffWithGrant};
[[nodiscard]] std::string_view holderName(Holder holder) noexcept;

/// One cell of the matrix: whether `holder` has `permission` on its own contract (for users)
/// or on any contract (staff), before API-token limits.
[[nodiscard]] bool matrixAllows(Permission permission, Holder holder) noexcept;

/// Permissions an API token with read scope keeps.
[[nodiscard]] bool isReadPermission(Permission permission) noexcept;
/// Permissions a zone-limited API token keeps (for its zones only).
[[nodiscard]] bool isZonePermission(Permission permission) noexcept;
/// Platform permissions (contractId 0): staff only.
[[nodiscard]] bool isPlatformPermission(Permission permission) noexcept;

/// Zone names as a token's zone list and a route compare them: lower-case, no final dot.
[[nodiscard]] std::string zoneKey(std::string_view zone);

/// The pure rule: may `actor` do `permission` on `contractId` (0 for platform permissions)?
/// `zone` is checked against an API token's zone list; `hasGrant` tells whether staff holds a
/// live grant for the contract. No I/O.
///
/// A zone-limited token asking ZoneRead or ChangesRead without a zone is allowed: that is a
/// listing, which the caller must filter to the token's zones (`tokenCoversZone`). ZoneEdit
/// needs the zone. The System actor (jobs) may do everything; Anonymous nothing.
[[nodiscard]] bool allowed(const Actor& actor, Permission permission, Id contractId,
                           std::optional<std::string_view> zone, bool hasGrant) noexcept;

/// Whether a token-limited actor may see `zone` (always true without a token zone list).
[[nodiscard]] bool tokenCoversZone(const Actor& actor, std::string_view zone);

/// Checks `permission` for the request's actor, looking up staff grants in the database. A
/// denial is written to the event log (action "access.denied", in its own transaction) and
/// returned: NotFound when the object lies in another contract (so that its existence does not
/// show), Forbidden otherwise (Unauthenticated for an anonymous actor).
/// Call it before opening the operation's Write transaction: the denial entry needs one of its
/// own, and SQLite has a single writer.
[[nodiscard]] Outcome<void> authorize(storage::Database& db, const RequestContext& context,
                                      Permission permission, Id contractId,
                                      std::optional<std::string_view> zone = std::nullopt);

/// Grants staff member `staffId` read access to `contractId`'s zone data until `until`;
/// written to both the contract's and the platform's event log.
Id grantStaffAccess(storage::Transaction& tx, const RequestContext& context, Id contractId,
                    Timestamp until, const std::string& reason);

/// Whether `staffId` holds a grant for `contractId` that has not expired at `now`.
[[nodiscard]] bool hasLiveGrant(storage::Transaction& tx, Id staffId, Id contractId, Timestamp now);

/// The service code of `contractId`, or nullopt (for the event log's targets and responses).
[[nodiscard]] std::optional<std::string> serviceCode(storage::Transaction& tx, Id contractId);

/// The event log's target for a contract: "contract:<service code>", the name the API shows
/// ("contract:#<id>" only for a row that is gone).
[[nodiscard]] std::string contractTarget(storage::Transaction& tx, Id contractId);

/// One stored grant.
struct Grant {
    Id id = 0;
    Id staffId = 0;
    Id contractId = 0;
    std::string reason;
    Timestamp createdAt = 0;
    Timestamp expiresAt = 0;
};
/// A contract's grants, newest first (live and expired).
[[nodiscard]] std::vector<Grant> listGrants(storage::Transaction& tx, Id contractId);

}  // namespace dnsfleet::controld::authz
