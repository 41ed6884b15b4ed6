#include "account_rows.hpp"

#include <algorithm>
#include <cctype>

#include "controld/accounts/ip_prefix.hpp"
#include "controld/accounts/random_token.hpp"

namespace dnsfleet::controld::accounts::detail {

User userFromRow(const storage::Row& row) {
    User user;
    user.id = row.integer(0);
    user.staff = row.text(1) == "staff";
    user.login = row.text(2);
    user.email = row.text(3);
    user.contractId = row.optionalInteger(4).value_or(0);
    if (const auto role = row.optionalText(5)) user.role = parseRole(*role).value_or(Role::Viewer);
    user.totpEnabled = row.integer(6) != 0;
    user.createdAt = row.integer(7);
    return user;
}

Contract contractFromRow(const storage::Row& row) {
    Contract contract;
    contract.id = row.integer(0);
    contract.serviceCode = row.text(1);
    contract.plan = row.text(2);
    contract.state = row.text(3);
    contract.description = row.text(4);
    const auto labels = nlohmann::json::parse(row.text(5), nullptr, false);
    if (labels.is_object()) {
        for (const auto& [key, value] : labels.items()) {
            if (value.is_string()) contract.labels[key] = value.get<std::string>();
        }
    }
    const auto allowlist = nlohmann::json::parse(row.text(6), nullptr, false);
    if (allowlist.is_array()) {
        contract.ipAllowlist.reserve(allowlist.size());
        for (const auto& prefix : allowlist) {
            if (prefix.is_string()) contract.ipAllowlist.push_back(prefix.get<std::string>());
        }
    }
    contract.mfaRequired = row.integer(7) != 0;
    contract.createdAt = row.integer(8);
    contract.cancelledAt = row.optionalInteger(9);
    return contract;
}

std::optional<User> loadUser(storage::Transaction& tx, Id id) {
    const auto row = tx.queryOne(
        "SELECT " + std::string(kUserColumns) + " FROM accounts WHERE id = $1 AND disabled = 0",
        {id});
    if (!row) return std::nullopt;
    return userFromRow(*row);
}

std::optional<Contract> loadContract(storage::Transaction& tx, Id id) {
    const auto row = tx.queryOne(
        "SELECT " + std::string(kContractColumns) + " FROM contracts WHERE id = $1", {id});
    if (!row) return std::nullopt;
    return contractFromRow(*row);
}

std::optional<Contract> loadContractByCode(storage::Transaction& tx, std::string_view serviceCode) {
    const auto code = normalizeServiceCode(serviceCode);
    if (!code) return std::nullopt;
    const auto row = tx.queryOne(
        "SELECT " + std::string(kContractColumns) + " FROM contracts WHERE service_code = $1",
        {*code});
    if (!row) return std::nullopt;
    return contractFromRow(*row);
}

std::string loginKey(std::string_view login) {
    std::string key(login);
    std::transform(key.begin(), key.end(), key.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return key;
}

std::string generatePassword() {
    return randomToken("", 18);
}

std::int64_t countEvent(storage::Transaction& tx, const std::string& key, Timestamp now,
                        std::int64_t windowMicros) {
    return tx
        .queryOne(
            "INSERT INTO login_failures (throttle_key, failures, last_failure_at) "
            "VALUES ($1, 1, $2) ON CONFLICT (throttle_key) DO UPDATE SET failures = CASE WHEN "
            "login_failures.last_failure_at < $3 THEN 1 ELSE login_failures.failures + 1 END, "
            "last_failure_at = $2 RETURNING failures",
            {key, now, now - windowMicros})
        ->integer(0);
}

std::string userTarget(Id id) {
    return "user:" + std::to_string(id);
}
std::string contractTarget(const std::string& serviceCode) {
    return "contract:" + serviceCode;
}

Outcome<Id> insertAccount(storage::Transaction& tx, const RequestContext& context, bool staff,
                          const NewUser& request, Id contractId, const std::string& passwordHash) {
    const auto taken =
        tx.queryOne("SELECT id FROM accounts WHERE login_key = $1", {loginKey(request.login)});
    if (taken) return fail(conflict("the login is already taken"));
    storage::Value contract;
    storage::Value role;
    if (!staff) {
        contract = contractId;
        role = std::string(roleName(request.role));
    }
    const auto row = tx.queryOne(
        "INSERT INTO accounts (kind, login, login_key, email, password_hash, contract_id, role, "
        "created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        {std::string(staff ? "staff" : "user"), request.login, loginKey(request.login),
         request.email, passwordHash, contract, role, context.now});
    return row->integer(0);
}

std::int64_t endSessions(storage::Transaction& tx, Id accountId, std::optional<Id> keepSession) {
    if (keepSession) {
        return tx.execute("DELETE FROM sessions WHERE account_id = $1 AND id <> $2",
                          {accountId, *keepSession});
    }
    return tx.execute("DELETE FROM sessions WHERE account_id = $1", {accountId});
}

std::int64_t ownerCount(storage::Transaction& tx, Id contractId) {
    return tx
        .queryOne(
            "SELECT COUNT(*) FROM accounts WHERE contract_id = $1 AND role = 'owner' AND disabled "
            "= 0",
            {contractId})
        ->integer(0);
}

}  // namespace dnsfleet::controld::accounts::detail
