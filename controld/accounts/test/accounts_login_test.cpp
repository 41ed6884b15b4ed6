// Login, throttling, sessions and authenticate(): the cookie's lifetime, CSRF, the contract's
// IP allowlist, and the event log of each attempt.
#include <gtest/gtest.h>

#include "accounts_fixture.hpp"
#include "controld/accounts/authenticate.hpp"
#include "controld/accounts/login.hpp"
#include "controld/accounts/random_token.hpp"

namespace dnsfleet::controld::accounts {
namespace {
constexpr controld::testing::Backend kLoginBackend = controld::testing::Backend::Sqlite;
}  // namespace
}  // namespace dnsfleet::controld::accounts

#include "accounts_login_suite.inc"
