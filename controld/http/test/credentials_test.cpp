#include "controld/http/credentials.hpp"

#include <gtest/gtest.h>

namespace dnsfleet::controld::http {
namespace {

Request request(const std::string& method) {
    Request r;
    r.method = method;
    return r;
}

TEST(CookieValue, FindsTheNamedCookieOnly) {
    EXPECT_EQ(cookieValue("theme=dark; s=abc; x=y", "s"), "abc");
    EXPECT_EQ(cookieValue("s=\"q\"", "s"), "q");
    EXPECT_EQ(cookieValue("xs=abc; sx=1", "s"), std::nullopt);
    EXPECT_EQ(cookieValue("s", "s"), std::nullopt);
    EXPECT_EQ(cookieValue("", "s"), std::nullopt);
}

TEST(CredentialsOf, ReadsCookieBearerAndCsrf) {
    Request r = request("POST");
    r.headers.emplace("cookie", "theme=dark");
    r.headers.emplace("cookie", "dnsfleet_session=sess; other=1");
    r.headers.emplace("authorization", "BEARER tok-1");
    r.headers.emplace("x-csrf-token", "csrf");
    const RequestCredentials c = credentialsOf(r, "dnsfleet_session", "x-csrf-token");
    EXPECT_EQ(c.sessionCookie, "sess");
    EXPECT_EQ(c.bearerToken, "tok-1");
    EXPECT_EQ(c.csrfToken, "csrf");
    EXPECT_TRUE(c.unsafeMethod);
}

TEST(CredentialsOf, IgnoresOtherSchemesAndEmptyTokens) {
    Request r = request("GET");
    r.headers.emplace("authorization", "Basic dXNlcjpwdw==");
    EXPECT_EQ(credentialsOf(r, "s", "x-csrf-token").bearerToken, std::nullopt);
    Request empty = request("GET");
    empty.headers.emplace("authorization", "Bearer ");
    EXPECT_EQ(credentialsOf(empty, "s", "x-csrf-token").bearerToken, std::nullopt);
}

TEST(CredentialsOf, OnlyReadingMethodsAreSafe) {
    for (const char* method : {"GET", "HEAD", "OPTIONS"}) {
        EXPECT_FALSE(credentialsOf(request(method), "s", "c").unsafeMethod) << method;
    }
    for (const char* method : {"POST", "PUT", "PATCH", "DELETE"}) {
        EXPECT_TRUE(credentialsOf(request(method), "s", "c").unsafeMethod) << method;
    }
}

}  // namespace
}  // namespace dnsfleet::controld::http
