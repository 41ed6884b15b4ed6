#pragma once
// Walks every record of a Zone in place, the way AXFR sends them and diffs compare them: the
// normal nodes in canonical order, then the NSEC3 chain by hash; inside a node its RRsets in
// type order and each RRset's records in RDATA order. Allocation-free, resumable (the writer
// keeps one across messages).

#include <cstddef>
#include <cstdint>
#include <span>

#include "dnswire/rrtype.hpp"
#include "zone/record.hpp"
#include "zone/zone.hpp"

namespace dnsfleet::xfr::detail {

class ZoneCursor {
  public:
    /// `skipApexSoa` leaves out the apex SOA (transfers and diffs frame with it separately).
    ZoneCursor(const zone::Zone& zone, bool skipApexSoa) noexcept
        : zone_(&zone),
          nodes_(zone.nodes()),
          rrsets_(zone.rrsets(nodes_[0])),
          skipApexSoa_(skipApexSoa) {
        settle();
    }

    [[nodiscard]] bool atEnd() const noexcept { return list_ == 2; }
    /// The record under the cursor; only valid while !atEnd().
    [[nodiscard]] const zone::RecordView& current() const noexcept { return record_; }
    /// The node the current record belongs to.
    [[nodiscard]] const zone::Node& node() const noexcept { return nodes_[node_]; }
    /// True when the current node belongs to the NSEC3 chain.
    [[nodiscard]] bool inNsec3() const noexcept { return list_ == 1; }
    [[nodiscard]] const zone::RRset& rrset() const noexcept { return rrsets_[current_]; }

    void advance() noexcept {
        ++rdata_;
        settle();
    }

  private:
    // Moves forward until the cursor rests on a record or reaches the end; fills record_.
    void settle() noexcept {
        while (rdata_ == zone::RdataIterator()) {
            if (!enterNextRRset()) return;
        }
        const zone::RRset& set = rrsets_[current_];
        std::uint32_t ttl = set.ttl;
        if (set.type == dnswire::rrtype::RRSIG) {
            while (sliceLeft_ == 0) {
                ++slice_;
                sliceLeft_ = slice_->count;
            }
            ttl = slice_->ttl;
            --sliceLeft_;
        }
        record_ = zone::RecordView{zone_->name(nodes_[node_]), set.type, dnswire::rrclass::IN, ttl,
                                   *rdata_};
    }

    bool enterNextRRset() noexcept {
        while (next_ >= rrsets_.size()) {
            if (!nextNode()) return false;
        }
        current_ = next_++;
        const zone::RRset& set = rrsets_[current_];
        if (skipApexSoa_ && list_ == 0 && node_ == 0 && set.type == dnswire::rrtype::SOA) {
            rdata_ = {};
            return true;
        }
        rdata_ = zone_->view(&set).begin();
        if (set.type == dnswire::rrtype::RRSIG) {
            // A node's RRSIG RRset holds all its signatures; the slices that describe them per
            // covered type follow the node's own RRsets, in the same order, and each carries
            // the TTL of its signatures (it may differ between covered types).
            slice_ = rrsets_.data() + rrsets_.size();
            sliceLeft_ = slice_->count;
        }
        return true;
    }

    bool nextNode() noexcept {
        ++node_;
        while (node_ >= nodes_.size()) {
            if (list_ == 1) {
                list_ = 2;
                return false;
            }
            list_ = 1;
            nodes_ = zone_->nsec3Nodes();
            node_ = 0;
        }
        rrsets_ = zone_->rrsets(nodes_[node_]);
        next_ = 0;
        return true;
    }

    const zone::Zone* zone_;
    zone::NodeList nodes_;
    std::span<const zone::RRset> rrsets_;
    std::size_t node_ = 0;
    std::size_t next_ = 0;     // the RRset of the current node to enter next
    std::size_t current_ = 0;  // the RRset rdata_ walks
    zone::RdataIterator rdata_;
    const zone::RRset* slice_ = nullptr;
    std::uint16_t sliceLeft_ = 0;
    int list_ = 0;  // 0: normal nodes, 1: NSEC3 nodes, 2: the end
    bool skipApexSoa_;
    zone::RecordView record_;
};

}  // namespace dnsfleet::xfr::detail
