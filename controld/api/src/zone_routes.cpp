#include "controld/api/api.hpp"

namespace dnsfleet::controld::api {

void addZoneRoutes(http::Router& /*router*/, Services& /*services*/) {}

}  // namespace dnsfleet::controld::api
