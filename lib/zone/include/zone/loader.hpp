#pragma once
/// \file
/// Zone file → checked, immutable Zone.

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "dnswire/name.hpp"
#include "zone/zone.hpp"

namespace dnsfleet::zone {

/// Parses and checks the zone file of `apex` at `path` and builds the zone.
/// Fails with every error found, each as `file:line: message` (or `zone NAME: message` for
/// checks that concern the whole zone, such as a missing SOA).
[[nodiscard]] Result<std::shared_ptr<const Zone>, std::vector<std::string>> loadZoneFile(
    dnswire::NameView apex, const std::filesystem::path& path);

/// As above; `warnings` receives what was dropped but does not stop the zone (out-of-zone
/// records, as `zone NAME: message`).
[[nodiscard]] Result<std::shared_ptr<const Zone>, std::vector<std::string>> loadZoneFile(
    dnswire::NameView apex, const std::filesystem::path& path, std::vector<std::string>* warnings);

}  // namespace dnsfleet::zone
