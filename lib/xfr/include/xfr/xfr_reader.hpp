#pragma once
/// \file
/// Reads the messages of an incoming AXFR or IXFR response (I/O-free): the caller reads each
/// message from TCP, checks its TSIG, and feeds it here. Everything is checked before anything
/// replaces the served version: the question, the RCODE, the SOA framing (an AXFR ends with the
/// SOA it began with; an IXFR's sequences are consistent), out-of-zone data and size limits.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "dnswire/name.hpp"
#include "xfr/diff.hpp"
#include "xfr/record_list.hpp"
#include "zone/zone.hpp"

namespace dnsfleet::xfr {

/// What the primary sent.
enum class XfrKind : std::uint8_t {
    UpToDate,  ///< one SOA whose serial is not newer than ours (RFC 1995 §2)
    Full,      ///< an AXFR, or an IXFR answered AXFR-style (RFC 1995 §4)
    Incremental,
};

class XfrReader {
  public:
    /// `qtype` is AXFR or IXFR; `currentSerial` is the serial the request named (IXFR only).
    XfrReader(dnswire::NameView apex, std::uint16_t qtype,
              std::optional<std::uint32_t> currentSerial, SizeLimits limits);

    enum class Progress : std::uint8_t { NeedMore, Done };
    /// Feeds the next response message. An error is final: one line for the log (`RCODE
    /// NOTAUTH`, `record outside the zone: x.other.`, `over the limit of 1000 records`,
    /// `records after the final SOA`, ...).
    [[nodiscard]] Result<Progress, std::string> feed(std::span<const std::uint8_t> message);

    /// Valid once feed() returned Done.
    [[nodiscard]] XfrKind kind() const noexcept { return kind_; }
    /// The serial the transfer leads to.
    [[nodiscard]] std::uint32_t serial() const noexcept { return serial_; }
    [[nodiscard]] std::size_t messages() const noexcept { return messages_; }
    [[nodiscard]] std::size_t recordCount() const noexcept { return records_; }

    /// Builds the new version: from the records (Full), by applying the diffs to `current`
    /// (Incremental; `current` must be the version at the requested serial), or `current`
    /// itself (UpToDate). Errors: the zone does not build, an inconsistent IXFR sequence, the
    /// limits.
    [[nodiscard]] Result<std::shared_ptr<const zone::Zone>, std::string> finish(
        std::shared_ptr<const zone::Zone> current);

    /// The records of a Full transfer (SOA first, the closing SOA not repeated).
    [[nodiscard]] const RecordList& fullRecords() const noexcept { return full_; }
    /// The diffs of an Incremental transfer, in order.
    [[nodiscard]] const std::vector<ZoneDiff>& diffs() const noexcept { return diffs_; }
    /// The RCODE of the last message fed (extended RCODEs included). After an error starting
    /// with `RCODE `, an IXFR caller falls back to AXFR when this is NOTIMP, FORMERR or
    /// REFUSED: a primary without IXFR support answers so (RFC 1995 §2 leaves it open).
    [[nodiscard]] std::uint16_t rcode() const noexcept { return rcode_; }

  private:
    /// Where the response stands, record by record (RFC 1995 §4, RFC 5936 §2.2).
    enum class Phase : std::uint8_t {
        Start,     ///< nothing read yet: the next record must be the new SOA
        FirstSoa,  ///< IXFR, one SOA read: the second record tells which form follows
        Body,      ///< inside an AXFR (or AXFR-style IXFR) until the closing SOA
        Removing,  ///< IXFR: inside a sequence's removal list (after its old SOA)
        Adding,    ///< IXFR: inside a sequence's addition list (after its new SOA)
        Done,      ///< the final SOA was read; nothing may follow
    };

    [[nodiscard]] Result<Progress, std::string> readMessage(std::span<const std::uint8_t> message);
    [[nodiscard]] Result<void, std::string> take(const zone::RecordView& record);
    [[nodiscard]] Result<void, std::string> addFull(const zone::RecordView& record);
    [[nodiscard]] Result<void, std::string> addToDiff(RecordList& list,
                                                      const zone::RecordView& record);
    [[nodiscard]] bool isApexSoa(const zone::RecordView& record) const noexcept;

    dnswire::Name apex_;
    std::uint16_t qtype_;
    std::optional<std::uint32_t> currentSerial_;
    SizeLimits limits_;
    XfrKind kind_ = XfrKind::Full;
    std::uint32_t serial_ = 0;
    std::uint16_t rcode_ = 0;
    std::size_t messages_ = 0;
    std::size_t records_ = 0;
    /// Records and octets held in diffs_, all sequences together.
    std::size_t diffRecords_ = 0;
    std::size_t diffBytes_ = 0;
    Phase phase_ = Phase::Start;
    /// Set by the first error: every later call repeats it.
    std::optional<std::string> error_;
    RecordList full_;
    std::vector<ZoneDiff> diffs_;
    std::vector<std::uint8_t> rdata_;  ///< scratch: the RDATA being decompressed
};

}  // namespace dnsfleet::xfr
