// Micro-benchmarks of zone transfers inside the libraries (no sockets):
//   BM_Axfr1M        the AXFR of a generated zone of 1M A records through xfr::XfrWriter into
//                    64 KiB messages — name compression in MessageBuilder dominates it;
//   BM_ApplyDiff100k applyDiffs of a one-record change (old SOA + one A out, new SOA + one A
//                    in) on a 100k-record zone: what a secondary spends per IXFR.
// The zones are generated in memory (hostN.example.com. A 10.x.y.z), so no data files are
// needed. Counters: records and messages per transfer, wire bytes, records per second.

#include <benchmark/benchmark.h>

#include <array>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "bench_records.hpp"
#include "dnswire/message.hpp"
#include "dnswire/name.hpp"
#include "dnswire/rrtype.hpp"
#include "xfr/diff.hpp"
#include "xfr/xfr_writer.hpp"
#include "zone/builder.hpp"

namespace {

using namespace dnsfleet;

using bench::address;
using bench::rdata;

std::vector<std::uint8_t> soaRdata(std::uint32_t serial, dnswire::NameView apex) {
    return rdata(dnswire::rrtype::SOA,
                 "ns1 hostmaster " + std::to_string(serial) + " 3600 600 86400 300", apex);
}

// SOA, two NS with glue, and `hosts` A records at hostN.example.com.
std::shared_ptr<const zone::Zone> hostsZone(std::size_t hosts) {
    const dnswire::Name apex = *dnswire::Name::fromText("example.com.");
    zone::ZoneBuilder builder(apex);
    auto add = [&](const dnswire::Name& owner, std::uint16_t type,
                   std::span<const std::uint8_t> data) {
        if (!builder.add(zone::RecordView{owner, type, dnswire::rrclass::IN, 3600, data}))
            std::abort();
    };
    add(apex, dnswire::rrtype::SOA, soaRdata(1, apex));
    add(apex, dnswire::rrtype::NS, rdata(dnswire::rrtype::NS, "ns1", apex));
    add(apex, dnswire::rrtype::NS, rdata(dnswire::rrtype::NS, "ns2", apex));
    add(*dnswire::Name::fromText("ns1.example.com."), dnswire::rrtype::A, address(1));
    add(*dnswire::Name::fromText("ns2.example.com."), dnswire::rrtype::A, address(2));
    for (std::size_t i = 0; i < hosts; ++i) {
        const auto owner = dnswire::Name::fromText("host" + std::to_string(i) + ".example.com.");
        add(*owner, dnswire::rrtype::A, address(i));
    }
    auto built = builder.build();
    if (!built) std::abort();
    return *built;
}

const std::shared_ptr<const zone::Zone>& zone1M() {
    static const auto zone = hostsZone(1000000);
    return zone;
}

void BM_Axfr1M(benchmark::State& state) {
    const auto& zone = zone1M();
    std::vector<std::uint8_t> buffer(65535);
    std::size_t records = 0;
    std::size_t messages = 0;
    std::size_t bytes = 0;
    // The range-for over the state is Google Benchmark's loop; its variable is unused by design.
    for (auto _ : state) {  // NOLINT(clang-analyzer-deadcode.DeadStores)
        auto writer = xfr::XfrWriter::axfr(zone);
        bytes = 0;
        bool first = true;
        for (std::size_t guard = 0; guard < 10000000 && !writer.done(); ++guard) {
            dnswire::Header header;
            header.id = 1;
            header.flags = dnswire::flag::QR | dnswire::flag::AA;
            auto message = dnswire::MessageBuilder::start(header, buffer);
            if (!message) std::abort();
            message->setLimit(65535);
            if (first &&
                !message->addQuestion(zone->apex(), dnswire::rrtype::AXFR, dnswire::rrclass::IN))
                std::abort();
            first = false;
            auto more = writer.fill(*message);
            if (!more) std::abort();
            bytes += message->size();
            benchmark::DoNotOptimize(message->wire().data());
            if (!*more) break;
        }
        records = writer.records();
        messages = writer.messages();
    }
    state.counters["records"] = static_cast<double>(records);
    state.counters["messages"] = static_cast<double>(messages);
    state.counters["wire_MB"] = static_cast<double>(bytes) / 1e6;
    state.counters["records_per_s"] =
        benchmark::Counter(static_cast<double>(records) * static_cast<double>(state.iterations()),
                           benchmark::Counter::kIsRate);
}
BENCHMARK(BM_Axfr1M)->Unit(benchmark::kMillisecond)->Iterations(3);

void BM_ApplyDiff100k(benchmark::State& state) {
    static const auto base = hostsZone(100000);
    const dnswire::Name apex = *dnswire::Name::fromText("example.com.");
    const dnswire::Name changed = *dnswire::Name::fromText("host50000.example.com.");
    const auto oldSoa = soaRdata(1, apex);
    const auto newSoa = soaRdata(2, apex);
    const auto oldA = address(50000);
    const std::array<std::uint8_t, 4> newA = {192, 0, 2, 1};
    xfr::ZoneDiff diff;
    diff.fromSerial = 1;
    diff.toSerial = 2;
    diff.removed.add({apex, dnswire::rrtype::SOA, dnswire::rrclass::IN, 3600, oldSoa});
    diff.removed.add({changed, dnswire::rrtype::A, dnswire::rrclass::IN, 3600, oldA});
    diff.added.add({apex, dnswire::rrtype::SOA, dnswire::rrclass::IN, 3600, newSoa});
    diff.added.add({changed, dnswire::rrtype::A, dnswire::rrclass::IN, 3600, newA});
    const std::array<const xfr::ZoneDiff*, 1> diffs = {&diff};
    // The range-for over the state is Google Benchmark's loop; its variable is unused by design.
    for (auto _ : state) {  // NOLINT(clang-analyzer-deadcode.DeadStores)
        auto next = xfr::applyDiffs(*base, diffs);
        if (!next) std::abort();
        benchmark::DoNotOptimize(next->get());
    }
}
BENCHMARK(BM_ApplyDiff100k)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
