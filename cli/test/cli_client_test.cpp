#include <gtest/gtest.h>

#include "cli/client.hpp"
#include "cli/exit_codes.hpp"
#include "fake_api.hpp"

namespace dnsfleet::cli {
namespace {

using testing::FakeApi;
using testing::Reply;

TEST(ClientTest, RejectsEndpointsThatAreNotHttps) {
    EXPECT_FALSE(ApiClient::create({"http://localhost:8443", "", false, {}}));
    EXPECT_FALSE(ApiClient::create({"https://localhost:99999", "", false, {}}));
    EXPECT_FALSE(ApiClient::create({"https://localhost:8443/api", "", false, {}}));
    EXPECT_FALSE(ApiClient::create({"https://:8443", "", false, {}}));
    EXPECT_TRUE(ApiClient::create({"https://localhost:8443/", "", false, {}}));
    EXPECT_TRUE(ApiClient::create({"https://[::1]:8443", "", false, {}}));
}

TEST(ClientTest, EncodesComponents) {
    EXPECT_EQ(encodeComponent("www.example.com."), "www.example.com.");
    EXPECT_EQ(encodeComponent("*.a b/c"), "%2A.a%20b%2Fc");
    EXPECT_EQ(encodeComponent("2026-01-01T00:00:00Z"), "2026-01-01T00%3A00%3A00Z");
}

TEST(ClientTest, StatusClasses) {
    EXPECT_EQ(exitCodeForStatus(401), kExitAuth);
    EXPECT_EQ(exitCodeForStatus(428), kExitConflict);
    EXPECT_EQ(exitCodeForStatus(418), kExitValidation);
    EXPECT_EQ(exitCodeForStatus(502), kExitServer);
}

TEST(ClientTest, TrustsTheGivenCaAndReturnsHeadersLowerCase) {
    FakeApi api;
    api.on("GET", "/api/v1/health",
           Reply{200, R"({"status":"ok"})", "application/json", {{"X-Request-Id", "abc"}}});
    auto client = ApiClient::create({api.endpoint(), api.caFile(), false, std::chrono::seconds(5)});
    ASSERT_TRUE(client);
    auto response =
        (*client)->send({"GET", "/api/v1/health", {{"Authorization", "Bearer t"}}, "", ""});
    ASSERT_TRUE(response) << response.error().message;
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->body, R"({"status":"ok"})");
    EXPECT_EQ(response->header("X-REQUEST-ID"), "abc");
    EXPECT_EQ(api.requests().at(0).header("authorization"), "Bearer t");
}

TEST(ClientTest, UnknownCertificateFailsUnlessInsecure) {
    FakeApi api;
    api.on("GET", "/x", Reply{200, "{}"});
    // The system store does not know the test's self-signed certificate.
    auto strict = ApiClient::create({api.endpoint(), "", false, std::chrono::seconds(5)});
    ASSERT_TRUE(strict);
    EXPECT_FALSE((*strict)->send({"GET", "/x", {}, "", ""}));
    auto insecure = ApiClient::create({api.endpoint(), "", true, std::chrono::seconds(5)});
    ASSERT_TRUE(insecure);
    auto response = (*insecure)->send({"GET", "/x", {}, "", ""});
    ASSERT_TRUE(response) << response.error().message;
    EXPECT_EQ(response->status, 200);
}

TEST(ClientTest, ConnectionRefusedIsATransportError) {
    FakeApi api;
    const std::string endpoint = api.endpoint();
    auto client =
        ApiClient::create({"https://127.0.0.1:1", api.caFile(), false, std::chrono::seconds(2)});
    ASSERT_TRUE(client);
    auto response = (*client)->send({"GET", "/x", {}, "", ""});
    ASSERT_FALSE(response);
    EXPECT_NE(response.error().message.find("127.0.0.1:1"), std::string::npos);
}

}  // namespace
}  // namespace dnsfleet::cli
