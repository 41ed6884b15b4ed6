// The master-file syntax of RFC 1035 §5.1 as the parser must read it, with Knot DNS 3.2's
// choices where the RFC leaves room (checked against knotd 3.2.6).

#include "zone/parser.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "dnswire/rrtype.hpp"

namespace dnsfleet::zone {
namespace {

using dnswire::rrtype::A;

struct Rec {
    std::string owner;
    std::uint16_t type = 0;
    std::uint16_t rclass = 0;
    std::uint32_t ttl = 0;
    std::vector<std::uint8_t> rdata;
};

struct Parsed {
    std::vector<Rec> records;
    std::vector<std::string> errors;
};

ParseOptions optionsFor(const char* origin) {
    ParseOptions options;
    options.origin = *dnswire::Name::fromText(origin);
    options.allowInclude = false;
    return options;
}

Parsed parse(std::string_view text, const ParseOptions& options) {
    Parsed parsed;
    auto result = parseZoneText(text, "db.example", options, [&](const RecordView& r) {
        parsed.records.push_back({r.owner.toText(), r.type, r.rclass, r.ttl,
                                  std::vector<std::uint8_t>(r.rdata.begin(), r.rdata.end())});
        return Result<void, std::string>();
    });
    if (!result) {
        for (const auto& e : result.error())
            parsed.errors.push_back(e.toString());
    }
    return parsed;
}

Parsed parse(std::string_view text) {
    return parse(text, optionsFor("example.com."));
}

std::vector<std::uint8_t> ipv4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) {
    return {a, b, c, d};
}

std::vector<std::uint8_t> wire(const char* name) {
    auto n = *dnswire::Name::fromText(name);
    return {n.wire().begin(), n.wire().end()};
}

TEST(Parser, ReadsAbsoluteAndRelativeOwnersAndAt) {
    const auto p = parse(
        "example.com. 300 IN A 192.0.2.1\n"
        "www 300 IN A 192.0.2.2\n"
        "@ 300 IN A 192.0.2.3\n"
        "deep.sub 300 IN A 192.0.2.4\n");
    ASSERT_TRUE(p.errors.empty()) << p.errors[0];
    ASSERT_EQ(p.records.size(), 4U);
    EXPECT_EQ(p.records[0].owner, "example.com.");
    EXPECT_EQ(p.records[1].owner, "www.example.com.");
    EXPECT_EQ(p.records[2].owner, "example.com.");
    EXPECT_EQ(p.records[3].owner, "deep.sub.example.com.");
    EXPECT_EQ(p.records[0].rdata, ipv4(192, 0, 2, 1));
    EXPECT_EQ(p.records[3].type, A);
    EXPECT_EQ(p.records[3].rclass, dnswire::rrclass::IN);
}

TEST(Parser, OriginDirectiveAbsoluteAndRelative) {
    const auto p = parse(
        "$ORIGIN example.net.\n"
        "a A 192.0.2.1\n"
        "$ORIGIN sub\n"  // relative to the current origin
        "b A 192.0.2.2\n"
        "@ NS ns1\n");
    ASSERT_TRUE(p.errors.empty()) << p.errors[0];
    ASSERT_EQ(p.records.size(), 3U);
    EXPECT_EQ(p.records[0].owner, "a.example.net.");
    EXPECT_EQ(p.records[1].owner, "b.sub.example.net.");
    EXPECT_EQ(p.records[2].owner, "sub.example.net.");
    // RDATA names are completed with the origin in force too.
    EXPECT_EQ(p.records[2].rdata, wire("ns1.sub.example.net."));
}

TEST(Parser, TtlDirectiveWithUnitsAndDefault) {
    const auto p = parse(
        "a A 192.0.2.1\n"  // before any $TTL: Knot's default-ttl, 3600
        "$TTL 1h\n"
        "b A 192.0.2.2\n"
        "$ttl 1W2d3H4m5S\n"
        "c A 192.0.2.3\n"
        "$TTL 1d1d\n"
        "d A 192.0.2.4\n");
    ASSERT_TRUE(p.errors.empty()) << p.errors[0];
    ASSERT_EQ(p.records.size(), 4U);
    EXPECT_EQ(p.records[0].ttl, 3600U);
    EXPECT_EQ(p.records[1].ttl, 3600U);
    EXPECT_EQ(p.records[2].ttl, 604800U + 2 * 86400U + 3 * 3600U + 4 * 60U + 5U);
    EXPECT_EQ(p.records[3].ttl, 2 * 86400U);
}

TEST(Parser, ExplicitTtlDoesNotBecomeTheDefaultLikeKnot) {
    // knotd 3.2 gives `c` 3600 here (BIND would give 300, the last explicit TTL).
    const auto p = parse(
        "a A 192.0.2.1\n"
        "b 300 A 192.0.2.2\n"
        "c A 192.0.2.3\n");
    ASSERT_TRUE(p.errors.empty()) << p.errors[0];
    ASSERT_EQ(p.records.size(), 3U);
    EXPECT_EQ(p.records[1].ttl, 300U);
    EXPECT_EQ(p.records[2].ttl, 3600U);
}

TEST(Parser, DefaultTtlComesFromOptions) {
    auto options = optionsFor("example.com.");
    options.defaultTtl = 86400;
    const auto p = parse("a A 192.0.2.1\n", options);
    ASSERT_EQ(p.records.size(), 1U);
    EXPECT_EQ(p.records[0].ttl, 86400U);
}

TEST(Parser, TtlAndClassInEitherOrderAndOptional) {
    const auto p = parse(
        "a 300 IN A 192.0.2.1\n"
        "b IN 301 A 192.0.2.2\n"
        "c in A 192.0.2.3\n"
        "d 302 A 192.0.2.4\n"
        "e CLASS1 303 A 192.0.2.5\n"
        "f A 192.0.2.6\n");
    ASSERT_TRUE(p.errors.empty()) << p.errors[0];
    ASSERT_EQ(p.records.size(), 6U);
    EXPECT_EQ(p.records[0].ttl, 300U);
    EXPECT_EQ(p.records[1].ttl, 301U);
    EXPECT_EQ(p.records[2].ttl, 3600U);
    EXPECT_EQ(p.records[3].ttl, 302U);
    EXPECT_EQ(p.records[4].ttl, 303U);
    for (const auto& r : p.records)
        EXPECT_EQ(r.rclass, dnswire::rrclass::IN);
}

TEST(Parser, LargestTtlKnotAccepts) {
    const auto p = parse("a 4294967295 A 192.0.2.1\nb 2147483648 A 192.0.2.2\n");
    ASSERT_TRUE(p.errors.empty()) << p.errors[0];
    EXPECT_EQ(p.records[0].ttl, 4294967295U);
    EXPECT_EQ(p.records[1].ttl, 2147483648U);
}

TEST(Parser, OwnerInheritedWhenLineStartsWithBlank) {
    const auto p = parse(
        "www 300 A 192.0.2.1\n"
        "    300 A 192.0.2.2\n"
        "\tAAAA 2001:db8::1\n"
        "; a comment line does not change the owner\n"
        "\n"
        "  A 192.0.2.3\n");
    ASSERT_TRUE(p.errors.empty()) << p.errors[0];
    ASSERT_EQ(p.records.size(), 4U);
    for (const auto& r : p.records)
        EXPECT_EQ(r.owner, "www.example.com.");
    EXPECT_EQ(p.records[2].type, dnswire::rrtype::AAAA);
}

TEST(Parser, ParenthesesSpanLinesWithComments) {
    const auto p = parse(
        "@ 3600 IN SOA ns1.example.com. hostmaster.example.com. ( ; the SOA\n"
        "        2024010101 ; serial\n"
        "        7200       ; refresh\n"
        "        3600 1209600\n"
        "        300 )      ; minimum\n"
        "www A 192.0.2.1\n");
    ASSERT_TRUE(p.errors.empty()) << p.errors[0];
    ASSERT_EQ(p.records.size(), 2U);
    EXPECT_EQ(p.records[0].type, dnswire::rrtype::SOA);
    auto expected = wire("ns1.example.com.");
    const auto rname = wire("hostmaster.example.com.");
    expected.insert(expected.end(), rname.begin(), rname.end());
    for (const std::uint32_t v : {2024010101U, 7200U, 3600U, 1209600U, 300U}) {
        expected.push_back(static_cast<std::uint8_t>(v >> 24));
        expected.push_back(static_cast<std::uint8_t>(v >> 16));
        expected.push_back(static_cast<std::uint8_t>(v >> 8));
        expected.push_back(static_cast<std::uint8_t>(v));
    }
    EXPECT_EQ(p.records[0].rdata, expected);
    EXPECT_EQ(p.records[1].owner, "www.example.com.");
}

TEST(Parser, QuotedStringsKeepBlanksSemicolonsAndEscapes) {
    const auto p = parse(
        "txt TXT \"v=spf1 mx -all; really\" \"a\\\"b\" \"back\\\\slash\" \"\\065\"\n"
        "txt2 TXT ( \"multi\"\n"
        "           \"line\" )\n");
    ASSERT_TRUE(p.errors.empty()) << p.errors[0];
    ASSERT_EQ(p.records.size(), 2U);
    const std::string spf = "v=spf1 mx -all; really";
    std::vector<std::uint8_t> expected;
    expected.push_back(static_cast<std::uint8_t>(spf.size()));
    expected.insert(expected.end(), spf.begin(), spf.end());
    for (const std::string_view s : {"a\"b", "back\\slash", "A"}) {
        expected.push_back(static_cast<std::uint8_t>(s.size()));
        expected.insert(expected.end(), s.begin(), s.end());
    }
    EXPECT_EQ(p.records[0].rdata, expected);
    EXPECT_EQ(p.records[1].rdata,
              (std::vector<std::uint8_t>{5, 'm', 'u', 'l', 't', 'i', 4, 'l', 'i', 'n', 'e'}));
}

TEST(Parser, EscapesInOwnerNames) {
    const auto p = parse(
        "a\\.b A 192.0.2.1\n"
        "sp\\032ace A 192.0.2.2\n"
        "semi\\;colon A 192.0.2.3\n");
    ASSERT_TRUE(p.errors.empty()) << p.errors[0];
    ASSERT_EQ(p.records.size(), 3U);
    EXPECT_EQ(p.records[0].owner, "a\\.b.example.com.");
    EXPECT_EQ(p.records[1].owner, "sp\\032ace.example.com.");
    EXPECT_EQ(p.records[2].owner, "semi\\;colon.example.com.");
}

TEST(Parser, GenericRdataAndTypes) {
    const auto p = parse(
        "a TYPE1 \\# 4 c0000201\n"
        "b A \\# 4 C0000202\n"
        "c TYPE65280 \\# 3 0a0b0c\n"
        "d TYPE65281 \\# 0\n"
        "e CLASS1 TYPE65282 ( \\# 2\n 0102 )\n");
    ASSERT_TRUE(p.errors.empty()) << p.errors[0];
    ASSERT_EQ(p.records.size(), 5U);
    EXPECT_EQ(p.records[0].type, A);
    EXPECT_EQ(p.records[0].rdata, ipv4(192, 0, 2, 1));
    EXPECT_EQ(p.records[1].rdata, ipv4(192, 0, 2, 2));
    EXPECT_EQ(p.records[2].type, 65280);
    EXPECT_EQ(p.records[2].rdata, (std::vector<std::uint8_t>{0x0a, 0x0b, 0x0c}));
    EXPECT_TRUE(p.records[3].rdata.empty());
    EXPECT_EQ(p.records[4].rdata, (std::vector<std::uint8_t>{1, 2}));
}

TEST(Parser, CrLfLineEndingsAndNoFinalNewline) {
    const auto p = parse("a A 192.0.2.1\r\nb A 192.0.2.2\r\nc A 192.0.2.3");
    ASSERT_TRUE(p.errors.empty()) << p.errors[0];
    ASSERT_EQ(p.records.size(), 3U);
    EXPECT_EQ(p.records[2].rdata, ipv4(192, 0, 2, 3));
}

TEST(Parser, OwnerCaseIsKept) {
    const auto p = parse("WwW.Example.COM. A 192.0.2.1\nMiXed A 192.0.2.2\n");
    ASSERT_EQ(p.records.size(), 2U);
    EXPECT_EQ(p.records[0].owner, "WwW.Example.COM.");
    EXPECT_EQ(p.records[1].owner, "MiXed.example.com.");
}

TEST(Parser, SinkErrorsAreReportedAtTheRecordLine) {
    auto options = optionsFor("example.com.");
    std::vector<std::string> errors;
    auto result = parseZoneText("a A 192.0.2.1\nb A 192.0.2.2\n", "db.x", options,
                                [](const RecordView& r) -> Result<void, std::string> {
                                    if (r.owner.toText() == "b.example.com.")
                                        return fail(std::string("rejected by the sink"));
                                    return {};
                                });
    ASSERT_FALSE(result);
    ASSERT_EQ(result.error().size(), 1U);
    EXPECT_EQ(result.error()[0].toString(), "db.x:2: rejected by the sink");
}

TEST(Parser, AtAndWildcardsInOwnersAndRdata) {
    const auto p = parse(
        "* A 192.0.2.1\n"
        "*.wild MX 10 @\n"
        "alias CNAME @\n");
    ASSERT_TRUE(p.errors.empty()) << p.errors[0];
    ASSERT_EQ(p.records.size(), 3U);
    EXPECT_EQ(p.records[0].owner, "*.example.com.");
    EXPECT_EQ(p.records[1].owner, "*.wild.example.com.");
    auto mx = std::vector<std::uint8_t>{0, 10};
    const auto apex = wire("example.com.");
    mx.insert(mx.end(), apex.begin(), apex.end());
    EXPECT_EQ(p.records[1].rdata, mx);
    EXPECT_EQ(p.records[2].rdata, apex);
}

TEST(Parser, ParenthesesAndSemicolonsInsideQuotesAreText) {
    const auto p = parse("t TXT \"a ( b\" \") ; c\"\nu A 192.0.2.1\n");
    ASSERT_TRUE(p.errors.empty()) << p.errors[0];
    ASSERT_EQ(p.records.size(), 2U);
    EXPECT_EQ(p.records[0].rdata,
              (std::vector<std::uint8_t>{5, 'a', ' ', '(', ' ', 'b', 5, ')', ' ', ';', ' ', 'c'}));
}

TEST(Parser, RdataOver65535OctetsIsRefused) {
    std::string text = "big TXT";
    for (int i = 0; i < 300; ++i)
        text += " \"" + std::string(250, 'x') + "\"";
    const auto p = parse(text + "\nok A 192.0.2.1\n");
    ASSERT_EQ(p.errors.size(), 1U);
    // The converter or the parser refuses it; either way the message names the limit.
    EXPECT_EQ(p.errors[0].rfind("db.example:1: RDATA", 0), 0U) << p.errors[0];
    EXPECT_NE(p.errors[0].find("65535"), std::string::npos) << p.errors[0];
    EXPECT_EQ(p.records.size(), 1U);
}

TEST(Parser, EmptyInputAndOnlyComments) {
    EXPECT_TRUE(parse("").records.empty());
    const auto p = parse("; nothing\n\n   \t\n( ; still nothing\n )\n");
    EXPECT_TRUE(p.errors.empty());
    EXPECT_TRUE(p.records.empty());
}

TEST(Parser, SameOwnerTextUnderANewOriginIsANewName) {
    // The owner cache must not survive an $ORIGIN change.
    const auto p = parse("www A 192.0.2.1\n$ORIGIN example.net.\nwww A 192.0.2.2\n");
    ASSERT_EQ(p.records.size(), 2U);
    EXPECT_EQ(p.records[0].owner, "www.example.com.");
    EXPECT_EQ(p.records[1].owner, "www.example.net.");
}

TEST(ParseTtl, UnitsAndLimits) {
    EXPECT_EQ(*parseTtl("0"), 0U);
    EXPECT_EQ(*parseTtl("86400"), 86400U);
    EXPECT_EQ(*parseTtl("1h30m"), 5400U);
    EXPECT_EQ(*parseTtl("1h30M"), 5400U);
    EXPECT_EQ(*parseTtl("2w"), 1209600U);
    EXPECT_EQ(*parseTtl("4294967295"), 4294967295U);
    EXPECT_EQ(parseTtl("4294967296").error(), "TTL out of range (at most 4294967295)");
    EXPECT_EQ(parseTtl("99999999999999999999999").error(), "TTL out of range (at most 4294967295)");
    EXPECT_EQ(parseTtl("7102w").error(), "TTL out of range (at most 4294967295)");
    EXPECT_EQ(parseTtl("1h30").error(), "bad TTL '1h30'");
    EXPECT_EQ(parseTtl("1x").error(), "bad TTL '1x'");
    EXPECT_EQ(parseTtl("h").error(), "bad TTL 'h'");
    EXPECT_EQ(parseTtl("1hh").error(), "bad TTL '1hh'");
    EXPECT_FALSE(parseTtl(""));
}

}  // namespace
}  // namespace dnsfleet::zone
