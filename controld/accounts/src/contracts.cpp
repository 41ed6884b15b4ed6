#include "controld/accounts/contracts.hpp"

#include <nlohmann/json.hpp>

#include "account_rows.hpp"
#include "controld/accounts/ip_prefix.hpp"
#include "controld/accounts/random_token.hpp"
#include "controld/audit/event_log.hpp"
#include "controld/authz/authz.hpp"

namespace dnsfleet::controld::accounts {
namespace {

constexpr std::size_t kMaxDescription = 1024;
constexpr std::size_t kMaxLabels = 64;

bool validPlan(const std::string& plan) {
    return plan == "standard" || plan == "premium";
}
bool validState(const std::string& state) {
    return state == "active" || state == "suspended" || state == "cancelled";
}

bool labelText(std::string_view text, std::size_t maxSize) {
    if (text.empty() || text.size() > maxSize) return false;
    for (const char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if (u >= 0x80 ||
            (std::isalnum(u) == 0 && std::string_view("_.:/-").find(c) == std::string_view::npos)) {
            return false;
        }
    }
    return true;
}

void checkLabels(const Labels& labels, std::vector<FieldError>& fields) {
    if (labels.size() > kMaxLabels) fields.push_back({"/labels", "at most 64 labels"});
    for (const auto& [key, value] : labels) {
        if (!labelText(key, 63)) {
            fields.push_back(
                {"/labels/" + key, "keys are 1 to 63 characters of A-Z a-z 0-9 _.:/-"});
        } else if (!labelText(value, 256)) {
            fields.push_back(
                {"/labels/" + key, "values are 1 to 256 characters of A-Z a-z 0-9 _.:/-"});
        }
    }
}

std::string labelsJson(const Labels& labels) {
    return nlohmann::json(labels).dump();
}

/// A LIKE pattern that matches `text` literally somewhere (backslash is the escape).
std::string containsPattern(std::string_view text) {
    std::string pattern = "%";
    for (const char c : text) {
        if (c == '%' || c == '_' || c == '\\') pattern += '\\';
        pattern += c;
    }
    return pattern + "%";
}

std::string lower(std::string text) {
    for (auto& c : text)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return text;
}

Outcome<Contract> findContract(storage::Database& db, std::string_view serviceCode) {
    auto contract = db.run(storage::Mode::Read, [&](storage::Transaction& tx) {
        return detail::loadContractByCode(tx, serviceCode);
    });
    if (!contract) return fail(notFound("no such contract"));
    return *contract;
}

}  // namespace

Outcome<CreatedContract> createContract(storage::Database& db, const RequestContext& context,
                                        const PasswordHasher& hasher, const NewContract& request) {
    DNSFLEET_TRY(authz::authorize(db, context, authz::Permission::PlatformContracts, 0));
    std::vector<FieldError> fields;
    if (!validPlan(request.plan)) fields.push_back({"/plan", "must be standard or premium"});
    if (request.description.size() > kMaxDescription) {
        fields.push_back({"/description", "at most 1024 bytes"});
    }
    checkLabels(request.labels, fields);
    if (auto login = checkLogin(request.owner.login, "/owner/login"); !login) {
        fields.push_back(login.error().fields.front());
    }
    if (auto email = checkEmail(request.owner.email, "/owner/email"); !email) {
        fields.push_back(email.error().fields.front());
    }
    if (request.owner.password) {
        if (auto policy = checkPasswordPolicy(*request.owner.password, request.owner.login,
                                              "/owner/password");
            !policy) {
            fields.insert(fields.end(), policy.error().fields.begin(), policy.error().fields.end());
        }
    }
    if (!fields.empty()) return fail(invalid("the contract is not valid", std::move(fields)));

    CreatedContract created;
    if (!request.owner.password) created.generatedPassword = detail::generatePassword();
    auto hash =
        hasher.hash(request.owner.password ? *request.owner.password : *created.generatedPassword);
    if (!hash) return fail(std::move(hash).error());

    return db.run(storage::Mode::Write, [&](storage::Transaction& tx) -> Outcome<CreatedContract> {
        // 32^8 codes: a collision is rare, and the UNIQUE column has the last word.
        std::string code = newServiceCode();
        for (int attempt = 0;
             attempt < 8 && tx.queryOne("SELECT id FROM contracts WHERE service_code = $1", {code});
             ++attempt) {
            code = newServiceCode();
        }
        const Id contractId =
            tx.queryOne(
                  "INSERT INTO contracts (service_code, plan, state, description, labels, "
                  "created_at) VALUES ($1, $2, 'active', $3, $4, $5) RETURNING id",
                  {code, request.plan, request.description, labelsJson(request.labels),
                   context.now})
                ->integer(0);
        NewUser owner{request.owner.login, request.owner.email, Role::Owner, std::nullopt};
        auto ownerId = detail::insertAccount(tx, context, false, owner, contractId, *hash);
        if (!ownerId) {
            tx.rollback();
            return fail(std::move(ownerId).error());
        }
        const nlohmann::json details = {{"plan", request.plan}, {"owner", request.owner.login}};
        audit::append(tx, context,
                      {contractId, "contract.create", detail::contractTarget(code), "ok", details});
        audit::append(tx, context,
                      {0, "contract.create", detail::contractTarget(code), "ok", details});
        created.contract = *detail::loadContract(tx, contractId);
        created.owner = *detail::loadUser(tx, *ownerId);
        return created;
    });
}

Outcome<ContractPage> listContracts(storage::Database& db, const RequestContext& context,
                                    const ContractFilter& filter) {
    if (context.actor.isUser()) {
        DNSFLEET_TRY(authz::authorize(db, context, authz::Permission::ContractRead,
                                      context.actor.contractId));
        return db.run(storage::Mode::Read, [&](storage::Transaction& tx) {
            ContractPage page;
            if (auto contract = detail::loadContract(tx, context.actor.contractId)) {
                page.total = 1;
                if (filter.offset == 0 && filter.limit > 0) page.items.push_back(*contract);
            }
            return page;
        });
    }
    DNSFLEET_TRY(authz::authorize(db, context, authz::Permission::PlatformContracts, 0));
    std::string where = " WHERE 1 = 1";
    std::vector<storage::Value> params;
    const auto bind = [&](std::string value) {
        params.emplace_back(std::move(value));
        return "$" + std::to_string(params.size());
    };
    if (filter.state) where += " AND state = " + bind(*filter.state);
    if (filter.plan) where += " AND plan = " + bind(*filter.plan);
    if (filter.text) {
        const auto p = bind(containsPattern(lower(*filter.text)));
        where += " AND (LOWER(service_code) LIKE " + p +
                 " ESCAPE '\\' OR LOWER(description) LIKE " + p + " ESCAPE '\\')";
    }
    if (filter.label) {
        // Labels are stored as compact JSON with restricted characters, so the member's text
        // is exactly "key":"value".
        const std::string member = nlohmann::json(filter.label->first).dump() + ":" +
                                   nlohmann::json(filter.label->second).dump();
        where += " AND labels LIKE " + bind(containsPattern(member)) + " ESCAPE '\\'";
    }
    return db.run(storage::Mode::Read, [&](storage::Transaction& tx) {
        ContractPage page;
        page.total = tx.queryOne("SELECT COUNT(*) FROM contracts" + where, params)->integer(0);
        auto pageParams = params;
        pageParams.emplace_back(filter.limit);
        pageParams.emplace_back(filter.offset);
        const auto rows =
            tx.query("SELECT " + std::string(detail::kContractColumns) + " FROM contracts" + where +
                         " ORDER BY id LIMIT $" + std::to_string(params.size() + 1) + " OFFSET $" +
                         std::to_string(params.size() + 2),
                     pageParams);
        page.items.reserve(rows.size());
        for (const auto& row : rows)
            page.items.push_back(detail::contractFromRow(row));
        return page;
    });
}

Outcome<Contract> getContract(storage::Database& db, const RequestContext& context,
                              std::string_view serviceCode) {
    auto contract = findContract(db, serviceCode);
    if (!contract) return contract;
    DNSFLEET_TRY(authz::authorize(db, context, authz::Permission::ContractRead, contract->id));
    return contract;
}

Outcome<Id> resolveContract(storage::Transaction& tx, std::string_view serviceCode) {
    const auto contract = detail::loadContractByCode(tx, serviceCode);
    if (!contract) return fail(notFound("no such contract"));
    return contract->id;
}

Outcome<Contract> updateContract(storage::Database& db, const RequestContext& context,
                                 std::string_view serviceCode, const ContractChange& change) {
    auto contract = getContract(db, context, serviceCode);
    if (!contract) return contract;
    DNSFLEET_TRY(authz::authorize(db, context, authz::Permission::PlatformContracts, 0));
    std::vector<FieldError> fields;
    if (change.plan && !validPlan(*change.plan)) {
        fields.push_back({"/plan", "must be standard or premium"});
    }
    if (change.state && !validState(*change.state)) {
        fields.push_back({"/state", "must be active, suspended or cancelled"});
    }
    if (change.description && change.description->size() > kMaxDescription) {
        fields.push_back({"/description", "at most 1024 bytes"});
    }
    if (change.labels) checkLabels(*change.labels, fields);
    if (!fields.empty()) return fail(invalid("the change is not valid", std::move(fields)));
    if (contract->state == "cancelled" && change.state && *change.state != "cancelled") {
        return fail(conflict("a cancelled contract cannot be reactivated"));
    }
    return db.run(storage::Mode::Write, [&](storage::Transaction& tx) -> Outcome<Contract> {
        nlohmann::json details = nlohmann::json::object();
        if (change.plan) {
            tx.execute("UPDATE contracts SET plan = $1 WHERE id = $2",
                       {*change.plan, contract->id});
            details["plan"] = *change.plan;
        }
        if (change.state) {
            tx.execute("UPDATE contracts SET state = $1 WHERE id = $2",
                       {*change.state, contract->id});
            if (*change.state == "cancelled" && !contract->cancelledAt) {
                tx.execute("UPDATE contracts SET cancelled_at = $1 WHERE id = $2",
                           {context.now, contract->id});
            }
            details["state"] = *change.state;
            if (*change.state != "active") {
                // The contract's people are out now, not at their sessions' idle timeout.
                details["sessions_ended"] = tx.execute(
                    "DELETE FROM sessions WHERE account_id IN "
                    "(SELECT id FROM accounts WHERE contract_id = $1)",
                    {contract->id});
            }
        }
        if (change.description) {
            tx.execute("UPDATE contracts SET description = $1 WHERE id = $2",
                       {*change.description, contract->id});
            details["description_changed"] = true;
        }
        if (change.labels) {
            tx.execute("UPDATE contracts SET labels = $1 WHERE id = $2",
                       {labelsJson(*change.labels), contract->id});
            details["labels"] = *change.labels;
        }
        const auto target = detail::contractTarget(contract->serviceCode);
        audit::append(tx, context, {contract->id, "contract.update", target, "ok", details});
        audit::append(tx, context, {0, "contract.update", target, "ok", details});
        return *detail::loadContract(tx, contract->id);
    });
}

Outcome<Contract> setSecurity(storage::Database& db, const RequestContext& context,
                              std::string_view serviceCode, const SecuritySettings& settings) {
    auto contract = findContract(db, serviceCode);
    if (!contract) return contract;
    DNSFLEET_TRY(authz::authorize(db, context, authz::Permission::ContractSecurity, contract->id));
    std::vector<FieldError> fields;
    std::vector<IpPrefix> prefixes;
    std::vector<std::string> canonical;
    if (settings.ipAllowlist.size() > 256) {
        fields.push_back({"/ip_allowlist", "at most 256 prefixes"});
    }
    prefixes.reserve(settings.ipAllowlist.size());
    canonical.reserve(settings.ipAllowlist.size());
    for (std::size_t i = 0; i < settings.ipAllowlist.size(); ++i) {
        const auto prefix = parseIpPrefix(settings.ipAllowlist[i]);
        if (!prefix) {
            fields.push_back({"/ip_allowlist/" + std::to_string(i),
                              "must be an IPv4 or IPv6 prefix like 192.0.2.0/24 (no host bits "
                              "set after the length)"});
            continue;
        }
        prefixes.push_back(*prefix);
        canonical.push_back(prefix->text());
    }
    if (fields.empty() && context.actor.isUser() &&
        !allowlistPermits(prefixes, context.sourceAddress)) {
        fields.push_back({"/ip_allowlist", "must contain your own address " +
                                               context.sourceAddress +
                                               ", or you would lock yourself out"});
    }
    if (!fields.empty()) return fail(invalid("the security settings are not valid", fields));
    return db.run(storage::Mode::Write, [&](storage::Transaction& tx) -> Outcome<Contract> {
        tx.execute("UPDATE contracts SET ip_allowlist = $1, mfa_required = $2 WHERE id = $3",
                   {nlohmann::json(canonical).dump(),
                    static_cast<std::int64_t>(settings.mfaRequired ? 1 : 0), contract->id});
        audit::append(tx, context,
                      {contract->id,
                       "contract.security",
                       detail::contractTarget(contract->serviceCode),
                       "ok",
                       {{"ip_allowlist", canonical}, {"mfa_required", settings.mfaRequired}}});
        return *detail::loadContract(tx, contract->id);
    });
}

}  // namespace dnsfleet::controld::accounts
