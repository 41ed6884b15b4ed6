#include "xfr/journal.hpp"

#include <algorithm>

namespace dnsfleet::xfr {

std::shared_ptr<const Journal> Journal::append(std::shared_ptr<const ZoneDiff> diff,
                                               const JournalLimits& limits,
                                               std::int64_t now) const {
    if (!diff) return std::make_shared<Journal>(*this);
    auto next = std::make_shared<Journal>();
    // A diff that does not start where the history ends (a reload that skipped versions, a
    // zone reset) makes the old steps useless: no client can be led across the gap.
    const bool continues = !diffs_.empty() && diffs_.back()->toSerial == diff->fromSerial;
    if (continues) {
        next->diffs_.reserve(diffs_.size() + 1);
        next->diffs_ = diffs_;
        next->bytes_ = bytes_;
    }
    next->bytes_ += diff->bytes();
    next->diffs_.push_back(std::move(diff));

    // Drop from the oldest end: a client that old gets AXFR, which it would need anyway.
    std::size_t drop = 0;
    std::size_t bytes = next->bytes_;
    const std::size_t count = next->diffs_.size();
    auto over = [&](std::size_t i) {
        const std::size_t depth = count - i;
        if (limits.maxDepth != 0 && depth > limits.maxDepth) return true;
        if (limits.maxBytes != 0 && bytes > limits.maxBytes) return true;
        const auto maxAge = static_cast<std::int64_t>(limits.maxAge.count());
        return maxAge > 0 && now - next->diffs_[i]->createdAt > maxAge;
    };
    while (drop + 1 < count && over(drop)) {
        bytes -= next->diffs_[drop]->bytes();
        ++drop;
    }
    if (drop > 0) {
        next->diffs_.erase(next->diffs_.begin(),
                           next->diffs_.begin() + static_cast<std::ptrdiff_t>(drop));
        next->bytes_ = bytes;
    }
    return next;
}

std::optional<std::vector<std::shared_ptr<const ZoneDiff>>> Journal::since(
    std::uint32_t serial) const {
    if (diffs_.empty()) return std::nullopt;
    if (diffs_.back()->toSerial == serial) return std::vector<std::shared_ptr<const ZoneDiff>>{};
    // From the newest end: should a serial recur in the history, the shortest path wins.
    for (std::size_t i = diffs_.size(); i-- > 0;) {
        if (diffs_[i]->fromSerial == serial)
            return std::vector<std::shared_ptr<const ZoneDiff>>(
                diffs_.begin() + static_cast<std::ptrdiff_t>(i), diffs_.end());
    }
    return std::nullopt;
}

std::uint32_t Journal::firstSerial() const noexcept {
    return diffs_.empty() ? 0 : diffs_.front()->fromSerial;
}

std::uint32_t Journal::lastSerial() const noexcept {
    return diffs_.empty() ? 0 : diffs_.back()->toSerial;
}

}  // namespace dnsfleet::xfr
