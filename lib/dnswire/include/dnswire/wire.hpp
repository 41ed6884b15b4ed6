#pragma once
/// \file
/// Bounds-checked reading of untrusted bytes and bounded writing into caller-owned buffers.
/// Nothing here allocates; every read that could run past the end returns an error.

#include <cstddef>
#include <cstdint>
#include <span>

#include "dnswire/error.hpp"
#include "dnswire/name.hpp"

namespace dnsfleet::dnswire {

/// Reads big-endian integers, byte runs and names from a message, never past its end.
class WireReader {
  public:
    explicit WireReader(std::span<const std::uint8_t> packet, std::size_t pos = 0) noexcept
        : packet_(packet), pos_(pos) {}

    [[nodiscard]] WireResult<std::uint8_t> u8() noexcept;
    [[nodiscard]] WireResult<std::uint16_t> u16() noexcept;
    [[nodiscard]] WireResult<std::uint32_t> u32() noexcept;
    /// The next `n` bytes, as a view into the packet.
    [[nodiscard]] WireResult<std::span<const std::uint8_t>> bytes(std::size_t n) noexcept;
    /// A possibly compressed name; pointers resolve against the whole packet.
    [[nodiscard]] WireResult<Name> name() noexcept;
    /// Moves past `n` bytes.
    [[nodiscard]] WireResult<void> skip(std::size_t n) noexcept;

    [[nodiscard]] std::size_t position() const noexcept { return pos_; }
    [[nodiscard]] std::size_t remaining() const noexcept { return packet_.size() - pos_; }
    [[nodiscard]] bool atEnd() const noexcept { return pos_ == packet_.size(); }
    [[nodiscard]] std::span<const std::uint8_t> packet() const noexcept { return packet_; }

  private:
    std::span<const std::uint8_t> packet_;
    std::size_t pos_;
};

/// Appends big-endian integers and bytes to a fixed buffer; refuses to write past its end.
class WireWriter {
  public:
    explicit WireWriter(std::span<std::uint8_t> buffer, std::size_t pos = 0) noexcept
        : buffer_(buffer), pos_(pos) {}

    [[nodiscard]] WireResult<void> u8(std::uint8_t value) noexcept;
    [[nodiscard]] WireResult<void> u16(std::uint16_t value) noexcept;
    [[nodiscard]] WireResult<void> u32(std::uint32_t value) noexcept;
    [[nodiscard]] WireResult<void> bytes(std::span<const std::uint8_t> data) noexcept;
    /// Overwrites a 16-bit value already written at `at` (for lengths known afterwards).
    void patchU16(std::size_t at, std::uint16_t value) noexcept;

    [[nodiscard]] std::size_t position() const noexcept { return pos_; }
    [[nodiscard]] std::size_t capacity() const noexcept { return buffer_.size(); }
    [[nodiscard]] std::size_t room() const noexcept { return buffer_.size() - pos_; }
    /// Moves the end back to `pos` (drops what was written after it).
    void truncate(std::size_t pos) noexcept {
        if (pos < pos_) pos_ = pos;
    }
    [[nodiscard]] std::span<std::uint8_t> buffer() const noexcept { return buffer_; }
    [[nodiscard]] std::span<const std::uint8_t> written() const noexcept {
        return {buffer_.data(), pos_};
    }

  private:
    std::span<std::uint8_t> buffer_;
    std::size_t pos_;
};

/// Reads a big-endian 16-bit value at `p` (the caller has checked the bounds).
[[nodiscard]] inline std::uint16_t loadU16(const std::uint8_t* p) noexcept {
    return static_cast<std::uint16_t>((p[0] << 8) | p[1]);
}
/// Reads a big-endian 32-bit value at `p` (the caller has checked the bounds).
[[nodiscard]] inline std::uint32_t loadU32(const std::uint8_t* p) noexcept {
    return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
           std::uint32_t{p[3]};
}
/// Writes a big-endian 16-bit value at `p` (the caller has checked the bounds).
inline void storeU16(std::uint8_t* p, std::uint16_t v) noexcept {
    p[0] = static_cast<std::uint8_t>(v >> 8);
    p[1] = static_cast<std::uint8_t>(v);
}
/// Writes a big-endian 32-bit value at `p` (the caller has checked the bounds).
inline void storeU32(std::uint8_t* p, std::uint32_t v) noexcept {
    p[0] = static_cast<std::uint8_t>(v >> 24);
    p[1] = static_cast<std::uint8_t>(v >> 16);
    p[2] = static_cast<std::uint8_t>(v >> 8);
    p[3] = static_cast<std::uint8_t>(v);
}

}  // namespace dnsfleet::dnswire
