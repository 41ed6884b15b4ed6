// applyDiffs on IXFRs that add and remove names of an unsigned zone (zone::patchZone takes
// them without a rebuild): the new version must transfer and answer exactly as the one
// ZoneBuilder makes from the same records.

#include <gtest/gtest.h>

#include <array>
#include <string>
#include <vector>

#include "transfer_fixture.hpp"
#include "xfr/diff.hpp"
#include "zone/builder.hpp"

namespace dnsfleet::xfr {
namespace {

using namespace test;

std::shared_ptr<const zone::Zone> baseZone() {
    std::string text = R"(
$TTL 300
@        SOA ns admin 1 3600 600 86400 300
@        NS  ns
ns       A   192.0.2.53
*.w      A   192.0.2.80
a.b.c    TXT "deep"
sub      NS  ns.sub
ns.sub   A   192.0.2.54
)";
    for (int i = 0; i < 40; ++i)
        text += "h" + std::to_string(i) + " A 10.0.0." + std::to_string(i) + "\n";
    return zoneFromText(text);
}

ZoneDiff diff(const std::vector<Rec>& removed, const std::vector<Rec>& added) {
    ZoneDiff d;
    d.fromSerial = 1;
    d.toSerial = 2;
    std::vector<Rec> r{soa(1)};
    r.insert(r.end(), removed.begin(), removed.end());
    std::vector<Rec> a{soa(2)};
    a.insert(a.end(), added.begin(), added.end());
    d.removed = recordList(r);
    d.added = recordList(a);
    return d;
}

// Every record as text, in the order of the list (AXFR order for zoneRecords()).
std::vector<std::string> texts(const RecordList& records) {
    std::vector<std::string> out;
    for (const zone::RecordView record : records) {
        std::string text = record.owner.toText() + " " + std::to_string(record.ttl) + " " +
                           dnswire::typeToText(record.type) + " ";
        EXPECT_TRUE(dnswire::rdataToText(record.type, record.rdata, text));
        out.push_back(std::move(text));
    }
    return out;
}

std::string nameOf(const zone::Zone& zone, const zone::Node* node) {
    return node == nullptr ? "-" : zone.name(*node).toText();
}

// What a lookup found, by names: match, closest encloser, cut, wildcard.
std::string lookupText(const zone::Zone& zone, const std::string& qname) {
    const zone::Lookup found = zone.lookup(name(qname));
    return nameOf(zone, found.match) + " " + nameOf(zone, found.encloser) + " " +
           nameOf(zone, found.cut) + " " + nameOf(zone, found.wildcard);
}

void expectAsRebuilt(const zone::Zone& base, const ZoneDiff& d,
                     const std::vector<std::string>& probes) {
    const std::array<const ZoneDiff*, 1> steps = {&d};
    const auto applied = applyDiffs(base, steps);
    ASSERT_TRUE(applied) << applied.error();
    const auto want = rebuilt(base, std::span<const ZoneDiff>(&d, 1));
    ASSERT_TRUE(want);
    const zone::Zone& got = **applied;
    // AXFR order, TTLs and RDATA.
    EXPECT_EQ(texts(zoneRecords(got)), texts(zoneRecords(*want)));
    EXPECT_EQ(got.recordCount(), want->recordCount());
    std::vector<std::string> names;
    for (const zone::Node& node : want->nodes())
        names.push_back(want->name(node).toText());
    std::vector<std::string> gotNames;
    for (const zone::Node& node : got.nodes())
        gotNames.push_back(got.name(node).toText());
    EXPECT_EQ(gotNames, names);  // empty non-terminals included
    names.insert(names.end(), probes.begin(), probes.end());
    for (const std::string& probe : names) {
        EXPECT_EQ(lookupText(got, probe), lookupText(*want, probe)) << probe;
        EXPECT_EQ(lookupText(got, "nx." + probe), lookupText(*want, "nx." + probe)) << probe;
    }
}

TEST(ApplyDiffsNames, AddsANameUnderTheApex) {
    const auto base = baseZone();
    expectAsRebuilt(*base,
                    diff({}, {{"new.example.com.", "A", "192.0.2.1"},
                              {"new.example.com.", "TXT", "\"hello\""}}),
                    {"new.example.com.", "x.new.example.com.", "h9.example.com."});
}

TEST(ApplyDiffsNames, AddsNamesWithEmptyNonTerminals) {
    const auto base = baseZone();
    expectAsRebuilt(*base,
                    diff({}, {{"a.b.new.example.com.", "A", "192.0.2.2"},
                              {"q.x.w.example.com.", "AAAA", "2001:db8::1"},
                              {"www.h7.example.com.", "MX", "10 h7.example.com."}}),
                    {"y.x.w.example.com.", "y.w.example.com.", "b.new.example.com."});
}

TEST(ApplyDiffsNames, RemovesNamesAndTheNonTerminalsAboveThem) {
    const auto base = baseZone();
    expectAsRebuilt(
        *base,
        diff({{"h3.example.com.", "A", "10.0.0.3"}, {"a.b.c.example.com.", "TXT", "\"deep\""}}, {}),
        {"h3.example.com.", "b.c.example.com.", "c.example.com."});
}

TEST(ApplyDiffsNames, RenamesAHost) {
    const auto base = baseZone();
    expectAsRebuilt(
        *base,
        diff({{"h5.example.com.", "A", "10.0.0.5"}}, {{"host5.example.com.", "A", "10.0.0.5"}}),
        {"h5.example.com.", "host5.example.com."});
}

}  // namespace
}  // namespace dnsfleet::xfr
