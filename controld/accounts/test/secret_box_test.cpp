#include "controld/accounts/secret_box.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace dnsfleet::controld::accounts {
namespace {

namespace fs = std::filesystem;

/// A fresh directory, removed afterwards.
class SecretBoxFile : public ::testing::Test {
  protected:
    void SetUp() override {
        std::string pattern = (fs::temp_directory_path() / "secret_box_XXXXXX").string();
        ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
        dir_ = pattern;
    }
    void TearDown() override {
        std::error_code ignored;
        fs::remove_all(dir_, ignored);
    }
    [[nodiscard]] fs::path keyPath() const { return dir_ / "secret.key"; }

    static void writeFile(const fs::path& path, const std::string& content, mode_t mode) {
        {
            std::ofstream out(path, std::ios::binary);
            out << content;
        }
        ASSERT_EQ(::chmod(path.c_str(), mode), 0);
    }

    fs::path dir_;
};

std::array<std::uint8_t, SecretBox::kKeyBytes> keyOf(std::uint8_t fill) {
    std::array<std::uint8_t, SecretBox::kKeyBytes> key{};
    key.fill(fill);
    return key;
}

TEST(SecretBox, RoundTripsBytesAndText) {
    const auto box = SecretBox::fromKey(keyOf(7));
    const std::vector<std::uint8_t> secret{0, 1, 2, 255, 0};
    const auto sealed = box.seal(std::span<const std::uint8_t>(secret));
    auto opened = box.open(sealed);
    ASSERT_TRUE(opened.has_value());
    EXPECT_EQ(*opened, secret);

    const auto sealedText = box.seal(std::string_view("JBSWY3DPEHPK3PXP"));
    auto text = box.openText(sealedText);
    ASSERT_TRUE(text.has_value());
    EXPECT_EQ(*text, "JBSWY3DPEHPK3PXP");

    auto empty = box.open(box.seal(std::string_view()));
    ASSERT_TRUE(empty.has_value());
    EXPECT_TRUE(empty->empty());
}

TEST(SecretBox, SealedFormIsVersionedNonceFirstAndNeverRepeats) {
    const auto box = SecretBox::fromKey(keyOf(7));
    const auto a = box.seal(std::string_view("same secret"));
    const auto b = box.seal(std::string_view("same secret"));
    EXPECT_EQ(a.size(), 1u + 24u + 16u + 11u);
    EXPECT_EQ(a[0], SecretBox::kVersion);
    EXPECT_NE(a, b);  // fresh nonce each time
    // The plaintext does not appear in the sealed bytes.
    const std::string sealedText(a.begin(), a.end());
    EXPECT_EQ(sealedText.find("same secret"), std::string::npos);
}

TEST(SecretBox, TamperedCiphertextIsAnErrorValue) {
    const auto box = SecretBox::fromKey(keyOf(7));
    const auto sealed = box.seal(std::string_view("the TSIG secret"));
    for (std::size_t i = 0; i < sealed.size(); ++i) {
        auto tampered = sealed;
        tampered[i] ^= 0x01U;
        auto opened = box.open(tampered);
        ASSERT_FALSE(opened.has_value()) << "byte " << i;
        EXPECT_EQ(opened.error().code, ErrorCode::Internal);
    }
    auto truncated = sealed;
    truncated.pop_back();
    EXPECT_FALSE(box.open(truncated).has_value());
    EXPECT_FALSE(box.open({}).has_value());
    EXPECT_FALSE(box.open(std::vector<std::uint8_t>(40, 1)).has_value());
}

TEST(SecretBox, WrongKeyIsAnErrorValue) {
    const auto sealed = SecretBox::fromKey(keyOf(7)).seal(std::string_view("seed"));
    auto opened = SecretBox::fromKey(keyOf(8)).open(sealed);
    ASSERT_FALSE(opened.has_value());
    EXPECT_NE(opened.error().detail.find("cannot decrypt"), std::string::npos);
}

TEST(SecretBox, MovedBoxKeepsWorking) {
    auto original = SecretBox::fromKey(keyOf(9));
    const auto sealed = original.seal(std::string_view("seed"));
    SecretBox moved = std::move(original);
    EXPECT_EQ(moved.openText(sealed).value(), "seed");
    auto assigned = SecretBox::fromKey(keyOf(1));
    assigned = std::move(moved);
    EXPECT_EQ(assigned.openText(sealed).value(), "seed");
}

TEST_F(SecretBoxFile, CreatesKeyFile0600AndReadsTheSameKeyBack) {
    auto created = SecretBox::loadOrCreate(keyPath());
    ASSERT_TRUE(created.has_value()) << created.error().detail;
    struct stat status {};
    ASSERT_EQ(::stat(keyPath().c_str(), &status), 0);
    EXPECT_EQ(status.st_mode & 07777U, 0600U);
    EXPECT_EQ(status.st_size, 32);

    const auto sealed = created->seal(std::string_view("smtp password"));
    auto loaded = SecretBox::loadOrCreate(keyPath());
    ASSERT_TRUE(loaded.has_value()) << loaded.error().detail;
    EXPECT_EQ(loaded->openText(sealed).value(), "smtp password");
}

TEST_F(SecretBoxFile, TwoCreatedKeysDiffer) {
    auto a = SecretBox::loadOrCreate(dir_ / "a.key");
    auto b = SecretBox::loadOrCreate(dir_ / "b.key");
    ASSERT_TRUE(a.has_value());
    ASSERT_TRUE(b.has_value());
    EXPECT_FALSE(b->open(a->seal(std::string_view("x"))).has_value());
}

TEST_F(SecretBoxFile, UsesAnExistingKeyFile) {
    const auto key = keyOf(42);
    writeFile(keyPath(), std::string(key.begin(), key.end()), 0600);
    auto loaded = SecretBox::loadOrCreate(keyPath());
    ASSERT_TRUE(loaded.has_value()) << loaded.error().detail;
    const auto sealed = SecretBox::fromKey(key).seal(std::string_view("seed"));
    EXPECT_EQ(loaded->openText(sealed).value(), "seed");
}

TEST_F(SecretBoxFile, RefusesKeyFileReadableByGroupOrOthers) {
    const std::string key(32, 'k');
    for (const mode_t mode : {0640U, 0604U, 0660U, 0620U, 0644U}) {
        writeFile(keyPath(), key, mode);
        auto loaded = SecretBox::loadOrCreate(keyPath());
        ASSERT_FALSE(loaded.has_value()) << std::oct << mode;
        EXPECT_NE(loaded.error().detail.find("group or others"), std::string::npos)
            << loaded.error().detail;
        EXPECT_NE(loaded.error().detail.find(keyPath().string()), std::string::npos);
    }
    writeFile(keyPath(), key, 0400);
    EXPECT_TRUE(SecretBox::loadOrCreate(keyPath()).has_value());
}

TEST_F(SecretBoxFile, RefusesKeyFileOfWrongSize) {
    for (const std::size_t size : {0UL, 16UL, 31UL, 33UL, 64UL}) {
        writeFile(keyPath(), std::string(size, 'k'), 0600);
        auto loaded = SecretBox::loadOrCreate(keyPath());
        ASSERT_FALSE(loaded.has_value()) << size;
        EXPECT_NE(loaded.error().detail.find("exactly 32 bytes"), std::string::npos)
            << loaded.error().detail;
    }
}

TEST_F(SecretBoxFile, RefusesDirectoriesSymlinksAndMissingParents) {
    fs::create_directory(keyPath());
    EXPECT_FALSE(SecretBox::loadOrCreate(keyPath()).has_value());
    fs::remove(keyPath());

    const auto key = keyOf(1);
    writeFile(dir_ / "real.key", std::string(key.begin(), key.end()), 0600);
    fs::create_symlink(dir_ / "real.key", keyPath());
    EXPECT_FALSE(SecretBox::loadOrCreate(keyPath()).has_value());

    auto missing = SecretBox::loadOrCreate(dir_ / "no" / "such" / "secret.key");
    ASSERT_FALSE(missing.has_value());
    EXPECT_NE(missing.error().detail.find("cannot create"), std::string::npos)
        << missing.error().detail;
}

}  // namespace
}  // namespace dnsfleet::controld::accounts
