#pragma once
/// \file
/// Catalog zones (RFC 9432, schema version 2): reading the member list out of a catalog zone a
/// primary sends us, and producing a catalog zone for the zones we serve as primary.
///
/// A catalog `catalog.example.` holds `version.catalog.example. TXT "2"` and, per member,
/// `<unique-id>.zones.catalog.example. PTR member.zone.` with optional properties below it:
/// `group.<id>.zones...` TXT (which configuration template to use) and `coo.<id>.zones...` PTR
/// (change of ownership to another catalog, §5.1).

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "dnswire/name.hpp"
#include "zone/zone.hpp"

namespace dnsfleet::xfr {

/// One member zone of a catalog.
struct CatalogMember {
    /// The member zone (lower-cased by readCatalog()).
    dnswire::Name zone;
    /// The unique-N label (a single label, RFC 9432 §4.2); changes when the member is reset.
    std::string id;
    /// The `group` property (§4.4.2): picks a configuration template; empty when absent.
    std::vector<std::string> groups;
    /// The `coo` property (§4.4.1): the catalog this member is moving to.
    std::optional<dnswire::Name> changeOwner;
};

struct Catalog {
    dnswire::Name apex;
    std::uint32_t serial = 0;
    std::vector<CatalogMember> members;
};

/// Reads a catalog zone. Fails (one line for the log, without the catalog's name, which the
/// caller adds) when the catalog is broken in the sense of RFC 9432, which a consumer must then
/// not process at all (§5.1): the `version` TXT RRset is missing, has more than one record or
/// is not "2" (§4.3.1); a member node holds more than one PTR, or two member nodes name the
/// same zone (§4.2); a `coo` RRset holds more than one PTR (§4.4.1). Unknown properties and
/// `ext` branches are ignored (§4.3, §4.5); properties of a node without a member PTR are
/// ignored with a line in `warnings`. Member and coo names come lower-cased.
[[nodiscard]] Result<Catalog, std::string> readCatalog(
    const zone::Zone& catalogZone, std::vector<std::string>* warnings = nullptr);

/// A stable unique-N label for `zone`: the same zone gets the same label every time, so a
/// regenerated catalog does not reset its members (§4.2 leaves the choice to the producer).
[[nodiscard]] std::string catalogMemberId(dnswire::NameView zone);

/// Builds a catalog zone (version 2) at `apex` listing `members` (their `id`s filled in with
/// catalogMemberId() where empty), with the SOA serial `serial` and the `invalid.` NS the RFC
/// suggests (§4.1).
[[nodiscard]] Result<std::shared_ptr<const zone::Zone>, std::string> buildCatalog(
    dnswire::NameView apex, std::uint32_t serial, std::span<const CatalogMember> members);

}  // namespace dnsfleet::xfr
