// Contracts and users: staff create contracts, owners set security, the role rules between
// owners, admins and the rest, and the tenant boundary.
#include <gtest/gtest.h>

#include <set>

#include "accounts_fixture.hpp"
#include "controld/accounts/random_token.hpp"

namespace dnsfleet::controld::accounts {
namespace {

using testing::AccountsTest;
using testing::kPassword;

TEST_F(AccountsTest, BootstrapCreatesTheFirstStaffAccountOnlyOnce) {
    auto again = bootstrapStaff(*db_, "other", kPassword, auth_);
    ASSERT_TRUE(again.has_value());
    EXPECT_FALSE(*again);
    EXPECT_EQ(events("staff.bootstrap", "ok"), 1);
}

TEST_F(AccountsTest, StaffCreateContractWithServiceCodeAndOwner) {
    const auto created = makeContract("alice");
    EXPECT_TRUE(normalizeServiceCode(created.contract.serviceCode).has_value());
    EXPECT_EQ(created.contract.plan, "standard");
    EXPECT_EQ(created.contract.state, "active");
    EXPECT_EQ(created.owner.role, Role::Owner);
    EXPECT_EQ(created.owner.contractId, created.contract.id);
    EXPECT_FALSE(created.generatedPassword.has_value());
    EXPECT_EQ(events("contract.create", "ok"), 2);  // the contract's chain and the platform's
}

TEST_F(AccountsTest, ContractWithoutOwnerPasswordGetsAGeneratedOne) {
    NewContract request;
    request.plan = "premium";
    request.owner = {"bob", "bob@example.com", std::nullopt};
    auto created = createContract(*db_, context(staff()), *hasher_, request);
    ASSERT_TRUE(created.has_value());
    ASSERT_TRUE(created->generatedPassword.has_value());
    EXPECT_GE(created->generatedPassword->size(), 20U);
}

TEST_F(AccountsTest, ContractValidationNamesTheFields) {
    NewContract request;
    request.plan = "gold";
    request.labels = {{"env", "prod uction"}};
    request.owner = {"-bad", "nope", std::string("short")};
    auto created = createContract(*db_, context(staff()), *hasher_, request);
    ASSERT_FALSE(created.has_value());
    EXPECT_EQ(created.error().code, ErrorCode::Invalid);
    std::set<std::string> fields;
    for (const auto& f : created.error().fields)
        fields.insert(f.field);
    EXPECT_TRUE(fields.count("/plan"));
    EXPECT_TRUE(fields.count("/labels/env"));
    EXPECT_TRUE(fields.count("/owner/login"));
    EXPECT_TRUE(fields.count("/owner/email"));
    EXPECT_TRUE(fields.count("/owner/password"));
}

TEST_F(AccountsTest, UsersCannotCreateContracts) {
    const auto created = makeContract("alice");
    NewContract request;
    request.plan = "standard";
    request.owner = {"mallory", "m@example.com", std::string(kPassword)};
    auto result = createContract(*db_, context(asActor(created.owner)), *hasher_, request);
    ASSERT_FALSE(result.has_value());
    EXPECT_EQ(result.error().code, ErrorCode::Forbidden);
}

TEST_F(AccountsTest, LoginsAreUniqueAcrossThePlatformWhateverTheCase) {
    const auto created = makeContract("alice");
    NewContract request;
    request.plan = "standard";
    request.owner = {"ALICE", "a2@example.com", std::string(kPassword)};
    auto duplicate = createContract(*db_, context(staff()), *hasher_, request);
    ASSERT_FALSE(duplicate.has_value());
    EXPECT_EQ(duplicate.error().code, ErrorCode::Conflict);
    // The failed creation left no contract behind.
    auto page = listContracts(*db_, context(staff()), {});
    ASSERT_TRUE(page.has_value());
    EXPECT_EQ(page->total, 1);
    (void)created;
}

TEST_F(AccountsTest, StaffListAllWithFiltersUsersOnlyTheirOwn) {
    const auto a = makeContract("alice");
    const auto b = makeContract("bob");
    ContractChange change;
    change.labels = Labels{{"tier", "gold"}};
    change.plan = "premium";
    ASSERT_TRUE(updateContract(*db_, context(staff()), b.contract.serviceCode, change));

    auto all = listContracts(*db_, context(staff()), {});
    ASSERT_TRUE(all.has_value());
    EXPECT_EQ(all->total, 2);

    ContractFilter byLabel;
    byLabel.label = std::make_pair(std::string("tier"), std::string("gold"));
    auto labelled = listContracts(*db_, context(staff()), byLabel);
    ASSERT_TRUE(labelled.has_value());
    ASSERT_EQ(labelled->total, 1);
    EXPECT_EQ(labelled->items[0].serviceCode, b.contract.serviceCode);

    ContractFilter byPlan;
    byPlan.plan = "standard";
    EXPECT_EQ(listContracts(*db_, context(staff()), byPlan)->total, 1);

    ContractFilter byText;
    byText.text = "OF ALI";
    EXPECT_EQ(listContracts(*db_, context(staff()), byText)->items.at(0).id, a.contract.id);

    ContractFilter paged;
    paged.limit = 1;
    paged.offset = 1;
    auto second = listContracts(*db_, context(staff()), paged);
    EXPECT_EQ(second->total, 2);
    ASSERT_EQ(second->items.size(), 1U);
    EXPECT_EQ(second->items[0].id, b.contract.id);

    auto own = listContracts(*db_, context(asActor(a.owner)), {});
    ASSERT_TRUE(own.has_value());
    ASSERT_EQ(own->items.size(), 1U);
    EXPECT_EQ(own->items[0].id, a.contract.id);
}

TEST_F(AccountsTest, AnotherTenantsContractIsNotFound) {
    const auto a = makeContract("alice");
    const auto b = makeContract("bob");
    auto other = getContract(*db_, context(asActor(a.owner)), b.contract.serviceCode);
    ASSERT_FALSE(other.has_value());
    EXPECT_EQ(other.error().code, ErrorCode::NotFound);
    auto unknown = getContract(*db_, context(asActor(a.owner)), "DF-ZZZZZZZZ");
    ASSERT_FALSE(unknown.has_value());
    EXPECT_EQ(unknown.error().code, ErrorCode::NotFound);
    EXPECT_TRUE(getContract(*db_, context(asActor(a.owner)), a.contract.serviceCode));
    // Only staff change plans.
    ContractChange change;
    change.plan = "premium";
    auto byOwner = updateContract(*db_, context(asActor(a.owner)), a.contract.serviceCode, change);
    ASSERT_FALSE(byOwner.has_value());
    EXPECT_EQ(byOwner.error().code, ErrorCode::Forbidden);
}

TEST_F(AccountsTest, CancelledContractCannotBeReactivated) {
    const auto a = makeContract("alice");
    ContractChange cancel;
    cancel.state = "cancelled";
    auto cancelled = updateContract(*db_, context(staff()), a.contract.serviceCode, cancel);
    ASSERT_TRUE(cancelled.has_value());
    EXPECT_TRUE(cancelled->cancelledAt.has_value());
    ContractChange revive;
    revive.state = "active";
    auto result = updateContract(*db_, context(staff()), a.contract.serviceCode, revive);
    ASSERT_FALSE(result.has_value());
    EXPECT_EQ(result.error().code, ErrorCode::Conflict);
}

TEST_F(AccountsTest, OwnerSetsSecurityWithValidatedPrefixes) {
    const auto a = makeContract("alice");
    SecuritySettings bad{{"192.0.2.0/24", "192.0.2.1/24", "not-an-address", "2001:db8::/129"},
                         true};
    auto refused = setSecurity(*db_, context(asActor(a.owner)), a.contract.serviceCode, bad);
    ASSERT_FALSE(refused.has_value());
    ASSERT_EQ(refused.error().fields.size(), 3U);
    EXPECT_EQ(refused.error().fields[0].field, "/ip_allowlist/1");

    SecuritySettings lockout{{"198.51.100.0/24"}, false};
    auto locked = setSecurity(*db_, context(asActor(a.owner)), a.contract.serviceCode, lockout);
    ASSERT_FALSE(locked.has_value());
    EXPECT_EQ(locked.error().fields.at(0).field, "/ip_allowlist");

    SecuritySettings good{{"192.0.2.0/24", "2001:DB8::/32"}, true};
    auto set = setSecurity(*db_, context(asActor(a.owner)), a.contract.serviceCode, good);
    ASSERT_TRUE(set.has_value()) << set.error().detail;
    EXPECT_EQ(set->ipAllowlist, (std::vector<std::string>{"192.0.2.0/24", "2001:db8::/32"}));
    EXPECT_TRUE(set->mfaRequired);
    EXPECT_EQ(events("contract.security", "ok"), 1);

    const auto admin = makeUser(asActor(a.owner), a.contract.id, "adam", Role::Admin);
    auto byAdmin = setSecurity(*db_, context(asActor(admin)), a.contract.serviceCode, good);
    ASSERT_FALSE(byAdmin.has_value());
    EXPECT_EQ(byAdmin.error().code, ErrorCode::Forbidden);
}

TEST_F(AccountsTest, OwnersManageAdminsAdminsManageTheRest) {
    const auto a = makeContract("alice");
    const auto owner = asActor(a.owner);
    const auto admin = makeUser(owner, a.contract.id, "adam", Role::Admin);
    const auto operatorUser = makeUser(asActor(admin), a.contract.id, "olga", Role::Operator);

    // An admin may not create admins or owners, nor touch them.
    auto adminMakesAdmin = addUser(*db_, context(asActor(admin)), *hasher_, a.contract.id,
                                   {"eve", "eve@example.com", Role::Admin, std::string(kPassword)});
    ASSERT_FALSE(adminMakesAdmin.has_value());
    EXPECT_EQ(adminMakesAdmin.error().code, ErrorCode::Forbidden);
    UserChange promote;
    promote.role = Role::Owner;
    auto adminPromotes =
        updateUser(*db_, context(asActor(admin)), a.contract.id, operatorUser.id, promote);
    ASSERT_FALSE(adminPromotes.has_value());
    EXPECT_EQ(adminPromotes.error().code, ErrorCode::Forbidden);
    auto adminRemovesOwner = removeUser(*db_, context(asActor(admin)), a.contract.id, a.owner.id);
    ASSERT_FALSE(adminRemovesOwner.has_value());
    EXPECT_EQ(adminRemovesOwner.error().code, ErrorCode::Forbidden);

    // The admin manages operators and viewers.
    UserChange demote;
    demote.role = Role::Viewer;
    auto demoted =
        updateUser(*db_, context(asActor(admin)), a.contract.id, operatorUser.id, demote);
    ASSERT_TRUE(demoted.has_value());
    EXPECT_EQ(demoted->role, Role::Viewer);

    // Viewers and operators manage nobody.
    auto viewerAdds = addUser(*db_, context(asActor(*demoted)), *hasher_, a.contract.id,
                              {"vic", "vic@example.com", Role::Viewer, std::string(kPassword)});
    ASSERT_FALSE(viewerAdds.has_value());
    EXPECT_EQ(viewerAdds.error().code, ErrorCode::Forbidden);

    // The owner promotes the admin to owner.
    auto promoted = updateUser(*db_, context(owner), a.contract.id, admin.id, promote);
    ASSERT_TRUE(promoted.has_value());
    EXPECT_EQ(promoted->role, Role::Owner);

    auto users = listUsers(*db_, context(owner), a.contract.id);
    ASSERT_TRUE(users.has_value());
    EXPECT_EQ(users->size(), 3U);
    EXPECT_EQ(events("user.create", "ok"), 2);
    EXPECT_GE(events("access.denied", "denied"), 4);
}

TEST_F(AccountsTest, NobodyRemovesOrDemotesTheLastOwner) {
    const auto a = makeContract("alice");
    const auto owner = asActor(a.owner);
    auto removed = removeUser(*db_, context(owner), a.contract.id, a.owner.id);
    ASSERT_FALSE(removed.has_value());
    EXPECT_EQ(removed.error().code, ErrorCode::Conflict);
    UserChange demote;
    demote.role = Role::Admin;
    auto demoted = updateUser(*db_, context(owner), a.contract.id, a.owner.id, demote);
    ASSERT_FALSE(demoted.has_value());
    EXPECT_EQ(demoted.error().code, ErrorCode::Conflict);

    const auto second = makeUser(owner, a.contract.id, "olivia", Role::Owner);
    EXPECT_TRUE(removeUser(*db_, context(owner), a.contract.id, second.id));
    auto stillLast = removeUser(*db_, context(owner), a.contract.id, a.owner.id);
    EXPECT_FALSE(stillLast.has_value());
}

TEST_F(AccountsTest, RemovedUserFreesItsLoginAndDisappears) {
    const auto a = makeContract("alice");
    const auto owner = asActor(a.owner);
    const auto viewer = makeUser(owner, a.contract.id, "vera", Role::Viewer);
    ASSERT_TRUE(removeUser(*db_, context(owner), a.contract.id, viewer.id));
    auto gone = getUser(*db_, context(owner), a.contract.id, viewer.id);
    ASSERT_FALSE(gone.has_value());
    EXPECT_EQ(gone.error().code, ErrorCode::NotFound);
    EXPECT_EQ(listUsers(*db_, context(owner), a.contract.id)->size(), 1U);
    // The login can be used again.
    const auto again = makeUser(owner, a.contract.id, "Vera", Role::Viewer);
    EXPECT_NE(again.id, viewer.id);
    EXPECT_EQ(events("user.remove", "ok"), 1);
}

TEST_F(AccountsTest, UsersOfAnotherContractAreNotFound) {
    const auto a = makeContract("alice");
    const auto b = makeContract("bob");
    auto read = getUser(*db_, context(asActor(a.owner)), a.contract.id, b.owner.id);
    ASSERT_FALSE(read.has_value());
    EXPECT_EQ(read.error().code, ErrorCode::NotFound);
    auto crossList = listUsers(*db_, context(asActor(a.owner)), b.contract.id);
    ASSERT_FALSE(crossList.has_value());
    EXPECT_EQ(crossList.error().code, ErrorCode::NotFound);
    auto crossRemove = removeUser(*db_, context(asActor(a.owner)), a.contract.id, b.owner.id);
    ASSERT_FALSE(crossRemove.has_value());
    EXPECT_EQ(crossRemove.error().code, ErrorCode::NotFound);
}

TEST_F(AccountsTest, AUserReadsItself) {
    const auto a = makeContract("alice");
    const auto viewer = makeUser(asActor(a.owner), a.contract.id, "vera", Role::Viewer);
    auto self = getUser(*db_, context(asActor(viewer)), a.contract.id, viewer.id);
    ASSERT_TRUE(self.has_value());
    EXPECT_EQ(self->login, "vera");
    auto me = currentAccount(*db_, context(asActor(viewer)));
    ASSERT_TRUE(me.has_value());
    EXPECT_EQ(me->id, viewer.id);
}

}  // namespace
}  // namespace dnsfleet::controld::accounts
