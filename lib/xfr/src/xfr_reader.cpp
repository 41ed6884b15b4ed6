#include "xfr/xfr_reader.hpp"

#include <utility>

#include "dnswire/message.hpp"
#include "dnswire/rrtype.hpp"
#include "xfr/serial.hpp"
#include "zone/builder.hpp"

namespace dnsfleet::xfr {

namespace {

namespace rrtype = dnswire::rrtype;

std::string rcodeName(std::uint16_t rcode) {
    switch (rcode) {
        case dnswire::rcode::FORMERR:
            return "FORMERR";
        case dnswire::rcode::SERVFAIL:
            return "SERVFAIL";
        case dnswire::rcode::NXDOMAIN:
            return "NXDOMAIN";
        case dnswire::rcode::NOTIMP:
            return "NOTIMP";
        case dnswire::rcode::REFUSED:
            return "REFUSED";
        case dnswire::rcode::YXDOMAIN:
            return "YXDOMAIN";
        case dnswire::rcode::YXRRSET:
            return "YXRRSET";
        case dnswire::rcode::NXRRSET:
            return "NXRRSET";
        case dnswire::rcode::NOTAUTH:
            return "NOTAUTH";
        case dnswire::rcode::NOTZONE:
            return "NOTZONE";
        case dnswire::rcode::BADVERS:
            return "BADVERS";
        case dnswire::rcode::BADKEY:
            return "BADKEY";
        case dnswire::rcode::BADTIME:
            return "BADTIME";
        default:
            return std::to_string(rcode);
    }
}

std::string describeRecord(const zone::RecordView& record) {
    std::string text = record.owner.toText();
    text += ' ';
    dnswire::appendTypeText(record.type, text);
    return text;
}

// RFC 6895 §3.1: OPT and 128-255 are meta types and QTYPEs; TSIG and TKEY among them.
bool isMetaType(std::uint16_t type) noexcept {
    return type == rrtype::OPT || (type >= 128 && type <= 255);
}

}  // namespace

XfrReader::XfrReader(dnswire::NameView apex, std::uint16_t qtype,
                     std::optional<std::uint32_t> currentSerial, SizeLimits limits)
    : apex_(apex), qtype_(qtype), currentSerial_(currentSerial), limits_(limits) {
    apex_.toLower();
}

Result<XfrReader::Progress, std::string> XfrReader::feed(std::span<const std::uint8_t> message) {
    if (error_) return fail(*error_);
    auto progress = readMessage(message);
    if (!progress) error_ = progress.error();
    return progress;
}

Result<XfrReader::Progress, std::string> XfrReader::readMessage(
    std::span<const std::uint8_t> message) {
    if (phase_ == Phase::Done) return fail(std::string("message after the final SOA"));
    ++messages_;
    auto parser = dnswire::MessageParser::open(message);
    if (!parser) {
        return fail("malformed message: " + std::string(dnswire::describe(parser.error())));
    }
    const dnswire::Header& header = parser->header();
    if (!header.has(dnswire::flag::QR)) return fail(std::string("not a response (QR clear)"));
    if (header.opcode() != dnswire::opcode::QUERY) {
        return fail("opcode " + std::to_string(header.opcode()) + " in a transfer response");
    }
    rcode_ = header.rcode();
    // RCODE first: an error answer often carries nothing else worth checking, and the caller
    // needs the RCODE to choose between AXFR fallback and giving up.
    if (rcode_ != dnswire::rcode::NOERROR) return fail("RCODE " + rcodeName(rcode_));
    if (header.has(dnswire::flag::TC)) return fail(std::string("truncated response (TC set)"));
    // RFC 5936 §2.2.1: the question is in the first message and may be left out of the later
    // ones; we take it in any message, but it must be ours.
    if (header.qdcount > 1) return fail(std::string("more than one question"));
    if (header.qdcount == 1 &&
        (!dnswire::equalNames(parser->qname(), apex_) || parser->qtype() != qtype_ ||
         parser->qclass() != dnswire::rrclass::IN)) {
        std::string text = "question does not match the request: " + parser->qname().toText();
        text += ' ';
        dnswire::appendTypeText(parser->qtype(), text);
        return fail(std::move(text));
    }

    dnswire::RecordRef ref;
    while (true) {
        auto more = parser->next(ref);
        if (!more)
            return fail("malformed message: " + std::string(dnswire::describe(more.error())));
        if (!*more) break;
        if (ref.section != dnswire::Section::Answer) {
            // RFC 5936 §2.2.4/2.2.5: the authority section is ignored, the additional one holds
            // OPT and TSIG (the caller checked TSIG). An extended RCODE still ends the transfer.
            if (ref.section == dnswire::Section::Additional && ref.type == rrtype::OPT) {
                rcode_ = static_cast<std::uint16_t>(((ref.ttl >> 24) << 4) | header.rcode());
                if (rcode_ != dnswire::rcode::NOERROR) return fail("RCODE " + rcodeName(rcode_));
            }
            continue;
        }
        ++records_;
        dnswire::Name owner = ref.owner;
        owner.toLower();
        zone::RecordView record{owner, ref.type, ref.rclass, ref.ttl, {}};
        if (isMetaType(ref.type))
            return fail("meta record in the answer: " + describeRecord(record));
        if (ref.rclass != dnswire::rrclass::IN) {
            return fail("record of class " + dnswire::classToText(ref.rclass) + ": " +
                        describeRecord(record));
        }
        if (!dnswire::isSubdomain(owner, apex_)) {
            return fail("record outside the zone: " + owner.toText());
        }
        rdata_.clear();
        if (!dnswire::rdataFromWire(ref.type, parser->packet(), ref.rdataOffset, ref.rdlength,
                                    rdata_)) {
            return fail("malformed RDATA: " + describeRecord(record));
        }
        record.rdata = rdata_;
        DNSFLEET_TRY(take(record));
    }
    if (!parser->complete()) return fail(std::string("trailing data after the last record"));

    // RFC 1995 §4: a lone SOA not newer than ours means we are up to date. A lone newer SOA
    // is not an answer yet: over TCP the rest may still come.
    if (phase_ == Phase::FirstSoa && currentSerial_ && !serialNewer(serial_, *currentSerial_)) {
        kind_ = XfrKind::UpToDate;
        phase_ = Phase::Done;
    }
    return phase_ == Phase::Done ? Progress::Done : Progress::NeedMore;
}

bool XfrReader::isApexSoa(const zone::RecordView& record) const noexcept {
    return record.type == rrtype::SOA && dnswire::equalNames(record.owner, apex_);
}

Result<void, std::string> XfrReader::take(const zone::RecordView& record) {
    const bool soa = isApexSoa(record);
    const std::uint32_t serial = soa ? soaSerialOf(record.rdata) : 0;
    switch (phase_) {
        case Phase::Start:
            if (!soa) return fail("first record is not the SOA of " + apex_.toText());
            serial_ = serial;
            phase_ = qtype_ == rrtype::IXFR ? Phase::FirstSoa : Phase::Body;
            return addFull(record);
        case Phase::FirstSoa:
            if (!soa) {
                // RFC 1995 §4: anything but an SOA second means the whole zone follows.
                phase_ = Phase::Body;
                return addFull(record);
            }
            if (serial == serial_) {
                phase_ = Phase::Done;  // an AXFR-style answer for a zone of one SOA
                return {};
            }
            if (!currentSerial_ || serial != *currentSerial_) {
                return fail("IXFR inconsistent: the first sequence starts at serial " +
                            std::to_string(serial) + ", ours is " +
                            (currentSerial_ ? std::to_string(*currentSerial_) : "unknown"));
            }
            kind_ = XfrKind::Incremental;
            full_.clear();
            diffs_.emplace_back();
            diffs_.back().fromSerial = serial;
            phase_ = Phase::Removing;
            return addToDiff(diffs_.back().removed, record);
        case Phase::Body:
            if (!soa) return addFull(record);
            if (serial != serial_) {
                return fail("SOA serial " + std::to_string(serial) +
                            " inside a transfer of serial " + std::to_string(serial_));
            }
            phase_ = Phase::Done;
            return {};
        case Phase::Removing:
            if (!soa) return addToDiff(diffs_.back().removed, record);
            diffs_.back().toSerial = serial;
            phase_ = Phase::Adding;
            return addToDiff(diffs_.back().added, record);
        case Phase::Adding: {
            if (!soa) return addToDiff(diffs_.back().added, record);
            const std::uint32_t reached = diffs_.back().toSerial;
            if (serial == serial_ && reached == serial_) {
                phase_ = Phase::Done;
                return {};
            }
            // RFC 1995 §4: each sequence starts where the previous one ended.
            if (serial != reached) {
                return fail("IXFR inconsistent: a sequence starts at serial " +
                            std::to_string(serial) + ", the previous one ended at " +
                            std::to_string(reached));
            }
            diffs_.emplace_back();
            diffs_.back().fromSerial = serial;
            phase_ = Phase::Removing;
            return addToDiff(diffs_.back().removed, record);
        }
        case Phase::Done:
            break;
    }
    return fail(std::string("records after the final SOA"));
}

Result<void, std::string> XfrReader::addFull(const zone::RecordView& record) {
    full_.add(record);
    // Checked record by record, so a zone over the limit is dropped after maxRecords records,
    // not after the whole (perhaps endless) transfer was held in memory.
    if (limits_.maxRecords != 0 && full_.size() > limits_.maxRecords) {
        return fail("over the limit of " + std::to_string(limits_.maxRecords) + " records");
    }
    if (limits_.maxBytes != 0 && full_.bytes() > limits_.maxBytes) {
        return fail("over the limit of " + std::to_string(limits_.maxBytes) + " bytes");
    }
    return {};
}

Result<void, std::string> XfrReader::addToDiff(RecordList& list, const zone::RecordView& record) {
    const std::size_t before = list.bytes();
    list.add(record);
    ++diffRecords_;
    diffBytes_ += list.bytes() - before;
    // One list longer than the limit cannot belong to a version within it (the removed records
    // existed, the added ones will). Beyond twice the limit in all, the removal of the whole old
    // zone and the addition of a whole new one would have been shorter: AXFR is the better way.
    if (limits_.maxRecords != 0) {
        if (list.size() > limits_.maxRecords) {
            return fail("IXFR sequence over the limit of " + std::to_string(limits_.maxRecords) +
                        " records");
        }
        if (diffRecords_ / 2 > limits_.maxRecords) {
            return fail("IXFR over twice the limit of " + std::to_string(limits_.maxRecords) +
                        " records");
        }
    }
    if (limits_.maxBytes != 0) {
        if (list.bytes() > limits_.maxBytes) {
            return fail("IXFR sequence over the limit of " + std::to_string(limits_.maxBytes) +
                        " bytes");
        }
        if (diffBytes_ / 2 > limits_.maxBytes) {
            return fail("IXFR over twice the limit of " + std::to_string(limits_.maxBytes) +
                        " bytes");
        }
    }
    return {};
}

Result<std::shared_ptr<const zone::Zone>, std::string> XfrReader::finish(
    std::shared_ptr<const zone::Zone> current) {
    if (error_) return fail(*error_);
    if (phase_ != Phase::Done) return fail(std::string("transfer incomplete: no final SOA"));
    switch (kind_) {
        case XfrKind::UpToDate:
            if (!current) return fail(std::string("up to date, but no current version"));
            return current;
        case XfrKind::Incremental: {
            if (!current) return fail(std::string("IXFR, but no current version to apply it to"));
            std::vector<const ZoneDiff*> steps;
            steps.reserve(diffs_.size());
            for (const ZoneDiff& diff : diffs_)
                steps.push_back(&diff);
            return applyDiffs(*current, steps, limits_);
        }
        case XfrKind::Full:
            break;
    }
    zone::ZoneBuilder builder(apex_);
    for (const zone::RecordView record : full_) {
        auto added = builder.add(record);
        if (!added) return fail(describeRecord(record) + ": " + added.error());
    }
    auto built = builder.build();
    if (!built) {
        return fail("zone does not build: " +
                    (built.error().empty() ? std::string("?") : built.error().front()));
    }
    return std::move(*built);
}

}  // namespace dnsfleet::xfr
