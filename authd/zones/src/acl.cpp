#include "authd/zones/acl.hpp"

#include <algorithm>

namespace dnsfleet::authd::zones {

std::vector<AclRule> resolveAcl(const config::Config& cfg, const std::vector<std::string>& aclIds) {
    std::vector<AclRule> rules;
    rules.reserve(aclIds.size());
    for (const std::string& id : aclIds) {
        const config::AclConfig* acl = cfg.findAcl(id);
        if (acl == nullptr) continue;  // the config parser already rejected unknown ids
        AclRule rule;
        rule.addresses = acl->addresses;
        rule.actions = acl->actions;
        rule.deny = acl->deny;
        rule.requireTls = acl->requireTls;
        for (const std::string& keyId : acl->keys) {
            if (const dnswire::TsigKey* key = cfg.findKey(keyId)) rule.keys.push_back(key->name);
        }
        // A rule that names keys none of which exist must match nothing, not everything.
        if (!acl->keys.empty() && rule.keys.empty()) continue;
        rules.push_back(std::move(rule));
    }
    return rules;
}

namespace {

bool ruleMatches(const AclRule& rule, config::AclAction action, const sockaddr* source,
                 const dnswire::Name* key) noexcept {
    if (std::find(rule.actions.begin(), rule.actions.end(), action) == rule.actions.end()) {
        return false;
    }
    if (!rule.addresses.empty()) {
        if (source == nullptr) return false;
        const bool inside = std::any_of(
            rule.addresses.begin(), rule.addresses.end(),
            [source](const config::AddressPrefix& prefix) { return prefix.contains(source); });
        if (!inside) return false;
    }
    if (!rule.keys.empty()) {
        if (key == nullptr) return false;
        const bool known =
            std::any_of(rule.keys.begin(), rule.keys.end(), [key](const dnswire::Name& name) {
                return dnswire::equalNames(name.view(), key->view());
            });
        if (!known) return false;
    }
    return true;
}

}  // namespace

AclVerdict checkAcl(std::span<const AclRule> rules, config::AclAction action,
                    const sockaddr* source, const dnswire::Name* key, bool overTls) noexcept {
    for (const AclRule& rule : rules) {
        if (!ruleMatches(rule, action, source, key)) continue;
        if (rule.deny) return AclVerdict::Denied;
        // RFC 9103 §9: a zone that requires XoT refuses the same request over plain TCP.
        if (rule.requireTls && !overTls) return AclVerdict::NeedsTls;
        return AclVerdict::Allowed;
    }
    return AclVerdict::NoMatch;
}

}  // namespace dnsfleet::authd::zones
