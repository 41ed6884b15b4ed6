#pragma once
/// \file
/// Token buckets per key (a contract, a staff account or a source address), so that one tenant
/// cannot starve the others.
#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "controld/core/context.hpp"

namespace dnsfleet::controld::http {

class RateLimiter {
  public:
    /// Each key may spend `burst` requests at once, refilled at `perSecond`.
    RateLimiter(double perSecond, double burst, std::size_t maxKeys = 100'000);

    /// Takes one token for `key` at `now`; nullopt when allowed, else the seconds (at least 1)
    /// until a token is available again.
    [[nodiscard]] std::optional<int> take(const std::string& key, Timestamp now);

  private:
    struct Bucket {
        double tokens = 0;
        Timestamp updated = 0;
    };
    void forgetFullBuckets(Timestamp now);

    double perSecond_;
    double burst_;
    std::size_t maxKeys_;
    std::mutex mutex_;
    std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace dnsfleet::controld::http
