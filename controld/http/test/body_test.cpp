#include <gtest/gtest.h>

#include "controld/http/router.hpp"

namespace dnsfleet::controld::http {
namespace {

Request jsonRequest(std::string body, std::string contentType = "application/json") {
    Request request;
    request.method = "POST";
    request.path = "/x";
    request.body = std::move(body);
    if (!contentType.empty()) request.headers.emplace("content-type", std::move(contentType));
    return request;
}

TEST(ParseJsonBody, AcceptsAnObject) {
    const auto parsed = parseJsonBody(jsonRequest(R"({"name": "example.com", "ttl": 300})"));
    ASSERT_TRUE(parsed) << parsed.error().detail;
    EXPECT_EQ((*parsed)["name"], "example.com");
    EXPECT_EQ((*parsed)["ttl"], 300);
}

TEST(ParseJsonBody, AcceptsCharsetAndJsonSuffixTypes) {
    EXPECT_TRUE(parseJsonBody(jsonRequest("{}", "application/json; charset=utf-8")));
    EXPECT_TRUE(parseJsonBody(jsonRequest("{}", "Application/JSON")));
    EXPECT_TRUE(parseJsonBody(jsonRequest("{}", "application/merge-patch+json")));
}

TEST(ParseJsonBody, OtherContentTypesAre415) {
    for (const char* type : {"", "text/plain", "application/x-www-form-urlencoded", "json"}) {
        const auto parsed = parseJsonBody(jsonRequest("{}", type));
        ASSERT_FALSE(parsed) << type;
        EXPECT_EQ(httpStatus(parsed.error().code), 415) << type;
    }
}

TEST(ParseJsonBody, SyntaxErrorNamesLineAndColumn) {
    const auto parsed = parseJsonBody(jsonRequest("{\n  \"a\": 1,\n  \"b\": ]\n}"));
    ASSERT_FALSE(parsed);
    EXPECT_EQ(parsed.error().code, ErrorCode::Invalid);
    EXPECT_NE(parsed.error().detail.find("line 3"), std::string::npos) << parsed.error().detail;
    EXPECT_NE(parsed.error().detail.find("column 8"), std::string::npos) << parsed.error().detail;
}

TEST(ParseJsonBody, RejectsNonObjectsEmptyBodiesAndBadUtf8) {
    for (const std::string body : {"[1,2]", "\"x\"", "3", "null", "", "{\"a\":\"\xff\"}"}) {
        const auto parsed = parseJsonBody(jsonRequest(body));
        ASSERT_FALSE(parsed) << body;
        EXPECT_EQ(parsed.error().code, ErrorCode::Invalid) << body;
    }
}

TEST(ParseJsonBody, RejectsDuplicateMembersAtAnyDepth) {
    const auto top = parseJsonBody(jsonRequest(R"({"role": "viewer", "role": "owner"})"));
    ASSERT_FALSE(top);
    ASSERT_EQ(top.error().fields.size(), 1U);
    EXPECT_EQ(top.error().fields[0].field, "/role");
    EXPECT_FALSE(parseJsonBody(jsonRequest(R"({"a": {"b": 1, "b": 2}})")));
    // The same key in sibling objects is fine.
    EXPECT_TRUE(parseJsonBody(jsonRequest(R"({"a": {"b": 1}, "c": {"b": 2}, "b": 3})")));
}

TEST(ParseJsonBody, RejectsDeepNesting) {
    const std::string deep = "{\"a\":" + std::string(100, '[') + std::string(100, ']') + "}";
    EXPECT_FALSE(parseJsonBody(jsonRequest(deep)));
    const std::string fine = "{\"a\":" + std::string(20, '[') + std::string(20, ']') + "}";
    EXPECT_TRUE(parseJsonBody(jsonRequest(fine)));
}

TEST(CheckMembers, NamesUnknownAndMissingMembers) {
    const nlohmann::json body = {{"name", "x"}, {"colour", "red"}};
    const auto checked = checkMembers(body, {"name", "ttl"}, {"comment"});
    ASSERT_FALSE(checked);
    EXPECT_EQ(checked.error().code, ErrorCode::Invalid);
    std::vector<std::string> fields;
    for (const auto& field : checked.error().fields)
        fields.push_back(field.field);
    EXPECT_EQ(fields, (std::vector<std::string>{"/colour", "/ttl"}));
    EXPECT_TRUE(
        checkMembers({{"name", "x"}, {"ttl", 1}, {"comment", "c"}}, {"name", "ttl"}, {"comment"}));
    EXPECT_TRUE(checkMembers(nlohmann::json::object(), {}, {"comment"}));
    EXPECT_FALSE(checkMembers(nlohmann::json::array(), {}, {}));
}

TEST(PageRequest, DefaultsAndLimits) {
    Request request;
    auto page = pageRequest(request);
    ASSERT_TRUE(page);
    EXPECT_EQ(page->page, 1);
    EXPECT_EQ(page->perPage, 100);
    EXPECT_EQ(page->offset(), 0);

    request.query.emplace("page", "3");
    request.query.emplace("per_page", "20");
    page = pageRequest(request);
    ASSERT_TRUE(page);
    EXPECT_EQ(page->offset(), 40);
    const auto body = pageBody(nlohmann::json::array({1, 2}), 42, *page);
    EXPECT_EQ(body["total"], 42);
    EXPECT_EQ(body["page"], 3);
    EXPECT_EQ(body["per_page"], 20);
    EXPECT_EQ(body["items"].size(), 2U);
}

TEST(PageRequest, MalformedValuesAreFieldErrors) {
    for (const auto& [page, perPage] :
         std::vector<std::pair<std::string, std::string>>{{"0", "10"},
                                                          {"x", "10"},
                                                          {"1", "0"},
                                                          {"1", "1001"},
                                                          {"1", "5x"},
                                                          {"-1", "10"},
                                                          {"", "10"},
                                                          {"99999999999", "10"}}) {
        Request request;
        request.query.emplace("page", page);
        request.query.emplace("per_page", perPage);
        const auto parsed = pageRequest(request);
        ASSERT_FALSE(parsed) << page << " " << perPage;
        ASSERT_FALSE(parsed.error().fields.empty());
    }
}

}  // namespace
}  // namespace dnsfleet::controld::http
