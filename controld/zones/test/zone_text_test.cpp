// renderZoneText and parseZoneText: RFC 1035 zone files for export and import, with comments.

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "controld/zones/records.hpp"

namespace dnsfleet::controld::zones {
namespace {

constexpr std::string_view kApex = "example.com.";

Rrset checked(std::string name, std::string type, std::vector<std::string> data,
              std::uint32_t ttl = 300) {
    RrsetInput input;
    input.name = std::move(name);
    input.type = std::move(type);
    input.ttl = ttl;
    input.records.reserve(data.size());
    for (auto& d : data) {
        input.records.push_back({std::move(d), ""});
    }
    auto out = checkRrset(kApex, input, 3600);
    EXPECT_TRUE(out.has_value()) << input.name << " " << input.type;
    return out ? *out : Rrset{};
}

std::vector<Rrset> parsed(std::string_view text, std::uint32_t defaultTtl = 3600) {
    auto out = parseZoneText(kApex, text, defaultTtl);
    EXPECT_TRUE(out.has_value()) << (out ? "" : out.error().detail);
    return out ? *out : std::vector<Rrset>{};
}

std::vector<FieldError> parseErrors(std::string_view text) {
    auto out = parseZoneText(kApex, text, 3600);
    EXPECT_FALSE(out.has_value()) << text;
    if (out) return {};
    EXPECT_EQ(out.error().code, ErrorCode::Invalid);
    return out.error().fields;
}

TEST(RenderZoneText, SoaFirstThenCanonicalOrderWithComments) {
    config::NameServerSettings ns;
    auto www = checked("www", "A", {"192.0.2.2", "192.0.2.1"});
    www.records[1].comment = "second";
    www.comment = "web servers";
    const std::vector<Rrset> zone = {
        checked("z", "TXT", {"\"last\""}),
        www,
        checked("@", "MX", {"10 mail"}),
        makeApexNs(kApex, ns),
        makeSoa(kApex, ns, 7),
        checked("a", "AAAA", {"2001:db8::1"}),
    };
    const std::string text = renderZoneText(kApex, zone);
    EXPECT_EQ(text,
              "$ORIGIN example.com.\n"
              "example.com.\t3600\tIN\tSOA\tns1.dnsfleet.test. hostmaster.dnsfleet.test. 7 3600 "
              "600 1209600 300\n"
              "example.com.\t3600\tIN\tNS\tns1.dnsfleet.test.\n"
              "example.com.\t3600\tIN\tNS\tns2.dnsfleet.test.\n"
              "example.com.\t300\tIN\tMX\t10 mail.example.com.\n"
              "a.example.com.\t300\tIN\tAAAA\t2001:db8::1\n"
              "; web servers\n"
              "www.example.com.\t300\tIN\tA\t192.0.2.1\n"
              "www.example.com.\t300\tIN\tA\t192.0.2.2\t; second\n"
              "z.example.com.\t300\tIN\tTXT\t\"last\"\n");
}

TEST(ParseZoneText, DirectivesRelativeNamesParenthesesAndComments) {
    const auto rrsets = parsed(R"(; zone header, not attached to anything

$TTL 1h
@   IN SOA ns1.dnsfleet.test. hostmaster.dnsfleet.test. (
        2026112601 ; serial
        3600 600 1209600 300 )
    IN NS ns1.dnsfleet.test.
; the web servers
www 300 A 192.0.2.1 ; first
    300 A 192.0.2.2
$ORIGIN sub.example.com.
host  A 192.0.2.3
txt   TXT "semi;colon \" quote" ; real comment
Mixed.CASE.example.com. 60 IN cname  Target.example.net.
)");
    ASSERT_EQ(rrsets.size(), 6u);
    EXPECT_EQ(rrsets[0].key(), "example.com. SOA");
    EXPECT_EQ(rrsets[0].ttl, 3600u);
    EXPECT_EQ(rrsets[0].records.at(0).comment, "serial");
    EXPECT_EQ(rrsets[0].comment, "");  // a blank line parts the header from the SOA
    EXPECT_EQ(rrsets[1].key(), "example.com. NS");
    EXPECT_EQ(rrsets[2].key(), "mixed.case.example.com. CNAME");
    EXPECT_EQ(rrsets[2].ttl, 60u);
    EXPECT_EQ(rrsets[2].records.at(0).data, "target.example.net.");
    EXPECT_EQ(rrsets[3].key(), "host.sub.example.com. A");
    EXPECT_EQ(rrsets[3].ttl, 3600u);
    EXPECT_EQ(rrsets[4].key(), "txt.sub.example.com. TXT");
    EXPECT_EQ(rrsets[4].records.at(0), (Record{"\"semi;colon \\\" quote\"", "real comment"}));
    EXPECT_EQ(rrsets[5].key(), "www.example.com. A");
    EXPECT_EQ(rrsets[5].comment, "the web servers");
    EXPECT_EQ(rrsets[5].records, (std::vector<Record>{{"192.0.2.1", "first"}, {"192.0.2.2", ""}}));
}

TEST(ParseZoneText, TabsInCommentsBecomeSpaces) {
    const auto rrsets = parsed("a A 192.0.2.1 ;\tindented\tnote\t\n");
    ASSERT_EQ(rrsets.size(), 1u);
    EXPECT_EQ(rrsets[0].records.at(0).comment, "indented note");
}

TEST(ParseZoneText, DefaultTtlAndFirstTtlOfAnRrsetWins) {
    const auto rrsets = parsed("a A 192.0.2.1\nb 10 A 192.0.2.1\nb 20 A 192.0.2.2\n", 777);
    ASSERT_EQ(rrsets.size(), 2u);
    EXPECT_EQ(rrsets[0].ttl, 777u);
    EXPECT_EQ(rrsets[1].ttl, 10u);
    EXPECT_EQ(rrsets[1].records.size(), 2u);
}

TEST(ParseZoneText, ErrorsNameTheirLinesAndAreAllCollected) {
    const auto errors = parseErrors(
        "ok A 192.0.2.1\n"
        "bad FOO x\n"
        "ok2 A 192.0.2.1\n"
        "addr A 300.1.1.1\n"
        "other.example.org. A 192.0.2.1\n"
        "dup A 192.0.2.9\n"
        "dup A 192.0.2.9\n"
        "$INCLUDE /etc/passwd\n"
        "ch CH A 192.0.2.1\n");
    std::vector<std::string> fields;
    fields.reserve(errors.size());
    for (const auto& e : errors) {
        fields.push_back(e.field);
        EXPECT_FALSE(e.message.empty());
    }
    // The duplicate is found after the file is read; the parse errors come first.
    EXPECT_EQ(fields, (std::vector<std::string>{"line 2", "line 4", "line 5", "line 8", "line 9"}));
    EXPECT_NE(errors[0].message.find("FOO"), std::string::npos);
    EXPECT_NE(errors[2].message.find("outside the zone"), std::string::npos);
    auto out = parseZoneText(kApex, "bad FOO x\n", 3600);
    ASSERT_FALSE(out.has_value());
    EXPECT_EQ(out.error().detail.rfind("line 1: ", 0), 0u) << out.error().detail;

    const auto dup = parseErrors("dup A 192.0.2.9\nx A 192.0.2.1\ndup A 192.0.2.9\n");
    ASSERT_EQ(dup.size(), 1u);
    EXPECT_EQ(dup[0].field, "line 3");
    EXPECT_NE(dup[0].message.find("line 1"), std::string::npos);
}

TEST(ParseZoneText, ErrorsAreCappedAtAHundred) {
    std::string text;
    for (int i = 0; i < 500; ++i) {
        text += "h" + std::to_string(i) + " A not-an-address\n";
    }
    const auto errors = parseErrors(text);
    EXPECT_EQ(errors.size(), 100u);
    EXPECT_EQ(errors.front().field, "line 1");
    EXPECT_EQ(errors.back().field, "line 100");
}

TEST(ParseZoneText, EmptyTextHasNoRrsets) {
    EXPECT_TRUE(parsed("").empty());
    EXPECT_TRUE(parsed("; nothing\n\n$TTL 60\n").empty());
}

// A zone of random RRsets made by checkRrset, as the API would store them.
std::vector<Rrset> randomZone(std::mt19937& rng, std::size_t count) {
    config::NameServerSettings ns;
    std::vector<Rrset> zone = {makeSoa(kApex, ns, static_cast<std::uint32_t>(rng())),
                               makeApexNs(kApex, ns)};
    const std::vector<std::pair<std::string, std::vector<std::string>>> samples = {
        {"A", {"192.0.2.1", "198.51.100.7", "203.0.113.255"}},
        {"AAAA", {"2001:db8::1", "2001:DB8:0:0:8:800:200C:417A"}},
        {"MX", {"10 mail", "20 MX2.Example.NET."}},
        {"TXT", {"\"v=spf1 -all\"", "\"a\\\"b\" \"c;d\" \\255\\010", "plain"}},
        {"SRV", {"0 5 5060 sip", "10 60 443 ."}},
        {"CAA", {"0 issue \"ca.example.net\"", "128 iodef \"mailto:x@example.com\""}},
        {"TLSA", {"3 1 1 abcdef0123456789", "2 0 1 00FF"}},
        {"HTTPS", {"1 . alpn=h2,h3 ech=AEn+DQBF", "0 svc.example.net."}},
        {"NAPTR", {"100 10 \"U\" \"E2U+sip\" \"!^.*$!sip:info@example.com!\" ."}},
        {"TYPE65534", {"\\# 0", "\\# 2 ABCD"}},
    };
    std::uniform_int_distribution<std::size_t> pick(0, samples.size() - 1);
    std::uniform_int_distribution<int> coin(0, 3);
    for (std::size_t i = 0; i < count; ++i) {
        const auto& [type, texts] = samples[pick(rng)];
        RrsetInput input;
        input.name = "n" + std::to_string(rng() % (count / 2 + 1)) + (coin(rng) == 0 ? ".Sub" : "");
        input.type = type;
        input.ttl = static_cast<std::uint32_t>(rng() % 100000);
        for (const auto& t : texts) {
            if (coin(rng) != 0) input.records.push_back({t, coin(rng) == 0 ? "c " + t : ""});
        }
        if (input.records.empty()) input.records.push_back({texts[0], ""});
        if (coin(rng) == 0) input.comment = "rrset #" + std::to_string(i) + " ; with ; semis";
        auto out = checkRrset(kApex, input, 3600);
        EXPECT_TRUE(out.has_value()) << type;
        if (!out) continue;
        const bool taken = std::any_of(zone.begin(), zone.end(),
                                       [&](const Rrset& r) { return r.key() == out->key(); });
        if (!taken) zone.push_back(std::move(*out));
    }
    return zone;
}

TEST(ZoneTextRoundTrip, GeneratedZonesReadBackToTheSameRrsets) {
    std::mt19937 rng(20261126);
    for (int round = 0; round < 20; ++round) {
        const auto zone = randomZone(rng, 60);
        const std::string text = renderZoneText(kApex, zone);
        auto back = parseZoneText(kApex, text, 1);
        ASSERT_TRUE(back.has_value()) << back.error().detail << "\n" << text;
        // Rendering the parsed zone gives the same text, and the RRsets are the same set.
        EXPECT_EQ(renderZoneText(kApex, *back), text);
        ASSERT_EQ(back->size(), zone.size());
        for (const auto& r : zone) {
            const auto it = std::find_if(back->begin(), back->end(),
                                         [&](const Rrset& b) { return b.key() == r.key(); });
            ASSERT_NE(it, back->end()) << r.key();
            EXPECT_EQ(*it, r) << r.key();
        }
    }
}

}  // namespace
}  // namespace dnsfleet::controld::zones
