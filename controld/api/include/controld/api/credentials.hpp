#pragma once
/// \file
/// A request's credentials in the form accounts::authenticate takes: one reading for the
/// daemon's authenticator and for the routes that authenticate by themselves (TOTP enrolment).
#include "controld/accounts/authenticate.hpp"
#include "controld/http/router.hpp"

namespace dnsfleet::controld::api {

/// The session cookie, bearer token and CSRF header of `request`, and whether its method
/// changes state.
[[nodiscard]] accounts::Credentials credentialsOf(const http::Request& request);

}  // namespace dnsfleet::controld::api
