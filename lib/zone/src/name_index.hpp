#pragma once
// Open-addressing name → index table shared by the builder and the snapshot. Each slot holds
// (upper 32 bits of the name hash) << 32 | (index + 1); 0 is an empty slot. The hash fragment
// rejects almost every wrong slot without touching the name bytes, which matters because the
// names live in another array (a cache miss per comparison).

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "dnswire/name.hpp"

namespace dnsfleet::zone::detail {

[[nodiscard]] inline std::uint32_t nameHash32(dnswire::NameView name) noexcept {
    return static_cast<std::uint32_t>(dnswire::hashName(name) >> 32);
}

/// Stored names are lower case and most queries are too: try a plain memcmp before folding.
[[nodiscard]] inline bool sameName(dnswire::NameView stored, dnswire::NameView name) noexcept {
    if (stored.size() != name.size()) return false;
    if (std::memcmp(stored.data(), name.data(), name.size()) == 0) return true;
    return dnswire::equalNames(stored, name);
}

/// Smallest power of two that keeps the load factor at or under 0.7.
[[nodiscard]] inline std::size_t tableSizeFor(std::size_t entries) noexcept {
    std::size_t size = 16;
    while (size * 7 < entries * 10)
        size *= 2;
    return size;
}

/// Finds `name` in `table`; `nameOf(index)` returns the stored NameView of an index.
template <class NameOf>
[[nodiscard]] std::uint32_t findName(const std::vector<std::uint64_t>& table, std::uint64_t mask,
                                     dnswire::NameView name, std::uint32_t hash,
                                     const NameOf& nameOf) noexcept {
    std::uint64_t slot = hash & mask;
    while (true) {
        const std::uint64_t entry = table[slot];
        if (entry == 0) return 0xFFFFFFFFU;
        if (static_cast<std::uint32_t>(entry >> 32) == hash) {
            const auto index = static_cast<std::uint32_t>(entry) - 1;
            if (sameName(nameOf(index), name)) return index;
        }
        slot = (slot + 1) & mask;
    }
}

inline void insertName(std::vector<std::uint64_t>& table, std::uint64_t mask, std::uint32_t hash,
                       std::uint32_t index) noexcept {
    std::uint64_t slot = hash & mask;
    while (table[slot] != 0)
        slot = (slot + 1) & mask;
    table[slot] = (std::uint64_t{hash} << 32) | (std::uint64_t{index} + 1);
}

}  // namespace dnsfleet::zone::detail
