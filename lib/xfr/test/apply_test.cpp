// applyDiffs: IXFR sequences applied strictly (RFC 1995 §4): the serial chain, records that
// must exist before removal and must not exist before addition, limits, out-of-zone data.

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "transfer_fixture.hpp"
#include "xfr/diff.hpp"
#include "zone/builder.hpp"

namespace dnsfleet::xfr {
namespace {

using namespace test;

std::shared_ptr<const zone::Zone> baseZone() {
    return zoneFromText(R"(
$TTL 300
@     SOA ns admin 1 3600 600 86400 300
@     NS  ns
@     MX  10 mail.example.com.
ns    A   192.0.2.53
www   A   192.0.2.1
www   A   192.0.2.2
mail  A   192.0.2.25
)");
}

ZoneDiff diff(std::uint32_t from, std::uint32_t to, const std::vector<Rec>& removed,
              const std::vector<Rec>& added) {
    ZoneDiff d;
    d.fromSerial = from;
    d.toSerial = to;
    std::vector<Rec> r{soa(from)};
    r.insert(r.end(), removed.begin(), removed.end());
    std::vector<Rec> a{soa(to)};
    a.insert(a.end(), added.begin(), added.end());
    d.removed = recordList(r);
    d.added = recordList(a);
    return d;
}

Result<std::shared_ptr<const zone::Zone>, std::string> apply(const zone::Zone& base,
                                                             const std::vector<ZoneDiff>& diffs,
                                                             SizeLimits limits = {}) {
    std::vector<const ZoneDiff*> steps;
    steps.reserve(diffs.size());
    for (const ZoneDiff& d : diffs)
        steps.push_back(&d);
    return applyDiffs(base, steps, limits);
}

TEST(ApplyDiffs, RemovesAndAdds) {
    const auto base = baseZone();
    ASSERT_TRUE(base);
    auto zone = apply(*base, {diff(1, 2, {{"www.example.com.", "A", "192.0.2.1"}},
                                   {{"www.example.com.", "A", "192.0.2.3"},
                                    {"ftp.example.com.", "CNAME", "www.example.com."}})});
    ASSERT_TRUE(zone) << zone.error();
    EXPECT_EQ(zoneSerial(**zone), 2U);
    EXPECT_EQ(rdataAt(**zone, "www.example.com.", "A"),
              (std::vector<std::string>{"192.0.2.2", "192.0.2.3"}));
    EXPECT_EQ(rdataAt(**zone, "ftp.example.com.", "CNAME"),
              std::vector<std::string>{"www.example.com."});
    EXPECT_EQ((*zone)->recordCount(), base->recordCount() + 1);
}

TEST(ApplyDiffs, RemovingAMissingRecord) {
    const auto base = baseZone();
    auto zone = apply(*base, {diff(1, 2, {{"www.example.com.", "A", "192.0.2.9"}}, {})});
    ASSERT_FALSE(zone);
    EXPECT_EQ(zone.error(),
              "IXFR inconsistent: removing a record that does not exist: www.example.com. A "
              "192.0.2.9");
}

TEST(ApplyDiffs, RemovingTheSameRecordTwice) {
    const auto base = baseZone();
    auto zone = apply(
        *base,
        {diff(1, 2,
              {{"www.example.com.", "A", "192.0.2.1"}, {"www.example.com.", "A", "192.0.2.1"}},
              {})});
    ASSERT_FALSE(zone);
    EXPECT_EQ(zone.error().rfind("IXFR inconsistent: removing a record that does not exist", 0),
              0U);
}

TEST(ApplyDiffs, AddingAnExistingRecord) {
    const auto base = baseZone();
    auto zone = apply(*base, {diff(1, 2, {}, {{"www.example.com.", "A", "192.0.2.2", 60}})});
    ASSERT_FALSE(zone);
    EXPECT_EQ(zone.error(),
              "IXFR inconsistent: adding a record that already exists: www.example.com. A "
              "192.0.2.2");
}

TEST(ApplyDiffs, RdataNamesMatchWhateverTheirCase) {
    // RFC 4343: MAIL.Example.COM. and mail.example.com. are the same exchange.
    const auto base = baseZone();
    auto zone = apply(*base, {diff(1, 2, {{"Example.COM.", "MX", "10 MAIL.Example.COM."}},
                                   {{"example.com.", "MX", "20 mail.example.com."}})});
    ASSERT_TRUE(zone) << zone.error();
    EXPECT_EQ(rdataAt(**zone, "example.com.", "MX"),
              std::vector<std::string>{"20 mail.example.com."});
}

TEST(ApplyDiffs, TtlChangeIsARemovalAndAnAddition) {
    const auto base = baseZone();
    auto zone = apply(*base, {diff(1, 2, {{"mail.example.com.", "A", "192.0.2.25"}},
                                   {{"mail.example.com.", "A", "192.0.2.25", 60}})});
    ASSERT_TRUE(zone) << zone.error();
    const zone::Node* node = (*zone)->find(name("mail.example.com."));
    ASSERT_NE(node, nullptr);
    EXPECT_EQ((*zone)->rrset(*node, dnswire::rrtype::A).ttl(), 60U);
}

TEST(ApplyDiffs, SerialChain) {
    const auto base = baseZone();
    // Starts from a serial the zone is not at.
    auto wrongStart = apply(*base, {diff(7, 8, {}, {})});
    ASSERT_FALSE(wrongStart);
    EXPECT_EQ(wrongStart.error(),
              "IXFR inconsistent: a sequence starts at serial 7, the zone is at 1");
    // The second sequence does not continue the first.
    auto gap = apply(*base, {diff(1, 2, {}, {}), diff(3, 4, {}, {})});
    ASSERT_FALSE(gap);
    EXPECT_EQ(gap.error(), "IXFR inconsistent: a sequence starts at serial 3, the zone is at 2");
    // A consistent chain, with a record added in one step and removed in the next.
    auto chain = apply(*base, {diff(1, 2, {}, {{"tmp.example.com.", "A", "192.0.2.77"}}),
                               diff(2, 3, {{"tmp.example.com.", "A", "192.0.2.77"}},
                                    {{"www.example.com.", "A", "192.0.2.1"}})});
    ASSERT_FALSE(chain);  // 192.0.2.1 is still there: adding it again is inconsistent
    auto good = apply(*base, {diff(1, 2, {{"www.example.com.", "A", "192.0.2.1"}},
                                   {{"tmp.example.com.", "A", "192.0.2.77"}}),
                              diff(2, 3, {{"tmp.example.com.", "A", "192.0.2.77"}},
                                   {{"www.example.com.", "A", "192.0.2.1"}})});
    ASSERT_TRUE(good) << good.error();
    EXPECT_EQ(zoneSerial(**good), 3U);
    EXPECT_TRUE(rdataAt(**good, "tmp.example.com.", "A").empty());
    EXPECT_EQ(rdataAt(**good, "www.example.com.", "A"),
              (std::vector<std::string>{"192.0.2.1", "192.0.2.2"}));
}

TEST(ApplyDiffs, ToSerialMustMatchTheNewSoa) {
    const auto base = baseZone();
    ZoneDiff d = diff(1, 2, {}, {});
    d.toSerial = 5;
    auto zone = apply(*base, {d});
    ASSERT_FALSE(zone);
    EXPECT_EQ(zone.error(), "IXFR inconsistent: a sequence ends at serial 2, not 5");
}

TEST(ApplyDiffs, SequenceWithoutSoa) {
    const auto base = baseZone();
    ZoneDiff d;
    d.fromSerial = 1;
    d.toSerial = 2;
    d.added = recordList({{"x.example.com.", "A", "192.0.2.1"}});
    auto zone = apply(*base, {d});
    ASSERT_FALSE(zone);
    EXPECT_EQ(zone.error(), "IXFR inconsistent: a sequence does not begin with the SOA");
}

TEST(ApplyDiffs, OutOfZoneAddition) {
    const auto base = baseZone();
    auto zone = apply(*base, {diff(1, 2, {}, {{"www.example.net.", "A", "192.0.2.1"}})});
    ASSERT_FALSE(zone);
    EXPECT_EQ(zone.error(), "record outside the zone: www.example.net.");
}

TEST(ApplyDiffs, Limits) {
    const auto base = baseZone();  // 7 records
    SizeLimits records;
    records.maxRecords = 8;
    const ZoneDiff two = diff(
        1, 2, {}, {{"a.example.com.", "A", "192.0.2.1"}, {"b.example.com.", "A", "192.0.2.1"}});
    auto over = apply(*base, {two}, records);
    ASSERT_FALSE(over);
    EXPECT_EQ(over.error(), "over the limit of 8 records");
    records.maxRecords = 9;
    EXPECT_TRUE(apply(*base, {two}, records));

    SizeLimits bytes;
    bytes.maxBytes = 100000;
    ASSERT_TRUE(apply(*base, {two}, bytes));
    // The zone as RecordList counts it, plus the two additions, minus one octet.
    std::size_t size = recordList({soa(2),
                                   {"example.com.", "NS", "ns.example.com."},
                                   {"example.com.", "MX", "10 mail.example.com."},
                                   {"ns.example.com.", "A", "192.0.2.53"},
                                   {"www.example.com.", "A", "192.0.2.1"},
                                   {"www.example.com.", "A", "192.0.2.2"},
                                   {"mail.example.com.", "A", "192.0.2.25"},
                                   {"a.example.com.", "A", "192.0.2.1"},
                                   {"b.example.com.", "A", "192.0.2.1"}})
                           .bytes();
    bytes.maxBytes = size;
    EXPECT_TRUE(apply(*base, {two}, bytes));
    bytes.maxBytes = size - 1;
    auto overBytes = apply(*base, {two}, bytes);
    ASSERT_FALSE(overBytes);
    EXPECT_EQ(overBytes.error(), "over the limit of " + std::to_string(size - 1) + " bytes");
}

TEST(ApplyDiffs, Nsec3ChainRecords) {
    // NSEC3 owners are not found by Zone::find(); removing one must still work.
    const auto base = zoneFromText(R"(
$TTL 300
@     SOA ns admin 1 3600 600 86400 300
@     NS  ns
ns    A   192.0.2.53
@     NSEC3PARAM 1 0 0 -
0p9mhaveqvm6t7vbl5lop2u3t2rp3tom NSEC3 1 0 0 - 2vptu5timamqttgl4luu9kg21e0aor3s NS SOA RRSIG DNSKEY NSEC3PARAM
2vptu5timamqttgl4luu9kg21e0aor3s NSEC3 1 0 0 - 0p9mhaveqvm6t7vbl5lop2u3t2rp3tom A
)");
    ASSERT_TRUE(base);
    auto zone = apply(*base, {diff(1, 2,
                                   {{"2vptu5timamqttgl4luu9kg21e0aor3s.example.com.", "NSEC3",
                                     "1 0 0 - 0p9mhaveqvm6t7vbl5lop2u3t2rp3tom A"}},
                                   {{"2vptu5timamqttgl4luu9kg21e0aor3s.example.com.", "NSEC3",
                                     "1 0 0 - 0p9mhaveqvm6t7vbl5lop2u3t2rp3tom A RRSIG"}})});
    ASSERT_TRUE(zone) << zone.error();
    EXPECT_EQ((*zone)->recordCount(), base->recordCount());
    auto missing = apply(*base, {diff(1, 2,
                                      {{"2vptu5timamqttgl4luu9kg21e0aor3s.example.com.", "NSEC3",
                                        "1 0 0 - 0p9mhaveqvm6t7vbl5lop2u3t2rp3tom AAAA"}},
                                      {})});
    ASSERT_FALSE(missing);
}

TEST(ApplyDiffs, BaseIsLeftAsItWas) {
    const auto base = baseZone();
    const std::size_t before = base->recordCount();
    auto zone = apply(*base, {diff(1, 2, {{"ns.example.com.", "A", "192.0.2.53"}},
                                   {{"ns.example.com.", "A", "192.0.2.54"}})});
    ASSERT_TRUE(zone) << zone.error();
    EXPECT_EQ(base->recordCount(), before);
    EXPECT_EQ(rdataAt(*base, "ns.example.com.", "A"), std::vector<std::string>{"192.0.2.53"});
    EXPECT_EQ(zoneSerial(*base), 1U);
}

// Every node as text: name, flags, and each RRset's type, TTL, records and signature slice.
std::vector<std::string> dump(const zone::Zone& zone) {
    std::vector<std::string> out;
    for (const zone::Node& node : zone.nodes()) {
        std::string line = zone.name(node).toText() + " flags " + std::to_string(node.flags);
        for (const zone::RRset& rrset : zone.rrsets(node)) {
            line += " | " + std::to_string(rrset.type) + " ttl " + std::to_string(rrset.ttl);
            for (const auto rdata : zone.view(&rrset)) {
                line += " [";
                for (const std::uint8_t octet : rdata)
                    line += std::to_string(octet) + ",";
                line += "]";
            }
            if (const auto sigs = zone.signatures(rrset))
                line +=
                    " sigs " + std::to_string(sigs.size()) + " ttl " + std::to_string(sigs.ttl());
        }
        out.push_back(std::move(line));
    }
    out.push_back("records " + std::to_string(zone.recordCount()) + " negative " +
                  std::to_string(zone.negativeTtl()));
    return out;
}

TEST(ApplyDiffs, SmallChangesGiveWhatTheBuilderGives) {
    // Edits of existing names take zone::patchZone's path; the result must be the builder's,
    // signature slices and the earliest-added record's TTL included.
    const auto base = zoneFromText(R"(
$TTL 300
@     SOA ns admin 1 3600 600 86400 300
@     NS  ns
@     MX  10 mail.example.com.
ns    A   192.0.2.53
www   A   192.0.2.1
www   A   192.0.2.2
www   RRSIG A 13 3 300 20261223210947 20261125210947 23474 example.com. AAAA
www   TXT "old"
www   RRSIG TXT 13 3 300 20261223210947 20261125210947 23474 example.com. BBBB
mail  A   192.0.2.25
)");
    ASSERT_TRUE(base);
    const std::vector<ZoneDiff> diffs = {
        diff(1, 2,
             {{"www.example.com.", "A", "192.0.2.1"},
              {"www.example.com.", "RRSIG",
               "A 13 3 300 20261223210947 20261125210947 23474 example.com. AAAA"},
              {"mail.example.com.", "A", "192.0.2.25"}},
             {{"www.example.com.", "A", "192.0.2.3", 60},
              {"www.example.com.", "RRSIG",
               "A 13 3 300 20261223210947 20261125210947 23474 example.com. CCCCCCCC", 60},
              {"mail.example.com.", "A", "192.0.2.25", 900},
              {"ns.example.com.", "AAAA", "2001:db8::53"}}),
        diff(2, 3,
             {{"www.example.com.", "TXT", "\"old\""},
              {"www.example.com.", "RRSIG",
               "TXT 13 3 300 20261223210947 20261125210947 23474 example.com. BBBB"}},
             {{"www.example.com.", "TXT", "\"a much longer text than before\"", 120},
              {"example.com.", "MX", "20 mail.example.com."}}),
    };
    auto zone = apply(*base, diffs);
    ASSERT_TRUE(zone) << zone.error();
    const auto want = rebuilt(*base, diffs);
    ASSERT_TRUE(want);
    EXPECT_EQ(dump(**zone), dump(*want));
    EXPECT_EQ(rdataAt(**zone, "www.example.com.", "A"),
              (std::vector<std::string>{"192.0.2.2", "192.0.2.3"}));
    const zone::Node* www = (*zone)->find(name("www.example.com."));
    ASSERT_NE(www, nullptr);
    EXPECT_EQ((*zone)->rrset(*www, dnswire::rrtype::A).ttl(), 300U);  // 192.0.2.2 came first
    EXPECT_EQ((*zone)->rrset(*www, dnswire::rrtype::TXT).ttl(), 120U);
    EXPECT_EQ(zoneSerial(**zone), 3U);
    EXPECT_EQ(zoneSerial(*base), 1U);
}

// What a one-record change costs on a 100k-record zone (reported, not asserted: the machine is
// shared and the build may be a debug one). Before zone::patchZone, ZoneBuilder::from copied
// the whole zone and build() sorted it again: ~250-500 ms in Release.
TEST(ApplyDiffs, OneRecordDiffOnAHundredThousandRecords) {
    std::string text = "$TTL 300\n@ SOA ns admin 1 3600 600 86400 300\n@ NS ns\nns A 192.0.2.53\n";
    for (int i = 0; i < 100000; ++i)
        text += "h" + std::to_string(i) + " A 192.0." + std::to_string(i / 256 % 256) + "." +
                std::to_string(i % 256) + "\n";
    const auto base = zoneFromText(text);
    ASSERT_TRUE(base);
    const ZoneDiff step = diff(1, 2, {{"h500.example.com.", "A", "192.0.1.244"}},
                               {{"h500.example.com.", "A", "192.0.1.245"}});
    // A TXT record grows the blob: every later node's offsets move.
    const ZoneDiff grow = diff(1, 2, {}, {{"h500.example.com.", "TXT", "\"grown\""}});
    // With a byte limit the base's size is counted too, as a secondary with limits does.
    SizeLimits bytes;
    bytes.maxBytes = std::size_t{1} << 30;
    struct Case {
        const char* what;
        const ZoneDiff* diff;
        SizeLimits limits;
        std::size_t added;
    };
    for (const Case& c : {Case{"A", &step, {}, 0}, Case{"TXT", &grow, {}, 1},
                          Case{"A (byte limit)", &step, bytes, 0}}) {
        long long first = -1;
        long long best = -1;
        for (int run = 0; run < 5; ++run) {
            const auto start = std::chrono::steady_clock::now();
            auto zone = apply(*base, {*c.diff}, c.limits);
            const auto elapsed = std::chrono::steady_clock::now() - start;
            ASSERT_TRUE(zone) << zone.error();
            EXPECT_EQ((*zone)->recordCount(), base->recordCount() + c.added);
            EXPECT_EQ(zoneSerial(**zone), 2U);
            EXPECT_EQ(rdataAt(**zone, "h500.example.com.", "A"),
                      std::vector<std::string>{c.diff == &step ? "192.0.1.245" : "192.0.1.244"});
            EXPECT_EQ(rdataAt(**zone, "h99999.example.com.", "A"),
                      std::vector<std::string>{"192.0.134.159"});
            const long long ms =
                std::chrono::duration_cast<std::chrono::microseconds>(elapsed).count() / 1000;
            if (first < 0) first = ms;
            if (best < 0 || ms < best) best = ms;
        }
        std::printf("applyDiffs, one %s record on %zu records: %lld ms first, %lld ms best of 5\n",
                    c.what, base->recordCount(), first, best);
        if (c.diff == &step && c.limits.maxBytes == 0)
            RecordProperty("apply_ms", static_cast<int>(first));
    }
}

}  // namespace
}  // namespace dnsfleet::xfr
