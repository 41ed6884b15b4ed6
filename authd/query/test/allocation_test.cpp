// Invariant 2 of docs/ARCHITECTURE.md: the query path allocates nothing. This binary replaces
// the global operator new to count allocations made while QueryProcessor::process runs.

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <new>

#include "query_fixture.hpp"
#include "zone/loader.hpp"
#include "zone/zoneset.hpp"

namespace {
std::atomic<std::size_t> allocations{0};
}  // namespace

void* operator new(std::size_t size) {
    allocations.fetch_add(1, std::memory_order_relaxed);
    if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
    throw std::bad_alloc();
}
void operator delete(void* p) noexcept {
    std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
    std::free(p);
}

namespace dnsfleet::authd {
namespace {

using namespace testing;
namespace t = dnswire::rrtype;

TEST(Allocation, ProcessAllocatesNothingPerQuery) {
    const auto data = std::filesystem::path(__FILE__).parent_path() / "data";
    std::vector<std::shared_ptr<const zone::Zone>> list;
    for (const char* apex : {"nsec.test.", "nsec3.test.", "optout.test."}) {
        auto loaded = zone::loadZoneFile(name(apex), data / (std::string(apex) + "zone.signed"));
        ASSERT_TRUE(loaded);
        list.push_back(*loaded);
    }
    const zone::ZoneSet zones(list);
    std::vector<std::vector<std::uint8_t>> queries;
    for (const char* zoneName : {"nsec.test.", "nsec3.test.", "optout.test."}) {
        for (const char* label :
             {"www.", "nothere.", "b.c.", "x.wild.", "child.", "unsigned.", "x.d.", "alias.", ""}) {
            for (const std::uint16_t qtype : {t::A, t::MX, t::DS, t::ANY, t::RRSIG}) {
                QuerySpec spec;
                spec.qname = std::string(label) + zoneName;
                spec.qtype = qtype;
                spec.edns = true;
                spec.dnssecOk = true;
                spec.options = {0, 3, 0, 0};
                queries.push_back(makeQuery(spec));
            }
        }
    }
    {
        // The counter sees allocations at all (so a zero below means something).
        const std::size_t before = allocations.load();
        auto probe = std::make_unique<std::vector<int>>(10);
        EXPECT_GT(allocations.load(), before);
    }
    ProcessorOptions options;
    options.nsid = "edge";
    QueryProcessor processor(options);
    std::vector<std::uint8_t> buffer(65535);
    QueryContext context;
    context.transport = Transport::Tcp;
    for (const auto& query : queries) {
        const std::size_t before = allocations.load();
        const std::size_t n = processor.process(zones, query, buffer, context);
        EXPECT_EQ(allocations.load(), before) << "query " << &query - queries.data();
        EXPECT_GT(n, 0U);
    }
}

}  // namespace
}  // namespace dnsfleet::authd
