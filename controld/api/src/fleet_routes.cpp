#include "controld/api/api.hpp"

namespace dnsfleet::controld::api {

void addFleetRoutes(http::Router& /*router*/, Services& /*services*/) {}

}  // namespace dnsfleet::controld::api
