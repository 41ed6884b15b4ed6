#include <gtest/gtest.h>

#include <stdexcept>

#include "controld/api/api.hpp"

namespace dnsfleet::controld::api {
namespace {

// Health must answer without touching the database: this one fails every use.
class UnusableDatabase : public storage::Database {
  public:
    [[nodiscard]] storage::Backend backend() const noexcept override {
        return storage::Backend::Sqlite;
    }
    [[nodiscard]] storage::Transaction begin(storage::Mode /*mode*/) override {
        throw std::logic_error("health touched the database");
    }
    void backup(const std::string& /*destination*/) override {
        throw std::logic_error("health touched the database");
    }
};

TEST(Health, AnswersOkWithoutAuthentication) {
    UnusableDatabase db;
    const config::Settings settings;
    Services services{db, settings};
    http::Router router;
    addHealthRoutes(router, services);
    http::Request request;
    request.method = "GET";
    request.path = "/api/v1/health";
    const http::Response response = router.dispatch(request);
    EXPECT_EQ(response.status, 200);
    EXPECT_EQ(nlohmann::json::parse(response.body), nlohmann::json({{"status", "ok"}}));
    const http::RouteInfo* route = router.match(request);
    ASSERT_NE(route, nullptr);
    EXPECT_FALSE(route->authenticated);
}

}  // namespace
}  // namespace dnsfleet::controld::api
