#include "authd/store/zone_store.hpp"

#include <gtest/gtest.h>
#include <lmdb.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <thread>

#include "test_zones.hpp"

namespace dnsfleet::authd::store {
namespace {

using namespace storetest;  // NOLINT(google-build-using-namespace)

TEST_F(ZoneStoreTest, FullVersionRoundTripsThroughReadAndLoad) {
    auto store = openStore();
    const auto v1 = version(7, "h", 100, 10);
    ASSERT_TRUE(store->storeFull(apex_, v1, 1700000123));

    auto stored = store->read(apex_);
    ASSERT_TRUE(stored) << stored.error();
    EXPECT_EQ(stored->serial, 7U);
    EXPECT_EQ(stored->lastTransfer, 1700000123);
    EXPECT_TRUE(stored->journal.empty());
    EXPECT_EQ(stored->snapshot, v1);
    EXPECT_TRUE(dnswire::equalNames(stored->apex, apex_));

    auto loaded = store->load(apex_);
    ASSERT_TRUE(loaded) << loaded.error();
    EXPECT_EQ(recordSet(**loaded), recordSet(v1));
    EXPECT_EQ((*loaded)->recordCount(), v1.size());

    auto names = store->zones();
    ASSERT_TRUE(names);
    ASSERT_EQ(names->size(), 1U);
    EXPECT_EQ((*names)[0], apex_);
    EXPECT_GT(store->fileSize(), 0U);
}

TEST_F(ZoneStoreTest, FilesAreCreatedPrivate) {
    auto store = openStore();
    struct stat st {};
    ASSERT_EQ(::stat((dir_ / "data.mdb").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600U);
}

TEST_F(ZoneStoreTest, ApexIsMatchedWithoutRegardToCase) {
    auto store = openStore();
    ASSERT_TRUE(store->storeFull(name("EXAMPLE."), version(1, "h", 3, 1), 0));
    auto stored = store->read(apex_);
    ASSERT_TRUE(stored) << stored.error();
    EXPECT_EQ(stored->serial, 1U);
}

TEST_F(ZoneStoreTest, ZonesSurviveReopeningAndStayApart) {
    const auto v1 = version(1, "h", 20, 1);
    xfr::RecordList other;
    {
        auto store = openStore();
        ASSERT_TRUE(store->storeFull(apex_, v1, 5));
        // "a.example." sorts right after "example." in the key space: prefix scans of one
        // zone must never reach into the other.
        ASSERT_TRUE(store->storeFull(name("a.example."), version(2, "x", 5, 2), 6));
        ASSERT_TRUE(store->storeFull(name("com."), version(3, "y", 5, 3), 6));
    }
    auto store = openStore();
    auto names = store->zones();
    ASSERT_TRUE(names);
    EXPECT_EQ(names->size(), 3U);
    auto stored = store->read(apex_);
    ASSERT_TRUE(stored) << stored.error();
    EXPECT_EQ(stored->snapshot, v1);
    ASSERT_TRUE(store->remove(name("a.example.")));
    stored = store->read(apex_);
    ASSERT_TRUE(stored) << stored.error();
    EXPECT_EQ(stored->snapshot, v1);
}

TEST_F(ZoneStoreTest, StoreFullRejectsAListWithoutLeadingSoa) {
    auto store = openStore();
    xfr::RecordList list;
    addA(list, "www.example.", 1);
    auto stored = store->storeFull(apex_, list, 0);
    ASSERT_FALSE(stored);
    EXPECT_NE(stored.error().find("SOA"), std::string::npos) << stored.error();
}

TEST_F(ZoneStoreTest, AppendedDiffsAreReadBackAndLoadTheVersionTheyLeadTo) {
    auto store = openStore();
    const auto v1 = version(1, "a", 50, 1);
    const auto v2 = version(2, "b", 40, 2);
    const auto v3 = version(3, "c", 60, 3);
    ASSERT_TRUE(store->storeFull(apex_, v1, 100));
    const auto d12 = replaceHosts(v1, v2, 1, 2);
    const auto d23 = replaceHosts(v2, v3, 2, 3);

    ASSERT_TRUE(store->appendDiffs(apex_, std::span(&d12, 1), *build(v2), 1 << 20, 200));
    auto stored = store->read(apex_);
    ASSERT_TRUE(stored) << stored.error();
    EXPECT_EQ(stored->serial, 2U);
    EXPECT_EQ(stored->lastTransfer, 200);
    EXPECT_EQ(stored->snapshot, v1);  // the journal, not the snapshot, holds the change
    ASSERT_EQ(stored->journal.size(), 1U);
    EXPECT_EQ(stored->journal[0].fromSerial, 1U);
    EXPECT_EQ(stored->journal[0].toSerial, 2U);
    EXPECT_EQ(stored->journal[0].createdAt, d12.createdAt);
    EXPECT_EQ(stored->journal[0].removed, d12.removed);
    EXPECT_EQ(stored->journal[0].added, d12.added);

    auto loaded = store->load(apex_);
    ASSERT_TRUE(loaded) << loaded.error();
    EXPECT_EQ(recordSet(**loaded), recordSet(v2));

    ASSERT_TRUE(store->appendDiffs(apex_, std::span(&d23, 1), *build(v3), 1 << 20, 300));
    auto restored = store->restore(apex_);
    ASSERT_TRUE(restored) << restored.error();
    EXPECT_EQ(restored->serial, 3U);
    EXPECT_EQ(restored->lastTransfer, 300);
    ASSERT_EQ(restored->journal.size(), 2U);
    EXPECT_EQ(restored->journal[1].fromSerial, 2U);
    EXPECT_EQ(recordSet(*restored->zone), recordSet(v3));
}

TEST_F(ZoneStoreTest, JournalOverTheLimitIsCompactedIntoTheSnapshot) {
    auto store = openStore();
    const auto v1 = version(1, "a", 50, 1);
    const auto v2 = version(2, "b", 40, 2);
    ASSERT_TRUE(store->storeFull(apex_, v1, 0));
    const auto d12 = replaceHosts(v1, v2, 1, 2);
    ASSERT_TRUE(store->appendDiffs(apex_, std::span(&d12, 1), *build(v2), d12.bytes() - 1, 0));

    auto stored = store->read(apex_);
    ASSERT_TRUE(stored) << stored.error();
    EXPECT_EQ(stored->serial, 2U);
    EXPECT_TRUE(stored->journal.empty());
    EXPECT_EQ(recordSet(stored->snapshot), recordSet(v2));
    auto loaded = store->load(apex_);
    ASSERT_TRUE(loaded) << loaded.error();
    EXPECT_EQ(recordSet(**loaded), recordSet(v2));

    // The journal starts afresh after compaction and still chains.
    const auto v3 = version(3, "c", 10, 3);
    const auto d23 = replaceHosts(v2, v3, 2, 3);
    ASSERT_TRUE(store->appendDiffs(apex_, std::span(&d23, 1), *build(v3), 1 << 20, 0));
    stored = store->read(apex_);
    ASSERT_TRUE(stored) << stored.error();
    EXPECT_EQ(stored->journal.size(), 1U);
    loaded = store->load(apex_);
    ASSERT_TRUE(loaded) << loaded.error();
    EXPECT_EQ(recordSet(**loaded), recordSet(v3));
}

TEST_F(ZoneStoreTest, SeveralDiffsAreAppendedInOneCall) {
    auto store = openStore();
    const auto v1 = version(1, "a", 5, 1);
    const auto v2 = version(2, "b", 6, 2);
    const auto v3 = version(3, "c", 7, 3);
    ASSERT_TRUE(store->storeFull(apex_, v1, 0));
    const std::vector<xfr::ZoneDiff> diffs{replaceHosts(v1, v2, 1, 2), replaceHosts(v2, v3, 2, 3)};
    ASSERT_TRUE(store->appendDiffs(apex_, diffs, *build(v3), 1 << 20, 0));
    auto restored = store->restore(apex_);
    ASSERT_TRUE(restored) << restored.error();
    EXPECT_EQ(restored->journal.size(), 2U);
    EXPECT_EQ(recordSet(*restored->zone), recordSet(v3));

    // A result that is not where the diffs lead is refused.
    const auto v4 = version(4, "d", 1, 4);
    const auto d34 = replaceHosts(v3, v4, 3, 4);
    EXPECT_FALSE(store->appendDiffs(apex_, std::span(&d34, 1), *build(v3), 1 << 20, 0));
    restored = store->restore(apex_);
    ASSERT_TRUE(restored) << restored.error();
    EXPECT_EQ(restored->serial, 3U);
}

TEST_F(ZoneStoreTest, DiffThatDoesNotContinueTheStoredSerialChangesNothing) {
    auto store = openStore();
    const auto v1 = version(1, "a", 5, 1);
    const auto v3 = version(3, "c", 5, 3);
    ASSERT_TRUE(store->storeFull(apex_, v1, 0));
    const auto d23 = replaceHosts(version(2, "b", 5, 2), v3, 2, 3);
    auto appended = store->appendDiffs(apex_, std::span(&d23, 1), *build(v3), 1 << 20, 0);
    ASSERT_FALSE(appended);
    EXPECT_NE(appended.error().find("serial"), std::string::npos) << appended.error();
    auto loaded = store->load(apex_);
    ASSERT_TRUE(loaded) << loaded.error();
    EXPECT_EQ(recordSet(**loaded), recordSet(v1));
}

TEST_F(ZoneStoreTest, AppendingToAMissingZoneFails) {
    auto store = openStore();
    const auto v2 = version(2, "b", 5, 2);
    const auto d12 = replaceHosts(version(1, "a", 5, 1), v2, 1, 2);
    EXPECT_FALSE(store->appendDiffs(apex_, std::span(&d12, 1), *build(v2), 1 << 20, 0));
}

TEST_F(ZoneStoreTest, RemovedZoneIsGone) {
    auto store = openStore();
    const auto v1 = version(1, "a", 5, 1);
    const auto v2 = version(2, "b", 5, 2);
    ASSERT_TRUE(store->storeFull(apex_, v1, 0));
    const auto d12 = replaceHosts(v1, v2, 1, 2);
    ASSERT_TRUE(store->appendDiffs(apex_, std::span(&d12, 1), *build(v2), 1 << 20, 0));
    ASSERT_TRUE(store->remove(apex_));
    auto stored = store->read(apex_);
    ASSERT_FALSE(stored);
    EXPECT_NE(stored.error().find("not stored"), std::string::npos) << stored.error();
    EXPECT_FALSE(store->load(apex_));
    auto names = store->zones();
    ASSERT_TRUE(names);
    EXPECT_TRUE(names->empty());
    EXPECT_TRUE(store->remove(apex_));  // forgetting twice is not an error

    // A zone stored again after removal starts clean (no leftover journal entries).
    ASSERT_TRUE(store->storeFull(apex_, v1, 0));
    stored = store->read(apex_);
    ASSERT_TRUE(stored) << stored.error();
    EXPECT_TRUE(stored->journal.empty());
}

TEST_F(ZoneStoreTest, ReadersOnOtherThreadsSeeWholeVersionsWhileAWriterCommits) {
    auto store = openStore();
    const auto a = version(1, "a", 200, 1);
    const auto b = version(2, "b", 150, 2);
    const auto setA = recordSet(a);
    const auto setB = recordSet(b);
    ASSERT_TRUE(store->storeFull(apex_, a, 0));
    std::atomic<bool> done{false};
    std::atomic<int> loads{0};
    std::atomic<int> bad{0};
    std::vector<std::thread> readers;
    readers.reserve(3);
    for (int t = 0; t < 3; ++t) {
        readers.emplace_back([&] {
            while (!done.load()) {
                auto loaded = store->load(apex_);
                if (!loaded) {
                    ++bad;
                    continue;
                }
                const auto found = recordSet(**loaded);
                if (found != setA && found != setB) ++bad;
                ++loads;
            }
        });
    }
    for (int i = 0; i < 20; ++i)
        EXPECT_TRUE(store->storeFull(apex_, i % 2 == 0 ? b : a, i));
    done = true;
    for (auto& reader : readers)
        reader.join();
    EXPECT_EQ(bad.load(), 0);
    EXPECT_GT(loads.load(), 0);
}

TEST_F(ZoneStoreTest, NewerFormatIsRefused) {
    // Write a store as a future server would: the same layout, format 99.
    fs::create_directories(dir_);
    MDB_env* env = nullptr;
    ASSERT_EQ(mdb_env_create(&env), 0);
    ASSERT_EQ(mdb_env_set_maxdbs(env, 4), 0);
    ASSERT_EQ(mdb_env_open(env, dir_.c_str(), 0, 0600), 0);
    MDB_txn* txn = nullptr;
    ASSERT_EQ(mdb_txn_begin(env, nullptr, 0, &txn), 0);
    MDB_dbi meta = 0;
    ASSERT_EQ(mdb_dbi_open(txn, "meta", MDB_CREATE, &meta), 0);
    char key[] = "format";
    std::uint8_t value[] = {0, 0, 0, 99};  // u32, big-endian (README)
    MDB_val k{6, key};
    MDB_val v{4, value};
    ASSERT_EQ(mdb_put(txn, meta, &k, &v, 0), 0);
    ASSERT_EQ(mdb_txn_commit(txn), 0);
    mdb_env_close(env);

    auto store = ZoneStore::open(dir_, 64 * kMiB);
    ASSERT_FALSE(store);
    EXPECT_EQ(store.error(), "store format 99 is newer than this server's (1)");
}

TEST_F(ZoneStoreTest, DiskFullIsReportedAndThePreviousVersionStays) {
    const auto small = version(1, "a", 100, 1);
    {
        auto store = openStore();
        ASSERT_TRUE(store->storeFull(apex_, small, 0));
    }
    // A full disk, simulated in a child process: a file size limit just above the current
    // file makes LMDB's writes fail (EFBIG) the way ENOSPC would.
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        ::signal(SIGXFSZ, SIG_IGN);
        const auto limit = static_cast<rlim_t>(fs::file_size(dir_ / "data.mdb") + 8192);
        const rlimit fsize{limit, limit};
        if (::setrlimit(RLIMIT_FSIZE, &fsize) != 0) ::_exit(2);
        auto store = ZoneStore::open(dir_, 64 * kMiB);
        if (!store) ::_exit(3);
        auto stored = (*store)->storeFull(apex_, version(2, "b", 20000, 2), 0);
        if (stored) ::_exit(4);
        std::fprintf(stderr, "expected failure: %s\n", stored.error().c_str());
        if (stored.error().rfind("store: ", 0) != 0) ::_exit(5);
        // The same process still reads the previous version.
        auto loaded = (*store)->load(apex_);
        if (!loaded || recordSet(**loaded) != recordSet(small)) ::_exit(6);
        ::_exit(0);
    }
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status)) << status;
    ASSERT_EQ(WEXITSTATUS(status), 0);

    auto store = openStore();
    auto loaded = store->load(apex_);
    ASSERT_TRUE(loaded) << loaded.error();
    EXPECT_EQ(recordSet(**loaded), recordSet(small));
}

TEST_F(ZoneStoreTest, DamagedSnapshotIsReportedNotServed) {
    {
        auto store = openStore();
        ASSERT_TRUE(store->storeFull(apex_, version(1, "h", 10, 1), 0));
    }
    // Cut the first snapshot chunk (key: apex wire form + u32 chunk number, README) in the
    // middle of a record, as a damaged or foreign file might hold it.
    MDB_env* env = nullptr;
    ASSERT_EQ(mdb_env_create(&env), 0);
    ASSERT_EQ(mdb_env_set_maxdbs(env, 4), 0);
    ASSERT_EQ(mdb_env_open(env, dir_.c_str(), 0, 0600), 0);
    MDB_txn* txn = nullptr;
    ASSERT_EQ(mdb_txn_begin(env, nullptr, 0, &txn), 0);
    MDB_dbi snapshot = 0;
    ASSERT_EQ(mdb_dbi_open(txn, "snapshot", 0, &snapshot), 0);
    std::vector<std::uint8_t> key(apex_.wire().begin(), apex_.wire().end());
    key.insert(key.end(), {0, 0, 0, 0});
    MDB_val k{key.size(), key.data()};
    MDB_val v;
    ASSERT_EQ(mdb_get(txn, snapshot, &k, &v), 0);
    std::vector<std::uint8_t> cut(static_cast<std::uint8_t*>(v.mv_data),
                                  static_cast<std::uint8_t*>(v.mv_data) + v.mv_size - 3);
    MDB_val nv{cut.size(), cut.data()};
    ASSERT_EQ(mdb_put(txn, snapshot, &k, &nv, 0), 0);
    ASSERT_EQ(mdb_txn_commit(txn), 0);
    mdb_env_close(env);

    auto store = openStore();
    auto loaded = store->load(apex_);
    ASSERT_FALSE(loaded);
    EXPECT_NE(loaded.error().find("truncated"), std::string::npos) << loaded.error();
    EXPECT_FALSE(store->read(apex_));
}

TEST_F(ZoneStoreTest, FullMapIsReportedAndThePreviousVersionStays) {
    auto store = openStore(kMiB);
    const auto small = version(1, "a", 100, 1);
    ASSERT_TRUE(store->storeFull(apex_, small, 0));
    const auto big = version(2, "b", 60000, 2);  // ~1.5 MiB of records
    auto stored = store->storeFull(apex_, big, 0);
    ASSERT_FALSE(stored);
    EXPECT_EQ(stored.error().rfind("store: MDB_MAP_FULL: ", 0), 0U) << stored.error();

    const auto d12 = replaceHosts(small, big, 1, 2);
    auto appended = store->appendDiffs(apex_, std::span(&d12, 1), *build(big), 1 << 30, 0);
    ASSERT_FALSE(appended);
    EXPECT_NE(appended.error().find("MDB_MAP_FULL"), std::string::npos) << appended.error();

    auto loaded = store->load(apex_);
    ASSERT_TRUE(loaded) << loaded.error();
    EXPECT_EQ(recordSet(**loaded), recordSet(small));
    // And the store still takes writes that fit.
    EXPECT_TRUE(store->storeFull(apex_, version(3, "c", 10, 3), 0));
}

}  // namespace
}  // namespace dnsfleet::authd::store
