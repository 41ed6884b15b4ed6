// contracts and users.
#include <fstream>
#include <ostream>

#include "cli/exit_codes.hpp"
#include "commands.hpp"

namespace dnsfleet::cli {

namespace {

struct ContractFlags {
    std::string code;
    std::string plan;
    std::string description;
    std::string ownerLogin;
    std::string ownerEmail;
    std::string ownerPasswordFile;
};

struct UserFlags {
    std::string user;
    std::string login;
    std::string email;
    std::string role;
    std::string passwordFile;
};

bool firstLine(Session& session, const std::string& file, std::string& line) {
    std::ifstream stream(file);
    if (!stream || !std::getline(stream, line)) {
        session.err() << "dnsfleet: cannot read " << file << "\n";
        return false;
    }
    return true;
}

int createContract(Session& session, const ContractFlags& flags) {
    nlohmann::json owner = {{"login", flags.ownerLogin}, {"email", flags.ownerEmail}};
    if (!flags.ownerPasswordFile.empty()) {
        std::string password;
        if (!firstLine(session, flags.ownerPasswordFile, password)) return kExitUsage;
        owner["password"] = password;
    }
    nlohmann::json body = {{"plan", flags.plan}, {"owner", owner}};
    if (!flags.description.empty()) body["description"] = flags.description;
    HttpResponse response;
    if (int rc = session.callJson("POST", "/api/v1/contracts", body, response)) return rc;
    return session.printObject(response);
}

/// The numeric id of `user` (an id already, or a login looked up in the contract's users).
int userId(Session& session, const std::string& base, const std::string& user, std::string& id) {
    if (!user.empty() && user.find_first_not_of("0123456789") == std::string::npos) {
        id = user;
        return kExitOk;
    }
    HttpResponse response;
    if (int rc = session.call("GET", base + "/users", response)) return rc;
    nlohmann::json body;
    if (!session.parse(response, body)) return kExitServer;
    const nlohmann::json items = body.is_object() && body.contains("items") ? body["items"] : body;
    for (const auto& item : items) {
        if (item.is_object() && item.value("login", std::string()) == user && item.contains("id")) {
            id = cellText(item["id"]);
            return kExitOk;
        }
    }
    session.err() << "dnsfleet: no user '" << user << "' in the contract\n";
    return kExitNotFound;
}

int addUser(Session& session, const UserFlags& flags) {
    const std::string base = session.contractPath();
    if (base.empty()) return kExitUsage;
    nlohmann::json body = {{"login", flags.login}, {"email", flags.email}, {"role", flags.role}};
    if (!flags.passwordFile.empty()) {
        std::string password;
        if (!firstLine(session, flags.passwordFile, password)) return kExitUsage;
        body["password"] = password;
    }
    HttpResponse response;
    if (int rc = session.callJson("POST", base + "/users", body, response)) return rc;
    return session.printObject(response);
}

int setRole(Session& session, const UserFlags& flags) {
    const std::string base = session.contractPath();
    if (base.empty()) return kExitUsage;
    std::string id;
    if (int rc = userId(session, base, flags.user, id)) return rc;
    HttpResponse response;
    if (int rc = session.callJson("PATCH", base + "/users/" + encodeComponent(id),
                                  {{"role", flags.role}}, response)) {
        return rc;
    }
    return session.printObject(response);
}

int removeUser(Session& session, const UserFlags& flags) {
    const std::string base = session.contractPath();
    if (base.empty()) return kExitUsage;
    std::string id;
    if (int rc = userId(session, base, flags.user, id)) return rc;
    HttpResponse response;
    if (int rc = session.call("DELETE", base + "/users/" + encodeComponent(id), response)) {
        return rc;
    }
    session.out() << "user " << flags.user << " removed\n";
    return kExitOk;
}

}  // namespace

void addAccountCommands(CLI::App& app, Session& session, Action& action) {
    auto contractFlags = std::make_shared<ContractFlags>();
    CLI::App* contracts = app.add_subcommand("contracts", "contracts (tenants)");
    contracts->require_subcommand(1);
    onRun(contracts->add_subcommand("list", "list the contracts you can see"), action, [&session] {
        HttpResponse response;
        if (int rc = session.call("GET", "/api/v1/contracts", response)) return rc;
        return session.printList(response, {{"SERVICE CODE", "service_code"},
                                            {"PLAN", "plan"},
                                            {"STATE", "state"},
                                            {"DESCRIPTION", "description"},
                                            {"CREATED", "created_at"}});
    });
    CLI::App* show = contracts->add_subcommand("show", "show a contract");
    show->add_option("code", contractFlags->code, "service code (default: --contract)");
    onRun(show, action, [&session, contractFlags] {
        const std::string code =
            contractFlags->code.empty() ? session.contract() : contractFlags->code;
        if (code.empty()) return static_cast<int>(kExitUsage);
        HttpResponse response;
        if (int rc = session.call("GET", "/api/v1/contracts/" + encodeComponent(code), response)) {
            return rc;
        }
        return session.printObject(response);
    });
    CLI::App* create = contracts->add_subcommand("create", "create a contract (staff)");
    create->add_option("--plan", contractFlags->plan, "the plan")->required();
    create->add_option("--description", contractFlags->description, "free text");
    create->add_option("--owner-login", contractFlags->ownerLogin, "the owner's login")->required();
    create->add_option("--owner-email", contractFlags->ownerEmail, "the owner's e-mail")
        ->required();
    create->add_option("--owner-password-file", contractFlags->ownerPasswordFile,
                       "initial password (else the owner gets a reset mail)");
    onRun(create, action,
          [&session, contractFlags] { return createContract(session, *contractFlags); });

    auto userFlags = std::make_shared<UserFlags>();
    CLI::App* users = app.add_subcommand("users", "the users of a contract");
    users->require_subcommand(1);
    onRun(users->add_subcommand("list", "list the contract's users"), action, [&session] {
        const std::string base = session.contractPath();
        if (base.empty()) return static_cast<int>(kExitUsage);
        HttpResponse response;
        if (int rc = session.call("GET", base + "/users", response)) return rc;
        return session.printList(response, {{"ID", "id"},
                                            {"LOGIN", "login"},
                                            {"EMAIL", "email"},
                                            {"ROLE", "role"},
                                            {"TOTP", "totp_enabled"}});
    });
    CLI::App* add = users->add_subcommand("add", "add a user to the contract");
    add->add_option("--login", userFlags->login, "login name")->required();
    add->add_option("--email", userFlags->email, "e-mail address")->required();
    add->add_option("--role", userFlags->role, "role (e.g. admin, editor, viewer)")->required();
    add->add_option("--password-file", userFlags->passwordFile, "initial password");
    onRun(add, action, [&session, userFlags] { return addUser(session, *userFlags); });
    CLI::App* role = users->add_subcommand("set-role", "change a user's role");
    role->add_option("user", userFlags->user, "user id or login")->required();
    role->add_option("role", userFlags->role, "the new role")->required();
    onRun(role, action, [&session, userFlags] { return setRole(session, *userFlags); });
    CLI::App* remove = users->add_subcommand("remove", "remove a user from the contract");
    remove->add_option("user", userFlags->user, "user id or login")->required();
    onRun(remove, action, [&session, userFlags] { return removeUser(session, *userFlags); });
}

}  // namespace dnsfleet::cli
