// The printer writes records that the parser reads back byte for byte, for every type the
// registry knows, generic types and names or strings that need escapes.

#include "zone/printer.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "dnswire/rrtype.hpp"
#include "zone/parser.hpp"

namespace dnsfleet::zone {
namespace {

struct Owned {
    std::vector<std::uint8_t> owner;
    std::uint16_t type = 0;
    std::uint16_t rclass = 0;
    std::uint32_t ttl = 0;
    std::vector<std::uint8_t> rdata;
    bool operator==(const Owned&) const = default;

    [[nodiscard]] RecordView view() const {
        return {dnswire::NameView::fromTrusted(owner.data(), owner.size()), type, rclass, ttl,
                rdata};
    }
};

std::vector<Owned> parseAll(std::string_view text, const char* origin) {
    ParseOptions options;
    options.origin = *dnswire::Name::fromText(origin);
    options.allowInclude = false;
    std::vector<Owned> records;
    auto result = parseZoneText(text, "roundtrip.zone", options, [&](const RecordView& r) {
        records.push_back({{r.owner.wire().begin(), r.owner.wire().end()},
                           r.type,
                           r.rclass,
                           r.ttl,
                           {r.rdata.begin(), r.rdata.end()}});
        return Result<void, std::string>();
    });
    if (!result) {
        for (const auto& e : result.error())
            ADD_FAILURE() << e.toString();
    }
    return records;
}

std::string printAll(const std::vector<Owned>& records) {
    std::string out;
    for (const auto& r : records)
        printRecord(r.view(), out);
    return out;
}

// One or more samples of every type with a registry layout, in presentation forms taken from
// the RFCs that define them; types known by mnemonic only use the generic form.
constexpr std::string_view kEveryType = R"ZONE($ORIGIN example.com.
$TTL 3600
@ SOA ns1 hostmaster ( 2024010101 7200 3600 1209600 300 )
@ NS ns1
@ NS ns2.example.net.
ns1 A 192.0.2.1
ns1 AAAA 2001:db8::1
v4mapped AAAA ::ffff:192.0.2.1
md MD madname.example.net.
mf MF madname.example.net.
www CNAME ns1
mb MB mailbox.example.com.
mg MG mailgroup.example.com.
mr MR renamed.example.com.
null NULL \# 3 010203
wks WKS \# 5 c000020106
ptr PTR host.example.net.
hinfo HINFO "PC-Intel-700mhz" "Linux \"2.4\" ; x"
minfo MINFO rmail.example.com. email.example.com.
mx MX 10 mail.example.net.
txt TXT "v=spf1 -all" "second; part" "\001\255" "back\\slash" unquoted
txt TXT ""
rp RP mbox.example.com. txt.example.com.
afsdb AFSDB 1 afs.example.com.
rt RT 10 relay.example.com.
sig SIG A 8 3 86400 20240101000000 20231201000000 12345 example.com. dGVzdHNpZ25hdHVyZQ==
key KEY 256 3 8 AwEAAQ==
px PX 10 map822.example.com. mapx400.example.com.
loc LOC 52 22 23.000 N 4 53 32.000 E -2.00m 0.00m 10000m 10m
loc2 LOC 42 21 54 N 71 06 18 W -24m 30m
nxt NXT \# 3 000140
_sip._udp SRV 10 60 5060 sip.example.com.
naptr NAPTR 100 10 "S" "SIP+D2U" "" _sip._udp.example.com.
naptr NAPTR 100 50 "a" "z3950+N2L+N2C" "!^urn:cid:.+@([^\.]+\.)(.*)$!\\2!i" .
kx KX 10 kx.example.com.
cert CERT 1 12345 8 dGVzdGNlcnQ=
a6 A6 \# 17 00 20010db8000000000000000000000001
dname DNAME example.net.
apl APL 1:192.0.2.0/24 !2:2001:db8::/32
ds DS 60485 5 1 2BB183AF5F22588179A53B0A98631FAD1A292118
sshfp SSHFP 2 1 123456789abcdef67890123456789abcdef67890
ipseckey IPSECKEY 10 1 2 192.0.2.38 AQNRU3mG7TVTO2BkR47usntb102uFJtugbo6BSGvgqt4AQ==
ipseckey IPSECKEY 10 0 2 . AQNRU3mG7TVTO2BkR47usntb102uFJtugbo6BSGvgqt4AQ==
ipseckey IPSECKEY 10 3 2 gw.example.com. AQNRU3mG7TVTO2BkR47usntb102uFJtugbo6BSGvgqt4AQ==
rrsig RRSIG A 13 3 86400 20240101000000 20231201000000 12345 example.com. dGVzdHNpZ25hdHVyZQ==
nsec NSEC host.example.com. A MX RRSIG NSEC TYPE1234
dnskey DNSKEY 257 3 13 mdsswUyr3DPW132mOi8V9xESWE8jTo0dxCjjnopKl+GqJxpVXckHAeF+KkxLbxILfDLUT0rAK9iUzy1L53eKGQ==
dhcid DHCID AAIBY2/AuCccgoJbsaxcQc9TUapptP69lOjxfNuVAA2kjEA=
2vptu5timamqttgl4luu9kg21e0aor3s NSEC3 1 1 12 aabbccdd 2vptu5timamqttgl4luu9kg21e0aor3s A RRSIG
nsec3param NSEC3PARAM 1 0 12 aabbccdd
nsec3param NSEC3PARAM 1 0 0 -
_443._tcp TLSA 3 1 1 0C72AC70B745AC19998811B131D662C9AC69DBDBE7CB23E5B514B56664C5D3D6
smimea SMIMEA 3 1 1 0C72AC70B745AC19998811B131D662C9AC69DBDBE7CB23E5B514B56664C5D3D6
hip HIP \# 4 01020304
cds CDS 0 0 0 00
cdnskey CDNSKEY 0 3 0 AA==
openpgpkey OPENPGPKEY dGVzdGtleQ==
csync CSYNC 66 3 A NS AAAA
zonemd ZONEMD 2018031500 1 1 FEBE3D4CE2EC2FFA4BA99D46CD69D6D29711E55217057BEE7EB1A7B641A47BA7FED2DD5B97AE499FAFA4F22C6BD647DE
svc SVCB 0 alias.example.net.
svc SVCB 1 svc.example.net. alpn=h2,h3 port=8443 ipv4hint=192.0.2.1,192.0.2.2 ipv6hint=2001:db8::1 mandatory=alpn,port
svc SVCB 2 . key65000=hello no-default-alpn alpn=h2 ech=AEj+DQBEAQAgACAd
@ HTTPS 1 . alpn="h3,h2"
spf SPF "v=spf1 -all"
nid NID 10 0014:4fff:ff20:ee64
l32 L32 10 10.1.2.0
l64 L64 10 2001:0db8:1140:1000
lp LP 10 l64-subnet1.example.com.
eui48 EUI48 00-00-5e-00-53-2a
eui64 EUI64 00-00-5e-ef-10-00-00-2a
uri URI 10 1 "ftp://ftp1.example.com/public"
caa CAA 0 issue "letsencrypt.org"
caa CAA 128 tbs "Unknown; \"quoted\""
ta TA 60485 5 1 2BB183AF5F22588179A53B0A98631FAD1A292118
dlv DLV 60485 5 1 2BB183AF5F22588179A53B0A98631FAD1A292118
generic TYPE65280 \# 4 0a0b0c0d
generic TYPE65281 \# 0
a\.b\032c\@d\;e\(f\)g\"h\\i 300 A 192.0.2.9
\000\255.bin 0 A 192.0.2.10
MiXeD.CaSe 4294967295 A 192.0.2.11
)ZONE";

TEST(Printer, PrintsOwnerTtlClassTypeRdataWithAbsoluteNames) {
    const auto records = parseAll(
        "www 300 IN A 192.0.2.1\n"
        "@ MX 10 mail\n"
        "x TYPE65280 \\# 2 abcd\n",
        "example.com.");
    ASSERT_EQ(records.size(), 3U);
    EXPECT_EQ(printAll(records),
              "www.example.com. 300 IN A 192.0.2.1\n"
              "example.com. 3600 IN MX 10 mail.example.com.\n"
              "x.example.com. 3600 IN TYPE65280 \\# 2 ABCD\n");
}

TEST(Printer, EscapesOwnerNames) {
    const auto records = parseAll("a\\.b\\032c 60 A 192.0.2.1\n", "example.com.");
    ASSERT_EQ(records.size(), 1U);
    EXPECT_EQ(printAll(records), "a\\.b\\032c.example.com. 60 IN A 192.0.2.1\n");
}

TEST(Printer, BadRdataFallsBackToGenericForm) {
    // Three octets cannot be an A record; a transfer could still deliver them.
    const std::vector<std::uint8_t> owner = {3, 'b', 'a', 'd', 0};
    const Owned bad{owner, dnswire::rrtype::A, dnswire::rrclass::IN, 60, {10, 11, 12}};
    std::string out;
    printRecord(bad.view(), out);
    EXPECT_EQ(out, "bad. 60 IN A \\# 3 0A0B0C\n");
}

TEST(Printer, RoundTripOfEveryRegistryType) {
    const auto original = parseAll(kEveryType, "example.com.");
    ASSERT_EQ(original.size(), 78U);

    // Every type the registry can hold in a zone is in the sample, so that a new registry row
    // without a round-trip sample fails here.
    std::set<std::uint16_t> present;
    for (const auto& r : original)
        present.insert(r.type);
    for (std::uint32_t code = 0; code <= 0xFFFF; ++code) {
        const auto* info = dnswire::findType(static_cast<std::uint16_t>(code));
        if (info == nullptr || info->meta) continue;
        EXPECT_TRUE(present.count(static_cast<std::uint16_t>(code)) == 1)
            << "no round-trip sample for " << info->mnemonic;
    }

    const std::string printed = printAll(original);
    // Absolute names: the printed text reads the same under any origin.
    const auto reread = parseAll(printed, "elsewhere.test.");
    ASSERT_EQ(reread.size(), original.size()) << printed;
    for (std::size_t i = 0; i < original.size(); ++i) {
        std::string line;
        printRecord(original[i].view(), line);
        EXPECT_TRUE(reread[i] == original[i]) << "record " << i << " differs after: " << line;
    }
    EXPECT_EQ(printAll(reread), printed);
}

TEST(Printer, GenericFormOfKnownTypesReadsLikeTheirTextForm) {
    const auto text = parseAll(
        "a A 192.0.2.1\n"
        "m MX 10 mail.example.com.\n"
        "t TXT \"hi\"\n",
        "example.com.");
    const auto generic = parseAll(
        "a A \\# 4 c0000201\n"
        "m MX \\# 20 000a 046d61696c076578616d706c6503636f6d00\n"
        "t TXT \\# 3 026869\n",
        "example.com.");
    ASSERT_EQ(text.size(), 3U);
    EXPECT_TRUE(text == generic);
    // And the printer writes the type's own form, not the generic one.
    EXPECT_EQ(printAll(generic), printAll(text));
}

}  // namespace
}  // namespace dnsfleet::zone
