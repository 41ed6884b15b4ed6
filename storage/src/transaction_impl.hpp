#pragma once
/// \file
/// What each backend implements behind the public Transaction.
#include "storage/database.hpp"

namespace dnsfleet::storage {

/// One open transaction on one pooled connection. The destructor of a backend's implementation
/// rolls back (if still open) and gives the connection back to its pool.
class TransactionImpl {
  public:
    TransactionImpl() = default;
    TransactionImpl(const TransactionImpl&) = delete;
    TransactionImpl& operator=(const TransactionImpl&) = delete;
    TransactionImpl(TransactionImpl&&) = delete;
    TransactionImpl& operator=(TransactionImpl&&) = delete;
    virtual ~TransactionImpl() = default;

    virtual Rows query(std::string_view sql, const std::vector<Value>& params, bool wantRows) = 0;
    /// Several statements without parameters, in the transaction.
    virtual void script(std::string_view sql) = 0;
    virtual void commit() = 0;
    virtual void rollback() = 0;
    [[nodiscard]] virtual Mode mode() const noexcept = 0;
    [[nodiscard]] virtual Backend backend() const noexcept = 0;
};

/// The first words of a statement, for error messages (never its parameters).
[[nodiscard]] std::string statementHead(std::string_view sql);

/// The rules both backends keep alike, so that code tested on one behaves the same on the
/// other: nothing runs after commit or rollback, and a statement error spoils the transaction
/// (as PostgreSQL does), so that it can only be rolled back. A backend supplies the statements.
class GuardedTransaction : public TransactionImpl {
  public:
    Rows query(std::string_view sql, const std::vector<Value>& params, bool wantRows) final {
        usable(sql);
        try {
            return runQuery(sql, params, wantRows);
        } catch (const DatabaseError&) {
            failed_ = true;
            throw;
        }
    }

    void script(std::string_view sql) final {
        usable(sql);
        try {
            runScript(sql);
        } catch (const DatabaseError&) {
            failed_ = true;
            throw;
        }
    }

    void commit() final {
        if (!open_) return;
        if (failed_) {
            throw DatabaseError(ErrorKind::Other,
                                name_ + ": commit after a failed statement; roll back instead");
        }
        const bool committed = runCommit();
        open_ = false;
        if (!committed) {
            throw DatabaseError(ErrorKind::Other, name_ + ": the transaction was rolled back");
        }
    }

    void rollback() final {
        if (!open_) return;
        open_ = false;
        runRollback();
    }

    [[nodiscard]] Mode mode() const noexcept final { return mode_; }

  protected:
    /// `name` prefixes error messages ("sqlite", "postgresql").
    GuardedTransaction(Mode mode, std::string name) : mode_(mode), name_(std::move(name)) {}
    /// The backend calls it once its BEGIN has succeeded.
    void opened() noexcept { open_ = true; }

    virtual Rows runQuery(std::string_view sql, const std::vector<Value>& params,
                          bool wantRows) = 0;
    virtual void runScript(std::string_view sql) = 0;
    /// False when the server rolled the transaction back instead of committing it.
    virtual bool runCommit() = 0;
    virtual void runRollback() = 0;

  private:
    void usable(std::string_view sql) const {
        if (!open_) {
            throw DatabaseError(
                ErrorKind::Other,
                name_ + ": statement after commit or rollback (in: " + statementHead(sql) + ")");
        }
        if (failed_) {
            throw DatabaseError(ErrorKind::Other,
                                name_ + ": transaction aborted by an earlier error (in: " +
                                    statementHead(sql) + ")");
        }
    }

    Mode mode_;
    std::string name_;
    bool open_ = false;
    bool failed_ = false;
};

}  // namespace dnsfleet::storage
