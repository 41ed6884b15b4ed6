// Reading the event log: listing, chain verification and retention.
#include <string>
#include <utility>
#include <vector>

#include "chain_internal.hpp"
#include "controld/audit/event_log.hpp"

namespace dnsfleet::controld::audit {

namespace {

constexpr const char* kEntryColumns =
    "id, contract_id, time, actor, source_address, request_id, action, target, result, "
    "details, hash";

// The stored details text is returned apart from the parsed object: the hash covers the text.
Entry readEntry(const storage::Row& row, std::string& detailsText) {
    Entry e;
    e.id = row.integer(0);
    e.contractId = row.integer(1);
    e.time = row.integer(2);
    e.actor = row.text(3);
    e.sourceAddress = row.text(4);
    e.requestId = row.text(5);
    e.action = row.text(6);
    e.target = row.text(7);
    e.result = row.text(8);
    detailsText = row.text(9);
    e.hash = row.text(10);
    e.details = nlohmann::json::parse(detailsText, nullptr, false);
    // A tampered, unparsable details text is shown as it is rather than hidden.
    if (e.details.is_discarded()) e.details = detailsText;
    return e;
}

// LIKE's wildcards in a user's action filter are literal characters.
std::string likePrefix(std::string_view prefix) {
    std::string out;
    out.reserve(prefix.size() + 3);
    for (const char c : prefix) {
        if (c == '!' || c == '%' || c == '_') out += '!';
        out += c;
    }
    out += ".%";
    return out;
}

struct Removal {
    Id contractId = 0;
    Id throughId = 0;
    std::int64_t removed = 0;
};

std::vector<Removal> removeChainsOlderThan(storage::Transaction& tx, Timestamp cutoff) {
    // A chain can only lose a prefix (in id order) and stay verifiable: everything up to the
    // newest entry older than the cutoff goes, including the rare younger entry that committed
    // before it.
    const storage::Rows heads = tx.query(
        "SELECT contract_id, MAX(id) FROM events WHERE time < $1 GROUP BY contract_id "
        "ORDER BY contract_id",
        {cutoff});
    std::vector<Removal> removals;
    removals.reserve(heads.size());
    for (const storage::Row& head : heads) {
        Removal removal{head.integer(0), head.integer(1), 0};
        const auto last = tx.queryOne("SELECT hash FROM events WHERE id = $1", {removal.throughId});
        if (!last) continue;
        removal.removed = tx.execute("DELETE FROM events WHERE contract_id = $1 AND id <= $2",
                                     {removal.contractId, removal.throughId});
        tx.execute(
            "INSERT INTO event_anchors (contract_id, hash, removed_through_id) VALUES ($1, $2, $3) "
            "ON CONFLICT (contract_id) DO UPDATE SET hash = excluded.hash, "
            "removed_through_id = excluded.removed_through_id",
            {removal.contractId, last->text(0), removal.throughId});
        removals.push_back(removal);
    }
    return removals;
}

}  // namespace

Page list(storage::Transaction& tx, Id contractId, const Filter& filter) {
    std::string where = " WHERE contract_id = $1";
    std::vector<storage::Value> params{contractId};
    auto bind = [&params](storage::Value value) {
        params.push_back(std::move(value));
        return "$" + std::to_string(params.size());
    };
    if (filter.from) where += " AND time >= " + bind(*filter.from);
    if (filter.to) where += " AND time <= " + bind(*filter.to);
    if (filter.actionPrefix) {
        const std::string exact = bind(*filter.actionPrefix);
        const std::string pattern = bind(likePrefix(*filter.actionPrefix));
        where += " AND (action = " + exact + " OR action LIKE " + pattern + " ESCAPE '!')";
    }
    if (filter.result) where += " AND result = " + bind(*filter.result);
    if (filter.afterId) where += " AND id > " + bind(*filter.afterId);

    Page page;
    if (filter.withTotal) {
        if (auto count = tx.queryOne("SELECT COUNT(*) FROM events" + where, params)) {
            page.total = count->integer(0);
        }
    }
    std::string sql = std::string("SELECT ") + kEntryColumns + " FROM events" + where +
                      (filter.oldestFirst ? " ORDER BY id ASC" : " ORDER BY id DESC");
    sql += " LIMIT " + bind(filter.limit);
    sql += " OFFSET " + bind(filter.offset);
    const storage::Rows rows = tx.query(sql, params);
    page.entries.reserve(rows.size());
    std::string detailsText;
    for (const storage::Row& row : rows)
        page.entries.push_back(readEntry(row, detailsText));
    if (!filter.withTotal) page.total = static_cast<std::int64_t>(page.entries.size());
    return page;
}

Verification verifyChain(storage::Transaction& tx, Id contractId) {
    Verification result;
    result.anchor = genesisHash();
    if (auto anchor =
            tx.queryOne("SELECT hash, removed_through_id FROM event_anchors WHERE contract_id = $1",
                        {contractId})) {
        result.anchor = anchor->text(0);
        result.removedThroughId = anchor->integer(1);
    }
    // Bounded pages, so that a long chain is checked without holding it all in memory.
    constexpr std::int64_t kPage = 1000;
    std::string previous = result.anchor;
    Id afterId = 0;
    for (;;) {
        const storage::Rows rows = tx.query(std::string("SELECT ") + kEntryColumns +
                                                " FROM events WHERE contract_id = $1 AND id > $2 "
                                                "ORDER BY id ASC LIMIT $3",
                                            {contractId, afterId, kPage});
        std::string detailsText;
        for (const storage::Row& row : rows) {
            const Entry entry = readEntry(row, detailsText);
            ++result.checked;
            // An id at or below the anchor's can only be a re-inserted entry.
            const bool follows = entry.id > result.removedThroughId &&
                                 chainHash(previous, entry, detailsText) == entry.hash;
            if (!follows) {
                result.intact = false;
                result.firstBadEntry = entry.id;
                return result;
            }
            previous = entry.hash;
            result.head = entry.hash;
            afterId = entry.id;
        }
        if (static_cast<std::int64_t>(rows.size()) < kPage) break;
    }
    return result;
}

std::int64_t removeOlderThan(storage::Transaction& tx, Timestamp cutoff) {
    std::int64_t removed = 0;
    for (const Removal& removal : removeChainsOlderThan(tx, cutoff))
        removed += removal.removed;
    return removed;
}

std::int64_t runRetention(storage::Database& db, Timestamp now, std::chrono::hours retention) {
    const Timestamp cutoff =
        now - std::chrono::duration_cast<std::chrono::microseconds>(retention).count();
    RequestContext context;
    context.actor.kind = Actor::Kind::System;
    context.requestId = "retention-" + std::to_string(now);
    context.now = now;
    return db.run(storage::Mode::Write, [&](storage::Transaction& tx) {
        std::int64_t removed = 0;
        for (const Removal& removal : removeChainsOlderThan(tx, cutoff)) {
            removed += removal.removed;
            // The removal itself is evidence: whoever reads the log sees where it now starts.
            append(tx, context,
                   Event{removal.contractId, "events.retention", "events", "ok",
                         nlohmann::json{{"removed", removal.removed},
                                        {"removed_through_id", removal.throughId},
                                        {"cutoff", formatTimestamp(cutoff)}}});
        }
        return removed;
    });
}

}  // namespace dnsfleet::controld::audit
