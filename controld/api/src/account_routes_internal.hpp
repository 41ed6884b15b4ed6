#pragma once
// Private to the accounts routes: body readers and JSON shapes shared by account_routes.cpp
// (/auth, /tokens) and contract_routes.cpp (/contracts, users, grants).
#include <initializer_list>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "controld/accounts/contracts.hpp"
#include "controld/accounts/mailer.hpp"
#include "controld/accounts/password.hpp"
#include "controld/accounts/users.hpp"
#include "controld/api/api.hpp"

namespace dnsfleet::controld::api::accounts_routes {

/// Reads typed members of a checked body, collecting field errors instead of throwing.
class BodyReader {
  public:
    explicit BodyReader(const nlohmann::json& body) : body_(body) {}
    std::optional<std::string> text(const std::string& key);
    std::optional<bool> boolean(const std::string& key);
    std::optional<std::int64_t> integer(const std::string& key);
    std::optional<std::vector<std::string>> texts(const std::string& key);
    std::optional<accounts::Labels> labels(const std::string& key);
    std::optional<Role> role(const std::string& key);
    std::optional<Timestamp> time(const std::string& key);
    /// Invalid with every field error collected, or success.
    [[nodiscard]] Outcome<void> finish() const;

  private:
    const nlohmann::json& body_;
    std::vector<FieldError> fields_;
};

/// "/api/v1" + `path`.
[[nodiscard]] inline std::string route(const std::string& path) {
    return "/api/v1" + path;
}

/// The request's JSON object body with only the `required` and `allowed` members.
[[nodiscard]] Outcome<nlohmann::json> body(const http::Request& request,
                                           std::initializer_list<std::string_view> required,
                                           std::initializer_list<std::string_view> allowed);

[[nodiscard]] nlohmann::json userJson(const accounts::User& user);

/// The page `page` of `all`, each rendered by `render`, in the list shape
/// {items, total, page, per_page}.
template <typename T, typename Render>
[[nodiscard]] http::Response pageOf(const std::vector<T>& all, const http::PageRequest& page,
                                    Render render) {
    nlohmann::json items = nlohmann::json::array();
    const auto total = static_cast<std::int64_t>(all.size());
    for (std::int64_t i = page.offset(); i < total && i < page.offset() + page.perPage; ++i) {
        items.push_back(render(all[static_cast<std::size_t>(i)]));
    }
    return http::json(200, http::pageBody(std::move(items), total, page));
}
[[nodiscard]] nlohmann::json contractJson(const accounts::Contract& contract);

/// "Set-Cookie" value for a new session, and one that removes it.
[[nodiscard]] std::string sessionCookie(const std::string& token, std::int64_t maxAgeSeconds);
[[nodiscard]] std::string clearedSessionCookie();

/// What the handlers share: the hasher is made once (its dummy hash costs one Argon2id run).
struct Shared {
    Services& services;
    accounts::PasswordHasher hasher;
    std::unique_ptr<accounts::Mailer> fallbackMailer;  ///< when services.mailer is null

    [[nodiscard]] accounts::Mailer& mailer() const {
        return services.mailer != nullptr ? *services.mailer : *fallbackMailer;
    }
};

void addContractRoutes(http::Router& router, const std::shared_ptr<Shared>& shared);

}  // namespace dnsfleet::controld::api::accounts_routes
