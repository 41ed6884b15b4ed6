// The throw-away PostgreSQL cluster that tests of every component use.
#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <cstdlib>
#include <filesystem>

#include "storage/database.hpp"
#include "storage/testing/postgres.hpp"

namespace dnsfleet::storage {
namespace {

bool answers(const std::string& url) {
    return PQping((url + "?connect_timeout=2").c_str()) == PQPING_OK;
}

TEST(TestPostgres, SharedClusterGivesIndependentDatabases) {
    auto& pg = test::TestPostgres::shared();
    EXPECT_EQ(&pg, &test::TestPostgres::shared());
    EXPECT_EQ(pg.url(), pg.urlOf("dnsfleet"));
    EXPECT_TRUE(answers(pg.url()));
    const std::string first = pg.createDatabase();
    const std::string second = pg.createDatabase();
    EXPECT_NE(first, second);
    auto a = Database::open({first});
    auto b = Database::open({second});
    a->run(Mode::Write, [](Transaction& tx) { tx.execute("CREATE TABLE only_in_a (n BIGINT)"); });
    EXPECT_EQ(
        b->run(Mode::Read,
               [](Transaction& tx) {
                   return tx
                       .queryOne("SELECT count(*) FROM pg_tables WHERE tablename = 'only_in_a'")
                       ->integer(0);
               }),
        0);
}

TEST(TestPostgres, OwnClusterIsStoppedAndRemovedByTheDestructor) {
    std::string url;
    {
        test::TestPostgres own;
        url = own.url();
        EXPECT_NE(own.port(), test::TestPostgres::shared().port());
        EXPECT_TRUE(answers(url));
    }
    EXPECT_FALSE(answers(url));
}

TEST(TestPostgres, ThrowsWhenItCannotStart) {
    ASSERT_EQ(setenv("DNSFLEET_PG_BINDIR", "/nonexistent/postgresql/bin", 1), 0);
    EXPECT_THROW(test::TestPostgres broken, std::runtime_error);
    unsetenv("DNSFLEET_PG_BINDIR");
}

}  // namespace
}  // namespace dnsfleet::storage
