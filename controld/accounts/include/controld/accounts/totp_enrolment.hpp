#pragma once
/// \file
/// The TOTP second factor of an account: enrolment gives a secret that is not active
/// until a code made from it is confirmed; the secret is stored sealed with SecretBox (the key
/// lives outside the database); each code works once (the last accepted time step is kept).
#include <optional>
#include <string>

#include "controld/accounts/password.hpp"
#include "controld/accounts/secret_box.hpp"
#include "controld/core/context.hpp"
#include "storage/database.hpp"

namespace dnsfleet::controld::accounts {

struct TotpEnrolment {
    std::string secret;      ///< base32, for typing into an authenticator app
    std::string otpauthUri;  ///< for a QR code
};

/// Starts (or restarts) enrolment for the caller's account. Conflict when TOTP is active
/// already (disable it first).
[[nodiscard]] Outcome<TotpEnrolment> beginTotpEnrolment(storage::Database& db,
                                                        const RequestContext& context,
                                                        const SecretBox& secrets);

/// Activates TOTP with a code from the enrolled secret; an enrolment-only session (contract
/// requires MFA) becomes a full session.
/// \retval ErrorCode::Invalid  wrong code (field "/otp")
/// \retval ErrorCode::Conflict no enrolment under way, or TOTP already active
[[nodiscard]] Outcome<void> confirmTotp(storage::Database& db, const RequestContext& context,
                                        const SecretBox& secrets, const std::string& code);

/// Turns TOTP off; needs a current code or the password. Refused (Conflict) when the contract
/// requires MFA.
[[nodiscard]] Outcome<void> disableTotp(storage::Database& db, const RequestContext& context,
                                        const SecretBox& secrets, const PasswordHasher& hasher,
                                        const std::optional<std::string>& code,
                                        const std::optional<std::string>& password);

}  // namespace dnsfleet::controld::accounts
