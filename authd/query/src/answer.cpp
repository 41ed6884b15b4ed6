#include "answer.hpp"

#include <algorithm>
#include <cstring>

#include "dnswire/rrtype.hpp"
#include "dnswire/wire.hpp"

namespace dnsfleet::authd::detail {

using dnswire::NameView;
using dnswire::Section;
namespace rrtype = dnswire::rrtype;
namespace flag = dnswire::flag;

void Answerer::run() noexcept {
    builder_.setFlag(flag::AA);
    NameView sname = question_.qname;
    // Knot follows CNAME and DNAME targets inside the zone of the question only; a chain that
    // leaves the zone ends with the last in-zone record, and the resolver continues from there.
    // kMaxChain links, then one more step for the answer at the end of the chain.
    for (std::size_t hop = 0; hop <= kMaxChain; ++hop) {
        if (step(sname) == Outcome::Done || truncated_) break;
        sname = next_;
        if (!dnswire::isSubdomain(sname, zone_.apex())) break;
    }
    if (!truncated_) flushAuthority();
    if (!truncated_) flushAdditional();
}

Answerer::Outcome Answerer::step(NameView sname) noexcept {
    const zone::Lookup lookup = zone_.lookup(sname);
    if (lookup.cut != nullptr && !lookup.cutIsDname &&
        !(lookup.match == lookup.cut && question_.qtype == rrtype::DS)) {
        // The DS RRset of a delegation lives on the parent side (RFC 4035 §3.1.4.1); every
        // other type at or below the cut belongs to the child.
        referral(*lookup.cut);
        return Outcome::Done;
    }
    if (lookup.cut != nullptr && lookup.cutIsDname) return dname(sname, *lookup.cut);
    if (lookup.match != nullptr) return answerNode(sname, *lookup.match, false, lookup);
    if (lookup.wildcard != nullptr) return answerNode(sname, *lookup.wildcard, true, lookup);
    nxDomain(sname, lookup);
    return Outcome::Done;
}

Answerer::Outcome Answerer::answerNode(NameView sname, const zone::Node& node, bool wildcard,
                                       const zone::Lookup& lookup) noexcept {
    const std::uint16_t qtype = question_.qtype;
    // RRSIG and NSEC may sit beside a CNAME (RFC 4035 §2.5), so asking for them, like asking
    // for the CNAME itself or ANY, does not follow it (Knot behaves the same).
    if (node.has(zone::nodeflag::HasCname) && qtype != rrtype::CNAME && qtype != rrtype::ANY &&
        qtype != rrtype::RRSIG && qtype != rrtype::NSEC) {
        // A loop ends the chain at the record that closes it, as Knot does.
        for (std::size_t i = 0; i < visitedCount_; ++i) {
            if (visited_[i] == &node) return Outcome::Done;
        }
        // Past the bound the answer ends before the next link, NOERROR and no SOA (Knot).
        if (visitedCount_ == kMaxChain) return Outcome::Done;
        const zone::RRsetView cname = zone_.rrset(node, rrtype::CNAME);
        if (!put(Section::Answer, sname, *cname.raw())) return Outcome::Done;
        if (wildcard && question_.dnssec) proveWildcardAnswer(sname, lookup);
        visited_[visitedCount_++] = &node;
        const auto target = cname.first();
        next_ = NameView::fromTrusted(target.data(), target.size());
        return Outcome::Follow;
    }

    const zone::RRset* found = nullptr;
    if (qtype == rrtype::ANY) {
        // RFC 8482 §4.1 lets us answer with one RRset; Knot 3.2 picks the first in type order.
        for (const zone::RRset& rrset : zone_.rrsets(node)) {
            if (rrset.type != rrtype::RRSIG) {
                found = &rrset;
                break;
            }
        }
    } else if (qtype == rrtype::RRSIG) {
        // Knot 3.2 answers an RRSIG query with the signatures of one RRset only: the first
        // signed one in type order (a minimal answer in the spirit of RFC 8482).
        for (const zone::RRset& rrset : zone_.rrsets(node)) {
            if (rrset.type != rrtype::RRSIG && rrset.signatures != zone::kNoIndex) {
                found = zone_.signatures(rrset).raw();
                break;
            }
        }
    } else {
        found = zone_.rrset(node, qtype).raw();
    }
    if (found == nullptr) {
        noData(sname, &node, wildcard, lookup);
        return Outcome::Done;
    }
    if (!put(Section::Answer, sname, *found)) return Outcome::Done;
    queueAdditional(*found);
    if (wildcard && question_.dnssec) proveWildcardAnswer(sname, lookup);
    return Outcome::Done;
}

void Answerer::referral(const zone::Node& cut) noexcept {
    if (builder_.count(Section::Answer) == 0) builder_.setFlag(flag::AA, false);
    queueAuthority(&cut, rrtype::NS);
    if (question_.dnssec) {
        if (zone_.rrset(cut, rrtype::DS)) {
            queueAuthority(&cut, rrtype::DS);
        } else {
            proveNoDs(cut);
        }
    }
    if (const zone::RRsetView ns = zone_.rrset(cut, rrtype::NS)) queueAdditional(*ns.raw(), &cut);
}

Answerer::Outcome Answerer::dname(NameView sname, const zone::Node& node) noexcept {
    // A DNAME is a link of the chain too (Knot counts both against one bound).
    if (visitedCount_ == kMaxChain) return Outcome::Done;
    const zone::RRsetView dnameSet = zone_.rrset(node, rrtype::DNAME);
    const NameView owner = zone_.name(node);
    if (!put(Section::Answer, owner, *dnameSet.raw())) return Outcome::Done;
    const auto target = dnameSet.first();
    const std::size_t prefix = sname.size() - owner.size();
    if (prefix + target.size() > dnswire::kMaxNameLength) {
        // RFC 6672 §2.2: the substituted name does not fit.
        builder_.setRcode(dnswire::rcode::YXDOMAIN);
        return Outcome::Done;
    }
    std::array<std::uint8_t, dnswire::kMaxNameLength> wire{};
    std::memcpy(wire.data(), sname.data(), prefix);
    std::memcpy(wire.data() + prefix, target.data(), target.size());
    auto synthesized = dnswire::Name::fromUncompressed({wire.data(), prefix + target.size()});
    if (!synthesized) return Outcome::Done;
    dnswire::Name& slot = synth_[synthNext_++ % synth_.size()];
    slot = *synthesized;
    // The synthesized CNAME carries the DNAME's TTL and no signature (RFC 6672 §3.4, §5.3.1).
    auto added = builder_.addRecord(Section::Answer, sname, rrtype::CNAME, dnswire::rrclass::IN,
                                    dnameSet.ttl(), slot.wire());
    if (!added) {
        truncate();
        return Outcome::Done;
    }
    // The synthesized CNAME is itself the answer to a CNAME question.
    if (question_.qtype == rrtype::CNAME) return Outcome::Done;
    for (std::size_t i = 0; i < visitedCount_; ++i) {
        if (visited_[i] == &node) return Outcome::Done;
    }
    visited_[visitedCount_++] = &node;
    next_ = slot.view();
    return Outcome::Follow;
}

void Answerer::noData(NameView sname, const zone::Node* node, bool wildcard,
                      const zone::Lookup& lookup) noexcept {
    negativeSoa_ = true;
    queueAuthority(&zone_.apexNode(), rrtype::SOA);
    if (question_.dnssec) proveNoData(sname, node, lookup, wildcard);
}

void Answerer::nxDomain(NameView sname, const zone::Lookup& lookup) noexcept {
    builder_.setRcode(dnswire::rcode::NXDOMAIN);
    negativeSoa_ = true;
    queueAuthority(&zone_.apexNode(), rrtype::SOA);
    if (question_.dnssec) proveNoName(sname, lookup);
}

bool Answerer::put(Section section, NameView owner, const zone::RRset& rrset,
                   std::uint32_t ttlOverride, bool required) noexcept {
    const auto mark = builder_.mark();
    const std::uint32_t ttl = ttlOverride != 0 ? ttlOverride : rrset.ttl;
    for (const auto rdata : zone_.view(&rrset)) {
        if (!builder_.addRecord(section, owner, rrset.type, dnswire::rrclass::IN, ttl, rdata)) {
            builder_.rollback(mark);
            if (section != Section::Additional || required) truncate();
            return false;
        }
    }
    if (question_.dnssec) {
        const zone::RRsetView sigs = zone_.signatures(rrset);
        for (const auto rdata : sigs) {
            if (!builder_.addRecord(section, owner, rrtype::RRSIG, dnswire::rrclass::IN,
                                    ttlOverride != 0 ? ttlOverride : sigs.ttl(), rdata)) {
                builder_.rollback(mark);
                if (section != Section::Additional || required) truncate();
                return false;
            }
        }
    }
    return true;
}

void Answerer::truncate() noexcept {
    // Answers are cut at RRset boundaries, never inside one: a resolver that sees half an
    // RRset caches a lie (RFC 2181 §9). TC tells it to retry over TCP.
    builder_.setFlag(flag::TC);
    truncated_ = true;
}

void Answerer::queueAuthority(const zone::Node* node, std::uint16_t type) noexcept {
    if (node == nullptr) return;
    for (std::size_t i = 0; i < authorityCount_; ++i) {
        // One NSEC can prove two things (the name and the wildcard): send it once.
        if (authority_[i].node == node && authority_[i].type == type) return;
    }
    if (authorityCount_ == authority_.size()) return;
    authority_[authorityCount_++] = Item{node, type, zone_.name(*node)};
}

void Answerer::flushAuthority() noexcept {
    for (std::size_t i = 0; i < authorityCount_; ++i) {
        const Item& item = authority_[i];
        const zone::RRsetView rrset = zone_.rrset(*item.node, item.type);
        if (!rrset) continue;
        // RFC 2308 §3: the SOA of a negative answer lives min(SOA TTL, SOA MINIMUM).
        const std::uint32_t ttl =
            (item.type == rrtype::SOA && negativeSoa_) ? zone_.negativeTtl() : 0;
        if (!put(Section::Authority, item.owner, *rrset.raw(), ttl)) return;
    }
}

void Answerer::queueAdditional(const zone::RRset& rrset, const zone::Node* cut) noexcept {
    switch (rrset.type) {
        case rrtype::NS:
        case rrtype::MX:
        case rrtype::SRV:
        case rrtype::SVCB:
        case rrtype::HTTPS:
            break;
        default:
            return;
    }
    if (additionalCount_ < additional_.size())
        additional_[additionalCount_++] = Pending{&rrset, cut};
}

namespace {

// Where the host name sits in the RDATA of the types that trigger additional processing
// (RFC 1035 §3.3.11, §3.3.9; RFC 2782; RFC 9460 §2.2: TargetName after SvcPriority).
NameView additionalTarget(std::uint16_t type, std::span<const std::uint8_t> rdata) noexcept {
    std::size_t offset = 0;
    if (type == rrtype::MX || type == rrtype::SVCB || type == rrtype::HTTPS) offset = 2;
    if (type == rrtype::SRV) offset = 6;
    // The name ends at its root label: SVCB/HTTPS parameters follow it.
    std::size_t end = offset;
    while (end < rdata.size() && rdata[end] != 0)
        end += std::size_t{rdata[end]} + 1U;
    if (end >= rdata.size()) return {};
    return NameView::fromTrusted(rdata.data() + offset, end + 1U - offset);
}

bool isServiceBinding(std::uint16_t type) noexcept {
    return type == rrtype::SVCB || type == rrtype::HTTPS;
}

}  // namespace

void Answerer::flushAdditional() noexcept {
    for (std::size_t i = 0; i < additionalCount_; ++i) {
        const Pending& item = additional_[i];
        if (item.cut == nullptr) {
            if (!addTargets(*item.rrset, nullptr, Glue::All)) return;
            continue;
        }
        // A referral is useless without the addresses of name servers inside the delegated
        // zone: that glue goes first and sets TC when it does not fit (RFC 9471 §3). Sibling
        // and other in-zone addresses stay optional (Knot 3.2 draws the same line).
        if (!addTargets(*item.rrset, item.cut, Glue::InDomain)) return;
        if (!addTargets(*item.rrset, item.cut, Glue::Others)) return;
    }
}

bool Answerer::addTargets(const zone::RRset& rrset, const zone::Node* cut, Glue pass) noexcept {
    // Like Knot, one round per record, so two records naming one host add its addresses twice,
    // and the first that does not fit ends the additional section.
    for (const auto rdata : zone_.view(&rrset)) {
        const NameView target = additionalTarget(rrset.type, rdata);
        if (target.size() == 0) continue;
        // A TargetName of "." (the owner itself, RFC 9460 §2.5) is not followed: Knot looks the
        // root name up in the zone and finds nothing.
        const zone::Node* node = zone_.find(target);
        if (node == nullptr) continue;
        if (pass != Glue::All) {
            const bool inDomain =
                (node->has(zone::nodeflag::NonAuth) || node->has(zone::nodeflag::Delegation)) &&
                dnswire::isSubdomain(zone_.name(*node), zone_.name(*cut));
            if (inDomain != (pass == Glue::InDomain)) continue;
        }
        const bool required = pass == Glue::InDomain;
        const NameView owner = zone_.name(*node);
        // RFC 9460 §4.1: a service binding's target also brings its own SVCB/HTTPS RRset.
        const std::array<std::uint16_t, 3> types = {rrtype::A, rrtype::AAAA, rrset.type};
        const std::size_t wanted = isServiceBinding(rrset.type) ? 3 : 2;
        std::size_t present = 0;
        for (std::size_t k = 0; k < wanted; ++k) {
            const zone::RRsetView found = zone_.rrset(*node, types[k]);
            if (!found) continue;
            // Additional data is optional: what does not fit is left out without TC
            // (RFC 2181 §9), as Knot does; only required glue sets TC.
            if (!put(Section::Additional, owner, *found.raw(), 0, required)) return false;
            ++present;
        }
        if (present < wanted && isServiceBinding(rrset.type) && question_.dnssec &&
            !addTargetDenial(*node))
            return false;
    }
    return true;
}

}  // namespace dnsfleet::authd::detail
