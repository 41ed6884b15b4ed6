#pragma once
// Why a request was denied: the reason goes into the event log's details.
#include <optional>
#include <string_view>

#include "controld/authz/authz.hpp"

namespace dnsfleet::controld::authz {

enum class Denial {
    None,             // allowed
    Unauthenticated,  // anonymous
    Tenant,           // another contract's data
    Role,             // the role (or staff without contract rights) does not have it
    NoGrant,          // staff without a live grant for the contract
    TokenScope,       // a read-scope token asked for a change
    TokenZones,       // a zone-limited token outside its zones or its zone permissions
};

[[nodiscard]] Denial denialOf(const Actor& actor, Permission permission, Id contractId,
                              std::optional<std::string_view> zone, bool hasGrant) noexcept;

[[nodiscard]] constexpr std::string_view denialName(Denial denial) noexcept {
    switch (denial) {
        case Denial::None:
            return "none";
        case Denial::Unauthenticated:
            return "unauthenticated";
        case Denial::Tenant:
            return "tenant";
        case Denial::Role:
            return "role";
        case Denial::NoGrant:
            return "no_grant";
        case Denial::TokenScope:
            return "token_scope";
        case Denial::TokenZones:
            return "token_zones";
    }
    return "";
}

}  // namespace dnsfleet::controld::authz
