// The SQLite backend: one writer connection (write transactions are serialized in-process by the
// pool and across processes by BEGIN IMMEDIATE) and a pool of read-only reader connections that
// WAL lets read a consistent snapshot while the writer works.
#include <sqlite3.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <unordered_map>

#include "backends.hpp"
#include "pool.hpp"
#include "transaction_impl.hpp"

namespace dnsfleet::storage {

namespace {

constexpr std::size_t kStatementCacheLimit = 512;

ErrorKind kindOf(int extended) {
    switch (extended) {
        case SQLITE_CONSTRAINT_UNIQUE:
        case SQLITE_CONSTRAINT_PRIMARYKEY:
            return ErrorKind::UniqueViolation;
        case SQLITE_CONSTRAINT_FOREIGNKEY:
            return ErrorKind::ForeignKeyViolation;
        case SQLITE_CONSTRAINT_CHECK:
        case SQLITE_CONSTRAINT_NOTNULL:
            return ErrorKind::CheckViolation;
        default:
            break;
    }
    switch (extended & 0xff) {
        case SQLITE_BUSY:
        case SQLITE_LOCKED:
            return ErrorKind::Retry;
        case SQLITE_CANTOPEN:
        case SQLITE_NOTADB:
            return ErrorKind::Connection;
        default:
            return ErrorKind::Other;
    }
}

[[noreturn]] void fail(sqlite3* db, std::string_view sql) {
    const int code = sqlite3_extended_errcode(db);
    throw DatabaseError(kindOf(code), std::string("sqlite: ") + sqlite3_errmsg(db) +
                                          " (in: " + statementHead(sql) + ")");
}

struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept {
        return std::hash<std::string_view>{}(s);
    }
};

/// A prepared statement and where each `$n` is bound (index[n-1]).
struct Prepared {
    sqlite3_stmt* stmt = nullptr;
    std::vector<int> index;
};

bool onlySpace(const char* p) {
    for (; *p != '\0'; ++p) {
        if (*p != ' ' && *p != '\n' && *p != '\t' && *p != '\r' && *p != ';') return false;
    }
    return true;
}

}  // namespace

/// One sqlite3 handle with its statement cache. Used by one transaction (one thread) at a time.
class SqliteConnection {
  public:
    SqliteConnection(const std::string& path, const Options& options, bool writer) {
        const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
        if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
            const std::string message =
                db_ != nullptr ? sqlite3_errmsg(db_) : "out of memory opening the database";
            sqlite3_close_v2(db_);
            db_ = nullptr;
            throw DatabaseError(ErrorKind::Connection,
                                "sqlite: cannot open " + path + ": " + message);
        }
        sqlite3_extended_result_codes(db_, 1);
        sqlite3_busy_timeout(db_, static_cast<int>(options.busyTimeout.count()));
        // FULL: a commit the API has answered for (an audit event, a new zone serial) must
        // survive a power cut; control-plane writes are few, so an fsync each is cheap enough.
        std::string setup = "PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL;";
        if (writer) setup += " PRAGMA journal_mode = WAL;";
        // Readers never write: a Read transaction that tries is a bug, as on PostgreSQL.
        if (!writer) setup += " PRAGMA query_only = ON;";
        char* error = nullptr;
        if (sqlite3_exec(db_, setup.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
            const std::string message = error != nullptr ? error : "?";
            sqlite3_free(error);
            const ErrorKind kind = kindOf(sqlite3_extended_errcode(db_));
            close();
            throw DatabaseError(kind == ErrorKind::Other ? ErrorKind::Connection : kind,
                                "sqlite: cannot set up " + path + ": " + message);
        }
    }
    SqliteConnection(const SqliteConnection&) = delete;
    SqliteConnection& operator=(const SqliteConnection&) = delete;
    SqliteConnection(SqliteConnection&&) = delete;
    SqliteConnection& operator=(SqliteConnection&&) = delete;
    ~SqliteConnection() { close(); }

    [[nodiscard]] sqlite3* handle() const noexcept { return db_; }

    Prepared& prepare(std::string_view sql) {
        if (auto it = cache_.find(sql); it != cache_.end()) return it->second;
        if (cache_.size() >= kStatementCacheLimit) clearCache();
        Prepared p;
        const char* tail = nullptr;
        if (sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                               SQLITE_PREPARE_PERSISTENT, &p.stmt, &tail) != SQLITE_OK) {
            fail(db_, sql);
        }
        if (p.stmt == nullptr) throw DatabaseError(ErrorKind::Other, "sqlite: empty statement");
        const std::size_t consumed = static_cast<std::size_t>(tail - sql.data());
        if (consumed < sql.size() && !onlySpace(std::string(sql.substr(consumed)).c_str())) {
            sqlite3_finalize(p.stmt);
            throw DatabaseError(ErrorKind::Other, "sqlite: more than one statement (in: " +
                                                      statementHead(sql) + "); use script()");
        }
        const int count = sqlite3_bind_parameter_count(p.stmt);
        p.index.reserve(static_cast<std::size_t>(count));
        for (int n = 1; n <= count; ++n) {
            const std::string name = "$" + std::to_string(n);
            const int at = sqlite3_bind_parameter_index(p.stmt, name.c_str());
            if (at == 0) {
                sqlite3_finalize(p.stmt);
                throw DatabaseError(ErrorKind::Other, "sqlite: parameters must be $1..$" +
                                                          std::to_string(count) +
                                                          " (in: " + statementHead(sql) + ")");
            }
            p.index.push_back(at);
        }
        return cache_.emplace(std::string(sql), std::move(p)).first->second;
    }

    void exec(std::string_view sql) {
        const std::string text(sql);
        char* error = nullptr;
        if (sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
            sqlite3_free(error);
            fail(db_, sql);
        }
    }

  private:
    void clearCache() noexcept {
        for (auto& [sql, p] : cache_)
            sqlite3_finalize(p.stmt);
        cache_.clear();
    }
    void close() noexcept {
        clearCache();
        if (db_ != nullptr) sqlite3_close_v2(db_);
        db_ = nullptr;
    }

    sqlite3* db_ = nullptr;
    std::unordered_map<std::string, Prepared, StringHash, std::equal_to<>> cache_;
};

namespace {

using SqlitePool = Pool<SqliteConnection>;

void bindParams(sqlite3* db, const Prepared& p, const std::vector<Value>& params,
                std::string_view sql) {
    if (params.size() != p.index.size()) {
        throw DatabaseError(ErrorKind::Other,
                            "sqlite: statement has " + std::to_string(p.index.size()) +
                                " parameters, given " + std::to_string(params.size()) +
                                " (in: " + statementHead(sql) + ")");
    }
    for (std::size_t i = 0; i < params.size(); ++i) {
        const int at = p.index[i];
        int rc = SQLITE_OK;
        if (const auto* n = std::get_if<std::int64_t>(&params[i])) {
            rc = sqlite3_bind_int64(p.stmt, at, *n);
        } else if (const auto* s = std::get_if<std::string>(&params[i])) {
            rc = sqlite3_bind_text64(p.stmt, at, s->data(), s->size(), SQLITE_STATIC, SQLITE_UTF8);
        } else if (const auto* b = std::get_if<Bytes>(&params[i])) {
            // An empty vector's data() may be null, which SQLite would bind as NULL.
            rc = b->data.empty() ? sqlite3_bind_zeroblob(p.stmt, at, 0)
                                 : sqlite3_bind_blob64(p.stmt, at, b->data.data(), b->data.size(),
                                                       SQLITE_STATIC);
        } else {
            rc = sqlite3_bind_null(p.stmt, at);
        }
        if (rc != SQLITE_OK) fail(db, sql);
    }
}

Value column(sqlite3_stmt* stmt, int i) {
    switch (sqlite3_column_type(stmt, i)) {
        case SQLITE_INTEGER:
            return sqlite3_column_int64(stmt, i);
        case SQLITE_BLOB: {
            const auto* data = static_cast<const std::uint8_t*>(sqlite3_column_blob(stmt, i));
            const auto size = static_cast<std::size_t>(sqlite3_column_bytes(stmt, i));
            return Bytes{size == 0 ? std::vector<std::uint8_t>{}
                                   : std::vector<std::uint8_t>(data, data + size)};
        }
        case SQLITE_NULL:
            return std::monostate{};
        default: {  // TEXT, and REAL rendered as text (the dialect has no floating point)
            const auto* data = reinterpret_cast<const char*>(sqlite3_column_text(stmt, i));
            const auto size = static_cast<std::size_t>(sqlite3_column_bytes(stmt, i));
            return std::string(data == nullptr ? "" : data, size);
        }
    }
}

/// Resets a statement after use, so that a cached one never holds a read snapshot open.
struct ResetGuard {
    sqlite3_stmt* stmt;
    explicit ResetGuard(sqlite3_stmt* s) : stmt(s) {}
    ResetGuard(const ResetGuard&) = delete;
    ResetGuard& operator=(const ResetGuard&) = delete;
    ResetGuard(ResetGuard&&) = delete;
    ResetGuard& operator=(ResetGuard&&) = delete;
    ~ResetGuard() {
        sqlite3_reset(stmt);
        sqlite3_clear_bindings(stmt);
    }
};

class SqliteTransaction final : public GuardedTransaction {
  public:
    SqliteTransaction(SqlitePool& pool, Mode mode)
        : GuardedTransaction(mode, "sqlite"), pool_(pool) {
        conn_ = pool_.acquire();
        try {
            run(mode == Mode::Write ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED");
        } catch (...) {
            pool_.release(std::move(conn_), false);
            throw;
        }
        opened();
    }
    SqliteTransaction(const SqliteTransaction&) = delete;
    SqliteTransaction& operator=(const SqliteTransaction&) = delete;
    SqliteTransaction(SqliteTransaction&&) = delete;
    SqliteTransaction& operator=(SqliteTransaction&&) = delete;
    ~SqliteTransaction() override {
        bool broken = false;
        if (sqlite3_get_autocommit(conn_->handle()) == 0) {
            broken =
                sqlite3_exec(conn_->handle(), "ROLLBACK", nullptr, nullptr, nullptr) != SQLITE_OK;
        }
        pool_.release(std::move(conn_), broken);
    }

    [[nodiscard]] Backend backend() const noexcept override { return Backend::Sqlite; }

  private:
    Rows runQuery(std::string_view sql, const std::vector<Value>& params, bool wantRows) override {
        return step(sql, params, wantRows);
    }
    void runScript(std::string_view sql) override { conn_->exec(sql); }
    bool runCommit() override {
        run("COMMIT");
        return true;
    }
    void runRollback() override {
        if (sqlite3_get_autocommit(conn_->handle()) == 0) run("ROLLBACK");
    }

    void run(std::string_view sql) {
        Prepared& p = conn_->prepare(sql);
        const ResetGuard guard{p.stmt};
        if (sqlite3_step(p.stmt) != SQLITE_DONE) fail(conn_->handle(), sql);
    }

    Rows step(std::string_view sql, const std::vector<Value>& params, bool wantRows) {
        sqlite3* db = conn_->handle();
        Prepared& p = conn_->prepare(sql);
        const ResetGuard guard{p.stmt};
        bindParams(db, p, params, sql);
        Rows rows;
        const int width = sqlite3_column_count(p.stmt);
        if (wantRows) {
            rows.columns.reserve(static_cast<std::size_t>(width));
            for (int i = 0; i < width; ++i)
                rows.columns.emplace_back(sqlite3_column_name(p.stmt, i));
        }
        const sqlite3_int64 before = sqlite3_total_changes64(db);
        for (;;) {
            const int rc = sqlite3_step(p.stmt);
            if (rc == SQLITE_DONE) break;
            if (rc != SQLITE_ROW) fail(db, sql);
            if (!wantRows) continue;
            std::vector<Value> values;
            values.reserve(static_cast<std::size_t>(width));
            for (int i = 0; i < width; ++i)
                values.push_back(column(p.stmt, i));
            rows.rows.emplace_back(std::move(values));
        }
        // changes() keeps the count of the last INSERT/UPDATE/DELETE, so look whether this
        // statement changed anything at all before asking it.
        rows.affected = sqlite3_total_changes64(db) != before ? sqlite3_changes64(db) : 0;
        return rows;
    }

    SqlitePool& pool_;
    std::unique_ptr<SqliteConnection> conn_;
};

class SqliteDatabase final : public Database {
  public:
    SqliteDatabase(const Options& options, std::string path)
        : path_(std::move(path)),
          writers_(
              1, options.busyTimeout,
              [this, options] { return std::make_unique<SqliteConnection>(path_, options, true); },
              "sqlite writer"),
          readers_(
              options.poolSize, options.busyTimeout,
              [this, options] { return std::make_unique<SqliteConnection>(path_, options, false); },
              "sqlite reader") {
        // Open the writer now: it creates the file and switches it to WAL before any reader.
        writers_.release(writers_.acquire(), false);
    }

    [[nodiscard]] Backend backend() const noexcept override { return Backend::Sqlite; }

    [[nodiscard]] Transaction begin(Mode mode) override {
        return Transaction(
            std::make_unique<SqliteTransaction>(mode == Mode::Write ? writers_ : readers_, mode));
    }

    void backup(const std::string& destination) override {
        const std::string partial = destination + ".part";
        std::remove(partial.c_str());
        sqlite3* target = nullptr;
        if (sqlite3_open_v2(partial.c_str(), &target, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                            nullptr) != SQLITE_OK) {
            const std::string message = target != nullptr ? sqlite3_errmsg(target) : "?";
            sqlite3_close_v2(target);
            throw DatabaseError(ErrorKind::Other,
                                "sqlite: cannot create backup " + partial + ": " + message);
        }
        std::unique_ptr<SqliteConnection> source = readers_.acquire();
        std::string error;
        ErrorKind kind = ErrorKind::Other;
        if (sqlite3_backup* b = sqlite3_backup_init(target, "main", source->handle(), "main")) {
            // All pages in one step: the step holds one read snapshot, which WAL lets the
            // writer work beside; copying in slices would restart at each concurrent write.
            const int rc = sqlite3_backup_step(b, -1);
            sqlite3_backup_finish(b);
            if (rc != SQLITE_DONE) {
                kind = kindOf(rc);
                error = sqlite3_errstr(rc);
            }
        } else {
            error = sqlite3_errmsg(target);
        }
        readers_.release(std::move(source), false);
        sqlite3_close_v2(target);
        if (error.empty()) {
            std::error_code ec;
            std::filesystem::rename(partial, destination, ec);
            if (ec) error = "cannot rename to " + destination + ": " + ec.message();
        }
        if (!error.empty()) {
            std::remove(partial.c_str());
            throw DatabaseError(kind, "sqlite: backup to " + destination + " failed: " + error);
        }
    }

  private:
    std::string path_;
    SqlitePool writers_;
    SqlitePool readers_;
};

}  // namespace

std::unique_ptr<Database> openSqlite(const Options& options, const std::string& path) {
    return std::make_unique<SqliteDatabase>(options, path);
}

}  // namespace dnsfleet::storage
