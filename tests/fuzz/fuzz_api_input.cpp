// libFuzzer target for the API's RRset input: JSON bytes as a PUT .../draft/rrsets body
// (name, type, ttl, records[].data/comment, comment) → checkRrset. Besides "no crash, no leak,
// no hang", an accepted RRset must be a fixed point (checking its canonical form gives it back)
// and must survive export and import: renderZoneText then parseZoneText gives the same RRset.
// A disagreement would mean an exported zone cannot be imported again, or an RRset the API
// accepted is not what the edges load.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "controld/zones/records.hpp"

namespace {

using dnsfleet::controld::zones::RecordInput;
using dnsfleet::controld::zones::Rrset;
using dnsfleet::controld::zones::RrsetInput;

constexpr std::string_view kApex = "example.com.";
constexpr std::uint32_t kDefaultTtl = 3600;

// The well-typed subset of bodies, as the API's checks let them through; nullopt otherwise.
std::optional<RrsetInput> toInput(const nlohmann::json& body) {
    if (!body.is_object()) return std::nullopt;
    RrsetInput input;
    const auto name = body.find("name");
    const auto type = body.find("type");
    const auto records = body.find("records");
    if (name == body.end() || !name->is_string()) return std::nullopt;
    if (type == body.end() || !type->is_string()) return std::nullopt;
    if (records == body.end() || !records->is_array()) return std::nullopt;
    input.name = name->get_ref<const std::string&>();
    input.type = type->get_ref<const std::string&>();
    if (const auto ttl = body.find("ttl"); ttl != body.end() && !ttl->is_null()) {
        if (!ttl->is_number_unsigned()) return std::nullopt;
        const auto value = ttl->get<std::uint64_t>();
        if (value > std::numeric_limits<std::uint32_t>::max()) return std::nullopt;
        input.ttl = static_cast<std::uint32_t>(value);
    }
    if (const auto comment = body.find("comment"); comment != body.end()) {
        if (!comment->is_string()) return std::nullopt;
        input.comment = comment->get_ref<const std::string&>();
    }
    input.records.reserve(records->size());
    for (const auto& record : *records) {
        if (!record.is_object()) return std::nullopt;
        const auto data = record.find("data");
        if (data == record.end() || !data->is_string()) return std::nullopt;
        RecordInput r;
        r.data = data->get_ref<const std::string&>();
        if (const auto comment = record.find("comment"); comment != record.end()) {
            if (!comment->is_string()) return std::nullopt;
            r.comment = comment->get_ref<const std::string&>();
        }
        input.records.push_back(std::move(r));
    }
    return input;
}

[[noreturn]] void disagree(const char* what, const Rrset& rrset, const std::string& text) {
    std::fprintf(stderr, "%s: %s\n%s\n", what, rrset.key().c_str(), text.c_str());
    std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto* begin = reinterpret_cast<const char*>(data);
    const nlohmann::json body = nlohmann::json::parse(begin, begin + size, nullptr,
                                                      /*allow_exceptions=*/false);
    if (body.is_discarded()) return 0;
    const auto input = toInput(body);
    if (!input) return 0;
    auto checked = dnsfleet::controld::zones::checkRrset(kApex, *input, kDefaultTtl);
    if (!checked) return 0;
    const Rrset& rrset = *checked;

    // The canonical form is a fixed point of the check.
    RrsetInput again;
    again.name = rrset.name;
    again.type = rrset.type;
    again.ttl = rrset.ttl;
    again.comment = rrset.comment;
    again.records.reserve(rrset.records.size());
    for (const auto& r : rrset.records) {
        again.records.push_back({r.data, r.comment});
    }
    auto rechecked = dnsfleet::controld::zones::checkRrset(kApex, again, kDefaultTtl);
    if (!rechecked || !(*rechecked == rrset)) disagree("canonical form changes", rrset, "");

    // Export, then import.
    const std::string text = dnsfleet::controld::zones::renderZoneText(kApex, {rrset});
    auto parsed = dnsfleet::controld::zones::parseZoneText(kApex, text, kDefaultTtl);
    if (!parsed)
        disagree(("import refuses the export: " + parsed.error().detail).c_str(), rrset, text);
    if (parsed->size() != 1 || !((*parsed)[0] == rrset)) {
        disagree("import reads the export differently", rrset, text);
    }
    return 0;
}
