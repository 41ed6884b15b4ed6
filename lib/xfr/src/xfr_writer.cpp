#include "xfr/xfr_writer.hpp"

#include <optional>
#include <utility>

#include "dnswire/rrtype.hpp"
#include "zone_cursor.hpp"

namespace dnsfleet::xfr {

namespace {
enum class Phase : std::uint8_t { OpeningSoa, Body, ClosingSoa, Done };
enum class Kind : std::uint8_t { Axfr, Ixfr, SoaOnly };
}  // namespace

struct XfrWriter::State {
    std::shared_ptr<const zone::Zone> zone;
    std::vector<std::shared_ptr<const ZoneDiff>> diffs;
    Kind kind = Kind::Axfr;
    Phase phase = Phase::OpeningSoa;
    // AXFR: where the walk over the zone stands (node, RRset, record).
    std::optional<detail::ZoneCursor> cursor;
    // IXFR: the diff, its list (0 removed, 1 added) and the record inside it.
    std::size_t diff = 0;
    int list = 0;
    RecordList::Iterator at{nullptr, 0};

    [[nodiscard]] zone::RecordView soa() const noexcept {
        const zone::RRsetView set = zone->soa();
        return {zone->apex(), dnswire::rrtype::SOA, dnswire::rrclass::IN, set.ttl(), set.first()};
    }

    [[nodiscard]] const RecordList& ixfrList() const noexcept {
        return list == 0 ? diffs[diff]->removed : diffs[diff]->added;
    }

    [[nodiscard]] zone::RecordView current() const noexcept {
        if (phase != Phase::Body) return soa();
        if (kind == Kind::Axfr) return cursor->current();
        return *at;
    }

    // Moves to the next list with records, or to the closing SOA.
    void settleIxfr() noexcept {
        while (at == ixfrList().end()) {
            if (list == 0) {
                list = 1;
            } else if (++diff < diffs.size()) {
                list = 0;
            } else {
                phase = Phase::ClosingSoa;
                return;
            }
            at = ixfrList().begin();
        }
    }

    void startBody() noexcept {
        phase = Phase::Body;
        if (kind == Kind::Axfr) {
            cursor.emplace(*zone, true);
            if (cursor->atEnd()) phase = Phase::ClosingSoa;
        } else {
            diff = 0;
            list = 0;
            at = ixfrList().begin();
            settleIxfr();
        }
    }

    void advance() noexcept {
        switch (phase) {
            case Phase::OpeningSoa:
                if (kind == Kind::SoaOnly) {
                    phase = Phase::Done;
                } else {
                    startBody();
                }
                break;
            case Phase::Body:
                if (kind == Kind::Axfr) {
                    cursor->advance();
                    if (cursor->atEnd()) phase = Phase::ClosingSoa;
                } else {
                    ++at;
                    settleIxfr();
                }
                break;
            case Phase::ClosingSoa:
            case Phase::Done:
                phase = Phase::Done;
                break;
        }
    }
};

XfrWriter::XfrWriter() : state_(std::make_unique<State>()) {}
XfrWriter::XfrWriter(XfrWriter&&) noexcept = default;
XfrWriter& XfrWriter::operator=(XfrWriter&&) noexcept = default;
XfrWriter::~XfrWriter() = default;

XfrWriter XfrWriter::axfr(std::shared_ptr<const zone::Zone> zone) {
    XfrWriter writer;
    writer.state_->zone = std::move(zone);
    writer.state_->kind = Kind::Axfr;
    return writer;
}

XfrWriter XfrWriter::soaOnly(std::shared_ptr<const zone::Zone> current) {
    XfrWriter writer;
    writer.state_->zone = std::move(current);
    writer.state_->kind = Kind::SoaOnly;
    return writer;
}

XfrWriter XfrWriter::ixfr(std::shared_ptr<const zone::Zone> current,
                          std::vector<std::shared_ptr<const ZoneDiff>> diffs, bool condensed) {
    if (diffs.empty()) return soaOnly(std::move(current));
    // A history that does not lead, step by step, to the version being served cannot be sent
    // as IXFR; RFC 1995 §4 lets the server answer with the whole zone instead.
    const std::uint32_t serial = zoneSerial(*current);
    for (std::size_t i = 0; i < diffs.size(); ++i) {
        const bool broken = !diffs[i] || diffs[i]->removed.empty() || diffs[i]->added.empty() ||
                            (i > 0 && diffs[i - 1]->toSerial != diffs[i]->fromSerial);
        if (broken) return axfr(std::move(current));
    }
    if (diffs.back()->toSerial != serial) return axfr(std::move(current));
    if (condensed && diffs.size() > 1) {
        auto merged = condense(diffs);
        if (!merged) return axfr(std::move(current));
        diffs.assign(1, std::make_shared<const ZoneDiff>(std::move(*merged)));
    }
    XfrWriter writer;
    writer.state_->zone = std::move(current);
    writer.state_->diffs = std::move(diffs);
    writer.state_->kind = Kind::Ixfr;
    return writer;
}

bool XfrWriter::done() const noexcept {
    return !state_ || state_->phase == Phase::Done;
}

dnswire::WireResult<bool> XfrWriter::fill(dnswire::MessageBuilder& message) noexcept {
    if (done()) return false;
    State& s = *state_;
    const std::uint16_t before = message.count(dnswire::Section::Answer);
    std::size_t written = 0;
    while (s.phase != Phase::Done) {
        const zone::RecordView record = s.current();
        auto added = message.addRecord(dnswire::Section::Answer, record.owner, record.type,
                                       record.rclass, record.ttl, record.rdata);
        if (!added) {
            // The record goes whole into the next message (RFC 5936 §2.2 allows an RRset to
            // span messages, never a record); one that does not fit an empty message never
            // will.
            if (added.error() == dnswire::WireError::BufferFull && (written > 0 || before > 0))
                break;
            return fail(added.error());
        }
        ++written;
        ++records_;
        s.advance();
    }
    if (written > 0) ++messages_;
    return s.phase != Phase::Done;
}

}  // namespace dnsfleet::xfr
