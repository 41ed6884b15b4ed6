#pragma once
/// \file
/// One zone: an immutable snapshot of its records, built once and then only read.

#include "dnswire/name.hpp"

namespace dnsfleet::zone {

/// An immutable zone snapshot.
class Zone {
public:
    virtual ~Zone() = default;
    /// The zone's apex name.
    [[nodiscard]] virtual dnswire::NameView apex() const noexcept = 0;
};

}  // namespace dnsfleet::zone
