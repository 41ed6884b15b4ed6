#include "authd/net/snapshot.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace dnsfleet::authd::net {
namespace {

TEST(Snapshot, ReaderSeesTheInitialSnapshot) {
    Published<int> published(std::make_shared<const int>(1));
    SnapshotReader<int> reader(published);
    EXPECT_EQ(reader.get(), 1);
    EXPECT_EQ(reader.refresh(), 1);
}

TEST(Snapshot, ReaderKeepsItsSnapshotUntilItRefreshes) {
    Published<int> published(std::make_shared<const int>(1));
    SnapshotReader<int> reader(published);
    const int& held = reader.get();
    published.publish(std::make_shared<const int>(2));
    // The old snapshot is still alive and unchanged for the reader that holds it.
    EXPECT_EQ(held, 1);
    EXPECT_EQ(reader.get(), 1);
    EXPECT_EQ(reader.refresh(), 2);
    EXPECT_EQ(reader.generation(), published.generation());
}

TEST(Snapshot, OldSnapshotIsFreedWhenTheLastReaderMovesOn) {
    auto first = std::make_shared<const int>(1);
    std::weak_ptr<const int> watch = first;
    Published<int> published(std::move(first));
    SnapshotReader<int> a(published);
    SnapshotReader<int> b(published);
    published.publish(std::make_shared<const int>(2));
    EXPECT_FALSE(watch.expired());
    (void)a.refresh();
    EXPECT_FALSE(watch.expired());
    (void)b.refresh();
    EXPECT_TRUE(watch.expired());
}

TEST(Snapshot, ConcurrentReadersAlwaysSeeACompleteSnapshot) {
    // Each snapshot is a vector whose elements all equal its size: a torn read would show.
    using V = std::vector<int>;
    Published<V> published(std::make_shared<const V>(1, 1));
    std::atomic<bool> done{false};
    std::atomic<int> bad{0};
    std::vector<std::thread> readers;
    readers.reserve(3);
    for (int t = 0; t < 3; ++t) {
        readers.emplace_back([&] {
            SnapshotReader<V> reader(published);
            int lastSize = 0;
            for (int i = 0; i < 200000 && !done.load(); ++i) {
                const V& v = reader.refresh();
                const int size = static_cast<int>(v.size());
                for (int x : v) {
                    if (x != size) bad.fetch_add(1);
                }
                if (size < lastSize) bad.fetch_add(1);  // never goes back in time
                lastSize = size;
            }
        });
    }
    for (int n = 2; n <= 300; ++n) {
        published.publish(std::make_shared<const V>(static_cast<std::size_t>(n), n));
    }
    done.store(true);
    for (auto& t : readers)
        t.join();
    EXPECT_EQ(bad.load(), 0);
    SnapshotReader<V> last(published);
    EXPECT_EQ(last.get().size(), 300u);
}

}  // namespace
}  // namespace dnsfleet::authd::net
