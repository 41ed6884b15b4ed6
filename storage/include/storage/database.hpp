#pragma once
/// \file
/// The control plane's one storage interface, with two real backends: SQLite (the embedded
/// default: one file in a data directory, WAL) and PostgreSQL (libpq; for larger installations
/// and several controld instances). Callers write one SQL dialect:
///
/// - placeholders are PostgreSQL's `$1`, `$2`, ... (the SQLite backend binds them by name);
/// - integers are 64-bit (`BIGINT`), booleans are integers 0/1, times are integer microseconds
///   since the Unix epoch in UTC, text is UTF-8, opaque bytes are `BYTEA` (bound as `Bytes`);
/// - `INSERT ... RETURNING`, `ON CONFLICT ... DO`, `LIMIT`/`OFFSET` work on both.
///
/// Migrations (storage/migrations/NNNN_name.sql) are written once for both backends with two
/// tokens the runner replaces: `{{ID}}` (an auto-incremented 64-bit primary key that never reuses
/// a value) and `{{BYTES}}` (BLOB on SQLite, BYTEA on PostgreSQL).
///
/// The control plane may throw at its edges, and the database is one: every failure is a
/// `DatabaseError` whose kind lets the caller turn a unique-key violation into a 409 or retry a
/// serialization failure.
#include <chrono>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

namespace dnsfleet::storage {

enum class Backend { Sqlite, Postgres };

/// Opaque bytes (BLOB / BYTEA), distinct from text.
struct Bytes {
    std::vector<std::uint8_t> data;
    bool operator==(const Bytes&) const = default;
};

/// Something bound to a parameter or read from a column. `std::monostate` is SQL NULL.
using Value = std::variant<std::monostate, std::int64_t, std::string, Bytes>;

/// Why a statement failed; decides what the caller does about it.
enum class ErrorKind {
    UniqueViolation,      ///< a UNIQUE or PRIMARY KEY constraint: usually a 409 for the API
    ForeignKeyViolation,  ///< a row refers to one that does not exist (or still is referred to)
    CheckViolation,       ///< a CHECK or NOT NULL constraint
    Retry,       ///< serialization failure, deadlock, SQLITE_BUSY: run the transaction again
    Connection,  ///< the database cannot be reached or the connection broke
    Other,       ///< syntax errors, type errors, anything else
};

/// Every storage failure. `what()` names the backend and the statement's first words.
class DatabaseError : public std::runtime_error {
  public:
    DatabaseError(ErrorKind kind, const std::string& message)
        : std::runtime_error(message), kind_(kind) {}
    [[nodiscard]] ErrorKind kind() const noexcept { return kind_; }

  private:
    ErrorKind kind_;
};

/// One result row. Column access by index; a type that does not match throws DatabaseError.
class Row {
  public:
    explicit Row(std::vector<Value> values) : values_(std::move(values)) {}
    [[nodiscard]] std::size_t size() const noexcept { return values_.size(); }
    [[nodiscard]] bool isNull(std::size_t column) const;
    [[nodiscard]] std::int64_t integer(std::size_t column) const;
    [[nodiscard]] const std::string& text(std::size_t column) const;
    [[nodiscard]] const Bytes& bytes(std::size_t column) const;
    [[nodiscard]] std::optional<std::int64_t> optionalInteger(std::size_t column) const;
    [[nodiscard]] std::optional<std::string> optionalText(std::size_t column) const;
    [[nodiscard]] const Value& value(std::size_t column) const;

  private:
    std::vector<Value> values_;
};

/// The rows a statement returned, and how many rows it changed.
struct Rows {
    std::vector<std::string> columns;
    std::vector<Row> rows;
    std::int64_t affected = 0;

    [[nodiscard]] bool empty() const noexcept { return rows.empty(); }
    [[nodiscard]] std::size_t size() const noexcept { return rows.size(); }
    [[nodiscard]] const Row& operator[](std::size_t i) const { return rows[i]; }
    [[nodiscard]] auto begin() const { return rows.begin(); }
    [[nodiscard]] auto end() const { return rows.end(); }
};

/// What a transaction may do. Write transactions are serialized with each other (SQLite:
/// BEGIN IMMEDIATE; PostgreSQL: SERIALIZABLE), so read-modify-write sequences such as a hash
/// chain or a serial number are safe without further locks; readers never wait for writers.
enum class Mode { Read, Write };

class TransactionImpl;

/// A database transaction on a pooled connection. Move-only; rolled back on destruction unless
/// committed. Statements are prepared and cached per connection.
class Transaction {
  public:
    explicit Transaction(std::unique_ptr<TransactionImpl> impl);
    Transaction(Transaction&&) noexcept;
    Transaction& operator=(Transaction&&) noexcept;
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    ~Transaction();

    /// Runs one statement with `$n` parameters and returns its rows.
    Rows query(std::string_view sql, const std::vector<Value>& params = {});
    /// Runs one statement and returns the number of rows it changed.
    std::int64_t execute(std::string_view sql, const std::vector<Value>& params = {});
    /// The first row, or nullopt when the statement returned none.
    std::optional<Row> queryOne(std::string_view sql, const std::vector<Value>& params = {});
    /// Runs several `;`-separated statements without parameters (migrations, test fixtures).
    void script(std::string_view sql);

    /// Makes the changes durable. Does nothing after rollback(), so that a body run by
    /// Database::run can roll back its own changes and still return an error value.
    void commit();
    void rollback();
    [[nodiscard]] Mode mode() const noexcept;
    [[nodiscard]] Backend backend() const noexcept;

  private:
    std::unique_ptr<TransactionImpl> impl_;
};

/// How to open a database.
struct Options {
    /// `sqlite:///absolute/path/controld.db`, `sqlite:relative.db`, a plain file path (SQLite),
    /// or `postgresql://user:pass@host:port/dbname?...` (anything libpq accepts).
    std::string url;
    /// Connections kept open; SQLite uses one writer and up to this many readers.
    std::size_t poolSize = 8;
    /// How long a transaction waits for a connection or a lock before DatabaseError(Retry).
    std::chrono::milliseconds busyTimeout{5000};
};

/// A pool of connections to one database.
class Database {
  public:
    virtual ~Database() = default;

    /// Opens (and for SQLite, creates) the database. Throws DatabaseError.
    [[nodiscard]] static std::unique_ptr<Database> open(const Options& options);

    [[nodiscard]] virtual Backend backend() const noexcept = 0;
    /// Starts a transaction; waits for a free connection.
    [[nodiscard]] virtual Transaction begin(Mode mode) = 0;

    /// Runs `body` in a transaction and commits it (unless `body` rolled it back); a DatabaseError
    /// of kind Retry runs it again (up to `attempts` times). Any other exception rolls back and
    /// propagates.
    template <class F>
    auto run(Mode mode, F&& body, int attempts = 5) -> decltype(body(std::declval<Transaction&>()));

    /// Applies every migration not yet applied, each in its own transaction, and returns the
    /// schema version. Refuses (DatabaseError) a database whose version is newer than ours.
    std::int64_t migrate();
    /// The schema version of the database (0 when empty).
    [[nodiscard]] std::int64_t schemaVersion();

    /// A consistent copy of the whole database while it is in use: SQLite's online backup API
    /// into `destination` (a file path); for PostgreSQL, pg_dump's custom format into
    /// `destination`. Throws DatabaseError.
    virtual void backup(const std::string& destination) = 0;
};

/// One embedded migration.
struct Migration {
    std::int64_t version;
    std::string name;
    std::string sql;  ///< with the `{{ID}}`/`{{BYTES}}` tokens still in place
};
/// Every migration built into this binary, in version order.
[[nodiscard]] const std::vector<Migration>& migrations();
/// `sql` with the dialect tokens replaced for `backend`.
[[nodiscard]] std::string dialect(std::string_view sql, Backend backend);

template <class F>
auto Database::run(Mode mode, F&& body, int attempts)
    -> decltype(body(std::declval<Transaction&>())) {
    for (int attempt = 1;; ++attempt) {
        try {
            Transaction tx = begin(mode);
            if constexpr (std::is_void_v<decltype(body(tx))>) {
                body(tx);
                tx.commit();
                return;
            } else {
                auto result = body(tx);
                tx.commit();
                return result;
            }
        } catch (const DatabaseError& e) {
            if (e.kind() != ErrorKind::Retry || attempt >= attempts) throw;
        }
    }
}

}  // namespace dnsfleet::storage
