// The login and session suite on PostgreSQL (a throw-away cluster started by TestPostgres).
#include <gtest/gtest.h>

#include "accounts_fixture.hpp"
#include "controld/accounts/authenticate.hpp"
#include "controld/accounts/login.hpp"
#include "controld/accounts/random_token.hpp"

namespace dnsfleet::controld::accounts {
namespace {
constexpr controld::testing::Backend kLoginBackend = controld::testing::Backend::Postgres;
}  // namespace
}  // namespace dnsfleet::controld::accounts

#include "accounts_login_suite.inc"
