#pragma once
/// \file
/// Changing and resetting passwords. A change needs the current password and ends the
/// account's other sessions. A reset request always gets the same answer; when the login exists
/// a single-use token (stored hashed, valid `AuthSettings::passwordResetValidity`) goes out by
/// mail, and confirming it sets the new password and ends every session of the account.
#include <string>

#include "controld/accounts/mailer.hpp"
#include "controld/accounts/password.hpp"
#include "controld/config/settings.hpp"
#include "controld/core/context.hpp"
#include "storage/database.hpp"

namespace dnsfleet::controld::accounts {

/// \retval ErrorCode::Invalid  a wrong current password (field "/current_password") or a new
///                             one that breaks the policy (field "/new_password")
[[nodiscard]] Outcome<void> changePassword(storage::Database& db, const RequestContext& context,
                                           const PasswordHasher& hasher,
                                           const std::string& currentPassword,
                                           const std::string& newPassword);

/// Always succeeds for a well-formed request, whether the login exists or not (a mail that
/// cannot be sent is logged, not answered, so that the answer shows nothing).
/// \param resetUrlBase  put before the token in the mail ("https://portal/reset?token=");
///                      empty: the mail carries the bare token
[[nodiscard]] Outcome<void> requestPasswordReset(storage::Database& db,
                                                 const RequestContext& context,
                                                 const config::AuthSettings& auth, Mailer& mailer,
                                                 const std::string& login,
                                                 const std::string& resetUrlBase = {});

/// \retval ErrorCode::Invalid  an unknown, used or expired token (field "/token"), or a new
///                             password that breaks the policy (field "/new_password")
[[nodiscard]] Outcome<void> confirmPasswordReset(storage::Database& db,
                                                 const RequestContext& context,
                                                 const PasswordHasher& hasher,
                                                 const std::string& token,
                                                 const std::string& newPassword);

}  // namespace dnsfleet::controld::accounts
