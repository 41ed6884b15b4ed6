#pragma once
/// \file
/// The set of zones a server answers from: an immutable snapshot. A reload builds a new set and
/// swaps the pointer; readers never lock.

#include <cstddef>
#include <memory>
#include <vector>

#include "dnswire/name.hpp"
#include "zone/zone.hpp"

namespace dnsfleet::zone {

/// An immutable collection of zones, looked up by the longest apex that contains a name.
class ZoneSet {
  public:
    ZoneSet() = default;
    /// Takes the zones; when two share an apex the later one wins.
    explicit ZoneSet(std::vector<std::shared_ptr<const Zone>> zones);

    /// The zone with the longest apex at or above `name`, or nullptr (then the answer is
    /// REFUSED). Allocation-free.
    [[nodiscard]] const Zone* find(dnswire::NameView name) const noexcept;
    /// The zone whose apex is exactly `apex`, or nullptr.
    [[nodiscard]] std::shared_ptr<const Zone> get(dnswire::NameView apex) const noexcept;
    [[nodiscard]] std::size_t size() const noexcept { return zones_.size(); }
    [[nodiscard]] const std::vector<std::shared_ptr<const Zone>>& zones() const noexcept {
        return zones_;
    }

  private:
    std::vector<std::shared_ptr<const Zone>> zones_;
    /// Open-addressing table of indexes into zones_, keyed by the hash of the apex.
    std::vector<std::uint32_t> index_;
    /// Labels of the deepest apex: longer suffixes of a name cannot be an apex, so find()
    /// starts probing there.
    std::size_t maxApexLabels_ = 0;
};

}  // namespace dnsfleet::zone
