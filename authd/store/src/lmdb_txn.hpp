#pragma once
/// \file
/// Thin RAII over the LMDB C API: a transaction aborts unless committed, errors become the
/// store's one-line messages ("store: MDB_MAP_FULL: ... (writing example.)").

#include <lmdb.h>

#include <algorithm>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace dnsfleet::authd::store::lmdb {

/// "store: <LMDB or errno name>: <text> (<what>)".
[[nodiscard]] std::string errorText(int rc, std::string_view what);

[[nodiscard]] inline MDB_val val(std::span<const std::uint8_t> bytes) noexcept {
    // LMDB takes keys and values as non-const pointers but never writes through them.
    return {bytes.size(), const_cast<std::uint8_t*>(bytes.data())};  // NOLINT
}
[[nodiscard]] inline MDB_val val(std::string_view bytes) noexcept {
    return {bytes.size(), const_cast<char*>(bytes.data())};  // NOLINT
}
[[nodiscard]] inline std::span<const std::uint8_t> bytes(const MDB_val& v) noexcept {
    return {static_cast<const std::uint8_t*>(v.mv_data), v.mv_size};
}

/// One transaction; aborted by the destructor unless commit() succeeded.
class Txn {
  public:
    Txn() = default;
    Txn(const Txn&) = delete;
    Txn& operator=(const Txn&) = delete;
    ~Txn() { abort(); }

    /// Begins a read-only (`readOnly`) or write transaction.
    [[nodiscard]] int begin(MDB_env* env, bool readOnly) noexcept {
        return mdb_txn_begin(env, nullptr, readOnly ? MDB_RDONLY : 0U, &txn_);
    }
    /// Commits; the handle is gone afterwards whatever the outcome (LMDB frees it).
    [[nodiscard]] int commit() noexcept {
        const int rc = mdb_txn_commit(txn_);
        txn_ = nullptr;
        return rc;
    }
    void abort() noexcept {
        if (txn_ != nullptr) mdb_txn_abort(txn_);
        txn_ = nullptr;
    }
    [[nodiscard]] MDB_txn* get() const noexcept { return txn_; }

  private:
    MDB_txn* txn_ = nullptr;
};

/// A cursor closed by its destructor (before its transaction ends).
class Cursor {
  public:
    Cursor() = default;
    Cursor(const Cursor&) = delete;
    Cursor& operator=(const Cursor&) = delete;
    ~Cursor() {
        if (cursor_ != nullptr) mdb_cursor_close(cursor_);
    }
    [[nodiscard]] int open(MDB_txn* txn, MDB_dbi dbi) noexcept {
        return mdb_cursor_open(txn, dbi, &cursor_);
    }
    [[nodiscard]] MDB_cursor* get() const noexcept { return cursor_; }

  private:
    MDB_cursor* cursor_ = nullptr;
};

/// True when `key` starts with `prefix`.
[[nodiscard]] inline bool hasPrefix(const MDB_val& key,
                                    std::span<const std::uint8_t> prefix) noexcept {
    const auto k = bytes(key);
    return k.size() >= prefix.size() && std::equal(prefix.begin(), prefix.end(), k.begin());
}

}  // namespace dnsfleet::authd::store::lmdb
