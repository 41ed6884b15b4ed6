#include "controld/accounts/password.hpp"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <semaphore>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace dnsfleet::controld::accounts {
namespace {

void ensureSodium() {
    // sodium_init is idempotent and thread-safe; it fails only when the system has no entropy
    // source, and then no password may be hashed at all.
    static const bool ready = sodium_init() >= 0;
    if (!ready) {
        std::abort();
    }
}

constexpr std::string_view kArgon2idPrefix = "$argon2id$";

/// Argon2id holds its whole memory cost (19 MiB or more) while it runs: without a bound, a burst
/// of logins on every API thread would take that much memory per thread. Computations beyond
/// one per core wait their turn, which also leaves the other requests their CPU.
class Argon2Slot {
  public:
    Argon2Slot() { gate().acquire(); }
    ~Argon2Slot() { gate().release(); }
    Argon2Slot(const Argon2Slot&) = delete;
    Argon2Slot& operator=(const Argon2Slot&) = delete;

  private:
    static constexpr std::ptrdiff_t kMaxSlots = 64;
    static std::counting_semaphore<kMaxSlots>& gate() {
        static std::counting_semaphore<kMaxSlots> slots(
            std::clamp<std::ptrdiff_t>(std::thread::hardware_concurrency(), 1, kMaxSlots));
        return slots;
    }
};

bool asciiEqualIgnoringCase(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        auto lower = [](char c) {
            return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
        };
        if (lower(a[i]) != lower(b[i])) {
            return false;
        }
    }
    return true;
}

std::size_t countCodePoints(std::string_view text) noexcept {
    std::size_t count = 0;
    for (const char c : text) {
        // UTF-8 continuation bytes are 10xxxxxx; every other byte starts a character.
        if ((static_cast<unsigned char>(c) & 0xC0U) != 0x80U) {
            ++count;
        }
    }
    return count;
}

bool hashArgon2id(std::string_view password, std::uint64_t memoryBytes, std::uint64_t iterations,
                  std::string& out) {
    std::array<char, crypto_pwhash_STRBYTES> buffer{};
    const Argon2Slot slot;
    if (crypto_pwhash_str_alg(buffer.data(), password.data(), password.size(), iterations,
                              static_cast<std::size_t>(memoryBytes),
                              crypto_pwhash_ALG_ARGON2ID13) != 0) {
        return false;
    }
    out.assign(buffer.data());
    sodium_memzero(buffer.data(), buffer.size());
    return true;
}

}  // namespace

PasswordHasher::PasswordHasher(std::uint64_t memoryBytes, std::uint64_t iterations,
                               std::string dummyHash)
    : memoryBytes_(memoryBytes), iterations_(iterations), dummyHash_(std::move(dummyHash)) {}

Outcome<PasswordHasher> PasswordHasher::create(const config::AuthSettings& settings) {
    ensureSodium();
    const std::uint64_t memory = settings.argon2MemoryBytes;
    const std::uint64_t iterations = settings.argon2Iterations;
    std::vector<FieldError> fields;
    if (memory < kMinArgon2MemoryBytes || memory > std::numeric_limits<std::size_t>::max() ||
        memory > crypto_pwhash_argon2id_MEMLIMIT_MAX) {
        fields.push_back({"auth.argon2_memory_bytes",
                          "must be at least " + std::to_string(kMinArgon2MemoryBytes) +
                              " (19 MiB) and at most what libsodium accepts"});
    }
    if (iterations < kMinArgon2Iterations || iterations > crypto_pwhash_argon2id_OPSLIMIT_MAX) {
        fields.push_back(
            {"auth.argon2_iterations", "must be at least " + std::to_string(kMinArgon2Iterations)});
    }
    if (!fields.empty()) {
        return fail(invalid("the Argon2id cost is below the minimum", std::move(fields)));
    }
    // The dummy hash is of a random password nobody knows, at exactly the configured cost, so
    // that dummyVerify costs what a real verify costs.
    std::array<unsigned char, 32> secret{};
    randombytes_buf(secret.data(), secret.size());
    std::string dummy;
    const bool ok =
        hashArgon2id(std::string_view(reinterpret_cast<const char*>(secret.data()), secret.size()),
                     memory, iterations, dummy);
    sodium_memzero(secret.data(), secret.size());
    if (!ok) {
        ServiceError error;
        error.code = ErrorCode::Internal;
        error.detail = "cannot hash with Argon2id at the configured cost (out of memory?)";
        return fail(std::move(error));
    }
    return PasswordHasher(memory, iterations, std::move(dummy));
}

Outcome<std::string> PasswordHasher::hash(std::string_view password) const {
    if (password.size() > kMaxPasswordBytes) {
        return fail(invalid(
            "the password is too long",
            {{"/password", "must be at most " + std::to_string(kMaxPasswordBytes) + " bytes"}}));
    }
    std::string encoded;
    if (!hashArgon2id(password, memoryBytes_, iterations_, encoded)) {
        ServiceError error;
        error.code = ErrorCode::Internal;
        error.detail = "Argon2id hashing failed (out of memory?)";
        return fail(std::move(error));
    }
    return encoded;
}

bool PasswordHasher::verify(std::string_view encodedHash, std::string_view password) const {
    ensureSodium();
    if (password.size() > kMaxPasswordBytes || encodedHash.size() >= crypto_pwhash_STRBYTES) {
        return false;
    }
    // libsodium reads the hash as a C string.
    const std::string terminated(encodedHash);
    const Argon2Slot slot;
    return crypto_pwhash_str_verify(terminated.c_str(), password.data(), password.size()) == 0;
}

bool PasswordHasher::needsRehash(std::string_view encodedHash) const {
    ensureSodium();
    // crypto_pwhash_str_needs_rehash compares only the cost of an Argon2i hash, so the
    // algorithm is checked here: anything but Argon2id is rehashed.
    if (encodedHash.substr(0, kArgon2idPrefix.size()) != kArgon2idPrefix ||
        encodedHash.size() >= crypto_pwhash_STRBYTES) {
        return true;
    }
    const std::string terminated(encodedHash);
    return crypto_pwhash_str_needs_rehash(terminated.c_str(), iterations_,
                                          static_cast<std::size_t>(memoryBytes_)) != 0;
}

void PasswordHasher::dummyVerify(std::string_view password) const {
    [[maybe_unused]] const bool matched = verify(dummyHash_, password);
}

Outcome<void> checkPasswordPolicy(std::string_view password, std::string_view login,
                                  std::string_view field) {
    std::vector<FieldError> fields;
    const std::string name(field);
    if (countCodePoints(password) < kMinPasswordChars) {
        fields.push_back(
            {name, "must be at least " + std::to_string(kMinPasswordChars) + " characters long"});
    }
    if (password.size() > kMaxPasswordBytes) {
        fields.push_back({name, "must be at most " + std::to_string(kMaxPasswordBytes) + " bytes"});
    }
    if (!login.empty() && asciiEqualIgnoringCase(password, login)) {
        fields.push_back({name, "must not be the login"});
    }
    if (!fields.empty()) {
        return fail(invalid("the password does not meet the policy", std::move(fields)));
    }
    return {};
}

}  // namespace dnsfleet::controld::accounts
