#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <fstream>
#include <iterator>
#include <sstream>

#include "controld/main/daemon.hpp"

namespace dnsfleet::controld::daemon {
namespace {

class FleetKey : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = std::filesystem::temp_directory_path() /
               ("fleet-key-" + std::to_string(::getpid()) + "-" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        std::filesystem::remove_all(dir_);
        settings_.dataDirectory = dir_;
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }

    std::filesystem::path dir_;
    config::Settings settings_;
    std::array<std::uint8_t, accounts::SecretBox::kKeyBytes> key_{7};
    accounts::SecretBox box_ = accounts::SecretBox::fromKey(key_);
};

TEST_F(FleetKey, GeneratedOnceThenTheSameOnEveryStart) {
    const std::string first = loadOrCreateFleetSecret(settings_, box_);
    EXPECT_EQ(first.size(), 44U);  // 32 random bytes in base64
    EXPECT_EQ(loadOrCreateFleetSecret(settings_, box_), first);
    EXPECT_EQ(withFleetSecret(settings_, box_).fleet.tsigSecret, first);

    struct stat info {};
    ASSERT_EQ(::stat(fleetKeyFile(settings_).c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 0777U, 0600U);
    // Sealed, not in clear: a copy of the data directory without the secret key reveals nothing.
    std::ifstream in(fleetKeyFile(settings_), std::ios::binary);
    const std::string stored{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    EXPECT_EQ(stored.find(first), std::string::npos);
}

TEST_F(FleetKey, AnotherDataDirectoryGetsAnotherSecret) {
    const std::string first = loadOrCreateFleetSecret(settings_, box_);
    config::Settings other = settings_;
    other.dataDirectory = dir_ / "other";
    EXPECT_NE(loadOrCreateFleetSecret(other, box_), first);
}

TEST_F(FleetKey, ConfiguredSecretWinsAndNothingIsWritten) {
    settings_.fleet.tsigSecret = "c2VjcmV0";
    EXPECT_EQ(loadOrCreateFleetSecret(settings_, box_), "c2VjcmV0");
    EXPECT_FALSE(std::filesystem::exists(fleetKeyFile(settings_)));
}

TEST_F(FleetKey, UnderAnotherSecretKeyTheFileIsRefused) {
    (void)loadOrCreateFleetSecret(settings_, box_);
    std::array<std::uint8_t, accounts::SecretBox::kKeyBytes> otherKey{9};
    const auto otherBox = accounts::SecretBox::fromKey(otherKey);
    EXPECT_THROW((void)loadOrCreateFleetSecret(settings_, otherBox), std::runtime_error);
}

TEST_F(FleetKey, PrintsTheAuthdKeyStanza) {
    settings_.fleet.tsigSecret = "c2VjcmV0";
    std::ostringstream out;
    printFleetKey(settings_, out);
    EXPECT_EQ(out.str(),
              "[[key]]\nid = \"dnsfleet-fleet\"\nalgorithm = \"hmac-sha256\"\n"
              "secret = \"c2VjcmV0\"\n");
}

}  // namespace
}  // namespace dnsfleet::controld::daemon
