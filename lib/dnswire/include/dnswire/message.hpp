#pragma once
/// \file
/// DNS messages: the header, query parsing for the server, a generic record iterator for
/// responses and transfers, and a response builder with name compression. No allocation on the
/// query path: the builder writes into a caller-owned buffer and keeps its compression table
/// inline.

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "dnswire/edns.hpp"
#include "dnswire/error.hpp"
#include "dnswire/name.hpp"
#include "dnswire/wire.hpp"

namespace dnsfleet::dnswire {

inline constexpr std::size_t kHeaderSize = 12;

/// Opcodes (RFC 1035 §4.1.1, RFC 1996, RFC 2136).
namespace opcode {
inline constexpr std::uint8_t QUERY = 0, IQUERY = 1, STATUS = 2, NOTIFY = 4, UPDATE = 5;
}
/// Response codes, extended ones included (RFC 6891 §6.1.3).
namespace rcode {
inline constexpr std::uint16_t NOERROR = 0, FORMERR = 1, SERVFAIL = 2, NXDOMAIN = 3, NOTIMP = 4,
                               REFUSED = 5, YXDOMAIN = 6, YXRRSET = 7, NXRRSET = 8, NOTAUTH = 9,
                               NOTZONE = 10, BADVERS = 16, BADSIG = 16, BADKEY = 17, BADTIME = 18,
                               BADCOOKIE = 23;
}

/// Header flag bits as they sit in the second 16-bit word of the header.
namespace flag {
inline constexpr std::uint16_t QR = 0x8000, AA = 0x0400, TC = 0x0200, RD = 0x0100, RA = 0x0080,
                               AD = 0x0020, CD = 0x0010;
}

/// The fixed 12-octet header.
struct Header {
    std::uint16_t id = 0;
    std::uint16_t flags = 0;  ///< QR, opcode, AA, TC, RD, RA, Z, AD, CD, RCODE
    std::uint16_t qdcount = 0;
    std::uint16_t ancount = 0;
    std::uint16_t nscount = 0;
    std::uint16_t arcount = 0;

    [[nodiscard]] std::uint8_t opcode() const noexcept { return (flags >> 11) & 0x0F; }
    [[nodiscard]] std::uint8_t rcode() const noexcept { return flags & 0x0F; }
    [[nodiscard]] bool has(std::uint16_t bit) const noexcept { return (flags & bit) != 0; }
};

/// Reads the header; fails only when fewer than 12 octets arrived.
[[nodiscard]] WireResult<Header> parseHeader(std::span<const std::uint8_t> packet) noexcept;

/// Message sections.
enum class Section : std::uint8_t { Question, Answer, Authority, Additional };

/// What the server needs to know about an incoming query.
struct Query {
    Header header;
    Name qname;  ///< as received: the case is echoed back in the answer
    std::uint16_t qtype = 0;
    std::uint16_t qclass = 0;
    std::size_t questionEnd = 0;  ///< offset just after the question
    EdnsQuery edns;               ///< what the OPT record asked for, if one was present
    /// Offset of a TSIG record (always last in the additional section), 0 when absent.
    std::size_t tsigOffset = 0;
};

/// Parses a query: exactly one question, then the answer and authority sections skipped over
/// (they must still be well formed: NOTIFY and UPDATE carry records there), and the additional
/// section searched for OPT (at most one, owner root) and TSIG (last).
/// \retval WireError::Truncated     counts promise more than the message holds
/// \retval WireError::BadCount      QDCOUNT is not 1
/// \retval WireError::BadOpt        more than one OPT, OPT with a non-root owner, OPT outside
///                                  the additional section, or an option overrunning its RDATA
/// \retval WireError::BadRdata      a TSIG record that is not the last record (RFC 8945 §5.1)
/// \retval WireError::TrailingData  bytes after the last counted record (Knot DNS 3.2 answers
///                                  such a query FORMERR; so do we)
/// Any name error of Name::fromWire is passed on. A caller that got an error but could read
/// the header answers FORMERR.
[[nodiscard]] WireResult<Query> parseQuery(std::span<const std::uint8_t> packet) noexcept;

/// Like parseQuery, but fills `out` as far as parsing got, so that a caller can tell how much
/// of a malformed query was readable: `out.header` is valid once 12 octets arrived, and
/// `out.questionEnd` is non-zero once the question was read (Knot DNS drops a query whose
/// question cannot be read, and answers FORMERR, with the question echoed, when only a later
/// part is malformed).
[[nodiscard]] WireResult<void> parseQueryInto(std::span<const std::uint8_t> packet,
                                              Query& out) noexcept;

/// One resource record as found in a message. The RDATA view still points into the message;
/// names inside it may be compressed (use rdataFromWire to get the uncompressed form).
struct RecordRef {
    Name owner;
    std::uint16_t type = 0;
    std::uint16_t rclass = 0;
    std::uint32_t ttl = 0;
    std::size_t rdataOffset = 0;  ///< offset of the RDATA inside the message
    std::uint16_t rdlength = 0;
    Section section = Section::Answer;
};

/// Walks every record of a message (responses, transfers, NOTIFY, UPDATE) in order.
class MessageParser {
  public:
    /// Reads the header and the question section.
    [[nodiscard]] static WireResult<MessageParser> open(
        std::span<const std::uint8_t> packet) noexcept;

    [[nodiscard]] const Header& header() const noexcept { return header_; }
    /// The first question (the only one in every message we handle); root/0/0 when QDCOUNT is 0.
    [[nodiscard]] const Name& qname() const noexcept { return qname_; }
    [[nodiscard]] std::uint16_t qtype() const noexcept { return qtype_; }
    [[nodiscard]] std::uint16_t qclass() const noexcept { return qclass_; }

    /// Reads the next record into `out`; returns false at the end of the message.
    /// \retval WireError::Truncated  the counts promise more records than the message holds
    [[nodiscard]] WireResult<bool> next(RecordRef& out) noexcept;
    /// True when every counted record was read and no bytes were left over.
    [[nodiscard]] bool complete() const noexcept;
    [[nodiscard]] std::span<const std::uint8_t> packet() const noexcept { return packet_; }

  private:
    MessageParser() = default;
    std::span<const std::uint8_t> packet_;
    Header header_;
    Name qname_;
    std::uint16_t qtype_ = 0;
    std::uint16_t qclass_ = 0;
    std::size_t pos_ = 0;
    std::size_t index_ = 0;  ///< records read so far, across sections
};

/// Builds a response into a caller-owned buffer, compressing owner names and the RDATA names of
/// types that allow it (RFC 3597 §4). Keeps the question as the query wrote it.
///
/// Compression looks for the longest suffix, at label boundaries and ignoring ASCII case
/// (RFC 1035 §4.1.4), among every name already written (question, owners, compressible RDATA
/// names), so it is never less compact than Knot DNS's hint-based scheme. Pointers only ever
/// point backwards.
///
/// The size limit (UDP payload size or 65535 for TCP) can be lower than the buffer: an RR that
/// would cross it is refused with BufferFull, and the caller cuts at an RRset boundary with
/// mark()/rollback() and sets TC. Space for the OPT record is reserved up front with
/// reserve().
class MessageBuilder {
  public:
    /// Starts a response to `query` in `buffer`: copies ID, opcode, RD and CD, sets QR, and
    /// writes the question exactly as it appears in `queryWire` (same octets, letter case
    /// included; a question that itself used a compression pointer is written out in full).
    /// A `query` whose question was not read (`questionEnd == 0`) gets a header-only response.
    /// \retval WireError::BufferFull  the buffer cannot hold the header and question
    [[nodiscard]] static WireResult<MessageBuilder> respondTo(
        const Query& query, std::span<const std::uint8_t> queryWire,
        std::span<std::uint8_t> buffer) noexcept;
    /// Starts a message with only a header (for queries, NOTIFY, transfer messages). The counts
    /// of `header` are ignored: the builder keeps them.
    [[nodiscard]] static WireResult<MessageBuilder> start(const Header& header,
                                                          std::span<std::uint8_t> buffer) noexcept;

    /// Writes a question (only for messages begun with start(), before any record).
    /// \retval WireError::BadCount    records were already added
    /// \retval WireError::BufferFull  it does not fit under the limit
    [[nodiscard]] WireResult<void> addQuestion(NameView qname, std::uint16_t qtype,
                                               std::uint16_t qclass) noexcept;

    /// Sets the size the message may not exceed (capped to the buffer and to 65535).
    void setLimit(std::size_t limit) noexcept;
    /// Keeps `bytes` of the limit free for a record added last (OPT, TSIG).
    void reserve(std::size_t bytes) noexcept;
    /// Returns bytes reserved earlier to the usable space (call before adding them).
    void unreserve(std::size_t bytes) noexcept;
    /// Octets still free for records: the limit minus what is written and reserved.
    [[nodiscard]] std::size_t room() const noexcept;

    /// Appends one record to `section` (sections are written in order: Answer, Authority,
    /// Additional; going back is an error). `rdata` is uncompressed wire RDATA.
    /// \retval WireError::BufferFull  it does not fit under the limit; nothing was written
    /// \retval WireError::BadCount    `section` is the question or lies before the current one
    /// \retval WireError::BadRdata    RDATA over 65535 octets
    [[nodiscard]] WireResult<void> addRecord(Section section, NameView owner, std::uint16_t type,
                                             std::uint16_t rclass, std::uint32_t ttl,
                                             std::span<const std::uint8_t> rdata) noexcept;

    /// A point to roll back to: the end of the message, the counts and the compression table.
    struct Mark {
        std::size_t size = 0;
        std::array<std::uint16_t, 4> counts{};
        std::size_t compressionEntries = 0;
        Section section = Section::Question;
    };
    [[nodiscard]] Mark mark() const noexcept;
    /// Drops everything written after `mark` (records, counts, compression entries).
    void rollback(const Mark& mark) noexcept;

    void setFlag(std::uint16_t bit, bool on = true) noexcept;
    /// Sets the 4-bit header RCODE; extended bits (over 15) go in the OPT record: addOpt uses
    /// them when EdnsResponse::extendedRcode is 0.
    void setRcode(std::uint16_t rcode) noexcept;
    [[nodiscard]] std::uint16_t count(Section section) const noexcept;

    /// Appends the OPT record described by `edns` to the additional section, using the space
    /// kept by reserve() (the caller unreserves it first). Padding (RFC 7830) comes last and
    /// brings the whole message to a multiple of `edns.padBlock`, or as near as the limit
    /// allows; an already aligned message gets no padding option, as with Knot DNS.
    /// \retval WireError::BufferFull  the OPT record does not fit under the limit
    [[nodiscard]] WireResult<void> addOpt(const EdnsResponse& edns) noexcept;

    /// The message written so far (header counts are always up to date).
    [[nodiscard]] std::span<const std::uint8_t> wire() const noexcept {
        return {buffer_.data(), size_};
    }
    [[nodiscard]] std::size_t size() const noexcept { return size_; }
    [[nodiscard]] std::size_t limit() const noexcept { return limit_; }

  private:
    /// A name already in the message that later names may point into.
    struct CompressionEntry {
        std::uint16_t offset;  ///< where the name starts
        std::uint8_t labels;   ///< its label count, the root not counted
    };

  public:
    // Copies carry only the live part of the compression table: builders are returned by value
    // (inside a Result) on every query, and the table is mostly empty.
    MessageBuilder(const MessageBuilder& other) noexcept { copyFrom(other); }
    MessageBuilder& operator=(const MessageBuilder& other) noexcept {
        if (this != &other) copyFrom(other);
        return *this;
    }
    ~MessageBuilder() = default;

  private:
    MessageBuilder() = default;
    void copyFrom(const MessageBuilder& other) noexcept;
    /// Writes `name` at the end, compressed when `compress`, ending no later than `end`;
    /// names with a literal label become compression targets when `remember`.
    [[nodiscard]] bool writeName(NameView name, bool compress, bool remember,
                                 std::size_t end) noexcept;
    [[nodiscard]] bool writeRdata(std::uint16_t type, std::span<const std::uint8_t> rdata,
                                  std::size_t end) noexcept;
    [[nodiscard]] std::size_t usableEnd() const noexcept;
    void writeCounts() noexcept;

    /// Finds the longest suffix of `name` already in the message through the suffix index;
    /// returns its label count (0: none) and sets `target`.
    [[nodiscard]] std::size_t findIndexed(const std::uint8_t* const* labels, std::size_t count,
                                          const std::uint32_t* hashes,
                                          std::size_t& target) const noexcept;
    /// Builds the suffix index from the names in the linear table.
    void indexSuffixes() noexcept;
    void insertSuffix(std::uint32_t hash, std::size_t offset) noexcept;

    // Small messages (every ordinary answer) keep a short list of names and match a new name
    // against each; once a message holds more names than the list (transfers, big RRsets), it
    // switches to a hash index of every suffix written at a pointable offset, so that each name
    // costs a few probes instead of a scan of the whole table.
    static constexpr std::size_t kMaxCompressionEntries = 32;
    static constexpr std::size_t kSuffixSlots = 4096;
    /// Keeps the index at most half full. Pointers reach only the first 16 KiB, which hold
    /// fewer suffixes than this unless most labels are one letter long; past it, new names are
    /// not remembered (the message stays correct, only less compact).
    static constexpr std::size_t kMaxSuffixes = kSuffixSlots / 2;
    std::span<std::uint8_t> buffer_;
    std::size_t size_ = 0;
    std::size_t limit_ = 0;
    std::size_t reserved_ = 0;
    std::array<std::uint16_t, 4> counts_{};  ///< qd, an, ns, ar
    Section section_ = Section::Question;
    std::uint8_t extendedRcode_ = 0;  ///< RCODE bits above the header's four
    bool indexed_ = false;            ///< the suffix index replaced the linear table
    /// Only the first compressionEntries_ are meaningful; the rest is never read, so it is
    /// left uninitialised.
    std::array<CompressionEntry, kMaxCompressionEntries> compression_;
    std::size_t compressionEntries_ = 0;
    std::size_t suffixCount_ = 0;
    /// Open addressing, linear probing: each slot is 0 (free) or the high 18 bits of the
    /// suffix's hash with its 14-bit offset. Read only when indexed_ (cleared on switching).
    std::array<std::uint32_t, kSuffixSlots> suffixSlots_;
};

}  // namespace dnsfleet::dnswire
