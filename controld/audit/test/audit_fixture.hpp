#pragma once
// A fresh, migrated SQLite database per test, and a request context to write with.
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <random>
#include <string>

#include "controld/audit/event_log.hpp"
#include "storage/database.hpp"

namespace dnsfleet::controld::audit::testing {

class AuditTest : public ::testing::Test {
  protected:
    void SetUp() override {
        std::random_device seed;
        dir_ = std::filesystem::temp_directory_path() /
               ("dnsfleet-audit-" + std::to_string(seed()) + std::to_string(seed()));
        std::filesystem::create_directories(dir_);
        storage::Options options;
        options.url = "sqlite://" + (dir_ / "controld.db").string();
        options.poolSize = 4;
        db_ = storage::Database::open(options);
        db_->migrate();
    }
    void TearDown() override {
        db_.reset();
        std::error_code ignored;
        std::filesystem::remove_all(dir_, ignored);
    }

    /// A user of contract `contractId` asking at time `now`.
    static RequestContext userContext(Id contractId, Timestamp now, std::string login = "alice") {
        RequestContext context;
        context.requestId = "req-" + std::to_string(now);
        context.sourceAddress = "192.0.2.7";
        context.actor.kind = Actor::Kind::User;
        context.actor.id = 7;
        context.actor.login = std::move(login);
        context.actor.contractId = contractId;
        context.actor.role = Role::Admin;
        context.now = now;
        return context;
    }

    static Event event(Id contractId, std::string action, std::string target = "zone:example.com.",
                       std::string result = "ok") {
        Event e;
        e.contractId = contractId;
        e.action = std::move(action);
        e.target = std::move(target);
        e.result = std::move(result);
        e.details = nlohmann::json{{"zone", "example.com."}, {"version", 3}};
        return e;
    }

    /// Filters built field by field (designated initializers trip -Wmissing-field-initializers).
    static Filter oldestFirst() {
        Filter f;
        f.oldestFirst = true;
        return f;
    }
    static Filter byAction(std::string prefix, std::optional<std::string> result = std::nullopt) {
        Filter f;
        f.actionPrefix = std::move(prefix);
        f.result = std::move(result);
        return f;
    }
    static Filter byResult(std::string result) {
        Filter f;
        f.result = std::move(result);
        return f;
    }
    static Filter between(Timestamp from, Timestamp to) {
        Filter f;
        f.from = from;
        f.to = to;
        return f;
    }

    Verification verify(Id contractId) {
        return db_->run(storage::Mode::Read,
                        [&](storage::Transaction& tx) { return verifyChain(tx, contractId); });
    }

    Page listAll(Id contractId, Filter filter = {}) {
        filter.limit = 100000;
        return db_->run(storage::Mode::Read,
                        [&](storage::Transaction& tx) { return list(tx, contractId, filter); });
    }

    std::int64_t execute(const std::string& sql, const std::vector<storage::Value>& params = {}) {
        return db_->run(storage::Mode::Write,
                        [&](storage::Transaction& tx) { return tx.execute(sql, params); });
    }

    std::filesystem::path dir_;
    std::unique_ptr<storage::Database> db_;
};

}  // namespace dnsfleet::controld::audit::testing
