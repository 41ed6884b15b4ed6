#pragma once
/// \file
/// What the controld test suites share: a fresh, migrated database per test (SQLite in a
/// temporary folder, or a new database of the shared throw-away PostgreSQL cluster), contracts
/// inserted directly, and request contexts for users and staff.
#include <filesystem>
#include <memory>
#include <string>

#include "controld/core/context.hpp"
#include "storage/database.hpp"

namespace dnsfleet::controld::testing {

/// A fixed "now" for tests that want reproducible times: 2026-05-28T20:26:40Z.
inline constexpr Timestamp kT0 = 1'780'000'000'000'000;

enum class Backend { Sqlite, Postgres };

/// A migrated database of its own, removed (with its folder) when the object goes.
class TestDatabase {
  public:
    /// `label` names the temporary folder (for finding leftovers); `poolSize` 0 keeps the
    /// storage default. Throws when the database cannot be opened (the test then fails).
    explicit TestDatabase(const std::string& label = "dnsfleet-test",
                          Backend backend = Backend::Sqlite, std::size_t poolSize = 0);
    ~TestDatabase();
    TestDatabase(const TestDatabase&) = delete;
    TestDatabase& operator=(const TestDatabase&) = delete;
    TestDatabase(TestDatabase&&) = delete;
    TestDatabase& operator=(TestDatabase&&) = delete;

    [[nodiscard]] storage::Database& db() noexcept { return *db_; }
    [[nodiscard]] const std::string& url() const noexcept { return url_; }
    /// A folder of the test's own (also for SQLite's file), removed at the end.
    [[nodiscard]] const std::filesystem::path& dir() const noexcept { return dir_; }

  private:
    std::filesystem::path dir_;
    std::string url_;
    std::unique_ptr<storage::Database> db_;
};

/// Inserts an active standard contract with `serviceCode` and returns its id.
Id insertContract(storage::Database& db, const std::string& serviceCode);

/// A request of a contract user (id `userId`, `login`, `role`) at `now`.
[[nodiscard]] RequestContext userContext(Id contractId, Role role, Timestamp now = kT0,
                                         Id userId = 7, const std::string& login = "alice");

/// A request of platform staff at `now`.
[[nodiscard]] RequestContext staffContext(Timestamp now = kT0, Id staffId = 1,
                                          const std::string& login = "ops");

}  // namespace dnsfleet::controld::testing
