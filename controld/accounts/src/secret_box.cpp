#include "controld/accounts/secret_box.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <utility>

namespace dnsfleet::controld::accounts {
namespace {

constexpr std::size_t kHeaderBytes = 1 + crypto_secretbox_NONCEBYTES;

void ensureSodium() {
    static const bool ready = sodium_init() >= 0;
    if (!ready) {
        std::abort();
    }
}

ServiceError keyFileError(const std::filesystem::path& path, const std::string& reason) {
    ServiceError error;
    error.code = ErrorCode::Internal;
    error.detail = "secret key file " + path.string() + ": " + reason;
    return error;
}

std::string errnoText(int error) {
    return std::strerror(error);
}

ServiceError cannotDecrypt() {
    ServiceError error;
    error.code = ErrorCode::Internal;
    error.detail = "cannot decrypt secret (tampered with, or sealed under another key)";
    return error;
}

/// Closes a descriptor on every return path.
class FileDescriptor {
  public:
    explicit FileDescriptor(int fd) noexcept : fd_(fd) {}
    FileDescriptor(const FileDescriptor&) = delete;
    FileDescriptor& operator=(const FileDescriptor&) = delete;
    ~FileDescriptor() {
        if (fd_ >= 0) {
            ::close(fd_);
        }
    }
    [[nodiscard]] int get() const noexcept { return fd_; }

  private:
    int fd_;
};

/// All `size` bytes through `io` (::read or ::write), across short transfers and EINTR.
template <typename Byte, typename Io>
bool transferFully(int fd, Byte* data, std::size_t size, Io io) {
    std::size_t done = 0;
    while (done < size) {
        const ssize_t n = io(fd, data + done, size - done);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return false;
        }
        done += static_cast<std::size_t>(n);
    }
    return true;
}

bool readFully(int fd, std::uint8_t* out, std::size_t size) {
    return transferFully(fd, out, size, ::read);
}

bool writeFully(int fd, const std::uint8_t* data, std::size_t size) {
    return transferFully(fd, data, size, ::write);
}

}  // namespace

SecretBox::SecretBox() {
    ensureSodium();
    key_ = static_cast<std::uint8_t*>(sodium_malloc(kKeyBytes));
    if (key_ == nullptr) {
        throw std::bad_alloc();
    }
}

SecretBox::SecretBox(SecretBox&& other) noexcept : key_(std::exchange(other.key_, nullptr)) {}

SecretBox& SecretBox::operator=(SecretBox&& other) noexcept {
    if (this != &other) {
        release();
        key_ = std::exchange(other.key_, nullptr);
    }
    return *this;
}

SecretBox::~SecretBox() {
    release();
}

void SecretBox::release() noexcept {
    if (key_ != nullptr) {
        sodium_memzero(key_, kKeyBytes);
        sodium_free(key_);  // also unlocks the pages
        key_ = nullptr;
    }
}

SecretBox SecretBox::fromKey(std::span<const std::uint8_t, kKeyBytes> key) {
    SecretBox box;
    std::memcpy(box.key_, key.data(), kKeyBytes);
    return box;
}

Outcome<SecretBox> SecretBox::loadOrCreate(const std::filesystem::path& path) {
    SecretBox box;
    // Bounded: at most one lost creation race with another process, then the file exists.
    for (int attempt = 0; attempt < 2; ++attempt) {
        const FileDescriptor existing(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
        if (existing.get() >= 0) {
            struct stat status {};
            if (::fstat(existing.get(), &status) != 0) {
                return fail(keyFileError(path, "cannot stat: " + errnoText(errno)));
            }
            if (!S_ISREG(status.st_mode)) {
                return fail(keyFileError(path, "is not a regular file"));
            }
            if ((status.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
                char mode[8] = {};
                std::snprintf(mode, sizeof mode, "%04o", status.st_mode & 07777U);
                return fail(
                    keyFileError(path, std::string("is accessible by group or others (mode ") +
                                           mode + "); it must be mode 0600"));
            }
            if (status.st_size != static_cast<off_t>(kKeyBytes)) {
                return fail(keyFileError(path, "must be exactly " + std::to_string(kKeyBytes) +
                                                   " bytes, is " + std::to_string(status.st_size)));
            }
            if (!readFully(existing.get(), box.key_, kKeyBytes)) {
                return fail(keyFileError(path, "cannot read: " + errnoText(errno)));
            }
            return Outcome<SecretBox>(std::move(box));
        }
        if (errno != ENOENT) {
            return fail(keyFileError(path, "cannot open: " + errnoText(errno)));
        }
        const FileDescriptor created(
            ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
        if (created.get() < 0) {
            if (errno == EEXIST) {
                continue;  // another process created it meanwhile: read theirs
            }
            return fail(keyFileError(path, "cannot create: " + errnoText(errno)));
        }
        randombytes_buf(box.key_, kKeyBytes);
        if (::fchmod(created.get(), 0600) != 0 || !writeFully(created.get(), box.key_, kKeyBytes) ||
            ::fsync(created.get()) != 0) {
            const std::string reason = errnoText(errno);
            ::unlink(path.c_str());  // a half-written key would be refused at the next start
            return fail(keyFileError(path, "cannot write: " + reason));
        }
        return Outcome<SecretBox>(std::move(box));
    }
    return fail(keyFileError(path, "appeared and vanished while being opened"));
}

std::vector<std::uint8_t> SecretBox::seal(std::span<const std::uint8_t> plaintext) const {
    std::vector<std::uint8_t> sealed(kHeaderBytes + crypto_secretbox_MACBYTES + plaintext.size());
    sealed[0] = kVersion;
    std::uint8_t* nonce = sealed.data() + 1;
    // 24 random bytes: XSalsa20's nonce is long enough that random nonces never collide.
    randombytes_buf(nonce, crypto_secretbox_NONCEBYTES);
    crypto_secretbox_easy(sealed.data() + kHeaderBytes, plaintext.data(), plaintext.size(), nonce,
                          key_);
    return sealed;
}

std::vector<std::uint8_t> SecretBox::seal(std::string_view plaintext) const {
    return seal(std::span<const std::uint8_t>(
        reinterpret_cast<const std::uint8_t*>(plaintext.data()), plaintext.size()));
}

Outcome<std::vector<std::uint8_t>> SecretBox::open(std::span<const std::uint8_t> sealed) const {
    if (sealed.size() < kHeaderBytes + crypto_secretbox_MACBYTES || sealed[0] != kVersion) {
        return fail(cannotDecrypt());
    }
    const std::size_t cipherBytes = sealed.size() - kHeaderBytes;
    std::vector<std::uint8_t> plaintext(cipherBytes - crypto_secretbox_MACBYTES);
    if (crypto_secretbox_open_easy(plaintext.data(), sealed.data() + kHeaderBytes, cipherBytes,
                                   sealed.data() + 1, key_) != 0) {
        return fail(cannotDecrypt());
    }
    return plaintext;
}

Outcome<std::string> SecretBox::openText(std::span<const std::uint8_t> sealed) const {
    auto bytes = open(sealed);
    if (!bytes) {
        return fail(std::move(bytes).error());
    }
    std::string text(bytes->begin(), bytes->end());
    sodium_memzero(bytes->data(), bytes->size());
    return text;
}

}  // namespace dnsfleet::controld::accounts
