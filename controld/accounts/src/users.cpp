#include "controld/accounts/users.hpp"

#include <cctype>

#include "account_rows.hpp"
#include "controld/audit/event_log.hpp"
#include "controld/authz/authz.hpp"

namespace dnsfleet::controld::accounts {
namespace {

bool managesOwners(Role role) {
    return role == Role::Owner || role == Role::Admin;
}

/// Owners manage owners and admins, admins the rest: the stricter permission of the roles
/// involved (the target's current one and the one it gets) decides.
authz::Permission permissionFor(Role current, std::optional<Role> next) {
    if (managesOwners(current) || (next && managesOwners(*next))) {
        return authz::Permission::OwnersManage;
    }
    return authz::Permission::UsersManage;
}

Outcome<std::string> passwordFor(const PasswordHasher& hasher, const NewUser& request,
                                 std::optional<std::string>& generated) {
    if (request.password) {
        DNSFLEET_TRY(checkPasswordPolicy(*request.password, request.login));
        return hasher.hash(*request.password);
    }
    generated = detail::generatePassword();
    return hasher.hash(*generated);
}

Outcome<void> checkNewUser(const NewUser& request) {
    std::vector<FieldError> fields;
    if (auto login = checkLogin(request.login); !login) {
        fields.insert(fields.end(), login.error().fields.begin(), login.error().fields.end());
    }
    if (auto email = checkEmail(request.email); !email) {
        fields.insert(fields.end(), email.error().fields.begin(), email.error().fields.end());
    }
    if (!fields.empty()) return fail(invalid("the user is not valid", std::move(fields)));
    return {};
}

/// The target user within `contractId`, or NotFound (also for another contract's users).
Outcome<User> findMember(storage::Database& db, Id contractId, Id userId) {
    auto user = db.run(storage::Mode::Read,
                       [&](storage::Transaction& tx) { return detail::loadUser(tx, userId); });
    if (!user || user->staff || user->contractId != contractId) {
        return fail(notFound("no such user"));
    }
    return *user;
}

}  // namespace

Outcome<void> checkLogin(std::string_view login, std::string_view field) {
    const auto bad = [&](std::string message) {
        return fail(invalid("the login is not valid", {{std::string(field), std::move(message)}}));
    };
    if (login.empty() || login.size() > 128) return bad("must be 1 to 128 characters long");
    if (std::isalnum(static_cast<unsigned char>(login.front())) == 0) {
        return bad("must start with a letter or a digit");
    }
    for (const char c : login) {
        const auto u = static_cast<unsigned char>(c);
        if (u >= 0x80 ||
            (std::isalnum(u) == 0 && std::string_view("._@+-").find(c) == std::string_view::npos)) {
            return bad("may only contain ASCII letters, digits and ._@+-");
        }
    }
    return {};
}

Outcome<void> checkEmail(std::string_view email, std::string_view field) {
    const auto at = email.find('@');
    const bool ok = !email.empty() && email.size() <= 254 && at != std::string_view::npos &&
                    at > 0 && at + 1 < email.size() &&
                    email.find('@', at + 1) == std::string_view::npos &&
                    email.find_first_of(" \t\r\n<>,;\"") == std::string_view::npos;
    if (!ok) {
        return fail(invalid("the e-mail address is not valid",
                            {{std::string(field), "must be an address like name@example.com"}}));
    }
    return {};
}

Outcome<CreatedUser> addUser(storage::Database& db, const RequestContext& context,
                             const PasswordHasher& hasher, Id contractId, const NewUser& request) {
    DNSFLEET_TRY(
        authz::authorize(db, context, permissionFor(request.role, std::nullopt), contractId));
    DNSFLEET_TRY(checkNewUser(request));
    CreatedUser created;
    auto hash = passwordFor(hasher, request, created.generatedPassword);
    if (!hash) return fail(std::move(hash).error());
    return db.run(storage::Mode::Write, [&](storage::Transaction& tx) -> Outcome<CreatedUser> {
        const auto contract = detail::loadContract(tx, contractId);
        if (!contract) return fail(notFound("no such contract"));
        if (contract->state == "cancelled") {
            return fail(conflict("the contract is cancelled"));
        }
        auto id = detail::insertAccount(tx, context, false, request, contractId, *hash);
        if (!id) return fail(std::move(id).error());
        audit::append(tx, context,
                      {contractId,
                       "user.create",
                       detail::userTarget(*id),
                       "ok",
                       {{"login", request.login}, {"role", roleName(request.role)}}});
        created.user = *detail::loadUser(tx, *id);
        return created;
    });
}

Outcome<std::vector<User>> listUsers(storage::Database& db, const RequestContext& context,
                                     Id contractId) {
    DNSFLEET_TRY(authz::authorize(db, context, authz::Permission::UsersRead, contractId));
    return db.run(storage::Mode::Read, [&](storage::Transaction& tx) {
        const auto rows = tx.query("SELECT " + std::string(detail::kUserColumns) +
                                       " FROM accounts WHERE contract_id = $1 AND disabled = 0 "
                                       "ORDER BY id",
                                   {contractId});
        std::vector<User> users;
        users.reserve(rows.size());
        for (const auto& row : rows)
            users.push_back(detail::userFromRow(row));
        return users;
    });
}

Outcome<User> getUser(storage::Database& db, const RequestContext& context, Id contractId,
                      Id userId) {
    const bool self = context.actor.isUser() && context.actor.contractId == contractId &&
                      context.actor.id == userId;
    if (!self) {
        DNSFLEET_TRY(authz::authorize(db, context, authz::Permission::UsersRead, contractId));
    }
    return findMember(db, contractId, userId);
}

Outcome<User> updateUser(storage::Database& db, const RequestContext& context, Id contractId,
                         Id userId, const UserChange& change) {
    DNSFLEET_TRY(authz::authorize(db, context, authz::Permission::UsersManage, contractId));
    if (change.email) DNSFLEET_TRY(checkEmail(*change.email));
    auto target = findMember(db, contractId, userId);
    if (!target) return fail(std::move(target).error());
    const auto permission = permissionFor(target->role, change.role);
    if (permission != authz::Permission::UsersManage) {
        DNSFLEET_TRY(authz::authorize(db, context, permission, contractId));
    }
    return db.run(storage::Mode::Write, [&](storage::Transaction& tx) -> Outcome<User> {
        const auto current = detail::loadUser(tx, userId);
        if (!current || current->contractId != contractId) return fail(notFound("no such user"));
        // The role may have changed since the rights were checked; they hold for the old role.
        if (current->role != target->role) return fail(conflict("the user changed meanwhile"));
        nlohmann::json details = nlohmann::json::object();
        if (change.role && *change.role != current->role) {
            if (current->role == Role::Owner && detail::ownerCount(tx, contractId) <= 1) {
                return fail(conflict("the last owner of a contract cannot be demoted"));
            }
            tx.execute("UPDATE accounts SET role = $1 WHERE id = $2",
                       {std::string(roleName(*change.role)), userId});
            details["role"] = {{"from", roleName(current->role)}, {"to", roleName(*change.role)}};
        }
        if (change.email && *change.email != current->email) {
            tx.execute("UPDATE accounts SET email = $1 WHERE id = $2", {*change.email, userId});
            details["email_changed"] = true;
        }
        audit::append(tx, context,
                      {contractId, "user.update", detail::userTarget(userId), "ok", details});
        return *detail::loadUser(tx, userId);
    });
}

Outcome<void> removeUser(storage::Database& db, const RequestContext& context, Id contractId,
                         Id userId) {
    DNSFLEET_TRY(authz::authorize(db, context, authz::Permission::UsersManage, contractId));
    auto target = findMember(db, contractId, userId);
    if (!target) return fail(std::move(target).error());
    const auto permission = permissionFor(target->role, std::nullopt);
    if (permission != authz::Permission::UsersManage) {
        DNSFLEET_TRY(authz::authorize(db, context, permission, contractId));
    }
    return db.run(storage::Mode::Write, [&](storage::Transaction& tx) -> Outcome<void> {
        const auto current = detail::loadUser(tx, userId);
        if (!current || current->contractId != contractId) return fail(notFound("no such user"));
        if (current->role != target->role) return fail(conflict("the user changed meanwhile"));
        if (current->role == Role::Owner && detail::ownerCount(tx, contractId) <= 1) {
            return fail(conflict("the last owner of a contract cannot be removed"));
        }
        // The row stays (the event log and zone history name it) but can never log in again;
        // its login is freed for a new account.
        tx.execute("UPDATE accounts SET disabled = 1, login_key = $1 WHERE id = $2",
                   {"#removed:" + std::to_string(userId), userId});
        const auto sessions = detail::endSessions(tx, userId);
        const auto tokens = tx.execute(
            "UPDATE api_tokens SET revoked_at = $1 WHERE account_id = $2 AND revoked_at IS NULL",
            {context.now, userId});
        tx.execute(
            "UPDATE password_resets SET used_at = $1 WHERE account_id = $2 AND "
            "used_at IS NULL",
            {context.now, userId});
        audit::append(tx, context,
                      {contractId,
                       "user.remove",
                       detail::userTarget(userId),
                       "ok",
                       {{"login", current->login},
                        {"sessions_ended", sessions},
                        {"tokens_revoked", tokens}}});
        return {};
    });
}

Outcome<User> currentAccount(storage::Database& db, const RequestContext& context) {
    if (context.actor.kind != Actor::Kind::Staff && context.actor.kind != Actor::Kind::User) {
        return fail(unauthenticated());
    }
    auto user = db.run(storage::Mode::Read, [&](storage::Transaction& tx) {
        return detail::loadUser(tx, context.actor.id);
    });
    if (!user) return fail(unauthenticated());
    return *user;
}

Outcome<User> createStaff(storage::Database& db, const RequestContext& context,
                          const PasswordHasher& hasher, const NewUser& request) {
    DNSFLEET_TRY(authz::authorize(db, context, authz::Permission::PlatformContracts, 0));
    DNSFLEET_TRY(checkNewUser(request));
    std::optional<std::string> generated;
    auto hash = passwordFor(hasher, request, generated);
    if (!hash) return fail(std::move(hash).error());
    return db.run(storage::Mode::Write, [&](storage::Transaction& tx) -> Outcome<User> {
        auto id = detail::insertAccount(tx, context, true, request, 0, *hash);
        if (!id) return fail(std::move(id).error());
        audit::append(
            tx, context,
            {0, "staff.create", detail::userTarget(*id), "ok", {{"login", request.login}}});
        return *detail::loadUser(tx, *id);
    });
}

Outcome<bool> bootstrapStaff(storage::Database& db, const std::string& login,
                             const std::string& password, const config::AuthSettings& auth) {
    DNSFLEET_TRY(checkLogin(login));
    DNSFLEET_TRY(checkPasswordPolicy(password, login));
    auto hasher = PasswordHasher::create(auth);
    if (!hasher) return fail(std::move(hasher).error());
    auto hash = hasher->hash(password);
    if (!hash) return fail(std::move(hash).error());
    RequestContext context;
    context.requestId = "bootstrap";
    context.actor.kind = Actor::Kind::System;
    context.actor.login = "system";
    context.now = nowUtc();
    return db.run(storage::Mode::Write, [&](storage::Transaction& tx) -> Outcome<bool> {
        if (tx.queryOne("SELECT id FROM accounts WHERE kind = 'staff' AND disabled = 0 LIMIT 1")) {
            return false;
        }
        NewUser request;
        request.login = login;
        auto id = detail::insertAccount(tx, context, true, request, 0, *hash);
        if (!id) return fail(std::move(id).error());
        audit::append(tx, context,
                      {0, "staff.bootstrap", detail::userTarget(*id), "ok", {{"login", login}}});
        return true;
    });
}

}  // namespace dnsfleet::controld::accounts
