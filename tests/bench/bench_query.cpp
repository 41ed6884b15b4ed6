// Micro-benchmark of the hot path: parse query, zone lookup, build answer — everything
// QueryProcessor::process does, without sockets. Uses a zone and query mix from
// /work/shared/bench/gen_zone.py:
//   gen_zone.py --names 100000 --out DIR ; DNSFLEET_BENCH_DIR=DIR bench_query
// DNSFLEET_BENCH_DO=1 sets the DO bit (for signed zones: DIR/bench.test.zone.signed is used).

#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "authd/query/processor.hpp"
#include "dnswire/name.hpp"
#include "dnswire/rrtype.hpp"
#include "zone/loader.hpp"
#include "zone/zoneset.hpp"

namespace {

using namespace dnsfleet;

struct Fixture {
    std::string error;
    zone::ZoneSet zones;
    std::vector<std::uint8_t> packets;                           // back to back
    std::vector<std::pair<std::uint32_t, std::uint16_t>> spans;  // offset, length
    double loadSeconds = 0;
    std::size_t zoneBytes = 0;
};

void appendQuery(std::vector<std::uint8_t>& out, const dnswire::Name& qname, std::uint16_t qtype,
                 bool dnssecOk) {
    const std::uint8_t header[12] = {0x12, 0x34, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1};
    out.insert(out.end(), header, header + 12);
    out.insert(out.end(), qname.wire().begin(), qname.wire().end());
    out.push_back(static_cast<std::uint8_t>(qtype >> 8));
    out.push_back(static_cast<std::uint8_t>(qtype));
    out.push_back(0);
    out.push_back(1);
    // OPT: root, type 41, size 1232, DO as asked.
    const std::uint8_t opt[11] = {
        0, 0, 41, 0x04, 0xd0, 0, 0, dnssecOk ? std::uint8_t{0x80} : std::uint8_t{0}, 0, 0, 0};
    out.insert(out.end(), opt, opt + 11);
}

Fixture& fixture() {
    static Fixture f = [] {
        Fixture fx;
        const char* dirEnv = std::getenv("DNSFLEET_BENCH_DIR");
        const std::string dir = dirEnv != nullptr ? dirEnv : "/tmp/dnsfleet-bench/z100k";
        const bool dnssec = std::getenv("DNSFLEET_BENCH_DO") != nullptr;
        const std::string zoneFile =
            dir + (dnssec ? "/bench.test.zone.signed" : "/bench.test.zone");
        auto origin = dnswire::Name::fromText("bench.test.");
        const auto start = std::chrono::steady_clock::now();
        auto loaded = zone::loadZoneFile(*origin, zoneFile);
        fx.loadSeconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        if (!loaded) {
            fx.error = "cannot load " + zoneFile + ": " + loaded.error().front() +
                       " (set DNSFLEET_BENCH_DIR to a gen_zone.py output directory)";
            return fx;
        }
        fx.zoneBytes = (*loaded)->memoryUsage();
        fx.zones = zone::ZoneSet({*loaded});
        std::ifstream queries(dir + "/queries.txt");
        std::string line;
        while (std::getline(queries, line)) {
            std::istringstream in(line);
            std::string qname;
            std::string qtype;
            if (!(in >> qname >> qtype)) continue;
            auto name = dnswire::Name::fromText(qname);
            auto type = dnswire::typeFromText(qtype);
            if (!name || !type) continue;
            const auto offset = static_cast<std::uint32_t>(fx.packets.size());
            appendQuery(fx.packets, *name, *type, dnssec);
            fx.spans.emplace_back(offset, static_cast<std::uint16_t>(fx.packets.size() - offset));
        }
        if (fx.spans.empty()) fx.error = "no queries in " + dir + "/queries.txt";
        return fx;
    }();
    return f;
}

void BM_Process(benchmark::State& state) {
    Fixture& fx = fixture();
    if (!fx.error.empty()) {
        state.SkipWithError(fx.error.c_str());
        return;
    }
    authd::QueryProcessor processor(authd::ProcessorOptions{});
    std::vector<std::uint8_t> response(65535);
    authd::QueryContext context;
    std::size_t i = 0;
    std::size_t bytes = 0;
    // The range-for over the state is Google Benchmark's loop; its variable is unused by design.
    for (auto _ : state) {  // NOLINT(clang-analyzer-deadcode.DeadStores)
        const auto& [offset, length] = fx.spans[i];
        bytes +=
            processor.process(fx.zones, {fx.packets.data() + offset, length}, response, context);
        if (++i == fx.spans.size()) i = 0;
    }
    benchmark::DoNotOptimize(bytes);
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
    state.counters["zone_load_s"] = fx.loadSeconds;
    state.counters["zone_MiB"] = static_cast<double>(fx.zoneBytes) / (1024.0 * 1024.0);
    state.counters["queries"] = static_cast<double>(fx.spans.size());
}
BENCHMARK(BM_Process);

}  // namespace

BENCHMARK_MAIN();
