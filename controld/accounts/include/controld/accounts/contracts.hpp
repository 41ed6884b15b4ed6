#pragma once
/// \file
/// Contracts: the tenants. Staff create and change them; a contract's owners set its
/// security (IP allowlist, MFA policy); users see only their own contract. Every change is
/// authorized (authz::authorize) and logged (audit::append) in the same transaction.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "controld/accounts/password.hpp"
#include "controld/accounts/users.hpp"
#include "controld/core/context.hpp"
#include "storage/database.hpp"

namespace dnsfleet::controld::accounts {

using Labels = std::map<std::string, std::string>;

struct Contract {
    Id id = 0;
    std::string serviceCode;  ///< "DF-XXXXXXXX"
    std::string plan;         ///< standard | premium
    std::string state;        ///< active | suspended | cancelled
    std::string description;
    Labels labels;
    std::vector<std::string> ipAllowlist;  ///< canonical prefixes; empty = any address
    bool mfaRequired = false;
    Timestamp createdAt = 0;
    std::optional<Timestamp> cancelledAt;
};

/// The first owner of a new contract.
struct NewOwner {
    std::string login;
    std::string email;
    /// When absent a random password is generated and returned once.
    std::optional<std::string> password;
};

struct NewContract {
    std::string plan;
    std::string description;
    Labels labels;
    NewOwner owner;
};

struct CreatedContract {
    Contract contract;
    User owner;
    std::optional<std::string> generatedPassword;  ///< only when none was given
};

/// Creates a contract with a fresh service code and its first owner (staff only).
[[nodiscard]] Outcome<CreatedContract> createContract(storage::Database& db,
                                                      const RequestContext& context,
                                                      const PasswordHasher& hasher,
                                                      const NewContract& request);

/// Staff filters; users always get their own contract.
struct ContractFilter {
    std::optional<std::string> state;
    std::optional<std::string> plan;
    std::optional<std::string> text;  ///< substring of the service code or description
    std::optional<std::pair<std::string, std::string>> label;
    std::int64_t offset = 0;
    std::int64_t limit = 100;
};

struct ContractPage {
    std::vector<Contract> items;
    std::int64_t total = 0;
};

[[nodiscard]] Outcome<ContractPage> listContracts(storage::Database& db,
                                                  const RequestContext& context,
                                                  const ContractFilter& filter);

/// The contract with `serviceCode` (any case) when the caller may read it; NotFound for an
/// unknown code and for another tenant's contract alike.
[[nodiscard]] Outcome<Contract> getContract(storage::Database& db, const RequestContext& context,
                                            std::string_view serviceCode);

/// The id of the contract with `serviceCode`, without checking rights (the routes of other areas
/// resolve {contract} with it and then authorize their own permission). NotFound when unknown.
[[nodiscard]] Outcome<Id> resolveContract(storage::Transaction& tx, std::string_view serviceCode);

/// What staff may change; absent members stay as they are.
struct ContractChange {
    std::optional<std::string> plan;
    std::optional<std::string> state;  ///< cancelled also sets cancelledAt
    std::optional<std::string> description;
    std::optional<Labels> labels;
};

[[nodiscard]] Outcome<Contract> updateContract(storage::Database& db, const RequestContext& context,
                                               std::string_view serviceCode,
                                               const ContractChange& change);

struct SecuritySettings {
    std::vector<std::string> ipAllowlist;  ///< prefixes; each is validated
    bool mfaRequired = false;
};

/// Sets the contract's IP allowlist and MFA policy (owners). Refuses an allowlist that would
/// lock the caller itself out (its own source address must be inside it).
[[nodiscard]] Outcome<Contract> setSecurity(storage::Database& db, const RequestContext& context,
                                            std::string_view serviceCode,
                                            const SecuritySettings& settings);

}  // namespace dnsfleet::controld::accounts
