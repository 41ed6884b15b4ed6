#include "authd/net/tcp_framing.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace dnsfleet::authd::net {
namespace {

std::vector<std::uint8_t> frame(const std::string& body) {
    std::vector<std::uint8_t> out{static_cast<std::uint8_t>(body.size() >> 8),
                                  static_cast<std::uint8_t>(body.size() & 0xff)};
    out.insert(out.end(), body.begin(), body.end());
    return out;
}

std::string text(std::span<const std::uint8_t> bytes) {
    return {bytes.begin(), bytes.end()};
}

std::vector<std::string> drain(TcpFrameReader& reader) {
    std::vector<std::string> out;
    while (auto m = reader.next())
        out.push_back(text(*m));
    return out;
}

TEST(TcpFrameReader, WholeMessageInOneRead) {
    TcpFrameReader r;
    auto bytes = frame("hello");
    EXPECT_EQ(r.feed(bytes), bytes.size());
    EXPECT_EQ(drain(r), std::vector<std::string>{"hello"});
    EXPECT_FALSE(r.midMessage());
}

TEST(TcpFrameReader, OneByteAtATimeIncludingASplitLengthPrefix) {
    TcpFrameReader r;
    auto bytes = frame("query-bytes");
    std::vector<std::string> got;
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        ASSERT_EQ(r.feed({&bytes[i], 1}), 1u);
        auto m = drain(r);
        if (i + 1 < bytes.size()) {
            EXPECT_TRUE(m.empty()) << "message complete after " << i + 1 << " octets";
            EXPECT_TRUE(r.midMessage());
        }
        got.insert(got.end(), m.begin(), m.end());
    }
    EXPECT_EQ(got, std::vector<std::string>{"query-bytes"});
    EXPECT_FALSE(r.midMessage());
}

TEST(TcpFrameReader, PipelinedMessagesInOneReadComeOutInOrder) {
    TcpFrameReader r;
    std::vector<std::uint8_t> bytes;
    for (const char* m : {"one", "two", "three"}) {
        auto f = frame(m);
        bytes.insert(bytes.end(), f.begin(), f.end());
    }
    auto tail = frame("four");
    bytes.insert(bytes.end(), tail.begin(), tail.begin() + 3);  // a partial fourth
    EXPECT_EQ(r.feed(bytes), bytes.size());
    EXPECT_TRUE(r.hasMessage());
    EXPECT_EQ(drain(r), (std::vector<std::string>{"one", "two", "three"}));
    EXPECT_FALSE(r.hasMessage());  // only the partial fourth is left
    EXPECT_TRUE(r.midMessage());
    EXPECT_EQ(r.feed(std::span(tail).subspan(3)), tail.size() - 3);
    EXPECT_EQ(drain(r), std::vector<std::string>{"four"});
}

TEST(TcpFrameReader, ZeroLengthMessageIsReturnedEmpty) {
    TcpFrameReader r;
    const std::uint8_t bytes[] = {0, 0, 0, 1, 'x'};
    EXPECT_EQ(r.feed(bytes), sizeof bytes);
    auto first = r.next();
    ASSERT_TRUE(first.has_value());
    EXPECT_TRUE(first->empty());
    EXPECT_EQ(drain(r), std::vector<std::string>{"x"});
}

TEST(TcpFrameReader, MaximalMessageFitsAndTheBufferNeverExceedsIt) {
    TcpFrameReader r;
    const std::string big(kMaxTcpMessage, 'a');
    auto bytes = frame(big);
    auto second = frame("after");
    bytes.insert(bytes.end(), second.begin(), second.end());
    std::size_t offset = 0;
    std::vector<std::string> got;
    // Feed in odd-sized chunks, taking messages whenever the reader is full.
    for (int guard = 0; offset < bytes.size() && guard < 10000; ++guard) {
        const std::size_t chunk = std::min<std::size_t>(1000, bytes.size() - offset);
        offset += r.feed(std::span(bytes).subspan(offset, chunk));
        EXPECT_LE(r.capacity(), TcpFrameReader::kMaxCapacity);
        auto m = drain(r);
        got.insert(got.end(), m.begin(), m.end());
    }
    auto m = drain(r);
    got.insert(got.end(), m.begin(), m.end());
    ASSERT_EQ(got.size(), 2u);
    EXPECT_EQ(got[0], big);
    EXPECT_EQ(got[1], "after");
}

TEST(TcpFrameReader, AStalledClaimOfALargeMessageHoldsOnlyWhatWasSent) {
    TcpFrameReader r;
    const std::uint8_t prefix[] = {0xff, 0xff, 'a', 'b'};
    EXPECT_EQ(r.feed(prefix), sizeof prefix);
    EXPECT_FALSE(r.next().has_value());
    EXPECT_EQ(r.buffered(), 4u);
    // The buffer grows only when the reader asks for space to receive more.
    EXPECT_LE(r.capacity(), TcpFrameReader::kInitialCapacity);
}

TEST(TcpFrameReader, FreeSpaceIsEmptyOnlyWhileCompleteMessagesWait) {
    TcpFrameReader r;
    std::vector<std::uint8_t> bytes;
    while (bytes.size() < TcpFrameReader::kInitialCapacity * 2) {
        auto f = frame("0123456789");
        bytes.insert(bytes.end(), f.begin(), f.end());
    }
    const std::size_t taken = r.feed(bytes);
    EXPECT_LT(taken, bytes.size());  // the reader filled up with complete messages
    EXPECT_TRUE(r.freeSpace().empty());
    const auto first = drain(r);
    EXPECT_FALSE(first.empty());
    EXPECT_FALSE(r.freeSpace().empty());
    std::size_t total = first.size();
    for (std::size_t offset = taken, guard = 0; offset < bytes.size() && guard < 100; ++guard) {
        offset += r.feed(std::span(bytes).subspan(offset));
        total += drain(r).size();
    }
    EXPECT_EQ(total, bytes.size() / 12);
    EXPECT_FALSE(r.midMessage());
}

TEST(TcpOutput, PartialWritesResumeWhereTheyStopped) {
    TcpOutput out;
    const std::string a = "answer-one";
    const std::string b = "answer-two";
    out.appendMessage({reinterpret_cast<const std::uint8_t*>(a.data()), a.size()});
    out.appendMessage({reinterpret_cast<const std::uint8_t*>(b.data()), b.size()});
    std::string written;
    // A socket that takes 3 octets at a time.
    for (int guard = 0; !out.empty() && guard < 100; ++guard) {
        auto p = out.pending();
        const std::size_t n = std::min<std::size_t>(3, p.size());
        written.append(p.begin(), p.begin() + static_cast<std::ptrdiff_t>(n));
        out.consume(n);
    }
    EXPECT_TRUE(out.empty());
    EXPECT_EQ(written, std::string("\0\x0a", 2) + a + std::string("\0\x0a", 2) + b);
}

TEST(TcpOutput, AppendingWhileHalfWrittenKeepsOrder) {
    TcpOutput out;
    const std::string a(100, 'a');
    const std::string b(10, 'b');
    out.appendMessage({reinterpret_cast<const std::uint8_t*>(a.data()), a.size()});
    out.consume(80);
    out.appendMessage({reinterpret_cast<const std::uint8_t*>(b.data()), b.size()});
    EXPECT_EQ(out.size(), 22u + 12u);
    auto p = out.pending();
    EXPECT_EQ(text(p), std::string(22, 'a') + std::string("\0\x0a", 2) + b);
}

}  // namespace
}  // namespace dnsfleet::authd::net
