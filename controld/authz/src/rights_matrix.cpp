// The rights matrix: the one table that says who may do what. docs/controld/rights.md shows the
// same table, and rights_doc_test checks that the two agree.
#include <array>
#include <cctype>
#include <cstddef>

#include "controld/authz/authz.hpp"

namespace dnsfleet::controld::authz {

namespace {

constexpr bool Y = true;
constexpr bool N = false;

struct MatrixRow {
    Permission permission;
    std::string_view name;
    // viewer, operator, admin, owner, staff, staff with a live grant for the contract
    std::array<bool, kAllHolders.size()> holders;
    bool readScope;    // an API token with read scope keeps it
    bool zoneLimited;  // a zone-limited API token keeps it (for its zones)
    bool platform;     // not about one contract: staff only
};

// clang-format off
constexpr std::array<MatrixRow, kAllPermissions.size()> kMatrix = {{
    //                                          viewer oper admin owner staff grant  read zone platform
    {Permission::ContractRead,      "ContractRead",      {Y, Y, Y, Y, Y, Y}, Y, N, N},
    {Permission::ContractSecurity,  "ContractSecurity",  {N, N, N, Y, N, N}, N, N, N},
    {Permission::OwnersManage,      "OwnersManage",      {N, N, N, Y, N, N}, N, N, N},
    {Permission::UsersManage,       "UsersManage",       {N, N, Y, Y, N, N}, N, N, N},
    {Permission::UsersRead,         "UsersRead",         {N, N, Y, Y, N, N}, Y, N, N},
    {Permission::ZoneRead,          "ZoneRead",          {Y, Y, Y, Y, N, Y}, Y, Y, N},
    {Permission::ZoneEdit,          "ZoneEdit",          {N, Y, Y, Y, N, N}, N, Y, N},
    {Permission::ZoneManage,        "ZoneManage",        {N, N, Y, Y, N, N}, N, N, N},
    {Permission::EventsRead,        "EventsRead",        {N, N, Y, Y, N, N}, Y, N, N},
    {Permission::TokensOwn,         "TokensOwn",         {Y, Y, Y, Y, Y, Y}, N, N, N},
    {Permission::ChangesRead,       "ChangesRead",       {Y, Y, Y, Y, N, Y}, Y, Y, N},
    {Permission::PlatformContracts, "PlatformContracts", {N, N, N, N, Y, Y}, N, N, Y},
    {Permission::PlatformEdges,     "PlatformEdges",     {N, N, N, N, Y, Y}, N, N, Y},
    {Permission::PlatformEvents,    "PlatformEvents",    {N, N, N, N, Y, Y}, Y, N, Y},
    {Permission::PlatformGrants,    "PlatformGrants",    {N, N, N, N, Y, Y}, N, N, Y},
}};
// clang-format on

constexpr bool matrixInOrder() {
    for (std::size_t i = 0; i < kMatrix.size(); ++i) {
        if (kMatrix[i].permission != kAllPermissions[i]) return false;
    }
    return true;
}
static_assert(matrixInOrder(), "kMatrix rows follow kAllPermissions");

const MatrixRow& row(Permission permission) noexcept {
    return kMatrix[static_cast<std::size_t>(permission)];
}

}  // namespace

std::string_view permissionName(Permission permission) noexcept {
    return row(permission).name;
}

std::optional<Permission> parsePermission(std::string_view name) noexcept {
    for (const MatrixRow& r : kMatrix) {
        if (r.name == name) return r.permission;
    }
    return std::nullopt;
}

std::string_view holderName(Holder holder) noexcept {
    switch (holder) {
        case Holder::Viewer:
            return "viewer";
        case Holder::Operator:
            return "operator";
        case Holder::Admin:
            return "admin";
        case Holder::Owner:
            return "owner";
        case Holder::Staff:
            return "staff";
        case Holder::StaffWithGrant:
            return "staff with grant";
    }
    return "";
}

bool matrixAllows(Permission permission, Holder holder) noexcept {
    return row(permission).holders[static_cast<std::size_t>(holder)];
}

bool isReadPermission(Permission permission) noexcept {
    return row(permission).readScope;
}

bool isZonePermission(Permission permission) noexcept {
    return row(permission).zoneLimited;
}

bool isPlatformPermission(Permission permission) noexcept {
    return row(permission).platform;
}

}  // namespace dnsfleet::controld::authz
