#include "authd/zones/acl.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>

#include <cstring>

namespace dnsfleet::authd::zones {
namespace {

using config::AclAction;

config::AddressPrefix prefix(const char* text) {
    auto parsed = config::parseAddressPrefix(text);
    EXPECT_TRUE(parsed.has_value()) << text;
    return parsed.has_value() ? *parsed : config::AddressPrefix{};
}

dnswire::Name name(const char* text) {
    auto parsed = dnswire::Name::fromText(text);
    EXPECT_TRUE(parsed.has_value()) << text;
    return parsed.has_value() ? *parsed : dnswire::Name{};
}

struct Source {
    sockaddr_storage storage{};
    [[nodiscard]] const sockaddr* get() const {
        return reinterpret_cast<const sockaddr*>(&storage);  // NOLINT: the sockets API
    }
};

Source v4(const char* text) {
    Source s;
    sockaddr_in in{};
    in.sin_family = AF_INET;
    in.sin_port = htons(5353);
    EXPECT_EQ(inet_pton(AF_INET, text, &in.sin_addr), 1);
    std::memcpy(&s.storage, &in, sizeof in);
    return s;
}

Source v6(const char* text) {
    Source s;
    sockaddr_in6 in{};
    in.sin6_family = AF_INET6;
    EXPECT_EQ(inet_pton(AF_INET6, text, &in.sin6_addr), 1);
    std::memcpy(&s.storage, &in, sizeof in);
    return s;
}

AclRule rule(const std::vector<const char*>& addresses, const std::vector<const char*>& keys,
             std::vector<AclAction> actions = {AclAction::Transfer}) {
    AclRule r;
    for (const char* a : addresses)
        r.addresses.push_back(prefix(a));
    for (const char* k : keys)
        r.keys.push_back(name(k));
    r.actions = std::move(actions);
    return r;
}

TEST(CheckAcl, NoRulesIsNoMatch) {
    const Source src = v4("192.0.2.1");
    EXPECT_EQ(checkAcl({}, AclAction::Transfer, src.get(), nullptr, false), AclVerdict::NoMatch);
}

TEST(CheckAcl, AddressPrefixDecides) {
    const std::vector<AclRule> rules = {rule({"192.0.2.0/24", "2001:db8::/32"}, {})};
    EXPECT_EQ(checkAcl(rules, AclAction::Transfer, v4("192.0.2.77").get(), nullptr, false),
              AclVerdict::Allowed);
    EXPECT_EQ(checkAcl(rules, AclAction::Transfer, v6("2001:db8::5").get(), nullptr, false),
              AclVerdict::Allowed);
    EXPECT_EQ(checkAcl(rules, AclAction::Transfer, v4("192.0.3.1").get(), nullptr, false),
              AclVerdict::NoMatch);
    EXPECT_EQ(checkAcl(rules, AclAction::Transfer, nullptr, nullptr, false), AclVerdict::NoMatch);
}

TEST(CheckAcl, ActionMustBeListed) {
    const std::vector<AclRule> rules = {rule({}, {}, {AclAction::Notify})};
    const Source src = v4("127.0.0.1");
    EXPECT_EQ(checkAcl(rules, AclAction::Transfer, src.get(), nullptr, false), AclVerdict::NoMatch);
    EXPECT_EQ(checkAcl(rules, AclAction::Notify, src.get(), nullptr, false), AclVerdict::Allowed);
}

TEST(CheckAcl, KeyMatchesByNameCaseInsensitively) {
    const std::vector<AclRule> rules = {rule({}, {"xfr-key.example."})};
    const Source src = v4("127.0.0.1");
    const dnswire::Name same = name("XFR-Key.Example.");
    const dnswire::Name other = name("other-key.");
    EXPECT_EQ(checkAcl(rules, AclAction::Transfer, src.get(), &same, false), AclVerdict::Allowed);
    EXPECT_EQ(checkAcl(rules, AclAction::Transfer, src.get(), &other, false), AclVerdict::NoMatch);
    EXPECT_EQ(checkAcl(rules, AclAction::Transfer, src.get(), nullptr, false), AclVerdict::NoMatch);
}

TEST(CheckAcl, RuleWithoutKeysAcceptsSignedAndUnsigned) {
    const std::vector<AclRule> rules = {rule({"127.0.0.0/8"}, {})};
    const Source src = v4("127.0.0.1");
    const dnswire::Name key = name("k.");
    EXPECT_EQ(checkAcl(rules, AclAction::Transfer, src.get(), &key, false), AclVerdict::Allowed);
    EXPECT_EQ(checkAcl(rules, AclAction::Transfer, src.get(), nullptr, false), AclVerdict::Allowed);
}

TEST(CheckAcl, FirstMatchingRuleDecides) {
    AclRule deny = rule({"192.0.2.13"}, {});
    deny.deny = true;
    const std::vector<AclRule> rules = {deny, rule({"192.0.2.0/24"}, {})};
    EXPECT_EQ(checkAcl(rules, AclAction::Transfer, v4("192.0.2.13").get(), nullptr, false),
              AclVerdict::Denied);
    EXPECT_EQ(checkAcl(rules, AclAction::Transfer, v4("192.0.2.14").get(), nullptr, false),
              AclVerdict::Allowed);

    // The same rules the other way round: the broad allow wins for .13 too.
    const std::vector<AclRule> reversed = {rule({"192.0.2.0/24"}, {}), deny};
    EXPECT_EQ(checkAcl(reversed, AclAction::Transfer, v4("192.0.2.13").get(), nullptr, false),
              AclVerdict::Allowed);
}

TEST(CheckAcl, RequireTlsRefusesPlainTcp) {
    AclRule tlsOnly = rule({"127.0.0.1"}, {});
    tlsOnly.requireTls = true;
    const std::vector<AclRule> rules = {tlsOnly};
    const Source src = v4("127.0.0.1");
    EXPECT_EQ(checkAcl(rules, AclAction::Transfer, src.get(), nullptr, false),
              AclVerdict::NeedsTls);
    EXPECT_EQ(checkAcl(rules, AclAction::Transfer, src.get(), nullptr, true), AclVerdict::Allowed);
}

TEST(ResolveAcl, KeysBecomeNamesInOrder) {
    config::Config cfg;
    dnswire::TsigKey key;
    key.name = name("xfr.key.");
    key.secret = {1, 2, 3};
    cfg.keys.push_back(key);
    config::AclConfig first;
    first.id = "from-primary";
    first.addresses = {prefix("10.0.0.0/8")};
    first.keys = {"xfr.key."};
    first.actions = {AclAction::Notify};
    config::AclConfig second;
    second.id = "nobody";
    second.deny = true;
    second.requireTls = true;
    cfg.acls = {first, second};

    const auto rules = resolveAcl(cfg, {"nobody", "from-primary"});
    ASSERT_EQ(rules.size(), 2U);
    EXPECT_TRUE(rules[0].deny);
    EXPECT_TRUE(rules[0].requireTls);
    EXPECT_TRUE(rules[0].keys.empty());
    ASSERT_EQ(rules[1].keys.size(), 1U);
    EXPECT_EQ(rules[1].keys[0], name("xfr.key."));
    EXPECT_EQ(rules[1].addresses, first.addresses);
    ASSERT_EQ(rules[1].actions.size(), 1U);
    EXPECT_EQ(rules[1].actions[0], AclAction::Notify);
}

}  // namespace
}  // namespace dnsfleet::authd::zones
