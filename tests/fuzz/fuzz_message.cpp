// Fuzzes message handling as the server meets it: parseQuery on the raw bytes, then every record
// through MessageParser and rdataFromWire, then the accepted records written again with
// MessageBuilder (compression included) and read back. What was read must come back equal:
// a compression bug shows up as a different name, a pointer forward, or a parse failure.

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <vector>

#include "dnswire/message.hpp"
#include "dnswire/rrtype.hpp"

using namespace dnsfleet::dnswire;

namespace {

[[noreturn]] void mismatch(const char* what, std::size_t index) {
    std::fprintf(stderr, "round trip mismatch: %s (record %zu)\n", what, index);
    std::abort();
}

struct Kept {
    Name owner;
    std::uint16_t type = 0;
    std::uint16_t rclass = 0;
    std::uint32_t ttl = 0;
    Section section = Section::Answer;
    std::vector<std::uint8_t> rdata;  ///< uncompressed, canonical (names lower-cased)
};

// Writes the records again and checks that they read back as they were read first.
void rebuild(const Query& query, std::span<const std::uint8_t> packet,
             const std::vector<Kept>& records) {
    static std::array<std::uint8_t, 65535> buffer;
    auto builder = MessageBuilder::respondTo(query, packet, buffer);
    if (!builder) return;
    std::size_t added = 0;
    for (const Kept& r : records) {
        if (!builder->addRecord(r.section, r.owner, r.type, r.rclass, r.ttl, r.rdata)) break;
        ++added;
    }
    // An OPT echo exercises padding and options on whatever size the message reached.
    const auto beforeOpt = builder->mark();
    EdnsResponse edns;
    edns.nsid = "fuzz";
    edns.padBlock = 468;
    edns.cookie = std::span<const std::uint8_t>(query.edns.clientCookie.data(),
                                                query.edns.cookie ? kClientCookieSize : 0);
    const bool opt = builder->addOpt(edns).has_value();
    // Aligned, or stopped by the limit (cut padding, or no room left for a padding option).
    if (opt && builder->size() % 468 != 0 && builder->limit() - builder->size() >= 4) {
        mismatch("padding", 0);
    }

    auto parser = MessageParser::open(builder->wire());
    if (!parser) mismatch("rebuilt message does not open", 0);
    if (query.questionEnd != 0 && !(parser->qname() == query.qname)) mismatch("question", 0);
    RecordRef ref;
    std::vector<std::uint8_t> rdata;
    for (std::size_t i = 0; i < added; ++i) {
        auto more = parser->next(ref);
        if (!more || !*more) mismatch("record missing", i);
        const Kept& r = records[i];
        if (!equalNames(ref.owner, r.owner)) mismatch("owner", i);
        if (ref.type != r.type || ref.rclass != r.rclass || ref.ttl != r.ttl ||
            ref.section != r.section) {
            mismatch("fixed fields", i);
        }
        rdata.clear();
        if (!rdataFromWire(ref.type, builder->wire(), ref.rdataOffset, ref.rdlength, rdata)) {
            mismatch("rdata does not parse", i);
        }
        canonicalizeRdata(ref.type, rdata);
        if (rdata != r.rdata) mismatch("rdata", i);
    }
    if (opt) {
        auto more = parser->next(ref);
        if (!more || !*more || ref.type != rrtype::OPT) mismatch("OPT", added);
    }
    if (!parser->complete()) mismatch("leftover", added);

    builder->rollback(beforeOpt);
    if (builder->count(Section::Additional) != beforeOpt.counts[3]) mismatch("rollback", 0);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::span<const std::uint8_t> packet(data, size);
    Query query;
    const bool isQuery = parseQueryInto(packet, query).has_value();
    if (isQuery && query.questionEnd == 0) std::abort();

    auto parser = MessageParser::open(packet);
    if (!parser) return 0;
    std::vector<Kept> records;
    RecordRef ref;
    while (true) {
        auto more = parser->next(ref);
        if (!more || !*more) break;
        Kept k;
        k.owner = ref.owner;
        k.type = ref.type;
        k.rclass = ref.rclass;
        k.ttl = ref.ttl;
        k.section = ref.section;
        if (!rdataFromWire(ref.type, packet, ref.rdataOffset, ref.rdlength, k.rdata)) continue;
        // What rdataFromWire accepts must be valid uncompressed RDATA.
        if (!validateRdata(ref.type, k.rdata)) std::abort();
        canonicalizeRdata(ref.type, k.rdata);
        records.push_back(std::move(k));
    }
    if (query.questionEnd == 0) {
        // No readable single question: answer with a header only, as for FORMERR.
        query = Query{};
        query.header = parser->header();
    }
    rebuild(query, packet, records);
    return 0;
}
