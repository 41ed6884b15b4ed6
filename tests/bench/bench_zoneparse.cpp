// Zone-file parsing speed. BM_ParseSynthetic parses an in-memory zone shaped like the
// ../shared/bench zones (hosts with A/AAAA, some TXT, MX, CNAME, delegations); set
// DNSFLEET_BENCH_ZONE=/path/to/zone (and optionally DNSFLEET_BENCH_ORIGIN) to also time
// BM_ParseFile on a real file, e.g. the 1M-name zone of gen_zone.py.

#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdlib>
#include <string>

#include "zone/parser.hpp"

namespace {

using dnsfleet::Result;
using dnsfleet::zone::ParseOptions;
using dnsfleet::zone::RecordView;

std::string syntheticZone(std::size_t names) {
    std::string z =
        "$ORIGIN bench.test.\n$TTL 3600\n"
        "@ IN SOA ns1 hostmaster 2024010101 7200 3600 1209600 300\n"
        "@ NS ns1\n@ NS ns2\nns1 A 192.0.2.1\nns2 A 192.0.2.2\n";
    for (std::size_t i = 0; i < names; ++i) {
        const std::string owner = "host" + std::to_string(i) + ".bench.test.";
        const std::string octet = std::to_string(i % 250);
        z.append(owner).append(" 3600 IN A 10.1.").append(octet).append(".");
        z.append(std::to_string((i / 250) % 250)).append("\n");
        if (i % 2 == 0)
            z.append(owner).append(" 3600 IN AAAA 2001:db8:3c5f:fda9::").append(octet).append("\n");
        if (i % 20 == 0) z += owner + " 300 IN TXT \"id=" + std::to_string(i) + "\"\n";
        if (i % 25 == 0) z += owner + " 3600 IN MX 10 mx1.bench.test.\n";
        if (i % 12 == 0) z += "alias" + std::to_string(i) + " 3600 IN CNAME " + owner + "\n";
        if (i % 33 == 0) z += "del" + std::to_string(i) + " 3600 IN NS ns1.example.net.\n";
    }
    return z;
}

ParseOptions options(const char* origin) {
    ParseOptions o;
    o.origin = *dnsfleet::dnswire::Name::fromText(origin);
    o.allowInclude = false;
    return o;
}

void BM_ParseSynthetic(benchmark::State& state) {
    const std::string zone = syntheticZone(static_cast<std::size_t>(state.range(0)));
    const ParseOptions opts = options("bench.test.");
    std::size_t records = 0;
    // The range-for over the state is Google Benchmark's loop; its variable is unused by design.
    for (auto _ : state) {  // NOLINT(clang-analyzer-deadcode.DeadStores)
        records = 0;
        auto result =
            dnsfleet::zone::parseZoneText(zone, "bench.zone", opts, [&](const RecordView& r) {
                benchmark::DoNotOptimize(r.rdata.data());
                ++records;
                return Result<void, std::string>();
            });
        if (!result) state.SkipWithError(result.error()[0].toString().c_str());
    }
    state.counters["records"] = static_cast<double>(records);
    state.counters["records/s"] =
        benchmark::Counter(static_cast<double>(records) * static_cast<double>(state.iterations()),
                           benchmark::Counter::kIsRate);
    state.SetBytesProcessed(static_cast<std::int64_t>(zone.size()) * state.iterations());
}
BENCHMARK(BM_ParseSynthetic)->Arg(10000)->Arg(100000)->Unit(benchmark::kMillisecond);

void BM_ParseFile(benchmark::State& state) {
    const char* path = std::getenv("DNSFLEET_BENCH_ZONE");
    if (path == nullptr) {
        state.SkipWithError("DNSFLEET_BENCH_ZONE not set");
        return;
    }
    const char* origin = std::getenv("DNSFLEET_BENCH_ORIGIN");
    const ParseOptions opts = options(origin != nullptr ? origin : "bench.test.");
    std::size_t records = 0;
    // The range-for over the state is Google Benchmark's loop; its variable is unused by design.
    for (auto _ : state) {  // NOLINT(clang-analyzer-deadcode.DeadStores)
        records = 0;
        auto result = dnsfleet::zone::parseZoneFile(path, opts, [&](const RecordView& r) {
            benchmark::DoNotOptimize(r.rdata.data());
            ++records;
            return Result<void, std::string>();
        });
        if (!result) state.SkipWithError(result.error()[0].toString().c_str());
    }
    state.counters["records"] = static_cast<double>(records);
    state.counters["records/s"] =
        benchmark::Counter(static_cast<double>(records) * static_cast<double>(state.iterations()),
                           benchmark::Counter::kIsRate);
}
BENCHMARK(BM_ParseFile)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace

BENCHMARK_MAIN();
