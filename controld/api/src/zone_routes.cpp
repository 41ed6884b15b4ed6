// /contracts/{contract}/zones/**: zones, live RRsets, the caller's draft, apply, versions,
// restore, import and export. Handlers parse and render; the zone service decides.
#include <memory>
#include <string>
#include <utility>

#include "controld/api/api.hpp"
#include "controld/authz/authz.hpp"
#include "controld/authz/contract_scope.hpp"
#include "controld/primary/fleet.hpp"
#include "controld/zones/zone_json.hpp"
#include "controld/zones/zone_service.hpp"

namespace dnsfleet::controld::api {

namespace {

using authz::Permission;
using zones::ZoneService;

const std::string kZones = "/api/v1/contracts/{contract}/zones";
const std::string kZone = kZones + "/{zone}";

nlohmann::json zoneJson(const zones::Zone& zone, const std::string& contract) {
    return {{"name", zone.name},
            {"contract", contract},
            {"default_ttl", zone.defaultTtl},
            {"comment", zone.comment},
            {"labels", zone.labels},
            {"version", zone.version},
            {"serial", zone.serial},
            {"created_at", formatTimestamp(zone.createdAt)},
            {"updated_at", formatTimestamp(zone.updatedAt)}};
}

std::string etag(std::int64_t version) {
    return "\"" + std::to_string(version) + "\"";
}

/// The version an If-Match names: nullopt when absent; -1 when it names none ("*" matches the
/// live version, RFC 9110 §13.1.1, and is resolved by the caller).
std::optional<std::int64_t> ifMatch(const http::Request& request, std::int64_t live) {
    auto header = request.header("if-match");
    if (!header) return std::nullopt;
    std::string text = *header;
    if (text == "*") return live;
    if (text.rfind("W/", 0) == 0) text = text.substr(2);
    if (text.size() >= 2 && text.front() == '"' && text.back() == '"') {
        text = text.substr(1, text.size() - 2);
    }
    if (text.empty() || text.size() > 18 ||
        text.find_first_not_of("0123456789") != std::string::npos) {
        return -1;
    }
    return std::stoll(text);
}

nlohmann::json draftJson(const zones::Draft& draft) {
    nlohmann::json changes = nlohmann::json::array();
    for (const zones::StagedRrset& staged : draft.changes) {
        nlohmann::json item = {{"name", staged.rrset.name}, {"type", staged.rrset.type}};
        if (staged.action == zones::StagedRrset::Action::Delete) {
            item["action"] = "delete";
        } else {
            item = zones::rrsetToJson(staged.rrset);
            item["action"] = "put";
        }
        changes.push_back(std::move(item));
    }
    nlohmann::json out = {{"exists", draft.exists},
                          {"base_version", draft.exists ? nlohmann::json(draft.baseVersion)
                                                        : nlohmann::json(nullptr)},
                          {"live_version", draft.liveVersion},
                          {"changes", changes}};
    if (draft.exists) {
        out["created_at"] = formatTimestamp(draft.createdAt);
        out["updated_at"] = formatTimestamp(draft.updatedAt);
    }
    return out;
}

Outcome<http::Response> draftResponse(Outcome<zones::Draft> draft) {
    if (!draft) return fail(std::move(draft).error());
    return http::json(200, draftJson(*draft));
}

nlohmann::json versionJson(const zones::VersionSummary& v) {
    return {{"version", v.version},
            {"serial", v.serial},
            {"description", v.description},
            {"author", v.author},
            {"time", formatTimestamp(v.createdAt)},
            {"changes", v.changeCount}};
}

http::Response appliedResponse(const zones::Applied& applied, int status) {
    http::Response response =
        http::json(status, {{"version", applied.version},
                            {"serial", applied.serial},
                            {"change", {{"id", applied.changeId}, {"status", "PENDING"}}},
                            {"diff", zones::diffToJson(applied.diff)}});
    response.setHeader("ETag", etag(applied.version));
    return response;
}

Outcome<zones::RrsetInput> parseRrsetBody(const http::Request& request) {
    auto body = http::parseJsonBody(request);
    if (!body) return fail(std::move(body).error());
    DNSFLEET_TRY(http::checkMembers(*body, {"records"}, {"ttl", "records", "comment"}));
    zones::RrsetInput input;
    input.name = request.param("name");
    input.type = request.param("type");
    std::vector<FieldError> errors;
    if (body->contains("ttl")) {
        const auto& ttl = (*body)["ttl"];
        if (!ttl.is_number_unsigned() || ttl.get<std::uint64_t>() > 0xFFFFFFFFU) {
            errors.push_back({"/ttl", "must be an unsigned 32-bit integer"});
        } else {
            input.ttl = static_cast<std::uint32_t>(ttl.get<std::uint64_t>());
        }
    }
    if (body->contains("comment")) {
        if (!(*body)["comment"].is_string()) {
            errors.push_back({"/comment", "must be a string"});
        } else {
            input.comment = (*body)["comment"].get<std::string>();
        }
    }
    const auto& records = (*body)["records"];
    if (!records.is_array()) {
        errors.push_back({"/records", "must be an array"});
    } else {
        for (std::size_t i = 0; i < records.size(); ++i) {
            const std::string at = "/records/" + std::to_string(i);
            const auto& record = records[i];
            if (!record.is_object()) {
                errors.push_back({at, "must be an object"});
                continue;
            }
            for (const auto& [key, value] : record.items()) {
                if (key != "data" && key != "comment") {
                    errors.push_back({std::string(at).append("/").append(key), "unknown member"});
                } else if (!value.is_string()) {
                    errors.push_back({std::string(at).append("/").append(key), "must be a string"});
                }
            }
            if (!record.contains("data")) errors.push_back({at + "/data", "is required"});
            zones::RecordInput in;
            if (record.contains("data") && record["data"].is_string()) {
                in.data = record["data"].get<std::string>();
            }
            if (record.contains("comment") && record["comment"].is_string()) {
                in.comment = record["comment"].get<std::string>();
            }
            input.records.push_back(std::move(in));
        }
    }
    if (!errors.empty()) return fail(invalid("the RRset is not valid", std::move(errors)));
    return input;
}

/// comment, labels and default_ttl of a POST or PATCH body.
Outcome<void> parseMetadata(const nlohmann::json& body, std::optional<std::string>& comment,
                            std::optional<zones::Labels>& labels,
                            std::optional<std::uint32_t>& ttl) {
    std::vector<FieldError> errors;
    if (body.contains("comment")) {
        if (body["comment"].is_string()) {
            comment = body["comment"].get<std::string>();
        } else {
            errors.push_back({"/comment", "must be a string"});
        }
    }
    if (body.contains("default_ttl")) {
        const auto& value = body["default_ttl"];
        if (value.is_number_unsigned() && value.get<std::uint64_t>() <= 0xFFFFFFFFU) {
            ttl = static_cast<std::uint32_t>(value.get<std::uint64_t>());
        } else {
            errors.push_back({"/default_ttl", "must be an unsigned 32-bit integer"});
        }
    }
    if (body.contains("labels")) {
        const auto& value = body["labels"];
        if (!value.is_object()) {
            errors.push_back({"/labels", "must be an object of strings"});
        } else {
            zones::Labels parsed;
            for (const auto& [k, v] : value.items()) {
                if (v.is_string()) {
                    parsed[k] = v.get<std::string>();
                } else {
                    errors.push_back({"/labels/" + k, "must be a string"});
                }
            }
            labels = std::move(parsed);
        }
    }
    if (!errors.empty()) return fail(invalid("the zone is not valid", std::move(errors)));
    return {};
}

}  // namespace

void addZoneRoutes(http::Router& router, Services& services) {
    auto service = std::make_shared<ZoneService>(services.db, services.settings.nameServers);
    storage::Database* db = &services.db;
    primary::Fleet* const* fleet = &services.fleet;

    // Resolves {contract} (404 for unknown and foreign ones alike), then runs `body`.
    auto scoped = [db](Permission permission, auto body) {
        return [db, permission, body](http::Request& request) -> Outcome<http::Response> {
            std::optional<std::string> zone;
            if (request.params.count("zone") != 0) {
                auto canonical = zones::canonicalZoneName(request.param("zone"));
                if (!canonical) return fail(notFound("no such zone"));
                zone = std::move(*canonical);
            }
            auto contract = authz::resolveContract(*db, request.context, request.param("contract"),
                                                   permission, zone);
            if (!contract) return fail(std::move(contract).error());
            return body(request, *contract);
        };
    };
    auto versionsChanged = [fleet] {
        if (*fleet != nullptr) (*fleet)->versionsChanged();
    };

    router.add(
        {"GET", kZones, true, "ZoneRead"},
        scoped(Permission::ZoneRead,
               [service](http::Request& request, Id contract) -> Outcome<http::Response> {
                   auto page = http::pageRequest(request);
                   if (!page) return fail(std::move(page).error());
                   zones::ZoneQuery query;
                   query.offset = page->offset();
                   query.limit = page->perPage;
                   query.nameContains = request.queryParam("name");
                   std::vector<FieldError> errors;
                   for (auto [it, end] = request.query.equal_range("label"); it != end; ++it) {
                       const auto colon = it->second.find(':');
                       if (colon == std::string::npos) {
                           errors.push_back({"label", "must be key:value"});
                           continue;
                       }
                       query.labels.emplace_back(it->second.substr(0, colon),
                                                 it->second.substr(colon + 1));
                   }
                   if (!errors.empty()) return fail(invalid("bad filter", std::move(errors)));
                   auto found = service->list(request.context, contract, query);
                   if (!found) return fail(std::move(found).error());
                   nlohmann::json items = nlohmann::json::array();
                   for (const zones::Zone& z : found->items) {
                       items.push_back(zoneJson(z, request.param("contract")));
                   }
                   return http::json(200, http::pageBody(std::move(items), found->total, *page));
               }));

    router.add(
        {"POST", kZones, true, "ZoneManage"},
        scoped(
            Permission::ZoneManage,
            [service, versionsChanged](http::Request& request,
                                       Id contract) -> Outcome<http::Response> {
                auto body = http::parseJsonBody(request);
                if (!body) return fail(std::move(body).error());
                DNSFLEET_TRY(http::checkMembers(*body, {"name"},
                                                {"name", "default_ttl", "comment", "labels"}));
                if (!(*body)["name"].is_string()) {
                    return fail(invalid("the zone is not valid", {{"/name", "must be a string"}}));
                }
                zones::NewZone input;
                input.name = (*body)["name"].get<std::string>();
                std::optional<std::string> comment;
                std::optional<zones::Labels> labels;
                DNSFLEET_TRY(parseMetadata(*body, comment, labels, input.defaultTtl));
                input.comment = comment.value_or("");
                input.labels = labels.value_or(zones::Labels{});
                auto created = service->create(request.context, contract, input);
                if (!created) return fail(std::move(created).error());
                versionsChanged();
                nlohmann::json out = zoneJson(created->zone, request.param("contract"));
                out["change"] = {{"id", created->changeId}, {"status", "PENDING"}};
                http::Response response = http::json(201, out);
                response.setHeader("ETag", etag(created->zone.version));
                response.setHeader("Location", "/api/v1/contracts/" + request.param("contract") +
                                                   "/zones/" + created->zone.name);
                return response;
            }));

    router.add({"GET", kZone, true, "ZoneRead"},
               scoped(Permission::ZoneRead,
                      [service](http::Request& request, Id contract) -> Outcome<http::Response> {
                          auto zone =
                              service->get(request.context, contract, request.param("zone"));
                          if (!zone) return fail(std::move(zone).error());
                          http::Response response =
                              http::json(200, zoneJson(*zone, request.param("contract")));
                          response.setHeader("ETag", etag(zone->version));
                          return response;
                      }));

    router.add(
        {"PATCH", kZone, true, "ZoneEdit"},
        scoped(
            Permission::ZoneEdit,
            [service](http::Request& request, Id contract) -> Outcome<http::Response> {
                auto body = http::parseJsonBody(request);
                if (!body) return fail(std::move(body).error());
                DNSFLEET_TRY(http::checkMembers(*body, {}, {"default_ttl", "comment", "labels"}));
                zones::ZoneUpdate update;
                DNSFLEET_TRY(
                    parseMetadata(*body, update.comment, update.labels, update.defaultTtl));
                auto zone =
                    service->update(request.context, contract, request.param("zone"), update);
                if (!zone) return fail(std::move(zone).error());
                http::Response response =
                    http::json(200, zoneJson(*zone, request.param("contract")));
                response.setHeader("ETag", etag(zone->version));
                return response;
            }));

    router.add(
        {"DELETE", kZone, true, "ZoneManage"},
        scoped(Permission::ZoneManage,
               [service, versionsChanged](http::Request& request,
                                          Id contract) -> Outcome<http::Response> {
                   auto change = service->remove(request.context, contract, request.param("zone"));
                   if (!change) return fail(std::move(change).error());
                   versionsChanged();
                   return http::json(200, {{"change", {{"id", *change}, {"status", "PENDING"}}}});
               }));

    router.add({"GET", kZone + "/rrsets", true, "ZoneRead"},
               scoped(Permission::ZoneRead,
                      [service](http::Request& request, Id contract) -> Outcome<http::Response> {
                          zones::RrsetFilter filter;
                          filter.name = request.queryParam("name").value_or("");
                          filter.type = request.queryParam("type").value_or("");
                          auto live = service->rrsets(request.context, contract,
                                                      request.param("zone"), filter);
                          if (!live) return fail(std::move(live).error());
                          nlohmann::json items = nlohmann::json::array();
                          for (const zones::LiveRrset& r : live->rrsets) {
                              nlohmann::json item = zones::rrsetToJson(r.rrset);
                              item["changed_in_version"] = r.changedInVersion;
                              items.push_back(std::move(item));
                          }
                          http::Response response = http::json(200, {{"version", live->version},
                                                                     {"serial", live->serial},
                                                                     {"items", items},
                                                                     {"total", items.size()}});
                          response.setHeader("ETag", etag(live->version));
                          return response;
                      }));

    router.add({"GET", kZone + "/draft", true, "ZoneRead"},
               scoped(Permission::ZoneRead,
                      [service](http::Request& request, Id contract) -> Outcome<http::Response> {
                          return draftResponse(
                              service->draft(request.context, contract, request.param("zone")));
                      }));

    router.add({"PUT", kZone + "/draft/rrsets/{name}/{type}", true, "ZoneEdit"},
               scoped(Permission::ZoneEdit,
                      [service](http::Request& request, Id contract) -> Outcome<http::Response> {
                          auto input = parseRrsetBody(request);
                          if (!input) return fail(std::move(input).error());
                          return draftResponse(service->stageRrset(request.context, contract,
                                                                   request.param("zone"), *input));
                      }));

    router.add({"DELETE", kZone + "/draft/rrsets/{name}/{type}", true, "ZoneEdit"},
               scoped(Permission::ZoneEdit,
                      [service](http::Request& request, Id contract) -> Outcome<http::Response> {
                          return draftResponse(service->stageDeletion(
                              request.context, contract, request.param("zone"),
                              request.param("name"), request.param("type")));
                      }));

    router.add({"GET", kZone + "/draft/diff", true, "ZoneRead"},
               scoped(Permission::ZoneRead,
                      [service](http::Request& request, Id contract) -> Outcome<http::Response> {
                          auto diff =
                              service->draftDiff(request.context, contract, request.param("zone"));
                          if (!diff) return fail(std::move(diff).error());
                          return http::json(200, {{"changes", zones::diffToJson(*diff)}});
                      }));

    router.add({"DELETE", kZone + "/draft", true, "ZoneEdit"},
               scoped(Permission::ZoneEdit,
                      [service](http::Request& request, Id contract) -> Outcome<http::Response> {
                          auto done = service->discardDraft(request.context, contract,
                                                            request.param("zone"));
                          if (!done) return fail(std::move(done).error());
                          return http::noContent();
                      }));

    router.add(
        {"POST", kZone + "/draft/apply", true, "ZoneEdit"},
        scoped(Permission::ZoneEdit,
               [service, versionsChanged](http::Request& request,
                                          Id contract) -> Outcome<http::Response> {
                   auto body = http::parseJsonBody(request);
                   if (!body) return fail(std::move(body).error());
                   DNSFLEET_TRY(http::checkMembers(*body, {"description"}, {"description"}));
                   if (!(*body)["description"].is_string()) {
                       return fail(invalid("bad body", {{"/description", "must be a string"}}));
                   }
                   auto zone = service->get(request.context, contract, request.param("zone"));
                   if (!zone) return fail(std::move(zone).error());
                   auto applied = service->apply(request.context, contract, request.param("zone"),
                                                 (*body)["description"].get<std::string>(),
                                                 ifMatch(request, zone->version));
                   if (!applied) return fail(std::move(applied).error());
                   versionsChanged();
                   return appliedResponse(*applied, 200);
               }));

    router.add(
        {"GET", kZone + "/versions", true, "ZoneRead"},
        scoped(Permission::ZoneRead,
               [service](http::Request& request, Id contract) -> Outcome<http::Response> {
                   auto page = http::pageRequest(request);
                   if (!page) return fail(std::move(page).error());
                   auto found = service->versions(request.context, contract, request.param("zone"),
                                                  page->offset(), page->perPage);
                   if (!found) return fail(std::move(found).error());
                   nlohmann::json items = nlohmann::json::array();
                   for (const auto& v : found->items)
                       items.push_back(versionJson(v));
                   return http::json(200, http::pageBody(std::move(items), found->total, *page));
               }));

    auto versionNumber = [](const http::Request& request) -> Outcome<std::int64_t> {
        const std::string& text = request.param("version");
        if (text.empty() || text.size() > 18 ||
            text.find_first_not_of("0123456789") != std::string::npos) {
            return fail(notFound("no such version"));
        }
        return std::stoll(text);
    };

    router.add({"GET", kZone + "/versions/{version}", true, "ZoneRead"},
               scoped(Permission::ZoneRead,
                      [service, versionNumber](http::Request& request,
                                               Id contract) -> Outcome<http::Response> {
                          auto number = versionNumber(request);
                          if (!number) return fail(std::move(number).error());
                          auto v = service->version(request.context, contract,
                                                    request.param("zone"), *number);
                          if (!v) return fail(std::move(v).error());
                          nlohmann::json out = versionJson(v->summary);
                          out["diff"] = zones::diffToJson(v->diff);
                          out["text"] = v->zoneText;
                          return http::json(200, out);
                      }));

    router.add(
        {"POST", kZone + "/versions/{version}/restore", true, "ZoneEdit"},
        scoped(Permission::ZoneEdit,
               [service, versionNumber, versionsChanged](http::Request& request,
                                                         Id contract) -> Outcome<http::Response> {
                   auto number = versionNumber(request);
                   if (!number) return fail(std::move(number).error());
                   std::string description;
                   if (!request.body.empty()) {
                       auto body = http::parseJsonBody(request);
                       if (!body) return fail(std::move(body).error());
                       DNSFLEET_TRY(http::checkMembers(*body, {}, {"description"}));
                       if (body->contains("description")) {
                           if (!(*body)["description"].is_string()) {
                               return fail(
                                   invalid("bad body", {{"/description", "must be a string"}}));
                           }
                           description = (*body)["description"].get<std::string>();
                       }
                   }
                   auto zone = service->get(request.context, contract, request.param("zone"));
                   if (!zone) return fail(std::move(zone).error());
                   auto applied =
                       service->restore(request.context, contract, request.param("zone"), *number,
                                        description, ifMatch(request, zone->version));
                   if (!applied) return fail(std::move(applied).error());
                   versionsChanged();
                   return appliedResponse(*applied, 200);
               }));

    router.add({"POST", kZone + "/import", true, "ZoneEdit"},
               scoped(Permission::ZoneEdit,
                      [service](http::Request& request, Id contract) -> Outcome<http::Response> {
                          const auto type = request.header("content-type").value_or("");
                          if (type.rfind("text/dns", 0) != 0 && type.rfind("text/plain", 0) != 0) {
                              return fail(ServiceError{ErrorCode::UnsupportedMediaType,
                                                       "send the zone file as text/dns",
                                                       {},
                                                       {},
                                                       0});
                          }
                          auto result = service->importZoneText(
                              request.context, contract, request.param("zone"), request.body);
                          if (!result) return fail(std::move(result).error());
                          return http::json(
                              200, {{"staged", result->staged},
                                    {"deletions", result->deletions},
                                    {"unchanged", result->unchanged},
                                    {"ignored", result->ignored},
                                    {"note",
                                     "the SOA, the apex NS and DNSSEC records of the file are "
                                     "ignored: the platform generates them"},
                                    {"draft", draftJson(result->draft)}});
                      }));

    router.add({"GET", kZone + "/export", true, "ZoneRead"},
               scoped(Permission::ZoneRead,
                      [service](http::Request& request, Id contract) -> Outcome<http::Response> {
                          auto text = service->exportZoneText(request.context, contract,
                                                              request.param("zone"));
                          if (!text) return fail(std::move(text).error());
                          http::Response response;
                          response.status = 200;
                          response.contentType = "text/dns";
                          response.body = std::move(*text);
                          return response;
                      }));
}

}  // namespace dnsfleet::controld::api
