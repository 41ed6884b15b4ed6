// Every zone-file error names its file, the line where the bad record starts and the problem;
// parsing goes on after an error so that one run reports all of them (up to maxErrors).

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "zone/parser.hpp"

namespace dnsfleet::zone {
namespace {

struct Outcome {
    std::size_t records = 0;
    std::vector<std::string> errors;
};

Outcome parse(std::string_view text, std::size_t maxErrors = 20) {
    ParseOptions options;
    options.origin = *dnswire::Name::fromText("example.com.");
    options.allowInclude = false;
    options.maxErrors = maxErrors;
    Outcome out;
    auto result = parseZoneText(text, "db.example", options, [&](const RecordView&) {
        ++out.records;
        return Result<void, std::string>();
    });
    if (!result) {
        for (const auto& e : result.error())
            out.errors.push_back(e.toString());
    }
    return out;
}

// One error expected: its full text, then the count of good records around it.
void expectOneError(std::string_view text, const std::string& expected, std::size_t records) {
    const auto out = parse(text);
    ASSERT_EQ(out.errors.size(), 1U) << text;
    EXPECT_EQ(out.errors[0], expected);
    EXPECT_EQ(out.records, records);
}

TEST(ParserErrors, UnknownType) {
    expectOneError("a A 192.0.2.1\nh AAA 1.2.3.4\nc A 192.0.2.3\n",
                   "db.example:2: unknown type 'AAA'", 2);
}

TEST(ParserErrors, BadIpv4AddressFromTheRdataConverter) {
    const auto out = parse("a A 192.0.2.1\ng A 1.2.3\n");
    ASSERT_EQ(out.errors.size(), 1U);
    EXPECT_EQ(out.errors[0].rfind("db.example:2: ", 0), 0U) << out.errors[0];
    EXPECT_NE(out.errors[0].find("1.2.3"), std::string::npos) << out.errors[0];
}

TEST(ParserErrors, UnbalancedParentheses) {
    expectOneError("a A 192.0.2.1 )\nb A 192.0.2.2\n",
                   "db.example:1: unbalanced parentheses: ')' without '('", 1);
    expectOneError("a A 192.0.2.1\nb TXT ( \"x\"\n\"y\"\n",
                   "db.example:2: unbalanced parentheses: '(' opened on line 2 is never closed", 1);
}

TEST(ParserErrors, NestedParenthesesLikeKnot) {
    expectOneError("d ( A\n  ( 192.0.2.5 ) )\ne A 192.0.2.6\n", "db.example:1: nested parentheses",
                   1);
}

TEST(ParserErrors, ErrorInMultiLineRecordReportsItsFirstLine) {
    const auto out = parse(
        "a A 192.0.2.1\n"
        "@ SOA ns1 host (\n"
        "   1 2 3 4\n"
        "   five )\n"
        "b A 192.0.2.2\n");
    ASSERT_EQ(out.errors.size(), 1U);
    EXPECT_EQ(out.errors[0].rfind("db.example:2: ", 0), 0U) << out.errors[0];
    EXPECT_EQ(out.records, 2U);
}

TEST(ParserErrors, TtlOutOfRangeAndBadTtl) {
    expectOneError("b 4294967296 A 192.0.2.3\n",
                   "db.example:1: TTL out of range (at most 4294967295)", 0);
    expectOneError("a A 192.0.2.1\na 1h30 A 192.0.2.2\n", "db.example:2: bad TTL '1h30'", 1);
    expectOneError("$TTL forever\na A 192.0.2.1\n", "db.example:1: bad TTL 'forever'", 1);
}

TEST(ParserErrors, NameTooLong) {
    std::string owner;
    for (int i = 0; i < 5; ++i)
        owner += std::string(60, 'a') + ".";  // 5 * 61 = 305 octets
    const auto out = parse(owner + " A 192.0.2.1\nok A 192.0.2.1\n");
    ASSERT_EQ(out.errors.size(), 1U);
    EXPECT_EQ(out.errors[0].rfind("db.example:1: name too long", 0), 0U) << out.errors[0];
    EXPECT_EQ(out.records, 1U);
}

TEST(ParserErrors, RelativeNameTooLongOnceTheOriginIsAdded) {
    std::string owner = std::string(63, 'a') + "." + std::string(63, 'b') + "." +
                        std::string(63, 'c') + "." + std::string(50, 'd');
    const auto out = parse(owner + " A 192.0.2.1\n");
    ASSERT_EQ(out.errors.size(), 1U);
    EXPECT_EQ(out.errors[0].rfind("db.example:1: name too long", 0), 0U) << out.errors[0];
}

TEST(ParserErrors, LabelTooLongAndEmptyLabel) {
    const auto out = parse(std::string(64, 'x') + " A 192.0.2.1\na..b A 192.0.2.1\n");
    ASSERT_EQ(out.errors.size(), 2U);
    EXPECT_EQ(out.errors[0].rfind("db.example:1: label too long", 0), 0U) << out.errors[0];
    EXPECT_EQ(out.errors[1], "db.example:2: empty label in name 'a..b'");
}

TEST(ParserErrors, ClassOtherThanInIsRefusedLikeKnot) {
    expectOneError("c CH A 192.0.2.4\n",
                   "db.example:1: class CH not supported: only class IN zones are loaded (as in "
                   "Knot DNS)",
                   0);
    const auto out = parse("c HS TXT \"x\"\nd CLASS3 TXT \"y\"\n");
    EXPECT_EQ(out.errors.size(), 2U);
}

TEST(ParserErrors, MissingTypeAndMetaTypes) {
    expectOneError("a 300 IN\nb A 192.0.2.1\n", "db.example:1: missing record type", 1);
    // ANY right after the owner is the class ANY (as in Knot's scanner); after IN it is the type.
    expectOneError("a ANY \\# 0\n",
                   "db.example:1: class ANY not supported: only class IN zones are loaded (as in "
                   "Knot DNS)",
                   0);
    expectOneError("a IN ANY \\# 0\n", "db.example:1: type ANY cannot appear in a zone", 0);
    expectOneError("a OPT \\# 0\n", "db.example:1: type OPT cannot appear in a zone", 0);
    expectOneError("a 60 AXFR \\# 0\n", "db.example:1: type AXFR cannot appear in a zone", 0);
}

TEST(ParserErrors, SecondTtlIsNotAType) {
    expectOneError("k 300 IN 300 A 1.2.3.4\n", "db.example:1: unknown type '300'", 0);
}

TEST(ParserErrors, BlankFirstLineHasNoOwner) {
    expectOneError("  A 192.0.2.1\nb A 192.0.2.2\n",
                   "db.example:1: no owner name: the first record starts with a blank", 1);
}

TEST(ParserErrors, QuotedOwnerAndUnterminatedString) {
    expectOneError("\"quoted\" A 1.2.3.4\n",
                   "db.example:1: owner name must not be quoted: 'quoted'", 0);
    expectOneError("t TXT \"no end\nb A 192.0.2.2\n", "db.example:1: unterminated quoted string",
                   1);
}

TEST(ParserErrors, Directives) {
    expectOneError("$GENERATE 1-10 h$ A 192.0.2.$\n",
                   "db.example:1: unsupported directive '$GENERATE'", 0);
    expectOneError("$ORIGIN\n", "db.example:1: $ORIGIN takes exactly one domain name", 0);
    expectOneError("$TTL 1 2\n", "db.example:1: $TTL takes exactly one TTL", 0);
    expectOneError("$INCLUDE other.db\n", "db.example:1: $INCLUDE is not allowed here", 0);
}

TEST(ParserErrors, BadEscapeAtEndOfLine) {
    expectOneError("a\\\nb A 192.0.2.2\n", "db.example:1: escape '\\' at the end of a line", 1);
}

TEST(ParserErrors, GoesOnAfterErrorsUpToMaxErrors) {
    std::string text;
    for (int i = 0; i < 50; ++i)
        text += "h" + std::to_string(i) + " AAA 1.2.3.4\nok" + std::to_string(i) + " A 1.2.3.4\n";
    const auto all = parse(text, 100);
    EXPECT_EQ(all.errors.size(), 50U);
    EXPECT_EQ(all.records, 50U);
    EXPECT_EQ(all.errors[49], "db.example:99: unknown type 'AAA'");
    EXPECT_EQ(parse(text, 0).errors.size(), 1U);  // zero still reports the first error
    const auto capped = parse(text, 5);
    EXPECT_EQ(capped.errors.size(), 5U);
    EXPECT_EQ(capped.errors[4], "db.example:9: unknown type 'AAA'");
}

TEST(ParserErrors, LineNumbersCountCommentsBlankLinesAndParenthesisedLines) {
    const auto out = parse(
        "; header\n"
        "\n"
        "@ SOA ns1 host ( 1\n"
        "  2 3 4 5 )\n"
        "a \"x\" A 192.0.2.1 ; comment\n"
        "b XYZ 1\n");
    ASSERT_EQ(out.errors.size(), 2U);
    EXPECT_EQ(out.errors[0].rfind("db.example:5: ", 0), 0U) << out.errors[0];
    EXPECT_EQ(out.errors[1], "db.example:6: unknown type 'XYZ'");
}

TEST(ParserErrors, HostileInputsEndCleanly) {
    for (const std::string& text :
         {std::string("(((((("), std::string(")))))"), std::string("\"\"\"\""), std::string("\\"),
          std::string("a\\"), std::string(1000, '('), std::string("$INCLUDE"), std::string("$"),
          std::string("@"), std::string("\0\0 A", 4), std::string("a ( ; )\n"),
          std::string(100000, 'a')}) {
        const auto out = parse(text);
        EXPECT_EQ(out.records, 0U);
        EXPECT_FALSE(out.errors.empty()) << text.substr(0, 20);
    }
}

}  // namespace
}  // namespace dnsfleet::zone
