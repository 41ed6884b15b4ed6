// /contracts/{contract}/events* (a contract's own log) and /events* (the platform's log).
#include <string>
#include <utility>
#include <vector>

#include "controld/api/api.hpp"
#include "controld/audit/event_log.hpp"
#include "controld/authz/authz.hpp"
#include "controld/authz/contract_scope.hpp"

namespace dnsfleet::controld::api {

namespace {

using authz::Permission;

constexpr std::size_t kMaxActionFilter = 100;
// The export reads the log in pages of this many entries, so that memory per query stays
// bounded however long the log is.
constexpr std::int64_t kExportPage = 1000;

bool validAction(std::string_view action) {
    if (action.empty() || action.size() > kMaxActionFilter) return false;
    for (const char c : action) {
        const bool ok =
            (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
        if (!ok) return false;
    }
    return true;
}

/// from, to (RFC 3339, inclusive), action (a dotted prefix) and result.
Outcome<audit::Filter> parseFilter(const http::Request& request) {
    audit::Filter filter;
    std::vector<FieldError> errors;
    auto time = [&](const char* name, std::optional<Timestamp>& out) {
        if (const auto text = request.queryParam(name)) {
            out = parseTimestamp(*text);
            if (!out)
                errors.push_back({name, "must be an RFC 3339 time, e.g. 2026-05-01T00:00:00Z"});
        }
    };
    time("from", filter.from);
    time("to", filter.to);
    if (filter.from && filter.to && *filter.from > *filter.to) {
        errors.push_back({"to", "must not be before from"});
    }
    if (const auto action = request.queryParam("action")) {
        if (!validAction(*action)) {
            errors.push_back({"action",
                              "must be an action or its dotted prefix, e.g. zone or "
                              "zone.apply"});
        } else {
            filter.actionPrefix = *action;
        }
    }
    if (const auto result = request.queryParam("result")) {
        if (*result != "ok" && *result != "denied" && *result != "failed") {
            errors.push_back({"result", "must be ok, denied or failed"});
        } else {
            filter.result = *result;
        }
    }
    if (!errors.empty()) return fail(invalid("malformed event filter", std::move(errors)));
    return filter;
}

Outcome<http::Response> listEvents(storage::Database& db, const http::Request& request,
                                   Id contractId) {
    Outcome<audit::Filter> filter = parseFilter(request);
    if (!filter) return fail(std::move(filter).error());
    Outcome<http::PageRequest> page = http::pageRequest(request);
    if (!page) return fail(std::move(page).error());
    filter->offset = page->offset();
    filter->limit = page->perPage;
    const audit::Page found = db.run(storage::Mode::Read, [&](storage::Transaction& tx) {
        return audit::list(tx, contractId, *filter);
    });
    nlohmann::json items = nlohmann::json::array();
    for (const audit::Entry& entry : found.entries)
        items.push_back(audit::toJson(entry));
    return http::json(200, http::pageBody(std::move(items), found.total, *page));
}

// NDJSON in chain order (oldest first): one entry per line, each with its hash, so that an
// unfiltered export together with the anchor from /verify can be checked outside the platform.
Outcome<http::Response> exportEvents(storage::Database& db, const http::Request& request,
                                     Id contractId, const std::string& fileStem) {
    Outcome<audit::Filter> filter = parseFilter(request);
    if (!filter) return fail(std::move(filter).error());
    filter->oldestFirst = true;
    filter->withTotal = false;
    filter->limit = kExportPage;
    http::Response response;
    response.status = 200;
    response.contentType = "application/x-ndjson";
    response.setHeader("Content-Disposition",
                       "attachment; filename=\"events-" + fileStem + ".ndjson\"");
    // One read transaction: the pages form one consistent snapshot of the log.
    db.run(storage::Mode::Read, [&](storage::Transaction& tx) {
        for (;;) {
            const audit::Page page = audit::list(tx, contractId, *filter);
            for (const audit::Entry& entry : page.entries) {
                response.body += audit::toJson(entry).dump(
                    -1, ' ', false, nlohmann::json::error_handler_t::replace);
                response.body += '\n';
            }
            if (static_cast<std::int64_t>(page.entries.size()) < kExportPage) break;
            filter->afterId = page.entries.back().id;
        }
    });
    return response;
}

Outcome<http::Response> verifyEvents(storage::Database& db, Id contractId) {
    const audit::Verification v = db.run(storage::Mode::Read, [&](storage::Transaction& tx) {
        return audit::verifyChain(tx, contractId);
    });
    nlohmann::json body{
        {"intact", v.intact},
        {"checked", v.checked},
        {"first_bad_entry", nullptr},
        {"anchor", v.anchor},
        {"removed_through_id", v.removedThroughId},
        {"head", v.head.empty() ? nlohmann::json(nullptr) : nlohmann::json(v.head)}};
    if (v.firstBadEntry) body["first_bad_entry"] = *v.firstBadEntry;
    return http::json(200, body);
}

}  // namespace

void addEventRoutes(http::Router& router, Services& services) {
    storage::Database& db = services.db;
    const std::string eventsRead(authz::permissionName(Permission::EventsRead));
    const std::string platformEvents(authz::permissionName(Permission::PlatformEvents));

    router.add({"GET", "/api/v1/contracts/{contract}/events", true, eventsRead},
               [&db](http::Request& request) -> Outcome<http::Response> {
                   Outcome<Id> contract = authz::resolveContract(
                       db, request.context, request.param("contract"), Permission::EventsRead);
                   if (!contract) return fail(std::move(contract).error());
                   return listEvents(db, request, *contract);
               });
    router.add({"GET", "/api/v1/contracts/{contract}/events/export", true, eventsRead},
               [&db](http::Request& request) -> Outcome<http::Response> {
                   Outcome<Id> contract = authz::resolveContract(
                       db, request.context, request.param("contract"), Permission::EventsRead);
                   if (!contract) return fail(std::move(contract).error());
                   return exportEvents(db, request, *contract, request.param("contract"));
               });
    router.add({"GET", "/api/v1/contracts/{contract}/events/verify", true, eventsRead},
               [&db](http::Request& request) -> Outcome<http::Response> {
                   Outcome<Id> contract = authz::resolveContract(
                       db, request.context, request.param("contract"), Permission::EventsRead);
                   if (!contract) return fail(std::move(contract).error());
                   return verifyEvents(db, *contract);
               });

    // The platform's own chain (contract id 0): staff logins, contracts, edges, grants, denials.
    router.add(
        {"GET", "/api/v1/events", true, platformEvents},
        [&db](http::Request& request) -> Outcome<http::Response> {
            DNSFLEET_TRY(authz::authorize(db, request.context, Permission::PlatformEvents, 0));
            return listEvents(db, request, 0);
        });
    router.add(
        {"GET", "/api/v1/events/export", true, platformEvents},
        [&db](http::Request& request) -> Outcome<http::Response> {
            DNSFLEET_TRY(authz::authorize(db, request.context, Permission::PlatformEvents, 0));
            return exportEvents(db, request, 0, "platform");
        });
    router.add(
        {"GET", "/api/v1/events/verify", true, platformEvents},
        [&db](http::Request& request) -> Outcome<http::Response> {
            DNSFLEET_TRY(authz::authorize(db, request.context, Permission::PlatformEvents, 0));
            return verifyEvents(db, 0);
        });
}

}  // namespace dnsfleet::controld::api
