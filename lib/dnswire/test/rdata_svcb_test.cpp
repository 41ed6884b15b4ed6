// SVCB/HTTPS against the test vectors of RFC 9460 Appendix D.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "dnswire/rrtype.hpp"

namespace dnsfleet::dnswire {
namespace {

using Bytes = std::vector<std::uint8_t>;

Bytes parse(std::string_view text) {
    Bytes wire;
    auto r = rdataFromString(rrtype::SVCB, text, NameView(), wire);
    EXPECT_TRUE(r) << text << ": " << (r ? "" : r.error());
    return wire;
}

std::string failure(std::string_view text) {
    Bytes wire;
    auto r = rdataFromString(rrtype::SVCB, text, NameView(), wire);
    EXPECT_FALSE(r) << text;
    EXPECT_TRUE(wire.empty());
    return r ? std::string() : r.error();
}

std::string print(const Bytes& wire) {
    std::string text;
    EXPECT_TRUE(rdataToText(rrtype::SVCB, wire, text));
    return text;
}

const Bytes kFooExampleCom = {0x03, 'f', 'o', 'o',  0x07, 'e', 'x', 'a', 'm',
                              'p',  'l', 'e', 0x03, 'c',  'o', 'm', 0x00};
const Bytes kFooExampleOrg = {0x03, 'f', 'o', 'o',  0x07, 'e', 'x', 'a', 'm',
                              'p',  'l', 'e', 0x03, 'o',  'r', 'g', 0x00};

Bytes cat(std::initializer_list<Bytes> parts) {
    Bytes out;
    for (const auto& p : parts)
        out.insert(out.end(), p.begin(), p.end());
    return out;
}

TEST(Svcb, Rfc9460AliasMode) {
    // D.1, Figure 2.
    const Bytes wire = cat({{0x00, 0x00}, kFooExampleCom});
    EXPECT_EQ(parse("0 foo.example.com."), wire);
    EXPECT_EQ(print(wire), "0 foo.example.com.");
}

TEST(Svcb, Rfc9460ServiceModeVectors) {
    // D.2, Figures 3 to 9.
    EXPECT_EQ(parse("1 ."), (Bytes{0x00, 0x01, 0x00}));
    EXPECT_EQ(parse("16 foo.example.com. port=53"),
              cat({{0x00, 0x10}, kFooExampleCom, {0x00, 0x03, 0x00, 0x02, 0x00, 0x35}}));
    EXPECT_EQ(
        parse("1 foo.example.com. key667=hello"),
        cat({{0x00, 0x01}, kFooExampleCom, {0x02, 0x9b, 0x00, 0x05, 'h', 'e', 'l', 'l', 'o'}}));
    EXPECT_EQ(parse(R"(1 foo.example.com. key667="hello\210qoo")"),
              cat({{0x00, 0x01},
                   kFooExampleCom,
                   {0x02, 0x9b, 0x00, 0x09, 'h', 'e', 'l', 'l', 'o', 0xd2, 'q', 'o', 'o'}}));
    const Bytes v6 =
        cat({{0x00, 0x01},
             kFooExampleCom,
             {0x00, 0x06, 0x00, 0x20, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0,    0, 0,
              0,    0x01, 0x20, 0x01, 0x0d, 0xb8, 0,    0,    0, 0, 0, 0, 0, 0, 0, 0x53, 0, 0x01}});
    EXPECT_EQ(parse(R"(1 foo.example.com. ipv6hint="2001:db8::1,2001:db8::53:1")"), v6);
    EXPECT_EQ(print(v6), "1 foo.example.com. ipv6hint=2001:db8::1,2001:db8::53:1");
    EXPECT_EQ(parse("1 example.com. ipv6hint=\"2001:db8:122:344::192.0.2.33\""),
              (Bytes{0x00, 0x01, 0x07, 'e',  'x',  'a',  'm',  'p',  'l',  'e',  0x03, 'c',
                     'o',  'm',  0x00, 0x00, 0x06, 0x00, 0x10, 0x20, 0x01, 0x0d, 0xb8, 0x01,
                     0x22, 0x03, 0x44, 0x00, 0x00, 0x00, 0x00, 0xc0, 0x00, 0x02, 0x21}));
    // Figure 8: keys given out of order are sorted; mandatory's list is sorted too.
    const Bytes sorted = cat(
        {{0x00, 0x10}, kFooExampleOrg, {0x00, 0x00, 0x00, 0x04, 0x00, 0x01, 0x00, 0x04, 0x00, 0x01,
                                        0x00, 0x09, 0x02, 'h',  '2',  0x05, 'h',  '3',  '-',  '1',
                                        '9',  0x00, 0x04, 0x00, 0x04, 0xc0, 0x00, 0x02, 0x01}});
    EXPECT_EQ(parse("16 foo.example.org. alpn=h2,h3-19 mandatory=ipv4hint,alpn ipv4hint=192.0.2.1"),
              sorted);
    // Figure 9: value-list escapes, given both ways the RFC shows.
    const Bytes escaped = cat(
        {{0x00, 0x10},
         kFooExampleOrg,
         {0x00, 0x01, 0x00, 0x0c, 0x08, 'f', '\\', 'o', 'o', ',', 'b', 'a', 'r', 0x02, 'h', '2'}});
    EXPECT_EQ(parse(R"(16 foo.example.org. alpn="f\\\\oo\\,bar,h2")"), escaped);
    EXPECT_EQ(parse(R"(16 foo.example.org. alpn=f\\\092oo\092,bar,h2)"), escaped);
    EXPECT_EQ(parse(print(escaped)), escaped);
}

TEST(Svcb, Rfc9460FailureCases) {
    // D.3: multiple instances of the same key.
    EXPECT_NE(failure("1 foo.example.com. key123=abc key123=def").find("duplicate"),
              std::string::npos);
    failure("1 foo.example.com. alpn=h2 key1=h3");  // key1 is alpn
    // Missing values.
    failure("1 foo.example.com. mandatory");
    failure("1 foo.example.com. alpn");
    failure("1 foo.example.com. port");
    failure("1 foo.example.com. ipv4hint");
    failure("1 foo.example.com. ipv6hint");
    // A value where none is allowed.
    failure("1 foo.example.com. no-default-alpn=abc");
    // A mandatory key that is missing.
    failure("1 foo.example.com. mandatory=key123");
    // "mandatory" in its own list.
    failure("1 foo.example.com. mandatory=mandatory");
    failure("1 foo.example.com. mandatory=port,port port=1");
    // Malformed addresses.
    failure("1 foo.example.com. ipv6hint=1.2.3.4");
    failure("1 foo.example.com. ipv4hint=::1");
    // Other malformed values and keys.
    failure("1 foo.example.com. port=65536");
    failure("1 foo.example.com. alpn=h2,,h3");
    failure("1 foo.example.com. ech=@@@@");
    failure("1 foo.example.com. key65535=x");
    failure("1 foo.example.com. unknownkey=x");
}

TEST(Svcb, WireKeysMustAscend) {
    // port (3) before alpn (1): keys out of order on the wire are malformed (RFC 9460 §2.2).
    const Bytes unordered = cat({{0x00, 0x01, 0x00},
                                 {0x00, 0x03, 0x00, 0x02, 0x01, 0xbb},
                                 {0x00, 0x01, 0x00, 0x03, 0x02, 'h', '2'}});
    EXPECT_FALSE(validateRdata(rrtype::SVCB, unordered));
    const Bytes duplicate = cat({{0x00, 0x01, 0x00},
                                 {0x00, 0x03, 0x00, 0x02, 0x01, 0xbb},
                                 {0x00, 0x03, 0x00, 0x02, 0x01, 0xbb}});
    EXPECT_FALSE(validateRdata(rrtype::HTTPS, duplicate));
    const Bytes ordered = cat({{0x00, 0x01, 0x00},
                               {0x00, 0x01, 0x00, 0x03, 0x02, 'h', '2'},
                               {0x00, 0x03, 0x00, 0x02, 0x01, 0xbb}});
    EXPECT_TRUE(validateRdata(rrtype::HTTPS, ordered));
    EXPECT_EQ(print(ordered), "1 . alpn=h2 port=443");
    // A value running past the end.
    EXPECT_FALSE(validateRdata(rrtype::SVCB, Bytes{0x00, 0x01, 0x00, 0x00, 0x03, 0x00, 0x05, 1}));
    // A port of three octets.
    EXPECT_FALSE(
        validateRdata(rrtype::SVCB, Bytes{0x00, 0x01, 0x00, 0x00, 0x03, 0x00, 0x03, 1, 2, 3}));
}

TEST(Svcb, GenericKeysKeepTheirBytes) {
    const Bytes wire = parse(R"(1 . key65000="a b\"c\\" key7="/dns-query{?dns}" key9)");
    EXPECT_EQ(print(wire), R"(1 . dohpath="/dns-query{?dns}" key9 key65000="a b\"c\\")");
    EXPECT_EQ(parse(print(wire)), wire);
}

}  // namespace
}  // namespace dnsfleet::dnswire
