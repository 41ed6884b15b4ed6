// DNSSEC-aware answers for zones signed elsewhere (test/data, made with ldns-signzone). The
// proofs are checked by what they prove — an NSEC covers the name, an NSEC3 hash matches or
// covers the hashed name — rather than by copying owner names from a server's output.

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "query_fixture.hpp"
#include "zone/loader.hpp"
#include "zone/zoneset.hpp"

namespace dnsfleet::authd {
namespace {

using namespace testing;
namespace t = dnswire::rrtype;
namespace rc = dnswire::rcode;
namespace fl = dnswire::flag;
using Hash = std::array<std::uint8_t, 20>;

std::filesystem::path dataDir() {
    return std::filesystem::path(__FILE__).parent_path() / "data";
}

const zone::ZoneSet& zones() {
    static const zone::ZoneSet set = [] {
        std::vector<std::shared_ptr<const zone::Zone>> list;
        for (const char* apex : {"nsec.test.", "nsec3.test.", "optout.test."}) {
            auto loaded =
                zone::loadZoneFile(name(apex), dataDir() / (std::string(apex) + "zone.signed"));
            if (!loaded) throw std::runtime_error(loaded.error().front());
            list.push_back(*loaded);
        }
        return zone::ZoneSet(list);
    }();
    return set;
}

Response askDo(const std::string& qname, std::uint16_t qtype, bool dnssecOk = true) {
    QuerySpec spec;
    spec.qname = qname;
    spec.qtype = qtype;
    spec.edns = true;
    spec.dnssecOk = dnssecOk;
    return ask(zones(), spec);
}

std::vector<Rr> ofType(const std::vector<Rr>& section, std::uint16_t type) {
    std::vector<Rr> out;
    std::copy_if(section.begin(), section.end(), std::back_inserter(out),
                 [type](const Rr& rr) { return rr.type == type; });
    return out;
}

/// True when every RRset in `section` (other than RRSIG) has an RRSIG covering it.
bool everyRRsetSigned(const std::vector<Rr>& section) {
    for (const Rr& rr : section) {
        if (rr.type == t::RRSIG) continue;
        const bool signedSet = std::any_of(section.begin(), section.end(), [&](const Rr& sig) {
            return sig.type == t::RRSIG && sig.owner == rr.owner &&
                   dnswire::loadU16(sig.rdata.data()) == rr.type;
        });
        if (!signedSet) return false;
    }
    return true;
}

bool nsecCovers(const Rr& nsec, const std::string& qname) {
    std::size_t pos = 0;
    auto next = dnswire::Name::fromWire(nsec.rdata, pos);
    if (!next) return false;
    const auto owner = name(nsec.owner);
    const auto q = name(qname);
    const int afterOwner = dnswire::compareCanonical(owner, q);
    const int beforeNext = dnswire::compareCanonical(q, *next);
    if (dnswire::compareCanonical(owner, *next) < 0) return afterOwner < 0 && beforeNext < 0;
    return afterOwner < 0 || beforeNext < 0;  // the last NSEC wraps to the apex
}

Hash hashOf(const std::string& qname) {
    const zone::Zone* zone = zones().find(name(qname));
    Hash hash{};
    zone->nsec3Hash(name(qname), hash);
    return hash;
}

Hash ownerHash(const Rr& nsec3) {
    Hash out{};
    const auto owner = name(nsec3.owner);
    std::uint64_t acc = 0;
    int bits = 0;
    std::size_t n = 0;
    for (const std::uint8_t c : owner.view().firstLabel()) {
        const int v = c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
        acc = (acc << 5) | static_cast<std::uint64_t>(v);
        bits += 5;
        if (bits >= 8) {
            bits -= 8;
            out[n++] = static_cast<std::uint8_t>(acc >> bits);
        }
    }
    return out;
}

Hash nextHash(const Rr& nsec3) {
    const std::size_t saltLength = nsec3.rdata[4];
    Hash out{};
    std::copy_n(nsec3.rdata.begin() + 6 + static_cast<std::ptrdiff_t>(saltLength), 20, out.begin());
    return out;
}

bool nsec3Matches(const std::vector<Rr>& section, const std::string& qname) {
    const Hash h = hashOf(qname);
    return std::any_of(section.begin(), section.end(),
                       [&](const Rr& rr) { return rr.type == t::NSEC3 && ownerHash(rr) == h; });
}

bool nsec3Covers(const std::vector<Rr>& section, const std::string& qname) {
    const Hash h = hashOf(qname);
    return std::any_of(section.begin(), section.end(), [&](const Rr& rr) {
        if (rr.type != t::NSEC3) return false;
        const Hash owner = ownerHash(rr);
        const Hash next = nextHash(rr);
        if (owner < next) return owner < h && h < next;
        return owner < h || h < next;
    });
}

bool optOut(const Rr& nsec3) {
    return (nsec3.rdata[1] & 1) != 0;
}

TEST(Dnssec, PositiveAnswerCarriesRrsigsOnlyWithDo) {
    const auto r = askDo("www.nsec.test.", t::A);
    EXPECT_EQ(r.answer.size(), 2U);
    EXPECT_TRUE(everyRRsetSigned(r.answer));
    EXPECT_EQ(r.optTtl & 0x8000U, 0x8000U);
    const auto plain = askDo("www.nsec.test.", t::A, false);
    EXPECT_EQ(plain.answer.size(), 1U);
    EXPECT_TRUE(ofType(plain.answer, t::RRSIG).empty());
}

TEST(Dnssec, NsecNxDomainCoversTheNameAndTheWildcard) {
    const auto r = askDo("nothere.nsec.test.", t::A);
    EXPECT_EQ(r.rcode(), rc::NXDOMAIN);
    EXPECT_TRUE(everyRRsetSigned(r.authority));
    const auto nsecs = ofType(r.authority, t::NSEC);
    ASSERT_FALSE(nsecs.empty());
    EXPECT_LE(nsecs.size(), 2U);
    EXPECT_TRUE(std::any_of(nsecs.begin(), nsecs.end(),
                            [](const Rr& n) { return nsecCovers(n, "nothere.nsec.test."); }));
    EXPECT_TRUE(std::any_of(nsecs.begin(), nsecs.end(),
                            [](const Rr& n) { return nsecCovers(n, "*.nsec.test."); }));
    // The SOA and its signature both get the negative TTL (RFC 2308 §3, as Knot).
    for (const Rr& rr : r.authority) {
        const bool soa = rr.type == t::SOA ||
                         (rr.type == t::RRSIG && dnswire::loadU16(rr.rdata.data()) == t::SOA);
        if (soa) {
            EXPECT_EQ(rr.ttl, 300U);
        }
    }
    const auto plain = askDo("nothere.nsec.test.", t::A, false);
    EXPECT_EQ(plain.authority.size(), 1U);
}

TEST(Dnssec, NsecNoDataShowsTheNamesOwnNsec) {
    const auto r = askDo("www.nsec.test.", t::TXT);
    const auto nsecs = ofType(r.authority, t::NSEC);
    ASSERT_EQ(nsecs.size(), 1U);
    EXPECT_EQ(nsecs[0].owner, "www.nsec.test.");
    EXPECT_TRUE(everyRRsetSigned(r.authority));
    // An empty non-terminal has no NSEC: the one spanning it proves it empty.
    const auto ent = askDo("b.c.nsec.test.", t::A);
    const auto entNsecs = ofType(ent.authority, t::NSEC);
    ASSERT_EQ(entNsecs.size(), 1U);
    EXPECT_TRUE(nsecCovers(entNsecs[0], "b.c.nsec.test."));
}

TEST(Dnssec, NsecWildcardAnswerProvesTheNameAbsent) {
    const auto r = askDo("x.wild.nsec.test.", t::A);
    ASSERT_EQ(ofType(r.answer, t::A).size(), 1U);
    const auto sigs = ofType(r.answer, t::RRSIG);
    ASSERT_EQ(sigs.size(), 1U);
    EXPECT_EQ(sigs[0].owner, "x.wild.nsec.test.");
    EXPECT_EQ(sigs[0].rdata[3], 3);  // labels of *.wild.nsec.test: the expansion shows
    const auto nsecs = ofType(r.authority, t::NSEC);
    ASSERT_EQ(nsecs.size(), 1U);
    EXPECT_TRUE(nsecCovers(nsecs[0], "x.wild.nsec.test."));
    // Wildcard NODATA: the name is absent and the wildcard lacks the type.
    const auto nodata = askDo("x.wild.nsec.test.", t::MX);
    const auto proof = ofType(nodata.authority, t::NSEC);
    EXPECT_EQ(proof.size(), 2U);
    EXPECT_TRUE(std::any_of(proof.begin(), proof.end(),
                            [](const Rr& n) { return n.owner == "*.wild.nsec.test."; }));
}

TEST(Dnssec, ReferralsCarryDsOrTheProofOfNoDs) {
    const auto secure = askDo("www.child.nsec.test.", t::A);
    EXPECT_FALSE(secure.has(fl::AA));
    EXPECT_EQ(ofType(secure.authority, t::DS).size(), 1U);
    EXPECT_EQ(ofType(secure.authority, t::RRSIG).size(), 1U);  // the DS's; NS is unsigned
    EXPECT_TRUE(ofType(secure.authority, t::NSEC).empty());
    const auto insecure = askDo("unsigned.nsec.test.", t::A);
    const auto nsecs = ofType(insecure.authority, t::NSEC);
    ASSERT_EQ(nsecs.size(), 1U);
    EXPECT_EQ(nsecs[0].owner, "unsigned.nsec.test.");
    const auto sigs = ofType(insecure.authority, t::RRSIG);
    ASSERT_EQ(sigs.size(), 1U);  // the NSEC's; NS at a cut is never signed
    EXPECT_EQ(dnswire::loadU16(sigs[0].rdata.data()), t::NSEC);
}

TEST(Dnssec, Nsec3NxDomainIsAClosestEncloserProof) {
    const auto r = askDo("a.nothere.nsec3.test.", t::A);
    EXPECT_EQ(r.rcode(), rc::NXDOMAIN);
    EXPECT_TRUE(everyRRsetSigned(r.authority));
    EXPECT_TRUE(nsec3Matches(r.authority, "nsec3.test."));         // closest encloser
    EXPECT_TRUE(nsec3Covers(r.authority, "nothere.nsec3.test."));  // next closer
    EXPECT_TRUE(nsec3Covers(r.authority, "*.nsec3.test."));        // no wildcard
    EXPECT_LE(ofType(r.authority, t::NSEC3).size(), 3U);
}

TEST(Dnssec, Nsec3NoDataMatchesTheNameOrTheEmptyNonTerminal) {
    const auto r = askDo("www.nsec3.test.", t::TXT);
    ASSERT_EQ(ofType(r.authority, t::NSEC3).size(), 1U);
    EXPECT_TRUE(nsec3Matches(r.authority, "www.nsec3.test."));
    const auto ent = askDo("b.c.nsec3.test.", t::A);
    ASSERT_EQ(ofType(ent.authority, t::NSEC3).size(), 1U);
    EXPECT_TRUE(nsec3Matches(ent.authority, "b.c.nsec3.test."));
}

TEST(Dnssec, Nsec3WildcardAnswersAndNoData) {
    const auto r = askDo("x.wild.nsec3.test.", t::A);
    EXPECT_EQ(ofType(r.answer, t::A).size(), 1U);
    EXPECT_TRUE(nsec3Covers(r.authority, "x.wild.nsec3.test."));
    const auto nodata = askDo("x.wild.nsec3.test.", t::MX);
    EXPECT_TRUE(nsec3Matches(nodata.authority, "wild.nsec3.test."));
    EXPECT_TRUE(nsec3Covers(nodata.authority, "x.wild.nsec3.test."));
    EXPECT_TRUE(nsec3Matches(nodata.authority, "*.wild.nsec3.test."));
}

TEST(Dnssec, OptOutDelegationGetsTheClosestProvableEncloserProof) {
    const auto r = askDo("unsigned.optout.test.", t::A);
    EXPECT_FALSE(r.has(fl::AA));
    EXPECT_FALSE(nsec3Matches(r.authority, "unsigned.optout.test."));
    EXPECT_TRUE(nsec3Matches(r.authority, "optout.test."));
    const auto nsec3s = ofType(r.authority, t::NSEC3);
    const Hash h = hashOf("unsigned.optout.test.");
    const bool coveredByOptOut = std::any_of(nsec3s.begin(), nsec3s.end(), [&](const Rr& rr) {
        return optOut(rr) && ownerHash(rr) < h &&
               (h < nextHash(rr) || nextHash(rr) < ownerHash(rr));
    });
    EXPECT_TRUE(coveredByOptOut);
    const auto ds = askDo("unsigned.optout.test.", t::DS);
    EXPECT_TRUE(ds.has(fl::AA));
    EXPECT_TRUE(nsec3Covers(ds.authority, "unsigned.optout.test."));
}

TEST(Dnssec, ExplicitDnssecTypesAreDataWithoutDo) {
    const auto rrsig = askDo("www.nsec.test.", t::RRSIG, false);
    ASSERT_EQ(rrsig.answer.size(), 1U);
    EXPECT_EQ(dnswire::loadU16(rrsig.answer[0].rdata.data()), t::A);
    const auto nsec = askDo("www.nsec.test.", t::NSEC, false);
    EXPECT_EQ(nsec.answer.size(), 1U);
    const auto dnskey = askDo("nsec.test.", t::DNSKEY, false);
    EXPECT_EQ(dnskey.answer.size(), 2U);
    // An NSEC3 owner is not a name of the zone.
    const auto owner = askDo(zones()
                                 .find(name("nsec3.test."))
                                 ->name(zones().find(name("nsec3.test."))->nsec3Nodes()[0])
                                 .toText(),
                             t::NSEC3, false);
    EXPECT_EQ(owner.rcode(), rc::NXDOMAIN);
}

TEST(Dnssec, RrsigQuestionAtACnameIsNotFollowed) {
    const auto r = askDo("alias.nsec.test.", t::RRSIG, false);
    ASSERT_EQ(r.answer.size(), 1U);
    EXPECT_EQ(dnswire::loadU16(r.answer[0].rdata.data()), t::CNAME);
}

}  // namespace
}  // namespace dnsfleet::authd
