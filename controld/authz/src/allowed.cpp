// The pure decision: the matrix plus the limits of API tokens and of the tenant boundary.
#include <algorithm>
#include <cctype>
#include <string>

#include "authz_internal.hpp"
#include "controld/authz/authz.hpp"

namespace dnsfleet::controld::authz {

namespace {

Holder roleHolder(Role role) noexcept {
    switch (role) {
        case Role::Viewer:
            return Holder::Viewer;
        case Role::Operator:
            return Holder::Operator;
        case Role::Admin:
            return Holder::Admin;
        case Role::Owner:
            return Holder::Owner;
    }
    return Holder::Viewer;
}

}  // namespace

std::string zoneKey(std::string_view zone) {
    std::string key(zone);
    if (!key.empty() && key.back() == '.') key.pop_back();
    std::transform(key.begin(), key.end(), key.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return key;
}

bool tokenCoversZone(const Actor& actor, std::string_view zone) {
    if (!actor.tokenId || actor.tokenZones.empty()) return true;
    const std::string key = zoneKey(zone);
    return std::any_of(actor.tokenZones.begin(), actor.tokenZones.end(),
                       [&key](const std::string& z) { return zoneKey(z) == key; });
}

Denial denialOf(const Actor& actor, Permission permission, Id contractId,
                std::optional<std::string_view> zone, bool hasGrant) noexcept {
    switch (actor.kind) {
        case Actor::Kind::System:
            return Denial::None;
        case Actor::Kind::Anonymous:
            return Denial::Unauthenticated;
        case Actor::Kind::Staff:
        case Actor::Kind::User:
            break;
    }
    // Another tenant's contract first: any other answer (the role, the token's scope or zones)
    // would tell a service code that exists from one that does not. The caller's own account
    // (tokens, password, TOTP) is not another contract's data.
    const bool ownAccount = permission == Permission::TokensOwn && contractId == 0;
    if (actor.isUser() && !ownAccount && contractId != 0 && contractId != actor.contractId) {
        return Denial::Tenant;
    }
    if (actor.tokenId) {
        if (!actor.tokenCanWrite && !isReadPermission(permission)) return Denial::TokenScope;
        if (!actor.tokenZones.empty()) {
            if (!isZonePermission(permission)) return Denial::TokenZones;
            if (zone) {
                try {
                    if (!tokenCoversZone(actor, *zone)) return Denial::TokenZones;
                } catch (...) {  // allocation failure: deny rather than throw from noexcept
                    return Denial::TokenZones;
                }
            } else if (!isReadPermission(permission)) {
                // A change needs the zone it changes; only listings go without one.
                return Denial::TokenZones;
            }
        }
    }
    if (actor.isStaff()) {
        const Holder holder = hasGrant && contractId != 0 ? Holder::StaffWithGrant : Holder::Staff;
        if (matrixAllows(permission, holder)) return Denial::None;
        return matrixAllows(permission, Holder::StaffWithGrant) ? Denial::NoGrant : Denial::Role;
    }
    if (isPlatformPermission(permission)) return Denial::Role;
    if (!ownAccount && contractId != actor.contractId) return Denial::Tenant;
    return matrixAllows(permission, roleHolder(actor.role)) ? Denial::None : Denial::Role;
}

bool allowed(const Actor& actor, Permission permission, Id contractId,
             std::optional<std::string_view> zone, bool hasGrant) noexcept {
    return denialOf(actor, permission, contractId, zone, hasGrant) == Denial::None;
}

}  // namespace dnsfleet::controld::authz
