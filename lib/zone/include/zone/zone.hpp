#pragma once
/// \file
/// One zone: an immutable snapshot of its records, built once by a ZoneBuilder and then only
/// read, by any number of threads, without locks and without allocation.
///
/// Layout (see lib/zone/README.md): every node (owner name, empty non-terminals included) sits
/// in one array in canonical order (RFC 4034 §6.1); names live lower-cased in wire form in one
/// arena; RRsets of a node are a contiguous slice of one RRset array; the records of an RRset
/// are contiguous `[u16 length][rdata]` entries in one RDATA arena. An open-addressing table
/// maps a name to its node. NSEC3 records live apart (Knot does the same), in an array sorted
/// by hash, so they never answer normal lookups.

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "dnswire/name.hpp"

namespace dnsfleet::zone {

/// An index that points nowhere.
inline constexpr std::uint32_t kNoIndex = 0xFFFFFFFFU;

/// Facts about a node, fixed when the zone is built.
namespace nodeflag {
inline constexpr std::uint16_t Apex = 1U << 0;
/// NS records at a name other than the apex: a zone cut, the parent side of a delegation.
inline constexpr std::uint16_t Delegation = 1U << 1;
/// Strictly below a delegation: glue or occluded data, never authoritative.
inline constexpr std::uint16_t NonAuth = 1U << 2;
/// A child `*.<this name>` exists.
inline constexpr std::uint16_t WildcardChild = 1U << 3;
/// No records of its own, only descendants (RFC 4592 §2.2.2).
inline constexpr std::uint16_t EmptyNonTerminal = 1U << 4;
inline constexpr std::uint16_t HasDname = 1U << 5;
/// Strictly below a DNAME: occluded (RFC 6672 §2.4).
inline constexpr std::uint16_t BelowDname = 1U << 6;
inline constexpr std::uint16_t HasCname = 1U << 7;
inline constexpr std::uint16_t HasNsec = 1U << 8;
/// An owner of the NSEC3 chain (kept apart from the normal names).
inline constexpr std::uint16_t Nsec3Owner = 1U << 9;
}  // namespace nodeflag

/// One owner name; it heads the node's blob in the zone's arena. 20 octets.
struct Node {
    std::uint32_t nameOffset = 0;     ///< arena offset of the name (lower-cased wire form)
    std::uint32_t parent = kNoIndex;  ///< arena offset of the parent node (kNoIndex at the apex)
    std::uint32_t firstRRset = 0;     ///< arena offset of the first RRset header
    std::uint16_t rrsetCount = 0;
    std::uint16_t flags = 0;
    std::uint8_t nameLength = 0;
    std::uint8_t labels = 0;  ///< label count, root not counted

    [[nodiscard]] bool has(std::uint16_t flag) const noexcept { return (flags & flag) != 0; }
};

/// One RRset. The RRSIGs covering it are a slice of the node's RRSIG RRset, described by
/// another RRset entry (`signatures`) stored after the nodes' own RRsets.
struct RRset {
    std::uint32_t rdataOffset = 0;  ///< first record in the RDATA arena
    std::uint32_t ttl = 0;
    std::uint32_t signatures = kNoIndex;  ///< RRset index of the covering RRSIGs
    std::uint16_t type = 0;
    std::uint16_t count = 0;  ///< number of records
};

/// Iterates the RDATA of the records of one RRset.
class RdataIterator {
  public:
    RdataIterator() = default;
    RdataIterator(const std::uint8_t* p, std::uint16_t left) noexcept : p_(p), left_(left) {}
    [[nodiscard]] std::span<const std::uint8_t> operator*() const noexcept {
        return {p_ + 2, static_cast<std::size_t>((p_[0] << 8) | p_[1])};
    }
    RdataIterator& operator++() noexcept {
        p_ += 2U + static_cast<std::size_t>((p_[0] << 8) | p_[1]);
        --left_;
        return *this;
    }
    friend bool operator==(const RdataIterator& a, const RdataIterator& b) noexcept {
        return a.left_ == b.left_;
    }

  private:
    const std::uint8_t* p_ = nullptr;
    std::uint16_t left_ = 0;
};

/// A borrowed view of one RRset; empty (`!*this`) when the RRset does not exist.
class RRsetView {
  public:
    RRsetView() = default;
    RRsetView(const RRset* rrset, const std::uint8_t* rdata) noexcept
        : rrset_(rrset), rdata_(rdata) {}

    explicit operator bool() const noexcept { return rrset_ != nullptr; }
    [[nodiscard]] std::uint16_t type() const noexcept { return rrset_->type; }
    [[nodiscard]] std::uint32_t ttl() const noexcept { return rrset_->ttl; }
    [[nodiscard]] std::uint16_t size() const noexcept { return rrset_ ? rrset_->count : 0; }
    [[nodiscard]] RdataIterator begin() const noexcept {
        return rrset_ ? RdataIterator(rdata_ + rrset_->rdataOffset, rrset_->count)
                      : RdataIterator();
    }
    [[nodiscard]] RdataIterator end() const noexcept { return {}; }
    /// The first record's RDATA (for singletons such as SOA, CNAME, DNAME).
    [[nodiscard]] std::span<const std::uint8_t> first() const noexcept { return *begin(); }
    [[nodiscard]] const RRset* raw() const noexcept { return rrset_; }

  private:
    const RRset* rrset_ = nullptr;
    const std::uint8_t* rdata_ = nullptr;
};

/// NSEC3 parameters of the zone (from NSEC3PARAM at the apex).
struct Nsec3Params {
    bool present = false;
    std::uint8_t algorithm = 1;
    std::uint16_t iterations = 0;
    std::uint8_t saltLength = 0;
    std::array<std::uint8_t, 255> salt{};
};

/// What a name lookup found, as facts; the answer engine decides what they mean for a QTYPE.
struct Lookup {
    /// The node of the name itself (may be an empty non-terminal), or nullptr.
    const Node* match = nullptr;
    /// The closest encloser: the deepest existing node at or above the name.
    const Node* encloser = nullptr;
    /// The topmost zone cut at or above the name (a delegation, the name itself included), or
    /// the topmost DNAME strictly above it; nullptr when the name is authoritative.
    const Node* cut = nullptr;
    bool cutIsDname = false;
    /// When there is no match and no cut: the wildcard `*.<encloser>`, if it exists.
    const Node* wildcard = nullptr;
};

/// The nodes of a zone in some order, as arena offsets; indexable and iterable.
class NodeList {
  public:
    class Iterator {
      public:
        Iterator(const std::uint8_t* base, const std::uint32_t* at) noexcept
            : base_(base), at_(at) {}
        const Node& operator*() const noexcept {
            return *reinterpret_cast<const Node*>(base_ + *at_);  // NOLINT
        }
        Iterator& operator++() noexcept {
            ++at_;
            return *this;
        }
        friend bool operator==(const Iterator& a, const Iterator& b) noexcept {
            return a.at_ == b.at_;
        }

      private:
        const std::uint8_t* base_;
        const std::uint32_t* at_;
    };
    NodeList(const std::uint8_t* base, std::span<const std::uint32_t> offsets) noexcept
        : base_(base), offsets_(offsets) {}
    [[nodiscard]] std::size_t size() const noexcept { return offsets_.size(); }
    [[nodiscard]] bool empty() const noexcept { return offsets_.empty(); }
    const Node& operator[](std::size_t i) const noexcept {
        return *reinterpret_cast<const Node*>(base_ + offsets_[i]);  // NOLINT
    }
    [[nodiscard]] Iterator begin() const noexcept { return {base_, offsets_.data()}; }
    [[nodiscard]] Iterator end() const noexcept {
        return {base_, offsets_.data() + offsets_.size()};
    }

  private:
    const std::uint8_t* base_;
    std::span<const std::uint32_t> offsets_;
};

class ZoneBuilder;
class ZonePatcher;

/// An immutable zone snapshot.
class Zone {
  public:
    /// The zone's apex name (lower-cased).
    [[nodiscard]] dnswire::NameView apex() const noexcept { return name(apexNode()); }
    [[nodiscard]] const Node& apexNode() const noexcept { return *nodeAt(nodes_[0]); }
    /// The apex SOA RRset (always present in a built zone).
    [[nodiscard]] RRsetView soa() const noexcept { return view(soa_); }
    /// The TTL of negative answers: min(SOA TTL, SOA MINIMUM) (RFC 2308 §3).
    [[nodiscard]] std::uint32_t negativeTtl() const noexcept { return negativeTtl_; }

    /// The node named exactly `name` (any letter case), or nullptr. NSEC3 owners are not found
    /// here. Allocation-free.
    [[nodiscard]] const Node* find(dnswire::NameView name) const noexcept;
    /// Walks from the name towards the apex; `name` must be at or below the apex.
    [[nodiscard]] Lookup lookup(dnswire::NameView name) const noexcept;

    [[nodiscard]] dnswire::NameView name(const Node& node) const noexcept {
        return dnswire::NameView::fromTrusted(data_.data() + node.nameOffset, node.nameLength);
    }
    [[nodiscard]] const Node* parent(const Node& node) const noexcept {
        return node.parent == kNoIndex ? nullptr : nodeAt(node.parent);
    }
    [[nodiscard]] std::span<const RRset> rrsets(const Node& node) const noexcept {
        return {rrsetAt(node.firstRRset), node.rrsetCount};
    }
    /// The RRset of `type` at `node`, or an empty view.
    [[nodiscard]] RRsetView rrset(const Node& node, std::uint16_t type) const noexcept;
    /// The RRSIGs covering `rrset`, or an empty view.
    [[nodiscard]] RRsetView signatures(const RRset& rrset) const noexcept {
        return rrset.signatures == kNoIndex ? RRsetView() : view(rrsetAt(rrset.signatures));
    }
    [[nodiscard]] RRsetView view(const RRset* rrset) const noexcept {
        return {rrset, data_.data()};
    }

    /// All nodes in canonical order (empty non-terminals included; NSEC3 owners excluded).
    [[nodiscard]] NodeList nodes() const noexcept {
        return {data_.data(), {nodes_.data(), normalNodes_}};
    }
    /// NSEC3 owner nodes, sorted by hash.
    [[nodiscard]] NodeList nsec3Nodes() const noexcept {
        return {data_.data(), {nodes_.data() + normalNodes_, nodes_.size() - normalNodes_}};
    }

    /// True when the apex has an NSEC RRset (the zone is signed with NSEC).
    [[nodiscard]] bool hasNsec() const noexcept { return !nsecChain_.empty(); }
    /// The NSEC owner that is `name` or the closest before it in canonical order (wrapping to
    /// the last one), i.e. the NSEC that matches or covers `name`; nullptr without NSEC.
    [[nodiscard]] const Node* nsecFor(dnswire::NameView name) const noexcept;

    /// The NSEC3 parameters (present only when NSEC3PARAM is at the apex and NSEC3 exist).
    [[nodiscard]] const Nsec3Params& nsec3Params() const noexcept { return nsec3Params_; }
    /// Hashes `name` with the zone's NSEC3 parameters (RFC 5155 §5) into `out` (20 octets).
    void nsec3Hash(dnswire::NameView name, std::array<std::uint8_t, 20>& out) const noexcept;
    /// The NSEC3 node whose hash equals `hash` (`match`=true) or is the closest before it,
    /// wrapping (covering); nullptr when the zone has no NSEC3.
    [[nodiscard]] const Node* nsec3For(const std::array<std::uint8_t, 20>& hash,
                                       bool& match) const noexcept;

    /// Octets of memory the snapshot holds (for statistics and the memory budget tests).
    [[nodiscard]] std::size_t memoryUsage() const noexcept;
    /// Number of records (all RRsets' counts, RRSIG included).
    [[nodiscard]] std::size_t recordCount() const noexcept { return recordCount_; }

  private:
    friend class ZoneBuilder;
    friend class ZonePatcher;  // patch.hpp: the next version from unchanged blobs
    Zone() = default;
    [[nodiscard]] const Node* nodeAt(std::uint32_t offset) const noexcept {
        return reinterpret_cast<const Node*>(data_.data() + offset);  // NOLINT
    }
    [[nodiscard]] const RRset* rrsetAt(std::uint32_t offset) const noexcept {
        // The builder memcpy'd RRset objects to 4-aligned offsets of the arena.
        return reinterpret_cast<const RRset*>(data_.data() + offset);  // NOLINT
    }

    /// One blob per node, 4-aligned: Node, name, RRset headers (then RRSIG slice headers),
    /// RDATA. Objects were placed with memcpy (implicit-lifetime types).
    std::vector<std::uint8_t> data_;
    /// Arena offsets of the nodes: canonical order, then NSEC3 owners by hash.
    std::vector<std::uint32_t> nodes_;
    /// Open addressing, linear probing: (upper 32 bits of the hash) << 32 | (node offset + 1).
    std::vector<std::uint64_t> table_;
    std::uint64_t tableMask_ = 0;
    std::vector<std::uint32_t> nsecChain_;  ///< offsets of nodes holding NSEC, canonical order
    /// Raw NSEC3 hashes (20 octets each, SHA-1) in the order of nsec3Nodes().
    std::vector<std::array<std::uint8_t, 20>> nsec3Hashes_;
    Nsec3Params nsec3Params_;
    std::size_t normalNodes_ = 0;
    const RRset* soa_ = nullptr;
    std::uint32_t negativeTtl_ = 0;
    std::size_t recordCount_ = 0;
};

}  // namespace dnsfleet::zone
