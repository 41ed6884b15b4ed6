#include "controld/api/api.hpp"

namespace dnsfleet::controld::api {

void addHealthRoutes(http::Router& router, Services& /*services*/) {
    // Liveness only: a load balancer must not take the API out because the database is slow.
    router.add({"GET", "/api/v1/health", false, ""}, [](http::Request&) -> Outcome<http::Response> {
        return http::json(200, {{"status", "ok"}});
    });
}

http::Router buildRouter(Services& services) {
    http::Router router;
    addHealthRoutes(router, services);
    addAccountRoutes(router, services);
    addZoneRoutes(router, services);
    addEventRoutes(router, services);
    addFleetRoutes(router, services);
    return router;
}

}  // namespace dnsfleet::controld::api
