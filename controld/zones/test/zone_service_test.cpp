// The zone service against a real SQLite database: creation and the cross-contract name rule,
// drafts, apply with If-Match, conflicts, versions, restore, import and listing.
#include "controld/zones/zone_service.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <string>

#include "controld/audit/event_log.hpp"
#include "xfr/serial.hpp"
#include "zone_service_fixture.hpp"

namespace dnsfleet::controld::zones {
namespace {

using testing::kT0;
using testing::ZoneServiceTest;

TEST_F(ZoneServiceTest, CreateMakesVersionOneWithGeneratedSoaAndApexNs) {
    NewZone input;
    input.name = "Example.COM";
    input.comment = "the main zone";
    input.labels = {{"env", "prod"}};
    auto created = service_->create(alice(), own_, input);
    ASSERT_TRUE(created) << created.error().detail;
    EXPECT_EQ(created->zone.name, "example.com.");
    EXPECT_EQ(created->zone.version, 1);
    EXPECT_EQ(created->zone.serial, 2026052801U);  // YYYYMMDD01 of kT0
    EXPECT_EQ(created->zone.defaultTtl, settings_.defaultTtl);
    EXPECT_EQ(created->zone.labels.at("env"), "prod");
    EXPECT_EQ(created->changeId.substr(0, 1), "C");

    auto live = service_->rrsets(alice(), own_, "example.com");
    ASSERT_TRUE(live);
    ASSERT_EQ(live->rrsets.size(), 2U);
    EXPECT_EQ(live->rrsets[0].rrset.type, "SOA");
    EXPECT_NE(live->rrsets[0].rrset.records.at(0).data.find("2026052801"), std::string::npos);
    EXPECT_EQ(live->rrsets[1].rrset.type, "NS");
    ASSERT_EQ(live->rrsets[1].rrset.records.size(), settings_.nameServers.size());

    auto exported = service_->exportZoneText(alice(), own_, "example.com.");
    ASSERT_TRUE(exported);
    EXPECT_NE(exported->find("ns1.dnsfleet.test."), std::string::npos);
    EXPECT_NE(exported->find("SOA"), std::string::npos);
    EXPECT_EQ(actions(), std::vector<std::string>{"zone.create"});
}

TEST_F(ZoneServiceTest, NamesOfAnotherContractAreRefusedWithoutNamingTheHolder) {
    createZone("example.com");
    const RequestContext stranger = user(other_, 20, "mallory");
    for (const char* name :
         {"example.com", "EXAMPLE.com.", "www.example.com", "a.b.example.com", "com"}) {
        NewZone input;
        input.name = name;
        auto refused = service_->create(stranger, other_, input);
        ASSERT_FALSE(refused) << name;
        EXPECT_EQ(refused.error().code, ErrorCode::Conflict) << name;
        EXPECT_EQ(refused.error().detail.find("DF-ZONES001"), std::string::npos);
        EXPECT_EQ(refused.error().detail.find("alice"), std::string::npos);
        EXPECT_EQ(refused.error().detail.find(std::to_string(own_)), std::string::npos);
    }
    // A sibling is free; parent and child within one contract are allowed.
    NewZone sibling;
    sibling.name = "example.net";
    EXPECT_TRUE(service_->create(stranger, other_, sibling));
    EXPECT_TRUE(service_->create(alice(), own_, NewZone{"sub.example.com", {}, "", {}}));
    EXPECT_TRUE(service_->create(alice(), own_, NewZone{"com", {}, "", {}}));
    // The same name twice in one contract is a plain conflict.
    auto twice = service_->create(alice(), own_, NewZone{"example.com", {}, "", {}});
    ASSERT_FALSE(twice);
    EXPECT_EQ(twice.error().code, ErrorCode::Conflict);
    // Once deleted, the name is free for another contract.
    EXPECT_TRUE(service_->remove(alice(), own_, "com"));
    EXPECT_TRUE(service_->remove(alice(), own_, "sub.example.com"));
    EXPECT_TRUE(service_->remove(alice(), own_, "example.com"));
    EXPECT_TRUE(service_->create(stranger, other_, NewZone{"www.example.com", {}, "", {}}));
    // Another contract's zone is not found, exactly like a missing one.
    auto foreign = service_->get(alice(), own_, "www.example.com");
    ASSERT_FALSE(foreign);
    EXPECT_EQ(foreign.error().code, ErrorCode::NotFound);
    auto crossTenant = service_->get(alice(), other_, "www.example.com");
    ASSERT_FALSE(crossTenant);
    EXPECT_EQ(crossTenant.error().code, ErrorCode::NotFound);
}

TEST_F(ZoneServiceTest, ApplyNeedsTheCurrentVersionAndMakesTheNextSerial) {
    const Zone zone = createZone("example.com");
    auto staged = service_->stageRrset(alice(), own_, "example.com", a("www", "192.0.2.1", "web"));
    ASSERT_TRUE(staged) << staged.error().detail;
    EXPECT_EQ(staged->baseVersion, 1);
    ASSERT_EQ(staged->changes.size(), 1U);
    EXPECT_EQ(staged->changes[0].rrset.name, "www.example.com.");

    auto bad = service_->stageRrset(alice(), own_, "example.com", a("www", "not-an-address"));
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().code, ErrorCode::Invalid);

    auto diff = service_->draftDiff(alice(), own_, "example.com");
    ASSERT_TRUE(diff);
    ASSERT_EQ(diff->size(), 1U);
    EXPECT_FALSE((*diff)[0].before.has_value());

    auto missing = service_->apply(alice(), own_, "example.com", "add www", std::nullopt);
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code, ErrorCode::PreconditionRequired);
    auto stale = service_->apply(alice(), own_, "example.com", "add www", 7);
    ASSERT_FALSE(stale);
    EXPECT_EQ(stale.error().code, ErrorCode::PreconditionFailed);

    auto applied = service_->apply(alice(), own_, "example.com", "add www", 1);
    ASSERT_TRUE(applied) << applied.error().detail;
    EXPECT_EQ(applied->version, 2);
    EXPECT_TRUE(xfr::serialNewer(applied->serial, zone.serial));
    EXPECT_EQ(applied->diff.size(), 1U);
    EXPECT_FALSE(service_->draft(alice(), own_, "example.com")->exists);

    auto v2 = service_->version(alice(), own_, "example.com", 2);
    ASSERT_TRUE(v2);
    EXPECT_EQ(v2->summary.description, "add www");
    EXPECT_EQ(v2->summary.author, "alice");
    EXPECT_EQ(v2->summary.createdAt, kT0);
    EXPECT_EQ(v2->summary.serial, applied->serial);
    ASSERT_EQ(v2->diff.size(), 1U);
    ASSERT_TRUE(v2->diff[0].after.has_value());
    EXPECT_EQ(v2->diff[0].after->records.at(0).comment, "web");
    EXPECT_NE(v2->zoneText.find("192.0.2.1"), std::string::npos);
    EXPECT_NE(v2->zoneText.find(std::to_string(applied->serial)), std::string::npos);

    auto history = service_->versions(alice(), own_, "example.com", 0, 100);
    ASSERT_TRUE(history);
    EXPECT_EQ(history->total, 2);
    EXPECT_EQ(history->items.at(0).version, 2);

    // Applying the same change again: nothing staged.
    EXPECT_FALSE(service_->apply(alice(), own_, "example.com", "again", 2));
    const auto log = actions();
    EXPECT_NE(std::find(log.begin(), log.end(), "zone.apply"), log.end());
    EXPECT_NE(std::find(log.begin(), log.end(), "zone.draft.put"), log.end());
}

TEST_F(ZoneServiceTest, LiveRrsetsComeApexFirstThenInHierarchicalOrder) {
    createZone("example.com");
    for (const char* name : {"z", "a.b", "b", "mail", "*.b"}) {
        ASSERT_TRUE(service_->stageRrset(alice(), own_, "example.com", a(name, "192.0.2.1")));
    }
    RrsetInput text = a("@", "");
    text.type = "TXT";
    text.records = {{"\"v=spf1 -all\"", ""}};
    ASSERT_TRUE(service_->stageRrset(alice(), own_, "example.com", text));
    ASSERT_TRUE(service_->apply(alice(), own_, "example.com", "several names", 1));

    auto live = service_->rrsets(alice(), own_, "example.com");
    ASSERT_TRUE(live) << live.error().detail;
    std::vector<std::string> order;
    for (const LiveRrset& l : live->rrsets)
        order.push_back(l.rrset.name + " " + l.rrset.type);
    // The apex (SOA leading), then by reversed labels: b, its wildcard and a.b before mail, z.
    EXPECT_EQ(order, (std::vector<std::string>{"example.com. SOA", "example.com. NS",
                                               "example.com. TXT", "b.example.com. A",
                                               "*.b.example.com. A", "a.b.example.com. A",
                                               "mail.example.com. A", "z.example.com. A"}));
}

TEST_F(ZoneServiceTest, ADraftOnRrsetsChangedByOthersConflictsAndOtherDraftsApplyOnTop) {
    createZone("example.com");
    ASSERT_TRUE(service_->stageRrset(alice(), own_, "example.com", a("www", "192.0.2.1")));
    ASSERT_TRUE(service_->stageRrset(alice(), own_, "example.com", a("mail", "192.0.2.25")));
    ASSERT_TRUE(service_->stageRrset(bob(), own_, "example.com", a("www", "192.0.2.2")));
    ASSERT_TRUE(service_->stageRrset(bob(), own_, "example.com", a("ftp", "192.0.2.21")));
    auto bobs = service_->apply(bob(), own_, "example.com", "bob's www", 1);
    ASSERT_TRUE(bobs) << bobs.error().detail;

    // Alice's draft began at version 1; www changed since then.
    auto refused = service_->apply(alice(), own_, "example.com", "alice's www", 2);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, ErrorCode::Conflict);
    EXPECT_EQ(refused.error().conflicts, std::vector<std::string>{"www.example.com. A"});

    // Without www the rest of her draft applies on top of bob's version.
    ASSERT_TRUE(service_->stageDeletion(alice(), own_, "example.com", "www", "A"));
    auto draft = service_->draft(alice(), own_, "example.com");
    ASSERT_TRUE(draft);
    // www is live now, so her "delete www" is a staged deletion: still a conflict.
    EXPECT_FALSE(service_->apply(alice(), own_, "example.com", "x", 2));
    ASSERT_TRUE(service_->discardDraft(alice(), own_, "example.com"));
    ASSERT_TRUE(service_->stageRrset(alice(), own_, "example.com", a("mail", "192.0.2.25")));
    auto alices = service_->apply(alice(), own_, "example.com", "alice's mail", 2);
    ASSERT_TRUE(alices) << alices.error().detail;
    auto live = service_->rrsets(alice(), own_, "example.com");
    ASSERT_TRUE(live);
    std::vector<std::string> keys;
    for (const LiveRrset& r : live->rrsets)
        keys.push_back(r.rrset.key());
    for (const char* expected :
         {"www.example.com. A", "ftp.example.com. A", "mail.example.com. A"}) {
        EXPECT_NE(std::find(keys.begin(), keys.end(), expected), keys.end()) << expected;
    }
}

TEST_F(ZoneServiceTest, RestoreMakesAnOldVersionLiveAsANewVersion) {
    createZone("example.com");
    ASSERT_TRUE(service_->stageRrset(alice(), own_, "example.com", a("www", "192.0.2.1")));
    ASSERT_TRUE(service_->apply(alice(), own_, "example.com", "v2", 1));
    ASSERT_TRUE(service_->stageRrset(alice(), own_, "example.com", a("www", "192.0.2.9")));
    ASSERT_TRUE(service_->stageRrset(alice(), own_, "example.com", a("api", "192.0.2.10")));
    auto v3 = service_->apply(alice(), own_, "example.com", "v3", 2);
    ASSERT_TRUE(v3);

    EXPECT_EQ(service_->restore(alice(), own_, "example.com", 2, "", std::nullopt).error().code,
              ErrorCode::PreconditionRequired);
    EXPECT_EQ(service_->restore(alice(), own_, "example.com", 2, "", 2).error().code,
              ErrorCode::PreconditionFailed);
    EXPECT_EQ(service_->restore(alice(), own_, "example.com", 99, "", 3).error().code,
              ErrorCode::NotFound);
    auto restored = service_->restore(alice(), own_, "example.com", 2, "", 3);
    ASSERT_TRUE(restored) << restored.error().detail;
    EXPECT_EQ(restored->version, 4);
    EXPECT_TRUE(xfr::serialNewer(restored->serial, v3->serial));
    auto live = service_->rrsets(alice(), own_, "example.com");
    ASSERT_TRUE(live);
    std::vector<std::string> data;
    for (const LiveRrset& r : live->rrsets) {
        if (r.rrset.type == "A") data.push_back(r.rrset.name + " " + r.rrset.records.at(0).data);
    }
    EXPECT_EQ(data, std::vector<std::string>{"www.example.com. 192.0.2.1"});
    auto v4 = service_->version(alice(), own_, "example.com", 4);
    ASSERT_TRUE(v4);
    EXPECT_EQ(v4->summary.description, "restore of version 2");
    EXPECT_EQ(v4->diff.size(), 2U);  // www changed back, api removed
}

TEST_F(ZoneServiceTest, RepublishMovesEverySerialAQuarterOfTheSpaceAheadWithTheSameContent) {
    const Zone first = createZone("example.com");
    ASSERT_TRUE(service_->stageRrset(alice(), own_, "example.com", a("www", "192.0.2.1")));
    ASSERT_TRUE(service_->apply(alice(), own_, "example.com", "v2", 1));
    createZone("example.net");
    // A serial near the top of the space: the step wraps around (RFC 1982 addition).
    db_->run(storage::Mode::Write, [](storage::Transaction& tx) {
        tx.execute("UPDATE zones SET serial = 4294967000 WHERE name = 'example.net.'");
    });
    const auto before = service_->rrsets(alice(), own_, "example.com");
    ASSERT_TRUE(before);

    RequestContext system;
    system.actor.kind = Actor::Kind::System;
    system.now = kT0;
    EXPECT_EQ(service_->republishAll(system, "after a restore"), 2U);

    const auto com = service_->get(alice(), own_, "example.com");
    ASSERT_TRUE(com);
    EXPECT_EQ(com->version, 3);
    EXPECT_EQ(com->serial, nextSerial(first.serial) + kRepublishSerialStep);
    EXPECT_TRUE(
        xfr::serialNewer(com->serial, nextSerial(first.serial) + (kRepublishSerialStep - 1)));
    const auto net = service_->get(alice(), own_, "example.net");
    ASSERT_TRUE(net);
    EXPECT_EQ(net->serial, 1'073'741'528U);  // (4 294 967 000 + 2^30) mod 2^32

    const auto after = service_->rrsets(alice(), own_, "example.com");
    ASSERT_TRUE(after);
    ASSERT_EQ(after->rrsets.size(), before->rrsets.size());
    for (std::size_t i = 1; i < after->rrsets.size(); ++i) {  // all but the SOA
        EXPECT_EQ(after->rrsets[i].rrset, before->rrsets[i].rrset);
    }
    const auto v3 = service_->version(alice(), own_, "example.com", 3);
    ASSERT_TRUE(v3);
    EXPECT_EQ(v3->summary.description, "after a restore");
    EXPECT_EQ(v3->summary.author, "system");
    EXPECT_TRUE(v3->diff.empty());
    const auto log = actions();
    EXPECT_EQ(std::count(log.begin(), log.end(), "zone.republish"), 2);
}

TEST_F(ZoneServiceTest, ImportStagesTheFileAndReportsErrorsByLine) {
    createZone("example.com");
    ASSERT_TRUE(service_->stageRrset(alice(), own_, "example.com", a("old", "192.0.2.99")));
    ASSERT_TRUE(service_->apply(alice(), own_, "example.com", "old", 1));

    const std::string broken =
        "$ORIGIN example.com.\n"
        "$TTL 300\n"
        "www IN A 192.0.2.1\n"
        "bad IN A 999.1.2.3\n";
    auto refused = service_->importZoneText(alice(), own_, "example.com", broken);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, ErrorCode::Invalid);
    bool namesLine4 = refused.error().detail.find("line 4") != std::string::npos;
    for (const FieldError& e : refused.error().fields) {
        namesLine4 = namesLine4 || e.field.find('4') != std::string::npos ||
                     e.message.find("line 4") != std::string::npos;
    }
    EXPECT_TRUE(namesLine4);

    const std::string good =
        "$ORIGIN example.com.\n"
        "$TTL 300\n"
        "@ IN SOA ns.other. host.other. 1 2 3 4 5\n"
        "@ IN NS ns.other.\n"
        "www IN A 192.0.2.1 ; the web server\n"
        "mail IN MX 10 mx.example.com.\n";
    auto imported = service_->importZoneText(alice(), own_, "example.com", good);
    ASSERT_TRUE(imported) << imported.error().detail;
    EXPECT_EQ(imported->staged, 2);
    EXPECT_EQ(imported->deletions, 1);  // old.example.com. A is not in the file
    EXPECT_EQ(imported->ignored.size(), 2U);
    auto applied = service_->apply(alice(), own_, "example.com", "import", 2);
    ASSERT_TRUE(applied) << applied.error().detail;
    auto exported = service_->exportZoneText(alice(), own_, "example.com");
    ASSERT_TRUE(exported);
    EXPECT_EQ(exported->find("old.example.com"), std::string::npos);
    EXPECT_EQ(exported->find("ns.other."), std::string::npos);
    EXPECT_NE(exported->find("the web server"), std::string::npos);
}

TEST_F(ZoneServiceTest, ViewersReadButDoNotStage) {
    createZone("example.com");
    const RequestContext viewer = user(own_, 12, "vera", Role::Viewer);
    EXPECT_TRUE(service_->get(viewer, own_, "example.com"));
    auto refused = service_->stageRrset(viewer, own_, "example.com", a("www", "192.0.2.1"));
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, ErrorCode::Forbidden);
}

TEST_F(ZoneServiceTest, ListFiltersAndTheFirstPageOfManyZonesIsFast) {
    NewZone labelled;
    labelled.name = "shop.example";
    labelled.labels = {{"team", "web"}};
    ASSERT_TRUE(service_->create(alice(), own_, labelled));
    createZone("mail.example");
    // 100k zones of one contract, inserted directly (the service would take minutes).
    db_->run(storage::Mode::Write, [&](storage::Transaction& tx) {
        for (int i = 0; i < 100'000; ++i) {
            const std::string name = "z" + std::to_string(i) + ".bulk.";
            tx.execute(
                "INSERT INTO zones (contract_id, name, reversed_name, default_ttl, "
                "current_version, serial, created_at, updated_at) "
                "VALUES ($1, $2, $3, 3600, 1, 1, 0, 0)",
                {own_, name, "bulk.z" + std::to_string(i) + "."});
        }
    });
    ZoneQuery query;
    const auto start = std::chrono::steady_clock::now();
    auto page = service_->list(alice(), own_, query);
    const auto elapsed = std::chrono::steady_clock::now() - start;
    ASSERT_TRUE(page);
    EXPECT_EQ(page->total, 100'002);
    EXPECT_EQ(page->items.size(), 100U);
    EXPECT_TRUE(std::is_sorted(page->items.begin(), page->items.end(),
                               [](const Zone& x, const Zone& y) { return x.name < y.name; }));
    EXPECT_LT(std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count(), 100);

    query.nameContains = "EXAMPLE";
    auto byName = service_->list(alice(), own_, query);
    ASSERT_TRUE(byName);
    EXPECT_EQ(byName->total, 2);
    query.nameContains.reset();
    query.labels = {{"team", "web"}};
    auto byLabel = service_->list(alice(), own_, query);
    ASSERT_TRUE(byLabel);
    ASSERT_EQ(byLabel->total, 1);
    EXPECT_EQ(byLabel->items.at(0).name, "shop.example.");
    // Another contract sees none of them.
    auto foreign = service_->list(user(other_, 20, "mallory"), other_, ZoneQuery{});
    ASSERT_TRUE(foreign);
    EXPECT_EQ(foreign->total, 0);
}

TEST_F(ZoneServiceTest, AZoneLimitedTokenListsOnlyItsZones) {
    createZone("shop.example");
    createZone("mail.example");
    createZone("blog.example");
    RequestContext token = alice();
    token.actor.tokenId = 3;
    token.actor.tokenZones = {"Shop.Example", "blog.example.", "gone.example"};
    auto page = service_->list(token, own_, ZoneQuery{});
    ASSERT_TRUE(page) << page.error().detail;
    EXPECT_EQ(page->total, 2);
    ASSERT_EQ(page->items.size(), 2U);
    EXPECT_EQ(page->items[0].name, "blog.example.");
    EXPECT_EQ(page->items[1].name, "shop.example.");
    // A token without a zone list, and a session, see every zone.
    token.actor.tokenZones.clear();
    EXPECT_EQ(service_->list(token, own_, ZoneQuery{})->total, 3);
    EXPECT_EQ(service_->list(alice(), own_, ZoneQuery{})->total, 3);
}

}  // namespace
}  // namespace dnsfleet::controld::zones
