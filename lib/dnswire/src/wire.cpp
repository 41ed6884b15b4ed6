#include "dnswire/wire.hpp"

#include <cstring>

namespace dnsfleet::dnswire {

WireResult<std::uint8_t> WireReader::u8() noexcept {
    if (remaining() < 1) return fail(WireError::Truncated);
    return packet_[pos_++];
}

WireResult<std::uint16_t> WireReader::u16() noexcept {
    if (remaining() < 2) return fail(WireError::Truncated);
    const std::uint16_t v = loadU16(packet_.data() + pos_);
    pos_ += 2;
    return v;
}

WireResult<std::uint32_t> WireReader::u32() noexcept {
    if (remaining() < 4) return fail(WireError::Truncated);
    const std::uint32_t v = loadU32(packet_.data() + pos_);
    pos_ += 4;
    return v;
}

WireResult<std::span<const std::uint8_t>> WireReader::bytes(std::size_t n) noexcept {
    if (remaining() < n) return fail(WireError::Truncated);
    auto view = packet_.subspan(pos_, n);
    pos_ += n;
    return view;
}

WireResult<Name> WireReader::name() noexcept {
    return Name::fromWire(packet_, pos_);
}

WireResult<void> WireReader::skip(std::size_t n) noexcept {
    if (remaining() < n) return fail(WireError::Truncated);
    pos_ += n;
    return {};
}

WireResult<void> WireWriter::u8(std::uint8_t value) noexcept {
    if (room() < 1) return fail(WireError::BufferFull);
    buffer_[pos_++] = value;
    return {};
}

WireResult<void> WireWriter::u16(std::uint16_t value) noexcept {
    if (room() < 2) return fail(WireError::BufferFull);
    storeU16(buffer_.data() + pos_, value);
    pos_ += 2;
    return {};
}

WireResult<void> WireWriter::u32(std::uint32_t value) noexcept {
    if (room() < 4) return fail(WireError::BufferFull);
    storeU32(buffer_.data() + pos_, value);
    pos_ += 4;
    return {};
}

WireResult<void> WireWriter::bytes(std::span<const std::uint8_t> data) noexcept {
    if (room() < data.size()) return fail(WireError::BufferFull);
    if (!data.empty()) std::memcpy(buffer_.data() + pos_, data.data(), data.size());
    pos_ += data.size();
    return {};
}

void WireWriter::patchU16(std::size_t at, std::uint16_t value) noexcept {
    if (at + 2 <= pos_) storeU16(buffer_.data() + at, value);
}

}  // namespace dnsfleet::dnswire
