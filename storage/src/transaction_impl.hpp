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

}  // namespace dnsfleet::storage
