#pragma once
/// \file
/// A bounded pool of connections, shared by both backends. Connections are opened lazily and a
/// broken one is dropped instead of going back, so that the next caller opens a fresh one.
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "storage/database.hpp"

namespace dnsfleet::storage {

template <class Conn>
class Pool {
  public:
    using Factory = std::function<std::unique_ptr<Conn>()>;

    Pool(std::size_t capacity, std::chrono::milliseconds wait, Factory factory, std::string what)
        : capacity_(capacity == 0 ? 1 : capacity),
          wait_(wait),
          factory_(std::move(factory)),
          what_(std::move(what)) {
        idle_.reserve(capacity_);
    }

    /// A connection for one transaction; waits up to the busy timeout for a free one.
    std::unique_ptr<Conn> acquire() {
        std::unique_lock lock(mutex_);
        const auto deadline = std::chrono::steady_clock::now() + wait_;
        while (idle_.empty() && open_ >= capacity_) {
            if (freed_.wait_until(lock, deadline) == std::cv_status::timeout && idle_.empty() &&
                open_ >= capacity_) {
                throw DatabaseError(ErrorKind::Retry, "no free " + what_ + " connection within " +
                                                          std::to_string(wait_.count()) + " ms");
            }
        }
        if (!idle_.empty()) {
            std::unique_ptr<Conn> conn = std::move(idle_.back());
            idle_.pop_back();
            return conn;
        }
        ++open_;
        lock.unlock();
        try {
            return factory_();
        } catch (...) {
            lock.lock();
            --open_;
            freed_.notify_one();
            throw;
        }
    }

    /// Gives a connection back; a broken one is closed instead.
    void release(std::unique_ptr<Conn> conn, bool broken) noexcept {
        std::unique_ptr<Conn> closing;
        {
            std::lock_guard lock(mutex_);
            if (broken) {
                closing = std::move(conn);
                --open_;
            } else {
                idle_.push_back(std::move(conn));
            }
        }
        freed_.notify_one();
    }

  private:
    std::size_t capacity_;
    std::chrono::milliseconds wait_;
    Factory factory_;
    std::string what_;
    std::mutex mutex_;
    std::condition_variable freed_;
    std::vector<std::unique_ptr<Conn>> idle_;
    std::size_t open_ = 0;
};

}  // namespace dnsfleet::storage
