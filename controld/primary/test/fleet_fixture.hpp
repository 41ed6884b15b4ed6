#pragma once
// A migrated SQLite database in a temporary folder with one contract, and helpers that store
// zone versions as the zones service does (zones and zone_versions rows).
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <random>
#include <string>

#include "controld/core/context.hpp"
#include "storage/database.hpp"

namespace dnsfleet::controld::primary::testing {

class FleetTest : public ::testing::Test {
  protected:
    void SetUp() override {
        std::random_device random;
        dir_ = std::filesystem::temp_directory_path() /
               ("dnsfleet-fleet-test-" + std::to_string(random()));
        std::filesystem::create_directories(dir_);
        db_ = storage::Database::open({"sqlite://" + (dir_ / "controld.db").string(), 4});
        db_->migrate();
        contract_ = db_->run(storage::Mode::Write, [](storage::Transaction& tx) {
            return tx
                .query(
                    "INSERT INTO contracts (service_code, plan, state, created_at) "
                    "VALUES ('DF-TEST0001', 'standard', 'active', 1) RETURNING id")[0]
                .integer(0);
        });
    }
    void TearDown() override {
        db_.reset();
        std::error_code ignored;
        std::filesystem::remove_all(dir_, ignored);
    }

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

    std::filesystem::path dir_;
    std::unique_ptr<storage::Database> db_;
    Id contract_ = 0;
};

}  // namespace dnsfleet::controld::primary::testing
