// Writing messages: the response header and question, records with compressed names, the size
// limit, and marks to cut an answer back at an RRset boundary.

#include <algorithm>
#include <cstring>

#include "dnswire/message.hpp"
#include "dnswire/rrtype.hpp"

namespace dnsfleet::dnswire {

namespace {

constexpr std::size_t kMaxMessageSize = 65535;
constexpr std::size_t kRecordFixedSize = 10;  // type, class, TTL, RDLENGTH
// More names than any registry type carries (SOA, MINFO and RP have two).
constexpr std::size_t kMaxRdataNames = 8;
constexpr std::uint16_t kOpcodeMask = 0x7800;
// The offset bits of a compression pointer, also the low bits of a suffix index slot.
constexpr std::uint32_t kMaxPointerOffset = 0x3FFF;

constexpr std::size_t sectionIndex(Section section) noexcept {
    return static_cast<std::size_t>(section);
}

}  // namespace

WireResult<MessageBuilder> MessageBuilder::respondTo(const Query& query,
                                                     std::span<const std::uint8_t> queryWire,
                                                     std::span<std::uint8_t> buffer) noexcept {
    Header header;
    header.id = query.header.id;
    header.flags = static_cast<std::uint16_t>(
        flag::QR | (query.header.flags & (kOpcodeMask | flag::RD | flag::CD)));
    auto started = start(header, buffer);
    if (!started || query.questionEnd == 0) return started;
    MessageBuilder& b = *started;

    const NameView qname = query.qname.view();
    const std::size_t questionSize = qname.size() + 4;
    if (questionSize > b.usableEnd() - b.size_) return fail(WireError::BufferFull);
    // An ordinary question is copied octet for octet; one whose name used a pointer (legal if
    // odd) is written out from the decoded name, which keeps the same letters.
    if (query.questionEnd == kHeaderSize + questionSize && queryWire.size() >= query.questionEnd) {
        std::memcpy(b.buffer_.data() + b.size_, queryWire.data() + kHeaderSize, questionSize);
    } else {
        std::memcpy(b.buffer_.data() + b.size_, qname.data(), qname.size());
        storeU16(b.buffer_.data() + b.size_ + qname.size(), query.qtype);
        storeU16(b.buffer_.data() + b.size_ + qname.size() + 2, query.qclass);
    }
    const std::size_t labels = qname.labelCount();
    if (labels > 0) {
        b.compression_[b.compressionEntries_++] = {static_cast<std::uint16_t>(kHeaderSize),
                                                   static_cast<std::uint8_t>(labels)};
    }
    b.size_ += questionSize;
    b.counts_[0] = 1;
    b.writeCounts();
    return started;
}

WireResult<MessageBuilder> MessageBuilder::start(const Header& header,
                                                 std::span<std::uint8_t> buffer) noexcept {
    if (buffer.size() < kHeaderSize) return fail(WireError::BufferFull);
    MessageBuilder b;
    b.buffer_ = buffer;
    b.limit_ = std::min(buffer.size(), kMaxMessageSize);
    storeU16(buffer.data(), header.id);
    storeU16(buffer.data() + 2, header.flags);
    b.size_ = kHeaderSize;
    b.writeCounts();
    return b;
}

WireResult<void> MessageBuilder::addQuestion(NameView qname, std::uint16_t qtype,
                                             std::uint16_t qclass) noexcept {
    if (section_ != Section::Question) return fail(WireError::BadCount);
    const std::size_t end = usableEnd();
    const Mark before = mark();
    if (!writeName(qname, true, true, end) || end - size_ < 4) {
        rollback(before);
        return fail(WireError::BufferFull);
    }
    storeU16(buffer_.data() + size_, qtype);
    storeU16(buffer_.data() + size_ + 2, qclass);
    size_ += 4;
    ++counts_[0];
    writeCounts();
    return {};
}

void MessageBuilder::copyFrom(const MessageBuilder& other) noexcept {
    buffer_ = other.buffer_;
    size_ = other.size_;
    limit_ = other.limit_;
    reserved_ = other.reserved_;
    counts_ = other.counts_;
    section_ = other.section_;
    extendedRcode_ = other.extendedRcode_;
    compressionEntries_ = other.compressionEntries_;
    std::copy_n(other.compression_.begin(), compressionEntries_, compression_.begin());
    indexed_ = other.indexed_;
    if (indexed_) {
        suffixSlots_ = other.suffixSlots_;
        suffixCount_ = other.suffixCount_;
    }
}

void MessageBuilder::setLimit(std::size_t limit) noexcept {
    limit_ = std::min({limit, buffer_.size(), kMaxMessageSize});
}

void MessageBuilder::reserve(std::size_t bytes) noexcept {
    reserved_ += bytes;
}

void MessageBuilder::unreserve(std::size_t bytes) noexcept {
    reserved_ -= std::min(bytes, reserved_);
}

std::size_t MessageBuilder::usableEnd() const noexcept {
    return limit_ > reserved_ ? limit_ - reserved_ : 0;
}

std::size_t MessageBuilder::room() const noexcept {
    const std::size_t end = usableEnd();
    return end > size_ ? end - size_ : 0;
}

WireResult<void> MessageBuilder::addRecord(Section section, NameView owner, std::uint16_t type,
                                           std::uint16_t rclass, std::uint32_t ttl,
                                           std::span<const std::uint8_t> rdata) noexcept {
    if (section == Section::Question || section < section_) return fail(WireError::BadCount);
    if (rdata.size() > 0xFFFF) return fail(WireError::BadRdata);
    const std::size_t end = usableEnd();
    const Mark before = mark();
    if (!writeName(owner, true, true, end) || end - size_ < kRecordFixedSize) {
        rollback(before);
        return fail(WireError::BufferFull);
    }
    std::uint8_t* fixed = buffer_.data() + size_;
    storeU16(fixed, type);
    storeU16(fixed + 2, rclass);
    storeU32(fixed + 4, ttl);
    size_ += kRecordFixedSize;
    const std::size_t rdataStart = size_;
    if (!writeRdata(type, rdata, end)) {
        rollback(before);
        return fail(WireError::BufferFull);
    }
    // Compression only shrinks the RDATA, so its length still fits 16 bits.
    storeU16(fixed + 8, static_cast<std::uint16_t>(size_ - rdataStart));
    section_ = section;
    ++counts_[sectionIndex(section)];
    writeCounts();
    return {};
}

bool MessageBuilder::writeRdata(std::uint16_t type, std::span<const std::uint8_t> rdata,
                                std::size_t end) noexcept {
    // Names are only compressed where RFC 3597 §4 allows it, but every embedded name may be
    // pointed to later: Knot does so for the targets of SRV records in the additional section,
    // and not doing it would make our answers longer than Knot's.
    std::array<RdataName, kMaxRdataNames> names{};
    const std::size_t count = rdataNames(type, rdata, names);
    std::size_t cursor = 0;
    for (std::size_t i = 0; i < count; ++i) {
        const RdataName& found = names[i];
        // A registry row that disagreed with its own RDATA must not make us read out of bounds.
        if (found.offset < cursor || found.offset + std::size_t{found.length} > rdata.size()) {
            break;
        }
        const std::size_t before = found.offset - cursor;
        if (size_ > end || before > end - size_) return false;
        std::memcpy(buffer_.data() + size_, rdata.data() + cursor, before);
        size_ += before;
        const NameView name = NameView::fromTrusted(rdata.data() + found.offset, found.length);
        if (!writeName(name, found.compressible, true, end)) return false;
        cursor = found.offset + std::size_t{found.length};
    }
    const std::size_t rest = rdata.size() - cursor;
    if (size_ > end || rest > end - size_) return false;
    if (rest > 0) std::memcpy(buffer_.data() + size_, rdata.data() + cursor, rest);
    size_ += rest;
    return true;
}

MessageBuilder::Mark MessageBuilder::mark() const noexcept {
    Mark m;
    m.size = size_;
    m.counts = counts_;
    m.compressionEntries = compressionEntries_;
    m.section = section_;
    return m;
}

void MessageBuilder::rollback(const Mark& mark) noexcept {
    size_ = mark.size;
    counts_ = mark.counts;
    compressionEntries_ = mark.compressionEntries;
    section_ = mark.section;
    // Suffixes written after the mark were all indexed after the older ones, so no older
    // suffix's probe sequence runs through their slots: clearing them restores the index as it
    // was at the mark. Offsets past 14 bits were never indexed.
    if (indexed_ && mark.size <= kMaxPointerOffset) {
        for (std::uint32_t& slot : suffixSlots_) {
            if (slot != 0 && (slot & kMaxPointerOffset) >= mark.size) {
                slot = 0;
                --suffixCount_;
            }
        }
    }
    writeCounts();
}

void MessageBuilder::setFlag(std::uint16_t bit, bool on) noexcept {
    std::uint16_t flags = loadU16(buffer_.data() + 2);
    flags = on ? static_cast<std::uint16_t>(flags | bit) : static_cast<std::uint16_t>(flags & ~bit);
    storeU16(buffer_.data() + 2, flags);
}

void MessageBuilder::setRcode(std::uint16_t rcode) noexcept {
    buffer_[3] = static_cast<std::uint8_t>((buffer_[3] & 0xF0U) | (rcode & 0x0FU));
    extendedRcode_ = static_cast<std::uint8_t>(rcode >> 4);
}

std::uint16_t MessageBuilder::count(Section section) const noexcept {
    return counts_[sectionIndex(section)];
}

void MessageBuilder::writeCounts() noexcept {
    for (std::size_t i = 0; i < counts_.size(); ++i)
        storeU16(buffer_.data() + 4 + 2 * i, counts_[i]);
}

}  // namespace dnsfleet::dnswire
