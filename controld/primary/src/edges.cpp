// The fleet's service layer: edges (staff) and change status (contract users).
#include "controld/primary/edges.hpp"

#include <charconv>
#include <map>

#include "controld/audit/event_log.hpp"
#include "controld/authz/authz.hpp"
#include "sockets.hpp"
#include "sync_rules.hpp"

namespace dnsfleet::controld::primary {
namespace {

using authz::Permission;

bool validLabel(std::string_view text) {
    if (text.empty() || text.size() > 63) return false;
    for (const char c : text) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
        if (!ok) return false;
    }
    return true;
}

Edge edgeFrom(const storage::Row& row) {
    return {row.integer(0), row.text(1), row.text(2), row.text(3), row.integer(4)};
}

constexpr std::string_view kEdgeColumns = "SELECT id, name, region, address, created_at FROM edges";

}  // namespace

Outcome<std::vector<Edge>> listEdges(storage::Database& db, const RequestContext& context) {
    if (auto ok = authz::authorize(db, context, Permission::PlatformEdges, 0); !ok)
        return fail(ok.error());
    return db.run(storage::Mode::Read, [&](storage::Transaction& tx) {
        std::vector<Edge> edges;
        const auto rows = tx.query(std::string(kEdgeColumns) + " ORDER BY name");
        edges.reserve(rows.size());
        for (const auto& row : rows)
            edges.push_back(edgeFrom(row));
        return edges;
    });
}

Outcome<Edge> getEdge(storage::Database& db, const RequestContext& context, Id id) {
    if (auto ok = authz::authorize(db, context, Permission::PlatformEdges, 0); !ok)
        return fail(ok.error());
    auto row = db.run(storage::Mode::Read, [&](storage::Transaction& tx) {
        return tx.queryOne(std::string(kEdgeColumns) + " WHERE id = $1", {id});
    });
    if (!row) return fail(notFound("no such edge"));
    return edgeFrom(*row);
}

Outcome<Edge> addEdge(storage::Database& db, const RequestContext& context, std::string_view name,
                      std::string_view region, std::string_view address) {
    if (auto ok = authz::authorize(db, context, Permission::PlatformEdges, 0); !ok)
        return fail(ok.error());
    std::vector<FieldError> errors;
    if (!validLabel(name)) errors.push_back({"/name", "1 to 63 letters, digits, '-', '_' or '.'"});
    if (!validLabel(region))
        errors.push_back({"/region", "1 to 63 letters, digits, '-', '_' or '.'"});
    if (!parseSocketAddress(address))
        errors.push_back(
            {"/address", "a numeric address and port: 192.0.2.1:53 or [2001:db8::1]:53"});
    if (!errors.empty()) return fail(invalid("the edge is not valid", std::move(errors)));
    try {
        return db.run(storage::Mode::Write, [&](storage::Transaction& tx) {
            const auto row = tx.queryOne(
                "INSERT INTO edges (name, region, address, created_at) VALUES ($1, $2, $3, $4) "
                "RETURNING id, name, region, address, created_at",
                {std::string(name), std::string(region), std::string(address), context.now});
            Edge edge = edgeFrom(*row);
            audit::append(tx, context,
                          {0,
                           "edge.register",
                           "edge:" + edge.name,
                           "ok",
                           {{"id", edge.id}, {"region", edge.region}, {"address", edge.address}}});
            return edge;
        });
    } catch (const storage::DatabaseError& e) {
        if (e.kind() == storage::ErrorKind::UniqueViolation)
            return fail(conflict("an edge of this name exists"));
        throw;
    }
}

Outcome<void> removeEdge(storage::Database& db, const RequestContext& context, Id id) {
    if (auto ok = authz::authorize(db, context, Permission::PlatformEdges, 0); !ok)
        return fail(ok.error());
    const bool removed = db.run(storage::Mode::Write, [&](storage::Transaction& tx) {
        const auto row = tx.queryOne("SELECT name FROM edges WHERE id = $1", {id});
        if (!row) return false;
        tx.execute("DELETE FROM edge_sync WHERE edge_id = $1", {id});
        tx.execute("DELETE FROM edges WHERE id = $1", {id});
        audit::append(tx, context, {0, "edge.remove", "edge:" + row->text(0), "ok", {{"id", id}}});
        return true;
    });
    if (!removed) return fail(notFound("no such edge"));
    return {};
}

std::optional<Id> parseChangeId(std::string_view text) noexcept {
    if (!text.empty() && (text.front() == 'C' || text.front() == 'c')) text.remove_prefix(1);
    Id id = 0;
    const auto* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, id);
    if (text.empty() || ec != std::errc() || ptr != end || id <= 0) return std::nullopt;
    return id;
}

Outcome<ChangeStatus> changeStatus(storage::Database& db, const RequestContext& context,
                                   Id contractId, std::string_view changeId) {
    if (auto ok = authz::authorize(db, context, Permission::ChangesRead, contractId); !ok)
        return fail(ok.error());
    const auto id = parseChangeId(changeId);
    if (!id) return fail(notFound("no such change"));
    std::optional<ChangeStatus> status;
    db.run(storage::Mode::Read, [&](storage::Transaction& tx) {
        status.reset();
        const auto change = tx.queryOne(
            "SELECT id, zone_id, zone_name, serial, created_at, insync_at FROM changes "
            "WHERE id = $1 AND contract_id = $2",
            {*id, contractId});
        if (!change) return;
        ChangeStatus out;
        out.id = "C" + std::to_string(change->integer(0));
        const Id zoneId = change->integer(1);
        out.zone = change->text(2);
        out.serial = static_cast<std::uint32_t>(change->integer(3));
        out.submittedAt = change->integer(4);
        out.insyncAt = change->optionalInteger(5);
        out.status = out.insyncAt ? "INSYNC" : "PENDING";
        const bool live =
            tx.queryOne("SELECT id FROM zones WHERE id = $1 AND deleted_at IS NULL", {zoneId})
                .has_value();
        const auto rows = tx.query(
            "SELECT e.name, e.region, s.serial, s.served, s.reachable FROM edges e "
            "LEFT JOIN edge_sync s ON s.edge_id = e.id AND s.zone_id = $1 ORDER BY e.region, "
            "e.name",
            {zoneId});
        std::map<std::string, bool> regions;
        out.edges.reserve(rows.size());
        for (const auto& row : rows) {
            EdgeChangeStatus edge;
            edge.name = row.text(0);
            edge.region = row.text(1);
            EdgeObservation seen;
            if (!row.isNull(4)) {
                seen.reachable = row.integer(4) != 0;
                seen.served = row.integer(3) != 0;
                if (auto serial = row.optionalInteger(2))
                    seen.serial = static_cast<std::uint32_t>(*serial);
                if (seen.served) edge.serial = seen.serial;
            }
            if (edgeInSync(seen, out.serial, live)) {
                edge.status = "INSYNC";
            } else if (!row.isNull(4) && !seen.reachable) {
                edge.status = "UNREACHABLE";
            } else {
                edge.status = "PENDING";
            }
            auto [it, inserted] = regions.emplace(edge.region, true);
            it->second = it->second && edge.status == "INSYNC";
            out.edges.push_back(std::move(edge));
        }
        out.regions.reserve(regions.size());
        for (const auto& [region, insync] : regions)
            out.regions.push_back({region, insync ? "INSYNC" : "PENDING"});
        status = std::move(out);
    });
    if (!status) return fail(notFound("no such change"));
    // A zone-limited API token passed the check above without a zone; the change names one,
    // and another zone's change would show that zone's name and serial.
    if (context.actor.tokenId && !context.actor.tokenZones.empty()) {
        if (auto ok =
                authz::authorize(db, context, Permission::ChangesRead, contractId, status->zone);
            !ok) {
            return fail(ok.error());
        }
    }
    return std::move(*status);
}

}  // namespace dnsfleet::controld::primary
