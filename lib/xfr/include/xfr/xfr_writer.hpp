#pragma once
/// \file
/// The messages of an outgoing zone transfer, written one at a time as the connection drains:
/// AXFR (RFC 5936) and IXFR (RFC 1995), I/O-free. The writer holds shared pointers to the
/// version and the diffs it sends, so a new version published during the transfer changes
/// nothing in it.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "dnswire/error.hpp"
#include "dnswire/message.hpp"
#include "xfr/diff.hpp"
#include "zone/zone.hpp"

namespace dnsfleet::xfr {

class XfrWriter {
  public:
    /// The whole zone: SOA, every other record (RRSIGs and the NSEC3 chain included), SOA.
    [[nodiscard]] static XfrWriter axfr(std::shared_ptr<const zone::Zone> zone);
    /// An incremental transfer (RFC 1995 §4): the current SOA, then for each diff the old SOA
    /// with the removed records and the new SOA with the added ones, then the current SOA.
    /// `current` is the version the last diff leads to. With `condensed`, the diffs are merged
    /// first (one removal/addition pair, smaller and what Knot sends). Empty `diffs` give
    /// soaOnly(); diffs that do not chain or do not end at `current`'s serial give the whole
    /// zone AXFR-style, which RFC 1995 §4 allows and every client accepts.
    [[nodiscard]] static XfrWriter ixfr(std::shared_ptr<const zone::Zone> current,
                                        std::vector<std::shared_ptr<const ZoneDiff>> diffs,
                                        bool condensed = true);
    /// The answer to an IXFR from a client that is up to date (or ahead): the current SOA only
    /// (RFC 1995 §2).
    [[nodiscard]] static XfrWriter soaOnly(std::shared_ptr<const zone::Zone> current);

    /// Adds records to `message` (already started: header and, for the first message, the
    /// question; limit set and room for TSIG reserved) until the next record does not fit.
    /// Records are never split; an RRset may span messages (RFC 5936 §2.2). Returns true while
    /// more messages are needed.
    /// \retval WireError::BufferFull  a single record does not fit in an empty message
    [[nodiscard]] dnswire::WireResult<bool> fill(dnswire::MessageBuilder& message) noexcept;

    [[nodiscard]] bool done() const noexcept;
    /// Records written so far and messages filled so far (for the log line at the end).
    [[nodiscard]] std::size_t records() const noexcept { return records_; }
    [[nodiscard]] std::size_t messages() const noexcept { return messages_; }

    XfrWriter(XfrWriter&&) noexcept;
    XfrWriter& operator=(XfrWriter&&) noexcept;
    ~XfrWriter();

  private:
    struct State;
    XfrWriter();
    std::unique_ptr<State> state_;
    std::size_t records_ = 0;
    std::size_t messages_ = 0;
};

}  // namespace dnsfleet::xfr
