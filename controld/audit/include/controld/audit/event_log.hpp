#pragma once
/// \file
/// The event log: every change, login and denied request, written in the same
/// transaction as the change itself, hash-chained per contract so that tampering shows.
///
/// Each entry's hash is SHA-256 over the previous entry's hash and the entry's canonical fields;
/// the retention job removes entries older than 90 days and keeps the hash of the last removed
/// entry as the chain's new anchor, so `verifyChain` still checks what is left.
/// Platform events that belong to no contract (staff logins, edge registration) form their own
/// chain under contract id 0.
#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "controld/core/context.hpp"
#include "storage/database.hpp"

namespace dnsfleet::controld::audit {

/// What happened; the rest (time, actor, source address, request id) comes from the context.
struct Event {
    Id contractId = 0;   ///< the contract whose log holds the entry; 0 for platform events
    std::string action;  ///< dotted: "zone.create", "zone.apply", "auth.login", "access.denied"
    std::string target;  ///< "zone:example.com.", "user:42", "contract:DF-7K3Q9"
    std::string result;  ///< "ok", "denied" or "failed"
    nlohmann::json details = nlohmann::json::object();  ///< small; never secrets
};

/// Appends `event` within `tx` (a Write transaction): the entry commits or rolls back with the
/// change it describes. Throws storage::DatabaseError like every statement in `tx`.
void append(storage::Transaction& tx, const RequestContext& context, const Event& event);

/// Appends `event` in a transaction of its own (for denied requests and failed logins, whose
/// request changes nothing else).
void appendAlone(storage::Database& db, const RequestContext& context, const Event& event);

/// One stored entry.
struct Entry {
    Id id = 0;
    Id contractId = 0;
    Timestamp time = 0;
    std::string
        actor;  ///< "user:alice@example.com", "staff:ops", "token:12", "system", "anonymous"
    std::string sourceAddress;
    std::string requestId;
    std::string action;
    std::string target;
    std::string result;
    nlohmann::json details;
    std::string hash;  ///< hex SHA-256
};

/// What to list; times are inclusive bounds, `actionPrefix` matches "zone" or "zone.apply".
struct Filter {
    std::optional<Timestamp> from;
    std::optional<Timestamp> to;
    std::optional<std::string> actionPrefix;
    std::optional<std::string> result;
    std::int64_t offset = 0;
    std::int64_t limit = 100;
    /// Chain order (the export) instead of newest first.
    bool oldestFirst = false;
    /// Only entries with a larger id: keyset paging for the export, which reads a whole log.
    std::optional<Id> afterId;
    /// Whether to count all matching entries (`Page::total`); the export does not need it.
    bool withTotal = true;
};

struct Page {
    std::vector<Entry> entries;  ///< newest first
    std::int64_t total = 0;      ///< matching entries, all pages
};

[[nodiscard]] Page list(storage::Transaction& tx, Id contractId, const Filter& filter);

/// The result of checking a chain.
struct Verification {
    bool intact = true;
    std::int64_t checked = 0;
    std::optional<Id> firstBadEntry;  ///< the first entry whose hash does not follow
    std::string anchor;               ///< the hash the chain starts from (64 zeros if none)
    Id removedThroughId = 0;          ///< entries up to this id were removed by retention
    std::string head;                 ///< the last entry's hash ("" when the chain is empty)
};
[[nodiscard]] Verification verifyChain(storage::Transaction& tx, Id contractId);

/// Removes every entry older than `cutoff` (all contracts), keeping each chain's anchor; returns
/// how many entries were removed. Run daily by the retention job with now - 90 days.
std::int64_t removeOlderThan(storage::Transaction& tx, Timestamp cutoff);

/// The retention job: removes entries older than `now - retention` in one Write
/// transaction and logs how many it removed in each affected chain ("events.retention", actor
/// "system"). Returns the number of entries removed. Called daily by controld.
std::int64_t runRetention(storage::Database& db, Timestamp now, std::chrono::hours retention);

/// The actor as the log writes it: "user:<login>", "staff:<login>", "token:<id>:<login>",
/// "system", "anonymous".
[[nodiscard]] std::string actorText(const Actor& actor);

/// The chain rule: hex SHA-256 over `previousHash` and the entry's fields (id and hash not
/// included), serialized as docs/controld/events.md describes. `entry.details` is ignored in
/// favour of `detailsText`, the canonical JSON text exactly as stored.
[[nodiscard]] std::string chainHash(const std::string& previousHash, const Entry& entry,
                                    const std::string& detailsText);

/// The hash a chain starts from when nothing was ever removed: 64 zeros.
[[nodiscard]] const std::string& genesisHash();

/// The JSON object the API returns for an entry (snake_case keys, RFC 3339 time).
[[nodiscard]] nlohmann::json toJson(const Entry& entry);

}  // namespace dnsfleet::controld::audit
