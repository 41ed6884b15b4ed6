#include "controld/accounts/random_token.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

namespace dnsfleet::controld::accounts {
namespace {

bool isBase64UrlUnpadded(std::string_view text) {
    return std::all_of(text.begin(), text.end(), [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
               c == '-' || c == '_';
    });
}

std::vector<std::uint8_t> bytes(std::string_view text) {
    return {text.begin(), text.end()};
}

// RFC 4648 §10 vectors (base64), made URL-safe and unpadded, plus bytes that need '-' and '_'.
TEST(Base64Url, Rfc4648VectorsWithoutPadding) {
    EXPECT_EQ(base64UrlEncode(bytes("")), "");
    EXPECT_EQ(base64UrlEncode(bytes("f")), "Zg");
    EXPECT_EQ(base64UrlEncode(bytes("fo")), "Zm8");
    EXPECT_EQ(base64UrlEncode(bytes("foo")), "Zm9v");
    EXPECT_EQ(base64UrlEncode(bytes("foob")), "Zm9vYg");
    EXPECT_EQ(base64UrlEncode(bytes("fooba")), "Zm9vYmE");
    EXPECT_EQ(base64UrlEncode(bytes("foobar")), "Zm9vYmFy");
    EXPECT_EQ(base64UrlEncode(std::vector<std::uint8_t>{0xFB, 0xFF, 0xBF}), "-_-_");
}

TEST(RandomToken, PrefixAndAtLeast128Bits) {
    const std::string session = randomToken(kSessionTokenPrefix);
    ASSERT_EQ(session.rfind("dfs_", 0), 0u);
    EXPECT_EQ(session.size(), 4u + 43u);  // 32 bytes = 43 base64url characters
    EXPECT_TRUE(isBase64UrlUnpadded(session.substr(4)));

    const std::string api = randomToken(kApiTokenPrefix);
    EXPECT_EQ(api.rfind("dft_", 0), 0u);

    // Asking for fewer than 16 bytes still gives 128 bits.
    EXPECT_EQ(randomToken({}, 4).size(), 22u);
    EXPECT_EQ(randomToken({}, 16).size(), 22u);
}

TEST(RandomToken, DoesNotRepeat) {
    std::set<std::string> seen;
    for (int i = 0; i < 1000; ++i) {
        EXPECT_TRUE(seen.insert(randomToken(kApiTokenPrefix)).second);
    }
}

TEST(TokenHash, IsLowerCaseHexSha256) {
    // FIPS 180-2 example: SHA-256("abc").
    EXPECT_EQ(tokenHash("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_EQ(tokenHash(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    EXPECT_NE(tokenHash("dfs_a"), tokenHash("dft_a"));
}

TEST(ConstantTimeEquals, ComparesWholeStrings) {
    EXPECT_TRUE(constantTimeEquals("", ""));
    EXPECT_TRUE(constantTimeEquals("dft_abc", "dft_abc"));
    EXPECT_FALSE(constantTimeEquals("dft_abc", "dft_abd"));
    EXPECT_FALSE(constantTimeEquals("dft_abc", "dft_ab"));
    EXPECT_FALSE(constantTimeEquals("xft_abc", "dft_abc"));
    EXPECT_FALSE(constantTimeEquals(std::string_view("a\0b", 3), std::string_view("a\0c", 3)));
}

TEST(ServiceCode, UsesUnambiguousAlphabet) {
    for (const char c : std::string_view("0O1I")) {
        EXPECT_EQ(kServiceCodeAlphabet.find(c), std::string_view::npos) << c;
    }
    std::set<std::string> seen;
    std::set<char> used;
    for (int i = 0; i < 500; ++i) {
        const std::string code = newServiceCode();
        ASSERT_EQ(code.size(), 11u) << code;
        ASSERT_EQ(code.rfind("DF-", 0), 0u) << code;
        for (const char c : code.substr(3)) {
            ASSERT_NE(kServiceCodeAlphabet.find(c), std::string_view::npos) << code;
            used.insert(c);
        }
        EXPECT_EQ(normalizeServiceCode(code), code);
        seen.insert(code);
    }
    EXPECT_EQ(seen.size(), 500u);
    EXPECT_EQ(used.size(), 32u);  // 4000 draws reach every one of the 32 characters
}

TEST(ServiceCode, NormalizesCaseAndRefusesLookalikes) {
    EXPECT_EQ(normalizeServiceCode("df-abcd2345"), "DF-ABCD2345");
    EXPECT_EQ(normalizeServiceCode("DF-ABCD2345"), "DF-ABCD2345");
    EXPECT_FALSE(normalizeServiceCode("DF-ABCD234O").has_value());  // letter O
    EXPECT_FALSE(normalizeServiceCode("DF-ABCD2340").has_value());  // digit 0
    EXPECT_FALSE(normalizeServiceCode("DF-ABCD2341").has_value());
    EXPECT_FALSE(normalizeServiceCode("DF-ABCDI234").has_value());
    EXPECT_FALSE(normalizeServiceCode("DF-ABCD234").has_value());
    EXPECT_FALSE(normalizeServiceCode("DF-ABCD23456").has_value());
    EXPECT_FALSE(normalizeServiceCode("DX-ABCD2345").has_value());
    EXPECT_FALSE(normalizeServiceCode("DFXABCD2345").has_value());
    EXPECT_FALSE(normalizeServiceCode("").has_value());
}

}  // namespace
}  // namespace dnsfleet::controld::accounts
