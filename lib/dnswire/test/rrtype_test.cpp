// The registry rows, and RDATA read from messages: decompression only where RFC 3597 §4 allows
// it, embedded names for compression and additional processing, and the canonical form.

#include "dnswire/rrtype.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

namespace dnsfleet::dnswire {
namespace {

using Bytes = std::vector<std::uint8_t>;

Bytes wireName(std::string_view text) {
    auto name = Name::fromText(text);
    EXPECT_TRUE(name) << text;
    return {name->wire().begin(), name->wire().end()};
}

Bytes concat(std::initializer_list<Bytes> parts) {
    Bytes out;
    for (const auto& p : parts)
        out.insert(out.end(), p.begin(), p.end());
    return out;
}

TEST(RRTypeRegistry, EveryRequiredTypeHasALayout) {
    for (const char* mnemonic :
         {"A",      "NS",     "CNAME",      "SOA",   "PTR",    "HINFO",    "MX",      "TXT",
          "AAAA",   "LOC",    "SRV",        "NAPTR", "DS",     "SSHFP",    "RRSIG",   "NSEC",
          "DNSKEY", "NSEC3",  "NSEC3PARAM", "TLSA",  "SMIMEA", "CDS",      "CDNSKEY", "OPENPGPKEY",
          "CSYNC",  "ZONEMD", "SVCB",       "HTTPS", "CAA",    "URI",      "DNAME",   "SPF",
          "RP",     "AFSDB",  "KX",         "CERT",  "DHCID",  "IPSECKEY", "EUI48",   "EUI64",
          "L32",    "L64",    "LP",         "NID",   "APL"}) {
        const auto code = typeFromText(mnemonic);
        ASSERT_TRUE(code) << mnemonic;
        const RRTypeInfo* info = findType(*code);
        ASSERT_NE(info, nullptr) << mnemonic;
        EXPECT_EQ(info->mnemonic, mnemonic);
        EXPECT_FALSE(info->fields.empty()) << mnemonic;
        EXPECT_FALSE(info->meta) << mnemonic;
    }
}

TEST(RRTypeRegistry, MetaTypesAreMarked) {
    for (const std::uint16_t code : {rrtype::OPT, rrtype::TSIG, rrtype::TKEY, rrtype::IXFR,
                                     rrtype::AXFR, rrtype::ANY, rrtype::MAILA, rrtype::MAILB}) {
        const RRTypeInfo* info = findType(code);
        ASSERT_NE(info, nullptr) << code;
        EXPECT_TRUE(info->meta) << info->mnemonic;
    }
}

TEST(RRTypeRegistry, OnlyRfc1035TypesAreCompressible) {
    // RFC 3597 §4: NS, MD, MF, CNAME, SOA, MB, MG, MR, PTR, MINFO, MX and nothing else.
    const std::set<std::uint16_t> expected = {rrtype::NS,  rrtype::MD,    rrtype::MF, rrtype::CNAME,
                                              rrtype::SOA, rrtype::MB,    rrtype::MG, rrtype::MR,
                                              rrtype::PTR, rrtype::MINFO, rrtype::MX};
    for (std::uint32_t code = 0; code <= 0xFFFF; ++code) {
        const RRTypeInfo* info = findType(static_cast<std::uint16_t>(code));
        if (info == nullptr) continue;
        EXPECT_EQ(info->compressible, expected.count(static_cast<std::uint16_t>(code)) == 1)
            << info->mnemonic;
    }
}

TEST(RRTypeRegistry, CanonicalLowercaseFollowsRfc6840) {
    // RFC 4034 §6.2 item 3 with NSEC removed by RFC 6840 §5.1.
    const std::set<std::uint16_t> expected = {
        rrtype::NS,    rrtype::MD,  rrtype::MF,    rrtype::CNAME, rrtype::SOA,  rrtype::MB,
        rrtype::MG,    rrtype::MR,  rrtype::PTR,   rrtype::MINFO, rrtype::MX,   rrtype::RP,
        rrtype::AFSDB, rrtype::RT,  rrtype::SIG,   rrtype::PX,    rrtype::NXT,  rrtype::NAPTR,
        rrtype::KX,    rrtype::SRV, rrtype::DNAME, rrtype::A6,    rrtype::RRSIG};
    for (std::uint32_t code = 0; code <= 0xFFFF; ++code) {
        const RRTypeInfo* info = findType(static_cast<std::uint16_t>(code));
        if (info == nullptr) continue;
        EXPECT_EQ(info->canonicalLowercase, expected.count(static_cast<std::uint16_t>(code)) == 1)
            << info->mnemonic;
    }
    EXPECT_FALSE(findType(rrtype::NSEC)->canonicalLowercase);
}

TEST(RRTypeRegistry, SingletonTypes) {
    EXPECT_TRUE(findType(rrtype::CNAME)->singleton);
    EXPECT_TRUE(findType(rrtype::DNAME)->singleton);
    EXPECT_TRUE(findType(rrtype::SOA)->singleton);
    EXPECT_FALSE(findType(rrtype::A)->singleton);
}

TEST(RRTypeRegistry, MnemonicsAndNumbers) {
    EXPECT_EQ(typeFromText("a"), rrtype::A);
    EXPECT_EQ(typeFromText("Nsec3Param"), rrtype::NSEC3PARAM);
    EXPECT_EQ(typeFromText("TYPE12345"), 12345);
    EXPECT_EQ(typeFromText("type1"), rrtype::A);
    EXPECT_EQ(typeFromText("TYPE65535"), 65535);
    EXPECT_FALSE(typeFromText("TYPE65536"));
    EXPECT_FALSE(typeFromText("TYPE"));
    EXPECT_FALSE(typeFromText("TYPE1x"));
    EXPECT_FALSE(typeFromText("FOO"));
    EXPECT_FALSE(typeFromText(""));
    EXPECT_EQ(typeToText(rrtype::HTTPS), "HTTPS");
    EXPECT_EQ(typeToText(12345), "TYPE12345");
    EXPECT_EQ(typeToText(rrtype::DLV), "DLV");
    EXPECT_EQ(classFromText("in"), rrclass::IN);
    EXPECT_EQ(classFromText("CH"), rrclass::CH);
    EXPECT_EQ(classFromText("CLASS255"), 255);
    EXPECT_FALSE(classFromText("CLASS70000"));
    EXPECT_FALSE(classFromText("XX"));
    EXPECT_EQ(classToText(rrclass::HS), "HS");
    EXPECT_EQ(classToText(999), "CLASS999");
}

TEST(RRTypeRegistry, EveryMnemonicParsesBackToItsCode) {
    for (std::uint32_t code = 0; code <= 0xFFFF; ++code) {
        const auto c = static_cast<std::uint16_t>(code);
        EXPECT_EQ(typeFromText(typeToText(c)), c);
    }
}

// A message holding `mail.example.com.` at offset 12 that later RDATA can point to.
struct Packet {
    Bytes bytes;
    std::size_t rdataAt = 0;
};

Packet packetWith(const Bytes& rdata) {
    Packet p;
    p.bytes.assign(12, 0);
    const Bytes owner = wireName("mail.example.com.");
    p.bytes.insert(p.bytes.end(), owner.begin(), owner.end());
    p.rdataAt = p.bytes.size();
    p.bytes.insert(p.bytes.end(), rdata.begin(), rdata.end());
    return p;
}

TEST(RdataFromWire, DecompressesMxExchange) {
    // MX 10 <pointer to mail.example.com. at 12>
    const Packet p = packetWith({0x00, 0x0A, 0xC0, 0x0C});
    Bytes out;
    ASSERT_TRUE(rdataFromWire(rrtype::MX, p.bytes, p.rdataAt, 4, out));
    EXPECT_EQ(out, concat({{0x00, 0x0A}, wireName("mail.example.com.")}));
}

TEST(RdataFromWire, DecompressesBothSoaNamesWithPartialPointers) {
    // ns.<ptr example.com.> hostmaster.<ptr example.com.> then five 32-bit values.
    Bytes rdata = {2,   'n', 's', 0xC0, 17,  10,  'h', 'o',  's',
                   't', 'm', 'a', 's',  't', 'e', 'r', 0xC0, 17};
    for (int i = 0; i < 20; ++i)
        rdata.push_back(static_cast<std::uint8_t>(i));
    const Packet p = packetWith(rdata);
    Bytes out;
    ASSERT_TRUE(rdataFromWire(rrtype::SOA, p.bytes, p.rdataAt, rdata.size(), out));
    Bytes tail(rdata.end() - 20, rdata.end());
    EXPECT_EQ(out,
              concat({wireName("ns.example.com."), wireName("hostmaster.example.com."), tail}));
    std::string text;
    ASSERT_TRUE(rdataToText(rrtype::SOA, out, text));
    EXPECT_EQ(text,
              "ns.example.com. hostmaster.example.com. 66051 67438087 134810123 "
              "202182159 269554195");
}

TEST(RdataFromWire, RefusesPointersInTypesThatMustNotCompress) {
    // KX 10 <pointer>: RFC 2230 came after RFC 3597's list of types receivers decompress
    // (SRV is on that list: rdata_decompress_test.cpp).
    const Packet kx = packetWith({0x00, 0x0A, 0xC0, 0x0C});
    Bytes out;
    auto r = rdataFromWire(rrtype::KX, kx.bytes, kx.rdataAt, 4, out);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), WireError::BadRdata);
    EXPECT_TRUE(out.empty());
    // RRSIG signer and NSEC next name are never compressed either (RFC 4034 §3.1.7, §4.1.1).
    const Packet nsec = packetWith({0xC0, 0x0C, 0x00, 0x01, 0x40});
    EXPECT_FALSE(rdataFromWire(rrtype::NSEC, nsec.bytes, nsec.rdataAt, 5, out));
    const Packet dname = packetWith({0xC0, 0x0C});
    EXPECT_FALSE(rdataFromWire(rrtype::DNAME, dname.bytes, dname.rdataAt, 2, out));
}

TEST(RdataFromWire, LengthMustMatchExactly) {
    Bytes out;
    const Packet a5 = packetWith({192, 0, 2, 1, 0});
    EXPECT_FALSE(rdataFromWire(rrtype::A, a5.bytes, a5.rdataAt, 5, out));
    EXPECT_FALSE(rdataFromWire(rrtype::A, a5.bytes, a5.rdataAt, 3, out));
    ASSERT_TRUE(rdataFromWire(rrtype::A, a5.bytes, a5.rdataAt, 4, out));
    EXPECT_EQ(out, (Bytes{192, 0, 2, 1}));
    // The MX name ends before rdlength does.
    out.clear();
    const Packet mx = packetWith({0x00, 0x0A, 0xC0, 0x0C, 0x00});
    EXPECT_FALSE(rdataFromWire(rrtype::MX, mx.bytes, mx.rdataAt, 5, out));
    // The name runs past rdlength.
    EXPECT_FALSE(rdataFromWire(rrtype::MX, mx.bytes, mx.rdataAt, 3, out));
    EXPECT_TRUE(out.empty());
    // rdlength beyond the packet.
    EXPECT_FALSE(rdataFromWire(rrtype::A, a5.bytes, a5.rdataAt, 100, out));
}

TEST(RdataFromWire, RefusesForwardAndLoopingPointers) {
    Bytes out;
    const Packet forward = packetWith({0x00, 0x0A, 0xC0, 0xFF});
    EXPECT_FALSE(rdataFromWire(rrtype::MX, forward.bytes, forward.rdataAt, 4, out));
    Packet self = packetWith({0x00, 0x0A, 0xC0, 0x00});
    self.bytes[self.rdataAt + 3] = static_cast<std::uint8_t>(self.rdataAt + 2);
    EXPECT_FALSE(rdataFromWire(rrtype::MX, self.bytes, self.rdataAt, 4, out));
}

TEST(RdataFromWire, UnknownTypesAreCopiedOpaquely) {
    Bytes out;
    const Packet p = packetWith({0xC0, 0x0C, 0xFF});
    ASSERT_TRUE(rdataFromWire(12345, p.bytes, p.rdataAt, 3, out));
    EXPECT_EQ(out, (Bytes{0xC0, 0x0C, 0xFF}));
    std::string text;
    ASSERT_TRUE(rdataToText(12345, out, text));
    EXPECT_EQ(text, "\\# 3 C00CFF");
}

TEST(RdataFromWire, ValidatesNonNameFields) {
    Bytes out;
    // NSEC bitmap with an empty window (RFC 4034 §4.1.2 forbids it).
    Bytes nsec = concat({wireName("a.example."), {0x00, 0x01, 0x00}});
    Packet p = packetWith(nsec);
    EXPECT_FALSE(rdataFromWire(rrtype::NSEC, p.bytes, p.rdataAt, nsec.size(), out));
    // TXT whose string length runs past the RDATA.
    p = packetWith({5, 'a', 'b'});
    EXPECT_FALSE(rdataFromWire(rrtype::TXT, p.bytes, p.rdataAt, 3, out));
    // Empty TXT RDATA: a TXT holds at least one string.
    EXPECT_FALSE(rdataFromWire(rrtype::TXT, p.bytes, p.rdataAt, 0, out));
    // LOC version 1 is not defined.
    Bytes loc(16, 0);
    loc[0] = 1;
    p = packetWith(loc);
    EXPECT_FALSE(rdataFromWire(rrtype::LOC, p.bytes, p.rdataAt, 16, out));
    EXPECT_TRUE(out.empty());
}

TEST(RdataNames, FindsTargetsForAdditionalProcessing) {
    std::array<RdataName, 4> names{};
    const Bytes mx = concat({{0, 10}, wireName("mail.example.")});
    ASSERT_EQ(rdataNames(rrtype::MX, mx, names), 1U);
    EXPECT_EQ(names[0].offset, 2);
    EXPECT_EQ(names[0].length, wireName("mail.example.").size());
    EXPECT_TRUE(names[0].compressible);

    const Bytes srv = concat({{0, 1, 0, 2, 0, 3}, wireName("sip.example.")});
    ASSERT_EQ(rdataNames(rrtype::SRV, srv, names), 1U);
    EXPECT_EQ(names[0].offset, 6);
    EXPECT_FALSE(names[0].compressible);

    const Bytes soa = concat({wireName("ns.example."), wireName("h.example."), Bytes(20, 0)});
    ASSERT_EQ(rdataNames(rrtype::SOA, soa, names), 2U);
    EXPECT_EQ(names[1].offset, wireName("ns.example.").size());

    const Bytes a = {1, 2, 3, 4};
    EXPECT_EQ(rdataNames(rrtype::A, a, names), 0U);
    // Malformed RDATA has no names to offer.
    const Bytes bad = {0, 10, 3, 'a'};
    EXPECT_EQ(rdataNames(rrtype::MX, bad, names), 0U);
    // The span bounds the count.
    EXPECT_EQ(rdataNames(rrtype::SOA, soa, std::span<RdataName>(names.data(), 1)), 1U);
}

TEST(CanonicalizeRdata, LowercasesOnlyTheListedTypes) {
    Bytes mx = concat({{0, 10}, wireName("MAIL.Example.")});
    canonicalizeRdata(rrtype::MX, mx);
    EXPECT_EQ(mx, concat({{0, 10}, wireName("mail.example.")}));

    // RFC 6840 §5.1: the NSEC next name keeps its case.
    Bytes nsec = concat({wireName("Host.Example."), {0, 1, 0x40}});
    const Bytes before = nsec;
    canonicalizeRdata(rrtype::NSEC, nsec);
    EXPECT_EQ(nsec, before);

    // TXT content is not a name.
    Bytes txt = {2, 'A', 'B'};
    canonicalizeRdata(rrtype::TXT, txt);
    EXPECT_EQ(txt, (Bytes{2, 'A', 'B'}));

    Bytes rrsig;
    ASSERT_TRUE(rdataFromString(rrtype::RRSIG,
                                "A 8 2 3600 20300101000000 20200101000000 1 EXAMPLE.com. AAAA",
                                NameView(), rrsig));
    canonicalizeRdata(rrtype::RRSIG, rrsig);
    std::string text;
    ASSERT_TRUE(rdataToText(rrtype::RRSIG, rrsig, text));
    EXPECT_EQ(text, "A 8 2 3600 20300101000000 20200101000000 1 example.com. AAAA");
}

TEST(ValidateRdata, RejectsNonCanonicalBitmapsAndAcceptsUnknownTypes) {
    // Windows out of order.
    const Bytes nsec = concat({wireName("a."), {1, 1, 0x40, 0, 1, 0x40}});
    EXPECT_FALSE(validateRdata(rrtype::NSEC, nsec));
    const Bytes ok = concat({wireName("a."), {0, 1, 0x40, 1, 1, 0x40}});
    EXPECT_TRUE(validateRdata(rrtype::NSEC, ok));
    // Window longer than 32 octets.
    Bytes big = concat({wireName("a."), {0, 33}, Bytes(33, 1)});
    EXPECT_FALSE(validateRdata(rrtype::NSEC, big));
    EXPECT_TRUE(validateRdata(4321, Bytes{1, 2, 3}));
    // A compression pointer in stored (uncompressed) RDATA is malformed.
    EXPECT_FALSE(validateRdata(rrtype::NS, Bytes{0xC0, 0x0C}));
}

}  // namespace
}  // namespace dnsfleet::dnswire
