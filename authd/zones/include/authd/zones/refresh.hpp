#pragma once
/// \file
/// The refresh timers of one secondary zone (RFC 1035 §4.3.5, RFC 1996), as an I/O-free state
/// machine: it is told what happened (a transfer succeeded or failed, a NOTIFY arrived, the
/// zone was loaded from disk) and answers what to do next and when. Time is passed in, so
/// tests drive it without sleeping.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>

namespace dnsfleet::authd::zones {

using Clock = std::chrono::steady_clock;

/// The SOA timers that drive a secondary, after the configured clamps.
struct SoaTimers {
    std::chrono::seconds refresh{3600};
    std::chrono::seconds retry{600};
    std::chrono::seconds expire{604800};
};

/// Clamps `value` into [min, max] where a bound of 0 means "none".
[[nodiscard]] std::chrono::seconds clampTimer(std::chrono::seconds value, std::chrono::seconds min,
                                              std::chrono::seconds max) noexcept;

/// Reads refresh, retry and expire from SOA RDATA (RFC 1035 §3.3.13).
[[nodiscard]] std::optional<SoaTimers> soaTimers(const std::uint8_t* rdata,
                                                 std::size_t size) noexcept;

/// What a secondary zone should do next.
enum class RefreshAction : std::uint8_t {
    None,     ///< wait until `due`
    Refresh,  ///< query the primaries' SOA and transfer when newer
    Expire,   ///< stop serving the zone (SOA expire reached without a successful refresh)
};

class RefreshSchedule {
  public:
    /// A zone with nothing yet: refresh at once.
    explicit RefreshSchedule(Clock::time_point now) noexcept;

    /// A version is being served (loaded from disk at start, or just transferred). `lastSuccess`
    /// is when the primary last confirmed it (for a version from disk: now, minus its age when
    /// known), which starts the expire clock.
    void onVersion(const SoaTimers& timers, Clock::time_point lastSuccess,
                   Clock::time_point now) noexcept;
    /// The primary confirmed our serial (SOA not newer) or a transfer succeeded.
    void onSuccess(const SoaTimers& timers, Clock::time_point now) noexcept;
    /// Every primary failed: try again after `retry` (RFC 1035), sooner for the first tries
    /// while nothing is served yet.
    void onFailure(Clock::time_point now) noexcept;
    /// A NOTIFY from a primary (or a forced refresh): refresh at once, unless one is running.
    void onNotify(Clock::time_point now) noexcept;
    /// A refresh was started (so a NOTIFY during it is remembered and honoured afterwards).
    void onStarted() noexcept;
    /// The zone was dropped: nothing is served any more, so refreshes are tried again soon,
    /// with the quick backoff of a zone that has nothing yet. due() does this itself when it
    /// reports Expire; calling it again is harmless.
    void onExpired(Clock::time_point now) noexcept;

    /// What to do at `now`. Expire is reported once: the schedule then counts the zone as no
    /// longer served (as onExpired() does), so the next calls answer Refresh again, with the
    /// quick backoff of a zone that has nothing, instead of Expire forever.
    [[nodiscard]] RefreshAction due(Clock::time_point now) noexcept;
    /// When the next action falls due.
    [[nodiscard]] Clock::time_point next() const noexcept;
    /// When the zone expires (time_point::max() when nothing is served).
    [[nodiscard]] Clock::time_point expiresAt() const noexcept { return expireAt_; }
    [[nodiscard]] bool running() const noexcept { return running_; }

  private:
    void finishRun(Clock::time_point now) noexcept;

    SoaTimers timers_;
    Clock::time_point refreshAt_;
    Clock::time_point expireAt_ = Clock::time_point::max();
    bool serving_ = false;
    bool running_ = false;
    bool notifiedWhileRunning_ = false;
    unsigned failuresInARow_ = 0;
};

}  // namespace dnsfleet::authd::zones
