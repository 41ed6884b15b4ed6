// The answer for another tenant's contract is word for word the answer for a service code that
// does not exist, whether the route resolves the contract through resolveContract or looks it
// up itself and calls authorize (GET/PATCH /contracts/{contract}, .../security did).
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>

#include "controld/authz/authz.hpp"
#include "controld/authz/contract_scope.hpp"
#include "storage/database.hpp"

namespace dnsfleet::controld::authz {
namespace {

class TenantAnswer : public ::testing::Test {
  protected:
    void SetUp() override {
        std::random_device seed;
        dir_ = std::filesystem::temp_directory_path() /
               ("dnsfleet-tenant-" + std::to_string(seed()) + std::to_string(seed()));
        std::filesystem::create_directories(dir_);
        storage::Options options;
        options.url = "sqlite://" + (dir_ / "controld.db").string();
        db_ = storage::Database::open(options);
        db_->migrate();
        other_ = db_->run(storage::Mode::Write, [](storage::Transaction& tx) {
            return tx
                .queryOne(
                    "INSERT INTO contracts (service_code, plan, state, created_at) "
                    "VALUES ('DF-OTHER001', 'standard', 'active', 0) RETURNING id")
                ->integer(0);
        });
        context_.requestId = "r1";
        context_.now = 1'780'000'000'000'000;
        context_.actor.kind = Actor::Kind::User;
        context_.actor.id = 3;
        context_.actor.login = "alice";
        context_.actor.contractId = other_ + 1;
        context_.actor.role = Role::Owner;
    }
    void TearDown() override {
        db_.reset();
        std::error_code ignored;
        std::filesystem::remove_all(dir_, ignored);
    }

    /// The other tenant's contract and an unknown code get the same error for `permission`.
    void expectSameAnswer(Permission permission, std::optional<std::string_view> zone = {}) {
        const Outcome<Id> foreign =
            resolveContract(*db_, context_, "DF-OTHER001", permission, zone);
        const Outcome<Id> missing =
            resolveContract(*db_, context_, "DF-NOPE0000", permission, zone);
        const Outcome<void> direct = authorize(*db_, context_, permission, other_, zone);
        ASSERT_FALSE(foreign);
        ASSERT_FALSE(missing);
        ASSERT_FALSE(direct);
        EXPECT_EQ(missing.error().code, ErrorCode::NotFound);
        EXPECT_EQ(foreign.error().code, missing.error().code);
        EXPECT_EQ(foreign.error().detail, missing.error().detail);
        EXPECT_EQ(direct.error().code, missing.error().code);
        EXPECT_EQ(direct.error().detail, missing.error().detail);
    }

    std::filesystem::path dir_;
    std::unique_ptr<storage::Database> db_;
    Id other_ = 0;
    RequestContext context_;
};

TEST_F(TenantAnswer, ContractRoutesThatCallAuthorizeThemselves) {
    expectSameAnswer(Permission::ContractRead);
    expectSameAnswer(Permission::ContractSecurity);
}

TEST_F(TenantAnswer, PlatformPermissionOnAContractPath) {
    // GET/POST /contracts/{contract}/grants: a user's 403 for the role named existing codes.
    expectSameAnswer(Permission::PlatformGrants);
}

TEST_F(TenantAnswer, TokenLimitsDoNotAnswerBeforeTheTenant) {
    context_.actor.tokenId = 9;
    context_.actor.tokenCanWrite = false;
    expectSameAnswer(Permission::ZoneEdit, "example.com");
    context_.actor.tokenCanWrite = true;
    context_.actor.tokenZones = {"example.org"};
    expectSameAnswer(Permission::ZoneEdit, "example.com");
    expectSameAnswer(Permission::EventsRead);
}

}  // namespace
}  // namespace dnsfleet::controld::authz
