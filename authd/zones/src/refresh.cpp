#include "authd/zones/refresh.hpp"

#include <algorithm>

namespace dnsfleet::authd::zones {

namespace {

// While nothing is served the first attempts come quickly (a freshly added secondary zone
// should not wait for the 10-minute default retry), doubling from this up to `retry`.
constexpr std::chrono::seconds kFirstRetry{1};
// 2^20 s is far beyond any retry; the cap keeps the shift defined.
constexpr unsigned kMaxBackoffShift = 20;

std::uint32_t readU32(const std::uint8_t* p) noexcept {
    return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
           std::uint32_t{p[3]};
}

// Skips one uncompressed wire name; false when it runs past `size` or is malformed.
bool skipName(const std::uint8_t* rdata, std::size_t size, std::size_t& pos) noexcept {
    for (std::size_t labels = 0; labels < 128; ++labels) {
        if (pos >= size) return false;
        const std::uint8_t length = rdata[pos];
        if (length == 0) {
            ++pos;
            return true;
        }
        if (length > 63) return false;  // compression has no place in stored RDATA
        pos += 1U + length;
    }
    return false;
}

Clock::time_point later(Clock::time_point a, Clock::time_point b) noexcept {
    return a > b ? a : b;
}

}  // namespace

std::chrono::seconds clampTimer(std::chrono::seconds value, std::chrono::seconds min,
                                std::chrono::seconds max) noexcept {
    if (min.count() > 0 && value < min) value = min;
    if (max.count() > 0 && value > max) value = max;
    return value;
}

std::optional<SoaTimers> soaTimers(const std::uint8_t* rdata, std::size_t size) noexcept {
    if (rdata == nullptr) return std::nullopt;
    std::size_t pos = 0;
    const bool skippedMname = skipName(rdata, size, pos);
    if (!skippedMname || !skipName(rdata, size, pos)) return std::nullopt;
    // SERIAL REFRESH RETRY EXPIRE MINIMUM, 32 bits each, and nothing after them.
    if (size - pos != 20) return std::nullopt;
    SoaTimers timers;
    timers.refresh = std::chrono::seconds{readU32(rdata + pos + 4)};
    timers.retry = std::chrono::seconds{readU32(rdata + pos + 8)};
    timers.expire = std::chrono::seconds{readU32(rdata + pos + 12)};
    return timers;
}

RefreshSchedule::RefreshSchedule(Clock::time_point now) noexcept : refreshAt_(now) {}

void RefreshSchedule::finishRun(Clock::time_point now) noexcept {
    running_ = false;
    // A NOTIFY that came while the refresh ran may announce a version newer than the one it
    // fetched (RFC 1996 §4.7), so one more refresh follows at once. The flag stays until the
    // next onStarted(), so a second completion call (onVersion then onSuccess) keeps it.
    if (notifiedWhileRunning_) refreshAt_ = now;
}

void RefreshSchedule::onVersion(const SoaTimers& timers, Clock::time_point lastSuccess,
                                Clock::time_point now) noexcept {
    timers_ = timers;
    serving_ = true;
    failuresInARow_ = 0;
    expireAt_ = lastSuccess + timers.expire;
    refreshAt_ = later(lastSuccess + timers.refresh, now);
    finishRun(now);
}

void RefreshSchedule::onSuccess(const SoaTimers& timers, Clock::time_point now) noexcept {
    timers_ = timers;
    failuresInARow_ = 0;
    // RFC 1035 §4.3.5: expire counts from the last time the primary confirmed the data.
    if (serving_) expireAt_ = now + timers.expire;
    refreshAt_ = now + timers.refresh;
    finishRun(now);
}

void RefreshSchedule::onFailure(Clock::time_point now) noexcept {
    ++failuresInARow_;
    std::chrono::seconds wait = timers_.retry;
    if (!serving_) {
        const unsigned shift = std::min(failuresInARow_ - 1U, kMaxBackoffShift);
        const std::chrono::seconds backoff = kFirstRetry * (std::int64_t{1} << shift);
        wait = std::max(std::min(backoff, timers_.retry), kFirstRetry);
    }
    refreshAt_ = now + wait;
    finishRun(now);
}

void RefreshSchedule::onNotify(Clock::time_point now) noexcept {
    if (running_) {
        notifiedWhileRunning_ = true;
        return;
    }
    refreshAt_ = now;
}

void RefreshSchedule::onStarted() noexcept {
    running_ = true;
    notifiedWhileRunning_ = false;
}

void RefreshSchedule::onExpired(Clock::time_point now) noexcept {
    serving_ = false;
    expireAt_ = Clock::time_point::max();
    failuresInARow_ = 0;
    if (!running_) refreshAt_ = std::min(refreshAt_, now + kFirstRetry);
}

RefreshAction RefreshSchedule::due(Clock::time_point now) noexcept {
    if (serving_ && now >= expireAt_) {
        // Reported once: a caller that keeps asking must get to Refresh again, or an expired
        // zone would never be pulled back.
        onExpired(now);
        return RefreshAction::Expire;
    }
    if (running_) return RefreshAction::None;
    return now >= refreshAt_ ? RefreshAction::Refresh : RefreshAction::None;
}

Clock::time_point RefreshSchedule::next() const noexcept {
    const Clock::time_point expire = serving_ ? expireAt_ : Clock::time_point::max();
    if (running_) return expire;
    return std::min(refreshAt_, expire);
}

}  // namespace dnsfleet::authd::zones
