// The incoming half of zone transfers: response messages built by hand, as the RFCs lay them
// out (RFC 5936 §2.2 for AXFR, RFC 1995 §4 for IXFR), fed to XfrReader one by one.

#include "xfr/xfr_reader.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "transfer_fixture.hpp"
#include "xfr/serial.hpp"
#include "xfr/xfr_writer.hpp"

namespace dnsfleet::xfr {
namespace {

using namespace test;
namespace rrtype = dnswire::rrtype;
using Progress = XfrReader::Progress;

const std::string kApex = "example.com.";

std::vector<Rec> zoneBody() {
    return {
        {"example.com.", "NS", "ns.example.com."},      {"ns.example.com.", "A", "192.0.2.53"},
        {"www.example.com.", "A", "192.0.2.1"},         {"www.example.com.", "AAAA", "2001:db8::1"},
        {"example.com.", "MX", "10 mail.example.com."}, {"mail.example.com.", "A", "192.0.2.25"},
    };
}

std::vector<Rec> axfr(std::uint32_t serial) {
    std::vector<Rec> records{soa(serial)};
    for (const Rec& rec : zoneBody())
        records.push_back(rec);
    records.push_back(soa(serial));
    return records;
}

// The version a secondary holds before an IXFR: serial 1.
std::shared_ptr<const zone::Zone> baseZone() {
    return zoneFromText(R"(
$TTL 300
@    SOA ns admin 1 3600 600 86400 300
@    NS  ns
ns   A   192.0.2.53
www  A   192.0.2.1
old  A   192.0.2.99
)");
}

XfrReader axfrReader(SizeLimits limits = {}) {
    return XfrReader(name(kApex), rrtype::AXFR, std::nullopt, limits);
}

XfrReader ixfrReader(std::uint32_t current, SizeLimits limits = {}) {
    return XfrReader(name(kApex), rrtype::IXFR, current, limits);
}

TEST(XfrReaderAxfr, OneMessage) {
    XfrReader reader = axfrReader();
    auto progress = reader.feed(response(axfr(7)));
    ASSERT_TRUE(progress) << progress.error();
    EXPECT_EQ(*progress, Progress::Done);
    EXPECT_EQ(reader.kind(), XfrKind::Full);
    EXPECT_EQ(reader.serial(), 7U);
    EXPECT_EQ(reader.messages(), 1U);
    // The closing SOA is not a record of the zone.
    EXPECT_EQ(reader.fullRecords().size(), 7U);
    auto zone = reader.finish(nullptr);
    ASSERT_TRUE(zone) << zone.error();
    EXPECT_EQ(zoneSerial(**zone), 7U);
    EXPECT_EQ((*zone)->recordCount(), 7U);
    EXPECT_EQ(rdataAt(**zone, "www.example.com.", "AAAA"), std::vector<std::string>{"2001:db8::1"});
    EXPECT_EQ(rdataAt(**zone, "example.com.", "MX"),
              std::vector<std::string>{"10 mail.example.com."});
}

TEST(XfrReaderAxfr, ManyMessagesWithTheQuestionOnlyInTheFirst) {
    XfrReader reader = axfrReader();
    const std::vector<Rec> records = axfr(9);
    for (std::size_t i = 0; i < records.size(); ++i) {
        MessageSpec spec;
        spec.question = i == 0;  // RFC 5936 §2.2.1
        auto progress = reader.feed(response({records[i]}, spec));
        ASSERT_TRUE(progress) << i << ": " << progress.error();
        EXPECT_EQ(*progress, i + 1 == records.size() ? Progress::Done : Progress::NeedMore) << i;
    }
    EXPECT_EQ(reader.messages(), records.size());
    EXPECT_EQ(reader.recordCount(), records.size());
    auto zone = reader.finish(nullptr);
    ASSERT_TRUE(zone) << zone.error();
    EXPECT_EQ((*zone)->recordCount(), records.size() - 1);
}

TEST(XfrReaderAxfr, QuestionInALaterMessageMustStillMatch) {
    XfrReader reader = axfrReader();
    const std::vector<Rec> records = axfr(9);
    ASSERT_TRUE(reader.feed(response({records[0], records[1]})));
    MessageSpec other;
    other.qname = "example.net.";
    auto progress = reader.feed(response({records[2]}, other));
    ASSERT_FALSE(progress);
    EXPECT_EQ(progress.error(), "question does not match the request: example.net. AXFR");
}

TEST(XfrReaderAxfr, CutInTheMiddleIsNeverDone) {
    XfrReader reader = axfrReader();
    std::vector<Rec> records = axfr(3);
    records.pop_back();  // no closing SOA
    ASSERT_EQ(*reader.feed(response({records.begin(), records.begin() + 3})), Progress::NeedMore);
    ASSERT_EQ(*reader.feed(response({records.begin() + 3, records.end()})), Progress::NeedMore);
    auto zone = reader.finish(nullptr);
    ASSERT_FALSE(zone);
    EXPECT_EQ(zone.error(), "transfer incomplete: no final SOA");
}

TEST(XfrReaderAxfr, RecordOutsideTheZoneIsAnErrorAndStaysOne) {
    XfrReader reader = axfrReader();
    std::vector<Rec> records = axfr(3);
    records.insert(records.begin() + 2, Rec{"www.example.org.", "A", "192.0.2.7"});
    auto progress = reader.feed(response(records));
    ASSERT_FALSE(progress);
    EXPECT_EQ(progress.error(), "record outside the zone: www.example.org.");
    // An error is final: a later message or finish() repeats it.
    auto again = reader.feed(response({soa(3)}));
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error(), progress.error());
    EXPECT_FALSE(reader.finish(nullptr));
}

TEST(XfrReaderAxfr, TooManyRecordsStopsEarly) {
    SizeLimits limits;
    limits.maxRecords = 10;
    XfrReader reader = axfrReader(limits);
    // 1000 records in messages of 10: the reader must give up in the second message.
    Result<Progress, std::string> progress = Progress::NeedMore;
    std::size_t fed = 0;
    for (std::size_t m = 0; m < 100 && progress; ++m) {
        std::vector<Rec> records;
        if (m == 0) records.push_back(soa(1));
        while (records.size() < 10)
            records.push_back({"h" + std::to_string(m * 10 + records.size()) + ".example.com.", "A",
                               "192.0.2.1"});
        progress = reader.feed(response(records));
        ++fed;
    }
    ASSERT_FALSE(progress);
    EXPECT_EQ(progress.error(), "over the limit of 10 records");
    EXPECT_EQ(fed, 2U);
    EXPECT_EQ(reader.recordCount(), 11U);
}

TEST(XfrReaderAxfr, TooManyBytesStopsEarly) {
    SizeLimits limits;
    limits.maxBytes = 500;
    XfrReader reader = axfrReader(limits);
    std::vector<Rec> records{soa(1)};
    for (int i = 0; i < 100; ++i)
        records.push_back({"t" + std::to_string(i) + ".example.com.", "TXT", "\"0123456789\""});
    records.push_back(soa(1));
    auto progress = reader.feed(response(records));
    ASSERT_FALSE(progress);
    EXPECT_EQ(progress.error(), "over the limit of 500 bytes");
    EXPECT_LE(reader.fullRecords().bytes(), 500U + 64U);
}

TEST(XfrReaderAxfr, RecordsAfterTheFinalSoa) {
    XfrReader reader = axfrReader();
    std::vector<Rec> records = axfr(3);
    records.push_back({"late.example.com.", "A", "192.0.2.8"});
    auto progress = reader.feed(response(records));
    ASSERT_FALSE(progress);
    EXPECT_EQ(progress.error(), "records after the final SOA");

    XfrReader second = axfrReader();
    ASSERT_EQ(*second.feed(response(axfr(3))), Progress::Done);
    auto extra = second.feed(response({{"late.example.com.", "A", "192.0.2.8"}}));
    ASSERT_FALSE(extra);
    EXPECT_EQ(extra.error(), "message after the final SOA");
}

TEST(XfrReaderAxfr, FirstRecordMustBeTheSoa) {
    XfrReader reader = axfrReader();
    auto progress = reader.feed(response(zoneBody()));
    ASSERT_FALSE(progress);
    EXPECT_EQ(progress.error(), "first record is not the SOA of example.com.");
}

TEST(XfrReaderAxfr, ClosingSoaWithAnotherSerial) {
    XfrReader reader = axfrReader();
    std::vector<Rec> records = axfr(3);
    records.back() = soa(4);
    auto progress = reader.feed(response(records));
    ASSERT_FALSE(progress);
    EXPECT_EQ(progress.error(), "SOA serial 4 inside a transfer of serial 3");
}

TEST(XfrReaderAxfr, ClassOtherThanIn) {
    XfrReader reader = axfrReader();
    std::vector<Rec> records = axfr(3);
    records.insert(records.begin() + 1, Rec{"www.example.com.", "A", "192.0.2.3", 300, 3});
    auto progress = reader.feed(response(records));
    ASSERT_FALSE(progress);
    EXPECT_EQ(progress.error(), "record of class CH: www.example.com. A");
}

TEST(XfrReaderAxfr, OwnersAreLowerCased) {
    XfrReader reader = axfrReader();
    std::vector<Rec> records = axfr(3);
    records.insert(records.begin() + 1, Rec{"WWW2.Example.COM.", "A", "192.0.2.3"});
    ASSERT_EQ(*reader.feed(response(records)), Progress::Done);
    bool found = false;
    for (const zone::RecordView record : reader.fullRecords()) {
        if (record.owner.toText() == "www2.example.com.") found = true;
    }
    EXPECT_TRUE(found);
}

TEST(XfrReaderAxfr, RcodeNotauth) {
    XfrReader reader = axfrReader();
    MessageSpec spec;
    spec.rcode = dnswire::rcode::NOTAUTH;
    auto progress = reader.feed(response({}, spec));
    ASSERT_FALSE(progress);
    EXPECT_EQ(progress.error(), "RCODE NOTAUTH");
    EXPECT_EQ(reader.rcode(), dnswire::rcode::NOTAUTH);
}

TEST(XfrReaderAxfr, NotAResponse) {
    XfrReader reader = axfrReader();
    std::vector<std::uint8_t> message = response(axfr(1));
    message[2] &= 0x7F;  // QR off
    auto progress = reader.feed(message);
    ASSERT_FALSE(progress);
    EXPECT_EQ(progress.error(), "not a response (QR clear)");
}

TEST(XfrReaderAxfr, MalformedMessage) {
    XfrReader reader = axfrReader();
    std::vector<std::uint8_t> message = response(axfr(1));
    message.resize(message.size() - 3);
    auto progress = reader.feed(message);
    ASSERT_FALSE(progress);
    EXPECT_EQ(progress.error().rfind("malformed", 0), 0U) << progress.error();
}

// An RFC 2052 primary compressed the SRV target; RFC 3597 §4 says we should still read it.
TEST(XfrReaderAxfr, CompressedSrvFromAnOldPrimary) {
    std::vector<std::uint8_t> message = response({soa(5)});
    // Append `_sip._udp.example.com. SRV 0 5 5060 sip.<pointer to example.com.>` by hand:
    // MessageBuilder never compresses SRV RDATA, an old primary did.
    const std::size_t apexAt = dnswire::kHeaderSize;  // the question name
    const std::vector<std::uint8_t> owner = {4, '_', 's', 'i', 'p', 4, '_', 'u', 'd', 'p'};
    std::vector<std::uint8_t> rr = owner;
    rr.push_back(0xC0);
    rr.push_back(static_cast<std::uint8_t>(apexAt));
    const std::vector<std::uint8_t> rdata = {
        0, 0, 0, 5, 0x13, 0xC4, 3, 's', 'i', 'p', 0xC0, static_cast<std::uint8_t>(apexAt)};
    const std::vector<std::uint8_t> fixed = {
        0, 33, 0, 1, 0, 0, 1, 0x2C, 0, static_cast<std::uint8_t>(rdata.size())};
    rr.insert(rr.end(), fixed.begin(), fixed.end());
    rr.insert(rr.end(), rdata.begin(), rdata.end());
    message.insert(message.end(), rr.begin(), rr.end());
    // Then the closing SOA, as the primary would have written it (uncompressed is fine).
    const std::vector<std::uint8_t> closing =
        response({soa(5)}, MessageSpec{"example.com.", rrtype::AXFR, false});
    message.insert(message.end(), closing.begin() + dnswire::kHeaderSize, closing.end());
    message[7] = 3;  // ANCOUNT

    XfrReader reader = axfrReader();
    auto progress = reader.feed(message);
    ASSERT_TRUE(progress) << progress.error();
    ASSERT_EQ(*progress, Progress::Done);
    auto zone = reader.finish(nullptr);
    ASSERT_TRUE(zone) << zone.error();
    EXPECT_EQ(rdataAt(**zone, "_sip._udp.example.com.", "SRV"),
              std::vector<std::string>{"0 5 5060 sip.example.com."});
}

TEST(XfrReaderIxfr, IncrementalWithTwoSequences) {
    const auto base = baseZone();
    ASSERT_TRUE(base);
    XfrReader reader = ixfrReader(1);
    // 1 → 2: www changes address; 2 → 3: old goes, new comes. Spread over two messages, the
    // cut inside the second sequence.
    const std::vector<Rec> first = {
        soa(3),
        soa(1),
        {"www.example.com.", "A", "192.0.2.1"},
        soa(2),
        {"www.example.com.", "A", "192.0.2.2"},
        soa(2),
    };
    const std::vector<Rec> second = {
        {"old.example.com.", "A", "192.0.2.99"},
        soa(3),
        {"new.example.com.", "A", "192.0.2.100"},
        soa(3),
    };
    ASSERT_EQ(*reader.feed(ixfrResponse(first)), Progress::NeedMore);
    auto progress = reader.feed(ixfrResponse(second, false));
    ASSERT_TRUE(progress) << progress.error();
    ASSERT_EQ(*progress, Progress::Done);
    EXPECT_EQ(reader.kind(), XfrKind::Incremental);
    EXPECT_EQ(reader.serial(), 3U);
    ASSERT_EQ(reader.diffs().size(), 2U);
    EXPECT_EQ(reader.diffs()[0].fromSerial, 1U);
    EXPECT_EQ(reader.diffs()[0].toSerial, 2U);
    EXPECT_EQ(reader.diffs()[1].fromSerial, 2U);
    EXPECT_EQ(reader.diffs()[1].toSerial, 3U);
    EXPECT_EQ(reader.diffs()[1].removed.size(), 2U);  // old SOA + old A

    auto zone = reader.finish(base);
    ASSERT_TRUE(zone) << zone.error();
    EXPECT_EQ(zoneSerial(**zone), 3U);
    EXPECT_EQ(rdataAt(**zone, "www.example.com.", "A"), std::vector<std::string>{"192.0.2.2"});
    EXPECT_TRUE(rdataAt(**zone, "old.example.com.", "A").empty());
    EXPECT_EQ(rdataAt(**zone, "new.example.com.", "A"), std::vector<std::string>{"192.0.2.100"});
    // The base version is untouched (immutable snapshots).
    EXPECT_EQ(zoneSerial(*base), 1U);
    EXPECT_EQ(rdataAt(*base, "www.example.com.", "A"), std::vector<std::string>{"192.0.2.1"});
}

TEST(XfrReaderIxfr, InconsistentSerialChain) {
    XfrReader reader = ixfrReader(1);
    // The second sequence claims to start at 4, but the first one ended at 2.
    auto progress = reader.feed(ixfrResponse({
        soa(5),
        soa(1),
        soa(2),
        {"a.example.com.", "A", "192.0.2.1"},
        soa(4),
        soa(5),
        soa(5),
    }));
    ASSERT_FALSE(progress);
    EXPECT_EQ(progress.error(),
              "IXFR inconsistent: a sequence starts at serial 4, the previous one ended at 2");
}

TEST(XfrReaderIxfr, FirstSequenceMustStartAtOurSerial) {
    XfrReader reader = ixfrReader(1);
    auto progress = reader.feed(ixfrResponse({soa(3), soa(2), soa(3), soa(3)}));
    ASSERT_FALSE(progress);
    EXPECT_EQ(progress.error(),
              "IXFR inconsistent: the first sequence starts at serial 2, ours is 1");
}

TEST(XfrReaderIxfr, LastSequenceMustReachTheNewSerial) {
    XfrReader reader = ixfrReader(1);
    // Ends at 2 but the response announced 3: the final SOA 3 cannot start a sequence from 2.
    auto progress = reader.feed(ixfrResponse({soa(3), soa(1), soa(2), soa(3)}));
    ASSERT_FALSE(progress);
    EXPECT_EQ(progress.error(),
              "IXFR inconsistent: a sequence starts at serial 3, the previous one ended at 2");
}

TEST(XfrReaderIxfr, DeletingAMissingRecordFailsAtFinish) {
    const auto base = baseZone();
    ASSERT_TRUE(base);
    XfrReader reader = ixfrReader(1);
    ASSERT_EQ(*reader.feed(ixfrResponse({
                  soa(2),
                  soa(1),
                  {"ghost.example.com.", "A", "192.0.2.66"},
                  soa(2),
                  soa(2),
              })),
              Progress::Done);
    auto zone = reader.finish(base);
    ASSERT_FALSE(zone);
    EXPECT_EQ(zone.error(),
              "IXFR inconsistent: removing a record that does not exist: ghost.example.com. A "
              "192.0.2.66");
}

TEST(XfrReaderIxfr, AxfrStyleAnswer) {
    XfrReader reader = ixfrReader(1);
    MessageSpec spec;
    spec.qtype = rrtype::IXFR;
    auto progress = reader.feed(response(axfr(4), spec));
    ASSERT_TRUE(progress) << progress.error();
    ASSERT_EQ(*progress, Progress::Done);
    EXPECT_EQ(reader.kind(), XfrKind::Full);
    EXPECT_EQ(reader.serial(), 4U);
    auto zone = reader.finish(baseZone());
    ASSERT_TRUE(zone) << zone.error();
    EXPECT_EQ(zoneSerial(**zone), 4U);
    EXPECT_TRUE(rdataAt(**zone, "old.example.com.", "A").empty());  // not a diff: replaced
    EXPECT_EQ((*zone)->recordCount(), zoneBody().size() + 1);
}

TEST(XfrReaderIxfr, AxfrStyleAnswerSplitAfterTheFirstSoa) {
    XfrReader reader = ixfrReader(1);
    const std::vector<Rec> records = axfr(4);
    ASSERT_EQ(*reader.feed(ixfrResponse({records[0]})), Progress::NeedMore);  // newer: wait
    ASSERT_EQ(*reader.feed(ixfrResponse({records.begin() + 1, records.end()}, false)),
              Progress::Done);
    EXPECT_EQ(reader.kind(), XfrKind::Full);
}

TEST(XfrReaderIxfr, UpToDateSingleSoa) {
    const auto base = baseZone();
    for (const std::uint32_t theirs : {1U, 0U}) {  // the same serial, or older than ours
        XfrReader reader = ixfrReader(1);
        auto progress = reader.feed(ixfrResponse({soa(theirs)}));
        ASSERT_TRUE(progress) << progress.error();
        ASSERT_EQ(*progress, Progress::Done) << theirs;
        EXPECT_EQ(reader.kind(), XfrKind::UpToDate);
        auto zone = reader.finish(base);
        ASSERT_TRUE(zone) << zone.error();
        EXPECT_EQ(zone->get(), base.get());
    }
}

TEST(XfrReaderIxfr, ErrorRcodesLetTheCallerFallBack) {
    for (const std::uint16_t rcode :
         {dnswire::rcode::NOTIMP, dnswire::rcode::FORMERR, dnswire::rcode::REFUSED}) {
        XfrReader reader = ixfrReader(1);
        MessageSpec spec;
        spec.qtype = rrtype::IXFR;
        spec.rcode = rcode;
        auto progress = reader.feed(response({}, spec));
        ASSERT_FALSE(progress);
        EXPECT_EQ(progress.error().rfind("RCODE ", 0), 0U) << progress.error();
        EXPECT_EQ(reader.rcode(), rcode);
    }
}

TEST(XfrReaderIxfr, SequenceOverTheLimitStopsEarly) {
    SizeLimits limits;
    limits.maxRecords = 5;
    XfrReader reader = ixfrReader(1, limits);
    std::vector<Rec> records = {soa(2), soa(1), soa(2)};
    for (int i = 0; i < 10; ++i)
        records.push_back({"n" + std::to_string(i) + ".example.com.", "A", "192.0.2.1"});
    records.push_back(soa(2));
    auto progress = reader.feed(ixfrResponse(records));
    ASSERT_FALSE(progress);
    EXPECT_EQ(progress.error(), "IXFR sequence over the limit of 5 records");
}

// The one test against our own writer (the others use hand-built messages): two versions'
// diff sent as IXFR in 512-octet messages (question only in the first, as Knot and our
// writer do) and applied to the old version gives exactly the new one.
TEST(XfrReaderWithWriter, IxfrRoundTripReachesTheNewVersion) {
    // Version 2 renumbers 30 hosts and adds one: the IXFR needs several 512-octet messages.
    auto version = [](int serial) {
        std::string text = "$TTL 300\n@ SOA ns admin " + std::to_string(serial) +
                           " 3600 600 86400 300\n@ NS ns\nns A 192.0.2.53\n";
        for (int i = 0; i < 60; ++i) {
            const int host = serial == 2 && i < 30 ? 100 + i : i;
            text += "h" + std::to_string(i) + " A 192.0.2." + std::to_string(host) + "\n";
        }
        if (serial == 2) text += "extra TXT \"added in 2\"\n";
        return text;
    };
    const auto v1 = zoneFromText(version(1));
    const auto v2 = zoneFromText(version(2));
    ASSERT_TRUE(v1 && v2);
    auto step = diffZones(*v1, *v2);
    ASSERT_TRUE(step) << step.error();
    auto writer = XfrWriter::ixfr(v2, {std::make_shared<const ZoneDiff>(std::move(*step))});

    XfrReader reader = ixfrReader(1);
    std::vector<std::uint8_t> buffer(65535);
    Result<Progress, std::string> progress = Progress::NeedMore;
    for (int m = 0; m < 100 && !writer.done(); ++m) {
        dnswire::Header header;
        header.flags = dnswire::flag::QR | dnswire::flag::AA;
        auto message = dnswire::MessageBuilder::start(header, buffer);
        ASSERT_TRUE(message);
        if (m == 0) {
            ASSERT_TRUE(message->addQuestion(v2->apex(), rrtype::IXFR, dnswire::rrclass::IN));
        }
        message->setLimit(512);
        ASSERT_TRUE(writer.fill(*message));
        progress = reader.feed(message->wire());
        ASSERT_TRUE(progress) << progress.error();
    }
    ASSERT_EQ(*progress, Progress::Done);
    EXPECT_EQ(reader.kind(), XfrKind::Incremental);
    EXPECT_GE(reader.messages(), 3U);
    auto v2Again = reader.finish(v1);
    ASSERT_TRUE(v2Again) << v2Again.error();
    auto left = diffZones(**v2Again, *v2);
    ASSERT_TRUE(left);
    EXPECT_EQ(left->removed.size(), 1U);  // the SOA each diff starts with, nothing else
    EXPECT_EQ(left->added.size(), 1U);
    EXPECT_EQ(zoneSerial(**v2Again), 2U);
}

}  // namespace
}  // namespace dnsfleet::xfr
