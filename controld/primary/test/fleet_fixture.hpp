#pragma once
// A migrated SQLite database in a temporary folder with one contract, and helpers that store
// zone versions as the zones service does (zones and zone_versions rows).
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>

#include "controld/core/context.hpp"
#include "controld/testing/fixtures.hpp"
#include "storage/database.hpp"

namespace dnsfleet::controld::primary::testing {

class FleetTest : public ::testing::Test {
  protected:
    void SetUp() override { contract_ = controld::testing::insertContract(*db_, "DF-TEST0001"); }

    /// The zone text of `apex` at `serial` with `extra` records.
    static std::string zoneText(const std::string& apex, std::uint32_t serial,
                                const std::string& extra) {
        return "$ORIGIN " + apex +
               "\n$TTL 300\n@ SOA ns1.dnsfleet.test. hostmaster.dnsfleet.test. " +
               std::to_string(serial) + " 3600 600 1209600 300\n@ NS ns1.dnsfleet.test.\n" + extra;
    }

    /// Creates a zone at version 1; returns its id.
    Id createZone(const std::string& apex, std::uint32_t serial, const std::string& extra) {
        return db_->run(storage::Mode::Write, [&](storage::Transaction& tx) {
            const Id id = tx.query(
                                "INSERT INTO zones (contract_id, name, reversed_name, default_ttl, "
                                "current_version, serial, created_at, updated_at) "
                                "VALUES ($1, $2, $2, 300, 1, $3, 1, 1) RETURNING id",
                                {contract_, apex, static_cast<std::int64_t>(serial)})[0]
                              .integer(0);
            tx.execute(
                "INSERT INTO zone_versions (zone_id, version, serial, author, created_at, "
                "zone_text) VALUES ($1, 1, $2, 'test', 1, $3)",
                {id, static_cast<std::int64_t>(serial), zoneText(apex, serial, extra)});
            return id;
        });
    }

    /// Adds the next version of zone `id` and makes it current.
    void addVersion(Id id, const std::string& apex, std::uint32_t serial,
                    const std::string& extra) {
        db_->run(storage::Mode::Write, [&](storage::Transaction& tx) {
            const std::int64_t version =
                tx.query("SELECT current_version FROM zones WHERE id = $1", {id})[0].integer(0) + 1;
            tx.execute(
                "INSERT INTO zone_versions (zone_id, version, serial, author, created_at, "
                "zone_text) VALUES ($1, $2, $3, 'test', 1, $4)",
                {id, version, static_cast<std::int64_t>(serial), zoneText(apex, serial, extra)});
            tx.execute("UPDATE zones SET current_version = $1, serial = $2 WHERE id = $3",
                       {version, static_cast<std::int64_t>(serial), id});
        });
    }

    [[nodiscard]] RequestContext viewer() const {
        RequestContext context;
        context.requestId = "test";
        context.actor.kind = Actor::Kind::User;
        context.actor.id = 1;
        context.actor.login = "viewer";
        context.actor.contractId = contract_;
        context.actor.role = Role::Viewer;
        context.now = nowUtc();
        return context;
    }
    [[nodiscard]] static RequestContext staff() {
        RequestContext context;
        context.requestId = "test";
        context.actor.kind = Actor::Kind::Staff;
        context.actor.id = 1;
        context.actor.login = "ops";
        context.now = nowUtc();
        return context;
    }

    controld::testing::TestDatabase database_{"dnsfleet-fleet-test",
                                              controld::testing::Backend::Sqlite, 4};
    storage::Database* db_ = &database_.db();
    const std::filesystem::path& dir_ = database_.dir();
    Id contract_ = 0;
};

}  // namespace dnsfleet::controld::primary::testing
