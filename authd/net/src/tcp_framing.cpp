#include "authd/net/tcp_framing.hpp"

#include <algorithm>
#include <cstring>

namespace dnsfleet::authd::net {

std::span<std::uint8_t> TcpFrameReader::freeSpace() {
    if (begin_ != 0) {
        // Keep the unfinished message at the front so that it can grow in place.
        const std::size_t left = end_ - begin_;
        if (left != 0) std::memmove(buffer_.data(), buffer_.data() + begin_, left);
        begin_ = 0;
        end_ = left;
    }
    // Grow to what the message in progress needs, never more: the buffer is only as large as
    // the peer has earned by sending a length prefix.
    std::size_t wanted = kInitialCapacity;
    if (end_ >= kTcpLengthPrefix) {
        const std::size_t length = (std::size_t{buffer_[0]} << 8) | buffer_[1];
        wanted = std::max(wanted, kTcpLengthPrefix + length);
    }
    if (buffer_.size() < wanted) buffer_.resize(wanted);
    return {buffer_.data() + end_, buffer_.size() - end_};
}

void TcpFrameReader::commit(std::size_t count) noexcept {
    end_ = std::min(end_ + count, buffer_.size());
}

std::size_t TcpFrameReader::feed(std::span<const std::uint8_t> bytes) {
    std::size_t taken = 0;
    while (taken < bytes.size()) {
        auto space = freeSpace();
        if (space.empty()) break;  // complete messages must be taken with next() first
        const std::size_t n = std::min(space.size(), bytes.size() - taken);
        std::memcpy(space.data(), bytes.data() + taken, n);
        commit(n);
        taken += n;
    }
    return taken;
}

bool TcpFrameReader::hasMessage() const noexcept {
    const std::size_t available = end_ - begin_;
    if (available < kTcpLengthPrefix) return false;
    const std::size_t length = (std::size_t{buffer_[begin_]} << 8) | buffer_[begin_ + 1];
    return available >= kTcpLengthPrefix + length;
}

std::optional<std::span<const std::uint8_t>> TcpFrameReader::next() noexcept {
    const std::size_t available = end_ - begin_;
    if (available < kTcpLengthPrefix) return std::nullopt;
    const std::size_t length = (std::size_t{buffer_[begin_]} << 8) | buffer_[begin_ + 1];
    if (available < kTcpLengthPrefix + length) return std::nullopt;
    std::span<const std::uint8_t> message(buffer_.data() + begin_ + kTcpLengthPrefix, length);
    begin_ += kTcpLengthPrefix + length;
    return message;
}

void TcpOutput::appendMessage(std::span<const std::uint8_t> message) {
    if (begin_ != 0 && begin_ >= buffer_.size() / 2) {
        // Most of the buffer was written: drop it so that a slow reader's queue stays bounded
        // by what is really pending.
        buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(begin_));
        begin_ = 0;
    }
    const std::size_t length = std::min(message.size(), kMaxTcpMessage);
    buffer_.push_back(static_cast<std::uint8_t>(length >> 8));
    buffer_.push_back(static_cast<std::uint8_t>(length & 0xff));
    buffer_.insert(buffer_.end(), message.begin(),
                   message.begin() + static_cast<std::ptrdiff_t>(length));
}

void TcpOutput::consume(std::size_t count) noexcept {
    begin_ = std::min(begin_ + count, buffer_.size());
    if (begin_ == buffer_.size()) {
        buffer_.clear();
        begin_ = 0;
    }
}

}  // namespace dnsfleet::authd::net
