// patchZone: the next version from unchanged blobs must be the zone the builder would build
// from the same records (ZoneBuilder::from(base) + the changes), down to the arena layout, and
// it must decline every change that could alter the zone's structure or checks.

#include "zone/patch.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "dnswire/rrtype.hpp"
#include "zone/loader.hpp"
#include "zone_fixture.hpp"

namespace dnsfleet::zone {
namespace {

using namespace testing;
namespace t = dnswire::rrtype;
using ZonePtr = std::shared_ptr<const Zone>;

// What the slow path builds: every record of the base, the changed RRsets' old records
// removed and their new records added in order.
ZonePtr rebuild(const Zone& base, const std::vector<RRsetChange>& changes) {
    ZoneBuilder builder = ZoneBuilder::from(base);
    for (const RRsetChange& change : changes) {
        if (const Node* node = base.find(change.owner)) {
            for (const auto rdata : base.rrset(*node, change.type))
                builder.remove(RecordView{change.owner, change.type, 1, 0, rdata});
        }
        for (const PatchRecord& record : change.records) {
            auto added =
                builder.add(RecordView{change.owner, change.type, 1, record.ttl, record.rdata});
            EXPECT_TRUE(added);
        }
    }
    auto built = builder.build();
    if (!built) {
        ADD_FAILURE() << built.error().front();
        return nullptr;
    }
    return *built;
}

// The builder re-derives an RRSIG RRset's TTL from its first record; starting from a zone it
// built itself keeps the comparison about the patch (see patch.hpp).
ZonePtr normalised(const Zone& zone) {
    auto once = ZoneBuilder::from(zone).build();
    EXPECT_TRUE(once);
    auto twice = ZoneBuilder::from(**once).build();
    EXPECT_TRUE(twice);
    return *twice;
}

std::vector<std::vector<std::uint8_t>> recordsOf(const Zone& zone, RRsetView view) {
    (void)zone;
    std::vector<std::vector<std::uint8_t>> out;
    for (const auto rdata : view)
        out.emplace_back(rdata.begin(), rdata.end());
    return out;
}

std::ptrdiff_t offsetOf(const Zone& zone, const Node* node) {
    if (node == nullptr) return -1;
    return reinterpret_cast<const std::uint8_t*>(node) -
           reinterpret_cast<const std::uint8_t*>(&zone.apexNode());
}

void expectSameNodes(const Zone& got, const Zone& want, const NodeList& a, const NodeList& b) {
    ASSERT_EQ(a.size(), b.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
        const Node& x = a[i];
        const Node& y = b[i];
        const std::string where = want.name(y).toText();
        ASSERT_EQ(got.name(x).toText(), where);
        EXPECT_EQ(offsetOf(got, &x), offsetOf(want, &y)) << where;
        EXPECT_EQ(x.flags, y.flags) << where;
        EXPECT_EQ(x.labels, y.labels) << where;
        EXPECT_EQ(x.nameOffset, y.nameOffset) << where;
        EXPECT_EQ(x.firstRRset, y.firstRRset) << where;
        EXPECT_EQ(x.parent, y.parent) << where;
        ASSERT_EQ(x.rrsetCount, y.rrsetCount) << where;
        const auto xs = got.rrsets(x);
        const auto ys = want.rrsets(y);
        for (std::size_t r = 0; r < xs.size(); ++r) {
            EXPECT_EQ(xs[r].type, ys[r].type) << where;
            EXPECT_EQ(xs[r].ttl, ys[r].ttl) << where << " type " << ys[r].type;
            EXPECT_EQ(xs[r].count, ys[r].count) << where;
            EXPECT_EQ(xs[r].rdataOffset, ys[r].rdataOffset) << where;
            EXPECT_EQ(xs[r].signatures, ys[r].signatures) << where;
            EXPECT_EQ(recordsOf(got, got.view(&xs[r])), recordsOf(want, want.view(&ys[r])))
                << where << " type " << ys[r].type;
            const RRsetView xsig = got.signatures(xs[r]);
            const RRsetView ysig = want.signatures(ys[r]);
            ASSERT_EQ(static_cast<bool>(xsig), static_cast<bool>(ysig)) << where;
            if (ysig) {
                EXPECT_EQ(xsig.ttl(), ysig.ttl()) << where;
                EXPECT_EQ(recordsOf(got, xsig), recordsOf(want, ysig)) << where;
            }
        }
    }
}

void expectSameLookup(const Zone& got, const Zone& want, dnswire::NameView name) {
    const Lookup x = got.lookup(name);
    const Lookup y = want.lookup(name);
    const std::string where = name.toText();
    EXPECT_EQ(offsetOf(got, x.match), offsetOf(want, y.match)) << where;
    EXPECT_EQ(offsetOf(got, x.encloser), offsetOf(want, y.encloser)) << where;
    EXPECT_EQ(offsetOf(got, x.cut), offsetOf(want, y.cut)) << where;
    EXPECT_EQ(x.cutIsDname, y.cutIsDname) << where;
    EXPECT_EQ(offsetOf(got, x.wildcard), offsetOf(want, y.wildcard)) << where;
    EXPECT_EQ(offsetOf(got, got.nsecFor(name)), offsetOf(want, want.nsecFor(name))) << where;
    if (want.nsec3Params().present) {
        std::array<std::uint8_t, 20> hash{};
        want.nsec3Hash(name, hash);
        bool xm = false;
        bool ym = false;
        EXPECT_EQ(offsetOf(got, got.nsec3For(hash, xm)), offsetOf(want, want.nsec3For(hash, ym)));
        EXPECT_EQ(xm, ym);
    }
}

void expectSameZone(const Zone& got, const Zone& want) {
    expectSameNodes(got, want, got.nodes(), want.nodes());
    expectSameNodes(got, want, got.nsec3Nodes(), want.nsec3Nodes());
    EXPECT_EQ(got.recordCount(), want.recordCount());
    EXPECT_EQ(got.negativeTtl(), want.negativeTtl());
    EXPECT_EQ(got.soa().ttl(), want.soa().ttl());
    EXPECT_EQ(recordsOf(got, got.soa()), recordsOf(want, want.soa()));
    EXPECT_EQ(got.memoryUsage(), want.memoryUsage());
    EXPECT_EQ(got.hasNsec(), want.hasNsec());
    EXPECT_EQ(got.nsec3Params().present, want.nsec3Params().present);
    for (const Node& node : want.nodes()) {
        const dnswire::NameView owner = want.name(node);
        expectSameLookup(got, want, owner);
        if (owner.size() + 4 <= dnswire::kMaxNameLength) {
            // A name that does not exist below every node: encloser, wildcard, NSEC cover.
            const auto missing = name("zz-nx." + owner.toText());
            expectSameLookup(got, want, missing);
        }
    }
}

// --- Random changes of the kinds patchZone must handle ---------------------------------

std::vector<std::uint8_t> randomRdata(std::uint16_t type, std::mt19937& rng) {
    std::uniform_int_distribution<int> byte(0, 255);
    std::vector<std::uint8_t> out;
    switch (type) {
        case t::A:
            for (int i = 0; i < 4; ++i)
                out.push_back(static_cast<std::uint8_t>(byte(rng)));
            break;
        case t::AAAA:
            for (int i = 0; i < 16; ++i)
                out.push_back(static_cast<std::uint8_t>(byte(rng)));
            break;
        case t::MX:
            return mxRdata(static_cast<std::uint16_t>(byte(rng)),
                           "mx" + std::to_string(byte(rng)) + ".example.");
        default: {  // TXT: one character-string of random length (sizes shift the arena)
            const auto length =
                static_cast<std::uint8_t>(std::uniform_int_distribution<int>(0, 90)(rng));
            out.push_back(length);
            for (int i = 0; i < length; ++i)
                out.push_back(static_cast<std::uint8_t>('a' + byte(rng) % 26));
        }
    }
    return out;
}

std::vector<std::uint8_t> randomRrsig(std::uint16_t covered, const Zone& zone, const Node& node,
                                      std::uint32_t ttl, std::mt19937& rng) {
    auto out = rrsigRdata(covered, node.labels, ttl);
    const int extra = std::uniform_int_distribution<int>(0, 70)(rng);
    for (int i = 0; i < extra; ++i)
        out.push_back(static_cast<std::uint8_t>(rng()));
    (void)zone;
    return out;
}

bool isDataType(std::uint16_t type) {
    return type == t::A || type == t::AAAA || type == t::TXT || type == t::MX;
}

constexpr std::uint16_t kRefused = nodeflag::Delegation | nodeflag::NonAuth | nodeflag::HasDname |
                                   nodeflag::BelowDname | nodeflag::HasCname |
                                   nodeflag::EmptyNonTerminal;

// A few nodes, each with one change (and, when signed, its signatures re-made). With
// `canonicalSignatures` the RRSIG records are listed in RDATA order, which keeps the node a
// fixed point of ZoneBuilder::from() for the next round.
std::vector<RRsetChange> randomChanges(const Zone& zone, std::mt19937& rng,
                                       bool canonicalSignatures) {
    std::vector<const Node*> eligible;
    for (const Node& node : zone.nodes()) {
        if ((node.flags & kRefused) == 0 && !zone.name(node).isWildcard())
            eligible.push_back(&node);
    }
    std::shuffle(eligible.begin(), eligible.end(), rng);
    const std::size_t count = std::uniform_int_distribution<std::size_t>(1, 4)(rng);
    std::vector<RRsetChange> changes;
    for (std::size_t n = 0; n < count && n < eligible.size(); ++n) {
        const Node& node = *eligible[n];
        const dnswire::Name owner(zone.name(node));
        std::vector<std::uint16_t> data;
        for (const RRset& rrset : zone.rrsets(node)) {
            if (isDataType(rrset.type)) data.push_back(rrset.type);
        }
        const bool hasSigs = static_cast<bool>(zone.rrset(node, t::RRSIG));
        const int op = std::uniform_int_distribution<int>(0, 5)(rng);
        const std::uint32_t ttl = std::uniform_int_distribution<std::uint32_t>(30, 7200)(rng);
        RRsetChange change{owner, t::A, {}};
        bool signedRRset = true;
        if (op == 5 && node.has(nodeflag::Apex)) {
            // The SOA of every IXFR: a new serial, sometimes a new TTL or minimum.
            auto soa =
                std::vector<std::uint8_t>(zone.soa().first().begin(), zone.soa().first().end());
            const std::size_t serial = soa.size() - 20;
            soa[serial + 3] = static_cast<std::uint8_t>(soa[serial + 3] + 1);
            soa[soa.size() - 1] = static_cast<std::uint8_t>(rng());
            change.type = t::SOA;
            change.records.push_back({op % 2 == 0 ? zone.soa().ttl() : ttl, soa});
        } else if (op == 4 || data.empty()) {
            // A type the node does not have yet (or more records of one it has).
            change.type = data.empty() ? t::TXT : data[rng() % data.size()];
            if (const RRsetView old = zone.rrset(node, change.type)) {
                for (const auto rdata : old)
                    change.records.push_back({old.ttl(), {rdata.begin(), rdata.end()}});
            }
            change.records.push_back({ttl, randomRdata(change.type, rng)});
        } else if (op == 3 &&
                   std::count_if(zone.rrsets(node).begin(), zone.rrsets(node).end(),
                                 [](const RRset& r) { return r.type != t::RRSIG; }) > 1) {
            change.type = data[rng() % data.size()];  // removed; the node keeps others
            signedRRset = false;
        } else if (op == 2) {
            change.type = data[rng() % data.size()];  // the same records, a new TTL
            for (const auto rdata : zone.rrset(node, change.type))
                change.records.push_back({ttl, {rdata.begin(), rdata.end()}});
        } else {
            change.type = data[rng() % data.size()];
            const int records = std::uniform_int_distribution<int>(1, 3)(rng);
            for (int i = 0; i < records; ++i)
                change.records.push_back({ttl, randomRdata(change.type, rng)});
        }
        if (hasSigs) {
            // The signer's part: the covered RRset's signatures are re-made (or dropped).
            RRsetChange sigs{owner, t::RRSIG, {}};
            const RRsetView old = zone.rrset(node, t::RRSIG);
            for (const auto rdata : old) {
                if (dnswire::loadU16(rdata.data()) == change.type) continue;
                sigs.records.push_back(
                    {exportedTtl(zone, node, *old.raw(), rdata), {rdata.begin(), rdata.end()}});
            }
            if (signedRRset && !change.records.empty()) {
                sigs.records.push_back(
                    {change.records.front().ttl,
                     randomRrsig(change.type, zone, node, change.records.front().ttl, rng)});
            }
            if (canonicalSignatures) {
                std::sort(
                    sigs.records.begin(), sigs.records.end(),
                    [](const PatchRecord& a, const PatchRecord& b) { return a.rdata < b.rdata; });
            }
            changes.push_back(std::move(sigs));
        }
        changes.push_back(std::move(change));
    }
    return changes;
}

ZonePtr plainZone() {
    std::vector<Rec> extra = {
        {"example.", t::MX, 3600, mxRdata(10, "mail.example.")},
        {"mail.example.", t::A, 300, aRdata(192, 0, 2, 25)},
        {"a.b.c.example.", t::A, 300, aRdata(192, 0, 2, 30)},  // b.c and c are non-terminals
        {"sub.example.", t::NS, 3600, nameRdata("ns.sub.example.")},
        {"ns.sub.example.", t::A, 3600, aRdata(192, 0, 2, 40)},
        {"*.w.example.", t::A, 300, aRdata(192, 0, 2, 50)},
        {"alias.example.", t::CNAME, 300, nameRdata("mail.example.")},
        {"d.example.", t::DNAME, 300, nameRdata("example.net.")},
    };
    for (int i = 0; i < 300; ++i) {
        const std::string owner = "h" + std::to_string(i) + ".example.";
        extra.push_back(
            {owner, t::A, 300,
             aRdata(10, 0, static_cast<std::uint8_t>(i / 256), static_cast<std::uint8_t>(i))});
        if (i % 3 == 0) extra.push_back({owner, t::TXT, 600, {5, 'h', 'e', 'l', 'l', 'o'}});
        if (i % 7 == 0) extra.push_back({owner, t::MX, 600, mxRdata(5, "mail.example.")});
    }
    auto built = buildZone(baseZone(extra));
    if (!built) throw std::runtime_error(built.error().front());
    return *built;
}

ZonePtr signedZone(const std::string& apex) {
    const auto path = std::filesystem::path(__FILE__).parent_path() / ".." / ".." / ".." / "authd" /
                      "query" / "test" / "data" / (apex + "zone.signed");
    auto loaded = loadZoneFile(name(apex), path);
    if (!loaded) throw std::runtime_error(loaded.error().front());
    return normalised(**loaded);
}

void randomRounds(ZonePtr zone, unsigned seed, int rounds, bool chain) {
    std::mt19937 rng(seed);
    for (int round = 0; round < rounds; ++round) {
        SCOPED_TRACE("seed " + std::to_string(seed) + " round " + std::to_string(round));
        const auto changes = randomChanges(*zone, rng, chain);
        const auto patched = patchZone(*zone, changes);
        ASSERT_TRUE(patched.has_value());
        const ZonePtr want = rebuild(*zone, changes);
        ASSERT_TRUE(want);
        expectSameZone(**patched, *want);
        if (::testing::Test::HasFailure()) return;
        if (chain) zone = *patched;  // patches of patched zones
    }
}

TEST(PatchZone, RandomChangesMatchTheBuilder) {
    const ZonePtr zone = plainZone();
    for (unsigned seed = 1; seed <= 4; ++seed)
        randomRounds(zone, seed, 40, false);
}

TEST(PatchZone, ChainedPatchesMatchTheBuilder) {
    randomRounds(plainZone(), 99, 60, true);
}

TEST(PatchZone, SignedZonesWithSignatureSlices) {
    for (const std::string apex : {"nsec.test.", "nsec3.test.", "optout.test."}) {
        SCOPED_TRACE(apex);
        const ZonePtr zone = signedZone(apex);
        for (unsigned seed = 1; seed <= 3; ++seed)
            randomRounds(zone, seed, 30, false);
        randomRounds(zone, 7, 30, true);
    }
}

TEST(PatchZone, ManyNodesGrowingAndShrinking) {
    // Thirty blobs change size in both directions: every offset between them moves by a
    // different amount.
    const ZonePtr base = plainZone();
    std::vector<RRsetChange> changes;
    for (int i = 0; i < 300; i += 10) {
        const auto length = static_cast<std::uint8_t>(i % 20 == 0 ? 60 + i / 10 : 0);
        std::vector<std::uint8_t> text(1U + length, 'x');
        text[0] = length;
        changes.push_back({name("h" + std::to_string(i) + ".example."), t::TXT, {{600, text}}});
    }
    // And the last node the patch may touch (the very last one is the wildcard).
    std::string last;
    for (const Node& node : base->nodes()) {
        if ((node.flags & kRefused) == 0 && !base->name(node).isWildcard())
            last = base->name(node).toText();
    }
    changes.push_back({name(last), t::AAAA, {{300, std::vector<std::uint8_t>(16, 7)}}});
    const auto patched = patchZone(*base, changes);
    ASSERT_TRUE(patched.has_value());
    expectSameZone(**patched, *rebuild(*base, changes));
}

TEST(PatchZone, EarliestRecordGivesTheTtlAndTheBaseIsUntouched) {
    const ZonePtr base = plainZone();
    // h1 keeps 10.0.0.1 (TTL 300) and gains a record with TTL 60: the RRset keeps 300.
    const std::vector<RRsetChange> changes = {
        {name("h1.example."), t::A, {{300, aRdata(10, 0, 0, 1)}, {60, aRdata(10, 9, 9, 9)}}},
        {name("h3.example."), t::TXT, {}},  // removed; h3 keeps its A
    };
    const auto patched = patchZone(*base, changes);
    ASSERT_TRUE(patched.has_value());
    const Zone& zone = **patched;
    const Node* h1 = zone.find(name("H1.Example."));
    ASSERT_NE(h1, nullptr);
    EXPECT_EQ(zone.rrset(*h1, t::A).ttl(), 300U);
    EXPECT_EQ(zone.rrset(*h1, t::A).size(), 2U);
    const Node* h3 = zone.find(name("h3.example."));
    ASSERT_NE(h3, nullptr);
    EXPECT_FALSE(zone.rrset(*h3, t::TXT));
    EXPECT_TRUE(zone.rrset(*h3, t::A));
    EXPECT_EQ(zone.recordCount(), base->recordCount());  // one more at h1, one less at h3
    // The old version keeps serving as it was.
    const Node* old = base->find(name("h3.example."));
    ASSERT_NE(old, nullptr);
    EXPECT_TRUE(base->rrset(*old, t::TXT));
    expectSameZone(*base, *plainZone());
    expectSameZone(zone, *rebuild(*base, changes));
}

TEST(PatchZone, DeclinesWhatCouldChangeTheStructure) {
    const ZonePtr zone = plainZone();
    const auto a = [](std::uint8_t last) { return PatchRecord{300, aRdata(192, 0, 2, last)}; };
    const std::vector<std::vector<RRsetChange>> refused = {
        {{name("example."), t::NS, {{3600, nameRdata("ns1.example.")}}}},
        {{name("*.w.example."), t::A, {a(2)}}},  // wildcard owner
        {{name("d.example."), t::DNAME, {{300, nameRdata("example.org.")}}}},
        {{name("alias.example."), t::A, {a(3)}}},  // beside a CNAME
        {{name("h2.example."), t::CNAME, {{300, nameRdata("mail.example.")}}}},
        {{name("sub.example."), t::DS, {{300, {1, 2, 3, 4, 5}}}}},
        {{name("ns.sub.example."), t::A, {a(4)}}},  // glue below a delegation
        {{name("x.d.example."), t::A, {a(5)}}},     // below a DNAME (no node there)
        {{name("h2.example."), t::NSEC, {{300, nameRdata("h3.example.")}}}},
        {{name("example."), t::NSEC3PARAM, {{0, {1, 0, 0, 0, 0}}}}},
        {{name("h2.example."), t::SOA, {{300, soaRdata()}}}},
        {{name("example."), t::SOA, {}}},
        {{name("example."), t::SOA, {{300, soaRdata(1)}, {300, soaRdata(2)}}}},
        {{name("example."), t::SOA, {{300, {1, 2, 3}}}}},
        {{name("h2.example."), t::RRSIG, {{300, rrsigRdata(t::NSEC3, 2, 300)}}}},
        {{name("h2.example."), t::OPT, {{300, {}}}}},
        {{name("h2.example."), 200, {{300, {}}}}},
        {{name("www.example.net."), t::A, {a(7)}}},
        {{name("h2.example."), t::A, {a(8)}}, {name("H2.example."), t::A, {a(9)}}},
    };
    for (std::size_t i = 0; i < refused.size(); ++i)
        EXPECT_FALSE(patchZone(*zone, refused[i]).has_value()) << "case " << i;
    EXPECT_FALSE(patchZone(*zone, std::vector<RRsetChange>{}).has_value());
}

TEST(PatchZone, DeclinesNsec3OwnersAndNsecChanges) {
    const ZonePtr zone = signedZone("nsec3.test.");
    ASSERT_FALSE(zone->nsec3Nodes().empty());
    const Node& owner = zone->nsec3Nodes()[0];
    const dnswire::Name hashed(zone->name(owner));
    EXPECT_FALSE(
        patchZone(*zone, std::vector<RRsetChange>{{hashed, t::A, {{300, aRdata(1, 2, 3, 4)}}}})
            .has_value());
    const ZonePtr nsec = signedZone("nsec.test.");
    EXPECT_FALSE(
        patchZone(*nsec,
                  std::vector<RRsetChange>{
                      {name("nsec.test."), t::NSEC, {{300, nameRdata("alias.nsec.test.")}}}})
            .has_value());
}

// --- Names that appear and disappear (unsigned zones) ------------------------------------

PatchRecord aRecord(std::uint8_t last, std::uint32_t ttl = 300) {
    return {ttl, aRdata(192, 0, 2, last)};
}

// Patches, checks against the builder, and returns the patched zone for the next step.
ZonePtr expectPatchedAsBuilt(const Zone& base, const std::vector<RRsetChange>& changes) {
    const auto patched = patchZone(base, changes);
    EXPECT_TRUE(patched.has_value());
    if (!patched) return nullptr;
    const ZonePtr want = rebuild(base, changes);
    EXPECT_TRUE(want);
    if (!want) return nullptr;
    expectSameZone(**patched, *want);
    return *patched;
}

// Lookups of names that never existed: the closest encloser, the wildcard and NXDOMAIN/NODATA
// come from these facts, which must be the builder's.
void expectSameLookups(const Zone& got, const Zone& want,
                       std::initializer_list<const char*> names) {
    for (const char* text : names)
        expectSameLookup(got, want, name(text));
}

TEST(PatchZoneNames, AddsALeafUnderTheApex) {
    const ZonePtr base = plainZone();
    const std::vector<RRsetChange> changes = {
        {name("New.Example."), t::A, {aRecord(1), aRecord(2, 60)}},
        {name("new.example."), t::TXT, {{600, {2, 'h', 'i'}}}},
        {name("example."), t::SOA, {{3600, soaRdata(120)}}},
    };
    const ZonePtr zone = expectPatchedAsBuilt(*base, changes);
    ASSERT_TRUE(zone);
    EXPECT_EQ(base->find(name("new.example.")), nullptr);  // the old version is untouched
    const Node* added = zone->find(name("NEW.example."));
    ASSERT_NE(added, nullptr);
    EXPECT_EQ(zone->name(*added).toText(), "new.example.");
    EXPECT_EQ(zone->parent(*added), &zone->apexNode());
    EXPECT_EQ(zone->rrset(*added, t::A).size(), 2U);
    EXPECT_EQ(zone->rrset(*added, t::A).ttl(), 300U);
    EXPECT_EQ(zone->recordCount(), base->recordCount() + 3);
    const Lookup below = zone->lookup(name("x.new.example."));
    EXPECT_EQ(below.match, nullptr);
    EXPECT_EQ(below.encloser, added);
    EXPECT_EQ(zone->nodes().size(), base->nodes().size() + 1);
    ASSERT_TRUE(zone);
    expectSameLookups(*zone, *rebuild(*base, changes),
                      {"new.example.", "x.new.example.", "nex.example.", "new0.example.",
                       "a.new.example.", "zzz.example.", "a.example."});
}

TEST(PatchZoneNames, AddsUnderExistingDeeperNames) {
    const ZonePtr base = plainZone();
    // Below a data node, below a name that also has a non-terminal above it, and the very
    // first and last names in canonical order.
    const std::vector<RRsetChange> changes = {
        {name("www.h5.example."), t::AAAA, {{300, std::vector<std::uint8_t>(16, 1)}}},
        {name("x.a.b.c.example."), t::MX, {{300, mxRdata(10, "mail.example.")}}},
        {name("0.example."), t::A, {aRecord(3)}},
        {name("zzzz.example."), t::A, {aRecord(4)}},
        {name("mx.alias.example."), t::A, {aRecord(5)}},  // below a CNAME: ordinary for us
    };
    const ZonePtr zone = expectPatchedAsBuilt(*base, changes);
    ASSERT_TRUE(zone);
    EXPECT_EQ(zone->nodes().size(), base->nodes().size() + 5);
    expectSameLookups(*zone, *rebuild(*base, changes),
                      {"a.www.h5.example.", "h5.example.", "vvv.h5.example.", "y.a.b.c.example.",
                       "zzzzz.example.", "1.example."});
}

TEST(PatchZoneNames, AddsTheEmptyNonTerminalsTheBuilderWouldMake) {
    const ZonePtr base = plainZone();
    const std::vector<RRsetChange> changes = {
        {name("a.b.new.example."), t::A, {aRecord(6)}},  // new.example and b.new.example
        {name("c.b.new.example."), t::A, {aRecord(7)}},  // shares them
        {name("q.x.w.example."), t::A, {aRecord(8)}},    // x.w.example hides *.w below it
        {name("m.n.c.example."), t::A, {aRecord(9)}},    // c.example is already one
    };
    const ZonePtr zone = expectPatchedAsBuilt(*base, changes);
    ASSERT_TRUE(zone);
    EXPECT_EQ(zone->nodes().size(), base->nodes().size() + 8);
    const Node* ent = zone->find(name("b.new.example."));
    ASSERT_NE(ent, nullptr);
    EXPECT_TRUE(ent->has(nodeflag::EmptyNonTerminal));
    EXPECT_EQ(ent->rrsetCount, 0U);
    // Before, y.x.w.example was synthesised from *.w.example; now x.w.example exists.
    EXPECT_NE(base->lookup(name("y.x.w.example.")).wildcard, nullptr);
    EXPECT_EQ(zone->lookup(name("y.x.w.example.")).wildcard, nullptr);
    EXPECT_NE(zone->lookup(name("y.w.example.")).wildcard, nullptr);
    expectSameLookups(*zone, *rebuild(*base, changes),
                      {"y.x.w.example.", "x.w.example.", "zz.w.example.", "new.example.",
                       "z.b.new.example.", "b.new.example.", "n.c.example."});
}

TEST(PatchZoneNames, EmptyNonTerminalsGainAndLoseData) {
    const ZonePtr base = plainZone();
    // Data at existing non-terminals: one of them has a wildcard child.
    const ZonePtr filled =
        expectPatchedAsBuilt(*base, {{name("b.c.example."), t::A, {aRecord(10)}},
                                     {name("w.example."), t::TXT, {{300, {1, 'w'}}}}});
    ASSERT_TRUE(filled);
    EXPECT_FALSE(filled->find(name("b.c.example."))->has(nodeflag::EmptyNonTerminal));
    // And back: every RRset removed, the names below keep them as non-terminals.
    const ZonePtr emptied = expectPatchedAsBuilt(
        *filled, {{name("b.c.example."), t::A, {}}, {name("w.example."), t::TXT, {}}});
    ASSERT_TRUE(emptied);
    expectSameZone(*emptied, *base);
    // A data node whose names below stay becomes a non-terminal.
    const ZonePtr parent =
        expectPatchedAsBuilt(*base, {{name("www.h5.example."), t::A, {aRecord(11)}}});
    ASSERT_TRUE(parent);
    const ZonePtr hollow = expectPatchedAsBuilt(*parent, {{name("h5.example."), t::A, {}}});
    ASSERT_TRUE(hollow);
    EXPECT_TRUE(hollow->find(name("h5.example."))->has(nodeflag::EmptyNonTerminal));
}

TEST(PatchZoneNames, RemovesLeaves) {
    const ZonePtr base = plainZone();
    // h21 has A, TXT and MX; mail.example is the MX target of others (no matter to the zone).
    const std::vector<RRsetChange> changes = {
        {name("h21.example."), t::A, {}},  {name("h21.example."), t::TXT, {}},
        {name("h21.example."), t::MX, {}}, {name("mail.example."), t::A, {}},
        {name("h299.example."), t::A, {}},
    };
    const ZonePtr zone = expectPatchedAsBuilt(*base, changes);
    ASSERT_TRUE(zone);
    EXPECT_EQ(zone->find(name("h21.example.")), nullptr);
    EXPECT_EQ(zone->nodes().size(), base->nodes().size() - 3);
    EXPECT_EQ(zone->recordCount(), base->recordCount() - 5);
    expectSameLookups(*zone, *rebuild(*base, changes),
                      {"h21.example.", "x.h21.example.", "h210.example.", "mail.example."});
    // Removing only some of a node's RRsets keeps it.
    EXPECT_NE(
        expectPatchedAsBuilt(*base, {{name("h21.example."), t::A, {}}})->find(name("h21.example.")),
        nullptr);
}

TEST(PatchZoneNames, RemovesTheEmptyNonTerminalsLeftWithoutNames) {
    const ZonePtr base = plainZone();
    // a.b.c.example was the only name below c.example: both non-terminals go.
    const ZonePtr zone = expectPatchedAsBuilt(*base, {{name("a.b.c.example."), t::A, {}}});
    ASSERT_TRUE(zone);
    EXPECT_EQ(zone->find(name("c.example.")), nullptr);
    EXPECT_EQ(zone->nodes().size(), base->nodes().size() - 3);
    // Two names below one non-terminal, removed one at a time and together.
    const ZonePtr two = expectPatchedAsBuilt(*base, {{name("a.q.example."), t::A, {aRecord(12)}},
                                                     {name("b.q.example."), t::A, {aRecord(13)}}});
    ASSERT_TRUE(two);
    const ZonePtr one = expectPatchedAsBuilt(*two, {{name("a.q.example."), t::A, {}}});
    ASSERT_TRUE(one);
    EXPECT_NE(one->find(name("q.example.")), nullptr);
    const ZonePtr none = expectPatchedAsBuilt(
        *two, {{name("a.q.example."), t::A, {}}, {name("b.q.example."), t::A, {}}});
    ASSERT_TRUE(none);
    EXPECT_EQ(none->find(name("q.example.")), nullptr);
    expectSameZone(*none, *base);
    // A name renamed (removed and added in one change), and a name removed while one is added
    // below it: it becomes a non-terminal.
    expectPatchedAsBuilt(
        *base, {{name("h9.example."), t::A, {}}, {name("h9-new.example."), t::A, {aRecord(14)}}});
    const ZonePtr below = expectPatchedAsBuilt(
        *base, {{name("h8.example."), t::A, {}}, {name("x.h8.example."), t::A, {aRecord(15)}}});
    ASSERT_TRUE(below);
    EXPECT_TRUE(below->find(name("h8.example."))->has(nodeflag::EmptyNonTerminal));
}

TEST(PatchZoneNames, RandomNamesComeAndGoLikeTheBuilderMakesThem) {
    std::mt19937 rng(2024);
    ZonePtr zone = plainZone();
    int next = 0;
    for (int round = 0; round < 80; ++round) {
        SCOPED_TRACE("round " + std::to_string(round));
        std::vector<const Node*> anchors;  // where names may be added or removed
        for (const Node& node : zone->nodes()) {
            if ((node.flags & (kRefused & ~nodeflag::EmptyNonTerminal)) == 0 &&
                !zone->name(node).isWildcard() && !node.has(nodeflag::Apex))
                anchors.push_back(&node);
        }
        std::vector<RRsetChange> changes;
        const int ops = std::uniform_int_distribution<int>(1, 3)(rng);
        for (int op = 0; op < ops; ++op) {
            const Node& node = *anchors[rng() % anchors.size()];
            const std::string at = zone->name(node).toText();
            bool taken = false;
            for (const RRsetChange& c : changes)
                taken = taken || c.owner.view().toText() == at;
            if (rng() % 2 == 0 && !node.has(nodeflag::EmptyNonTerminal) && !taken) {
                for (const RRset& rrset : zone->rrsets(node))
                    changes.push_back({name(at), rrset.type, {}});
            } else {
                // One to three new labels below an existing name or the apex.
                std::string owner = rng() % 3 == 0 ? "example." : at;
                const int labels = std::uniform_int_distribution<int>(1, 3)(rng);
                for (int l = 0; l < labels; ++l)
                    owner.insert(0, "n" + std::to_string(next++) + ".");
                changes.push_back({name(owner), t::TXT, {{300, randomRdata(t::TXT, rng)}}});
            }
        }
        const ZonePtr patched = expectPatchedAsBuilt(*zone, changes);
        ASSERT_TRUE(patched);
        if (::testing::Test::HasFailure()) return;
        zone = patched;
    }
}

TEST(PatchZoneNames, DeclinesWhatOnlyTheBuilderDerives) {
    const ZonePtr zone = plainZone();
    const std::vector<std::vector<RRsetChange>> refused = {
        {{name("*.new.example."), t::A, {aRecord(1)}}},   // wildcard owner
        {{name("a.*.h3.example."), t::A, {aRecord(2)}}},  // would make the wildcard *.h3
        {{name("x.sub.example."), t::A, {aRecord(3)}}},   // below a delegation
        {{name("x.ns.sub.example."), t::A, {aRecord(4)}}},
        {{name("y.x.d.example."), t::A, {aRecord(5)}}},  // below a DNAME
        {{name("new.example."), t::NS, {{300, nameRdata("ns1.example.")}}}},
        {{name("new.example."), t::CNAME, {{300, nameRdata("mail.example.")}}}},
        {{name("new.example."), t::DNAME, {{300, nameRdata("example.net.")}}}},
        {{name("new.example."), t::DS, {{300, {1, 2, 3, 4, 5}}}}},
        {{name("new.example."), t::SOA, {{300, soaRdata()}}}},
        {{name("new.example."), t::RRSIG, {{300, rrsigRdata(t::A, 2, 300)}}}},
        {{name("new.example."), t::A, {aRecord(6)}}, {name("NEW.example."), t::A, {aRecord(7)}}},
        {{name("*.w.example."), t::A, {}}},  // a wildcard leaving
        {{name("alias.example."), t::CNAME, {}}},
        {{name("example."), t::SOA, {}}, {name("example."), t::NS, {}}},
    };
    for (std::size_t i = 0; i < refused.size(); ++i)
        EXPECT_FALSE(patchZone(*zone, refused[i]).has_value()) << "case " << i;
    // A name that would leave the wildcard *.v.example without its only child, and a
    // non-terminal wildcard losing its last name below.
    const ZonePtr deep = rebuild(*zone, {{name("a.*.v.example."), t::A, {aRecord(8)}}});
    ASSERT_TRUE(deep);
    EXPECT_FALSE(
        patchZone(*deep, std::vector<RRsetChange>{{name("a.*.v.example."), t::A, {}}}).has_value());
    // Adding nothing at a name that does not exist is no change at all.
    const auto nothing =
        patchZone(*zone, std::vector<RRsetChange>{{name("none.example."), t::A, {}},
                                                  {name("h1.example."), t::A, {aRecord(9)}}});
    ASSERT_TRUE(nothing.has_value());
    EXPECT_EQ((*nothing)->find(name("none.example.")), nullptr);
}

TEST(PatchZoneNames, SignedZonesStillTakeTheSlowPath) {
    for (const std::string apex : {"nsec.test.", "nsec3.test.", "optout.test."}) {
        SCOPED_TRACE(apex);
        const ZonePtr zone = signedZone(apex);
        EXPECT_FALSE(
            patchZone(*zone,
                      std::vector<RRsetChange>{{name("brand-new." + apex), t::A, {aRecord(1)}}})
                .has_value());
        // Removing every RRset of a signed name (its signatures included).
        for (const Node& node : zone->nodes()) {
            if (node.has(nodeflag::Apex) || (node.flags & kRefused) != 0) continue;
            std::vector<RRsetChange> all;
            for (const RRset& rrset : zone->rrsets(node))
                all.push_back({dnswire::Name(zone->name(node)), rrset.type, {}});
            EXPECT_FALSE(patchZone(*zone, all).has_value()) << zone->name(node).toText();
            break;
        }
    }
}

}  // namespace
}  // namespace dnsfleet::zone
