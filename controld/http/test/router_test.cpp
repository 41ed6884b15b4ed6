#include "controld/http/router.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace dnsfleet::controld::http {
namespace {

Request makeRequest(std::string method, std::string path) {
    Request request;
    request.method = std::move(method);
    request.path = std::move(path);
    request.context.requestId = "req-1";
    return request;
}

nlohmann::json bodyOf(const Response& response) {
    return nlohmann::json::parse(response.body);
}

Handler echoParams(std::string tag) {
    return [tag = std::move(tag)](Request& request) -> Outcome<Response> {
        nlohmann::json params = request.params;
        return json(200, {{"route", tag}, {"params", params}});
    };
}

TEST(Router, MatchesLiteralAndParameterSegments) {
    Router router;
    router.add({"GET", "/api/v1/contracts/{contract}/zones/{zone}", true, "ZoneRead"},
               echoParams("zone"));
    router.add({"GET", "/api/v1/contracts/{contract}/zones", true, "ZoneRead"},
               echoParams("zones"));
    Request request = makeRequest("GET", "/api/v1/contracts/DF-1/zones/example.com");
    const Response response = router.dispatch(request);
    ASSERT_EQ(response.status, 200);
    const auto body = bodyOf(response);
    EXPECT_EQ(body["route"], "zone");
    EXPECT_EQ(body["params"]["contract"], "DF-1");
    EXPECT_EQ(body["params"]["zone"], "example.com");
    EXPECT_EQ(request.param("zone"), "example.com");
    EXPECT_EQ(request.param("missing"), "");

    Request list = makeRequest("GET", "/api/v1/contracts/DF-1/zones");
    EXPECT_EQ(bodyOf(router.dispatch(list))["route"], "zones");
}

TEST(Router, DecodesEachSegmentAfterSplitting) {
    Router router;
    router.add({"PUT", "/z/{zone}/rrsets/{name}/{type}", true, ""}, echoParams("rrset"));
    Request request = makeRequest("PUT", "/z/ex%61mple.com/rrsets/%2A.a%2Fb/TXT");
    const Response response = router.dispatch(request);
    ASSERT_EQ(response.status, 200);
    const auto body = bodyOf(response);
    EXPECT_EQ(body["params"]["zone"], "example.com");
    EXPECT_EQ(body["params"]["name"], "*.a/b");
    EXPECT_EQ(body["params"]["type"], "TXT");
}

TEST(Router, MalformedEscapeIsNotFound) {
    Router router;
    router.add({"GET", "/z/{zone}", true, ""}, echoParams("zone"));
    for (const char* path : {"/z/%zz", "/z/%4", "/z/%"}) {
        Request request = makeRequest("GET", path);
        EXPECT_EQ(router.dispatch(request).status, 404) << path;
    }
}

TEST(Router, EmptySegmentsAndTrailingSlashesDoNotMatchParameters) {
    Router router;
    router.add({"GET", "/z/{zone}", true, ""}, echoParams("zone"));
    for (const char* path : {"/z/", "/z", "/z/a/", "//z/a", "", "z/a"}) {
        Request request = makeRequest("GET", path);
        EXPECT_EQ(router.dispatch(request).status, 404) << path;
    }
}

TEST(Router, LiteralSegmentsWinOverParameters) {
    Router router;
    router.add({"GET", "/events/{id}", true, ""}, echoParams("by-id"));
    router.add({"GET", "/events/verify", true, ""}, echoParams("verify"));
    Request verify = makeRequest("GET", "/events/verify");
    EXPECT_EQ(bodyOf(router.dispatch(verify))["route"], "verify");
    Request other = makeRequest("GET", "/events/17");
    EXPECT_EQ(bodyOf(router.dispatch(other))["route"], "by-id");
    ASSERT_NE(router.match(verify), nullptr);
    EXPECT_EQ(router.match(verify)->pattern, "/events/verify");
}

TEST(Router, UnknownPathIsNotFoundProblem) {
    Router router;
    router.add({"GET", "/api/v1/health", false, ""}, echoParams("health"));
    Request request = makeRequest("GET", "/api/v1/nothing");
    const Response response = router.dispatch(request);
    EXPECT_EQ(response.status, 404);
    EXPECT_EQ(response.contentType, "application/problem+json");
    const auto body = bodyOf(response);
    EXPECT_EQ(body["status"], 404);
    EXPECT_EQ(body["title"], "Not found");
    EXPECT_EQ(body["instance"], "/api/v1/nothing");
    EXPECT_EQ(body["request_id"], "req-1");
    EXPECT_EQ(router.match(request), nullptr);
}

TEST(Router, WrongMethodIsMethodNotAllowedWithAllow) {
    Router router;
    router.add({"GET", "/tokens", true, ""}, echoParams("list"));
    router.add({"POST", "/tokens", true, ""}, echoParams("create"));
    router.add({"DELETE", "/tokens/{token}", true, ""}, echoParams("delete"));
    Request request = makeRequest("PATCH", "/tokens");
    const Response response = router.dispatch(request);
    EXPECT_EQ(response.status, 405);
    EXPECT_EQ(response.contentType, "application/problem+json");
    std::string allow;
    for (const auto& [name, value] : response.headers) {
        if (name == "Allow") allow = value;
    }
    EXPECT_EQ(allow, "GET, POST");
    EXPECT_EQ(bodyOf(response)["status"], 405);
}

TEST(Router, HandlerErrorsBecomeProblems) {
    Router router;
    router.add({"POST", "/x", true, ""}, [](Request&) -> Outcome<Response> {
        return fail(invalid("bad input", {{"/name", "required"}}));
    });
    router.add({"POST", "/c", true, ""}, [](Request&) -> Outcome<Response> {
        return fail(conflict("draft conflicts", {"www.example.com. A"}));
    });
    router.add({"POST", "/r", true, ""}, [](Request&) -> Outcome<Response> {
        ServiceError error;
        error.code = ErrorCode::TooManyRequests;
        error.detail = "slow down";
        error.retryAfterSeconds = 7;
        return fail(error);
    });
    Request x = makeRequest("POST", "/x");
    const Response invalidResponse = router.dispatch(x);
    EXPECT_EQ(invalidResponse.status, 400);
    const auto invalidBody = bodyOf(invalidResponse);
    EXPECT_EQ(invalidBody["detail"], "bad input");
    ASSERT_EQ(invalidBody["errors"].size(), 1U);
    EXPECT_EQ(invalidBody["errors"][0]["field"], "/name");
    EXPECT_EQ(invalidBody["errors"][0]["message"], "required");
    EXPECT_NE(invalidBody["type"], "about:blank");

    Request c = makeRequest("POST", "/c");
    const auto conflictBody = bodyOf(router.dispatch(c));
    EXPECT_EQ(conflictBody["status"], 409);
    EXPECT_EQ(conflictBody["conflicts"], nlohmann::json::array({"www.example.com. A"}));

    Request r = makeRequest("POST", "/r");
    const Response limited = router.dispatch(r);
    EXPECT_EQ(limited.status, 429);
    bool retryAfter = false;
    for (const auto& [name, value] : limited.headers) {
        if (name == "Retry-After") retryAfter = value == "7";
    }
    EXPECT_TRUE(retryAfter);
}

TEST(Router, ExceptionsAndInternalErrorsHideTheirDetails) {
    Router router;
    router.add({"GET", "/boom", true, ""}, [](Request&) -> Outcome<Response> {
        throw std::runtime_error("password=hunter2 in SQL");
    });
    router.add({"GET", "/int", true, ""}, [](Request&) -> Outcome<Response> {
        ServiceError error;
        error.code = ErrorCode::Internal;
        error.detail = "database said: relation accounts does not exist";
        return fail(error);
    });
    router.add({"GET", "/weird", true, ""}, [](Request&) -> Outcome<Response> { throw 42; });
    for (const char* path : {"/boom", "/int", "/weird"}) {
        Request request = makeRequest("GET", path);
        const Response response = router.dispatch(request);
        EXPECT_EQ(response.status, 500) << path;
        EXPECT_EQ(response.body.find("hunter2"), std::string::npos);
        EXPECT_EQ(response.body.find("relation"), std::string::npos);
        EXPECT_EQ(bodyOf(response)["request_id"], "req-1");
    }
}

TEST(Router, ListsRoutesInOrder) {
    Router router;
    router.add({"GET", "/a", false, ""}, echoParams("a"));
    router.add({"POST", "/b/{x}", true, "ZoneEdit"}, echoParams("b"));
    const auto routes = router.routes();
    ASSERT_EQ(routes.size(), 2U);
    EXPECT_EQ(routes[1].method, "POST");
    EXPECT_EQ(routes[1].pattern, "/b/{x}");
    EXPECT_TRUE(routes[1].authenticated);
    EXPECT_EQ(routes[1].permission, "ZoneEdit");
    EXPECT_FALSE(routes[0].authenticated);
}

TEST(Response, SetHeaderReplacesCaseInsensitively) {
    Response response = noContent();
    EXPECT_EQ(response.status, 204);
    EXPECT_TRUE(response.body.empty());
    response.setHeader("ETag", "\"1\"");
    response.setHeader("etag", "\"2\"");
    ASSERT_EQ(response.headers.size(), 1U);
    EXPECT_EQ(response.headers[0].second, "\"2\"");
}

TEST(Request, HeaderAndQueryLookups) {
    Request request = makeRequest("GET", "/");
    request.headers.emplace("if-match", "\"3\"");
    request.query.emplace("name", "www");
    EXPECT_EQ(request.header("if-match"), "\"3\"");
    EXPECT_EQ(request.header("etag"), std::nullopt);
    EXPECT_EQ(request.queryParam("name"), "www");
    EXPECT_EQ(request.queryParam("type"), std::nullopt);
}

}  // namespace
}  // namespace dnsfleet::controld::http
