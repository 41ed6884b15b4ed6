#pragma once
/// \file
/// An owned, append-only list of records in one arena: what transfers, diffs and the on-disk
/// store pass around. One allocation per growth of the arena, never one per record.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "zone/record.hpp"

namespace dnsfleet::xfr {

/// Records as `[u8 owner length][owner][u16 type][u16 class][u32 TTL][u16 rdlength][rdata]`
/// entries, in the order they were added. Owners are stored as given (callers lower-case them
/// when they need canonical form).
class RecordList {
  public:
    class Iterator {
      public:
        Iterator(const std::uint8_t* p, std::size_t left) noexcept : p_(p), left_(left) {}
        /// The record at the iterator; its views point into the list.
        [[nodiscard]] zone::RecordView operator*() const noexcept;
        Iterator& operator++() noexcept;
        friend bool operator==(const Iterator& a, const Iterator& b) noexcept {
            return a.left_ == b.left_;
        }

      private:
        const std::uint8_t* p_;
        std::size_t left_;
    };

    /// Appends a copy of `record` (owner and RDATA are copied).
    void add(const zone::RecordView& record);
    /// Appends every record of `other`.
    void append(const RecordList& other);
    void clear() noexcept;
    void reserveBytes(std::size_t bytes) { data_.reserve(bytes); }

    [[nodiscard]] std::size_t size() const noexcept { return count_; }
    [[nodiscard]] bool empty() const noexcept { return count_ == 0; }
    /// Octets the records take in the arena (owner, fixed fields and RDATA).
    [[nodiscard]] std::size_t bytes() const noexcept { return data_.size(); }
    [[nodiscard]] Iterator begin() const noexcept { return {data_.data(), count_}; }
    [[nodiscard]] Iterator end() const noexcept { return {nullptr, 0}; }
    /// The first record (the SOA in diffs and transfers); the list must not be empty.
    [[nodiscard]] zone::RecordView front() const noexcept { return *begin(); }

    /// The arena itself, for storing the list as is (see fromBytes()).
    [[nodiscard]] std::span<const std::uint8_t> raw() const noexcept { return data_; }
    /// Rebuilds a list from raw() octets, checking every entry's lengths and names; returns
    /// false (and leaves the list empty) when the octets are not a well-formed list.
    [[nodiscard]] bool assignRaw(std::span<const std::uint8_t> raw);

    friend bool operator==(const RecordList& a, const RecordList& b) noexcept {
        return a.count_ == b.count_ && a.data_ == b.data_;
    }

  private:
    std::vector<std::uint8_t> data_;
    std::size_t count_ = 0;
};

}  // namespace dnsfleet::xfr
