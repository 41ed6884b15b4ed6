#include "controld/audit/event_log.hpp"

#include <openssl/evp.h>

#include <array>
#include <memory>
#include <string_view>

#include "chain_internal.hpp"

namespace dnsfleet::controld::audit {

namespace {

// Netstring framing ("<length>:<bytes>,") makes the serialization unambiguous whatever bytes a
// field holds: no separator inside a field can be mistaken for the end of it.
void appendNetstring(std::string& out, std::string_view field) {
    out += std::to_string(field.size());
    out += ':';
    out += field;
    out += ',';
}

std::string sha256Hex(std::string_view data) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int length = 0;
    if (EVP_Digest(data.data(), data.size(), digest.data(), &length, EVP_sha256(), nullptr) != 1) {
        throw std::runtime_error("SHA-256 failed");
    }
    static constexpr std::string_view kHex = "0123456789abcdef";
    std::string hex;
    hex.reserve(std::size_t{length} * 2);
    for (unsigned int i = 0; i < length; ++i) {
        hex += kHex[digest[i] >> 4U];
        hex += kHex[digest[i] & 0x0fU];
    }
    return hex;
}

// PostgreSQL refuses text that is not UTF-8 or holds NUL, and a stored text that differs from
// the hashed one would break the chain: fields are made storable before they are hashed.
std::string storable(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    std::size_t i = 0;
    while (i < text.size()) {
        const auto byte = static_cast<unsigned char>(text[i]);
        std::size_t length = 0;
        if (byte >= 0x01 && byte < 0x80) {
            length = 1;
        } else if (byte >= 0xc2 && byte <= 0xdf) {
            length = 2;
        } else if (byte >= 0xe0 && byte <= 0xef) {
            length = 3;
        } else if (byte >= 0xf0 && byte <= 0xf4) {
            length = 4;
        }
        bool valid = length != 0 && i + length <= text.size();
        for (std::size_t k = 1; valid && k < length; ++k) {
            valid = (static_cast<unsigned char>(text[i + k]) & 0xc0U) == 0x80U;
        }
        if (valid && length >= 3) {
            // Overlong forms, surrogates and code points above U+10FFFF.
            const auto second = static_cast<unsigned char>(text[i + 1]);
            if (byte == 0xe0 && second < 0xa0) valid = false;
            if (byte == 0xed && second >= 0xa0) valid = false;
            if (byte == 0xf0 && second < 0x90) valid = false;
            if (byte == 0xf4 && second >= 0x90) valid = false;
        }
        if (valid) {
            out.append(text.substr(i, length));
            i += length;
        } else {
            out += "\xef\xbf\xbd";  // U+FFFD
            ++i;
        }
    }
    return out;
}

}  // namespace

const std::string& genesisHash() {
    static const std::string zeros(64, '0');
    return zeros;
}

std::string actorText(const Actor& actor) {
    switch (actor.kind) {
        case Actor::Kind::Anonymous:
            return "anonymous";
        case Actor::Kind::System:
            return "system";
        case Actor::Kind::Staff:
        case Actor::Kind::User:
            break;
    }
    if (actor.tokenId) return "token:" + std::to_string(*actor.tokenId) + ":" + actor.login;
    return (actor.isStaff() ? "staff:" : "user:") + actor.login;
}

std::string chainHash(const std::string& previousHash, const Entry& entry,
                      const std::string& detailsText) {
    std::string serialized;
    serialized.reserve(256 + detailsText.size());
    appendNetstring(serialized, previousHash);
    appendNetstring(serialized, std::to_string(entry.contractId));
    appendNetstring(serialized, std::to_string(entry.time));
    appendNetstring(serialized, entry.actor);
    appendNetstring(serialized, entry.sourceAddress);
    appendNetstring(serialized, entry.requestId);
    appendNetstring(serialized, entry.action);
    appendNetstring(serialized, entry.target);
    appendNetstring(serialized, entry.result);
    appendNetstring(serialized, detailsText);
    return sha256Hex(serialized);
}

std::string canonicalDetails(const nlohmann::json& details) {
    // nlohmann::json keeps object members in a std::map, so dump() sorts keys at every level;
    // `replace` turns invalid UTF-8 into U+FFFD instead of throwing.
    if (details.is_null()) return "{}";
    return details.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string previousHash(storage::Transaction& tx, Id contractId) {
    if (auto last =
            tx.queryOne("SELECT hash FROM events WHERE contract_id = $1 ORDER BY id DESC LIMIT 1",
                        {contractId})) {
        return last->text(0);
    }
    if (auto anchor =
            tx.queryOne("SELECT hash FROM event_anchors WHERE contract_id = $1", {contractId})) {
        return anchor->text(0);
    }
    return genesisHash();
}

void append(storage::Transaction& tx, const RequestContext& context, const Event& event) {
    Entry entry;
    entry.contractId = event.contractId;
    entry.time = context.now != 0 ? context.now : nowUtc();
    entry.actor = storable(actorText(context.actor));
    entry.sourceAddress = storable(context.sourceAddress);
    entry.requestId = storable(context.requestId);
    entry.action = storable(event.action);
    entry.target = storable(event.target);
    entry.result = storable(event.result);
    const std::string detailsText = storable(canonicalDetails(event.details));
    const std::string hash = chainHash(previousHash(tx, event.contractId), entry, detailsText);
    tx.execute(
        "INSERT INTO events (contract_id, time, actor, source_address, request_id, action, "
        "target, result, details, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        {entry.contractId, entry.time, entry.actor, entry.sourceAddress, entry.requestId,
         entry.action, entry.target, entry.result, detailsText, hash});
}

void appendAlone(storage::Database& db, const RequestContext& context, const Event& event) {
    db.run(storage::Mode::Write, [&](storage::Transaction& tx) { append(tx, context, event); });
}

nlohmann::json toJson(const Entry& entry) {
    return nlohmann::json{{"id", entry.id},
                          {"contract_id", entry.contractId},
                          {"time", formatTimestamp(entry.time)},
                          {"actor", entry.actor},
                          {"source_address", entry.sourceAddress},
                          {"request_id", entry.requestId},
                          {"action", entry.action},
                          {"target", entry.target},
                          {"result", entry.result},
                          {"details", entry.details},
                          {"hash", entry.hash}};
}

}  // namespace dnsfleet::controld::audit
