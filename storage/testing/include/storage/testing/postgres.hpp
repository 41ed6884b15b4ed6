#pragma once
/// \file
/// A throw-away PostgreSQL 15 cluster for tests: initdb into a temporary directory (/dev/shm when
/// there is one, or $DNSFLEET_PG_TMPDIR), the server on a free loopback port (as the postgres
/// user when the test runs as root, since PostgreSQL refuses root), removed again when the
/// object goes. A test that needs PostgreSQL uses
/// `TestPostgres::shared().createDatabase()` and fails — never skips — when it cannot start.
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

namespace dnsfleet::storage::test {

class TestPostgres {
  public:
    /// Starts a new cluster and creates the database "dnsfleet" in it. Throws
    /// std::runtime_error, with the server's log, when it cannot.
    TestPostgres();
    /// Stops the server (fast shutdown) and removes the cluster's directory.
    ~TestPostgres();
    TestPostgres(const TestPostgres&) = delete;
    TestPostgres& operator=(const TestPostgres&) = delete;
    TestPostgres(TestPostgres&&) = delete;
    TestPostgres& operator=(TestPostgres&&) = delete;

    /// One cluster per test process, started on first use (from any thread) and stopped at
    /// exit; a test process that dies stops it too (the server gets SIGINT when it does).
    [[nodiscard]] static TestPostgres& shared();

    /// `postgresql://postgres@127.0.0.1:<port>/dnsfleet`
    [[nodiscard]] const std::string& url() const noexcept { return url_; }
    [[nodiscard]] std::uint16_t port() const noexcept { return port_; }
    /// The URL of a database of this cluster called `name` (which need not exist).
    [[nodiscard]] std::string urlOf(const std::string& name) const;

    /// Creates a new, empty database with a fresh name and returns its URL: one per test keeps
    /// tests independent without the cost of a cluster each.
    [[nodiscard]] std::string createDatabase();

    /// The documented restore: `pg_restore --clean --if-exists --no-owner` of a pg_dump
    /// custom-format file into the database at `url`. Throws std::runtime_error with its output.
    static void restore(const std::string& url, const std::string& file);

  private:
    void start();
    void stop() noexcept;

    std::string dir_;
    std::string url_;
    std::uint16_t port_ = 0;
    int pid_ = -1;
    std::mutex mutex_;
    int databases_ = 0;
};

}  // namespace dnsfleet::storage::test
