#include "controld/accounts/totp.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace dnsfleet::controld::accounts::totp {
namespace {

std::vector<std::uint8_t> bytes(std::string_view text) {
    return {text.begin(), text.end()};
}

Timestamp atSeconds(std::int64_t seconds) {
    return seconds * 1'000'000;
}

// RFC 6238 Appendix B, the SHA-1 column: the 20-byte ASCII key "12345678901234567890".
TEST(Totp, Rfc6238AppendixBSha1Vectors) {
    const auto key = bytes("12345678901234567890");
    struct Vector {
        std::int64_t seconds;
        std::int64_t step;
        const char* code;
    };
    const Vector vectors[] = {
        {59, 0x1, "94287082"},
        {1111111109, 0x23523EC, "07081804"},
        {1111111111, 0x23523ED, "14050471"},
        {1234567890, 0x273EF07, "89005924"},
        {2000000000, 0x3F940AA, "69279037"},
        {20000000000, 0x27BC86AA, "65353130"},
    };
    for (const auto& v : vectors) {
        EXPECT_EQ(timeStep(atSeconds(v.seconds)), v.step) << v.seconds;
        EXPECT_EQ(codeAt(key, atSeconds(v.seconds), 8), v.code) << v.seconds;
        EXPECT_EQ(verify(key, v.code, atSeconds(v.seconds), std::nullopt, 1, 8), v.step);
    }
}

// RFC 4226 Appendix D: HOTP values of the same key for counters 0..9, 6 digits.
TEST(Totp, Rfc4226AppendixDHotpVectors) {
    const auto key = bytes("12345678901234567890");
    const char* expected[] = {"755224", "287082", "359152", "969429", "338314",
                              "254676", "287922", "162583", "399871", "520489"};
    for (std::uint64_t counter = 0; counter < 10; ++counter) {
        EXPECT_EQ(hotp(key, counter), expected[counter]) << counter;
    }
}

TEST(Totp, TimeStepFloorsMicroseconds) {
    EXPECT_EQ(timeStep(atSeconds(30) - 1), 0);
    EXPECT_EQ(timeStep(atSeconds(30)), 1);
    EXPECT_EQ(timeStep(-1), -1);
}

TEST(Totp, AcceptsOneStepOfDriftEitherWayButNotTwo) {
    const auto key = generateSecret();
    const Timestamp now = atSeconds(1'800'000'015);
    const std::int64_t step = timeStep(now);
    const std::string previous = hotp(key, static_cast<std::uint64_t>(step - 1));
    const std::string next = hotp(key, static_cast<std::uint64_t>(step + 1));
    const std::string tooOld = hotp(key, static_cast<std::uint64_t>(step - 2));
    const std::string tooNew = hotp(key, static_cast<std::uint64_t>(step + 2));

    EXPECT_EQ(verify(key, codeAt(key, now), now), step);
    EXPECT_EQ(verify(key, previous, now), step - 1);
    EXPECT_EQ(verify(key, next, now), step + 1);
    // A code that happens to equal a neighbour's is legitimately accepted; skip that rare case.
    if (tooOld != previous && tooOld != codeAt(key, now) && tooOld != next) {
        EXPECT_FALSE(verify(key, tooOld, now).has_value());
    }
    if (tooNew != previous && tooNew != codeAt(key, now) && tooNew != next) {
        EXPECT_FALSE(verify(key, tooNew, now).has_value());
    }
    EXPECT_EQ(verify(key, tooOld, now, std::nullopt, 2), step - 2);
}

TEST(Totp, RefusesReplayOfAnAlreadyUsedStep) {
    const auto key = generateSecret();
    const Timestamp now = atSeconds(1'800'000'015);
    const std::string code = codeAt(key, now);
    const auto used = verify(key, code, now);
    ASSERT_TRUE(used.has_value());
    // The same code, presented again within its window, is refused once its step is recorded.
    EXPECT_FALSE(verify(key, code, now, used).has_value());
    EXPECT_FALSE(verify(key, code, now + atSeconds(20), used).has_value());
    // An earlier step's code, still inside the window, is refused too.
    const std::string earlier = hotp(key, static_cast<std::uint64_t>(*used - 1));
    EXPECT_FALSE(verify(key, earlier, now, used).has_value());
    // The next step's code is fresh.
    const Timestamp later = now + atSeconds(kStepSeconds);
    EXPECT_EQ(verify(key, codeAt(key, later), later, used), *used + 1);
}

TEST(Totp, RefusesMalformedCodes) {
    const auto key = bytes("12345678901234567890");
    const Timestamp now = atSeconds(59);  // code 287082 at 6 digits
    EXPECT_EQ(verify(key, "287082", now), 1);
    EXPECT_FALSE(verify(key, "28708", now).has_value());
    EXPECT_FALSE(verify(key, "2870820", now).has_value());
    EXPECT_FALSE(verify(key, "28708a", now).has_value());
    EXPECT_FALSE(verify(key, " 287082", now).has_value());
    EXPECT_FALSE(verify(key, "", now).has_value());
    EXPECT_FALSE(verify(key, "287083", now).has_value());
}

TEST(Totp, GeneratesDistinct160BitSecrets) {
    const auto a = generateSecret();
    const auto b = generateSecret();
    EXPECT_EQ(a.size(), 20u);
    EXPECT_NE(a, b);
}

// RFC 4648 §10 test vectors.
TEST(Base32, Rfc4648Section10Vectors) {
    const std::pair<const char*, const char*> vectors[] = {
        {"", ""},
        {"f", "MY======"},
        {"fo", "MZXQ===="},
        {"foo", "MZXW6==="},
        {"foob", "MZXW6YQ="},
        {"fooba", "MZXW6YTB"},
        {"foobar", "MZXW6YTBOI======"},
    };
    for (const auto& [plain, encoded] : vectors) {
        EXPECT_EQ(base32Encode(bytes(plain)), encoded) << plain;
        const auto decoded = base32Decode(encoded);
        ASSERT_TRUE(decoded.has_value()) << encoded;
        EXPECT_EQ(*decoded, bytes(plain)) << encoded;
    }
}

TEST(Base32, DecodesWhatPeopleTypeAndRefusesTheRest) {
    EXPECT_EQ(base32Encode(bytes("foobar"), false), "MZXW6YTBOI");
    EXPECT_EQ(base32Decode("mzxw 6ytb oi"), bytes("foobar"));
    EXPECT_EQ(base32Decode("MZXW6YTBOI"), bytes("foobar"));
    EXPECT_FALSE(base32Decode("MZXW6YTB0I").has_value());  // '0' is not base32
    EXPECT_FALSE(base32Decode("MZXW6YTB1I").has_value());
    EXPECT_FALSE(base32Decode("MY======MY").has_value());  // data after padding
    EXPECT_FALSE(base32Decode("M").has_value());           // 5 bits make no byte
    EXPECT_FALSE(base32Decode("MZX").has_value());
}

TEST(Base32, RoundTripsRandomSecrets) {
    for (int i = 0; i < 50; ++i) {
        const auto secret = generateSecret();
        EXPECT_EQ(base32Decode(base32Encode(secret, false)), secret);
    }
}

TEST(OtpauthUri, CarriesIssuerLabelAndUnpaddedSecret) {
    const auto key = bytes("12345678901234567890");
    EXPECT_EQ(otpauthUri("alice", key),
              "otpauth://totp/dnsfleet:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
              "&issuer=dnsfleet&algorithm=SHA1&digits=6&period=30");
}

TEST(OtpauthUri, PercentEncodesLabelAndIssuer) {
    const auto key = bytes("12345678901234567890");
    const std::string uri = otpauthUri("bob smith@example.com", key, "dns fleet:prod");
    EXPECT_EQ(uri.rfind("otpauth://totp/dns%20fleet%3Aprod:bob%20smith%40example.com?", 0), 0u)
        << uri;
    EXPECT_NE(uri.find("&issuer=dns%20fleet%3Aprod&"), std::string::npos) << uri;
}

}  // namespace
}  // namespace dnsfleet::controld::accounts::totp
