#pragma once
/// \file
/// Deciding whether a request may do what it asks (transfer a zone, NOTIFY it), from the zone's
/// ACL rules, the source address, the TSIG key that verified, and the transport.

#include <sys/socket.h>

#include <span>
#include <string>
#include <vector>

#include "authd/config/config.hpp"
#include "dnswire/name.hpp"

namespace dnsfleet::authd::zones {

/// One ACL rule with its key ids resolved to key names.
struct AclRule {
    std::vector<config::AddressPrefix> addresses;
    std::vector<dnswire::Name> keys;
    std::vector<config::AclAction> actions;
    bool deny = false;
    bool requireTls = false;
};

/// Resolves the ACL ids of a zone into rules (unknown ids were already rejected by the config).
[[nodiscard]] std::vector<AclRule> resolveAcl(const config::Config& cfg,
                                              const std::vector<std::string>& aclIds);

/// What the ACL said.
enum class AclVerdict : std::uint8_t { Allowed, Denied, NoMatch, NeedsTls };

/// The first rule that matches `action` from `source`, signed with `key` (null = unsigned),
/// decides. No match = NoMatch (refused).
[[nodiscard]] AclVerdict checkAcl(std::span<const AclRule> rules, config::AclAction action,
                                  const sockaddr* source, const dnswire::Name* key,
                                  bool overTls) noexcept;

}  // namespace dnsfleet::authd::zones
