#include "dnswire/name.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace dnsfleet::dnswire {
namespace {

Name text(std::string_view s) {
    auto r = Name::fromText(s);
    EXPECT_TRUE(r.has_value()) << s;
    return r ? *r : Name();
}

TEST(Name, TextRoundTripWithEscapes) {
    EXPECT_EQ(text("example.com.").toText(), "example.com.");
    EXPECT_EQ(text("a\\.b.example.").toText(), "a\\.b.example.");
    EXPECT_EQ(text("\\065bc.").toText(), "Abc.");
    EXPECT_EQ(text("a\\000b.").toText(), "a\\000b.");
    EXPECT_EQ(text(".").toText(), ".");
    EXPECT_EQ(text("\\(x\\);\\\\.").toText(), "\\(x\\)\\;\\\\.");
}

TEST(Name, RelativeNamesTakeTheOrigin) {
    const Name origin = text("example.com.");
    auto r = Name::fromText("www", origin);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->toText(), "www.example.com.");
    auto at = Name::fromText("@", origin);
    ASSERT_TRUE(at);
    EXPECT_EQ(at->toText(), "example.com.");
}

TEST(Name, TextErrors) {
    EXPECT_EQ(Name::fromText("a..b.").error(), WireError::EmptyLabel);
    EXPECT_EQ(Name::fromText("a\\256.").error(), WireError::BadEscape);
    EXPECT_EQ(Name::fromText("a\\2").error(), WireError::BadEscape);
    EXPECT_EQ(Name::fromText(std::string(64, 'a') + ".").error(), WireError::LabelTooLong);
    EXPECT_TRUE(Name::fromText(std::string(63, 'a') + ".").has_value());
    std::string longName;
    for (int i = 0; i < 4; ++i)
        longName += std::string(63, 'a') + ".";
    EXPECT_EQ(Name::fromText(longName).error(), WireError::NameTooLong);
    // 3 x 63-octet labels + one of 61 = 4*1 + 250 + root = 255 octets exactly.
    std::string maxName = std::string(63, 'a') + "." + std::string(63, 'b') + "." +
                          std::string(63, 'c') + "." + std::string(61, 'd') + ".";
    auto max = Name::fromText(maxName);
    ASSERT_TRUE(max);
    EXPECT_EQ(max->size(), 255U);
}

TEST(Name, CaseInsensitiveEqualityAndHash) {
    EXPECT_TRUE(equalNames(text("WWW.Example.COM."), text("www.example.com.")));
    EXPECT_EQ(hashName(text("WWW.Example.COM.")), hashName(text("www.example.com.")));
    EXPECT_FALSE(equalNames(text("www.example.com."), text("ww.example.com.")));
}

TEST(Name, CanonicalOrderOfRfc4034) {
    // The example list of RFC 4034 §6.1, in order.
    const std::vector<std::string> ordered = {
        "example.",         "a.example.",      "yljkjljk.a.example.",
        "Z.a.example.",     "zABC.a.EXAMPLE.", "z.example.",
        "\\001.z.example.", "*.z.example.",    "\\200.z.example."};
    for (std::size_t i = 0; i + 1 < ordered.size(); ++i) {
        EXPECT_LT(compareCanonical(text(ordered[i]), text(ordered[i + 1])), 0)
            << ordered[i] << " < " << ordered[i + 1];
        EXPECT_GT(compareCanonical(text(ordered[i + 1]), text(ordered[i])), 0);
    }
    EXPECT_EQ(compareCanonical(text("A.example."), text("a.EXAMPLE.")), 0);
}

TEST(Name, SubdomainRespectsLabelBoundaries) {
    EXPECT_TRUE(isSubdomain(text("a.b.example."), text("example.")));
    EXPECT_TRUE(isSubdomain(text("example."), text("example.")));
    EXPECT_FALSE(isSubdomain(text("aexample."), text("example.")));
    EXPECT_TRUE(isSubdomain(text("x."), text(".")));
    EXPECT_EQ(commonLabels(text("a.b.example."), text("c.b.example.")), 2U);
}

TEST(Name, DecompressionFollowsBackwardPointers) {
    // Header-less toy packet: "example.com." at 0, then "www" + pointer to 0.
    std::vector<std::uint8_t> p = {7,   'e', 'x', 'a', 'm', 'p', 'l', 'e',  3, 'c',
                                   'o', 'm', 0,   3,   'w', 'w', 'w', 0xC0, 0};
    std::size_t pos = 13;
    auto n = Name::fromWire(p, pos);
    ASSERT_TRUE(n);
    EXPECT_EQ(n->toText(), "www.example.com.");
    EXPECT_EQ(pos, p.size());
}

TEST(Name, DecompressionRejectsBadInput) {
    std::size_t pos = 0;
    std::vector<std::uint8_t> self = {0xC0, 0x00};
    EXPECT_EQ(Name::fromWire(self, pos).error(), WireError::BadPointer);
    pos = 0;
    std::vector<std::uint8_t> forward = {0xC0, 0x02, 0};
    EXPECT_EQ(Name::fromWire(forward, pos).error(), WireError::BadPointer);
    // A loop: a label at 0 points to 2, which points back to 0.
    std::vector<std::uint8_t> loop = {1, 'a', 0xC0, 0x00};
    pos = 2;
    EXPECT_EQ(Name::fromWire(loop, pos).error(), WireError::BadPointer);
    pos = 0;
    std::vector<std::uint8_t> reserved40 = {0x41, 'a', 0};
    EXPECT_EQ(Name::fromWire(reserved40, pos).error(), WireError::BadLabelType);
    pos = 0;
    std::vector<std::uint8_t> reserved80 = {0x81, 'a', 0};
    EXPECT_EQ(Name::fromWire(reserved80, pos).error(), WireError::BadLabelType);
    pos = 0;
    std::vector<std::uint8_t> truncated = {3, 'w', 'w'};
    EXPECT_EQ(Name::fromWire(truncated, pos).error(), WireError::Truncated);
    // 128 labels of one octet each: 256 octets, over the limit.
    std::vector<std::uint8_t> tooLong;
    for (int i = 0; i < 128; ++i) {
        tooLong.push_back(1);
        tooLong.push_back('x');
    }
    tooLong.push_back(0);
    pos = 0;
    EXPECT_EQ(Name::fromWire(tooLong, pos).error(), WireError::NameTooLong);
}

TEST(Name, ParentAndWildcard) {
    const Name n = text("*.b.example.");
    EXPECT_TRUE(n.view().isWildcard());
    EXPECT_EQ(n.view().parent().toText(), "b.example.");
    EXPECT_EQ(n.view().stripLabels(2).toText(), "example.");
    EXPECT_EQ(n.labelCount(), 3U);
    auto joined = text("www.").concat(text("example.com."));
    ASSERT_TRUE(joined);
    EXPECT_EQ(joined->toText(), "www.example.com.");
}

}  // namespace
}  // namespace dnsfleet::dnswire
