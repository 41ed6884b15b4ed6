#pragma once
/// \file
/// The REST API under /api/v1: one function per area adds its routes to the router. Handlers
/// parse and check the request, call the service layer (which authorizes and writes the event
/// log), and render JSON; they hold no domain logic. controld/api/openapi.yaml describes every
/// route, and a test checks the router against it.
#include "controld/config/settings.hpp"
#include "controld/http/router.hpp"
#include "storage/database.hpp"

namespace dnsfleet::controld {
namespace accounts {
class Mailer;
class SecretBox;
}  // namespace accounts
namespace primary {
class Fleet;
}  // namespace primary
}  // namespace dnsfleet::controld

namespace dnsfleet::controld::api {

/// What the handlers work with. Pointers may be null in unit tests of an area that does not
/// need them.
struct Services {
    storage::Database& db;
    const config::Settings& settings;
    accounts::Mailer* mailer = nullptr;
    accounts::SecretBox* secrets = nullptr;
    primary::Fleet* fleet = nullptr;
};

/// /auth/*, /tokens, /contracts, /contracts/{contract}/users, /contracts/{contract}/grants
void addAccountRoutes(http::Router& router, Services& services);
/// /contracts/{contract}/zones/** (zones, rrsets, drafts, versions, import/export)
void addZoneRoutes(http::Router& router, Services& services);
/// /contracts/{contract}/events, /events (platform)
void addEventRoutes(http::Router& router, Services& services);
/// /edges, /contracts/{contract}/changes/{change}
void addFleetRoutes(http::Router& router, Services& services);
/// /health (unauthenticated)
void addHealthRoutes(http::Router& router, Services& services);

/// Every area's routes.
[[nodiscard]] http::Router buildRouter(Services& services);

}  // namespace dnsfleet::controld::api
