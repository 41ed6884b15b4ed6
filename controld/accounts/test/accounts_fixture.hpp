#pragma once
// A fresh database (SQLite unless a suite says PostgreSQL) with every migration, a password hasher,
// and actors for the accounts service tests.
#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "controld/accounts/contracts.hpp"
#include "controld/accounts/password.hpp"
#include "controld/accounts/users.hpp"
#include "controld/config/settings.hpp"
#include "controld/testing/fixtures.hpp"
#include "storage/database.hpp"

namespace dnsfleet::controld::accounts::testing {

inline constexpr const char* kPassword = "correct horse battery staple";

class AccountsTest : public ::testing::Test {
  protected:
    void SetUp() override {
        database_.emplace("dnsfleet-accounts", backend());
        db_ = &database_->db();
        auto hasher = PasswordHasher::create(auth_);
        ASSERT_TRUE(hasher.has_value());
        hasher_.emplace(std::move(*hasher));
        ASSERT_TRUE(bootstrapStaff(*db_, "ops", kPassword, auth_).value());
        staffId_ = db_->run(storage::Mode::Read, [](storage::Transaction& tx) {
            return tx.queryOne("SELECT id FROM accounts WHERE login_key = 'ops'")->integer(0);
        });
    }

    /// SQLite; suites that run on PostgreSQL too override it.
    [[nodiscard]] virtual controld::testing::Backend backend() const {
        return controld::testing::Backend::Sqlite;
    }

    void TearDown() override {
        db_ = nullptr;
        database_.reset();
    }

    [[nodiscard]] RequestContext context(Actor actor) const {
        RequestContext c;
        c.requestId = "test-request";
        c.sourceAddress = address_;
        c.actor = std::move(actor);
        c.now = now_;
        return c;
    }

    [[nodiscard]] Actor staff() const {
        Actor actor;
        actor.kind = Actor::Kind::Staff;
        actor.id = staffId_;
        actor.login = "ops";
        return actor;
    }

    [[nodiscard]] static Actor asActor(const User& user) {
        Actor actor;
        actor.kind = user.staff ? Actor::Kind::Staff : Actor::Kind::User;
        actor.id = user.id;
        actor.login = user.login;
        actor.contractId = user.contractId;
        actor.role = user.role;
        return actor;
    }

    /// A contract created by staff, with its owner.
    CreatedContract makeContract(const std::string& ownerLogin) {
        NewContract request;
        request.plan = "standard";
        request.description = "contract of " + ownerLogin;
        request.owner = {ownerLogin, ownerLogin + "@example.com", std::string(kPassword)};
        auto created = createContract(*db_, context(staff()), *hasher_, request);
        EXPECT_TRUE(created.has_value()) << (created ? "" : created.error().detail);
        return created.value();
    }

    User makeUser(const Actor& by, Id contractId, const std::string& login, Role role) {
        auto created = addUser(*db_, context(by), *hasher_, contractId,
                               {login, login + "@example.com", role, std::string(kPassword)});
        EXPECT_TRUE(created.has_value()) << (created ? "" : created.error().detail);
        return created.value().user;
    }

    /// Number of event-log entries with `action` and `result`.
    std::int64_t events(const std::string& action, const std::string& result) {
        return db_->run(storage::Mode::Read, [&](storage::Transaction& tx) {
            return tx
                .queryOne("SELECT COUNT(*) FROM events WHERE action = $1 AND result = $2",
                          {action, result})
                ->integer(0);
        });
    }

    std::optional<controld::testing::TestDatabase> database_;
    storage::Database* db_ = nullptr;
    config::AuthSettings auth_;
    std::optional<PasswordHasher> hasher_;
    Id staffId_ = 0;
    std::string address_ = "192.0.2.10";
    Timestamp now_ = 1'800'000'000'000'000;
};

}  // namespace dnsfleet::controld::accounts::testing
