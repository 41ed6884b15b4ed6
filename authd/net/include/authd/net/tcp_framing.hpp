#pragma once
/// \file
/// DNS over TCP framing (RFC 1035 §4.2.2, RFC 7766 §8): every message is preceded by its length
/// as two octets. These classes do no I/O, so that partial reads, partial writes and pipelining
/// are tested byte by byte without sockets.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace dnsfleet::authd::net {

inline constexpr std::size_t kMaxTcpMessage = 65535;
inline constexpr std::size_t kTcpLengthPrefix = 2;

/// Splits a byte stream into messages. Memory grows with what the peer has actually sent (a
/// connection that announces 65535 octets and then stalls holds only what it sent), and never
/// beyond one maximal message plus its prefix.
///
/// Use: read into `freeSpace()`, `commit()` what was read, then take messages with `next()`
/// until it returns nothing. Call `next()` until empty before asking for `freeSpace()` again.
class TcpFrameReader {
  public:
    /// The buffer a fresh connection starts with; most queries fit several times.
    static constexpr std::size_t kInitialCapacity = 512;
    static constexpr std::size_t kMaxCapacity = kTcpLengthPrefix + kMaxTcpMessage;

    /// Where the next read may write. Empty only when complete messages wait in `next()`.
    [[nodiscard]] std::span<std::uint8_t> freeSpace();
    /// Records that `count` octets were written at the start of `freeSpace()`.
    void commit(std::size_t count) noexcept;
    /// Copies as much of `bytes` as fits; returns how many were taken (for tests and tools).
    std::size_t feed(std::span<const std::uint8_t> bytes);

    /// The next complete message (without its prefix), or nothing when more bytes are needed.
    /// The view stays valid until the next call to `freeSpace()` or `feed()`.
    [[nodiscard]] std::optional<std::span<const std::uint8_t>> next() noexcept;

    /// True when `next()` would return a message.
    [[nodiscard]] bool hasMessage() const noexcept;
    /// Octets received that are not yet part of a message returned by `next()`.
    [[nodiscard]] std::size_t buffered() const noexcept { return end_ - begin_; }
    /// True when part of a message (or of its length prefix) has arrived.
    [[nodiscard]] bool midMessage() const noexcept { return buffered() != 0; }
    /// Octets of buffer currently held.
    [[nodiscard]] std::size_t capacity() const noexcept { return buffer_.size(); }

  private:
    std::vector<std::uint8_t> buffer_;
    std::size_t begin_ = 0;  ///< first octet not yet returned by next()
    std::size_t end_ = 0;    ///< one past the last octet received
};

/// Responses waiting to be written, with their length prefixes, in order. A partial write
/// consumes a prefix of `pending()`; the rest is written later.
class TcpOutput {
  public:
    /// Queues `message` with its two-octet length prefix. `message` must be at most 65535.
    void appendMessage(std::span<const std::uint8_t> message);
    /// The octets still to write.
    [[nodiscard]] std::span<const std::uint8_t> pending() const noexcept {
        return {buffer_.data() + begin_, buffer_.size() - begin_};
    }
    /// Records that the first `count` octets of `pending()` were written.
    void consume(std::size_t count) noexcept;
    [[nodiscard]] bool empty() const noexcept { return begin_ == buffer_.size(); }
    [[nodiscard]] std::size_t size() const noexcept { return buffer_.size() - begin_; }

  private:
    std::vector<std::uint8_t> buffer_;
    std::size_t begin_ = 0;
};

}  // namespace dnsfleet::authd::net
