// checkRrset and canonicalZoneName: what a customer's RRset must be to be staged, and the
// canonical form it is stored in.

#include "controld/zones/records.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace dnsfleet::controld::zones {
namespace {

constexpr std::string_view kApex = "example.com.";

RrsetInput rrset(std::string name, std::string type, std::vector<std::string> data,
                 std::optional<std::uint32_t> ttl = 300) {
    RrsetInput input;
    input.name = std::move(name);
    input.type = std::move(type);
    input.ttl = ttl;
    input.records.reserve(data.size());
    for (auto& d : data) {
        input.records.push_back({std::move(d), ""});
    }
    return input;
}

// The canonical record texts of a valid RRset; fails the test when it is refused.
std::vector<std::string> accepted(const RrsetInput& input) {
    auto out = checkRrset(kApex, input, 3600);
    EXPECT_TRUE(out.has_value()) << input.name << " " << input.type << ": "
                                 << (out ? ""
                                     : out.error().fields.empty()
                                         ? out.error().detail
                                         : out.error().fields[0].field + " " +
                                               out.error().fields[0].message);
    std::vector<std::string> texts;
    if (!out) return texts;
    texts.reserve(out->records.size());
    for (const auto& r : out->records) {
        texts.push_back(r.data);
    }
    return texts;
}

// The fields a refused RRset's error names; fails the test when it is accepted.
std::vector<std::string> refusedFields(const RrsetInput& input, std::string_view prefix = "") {
    auto out = checkRrset(kApex, input, 3600, {}, prefix);
    EXPECT_FALSE(out.has_value()) << input.name << " " << input.type << " was accepted";
    std::vector<std::string> fields;
    if (out) return fields;
    EXPECT_EQ(out.error().code, ErrorCode::Invalid);
    fields.reserve(out.error().fields.size());
    for (const auto& f : out.error().fields) {
        EXPECT_FALSE(f.message.empty()) << f.field;
        fields.push_back(f.field);
    }
    return fields;
}

using Fields = std::vector<std::string>;
using Texts = std::vector<std::string>;

TEST(CanonicalZoneName, LowerCaseWithFinalDot) {
    EXPECT_EQ(*canonicalZoneName("Example.COM"), "example.com.");
    EXPECT_EQ(*canonicalZoneName("example.com."), "example.com.");
    EXPECT_EQ(*canonicalZoneName("_msdcs.example.com"), "_msdcs.example.com.");
    EXPECT_EQ(*canonicalZoneName("0/25.2.0.192.in-addr.arpa"), "0/25.2.0.192.in-addr.arpa.");
}

TEST(CanonicalZoneName, RefusesWhatIsNoZoneName) {
    for (const char* bad : {"", ".", "@", "a..b", "exa mple.com", "*.example.com", "ex\\065.com",
                            "example.com..", "caf\xc3\xa9.example"}) {
        auto out = canonicalZoneName(bad);
        ASSERT_FALSE(out.has_value()) << bad;
        ASSERT_EQ(out.error().fields.size(), 1u) << bad;
        EXPECT_EQ(out.error().fields[0].field, "/name") << bad;
    }
    const std::string longLabel(64, 'a');
    EXPECT_FALSE(canonicalZoneName(longLabel + ".com").has_value());
    std::string longName;
    for (int i = 0; i < 60; ++i) {
        longName += "abcd.";
    }
    EXPECT_FALSE(canonicalZoneName(longName).has_value());
}

TEST(CheckRrset, OwnerNamesAreCompletedWithTheApex) {
    auto relative = checkRrset(kApex, rrset("WWW", "a", {"192.0.2.1"}), 3600);
    ASSERT_TRUE(relative.has_value());
    EXPECT_EQ(relative->name, "www.example.com.");
    EXPECT_EQ(relative->type, "A");
    EXPECT_EQ(relative->key(), "www.example.com. A");

    EXPECT_EQ(checkRrset(kApex, rrset("@", "A", {"192.0.2.1"}), 3600)->name, "example.com.");
    EXPECT_EQ(checkRrset(kApex, rrset("Www.Example.Com.", "A", {"192.0.2.1"}), 3600)->name,
              "www.example.com.");
    EXPECT_EQ(checkRrset(kApex, rrset("*.dyn", "A", {"192.0.2.1"}), 3600)->name,
              "*.dyn.example.com.");
    // Zone-file semantics: without the final dot a name is relative, even if it looks absolute.
    EXPECT_EQ(checkRrset(kApex, rrset("www.example.com", "A", {"192.0.2.1"}), 3600)->name,
              "www.example.com.example.com.");
}

TEST(CanonicalOwnerName, SameRuleAsCheckRrset) {
    EXPECT_EQ(*canonicalOwnerName(kApex, "*.Dyn"), "*.dyn.example.com.");
    EXPECT_EQ(*canonicalOwnerName(kApex, "@"), "example.com.");
    EXPECT_EQ(*canonicalOwnerName(kApex, "_sip._UDP.example.com."), "_sip._udp.example.com.");
    EXPECT_EQ(*canonicalOwnerName(kApex, "a\\.b"), "a\\.b.example.com.");
    for (const char* bad : {"", "www.example.org.", "a..b"}) {
        auto out = canonicalOwnerName(kApex, bad);
        ASSERT_FALSE(out.has_value()) << bad;
        EXPECT_EQ(out.error().fields.at(0).field, "/name") << bad;
    }
}

TEST(CheckRrset, OwnerOutsideTheZoneIsRefused) {
    EXPECT_EQ(refusedFields(rrset("www.example.org.", "A", {"192.0.2.1"})), Fields{"/name"});
    EXPECT_EQ(refusedFields(rrset("com.", "A", {"192.0.2.1"})), Fields{"/name"});
    EXPECT_EQ(refusedFields(rrset("notexample.com.", "A", {"192.0.2.1"})), Fields{"/name"});
    EXPECT_EQ(refusedFields(rrset("", "A", {"192.0.2.1"})), Fields{"/name"});
    EXPECT_EQ(refusedFields(rrset("a..b", "A", {"192.0.2.1"})), Fields{"/name"});
    EXPECT_EQ(refusedFields(rrset(std::string(64, 'x'), "A", {"192.0.2.1"})), Fields{"/name"});
}

TEST(CheckRrset, TypesTheCustomerMayNotWrite) {
    for (const char* type : {"FOO",   "",           "ANY",    "AXFR",    "IXFR",    "OPT",   "TSIG",
                             "TKEY",  "MAILA",      "TYPE0",  "TYPE200", "SOA",     "RRSIG", "NSEC",
                             "NSEC3", "NSEC3PARAM", "DNSKEY", "CDS",     "CDNSKEY", "ZONEMD"}) {
        EXPECT_EQ(refusedFields(rrset("host", type, {"\\# 0"})), Fields{"/type"}) << type;
    }
    // The apex NS is generated; NS below the apex is a delegation and the customer's.
    EXPECT_EQ(refusedFields(rrset("@", "NS", {"ns1.example.net."})), Fields{"/type"});
    EXPECT_EQ(accepted(rrset("sub", "NS", {"ns1.example.net.", "NS2.sub"})),
              (Texts{"ns1.example.net.", "ns2.sub.example.com."}));
    // A DS is the parent's side of a delegation: at a child, not at the apex.
    EXPECT_EQ(refusedFields(rrset("@", "DS", {"12345 13 2 " + std::string(64, 'a')})),
              Fields{"/type"});
    EXPECT_EQ(refusedFields(rrset("@", "CNAME", {"other.example.net."})), Fields{"/type"});
}

TEST(CheckRrset, TtlRangeAndDefault) {
    auto defaulted = checkRrset(kApex, rrset("a", "A", {"192.0.2.1"}, std::nullopt), 1234);
    ASSERT_TRUE(defaulted.has_value());
    EXPECT_EQ(defaulted->ttl, 1234u);

    RecordLimits limits;
    limits.minTtl = 60;
    limits.maxTtl = 86400;
    EXPECT_TRUE(checkRrset(kApex, rrset("a", "A", {"192.0.2.1"}, 60), 3600, limits));
    EXPECT_TRUE(checkRrset(kApex, rrset("a", "A", {"192.0.2.1"}, 86400), 3600, limits));
    for (std::uint32_t ttl : {59u, 86401u}) {
        auto out = checkRrset(kApex, rrset("a", "A", {"192.0.2.1"}, ttl), 3600, limits);
        ASSERT_FALSE(out.has_value()) << ttl;
        EXPECT_EQ(out.error().fields.at(0).field, "/ttl");
    }
    // RFC 2181 §8: TTLs are at most 2^31 - 1 by default.
    EXPECT_EQ(refusedFields(rrset("a", "A", {"192.0.2.1"}, 2147483648u)), Fields{"/ttl"});
    // The zone's default TTL is held to the same range.
    EXPECT_FALSE(checkRrset(kApex, rrset("a", "A", {"192.0.2.1"}, std::nullopt), 30, limits));
}

TEST(CheckRrset, RecordListRules) {
    EXPECT_EQ(refusedFields(rrset("a", "A", {})), Fields{"/records"});
    RecordLimits limits;
    limits.maxRecordsPerRrset = 2;
    auto many =
        checkRrset(kApex, rrset("a", "A", {"192.0.2.1", "192.0.2.2", "192.0.2.3"}), 3600, limits);
    ASSERT_FALSE(many.has_value());
    EXPECT_EQ(many.error().fields.at(0).field, "/records");

    // Duplicates are found on the canonical form, so spelling differences do not hide them.
    EXPECT_EQ(refusedFields(rrset("a", "A", {"192.0.2.1", "192.0.2.2", "192.0.2.1"})),
              Fields{"/records/2/data"});
    EXPECT_EQ(refusedFields(rrset("m", "MX", {"10 Mail", "10 mail.example.com."})),
              Fields{"/records/1/data"});
    EXPECT_EQ(refusedFields(rrset("t", "TXT", {"\"a b\"", "a\\032b"})), Fields{"/records/1/data"});

    // One CNAME or DNAME per name (RFC 2181 §10.1, RFC 6672 §2.4).
    EXPECT_EQ(refusedFields(rrset("c", "CNAME", {"a.example.net.", "b.example.net."})),
              Fields{"/records"});
    EXPECT_EQ(refusedFields(rrset("d", "DNAME", {"a.example.net.", "b.example.net."})),
              Fields{"/records"});
}

TEST(CheckRrset, FieldErrorsArePointersUnderThePrefix) {
    auto fields =
        refusedFields(rrset("a", "A", {"192.0.2.1", "not-an-address", "192.0.2.300"}), "/rrsets/4");
    EXPECT_EQ(fields, (Fields{"/rrsets/4/records/1/data", "/rrsets/4/records/2/data"}));
    // Several problems at once are all reported.
    auto input = rrset("www.example.org.", "A", {"x"}, 2147483648u);
    input.comment = "line\nbreak";
    EXPECT_EQ(refusedFields(input), (Fields{"/name", "/ttl", "/comment", "/records/0/data"}));
}

TEST(CheckRrset, Comments) {
    auto input = rrset("a", "A", {"192.0.2.2", "192.0.2.1"});
    input.records[0].comment = "  second host ";
    input.records[1].comment = "first host, caf\xc3\xa9";
    input.comment = " web servers\t";
    auto out = checkRrset(kApex, input, 3600);
    ASSERT_TRUE(out.has_value());
    EXPECT_EQ(out->comment, "web servers");
    ASSERT_EQ(out->records.size(), 2u);
    // The comment stays with its record when the records are put in canonical order.
    EXPECT_EQ(out->records[0], (Record{"192.0.2.1", "first host, caf\xc3\xa9"}));
    EXPECT_EQ(out->records[1], (Record{"192.0.2.2", "second host"}));

    input.records[0].comment = "tab\tinside";
    EXPECT_EQ(refusedFields(input), Fields{"/records/0/comment"});
    input.records[0].comment = "bad \xc3\x28 utf-8";
    EXPECT_EQ(refusedFields(input), Fields{"/records/0/comment"});
    input.records[0].comment = std::string(1025, 'c');
    EXPECT_EQ(refusedFields(input), Fields{"/records/0/comment"});
    input.records[0].comment = std::string(1024, 'c');
    EXPECT_TRUE(checkRrset(kApex, input, 3600).has_value());
}

struct RdataCase {
    const char* type;
    const char* input;
    const char* canonical;
};

TEST(CheckRrset, ValidRdataOfCommonTypesInCanonicalForm) {
    const std::string longText(300, 'x');
    const RdataCase cases[] = {
        {"A", "192.0.2.1", "192.0.2.1"},
        {"AAAA", "2001:DB8:0:0::1", "2001:db8::1"},
        {"CNAME", "Target", "target.example.com."},
        {"CNAME", "target.example.net.", "target.example.net."},
        {"MX", "10 mail", "10 mail.example.com."},
        {"MX", "0 .", "0 ."},
        {"TXT", "hello", "\"hello\""},
        {"TXT", "\"v=spf1 -all\" \"second\"", "\"v=spf1 -all\" \"second\""},
        {"TXT", "\"quote \\\" and \\\\ and \\009 tab\"", "\"quote \\\" and \\\\ and \\009 tab\""},
        {"SRV", "10 60 5060 SIP", "10 60 5060 sip.example.com."},
        {"CAA", "0 issue \"letsencrypt.org\"", "0 issue \"letsencrypt.org\""},
        {"PTR", "host.example.net.", "host.example.net."},
        {"NAPTR", "100 10 \"S\" \"SIP+D2U\" \"\" _sip._udp",
         "100 10 \"S\" \"SIP+D2U\" \"\" _sip._udp.example.com."},
        {"TLSA", "3 1 1 0123456789abcdef0123456789ABCDEF0123456789abcdef0123456789abcdef",
         "3 1 1 0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF"},
        {"SVCB", "1 svc alpn=h2,h3 port=8443", "1 svc.example.com. alpn=h2,h3 port=8443"},
        {"HTTPS", "1 . ipv4hint=192.0.2.1 alpn=h2", "1 . alpn=h2 ipv4hint=192.0.2.1"},
        {"TYPE65534", "\\# 3 010203", "\\# 3 010203"},
        {"TYPE1", "192.0.2.7", "192.0.2.7"},
        {"A", "\\# 4 C0000201", "192.0.2.1"},
    };
    for (const auto& c : cases) {
        auto out = checkRrset(kApex, rrset("x", c.type, {c.input}), 3600);
        ASSERT_TRUE(out.has_value())
            << c.type << " " << c.input << ": " << out.error().fields.at(0).message;
        ASSERT_EQ(out->records.size(), 1u);
        EXPECT_EQ(out->records[0].data, c.canonical) << c.type << " " << c.input;
    }
    EXPECT_EQ(checkRrset(kApex, rrset("x", "TYPE1", {"192.0.2.7"}), 3600)->type, "A");
    EXPECT_EQ(checkRrset(kApex, rrset("x", "type65534", {"\\# 0"}), 3600)->type, "TYPE65534");
    // A TXT string over 255 octets is not one character-string.
    EXPECT_EQ(refusedFields(rrset("x", "TXT", {"\"" + longText + "\""})),
              Fields{"/records/0/data"});
    EXPECT_TRUE(checkRrset(
        kApex,
        rrset("x", "TXT", {"\"" + std::string(255, 'x') + "\" \"" + std::string(45, 'x') + "\""}),
        3600));
    // DS below the apex at a delegation point.
    EXPECT_EQ(accepted(rrset("sub", "DS", {"12345 13 2 " + std::string(64, 'a')})),
              Texts{"12345 13 2 " + std::string(64, 'A')});
}

TEST(CheckRrset, InvalidRdataIsRefusedPerRecord) {
    const std::pair<const char*, const char*> cases[] = {
        {"A", "192.0.2"},
        {"A", "192.0.2.1 extra"},
        {"A", ""},
        {"AAAA", "192.0.2.1"},
        {"AAAA", "2001:db8:::1"},
        {"CNAME", "a..b"},
        {"MX", "mail.example.com."},
        {"MX", "70000 mail"},
        {"TXT", "\"unterminated"},
        {"SRV", "10 60 mail"},
        {"CAA", "0 issue"},
        {"CAA", "256 issue \"x\""},
        {"TLSA", "3 1 1 xyz"},
        {"DS", "12345 13 2"},
        {"SVCB", "1 . bogus=1"},
        {"HTTPS", "x ."},
        {"NAPTR", "100 10 S SIP"},
        {"PTR", ""},
        {"TYPE65534", "\\# 3 0102"},
        {"TYPE65534", "01 02"},
        {"A", "\\# 3 C00002"},
    };
    for (const auto& [type, data] : cases) {
        EXPECT_EQ(refusedFields(rrset("x", type, {data})), Fields{"/records/0/data"})
            << type << " " << data;
    }
}

TEST(CheckRrset, OkRecordsBesideABadOneNameOnlyTheBadOne) {
    EXPECT_EQ(refusedFields(rrset("x", "A", {"192.0.2.1", "192.0.2.256", "192.0.2.3"})),
              Fields{"/records/1/data"});
    EXPECT_EQ(refusedFields(rrset("x", "MX", {"10 a", "ten b", "20 c"})),
              Fields{"/records/1/data"});
}

}  // namespace
}  // namespace dnsfleet::controld::zones
