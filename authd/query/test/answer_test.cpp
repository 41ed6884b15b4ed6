// Answers from an unsigned zone, branch by branch. Expectations follow RFC 1034 §4.3.2 and its
// updates, and where the RFCs leave a choice, what Knot DNS 3.2.6 answered for the same zone
// (checked with kdig while writing these tests).

#include <gtest/gtest.h>

#include "query_fixture.hpp"
#include "zone/zoneset.hpp"

namespace dnsfleet::authd {
namespace {

using namespace testing;
using zone::testing::aRdata;
using zone::testing::baseZone;
using zone::testing::buildZone;
using zone::testing::mxRdata;
using zone::testing::nameRdata;
using zone::testing::Rec;
namespace t = dnswire::rrtype;
namespace rc = dnswire::rcode;
namespace fl = dnswire::flag;

std::vector<std::uint8_t> txt(char fill, std::size_t size) {
    // Filled first, length set after: GCC 12 at -O3 flags a resize of a 1-element vector.
    std::vector<std::uint8_t> out(size + 1, static_cast<std::uint8_t>(fill));
    out[0] = static_cast<std::uint8_t>(size);
    return out;
}

std::vector<std::uint8_t> srvRdata(const std::string& target) {
    std::vector<std::uint8_t> out = {0, 0, 0, 0, 0, 80};
    const auto n = nameRdata(target);
    out.insert(out.end(), n.begin(), n.end());
    return out;
}

const zone::ZoneSet& zones() {
    static const zone::ZoneSet set = [] {
        std::vector<Rec> extra = {
            {"example.", t::MX, 3600, mxRdata(10, "mail.example.")},
            {"example.", t::MX, 3600, mxRdata(20, "mail.other.test.")},
            {"ns2.example.", t::AAAA, 3600, std::vector<std::uint8_t>(16, 2)},
            {"mail.example.", t::A, 3600, aRdata(192, 0, 2, 3)},
            {"www.example.", t::A, 300, aRdata(192, 0, 2, 10)},
            {"www.example.", t::A, 300, aRdata(192, 0, 2, 11)},
            {"a.b.c.example.", t::A, 3600, aRdata(192, 0, 2, 20)},
            {"*.wild.example.", t::A, 3600, aRdata(192, 0, 2, 30)},
            {"*.wild.example.", t::TXT, 3600, txt('w', 4)},
            {"sub.wild.example.", t::TXT, 3600, txt('s', 3)},
            {"*.wc.example.", t::CNAME, 3600, nameRdata("www.example.")},
            {"*.wmx.example.", t::MX, 3600, mxRdata(10, "mail.example.")},
            {"child.example.", t::NS, 3600, nameRdata("ns.child.example.")},
            {"child.example.", t::NS, 3600, nameRdata("ns.other.test.")},
            {"child.example.", t::DS, 3600, std::vector<std::uint8_t>(36, 7)},
            {"ns.child.example.", t::A, 3600, aRdata(192, 0, 2, 40)},
            {"unsigned.example.", t::NS, 3600, nameRdata("ns.unsigned.example.")},
            {"ns.unsigned.example.", t::A, 3600, aRdata(192, 0, 2, 41)},
            {"d.example.", t::DNAME, 3600, nameRdata("example.net.")},
            {"dd.example.", t::DNAME, 3600, nameRdata("target.example.")},
            {"target.example.", t::A, 3600, aRdata(192, 0, 2, 50)},
            {"x.target.example.", t::A, 3600, aRdata(192, 0, 2, 51)},
            {"long.example.", t::DNAME, 3600,
             nameRdata(std::string(60, 'a') + "." + std::string(60, 'b') + "." +
                       std::string(60, 'c') + "." + std::string(60, 'd') + ".")},
            {"alias.example.", t::CNAME, 3600, nameRdata("www.example.")},
            {"chain1.example.", t::CNAME, 3600, nameRdata("chain2.example.")},
            {"chain2.example.", t::CNAME, 3600, nameRdata("alias.example.")},
            {"loop1.example.", t::CNAME, 3600, nameRdata("loop2.example.")},
            {"loop2.example.", t::CNAME, 3600, nameRdata("loop1.example.")},
            {"ext.example.", t::CNAME, 3600, nameRdata("www.other.test.")},
            {"gone.example.", t::CNAME, 3600, nameRdata("nothere.example.")},
            {"srv._tcp.example.", t::SRV, 3600, srvRdata("www.example.")},
            {"anym.example.", t::MX, 3600, mxRdata(10, "mail.example.")},
            {"anym.example.", t::AAAA, 3600, std::vector<std::uint8_t>(16, 3)},
            {"anym.example.", t::A, 3600, aRdata(192, 0, 2, 61)},
            {"big.example.", t::TXT, 3600, txt('a', 150)},
            {"big.example.", t::TXT, 3600, txt('b', 150)},
            {"big.example.", t::TXT, 3600, txt('c', 150)},
            {"big.example.", t::TXT, 3600, txt('d', 150)},
        };
        for (int i = 0; i < 40; ++i) {
            const std::string host = "h" + std::to_string(i) + ".example.";
            extra.push_back({"manymx.example.", t::MX, 3600, mxRdata(10, host)});
            extra.push_back({host, t::A, 3600, aRdata(10, 0, 0, static_cast<std::uint8_t>(i))});
        }
        auto zone = buildZone(baseZone(extra));
        if (!zone) throw std::runtime_error(zone.error().front());
        return zone::ZoneSet({*zone});
    }();
    return set;
}

QuerySpec q(const std::string& qname, std::uint16_t qtype) {
    QuerySpec spec;
    spec.qname = qname;
    spec.qtype = qtype;
    return spec;
}

TEST(Answer, PositiveAnswerIsAuthoritativeWithoutAuthoritySection) {
    const auto r = ask(zones(), q("www.example.", t::A));
    EXPECT_EQ(r.rcode(), rc::NOERROR);
    EXPECT_TRUE(r.has(fl::QR));
    EXPECT_TRUE(r.has(fl::AA));
    ASSERT_EQ(r.answer.size(), 2U);
    EXPECT_EQ(r.answer[0].ttl, 300U);
    EXPECT_TRUE(r.authority.empty());
    EXPECT_TRUE(r.additional.empty());
    EXPECT_FALSE(r.opt);
}

TEST(Answer, EchoesTheQuestionsLetterCase) {
    const auto r = ask(zones(), q("WwW.ExAmPlE.", t::A));
    EXPECT_EQ(r.qname, "WwW.ExAmPlE.");
    ASSERT_EQ(r.answer.size(), 2U);
    EXPECT_EQ(r.answer[0].owner, "WwW.ExAmPlE.");
}

TEST(Answer, NxDomainCarriesSoaWithNegativeTtl) {
    const auto r = ask(zones(), q("nothere.example.", t::A));
    EXPECT_EQ(r.rcode(), rc::NXDOMAIN);
    EXPECT_TRUE(r.has(fl::AA));
    EXPECT_TRUE(r.answer.empty());
    ASSERT_EQ(r.authority.size(), 1U);
    EXPECT_EQ(r.authority[0].type, t::SOA);
    EXPECT_EQ(r.authority[0].owner, "example.");
    EXPECT_EQ(r.authority[0].ttl, 300U);  // min(3600, MINIMUM 300): RFC 2308 §3
}

TEST(Answer, NoDataForMissingTypeAndEmptyNonTerminal) {
    for (const auto& [qname, qtype] :
         {std::pair<std::string, std::uint16_t>{"www.example.", t::TXT},
          {"b.c.example.", t::A},
          {"c.example.", t::A},
          {"mail.example.", t::MX}}) {
        const auto r = ask(zones(), q(qname, qtype));
        EXPECT_EQ(r.rcode(), rc::NOERROR) << qname;
        EXPECT_TRUE(r.has(fl::AA));
        EXPECT_TRUE(r.answer.empty());
        ASSERT_EQ(r.authority.size(), 1U) << qname;
        EXPECT_EQ(r.authority[0].type, t::SOA);
    }
}

TEST(Answer, WildcardSynthesizesTheQueryName) {
    const auto r = ask(zones(), q("x.y.Wild.example.", t::TXT));
    EXPECT_EQ(r.rcode(), rc::NOERROR);
    ASSERT_EQ(r.answer.size(), 1U);
    EXPECT_EQ(r.answer[0].owner, "x.y.Wild.example.");
    EXPECT_EQ(r.answer[0].type, t::TXT);
}

TEST(Answer, WildcardDoesNotCoverExistingNamesOrTheirChildren) {
    const auto r = ask(zones(), q("x.sub.wild.example.", t::A));
    EXPECT_EQ(r.rcode(), rc::NXDOMAIN);
    const auto nodata = ask(zones(), q("x.wild.example.", t::MX));
    EXPECT_EQ(nodata.rcode(), rc::NOERROR);
    EXPECT_TRUE(nodata.answer.empty());
    EXPECT_EQ(nodata.count(nodata.authority, t::SOA), 1U);
    // The wildcard owner itself is plain data.
    const auto self = ask(zones(), q("*.wild.example.", t::A));
    ASSERT_EQ(self.answer.size(), 1U);
    EXPECT_EQ(self.answer[0].owner, "*.wild.example.");
}

TEST(Answer, WildcardCnameIsFollowedAndWildcardMxGetsAdditional) {
    const auto r = ask(zones(), q("foo.wc.example.", t::A));
    ASSERT_EQ(r.answer.size(), 3U);
    EXPECT_EQ(r.answer[0].owner, "foo.wc.example.");
    EXPECT_EQ(r.answer[0].type, t::CNAME);
    EXPECT_EQ(r.answer[1].owner, "www.example.");
    const auto mx = ask(zones(), q("foo.wmx.example.", t::MX));
    ASSERT_EQ(mx.answer.size(), 1U);
    ASSERT_EQ(mx.additional.size(), 1U);
    EXPECT_EQ(mx.additional[0].owner, "mail.example.");
    // A wildcard CNAME to a name without the type: CNAME plus NODATA's SOA.
    const auto wtxt = ask(zones(), q("x.wc.example.", t::TXT));
    ASSERT_EQ(wtxt.answer.size(), 1U);
    EXPECT_EQ(wtxt.count(wtxt.authority, t::SOA), 1U);
}

TEST(Answer, CnameChainIsFollowedInsideTheZone) {
    const auto r = ask(zones(), q("chain1.example.", t::A));
    ASSERT_EQ(r.answer.size(), 5U);
    EXPECT_EQ(r.answer[0].target, "chain2.example.");
    EXPECT_EQ(r.answer[1].target, "alias.example.");
    EXPECT_EQ(r.answer[2].target, "www.example.");
    EXPECT_EQ(r.answer[3].type, t::A);
    // Asking for the CNAME itself does not follow it.
    const auto self = ask(zones(), q("alias.example.", t::CNAME));
    EXPECT_EQ(self.answer.size(), 1U);
}

TEST(Answer, CnameLoopStopsAtTheRecordThatClosesIt) {
    const auto r = ask(zones(), q("loop1.example.", t::A));
    EXPECT_EQ(r.rcode(), rc::NOERROR);
    ASSERT_EQ(r.answer.size(), 2U);
    EXPECT_EQ(r.answer[1].target, "loop1.example.");
}

TEST(Answer, CnameLeavingTheZoneIsNotFollowed) {
    const auto r = ask(zones(), q("ext.example.", t::A));
    EXPECT_EQ(r.rcode(), rc::NOERROR);
    ASSERT_EQ(r.answer.size(), 1U);
    EXPECT_TRUE(r.authority.empty());
}

TEST(Answer, CnameToMissingNameIsNxDomain) {
    // RFC 6604 §2: the RCODE describes the last name of the chain.
    const auto r = ask(zones(), q("gone.example.", t::A));
    EXPECT_EQ(r.rcode(), rc::NXDOMAIN);
    ASSERT_EQ(r.answer.size(), 1U);
    EXPECT_EQ(r.count(r.authority, t::SOA), 1U);
}

TEST(Answer, DnameSynthesizesACnameWithTheDnameTtl) {
    const auto r = ask(zones(), q("X.d.example.", t::A));
    EXPECT_EQ(r.rcode(), rc::NOERROR);
    ASSERT_EQ(r.answer.size(), 2U);
    EXPECT_EQ(r.answer[0].type, t::DNAME);
    EXPECT_EQ(r.answer[0].owner, "d.example.");
    EXPECT_EQ(r.answer[1].type, t::CNAME);
    EXPECT_EQ(r.answer[1].owner, "X.d.example.");
    EXPECT_EQ(r.answer[1].target, "X.example.net.");
    EXPECT_EQ(r.answer[1].ttl, 3600U);
}

TEST(Answer, DnameTargetInsideTheZoneIsFollowed) {
    const auto r = ask(zones(), q("x.dd.example.", t::A));
    ASSERT_EQ(r.answer.size(), 3U);
    EXPECT_EQ(r.answer[2].owner, "x.target.example.");
    EXPECT_EQ(r.answer[2].type, t::A);
}

TEST(Answer, DnameAtTheQueryNameIsPlainData) {
    const auto a = ask(zones(), q("d.example.", t::A));
    EXPECT_TRUE(a.answer.empty());
    EXPECT_EQ(a.count(a.authority, t::SOA), 1U);
    const auto d = ask(zones(), q("d.example.", t::DNAME));
    ASSERT_EQ(d.answer.size(), 1U);
}

TEST(Answer, DnameResultTooLongIsYxDomain) {
    const std::string qname = std::string(10, 'x') + ".long.example.";
    const auto r = ask(zones(), q(qname, t::A));
    EXPECT_EQ(r.rcode(), rc::YXDOMAIN);
    ASSERT_EQ(r.answer.size(), 1U);
    EXPECT_EQ(r.answer[0].type, t::DNAME);
}

TEST(Answer, ReferralHasNsInAuthorityGlueInAdditionalAndNoAa) {
    for (const char* qname : {"child.example.", "ns.child.example.", "a.b.child.example."}) {
        const auto r = ask(zones(), q(qname, t::A));
        EXPECT_EQ(r.rcode(), rc::NOERROR) << qname;
        EXPECT_FALSE(r.has(fl::AA)) << qname;
        EXPECT_TRUE(r.answer.empty());
        ASSERT_EQ(r.authority.size(), 2U) << qname;
        EXPECT_EQ(r.authority[0].owner, "child.example.");
        EXPECT_EQ(r.authority[0].type, t::NS);
        // In-bailiwick glue only; ns.other.test is not ours.
        ASSERT_EQ(r.additional.size(), 1U) << qname;
        EXPECT_EQ(r.additional[0].owner, "ns.child.example.");
    }
}

TEST(Answer, DsIsAnsweredFromTheParentSide) {
    const auto r = ask(zones(), q("child.example.", t::DS));
    EXPECT_TRUE(r.has(fl::AA));
    ASSERT_EQ(r.answer.size(), 1U);
    EXPECT_EQ(r.answer[0].type, t::DS);
    const auto none = ask(zones(), q("unsigned.example.", t::DS));
    EXPECT_TRUE(none.has(fl::AA));
    EXPECT_TRUE(none.answer.empty());
    EXPECT_EQ(none.count(none.authority, t::SOA), 1U);
    // Below the cut, DS belongs to the child: referral.
    const auto below = ask(zones(), q("x.child.example.", t::DS));
    EXPECT_FALSE(below.has(fl::AA));
    EXPECT_EQ(below.count(below.authority, t::NS), 2U);
}

TEST(Answer, AdditionalRecordsForMxSrvAndNsTargetsWeServe) {
    const auto mx = ask(zones(), q("example.", t::MX));
    ASSERT_EQ(mx.answer.size(), 2U);
    ASSERT_EQ(mx.additional.size(), 1U);
    EXPECT_EQ(mx.additional[0].owner, "mail.example.");
    const auto srv = ask(zones(), q("srv._tcp.example.", t::SRV));
    EXPECT_EQ(srv.additional.size(), 2U);
    const auto ns = ask(zones(), q("example.", t::NS));
    ASSERT_EQ(ns.additional.size(), 3U);
    EXPECT_EQ(ns.additional[0].owner, "ns1.example.");
    EXPECT_EQ(ns.additional[1].type, t::A);
    EXPECT_EQ(ns.additional[2].type, t::AAAA);
}

TEST(Answer, AnyGetsTheFirstRRsetInTypeOrder) {
    // RFC 8482 §4.1; Knot 3.2 answers with the lowest type present.
    const auto r = ask(zones(), q("anym.example.", t::ANY));
    ASSERT_EQ(r.answer.size(), 1U);
    EXPECT_EQ(r.answer[0].type, t::A);
    const auto apex = ask(zones(), q("example.", t::ANY));
    ASSERT_EQ(apex.answer.size(), 2U);
    EXPECT_EQ(apex.answer[0].type, t::NS);
    EXPECT_EQ(apex.additional.size(), 3U);
    const auto alias = ask(zones(), q("alias.example.", t::ANY));
    ASSERT_EQ(alias.answer.size(), 1U);
    EXPECT_EQ(alias.answer[0].type, t::CNAME);
}

TEST(Answer, TruncatesAtRRsetBoundaryWithTc) {
    const auto r = ask(zones(), q("big.example.", t::TXT));  // 4 x 160 octets > 512
    EXPECT_TRUE(r.has(fl::TC));
    EXPECT_TRUE(r.has(fl::AA));
    EXPECT_TRUE(r.answer.empty());
    EXPECT_LE(r.size, 512U);
    auto spec = q("big.example.", t::TXT);
    spec.edns = true;
    const auto big = ask(zones(), spec);
    EXPECT_FALSE(big.has(fl::TC));
    EXPECT_EQ(big.answer.size(), 4U);
    const auto tcp = ask(zones(), q("big.example.", t::TXT), Transport::Tcp);
    EXPECT_FALSE(tcp.has(fl::TC));
    EXPECT_EQ(tcp.answer.size(), 4U);
}

TEST(Answer, AdditionalThatDoesNotFitIsDroppedWithoutTc) {
    auto spec = q("manymx.example.", t::MX);
    spec.edns = true;  // 1232 octets: the 40 MX fit, their 40 addresses do not
    const auto r = ask(zones(), spec);
    EXPECT_FALSE(r.has(fl::TC));
    EXPECT_EQ(r.answer.size(), 40U);
    EXPECT_GT(r.additional.size(), 0U);
    EXPECT_LT(r.additional.size(), 40U);
    EXPECT_TRUE(r.opt);
    EXPECT_LE(r.size, 1232U);
}

TEST(Answer, DsAtAChildApexWeAlsoServeComesFromTheParent) {
    auto parent = buildZone(baseZone({
        {"sub.example.", t::NS, 3600, nameRdata("ns1.sub.example.")},
        {"sub.example.", t::DS, 3600, std::vector<std::uint8_t>(36, 9)},
        {"ns1.sub.example.", t::A, 3600, aRdata(192, 0, 2, 99)},
    }));
    ASSERT_TRUE(parent);
    auto child = buildZone({{"sub.example.", t::SOA, 3600, zone::testing::soaRdata()},
                            {"sub.example.", t::NS, 3600, nameRdata("ns1.sub.example.")},
                            {"ns1.sub.example.", t::A, 3600, aRdata(192, 0, 2, 99)}},
                           nullptr, "sub.example.");
    ASSERT_TRUE(child);
    const zone::ZoneSet both({*parent, *child});
    const auto ds = ask(both, q("sub.example.", t::DS));
    EXPECT_TRUE(ds.has(fl::AA));
    ASSERT_EQ(ds.answer.size(), 1U);
    EXPECT_EQ(ds.answer[0].type, t::DS);
    // Everything else at the child apex comes from the child.
    const auto ns = ask(both, q("sub.example.", t::NS));
    EXPECT_TRUE(ns.has(fl::AA));
    EXPECT_EQ(ns.answer.size(), 1U);
}

// Zones for the bounds and additional-section rules that Knot 3.2.6 applies (checked side by
// side in tests/system/differential).
std::vector<std::uint8_t> svcbRdata(std::uint16_t priority, const std::string& target,
                                    bool withParams) {
    std::vector<std::uint8_t> out = {static_cast<std::uint8_t>(priority >> 8),
                                     static_cast<std::uint8_t>(priority & 0xFFU)};
    const auto n = nameRdata(target);
    out.insert(out.end(), n.begin(), n.end());
    if (withParams) {
        const std::vector<std::uint8_t> port = {0, 3, 0, 2, 0x01, 0xBB};  // port=443
        out.insert(out.end(), port.begin(), port.end());
    }
    return out;
}

const zone::ZoneSet& knotRuleZones() {
    static const zone::ZoneSet set = [] {
        std::vector<Rec> extra = {
            {"svc.example.", t::SVCB, 3600, svcbRdata(0, "target.example.", false)},
            {"svc.example.", t::SVCB, 3600, svcbRdata(1, ".", true)},
            {"svc.example.", t::SVCB, 3600, svcbRdata(2, "target.example.", true)},
            {"web.example.", t::HTTPS, 3600, svcbRdata(1, ".", true)},
            {"web.example.", t::A, 3600, aRdata(192, 0, 2, 99)},
            {"alt.example.", t::HTTPS, 3600, svcbRdata(1, "target.example.", true)},
            {"target.example.", t::A, 3600, aRdata(192, 0, 2, 120)},
            {"target.example.", t::AAAA, 3600, std::vector<std::uint8_t>(16, 0x12)},
            {"target.example.", t::HTTPS, 3600, svcbRdata(1, ".", false)},
            {"sib.example.", t::NS, 3600, nameRdata("ns.sib.example.")},
            {"ns.sib.example.", t::A, 3600, aRdata(198, 51, 100, 1)},
        };
        for (int i = 1; i <= 8; ++i) {
            const std::string link = "c" + std::to_string(i) + ".example.";
            extra.push_back(
                {link, t::CNAME, 3600, nameRdata("c" + std::to_string(i + 1) + ".example.")});
        }
        extra.push_back({"c9.example.", t::A, 3600, aRdata(192, 0, 2, 9)});
        for (int i = 1; i <= 13; ++i) {
            const std::string host = "ns" + std::to_string(i) + ".big.example.";
            extra.push_back({"big.example.", t::NS, 3600, nameRdata(host)});
            extra.push_back({host, t::A, 3600, aRdata(198, 51, 100, static_cast<std::uint8_t>(i))});
            extra.push_back({host, t::AAAA, 3600, std::vector<std::uint8_t>(16, 0x20)});
        }
        extra.push_back({"small.example.", t::NS, 3600, nameRdata("ns.small.example.")});
        extra.push_back({"small.example.", t::NS, 3600, nameRdata("ns.sib.example.")});
        extra.push_back({"ns.small.example.", t::A, 3600, aRdata(198, 51, 100, 50)});
        auto zone = buildZone(baseZone(extra));
        if (!zone) throw std::runtime_error(zone.error().front());
        return zone::ZoneSet({*zone});
    }();
    return set;
}

TEST(Answer, ServiceBindingTargetsGetAddressesAndBindingsInAdditional) {
    // RFC 9460 §4.1. Like Knot 3.2, every record naming an in-zone target adds its A, AAAA and
    // own SVCB/HTTPS RRset (alias form included, so two records add them twice), and a
    // TargetName of "." adds nothing even when the owner has addresses.
    const auto svc = ask(knotRuleZones(), q("svc.example.", t::SVCB));
    ASSERT_EQ(svc.answer.size(), 3U);
    EXPECT_EQ(svc.count(svc.additional, t::A), 2U);
    EXPECT_EQ(svc.count(svc.additional, t::AAAA), 2U);
    EXPECT_EQ(svc.count(svc.additional, t::HTTPS), 0U);
    for (const Rr& rr : svc.additional)
        EXPECT_EQ(rr.owner, "target.example.");
    const auto web = ask(knotRuleZones(), q("web.example.", t::HTTPS));
    ASSERT_EQ(web.answer.size(), 1U);
    EXPECT_TRUE(web.additional.empty());
    // An HTTPS target brings its own HTTPS RRset too (an SVCB one did not, above).
    const auto alt = ask(knotRuleZones(), q("alt.example.", t::HTTPS));
    EXPECT_EQ(alt.count(alt.additional, t::HTTPS), 1U);
    EXPECT_EQ(alt.count(alt.additional, t::A), 1U);
}

TEST(Answer, CnameChainStopsAfterFiveLinksWithNoError) {
    // Knot 3.2 follows at most 5 CNAME/DNAME links (CNAME_CHAIN_MAX); the answer then ends
    // NOERROR, authoritative, without SOA or TC, and the resolver continues from the target.
    const auto over = ask(knotRuleZones(), q("c1.example.", t::A));
    EXPECT_EQ(over.rcode(), rc::NOERROR);
    EXPECT_TRUE(over.has(fl::AA));
    EXPECT_FALSE(over.has(fl::TC));
    ASSERT_EQ(over.answer.size(), 5U);
    EXPECT_EQ(over.count(over.answer, t::CNAME), 5U);
    EXPECT_EQ(over.answer[4].target, "c6.example.");
    EXPECT_TRUE(over.authority.empty());
    // Exactly five links still reach the answer.
    const auto five = ask(knotRuleZones(), q("c4.example.", t::A));
    ASSERT_EQ(five.answer.size(), 6U);
    EXPECT_EQ(five.answer[5].type, t::A);
}

TEST(Answer, ReferralGlueInsideTheDelegationMustFitOrTc) {
    // RFC 9471 §3: without EDNS (512 octets) the 13 in-domain name servers' addresses do not
    // fit, so TC is set (Knot 3.2 does the same).
    const auto big = ask(knotRuleZones(), q("host.big.example.", t::A));
    EXPECT_FALSE(big.has(fl::AA));
    EXPECT_TRUE(big.has(fl::TC));
    EXPECT_EQ(big.count(big.authority, t::NS), 13U);
    EXPECT_LE(big.size, 512U);
    auto spec = q("host.big.example.", t::A);
    spec.edns = true;
    const auto roomy = ask(knotRuleZones(), spec);
    EXPECT_FALSE(roomy.has(fl::TC));
    EXPECT_EQ(roomy.additional.size(), 26U);
    // In-domain glue comes first; sibling glue (below another delegation) stays optional.
    const auto small = ask(knotRuleZones(), q("small.example.", t::A));
    EXPECT_FALSE(small.has(fl::TC));
    ASSERT_EQ(small.additional.size(), 2U);
    EXPECT_EQ(small.additional[0].owner, "ns.small.example.");
    EXPECT_EQ(small.additional[1].owner, "ns.sib.example.");
}

}  // namespace
}  // namespace dnsfleet::authd
