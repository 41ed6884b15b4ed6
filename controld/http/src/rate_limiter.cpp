#include "controld/http/rate_limiter.hpp"

#include <algorithm>
#include <cmath>

namespace dnsfleet::controld::http {

RateLimiter::RateLimiter(double perSecond, double burst, std::size_t maxKeys)
    : perSecond_(perSecond),
      burst_(std::max(1.0, burst)),
      maxKeys_(std::max<std::size_t>(1, maxKeys)) {}

std::optional<int> RateLimiter::take(const std::string& key, Timestamp now) {
    const std::lock_guard lock(mutex_);
    auto it = buckets_.find(key);
    if (it == buckets_.end()) {
        if (buckets_.size() >= maxKeys_) forgetFullBuckets(now);
        it = buckets_.emplace(key, Bucket{burst_, now}).first;
    }
    Bucket& bucket = it->second;
    const double elapsed = static_cast<double>(std::max<Timestamp>(0, now - bucket.updated)) / 1e6;
    bucket.tokens = std::min(burst_, bucket.tokens + elapsed * perSecond_);
    bucket.updated = std::max(bucket.updated, now);
    if (bucket.tokens >= 1.0) {
        bucket.tokens -= 1.0;
        return std::nullopt;
    }
    const double wait = (1.0 - bucket.tokens) / perSecond_;
    return std::max(1, static_cast<int>(std::ceil(std::min(wait, 86400.0))));
}

// A full bucket is the same as no bucket, so forgetting it changes nothing; this bounds the map
// when many source addresses come and go. If every bucket is in use the oldest half goes.
void RateLimiter::forgetFullBuckets(Timestamp now) {
    for (auto it = buckets_.begin(); it != buckets_.end();) {
        const double elapsed =
            static_cast<double>(std::max<Timestamp>(0, now - it->second.updated)) / 1e6;
        if (it->second.tokens + elapsed * perSecond_ >= burst_) {
            it = buckets_.erase(it);
        } else {
            ++it;
        }
    }
    if (buckets_.size() < maxKeys_) return;
    std::vector<Timestamp> times;
    times.reserve(buckets_.size());
    for (const auto& [key, bucket] : buckets_)
        times.push_back(bucket.updated);
    const auto middle = times.begin() + static_cast<std::ptrdiff_t>(times.size() / 2);
    std::nth_element(times.begin(), middle, times.end());
    const Timestamp cutoff = *middle;
    for (auto it = buckets_.begin(); it != buckets_.end();) {
        it = it->second.updated <= cutoff ? buckets_.erase(it) : std::next(it);
    }
}

}  // namespace dnsfleet::controld::http
