#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <vector>

#include "controld/main/daemon.hpp"

namespace dnsfleet::controld::daemon {

namespace {

constexpr std::size_t kSecretBytes = 32;

std::string freshSecret() {
    std::array<unsigned char, kSecretBytes> random{};
    if (RAND_bytes(random.data(), static_cast<int>(random.size())) != 1)
        throw std::runtime_error("fleet TSIG key: no random bytes");
    std::array<unsigned char, 4 * ((kSecretBytes + 2) / 3) + 1> encoded{};
    const int length =
        EVP_EncodeBlock(encoded.data(), random.data(), static_cast<int>(random.size()));
    return {reinterpret_cast<const char*>(encoded.data()),  // NOLINT: byte view
            static_cast<std::size_t>(length)};
}

std::vector<std::uint8_t> readFile(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error(path.string() + ": cannot be read");
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// O_EXCL: of two processes starting at once, exactly one writes the key and the other reads it.
bool createExclusively(const std::filesystem::path& path, const std::vector<std::uint8_t>& data) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        if (errno == EEXIST) return false;
        throw std::runtime_error(path.string() + ": " + std::strerror(errno));
    }
    std::size_t written = 0;
    while (written < data.size()) {
        const ssize_t n = ::write(fd, data.data() + written, data.size() - written);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            ::close(fd);
            ::unlink(path.c_str());
            throw std::runtime_error(path.string() + ": cannot be written");
        }
        written += static_cast<std::size_t>(n);
    }
    const bool synced = ::fsync(fd) == 0;
    ::close(fd);
    if (!synced) throw std::runtime_error(path.string() + ": cannot be synced");
    return true;
}

}  // namespace

std::filesystem::path fleetKeyFile(const config::Settings& settings) {
    return settings.dataDirectory / "fleet-tsig.sealed";
}

std::string loadOrCreateFleetSecret(const config::Settings& settings,
                                    const accounts::SecretBox& secrets) {
    if (!settings.fleet.tsigSecret.empty()) return settings.fleet.tsigSecret;
    const std::filesystem::path path = fleetKeyFile(settings);
    std::filesystem::create_directories(path.parent_path());
    if (!std::filesystem::exists(path)) {
        std::string secret = freshSecret();
        if (createExclusively(path, secrets.seal(secret))) return secret;
    }
    auto opened = secrets.openText(readFile(path));
    if (!opened) throw std::runtime_error(path.string() + ": " + opened.error().detail);
    return std::move(*opened);
}

config::Settings withFleetSecret(const config::Settings& settings,
                                 const accounts::SecretBox& secrets) {
    config::Settings completed = settings;
    completed.fleet.tsigSecret = loadOrCreateFleetSecret(settings, secrets);
    return completed;
}

void printFleetKey(const config::Settings& settings, std::ostream& out) {
    out << "[[key]]\n"
        << "id = \"" << settings.fleet.tsigKeyName << "\"\n"
        << "algorithm = \"" << settings.fleet.tsigAlgorithm << "\"\n"
        << "secret = \"" << settings.fleet.tsigSecret << "\"\n";
}

}  // namespace dnsfleet::controld::daemon
