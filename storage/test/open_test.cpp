// Opening databases: URL forms, failures and their kinds, SQLite's settings, file locks.
#include <gtest/gtest.h>

#include <filesystem>

#include "backend_fixture.hpp"
#include "storage/database.hpp"
#include "storage/testing/postgres.hpp"

namespace dnsfleet::storage {
namespace {

std::int64_t pragma(Database& db, const char* name) {
    return db.run(Mode::Read, [name](Transaction& tx) {
        return tx.queryOne(std::string("PRAGMA ") + name)->integer(0);
    });
}

TEST(Open, SqliteUrlFormsAndPlainPaths) {
    TempDir dir;
    const auto absolute = dir.path() / "a.db";
    auto db = Database::open({"sqlite://" + absolute.string()});
    EXPECT_EQ(db->backend(), Backend::Sqlite);
    EXPECT_TRUE(std::filesystem::exists(absolute));
    db = Database::open({(dir.path() / "plain.db").string()});
    EXPECT_TRUE(std::filesystem::exists(dir.path() / "plain.db"));

    const auto cwd = std::filesystem::current_path();
    std::filesystem::current_path(dir.path());
    db = Database::open({"sqlite:relative.db"});
    std::filesystem::current_path(cwd);
    EXPECT_TRUE(std::filesystem::exists(dir.path() / "relative.db"));

    EXPECT_THROW((void)Database::open({"sqlite://relative.db"}), DatabaseError);
    EXPECT_THROW((void)Database::open({"sqlite:"}), DatabaseError);
}

TEST(Open, SqliteSettings) {
    TempDir dir;
    auto db = Database::open({(dir.path() / "s.db").string()});
    const std::string mode = db->run(
        Mode::Read, [](Transaction& tx) { return tx.queryOne("PRAGMA journal_mode")->text(0); });
    EXPECT_EQ(mode, "wal");
    EXPECT_EQ(pragma(*db, "foreign_keys"), 1);
    EXPECT_EQ(pragma(*db, "synchronous"), 2);  // FULL
}

TEST(Open, MissingDirectoryIsAConnectionError) {
    TempDir dir;
    try {
        (void)Database::open({(dir.path() / "no" / "such" / "x.db").string()});
        ADD_FAILURE() << "opened";
    } catch (const DatabaseError& e) {
        EXPECT_EQ(e.kind(), ErrorKind::Connection) << e.what();
    }
}

TEST(Open, NotADatabaseIsAnError) {
    TempDir dir;
    const auto path = dir.path() / "junk.db";
    {
        std::FILE* f = std::fopen(path.c_str(), "wb");
        ASSERT_NE(f, nullptr);
        const std::string junk(8192, 'x');
        std::fwrite(junk.data(), 1, junk.size(), f);
        std::fclose(f);
    }
    EXPECT_THROW((void)Database::open({path.string()}), DatabaseError);
}

TEST(Open, UnreachablePostgresIsAConnectionError) {
    // Port 1 on loopback: nothing listens there, so the connection is refused at once.
    try {
        (void)Database::open({"postgresql://postgres@127.0.0.1:1/x?connect_timeout=2"});
        ADD_FAILURE() << "connected";
    } catch (const DatabaseError& e) {
        EXPECT_EQ(e.kind(), ErrorKind::Connection) << e.what();
    }
}

TEST(Open, PostgresUrlForms) {
    auto& pg = test::TestPostgres::shared();
    const std::string url = pg.createDatabase();
    auto db = Database::open({url});
    EXPECT_EQ(db->backend(), Backend::Postgres);
    const std::string shortForm = "postgres://" + url.substr(std::string("postgresql://").size());
    EXPECT_EQ(Database::open({shortForm})->backend(), Backend::Postgres);
    EXPECT_THROW((void)Database::open({pg.urlOf("no_such_database")}), DatabaseError);
}

TEST(Open, SecondSqliteProcessWriterGetsRetry) {
    // Two Database objects on one file stand for two processes: the file lock, not the pool,
    // makes the second writer wait, and it gives up after the busy timeout.
    TempDir dir;
    Options options{(dir.path() / "shared.db").string(), 2, std::chrono::milliseconds(200)};
    auto a = Database::open(options);
    auto b = Database::open(options);
    a->run(Mode::Write, [](Transaction& tx) { tx.execute("CREATE TABLE t (n BIGINT)"); });
    auto holding = a->begin(Mode::Write);
    holding.execute("INSERT INTO t VALUES (1)");
    try {
        auto second = b->begin(Mode::Write);
        ADD_FAILURE() << "second writer got in";
    } catch (const DatabaseError& e) {
        EXPECT_EQ(e.kind(), ErrorKind::Retry) << e.what();
    }
    // Readers of the other "process" are not blocked, and see the committed state only.
    EXPECT_EQ(
        b->run(Mode::Read,
               [](Transaction& tx) { return tx.queryOne("SELECT count(*) FROM t")->integer(0); }),
        0);
    holding.commit();
    b->run(Mode::Write, [](Transaction& tx) { tx.execute("INSERT INTO t VALUES (2)"); });
    EXPECT_EQ(
        a->run(Mode::Read,
               [](Transaction& tx) { return tx.queryOne("SELECT count(*) FROM t")->integer(0); }),
        2);
}

class StatementTest : public BackendTest {};

TEST_P(StatementTest, ParameterCountMustMatch) {
    auto tx = db_->begin(Mode::Read);
    EXPECT_THROW(tx.query("SELECT $1, $2", {std::int64_t{1}}), DatabaseError);
    auto tx2 = db_->begin(Mode::Read);
    EXPECT_THROW(tx2.query("SELECT 1", {std::int64_t{1}}), DatabaseError);
    auto tx3 = db_->begin(Mode::Read);
    EXPECT_EQ(tx3.queryOne("SELECT $1 + 1", {std::int64_t{41}})->integer(0), 42);
}

TEST_P(StatementTest, ErrorMessagesNameTheStatementButNotTheValues) {
    auto tx = db_->begin(Mode::Read);
    try {
        tx.query("SELECT secret FROM nowhere WHERE x = $1", {std::string("hunter2")});
        ADD_FAILURE();
    } catch (const DatabaseError& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find("SELECT secret FROM nowhere"), std::string::npos) << what;
        EXPECT_EQ(what.find("hunter2"), std::string::npos) << what;
    }
}

TEST_P(StatementTest, CachedStatementsSurviveRollbacksAndManyDistinctStatements) {
    for (int round = 0; round < 3; ++round) {
        auto tx = db_->begin(Mode::Read);
        EXPECT_EQ(tx.queryOne("SELECT $1", {std::string("again")})->text(0), "again");
    }
    auto tx = db_->begin(Mode::Read);
    for (int i = 0; i < 600; ++i) {  // beyond the cache limit: it is cleared, not grown
        const std::string sql = "SELECT " + std::to_string(i) + " + $1";
        ASSERT_EQ(tx.queryOne(sql, {std::int64_t{1}})->integer(0), i + 1);
    }
}

INSTANTIATE_TEST_SUITE_P(Backends, StatementTest, kBackends, backendName);

}  // namespace
}  // namespace dnsfleet::storage

namespace dnsfleet::storage {
namespace {

TEST(Open, PostgresReplacesPooledConnectionsTheServerClosed) {
    const std::string url = test::TestPostgres::shared().createDatabase();
    auto db = Database::open({url, 3, std::chrono::milliseconds(2000)});
    {
        // Fill the pool with three idle connections.
        auto a = db->begin(Mode::Read);
        auto b = db->begin(Mode::Read);
        auto c = db->begin(Mode::Read);
    }
    auto admin = Database::open({url, 1});
    const std::int64_t terminated = admin->run(Mode::Write, [](Transaction& tx) {
        return tx
            .queryOne(
                "SELECT count(*) FROM (SELECT pg_terminate_backend(pid, 5000) FROM "
                "pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()) AS killed")
            ->integer(0);
    });
    EXPECT_EQ(terminated, 3);
    for (int i = 0; i < 4; ++i) {
        EXPECT_EQ(db->run(Mode::Read,
                          [](Transaction& tx) { return tx.queryOne("SELECT 7")->integer(0); }),
                  7);
    }
}

}  // namespace
}  // namespace dnsfleet::storage
