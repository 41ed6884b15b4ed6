#pragma once
/// \file
/// Contract users and platform staff. Role rules: owners manage owners and admins; admins manage
/// operators and viewers; nobody removes or demotes the last owner. Removing a user ends its
/// sessions and revokes its API tokens in the same transaction.
#include <optional>
#include <string>
#include <vector>

#include "controld/accounts/password.hpp"
#include "controld/core/context.hpp"
#include "storage/database.hpp"

namespace dnsfleet::controld::accounts {

/// A staff or user account as the API shows it (never its password hash or TOTP seed).
struct User {
    Id id = 0;
    bool staff = false;
    std::string login;
    std::string email;
    Id contractId = 0;  ///< 0 for staff
    Role role = Role::Viewer;
    bool totpEnabled = false;
    Timestamp createdAt = 0;
};

struct NewUser {
    std::string login;
    std::string email;
    Role role = Role::Viewer;
    /// When absent a random password is generated and returned once.
    std::optional<std::string> password;
};

struct CreatedUser {
    User user;
    std::optional<std::string> generatedPassword;
};

/// Logins: 1 to 128 characters of letters, digits and "._@+-" (e-mail addresses fit), starting
/// with a letter or digit. \retval ErrorCode::Invalid with a field error on `field`
[[nodiscard]] Outcome<void> checkLogin(std::string_view login, std::string_view field = "/login");
/// A plausible e-mail address (one '@', no spaces or line breaks, at most 254 bytes).
[[nodiscard]] Outcome<void> checkEmail(std::string_view email, std::string_view field = "/email");

[[nodiscard]] Outcome<CreatedUser> addUser(storage::Database& db, const RequestContext& context,
                                           const PasswordHasher& hasher, Id contractId,
                                           const NewUser& request);

[[nodiscard]] Outcome<std::vector<User>> listUsers(storage::Database& db,
                                                   const RequestContext& context, Id contractId);

/// A user of `contractId`: admins and owners see every user, others only themselves; NotFound
/// for users of another contract.
[[nodiscard]] Outcome<User> getUser(storage::Database& db, const RequestContext& context,
                                    Id contractId, Id userId);

struct UserChange {
    std::optional<Role> role;
    std::optional<std::string> email;
};

[[nodiscard]] Outcome<User> updateUser(storage::Database& db, const RequestContext& context,
                                       Id contractId, Id userId, const UserChange& change);

[[nodiscard]] Outcome<void> removeUser(storage::Database& db, const RequestContext& context,
                                       Id contractId, Id userId);

/// The account behind an authenticated actor (for GET /auth/me).
[[nodiscard]] Outcome<User> currentAccount(storage::Database& db, const RequestContext& context);

/// Creates a staff account (staff only).
[[nodiscard]] Outcome<User> createStaff(storage::Database& db, const RequestContext& context,
                                        const PasswordHasher& hasher, const NewUser& request);

/// First start: creates the staff account `login` when no staff account exists yet (as the
/// System actor, logged in the platform chain). Returns false when staff already existed (then
/// nothing changes). \retval ErrorCode::Invalid  bad login or password
[[nodiscard]] Outcome<bool> bootstrapStaff(storage::Database& db, const std::string& login,
                                           const std::string& password,
                                           const config::AuthSettings& auth = {});

}  // namespace dnsfleet::controld::accounts
