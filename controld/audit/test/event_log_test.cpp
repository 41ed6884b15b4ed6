#include "controld/audit/event_log.hpp"

#include <gtest/gtest.h>
#include <openssl/sha.h>

#include <array>
#include <cstdio>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "audit_fixture.hpp"

namespace dnsfleet::controld::audit {
namespace {

using testing::AuditTest;

constexpr Timestamp kT0 = 1'780'000'000'000'000;  // 2026-05-28

TEST_F(AuditTest, ChainStaysIntactAcrossManyAppendsToSeveralContracts) {
    for (int i = 0; i < 300; ++i) {
        const Id contract = i % 3;  // 0 is the platform chain
        appendAlone(*db_, userContext(contract, kT0 + i), event(contract, "zone.apply"));
    }
    for (Id contract = 0; contract < 3; ++contract) {
        const Verification v = verify(contract);
        EXPECT_TRUE(v.intact) << contract;
        EXPECT_EQ(v.checked, 100) << contract;
        EXPECT_FALSE(v.firstBadEntry.has_value());
        EXPECT_EQ(v.anchor, std::string(64, '0'));
        EXPECT_EQ(v.head, listAll(contract).entries.front().hash);
    }
}

// An outside verifier with nothing but the documented rule (docs/controld/events.md) and a
// SHA-256 tool must reach the stored hashes.
TEST_F(AuditTest, HashFollowsTheDocumentedSerialization) {
    Event e = event(5, "zone.create", "zone:example.com.");
    e.details = nlohmann::json{{"zone", "example.com."}, {"b", 1}, {"a", {{"y", 2}, {"x", 1}}}};
    appendAlone(*db_, userContext(5, kT0), e);
    appendAlone(*db_, userContext(5, kT0 + 1), event(5, "zone.delete"));
    const Page page = listAll(5, oldestFirst());
    ASSERT_EQ(page.entries.size(), 2U);

    auto net = [](const std::string& s) { return std::to_string(s.size()) + ":" + s + ","; };
    auto sha = [](const std::string& s) {
        std::array<unsigned char, SHA256_DIGEST_LENGTH> d{};
        SHA256(reinterpret_cast<const unsigned char*>(s.data()), s.size(), d.data());
        std::string hex;
        for (const unsigned char c : d) {
            std::array<char, 3> two{};
            std::snprintf(two.data(), two.size(), "%02x", c);
            hex += two.data();
        }
        return hex;
    };
    const std::string first = net(std::string(64, '0')) + net("5") + net(std::to_string(kT0)) +
                              net("user:alice") + net("192.0.2.7") +
                              net("req-" + std::to_string(kT0)) + net("zone.create") +
                              net("zone:example.com.") + net("ok") +
                              net(R"({"a":{"x":1,"y":2},"b":1,"zone":"example.com."})");
    EXPECT_EQ(page.entries[0].hash, sha(first));
    const std::string second =
        net(page.entries[0].hash) + net("5") + net(std::to_string(kT0 + 1)) + net("user:alice") +
        net("192.0.2.7") + net("req-" + std::to_string(kT0 + 1)) + net("zone.delete") +
        net("zone:example.com.") + net("ok") + net(R"({"version":3,"zone":"example.com."})");
    EXPECT_EQ(page.entries[1].hash, sha(second));
}

TEST_F(AuditTest, RolledBackTransactionLeavesNoEntry) {
    appendAlone(*db_, userContext(1, kT0), event(1, "zone.create"));
    {
        storage::Transaction tx = db_->begin(storage::Mode::Write);
        append(tx, userContext(1, kT0 + 1), event(1, "zone.apply"));
        tx.execute(
            "INSERT INTO contracts (service_code, plan, state, created_at) "
            "VALUES ('DF-ROLLBACK', 'standard', 'active', 0)");
        tx.rollback();
    }
    {
        // Destroyed without commit: rolled back as well.
        storage::Transaction tx = db_->begin(storage::Mode::Write);
        append(tx, userContext(1, kT0 + 2), event(1, "zone.delete"));
    }
    const Page page = listAll(1);
    ASSERT_EQ(page.total, 1);
    EXPECT_EQ(page.entries[0].action, "zone.create");
    appendAlone(*db_, userContext(1, kT0 + 3), event(1, "zone.apply"));
    const Verification v = verify(1);
    EXPECT_TRUE(v.intact);
    EXPECT_EQ(v.checked, 2);
}

TEST_F(AuditTest, EntryCommitsWithTheChangeItDescribes) {
    db_->run(storage::Mode::Write, [&](storage::Transaction& tx) {
        tx.execute(
            "INSERT INTO contracts (service_code, plan, state, created_at) "
            "VALUES ('DF-COMMITTED', 'standard', 'active', 0)");
        append(tx, userContext(1, kT0), event(1, "contract.create", "contract:DF-COMMITTED"));
    });
    EXPECT_EQ(listAll(1).total, 1);
    EXPECT_TRUE(verify(1).intact);
}

TEST_F(AuditTest, ConcurrentAppendersKeepOneLinearChain) {
    constexpr int kThreads = 4;
    constexpr int kEach = 40;
    std::vector<std::thread> threads;
    threads.reserve(kThreads);
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([this, t] {
            for (int i = 0; i < kEach; ++i) {
                appendAlone(
                    *db_, userContext(9, kT0 + Timestamp{t} * 1000 + i, "user" + std::to_string(t)),
                    event(9, "zone.apply"));
            }
        });
    }
    for (std::thread& thread : threads)
        thread.join();
    const Verification v = verify(9);
    EXPECT_TRUE(v.intact);
    EXPECT_EQ(v.checked, kThreads * kEach);
    // One linear chain: no two entries follow the same predecessor, so every hash is distinct.
    const Page page = listAll(9);
    std::set<std::string> hashes;
    for (const Entry& e : page.entries)
        hashes.insert(e.hash);
    EXPECT_EQ(hashes.size(), static_cast<std::size_t>(kThreads * kEach));
}

TEST_F(AuditTest, ListFiltersByTimeActionPrefixAndResultNewestFirst) {
    const std::vector<std::pair<std::string, std::string>> actions = {
        {"zone.create", "ok"}, {"zone.apply", "ok"},     {"zone.apply", "failed"},
        {"zones.other", "ok"}, {"zonex", "ok"},          {"zone", "ok"},
        {"auth.login", "ok"},  {"auth.login", "failed"}, {"access.denied", "denied"},
        {"zone_apply", "ok"},
    };
    for (std::size_t i = 0; i < actions.size(); ++i) {
        appendAlone(*db_, userContext(3, kT0 + static_cast<Timestamp>(i) * 10),
                    event(3, actions[i].first, "x", actions[i].second));
    }
    Page all = listAll(3);
    ASSERT_EQ(all.total, 10);
    EXPECT_EQ(all.entries.front().action, "zone_apply");  // newest first
    EXPECT_EQ(all.entries.back().action, "zone.create");

    Page zone = listAll(3, byAction("zone"));
    EXPECT_EQ(zone.total, 4);  // zone.create, zone.apply ×2, zone; not zones.*, zonex, zone_apply
    for (const Entry& e : zone.entries) {
        EXPECT_TRUE(e.action == "zone" || e.action.rfind("zone.", 0) == 0) << e.action;
    }
    // LIKE's wildcards are literal: "zone_" matches no "zone." action.
    EXPECT_EQ(listAll(3, byAction("zone_apply")).total, 1);
    EXPECT_EQ(listAll(3, byAction("zon%")).total, 0);

    EXPECT_EQ(listAll(3, byAction("auth.login", "failed")).total, 1);
    EXPECT_EQ(listAll(3, byResult("denied")).entries.at(0).action, "access.denied");

    Page window = listAll(3, between(kT0 + 20, kT0 + 50));
    EXPECT_EQ(window.total, 4);  // inclusive bounds: 20, 30, 40, 50
    EXPECT_EQ(window.entries.front().time, kT0 + 50);
    EXPECT_EQ(window.entries.back().time, kT0 + 20);

    // Pagination keeps the total of all pages.
    Filter second;
    second.offset = 3;
    second.limit = 3;
    const Page page2 = db_->run(storage::Mode::Read,
                                [&](storage::Transaction& tx) { return list(tx, 3, second); });
    EXPECT_EQ(page2.total, 10);
    ASSERT_EQ(page2.entries.size(), 3U);
    EXPECT_EQ(page2.entries[0].id, all.entries[3].id);

    // Chain order with keyset paging, as the export reads.
    Filter ascending = oldestFirst();
    ascending.limit = 4;
    ascending.afterId = all.entries[7].id;
    ascending.withTotal = false;
    const Page tail = db_->run(storage::Mode::Read,
                               [&](storage::Transaction& tx) { return list(tx, 3, ascending); });
    ASSERT_EQ(tail.entries.size(), 4U);
    EXPECT_EQ(tail.entries[0].id, all.entries[6].id);
    EXPECT_EQ(tail.entries[3].id, all.entries[3].id);

    // Another contract's log is not mixed in.
    EXPECT_EQ(listAll(4).total, 0);
}

TEST_F(AuditTest, EntryKeepsEveryField) {
    RequestContext context = userContext(2, kT0 + 5, "bob@example.com");
    appendAlone(*db_, context, event(2, "user.create", "user:12", "ok"));
    const Entry e = listAll(2).entries.at(0);
    EXPECT_EQ(e.contractId, 2);
    EXPECT_EQ(e.time, kT0 + 5);
    EXPECT_EQ(e.actor, "user:bob@example.com");
    EXPECT_EQ(e.sourceAddress, "192.0.2.7");
    EXPECT_EQ(e.requestId, context.requestId);
    EXPECT_EQ(e.action, "user.create");
    EXPECT_EQ(e.target, "user:12");
    EXPECT_EQ(e.result, "ok");
    EXPECT_EQ(e.details, (nlohmann::json{{"zone", "example.com."}, {"version", 3}}));
    EXPECT_EQ(e.hash.size(), 64U);
    const nlohmann::json json = toJson(e);
    EXPECT_EQ(json["time"], formatTimestamp(kT0 + 5));
    EXPECT_EQ(json["source_address"], "192.0.2.7");
}

TEST_F(AuditTest, ActorTextNamesEveryKindOfActor) {
    Actor actor;
    EXPECT_EQ(actorText(actor), "anonymous");
    actor.kind = Actor::Kind::System;
    EXPECT_EQ(actorText(actor), "system");
    actor.kind = Actor::Kind::User;
    actor.login = "alice";
    EXPECT_EQ(actorText(actor), "user:alice");
    actor.tokenId = 12;
    EXPECT_EQ(actorText(actor), "token:12:alice");
    actor.kind = Actor::Kind::Staff;
    actor.tokenId.reset();
    actor.login = "ops";
    EXPECT_EQ(actorText(actor), "staff:ops");
}

TEST_F(AuditTest, UntrustedBytesAreStoredAndStillVerify) {
    RequestContext context = userContext(6, kT0);
    static constexpr char kRequestId[] = "bad\xff\xfe utf8\0nul";
    context.requestId = std::string(kRequestId, sizeof kRequestId - 1);
    Event e = event(6, "auth.login", std::string("user:\xc3", 6), "failed");
    e.details = nlohmann::json{{"login", std::string("x\xff")}};
    appendAlone(*db_, context, e);
    const Entry stored = listAll(6).entries.at(0);
    EXPECT_EQ(stored.requestId.find('\0'), std::string::npos);
    EXPECT_NE(stored.requestId.find("\xef\xbf\xbd"), std::string::npos);
    EXPECT_TRUE(verify(6).intact);
}

}  // namespace
}  // namespace dnsfleet::controld::audit
