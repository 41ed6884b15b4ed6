// The PostgreSQL backend (libpq): a pool of connections, SERIALIZABLE write transactions,
// REPEATABLE READ READ ONLY read transactions, statements prepared once per connection.
#include <libpq-fe.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <unordered_map>

#include "backends.hpp"
#include "pool.hpp"
#include "process.hpp"
#include "transaction_impl.hpp"

namespace dnsfleet::storage {

namespace {

// Type OIDs from pg_type.h (server headers are not part of libpq-dev).
constexpr Oid kBoolOid = 16;
constexpr Oid kByteaOid = 17;
constexpr Oid kInt8Oid = 20;
constexpr Oid kInt2Oid = 21;
constexpr Oid kInt4Oid = 23;

constexpr std::size_t kStatementCacheLimit = 512;

ErrorKind kindOf(std::string_view state) {
    if (state == "23505") return ErrorKind::UniqueViolation;
    if (state == "23503") return ErrorKind::ForeignKeyViolation;
    if (state == "23502" || state == "23514") return ErrorKind::CheckViolation;
    // serialization failure, deadlock, and lock_timeout running out
    if (state == "40001" || state == "40P01" || state == "55P03") return ErrorKind::Retry;
    if (state.substr(0, 2) == "08" || state.substr(0, 2) == "57") return ErrorKind::Connection;
    return ErrorKind::Other;
}

std::string trimmed(const char* message) {
    std::string s = message != nullptr ? message : "";
    while (!s.empty() && (s.back() == '\n' || s.back() == ' '))
        s.pop_back();
    return s;
}

struct ResultDeleter {
    void operator()(PGresult* r) const noexcept { PQclear(r); }
};
using Result = std::unique_ptr<PGresult, ResultDeleter>;

struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept {
        return std::hash<std::string_view>{}(s);
    }
};

/// One prepared statement for one combination of parameter types.
struct Prepared {
    std::string name;
    std::vector<Oid> types;
};

Oid typeOf(const Value& v) {
    if (std::holds_alternative<std::int64_t>(v)) return kInt8Oid;
    if (std::holds_alternative<Bytes>(v)) return kByteaOid;
    return 0;  // text and NULL: let the server infer the type from the statement
}

int hexDigit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

Bytes decodeBytea(const char* text, std::size_t size) {
    Bytes out;
    if (size < 2 || text[0] != '\\' || text[1] != 'x') {
        throw DatabaseError(ErrorKind::Other, "postgresql: bytea not in hex format");
    }
    out.data.reserve((size - 2) / 2);
    for (std::size_t i = 2; i + 1 < size; i += 2) {
        const int hi = hexDigit(text[i]);
        const int lo = hexDigit(text[i + 1]);
        if (hi < 0 || lo < 0) throw DatabaseError(ErrorKind::Other, "postgresql: bad bytea");
        out.data.push_back(static_cast<std::uint8_t>(hi * 16 + lo));
    }
    return out;
}

/// The highest `$n` outside string literals, quoted identifiers and comments.
std::size_t highestPlaceholder(std::string_view sql) {
    std::size_t highest = 0;
    std::size_t i = 0;
    const std::size_t size = sql.size();
    auto skipPast = [&](std::string_view end) {
        const std::size_t at = sql.find(end, i);
        i = at == std::string_view::npos ? size : at + end.size();
    };
    while (i < size) {
        const char c = sql[i];
        if (c == '\'' || c == '"') {
            ++i;
            skipPast(std::string_view(&sql[i - 1], 1));
        } else if (c == '-' && i + 1 < size && sql[i + 1] == '-') {
            skipPast("\n");
        } else if (c == '/' && i + 1 < size && sql[i + 1] == '*') {
            i += 2;
            skipPast("*/");
        } else if (c == '$' && i + 1 < size && sql[i + 1] >= '0' && sql[i + 1] <= '9') {
            std::size_t n = 0;
            for (++i; i < size && sql[i] >= '0' && sql[i] <= '9'; ++i) {
                n = n * 10 + static_cast<std::size_t>(sql[i] - '0');
            }
            highest = std::max(highest, n);
        } else {
            ++i;
        }
    }
    return highest;
}

}  // namespace

/// One libpq connection, its prepared statements and the scratch space for parameters.
class PgConnection {
  public:
    explicit PgConnection(const Options& options) : conn_(PQconnectdb(options.url.c_str())) {
        if (conn_ == nullptr || PQstatus(conn_) != CONNECTION_OK) {
            const std::string message =
                conn_ != nullptr ? trimmed(PQerrorMessage(conn_)) : "out of memory";
            PQfinish(conn_);
            conn_ = nullptr;
            throw DatabaseError(ErrorKind::Connection, "postgresql: cannot connect: " + message);
        }
        // NOTICEs ("relation already exists, skipping") would otherwise go to stderr.
        PQsetNoticeProcessor(
            conn_, [](void* /*arg*/, const char* /*message*/) {}, nullptr);
        const std::string setup =
            "SET lock_timeout = " + std::to_string(options.busyTimeout.count()) +
            "; SET client_encoding = 'UTF8'; SET TIME ZONE 'UTC'";
        const Result r(PQexec(conn_, setup.c_str()));
        if (PQresultStatus(r.get()) != PGRES_COMMAND_OK) {
            const std::string message = trimmed(PQresultErrorMessage(r.get()));
            PQfinish(conn_);
            conn_ = nullptr;
            throw DatabaseError(ErrorKind::Connection, "postgresql: cannot set up: " + message);
        }
    }
    PgConnection(const PgConnection&) = delete;
    PgConnection& operator=(const PgConnection&) = delete;
    PgConnection(PgConnection&&) = delete;
    PgConnection& operator=(PgConnection&&) = delete;
    ~PgConnection() { PQfinish(conn_); }

    [[nodiscard]] PGconn* handle() const noexcept { return conn_; }
    [[nodiscard]] bool healthy() const noexcept { return PQstatus(conn_) == CONNECTION_OK; }

    /// Throws the DatabaseError for a failed result (or a lost connection).
    [[noreturn]] void fail(const PGresult* r, std::string_view sql) const {
        const char* state = r != nullptr ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
        // Without a SQLSTATE the error is libpq's own: the server did not answer.
        ErrorKind kind = state != nullptr ? kindOf(state) : ErrorKind::Connection;
        if (!healthy()) kind = ErrorKind::Connection;
        std::string message = r != nullptr ? trimmed(PQresultErrorMessage(r)) : "";
        if (message.empty()) message = trimmed(PQerrorMessage(conn_));
        throw DatabaseError(kind, "postgresql: " + message + " (in: " + statementHead(sql) + ")");
    }

    Result exec(std::string_view sql) {
        const std::string text(sql);
        Result r(PQexec(conn_, text.c_str()));
        const auto status = PQresultStatus(r.get());
        if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) fail(r.get(), sql);
        return r;
    }

    Result run(std::string_view sql, const std::vector<Value>& params) {
        const Prepared& p = prepare(sql, params);
        const std::size_t n = params.size();
        numbers_.resize(n);
        values_.resize(n);
        lengths_.resize(n);
        formats_.resize(n);
        for (std::size_t i = 0; i < n; ++i) {
            const Value& v = params[i];
            lengths_[i] = 0;
            formats_[i] = 0;
            if (const auto* number = std::get_if<std::int64_t>(&v)) {
                auto& buffer = numbers_[i];
                const auto end =
                    std::to_chars(buffer.data(), buffer.data() + buffer.size() - 1, *number);
                *end.ptr = '\0';
                values_[i] = buffer.data();
            } else if (const auto* s = std::get_if<std::string>(&v)) {
                values_[i] = s->c_str();
            } else if (const auto* b = std::get_if<Bytes>(&v)) {
                // Binary, so that zero bytes need no escaping; an empty value still needs a
                // non-null pointer, or it would be NULL.
                values_[i] = b->data.empty() ? "" : reinterpret_cast<const char*>(b->data.data());
                lengths_[i] = static_cast<int>(b->data.size());
                formats_[i] = 1;
            } else {
                values_[i] = nullptr;
            }
        }
        Result r(PQexecPrepared(conn_, p.name.c_str(), static_cast<int>(n), values_.data(),
                                lengths_.data(), formats_.data(), 0));
        const auto status = PQresultStatus(r.get());
        if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) fail(r.get(), sql);
        return r;
    }

  private:
    const Prepared& prepare(std::string_view sql, const std::vector<Value>& params) {
        auto it = cache_.find(sql);
        if (it != cache_.end()) {
            for (const Prepared& p : it->second) {
                if (p.types.size() != params.size()) continue;
                bool same = true;
                for (std::size_t i = 0; i < params.size() && same; ++i) {
                    same = p.types[i] == typeOf(params[i]);
                }
                if (same) return p;
            }
        }
        if (cache_.size() >= kStatementCacheLimit) {
            const Result r(PQexec(conn_, "DEALLOCATE ALL"));
            if (PQresultStatus(r.get()) != PGRES_COMMAND_OK) fail(r.get(), "DEALLOCATE ALL");
            cache_.clear();
            it = cache_.end();
        }
        Prepared p;
        p.name = "dnsfleet_" + std::to_string(++prepared_);
        p.types.reserve(params.size());
        for (const Value& v : params)
            p.types.push_back(typeOf(v));
        // The server accepts declared parameters that the statement does not use; SQLite does
        // not, so both insist on exactly $1..$n.
        if (const std::size_t used = highestPlaceholder(sql); used != params.size()) {
            throw DatabaseError(ErrorKind::Other, "postgresql: statement has " +
                                                      std::to_string(used) + " parameters, given " +
                                                      std::to_string(params.size()) +
                                                      " (in: " + statementHead(sql) + ")");
        }
        const std::string text(sql);
        const Result made(PQprepare(conn_, p.name.c_str(), text.c_str(),
                                    static_cast<int>(p.types.size()), p.types.data()));
        if (PQresultStatus(made.get()) != PGRES_COMMAND_OK) fail(made.get(), sql);
        if (it == cache_.end())
            it = cache_.emplace(std::string(sql), std::vector<Prepared>{}).first;
        it->second.push_back(std::move(p));
        return it->second.back();
    }

    PGconn* conn_;
    std::unordered_map<std::string, std::vector<Prepared>, StringHash, std::equal_to<>> cache_;
    std::uint64_t prepared_ = 0;
    std::vector<std::array<char, 24>> numbers_;
    std::vector<const char*> values_;
    std::vector<int> lengths_;
    std::vector<int> formats_;
};

namespace {

using PgPool = Pool<PgConnection>;

enum class ColumnKind : std::uint8_t { Integer, Boolean, Bytes, Text };

Rows toRows(const PGresult* r, bool wantRows) {
    Rows rows;
    const char* tag = PQcmdStatus(const_cast<PGresult*>(r));
    const std::string_view command(tag != nullptr ? tag : "");
    for (std::string_view counted : {"INSERT", "UPDATE", "DELETE", "MERGE"}) {
        if (command.substr(0, counted.size()) == counted) {
            const char* tuples = PQcmdTuples(const_cast<PGresult*>(r));
            std::int64_t n = 0;
            std::from_chars(tuples, tuples + std::strlen(tuples), n);
            rows.affected = n;
            break;
        }
    }
    if (!wantRows) return rows;
    const int width = PQnfields(r);
    const int height = PQntuples(r);
    std::vector<ColumnKind> kinds;
    kinds.reserve(static_cast<std::size_t>(width));
    rows.columns.reserve(static_cast<std::size_t>(width));
    for (int j = 0; j < width; ++j) {
        rows.columns.emplace_back(PQfname(r, j));
        switch (PQftype(r, j)) {
            case kInt2Oid:
            case kInt4Oid:
            case kInt8Oid:
                kinds.push_back(ColumnKind::Integer);
                break;
            case kBoolOid:
                kinds.push_back(ColumnKind::Boolean);
                break;
            case kByteaOid:
                kinds.push_back(ColumnKind::Bytes);
                break;
            default:
                kinds.push_back(ColumnKind::Text);
        }
    }
    rows.rows.reserve(static_cast<std::size_t>(height));
    for (int i = 0; i < height; ++i) {
        std::vector<Value> values;
        values.reserve(static_cast<std::size_t>(width));
        for (int j = 0; j < width; ++j) {
            if (PQgetisnull(r, i, j) != 0) {
                values.emplace_back(std::monostate{});
                continue;
            }
            const char* text = PQgetvalue(r, i, j);
            const auto size = static_cast<std::size_t>(PQgetlength(r, i, j));
            switch (kinds[static_cast<std::size_t>(j)]) {
                case ColumnKind::Integer: {
                    std::int64_t n = 0;
                    std::from_chars(text, text + size, n);
                    values.emplace_back(n);
                    break;
                }
                case ColumnKind::Boolean:
                    values.emplace_back(std::int64_t{text[0] == 't' ? 1 : 0});
                    break;
                case ColumnKind::Bytes:
                    values.emplace_back(decodeBytea(text, size));
                    break;
                case ColumnKind::Text:
                    values.emplace_back(std::string(text, size));
                    break;
            }
        }
        rows.rows.emplace_back(std::move(values));
    }
    return rows;
}

class PgTransaction final : public GuardedTransaction {
  public:
    PgTransaction(PgPool& pool, Mode mode, std::size_t poolSize)
        : GuardedTransaction(mode, "postgresql"), pool_(pool) {
        // Reads see one snapshot for the whole transaction, as SQLite's WAL readers do, and a
        // read-only REPEATABLE READ transaction never fails to serialize.
        const char* begin = mode == Mode::Write ? "BEGIN ISOLATION LEVEL SERIALIZABLE"
                                                : "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";
        // An idle pooled connection may have died with the server (a restart, a failover):
        // that shows only when it is used, so drop it and try the next, up to a fresh one.
        for (std::size_t attempt = 0;; ++attempt) {
            conn_ = pool_.acquire();
            try {
                conn_->exec(begin);
                break;
            } catch (const DatabaseError& e) {
                pool_.release(std::move(conn_), true);
                if (e.kind() != ErrorKind::Connection || attempt > poolSize) throw;
            }
        }
        opened();
    }
    PgTransaction(const PgTransaction&) = delete;
    PgTransaction& operator=(const PgTransaction&) = delete;
    PgTransaction(PgTransaction&&) = delete;
    PgTransaction& operator=(PgTransaction&&) = delete;
    ~PgTransaction() override {
        bool broken = !conn_->healthy();
        if (!broken && PQtransactionStatus(conn_->handle()) != PQTRANS_IDLE) {
            const Result r(PQexec(conn_->handle(), "ROLLBACK"));
            broken = PQresultStatus(r.get()) != PGRES_COMMAND_OK;
        }
        broken = broken || !conn_->healthy();
        pool_.release(std::move(conn_), broken);
    }

    [[nodiscard]] Backend backend() const noexcept override { return Backend::Postgres; }

  private:
    Rows runQuery(std::string_view sql, const std::vector<Value>& params, bool wantRows) override {
        const Result r = conn_->run(sql, params);
        return toRows(r.get(), wantRows);
    }
    void runScript(std::string_view sql) override { conn_->exec(sql); }
    bool runCommit() override {
        const Result r = conn_->exec("COMMIT");
        // COMMIT of a transaction the server has aborted answers ROLLBACK, not an error.
        return std::strcmp(PQcmdStatus(r.get()), "COMMIT") == 0;
    }
    void runRollback() override { conn_->exec("ROLLBACK"); }

    PgPool& pool_;
    std::unique_ptr<PgConnection> conn_;
};

/// Single-quotes a conninfo value.
std::string quoted(const char* value) {
    std::string out = "'";
    for (const char* p = value; *p != '\0'; ++p) {
        if (*p == '\'' || *p == '\\') out += '\\';
        out += *p;
    }
    out += '\'';
    return out;
}

/// pg_dump from PATH when there is one, else the PostgreSQL 15 that Debian installs.
std::string pgProgram(const char* name) {
    if (const char* dir = std::getenv("DNSFLEET_PG_BINDIR"); dir != nullptr && *dir != '\0') {
        return std::string(dir) + "/" + name;
    }
    std::string debian = std::string("/usr/lib/postgresql/15/bin/") + name;
    std::error_code ec;
    if (std::filesystem::exists(debian, ec)) return debian;
    return name;
}

class PgDatabase final : public Database {
  public:
    explicit PgDatabase(const Options& options)
        : options_(options),
          pool_(
              options.poolSize, options.busyTimeout,
              [this] { return std::make_unique<PgConnection>(options_); }, "postgresql") {
        // Fail at open, not at the first request, when the server cannot be reached.
        pool_.release(pool_.acquire(), false);
    }

    [[nodiscard]] Backend backend() const noexcept override { return Backend::Postgres; }

    [[nodiscard]] Transaction begin(Mode mode) override {
        return Transaction(std::make_unique<PgTransaction>(pool_, mode, options_.poolSize));
    }

    void backup(const std::string& destination) override {
        // The password goes through the environment, not the command line others can read.
        char* error = nullptr;
        PQconninfoOption* parsed = PQconninfoParse(options_.url.c_str(), &error);
        if (parsed == nullptr) {
            const std::string message = error != nullptr ? error : "?";
            PQfreemem(error);
            throw DatabaseError(ErrorKind::Other, "postgresql: bad URL: " + message);
        }
        std::string conninfo;
        std::vector<std::string> env;
        for (PQconninfoOption* o = parsed; o->keyword != nullptr; ++o) {
            if (o->val == nullptr || *o->val == '\0') continue;
            if (std::strcmp(o->keyword, "password") == 0) {
                env.push_back(std::string("PGPASSWORD=") + o->val);
                continue;
            }
            conninfo += std::string(o->keyword) + "=" + quoted(o->val) + " ";
        }
        PQconninfoFree(parsed);
        const std::string partial = destination + ".part";
        const ProgramResult dumped =
            runProgram({pgProgram("pg_dump"), "--format=custom", "--no-owner", "--file=" + partial,
                        "--dbname=" + conninfo},
                       env);
        std::error_code ec;
        if (dumped.status == 0) std::filesystem::rename(partial, destination, ec);
        if (dumped.status != 0 || ec) {
            std::filesystem::remove(partial, ec);
            throw DatabaseError(ErrorKind::Other, "postgresql: pg_dump into " + destination +
                                                      " failed: " + trimmed(dumped.output.c_str()));
        }
    }

  private:
    Options options_;
    PgPool pool_;
};

}  // namespace

std::unique_ptr<Database> openPostgres(const Options& options) {
    return std::make_unique<PgDatabase>(options);
}

}  // namespace dnsfleet::storage
