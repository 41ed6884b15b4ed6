#pragma once
// A zone service on a real SQLite database with two contracts, and the inputs its tests stage.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "controld/audit/event_log.hpp"
#include "controld/testing/fixtures.hpp"
#include "controld/zones/zone_service.hpp"

namespace dnsfleet::controld::zones::testing {

inline constexpr Timestamp kT0 = 1'780'000'000'000'000;  // 2026-05-28T20:26:40Z

class ZoneServiceTest : public ::testing::Test {
  protected:
    void SetUp() override {
        service_ = std::make_unique<ZoneService>(*db_, settings_);
        own_ = controld::testing::insertContract(*db_, "DF-ZONES001");
        other_ = controld::testing::insertContract(*db_, "DF-ZONES002");
    }
    void TearDown() override { service_.reset(); }

    static RequestContext user(Id contract, Id id, const std::string& login,
                               Role role = Role::Admin) {
        return controld::testing::userContext(contract, role, kT0, id, login);
    }
    RequestContext alice() const { return user(own_, 10, "alice"); }
    RequestContext bob() const { return user(own_, 11, "bob"); }

    Zone createZone(const std::string& name) {
        NewZone input;
        input.name = name;
        auto created = service_->create(alice(), own_, input);
        EXPECT_TRUE(created) << (created ? "" : created.error().detail);
        return created ? created->zone : Zone{};
    }

    static RrsetInput a(const std::string& name, const std::string& address,
                        const std::string& comment = "") {
        RrsetInput input;
        input.name = name;
        input.type = "A";
        input.ttl = 300;
        input.records.push_back({address, comment});
        return input;
    }

    std::vector<std::string> actions() {
        return db_->run(storage::Mode::Read, [&](storage::Transaction& tx) {
            std::vector<std::string> out;
            audit::Filter filter;
            filter.oldestFirst = true;
            filter.limit = 1000;
            for (const audit::Entry& e : audit::list(tx, own_, filter).entries) {
                out.push_back(e.action);
            }
            return out;
        });
    }

    controld::testing::TestDatabase database_{"dnsfleet-zones"};
    storage::Database* db_ = &database_.db();
    config::NameServerSettings settings_;
    std::unique_ptr<ZoneService> service_;
    Id own_ = 0;
    Id other_ = 0;
};

}  // namespace dnsfleet::controld::zones::testing
