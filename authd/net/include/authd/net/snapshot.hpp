#pragma once
/// \file
/// Handing the current zone snapshot from the control thread to the workers without a lock per
/// query. The control thread publishes a new immutable snapshot; each worker keeps its own
/// `shared_ptr` copy and, once per receive batch, compares one atomic generation counter with
/// the one it saw last. Only when they differ does it take the mutex to copy the new pointer,
/// which happens once per reload, not per query.

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <utility>

#include "zone/zoneset.hpp"

namespace dnsfleet::authd::net {

/// The current snapshot of `T`, replaced as a whole.
template <class T>
class Published {
  public:
    explicit Published(std::shared_ptr<const T> initial) : current_(std::move(initial)) {}

    /// Makes `next` the current snapshot. Readers see it at their next `refresh()`.
    void publish(std::shared_ptr<const T> next) {
        std::shared_ptr<const T> old;
        {
            std::lock_guard lock(mutex_);
            old = std::exchange(current_, std::move(next));
            generation_.fetch_add(1, std::memory_order_release);
        }
        // `old` is released here, outside the lock; the last worker still holding it frees it.
    }

    /// A copy of the current snapshot pointer (takes the mutex; not for the per-query path).
    [[nodiscard]] std::shared_ptr<const T> current() const {
        std::lock_guard lock(mutex_);
        return current_;
    }

    /// Changes every time a snapshot is published.
    [[nodiscard]] std::uint64_t generation() const noexcept {
        return generation_.load(std::memory_order_acquire);
    }

  private:
    template <class>
    friend class SnapshotReader;

    mutable std::mutex mutex_;
    std::shared_ptr<const T> current_;
    std::atomic<std::uint64_t> generation_{1};
};

/// One worker's view of a `Published<T>`. Not shared between threads.
template <class T>
class SnapshotReader {
  public:
    explicit SnapshotReader(const Published<T>& source) : source_(&source) { reload(); }

    /// Picks up a newer snapshot if one was published: one atomic load when nothing changed.
    const T& refresh() noexcept {
        if (source_->generation() != generation_) reload();
        return *current_;
    }
    /// The snapshot this reader holds (as of the last `refresh()`).
    [[nodiscard]] const T& get() const noexcept { return *current_; }
    [[nodiscard]] std::uint64_t generation() const noexcept { return generation_; }

  private:
    void reload() noexcept {
        std::lock_guard lock(source_->mutex_);
        current_ = source_->current_;
        generation_ = source_->generation_.load(std::memory_order_relaxed);
    }

    const Published<T>* source_;
    std::shared_ptr<const T> current_;
    std::uint64_t generation_ = 0;
};

/// The zone snapshots the workers answer from.
using ZoneSnapshots = Published<zone::ZoneSet>;
using ZoneReader = SnapshotReader<zone::ZoneSet>;

}  // namespace dnsfleet::authd::net
