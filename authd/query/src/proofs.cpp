// DNSSEC denial of existence for zones that arrive signed: which NSEC (RFC 4035 §3.1.3) or
// NSEC3 (RFC 5155 §7.2) records go into the authority section of each kind of answer.

#include <cstring>

#include "answer.hpp"
#include "dnswire/rrtype.hpp"

namespace dnsfleet::authd::detail {

using dnswire::NameView;
namespace rrtype = dnswire::rrtype;

namespace {

bool useNsec3(const zone::Zone& zone) noexcept {
    return !zone.hasNsec() && zone.nsec3Params().present;
}

// `*.<name>` into `out`; false when it would be too long.
bool wildcardOf(NameView name, std::array<std::uint8_t, dnswire::kMaxNameLength>& out,
                NameView& result) noexcept {
    if (name.size() + 2 > dnswire::kMaxNameLength) return false;
    out[0] = 1;
    out[1] = '*';
    std::memcpy(out.data() + 2, name.data(), name.size());
    result = NameView::fromTrusted(out.data(), name.size() + 2);
    return true;
}

}  // namespace

void Answerer::nsecCovering(NameView name) noexcept {
    queueAuthority(zone_.nsecFor(name), rrtype::NSEC);
}

bool Answerer::nsec3Matching(NameView name) noexcept {
    std::array<std::uint8_t, 20> hash{};
    zone_.nsec3Hash(name, hash);
    bool match = false;
    const zone::Node* node = zone_.nsec3For(hash, match);
    if (match) queueAuthority(node, rrtype::NSEC3);
    return match;
}

void Answerer::nsec3Covering(NameView name) noexcept {
    std::array<std::uint8_t, 20> hash{};
    zone_.nsec3Hash(name, hash);
    bool match = false;
    queueAuthority(zone_.nsec3For(hash, match), rrtype::NSEC3);
}

void Answerer::nsec3ClosestEncloser(NameView sname, const zone::Node& encloser,
                                    bool wildcardToo) noexcept {
    // RFC 5155 §7.2.1: the closest provable encloser has a matching NSEC3 (opt-out spans may
    // hide the real closest encloser, so walk up until one matches), the next closer name is
    // covered, and for NXDOMAIN so is the wildcard at the encloser.
    const zone::Node* ce = &encloser;
    while (ce != nullptr && !nsec3Matching(zone_.name(*ce)))
        ce = zone_.parent(*ce);
    if (ce == nullptr) return;
    const std::size_t labels = sname.labelCount();
    if (labels > ce->labels) nsec3Covering(sname.stripLabels(labels - ce->labels - 1U));
    if (wildcardToo) {
        std::array<std::uint8_t, dnswire::kMaxNameLength> buffer{};
        NameView wild;
        if (wildcardOf(zone_.name(*ce), buffer, wild)) nsec3Covering(wild);
    }
}

void Answerer::proveNoName(NameView sname, const zone::Lookup& lookup) noexcept {
    if (zone_.hasNsec()) {
        // RFC 4035 §3.1.3.2: the name does not exist, and neither does a wildcard that could
        // have produced it.
        nsecCovering(sname);
        std::array<std::uint8_t, dnswire::kMaxNameLength> buffer{};
        NameView wild;
        if (wildcardOf(zone_.name(*lookup.encloser), buffer, wild)) nsecCovering(wild);
    } else if (useNsec3(zone_)) {
        nsec3ClosestEncloser(sname, *lookup.encloser, true);
    }
}

void Answerer::proveNoData(NameView sname, const zone::Node* node, const zone::Lookup& lookup,
                           bool wildcard) noexcept {
    if (zone_.hasNsec()) {
        if (wildcard) {
            // RFC 4035 §3.1.3.4: the query name does not exist and the wildcard lacks the type.
            nsecCovering(sname);
            queueAuthority(node, rrtype::NSEC);
        } else if (node != nullptr && node->has(zone::nodeflag::HasNsec)) {
            queueAuthority(node, rrtype::NSEC);
        } else {
            // An empty non-terminal has no NSEC of its own: the one whose span holds it proves
            // that it has no types.
            nsecCovering(sname);
        }
        return;
    }
    if (!useNsec3(zone_)) return;
    if (wildcard) {
        // RFC 5155 §7.2.5: closest encloser, next closer and the wildcard's own NSEC3.
        nsec3ClosestEncloser(sname, *lookup.encloser, false);
        if (node != nullptr) nsec3Matching(zone_.name(*node));
        return;
    }
    // RFC 5155 §7.2.3; without a matching NSEC3 (opt-out) the closest provable encloser
    // proof of §7.2.4.
    if (!nsec3Matching(sname) && node != nullptr) {
        const zone::Node* parent = zone_.parent(*node);
        if (parent != nullptr) nsec3ClosestEncloser(sname, *parent, false);
    }
}

void Answerer::proveWildcardAnswer(NameView sname, const zone::Lookup& lookup) noexcept {
    // RFC 4035 §3.1.3.3 / RFC 5155 §7.2.6: prove that the query name itself does not exist.
    if (zone_.hasNsec()) {
        nsecCovering(sname);
    } else if (useNsec3(zone_)) {
        const std::size_t labels = sname.labelCount();
        const std::size_t ceLabels = lookup.encloser->labels;
        if (labels > ceLabels) nsec3Covering(sname.stripLabels(labels - ceLabels - 1U));
    }
}

void Answerer::proveNoDs(const zone::Node& cut) noexcept {
    if (zone_.hasNsec()) {
        // RFC 4035 §3.1.4.1: the NSEC at the delegation shows NS without DS.
        if (cut.has(zone::nodeflag::HasNsec)) queueAuthority(&cut, rrtype::NSEC);
        return;
    }
    if (!useNsec3(zone_)) return;
    // RFC 5155 §7.2.7: the matching NSEC3, or for an opt-out delegation the closest provable
    // encloser proof whose next-closer NSEC3 has the opt-out bit.
    const NameView name = zone_.name(cut);
    if (nsec3Matching(name)) return;
    if (const zone::Node* parent = zone_.parent(cut)) nsec3ClosestEncloser(name, *parent, false);
}

bool Answerer::addTargetDenial(const zone::Node& target) noexcept {
    // A service binding target that lacks an address or binding type gets the record proving
    // which types it has, so a validating client need not ask (Knot 3.2 adds the same).
    const zone::Node* node = nullptr;
    std::uint16_t type = rrtype::NSEC;
    if (useNsec3(zone_)) {
        std::array<std::uint8_t, 20> hash{};
        zone_.nsec3Hash(zone_.name(target), hash);
        bool match = false;
        node = zone_.nsec3For(hash, match);
        if (!match) return true;
        type = rrtype::NSEC3;
    } else {
        node = &target;
    }
    const zone::RRsetView proof = zone_.rrset(*node, type);
    if (!proof) return true;
    return put(dnswire::Section::Additional, zone_.name(*node), *proof.raw());
}

}  // namespace dnsfleet::authd::detail
