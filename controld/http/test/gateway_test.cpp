#include "controld/http/gateway.hpp"

#include <gtest/gtest.h>

#include <set>

namespace dnsfleet::controld::http {
namespace {

std::optional<std::string> headerOf(const Response& response, std::string_view name) {
    for (const auto& [key, value] : response.headers) {
        if (key == name) return value;
    }
    return std::nullopt;
}

class GatewayTest : public ::testing::Test {
  protected:
    GatewayTest() {
        settings.portalOrigin = "https://portal.example";
        settings.rateLimitPerSecond = 1.0;
        settings.rateLimitBurst = 3.0;
        router.add({"GET", "/api/v1/health", false, ""}, [](Request&) -> Outcome<Response> {
            return json(200, {{"status", "ok"}});
        });
        router.add({"GET", "/api/v1/me", true, ""}, [](Request& request) -> Outcome<Response> {
            return json(200, {{"login", request.context.actor.login},
                              {"request_id", request.context.requestId}});
        });
        router.add({"POST", "/api/v1/me", true, ""},
                   [](Request&) -> Outcome<Response> { return noContent(); });
    }

    Gateway makeGateway() {
        return Gateway(
            router,
            [this](const Request& request, const RequestContext&) -> Outcome<Actor> {
                ++authentications;
                const auto bearer = request.header("authorization");
                if (!bearer || bearer->rfind("Bearer ", 0) != 0) return fail(unauthenticated());
                Actor actor;
                actor.kind = Actor::Kind::User;
                actor.login = bearer->substr(7);
                actor.id = actor.login == "alice" ? 1 : 2;
                actor.contractId = actor.login == "carol" ? 8 : 7;  // alice and bob share one
                return actor;
            },
            settings);
    }

    static Request get(std::string path, const std::string& token = "") {
        Request request;
        request.method = "GET";
        request.path = std::move(path);
        request.context.sourceAddress = "192.0.2.1";
        if (!token.empty()) request.headers.emplace("authorization", "Bearer " + token);
        return request;
    }

    config::ApiSettings settings;
    Router router;
    int authentications = 0;
};

TEST_F(GatewayTest, EveryResponseHasRequestIdAndSecurityHeaders) {
    Gateway gateway = makeGateway();
    std::set<std::string> ids;
    for (const char* path : {"/api/v1/health", "/api/v1/nothing", "/api/v1/me"}) {
        Request request = get(path);
        const Response response = gateway.handle(request);
        const auto id = headerOf(response, "X-Request-Id");
        ASSERT_TRUE(id) << path;
        EXPECT_EQ(id->size(), 32U);
        EXPECT_EQ(*id, request.context.requestId);
        ids.insert(*id);
        EXPECT_EQ(headerOf(response, "Strict-Transport-Security"), "max-age=31536000");
        EXPECT_EQ(headerOf(response, "X-Content-Type-Options"), "nosniff");
        EXPECT_EQ(headerOf(response, "Cache-Control"), "no-store");
        EXPECT_TRUE(headerOf(response, "Referrer-Policy"));
        EXPECT_GT(request.context.now, 0);
    }
    EXPECT_EQ(ids.size(), 3U);
}

TEST_F(GatewayTest, AuthenticatedRoutesNeedCredentialsPublicOnesDoNot) {
    Gateway gateway = makeGateway();
    Request anonymous = get("/api/v1/me");
    const Response refused = gateway.handle(anonymous);
    EXPECT_EQ(refused.status, 401);
    EXPECT_EQ(refused.contentType, "application/problem+json");

    Request alice = get("/api/v1/me", "alice");
    const Response ok = gateway.handle(alice);
    ASSERT_EQ(ok.status, 200);
    const auto body = nlohmann::json::parse(ok.body);
    EXPECT_EQ(body["login"], "alice");
    EXPECT_EQ(body["request_id"], alice.context.requestId);

    const int before = authentications;
    Request health = get("/api/v1/health");
    EXPECT_EQ(gateway.handle(health).status, 200);
    EXPECT_EQ(authentications, before);
}

TEST_F(GatewayTest, RateLimitIsPerContractAfterAuthentication) {
    Gateway gateway = makeGateway();
    // alice and bob share contract 7: three requests in total, then 429 for both.
    for (const char* who : {"alice", "bob", "alice"}) {
        Request request = get("/api/v1/me", who);
        EXPECT_EQ(gateway.handle(request).status, 200) << who;
    }
    Request bob = get("/api/v1/me", "bob");
    const Response limited = gateway.handle(bob);
    EXPECT_EQ(limited.status, 429);
    EXPECT_EQ(headerOf(limited, "Retry-After"), "1");
    EXPECT_TRUE(headerOf(limited, "X-Request-Id"));
    // carol's contract has its own bucket.
    Request carol = get("/api/v1/me", "carol");
    EXPECT_EQ(gateway.handle(carol).status, 200);
    // The same address still reaches public routes: its bucket is separate.
    Request health = get("/api/v1/health");
    EXPECT_EQ(gateway.handle(health).status, 200);
}

TEST_F(GatewayTest, UnauthenticatedRoutesAreLimitedPerAddress) {
    Gateway gateway = makeGateway();
    for (int i = 0; i < 3; ++i) {
        Request request = get("/api/v1/health");
        EXPECT_EQ(gateway.handle(request).status, 200);
    }
    Request fourth = get("/api/v1/health");
    EXPECT_EQ(gateway.handle(fourth).status, 429);
    Request other = get("/api/v1/health");
    other.context.sourceAddress = "192.0.2.2";
    EXPECT_EQ(gateway.handle(other).status, 200);
}

TEST_F(GatewayTest, CorsOnlyForThePortalOrigin) {
    Gateway gateway = makeGateway();
    Request portal = get("/api/v1/health");
    portal.headers.emplace("origin", "https://portal.example");
    const Response allowed = gateway.handle(portal);
    EXPECT_EQ(headerOf(allowed, "Access-Control-Allow-Origin"), "https://portal.example");
    EXPECT_EQ(headerOf(allowed, "Access-Control-Allow-Credentials"), "true");

    Request evil = get("/api/v1/health");
    evil.headers.emplace("origin", "https://evil.example");
    const Response other = gateway.handle(evil);
    EXPECT_EQ(other.status, 200);
    EXPECT_FALSE(headerOf(other, "Access-Control-Allow-Origin"));
    EXPECT_FALSE(headerOf(other, "Access-Control-Allow-Credentials"));
}

TEST_F(GatewayTest, PreflightAnswersThePortalOnly) {
    Gateway gateway = makeGateway();
    Request preflight = get("/api/v1/me");
    preflight.method = "OPTIONS";
    preflight.headers.emplace("origin", "https://portal.example");
    preflight.headers.emplace("access-control-request-method", "POST");
    const Response answer = gateway.handle(preflight);
    EXPECT_EQ(answer.status, 204);
    EXPECT_EQ(headerOf(answer, "Access-Control-Allow-Methods"), "GET, POST");
    EXPECT_EQ(headerOf(answer, "Access-Control-Allow-Origin"), "https://portal.example");
    EXPECT_TRUE(headerOf(answer, "Access-Control-Allow-Headers"));
    EXPECT_EQ(authentications, 0);  // preflights carry no credentials

    Request foreign = preflight;
    foreign.headers = {{"origin", "https://evil.example"},
                       {"access-control-request-method", "POST"}};
    const Response refused = gateway.handle(foreign);
    EXPECT_FALSE(headerOf(refused, "Access-Control-Allow-Origin"));
    EXPECT_FALSE(headerOf(refused, "Access-Control-Allow-Methods"));

    Request unknown = get("/api/v1/nothing");
    unknown.method = "OPTIONS";
    EXPECT_EQ(gateway.handle(unknown).status, 404);
}

TEST_F(GatewayTest, RefuseMakesAProblemWithTheUsualHeaders) {
    Gateway gateway = makeGateway();
    Request request = get("/api/v1/me");
    request.method = "POST";
    const Response response =
        gateway.refuse(request, ErrorCode::PayloadTooLarge, "the body is larger than the limit");
    EXPECT_EQ(response.status, 413);
    EXPECT_EQ(response.contentType, "application/problem+json");
    EXPECT_TRUE(headerOf(response, "X-Request-Id"));
    EXPECT_EQ(headerOf(response, "Strict-Transport-Security"), "max-age=31536000");
}

}  // namespace
}  // namespace dnsfleet::controld::http
