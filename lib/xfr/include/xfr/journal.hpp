#pragma once
/// \file
/// The IXFR history of one zone: the consecutive diffs that lead to its current version,
/// oldest first, bounded in size, depth and age. A journal is immutable once made: recording a
/// change makes a new journal that shares the old diffs, so a transfer being sent keeps
/// reading the journal it started with.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "xfr/diff.hpp"

namespace dnsfleet::xfr {

/// How much history to keep (0 = no limit of that kind). The newest diff is always kept.
struct JournalLimits {
    std::size_t maxBytes = std::size_t{64} << 20;
    std::size_t maxDepth = 1000;
    std::chrono::seconds maxAge{0};
};

class Journal {
  public:
    Journal() = default;

    /// A journal with `diff` appended and the oldest diffs dropped while over `limits` (as of
    /// `now`, seconds since the epoch). A diff that does not continue the history
    /// (`diff.fromSerial` is not the last toSerial) starts a new history.
    [[nodiscard]] std::shared_ptr<const Journal> append(std::shared_ptr<const ZoneDiff> diff,
                                                        const JournalLimits& limits,
                                                        std::int64_t now) const;

    /// The diffs that lead from `serial` to the newest version, or nothing when the journal
    /// does not reach back to `serial` (then IXFR falls back to AXFR). Empty (but present)
    /// when `serial` is already the newest.
    [[nodiscard]] std::optional<std::vector<std::shared_ptr<const ZoneDiff>>> since(
        std::uint32_t serial) const;

    [[nodiscard]] bool empty() const noexcept { return diffs_.empty(); }
    [[nodiscard]] std::size_t depth() const noexcept { return diffs_.size(); }
    [[nodiscard]] std::size_t bytes() const noexcept { return bytes_; }
    /// The oldest serial the journal can serve IXFR from (meaningless when empty()).
    [[nodiscard]] std::uint32_t firstSerial() const noexcept;
    /// The newest serial the journal leads to (meaningless when empty()).
    [[nodiscard]] std::uint32_t lastSerial() const noexcept;
    [[nodiscard]] const std::vector<std::shared_ptr<const ZoneDiff>>& diffs() const noexcept {
        return diffs_;
    }

  private:
    std::vector<std::shared_ptr<const ZoneDiff>> diffs_;
    std::size_t bytes_ = 0;
};

}  // namespace dnsfleet::xfr
