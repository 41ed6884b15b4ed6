#include "zone/zone.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "zone/zoneset.hpp"
#include "zone_fixture.hpp"

namespace dnsfleet::zone {
namespace {

using namespace testing;
namespace t = dnswire::rrtype;

std::shared_ptr<const Zone> sampleZone() {
    auto zone = buildZone(baseZone({
        {"www.example.", t::A, 300, aRdata(192, 0, 2, 10)},
        {"www.example.", t::A, 300, aRdata(192, 0, 2, 11)},
        {"www.example.", t::AAAA, 300, std::vector<std::uint8_t>(16, 1)},
        {"a.b.c.example.", t::A, 300, aRdata(192, 0, 2, 20)},
        {"*.wild.example.", t::A, 300, aRdata(192, 0, 2, 30)},
        {"sub.wild.example.", t::TXT, 300, {3, 'a', 'b', 'c'}},
        {"child.example.", t::NS, 3600, nameRdata("ns.child.example.")},
        {"ns.child.example.", t::A, 3600, aRdata(192, 0, 2, 40)},
        {"deep.ns.child.example.", t::A, 3600, aRdata(192, 0, 2, 41)},
        {"d.example.", t::DNAME, 300, nameRdata("example.net.")},
        {"alias.example.", t::CNAME, 300, nameRdata("www.example.")},
    }));
    if (!zone) {
        for (const auto& e : zone.error())
            ADD_FAILURE() << e;
        return nullptr;
    }
    return *zone;
}

TEST(Zone, FindsNamesInAnyCaseAndCreatesEmptyNonTerminals) {
    const auto zone = sampleZone();
    ASSERT_TRUE(zone);
    EXPECT_EQ(zone->apex().toText(), "example.");
    const Node* www = zone->find(name("WwW.ExAmPlE."));
    ASSERT_NE(www, nullptr);
    EXPECT_EQ(zone->name(*www).toText(), "www.example.");
    const auto a = zone->rrset(*www, t::A);
    ASSERT_TRUE(a);
    EXPECT_EQ(a.size(), 2);
    EXPECT_EQ(a.ttl(), 300U);
    std::vector<std::vector<std::uint8_t>> rdatas;
    for (const auto rdata : a)
        rdatas.emplace_back(rdata.begin(), rdata.end());
    EXPECT_EQ(rdatas[0], aRdata(192, 0, 2, 10));
    EXPECT_EQ(rdatas[1], aRdata(192, 0, 2, 11));

    const Node* bc = zone->find(name("b.c.example."));
    ASSERT_NE(bc, nullptr);
    EXPECT_TRUE(bc->has(nodeflag::EmptyNonTerminal));
    EXPECT_EQ(bc->rrsetCount, 0);
    const Node* c = zone->find(name("c.example."));
    ASSERT_NE(c, nullptr);
    EXPECT_TRUE(c->has(nodeflag::EmptyNonTerminal));
    EXPECT_EQ(zone->parent(*bc), c);
    EXPECT_EQ(zone->find(name("nothere.example.")), nullptr);
}

TEST(Zone, NodesAreInCanonicalOrder) {
    const auto zone = sampleZone();
    ASSERT_TRUE(zone);
    const auto nodes = zone->nodes();
    for (std::size_t i = 1; i < nodes.size(); ++i) {
        EXPECT_LT(dnswire::compareCanonical(zone->name(nodes[i - 1]), zone->name(nodes[i])), 0)
            << zone->name(nodes[i - 1]).toText() << " vs " << zone->name(nodes[i]).toText();
    }
    EXPECT_TRUE(nodes[0].has(nodeflag::Apex));
}

TEST(Zone, FlagsDelegationsGlueAndWildcards) {
    const auto zone = sampleZone();
    ASSERT_TRUE(zone);
    EXPECT_TRUE(zone->find(name("child.example."))->has(nodeflag::Delegation));
    EXPECT_TRUE(zone->find(name("ns.child.example."))->has(nodeflag::NonAuth));
    EXPECT_TRUE(zone->find(name("deep.ns.child.example."))->has(nodeflag::NonAuth));
    EXPECT_FALSE(zone->find(name("www.example."))->has(nodeflag::NonAuth));
    EXPECT_TRUE(zone->find(name("wild.example."))->has(nodeflag::WildcardChild));
    EXPECT_FALSE(zone->apexNode().has(nodeflag::Delegation));
    EXPECT_EQ(zone->negativeTtl(), 300U);  // min(SOA TTL 3600, MINIMUM 300)
}

TEST(Zone, LookupExactMatch) {
    const auto zone = sampleZone();
    const auto l = zone->lookup(name("www.example."));
    ASSERT_NE(l.match, nullptr);
    EXPECT_EQ(l.encloser, l.match);
    EXPECT_EQ(l.cut, nullptr);
    EXPECT_EQ(l.wildcard, nullptr);
}

TEST(Zone, LookupMissingNameFindsClosestEncloser) {
    const auto zone = sampleZone();
    const auto l = zone->lookup(name("x.y.b.c.example."));
    EXPECT_EQ(l.match, nullptr);
    ASSERT_NE(l.encloser, nullptr);
    EXPECT_EQ(zone->name(*l.encloser).toText(), "b.c.example.");
    const auto top = zone->lookup(name("nothere.example."));
    EXPECT_EQ(top.encloser, &zone->apexNode());
}

TEST(Zone, LookupWildcardOnlyForMissingNames) {
    const auto zone = sampleZone();
    const auto l = zone->lookup(name("foo.wild.example."));
    EXPECT_EQ(l.match, nullptr);
    ASSERT_NE(l.wildcard, nullptr);
    EXPECT_EQ(zone->name(*l.wildcard).toText(), "*.wild.example.");
    // RFC 4592 §2.2.1: sub.wild exists, so names below it do not match *.wild.
    const auto below = zone->lookup(name("x.sub.wild.example."));
    EXPECT_EQ(below.wildcard, nullptr);
    EXPECT_EQ(zone->name(*below.encloser).toText(), "sub.wild.example.");
    // The wildcard owner itself is an ordinary match.
    const auto self = zone->lookup(name("*.wild.example."));
    ASSERT_NE(self.match, nullptr);
}

TEST(Zone, LookupFindsTopmostDelegation) {
    const auto zone = sampleZone();
    for (const char* q : {"child.example.", "ns.child.example.", "x.deep.ns.child.example.",
                          "nothere.child.example."}) {
        const auto l = zone->lookup(name(q));
        ASSERT_NE(l.cut, nullptr) << q;
        EXPECT_FALSE(l.cutIsDname);
        EXPECT_EQ(zone->name(*l.cut).toText(), "child.example.") << q;
    }
}

TEST(Zone, LookupDnameAboveButNotAtName) {
    const auto zone = sampleZone();
    const auto below = zone->lookup(name("x.d.example."));
    ASSERT_NE(below.cut, nullptr);
    EXPECT_TRUE(below.cutIsDname);
    const auto at = zone->lookup(name("d.example."));
    EXPECT_EQ(at.cut, nullptr);
    ASSERT_NE(at.match, nullptr);
}

TEST(Zone, RejectsAMissingSoa) {
    auto noSoa = buildZone({{"example.", t::NS, 3600, nameRdata("ns1.example.")}});
    ASSERT_FALSE(noSoa);
    EXPECT_EQ(noSoa.error(), std::vector<std::string>{"missing SOA record at the zone apex"});
}

TEST(Zone, WarnsAboutAMissingApexNsLikeKnot) {
    // knotd 3.2.6 logs "missing NS at the zone apex" as a warning and serves the zone.
    std::vector<std::string> warnings;
    auto noNs = buildZone({{"example.", t::SOA, 3600, soaRdata()}}, &warnings);
    ASSERT_TRUE(noNs);
    EXPECT_EQ(warnings, std::vector<std::string>{"missing NS record at the zone apex"});
}

TEST(Zone, KeepsTheFirstOfSeveralSoaRecordsLikeKnot) {
    std::vector<std::string> warnings;
    auto twoSoa = buildZone(baseZone({{"example.", t::SOA, 3600, soaRdata(60)}}), &warnings);
    ASSERT_TRUE(twoSoa);
    EXPECT_EQ(warnings.size(), 1U);
    const auto soa = (*twoSoa)->soa();
    EXPECT_EQ(soa.size(), 1);
    EXPECT_EQ((*twoSoa)->negativeTtl(), 300U);  // the first SOA's MINIMUM, not the second's 60
}

TEST(Zone, RejectsCnameBesideDataButAllowsRrsigAndNsec) {
    auto bad = buildZone(baseZone({{"x.example.", t::CNAME, 300, nameRdata("www.example.")},
                                   {"x.example.", t::A, 300, aRdata(1, 2, 3, 4)}}));
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().front(), "CNAME beside other data at x.example.");
    auto two = buildZone(baseZone({{"x.example.", t::CNAME, 300, nameRdata("a.example.")},
                                   {"x.example.", t::CNAME, 300, nameRdata("b.example.")}}));
    ASSERT_FALSE(two);
    EXPECT_EQ(two.error().front(), "multiple CNAME records at x.example.");
    auto ok = buildZone(baseZone({{"x.example.", t::CNAME, 300, nameRdata("a.example.")},
                                  {"x.example.", t::RRSIG, 300, rrsigRdata(t::CNAME, 2, 300)},
                                  {"x.example.", t::NSEC, 300, nameRdata("y.example.")}}));
    EXPECT_TRUE(ok);
}

TEST(Zone, RejectsDataBelowDname) {
    auto bad = buildZone(baseZone({{"d.example.", t::DNAME, 300, nameRdata("example.net.")},
                                   {"x.d.example.", t::A, 300, aRdata(1, 2, 3, 4)}}));
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().front(), "records below DNAME at d.example.");
}

TEST(Zone, DropsOutOfZoneDataWithAWarning) {
    std::vector<std::string> warnings;
    auto zone =
        buildZone(baseZone({{"www.example.org.", t::A, 300, aRdata(1, 2, 3, 4)}}), &warnings);
    ASSERT_TRUE(zone);
    ASSERT_EQ(warnings.size(), 1U);
    EXPECT_EQ(warnings[0], "out-of-zone data ignored: www.example.org.");
    EXPECT_EQ((*zone)->find(name("www.example.org.")), nullptr);
}

TEST(Zone, DuplicateRecordsCollapseAndFirstTtlWins) {
    auto zone = buildZone(baseZone({{"x.example.", t::A, 100, aRdata(1, 2, 3, 4)},
                                    {"x.example.", t::A, 200, aRdata(1, 2, 3, 4)},
                                    {"x.example.", t::A, 200, aRdata(1, 2, 3, 5)}}));
    ASSERT_TRUE(zone);
    const auto a = (*zone)->rrset(*(*zone)->find(name("x.example.")), t::A);
    EXPECT_EQ(a.size(), 2);
    EXPECT_EQ(a.ttl(), 100U);
}

TEST(Zone, EveryRRsetKnowsItsSignatures) {
    auto zone = buildZone(baseZone({{"x.example.", t::A, 300, aRdata(1, 2, 3, 4)},
                                    {"x.example.", t::TXT, 60, {1, 'a'}},
                                    {"x.example.", t::RRSIG, 300, rrsigRdata(t::A, 2, 300)},
                                    {"x.example.", t::RRSIG, 60, rrsigRdata(t::TXT, 2, 60)},
                                    {"x.example.", t::RRSIG, 60, rrsigRdata(t::TXT, 2, 61)}}));
    ASSERT_TRUE(zone);
    const Zone& z = **zone;
    const Node& x = *z.find(name("x.example."));
    const auto a = z.rrset(x, t::A);
    const auto aSigs = z.signatures(*a.raw());
    ASSERT_TRUE(aSigs);
    EXPECT_EQ(aSigs.size(), 1);
    EXPECT_EQ(aSigs.ttl(), 300U);
    EXPECT_EQ(dnswire::loadU16(aSigs.first().data()), t::A);
    const auto txtSigs = z.signatures(*z.rrset(x, t::TXT).raw());
    EXPECT_EQ(txtSigs.size(), 2);
    EXPECT_EQ(txtSigs.ttl(), 60U);
    for (const auto sig : txtSigs)
        EXPECT_EQ(dnswire::loadU16(sig.data()), t::TXT);
    // The whole RRSIG RRset is there too, for explicit RRSIG queries.
    EXPECT_EQ(z.rrset(x, t::RRSIG).size(), 3);
    EXPECT_FALSE(z.signatures(*z.soa().raw()));
}

TEST(Zone, BuilderStartsFromAnExistingZone) {
    const auto base = sampleZone();
    ASSERT_TRUE(base);
    auto builder = ZoneBuilder::from(*base);
    const auto www = name("www.example.");
    const auto oldA = aRdata(192, 0, 2, 10);
    const auto newA = aRdata(192, 0, 2, 99);
    builder.remove(RecordView{www, t::A, 1, 300, oldA});
    ASSERT_TRUE(builder.add(RecordView{www, t::A, 1, 300, newA}));
    auto next = builder.build();
    ASSERT_TRUE(next);
    const Zone& z = **next;
    EXPECT_EQ(z.recordCount(), base->recordCount());
    const auto a = z.rrset(*z.find(www), t::A);
    ASSERT_EQ(a.size(), 2);
    std::vector<std::vector<std::uint8_t>> rdatas;
    for (const auto rdata : a)
        rdatas.emplace_back(rdata.begin(), rdata.end());
    EXPECT_EQ(rdatas[0], aRdata(192, 0, 2, 11));
    EXPECT_EQ(rdatas[1], newA);
    // The old version is untouched.
    EXPECT_EQ(base->rrset(*base->find(www), t::A).first()[3], 10);
}

TEST(Zone, NsecForFindsMatchingOrCoveringOwner) {
    auto zone = buildZone(baseZone({{"example.", t::NSEC, 300, nameRdata("b.example.")},
                                    {"b.example.", t::NSEC, 300, nameRdata("d.example.")},
                                    {"b.example.", t::A, 300, aRdata(1, 1, 1, 1)},
                                    {"d.example.", t::NSEC, 300, nameRdata("example.")},
                                    {"d.example.", t::A, 300, aRdata(1, 1, 1, 2)}}));
    ASSERT_TRUE(zone);
    const Zone& z = **zone;
    ASSERT_TRUE(z.hasNsec());
    EXPECT_EQ(z.name(*z.nsecFor(name("b.example."))).toText(), "b.example.");
    EXPECT_EQ(z.name(*z.nsecFor(name("c.example."))).toText(), "b.example.");
    EXPECT_EQ(z.name(*z.nsecFor(name("a.example."))).toText(), "example.");
    EXPECT_EQ(z.name(*z.nsecFor(name("zz.example."))).toText(), "d.example.");
    EXPECT_EQ(z.name(*z.nsecFor(name("x.d.example."))).toText(), "d.example.");
}

TEST(Zone, Nsec3HashMatchesRfc5155AppendixA) {
    // RFC 5155 Appendix A: salt aabbccdd, 12 iterations; H(example) =
    // 0p9mhaveqvm6t7vbl5lop2u3t2rp3tom.
    std::vector<std::uint8_t> param = {1, 0, 0, 12, 4, 0xaa, 0xbb, 0xcc, 0xdd};
    std::vector<std::uint8_t> nsec3 = {1, 1, 0, 12, 4, 0xaa, 0xbb, 0xcc, 0xdd, 20};
    nsec3.resize(nsec3.size() + 20, 0x11);
    auto zone =
        buildZone(baseZone({{"example.", t::NSEC3PARAM, 0, param},
                            {"0p9mhaveqvm6t7vbl5lop2u3t2rp3tom.example.", t::NSEC3, 300, nsec3},
                            {"2t7b4g4vsa5smi47k61mv5bv1a22bojr.example.", t::NSEC3, 300, nsec3}}));
    ASSERT_TRUE(zone);
    const Zone& z = **zone;
    ASSERT_TRUE(z.nsec3Params().present);
    EXPECT_EQ(z.nsec3Nodes().size(), 2U);
    // NSEC3 owners never answer normal lookups.
    EXPECT_EQ(z.find(name("0p9mhaveqvm6t7vbl5lop2u3t2rp3tom.example.")), nullptr);
    std::array<std::uint8_t, 20> hash{};
    z.nsec3Hash(name("EXAMPLE."), hash);
    bool match = false;
    const Node* node = z.nsec3For(hash, match);
    ASSERT_NE(node, nullptr);
    EXPECT_TRUE(match);
    EXPECT_EQ(z.name(*node).toText(), "0p9mhaveqvm6t7vbl5lop2u3t2rp3tom.example.");
    // H(a.example) = 35mthgpgcu1qg68fab165klnsnk3dpvl sorts between the two: covered by the first.
    z.nsec3Hash(name("a.example."), hash);
    node = z.nsec3For(hash, match);
    EXPECT_FALSE(match);
    EXPECT_EQ(z.name(*node).toText(), "2t7b4g4vsa5smi47k61mv5bv1a22bojr.example.");
}

TEST(ZoneSet, FindsTheLongestApex) {
    auto parent = buildZone(baseZone());
    ASSERT_TRUE(parent);
    std::vector<Rec> childRecords = {
        {"sub.example.", t::SOA, 3600, soaRdata()},
        {"sub.example.", t::NS, 3600, nameRdata("ns1.example.")},
    };
    auto child = buildZone(childRecords, nullptr, "sub.example.");
    ASSERT_TRUE(child);
    ZoneSet set({*parent, *child});
    EXPECT_EQ(set.size(), 2U);
    EXPECT_EQ(set.find(name("www.EXAMPLE.")), parent->get());
    EXPECT_EQ(set.find(name("a.b.SUB.example.")), child->get());
    EXPECT_EQ(set.find(name("sub.example.")), child->get());
    EXPECT_EQ(set.find(name("example.org.")), nullptr);
    EXPECT_EQ(set.find(name(".")), nullptr);
    EXPECT_EQ(set.get(name("sub.example.")), *child);
    EXPECT_EQ(set.get(name("a.sub.example.")), nullptr);
    ZoneSet empty;
    EXPECT_EQ(empty.find(name("example.")), nullptr);
}

}  // namespace
}  // namespace dnsfleet::zone
