// Backups taken while a writer runs, restored the documented way (docs/controld/storage.md).
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "backend_fixture.hpp"
#include "storage/database.hpp"

namespace dnsfleet::storage {
namespace {

class BackupTest : public BackendTest {};

/// Rows (n, n*n) inserted one transaction at a time: a consistent copy has n = 1..count with
/// no gaps, whatever moment it was taken at.
void expectConsistent(Database& db, std::int64_t atLeast) {
    const auto row = db.run(Mode::Read, [](Transaction& tx) {
        return *tx.queryOne(
            "SELECT count(*), coalesce(max(n), 0), CAST(coalesce(sum(sq), 0) AS BIGINT) FROM "
            "squares");
    });
    const std::int64_t count = row.integer(0);
    EXPECT_GE(count, atLeast);
    EXPECT_EQ(row.integer(1), count);
    EXPECT_EQ(row.integer(2), count * (count + 1) * (2 * count + 1) / 6);
}

TEST_P(BackupTest, CopyTakenWhileWritingRestoresConsistently) {
    db_->run(Mode::Write, [](Transaction& tx) {
        tx.execute("CREATE TABLE squares (n BIGINT PRIMARY KEY, sq BIGINT NOT NULL)");
        for (std::int64_t n = 1; n <= 200; ++n) {
            tx.execute("INSERT INTO squares VALUES ($1, $2)", {n, n * n});
        }
    });
    std::atomic<bool> stop{false};
    std::atomic<std::int64_t> written{200};
    std::thread writer([&] {
        for (int i = 0; i < 2000 && !stop; ++i) {
            const std::int64_t n = written + 1;
            db_->run(Mode::Write, [n](Transaction& tx) {
                tx.execute("INSERT INTO squares VALUES ($1, $2)", {n, n * n});
            });
            written = n;
        }
    });
    while (written < 220)
        std::this_thread::yield();
    const std::filesystem::path file = dir_.path() / "backup.bin";
    db_->backup(file.string());
    const std::int64_t afterBackup = written;
    stop = true;
    writer.join();
    ASSERT_TRUE(std::filesystem::exists(file));
    EXPECT_GT(std::filesystem::file_size(file), 0U);

    std::int64_t restoredCount = 0;
    if (GetParam() == Backend::Sqlite) {
        // The documented restore: stop controld, copy the backup over the database file, remove
        // the -wal and -shm files, start again.
        const std::string path = options_.url.substr(std::string("sqlite://").size());
        db_.reset();
        std::filesystem::copy_file(file, path, std::filesystem::copy_options::overwrite_existing);
        std::filesystem::remove(path + "-wal");
        std::filesystem::remove(path + "-shm");
        db_ = Database::open(options_);
    } else {
        restoreWithPgRestore(file.string());
    }
    expectConsistent(*db_, 220);
    restoredCount = db_->run(Mode::Read, [](Transaction& tx) {
        return tx.queryOne("SELECT count(*) FROM squares")->integer(0);
    });
    EXPECT_LE(restoredCount, afterBackup);
    // The restored database takes writes again.
    db_->run(Mode::Write, [&](Transaction& tx) {
        tx.execute("INSERT INTO squares VALUES ($1, $2)", {restoredCount + 1, std::int64_t{0}});
    });
}

TEST_P(BackupTest, UnwritableDestinationIsAnError) {
    EXPECT_THROW(db_->backup((dir_.path() / "missing" / "dir" / "backup.bin").string()),
                 DatabaseError);
}

INSTANTIATE_TEST_SUITE_P(Backends, BackupTest, kBackends, backendName);

}  // namespace
}  // namespace dnsfleet::storage
