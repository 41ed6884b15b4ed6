#pragma once
/// \file
/// Sending NOTIFY (RFC 1996) to the secondaries of a zone on every new version, over UDP, and
/// retrying with backoff until each one answers (RFC 1996 §3.6), on one non-blocking socket per
/// address family driven by the zone event thread. A newer version replaces the pending NOTIFY
/// of an older one.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "authd/config/config.hpp"
#include "dnswire/name.hpp"
#include "dnswire/tsig.hpp"
#include "zone/zone.hpp"

namespace dnsfleet::authd::zones {

/// One secondary to tell.
struct NotifyTarget {
    config::ListenAddress address;
    const dnswire::TsigKey* key = nullptr;
};

struct NotifyOptions {
    /// First retry after this long, doubling up to `maxInterval`; given up after `attempts`.
    std::chrono::milliseconds firstInterval{1000};
    std::chrono::milliseconds maxInterval{60'000};
    unsigned attempts = 10;
    std::uint16_t fudge = 300;
};

class NotifySender {
  public:
    explicit NotifySender(NotifyOptions options);
    ~NotifySender();
    NotifySender(const NotifySender&) = delete;
    NotifySender& operator=(const NotifySender&) = delete;

    /// Queues a NOTIFY of `zone`'s current version to every target, replacing any pending one
    /// for the same zone and target.
    void notify(const zone::Zone& zone, const std::vector<NotifyTarget>& targets);

    /// File descriptors to wait on for answers (poll for POLLIN). A socket is opened by the
    /// first process() that sends to its address family, so ask again after each process().
    [[nodiscard]] std::vector<int> fds() const;
    /// Reads answers, sends what is due, logs acknowledgements and give-ups. Call when a
    /// descriptor is readable or when next() has passed.
    void process(std::chrono::steady_clock::time_point now);
    /// When process() must run next (time_point::max() when nothing is pending).
    [[nodiscard]] std::chrono::steady_clock::time_point next() const noexcept;
    /// NOTIFYs still waiting for an answer (for status and tests).
    [[nodiscard]] std::size_t pending() const noexcept;

  private:
    struct State;
    std::unique_ptr<State> state_;
};

}  // namespace dnsfleet::authd::zones
