#include "controld/accounts/password.hpp"

#include <gtest/gtest.h>
#include <sodium.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <string>

namespace dnsfleet::controld::accounts {
namespace {

config::AuthSettings minimumCost() {
    config::AuthSettings settings;
    settings.argon2MemoryBytes = kMinArgon2MemoryBytes;
    settings.argon2Iterations = kMinArgon2Iterations;
    return settings;
}

PasswordHasher makeHasher(const config::AuthSettings& settings = minimumCost()) {
    auto hasher = PasswordHasher::create(settings);
    EXPECT_TRUE(hasher.has_value());
    return std::move(hasher).value();
}

bool hasFieldError(const ServiceError& error, std::string_view field, std::string_view text) {
    return std::any_of(error.fields.begin(), error.fields.end(), [&](const FieldError& f) {
        return f.field == field && f.message.find(text) != std::string::npos;
    });
}

TEST(PasswordHasher, RefusesCostBelowOwaspMinimum) {
    config::AuthSettings lowMemory = minimumCost();
    lowMemory.argon2MemoryBytes = kMinArgon2MemoryBytes - 1;
    auto a = PasswordHasher::create(lowMemory);
    ASSERT_FALSE(a.has_value());
    EXPECT_EQ(a.error().code, ErrorCode::Invalid);
    EXPECT_EQ(a.error().fields.size(), 1u);

    config::AuthSettings oneIteration = minimumCost();
    oneIteration.argon2Iterations = 1;
    auto b = PasswordHasher::create(oneIteration);
    ASSERT_FALSE(b.has_value());
    EXPECT_EQ(b.error().code, ErrorCode::Invalid);
}

TEST(PasswordHasher, DefaultSettingsAreAccepted) {
    EXPECT_TRUE(PasswordHasher::create(config::AuthSettings{}).has_value());
}

TEST(PasswordHasher, HashIsArgon2idWithConfiguredCostAndFreshSalt) {
    const PasswordHasher hasher = makeHasher();
    auto first = hasher.hash("correct horse battery staple");
    auto second = hasher.hash("correct horse battery staple");
    ASSERT_TRUE(first.has_value());
    ASSERT_TRUE(second.has_value());
    // 19 MiB = 19456 KiB, as the PHC string format writes it.
    EXPECT_EQ(first->rfind("$argon2id$v=19$m=19456,t=2,p=1$", 0), 0u) << *first;
    EXPECT_NE(*first, *second);  // random salt
}

TEST(PasswordHasher, VerifiesRightPasswordOnly) {
    const PasswordHasher hasher = makeHasher();
    const std::string hash = hasher.hash("correct horse battery staple").value();
    EXPECT_TRUE(hasher.verify(hash, "correct horse battery staple"));
    EXPECT_FALSE(hasher.verify(hash, "correct horse battery stapl"));
    EXPECT_FALSE(hasher.verify(hash, "Correct horse battery staple"));
    EXPECT_FALSE(hasher.verify(hash, ""));
    EXPECT_FALSE(hasher.verify("not a hash", "correct horse battery staple"));
    EXPECT_FALSE(hasher.verify("", "correct horse battery staple"));
}

TEST(PasswordHasher, PasswordsWithNulBytesAreHashedWhole) {
    const PasswordHasher hasher = makeHasher();
    const std::string withNul("abcdefgh\0ijklmnop", 17);
    const std::string hash = hasher.hash(withNul).value();
    EXPECT_TRUE(hasher.verify(hash, withNul));
    EXPECT_FALSE(hasher.verify(hash, "abcdefgh"));
}

TEST(PasswordHasher, RefusesOverlongPassword) {
    const PasswordHasher hasher = makeHasher();
    const std::string longPassword(kMaxPasswordBytes + 1, 'x');
    auto hash = hasher.hash(longPassword);
    ASSERT_FALSE(hash.has_value());
    EXPECT_EQ(hash.error().code, ErrorCode::Invalid);
}

TEST(PasswordHasher, NeedsRehashWhenCostOrAlgorithmChanges) {
    const PasswordHasher cheap = makeHasher();
    config::AuthSettings dearer = minimumCost();
    dearer.argon2Iterations = 3;
    const PasswordHasher expensive = makeHasher(dearer);

    const std::string hash = cheap.hash("correct horse battery staple").value();
    EXPECT_FALSE(cheap.needsRehash(hash));
    EXPECT_TRUE(expensive.needsRehash(hash));
    EXPECT_TRUE(expensive.verify(hash, "correct horse battery staple"));  // old cost still reads

    // An Argon2i hash at the very same cost is still rehashed: the algorithm changed. (Argon2i
    // needs t >= 3, hence the comparison with the dearer hasher.)
    std::array<char, crypto_pwhash_STRBYTES> argon2i{};
    const std::string password = "correct horse battery staple";
    ASSERT_EQ(crypto_pwhash_str_alg(argon2i.data(), password.data(), password.size(), 3,
                                    kMinArgon2MemoryBytes, crypto_pwhash_ALG_ARGON2I13),
              0);
    EXPECT_TRUE(expensive.needsRehash(argon2i.data()));
    EXPECT_TRUE(expensive.verify(argon2i.data(), password));
    EXPECT_TRUE(expensive.needsRehash("garbage"));
}

// Unknown logins must cost what a wrong password costs. The fastest of several runs of each is
// compared, which filters out the noise of a shared machine.
TEST(PasswordHasher, DummyVerifyTakesAsLongAsAWrongPassword) {
    const PasswordHasher hasher = makeHasher();
    const std::string hash = hasher.hash("correct horse battery staple").value();
    using Clock = std::chrono::steady_clock;
    auto fastest = [](auto&& body) {
        auto best = Clock::duration::max();
        for (int i = 0; i < 5; ++i) {
            const auto start = Clock::now();
            body();
            best = std::min(best, Clock::now() - start);
        }
        return std::chrono::duration<double>(best).count();
    };
    const double wrong = fastest([&] { EXPECT_FALSE(hasher.verify(hash, "wrong password!!")); });
    const double dummy = fastest([&] { hasher.dummyVerify("wrong password!!"); });
    EXPECT_GT(wrong, 0.001);  // Argon2id at 19 MiB is never this fast
    EXPECT_GT(dummy, wrong * 0.6) << "dummy " << dummy << " s, wrong " << wrong << " s";
    EXPECT_LT(dummy, wrong * 1.6) << "dummy " << dummy << " s, wrong " << wrong << " s";
}

TEST(PasswordPolicy, AcceptsLongEnoughPassword) {
    EXPECT_TRUE(checkPasswordPolicy("twelve chars", "alice").has_value());
}

TEST(PasswordPolicy, CountsCharactersNotBytes) {
    // 11 characters, 22 bytes: too short although longer than 12 bytes.
    const std::string elevenUmlauts = "ääääääääääà";
    auto outcome = checkPasswordPolicy(elevenUmlauts, "alice");
    ASSERT_FALSE(outcome.has_value());
    EXPECT_TRUE(hasFieldError(outcome.error(), "/password", "at least 12"));
    EXPECT_TRUE(checkPasswordPolicy(elevenUmlauts + "x", "alice").has_value());
}

TEST(PasswordPolicy, RefusesTooShortTooLongAndLogin) {
    auto tooShort = checkPasswordPolicy("elevenchars", "alice", "/new_password");
    ASSERT_FALSE(tooShort.has_value());
    EXPECT_EQ(tooShort.error().code, ErrorCode::Invalid);
    EXPECT_TRUE(hasFieldError(tooShort.error(), "/new_password", "at least 12"));

    auto tooLong = checkPasswordPolicy(std::string(kMaxPasswordBytes + 1, 'a'), "alice");
    ASSERT_FALSE(tooLong.has_value());
    EXPECT_TRUE(hasFieldError(tooLong.error(), "/password", "at most 1024"));
    EXPECT_TRUE(checkPasswordPolicy(std::string(kMaxPasswordBytes, 'a'), "alice").has_value());

    auto isLogin = checkPasswordPolicy("Alice.Operator", "alice.operator");
    ASSERT_FALSE(isLogin.has_value());
    EXPECT_TRUE(hasFieldError(isLogin.error(), "/password", "login"));
}

}  // namespace
}  // namespace dnsfleet::controld::accounts
