#include "zone/loader.hpp"

#include "zone/builder.hpp"
#include "zone/parser.hpp"

namespace dnsfleet::zone {

Result<std::shared_ptr<const Zone>, std::vector<std::string>> loadZoneFile(
    dnswire::NameView apex, const std::filesystem::path& path) {
    return loadZoneFile(apex, path, nullptr);
}

Result<std::shared_ptr<const Zone>, std::vector<std::string>> loadZoneFile(
    dnswire::NameView apex, const std::filesystem::path& path, std::vector<std::string>* warnings) {
    ZoneBuilder builder(apex);
    ParseOptions options;
    options.origin = dnswire::Name(apex);
    // The parser streams records straight into the builder's arenas: a million-record file
    // never exists as a list of objects.
    auto parsed = parseZoneFile(
        path, options, [&builder](const RecordView& record) { return builder.add(record); });
    if (!parsed) {
        std::vector<std::string> errors;
        errors.reserve(parsed.error().size());
        for (const auto& error : parsed.error())
            errors.push_back(error.toString());
        return fail(std::move(errors));
    }
    const std::string prefix = "zone " + apex.toText() + ": ";
    std::vector<std::string> buildWarnings;
    auto built = builder.build(&buildWarnings);
    if (warnings != nullptr) {
        for (auto& warning : buildWarnings)
            warnings->push_back(prefix + warning);
    }
    if (!built) {
        std::vector<std::string> errors;
        for (const auto& error : built.error())
            errors.push_back(prefix + error);
        return fail(std::move(errors));
    }
    return std::move(built).value();
}

}  // namespace dnsfleet::zone
