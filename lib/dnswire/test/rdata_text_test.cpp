// RDATA text as real zone files write it, the text Knot DNS 3.2 prints for the same records
// (captured with kdig against knotd serving them), and the errors bad text must produce.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "dnswire/rrtype.hpp"

namespace dnsfleet::dnswire {
namespace {

using Bytes = std::vector<std::uint8_t>;

Name origin() {
    return *Name::fromText("example.com.");
}

Bytes parse(std::uint16_t type, std::string_view text) {
    Bytes wire;
    auto r = rdataFromString(type, text, origin(), wire);
    EXPECT_TRUE(r) << text << ": " << (r ? "" : r.error());
    return wire;
}

std::string print(std::uint16_t type, const Bytes& wire) {
    std::string text;
    EXPECT_TRUE(rdataToText(type, wire, text));
    return text;
}

std::string roundTrip(std::uint16_t type, std::string_view text) {
    return print(type, parse(type, text));
}

std::string errorOf(std::uint16_t type, std::string_view text) {
    Bytes wire = {0xAA};  // what was there before must survive a failed parse
    auto r = rdataFromString(type, text, origin(), wire);
    EXPECT_FALSE(r) << text;
    EXPECT_EQ(wire, Bytes{0xAA}) << text;
    return r ? std::string() : r.error();
}

// Each pair: zone-file text, then what `kdig +short` printed for it from knotd 3.2.
struct KnotCase {
    std::uint16_t type;
    const char* zoneText;
    const char* knotText;
};

constexpr KnotCase kKnot[] = {
    {rrtype::LOC, "52 22 23.000 N 4 53 32.000 E -2.00m 0.00m 10000m 10m",
     "52 22 23 N 4 53 32 E -2m 0m 10000m 10m"},
    {rrtype::LOC, "42 21 54 N 71 06 18 W -24m 30m", "42 21 54 N 71 6 18 W -24m 30m 10000m 10m"},
    {rrtype::LOC, "42 21 54.5 N 71 06 18 W 1.5m 15m 2.5m 0.5m",
     "42 21 54.500 N 71 6 18 W 1.50m 10m 2m 0.50m"},
    {rrtype::SVCB, "16 foo.example.org. alpn=h2,h3-19 mandatory=ipv4hint,alpn ipv4hint=192.0.2.1",
     "16 foo.example.org. mandatory=alpn,ipv4hint alpn=h2,h3-19 ipv4hint=192.0.2.1"},
    {rrtype::SVCB, R"(1 foo.example.com. key667="hello\210qoo")",
     R"(1 foo.example.com. key667="hello\210qoo")"},
    {rrtype::SVCB, R"(16 foo.example.org. alpn="f\\\\oo\\,bar,h2")",
     R"(16 foo.example.org. alpn=f\\\\oo\\,bar,h2)"},
    {rrtype::SVCB, "1 foo.example.com. key65000", "1 foo.example.com. key65000"},
    {rrtype::HTTPS,
     "1 . alpn=h3,h2 no-default-alpn port=8443 ipv4hint=192.0.2.1,192.0.2.2 "
     "ech=AEX+DQBBAQAgACDeb2Qj ipv6hint=2001:db8::1",
     "1 . alpn=h3,h2 no-default-alpn port=8443 ipv4hint=192.0.2.1,192.0.2.2 "
     "ech=AEX+DQBBAQAgACDeb2Qj ipv6hint=2001:db8::1"},
    {rrtype::HTTPS, "0 foo.example.com.", "0 foo.example.com."},
    {rrtype::DS, "60485 5 1 2bb183af5f22588179a53b0a98631fad1a292118",
     "60485 5 1 2BB183AF5F22588179A53B0A98631FAD1A292118"},
    {rrtype::CERT, "PKIX 12345 RSASHA256 MIIBCgKCAQEA", "1 12345 8 MIIBCgKCAQEA"},
    {rrtype::CAA, R"(0 issue "letsencrypt.org; x=\"a b\"\255")",
     R"(0 issue "letsencrypt.org; x=\"a b\"\255")"},
    {rrtype::URI, R"(10 1 "ftp://ftp1.example.com/public")",
     R"(10 1 "ftp://ftp1.example.com/public")"},
    {rrtype::APL, "1:192.168.32.0/21 !1:192.168.38.0/28 2:ff00::/8",
     "1:192.168.32.0/21 !1:192.168.38.0/28 2:ff00::/8"},
    {rrtype::TXT, R"("a\"b\\c\009" "\195\188")", R"("a\"b\\c\009" "\195\188")"},
    {rrtype::EUI48, "00-00-5e-00-53-2a", "00-00-5E-00-53-2A"},
    {rrtype::L64, "10 2001:0db8:1140:1000", "10 2001:0DB8:1140:1000"},
    {rrtype::IPSECKEY, "10 0 2 . AQNRU3mG7TVTO2BkR47usntb102uFJtugbo6BSGvgqt4AQ==",
     "10 0 2 . AQNRU3mG7TVTO2BkR47usntb102uFJtugbo6BSGvgqt4AQ=="},
    {12345, R"(\# 4 0a000001)", R"(\# 4 0A000001)"},
    {rrtype::HINFO, R"("PC" "Linux")", R"("PC" "Linux")"},
    {rrtype::CSYNC, "66 3 A NS AAAA", "66 3 A NS AAAA"},
};

TEST(RdataText, PrintsWhatKnotPrints) {
    for (const auto& c : kKnot)
        EXPECT_EQ(roundTrip(c.type, c.zoneText), c.knotText) << c.zoneText;
}

TEST(RdataText, RelativeNamesUseTheOrigin) {
    EXPECT_EQ(roundTrip(rrtype::MX, "10 mail"), "10 mail.example.com.");
    EXPECT_EQ(roundTrip(rrtype::CNAME, "@"), "example.com.");
    EXPECT_EQ(roundTrip(rrtype::NS, "ns\\.1.example.net."), "ns\\.1.example.net.");
}

TEST(RdataText, SoaTimersTakeTtlUnits) {
    EXPECT_EQ(roundTrip(rrtype::SOA, "ns1 hostmaster 2024010101 1h 15m 2w 1d"),
              "ns1.example.com. hostmaster.example.com. 2024010101 3600 900 1209600 86400");
    EXPECT_EQ(roundTrip(rrtype::SOA, "ns1 hostmaster 1 1H30M 1w2d 3600s 0"),
              "ns1.example.com. hostmaster.example.com. 1 5400 777600 3600 0");
    // The serial is a plain number.
    errorOf(rrtype::SOA, "ns1 hostmaster 1h 1 1 1 1");
    errorOf(rrtype::SOA, "ns1 hostmaster 1 1x 1 1 1");
    errorOf(rrtype::SOA, "ns1 hostmaster 1 h 1 1 1");
    errorOf(rrtype::SOA, "ns1 hostmaster 1 1 1 1 4294967296");
}

TEST(RdataText, Base64AndHexMaySpanSeveralTokens) {
    // A DNSKEY as BIND writes it: the key split over lines inside parentheses.
    const std::string split =
        "257 3 8 (\n AwEAAagAIKlVZrpC6Ia7gEzahOR+9W29euxhJhVVLOyQbSEW0O8gcCjF\n"
        " FVQUTf6v58fLjwBd0YI0EzrAcQqBGCzh/RStIoO8g0NfnfL2MTJRkxoX ) ; KSK";
    const std::string joined =
        "257 3 8 AwEAAagAIKlVZrpC6Ia7gEzahOR+9W29euxhJhVVLOyQbSEW0O8gcCjFFVQUTf6v58fLjwBd0YI0E"
        "zrAcQqBGCzh/RStIoO8g0NfnfL2MTJRkxoX";
    EXPECT_EQ(parse(rrtype::DNSKEY, split), parse(rrtype::DNSKEY, joined));
    EXPECT_EQ(roundTrip(rrtype::DNSKEY, split), joined);  // printed as one token
    EXPECT_EQ(roundTrip(rrtype::DS,
                        "1 8 2 ( 49FD46E6C4B45C55D4AC69CBD3CD3440 "
                        "9C6D6A0E1D97E0A8AC1CBE3C 27E41E4D )"),
              "1 8 2 49FD46E6C4B45C55D4AC69CBD3CD34409C6D6A0E1D97E0A8AC1CBE3C27E41E4D");
    EXPECT_EQ(parse(4321, "\\# 4 0a 00 00 01"), (Bytes{10, 0, 0, 1}));
}

TEST(RdataText, TxtEscapesAndSplitting) {
    EXPECT_EQ(parse(rrtype::TXT, R"("a\"b" \065\066 "\\" "")"),
              (Bytes{3, 'a', '"', 'b', 2, 'A', 'B', 1, '\\', 0}));
    EXPECT_EQ(roundTrip(rrtype::TXT, "unquoted words"), R"("unquoted" "words")");
    EXPECT_EQ(roundTrip(rrtype::TXT, R"x("semi;colon (paren)")x"), R"x("semi;colon (paren)")x");
    const std::string max(255, 'x');
    EXPECT_EQ(parse(rrtype::TXT, "\"" + max + "\"").size(), 256U);
    EXPECT_NE(errorOf(rrtype::TXT, "\"" + max + "y\"").find("longer than 255"), std::string::npos);
    errorOf(rrtype::TXT, R"("bad \25 escape")");
    errorOf(rrtype::TXT, R"("bad \256")");
    errorOf(rrtype::TXT, "");
}

TEST(RdataText, DnssecTypes) {
    EXPECT_EQ(roundTrip(rrtype::NSEC, "host.example.com. A MX RRSIG NSEC TYPE1234"),
              "host.example.com. A MX RRSIG NSEC TYPE1234");
    // RFC 4034 §4.3 prints the wire form of exactly this record.
    Bytes rfc4034 = {0x04, 'h',  'o',  's',  't',  0x07, 'e',  'x',  'a',  'm',
                     'p',  'l',  'e',  0x03, 'c',  'o',  'm',  0x00, 0x00, 0x06,
                     0x40, 0x01, 0x00, 0x00, 0x00, 0x03, 0x04, 0x1b};
    rfc4034.insert(rfc4034.end(), 26, 0x00);
    rfc4034.push_back(0x20);
    EXPECT_EQ(parse(rrtype::NSEC, "host.example.com. A MX RRSIG NSEC TYPE1234"), rfc4034);
    // Types in any order and repeated collapse into one sorted bitmap.
    EXPECT_EQ(roundTrip(rrtype::NSEC, "a. NSEC A RRSIG A"), "a. A RRSIG NSEC");
    // An NSEC3 of an empty non-terminal has no types at all.
    EXPECT_EQ(roundTrip(rrtype::NSEC3, "1 1 0 - 2T7B4G4VSA5SMI47K61MV5BV1A22BOJR"),
              "1 1 0 - 2t7b4g4vsa5smi47k61mv5bv1a22bojr");
    // As knotd 3.2 prints it in an AXFR: salt upper-case, next hashed owner lower-case.
    EXPECT_EQ(roundTrip(rrtype::NSEC3,
                        "1 1 12 aabbccdd 2t7b4g4vsa5smi47k61mv5bv1a22bojr NS SOA "
                        "MX RRSIG DNSKEY NSEC3PARAM"),
              "1 1 12 AABBCCDD 2t7b4g4vsa5smi47k61mv5bv1a22bojr NS SOA MX RRSIG DNSKEY NSEC3PARAM");
    EXPECT_EQ(roundTrip(rrtype::NSEC3PARAM, "1 0 0 -"), "1 0 0 -");
    errorOf(rrtype::NSEC3PARAM, "1 0 0 xyz");
    errorOf(rrtype::NSEC3, "1 0 0 - 2T7B4G4VSA5SMI47K61MV5BV1A22BOJ!");  // not base32hex
    errorOf(rrtype::NSEC3, "1 0 0 - 2T7B4G4VSA5SMI47K61MV5BV1A22BOJ");   // ends mid-octet
    errorOf(rrtype::NSEC, "a. A BOGUS");
    // RRSIG times: 14 digits are a date, anything shorter is seconds (RFC 4034 §3.2).
    EXPECT_EQ(roundTrip(rrtype::RRSIG, "A 13 2 300 1700000000 0 1 example.com. AAAA"),
              "A 13 2 300 20231114221320 19700101000000 1 example.com. AAAA");
    EXPECT_EQ(roundTrip(rrtype::RRSIG, "A 13 2 300 21060207062815 20240229235959 1 . AAAA"),
              "A 13 2 300 21060207062815 20240229235959 1 . AAAA");
    errorOf(rrtype::RRSIG, "A 13 2 300 20230230000000 0 1 example.com. AAAA");  // 30 February
    errorOf(rrtype::RRSIG, "A 13 2 300 4294967296 0 1 example.com. AAAA");
    // Algorithm mnemonics are accepted and printed as numbers, as Knot does.
    EXPECT_EQ(roundTrip(rrtype::DNSKEY, "256 3 ECDSAP256SHA256 AAAA"), "256 3 13 AAAA");
    EXPECT_EQ(roundTrip(rrtype::DS, "1 RSASHA256 2 AABB"), "1 8 2 AABB");
}

TEST(RdataText, RejectsMalformedValues) {
    for (const char* bad :
         {"256.1.1.1", "1.2.3", "1.2.3.4.5", "a.b.c.d", "1..2.3", "01234.1.1.1", " ", "1.2.3.4 5"})
        errorOf(rrtype::A, bad);
    EXPECT_NE(errorOf(rrtype::A, "300.1.1.1").find("IPv4"), std::string::npos);
    for (const char* bad : {"2001:db8::1::2", "192.0.2.1", "gggg::1", ""})
        errorOf(rrtype::AAAA, bad);
    // Bad base64: a character outside the alphabet, a length not a multiple of 4, and
    // padding in the middle.
    errorOf(rrtype::DNSKEY, "256 3 8 AB*D");
    errorOf(rrtype::DNSKEY, "256 3 8 ABC");
    errorOf(rrtype::DNSKEY, "256 3 8 AB==AAAA");
    errorOf(rrtype::DNSKEY, "256 3 8");
    errorOf(rrtype::DS, "1 8 2 ABC");     // odd number of hex digits
    errorOf(rrtype::SSHFP, R"(5 3 "")");  // an empty token is no fingerprint
    errorOf(rrtype::DNSKEY, R"(256 3 8 "")");
    errorOf(rrtype::DS, "1 8 2 XY");
    // A label of 64 octets.
    const std::string label(64, 'a');
    EXPECT_NE(errorOf(rrtype::NS, label + ".example.").find("label"), std::string::npos);
    errorOf(rrtype::NS, "a..b.");
    errorOf(rrtype::MX, "65536 mail.");
    errorOf(rrtype::MX, "-1 mail.");
    errorOf(rrtype::MX, "10");
    EXPECT_NE(errorOf(rrtype::MX, "10 mail. extra").find("extra"), std::string::npos);
    errorOf(rrtype::CAA, "0 is-sue \"x\"");
    errorOf(rrtype::EUI48, "00-00-5e-00-53");
    errorOf(rrtype::EUI48, "00:00:5e:00:53:2a");
    errorOf(rrtype::LOC, "91 0 0 N 0 0 0 E 0m");
    errorOf(rrtype::LOC, "52 22 23 X 4 53 32 E 0m");
    errorOf(rrtype::LOC, "52 60 23 N 4 53 32 E 0m");
    errorOf(rrtype::LOC, "52 22 23 N 4 53 32 E -100000.01m");
    errorOf(rrtype::APL, "1:192.168.0.0/33");
    errorOf(rrtype::APL, "3:192.168.0.0/8");
    errorOf(rrtype::IPSECKEY, "10 1 2 2001:db8::1 AAAA");  // type 1 needs IPv4
    errorOf(rrtype::IPSECKEY, "10 0 2 gw.example. AAAA");  // type 0 needs '.'
}

TEST(RdataText, GenericForm) {
    // RFC 3597 §5 examples.
    EXPECT_EQ(parse(731, R"(\# 6 abcd (
                           ef 01 23 45 ))"),
              (Bytes{0xab, 0xcd, 0xef, 0x01, 0x23, 0x45}));
    EXPECT_EQ(parse(62347, R"(\# 0)"), Bytes{});
    EXPECT_EQ(print(62347, Bytes{}), R"(\# 0)");
    EXPECT_EQ(parse(rrtype::A, R"(\# 4 0A000001)"), (Bytes{10, 0, 0, 1}));
    EXPECT_NE(errorOf(rrtype::A, R"(\# 3 0A000001)").find("length"), std::string::npos);
    EXPECT_NE(errorOf(731, R"(\# 5 0A000001)").find("length"), std::string::npos);
    errorOf(731, R"(\# x 00)");
    errorOf(731, R"(\# 1 0)");
    // Validated against the layout where the type is known.
    EXPECT_NE(errorOf(rrtype::A, R"(\# 3 0A0000)").find("format"), std::string::npos);
    errorOf(rrtype::MX, R"(\# 4 000AC00C)");  // compression pointer in zone data
    errorOf(rrtype::TXT, R"(\# 2 0561)");
    // A quoted \# is a string, not the generic marker.
    EXPECT_EQ(parse(rrtype::TXT, R"("\\#")"), (Bytes{2, '\\', '#'}));
    // Types the registry knows only by number or name need the generic form.
    EXPECT_EQ(parse(rrtype::NULL_, R"(\# 2 0102)"), (Bytes{1, 2}));
    EXPECT_NE(errorOf(rrtype::NULL_, "0102").find("generic"), std::string::npos);
    EXPECT_NE(errorOf(4321, "0102").find("TYPE4321"), std::string::npos);
}

TEST(RdataText, AppendsToWhatIsAlreadyInTheBuffer) {
    // The zone loader keeps every record's RDATA in one buffer.
    Bytes wire = {0xEE};
    ASSERT_TRUE(rdataFromString(rrtype::A, "192.0.2.1", origin(), wire));
    ASSERT_TRUE(rdataFromString(rrtype::MX, "1 mx", origin(), wire));
    ASSERT_TRUE(rdataFromString(rrtype::CAA, "0 issue \"ca\"", origin(), wire));
    Bytes expected = {0xEE, 192, 0, 2,   1,   0,   1, 2, 'm', 'x', 7,   'e', 'x', 'a', 'm', 'p',
                      'l',  'e', 3, 'c', 'o', 'm', 0, 0, 5,   'i', 's', 's', 'u', 'e', 'c', 'a'};
    EXPECT_EQ(wire, expected);
    std::string text = "x ";
    ASSERT_TRUE(rdataToText(rrtype::A, Bytes{192, 0, 2, 1}, text));
    EXPECT_EQ(text, "x 192.0.2.1");
}

TEST(RdataText, TokenizerSplitsLikeAMasterFile) {
    std::vector<RdataToken> tokens;
    ASSERT_TRUE(tokenizeRdata(R"(a "b c" ( d\ e ) ; comment)", tokens));
    ASSERT_EQ(tokens.size(), 3U);
    EXPECT_EQ(tokens[0].text, "a");
    EXPECT_FALSE(tokens[0].quoted);
    EXPECT_EQ(tokens[1].text, "b c");
    EXPECT_TRUE(tokens[1].quoted);
    EXPECT_EQ(tokens[2].text, "d\\ e");
    tokens.clear();
    EXPECT_FALSE(tokenizeRdata(R"("open)", tokens));
}

TEST(RdataToText, RefusesMalformedRdata) {
    std::string text = "keep";
    EXPECT_FALSE(rdataToText(rrtype::A, Bytes{1, 2, 3}, text));
    EXPECT_FALSE(rdataToText(rrtype::MX, Bytes{0, 1, 3, 'a'}, text));
    EXPECT_FALSE(rdataToText(rrtype::CAA, Bytes{0, 0}, text));  // empty tag
    EXPECT_EQ(text, "keep");
}

}  // namespace
}  // namespace dnsfleet::dnswire
