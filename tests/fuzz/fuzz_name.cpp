// Fuzzes name decompression: Name::fromWire at every offset of the input (so every byte gets to
// be a length octet, a pointer or a label), then the presentation round trip, which must give
// back the very same octets, and a compressed write and read through MessageBuilder.

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <span>
#include <string>

#include "dnswire/message.hpp"

using namespace dnsfleet::dnswire;

namespace {

[[noreturn]] void failed(const char* what, const std::string& text) {
    std::fprintf(stderr, "%s: %s\n", what, text.c_str());
    std::abort();
}

void checkName(const Name& name, const Name& previous) {
    if (name.size() > kMaxNameLength || name.size() == 0) failed("bad size", name.toText());
    if (!Name::fromUncompressed(name.wire())) failed("not a valid uncompressed name", "");
    const std::string text = name.toText();
    auto back = Name::fromText(text);
    if (!back) failed("text does not parse back", text);
    if (back->size() != name.size() ||
        std::memcmp(back->wire().data(), name.wire().data(), name.size()) != 0) {
        failed("text round trip changed the name", text);
    }

    // Written after another name, compressed against it and the question, read back equal.
    static std::array<std::uint8_t, 2048> buffer;
    Header header;
    auto builder = MessageBuilder::start(header, buffer);
    if (!builder) std::abort();
    if (!builder->addQuestion(previous, 1, 1)) failed("question", previous.toText());
    const std::array<std::uint8_t, 4> a = {192, 0, 2, 1};
    if (!builder->addRecord(Section::Answer, previous, 1, 1, 0, a) ||
        !builder->addRecord(Section::Answer, name, 1, 1, 0, a) ||
        !builder->addRecord(Section::Answer, name, 1, 1, 0, a)) {
        failed("builder refused", text);
    }
    auto parser = MessageParser::open(builder->wire());
    if (!parser) failed("built message does not open", text);
    RecordRef rr;
    const Name* expected[] = {&previous, &name, &name};
    for (const Name* e : expected) {
        auto more = parser->next(rr);
        if (!more || !*more || !equalNames(rr.owner, *e)) failed("compressed owner", text);
    }
    if (!parser->complete()) failed("leftover", text);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::span<const std::uint8_t> packet(data, size);
    Name previous;
    for (std::size_t offset = 0; offset < size; ++offset) {
        std::size_t pos = offset;
        auto name = Name::fromWire(packet, pos);
        if (!name) continue;
        if (pos <= offset || pos > size) std::abort();
        checkName(*name, previous);
        previous = *name;
    }
    return 0;
}
