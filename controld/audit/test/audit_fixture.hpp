#pragma once
// A fresh, migrated SQLite database per test, and a request context to write with.
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>

#include "controld/audit/event_log.hpp"
#include "controld/testing/fixtures.hpp"
#include "storage/database.hpp"

namespace dnsfleet::controld::audit::testing {

class AuditTest : public ::testing::Test {
  protected:
    /// A user of contract `contractId` asking at time `now`.
    static RequestContext userContext(Id contractId, Timestamp now,
                                      const std::string& login = "alice") {
        RequestContext context =
            controld::testing::userContext(contractId, Role::Admin, now, 7, login);
        context.requestId = "req-" + std::to_string(now);  // the chain tests hash it
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

    controld::testing::TestDatabase database_{"dnsfleet-audit", controld::testing::Backend::Sqlite,
                                              4};
    storage::Database* db_ = &database_.db();
};

}  // namespace dnsfleet::controld::audit::testing
