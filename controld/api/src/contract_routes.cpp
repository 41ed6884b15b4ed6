// /contracts, /contracts/{contract}/security, users and staff grants; and the JSON shapes and
// body reading the accounts routes share.
#include <charconv>

#include "account_routes_internal.hpp"
#include "controld/accounts/authenticate.hpp"
#include "controld/accounts/random_token.hpp"
#include "controld/authz/authz.hpp"
#include "controld/authz/contract_scope.hpp"

namespace dnsfleet::controld::api::accounts_routes {

std::optional<std::string> BodyReader::text(const std::string& key) {
    if (!body_.contains(key) || body_[key].is_null()) return std::nullopt;
    if (!body_[key].is_string()) {
        fields_.push_back({"/" + key, "must be a string"});
        return std::nullopt;
    }
    return body_[key].get<std::string>();
}

std::optional<bool> BodyReader::boolean(const std::string& key) {
    if (!body_.contains(key) || body_[key].is_null()) return std::nullopt;
    if (!body_[key].is_boolean()) {
        fields_.push_back({"/" + key, "must be true or false"});
        return std::nullopt;
    }
    return body_[key].get<bool>();
}

std::optional<std::int64_t> BodyReader::integer(const std::string& key) {
    if (!body_.contains(key) || body_[key].is_null()) return std::nullopt;
    if (!body_[key].is_number_integer()) {
        fields_.push_back({"/" + key, "must be an integer"});
        return std::nullopt;
    }
    return body_[key].get<std::int64_t>();
}

std::optional<std::vector<std::string>> BodyReader::texts(const std::string& key) {
    if (!body_.contains(key) || body_[key].is_null()) return std::nullopt;
    const auto& value = body_[key];
    bool ok = value.is_array();
    std::vector<std::string> result;
    if (ok) {
        result.reserve(value.size());
        for (const auto& item : value) {
            if (!item.is_string()) {
                ok = false;
                break;
            }
            result.push_back(item.get<std::string>());
        }
    }
    if (!ok) {
        fields_.push_back({"/" + key, "must be an array of strings"});
        return std::nullopt;
    }
    return result;
}

std::optional<accounts::Labels> BodyReader::labels(const std::string& key) {
    if (!body_.contains(key) || body_[key].is_null()) return std::nullopt;
    const auto& value = body_[key];
    accounts::Labels result;
    bool ok = value.is_object();
    if (ok) {
        for (const auto& [name, item] : value.items()) {
            if (!item.is_string()) {
                ok = false;
                break;
            }
            result[name] = item.get<std::string>();
        }
    }
    if (!ok) {
        fields_.push_back({"/" + key, "must be an object of strings"});
        return std::nullopt;
    }
    return result;
}

std::optional<Role> BodyReader::role(const std::string& key) {
    const auto name = text(key);
    if (!name) return std::nullopt;
    const auto parsed = parseRole(*name);
    if (!parsed) fields_.push_back({"/" + key, "must be owner, admin, operator or viewer"});
    return parsed;
}

std::optional<Timestamp> BodyReader::time(const std::string& key) {
    const auto value = text(key);
    if (!value) return std::nullopt;
    const auto parsed = parseTimestamp(*value);
    if (!parsed) fields_.push_back({"/" + key, "must be an RFC 3339 time"});
    return parsed;
}

Outcome<nlohmann::json> body(const http::Request& request,
                             std::initializer_list<std::string_view> required,
                             std::initializer_list<std::string_view> allowed) {
    auto parsed = http::parseJsonBody(request);
    if (!parsed) return parsed;
    DNSFLEET_TRY(http::checkMembers(*parsed, required, allowed));
    return parsed;
}

Outcome<void> BodyReader::finish() const {
    if (!fields_.empty()) return fail(invalid("the request body is not valid", fields_));
    return {};
}

nlohmann::json userJson(const accounts::User& user) {
    return {{"id", user.id},
            {"login", user.login},
            {"email", user.email},
            {"role", user.staff ? nlohmann::json(nullptr) : nlohmann::json(roleName(user.role))},
            {"totp_enabled", user.totpEnabled},
            {"created_at", formatTimestamp(user.createdAt)}};
}

nlohmann::json contractJson(const accounts::Contract& contract) {
    return {{"service_code", contract.serviceCode},
            {"plan", contract.plan},
            {"state", contract.state},
            {"description", contract.description},
            {"labels", contract.labels},
            {"ip_allowlist", contract.ipAllowlist},
            {"mfa_required", contract.mfaRequired},
            {"created_at", formatTimestamp(contract.createdAt)},
            {"cancelled_at", contract.cancelledAt
                                 ? nlohmann::json(formatTimestamp(*contract.cancelledAt))
                                 : nlohmann::json(nullptr)}};
}

std::string sessionCookie(const std::string& token, std::int64_t maxAgeSeconds) {
    // HttpOnly: no script reads it; Secure: TLS only; SameSite=Strict: no cross-site request
    // carries it (the CSRF token is the second line of defence); Path=/api: the portal's static
    // files never see it.
    return std::string(accounts::kSessionCookie) + "=" + token +
           "; HttpOnly; Secure; SameSite=Strict; Path=/api; Max-Age=" +
           std::to_string(maxAgeSeconds);
}

std::string clearedSessionCookie() {
    return std::string(accounts::kSessionCookie) +
           "=; HttpOnly; Secure; SameSite=Strict; Path=/api; Max-Age=0";
}

namespace {

/// {contract} → id, with the tenant boundary (another tenant's code is NotFound).
Outcome<Id> contractOf(storage::Database& db, const http::Request& request,
                       authz::Permission permission) {
    const auto code = accounts::normalizeServiceCode(request.param("contract"));
    if (!code) return fail(notFound("no such contract"));
    return authz::resolveContract(db, request.context, *code, permission);
}

Outcome<Id> userIdOf(const http::Request& request) {
    const auto& text = request.param("user");
    Id id = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
    if (ec != std::errc() || end != text.data() + text.size())
        return fail(notFound("no such user"));
    return id;
}

void addContractsRoutes(http::Router& router, const std::shared_ptr<Shared>& shared) {
    storage::Database& db = shared->services.db;

    router.add(
        {"GET", route("/contracts"), true, "ContractRead"},
        [&db](http::Request& request) -> Outcome<http::Response> {
            auto page = http::pageRequest(request);
            if (!page) return fail(std::move(page).error());
            accounts::ContractFilter filter;
            filter.state = request.queryParam("state");
            filter.plan = request.queryParam("plan");
            filter.text = request.queryParam("q");
            if (const auto label = request.queryParam("label")) {
                const auto colon = label->find(':');
                if (colon == std::string::npos) {
                    return fail(
                        invalid("the filter is not valid", {{"label", "must be key:value"}}));
                }
                filter.label = std::make_pair(label->substr(0, colon), label->substr(colon + 1));
            }
            filter.offset = page->offset();
            filter.limit = page->perPage;
            auto contracts = accounts::listContracts(db, request.context, filter);
            if (!contracts) return fail(std::move(contracts).error());
            nlohmann::json items = nlohmann::json::array();
            for (const auto& contract : contracts->items)
                items.push_back(contractJson(contract));
            return http::json(200, http::pageBody(std::move(items), contracts->total, *page));
        });

    router.add(
        {"POST", route("/contracts"), true, "PlatformContracts"},
        [shared, &db](http::Request& request) -> Outcome<http::Response> {
            auto parsed =
                body(request, {"plan", "owner"}, {"plan", "description", "labels", "owner"});
            if (!parsed) return fail(std::move(parsed).error());
            BodyReader reader(*parsed);
            accounts::NewContract contract;
            contract.plan = reader.text("plan").value_or("");
            contract.description = reader.text("description").value_or("");
            contract.labels = reader.labels("labels").value_or(accounts::Labels{});
            DNSFLEET_TRY(reader.finish());
            const auto& owner = (*parsed)["owner"];
            if (!owner.is_object()) {
                return fail(
                    invalid("the request body is not valid", {{"/owner", "must be an object"}}));
            }
            auto ownerMembers =
                http::checkMembers(owner, {"login", "email"}, {"login", "email", "password"});
            if (!ownerMembers) {
                auto error = std::move(ownerMembers).error();
                for (auto& field : error.fields)
                    field.field = "/owner" + field.field;
                return fail(std::move(error));
            }
            BodyReader ownerReader(owner);
            contract.owner.login = ownerReader.text("login").value_or("");
            contract.owner.email = ownerReader.text("email").value_or("");
            contract.owner.password = ownerReader.text("password");
            if (auto ok = ownerReader.finish(); !ok) {
                auto error = std::move(ok).error();
                for (auto& field : error.fields)
                    field.field = "/owner" + field.field;
                return fail(std::move(error));
            }
            auto created = accounts::createContract(db, request.context, shared->hasher, contract);
            if (!created) return fail(std::move(created).error());
            nlohmann::json answer = contractJson(created->contract);
            answer["owner"] = userJson(created->owner);
            if (created->generatedPassword) {
                answer["owner"]["password"] = *created->generatedPassword;
            }
            auto response = http::json(201, answer);
            response.setHeader("Location", route("/contracts/" + created->contract.serviceCode));
            response.setHeader("Cache-Control", "no-store");
            return response;
        });

    router.add({"GET", route("/contracts/{contract}"), true, "ContractRead"},
               [&db](http::Request& request) -> Outcome<http::Response> {
                   auto contract =
                       accounts::getContract(db, request.context, request.param("contract"));
                   if (!contract) return fail(std::move(contract).error());
                   return http::json(200, contractJson(*contract));
               });

    router.add({"PATCH", route("/contracts/{contract}"), true, "PlatformContracts"},
               [&db](http::Request& request) -> Outcome<http::Response> {
                   auto parsed = body(request, {}, {"plan", "state", "description", "labels"});
                   if (!parsed) return fail(std::move(parsed).error());
                   BodyReader reader(*parsed);
                   accounts::ContractChange change;
                   change.plan = reader.text("plan");
                   change.state = reader.text("state");
                   change.description = reader.text("description");
                   change.labels = reader.labels("labels");
                   DNSFLEET_TRY(reader.finish());
                   auto contract = accounts::updateContract(db, request.context,
                                                            request.param("contract"), change);
                   if (!contract) return fail(std::move(contract).error());
                   return http::json(200, contractJson(*contract));
               });

    router.add({"PUT", route("/contracts/{contract}/security"), true, "ContractSecurity"},
               [&db](http::Request& request) -> Outcome<http::Response> {
                   auto parsed = body(request, {"ip_allowlist", "mfa_required"},
                                      {"ip_allowlist", "mfa_required"});
                   if (!parsed) return fail(std::move(parsed).error());
                   BodyReader reader(*parsed);
                   accounts::SecuritySettings settings;
                   settings.ipAllowlist =
                       reader.texts("ip_allowlist").value_or(std::vector<std::string>{});
                   settings.mfaRequired = reader.boolean("mfa_required").value_or(false);
                   DNSFLEET_TRY(reader.finish());
                   auto contract = accounts::setSecurity(db, request.context,
                                                         request.param("contract"), settings);
                   if (!contract) return fail(std::move(contract).error());
                   return http::json(200, contractJson(*contract));
               });
}

void addUserRoutes(http::Router& router, const std::shared_ptr<Shared>& shared) {
    storage::Database& db = shared->services.db;
    const auto base = route("/contracts/{contract}/users");

    router.add({"GET", base, true, "UsersRead"},
               [&db](http::Request& request) -> Outcome<http::Response> {
                   auto page = http::pageRequest(request);
                   if (!page) return fail(std::move(page).error());
                   auto contract = contractOf(db, request, authz::Permission::ContractRead);
                   if (!contract) return fail(std::move(contract).error());
                   auto users = accounts::listUsers(db, request.context, *contract);
                   if (!users) return fail(std::move(users).error());
                   return pageOf(*users, *page, userJson);
               });

    router.add({"POST", base, true, "UsersManage"},
               [shared, &db](http::Request& request) -> Outcome<http::Response> {
                   auto contract = contractOf(db, request, authz::Permission::ContractRead);
                   if (!contract) return fail(std::move(contract).error());
                   auto parsed = body(request, {"login", "email", "role"},
                                      {"login", "email", "role", "password"});
                   if (!parsed) return fail(std::move(parsed).error());
                   BodyReader reader(*parsed);
                   accounts::NewUser user;
                   user.login = reader.text("login").value_or("");
                   user.email = reader.text("email").value_or("");
                   user.role = reader.role("role").value_or(Role::Viewer);
                   user.password = reader.text("password");
                   DNSFLEET_TRY(reader.finish());
                   auto created =
                       accounts::addUser(db, request.context, shared->hasher, *contract, user);
                   if (!created) return fail(std::move(created).error());
                   nlohmann::json answer = userJson(created->user);
                   if (created->generatedPassword) answer["password"] = *created->generatedPassword;
                   auto response = http::json(201, answer);
                   response.setHeader("Cache-Control", "no-store");
                   return response;
               });

    router.add({"GET", base + "/{user}", true, "UsersRead"},
               [&db](http::Request& request) -> Outcome<http::Response> {
                   auto contract = contractOf(db, request, authz::Permission::ContractRead);
                   if (!contract) return fail(std::move(contract).error());
                   auto id = userIdOf(request);
                   if (!id) return fail(std::move(id).error());
                   auto user = accounts::getUser(db, request.context, *contract, *id);
                   if (!user) return fail(std::move(user).error());
                   return http::json(200, userJson(*user));
               });

    router.add({"PATCH", base + "/{user}", true, "UsersManage"},
               [&db](http::Request& request) -> Outcome<http::Response> {
                   auto contract = contractOf(db, request, authz::Permission::ContractRead);
                   if (!contract) return fail(std::move(contract).error());
                   auto id = userIdOf(request);
                   if (!id) return fail(std::move(id).error());
                   auto parsed = body(request, {}, {"role", "email"});
                   if (!parsed) return fail(std::move(parsed).error());
                   BodyReader reader(*parsed);
                   accounts::UserChange change;
                   change.role = reader.role("role");
                   change.email = reader.text("email");
                   DNSFLEET_TRY(reader.finish());
                   auto user = accounts::updateUser(db, request.context, *contract, *id, change);
                   if (!user) return fail(std::move(user).error());
                   return http::json(200, userJson(*user));
               });

    router.add({"DELETE", base + "/{user}", true, "UsersManage"},
               [&db](http::Request& request) -> Outcome<http::Response> {
                   auto contract = contractOf(db, request, authz::Permission::ContractRead);
                   if (!contract) return fail(std::move(contract).error());
                   auto id = userIdOf(request);
                   if (!id) return fail(std::move(id).error());
                   DNSFLEET_TRY(accounts::removeUser(db, request.context, *contract, *id));
                   return http::noContent();
               });
}

void addGrantRoutes(http::Router& router, Services& services) {
    storage::Database& db = services.db;
    const auto base = route("/contracts/{contract}/grants");

    router.add({"POST", base, true, "PlatformGrants"},
               [&db](http::Request& request) -> Outcome<http::Response> {
                   auto contract = contractOf(db, request, authz::Permission::PlatformGrants);
                   if (!contract) return fail(std::move(contract).error());
                   auto parsed = body(request, {"reason", "minutes"}, {"reason", "minutes"});
                   if (!parsed) return fail(std::move(parsed).error());
                   BodyReader reader(*parsed);
                   const auto reason = reader.text("reason").value_or("");
                   const auto minutes = reader.integer("minutes").value_or(0);
                   DNSFLEET_TRY(reader.finish());
                   std::vector<FieldError> fields;
                   if (reason.empty() || reason.size() > 1000) {
                       fields.push_back({"/reason", "must be 1 to 1000 characters"});
                   }
                   if (minutes < 1 || minutes > std::int64_t{24} * 60) {
                       fields.push_back({"/minutes", "must be 1 to 1440"});
                   }
                   if (!fields.empty()) return fail(invalid("the grant is not valid", fields));
                   const Timestamp until = request.context.now + minutes * 60 * 1'000'000;
                   const Id id = db.run(storage::Mode::Write, [&](storage::Transaction& tx) {
                       return authz::grantStaffAccess(tx, request.context, *contract, until,
                                                      reason);
                   });
                   return http::json(201, {{"id", id},
                                           {"staff", request.context.actor.login},
                                           {"reason", reason},
                                           {"created_at", formatTimestamp(request.context.now)},
                                           {"expires_at", formatTimestamp(until)}});
               });

    router.add({"GET", base, true, "PlatformGrants"},
               [&db](http::Request& request) -> Outcome<http::Response> {
                   auto contract = contractOf(db, request, authz::Permission::PlatformGrants);
                   if (!contract) return fail(std::move(contract).error());
                   const auto rows = db.run(storage::Mode::Read, [&](storage::Transaction& tx) {
                       return tx.query(
                           "SELECT g.id, a.login, g.reason, g.created_at, g.expires_at FROM "
                           "staff_grants g LEFT JOIN accounts a ON a.id = g.staff_id WHERE "
                           "g.contract_id = $1 ORDER BY g.id DESC LIMIT 1000",
                           {*contract});
                   });
                   nlohmann::json items = nlohmann::json::array();
                   for (const auto& row : rows) {
                       items.push_back({{"id", row.integer(0)},
                                        {"staff", row.optionalText(1).value_or("")},
                                        {"reason", row.text(2)},
                                        {"created_at", formatTimestamp(row.integer(3))},
                                        {"expires_at", formatTimestamp(row.integer(4))},
                                        {"active", row.integer(4) > request.context.now}});
                   }
                   return http::json(200, {{"items", items}});
               });
}

}  // namespace

void addContractRoutes(http::Router& router, const std::shared_ptr<Shared>& shared) {
    addContractsRoutes(router, shared);
    addUserRoutes(router, shared);
    addGrantRoutes(router, shared->services);
}

}  // namespace dnsfleet::controld::api::accounts_routes
