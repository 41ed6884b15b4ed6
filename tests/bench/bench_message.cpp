// Micro-benchmark of the wire library's share of every answer: parse a query with EDNS, then
// build a response with compression — the question, two answer records, and the OPT record.
// Target: well under 1 µs for the whole (bench_query measures the full pipeline).

#include <benchmark/benchmark.h>

#include <array>
#include <cstdint>
#include <vector>

#include "dnswire/message.hpp"
#include "dnswire/rrtype.hpp"

namespace {

using namespace dnsfleet::dnswire;

std::vector<std::uint8_t> queryWire(std::string_view qname, std::uint16_t qtype) {
    std::vector<std::uint8_t> out = {0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 1};
    const Name name = *Name::fromText(qname);
    out.insert(out.end(), name.wire().begin(), name.wire().end());
    out.insert(out.end(),
               {static_cast<std::uint8_t>(qtype >> 8), static_cast<std::uint8_t>(qtype), 0, 1});
    // OPT: payload 1232, DO, and a client cookie, like a validating resolver sends.
    out.insert(out.end(), {0, 0, 41, 0x04, 0xD0, 0, 0, 0x80, 0, 0, 12, 0, 10, 0, 8});
    out.insert(out.end(), {1, 2, 3, 4, 5, 6, 7, 8});
    return out;
}

std::vector<std::uint8_t> rdata(std::uint16_t type, std::string_view text) {
    std::vector<std::uint8_t> out;
    if (!rdataFromString(type, text, NameView(), out)) std::abort();
    return out;
}

void BM_ParseQuery(benchmark::State& state) {
    const auto wire = queryWire("www.Example.com.", rrtype::A);
    // The range-for over the state is Google Benchmark's loop; its variable is unused by design.
    for (auto _ : state) {  // NOLINT(clang-analyzer-deadcode.DeadStores)
        auto q = parseQuery(wire);
        benchmark::DoNotOptimize(q);
    }
}
BENCHMARK(BM_ParseQuery);

// Two A records at the question's name: owner compression against the question only.
void BM_ParseAndBuildTwoA(benchmark::State& state) {
    const auto wire = queryWire("www.Example.com.", rrtype::A);
    const Name owner = *Name::fromText("www.example.com.");
    const auto a1 = rdata(rrtype::A, "192.0.2.1");
    const auto a2 = rdata(rrtype::A, "192.0.2.2");
    std::array<std::uint8_t, 1232> buffer{};
    // The range-for over the state is Google Benchmark's loop; its variable is unused by design.
    for (auto _ : state) {  // NOLINT(clang-analyzer-deadcode.DeadStores)
        auto q = parseQuery(wire);
        auto b = MessageBuilder::respondTo(*q, wire, buffer);
        b->setLimit(q->edns.udpSize);
        b->reserve(kOptFixedSize);
        b->setFlag(flag::AA);
        (void)b->addRecord(Section::Answer, owner, rrtype::A, rrclass::IN, 3600, a1);
        (void)b->addRecord(Section::Answer, owner, rrtype::A, rrclass::IN, 3600, a2);
        b->unreserve(kOptFixedSize);
        EdnsResponse edns;
        edns.dnssecOk = q->edns.dnssecOk;
        (void)b->addOpt(edns);
        benchmark::DoNotOptimize(b->wire().data());
    }
}
BENCHMARK(BM_ParseAndBuildTwoA);

// An MX answer with its glue: RDATA names compressed, additional owners pointing into RDATA.
void BM_ParseAndBuildMxWithGlue(benchmark::State& state) {
    const auto wire = queryWire("example.com.", rrtype::MX);
    const Name apex = *Name::fromText("example.com.");
    const Name mail1 = *Name::fromText("mail1.example.com.");
    const Name mail2 = *Name::fromText("mail2.example.com.");
    const auto mx1 = rdata(rrtype::MX, "10 mail1.example.com.");
    const auto mx2 = rdata(rrtype::MX, "20 mail2.example.com.");
    const auto a1 = rdata(rrtype::A, "192.0.2.1");
    const auto a2 = rdata(rrtype::AAAA, "2001:db8::2");
    std::array<std::uint8_t, 1232> buffer{};
    // The range-for over the state is Google Benchmark's loop; its variable is unused by design.
    for (auto _ : state) {  // NOLINT(clang-analyzer-deadcode.DeadStores)
        auto q = parseQuery(wire);
        auto b = MessageBuilder::respondTo(*q, wire, buffer);
        b->setLimit(q->edns.udpSize);
        (void)b->addRecord(Section::Answer, apex, rrtype::MX, rrclass::IN, 3600, mx1);
        (void)b->addRecord(Section::Answer, apex, rrtype::MX, rrclass::IN, 3600, mx2);
        (void)b->addRecord(Section::Additional, mail1, rrtype::A, rrclass::IN, 3600, a1);
        (void)b->addRecord(Section::Additional, mail2, rrtype::AAAA, rrclass::IN, 3600, a2);
        (void)b->addOpt(EdnsResponse{});
        benchmark::DoNotOptimize(b->wire().data());
    }
}
BENCHMARK(BM_ParseAndBuildMxWithGlue);

}  // namespace

BENCHMARK_MAIN();
