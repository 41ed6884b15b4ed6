// Micro-benchmarks of one IXFR applied to a big unsigned zone (no sockets): xfr::applyDiffs on
// a zone of 100k names (hostN.example.com. A 10.x.y.z), with the SOA serial bump every IXFR
// carries and one of the changes a DNS customer makes most:
//   BM_IxfrChangeRecord100k  one A record of an existing name replaced;
//   BM_IxfrAddName100k       one new name (newhost.example.com. A) added;
//   BM_IxfrRemoveName100k    one name (host50000.example.com., its only record) removed;
//   BM_IxfrAddName100kMaxBytes  the added name again, with a byte limit (authd's max-bytes).
// Each is what a secondary (authd) and controld spend per new version of the zone; whether
// zone::patchZone takes it or the zone is rebuilt decides most of it.

#include <benchmark/benchmark.h>

#include <array>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "bench_records.hpp"
#include "dnswire/name.hpp"
#include "dnswire/rrtype.hpp"
#include "xfr/diff.hpp"
#include "zone/builder.hpp"

namespace {

using namespace dnsfleet;

constexpr std::size_t kHosts = 100000;

using bench::address;
using bench::rdata;

const dnswire::Name& apex() {
    static const dnswire::Name name = *dnswire::Name::fromText("example.com.");
    return name;
}

std::vector<std::uint8_t> soaRdata(std::uint32_t serial) {
    return rdata(dnswire::rrtype::SOA,
                 "ns1 hostmaster " + std::to_string(serial) + " 3600 600 86400 300", apex());
}

// SOA, two NS with glue, and kHosts A records at hostN.example.com.
const std::shared_ptr<const zone::Zone>& zone100k() {
    static const auto zone = [] {
        zone::ZoneBuilder builder(apex());
        auto add = [&](const dnswire::Name& owner, std::uint16_t type,
                       std::span<const std::uint8_t> data) {
            if (!builder.add(zone::RecordView{owner, type, dnswire::rrclass::IN, 3600, data}))
                std::abort();
        };
        add(apex(), dnswire::rrtype::SOA, soaRdata(1));
        add(apex(), dnswire::rrtype::NS, rdata(dnswire::rrtype::NS, "ns1", apex()));
        add(apex(), dnswire::rrtype::NS, rdata(dnswire::rrtype::NS, "ns2", apex()));
        add(*dnswire::Name::fromText("ns1.example.com."), dnswire::rrtype::A, address(1));
        add(*dnswire::Name::fromText("ns2.example.com."), dnswire::rrtype::A, address(2));
        for (std::size_t i = 0; i < kHosts; ++i) {
            const auto owner =
                dnswire::Name::fromText("host" + std::to_string(i) + ".example.com.");
            add(*owner, dnswire::rrtype::A, address(i));
        }
        auto built = builder.build();
        if (!built) std::abort();
        return *built;
    }();
    return zone;
}

struct Record {
    const char* owner;
    std::array<std::uint8_t, 4> a;
};

// Serial 1 -> 2 with `removed` and `added` A records besides the SOA.
void runIxfr(benchmark::State& state, const std::vector<Record>& removed,
             const std::vector<Record>& added, const xfr::SizeLimits& limits = {}) {
    const auto& base = zone100k();
    const auto oldSoa = soaRdata(1);
    const auto newSoa = soaRdata(2);
    std::vector<dnswire::Name> owners;
    owners.reserve(removed.size() + added.size());
    xfr::ZoneDiff diff;
    diff.fromSerial = 1;
    diff.toSerial = 2;
    diff.removed.add({apex(), dnswire::rrtype::SOA, dnswire::rrclass::IN, 3600, oldSoa});
    for (const Record& record : removed) {
        owners.push_back(*dnswire::Name::fromText(record.owner));
        diff.removed.add({owners.back(), dnswire::rrtype::A, dnswire::rrclass::IN, 3600, record.a});
    }
    diff.added.add({apex(), dnswire::rrtype::SOA, dnswire::rrclass::IN, 3600, newSoa});
    for (const Record& record : added) {
        owners.push_back(*dnswire::Name::fromText(record.owner));
        diff.added.add({owners.back(), dnswire::rrtype::A, dnswire::rrclass::IN, 3600, record.a});
    }
    const std::array<const xfr::ZoneDiff*, 1> diffs = {&diff};
    // The range-for over the state is Google Benchmark's loop; its variable is unused by design.
    for (auto _ : state) {  // NOLINT(clang-analyzer-deadcode.DeadStores)
        auto next = xfr::applyDiffs(*base, diffs, limits);
        if (!next) std::abort();
        benchmark::DoNotOptimize(next->get());
    }
    state.counters["records"] = static_cast<double>(base->recordCount());
}

void BM_IxfrChangeRecord100k(benchmark::State& state) {
    runIxfr(state, {{"host50000.example.com.", address(50000)}},
            {{"host50000.example.com.", {192, 0, 2, 1}}});
}
BENCHMARK(BM_IxfrChangeRecord100k)->Unit(benchmark::kMillisecond);

void BM_IxfrAddName100k(benchmark::State& state) {
    runIxfr(state, {}, {{"newhost.example.com.", {192, 0, 2, 1}}});
}
BENCHMARK(BM_IxfrAddName100k)->Unit(benchmark::kMillisecond);

void BM_IxfrRemoveName100k(benchmark::State& state) {
    runIxfr(state, {{"host50000.example.com.", address(50000)}}, {});
}
BENCHMARK(BM_IxfrRemoveName100k)->Unit(benchmark::kMillisecond);

// As authd does with `max-bytes` set for the zone: applyDiffs then sizes the whole base.
void BM_IxfrAddName100kMaxBytes(benchmark::State& state) {
    runIxfr(state, {}, {{"newhost.example.com.", {192, 0, 2, 1}}},
            xfr::SizeLimits{0, std::size_t{1} << 30});
}
BENCHMARK(BM_IxfrAddName100kMaxBytes)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
