#pragma once
// What the route tests share: a migrated SQLite database with two contracts (own_ and
// other_), the services, a router with one area's routes, and requests dispatched as the
// gateway hands them over (after authentication: the caller's context is given).
#include <gtest/gtest.h>

#include <string>

#include "controld/api/api.hpp"
#include "controld/testing/fixtures.hpp"
#include "controld/testing/requests.hpp"

namespace dnsfleet::controld::api::testing {

class RoutesTest : public ::testing::Test {
  protected:
    using AddRoutes = void (*)(http::Router&, Services&);

    /// Adds one area's routes (addZoneRoutes, ...) and inserts the two contracts.
    void addRoutes(AddRoutes add, const std::string& ownCode, const std::string& otherCode) {
        add(router_, services_);
        own_ = controld::testing::insertContract(*db_, ownCode);
        other_ = controld::testing::insertContract(*db_, otherCode);
    }

    http::Response call(const std::string& method, const std::string& target,
                        const RequestContext& context, const std::string& body = "") {
        http::Request request = controld::testing::request(method, target, context, body);
        return router_.dispatch(request);
    }

    /// Dispatches a request built by the test (other content types, extra headers).
    http::Response send(http::Request request) { return router_.dispatch(request); }

    controld::testing::TestDatabase database_{"dnsfleet-routes"};
    storage::Database* db_ = &database_.db();
    config::Settings settings_;
    Services services_{*db_, settings_};
    http::Router router_;
    Id own_ = 0;
    Id other_ = 0;
};

}  // namespace dnsfleet::controld::api::testing
