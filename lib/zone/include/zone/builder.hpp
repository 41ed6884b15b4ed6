#pragma once
/// \file
/// Builds an immutable Zone from records, and checks it on the way (RFC 1034 rules as Knot DNS
/// enforces them even with semantic checks off). The builder may start from an existing zone,
/// which is how an IXFR diff becomes a new version.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "dnswire/name.hpp"
#include "zone/record.hpp"
#include "zone/zone.hpp"

namespace dnsfleet::zone {

/// Collects records in big arenas (no object per record) and turns them into a Zone.
class ZoneBuilder {
  public:
    explicit ZoneBuilder(dnswire::NameView apex);
    /// Starts from every record of `previous` (for IXFR: apply the diff with remove()/add()).
    [[nodiscard]] static ZoneBuilder from(const Zone& previous);

    ZoneBuilder(ZoneBuilder&&) noexcept;
    ZoneBuilder& operator=(ZoneBuilder&&) noexcept;
    ZoneBuilder(const ZoneBuilder&) = delete;
    ZoneBuilder& operator=(const ZoneBuilder&) = delete;
    ~ZoneBuilder();

    /// Adds one record. Fails (with a message for `file:line`) for a class other than IN and for
    /// meta types; out-of-zone owners are accepted here and dropped with a warning by build().
    [[nodiscard]] Result<void, std::string> add(const RecordView& record);
    /// Removes one record (owner, type and RDATA must match; TTL is ignored). Adds and removals
    /// apply in call order when build() resolves them; removing a missing record does nothing.
    void remove(const RecordView& record);

    /// Checks the zone and builds the snapshot. Errors make the zone unusable; `warnings`
    /// (optional) receives what was dropped or repaired. The builder is left empty.
    [[nodiscard]] Result<std::shared_ptr<const Zone>, std::vector<std::string>> build(
        std::vector<std::string>* warnings = nullptr);

    [[nodiscard]] dnswire::NameView apex() const noexcept { return apex_; }
    [[nodiscard]] std::size_t recordCount() const noexcept;

  private:
    struct State;
    dnswire::Name apex_;
    std::unique_ptr<State> state_;
};

}  // namespace dnsfleet::zone
