// /auth/* and /tokens: logging in and out, the caller's password, TOTP and API tokens.
#include <charconv>
#include <memory>
#include <stdexcept>

#include "account_routes_internal.hpp"
#include "controld/accounts/api_tokens.hpp"
#include "controld/accounts/authenticate.hpp"
#include "controld/accounts/login.hpp"
#include "controld/accounts/mailer.hpp"
#include "controld/accounts/password_flows.hpp"
#include "controld/accounts/secret_box.hpp"
#include "controld/accounts/totp_enrolment.hpp"
#include "controld/api/credentials.hpp"
#include "controld/authz/authz.hpp"

namespace dnsfleet::controld::api {
namespace accounts_routes {
namespace {

/// The enrolment routes are public to the gateway and authenticate here, so that a session
/// which must still enrol TOTP (its contract requires MFA) reaches them and nothing else.
Outcome<Actor> enrolmentActor(storage::Database& db, const http::Request& request) {
    accounts::Credentials credentials = credentialsOf(request);
    credentials.allowTotpEnrolment = true;
    return accounts::authenticate(db, credentials, request.context);
}

nlohmann::json tokenJson(const accounts::ApiToken& token) {
    const auto optionalTime = [](const std::optional<Timestamp>& t) {
        return t ? nlohmann::json(formatTimestamp(*t)) : nlohmann::json(nullptr);
    };
    return {{"id", token.id},
            {"name", token.name},
            {"scope", token.scope},
            {"zones", token.zones},
            {"created_at", formatTimestamp(token.createdAt)},
            {"expires_at", optionalTime(token.expiresAt)},
            {"revoked_at", optionalTime(token.revokedAt)},
            {"last_used_at", optionalTime(token.lastUsedAt)}};
}

ServiceError unavailable(std::string detail) {
    ServiceError error;
    error.code = ErrorCode::Unavailable;
    error.detail = std::move(detail);
    return error;
}

void addAuthRoutes(http::Router& router, const std::shared_ptr<Shared>& shared) {
    storage::Database& db = shared->services.db;
    const config::AuthSettings& auth = shared->services.settings.auth;

    router.add({"POST", route("/auth/login"), false, ""},
               [shared, &db, &auth](http::Request& request) -> Outcome<http::Response> {
                   auto parsed = body(request, {"login", "password"}, {"login", "password", "otp"});
                   if (!parsed) return fail(std::move(parsed).error());
                   BodyReader reader(*parsed);
                   accounts::LoginRequest login;
                   login.login = reader.text("login").value_or("");
                   login.password = reader.text("password").value_or("");
                   login.otp = reader.text("otp");
                   DNSFLEET_TRY(reader.finish());
                   // A login always starts a new session; the one the client had ends.
                   if (auto previous = credentialsOf(request).sessionCookie) {
                       accounts::endSessionByToken(db, *previous);
                   }
                   const accounts::LoginServices loginServices{auth, shared->hasher,
                                                               shared->services.secrets};
                   auto result = accounts::login(db, request.context, loginServices, login);
                   if (!result) return fail(std::move(result).error());
                   auto response =
                       http::json(200, {{"user", userJson(result->user)},
                                        {"csrf_token", result->csrfToken},
                                        {"totp_enrolment_required", result->totpEnrolmentRequired},
                                        {"expires_at", formatTimestamp(result->expiresAt)}});
                   response.setHeader(
                       "Set-Cookie",
                       sessionCookie(result->sessionToken,
                                     static_cast<std::int64_t>(auth.sessionAbsolute.count())));
                   response.setHeader("Cache-Control", "no-store");
                   return response;
               });

    router.add({"POST", route("/auth/logout"), true, ""},
               [&db](http::Request& request) -> Outcome<http::Response> {
                   DNSFLEET_TRY(accounts::logout(db, request.context));
                   auto response = http::noContent();
                   response.setHeader("Set-Cookie", clearedSessionCookie());
                   return response;
               });

    router.add({"GET", route("/auth/me"), true, ""},
               [&db](http::Request& request) -> Outcome<http::Response> {
                   auto account = accounts::currentAccount(db, request.context);
                   if (!account) return fail(std::move(account).error());
                   nlohmann::json me = userJson(*account);
                   me["kind"] = account->staff ? "staff" : "user";
                   me["contract"] = nullptr;
                   if (!account->staff) {
                       auto code = db.run(storage::Mode::Read, [&](storage::Transaction& tx) {
                           return authz::serviceCode(tx, account->contractId);
                       });
                       if (code) me["contract"] = *code;
                   } else {
                       me.erase("role");
                   }
                   const Actor& actor = request.context.actor;
                   if (actor.tokenId) {
                       me["token"] = {{"id", *actor.tokenId},
                                      {"scope", actor.tokenCanWrite ? "write" : "read"},
                                      {"zones", actor.tokenZones}};
                   }
                   return http::json(200, me);
               });

    router.add({"POST", route("/auth/password"), true, "TokensOwn"},
               [shared, &db](http::Request& request) -> Outcome<http::Response> {
                   auto parsed = body(request, {"current_password", "new_password"},
                                      {"current_password", "new_password"});
                   if (!parsed) return fail(std::move(parsed).error());
                   BodyReader reader(*parsed);
                   const auto current = reader.text("current_password");
                   const auto next = reader.text("new_password");
                   DNSFLEET_TRY(reader.finish());
                   DNSFLEET_TRY(accounts::changePassword(db, request.context, shared->hasher,
                                                         *current, *next));
                   return http::noContent();
               });

    router.add({"POST", route("/auth/password-reset"), false, ""},
               [shared, &db, &auth](http::Request& request) -> Outcome<http::Response> {
                   auto parsed = body(request, {"login"}, {"login"});
                   if (!parsed) return fail(std::move(parsed).error());
                   BodyReader reader(*parsed);
                   const auto login = reader.text("login");
                   DNSFLEET_TRY(reader.finish());
                   DNSFLEET_TRY(accounts::requestPasswordReset(db, request.context, auth,
                                                               shared->mailer(), *login));
                   return http::json(202, {{"status", "accepted"}});
               });

    router.add(
        {"POST", route("/auth/password-reset/confirm"), false, ""},
        [shared, &db](http::Request& request) -> Outcome<http::Response> {
            auto parsed = body(request, {"token", "new_password"}, {"token", "new_password"});
            if (!parsed) return fail(std::move(parsed).error());
            BodyReader reader(*parsed);
            const auto token = reader.text("token");
            const auto next = reader.text("new_password");
            DNSFLEET_TRY(reader.finish());
            DNSFLEET_TRY(
                accounts::confirmPasswordReset(db, request.context, shared->hasher, *token, *next));
            return http::noContent();
        });

    router.add({"POST", route("/auth/totp"), false, "TokensOwn"},
               [shared, &db](http::Request& request) -> Outcome<http::Response> {
                   auto actor = enrolmentActor(db, request);
                   if (!actor) return fail(std::move(actor).error());
                   request.context.actor = *actor;
                   if (shared->services.secrets == nullptr) {
                       return fail(unavailable("secrets at rest are not configured"));
                   }
                   auto enrolment =
                       accounts::beginTotpEnrolment(db, request.context, *shared->services.secrets);
                   if (!enrolment) return fail(std::move(enrolment).error());
                   auto response = http::json(200, {{"secret", enrolment->secret},
                                                    {"otpauth_uri", enrolment->otpauthUri}});
                   response.setHeader("Cache-Control", "no-store");
                   return response;
               });

    router.add({"POST", route("/auth/totp/confirm"), false, "TokensOwn"},
               [shared, &db](http::Request& request) -> Outcome<http::Response> {
                   auto actor = enrolmentActor(db, request);
                   if (!actor) return fail(std::move(actor).error());
                   request.context.actor = *actor;
                   auto parsed = body(request, {"otp"}, {"otp"});
                   if (!parsed) return fail(std::move(parsed).error());
                   BodyReader reader(*parsed);
                   const auto otp = reader.text("otp");
                   DNSFLEET_TRY(reader.finish());
                   if (shared->services.secrets == nullptr) {
                       return fail(unavailable("secrets at rest are not configured"));
                   }
                   DNSFLEET_TRY(
                       accounts::confirmTotp(db, request.context, *shared->services.secrets, *otp));
                   return http::noContent();
               });

    router.add(
        {"DELETE", route("/auth/totp"), true, "TokensOwn"},
        [shared, &db](http::Request& request) -> Outcome<http::Response> {
            auto parsed = body(request, {}, {"otp", "password"});
            if (!parsed) return fail(std::move(parsed).error());
            BodyReader reader(*parsed);
            const auto otp = reader.text("otp");
            const auto password = reader.text("password");
            DNSFLEET_TRY(reader.finish());
            if (shared->services.secrets == nullptr) {
                return fail(unavailable("secrets at rest are not configured"));
            }
            DNSFLEET_TRY(accounts::disableTotp(db, request.context, *shared->services.secrets,
                                               shared->hasher, otp, password));
            return http::noContent();
        });
}

void addTokenRoutes(http::Router& router, Services& services) {
    storage::Database& db = services.db;
    router.add({"GET", route("/tokens"), true, "TokensOwn"},
               [&db](http::Request& request) -> Outcome<http::Response> {
                   auto page = http::pageRequest(request);
                   if (!page) return fail(std::move(page).error());
                   auto tokens = accounts::listApiTokens(db, request.context);
                   if (!tokens) return fail(std::move(tokens).error());
                   return pageOf(*tokens, *page, tokenJson);
               });

    router.add({"POST", route("/tokens"), true, "TokensOwn"},
               [&db](http::Request& request) -> Outcome<http::Response> {
                   auto parsed =
                       body(request, {"name", "scope"}, {"name", "scope", "zones", "expires_at"});
                   if (!parsed) return fail(std::move(parsed).error());
                   BodyReader reader(*parsed);
                   accounts::NewApiToken token;
                   token.name = reader.text("name").value_or("");
                   token.scope = reader.text("scope").value_or("");
                   token.zones = reader.texts("zones").value_or(std::vector<std::string>{});
                   token.expiresAt = reader.time("expires_at");
                   DNSFLEET_TRY(reader.finish());
                   auto created = accounts::createApiToken(db, request.context, token);
                   if (!created) return fail(std::move(created).error());
                   nlohmann::json answer = tokenJson(created->token);
                   answer["token"] = created->secret;
                   auto response = http::json(201, answer);
                   response.setHeader("Cache-Control", "no-store");
                   return response;
               });

    router.add({"DELETE", route("/tokens/{token}"), true, "TokensOwn"},
               [&db](http::Request& request) -> Outcome<http::Response> {
                   const auto& text = request.param("token");
                   Id id = 0;
                   const auto [end, ec] =
                       std::from_chars(text.data(), text.data() + text.size(), id);
                   if (ec != std::errc() || end != text.data() + text.size()) {
                       return fail(notFound("no such token"));
                   }
                   DNSFLEET_TRY(accounts::revokeApiToken(db, request.context, id));
                   return http::noContent();
               });
}

}  // namespace
}  // namespace accounts_routes

void addAccountRoutes(http::Router& router, Services& services) {
    auto hasher = accounts::PasswordHasher::create(services.settings.auth);
    if (!hasher) {
        throw std::runtime_error("auth settings: " + hasher.error().detail);
    }
    auto shared = std::make_shared<accounts_routes::Shared>(accounts_routes::Shared{
        services, std::move(*hasher),
        std::make_unique<accounts::LoggingMailer>(services.settings.smtp.from)});
    accounts_routes::addAuthRoutes(router, shared);
    accounts_routes::addTokenRoutes(router, services);
    accounts_routes::addContractRoutes(router, shared);
}

}  // namespace dnsfleet::controld::api
