#pragma once
// Private helpers shared by the accounts service: row mapping and lookups.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "controld/accounts/contracts.hpp"
#include "controld/accounts/users.hpp"
#include "storage/database.hpp"

namespace dnsfleet::controld::accounts::detail {

/// The columns userFromRow reads, in its order.
inline constexpr std::string_view kUserColumns =
    "id, kind, login, email, contract_id, role, totp_enabled, created_at";
inline constexpr std::string_view kContractColumns =
    "id, service_code, plan, state, description, labels, ip_allowlist, mfa_required, created_at, "
    "cancelled_at";

[[nodiscard]] User userFromRow(const storage::Row& row);
[[nodiscard]] Contract contractFromRow(const storage::Row& row);

/// The account `id` unless it was removed.
[[nodiscard]] std::optional<User> loadUser(storage::Transaction& tx, Id id);
[[nodiscard]] std::optional<Contract> loadContract(storage::Transaction& tx, Id id);
[[nodiscard]] std::optional<Contract> loadContractByCode(storage::Transaction& tx,
                                                         std::string_view serviceCode);

/// The unique key of a login: ASCII lower case (logins are ASCII, see checkLogin).
[[nodiscard]] std::string loginKey(std::string_view login);

/// A random password for accounts created without one (shown once).
[[nodiscard]] std::string generatePassword();

/// Counts one more event under `key` in login_failures (failed logins, reset requests) and
/// returns the count; a count whose last event is older than `windowMicros` starts again.
std::int64_t countEvent(storage::Transaction& tx, const std::string& key, Timestamp now,
                        std::int64_t windowMicros);

/// The event-log target of an account.
[[nodiscard]] std::string userTarget(Id id);
[[nodiscard]] std::string contractTarget(const std::string& serviceCode);

/// Inserts an account row; Conflict when the login is taken (any case, any contract).
[[nodiscard]] Outcome<Id> insertAccount(storage::Transaction& tx, const RequestContext& context,
                                        bool staff, const NewUser& request, Id contractId,
                                        const std::string& passwordHash);

/// Ends every session of `accountId` except `keepSession`, and returns how many ended.
std::int64_t endSessions(storage::Transaction& tx, Id accountId,
                         std::optional<Id> keepSession = std::nullopt);

/// Number of owners of `contractId`.
[[nodiscard]] std::int64_t ownerCount(storage::Transaction& tx, Id contractId);

}  // namespace dnsfleet::controld::accounts::detail
