#pragma once
/// \file
/// The fleet's service layer for the API: edge servers (registered by staff) and the sync
/// status of change ids. Every operation checks the caller's rights; changes write the
/// platform's event log in the same transaction.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "controld/core/context.hpp"
#include "storage/database.hpp"

namespace dnsfleet::controld::primary {

/// One registered edge server.
struct Edge {
    Id id = 0;
    std::string name;
    std::string region;
    std::string address;  ///< host:port of its management listener (numeric)
    Timestamp createdAt = 0;
};

/// Staff only (PlatformEdges).
[[nodiscard]] Outcome<std::vector<Edge>> listEdges(storage::Database& db,
                                                   const RequestContext& context);
[[nodiscard]] Outcome<Edge> getEdge(storage::Database& db, const RequestContext& context, Id id);
/// Checks the name (1-63 of [A-Za-z0-9._-]), the region (same) and the address (numeric
/// host:port); a taken name is a Conflict. Audit: "edge.register" on the platform chain.
[[nodiscard]] Outcome<Edge> addEdge(storage::Database& db, const RequestContext& context,
                                    std::string_view name, std::string_view region,
                                    std::string_view address);
/// Audit: "edge.remove".
[[nodiscard]] Outcome<void> removeEdge(storage::Database& db, const RequestContext& context, Id id);

/// What one edge last answered for a change's zone.
struct EdgeChangeStatus {
    std::string name;
    std::string region;
    std::string status;                   ///< INSYNC, PENDING or UNREACHABLE
    std::optional<std::uint32_t> serial;  ///< the serial it answered, when it served the zone
};

struct RegionChangeStatus {
    std::string region;
    std::string status;  ///< INSYNC when every edge of the region is, else PENDING
};

/// A change id's sync status (Route 53's GetChange, with per-edge and per-region detail).
struct ChangeStatus {
    std::string id;  ///< "C" + digits
    std::string zone;
    std::uint32_t serial = 0;
    std::string status;  ///< PENDING or INSYNC
    Timestamp submittedAt = 0;
    std::optional<Timestamp> insyncAt;
    std::vector<EdgeChangeStatus> edges;
    std::vector<RegionChangeStatus> regions;
};

/// Parses "C123" or "123"; nullopt otherwise.
[[nodiscard]] std::optional<Id> parseChangeId(std::string_view text) noexcept;

/// ChangesRead on `contractId`; a change of another contract is NotFound.
[[nodiscard]] Outcome<ChangeStatus> changeStatus(storage::Database& db,
                                                 const RequestContext& context, Id contractId,
                                                 std::string_view changeId);

}  // namespace dnsfleet::controld::primary
