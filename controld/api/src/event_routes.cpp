#include "controld/api/api.hpp"

namespace dnsfleet::controld::api {

void addEventRoutes(http::Router& /*router*/, Services& /*services*/) {}

}  // namespace dnsfleet::controld::api
