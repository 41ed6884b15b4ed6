// authorize(): the pure rule plus the database facts it needs (staff grants), and the event
// log entry for every denial.
#include <string>

#include "authz_internal.hpp"
#include "controld/audit/event_log.hpp"
#include "controld/authz/authz.hpp"
#include "controld/authz/contract_scope.hpp"

namespace dnsfleet::controld::authz {

namespace {

Timestamp requestTime(const RequestContext& context) {
    return context.now != 0 ? context.now : nowUtc();
}

}  // namespace

bool hasLiveGrant(storage::Transaction& tx, Id staffId, Id contractId, Timestamp now) {
    return tx
        .queryOne(
            "SELECT id FROM staff_grants WHERE contract_id = $1 AND staff_id = $2 "
            "AND expires_at > $3 LIMIT 1",
            {contractId, staffId, now})
        .has_value();
}

Outcome<void> authorize(storage::Database& db, const RequestContext& context, Permission permission,
                        Id contractId, std::optional<std::string_view> zone) {
    const Actor& actor = context.actor;
    bool grant = false;
    // Only a permission that a grant changes is worth the query.
    if (actor.isStaff() && contractId != 0 && !matrixAllows(permission, Holder::Staff) &&
        matrixAllows(permission, Holder::StaffWithGrant)) {
        grant = db.run(storage::Mode::Read, [&](storage::Transaction& tx) {
            return hasLiveGrant(tx, actor.id, contractId, requestTime(context));
        });
    }
    const Denial denial = denialOf(actor, permission, contractId, zone, grant);
    if (denial == Denial::None) return {};

    audit::Event event;
    // A user's denials belong to the user's own contract: its admins see who probed what. Staff
    // and anonymous requests go to the platform chain, never into a customer's log.
    event.contractId = actor.isUser() ? actor.contractId : 0;
    event.action = "access.denied";
    if (zone) {
        event.target = "zone:" + std::string(*zone);
    } else if (contractId != 0) {
        event.target = db.run(storage::Mode::Read, [&](storage::Transaction& tx) {
            return contractTarget(tx, contractId);
        });
    } else {
        event.target = "platform";
    }
    event.result = "denied";
    event.details = nlohmann::json{{"permission", std::string(permissionName(permission))},
                                   {"contract_id", contractId},
                                   {"reason", std::string(denialName(denial))}};
    if (zone) event.details["zone"] = std::string(*zone);
    if (actor.isUser()) event.details["role"] = std::string(roleName(actor.role));
    audit::appendAlone(db, context, event);

    switch (denial) {
        case Denial::Tenant:
            // Word for word what an unknown service code gets (resolveContract), so that the
            // routes that look the contract up themselves cannot tell "someone else's" apart.
            return fail(notFound("no such contract"));
        case Denial::Unauthenticated:
            return fail(unauthenticated());
        case Denial::TokenScope:
            return fail(forbidden("this API token has read scope only"));
        case Denial::TokenZones:
            return fail(forbidden("this API token is limited to other zones"));
        case Denial::NoGrant:
            return fail(forbidden("staff need a live grant to read this contract's zone data"));
        case Denial::None:
        case Denial::Role:
            break;
    }
    return fail(forbidden("your role does not allow this"));
}

Id grantStaffAccess(storage::Transaction& tx, const RequestContext& context, Id contractId,
                    Timestamp until, const std::string& reason) {
    const Timestamp now = requestTime(context);
    const auto inserted = tx.queryOne(
        "INSERT INTO staff_grants (staff_id, contract_id, reason, created_at, expires_at) "
        "VALUES ($1, $2, $3, $4, $5) RETURNING id",
        {context.actor.id, contractId, reason, now, until});
    if (!inserted) throw storage::DatabaseError(storage::ErrorKind::Other, "grant not stored");
    const Id grantId = inserted->integer(0);
    const nlohmann::json details{{"grant_id", grantId},
                                 {"staff_id", context.actor.id},
                                 {"staff", context.actor.login},
                                 {"contract_id", contractId},
                                 {"reason", reason},
                                 {"expires_at", formatTimestamp(until)}};
    // Both logs: the customer sees who may read its zones, the platform sees what staff did.
    audit::append(
        tx, context,
        audit::Event{contractId, "grant.create", "staff:" + context.actor.login, "ok", details});
    audit::append(tx, context,
                  audit::Event{0, "grant.create", contractTarget(tx, contractId), "ok", details});
    return grantId;
}

std::vector<Grant> listGrants(storage::Transaction& tx, Id contractId) {
    const storage::Rows rows = tx.query(
        "SELECT id, staff_id, contract_id, reason, created_at, expires_at FROM staff_grants "
        "WHERE contract_id = $1 ORDER BY id DESC",
        {contractId});
    std::vector<Grant> grants;
    grants.reserve(rows.size());
    for (const storage::Row& r : rows) {
        grants.push_back(
            Grant{r.integer(0), r.integer(1), r.integer(2), r.text(3), r.integer(4), r.integer(5)});
    }
    return grants;
}

Outcome<Id> resolveContract(storage::Database& db, const RequestContext& context,
                            std::string_view code, Permission permission,
                            std::optional<std::string_view> zone) {
    const std::optional<Id> contractId =
        db.run(storage::Mode::Read, [&](storage::Transaction& tx) -> std::optional<Id> {
            if (auto found = tx.queryOne("SELECT id FROM contracts WHERE service_code = $1",
                                         {std::string(code)})) {
                return found->integer(0);
            }
            return std::nullopt;
        });
    // One answer for "does not exist" and "is someone else's", word for word.
    if (!contractId) return fail(notFound("no such contract"));
    Outcome<void> allowedHere = authorize(db, context, permission, *contractId, zone);
    if (!allowedHere) {
        if (allowedHere.error().code == ErrorCode::NotFound) {
            return fail(notFound("no such contract"));
        }
        return fail(std::move(allowedHere).error());
    }
    return *contractId;
}

std::optional<std::string> serviceCode(storage::Transaction& tx, Id contractId) {
    if (auto found =
            tx.queryOne("SELECT service_code FROM contracts WHERE id = $1", {contractId})) {
        return found->text(0);
    }
    return std::nullopt;
}

std::string contractTarget(storage::Transaction& tx, Id contractId) {
    if (std::optional<std::string> code = serviceCode(tx, contractId)) return "contract:" + *code;
    return "contract:#" + std::to_string(contractId);
}

}  // namespace dnsfleet::controld::authz
