#include "authd/log.hpp"

#include <gtest/gtest.h>

namespace dnsfleet::authd::log {
namespace {

TEST(LogLevel, ParsesEveryNamedLevelAndRejectsOthers) {
    EXPECT_EQ(parseLevel("trace"), Level::Trace);
    EXPECT_EQ(parseLevel("debug"), Level::Debug);
    EXPECT_EQ(parseLevel("info"), Level::Info);
    EXPECT_EQ(parseLevel("warning"), Level::Warning);
    EXPECT_EQ(parseLevel("warn"), Level::Warning);
    EXPECT_EQ(parseLevel("error"), Level::Error);
    EXPECT_EQ(parseLevel("off"), Level::Off);
    EXPECT_FALSE(parseLevel("INFO").has_value());
    EXPECT_FALSE(parseLevel("").has_value());
    EXPECT_EQ(parseFormat("json"), Format::Json);
    EXPECT_FALSE(parseFormat("yaml").has_value());
}

TEST(LogLevel, EnabledFollowsTheConfiguredThreshold) {
    configure(Level::Warning, Format::Text);
    EXPECT_FALSE(enabled(Level::Info));
    EXPECT_TRUE(enabled(Level::Warning));
    EXPECT_TRUE(enabled(Level::Error));
    configure(Level::Off, Format::Text);
    EXPECT_FALSE(enabled(Level::Error));
    configure(Level::Info, Format::Text);
}

TEST(LogJson, EscapesQuotesBackslashesAndControlCharacters) {
    EXPECT_EQ(jsonEscape(R"(zone "a\b")"), R"(zone \"a\\b\")");
    EXPECT_EQ(jsonEscape("line\nnext\t"), "line\\u000anext\\u0009");
    EXPECT_EQ(jsonEscape("plain"), "plain");
}

}  // namespace
}  // namespace dnsfleet::authd::log
