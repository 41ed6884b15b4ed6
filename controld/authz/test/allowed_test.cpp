// allowed() over every permission × actor kind × role × contract × token shape × grant. The
// expectations are written here from the words, as role → permission sets, apart from
// the implementation's table.
#include <gtest/gtest.h>

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "controld/authz/authz.hpp"

namespace dnsfleet::controld::authz {
namespace {

using P = Permission;

constexpr Id kOwn = 10;
constexpr Id kOther = 11;

std::set<P> rolePermissions(Role role) {
    std::set<P> rights = {P::ContractRead, P::ZoneRead, P::ChangesRead, P::TokensOwn};
    if (role >= Role::Operator) rights.insert(P::ZoneEdit);
    if (role >= Role::Admin) {
        rights.insert({P::UsersManage, P::UsersRead, P::ZoneManage, P::EventsRead});
    }
    if (role == Role::Owner) rights.insert({P::ContractSecurity, P::OwnersManage});
    return rights;
}

std::set<P> staffPermissions(bool grant) {
    std::set<P> rights = {P::ContractRead,  P::TokensOwn,      P::PlatformContracts,
                          P::PlatformEdges, P::PlatformEvents, P::PlatformGrants};
    if (grant) rights.insert({P::ZoneRead, P::ChangesRead});
    return rights;
}

const std::set<P> kReadOnly = {P::ContractRead, P::UsersRead,   P::ZoneRead,
                               P::EventsRead,   P::ChangesRead, P::PlatformEvents};
const std::set<P> kZoneScoped = {P::ZoneRead, P::ZoneEdit, P::ChangesRead};

bool platform(P p) {
    return p == P::PlatformContracts || p == P::PlatformEdges || p == P::PlatformEvents ||
           p == P::PlatformGrants;
}

// How the actor authenticated.
struct TokenShape {
    const char* name;
    bool token;
    bool write;
    std::vector<std::string> zones;
};
const std::vector<TokenShape> kShapes = {
    {"session", false, true, {}},
    {"write token", true, true, {}},
    {"read token", true, false, {}},
    {"zone token", true, true, {"Example.COM.", "other.example"}},
    {"read zone token", true, false, {"example.com"}},
};
const std::vector<std::optional<std::string_view>> kZones = {
    std::nullopt, std::string_view("example.com"), std::string_view("EXAMPLE.com."),
    std::string_view("elsewhere.example")};

// The token's limits on top of what the account may do.
bool tokenAllows(const TokenShape& shape, P p, std::optional<std::string_view> zone) {
    if (!shape.token) return true;
    if (!shape.write && kReadOnly.count(p) == 0) return false;
    if (shape.zones.empty()) return true;
    if (kZoneScoped.count(p) == 0) return false;
    if (!zone) return p != P::ZoneEdit;  // listings only
    return *zone != "elsewhere.example";
}

Actor makeActor(Actor::Kind kind, Role role, const TokenShape& shape) {
    Actor actor;
    actor.kind = kind;
    actor.id = 5;
    actor.login = "someone";
    actor.contractId = kind == Actor::Kind::User ? kOwn : 0;
    actor.role = role;
    if (shape.token) actor.tokenId = 77;
    actor.tokenCanWrite = shape.write;
    actor.tokenZones = shape.zones;
    return actor;
}

TEST(Allowed, EveryPermissionForEveryActorRoleContractTokenAndGrant) {
    int checked = 0;
    for (const P p : kAllPermissions) {
        for (const TokenShape& shape : kShapes) {
            for (const auto zone : kZones) {
                for (const Id contract : {Id{0}, kOwn, kOther}) {
                    for (const bool grant : {false, true}) {
                        const std::string where = std::string(permissionName(p)) + " " +
                                                  shape.name +
                                                  " zone=" + std::string(zone.value_or("-")) +
                                                  " contract=" + std::to_string(contract) +
                                                  " grant=" + std::to_string(grant);
                        for (const Role role :
                             {Role::Viewer, Role::Operator, Role::Admin, Role::Owner}) {
                            const Actor user = makeActor(Actor::Kind::User, role, shape);
                            const bool ownContract =
                                contract == kOwn || (contract == 0 && p == P::TokensOwn);
                            const bool expected = ownContract && !platform(p) &&
                                                  rolePermissions(role).count(p) == 1 &&
                                                  tokenAllows(shape, p, zone);
                            EXPECT_EQ(allowed(user, p, contract, zone, grant), expected)
                                << "user " << roleName(role) << " " << where;
                            ++checked;
                        }
                        const Actor staff = makeActor(Actor::Kind::Staff, Role::Viewer, shape);
                        const bool expectedStaff =
                            staffPermissions(grant && contract != 0).count(p) == 1 &&
                            tokenAllows(shape, p, zone);
                        EXPECT_EQ(allowed(staff, p, contract, zone, grant), expectedStaff)
                            << "staff " << where;

                        const Actor anonymous =
                            makeActor(Actor::Kind::Anonymous, Role::Owner, shape);
                        EXPECT_FALSE(allowed(anonymous, p, contract, zone, grant))
                            << "anonymous " << where;
                        const Actor system = makeActor(Actor::Kind::System, Role::Viewer, shape);
                        EXPECT_TRUE(allowed(system, p, contract, zone, grant))
                            << "system " << where;
                        checked += 3;
                    }
                }
            }
        }
    }
    EXPECT_EQ(checked, 15 * 5 * 4 * 3 * 2 * 7);
}

TEST(Allowed, RolesAreNested) {
    for (const P p : kAllPermissions) {
        for (std::size_t i = 1; i < 4; ++i) {
            if (matrixAllows(p, kAllHolders[i - 1])) {
                EXPECT_TRUE(matrixAllows(p, kAllHolders[i])) << permissionName(p);
            }
        }
        if (matrixAllows(p, Holder::Staff)) {
            EXPECT_TRUE(matrixAllows(p, Holder::StaffWithGrant)) << permissionName(p);
        }
    }
}

TEST(Allowed, PlatformPermissionsAreExactlyTheStaffOnlyOnes) {
    for (const P p : kAllPermissions) {
        bool anyRole = false;
        for (std::size_t i = 0; i < 4; ++i)
            anyRole = anyRole || matrixAllows(p, kAllHolders[i]);
        EXPECT_EQ(isPlatformPermission(p), !anyRole) << permissionName(p);
        EXPECT_EQ(isPlatformPermission(p), platform(p)) << permissionName(p);
    }
}

TEST(Allowed, PermissionNamesRoundTrip) {
    std::set<std::string_view> names;
    for (const P p : kAllPermissions) {
        names.insert(permissionName(p));
        EXPECT_EQ(parsePermission(permissionName(p)), p);
    }
    EXPECT_EQ(names.size(), kAllPermissions.size());
    EXPECT_FALSE(parsePermission("zoneedit").has_value());
    EXPECT_FALSE(parsePermission("").has_value());
}

TEST(Allowed, ZoneNamesCompareWithoutCaseOrFinalDot) {
    EXPECT_EQ(zoneKey("Example.COM."), "example.com");
    EXPECT_EQ(zoneKey("example.com"), "example.com");
    Actor actor;
    actor.kind = Actor::Kind::User;
    actor.tokenId = 1;
    actor.tokenZones = {"example.com."};
    EXPECT_TRUE(tokenCoversZone(actor, "EXAMPLE.com"));
    EXPECT_FALSE(tokenCoversZone(actor, "sub.example.com"));
    EXPECT_FALSE(tokenCoversZone(actor, "example.co"));
    actor.tokenZones.clear();
    EXPECT_TRUE(tokenCoversZone(actor, "anything.example"));
}

}  // namespace
}  // namespace dnsfleet::controld::authz
