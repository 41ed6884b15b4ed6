#include "encoding.hpp"

#include <algorithm>
#include <cstring>

#include "dnswire/wire.hpp"

namespace dnsfleet::authd::store::encoding {

namespace {

using dnswire::NameView;

constexpr std::size_t kHeaderSize = 1 + 4 + 4 + 4 + 8 + 8 + 8 + 8 + 8;
constexpr std::size_t kDiffFixed = 1 + 4 + 4 + 8 + 4;  // version, from, to, createdAt, removed

void storeU64(std::uint8_t* p, std::uint64_t v) noexcept {
    dnswire::storeU32(p, static_cast<std::uint32_t>(v >> 32));
    dnswire::storeU32(p + 4, static_cast<std::uint32_t>(v));
}

std::uint64_t loadU64(const std::uint8_t* p) noexcept {
    return (std::uint64_t{dnswire::loadU32(p)} << 32) | dnswire::loadU32(p + 4);
}

std::vector<std::uint8_t> apexPrefix(NameView apex, std::size_t extra) {
    std::vector<std::uint8_t> key(apex.size() + extra);
    std::copy(apex.data(), apex.data() + apex.size(), key.begin());
    dnswire::lowercaseWire({key.data(), apex.size()});
    return key;
}

std::string versionError(std::uint8_t version) {
    return "value version " + std::to_string(version) + " is not " + std::to_string(kValueVersion);
}

}  // namespace

std::vector<std::uint8_t> encodeFormat(std::uint32_t version) {
    std::vector<std::uint8_t> value(4);
    dnswire::storeU32(value.data(), version);
    return value;
}

Result<std::uint32_t, std::string> decodeFormat(std::span<const std::uint8_t> value) {
    if (value.size() != 4) return fail(std::string("format value is not 4 octets"));
    return dnswire::loadU32(value.data());
}

std::vector<std::uint8_t> encodeHeader(const ZoneHeader& header) {
    std::vector<std::uint8_t> value(kHeaderSize);
    std::uint8_t* p = value.data();
    p[0] = kValueVersion;
    dnswire::storeU32(p + 1, header.serial);
    dnswire::storeU32(p + 5, header.snapshotSerial);
    dnswire::storeU32(p + 9, header.snapshotChunks);
    storeU64(p + 13, header.snapshotRecords);
    storeU64(p + 21, header.journalFirst);
    storeU64(p + 29, header.journalNext);
    storeU64(p + 37, header.journalBytes);
    storeU64(p + 45, static_cast<std::uint64_t>(header.lastTransfer));
    return value;
}

Result<ZoneHeader, std::string> decodeHeader(std::span<const std::uint8_t> value) {
    if (value.empty()) return fail(std::string("empty zone header"));
    if (value[0] != kValueVersion) return fail("zone header " + versionError(value[0]));
    if (value.size() != kHeaderSize) return fail(std::string("zone header has a wrong size"));
    const std::uint8_t* p = value.data();
    ZoneHeader header;
    header.serial = dnswire::loadU32(p + 1);
    header.snapshotSerial = dnswire::loadU32(p + 5);
    header.snapshotChunks = dnswire::loadU32(p + 9);
    header.snapshotRecords = loadU64(p + 13);
    header.journalFirst = loadU64(p + 21);
    header.journalNext = loadU64(p + 29);
    header.journalBytes = loadU64(p + 37);
    header.lastTransfer = static_cast<std::int64_t>(loadU64(p + 45));
    if (header.journalNext < header.journalFirst)
        return fail(std::string("zone header has a negative journal"));
    return header;
}

std::vector<std::uint8_t> zoneKey(NameView apex) {
    return apexPrefix(apex, 0);
}

std::vector<std::uint8_t> chunkKey(NameView apex, std::uint32_t chunk) {
    auto key = apexPrefix(apex, 4);
    dnswire::storeU32(key.data() + apex.size(), chunk);
    return key;
}

std::vector<std::uint8_t> journalKey(NameView apex, std::uint64_t seq) {
    auto key = apexPrefix(apex, 8);
    storeU64(key.data() + apex.size(), seq);
    return key;
}

std::vector<std::span<const std::uint8_t>> splitRecords(std::span<const std::uint8_t> raw,
                                                        std::size_t target) {
    std::vector<std::span<const std::uint8_t>> chunks;
    std::size_t start = 0;
    std::size_t pos = 0;
    while (pos < raw.size()) {
        const std::size_t ownerLength = raw[pos];
        const std::uint8_t* fixed = raw.data() + pos + 1 + ownerLength;
        pos += 1 + ownerLength + 10 + dnswire::loadU16(fixed + 8);
        if (pos - start >= target) {
            chunks.push_back(raw.subspan(start, pos - start));
            start = pos;
        }
    }
    if (pos > start) chunks.push_back(raw.subspan(start, pos - start));
    return chunks;
}

Result<std::span<const std::uint8_t>, std::string> chunkRecords(
    std::span<const std::uint8_t> value) {
    if (value.empty()) return fail(std::string("empty snapshot chunk"));
    if (value[0] != kValueVersion) return fail("snapshot chunk " + versionError(value[0]));
    return value.subspan(1);
}

std::size_t nameLength(std::span<const std::uint8_t> wire) noexcept {
    std::size_t pos = 0;
    while (pos < wire.size()) {
        const std::uint8_t len = wire[pos];
        if ((len & 0xC0) != 0) return 0;
        pos += 1U + len;
        if (pos > dnswire::kMaxNameLength) return 0;
        if (len == 0) return pos;
    }
    return 0;
}

std::size_t diffSize(const xfr::ZoneDiff& diff) noexcept {
    return kDiffFixed + diff.removed.bytes() + diff.added.bytes();
}

void encodeDiff(const xfr::ZoneDiff& diff, std::span<std::uint8_t> out) noexcept {
    std::uint8_t* p = out.data();
    p[0] = kValueVersion;
    dnswire::storeU32(p + 1, diff.fromSerial);
    dnswire::storeU32(p + 5, diff.toSerial);
    storeU64(p + 9, static_cast<std::uint64_t>(diff.createdAt));
    dnswire::storeU32(p + 17, static_cast<std::uint32_t>(diff.removed.bytes()));
    const auto removed = diff.removed.raw();
    const auto added = diff.added.raw();
    if (!removed.empty()) std::memcpy(p + kDiffFixed, removed.data(), removed.size());
    if (!added.empty()) std::memcpy(p + kDiffFixed + removed.size(), added.data(), added.size());
}

Result<xfr::ZoneDiff, std::string> decodeDiff(std::span<const std::uint8_t> value) {
    if (value.empty()) return fail(std::string("empty journal entry"));
    if (value[0] != kValueVersion) return fail("journal entry " + versionError(value[0]));
    if (value.size() < kDiffFixed) return fail(std::string("journal entry is truncated"));
    const std::uint8_t* p = value.data();
    xfr::ZoneDiff diff;
    diff.fromSerial = dnswire::loadU32(p + 1);
    diff.toSerial = dnswire::loadU32(p + 5);
    diff.createdAt = static_cast<std::int64_t>(loadU64(p + 9));
    const std::size_t removedBytes = dnswire::loadU32(p + 17);
    if (removedBytes > value.size() - kDiffFixed)
        return fail(std::string("journal entry is truncated"));
    if (!diff.removed.assignRaw(value.subspan(kDiffFixed, removedBytes)) ||
        !diff.added.assignRaw(value.subspan(kDiffFixed + removedBytes))) {
        return fail(std::string("journal entry holds malformed records"));
    }
    return diff;
}

Result<std::uint32_t, std::string> soaSerial(std::span<const std::uint8_t> rdata) {
    const std::size_t mname = nameLength(rdata);
    const std::size_t rname = mname == 0 ? 0 : nameLength(rdata.subspan(mname));
    if (rname == 0 || mname + rname + 4 > rdata.size())
        return fail(std::string("malformed SOA RDATA"));
    return dnswire::loadU32(rdata.data() + mname + rname);
}

}  // namespace dnsfleet::authd::store::encoding
