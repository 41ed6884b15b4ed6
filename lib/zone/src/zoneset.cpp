#include "zone/zoneset.hpp"

#include <algorithm>

#include "name_index.hpp"

namespace dnsfleet::zone {

using dnswire::NameView;

namespace {

std::size_t probeStart(NameView name, std::size_t mask) noexcept {
    return static_cast<std::size_t>(dnswire::hashName(name)) & mask;
}

}  // namespace

ZoneSet::ZoneSet(std::vector<std::shared_ptr<const Zone>> zones) {
    // Later zones replace earlier ones with the same apex.
    std::vector<std::shared_ptr<const Zone>> unique;
    unique.reserve(zones.size());
    index_.assign(detail::tableSizeFor(zones.size()), 0);
    const std::size_t mask = index_.size() - 1;
    for (auto& zone : zones) {
        if (!zone) continue;
        std::size_t slot = probeStart(zone->apex(), mask);
        while (index_[slot] != 0 &&
               !dnswire::equalNames(unique[index_[slot] - 1]->apex(), zone->apex())) {
            slot = (slot + 1) & mask;
        }
        if (index_[slot] != 0) {
            unique[index_[slot] - 1] = std::move(zone);
            continue;
        }
        maxApexLabels_ = std::max(maxApexLabels_, zone->apex().labelCount());
        unique.push_back(std::move(zone));
        index_[slot] = static_cast<std::uint32_t>(unique.size());
    }
    zones_ = std::move(unique);
}

std::shared_ptr<const Zone> ZoneSet::get(NameView apex) const noexcept {
    if (index_.empty()) return nullptr;
    const std::size_t mask = index_.size() - 1;
    for (std::size_t slot = probeStart(apex, mask); index_[slot] != 0; slot = (slot + 1) & mask) {
        const auto& zone = zones_[index_[slot] - 1];
        if (dnswire::equalNames(zone->apex(), apex)) return zone;
    }
    return nullptr;
}

const Zone* ZoneSet::find(NameView name) const noexcept {
    if (index_.empty()) return nullptr;
    const std::size_t mask = index_.size() - 1;
    // Longest apex first: from the deepest apex length, then each parent down to the root.
    NameView current = name;
    const std::size_t labels = name.labelCount();
    if (labels > maxApexLabels_) current = name.stripLabels(labels - maxApexLabels_);
    while (true) {
        for (std::size_t slot = probeStart(current, mask); index_[slot] != 0;
             slot = (slot + 1) & mask) {
            const Zone* zone = zones_[index_[slot] - 1].get();
            if (dnswire::equalNames(zone->apex(), current)) return zone;
        }
        if (current.isRoot()) return nullptr;
        current = current.parent();
    }
}

}  // namespace dnsfleet::zone
