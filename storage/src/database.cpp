// The backend-independent parts: rows, the Transaction handle, dialect tokens, URL dispatch and
// the migration runner.
#include "storage/database.hpp"

#include <algorithm>
#include <chrono>

#include "backends.hpp"
#include "transaction_impl.hpp"

namespace dnsfleet::storage {

namespace {

[[noreturn]] void wrongType(std::size_t column, const char* wanted) {
    throw DatabaseError(ErrorKind::Other,
                        "column " + std::to_string(column) + " is not " + std::string(wanted));
}

bool startsWith(std::string_view s, std::string_view prefix) {
    return s.substr(0, prefix.size()) == prefix;
}

void replaceAll(std::string& s, std::string_view token, std::string_view replacement) {
    std::size_t at = 0;
    while ((at = s.find(token, at)) != std::string::npos) {
        s.replace(at, token.size(), replacement);
        at += replacement.size();
    }
}

std::int64_t nowMicros() {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace

std::string statementHead(std::string_view sql) {
    constexpr std::size_t limit = 60;
    std::string head;
    head.reserve(std::min(sql.size(), limit) + 3);
    bool space = false;
    for (char c : sql) {
        if (head.size() >= limit) {
            head += "...";
            break;
        }
        const bool isSpace = c == ' ' || c == '\n' || c == '\t' || c == '\r';
        if (isSpace) {
            space = !head.empty();
            continue;
        }
        if (space) head += ' ';
        space = false;
        head += c;
    }
    return head;
}

// ---- Row -------------------------------------------------------------------------------------

const Value& Row::value(std::size_t column) const {
    if (column >= values_.size()) {
        throw DatabaseError(ErrorKind::Other, "no column " + std::to_string(column) +
                                                  " in a row of " + std::to_string(values_.size()));
    }
    return values_[column];
}

bool Row::isNull(std::size_t column) const {
    return std::holds_alternative<std::monostate>(value(column));
}

std::int64_t Row::integer(std::size_t column) const {
    const auto* v = std::get_if<std::int64_t>(&value(column));
    if (v == nullptr) wrongType(column, "an integer");
    return *v;
}

const std::string& Row::text(std::size_t column) const {
    const auto* v = std::get_if<std::string>(&value(column));
    if (v == nullptr) wrongType(column, "text");
    return *v;
}

const Bytes& Row::bytes(std::size_t column) const {
    const auto* v = std::get_if<Bytes>(&value(column));
    if (v == nullptr) wrongType(column, "bytes");
    return *v;
}

std::optional<std::int64_t> Row::optionalInteger(std::size_t column) const {
    if (isNull(column)) return std::nullopt;
    return integer(column);
}

std::optional<std::string> Row::optionalText(std::size_t column) const {
    if (isNull(column)) return std::nullopt;
    return text(column);
}

// ---- Transaction -----------------------------------------------------------------------------

Transaction::Transaction(std::unique_ptr<TransactionImpl> impl) : impl_(std::move(impl)) {}
Transaction::Transaction(Transaction&&) noexcept = default;
Transaction& Transaction::operator=(Transaction&&) noexcept = default;
Transaction::~Transaction() = default;

namespace {
TransactionImpl& live(const std::unique_ptr<TransactionImpl>& impl) {
    if (!impl) throw DatabaseError(ErrorKind::Other, "use of a moved-from transaction");
    return *impl;
}
}  // namespace

Rows Transaction::query(std::string_view sql, const std::vector<Value>& params) {
    return live(impl_).query(sql, params, true);
}

std::int64_t Transaction::execute(std::string_view sql, const std::vector<Value>& params) {
    return live(impl_).query(sql, params, false).affected;
}

std::optional<Row> Transaction::queryOne(std::string_view sql, const std::vector<Value>& params) {
    Rows rows = live(impl_).query(sql, params, true);
    if (rows.rows.empty()) return std::nullopt;
    return std::move(rows.rows.front());
}

void Transaction::script(std::string_view sql) {
    live(impl_).script(sql);
}

void Transaction::commit() {
    live(impl_).commit();
}
void Transaction::rollback() {
    live(impl_).rollback();
}
Mode Transaction::mode() const noexcept {
    return impl_->mode();
}
Backend Transaction::backend() const noexcept {
    return impl_->backend();
}

// ---- open, dialect ---------------------------------------------------------------------------

std::unique_ptr<Database> Database::open(const Options& options) {
    const std::string_view url = options.url;
    if (startsWith(url, "postgresql://") || startsWith(url, "postgres://")) {
        return openPostgres(options);
    }
    std::string path;
    if (startsWith(url, "sqlite://")) {
        path = url.substr(std::string_view("sqlite://").size());
        if (!startsWith(path, "/")) {
            throw DatabaseError(ErrorKind::Other,
                                "sqlite:// URLs need an absolute path (sqlite:///path); use "
                                "sqlite:relative/path for a relative one");
        }
    } else if (startsWith(url, "sqlite:")) {
        path = url.substr(std::string_view("sqlite:").size());
    } else {
        path = url;
    }
    if (path.empty()) throw DatabaseError(ErrorKind::Other, "empty database path");
    return openSqlite(options, path);
}

std::string dialect(std::string_view sql, Backend backend) {
    std::string out(sql);
    const bool sqlite = backend == Backend::Sqlite;
    replaceAll(out, "{{ID}}",
               sqlite ? "INTEGER PRIMARY KEY AUTOINCREMENT"
                      : "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY");
    replaceAll(out, "{{BYTES}}", sqlite ? "BLOB" : "BYTEA");
    return out;
}

// ---- migrations ------------------------------------------------------------------------------

std::int64_t Database::schemaVersion() {
    return run(Mode::Read, [this](Transaction& tx) -> std::int64_t {
        const char* exists =
            backend() == Backend::Sqlite
                ? "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = "
                  "'schema_migrations'"
                : "SELECT count(*) FROM pg_catalog.pg_tables WHERE tablename = "
                  "'schema_migrations' AND schemaname = current_schema()";
        if (tx.queryOne(exists)->integer(0) == 0) return 0;
        return tx.queryOne("SELECT coalesce(max(version), 0) FROM schema_migrations")->integer(0);
    });
}

std::int64_t Database::migrate() {
    const auto& all = migrations();
    const std::int64_t latest = all.empty() ? 0 : all.back().version;
    if (const std::int64_t current = schemaVersion(); current > latest) {
        throw DatabaseError(ErrorKind::Other, "the database's schema version " +
                                                  std::to_string(current) +
                                                  " is newer than this binary's " +
                                                  std::to_string(latest) + ": refusing to use it");
    }
    // Two controld instances may start at once: a concurrent CREATE of the same table fails with
    // a unique violation in PostgreSQL's catalog, after which the table exists.
    try {
        run(Mode::Write, [](Transaction& tx) {
            tx.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, "
                "name TEXT NOT NULL, applied_at BIGINT NOT NULL)");
        });
    } catch (const DatabaseError& e) {
        if (e.kind() != ErrorKind::UniqueViolation) throw;
    }
    const Backend kind = backend();
    std::int64_t version = 0;
    for (const Migration& m : all) {
        version = run(Mode::Write, [&](Transaction& tx) -> std::int64_t {
            // LOCK before any query, so that PostgreSQL takes the transaction's snapshot only
            // after another instance that migrates at the same time has committed.
            if (kind == Backend::Postgres) {
                tx.execute("LOCK TABLE schema_migrations IN EXCLUSIVE MODE");
            }
            const std::int64_t applied =
                tx.queryOne("SELECT coalesce(max(version), 0) FROM schema_migrations")->integer(0);
            if (applied > latest) {
                throw DatabaseError(ErrorKind::Other,
                                    "the database's schema version " + std::to_string(applied) +
                                        " is newer than this binary's " + std::to_string(latest));
            }
            if (applied >= m.version) return applied;
            tx.script(dialect(m.sql, kind));
            tx.execute(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
                {m.version, m.name, nowMicros()});
            return m.version;
        });
    }
    return std::max(version, schemaVersion());
}

}  // namespace dnsfleet::storage
