#include "controld/api/credentials.hpp"

#include "controld/http/credentials.hpp"

namespace dnsfleet::controld::api {

accounts::Credentials credentialsOf(const http::Request& request) {
    auto sent = http::credentialsOf(request, accounts::kSessionCookie, accounts::kCsrfHeader);
    accounts::Credentials credentials;
    credentials.sessionCookie = std::move(sent.sessionCookie);
    credentials.bearerToken = std::move(sent.bearerToken);
    credentials.csrfToken = std::move(sent.csrfToken);
    credentials.unsafeMethod = sent.unsafeMethod;
    return credentials;
}

}  // namespace dnsfleet::controld::api
