// login, logout, tokens: the CLI's own credentials.
#include <fstream>
#include <ostream>

#include "cli/exit_codes.hpp"
#include "commands.hpp"

namespace dnsfleet::cli {

namespace {

struct LoginFlags {
    std::string login;
    std::string passwordFile;
    std::string otp;
};

std::string sessionCookie(const HttpResponse& response) {
    const std::string all = response.header("Set-Cookie");
    const std::string key = "dnsfleet_session=";
    const auto start = all.find(key);
    if (start == std::string::npos) return {};
    const auto end = all.find(';', start);
    return all.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

bool readPassword(Session& session, const std::string& file, std::string& password) {
    if (!file.empty()) {
        std::ifstream stream(file);
        if (!stream || !std::getline(stream, password)) {
            session.err() << "dnsfleet: cannot read a password from " << file << "\n";
            return false;
        }
        if (!password.empty() && password.back() == '\r') password.pop_back();
        return true;
    }
    if (!session.env().readSecret || !session.env().readSecret("Password: ", password)) {
        session.err() << "dnsfleet: no password: use a terminal or --password-file\n";
        return false;
    }
    return true;
}

int login(Session& session, const LoginFlags& flags) {
    std::string password;
    if (!readPassword(session, flags.passwordFile, password)) return kExitUsage;
    nlohmann::json body = {{"login", flags.login}, {"password", password}};
    if (!flags.otp.empty()) body["otp"] = flags.otp;

    HttpRequest request{"POST", "/api/v1/auth/login", {}, body.dump(), "application/json"};
    HttpResponse response;
    if (int rc = session.call(request, response, false)) return rc;
    nlohmann::json answer;
    if (!session.parse(response, answer)) return kExitServer;
    const std::string cookie = sessionCookie(response);
    const std::string csrf = answer.value("csrf_token", std::string());
    if (cookie.empty()) {
        session.err() << "dnsfleet: the login answer carries no session cookie\n";
        return kExitServer;
    }

    // The session only lives for the browser-like exchange below: the CLI keeps an API token,
    // which can be listed and revoked on its own.
    const std::string name =
        "cli@" + (session.env().hostname.empty() ? std::string("unknown") : session.env().hostname);
    const std::map<std::string, std::string> sessionHeaders = {{"Cookie", cookie},
                                                               {"X-CSRF-Token", csrf}};
    HttpRequest create{"POST", "/api/v1/tokens", sessionHeaders,
                       nlohmann::json{{"name", name}, {"scope", "write"}}.dump(),
                       "application/json"};
    if (int rc = session.call(create, response, false)) return rc;
    if (!session.parse(response, answer) || !answer.contains("token")) return kExitServer;
    const std::string token = answer["token"].get<std::string>();

    Config stored = session.fileConfig();
    stored.endpoint = session.config().endpoint;
    stored.caFile = session.config().caFile;
    stored.insecure = session.config().insecure;
    stored.token = token;

    HttpRequest me{"GET", "/api/v1/auth/me", {{"Authorization", "Bearer " + token}}, "", ""};
    if (int rc = session.call(me, response, false)) return rc;
    if (!session.parse(response, answer)) return kExitServer;
    if (answer.contains("contract") && answer["contract"].is_string()) {
        stored.contract = answer["contract"].get<std::string>();
    }

    HttpRequest logout{"POST", "/api/v1/auth/logout", sessionHeaders, "", ""};
    HttpResponse ignored;
    (void)session.call(logout, ignored, false);

    if (int rc = session.save(stored)) return rc;
    session.out() << "logged in as " << flags.login;
    if (!stored.contract.empty()) session.out() << " (contract " << stored.contract << ")";
    session.out() << "; token " << name << " stored in " << session.path().string() << "\n";
    return kExitOk;
}

int logout(Session& session) {
    HttpResponse response;
    if (int rc = session.call("GET", "/api/v1/auth/me", response)) return rc;
    nlohmann::json me;
    if (!session.parse(response, me)) return kExitServer;
    if (!me.contains("token") || !me["token"].is_object()) {
        session.err() << "dnsfleet: the credentials in use are not an API token\n";
        return kExitUsage;
    }
    const std::string id = cellText(me["token"]["id"]);
    if (int rc = session.call("DELETE", "/api/v1/tokens/" + encodeComponent(id), response)) {
        return rc;
    }
    Config stored = session.fileConfig();
    if (stored.token == session.config().token) {
        stored.token.clear();
        if (int rc = session.save(stored)) return rc;
    }
    session.out() << "logged out (token " << id << " revoked)\n";
    return kExitOk;
}

struct TokenFlags {
    std::string name;
    std::string scope = "read";
    std::vector<std::string> zones;
    std::string expiresAt;
    std::string id;
};

int createToken(Session& session, const TokenFlags& flags) {
    nlohmann::json body = {{"name", flags.name}, {"scope", flags.scope}};
    if (!flags.zones.empty()) body["zones"] = flags.zones;
    if (!flags.expiresAt.empty()) body["expires_at"] = flags.expiresAt;
    HttpResponse response;
    if (int rc = session.callJson("POST", "/api/v1/tokens", body, response)) return rc;
    if (session.flags.json) return session.printObject(response);
    nlohmann::json answer;
    if (!session.parse(response, answer)) return kExitServer;
    session.out() << "token " << cellText(answer.value("id", nlohmann::json(nullptr))) << " ("
                  << flags.name << ", " << flags.scope << "); the secret is shown only once:\n"
                  << cellText(answer.value("token", nlohmann::json(nullptr))) << "\n";
    return kExitOk;
}

}  // namespace

void addAuthCommands(CLI::App& app, Session& session, Action& action) {
    auto loginFlags = std::make_shared<LoginFlags>();
    CLI::App* loginCommand =
        app.add_subcommand("login", "log in, create an API token and store it in the config");
    loginCommand->add_option("--login", loginFlags->login, "login name")->required();
    loginCommand->add_option("--password-file", loginFlags->passwordFile,
                             "read the password from this file's first line");
    loginCommand->add_option("--otp", loginFlags->otp, "one-time password (TOTP)");
    onRun(loginCommand, action, [&session, loginFlags] { return login(session, *loginFlags); });

    CLI::App* logoutCommand = app.add_subcommand("logout", "revoke the stored API token");
    onRun(logoutCommand, action, [&session] { return logout(session); });

    CLI::App* tokens = app.add_subcommand("tokens", "your API tokens");
    tokens->require_subcommand(1);
    auto tokenFlags = std::make_shared<TokenFlags>();
    onRun(tokens->add_subcommand("list", "list your API tokens"), action, [&session] {
        HttpResponse response;
        if (int rc = session.call("GET", "/api/v1/tokens", response)) return rc;
        return session.printList(response, {{"ID", "id"},
                                            {"NAME", "name"},
                                            {"SCOPE", "scope"},
                                            {"ZONES", "zones"},
                                            {"EXPIRES", "expires_at"},
                                            {"LAST USED", "last_used_at"},
                                            {"REVOKED", "revoked_at"}});
    });
    CLI::App* create = tokens->add_subcommand("create", "create an API token");
    create->add_option("name", tokenFlags->name, "the token's name")->required();
    create->add_option("--scope", tokenFlags->scope, "read or write")
        ->check(CLI::IsMember({"read", "write"}));
    create->add_option("--zone", tokenFlags->zones, "limit the token to this zone (repeatable)");
    create->add_option("--expires-at", tokenFlags->expiresAt, "RFC 3339 UTC time");
    onRun(create, action, [&session, tokenFlags] { return createToken(session, *tokenFlags); });
    CLI::App* revoke = tokens->add_subcommand("revoke", "revoke an API token");
    revoke->add_option("id", tokenFlags->id, "the token's id")->required();
    onRun(revoke, action, [&session, tokenFlags] {
        HttpResponse response;
        if (int rc = session.call("DELETE", "/api/v1/tokens/" + encodeComponent(tokenFlags->id),
                                  response)) {
            return rc;
        }
        session.out() << "token " << tokenFlags->id << " revoked\n";
        return static_cast<int>(kExitOk);
    });
}

}  // namespace dnsfleet::cli
