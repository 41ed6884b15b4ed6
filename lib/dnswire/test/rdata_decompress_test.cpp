// RFC 3597 §4: receivers SHOULD decompress the names in RP, AFSDB, RT, SIG, PX, NXT, NAPTR and
// SRV RDATA, because primaries that followed RFC 2052 (SRV), RFC 2163 (PX) or RFC 2535 (SIG)
// compressed them; senders still must not compress them.

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "dnswire/message.hpp"
#include "dnswire/name.hpp"
#include "dnswire/rrtype.hpp"

namespace dnsfleet::dnswire {
namespace {

using Bytes = std::vector<std::uint8_t>;

Bytes wireName(const char* text) {
    auto name = Name::fromText(text);
    EXPECT_TRUE(name) << text;
    return {name->wire().begin(), name->wire().end()};
}

// A message-like buffer: 12 octets of header, then `example.com.` at offset 12 for pointers
// (0xC0 0x0C), then the RDATA.
struct Packet {
    Bytes bytes;
    std::size_t rdataAt = 0;
};

Packet packetWith(const Bytes& rdata) {
    Packet p;
    p.bytes.assign(12, 0);
    const Bytes target = wireName("example.com.");
    p.bytes.insert(p.bytes.end(), target.begin(), target.end());
    p.rdataAt = p.bytes.size();
    p.bytes.insert(p.bytes.end(), rdata.begin(), rdata.end());
    return p;
}

Bytes concat(std::initializer_list<Bytes> parts) {
    Bytes out;
    for (const Bytes& part : parts)
        out.insert(out.end(), part.begin(), part.end());
    return out;
}

std::string text(std::uint16_t type, const Bytes& rdata) {
    std::string out;
    EXPECT_TRUE(rdataToText(type, rdata, out));
    return out;
}

TEST(RdataDecompress, SrvTargetFromAnOldPrimary) {
    // SRV 0 5 443 _sip.<pointer to example.com.>, as an RFC 2052 server wrote it.
    const Packet p = packetWith({0, 0, 0, 5, 0x01, 0xBB, 3, 's', 'i', 'p', 0xC0, 0x0C});
    Bytes out;
    ASSERT_TRUE(rdataFromWire(rrtype::SRV, p.bytes, p.rdataAt, 12, out));
    EXPECT_EQ(out, concat({{0, 0, 0, 5, 0x01, 0xBB}, wireName("sip.example.com.")}));
    EXPECT_EQ(text(rrtype::SRV, out), "0 5 443 sip.example.com.");
    EXPECT_TRUE(validateRdata(rrtype::SRV, out));
}

TEST(RdataDecompress, NaptrReplacementAfterCharacterStrings) {
    // NAPTR 100 10 "S" "SIP+D2U" "" <pointer>
    const Packet p =
        packetWith({0, 100, 0, 10, 1, 'S', 7, 'S', 'I', 'P', '+', 'D', '2', 'U', 0, 0xC0, 0x0C});
    Bytes out;
    ASSERT_TRUE(rdataFromWire(rrtype::NAPTR, p.bytes, p.rdataAt, 17, out));
    EXPECT_EQ(text(rrtype::NAPTR, out), "100 10 \"S\" \"SIP+D2U\" \"\" example.com.");
}

TEST(RdataDecompress, RpAfsdbRtPx) {
    Bytes out;
    // RP <pointer> admin.<pointer>
    const Packet rp = packetWith({0xC0, 0x0C, 5, 'a', 'd', 'm', 'i', 'n', 0xC0, 0x0C});
    ASSERT_TRUE(rdataFromWire(rrtype::RP, rp.bytes, rp.rdataAt, 10, out));
    EXPECT_EQ(text(rrtype::RP, out), "example.com. admin.example.com.");
    out.clear();
    const Packet afsdb = packetWith({0, 1, 0xC0, 0x0C});
    ASSERT_TRUE(rdataFromWire(rrtype::AFSDB, afsdb.bytes, afsdb.rdataAt, 4, out));
    EXPECT_EQ(text(rrtype::AFSDB, out), "1 example.com.");
    out.clear();
    ASSERT_TRUE(rdataFromWire(rrtype::RT, afsdb.bytes, afsdb.rdataAt, 4, out));
    EXPECT_EQ(text(rrtype::RT, out), "1 example.com.");
    out.clear();
    // PX 10 map822.<pointer> <pointer>
    const Packet px = packetWith({0, 10, 6, 'm', 'a', 'p', '8', '2', '2', 0xC0, 0x0C, 0xC0, 0x0C});
    ASSERT_TRUE(rdataFromWire(rrtype::PX, px.bytes, px.rdataAt, 13, out));
    EXPECT_EQ(text(rrtype::PX, out), "10 map822.example.com. example.com.");
}

TEST(RdataDecompress, BadPointersAreStillRefused) {
    Bytes out;
    // A pointer beyond the end of the packet.
    const Packet forward = packetWith({0, 0, 0, 0, 0, 0, 0xC0, 0x30});
    EXPECT_FALSE(rdataFromWire(rrtype::SRV, forward.bytes, forward.rdataAt, 8, out));
    // The target runs past rdlength: the pointer is cut in half.
    const Packet cut = packetWith({0, 0, 0, 0, 0, 0, 0xC0, 0x0C});
    EXPECT_FALSE(rdataFromWire(rrtype::SRV, cut.bytes, cut.rdataAt, 7, out));
    // Trailing octets after the target.
    const Packet trailing = packetWith({0, 0, 0, 0, 0, 0, 0xC0, 0x0C, 0});
    EXPECT_FALSE(rdataFromWire(rrtype::SRV, trailing.bytes, trailing.rdataAt, 9, out));
    EXPECT_TRUE(out.empty());
}

TEST(RdataDecompress, TypesOutsideTheListStayStrict) {
    Bytes out;
    const Packet kx = packetWith({0, 10, 0xC0, 0x0C});
    EXPECT_FALSE(rdataFromWire(rrtype::KX, kx.bytes, kx.rdataAt, 4, out));
    const Packet dname = packetWith({0xC0, 0x0C});
    EXPECT_FALSE(rdataFromWire(rrtype::DNAME, dname.bytes, dname.rdataAt, 2, out));
}

TEST(RdataDecompress, SrvIsStillNeverCompressedOnOutput) {
    // The target repeats the owner, which a compressing writer would turn into a pointer.
    std::array<std::uint8_t, 512> buffer{};
    Header header;
    header.flags = flag::QR;
    auto builder = MessageBuilder::start(header, buffer);
    ASSERT_TRUE(builder);
    const Bytes owner = wireName("sip.example.com.");
    const auto ownerView = NameView::fromTrusted(owner.data(), owner.size());
    const Bytes rdata = concat({{0, 0, 0, 5, 0x01, 0xBB}, owner});
    ASSERT_TRUE(
        builder->addRecord(Section::Answer, ownerView, rrtype::SRV, rrclass::IN, 60, rdata));
    const auto wire = builder->wire();
    // header, owner in full, 10 fixed octets, then the RDATA exactly as given.
    ASSERT_EQ(wire.size(), kHeaderSize + owner.size() + 10 + rdata.size());
    EXPECT_TRUE(std::equal(rdata.begin(), rdata.end(),
                           wire.end() - static_cast<std::ptrdiff_t>(rdata.size())));
}

}  // namespace
}  // namespace dnsfleet::dnswire
