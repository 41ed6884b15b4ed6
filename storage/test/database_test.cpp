// The storage contract, run against both backends with the same tests.
#include "storage/database.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "backend_fixture.hpp"

namespace dnsfleet::storage {
namespace {

class DatabaseTest : public BackendTest {
  protected:
    void SetUp() override {
        BackendTest::SetUp();
        db_->run(Mode::Write, [](Transaction& tx) {
            tx.script(dialect(
                "CREATE TABLE items (id {{ID}}, name TEXT NOT NULL UNIQUE, "
                "size BIGINT CHECK (size >= 0), note TEXT, blob {{BYTES}});"
                "CREATE TABLE parts (id {{ID}}, item_id BIGINT NOT NULL REFERENCES items (id), "
                "label TEXT NOT NULL);"
                "CREATE TABLE counter (id BIGINT PRIMARY KEY, n BIGINT NOT NULL);"
                "INSERT INTO counter (id, n) VALUES (1, 0);",
                tx.backend()));
        });
    }

    std::int64_t counter() {
        return db_->run(Mode::Read, [](Transaction& tx) {
            return tx.queryOne("SELECT n FROM counter WHERE id = 1")->integer(0);
        });
    }
};

TEST_P(DatabaseTest, InsertReturningSelectUpdateDelete) {
    auto tx = db_->begin(Mode::Write);
    EXPECT_EQ(tx.backend(), GetParam());
    EXPECT_EQ(tx.mode(), Mode::Write);
    const Rows inserted =
        tx.query("INSERT INTO items (name, size) VALUES ($1, $2), ($3, $4) RETURNING id, name",
                 {std::string("a"), std::int64_t{10}, std::string("b"), std::int64_t{20}});
    ASSERT_EQ(inserted.size(), 2U);
    ASSERT_EQ(inserted.columns, (std::vector<std::string>{"id", "name"}));
    EXPECT_LT(inserted[0].integer(0), inserted[1].integer(0));
    EXPECT_EQ(inserted[1].text(1), "b");
    EXPECT_EQ(inserted.affected, 2);

    EXPECT_EQ(tx.execute("UPDATE items SET size = size + $1 WHERE size >= $2",
                         {std::int64_t{5}, std::int64_t{10}}),
              2);
    const Rows all = tx.query("SELECT name, size FROM items ORDER BY name LIMIT $1 OFFSET $2",
                              {std::int64_t{10}, std::int64_t{0}});
    ASSERT_EQ(all.size(), 2U);
    EXPECT_EQ(all[0].integer(1), 15);
    EXPECT_EQ(all[1].integer(1), 25);
    EXPECT_EQ(all.affected, 0);

    EXPECT_EQ(tx.execute("DELETE FROM items WHERE name = $1", {std::string("a")}), 1);
    EXPECT_EQ(tx.execute("DELETE FROM items WHERE name = $1", {std::string("a")}), 0);
    tx.commit();

    auto read = db_->begin(Mode::Read);
    const auto row = read.queryOne("SELECT count(*), max(size) FROM items");
    ASSERT_TRUE(row.has_value());
    EXPECT_EQ(row->integer(0), 1);
    EXPECT_EQ(row->integer(1), 25);
    EXPECT_FALSE(read.queryOne("SELECT id FROM items WHERE name = $1", {std::string("zz")}));
}

TEST_P(DatabaseTest, SameParameterTwiceAndOutOfOrder) {
    auto tx = db_->begin(Mode::Write);
    tx.execute("INSERT INTO items (name, size, note) VALUES ($2, $1, $2)",
               {std::int64_t{7}, std::string("x")});
    const auto row = tx.queryOne("SELECT size, note FROM items WHERE name = $1 AND size = $2",
                                 {std::string("x"), std::int64_t{7}});
    ASSERT_TRUE(row);
    EXPECT_EQ(row->text(1), "x");
    EXPECT_THROW(tx.query("SELECT 1 FROM items WHERE name = $1", {}), DatabaseError);
}

TEST_P(DatabaseTest, OnConflictDoUpdateAndDoNothing) {
    auto tx = db_->begin(Mode::Write);
    const char* upsert =
        "INSERT INTO items (name, size) VALUES ($1, $2) "
        "ON CONFLICT (name) DO UPDATE SET size = excluded.size RETURNING size";
    EXPECT_EQ(tx.queryOne(upsert, {std::string("k"), std::int64_t{1}})->integer(0), 1);
    EXPECT_EQ(tx.queryOne(upsert, {std::string("k"), std::int64_t{2}})->integer(0), 2);
    EXPECT_EQ(tx.execute("INSERT INTO items (name, size) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                         {std::string("k"), std::int64_t{3}}),
              0);
    EXPECT_EQ(tx.queryOne("SELECT count(*), max(size) FROM items")->integer(1), 2);
}

TEST_P(DatabaseTest, NullsBothWays) {
    auto tx = db_->begin(Mode::Write);
    tx.execute("INSERT INTO items (name, size, note) VALUES ($1, $2, $3)",
               {std::string("n"), std::monostate{}, std::monostate{}});
    const auto row = tx.queryOne("SELECT size, note, name FROM items");
    ASSERT_TRUE(row);
    EXPECT_TRUE(row->isNull(0));
    EXPECT_TRUE(row->isNull(1));
    EXPECT_FALSE(row->isNull(2));
    EXPECT_EQ(row->optionalInteger(0), std::nullopt);
    EXPECT_EQ(row->optionalText(1), std::nullopt);
    EXPECT_EQ(row->optionalText(2), "n");
    EXPECT_THROW((void)row->integer(0), DatabaseError);
    EXPECT_THROW((void)row->text(0), DatabaseError);
    EXPECT_THROW((void)row->integer(2), DatabaseError);
    EXPECT_THROW((void)row->value(3), DatabaseError);
}

TEST_P(DatabaseTest, BytesWithZerosAndEmptyBytesAndText) {
    const Bytes zeros{{0x00, 0x01, 0x00, 0xff, 0x00, 0x5c, 0x78}};
    const Bytes empty{};
    const std::string unicode = "zo\xc3\xab \xe2\x9c\x93 'quote' \\x00";
    auto tx = db_->begin(Mode::Write);
    tx.execute("INSERT INTO items (name, blob) VALUES ($1, $2)", {std::string("z"), zeros});
    tx.execute("INSERT INTO items (name, blob) VALUES ($1, $2)", {std::string("e"), empty});
    tx.execute("INSERT INTO items (name, note) VALUES ($1, $2)", {std::string("u"), unicode});
    EXPECT_EQ(tx.queryOne("SELECT blob FROM items WHERE name = 'z'")->bytes(0), zeros);
    const auto e = tx.queryOne("SELECT blob FROM items WHERE name = 'e'");
    EXPECT_FALSE(e->isNull(0));
    EXPECT_EQ(e->bytes(0), empty);
    EXPECT_EQ(tx.queryOne("SELECT note FROM items WHERE name = 'u'")->text(0), unicode);
    EXPECT_EQ(tx.queryOne("SELECT name FROM items WHERE blob = $1", {zeros})->text(0), "z");
    EXPECT_THROW((void)tx.queryOne("SELECT blob FROM items WHERE name = 'z'")->text(0),
                 DatabaseError);
}

TEST_P(DatabaseTest, LargeIntegersAndBooleansAsIntegers) {
    auto tx = db_->begin(Mode::Write);
    const std::int64_t big = std::int64_t{1} << 62;
    tx.execute("INSERT INTO items (name, size) VALUES ($1, $2)", {std::string("big"), big});
    EXPECT_EQ(tx.queryOne("SELECT size FROM items")->integer(0), big);
    const auto row = tx.queryOne(
        "SELECT EXISTS (SELECT 1 FROM items WHERE size = $1), "
        "EXISTS (SELECT 1 FROM items WHERE size = 3)",
        {big});
    EXPECT_EQ(row->integer(0), 1);
    EXPECT_EQ(row->integer(1), 0);
}

TEST_P(DatabaseTest, ConstraintViolationsHaveKinds) {
    auto expectKind = [&](ErrorKind kind, const char* sql, const std::vector<Value>& params) {
        auto tx = db_->begin(Mode::Write);
        try {
            tx.execute(sql, params);
            ADD_FAILURE() << "no error from " << sql;
        } catch (const DatabaseError& e) {
            EXPECT_EQ(e.kind(), kind) << e.what();
        }
    };
    db_->run(Mode::Write, [](Transaction& tx) {
        tx.execute("INSERT INTO items (id, name) VALUES (1, 'taken')");
    });
    expectKind(ErrorKind::UniqueViolation, "INSERT INTO items (name) VALUES ($1)",
               {std::string("taken")});
    expectKind(ErrorKind::UniqueViolation, "INSERT INTO items (id, name) VALUES ($1, $2)",
               {std::int64_t{1}, std::string("other")});
    expectKind(ErrorKind::ForeignKeyViolation, "INSERT INTO parts (item_id, label) VALUES ($1, $2)",
               {std::int64_t{999}, std::string("p")});
    expectKind(ErrorKind::CheckViolation, "INSERT INTO items (name, size) VALUES ($1, $2)",
               {std::string("neg"), std::int64_t{-1}});
    expectKind(ErrorKind::CheckViolation, "INSERT INTO items (name) VALUES ($1)",
               {std::monostate{}});
    expectKind(ErrorKind::Other, "SELEKT nonsense", {});
    db_->run(Mode::Write, [](Transaction& tx) {
        tx.execute("INSERT INTO parts (item_id, label) VALUES (1, 'p')");
    });
    expectKind(ErrorKind::ForeignKeyViolation, "DELETE FROM items WHERE id = $1",
               {std::int64_t{1}});
}

TEST_P(DatabaseTest, FailedStatementSpoilsTheTransaction) {
    auto tx = db_->begin(Mode::Write);
    tx.execute("INSERT INTO items (name) VALUES ('once')");
    EXPECT_THROW(tx.execute("INSERT INTO items (name) VALUES ('once')"), DatabaseError);
    EXPECT_THROW(tx.query("SELECT 1"), DatabaseError);
    EXPECT_THROW(tx.commit(), DatabaseError);
    tx.rollback();
    tx.commit();  // after rollback: nothing
    EXPECT_EQ(db_->run(Mode::Read,
                       [](Transaction& t) {
                           return t.queryOne("SELECT count(*) FROM items")->integer(0);
                       }),
              0);
}

TEST_P(DatabaseTest, RolledBackOnDestructionAndCommitAfterRollbackIsNoOp) {
    {
        auto tx = db_->begin(Mode::Write);
        tx.execute("UPDATE counter SET n = 5");
    }
    EXPECT_EQ(counter(), 0);
    {
        auto tx = db_->begin(Mode::Write);
        tx.execute("UPDATE counter SET n = 6");
        tx.rollback();
        tx.commit();
        EXPECT_THROW(tx.execute("UPDATE counter SET n = 7"), DatabaseError);
    }
    EXPECT_EQ(counter(), 0);
    {
        auto tx = db_->begin(Mode::Write);
        tx.execute("UPDATE counter SET n = 8");
        Transaction moved = std::move(tx);
        moved.commit();
        moved.commit();
    }
    EXPECT_EQ(counter(), 8);
}

TEST_P(DatabaseTest, RunReturnsValueAndRollsBackOnException) {
    const std::int64_t id = db_->run(Mode::Write, [](Transaction& tx) {
        return tx.queryOne("INSERT INTO items (name) VALUES ('r') RETURNING id")->integer(0);
    });
    EXPECT_GT(id, 0);
    EXPECT_THROW(db_->run(Mode::Write,
                          [](Transaction& tx) {
                              tx.execute("UPDATE counter SET n = 99");
                              throw std::runtime_error("body failed");
                          }),
                 std::runtime_error);
    EXPECT_EQ(counter(), 0);
    // A body that rolls back and returns an error value: run() does not commit.
    const bool ok = db_->run(Mode::Write, [](Transaction& tx) {
        tx.execute("UPDATE counter SET n = 42");
        tx.rollback();
        return false;
    });
    EXPECT_FALSE(ok);
    EXPECT_EQ(counter(), 0);
}

TEST_P(DatabaseTest, RunRetriesRetryErrorsOnly) {
    int calls = 0;
    const int result = db_->run(Mode::Write, [&](Transaction& tx) {
        tx.execute("UPDATE counter SET n = n + 1");
        if (++calls < 3) throw DatabaseError(ErrorKind::Retry, "try again");
        return calls;
    });
    EXPECT_EQ(result, 3);
    EXPECT_EQ(counter(), 1);  // the two failed attempts were rolled back
    calls = 0;
    EXPECT_THROW(db_->run(
                     Mode::Write,
                     [&](Transaction&) {
                         ++calls;
                         throw DatabaseError(ErrorKind::Retry, "always");
                     },
                     4),
                 DatabaseError);
    EXPECT_EQ(calls, 4);
    calls = 0;
    EXPECT_THROW(db_->run(Mode::Write,
                          [&](Transaction&) {
                              ++calls;
                              throw DatabaseError(ErrorKind::UniqueViolation, "no");
                          }),
                 DatabaseError);
    EXPECT_EQ(calls, 1);
}

TEST_P(DatabaseTest, ReadTransactionsCannotWrite) {
    auto tx = db_->begin(Mode::Read);
    EXPECT_EQ(tx.mode(), Mode::Read);
    EXPECT_THROW(tx.execute("UPDATE counter SET n = 1"), DatabaseError);
}

TEST_P(DatabaseTest, ReadersSeeASnapshotAndDoNotWaitForTheWriter) {
    auto reader = db_->begin(Mode::Read);
    EXPECT_EQ(reader.queryOne("SELECT n FROM counter")->integer(0), 0);
    auto writer = db_->begin(Mode::Write);
    writer.execute("UPDATE counter SET n = 1");
    EXPECT_EQ(reader.queryOne("SELECT n FROM counter")->integer(0), 0);
    writer.commit();
    EXPECT_EQ(reader.queryOne("SELECT n FROM counter")->integer(0), 0);  // same snapshot
    reader.commit();
    EXPECT_EQ(counter(), 1);
}

TEST_P(DatabaseTest, ConcurrentWritersGetRetry) {
    auto first = db_->begin(Mode::Write);
    first.queryOne("SELECT n FROM counter WHERE id = 1");
    bool retried = false;
    try {
        // SQLite: the single writer is taken, so this waits out the busy timeout.
        // PostgreSQL: both read n, the first commits, the second's update cannot serialize.
        auto second = db_->begin(Mode::Write);
        second.queryOne("SELECT n FROM counter WHERE id = 1");
        first.execute("UPDATE counter SET n = n + 1 WHERE id = 1");
        first.commit();
        second.execute("UPDATE counter SET n = n + 1 WHERE id = 1");
        second.commit();
    } catch (const DatabaseError& e) {
        EXPECT_EQ(e.kind(), ErrorKind::Retry) << e.what();
        retried = true;
    }
    EXPECT_TRUE(retried);
}

TEST_P(DatabaseTest, ThreadsIncrementingThroughRunLoseNothing) {
    constexpr int threads = 4;
    constexpr int perThread = 25;
    std::atomic<int> failures{0};
    std::vector<std::thread> workers;
    workers.reserve(threads);
    for (int t = 0; t < threads; ++t) {
        workers.emplace_back([&] {
            for (int i = 0; i < perThread; ++i) {
                try {
                    db_->run(
                        Mode::Write,
                        [](Transaction& tx) {
                            const std::int64_t n =
                                tx.queryOne("SELECT n FROM counter WHERE id = 1")->integer(0);
                            tx.execute("UPDATE counter SET n = $1 WHERE id = 1", {n + 1});
                            tx.execute("INSERT INTO items (name, size) VALUES ($1, $2)",
                                       {"item" + std::to_string(n), n});
                        },
                        50);
                    (void)db_->run(Mode::Read, [](Transaction& tx) {
                        return tx.query("SELECT id, name FROM items ORDER BY id DESC LIMIT 5");
                    });
                } catch (const std::exception& e) {
                    ++failures;
                }
            }
        });
    }
    for (auto& w : workers)
        w.join();
    EXPECT_EQ(failures.load(), 0);
    EXPECT_EQ(counter(), threads * perThread);
    EXPECT_EQ(db_->run(Mode::Read,
                       [](Transaction& tx) {
                           return tx.queryOne("SELECT count(DISTINCT size) FROM items")->integer(0);
                       }),
              threads * perThread);
}

INSTANTIATE_TEST_SUITE_P(Backends, DatabaseTest, kBackends, backendName);

}  // namespace
}  // namespace dnsfleet::storage
