#pragma once
/// \file
/// Zone versions for the store's tests, and an order-free way to compare a built zone with
/// the records it was meant to hold.

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "authd/store/zone_store.hpp"
#include "dnswire/rrtype.hpp"
#include "zone/builder.hpp"

namespace dnsfleet::authd::store::storetest {

namespace fs = std::filesystem;
namespace rrtype = dnswire::rrtype;
using Clock = std::chrono::steady_clock;

inline constexpr std::size_t kMiB = std::size_t{1} << 20;

inline dnswire::Name name(const std::string& text) {
    return *dnswire::Name::fromText(text);
}

inline std::vector<std::uint8_t> soaRdata(std::uint32_t serial) {
    std::vector<std::uint8_t> rdata;
    for (const char* text : {"ns.example.", "admin.example."}) {
        const dnswire::Name n = name(text);
        const auto wire = n.wire();
        rdata.insert(rdata.end(), wire.begin(), wire.end());
    }
    for (std::uint32_t v : {serial, 3600U, 600U, 86400U, 60U}) {
        for (int shift = 24; shift >= 0; shift -= 8)
            rdata.push_back(static_cast<std::uint8_t>(v >> shift));
    }
    return rdata;
}

inline void addRecord(xfr::RecordList& list, const std::string& owner, std::uint16_t type,
                      std::span<const std::uint8_t> rdata, std::uint32_t ttl = 300) {
    const dnswire::Name n = name(owner);
    list.add(zone::RecordView{n.view(), type, dnswire::rrclass::IN, ttl, rdata});
}

inline void addA(xfr::RecordList& list, const std::string& owner, std::uint32_t address) {
    const std::array<std::uint8_t, 4> rdata{
        static_cast<std::uint8_t>(address >> 24), static_cast<std::uint8_t>(address >> 16),
        static_cast<std::uint8_t>(address >> 8), static_cast<std::uint8_t>(address)};
    addRecord(list, owner, rrtype::A, rdata);
}

/// The records of one version of example.: SOA (with `serial`), NS, the name server's
/// address, then `hosts` A records `<prefix><i>.example.` whose addresses carry `tag`.
inline xfr::RecordList version(std::uint32_t serial, const std::string& prefix, std::uint32_t hosts,
                               std::uint8_t tag) {
    xfr::RecordList list;
    addRecord(list, "example.", rrtype::SOA, soaRdata(serial));
    addRecord(list, "example.", rrtype::NS, name("ns.example.").wire());
    addA(list, "ns.example.", 0xC0000201U);
    for (std::uint32_t i = 0; i < hosts; ++i)
        addA(list, prefix + std::to_string(i) + ".example.", (std::uint32_t{tag} << 24) | i);
    return list;
}

/// The step from `from` to `to` when the two share only NS and the name server's address
/// (the shape version() makes for different prefixes).
inline xfr::ZoneDiff replaceHosts(const xfr::RecordList& from, const xfr::RecordList& to,
                                  std::uint32_t fromSerial, std::uint32_t toSerial) {
    xfr::ZoneDiff diff;
    diff.fromSerial = fromSerial;
    diff.toSerial = toSerial;
    diff.createdAt = 1700000000;
    auto hostsOf = [](const xfr::RecordList& list, xfr::RecordList& out) {
        std::size_t i = 0;
        for (const zone::RecordView record : list) {
            if (i == 0 || i >= 3) out.add(record);  // the SOA, then the hosts
            ++i;
        }
    };
    hostsOf(from, diff.removed);
    hostsOf(to, diff.added);
    return diff;
}

inline std::string recordKey(const zone::RecordView& record) {
    std::string key;
    std::vector<std::uint8_t> owner(record.owner.data(), record.owner.data() + record.owner.size());
    dnswire::lowercaseWire(owner);
    key.append(owner.begin(), owner.end());
    key += '|' + std::to_string(record.type) + '|' + std::to_string(record.ttl) + '|';
    key.append(record.rdata.begin(), record.rdata.end());
    return key;
}

/// The records of a list as a sorted set, to compare with a zone independently of order.
inline std::vector<std::string> recordSet(const xfr::RecordList& list) {
    std::vector<std::string> set;
    for (const zone::RecordView record : list)
        set.push_back(recordKey(record));
    std::sort(set.begin(), set.end());
    return set;
}

/// Every record a built zone holds, walked through its public node and RRset views.
inline std::vector<std::string> recordSet(const zone::Zone& z) {
    std::vector<std::string> set;
    auto walk = [&](const zone::NodeList& nodes) {
        for (const zone::Node& node : nodes) {
            for (const zone::RRset& rrset : z.rrsets(node)) {
                for (const auto rdata : z.view(&rrset)) {
                    set.push_back(recordKey(zone::RecordView{
                        z.name(node), rrset.type, dnswire::rrclass::IN, rrset.ttl, rdata}));
                }
            }
        }
    };
    walk(z.nodes());
    walk(z.nsec3Nodes());
    std::sort(set.begin(), set.end());
    return set;
}

inline std::shared_ptr<const zone::Zone> build(const xfr::RecordList& list) {
    zone::ZoneBuilder builder(name("example.").view());
    for (const zone::RecordView record : list)
        EXPECT_TRUE(builder.add(record));
    auto built = builder.build();
    EXPECT_TRUE(built);
    return built ? *built : nullptr;
}

inline double millisecondsSince(Clock::time_point start) {
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

class ZoneStoreTest : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() /
               ("authd-zone-store-" + std::to_string(::getpid()) + "-" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }

    std::unique_ptr<ZoneStore> openStore(std::size_t mapSize = 64 * kMiB) {
        auto store = ZoneStore::open(dir_, mapSize);
        EXPECT_TRUE(store) << (store ? "" : store.error());
        return store ? std::move(*store) : nullptr;
    }

    const dnswire::Name apex_ = name("example.");
    fs::path dir_;
};

}  // namespace dnsfleet::authd::store::storetest
