#pragma once
// A fresh, empty database per test, on each backend.
#include <gtest/gtest.h>

#include <filesystem>
#include <random>
#include <string>

#include "storage/database.hpp"
#include "storage/testing/postgres.hpp"

namespace dnsfleet::storage {

inline const auto kBackends = ::testing::Values(Backend::Sqlite, Backend::Postgres);

inline std::string backendName(const ::testing::TestParamInfo<Backend>& info) {
    return info.param == Backend::Sqlite ? "Sqlite" : "Postgres";
}

/// A temporary directory removed with the test.
class TempDir {
  public:
    TempDir() {
        std::random_device seed;
        path_ = std::filesystem::temp_directory_path() /
                ("dnsfleet-storage-" + std::to_string(seed()) + std::to_string(seed()));
        std::filesystem::create_directories(path_);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    TempDir(TempDir&&) = delete;
    TempDir& operator=(TempDir&&) = delete;
    ~TempDir() {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    [[nodiscard]] const std::filesystem::path& path() const { return path_; }

  private:
    std::filesystem::path path_;
};

class BackendTest : public ::testing::TestWithParam<Backend> {
  protected:
    void SetUp() override {
        options_ = freshOptions();
        db_ = Database::open(options_);
    }

    /// Options for a new, empty database of this test's backend.
    Options freshOptions() {
        Options options;
        options.busyTimeout = std::chrono::milliseconds(500);
        options.poolSize = 4;
        if (GetParam() == Backend::Postgres) {
            options.url = test::TestPostgres::shared().createDatabase();
            return options;
        }
        options.url =
            "sqlite://" + (dir_.path() / ("db" + std::to_string(++count_) + ".sqlite")).string();
        return options;
    }

    /// PostgreSQL's documented restore: pg_restore --clean into the database.
    void restoreWithPgRestore(const std::string& file) {
        // Into a database that has lost its data: the table is gone.
        db_->run(Mode::Write, [](Transaction& tx) { tx.execute("DROP TABLE squares"); });
        db_.reset();
        test::TestPostgres::restore(options_.url, file);
        db_ = Database::open(options_);
    }

    TempDir dir_;
    Options options_;
    std::unique_ptr<Database> db_;
    int count_ = 0;
};

}  // namespace dnsfleet::storage
