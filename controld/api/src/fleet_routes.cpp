// /edges (staff: the fleet's edge servers) and /contracts/{contract}/changes/{change} (the
// sync status of a change id).
#include <charconv>
#include <string>
#include <utility>

#include "controld/api/api.hpp"
#include "controld/authz/authz.hpp"
#include "controld/authz/contract_scope.hpp"
#include "controld/primary/edges.hpp"
#include "controld/primary/fleet.hpp"

namespace dnsfleet::controld::api {
namespace {

using authz::Permission;

nlohmann::json edgeJson(const primary::Edge& edge) {
    return {{"id", edge.id},
            {"name", edge.name},
            {"region", edge.region},
            {"address", edge.address},
            {"created_at", formatTimestamp(edge.createdAt)}};
}

nlohmann::json changeJson(const primary::ChangeStatus& change) {
    nlohmann::json edges = nlohmann::json::array();
    for (const auto& edge : change.edges) {
        nlohmann::json item{{"name", edge.name}, {"region", edge.region}, {"status", edge.status}};
        if (edge.serial) item["serial"] = *edge.serial;
        edges.push_back(std::move(item));
    }
    nlohmann::json regions = nlohmann::json::array();
    for (const auto& region : change.regions)
        regions.push_back({{"region", region.region}, {"status", region.status}});
    nlohmann::json body{{"id", change.id},
                        {"zone", change.zone},
                        {"serial", change.serial},
                        {"status", change.status},
                        {"submitted_at", formatTimestamp(change.submittedAt)},
                        {"edges", std::move(edges)},
                        {"regions", std::move(regions)}};
    if (change.insyncAt) body["insync_at"] = formatTimestamp(*change.insyncAt);
    return body;
}

/// {edge}: a positive integer; anything else names no edge.
std::optional<Id> edgeId(const std::string& text) {
    Id id = 0;
    const auto* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, id);
    if (text.empty() || ec != std::errc() || ptr != end || id <= 0) return std::nullopt;
    return id;
}

Outcome<std::string> stringMember(const nlohmann::json& body, const char* name) {
    const auto& value = body.at(name);
    if (!value.is_string())
        return fail(
            invalid("the edge is not valid", {{std::string("/") + name, "must be a string"}}));
    return value.get<std::string>();
}

}  // namespace

void addFleetRoutes(http::Router& router, Services& services) {
    storage::Database& db = services.db;
    Services* shared = &services;
    const std::string platformEdges(authz::permissionName(Permission::PlatformEdges));
    const std::string changesRead(authz::permissionName(Permission::ChangesRead));

    router.add({"GET", "/api/v1/edges", true, platformEdges},
               [&db](http::Request& request) -> Outcome<http::Response> {
                   auto edges = primary::listEdges(db, request.context);
                   if (!edges) return fail(std::move(edges).error());
                   nlohmann::json items = nlohmann::json::array();
                   for (const auto& edge : *edges)
                       items.push_back(edgeJson(edge));
                   const auto total = static_cast<std::int64_t>(items.size());
                   return http::json(200, {{"items", std::move(items)}, {"total", total}});
               });
    router.add(
        {"POST", "/api/v1/edges", true, platformEdges},
        [&db, shared](http::Request& request) -> Outcome<http::Response> {
            DNSFLEET_TRY(authz::authorize(db, request.context, Permission::PlatformEdges, 0));
            auto body = http::parseJsonBody(request);
            if (!body) return fail(std::move(body).error());
            DNSFLEET_TRY(http::checkMembers(*body, {"name", "region", "address"},
                                            {"name", "region", "address"}));
            auto name = stringMember(*body, "name");
            if (!name) return fail(std::move(name).error());
            auto region = stringMember(*body, "region");
            if (!region) return fail(std::move(region).error());
            auto address = stringMember(*body, "address");
            if (!address) return fail(std::move(address).error());
            auto edge = primary::addEdge(db, request.context, *name, *region, *address);
            if (!edge) return fail(std::move(edge).error());
            if (shared->fleet != nullptr) shared->fleet->edgesChanged();
            http::Response response = http::json(201, edgeJson(*edge));
            response.setHeader("Location", "/api/v1/edges/" + std::to_string(edge->id));
            return response;
        });
    router.add(
        {"GET", "/api/v1/edges/{edge}", true, platformEdges},
        [&db](http::Request& request) -> Outcome<http::Response> {
            DNSFLEET_TRY(authz::authorize(db, request.context, Permission::PlatformEdges, 0));
            const auto id = edgeId(request.param("edge"));
            if (!id) return fail(notFound("no such edge"));
            auto edge = primary::getEdge(db, request.context, *id);
            if (!edge) return fail(std::move(edge).error());
            return http::json(200, edgeJson(*edge));
        });
    router.add(
        {"DELETE", "/api/v1/edges/{edge}", true, platformEdges},
        [&db, shared](http::Request& request) -> Outcome<http::Response> {
            DNSFLEET_TRY(authz::authorize(db, request.context, Permission::PlatformEdges, 0));
            const auto id = edgeId(request.param("edge"));
            if (!id) return fail(notFound("no such edge"));
            DNSFLEET_TRY(primary::removeEdge(db, request.context, *id));
            if (shared->fleet != nullptr) shared->fleet->edgesChanged();
            return http::noContent();
        });
    router.add({"GET", "/api/v1/contracts/{contract}/changes/{change}", true, changesRead},
               [&db](http::Request& request) -> Outcome<http::Response> {
                   Outcome<Id> contract = authz::resolveContract(
                       db, request.context, request.param("contract"), Permission::ChangesRead);
                   if (!contract) return fail(std::move(contract).error());
                   auto change = primary::changeStatus(db, request.context, *contract,
                                                       request.param("change"));
                   if (!change) return fail(std::move(change).error());
                   return http::json(200, changeJson(*change));
               });
}

}  // namespace dnsfleet::controld::api
