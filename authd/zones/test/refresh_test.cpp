#include "authd/zones/refresh.hpp"

#include <gtest/gtest.h>

#include <array>
#include <vector>

namespace dnsfleet::authd::zones {
namespace {

using std::chrono::seconds;

const Clock::time_point t0 = Clock::time_point{} + std::chrono::hours(1000);

SoaTimers timers(int refresh, int retry, int expire) {
    return SoaTimers{seconds{refresh}, seconds{retry}, seconds{expire}};
}

TEST(ClampTimer, ZeroBoundsMeanNone) {
    EXPECT_EQ(clampTimer(seconds{5}, seconds{0}, seconds{0}), seconds{5});
    EXPECT_EQ(clampTimer(seconds{5}, seconds{10}, seconds{0}), seconds{10});
    EXPECT_EQ(clampTimer(seconds{500}, seconds{10}, seconds{100}), seconds{100});
    EXPECT_EQ(clampTimer(seconds{50}, seconds{10}, seconds{100}), seconds{50});
}

TEST(SoaTimers, ReadsRefreshRetryExpireAfterTheTwoNames) {
    // ns.example. hostmaster.example. 2024010101 7200 900 1209600 300
    std::vector<std::uint8_t> rdata = {2,   'n', 's', 7, 'e', 'x', 'a', 'm',
                                       'p', 'l', 'e', 0, 1,   'h', 0};
    const std::array<std::uint32_t, 5> fields = {2024010101U, 7200, 900, 1209600, 300};
    for (std::uint32_t v : fields) {
        for (int shift = 24; shift >= 0; shift -= 8) {
            rdata.push_back(static_cast<std::uint8_t>(v >> shift));
        }
    }
    const auto parsed = soaTimers(rdata.data(), rdata.size());
    ASSERT_TRUE(parsed.has_value());
    EXPECT_EQ(parsed->refresh, seconds{7200});
    EXPECT_EQ(parsed->retry, seconds{900});
    EXPECT_EQ(parsed->expire, seconds{1209600});

    EXPECT_FALSE(soaTimers(rdata.data(), rdata.size() - 1).has_value());
    rdata.push_back(0);
    EXPECT_FALSE(soaTimers(rdata.data(), rdata.size()).has_value());
    const std::uint8_t rootOnly[] = {0};
    EXPECT_FALSE(soaTimers(rootOnly, sizeof rootOnly).has_value());
}

TEST(RefreshSchedule, NewZoneRefreshesAtOnce) {
    RefreshSchedule s(t0);
    EXPECT_EQ(s.due(t0), RefreshAction::Refresh);
    EXPECT_EQ(s.next(), t0);
    EXPECT_EQ(s.expiresAt(), Clock::time_point::max());
}

TEST(RefreshSchedule, RefreshFallsDueAtRefresh) {
    RefreshSchedule s(t0);
    s.onStarted();
    s.onVersion(timers(3600, 600, 86400), t0, t0);
    EXPECT_FALSE(s.running());
    EXPECT_EQ(s.due(t0 + seconds{3599}), RefreshAction::None);
    EXPECT_EQ(s.next(), t0 + seconds{3600});
    EXPECT_EQ(s.due(t0 + seconds{3600}), RefreshAction::Refresh);
    EXPECT_EQ(s.expiresAt(), t0 + seconds{86400});
}

TEST(RefreshSchedule, FailureRetriesAfterRetry) {
    RefreshSchedule s(t0);
    s.onVersion(timers(3600, 600, 86400), t0, t0);
    const auto t1 = t0 + seconds{3600};
    s.onStarted();
    EXPECT_EQ(s.due(t1), RefreshAction::None);  // running: not due twice
    s.onFailure(t1);
    EXPECT_EQ(s.due(t1 + seconds{599}), RefreshAction::None);
    EXPECT_EQ(s.due(t1 + seconds{600}), RefreshAction::Refresh);
    EXPECT_EQ(s.next(), t1 + seconds{600});
}

TEST(RefreshSchedule, ExpiresWhenNoRefreshSucceedsWithinExpire) {
    RefreshSchedule s(t0);
    s.onVersion(timers(3600, 600, 7200), t0, t0);
    auto now = t0 + seconds{3600};
    // Every attempt fails; expire counts from the last success, not from the failures.
    for (int i = 0; i < 20 && now < t0 + seconds{7200}; ++i) {
        ASSERT_EQ(s.due(now), RefreshAction::Refresh);
        s.onStarted();
        s.onFailure(now);
        now = s.next();
    }
    EXPECT_EQ(s.next(), t0 + seconds{7200});
    EXPECT_EQ(s.due(t0 + seconds{7199}), RefreshAction::None);
    EXPECT_EQ(s.due(t0 + seconds{7200}), RefreshAction::Expire);
}

TEST(RefreshSchedule, SuccessMovesTheExpireClock) {
    RefreshSchedule s(t0);
    s.onVersion(timers(3600, 600, 7200), t0, t0);
    s.onStarted();
    s.onSuccess(timers(3600, 600, 7200), t0 + seconds{3600});  // SOA not newer: confirmed
    EXPECT_EQ(s.expiresAt(), t0 + seconds{3600 + 7200});
    EXPECT_EQ(s.due(t0 + seconds{7200}), RefreshAction::Refresh);
    EXPECT_NE(s.due(t0 + seconds{7200}), RefreshAction::Expire);
}

TEST(RefreshSchedule, ExpireWinsEvenWhileARefreshRuns) {
    RefreshSchedule s(t0);
    s.onVersion(timers(3600, 600, 7200), t0, t0);
    s.onStarted();
    EXPECT_EQ(s.next(), t0 + seconds{7200});
    EXPECT_EQ(s.due(t0 + seconds{7200}), RefreshAction::Expire);
}

TEST(RefreshSchedule, VersionFromDiskKeepsItsAge) {
    RefreshSchedule s(t0);
    // Transferred 5000 s before the restart: refresh is overdue, expire is near.
    s.onVersion(timers(3600, 600, 7200), t0 - seconds{5000}, t0);
    EXPECT_EQ(s.due(t0), RefreshAction::Refresh);
    EXPECT_EQ(s.expiresAt(), t0 + seconds{2200});
}

TEST(RefreshSchedule, NotifyRefreshesImmediately) {
    RefreshSchedule s(t0);
    s.onVersion(timers(3600, 600, 86400), t0, t0);
    const auto t1 = t0 + seconds{10};
    EXPECT_EQ(s.due(t1), RefreshAction::None);
    s.onNotify(t1);
    EXPECT_EQ(s.due(t1), RefreshAction::Refresh);
    EXPECT_EQ(s.next(), t1);
}

TEST(RefreshSchedule, NotifyWhileRunningRefreshesAgainRightAfter) {
    RefreshSchedule s(t0);
    s.onVersion(timers(3600, 600, 86400), t0, t0);
    s.onNotify(t0 + seconds{1});
    s.onStarted();
    s.onNotify(t0 + seconds{2});  // a newer version may exist than the one being fetched
    EXPECT_EQ(s.due(t0 + seconds{2}), RefreshAction::None);
    s.onVersion(timers(3600, 600, 86400), t0 + seconds{3}, t0 + seconds{3});
    s.onSuccess(timers(3600, 600, 86400), t0 + seconds{3});
    EXPECT_EQ(s.due(t0 + seconds{3}), RefreshAction::Refresh);
    s.onStarted();
    s.onSuccess(timers(3600, 600, 86400), t0 + seconds{4});
    // Honoured once, then back to the timer.
    EXPECT_EQ(s.due(t0 + seconds{4}), RefreshAction::None);
    EXPECT_EQ(s.next(), t0 + seconds{3604});
}

TEST(RefreshSchedule, NotifyWhileRunningIsHonouredAfterAFailureToo) {
    RefreshSchedule s(t0);
    s.onVersion(timers(3600, 600, 86400), t0, t0);
    s.onStarted();
    s.onNotify(t0 + seconds{1});
    s.onFailure(t0 + seconds{2});
    EXPECT_EQ(s.due(t0 + seconds{2}), RefreshAction::Refresh);
}

TEST(RefreshSchedule, FirstAttemptsBackOffQuicklyWhileNothingIsServed) {
    RefreshSchedule s(t0);
    auto now = t0;
    std::vector<seconds> waits;
    for (int i = 0; i < 14; ++i) {
        ASSERT_EQ(s.due(now), RefreshAction::Refresh);
        s.onStarted();
        s.onFailure(now);
        waits.push_back(std::chrono::duration_cast<seconds>(s.next() - now));
        now = s.next();
    }
    EXPECT_EQ(waits[0], seconds{1});
    EXPECT_EQ(waits[1], seconds{2});
    EXPECT_EQ(waits[2], seconds{4});
    EXPECT_EQ(waits[3], seconds{8});
    // Capped at the default retry (600 s) since no SOA told us otherwise.
    EXPECT_EQ(waits[13], seconds{600});
    for (std::size_t i = 1; i < waits.size(); ++i)
        EXPECT_GE(waits[i], waits[i - 1]);
    EXPECT_EQ(s.expiresAt(), Clock::time_point::max());
}

TEST(RefreshSchedule, ExpireIsReportedOnceThenRefreshesResume) {
    RefreshSchedule s(t0);
    s.onVersion(timers(3600, 600, 7200), t0, t0);
    const auto t1 = t0 + seconds{7300};
    EXPECT_EQ(s.due(t1), RefreshAction::Expire);
    // A zone thread that asks again (without calling onExpired) is told to refresh, not to
    // expire forever.
    EXPECT_EQ(s.due(t1), RefreshAction::Refresh);
    EXPECT_EQ(s.expiresAt(), Clock::time_point::max());
}

TEST(RefreshSchedule, CopyFromDiskOlderThanExpireIsExpiredAtOnce) {
    RefreshSchedule s(t0);
    s.onVersion(timers(3600, 600, 7200), t0 - seconds{8000}, t0);
    EXPECT_EQ(s.due(t0), RefreshAction::Expire);
    EXPECT_EQ(s.due(t0), RefreshAction::Refresh);
}

TEST(RefreshSchedule, ExpiredZoneStartsOverWithQuickRetries) {
    RefreshSchedule s(t0);
    s.onVersion(timers(3600, 600, 7200), t0, t0);
    const auto t1 = t0 + seconds{7200};
    ASSERT_EQ(s.due(t1), RefreshAction::Expire);
    s.onExpired(t1);
    EXPECT_EQ(s.expiresAt(), Clock::time_point::max());
    EXPECT_NE(s.due(t1 + seconds{1}), RefreshAction::Expire);
    EXPECT_LE(s.next(), t1 + seconds{1});
    s.onStarted();
    s.onFailure(t1 + seconds{1});
    EXPECT_EQ(s.next(), t1 + seconds{2});
}

}  // namespace
}  // namespace dnsfleet::authd::zones
