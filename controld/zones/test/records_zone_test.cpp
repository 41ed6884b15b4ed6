// checkZone, diffRrsets and the generated apex RRsets.

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "controld/zones/records.hpp"

namespace dnsfleet::controld::zones {
namespace {

constexpr std::string_view kApex = "example.com.";

Rrset make(std::string name, std::string type, std::vector<std::string> data,
           std::uint32_t ttl = 300) {
    Rrset r;
    r.name = std::move(name);
    r.type = std::move(type);
    r.ttl = ttl;
    r.records.reserve(data.size());
    for (auto& d : data) {
        r.records.push_back({std::move(d), ""});
    }
    return r;
}

std::vector<Rrset> baseZone() {
    config::NameServerSettings ns;
    return {makeSoa(kApex, ns, 1), makeApexNs(kApex, ns),
            make("www.example.com.", "A", {"192.0.2.1"}),
            make("mail.example.com.", "A", {"192.0.2.2"})};
}

std::vector<std::string> sorted(std::vector<std::string> v) {
    std::sort(v.begin(), v.end());
    return v;
}

TEST(CheckZone, AcceptsAnOrdinaryZone) {
    auto zone = baseZone();
    zone.push_back(make("alias.example.com.", "CNAME", {"www.example.com."}));
    zone.push_back(make("sub.example.com.", "NS", {"ns1.example.net."}));
    zone.push_back(make("moved.example.com.", "DNAME", {"example.net."}));
    EXPECT_TRUE(checkZone(kApex, zone).has_value());

    // A DNAME may sit at the apex, but then no name below the apex can be reached.
    auto redirected = baseZone();
    redirected.resize(2);
    redirected.push_back(make("example.com.", "DNAME", {"example.org."}));
    EXPECT_TRUE(checkZone(kApex, redirected).has_value());
    redirected.push_back(make("www.example.com.", "A", {"192.0.2.1"}));
    EXPECT_FALSE(checkZone(kApex, redirected).has_value());
}

TEST(CheckZone, CnameBesideOtherData) {
    auto zone = baseZone();
    zone.push_back(make("www.example.com.", "CNAME", {"mail.example.com."}));
    zone.push_back(make("www.example.com.", "TXT", {"\"x\""}));
    auto out = checkZone(kApex, zone);
    ASSERT_FALSE(out.has_value());
    EXPECT_EQ(out.error().code, ErrorCode::Invalid);
    EXPECT_NE(out.error().detail.find("www.example.com."), std::string::npos);
    EXPECT_EQ(sorted(out.error().conflicts),
              sorted({"www.example.com. A", "www.example.com. CNAME", "www.example.com. TXT"}));
}

TEST(CheckZone, CnameBesideDnssecRecordsIsAllowed) {
    auto zone = baseZone();
    zone.push_back(make("c.example.com.", "CNAME", {"www.example.com."}));
    zone.push_back(make("c.example.com.", "NSEC", {"www.example.com. CNAME RRSIG NSEC"}));
    EXPECT_TRUE(checkZone(kApex, zone).has_value());
}

TEST(CheckZone, CnameAtTheApex) {
    auto zone = baseZone();
    zone.push_back(make("example.com.", "CNAME", {"example.net."}));
    auto out = checkZone(kApex, zone);
    ASSERT_FALSE(out.has_value());
    const auto& c = out.error().conflicts;
    EXPECT_NE(std::find(c.begin(), c.end(), "example.com. CNAME"), c.end());
    EXPECT_NE(std::find(c.begin(), c.end(), "example.com. SOA"), c.end());
}

TEST(CheckZone, SeveralCnameOrDnameRecords) {
    for (const char* type : {"CNAME", "DNAME"}) {
        auto zone = baseZone();
        zone.push_back(make("x.example.com.", type, {"a.example.net.", "b.example.net."}));
        auto out = checkZone(kApex, zone);
        ASSERT_FALSE(out.has_value()) << type;
        EXPECT_EQ(out.error().conflicts,
                  std::vector<std::string>{"x.example.com. " + std::string(type)});
    }
}

TEST(CheckZone, DataBelowADname) {
    auto zone = baseZone();
    zone.push_back(make("moved.example.com.", "DNAME", {"example.net."}));
    zone.push_back(make("a.b.moved.example.com.", "A", {"192.0.2.9"}));
    zone.push_back(make("moved.example.com.", "A", {"192.0.2.8"}));  // beside: allowed
    auto out = checkZone(kApex, zone);
    ASSERT_FALSE(out.has_value());
    EXPECT_EQ(sorted(out.error().conflicts),
              sorted({"moved.example.com. DNAME", "a.b.moved.example.com. A"}));
}

TEST(CheckZone, EveryProblemIsListed) {
    auto zone = baseZone();
    zone.push_back(make("www.example.com.", "CNAME", {"x.example.net."}));
    zone.push_back(make("d.example.com.", "DNAME", {"example.net."}));
    zone.push_back(make("x.d.example.com.", "TXT", {"\"t\""}));
    zone.push_back(make("www.example.com.", "A", {"192.0.2.7"}));  // the same RRset twice
    zone.push_back(make("www.example.org.", "A", {"192.0.2.7"}));  // not in the zone
    auto out = checkZone(kApex, zone);
    ASSERT_FALSE(out.has_value());
    EXPECT_EQ(sorted(out.error().conflicts),
              sorted({"www.example.com. A", "www.example.com. CNAME", "d.example.com. DNAME",
                      "x.d.example.com. TXT", "www.example.org. A"}));
    EXPECT_NE(out.error().detail.find("more problems"), std::string::npos);
}

TEST(GeneratedApex, SoaAndNsFromTheSettings) {
    config::NameServerSettings ns;
    ns.nameServers = {"NS2.Fleet.Example.", "ns1.fleet.example.", "ns1.fleet.example."};
    ns.hostmaster = "dns-admin.fleet.example.";
    ns.refresh = 7200;
    ns.retry = 900;
    ns.expire = 604800;
    ns.minimum = 60;
    ns.defaultTtl = 1800;
    const Rrset soa = makeSoa("Example.COM.", ns, 2026112601);
    EXPECT_EQ(soa.key(), "example.com. SOA");
    EXPECT_EQ(soa.ttl, 1800u);
    ASSERT_EQ(soa.records.size(), 1u);
    // The first listed name server is the primary (MNAME); names lower-cased (RFC 4034 §6.2).
    EXPECT_EQ(soa.records[0].data,
              "ns2.fleet.example. dns-admin.fleet.example. 2026112601 7200 900 604800 60");

    const Rrset apexNs = makeApexNs("example.com.", ns);
    EXPECT_EQ(apexNs.key(), "example.com. NS");
    ASSERT_EQ(apexNs.records.size(), 2u);  // the duplicate is dropped
    EXPECT_EQ(apexNs.records[0].data, "ns1.fleet.example.");
    EXPECT_EQ(apexNs.records[1].data, "ns2.fleet.example.");
}

TEST(DiffRrsets, AddedRemovedChangedInCanonicalOrder) {
    const auto before = baseZone();
    auto after = baseZone();
    after.erase(after.begin() + 3);                 // mail A removed
    after[2].records.push_back({"192.0.2.5", ""});  // www A changed
    after.push_back(make("a.example.com.", "TXT", {"\"new\""}));
    after.push_back(make("z.example.com.", "AAAA", {"2001:db8::1"}));
    auto changes = diffRrsets(before, after);
    ASSERT_EQ(changes.size(), 4u);
    // example.com. < a < mail < www < z in canonical order.
    EXPECT_FALSE(changes[0].before.has_value());
    EXPECT_EQ(changes[0].after->key(), "a.example.com. TXT");
    EXPECT_EQ(changes[1].before->key(), "mail.example.com. A");
    EXPECT_FALSE(changes[1].after.has_value());
    EXPECT_EQ(changes[2].before->records.size(), 1u);
    EXPECT_EQ(changes[2].after->records.size(), 2u);
    EXPECT_EQ(changes[3].after->key(), "z.example.com. AAAA");
    EXPECT_TRUE(diffRrsets(before, before).empty());
}

TEST(DiffRrsets, TtlAndCommentChangesAreChanges) {
    const auto before = baseZone();
    auto after = baseZone();
    after[2].ttl = 60;
    after[3].records[0].comment = "the mail host";
    auto changes = diffRrsets(before, after);
    ASSERT_EQ(changes.size(), 2u);
    EXPECT_EQ(changes[0].after->key(), "mail.example.com. A");
    EXPECT_EQ(changes[1].after->key(), "www.example.com. A");
}

}  // namespace
}  // namespace dnsfleet::controld::zones
