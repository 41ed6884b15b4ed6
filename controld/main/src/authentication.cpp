#include "controld/accounts/authenticate.hpp"
#include "controld/api/credentials.hpp"
#include "controld/http/credentials.hpp"
#include "controld/main/daemon.hpp"

namespace dnsfleet::controld::daemon {

std::optional<std::string> cookieValue(std::string_view header, std::string_view name) {
    return http::cookieValue(header, name);
}

http::Authenticator databaseAuthenticator(storage::Database& db) {
    return [&db](const http::Request& request, const RequestContext& context) -> Outcome<Actor> {
        return accounts::authenticate(db, api::credentialsOf(request), context);
    };
}

}  // namespace dnsfleet::controld::daemon
